//! `cockpit replay`: the four panes driven by a journal instead of a fleet, read-only, with a
//! timeline bar, playback at 1×/10×/60×/max, stepping, markers, search and jumps.

mod cast;
mod cell_bytes;
mod cell_diff;
mod draw;
mod frames;
mod keys;
mod looks;
mod run;
mod shell;
mod shell_panel;
#[cfg(test)]
mod test_rng;
mod view;

pub use cast::{CastSplit, write_cast, write_cast_split};
pub use draw::draw;
pub use frames::CastFrames;
pub use run::run;

use crate::core::journal::{Assessed, Integrity};
use crate::core::operator::Operator;
use crate::core::replay::{Moment, Playback, Timeline, TransactionState};
use crate::ui::app::App;
use crate::ui::overlay::LineInput;
use crate::ui::pane::Pane;
use crate::ui::theme::Theme;
use std::sync::Arc;

/// What a replay prompt asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplayPrompt {
    /// Text to search entries for.
    Search,
    /// A time to jump to.
    Time,
}

/// A journal being replayed: the timeline, where the replay stands, and the panes showing it.
pub struct Replay {
    /// The journal laid out in time (shared by the replays a recording draws side by side).
    pub timeline: Arc<Timeline>,
    /// Entries applied so far (0 = none).
    pub position: usize,
    /// Play or pause, speed, the journal time shown.
    pub playback: Playback,
    /// The four panes, showing the moment (never sending anything anywhere).
    pub app: App,
    /// How far the journal verified.
    pub integrity: Integrity,
    /// Entries stored, including any left out.
    pub stored: usize,
    /// The journal's name, for the bar.
    pub source: String,
    /// The prompt being typed, if any.
    pub prompt: Option<(ReplayPrompt, LineInput)>,
    /// The last search, for `n` and `N`.
    pub last_search: Option<String>,
    /// A message for the bar: text, and whether it is an error.
    pub notice: Option<(String, bool)>,
    /// The replay's keys are shown.
    pub help: bool,
    /// The operator asked to leave.
    pub quit: bool,
    moment: Option<Moment>,
    /// What the panes were last given.
    shown: view::Shown,
    /// The recorded shell's screen at this moment, when the replay stands inside a shell.
    shell: Option<shell::ShellScreen>,
}

impl Replay {
    /// A replay of a verified journal, paused at its start, or right after `incident` opened.
    pub fn new(
        assessed: Assessed,
        source: String,
        operator: Operator,
        theme: Theme,
        incident: Option<&str>,
    ) -> Result<Self, String> {
        let Assessed {
            entries,
            integrity,
            stored,
            ..
        } = assessed;
        let timeline = Timeline::new(entries);
        let start = match incident {
            Some(id) => timeline.incident_position(id).ok_or_else(|| {
                format!(
                    "no incident {id} in {source}; it holds: {}",
                    incident_ids(&timeline)
                )
            })?,
            None => 1.min(timeline.len()),
        };
        let playback = Playback::new(timeline.time_at(start));
        let mut replay = Self::showing(
            Arc::new(timeline),
            playback,
            (operator, theme),
            integrity,
            stored,
            source,
        );
        replay.seek(start);
        if incident.is_some() {
            replay.app.focus = Pane::Playbook;
        }
        Ok(replay)
    }

    /// Another replay of the same journal, standing where this one stands, showing the same
    /// pane (a recording draws stretches of the journal side by side, one replay each).
    pub fn fork(&self) -> Self {
        let mut fork = Self::showing(
            Arc::clone(&self.timeline),
            self.playback.clone(),
            (self.app.operator.clone(), self.app.theme.clone()),
            self.integrity.clone(),
            self.stored,
            self.source.clone(),
        );
        fork.seek(self.position);
        fork.app.focus = self.app.focus;
        fork.app.zoomed = self.app.zoomed;
        fork
    }

    /// A replay of `timeline` before its first moment is shown: panes made for `operator`
    /// in `theme`, no prompt, notice or help.
    fn showing(
        timeline: Arc<Timeline>,
        playback: Playback,
        (operator, theme): (Operator, Theme),
        integrity: Integrity,
        stored: usize,
        source: String,
    ) -> Self {
        Self {
            app: view::app_for(&timeline, operator, theme),
            playback,
            timeline,
            position: 0,
            integrity,
            stored,
            source,
            prompt: None,
            last_search: None,
            notice: None,
            help: false,
            quit: false,
            moment: None,
            shown: view::Shown::default(),
            shell: None,
        }
    }

    /// Shows the moment after `position` entries; the clock stands at its time.
    pub fn seek(&mut self, position: usize) {
        let position = position.min(self.timeline.len());
        self.playback.jumped(&self.timeline, position);
        self.show(position);
    }

    /// Lets `real_ms` of real time pass: a playing replay moves on.
    pub fn tick(&mut self, real_ms: i64) {
        if !self.playback.playing {
            return;
        }
        let next = self
            .playback
            .advance(&self.timeline, self.position, real_ms);
        self.show(next);
    }

    /// How many transactions stand open at this moment, for the bar.
    pub fn open_transactions(&self) -> usize {
        self.moment.as_ref().map_or(0, |m| {
            m.sql
                .values()
                .filter(|s| matches!(s.transaction, TransactionState::Open { .. }))
                .count()
        })
    }

    /// The recorded shell's screen at this moment, when the replay stands inside a shell.
    pub(crate) fn shell_screen(&self) -> Option<&shell::ShellScreen> {
        self.shell.as_ref()
    }

    fn show(&mut self, position: usize) {
        if self.moment.is_none() || position != self.position {
            // The moment's incident state lives in the app between moves: moved, not copied.
            let previous = self.moment.take().map(|mut m| {
                m.workspace = std::mem::take(&mut self.app.workspace);
                m
            });
            let mut moment = self.timeline.moment(previous, position);
            view::show(&mut self.app, &self.timeline, &moment, &mut self.shown);
            self.app.workspace = std::mem::take(&mut moment.workspace);
            self.moment = Some(moment);
            self.shell = shell::ShellScreen::follow(self.shell.take(), &self.timeline, position);
            self.position = position;
        }
        self.app.now_ms = self.playback.clock_ms;
    }
}

/// The incidents a journal holds, for an error message.
fn incident_ids(timeline: &Timeline) -> String {
    let ids: Vec<String> = timeline
        .entries()
        .iter()
        .filter_map(|e| match &e.record {
            crate::core::journal::Record::IncidentOpened { incident, .. } => Some(incident.clone()),
            _ => None,
        })
        .collect();
    if ids.is_empty() {
        "no incidents".to_string()
    } else {
        ids.join(", ")
    }
}
