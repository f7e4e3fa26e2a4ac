//! What the replay's keys do: playback, stepping, markers, search and jumps; pane navigation
//! goes to the panes, and nothing that would act on a fleet or the journal does anything. The
//! keys themselves are the replay's scope of the key table (`ui/keymap`).

use crate::ui::action::Action;
use crate::ui::keymap::Scope;
use crate::ui::overlay::LineInput;
use crate::ui::pane::Pane;
use crate::ui::replay::{Replay, ReplayPrompt};
use chrono::{NaiveTime, TimeZone, Utc};
use crossterm::event::KeyEvent;

impl Replay {
    /// Handles one key: the replay's scope of the key table first, then the live keys that
    /// only move the view (`keymap::VIEW_ACTIONS`).
    pub fn on_key(&mut self, key: KeyEvent) {
        if let Some((kind, mut input)) = self.prompt.take() {
            match self.app.keymap.dialog_action(&key, true) {
                Some(Action::Confirm) => self.answer(kind, &input.text),
                Some(Action::Cancel) => {}
                _ => {
                    input.edit(&key);
                    self.prompt = Some((kind, input));
                }
            }
            return;
        }
        if self.help {
            self.help = false;
            return;
        }
        self.notice = None;
        let Some(action) = self.app.keymap.replay_action(self.app.focus, &key) else {
            return;
        };
        match action {
            Action::Quit => self.quit = true,
            Action::ToggleHelp => self.help = true,
            Action::PlayPause => self.toggle_play(),
            Action::Faster => self.playback.speed = self.playback.speed.faster(),
            Action::Slower => self.playback.speed = self.playback.speed.slower(),
            Action::SkipIdle => self.playback.skip_idle = !self.playback.skip_idle,
            Action::NextEntry => self.step_to(self.position + 1),
            Action::PreviousEntry => self.step_to(self.position.saturating_sub(1)),
            Action::NextMarker => self.jump_to_marker(true),
            Action::PreviousMarker => self.jump_to_marker(false),
            Action::ToStart => self.step_to(0),
            Action::ToEnd => self.step_to(self.timeline.len()),
            Action::SearchJournal => {
                self.prompt = Some((ReplayPrompt::Search, LineInput::default()));
            }
            Action::JumpToTime => self.prompt = Some((ReplayPrompt::Time, LineInput::default())),
            Action::SearchNext => self.search_again(true),
            Action::SearchPrevious => self.search_again(false),
            Action::JumpToStep => {
                if self.app.focus == Pane::Playbook {
                    self.jump_to_selected_step();
                }
            }
            // `replay_action` passes on nothing but the view's keys, which change no incident
            // state and send nothing.
            view => {
                let _ = self.app.update(view);
            }
        }
    }

    fn toggle_play(&mut self) {
        if self.playback.playing {
            self.playback.playing = false;
            return;
        }
        if self.position >= self.timeline.len() {
            self.seek(0);
        }
        self.playback.playing = true;
    }

    /// A jump by the operator pauses playback.
    fn step_to(&mut self, position: usize) {
        self.playback.playing = false;
        self.seek(position);
    }

    fn jump_to_marker(&mut self, forward: bool) {
        match self.timeline.marker_after(self.position, forward) {
            Some(p) => self.step_to(p),
            None => self.say(
                if forward {
                    "no marker after this point"
                } else {
                    "no marker before this point"
                },
                true,
            ),
        }
    }

    fn search_again(&mut self, forward: bool) {
        match self.last_search.clone() {
            Some(q) => self.search(&q, forward),
            None => {
                let search = self
                    .app
                    .keymap
                    .key_for(Scope::Replay, Action::SearchJournal)
                    .unwrap_or_else(|| format!("[keys] {}", Action::SearchJournal.name()));
                self.say(format!("nothing searched yet: {search} searches"), true)
            }
        }
    }

    fn search(&mut self, query: &str, forward: bool) {
        match self.timeline.search(self.position, query, forward) {
            Some(p) => self.step_to(p),
            None => self.say(
                format!(
                    "no entry {} matches {query:?}",
                    if forward { "after this" } else { "before this" }
                ),
                true,
            ),
        }
    }

    fn answer(&mut self, kind: ReplayPrompt, text: &str) {
        match kind {
            ReplayPrompt::Search => {
                if text.trim().is_empty() {
                    return;
                }
                self.last_search = Some(text.to_string());
                self.search(text, true);
            }
            ReplayPrompt::Time => match parse_time(text, self.timeline.span().0) {
                Ok(at_ms) => {
                    let p = self.timeline.position_at(at_ms);
                    self.step_to(p);
                    self.playback.clock_ms = at_ms.max(self.timeline.time_at(p));
                    self.app.now_ms = self.playback.clock_ms;
                }
                Err(e) => self.say(e, true),
            },
        }
    }

    fn jump_to_selected_step(&mut self) {
        let Some(incident) = self.app.incident().map(|i| i.id.clone()) else {
            return;
        };
        let Some(step) = self.app.selected_step().map(|s| s.id.clone()) else {
            return;
        };
        match self.timeline.step_position(&incident, &step) {
            Some(p) => self.step_to(p),
            None => self.say(
                format!("step {step} was never run, ticked or skipped"),
                true,
            ),
        }
    }

    fn say(&mut self, text: impl Into<String>, error: bool) {
        self.notice = Some((text.into(), error));
    }
}

/// `+MM:SS` / `+H:MM:SS` from the journal's start, or a UTC wall-clock time `HH:MM[:SS]` on
/// the day of the journal's start (the next day when that is before the start).
pub fn parse_time(text: &str, start_ms: i64) -> Result<i64, String> {
    let text = text.trim();
    let bad = || format!("{text:?} is not a time: type +MM:SS from the start, or HH:MM[:SS] (UTC)");
    if let Some(offset) = text.strip_prefix('+') {
        let parts: Vec<i64> = offset
            .split(':')
            .map(|p| p.parse::<i64>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let seconds = match parts.as_slice() {
            [s] => *s,
            [m, s] => m * 60 + s,
            [h, m, s] => h * 3600 + m * 60 + s,
            _ => return Err(bad()),
        };
        return Ok(start_ms + seconds * 1000);
    }
    let time = NaiveTime::parse_from_str(text, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
        .map_err(|_| bad())?;
    let start = Utc
        .timestamp_millis_opt(start_ms)
        .single()
        .ok_or_else(bad)?;
    let at = start
        .date_naive()
        .and_time(time)
        .and_utc()
        .timestamp_millis();
    Ok(if at < start_ms - 1000 {
        at + 86_400_000
    } else {
        at
    })
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn times_are_offsets_or_utc_clock_times() {
        // 2026-11-21 20:26:13.310 UTC
        let start = 1_795_292_773_310;
        assert_eq!(parse_time("+0", start), Ok(start));
        assert_eq!(parse_time("+1:30", start), Ok(start + 90_000));
        assert_eq!(parse_time("+1:00:00", start), Ok(start + 3_600_000));
        assert_eq!(
            parse_time("20:27", start),
            Ok(1_795_292_820_000),
            "the same day"
        );
        assert_eq!(
            parse_time("00:00:05", start),
            Ok(1_795_305_605_000),
            "after midnight: the next day"
        );
        assert!(
            parse_time("yesterday", start)
                .unwrap_err()
                .contains("not a time")
        );
        assert!(parse_time("+1:x", start).is_err());
    }
}
