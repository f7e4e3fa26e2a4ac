//! The Logs pane's actions: host view, filters, search, pause/follow and pinning a line.

use super::App;
use crate::core::journal::Record;
use crate::io::ssh::LineBatch;
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::ui::keymap::Scope;
use crate::ui::logs::filter::compile;
use crate::ui::logs::merge::Direction;
use crate::ui::logs::{HostView, Incoming, LineFilter};
use crate::ui::overlay::{LineInput, LogPrompt, LogPromptKind, Overlay};
use crate::ui::pane::Pane;
use crossterm::event::KeyEvent;

/// A host's line as the Logs pane keeps it (nothing in it acts on the terminal) and whether
/// it matches the highlight patterns.
fn shown_line(highlight: Option<&regex::Regex>, line: &str) -> (String, bool) {
    let text = crate::ui::text::printable_cow(line).into_owned();
    let highlighted = highlight.is_some_and(|r| r.is_match(&text));
    (text, highlighted)
}

impl App {
    /// Stores a line (or a marker) from a host, highlighted when it matches the patterns.
    pub(super) fn push_log(&mut self, host: String, text: String, marker: bool) {
        let (text, matched) = shown_line(self.highlight.as_ref(), &text);
        let highlighted = !marker && matched;
        self.logs.push(Incoming {
            host,
            at_ms: self.now_ms,
            text,
            highlighted,
            marker,
        });
    }

    /// Stores lines that arrived together from a host, each highlighted when it matches the
    /// patterns: the log tails' path (the host is found once, each line copied once).
    pub(super) fn push_lines(&mut self, host: &str, lines: &LineBatch) {
        let highlight = self.highlight.as_ref();
        let lines = lines.iter().map(|line| shown_line(highlight, line));
        self.logs.push_lines(host, self.now_ms, lines);
    }

    /// Applies an action of the Logs pane.
    pub(super) fn update_logs(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::ToggleFollow => self.log_view.toggle_follow(&self.logs),
            Action::CycleLogHosts => {
                self.log_view.cycle_hosts(&self.logs);
                if self.log_view.hosts == HostView::All
                    && !self.logs.hosts().iter().any(|h| h.has_received())
                {
                    self.flash("no host has sent log lines yet", true);
                }
            }
            Action::FilterInclude => self.open_log_prompt(LogPromptKind::Include),
            Action::FilterExclude => self.open_log_prompt(LogPromptKind::Exclude),
            Action::SearchLogs => self.open_log_prompt(LogPromptKind::Search),
            Action::SearchNewer => self.jump_to_match(Direction::Newer, false),
            Action::SearchOlder => self.jump_to_match(Direction::Older, false),
            Action::PinLine => return self.pin_selected_line(),
            _ => {}
        }
        Vec::new()
    }

    /// Whether a line of `host` with this text is pinned (in the open incident, or while
    /// none was open).
    pub fn is_pinned(&self, host: &str, text: &str) -> bool {
        let same = |p: &&crate::core::incident::PinnedLine| p.host == host && p.text == text;
        self.workspace.loose_pins.iter().any(|p| same(&p))
            || self
                .incident()
                .is_some_and(|i| i.pinned.iter().any(|p| same(&p)))
    }

    fn open_log_prompt(&mut self, kind: LogPromptKind) {
        let filter = self.logs.filter();
        let current = match kind {
            LogPromptKind::Include => filter.include.as_ref(),
            LogPromptKind::Exclude => filter.exclude.as_ref(),
            LogPromptKind::Search => self.log_view.search.as_ref(),
        };
        self.overlay = Some(Overlay::LogPrompt(LogPrompt {
            kind,
            input: LineInput::with_text(current.map_or("", |r| r.as_str())),
            error: None,
        }));
    }

    /// Keys while a Logs prompt is open: edit, Enter applies, Esc cancels.
    pub(super) fn on_log_prompt_key(
        &mut self,
        mut prompt: LogPrompt,
        key: KeyEvent,
    ) -> Vec<Command> {
        match self.keymap.dialog_action(&key, true) {
            Some(Action::Cancel) => {}
            Some(Action::Confirm) => {
                if let Err(reason) = self.apply_log_prompt(prompt.kind, &prompt.input.text) {
                    self.flash(reason.clone(), true);
                    prompt.error = Some(reason);
                    self.overlay = Some(Overlay::LogPrompt(prompt));
                }
            }
            _ => {
                if prompt.input.edit(&key) {
                    prompt.error = None;
                }
                self.overlay = Some(Overlay::LogPrompt(prompt));
            }
        }
        Vec::new()
    }

    /// Sets (or, when `text` is blank, clears) a filter or the search; an invalid pattern
    /// changes nothing.
    fn apply_log_prompt(&mut self, kind: LogPromptKind, text: &str) -> Result<(), String> {
        let pattern = if text.trim().is_empty() {
            None
        } else {
            Some(compile(text)?)
        };
        if kind == LogPromptKind::Search {
            let cleared = pattern.is_none();
            self.log_view.search = pattern;
            if cleared {
                self.flash("search cleared", false);
            } else {
                self.jump_to_match(Direction::Older, true);
            }
            return Ok(());
        }
        let mut filter: LineFilter = self.logs.filter().clone();
        match kind {
            LogPromptKind::Include => filter.include = pattern,
            _ => filter.exclude = pattern,
        }
        self.logs.set_filter(filter);
        let (shown, held) = self.logs.counts(self.log_view.hosts);
        let what = match self.logs.filter().describe() {
            d if d.is_empty() => "filter cleared".to_string(),
            d => format!("filter {d}"),
        };
        self.flash(format!("{what}: {shown} of {held} lines"), false);
        Ok(())
    }

    /// Selects the nearest line matching the search (pausing); says so when there is none.
    fn jump_to_match(&mut self, direction: Direction, inclusive: bool) {
        let Some(search) = self
            .log_view
            .search
            .as_ref()
            .map(|r| r.as_str().to_string())
        else {
            let key = self
                .keymap
                .key_for(Scope::Pane(Pane::Logs), Action::SearchLogs)
                .unwrap_or_default();
            self.flash(
                format!("no search yet: {key} in the Logs pane starts one"),
                true,
            );
            return;
        };
        match self.log_view.find(&self.logs, direction, inclusive) {
            Some(seq) => self.log_view.pause_at(seq),
            None => {
                let which = match direction {
                    Direction::Newer => "newer",
                    Direction::Older => "older",
                };
                self.flash(format!("no {which} line matches /{search}/"), true);
            }
        }
    }

    /// Journals the selected line (the newest while following) as pinned evidence.
    fn pin_selected_line(&mut self) -> Vec<Command> {
        let Some((host, line)) = self.log_view.selected(&self.logs) else {
            self.flash("no log line to pin", true);
            return Vec::new();
        };
        let host = self
            .logs
            .hosts()
            .get(host)
            .map(|h| h.name.clone())
            .unwrap_or_default();
        let record = Record::LogPinned {
            incident: self.incident().map(|i| i.id.clone()),
            host,
            text: line.text.clone(),
        };
        vec![self.journal(record)]
    }
}
