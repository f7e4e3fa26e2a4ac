//! What each part of a replay screen shows, in a form cheap to compare: a part whose look is
//! the same as when it was last drawn would be drawn the same, so the cast does not draw it.
//! A look holds everything the part's drawing reads that a replay changes from one entry to
//! the next; what a replay never changes (the theme, the keys, the inventory) is left out.

use crate::core::journal::Record;
use crate::ui::layout::{host_rows, in_view};
use crate::ui::pane::Pane;
use crate::ui::panes::playbook::shows_who;
use crate::ui::replay::Replay;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders};
use std::hash::{DefaultHasher, Hash, Hasher};

/// How often the journal changed what a pane is drawn from where the look cannot tell by
/// itself (a database console's statement, parameters and messages).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(super) struct Revisions {
    /// Entries that changed (or may have changed) a database's console.
    pub sql: u64,
}

impl Revisions {
    /// Counts in what `record` changes.
    pub fn count(&mut self, record: &Record) {
        if changes_sql(record) {
            self.sql += 1;
        }
    }

    /// Everything may have changed (a jump back folds the journal again).
    pub fn all(&mut self) {
        self.sql += 1;
    }
}

/// Whether a record changes a database's console: SQL records, and the start or end of a
/// session (a statement in flight then never reports).
fn changes_sql(record: &Record) -> bool {
    matches!(
        record,
        Record::SqlStatementStarted { .. }
            | Record::SqlStatementEnded { .. }
            | Record::SqlTransactionEnding { .. }
            | Record::SqlTransactionEnded { .. }
            | Record::SqlRefused { .. }
            | Record::SessionStarted { .. }
            | Record::SessionEnded { .. }
    )
}

/// Whole seconds of a duration as `short_duration` shows it.
fn seconds(ms: i64) -> i64 {
    ms.max(0) / 1000
}

/// What `short_duration` shows of a duration, as a number: whole seconds below an hour, then
/// whole minutes (a host down for hours changes its row once a minute, not every second).
fn shown_duration(ms: i64) -> i64 {
    match seconds(ms) {
        s @ 0..=3599 => s,
        s => 3600 + s / 60,
    }
}

/// The look of a pane: what its drawing reads that a replay changes.
/// `area` is where the pane is drawn, border included.
pub(super) fn pane(replay: &Replay, pane: Pane, area: Rect, revisions: Revisions) -> u64 {
    let app = &replay.app;
    let mut h = DefaultHasher::new();
    (pane, app.focus == pane).hash(&mut h);
    match pane {
        // As its pieces give it, so that a recording need not work it out twice.
        Pane::Hosts => return hosts_pane(replay, &hosts(replay, area)),
        Pane::Logs => {
            // The pane holds the pinned lines, and marks those of the incident shown.
            let incidents = &app.workspace.incidents;
            let pins: usize = incidents.iter().map(|i| i.pinned.len()).sum::<usize>()
                + app.workspace.loose_pins.len();
            (pins, incidents.len(), app.logs.len()).hash(&mut h);
        }
        Pane::Playbook => {
            (
                app.step_cursor,
                app.step_scroll,
                app.team.session().is_some(),
            )
                .hash(&mut h);
            // A step's detail, gates naming the hosts' states among it, is drawn from the
            // loaded playbook; a replay loads none, and then the hosts' states show nowhere here.
            if !app.playbooks.is_empty() {
                for row in &app.hosts {
                    row.tracker.state.hash(&mut h);
                }
            }
            if let Some(i) = app.incident() {
                // The steps and titles come with the opening and never change.
                (
                    &i.id,
                    &i.title,
                    &i.playbook_title,
                    &i.opened_by,
                    &i.progress,
                )
                    .hash(&mut h);
                if let Some(step) = i.steps.get(app.step_cursor) {
                    (i.confirmations.get(&step.id), i.results.get(&step.id)).hash(&mut h);
                }
            }
        }
        Pane::Sql => {
            (revisions.sql, app.console.selected).hash(&mut h);
            for db in &app.console.dbs {
                let txn = db
                    .transaction
                    .as_ref()
                    .map(|t| seconds(app.now_ms - t.since_ms));
                let running = db
                    .running
                    .as_ref()
                    .map(|r| seconds(app.now_ms - r.started_ms));
                (txn, running).hash(&mut h);
            }
        }
    }
    h.finish()
}

/// The Hosts pane's look in two: around its rows (border, header, scroll, selection), and
/// each row in view by host index. When only rows changed, a recording redraws those rows,
/// or only their `since` cells when nothing else in them changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct HostsLook {
    /// Everything but the rows' contents.
    pub frame: u64,
    /// Each host in view, with its row's look.
    pub rows: Vec<HostRowLook>,
}

