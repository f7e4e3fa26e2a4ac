//! Every host's log buffer, the arrival counter and the filtered index, with the windows and
//! walks views are drawn and navigated from.

use crate::ui::logs::filter::LineFilter;
use crate::ui::logs::merge::{Direction, Walk};
use crate::ui::logs::ring::{HostLog, LogLine};

/// Which hosts a view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostView {
    /// Every host, merged in arrival order, with a host column.
    #[default]
    All,
    /// One host (index into [`LogStore::hosts`]).
    One(usize),
}

/// The rows of a view to draw, oldest first, and which of them is selected.
#[derive(Debug, Clone, Default)]
pub struct Window<'a> {
    /// `(host index, line)`, oldest first.
    pub rows: Vec<(usize, &'a LogLine)>,
    /// Index into `rows` of the line at the anchor (or nearest before it).
    pub selected: Option<usize>,
}

/// Per-host ring buffers of log lines.
#[derive(Debug, Clone)]
pub struct LogStore {
    hosts: Vec<HostLog>,
    capacity: usize,
    next_seq: u64,
    filter: LineFilter,
}

/// What arrives: one line of one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// Host name.
    pub host: String,
    /// When (unix ms).
    pub at_ms: i64,
    /// Text (already redacted).
    pub text: String,
    /// Matches the highlight patterns.
    pub highlighted: bool,
    /// Inserted by cockpit (gap, tail ended).
    pub marker: bool,
}

