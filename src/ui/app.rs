//! The application state. `update` turns actions into state changes and commands; drawing only
//! reads it. Incident state changes only when the journal confirms an entry.

use crate::core::diagnose::diagnose_command;
use crate::core::health::{HealthTracker, HostState, Hysteresis};
use crate::core::incident::{Incident, Workspace};
use crate::core::inventory::Inventory;
use crate::core::journal::{Entry, Record, StepSnapshot};
use crate::core::metrics::{PressureTracker, Thresholds};
use crate::core::operator::Operator;
use crate::core::playbook::Playbook;
use crate::core::redact::Redactor;
use crate::core::role::Role;
use crate::core::severity::Severity;
use crate::io::fleet::FleetEvent;
use crate::io::probe::verdict;
use crate::io::tail::TailEvent;
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::ui::console::Console;
use crate::ui::event::Event;
use crate::ui::hostrow::HostRow;
use crate::ui::keymap::Keymap;
use crate::ui::logs::{LogStore, LogView};
use crate::ui::overlay::{LineInput, Overlay, PromptKind};
use crate::ui::pane::Pane;
use crate::ui::theme::Theme;
use crossterm::event::KeyEvent;
use regex::Regex;
use std::collections::VecDeque;

mod access;
mod adhoc;
mod clock;
mod dialogs;
mod incident_form;
pub use clock::MILESTONE_STANDIN_DELAY;
mod logs;
mod mouse;
mod notify;
mod palette;
mod paste;
mod picker;
mod roles;
mod shared;
mod shell;
mod sql;
mod steps;
mod team;

pub use shared::{SharedView, joined_workspace};

use sql::GridMove;

pub use crate::ui::console::SqlRequest;
pub use access::AccessQuestions;
pub use adhoc::AdhocRunner;
pub use paste::{FIRST_LINE_ONLY, PASTE_IGNORED};
pub use shell::OpenedShell;
pub use sql::expectation_text;
pub use steps::{StepOutput, StepRunner};
pub use team::Team;

/// Lines kept per host in the Logs pane; older ones are dropped and counted.
pub const LOG_CAPACITY: usize = 5_000;

/// How long a status-line message shows, in ms.
const FLASH_MS: i64 = 6_000;

/// How long the answer to a key stays in front of a notice that comes by itself, in ms: long
/// enough to be read, after which the notice has the line to itself.
pub const ANSWER_HOLD_MS: i64 = 3_000;

/// Whether cockpit watches a real fleet or the simulated one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// The operator's inventory.
    Live,
    /// `cockpit demo`: the simulated fleet, faults can be injected.
    Demo,
    /// `cockpit replay`: a journal played back, read-only.
    Replay,
}

/// A short message in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    /// The text.
    pub text: String,
    /// Shown as an error.
    pub error: bool,
    /// Shown until (unix ms).
    pub until_ms: i64,
    /// The answer to the operator's own key (text, error), when this message is one: a notice
    /// that comes by itself within [`ANSWER_HOLD_MS`] goes after it instead of wiping it.
    pub answer: Option<(String, bool)>,
    /// When it was first shown (unix ms).
    pub since_ms: i64,
}

impl Flash {
    /// A message that answers what the operator just did, shown for `for_ms` from `now_ms`.
    pub fn answer(text: String, error: bool, now_ms: i64, for_ms: i64) -> Self {
        Self {
            answer: Some((text.clone(), error)),
            text,
            error,
            until_ms: now_ms + for_ms,
            since_ms: now_ms,
        }
    }
}

