//! What the Logs pane shows: which hosts, following or paused at a selected line, and the
//! search. Positions are arrival numbers, so new lines never move a paused view.

use crate::ui::logs::merge::Direction;
use crate::ui::logs::ring::LogLine;
use crate::ui::logs::store::{HostView, LogStore};
use regex::Regex;

/// The Logs pane's view state.
#[derive(Debug, Clone)]
pub struct LogView {
    /// New lines scroll into view; the newest line is the selected one.
    pub follow: bool,
    /// While paused: the selected line's arrival number (the view ends there).
    pub cursor: Option<u64>,
    /// All hosts merged, or one host.
    pub hosts: HostView,
    /// Matches are highlighted; `]`/`[` jump between matching lines.
    pub search: Option<Regex>,
}

impl Default for LogView {
    fn default() -> Self {
        Self {
            follow: true,
            cursor: None,
            hosts: HostView::All,
            search: None,
        }
    }
}

impl LogView {
    /// Where the view ends: None while following (the newest line).
    pub fn anchor(&self) -> Option<u64> {
        if self.follow { None } else { self.cursor }
    }

    /// The selected line: the newest while following, else the one at the cursor.
    pub fn selected<'a>(&self, store: &'a LogStore) -> Option<(usize, &'a LogLine)> {
        store.line_near(self.hosts, self.anchor())
    }

    /// Follows new lines again.
    pub fn follow(&mut self) {
        self.follow = true;
        self.cursor = None;
    }

    /// Stops at `seq`.
    pub fn pause_at(&mut self, seq: u64) {
        self.follow = false;
        self.cursor = Some(seq);
    }

    /// Pauses on the selected line, or follows again.
    pub fn toggle_follow(&mut self, store: &LogStore) {
        if self.follow {
            if let Some((_, line)) = self.selected(store) {
                self.pause_at(line.seq);
            }
        } else {
            self.follow();
        }
    }

    /// Moves the selection `delta` lines (negative = older). Moving older pauses; moving
    /// newer past the newest line follows again.
    pub fn move_by(&mut self, store: &LogStore, delta: isize) {
        let Some((_, current)) = self.selected(store) else {
            return;
        };
        let steps = delta.unsigned_abs();
        if delta < 0 {
            let walk = store.walk(self.hosts, Some(current.seq), Direction::Older);
            let target = walk
                .skip(1)
                .take(steps)
                .last()
                .map_or(current.seq, |(_, l)| l.seq);
            self.pause_at(target);
        } else if delta > 0 && !self.follow {
            let walk = store.walk(self.hosts, Some(current.seq), Direction::Newer);
            match walk.take(steps).enumerate().last() {
                Some((moved, (_, line))) if moved + 1 == steps => self.pause_at(line.seq),
                _ => self.follow(),
            }
        }
    }

    /// Selects the oldest line of the view.
    pub fn top(&mut self, store: &LogStore) {
        if let Some((_, oldest)) = store.walk(self.hosts, Some(0), Direction::Newer).next() {
            self.pause_at(oldest.seq);
        }
    }

    /// The nearest line matching the search going `direction` from the selection
    /// (`inclusive`: the selected line itself counts).
    pub fn find(&self, store: &LogStore, direction: Direction, inclusive: bool) -> Option<u64> {
        let search = self.search.as_ref()?;
        let (_, current) = self.selected(store)?;
        if inclusive && search.is_match(&current.text) {
            return Some(current.seq);
        }
        let mut walk = store.walk(self.hosts, Some(current.seq), direction);
        if direction == Direction::Older {
            // An older walk starts with the selected line itself.
            walk.next();
        }
        walk.find(|(_, l)| search.is_match(&l.text))
            .map(|(_, l)| l.seq)
    }

    /// Shows the next host that sent lines, after the last one back to all hosts merged.
    pub fn cycle_hosts(&mut self, store: &LogStore) {
        let start = match self.hosts {
            HostView::All => 0,
            HostView::One(i) => i + 1,
        };
        self.hosts = store
            .hosts()
            .iter()
            .enumerate()
            .skip(start)
            .find(|(_, h)| h.has_received())
            .map_or(HostView::All, |(i, _)| HostView::One(i));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::logs::store::Incoming;

    fn store(lines: &[(&str, &str)]) -> LogStore {
        let mut s = LogStore::new(100, ["a", "b", "quiet"]);
        for (host, text) in lines {
            s.push(Incoming {
                host: host.to_string(),
                at_ms: 0,
                text: text.to_string(),
                highlighted: false,
                marker: false,
            });
        }
        s
    }

    fn selected_text(view: &LogView, s: &LogStore) -> Option<String> {
        view.selected(s).map(|(_, l)| l.text.clone())
    }

    #[test]
    fn moving_pauses_and_moving_past_the_newest_follows() {
        let s = store(&[("a", "1"), ("b", "2"), ("a", "3")]);
        let mut v = LogView::default();
        assert_eq!(selected_text(&v, &s).as_deref(), Some("3"));
        v.move_by(&s, -1);
        assert!(!v.follow);
        assert_eq!(selected_text(&v, &s).as_deref(), Some("2"));
        v.move_by(&s, -10);
        assert_eq!(selected_text(&v, &s).as_deref(), Some("1"));
        v.move_by(&s, 2);
        assert_eq!(
            (v.follow, selected_text(&v, &s).as_deref()),
            (false, Some("3"))
        );
        v.move_by(&s, 1);
        assert!(v.follow);
        v.top(&s);
        assert_eq!(selected_text(&v, &s).as_deref(), Some("1"));
    }

    #[test]
    fn search_finds_older_and_newer_matches() {
        let s = store(&[("a", "502"), ("b", "ok"), ("a", "502 again"), ("b", "ok")]);
        let mut v = LogView {
            search: Regex::new("502").ok(),
            ..LogView::default()
        };
        assert_eq!(v.find(&s, Direction::Older, true), Some(3));
        v.pause_at(3);
        assert_eq!(v.find(&s, Direction::Older, false), Some(1));
        assert_eq!(v.find(&s, Direction::Newer, false), None);
        v.pause_at(1);
        assert_eq!(v.find(&s, Direction::Newer, false), Some(3));
    }

    #[test]
    fn host_cycle_skips_silent_hosts_and_ends_on_all() {
        let s = store(&[("a", "1"), ("b", "2")]);
        let mut v = LogView::default();
        let mut seen = Vec::new();
        for _ in 0..3 {
            v.cycle_hosts(&s);
            seen.push(v.hosts);
        }
        assert_eq!(seen, [HostView::One(0), HostView::One(1), HostView::All]);
    }
}
