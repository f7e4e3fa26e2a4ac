//! Puts a replay moment into the panes: host states, pinned log lines, each database's last
//! statement and transaction, and the incident as it stood.

use crate::core::health::{HealthTracker, HostState};
use crate::core::incident::{PinnedLine, Workspace};
use crate::core::inventory::{Database, Driver, Host, Inventory, PasswordSource, Transport};
use crate::core::metrics::{Assessment, PressureTracker};
use crate::core::operator::Operator;
use crate::core::replay::{Moment, SqlActivity, SqlMoment, Timeline, TransactionState};
use crate::core::report::format::time_of_day;
use crate::ui::app::{App, LOG_CAPACITY, RunMode};
use crate::ui::console::{Handover, Message, OpenTransaction, Running};
use crate::ui::logs::{Incoming, LogStore};
use crate::ui::theme::Theme;

/// The panes' app for a replay: the journal's hosts and databases, nothing to connect to.
pub fn app_for(timeline: &Timeline, operator: Operator, theme: Theme) -> App {
    let hosts = timeline
        .hosts()
        .iter()
        .map(|name| Host {
            name: name.clone(),
            address: String::new(),
            port: 22,
            user: String::new(),
            role: String::new(),
            tags: Vec::new(),
            ssh_alias: None,
            identity_files: Vec::new(),
            transport: Transport::Local,
            logs: Vec::new(),
            checks: Vec::new(),
            vars: Default::default(),
        })
        .collect();
    let databases = timeline
        .databases()
        .iter()
        .map(|name| Database {
            name: name.clone(),
            driver: Driver::Sqlite,
            url: String::new(),
            password: PasswordSource::None,
            via_host: None,
            read_only: true,
        })
        .collect();
    let inventory = Inventory {
        hosts,
        databases,
        ..Inventory::default()
    };
    let start = timeline.span().0;
    let mut app = App::new(
        RunMode::Replay,
        operator,
        inventory,
        Vec::new(),
        Workspace::default(),
        theme,
        start,
    );
    app.journal_label = String::new();
    app
}

/// Shows `moment` in the panes (the caller moves its workspace into the app). `pins_shown`
/// is how many pinned lines the Logs pane holds (None: not filled yet); it is kept up to date.
pub fn show(app: &mut App, timeline: &Timeline, moment: &Moment, pins_shown: &mut Option<usize>) {
    let start = timeline.span().0;
    for row in &mut app.hosts {
        let mut tracker = HealthTracker::new(start);
        tracker.state = moment
            .workspace
            .host_states
            .get(&row.name)
            .copied()
            .unwrap_or(HostState::Unknown);
        tracker.since_ms = moment.host_since.get(&row.name).copied().unwrap_or(start);
        tracker.failing = moment.host_cause.get(&row.name).cloned();
        row.tracker = tracker;
        row.pressure = PressureTracker::default();
        row.pressure.current =
            moment
                .workspace
                .host_pressure
                .get(&row.name)
                .map(|(level, summary)| Assessment {
                    level: *level,
                    worst: None,
                    summary: summary.clone(),
                });
    }
    // Pinned lines are only ever added, in journal order, so any moment of the journal
    // holds the first so many of them: the same number means the same lines. Refilling
    // the pane at every entry would cost a copy of every pin so far.
    let pins = pin_count(&moment.workspace);
    if *pins_shown != Some(pins) {
        show_pinned(app, &moment.workspace);
        *pins_shown = Some(pins);
    }
    for db in &mut app.console.dbs {
        let sql = moment.sql.get(&db.name).cloned().unwrap_or_default();
        db.editor
            .show_recorded(sql.statement.as_deref().unwrap_or_default());
        db.editor.jump_to(0);
        // The parameters line under the editor shows the journaled (masked) binds.
        db.handover = (!sql.params.is_empty()).then(|| Handover {
            step: sql.step.clone().unwrap_or_default(),
            statement: sql.statement.clone().unwrap_or_default(),
            binds: Vec::new(),
            shown: sql.params.clone(),
            expected_rows: None,
            confirmed: true,
        });
        db.running = sql.running.then(|| Running {
            run: 0,
            started_ms: timeline.time_at(moment.position),
            editor_offset: None,
            step: sql.step.clone(),
            expected_rows: None,
            journaling: false,
        });
        db.transaction = match sql.transaction {
            TransactionState::Open {
                since_ms,
                rows_affected,
            } => {
                let mut open = OpenTransaction::new(since_ms, sql.step.clone(), None);
                open.rows_affected = rows_affected;
                Some(open)
            }
            _ => None,
        };
        db.message = message(&sql);
    }
}

/// How many lines are pinned in `workspace`, in incidents or loose.
fn pin_count(workspace: &Workspace) -> usize {
    workspace
        .incidents
        .iter()
        .map(|i| i.pinned.len())
        .sum::<usize>()
        + workspace.loose_pins.len()
}

/// The Logs pane holds the lines pinned so far: the journal keeps no other log lines.
fn show_pinned(app: &mut App, workspace: &Workspace) {
    let names: Vec<String> = app.hosts.iter().map(|h| h.name.clone()).collect();
    app.logs = LogStore::new(LOG_CAPACITY, names.iter().map(String::as_str));
    let mut pinned: Vec<&PinnedLine> = workspace
        .incidents
        .iter()
        .flat_map(|i| i.pinned.iter())
        .chain(workspace.loose_pins.iter())
        .collect();
    pinned.sort_by_key(|p| p.at_ms);
    for p in pinned {
        let highlighted = app.highlight.as_ref().is_some_and(|r| r.is_match(&p.text));
        app.logs.push(Incoming {
            host: p.host.clone(),
            at_ms: p.at_ms,
            text: p.text.clone(),
            highlighted,
            marker: false,
        });
    }
}

/// The console's message line for a database at this moment.
fn message(sql: &SqlMoment) -> Option<Message> {
    let (mut text, error) = match sql.activity.as_ref()? {
        SqlActivity::Ran {
            duration_ms,
            rows_affected,
            rows_returned,
        } => (
            format!(
                "ran in {duration_ms} ms: {rows_affected} row(s) affected, {rows_returned} returned"
            ),
            false,
        ),
        SqlActivity::Failed(e) => (format!("failed: {e}"), true),
        SqlActivity::Refused(r) => (format!("refused, nothing ran: {r}"), true),
    };
    match &sql.transaction {
        TransactionState::Open { .. } => {
            text.push_str(" · transaction open, waiting for commit or rollback");
        }
        TransactionState::Ending { commit, reason } => text.push_str(&format!(
            " · {} asked ({reason})",
            if *commit { "commit" } else { "rollback" }
        )),
        TransactionState::Ended {
            committed,
            by,
            at_ms,
        } => text.push_str(&format!(
            " · {} by {by} at {}",
            if *committed {
                "committed"
            } else {
                "rolled back"
            },
            time_of_day(*at_ms)
        )),
        TransactionState::None => {}
    }
    Some(Message { text, error })
}