/// The whole UI state.
pub struct App {
    /// Live or demo.
    pub mode: RunMode,
    /// Who is at the keyboard.
    pub operator: Operator,
    /// What they may do (commander unless set: one person on a local journal).
    pub role: Role,
    /// The status line names the role (on a shared journal, or when not commander).
    pub show_role: bool,
    /// The fleet.
    pub inventory: Inventory,
    /// Playbooks available.
    pub playbooks: Vec<Playbook>,
    /// The journal, folded.
    pub workspace: Workspace,
    /// The incident in front of the operator (live and demo): chosen explicitly, since several
    /// can be open at once (none chosen yet: the latest open one). Replay shows the latest
    /// incident instead.
    pub active: Option<String>,
    /// The shared journal's team: claims, presence (inactive when the journal is local).
    pub team: Team,
    /// Host grid rows, in inventory order.
    pub hosts: Vec<HostRow>,
    /// Recent log lines, per host.
    pub logs: LogStore,
    /// What the Logs pane shows: hosts, follow or paused, search.
    pub log_view: LogView,
    /// Focused pane.
    pub focus: Pane,
    /// The focused pane fills the screen.
    pub zoomed: bool,
    /// Dialog shown over the panes.
    pub overlay: Option<Overlay>,
    /// Selected host row.
    pub host_cursor: usize,
    /// Selected step.
    pub step_cursor: usize,
    /// Host rows scrolled past at the top of the Hosts pane (kept so the selection stays in
    /// view, by the update path: drawing never changes it).
    pub host_scroll: usize,
    /// Steps scrolled past at the top of the checklist (as `host_scroll`).
    pub step_scroll: usize,
    /// Journal writes not yet confirmed.
    pub pending_writes: usize,
    /// Status line message.
    pub flash: Option<Flash>,
    /// Now, unix ms (set by the runtime, or by tests).
    pub now_ms: i64,
    /// Key table.
    pub keymap: Keymap,
    /// The mouse is captured (`[settings] mouse`, on unless the inventory turns it off).
    pub mouse: bool,
    /// The terminal's size, as the runtime last saw it: the mouse is hit-tested against the
    /// layout drawn for it.
    pub screen: ratatui::layout::Rect,
    /// Colours.
    pub theme: Theme,
    /// Log lines matching this are highlighted.
    pub highlight: Option<Regex>,
    /// Drill hosts and their faults (demo only).
    /// The drill's own view: on a resumed demo the journal may remember a fault the fresh fleet
    /// does not have, so this is refreshed from the drill after every change, not from the journal.
    pub drill_hosts: Vec<(String, Option<String>)>,
    /// Where the journal is, for the status line and exit message.
    pub journal_label: String,
    /// The shared journal, when the cockpit works on one.
    pub shared: Option<SharedView>,
    /// The session started from the journal's resume point and the writer has not verified
    /// the entries before it yet: keys that act on the incident wait, and no milestone is
    /// journaled, so nothing is recorded against a state the journal may not confirm.
    pub journal_unconfirmed: bool,
    /// Why the journal was refused after the session started (its chain broken before the
    /// entry the session resumed from): the session ends, and cockpit exits with it.
    pub journal_refused: Option<String>,
    /// Incidents resolved in this session, each with the hash of its resolve entry (the
    /// journal head at that moment), for the exit message.
    pub resolved_heads: Vec<(String, String)>,
    /// Whether the status line said once that the journal head could not be signed.
    pub unsigned_said: bool,
    /// Rows the last drawn log view could show (for paging).
    pub page_rows: usize,
    /// Masks secrets in everything drawn from files or hosts.
    pub redactor: Redactor,
    /// Host keys and passphrases the fleet waits on.
    pub access: AccessQuestions,
    /// The step running now, variables, and each step's latest output.
    pub steps: StepRunner,
    /// The off-script command running now, and the latest one's output.
    pub adhoc: AdhocRunner,
    /// The interactive shell being opened or running, if any.
    pub shell: Option<OpenedShell>,
    /// The SQL console: an editor, a transaction and a result per database.
    pub console: Console,
    /// Notification attempts under way.
    notify: notify::NotifyState,
    /// Clock milestones journaled this session but maybe not confirmed yet, per incident.
    milestones_sent: Vec<(String, crate::core::run::Milestone)>,
    /// Keys pressed (and text pasted) while a journal write they depend on was unanswered,
    /// oldest first: they are applied in order once it is answered, against the state it
    /// leaves.
    held_keys: VecDeque<Event>,
}

impl App {
    /// A new app over a folded journal.
    pub fn new(
        mode: RunMode,
        operator: Operator,
        inventory: Inventory,
        playbooks: Vec<Playbook>,
        workspace: Workspace,
        theme: Theme,
        now_ms: i64,
    ) -> Self {
        let hosts = inventory
            .hosts
            .iter()
            .map(|h| HostRow {
                name: h.name.clone(),
                role: h.role.clone(),
                address: h.address.clone(),
                tracker: HealthTracker::new(now_ms),
                outcomes: Vec::new(),
                probed_at_ms: None,
                pressure: PressureTracker::default(),
            })
            .collect();
        let logs = LogStore::new(
            LOG_CAPACITY,
            inventory.hosts.iter().map(|h| h.name.as_str()),
        );
        let highlight = crate::ui::logs::filter::any_of(&inventory.settings.highlight_patterns);
        let console = Console::new(&inventory.databases);
        let active = workspace.open_incident().map(|i| i.id.clone());
        // The cli refuses an invalid `[keys]` table before anything starts (`cockpit check`
        // says the same); the defaults here only stand in for a table never checked.
        let keymap = Keymap::with_remaps(&inventory.keys.remaps).unwrap_or_default();
        let mouse = inventory.keys.mouse;
        let focus = if workspace.open_incident().is_some() {
            Pane::Playbook
        } else {
            Pane::Hosts
        };
        let mut app = Self {
            mode,
            operator,
            role: Role::Commander,
            show_role: false,
            inventory,
            playbooks,
            workspace,
            active,
            team: Team::default(),
            hosts,
            logs,
            log_view: LogView::default(),
            focus,
            zoomed: false,
            overlay: None,
            host_cursor: 0,
            step_cursor: 0,
            host_scroll: 0,
            step_scroll: 0,
            pending_writes: 0,
            flash: None,
            now_ms,
            keymap,
            screen: ratatui::layout::Rect::new(0, 0, 120, 40),
            mouse,
            theme,
            highlight,
            drill_hosts: Vec::new(),
            journal_label: String::new(),
            shared: None,
            resolved_heads: Vec::new(),
            journal_refused: None,
            journal_unconfirmed: false,
            unsigned_said: false,
            page_rows: 10,
            redactor: Redactor::default(),
            access: AccessQuestions::default(),
            steps: StepRunner::default(),
            adhoc: AdhocRunner::default(),
            shell: None,
            console,
            notify: notify::NotifyState::default(),
            milestones_sent: Vec::new(),
            held_keys: VecDeque::new(),
        };
        // The empty SQL editor names the keys that run there (those that type no character).
        let run_keys = app.keymap.editor_run_keys();
        for db in &mut app.console.dbs {
            db.editor.say_run_keys(&run_keys);
        }
        // A resumed incident shows where the procedure stands: its first open step.
        app.step_cursor = app.first_open_step();
        // Several open: the operator says which one is theirs.
        if mode != RunMode::Replay && app.open_incidents().len() > 1 {
            app.open_picker();
        }
        app
    }