impl LogStore {
    /// Empty buffers of `capacity` lines each for the given hosts (others are added when
    /// they first send a line).
    pub fn new<'a>(capacity: usize, hosts: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            hosts: hosts
                .into_iter()
                .map(|h| HostLog::new(h, capacity))
                .collect(),
            capacity,
            next_seq: 1,
            filter: LineFilter::default(),
        }
    }

    /// Stores a line in its host's buffer; returns its arrival number.
    pub fn push(&mut self, incoming: Incoming) -> u64 {
        let index = self.slot(&incoming.host);
        self.push_to(
            index,
            incoming.at_ms,
            incoming.text,
            incoming.highlighted,
            incoming.marker,
        )
    }

    /// Stores lines of one host that arrived together, as [`LogStore::push`] would one by
    /// one, finding the host once: `(text, highlighted)` each, oldest first.
    pub fn push_lines(
        &mut self,
        host: &str,
        at_ms: i64,
        lines: impl IntoIterator<Item = (String, bool)>,
    ) {
        let index = self.slot(host);
        for (text, highlighted) in lines {
            self.push_to(index, at_ms, text, highlighted, false);
        }
    }

    /// The buffer index of a host, adding its buffer when it is new.
    fn slot(&mut self, host: &str) -> usize {
        match self.host_index(host) {
            Some(i) => i,
            None => {
                self.hosts.push(HostLog::new(host, self.capacity));
                self.hosts.len() - 1
            }
        }
    }

    fn push_to(
        &mut self,
        index: usize,
        at_ms: i64,
        text: String,
        highlighted: bool,
        marker: bool,
    ) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let line = LogLine {
            seq,
            at_ms,
            text,
            highlighted,
            marker,
        };
        let passes = self.filter.is_active() && self.filter.accepts(&line);
        self.hosts[index].push(line, passes);
        seq
    }

    /// The buffer index of a host.
    pub fn host_index(&self, name: &str) -> Option<usize> {
        self.hosts.iter().position(|h| h.name == name)
    }

    /// Every host's buffer.
    pub fn hosts(&self) -> &[HostLog] {
        &self.hosts
    }

    /// Lines held over every host.
    pub fn len(&self) -> usize {
        self.hosts.iter().map(HostLog::len).sum()
    }

    /// Whether no line is held.
    pub fn is_empty(&self) -> bool {
        self.hosts.iter().all(HostLog::is_empty)
    }

    /// The active filter.
    pub fn filter(&self) -> &LineFilter {
        &self.filter
    }

    /// Replaces the filter and rebuilds the filtered index once (lines arriving later are
    /// indexed as they come).
    pub fn set_filter(&mut self, filter: LineFilter) {
        self.filter = filter;
        let active = self.filter.is_active();
        for host in &mut self.hosts {
            if active {
                host.reindex(|l| self.filter.accepts(l));
            } else {
                host.reindex(|_| false);
            }
        }
    }

    fn sources(&self, view: HostView) -> Vec<(usize, crate::ui::logs::ring::Source<'_>)> {
        let filtered = self.filter.is_active();
        self.hosts
            .iter()
            .enumerate()
            .filter(|(i, _)| view == HostView::All || view == HostView::One(*i))
            .map(|(i, h)| (i, h.source(filtered)))
            .collect()
    }

    /// Lines of the view, in arrival order, from `from` (None = the newest) going `direction`;
    /// older walks include the line at `from`, newer walks start after it.
    pub fn walk(&self, view: HostView, from: Option<u64>, direction: Direction) -> Walk<'_> {
        Walk::new(self.sources(view), from, direction)
    }

    /// Lines the view shows, and lines its hosts hold (equal without a filter).
    pub fn counts(&self, view: HostView) -> (usize, usize) {
        let hosts = self
            .hosts
            .iter()
            .enumerate()
            .filter(|(i, _)| view == HostView::All || view == HostView::One(*i));
        let (mut shown, mut held) = (0, 0);
        for (_, h) in hosts {
            held += h.len();
            shown += if self.filter.is_active() {
                h.matching_len()
            } else {
                h.len()
            };
        }
        (shown, held)
    }

    /// Up to `rows` lines of the view ending at `anchor` (None = the newest); when fewer
    /// lines precede it, lines after it fill the window.
    pub fn window(&self, view: HostView, anchor: Option<u64>, rows: usize) -> Window<'_> {
        let mut before: Vec<_> = self
            .walk(view, anchor, Direction::Older)
            .take(rows)
            .collect();
        before.reverse();
        let selected = before.len().checked_sub(1);
        let mut window = Window {
            rows: before,
            selected,
        };
        if let Some(seq) = anchor
            && window.rows.len() < rows
        {
            let missing = rows - window.rows.len();
            window
                .rows
                .extend(self.walk(view, Some(seq), Direction::Newer).take(missing));
            if window.selected.is_none() && !window.rows.is_empty() {
                window.selected = Some(0);
            }
        }
        window
    }

    /// The line at `anchor` or the nearest before it (after it when none is older).
    pub fn line_near(&self, view: HostView, anchor: Option<u64>) -> Option<(usize, &LogLine)> {
        self.walk(view, anchor, Direction::Older)
            .next()
            .or_else(|| anchor.and_then(|s| self.walk(view, Some(s), Direction::Newer).next()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::logs::filter::compile;

    fn store(capacity: usize, lines: &[(&str, &str)]) -> LogStore {
        let mut s = LogStore::new(capacity, ["a", "b"]);
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

    fn texts(w: &Window<'_>) -> Vec<String> {
        w.rows.iter().map(|(_, l)| l.text.clone()).collect()
    }

    #[test]
    fn per_host_buffers_count_their_own_drops() {
        let s = store(
            2,
            &[
                ("a", "a1"),
                ("b", "b1"),
                ("a", "a2"),
                ("a", "a3"),
                ("c", "c1"),
            ],
        );
        let dropped: Vec<_> = s
            .hosts()
            .iter()
            .map(|h| (h.name.as_str(), h.dropped))
            .collect();
        assert_eq!(dropped, [("a", 1), ("b", 0), ("c", 0)]);
        assert_eq!(s.len(), 4);
        let merged = s.window(HostView::All, None, 10);
        assert_eq!(texts(&merged), ["b1", "a2", "a3", "c1"]);
        assert_eq!(merged.selected, Some(3));
        let only_a = s.window(HostView::One(0), None, 10);
        assert_eq!(texts(&only_a), ["a2", "a3"]);
    }

    #[test]
    fn window_at_an_anchor_fills_from_after_it() {
        let s = store(
            10,
            &[("a", "1"), ("b", "2"), ("a", "3"), ("b", "4"), ("a", "5")],
        );
        let w = s.window(HostView::All, Some(3), 2);
        assert_eq!(
            (texts(&w), w.selected),
            (vec!["2".into(), "3".into()], Some(1))
        );
        let top = s.window(HostView::All, Some(1), 3);
        assert_eq!(
            (texts(&top), top.selected),
            (vec!["1".into(), "2".into(), "3".into()], Some(0))
        );
    }

    #[test]
    fn filtered_index_is_kept_as_lines_arrive() {
        let mut s = store(3, &[("a", "GET 200"), ("b", "GET 502"), ("a", "GET 503")]);
        s.set_filter(crate::ui::logs::filter::LineFilter {
            include: compile("50[0-9]").ok(),
            exclude: None,
        });
        assert_eq!(s.counts(HostView::All), (2, 3));
        for (host, text) in [("a", "POST 502"), ("a", "ok"), ("a", "ok"), ("b", "x")] {
            s.push(Incoming {
                host: host.into(),
                at_ms: 0,
                text: text.into(),
                highlighted: false,
                marker: false,
            });
        }
        // a holds "POST 502", "ok", "ok" (its 503 dropped); b holds "GET 502", "x".
        assert_eq!(
            texts(&s.window(HostView::All, None, 10)),
            ["GET 502", "POST 502"]
        );
        assert_eq!(s.counts(HostView::One(0)), (1, 3));
        s.set_filter(Default::default());
        assert_eq!(s.counts(HostView::All), (5, 5));
    }
}
