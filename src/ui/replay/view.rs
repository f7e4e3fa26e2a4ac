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
use std::collections::BTreeMap;

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
            privilege: crate::core::inventory::Privilege::Root,
            services: Default::default(),
            diagnose: Vec::new(),
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

/// What the panes were last given, so a step changes only what its entries changed.
#[derive(Debug, Default)]
pub struct Shown {
    /// Pinned lines the Logs pane holds (None: nothing shown yet).
    pins: Option<usize>,
    /// Of them, how many of each incident's and how many loose, and the latest time.
    pinned_of: Vec<usize>,
    loose_pins: usize,
    latest_pin_ms: Option<i64>,
    /// Each database's console as last shown.
    sql: BTreeMap<String, SqlMoment>,
}

/// Shows `moment` in the panes (the caller moves its workspace into the app); `shown` is
/// what they were last given, and is kept up to date.
pub fn show(app: &mut App, timeline: &Timeline, moment: &Moment, shown: &mut Shown) {
    let start = timeline.span().0;
    let first = shown.pins.is_none();
    for row in &mut app.hosts {
        let state = moment
            .workspace
            .host_states
            .get(&row.name)
            .copied()
            .unwrap_or(HostState::Unknown);
        let since_ms = moment.host_since.get(&row.name).copied().unwrap_or(start);
        let failing = moment.host_cause.get(&row.name);
        let pressure = moment.workspace.host_pressure.get(&row.name);
        let same = !first
            && row.tracker.state == state
            && row.tracker.since_ms == since_ms
            && row.tracker.failing.as_ref() == failing
            && row.pressure.current.as_ref().map(|a| (a.level, &a.summary))
                == pressure.map(|(level, summary)| (*level, summary));
        if same {
            continue;
        }
        let mut tracker = HealthTracker::new(start);
        tracker.state = state;
        tracker.since_ms = since_ms;
        tracker.failing = failing.cloned();
        row.tracker = tracker;
        row.pressure = PressureTracker::default();
        row.pressure.current = pressure.map(|(level, summary)| Assessment {
            level: *level,
            worst: None,
            summary: summary.clone(),
            levels: Vec::new(),
        });
    }
    // Pinned lines are only ever added, in journal order, so any moment of the journal
    // holds the first so many of them: the same number means the same lines. Refilling
    // the pane at every entry would cost a copy of every pin so far.
    let pins = pin_count(&moment.workspace);
    if shown.pins != Some(pins) {
        if !add_pinned(app, &moment.workspace, shown) {
            show_pinned(app, &moment.workspace);
        }
        let ws = &moment.workspace;
        shown.pins = Some(pins);
        shown.pinned_of = ws.incidents.iter().map(|i| i.pinned.len()).collect();
        shown.loose_pins = ws.loose_pins.len();
        shown.latest_pin_ms = all_pins(ws).map(|p| p.at_ms).max();
    }
    let none = SqlMoment::default();
    for db in &mut app.console.dbs {
        let sql = moment.sql.get(&db.name).unwrap_or(&none);
        // A running statement's clock starts at the moment shown: it moves at every entry.
        db.running = sql.running.then(|| Running {
            run: 0,
            started_ms: timeline.time_at(moment.position),
            editor_offset: None,
            step: sql.step.clone(),
            expected_rows: None,
            journaling: false,
        });
        if !first && shown.sql.get(&db.name).unwrap_or(&none) == sql {
            continue;
        }
        shown.sql.insert(db.name.clone(), sql.clone());
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
        db.message = message(sql);
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

/// Every pinned line of `workspace`: each incident's, then the loose ones.
fn all_pins(workspace: &Workspace) -> impl Iterator<Item = &PinnedLine> {
    workspace
        .incidents
        .iter()
        .flat_map(|i| i.pinned.iter())
        .chain(workspace.loose_pins.iter())
}

/// The Logs pane holds the lines pinned so far: the journal keeps no other log lines.
fn show_pinned(app: &mut App, workspace: &Workspace) {
    let names: Vec<String> = app.hosts.iter().map(|h| h.name.clone()).collect();
    app.logs = LogStore::new(LOG_CAPACITY, names.iter().map(String::as_str));
    let mut pinned: Vec<&PinnedLine> = all_pins(workspace).collect();
    pinned.sort_by_key(|p| p.at_ms);
    push_pinned(app, pinned);
}

/// Adds to the Logs pane the lines pinned since it was last given them, when that leaves it
/// as [`show_pinned`] would fill it: the pane only gained lines, all later than those it holds
/// (refilling it at each pin costs every pin so far, the highlight matched against each).
/// False when it cannot (a jump back, or a pin as old as one shown): then refill it.
fn add_pinned(app: &mut App, workspace: &Workspace, shown: &Shown) -> bool {
    if shown.pins.is_none()
        || shown.pinned_of.len() > workspace.incidents.len()
        || shown.loose_pins > workspace.loose_pins.len()
    {
        return false;
    }
    let mut added = Vec::new();
    for (n, incident) in workspace.incidents.iter().enumerate() {
        let before = shown.pinned_of.get(n).copied().unwrap_or(0);
        match incident.pinned.get(before..) {
            Some(new) => added.extend(new),
            None => return false,
        }
    }
    added.extend(
        workspace
            .loose_pins
            .get(shown.loose_pins..)
            .unwrap_or_default(),
    );
    if let Some(latest) = shown.latest_pin_ms
        && added.iter().any(|p| p.at_ms <= latest)
    {
        return false;
    }
    added.sort_by_key(|p| p.at_ms);
    push_pinned(app, added);
    true
}

/// Pushes pinned lines into the Logs pane, highlighted as the highlight pattern says.
fn push_pinned(app: &mut App, pinned: Vec<&PinnedLine>) {
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