    /// The journal writer found the saved resume point wrong: the fold of every entry replaces
    /// the one the session started from (nothing was journaled against it: keys and milestones
    /// waited for the writer's check).
    /// Keys pressed meanwhile were pressed against the wrong state: they are dropped, not
    /// applied to another incident or step.
    fn on_journal_corrected(&mut self, workspace: Workspace) {
        self.workspace = workspace;
        if self.incident().is_none() {
            self.active = self.workspace.open_incident().map(|i| i.id.clone());
        }
        self.step_cursor = self.first_open_step();
        let dropped = std::mem::take(&mut self.held_keys).len();
        let keys = match dropped {
            0 => String::new(),
            n => format!("; {n} key(s) pressed before were not applied"),
        };
        self.announce(
            format!(
                "the journal's saved resume point did not match its entries (was the file \
                 edited?): what is shown now is read from every entry{keys}"
            ),
            true,
        );
    }

    /// Asks for the diagnose bundle of the host at `index` (read-only, runs off the UI task):
    /// its system, each service it declares, its own sections and its logs' errors.
    fn diagnose(&mut self, index: usize) -> Vec<Command> {
        let Some(host) = self.hosts.get(index).map(|h| h.name.clone()) else {
            return Vec::new();
        };
        let Some(declared) = self.inventory.host(&host) else {
            return Vec::new();
        };
        let bundle = diagnose_command(declared, &self.inventory.settings.dangerous_patterns);
        self.flash(
            format!("diagnosing {host}… (read-only; the report opens when it is journaled)"),
            false,
        );
        vec![Command::Diagnose { host, bundle }]
    }

    /// The open incident, if any.
    pub fn incident(&self) -> Option<&Incident> {
        match self.mode {
            // A replay keeps showing the incident it plays after it was resolved.
            RunMode::Replay => self.workspace.incidents.last(),
            // The one chosen, while it is open; before any choice, the latest open one.
            RunMode::Live | RunMode::Demo => match self.active.as_deref() {
                Some(id) => self
                    .workspace
                    .incidents
                    .iter()
                    .rev()
                    .find(|i| i.id == id && i.is_open()),
                None => self.workspace.open_incident(),
            },
        }
    }

    /// A playbook by id.
    pub fn playbook(&self, id: &str) -> Option<&Playbook> {
        self.playbooks.iter().find(|p| p.id == id)
    }