/// A host's row in the Hosts pane's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct HostRowLook {
    /// The host's index.
    pub index: usize,
    /// Everything the row shows but its `since`.
    pub rest: u64,
    /// Its `since`, as shown.
    pub since: i64,
}

/// The look of the Hosts pane (as [`pane`] gives it) whose look in pieces is `look`.
pub(super) fn hosts_pane(replay: &Replay, look: &HostsLook) -> u64 {
    let mut h = DefaultHasher::new();
    (Pane::Hosts, replay.app.focus == Pane::Hosts, look).hash(&mut h);
    h.finish()
}

/// The Hosts pane's look; `area` is where the pane is drawn, border included.
pub(super) fn hosts(replay: &Replay, area: Rect) -> HostsLook {
    let app = &replay.app;
    // Only the rows in view are drawn: the table keeps the selected one in view.
    let rows = host_rows(Block::default().borders(Borders::ALL).inner(area));
    let first = in_view(app.host_scroll, app.host_cursor, rows);
    let mut h = DefaultHasher::new();
    (app.focus == Pane::Hosts, app.hosts.is_empty()).hash(&mut h);
    (app.host_scroll, app.host_cursor, first, area).hash(&mut h);
    let rows = (first..)
        .zip(app.hosts.iter().skip(first).take(rows.max(1)))
        .map(|(index, row)| {
            let mut h = DefaultHasher::new();
            let t = &row.tracker;
            (t.state, &t.failing).hash(&mut h);
            (row.probed_at_ms, row.latency_ms()).hash(&mut h);
            match &row.pressure.current {
                Some(a) => (a.level, &a.worst, &a.summary).hash(&mut h),
                None => 0u8.hash(&mut h),
            }
            HostRowLook {
                index,
                rest: h.finish(),
                since: shown_duration(app.now_ms - t.since_ms),
            }
        })
        .collect();
    HostsLook {
        frame: h.finish(),
        rows,
    }
}

/// The Playbook pane's look in pieces: around them (border, scroll, selection, the incident),
/// the head line, each step's row, and the selected step's detail. When only pieces changed,
/// a recording redraws those.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct PlaybookLook {
    /// Everything but the pieces' contents.
    pub frame: u64,
    /// The head line (the steps done).
    pub head: u64,
    /// Each step's row, by step index.
    pub steps: Vec<u64>,
    /// The selected step's detail.
    pub detail: u64,
}

/// The Playbook pane's look in pieces; `area` is where the pane is drawn, border included.
/// None when it is drawn whole only: no incident open, or a playbook loaded (a step's detail
/// then reads the live run, which a replay never has).
pub(super) fn playbook(replay: &Replay, area: Rect) -> Option<PlaybookLook> {
    let app = &replay.app;
    let i = app.incident().filter(|_| app.playbooks.is_empty())?;
    let hash = |value: &dyn Fn(&mut DefaultHasher)| {
        let mut h = DefaultHasher::new();
        value(&mut h);
        h.finish()
    };
    let selected = i.steps.get(app.step_cursor);
    Some(PlaybookLook {
        frame: hash(&|h| {
            (app.focus == Pane::Playbook, area, i.steps.len()).hash(h);
            (app.step_cursor, app.step_scroll, shows_who(app, i)).hash(h);
            (&i.id, &i.title, &i.playbook_title).hash(h);
        }),
        head: hash(&|h| i.progress_counts().hash(h)),
        steps: i
            .steps
            .iter()
            .map(|s| hash(&|h| i.status(&s.id).hash(h)))
            .collect(),
        detail: hash(&|h| {
            if let Some(step) = selected {
                (&step.id, i.status(&step.id)).hash(h);
                (i.confirmations.get(&step.id), i.results.get(&step.id)).hash(h);
                app.steps.output(&step.id).is_none().hash(h);
            }
        }),
    })
}

/// The look of a recorded shell's panel: which screen (the shell and the batches fed make it),
/// its title, and where it is drawn.
pub(super) fn shell(replay: &Replay, area: Rect) -> u64 {
    let mut h = DefaultHasher::new();
    area.hash(&mut h);
    if let Some(screen) = replay.shell_screen() {
        screen.identity().hash(&mut h);
        super::shell_panel::title(&replay.timeline, screen).hash(&mut h);
    }
    h.finish()
}

/// The look of the track row: the playback state and the cursor's column.
pub(super) fn track(look: (String, usize)) -> u64 {
    let mut h = DefaultHasher::new();
    look.hash(&mut h);
    h.finish()
}

/// The look of the hints line: the prompt being typed, or the open transactions it counts.
pub(super) fn hints(replay: &Replay) -> u64 {
    let mut h = DefaultHasher::new();
    match &replay.prompt {
        Some((kind, input)) => (1u8, *kind, &input.text).hash(&mut h),
        None => (0u8, replay.open_transactions()).hash(&mut h),
    }
    h.finish()
}