    /// Playbooks whose trigger matches the grid now, with the reason.
    pub fn suggestions(&self) -> Vec<(usize, String)> {
        let fleet = self.host_signals();
        self.playbooks
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let firing = crate::core::run::fires(p.trigger.as_ref()?, &fleet)?;
                Some((i, firing.reason))
            })
            .collect()
    }

    /// What the grid knows of each host, as triggers read it.
    pub fn host_signals(&self) -> Vec<crate::core::run::HostSignals> {
        self.hosts.iter().map(HostRow::signals).collect()
    }

    /// How the status line and hints name the key of `action` (its first key), from the
    /// effective key table; `[keys] name` when the operator left it without one.
    pub fn key(&self, action: Action) -> String {
        self.keymap
            .label_of(action)
            .unwrap_or_else(|| format!("[keys] {}", action.name()))
    }

    /// How dialog hints name the key of a dialog action (its first key in the dialogs'
    /// scope); `[keys] name` when the operator left it without one.
    pub fn dialog_key(&self, action: Action) -> String {
        self.keymap
            .key_for(crate::ui::keymap::Scope::Dialog, action)
            .unwrap_or_else(|| format!("[keys] {}", action.name()))
    }

    /// Says there is no open incident, and the key that opens one.
    pub(crate) fn say_no_incident(&mut self) {
        let open = self.key(Action::OpenIncident);
        self.flash(format!("no open incident: press {open} to open one"), true);
    }

    /// Shows an error in the status line for a few seconds.
    pub fn show_error(&mut self, text: impl Into<String>) {
        self.flash(text, true);
    }

    /// Shows the answer to what the operator just did (replacing whatever showed).
    fn flash(&mut self, text: impl Into<String>, error: bool) {
        self.flash = Some(Flash::answer(text.into(), error, self.now_ms, FLASH_MS));
    }

    /// Shows a notice nobody asked for (a milestone passed, a teammate's change, a warning of
    /// the journal's). An answer to the operator's key shown less than [`ANSWER_HOLD_MS`] ago
    /// stays in front of it: a notice arriving in the same second must not wipe the answer
    /// before it can be read. A newer notice replaces an older one.
    pub(crate) fn announce(&mut self, text: impl Into<String>, error: bool) {
        let text = text.into();
        let now = self.now_ms;
        let held = self
            .flash
            .take()
            .filter(|f| f.until_ms > now && now - f.since_ms < ANSWER_HOLD_MS)
            .and_then(|f| f.answer.map(|answer| (answer, f.since_ms)));
        self.flash = Some(match held {
            Some(((said, said_error), since_ms)) => Flash {
                text: format!("{said} · {text}"),
                error: said_error || error,
                until_ms: now + FLASH_MS,
                answer: Some((said, said_error)),
                since_ms,
            },
            None => Flash {
                text,
                error,
                until_ms: now + FLASH_MS,
                answer: None,
                since_ms: now,
            },
        });
    }

    /// Handles one event; returns the work it asks for.
    pub fn on_event(&mut self, event: Event) -> Vec<Command> {
        // Ctrl-C is the way out even when the journal does not answer: it never waits, and
        // what waited before it is dropped (said so).
        let escape = matches!(&event, Event::Key(key) if crate::ui::keymap::is_escape_hatch(key));
        if escape && !self.held_keys.is_empty() {
            let dropped = std::mem::take(&mut self.held_keys).len();
            self.flash(
                format!("{dropped} key(s) waiting for the journal were not applied"),
                true,
            );
        }
        let mut commands = match event {
            Event::Key(_) | Event::Paste(_) | Event::Mouse(_)
                if !escape && self.must_hold(&event) =>
            {
                self.held_keys.push_back(event);
                Vec::new()
            }
            event => self.dispatch(event),
        };
        commands.extend(self.release_held_keys());
        commands.extend(self.release_finished_claim());
        self.ask_next_access_question();
        self.keep_rows_in_view();
        commands
    }

    /// Keys pressed and not applied yet (waiting for a journal answer).
    pub fn held_keys(&self) -> usize {
        self.held_keys.len()
    }

    /// A key waits while a journal write it may depend on is unanswered (a step ticked, a run's
    /// record, an incident opened): applied now it would act on the state before that write —
    /// `r` on the step just ticked instead of the next one, or refused because the previous
    /// step still looks running. Keys typed into an open dialog or the SQL editor only edit
    /// that text and go through at once; once one key waits, every later one waits behind it,
    /// so their order is kept. The palette's Enter runs an action as its key would: it waits
    /// as that key would.
    fn must_hold(&self, event: &Event) -> bool {
        if !self.held_keys.is_empty() {
            return true;
        }
        let palette_runs = matches!(
            (&self.overlay, event),
            (Some(Overlay::Palette(_)), Event::Key(key))
                if self.keymap.dialog_action(key, true) == Some(Action::Confirm)
        );
        let typing = (self.overlay.is_some() && !palette_runs)
            || (self.focus == Pane::Sql && self.console.editing);
        (self.writes_hold_keys() || self.journal_unconfirmed) && !typing
    }

    /// Applies waiting keys, oldest first, until one of them sends a write keys must wait for.
    fn release_held_keys(&mut self) -> Vec<Command> {
        let mut commands = Vec::new();
        while !self.writes_hold_keys() && !self.journal_unconfirmed {
            let Some(event) = self.held_keys.pop_front() else {
                break;
            };
            commands.extend(self.dispatch(event));
        }
        commands
    }

    fn dispatch(&mut self, event: Event) -> Vec<Command> {
        match event {
            Event::Key(key) => self.on_key(key),
            Event::Mouse(action) => self.update(action),
            Event::Paste(text) => self.on_paste(&text),
            Event::Diagnosed { host, result } => {
                let report = match result {
                    Ok(text) => trim_report(text),
                    Err(reason) => {
                        self.show_error(format!("diagnose of {host} failed: {reason}"));
                        format!("(the diagnose bundle did not run: {reason})")
                    }
                };
                let incident = self.incident().map(|i| i.id.clone());
                vec![self.journal(Record::HostDiagnosed {
                    incident,
                    host,
                    report,
                })]
            }
            Event::Resize => Vec::new(),
            Event::Tick => {
                if self
                    .flash
                    .as_ref()
                    .is_some_and(|f| f.until_ms <= self.now_ms)
                {
                    self.flash = None;
                }
                let mut commands = self.journal_due_milestones();
                commands.extend(self.send_due_notices());
                commands.extend(self.roll_back_stale_transactions());
                commands.extend(self.renew_claim());
                commands
            }
            Event::Fleet(fleet) => self.on_fleet(fleet),
            // The writer journals head signatures on its own: no request of the app waits.
            Event::Journaled(entry) if entry.record.is_signature() => {
                self.note_own_entry(&entry);
                self.on_signature(&entry);
                Vec::new()
            }
            Event::Journaled(entry) => {
                self.note_own_entry(&entry);
                let mut commands = self.queue_notices(&entry);
                self.on_journaled(&entry);
                self.on_attempt_journaled(&entry.record);
                if let Record::DrillClockAdvanced { minutes, .. } = entry.record {
                    self.flash(format!("drill: clock moved {minutes} min ahead"), false);
                    self.now_ms = self.now_ms.saturating_add(i64::from(minutes) * 60_000);
                    commands.push(Command::SetDrillClock {
                        offset_ms: self.workspace.drill_clock_ms,
                    });
                }
                commands.extend(self.on_journal_answer(true));
                commands.extend(self.send_due_notices());
                commands
            }
            Event::Notified {
                id,
                attempt,
                result,
            } => self.on_notified(id, attempt, result),
            Event::JournalBroken(reason) => {
                self.journal_refused = Some(reason.clone());
                vec![Command::Quit(format!("journal refused: {reason}"))]
            }
            Event::JournalConfirmed(corrected) => {
                self.journal_unconfirmed = false;
                if let Some(workspace) = corrected {
                    self.on_journal_corrected(*workspace);
                }
                Vec::new()
            }
            Event::JournalFailed(reason) => {
                self.pending_writes = self.pending_writes.saturating_sub(1);
                self.flash(
                    format!("journal write failed, action not recorded: {reason}"),
                    true,
                );
                self.on_journal_answer(false)
            }
            Event::StepProgress { text, .. } => {
                self.on_step_progress(&text);
                Vec::new()
            }
            Event::StepExecuted { host, result } => self.on_step_executed(host, result),
            Event::AdhocProgress { host, text } => {
                self.on_adhoc_progress(&host, &text);
                Vec::new()
            }
            Event::AdhocExecuted { host, result } => self.on_adhoc_executed(host, result),
            Event::Shell(report) => self.on_shell_report(report),
            Event::SqlRows {
                database,
                run,
                batch,
            } => {
                self.on_sql_rows(&database, run, batch);
                Vec::new()
            }
            Event::SqlDone {
                database,
                run,
                result,
            } => self.on_sql_done(database, run, result),
            Event::SqlFinished {
                database,
                committed,
                result,
            } => self.on_sql_finished(database, committed, result),
            Event::HostKeyTrusted {
                host,
                offer,
                result,
            } => self.on_host_key_trusted(host, offer, result),
            Event::CsvExported {
                path,
                complete,
                result,
            } => {
                self.on_csv_exported(&path, complete, result);
                Vec::new()
            }
            Event::Claimed {
                incident,
                step,
                result,
            } => self.on_claimed(incident, step, result),
            Event::ClaimRenewed { step, result, .. } => {
                self.on_claim_renewed(&step, result);
                Vec::new()
            }
            Event::Presence(present) => {
                self.on_presence(present);
                Vec::new()
            }
            Event::Shared(report) => {
                self.on_shared(report);
                Vec::new()
            }
            Event::Shutdown(reason) => {
                let mut commands = self.end_adhoc_on_quit();
                commands.push(Command::Quit(reason));
                commands
            }
        }
    }

    /// A journal request, counted until it is confirmed.
    fn journal(&mut self, record: Record) -> Command {
        self.journal_request_for(&record);
        Command::Journal(record)
    }

    /// Keeps the hash of an entry resolving an incident: the head to put in the post-mortem.
    pub fn keep_resolve_head(&mut self, entry: &Entry) {
        if let Record::IncidentResolved { incident, .. } = &entry.record {
            self.resolved_heads
                .push((incident.clone(), entry.hash.clone()));
        }
    }

    /// A head signature (or the fact there is none) is on the record; the status line says
    /// once per session that heads go unsigned, and why.
    fn on_signature(&mut self, entry: &Entry) {
        self.workspace.apply(entry);
        if let Record::HeadNotSigned { reason, .. } = &entry.record
            && !self.unsigned_said
        {
            self.unsigned_said = true;
            // The resolve's message (with the head to note down) stays, the warning after it.
            self.announce(format!("journal head not signed: {reason}"), true);
        }
    }

    fn on_journaled(&mut self, entry: &Entry) {
        self.pending_writes = self.pending_writes.saturating_sub(1);
        self.keep_resolve_head(entry);
        let had_incident = self.incident().map(|i| i.id.clone());
        self.workspace.apply(entry);
        self.follow_ended_step(&entry.record);
        match &entry.record {
            Record::IncidentOpened { incident, .. }
                if had_incident.is_some() && entry.actor != self.operator.to_string() =>
            {
                // Someone else's: the operator stays on theirs.
                let text = format!(
                    "{} opened incident {incident}: {} switches to it",
                    entry.actor,
                    self.key(Action::PickIncident)
                );
                self.announce(text, false);
            }
            Record::IncidentOpened { incident, .. } => {
                // Opened here (or the first one open): it is the one in front of the operator.
                let before = had_incident.clone().filter(|id| id != incident);
                self.active = Some(incident.clone());
                self.step_cursor = 0;
                self.focus = Pane::Playbook;
                let pick = self.key(Action::PickIncident);
                let also = before
                    .map(|id| format!(" ({id} is still open: {pick} switches)"))
                    .unwrap_or_default();
                self.flash(format!("incident {incident} opened{also}"), false);
            }
            Record::IncidentResolved { incident, .. } => {
                let short = entry.hash.get(..16).unwrap_or(&entry.hash);
                let others = self.open_incidents().len();
                let also = match others {
                    0 => String::new(),
                    1 => format!(
                        " · 1 other incident open: {} picks it",
                        self.key(Action::PickIncident)
                    ),
                    n => format!(
                        " · {n} other incidents open: {} picks one",
                        self.key(Action::PickIncident)
                    ),
                };
                self.flash(
                    format!(
                        "incident {incident} resolved; journal head {short}… (printed in full on exit){also}"
                    ),
                    false,
                );
            }
            Record::FaultInjected { host, fault } => {
                self.flash(format!("drill: {fault} on {host}"), false)
            }
            Record::FaultCleared { host } => self.flash(format!("drill: {host} restored"), false),
            Record::HostDiagnosed { host, report, .. } => {
                self.overlay = Some(Overlay::Report {
                    title: format!("Diagnose {host} (journaled)"),
                    text: report.clone(),
                    scroll: 0,
                });
            }
            Record::LogPinned { incident, host, .. } => {
                let place = incident
                    .as_ref()
                    .map_or("the journal".to_string(), |i| format!("incident {i}"));
                self.flash(format!("pinned a line of {host} to {place}"), false)
            }
            _ => {}
        }
        if had_incident.is_some() && self.incident().is_none() {
            self.step_cursor = 0;
        }
    }

    fn on_fleet(&mut self, event: FleetEvent) -> Vec<Command> {
        match event {
            FleetEvent::Probed { host, report } => {
                let settings = &self.inventory.settings;
                let rules = Hysteresis {
                    down_after: settings.down_after,
                    up_after: settings.up_after,
                };
                let thresholds = Thresholds {
                    warn: settings.warn_percent,
                    critical: settings.critical_percent,
                };
                let now = self.now_ms;
                let Some(row) = self.hosts.iter_mut().find(|r| r.name == host) else {
                    return Vec::new();
                };
                let transition = row.tracker.observe(&verdict(&report.outcomes), rules, now);
                let pressure = report.metrics.as_ref().and_then(|reading| {
                    row.pressure
                        .observe(reading.as_ref().map_err(String::as_str), thresholds)
                });
                let summary = row
                    .pressure
                    .current
                    .as_ref()
                    .map(|a| a.summary.clone())
                    .unwrap_or_default();
                row.outcomes = report.outcomes;
                row.probed_at_ms = Some(now);
                let incident = self.incident().map(|i| i.id.clone());
                let mut commands = self.answer_checks(&host);
                if incident.is_none() {
                    return commands;
                }
                if let Some(t) = transition {
                    commands.push(self.journal(Record::HostStateChanged {
                        incident: incident.clone(),
                        host: host.clone(),
                        from: t.from,
                        to: t.to,
                        cause: t.cause,
                    }));
                }
                if let Some((from, to)) = pressure {
                    commands.push(self.journal(Record::HostPressureChanged {
                        incident,
                        host,
                        from,
                        to,
                        summary,
                    }));
                }
                commands
            }
            FleetEvent::Tail(TailEvent::Lines { host, lines, .. }) => {
                self.push_lines(&host, &lines);
                Vec::new()
            }
            FleetEvent::Tail(TailEvent::Ended { host, file, reason }) => {
                self.push_log(host.to_string(), format!("── {file}: {reason} ──"), true);
                Vec::new()
            }
            FleetEvent::HostKeyUnknown { host, offer } => {
                self.on_unknown_host_key(host, offer);
                Vec::new()
            }
            FleetEvent::PassphraseNeeded { host, key, wrong } => {
                self.on_passphrase_needed(host, key, wrong);
                Vec::new()
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Command> {
        if let Some(overlay) = self.overlay.take() {
            return self.on_overlay_key(overlay, key);
        }
        if let Some(commands) = self.on_editor_key(key) {
            return commands;
        }
        match self.keymap.action_for(self.focus, &key) {
            Some(action) => self.update(action),
            None => Vec::new(),
        }
    }

    /// Applies an action, if the person's role allows it (else says why and does nothing).
    pub fn update(&mut self, action: Action) -> Vec<Command> {
        if !self.allowed(action) {
            return Vec::new();
        }
        self.apply(action)
    }

    fn apply(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::FocusNext => self.focus = self.focus.cycle(1),
            Action::FocusPrev => self.focus = self.focus.cycle(-1),
            Action::FocusHosts => self.focus = Pane::Hosts,
            Action::FocusLogs => self.focus = Pane::Logs,
            Action::FocusPlaybook => self.focus = Pane::Playbook,
            Action::FocusSql => self.focus = Pane::Sql,
            Action::Click { pane, item } => self.click(pane, item),
            Action::Wheel { pane, lines } => self.wheel(pane, lines),
            Action::ToggleZoom => self.zoomed = !self.zoomed,
            Action::ToggleHelp => self.overlay = Some(Overlay::Help),
            Action::OpenPalette => self.overlay = Some(Overlay::Palette(Default::default())),
            Action::SwitchTheme => self.switch_theme(None),
            Action::Quit => {
                if self.incident().is_some() || !self.console.open_transactions().is_empty() {
                    self.overlay = Some(Overlay::ConfirmQuit);
                } else {
                    let mut commands = self.end_adhoc_on_quit();
                    commands.push(Command::Quit("operator quit".into()));
                    return commands;
                }
            }
            Action::OpenIncident => self.start_open_incident(),
            Action::PickIncident => self.open_picker(),
            Action::ResolveIncident => self.with_incident(|app| {
                app.overlay = Some(Overlay::Prompt(
                    PromptKind::ResolveSummary,
                    LineInput::default(),
                ))
            }),
            Action::AddNote => self.with_incident(|app| {
                app.overlay = Some(Overlay::Prompt(PromptKind::Note, LineInput::default()))
            }),
            Action::AdvanceDrillClock if self.mode != RunMode::Demo => self.flash(
                "the clock moves ahead only in a drill (cockpit demo): a real incident runs on the wall clock",
                true,
            ),
            Action::AdvanceDrillClock => self.with_incident(|app| {
                app.overlay = Some(Overlay::Prompt(PromptKind::AdvanceClock, LineInput::default()))
            }),
            Action::BroadcastNote => self.with_incident(|app| {
                app.overlay = Some(Overlay::Prompt(PromptKind::Broadcast, LineInput::default()))
            }),
            Action::ChangeSeverity => self.with_incident(|app| {
                let current = app.incident().map_or(0, |i| {
                    Severity::ALL
                        .iter()
                        .position(|s| *s == i.severity)
                        .unwrap_or(0)
                });
                app.overlay = Some(Overlay::SeverityPicker(current));
            }),
            Action::InjectFault => {
                if self.drill_hosts.is_empty() {
                    self.flash("fault injection is only available in `cockpit demo`", true);
                } else {
                    self.overlay = Some(Overlay::FaultPicker(0));
                }
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => self.move_cursor(action),
            Action::Select => {
                if self.focus == Pane::Hosts && !self.hosts.is_empty() {
                    self.overlay = Some(Overlay::HostDetail(self.host_cursor));
                }
            }
            Action::Diagnose => return self.diagnose(self.host_cursor),
            Action::AnswerAccess => self.answer_access(),
            Action::AdhocCommand => self.open_adhoc_prompt(),
            Action::OpenShell => return self.open_shell(),
            Action::RunStep => return self.run_selected_step(),
            Action::AnnotateStep => {
                if let Some(step) = self.selected_step().map(|s| s.id.clone()) {
                    self.overlay = Some(Overlay::Prompt(
                        PromptKind::Annotation(step),
                        LineInput::default(),
                    ));
                }
            }
            Action::TickStep => return self.tick_step(),
            Action::ReopenStep => return self.reopen_step(),
            Action::RunNextStep => return self.run_next_step(),
            Action::SkipStep => {
                if let Some(step) = self.selected_step().map(|s| s.id.clone()) {
                    self.overlay = Some(Overlay::Prompt(
                        PromptKind::SkipReason(step),
                        LineInput::default(),
                    ));
                }
            }
            Action::ToggleFollow
            | Action::CycleLogHosts
            | Action::FilterInclude
            | Action::FilterExclude
            | Action::SearchLogs
            | Action::SearchNewer
            | Action::SearchOlder
            | Action::PinLine => return self.update_logs(action),
            Action::EditSql => {
                if self.console.dbs.is_empty() {
                    self.flash("no databases in the inventory", true);
                } else {
                    self.focus = Pane::Sql;
                    self.console.editing = true;
                }
            }
            Action::RunSql => return self.run_console_statement(),
            Action::CancelSql => return self.cancel_sql(),
            Action::DecideSql => self.decide_sql(),
            Action::NextDatabase => {
                let count = self.console.dbs.len().max(1);
                self.console.selected = (self.console.selected + 1) % count;
            }
            Action::ExportCsv => self.ask_export_csv(),
            Action::SqlHistory => self.open_sql_history(),
            Action::ScrollLeft => self.scroll_grid(GridMove::Columns(-1)),
            Action::ScrollRight => self.scroll_grid(GridMove::Columns(1)),
            // Keys of dialogs, the SQL editor and the replay: their own handlers act on them.
            Action::Confirm
            | Action::Cancel
            | Action::Close
            | Action::AnswerYes
            | Action::AnswerNo
            | Action::Commit
            | Action::RollBack
            | Action::PreviousChoice
            | Action::NextChoice
            | Action::NextField
            | Action::PreviousField
            | Action::LeaveEditor
            | Action::PlayPause
            | Action::Faster
            | Action::Slower
            | Action::SkipIdle
            | Action::NextEntry
            | Action::PreviousEntry
            | Action::NextMarker
            | Action::PreviousMarker
            | Action::ToStart
            | Action::ToEnd
            | Action::SearchJournal
            | Action::SearchNext
            | Action::SearchPrevious
            | Action::JumpToTime
            | Action::JumpToStep => {}
        }
        Vec::new()
    }

    fn with_incident(&mut self, f: impl FnOnce(&mut Self)) {
        if self.incident().is_some() {
            f(self);
        } else {
            self.say_no_incident();
        }
    }

    /// The selected step of the open incident.
    pub fn selected_step(&self) -> Option<&StepSnapshot> {
        self.incident()?.steps.get(self.step_cursor)
    }

    fn move_cursor(&mut self, action: Action) {
        self.move_in(self.focus, action);
    }

    /// Moves the selection of `pane` (focused or not: the wheel scrolls the pane under the
    /// pointer).
    fn move_in(&mut self, pane: Pane, action: Action) {
        let page = self.page_rows.max(1);
        let delta: isize = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -(page as isize),
            Action::PageDown => page as isize,
            Action::Top => isize::MIN / 2,
            _ => isize::MAX / 2,
        };
        let moved = |cur: usize, len: usize| {
            (cur as isize + delta).clamp(0, len.saturating_sub(1) as isize) as usize
        };
        match pane {
            Pane::Hosts => self.host_cursor = moved(self.host_cursor, self.hosts.len()),
            Pane::Playbook => {
                let len = self.incident().map_or(0, |i| i.steps.len());
                self.step_cursor = moved(self.step_cursor, len);
            }
            Pane::Logs => match action {
                Action::Top => self.log_view.top(&self.logs),
                Action::Bottom => self.log_view.follow(),
                _ => self.log_view.move_by(&self.logs, delta),
            },
            Pane::Sql => match action {
                Action::Top => self.scroll_grid(GridMove::First),
                Action::Bottom => self.scroll_grid(GridMove::Last),
                _ => self.scroll_grid(GridMove::Rows(delta as i64)),
            },
        }
    }

    /// Hosts currently in a given state (for the status line).
    pub fn count_in(&self, state: HostState) -> usize {
        self.hosts
            .iter()
            .filter(|h| h.tracker.state == state)
            .count()
    }
}

/// Longest diagnose report kept in the journal, in bytes.
pub const MAX_REPORT: usize = 32 * 1024;

/// Cuts a report to [`MAX_REPORT`] bytes (on a character boundary), saying so.
fn trim_report(mut text: String) -> String {
    if text.len() > MAX_REPORT {
        let mut cut = MAX_REPORT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let dropped = text.len() - cut;
        text.truncate(cut);
        text.push_str(&format!("\n… ({dropped} more bytes not kept)"));
    }
    text
}
