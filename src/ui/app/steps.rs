//! Running playbook steps from the Playbook pane. The core plans and judges (`core::run`); this
//! carries out its effects in order — a journal record is confirmed before anything after it
//! happens, so nothing runs that the journal does not know about — and feeds the outcomes back.

use super::App;
use crate::core::health::{CheckFailure, HostState};
use crate::core::incident::StepStatus;
use crate::core::journal::Record;
use crate::core::metrics::Level;
use crate::core::playbook::Step;
use crate::core::run::targets::incident_host;
use crate::core::run::{
    Effect, ExecResult, FleetPicture, Outcome, Plan, Provenance, Refusal, SqlResult, StepRun,
    VariableStore, Verdict,
};
use crate::core::sql::RefusingSetting;
use crate::io::ssh::ExecOutput;
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::ui::hostrow::HostRow;
use crate::ui::overlay::{ConfirmStep, LineInput, Overlay, PromptKind};
use std::collections::{BTreeMap, VecDeque};

/// Output lines kept per step for the pane.
const OUTPUT_LINES: usize = 400;

/// What the Playbook pane needs to know about running steps.
#[derive(Debug, Default)]
pub struct StepRunner {
    /// The open incident's variables: (incident id, store), built when a step first runs.
    store: Option<(String, VariableStore)>,
    /// The run in progress.
    active: Option<ActiveRun>,
    /// Journal writes not confirmed yet, oldest first, and who waits on each.
    journal_waiters: VecDeque<PendingWrite>,
    /// Output of each step's latest run, for the pane.
    output: BTreeMap<String, StepOutput>,
}

/// A journal write not confirmed yet.
#[derive(Debug)]
struct PendingWrite {
    /// Who goes on once it is answered.
    waiter: JournalWaiter,
    /// It changes what the operator's keys act on (the incident, its steps, the selection):
    /// keys wait for its answer instead of acting on the state before it.
    holds_keys: bool,
}

/// Who waits for a journal write to be confirmed.
#[derive(Debug)]
enum JournalWaiter {
    /// Nobody: the entry only updates the state when it comes back.
    Nobody,
    /// The active step run: its next effect.
    ActiveRun,
    /// The running off-script command: its next effect.
    Adhoc,
    /// The interactive shell: it opens once its `shell_started` is stored.
    Shell {
        /// The opening (boxed: a command is large, the other waiters are empty).
        command: Box<Command>,
    },
    /// The running shell's record: a shell the journal cannot record is stopped.
    ShellRecord,
    /// The SQL console: this command goes out once the record is stored.
    Console {
        /// The database.
        database: String,
        /// What to send (boxed: a command is large, the other waiters are empty).
        command: Box<Command>,
    },
}

/// A step run being carried out.
#[derive(Debug)]
struct ActiveRun {
    run: StepRun,
    /// Effects not carried out yet.
    queue: VecDeque<Effect>,
    /// A journal record of this run is on its way to the disk.
    waiting_journal: bool,
    /// Hosts whose next probe (after this time, unix ms) answers a check effect.
    checks: Vec<(String, i64)>,
}

/// A step's latest output, as lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepOutput {
    /// Complete lines, oldest first (at most [`OUTPUT_LINES`]).
    pub lines: VecDeque<String>,
    /// Lines dropped from the front.
    pub dropped: usize,
    partial: String,
}

impl StepOutput {
    pub(super) fn push(&mut self, text: &str) {
        self.partial.push_str(text);
        while let Some(end) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=end).collect();
            let line = crate::ui::text::printable(line.trim_end_matches(['\n', '\r']));
            self.lines.push_back(line);
            if self.lines.len() > OUTPUT_LINES {
                self.lines.pop_front();
                self.dropped += 1;
            }
        }
    }

    pub(super) fn heading(&mut self, text: String) {
        self.push(&format!("{}\n", text));
    }

    /// Ends the unfinished line, if any.
    pub(super) fn end_line(&mut self) {
        if !self.partial.is_empty() {
            self.push("\n");
        }
    }

    /// Every line, with the unfinished one last.
    pub fn all_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.lines.iter().cloned().collect();
        if !self.partial.is_empty() {
            lines.push(crate::ui::text::printable(&self.partial));
        }
        lines
    }
}

impl StepRunner {
    /// The step running now, if any.
    pub fn running_step(&self) -> Option<&str> {
        self.active.as_ref().map(|a| a.run.step().id.as_str())
    }

    /// Hosts or databases the running step waits on.
    pub fn running_on(&self) -> Vec<String> {
        self.active
            .as_ref()
            .map(|a| a.run.running_on().into_iter().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// The latest output of a step.
    pub fn output(&self, step: &str) -> Option<&StepOutput> {
        self.output.get(step)
    }
}

/// Whether keys wait for the answer to `record`: it changes the incident the Playbook keys act
/// on. What cockpit records by itself (host states, milestones, sessions, console statements)
/// and what changes no step (notes, pins, remarks) lets keys through.
pub fn holds_keys(record: &Record) -> bool {
    matches!(
        record,
        Record::IncidentOpened { .. }
            | Record::IncidentResolved { .. }
            | Record::SeverityChanged { .. }
            | Record::StepCompleted { .. }
            | Record::StepSkipped { .. }
            | Record::StepReopened { .. }
            | Record::StepStarted { .. }
            | Record::StepOutput { .. }
            | Record::StepFinished { .. }
            | Record::VariableSet { .. }
            | Record::ConfirmationGiven { .. }
            | Record::DangerousRefused { .. }
    )
}

impl App {
    /// Counts a journal request sent on behalf of nobody in particular, one keys need not wait
    /// for (the session's start, a drill fault).
    pub fn journal_request_sent(&mut self) {
        self.journal_pending(JournalWaiter::Nobody, false);
    }

    /// Counts a journal request for `record`, sent on behalf of nobody in particular.
    pub(super) fn journal_request_for(&mut self, record: &Record) {
        self.journal_pending(JournalWaiter::Nobody, holds_keys(record));
    }

    fn journal_pending(&mut self, waiter: JournalWaiter, holds_keys: bool) {
        self.pending_writes += 1;
        self.steps
            .journal_waiters
            .push_back(PendingWrite { waiter, holds_keys });
    }

    /// A journal write that changes what keys act on is not answered yet: keys wait.
    pub fn writes_hold_keys(&self) -> bool {
        self.steps.journal_waiters.iter().any(|w| w.holds_keys)
    }

    /// Journals a record of the running off-script command: its next effect waits for the
    /// answer. Keys need not wait: it changes no step.
    pub(super) fn journal_for_adhoc(&mut self, record: Record) -> Command {
        self.journal_pending(JournalWaiter::Adhoc, false);
        Command::Journal(record)
    }

    /// Journals the start of a shell; `open` goes out only once it is stored.
    pub(super) fn journal_then_open_shell(&mut self, record: Record, open: Command) -> Command {
        self.journal_pending(
            JournalWaiter::Shell {
                command: Box::new(open),
            },
            false,
        );
        Command::Journal(record)
    }

    /// Journals a stretch of the running shell: if it is not stored, the shell is stopped.
    pub(super) fn journal_shell_record(&mut self, record: Record) -> Command {
        self.journal_pending(JournalWaiter::ShellRecord, false);
        Command::Journal(record)
    }

    /// Journals `record`; `command` (for `database`) goes out only once it is stored.
    pub(super) fn journal_then(
        &mut self,
        record: Record,
        database: String,
        command: Command,
    ) -> Command {
        self.journal_pending(
            JournalWaiter::Console {
                database,
                command: Box::new(command),
            },
            false,
        );
        Command::Journal(record)
    }

    /// A journal write came back (stored or not): whoever waited on it goes on, or stops.
    pub(super) fn on_journal_answer(&mut self, stored: bool) -> Vec<Command> {
        let waiter = self
            .steps
            .journal_waiters
            .pop_front()
            .map_or(JournalWaiter::Nobody, |w| w.waiter);
        let waited = match waiter {
            JournalWaiter::Nobody => false,
            JournalWaiter::ActiveRun => true,
            JournalWaiter::Adhoc => return self.on_adhoc_journal_answer(stored),
            JournalWaiter::Shell { command } => {
                return self.on_shell_journal_answer(*command, stored);
            }
            JournalWaiter::ShellRecord => return self.on_shell_record_answer(stored),
            JournalWaiter::Console { database, command } => {
                return self.on_console_journal_answer(&database, *command, stored);
            }
        };
        let Some(active) = self.steps.active.as_mut().filter(|_| waited) else {
            return Vec::new();
        };
        active.waiting_journal = false;
        if !stored {
            let step = active.run.step().id.clone();
            self.steps.active = None;
            self.show_error(format!(
                "step `{step}` stopped: the journal could not record it, so nothing more runs"
            ));
            return Vec::new();
        }
        self.pump()
    }

    /// The fleet as the gates see it now.
    pub fn fleet_picture(&self) -> FleetPicture {
        self.hosts
            .iter()
            .map(|h| (h.name.clone(), h.tracker.state))
            .collect()
    }

    /// The playbook step of the open incident by id, "the incident's host" made its host (left
    /// as it is when the incident has none: planning it then says so).
    fn incident_step(&self, id: &str) -> Option<Step> {
        let incident = self.incident()?;
        let step = self
            .playbook(&incident.playbook)?
            .steps
            .iter()
            .find(|s| s.id == id)?;
        Some(
            step.bound_to_incident(incident.host.as_deref())
                .unwrap_or_else(|| step.clone()),
        )
    }

    /// Whether cockpit runs the step (a command, statement or checks) rather than the operator
    /// ticking it.
    pub fn step_runs(&self, step: &str) -> bool {
        use crate::core::playbook::StepAction;
        self.incident_step(step).is_some_and(|s| {
            matches!(
                s.action,
                StepAction::Command { .. }
                    | StepAction::Sql { .. }
                    | StepAction::Check { .. }
                    | StepAction::Verify { target: Some(_) }
            )
        })
    }

    /// Why the open incident's step `step` waits on the fleet (empty when it does not).
    pub fn gate_reasons(&self, step: &str) -> Vec<String> {
        let Some(step) = self.incident_step(step) else {
            return Vec::new();
        };
        self.waits_for(&step)
    }

    /// Why `step` waits: its `when` conditions that do not hold now (empty when none).
    fn waits_for(&self, step: &Step) -> Vec<String> {
        match crate::core::run::evaluate(&step.when, &self.fleet_picture(), &self.inventory) {
            crate::core::run::GateVerdict::Open => Vec::new(),
            crate::core::run::GateVerdict::Waiting(reasons) => reasons,
        }
    }

    /// Says that step `id` waits, and why.
    fn say_waits(&mut self, id: &str, reasons: &[String]) {
        self.flash(format!("step `{id}` waits: {}", reasons.join("; ")), true);
    }

    /// Builds the incident's variable store the first time a step runs (or after a resume),
    /// filling what the incident knows; returns the records of values it set.
    fn ensure_store(&mut self) -> Vec<Command> {
        let Some(incident) = self.incident().cloned() else {
            return Vec::new();
        };
        if self
            .steps
            .store
            .as_ref()
            .is_some_and(|(id, _)| *id == incident.id)
        {
            return Vec::new();
        }
        let Some(playbook) = self.playbook(&incident.playbook).cloned() else {
            return Vec::new();
        };
        let mut store = VariableStore::resume(&playbook.variables, &incident.variables);
        let fleet = self.fleet_picture();
        let mut commands = Vec::new();
        if let Some(host) =
            incident_host(&playbook, incident.host.as_deref(), &fleet, &self.inventory).cloned()
        {
            let (set, _) = store.fill_from_incident(&host);
            for name in set {
                let known = incident
                    .variables
                    .get(&name)
                    .is_some_and(|k| store.get(&name).is_some_and(|v| v.value == k.value));
                if !known && let Some(record) = store.record(&incident.id, &name) {
                    commands.push(self.journal(record));
                }
            }
        }
        self.steps.store = Some((incident.id.clone(), store));
        self.learn_secrets();
        commands
    }

    /// Has the redactor mask every secret variable value known so far, wherever it shows up.
    fn learn_secrets(&mut self) {
        let Some((_, store)) = self.steps.store.as_ref() else {
            return;
        };
        for secret in store.secret_values() {
            self.redactor.add_secret_value(secret);
        }
    }

    /// `r` on a step: plan it and, once the fleet and the operator allow, run it.
    pub(super) fn run_selected_step(&mut self) -> Vec<Command> {
        let Some(incident) = self.incident().map(|i| i.id.clone()) else {
            self.say_no_incident();
            return Vec::new();
        };
        if let Some(running) = self.steps.running_step() {
            self.flash(format!("step `{running}` is still running"), true);
            return Vec::new();
        }
        if let Some(claiming) = self.team.claiming() {
            let text = format!("step `{claiming}` is being claimed: wait for the answer");
            self.flash(text, true);
            return Vec::new();
        }
        let Some(id) = self.selected_step().map(|s| s.id.clone()) else {
            return Vec::new();
        };
        let Some(step) = self.incident_step(&id) else {
            self.flash(
                format!("step `{id}` is not in the playbook any more: tick or skip it"),
                true,
            );
            return Vec::new();
        };
        let mut commands = self.ensure_store();
        commands.extend(self.plan_and_start(&incident, &step));
        commands
    }

    fn plan_and_start(&mut self, incident: &str, step: &Step) -> Vec<Command> {
        // A step that waits on the fleet says so before asking for any of its values: the
        // value may not even exist until the fleet is in that state.
        let reasons = self.waits_for(step);
        if !reasons.is_empty() {
            self.say_waits(&step.id, &reasons);
            return Vec::new();
        }
        let Some((_, store)) = self.steps.store.as_ref() else {
            return Vec::new();
        };
        let plan = match StepRun::plan(step, store, &self.fleet_picture(), &self.inventory) {
            Ok(plan) => plan,
            Err(e) => {
                if let Some(name) = e.unset_variable() {
                    let secret = store.declared(name).is_some_and(|v| v.secret);
                    self.overlay = Some(Overlay::Prompt(
                        PromptKind::Variable {
                            name: name.to_string(),
                            secret,
                            step: step.id.clone(),
                        },
                        LineInput::default(),
                    ));
                    return Vec::new();
                }
                let attempt = self.next_attempt(&step.id);
                self.show_error(format!("step `{}` cannot run: {e}", step.id));
                return vec![self.journal(e.record(incident, &step.id, attempt))];
            }
        };
        match plan.authorize(None) {
            Ok(authorization) => self.start(plan, authorization),
            Err(Refusal::Waiting(reasons)) => {
                self.say_waits(&step.id, &reasons);
                Vec::new()
            }
            Err(_) => {
                self.overlay = Some(Overlay::ConfirmStep(ConfirmStep {
                    plan: Box::new(plan),
                    input: LineInput::default(),
                }));
                Vec::new()
            }
        }
    }

    fn next_attempt(&self, step: &str) -> u32 {
        self.incident().map_or(1, |i| i.next_attempt(step))
    }

    /// A value typed for a variable: store and journal it, then try the step again.
    pub(super) fn on_variable_typed(
        &mut self,
        name: &str,
        value: String,
        step: &str,
    ) -> Vec<Command> {
        let Some(incident) = self.incident().map(|i| i.id.clone()) else {
            return Vec::new();
        };
        let Some((_, store)) = self.steps.store.as_mut() else {
            return Vec::new();
        };
        if let Err(e) = store.set(name, value, Provenance::Prompt) {
            self.show_error(e.to_string());
            return Vec::new();
        }
        let record = store.record(&incident, name);
        self.learn_secrets();
        let mut commands: Vec<Command> = record.into_iter().map(|r| self.journal(r)).collect();
        if let Some(step) = self.incident_step(step) {
            commands.extend(self.plan_and_start(&incident, &step));
        }
        commands
    }

    /// A key of a guard's confirmation (a step's or an off-script command's): a typed guard
    /// takes the name typed, Enter answers and Esc cancels; a yes guard takes its yes key, any
    /// other key cancelling.
    pub(super) fn guard_key(
        &self,
        guard: &crate::core::run::Guard,
        input: &mut LineInput,
        key: &crossterm::event::KeyEvent,
    ) -> GuardKey {
        let typed = matches!(guard, crate::core::run::Guard::Typed { .. });
        GuardKey::Answer(match self.keymap.dialog_action(key, typed) {
            Some(Action::Cancel) => None,
            Some(Action::Confirm) if typed => Some(input.text.clone()),
            Some(Action::AnswerYes) if !typed => Some("yes".to_string()),
            _ if typed => {
                input.edit(key);
                return GuardKey::Typing;
            }
            _ => None,
        })
    }

    /// Keys of the confirmation dialog: typing, Enter answers, Esc cancels (journaled).
    pub(super) fn on_confirm_step_key(
        &mut self,
        mut confirm: ConfirmStep,
        key: crossterm::event::KeyEvent,
    ) -> Vec<Command> {
        let Some(incident) = self.incident().map(|i| i.id.clone()) else {
            return Vec::new();
        };
        let answer = match self.guard_key(&confirm.plan.guard, &mut confirm.input, &key) {
            GuardKey::Answer(answer) => answer,
            GuardKey::Typing => {
                self.overlay = Some(Overlay::ConfirmStep(confirm));
                return Vec::new();
            }
        };
        let plan = *confirm.plan;
        match plan.authorize(answer.as_deref()) {
            Ok(authorization) => self.start(plan, authorization),
            Err(refusal) => {
                let refusal = answer.as_ref().map(|_| refusal);
                let record = plan.refusal_record(&incident, refusal.as_ref());
                self.show_error(format!(
                    "step `{}` not run: {}",
                    plan.step.id,
                    match &refusal {
                        Some(Refusal::Wrong { given }) =>
                            format!("`{}` is not the name asked for", given.trim()),
                        _ => "cancelled".to_string(),
                    }
                ));
                record.into_iter().map(|r| self.journal(r)).collect()
            }
        }
    }

    /// Starts an authorized (and, in shared mode, claimed) run; `warning` heads its output
    /// (a run the shared journal could not claim says so).
    pub(super) fn start_now(
        &mut self,
        plan: Plan,
        authorization: crate::core::run::Authorization,
        warning: Option<String>,
    ) -> Vec<Command> {
        let Some(incident) = self.incident().map(|i| i.id.clone()) else {
            return Vec::new();
        };
        let id = plan.step.id.clone();
        let attempt = self.next_attempt(&id);
        let display = plan.display().map(|d| self.redactor.redact(&d));
        let (run, effects) = StepRun::start(plan, authorization, &incident, attempt);
        let output = self.steps.output.entry(id.clone()).or_default();
        *output = StepOutput::default();
        if let Some(warning) = warning {
            output.heading(format!("⚠ {warning}"));
        }
        if let Some(display) = display {
            output.heading(format!("$ {display}"));
        }
        self.steps.active = Some(ActiveRun {
            run,
            queue: effects.into(),
            waiting_journal: false,
            checks: Vec::new(),
        });
        self.pump()
    }

    /// Carries out the active run's effects until one needs an answer.
    fn pump(&mut self) -> Vec<Command> {
        let mut commands = Vec::new();
        loop {
            let Some(active) = self.steps.active.as_mut() else {
                return commands;
            };
            if active.waiting_journal {
                return commands;
            }
            let Some(effect) = active.queue.pop_front() else {
                if active.run.running_on().is_empty() && active.checks.is_empty() {
                    self.finish_run();
                }
                return commands;
            };
            match effect {
                Effect::Journal(record) => {
                    active.waiting_journal = true;
                    // Every record of a run changes the step the keys act on.
                    self.journal_pending(JournalWaiter::ActiveRun, true);
                    commands.push(Command::Journal(record));
                }
                Effect::Exec {
                    host,
                    command,
                    timeout,
                } => {
                    let step = active.run.step().id.clone();
                    if let Some(out) = self.steps.output.get_mut(&step) {
                        out.heading(format!("── {host} ──"));
                    }
                    commands.push(Command::RunOnHost {
                        host,
                        command,
                        timeout,
                    });
                }
                Effect::Sql {
                    database,
                    sql,
                    binds,
                    ..
                } => {
                    let step = active.run.step();
                    let (id, expected) =
                        (step.id.clone(), step.expect.as_ref().and_then(|e| e.rows));
                    let confirmed = active.run.guard().is_dangerous();
                    commands
                        .extend(self.hand_over_sql(database, sql, binds, id, expected, confirmed));
                }
                Effect::Check { hosts } => {
                    let now = self.now_ms;
                    active.checks.extend(hosts.into_iter().map(|h| (h, now)));
                }
                Effect::SetVariable {
                    name,
                    value,
                    provenance,
                } => {
                    if let Some((_, store)) = self.steps.store.as_mut() {
                        let _ = store.set(&name, value, provenance);
                    }
                    self.learn_secrets();
                }
            }
        }
    }

    fn finish_run(&mut self) {
        let Some(active) = self.steps.active.take() else {
            return;
        };
        let id = active.run.step().id.clone();
        let unclaimed = if self.team.take_unclaimed(&id) {
            " · shared journal offline: step not claimed"
        } else {
            ""
        };
        match active.run.verdict() {
            // The selection moved on when the journal confirmed the step done.
            Some(Verdict::Passed) => self.flash(
                format!("step `{id}` passed{unclaimed}"),
                !unclaimed.is_empty(),
            ),
            Some(verdict @ Verdict::Failed { reason, stop, .. }) => {
                // The failure_hint only when the expectation was missed; an error gets the
                // hint of the setting that refused it, if any (see `Verdict::hint`).
                let hint = verdict
                    .hint(active.run.step().failure_hint.as_deref())
                    .map(|h| format!(" — {h}"))
                    .unwrap_or_default();
                let then = if *stop {
                    "the procedure stops here: r retries, s skips"
                } else {
                    "the procedure goes on"
                };
                self.show_error(format!(
                    "step `{id}` failed: {reason}{hint} ({then}){unclaimed}"
                ));
            }
            None => {}
        }
    }

    /// The first step after `from` (index) that is not done or skipped.
    fn next_open_step(&self, from: usize) -> Option<usize> {
        let incident = self.incident()?;
        incident
            .steps
            .iter()
            .enumerate()
            .skip(from + 1)
            .find(|(_, s)| !incident.status(&s.id).is_finished())
            .map(|(i, _)| i)
    }

    /// The journal confirmed an entry (already folded): when it ended a step done or skipped
    /// — however it was ended: a run, a tick, a skip, a confirmation — and that step is the
    /// selected one, the selection moves to the next open step. An operator who moved
    /// elsewhere meanwhile stays where they are. The one place the selection follows the
    /// procedure.
    pub(super) fn follow_ended_step(&mut self, record: &Record) {
        let (incident, step) = match record {
            Record::StepCompleted { incident, step }
            | Record::StepSkipped { incident, step, .. }
            | Record::StepFinished {
                incident,
                step,
                ok: true,
                ..
            } => (incident, step),
            _ => return,
        };
        let selected = self
            .incident()
            .filter(|i| i.id == *incident)
            .and_then(|i| i.steps.get(self.step_cursor))
            .is_some_and(|s| s.id == *step);
        if let Some(next) = self.next_open_step(self.step_cursor).filter(|_| selected) {
            self.step_cursor = next;
        }
    }

    /// Where the selection starts on an incident: its first step not done or skipped (the
    /// first step when every one is).
    pub(super) fn first_open_step(&self) -> usize {
        self.incident().map_or(0, |i| {
            i.steps
                .iter()
                .position(|s| !i.status(&s.id).is_finished())
                .unwrap_or(0)
        })
    }

    /// `Space`: ticks the selected step done. A done or skipped step stays as it is (`u`
    /// reopens it); one whose `when` conditions do not hold asks first.
    pub(super) fn tick_step(&mut self) -> Vec<Command> {
        let Some((incident, step, status)) = self.selected_step_status() else {
            return Vec::new();
        };
        if status.is_finished() {
            self.flash(self.already_finished(&step, &status), false);
            return Vec::new();
        }
        if self.steps.running_step() == Some(step.as_str()) {
            self.flash(
                format!("step `{step}` is running: it ticks itself when it passes"),
                true,
            );
            return Vec::new();
        }
        let reasons = self.gate_reasons(&step);
        if !reasons.is_empty() {
            // Its conditions do not hold: a tick now is more often a slip than the record of
            // work done, so the operator says so first.
            self.overlay = Some(Overlay::ConfirmTickWaiting { step, reasons });
            return Vec::new();
        }
        self.record_tick(incident, step)
    }

    /// The answer to "tick a step that waits?": ticks it, with a note of why it waited, if it
    /// is still the selected open step.
    pub(super) fn tick_waiting_step(&mut self, step: String, reasons: &[String]) -> Vec<Command> {
        let Some((incident, selected, status)) = self.selected_step_status() else {
            return Vec::new();
        };
        if selected != step || status.is_finished() {
            self.flash(
                format!("step `{step}` is no longer open here: not ticked"),
                true,
            );
            return Vec::new();
        }
        let text = format!(
            "step `{step}` ticked done by hand while it waited: {}",
            reasons.join("; ")
        );
        let mut commands = vec![self.journal(Record::NoteAdded {
            incident: incident.clone(),
            text,
            broadcast: false,
        })];
        commands.extend(self.record_tick(incident, step));
        commands
    }

    /// Journals the tick of `step` (saying so when cockpit could have run it).
    fn record_tick(&mut self, incident: String, step: String) -> Vec<Command> {
        if self.step_runs(&step) {
            // Done by hand (cockpit could not reach the host, say): journaled as ticked, not run.
            self.flash(
                format!(
                    "step `{step}` ticked by hand, not run by cockpit ({} runs it)",
                    self.key(Action::RunStep)
                ),
                false,
            );
        }
        vec![self.journal(Record::StepCompleted { incident, step })]
    }

    /// The open incident's id, the selected step's id and its status; `None` (saying why when
    /// no incident is open) when there is nothing selected to act on.
    fn selected_step_status(&mut self) -> Option<(String, String, StepStatus)> {
        let Some(incident) = self.incident() else {
            self.say_no_incident();
            return None;
        };
        let step = incident.steps.get(self.step_cursor)?;
        let status = incident.status(&step.id).clone();
        Some((incident.id.clone(), step.id.clone(), status))
    }

    /// `u`: opens a done or skipped step again (journaled).
    pub(super) fn reopen_step(&mut self) -> Vec<Command> {
        let Some((incident, step, status)) = self.selected_step_status() else {
            return Vec::new();
        };
        if !status.is_finished() {
            self.flash(
                format!("step `{step}` is not done or skipped: nothing to reopen"),
                false,
            );
            return Vec::new();
        }
        vec![self.journal(Record::StepReopened { incident, step })]
    }

    /// `Enter`: does the selected step if it is not done — runs it (`r`) when cockpit can,
    /// ticks it (`Space`) when the operator does it by hand. On a done or skipped step it
    /// selects the next open one, and runs nothing: the operator sees what Enter does next.
    pub(super) fn run_next_step(&mut self) -> Vec<Command> {
        let Some((_, step, status)) = self.selected_step_status() else {
            return Vec::new();
        };
        if !status.is_finished() {
            return if self.step_runs(&step) {
                self.run_selected_step()
            } else {
                self.tick_step()
            };
        }
        let next = self
            .next_open_step(self.step_cursor)
            .or_else(|| Some(self.first_open_step()).filter(|i| *i != self.step_cursor));
        let next = next.and_then(|i| Some((i, self.incident()?.steps.get(i)?.id.clone())));
        match next {
            Some((i, id))
                if !self
                    .incident()
                    .is_some_and(|inc| inc.status(&id).is_finished()) =>
            {
                self.step_cursor = i;
                self.flash(
                    format!(
                        "`{step}` is finished; selected the next open step `{id}`: Enter does it"
                    ),
                    false,
                );
            }
            _ => self.flash(
                "every step is done or skipped: R resolves the incident (u reopens a step)",
                false,
            ),
        }
        Vec::new()
    }

    fn already_finished(&self, step: &str, status: &StepStatus) -> String {
        let what = match status {
            StepStatus::Skipped { .. } => "skipped",
            _ => "done",
        };
        format!("step `{step}` is already {what}; nothing changed (u reopens it)")
    }

    fn feed(&mut self, outcome: Outcome) -> Vec<Command> {
        let Some(active) = self.steps.active.as_mut() else {
            return Vec::new();
        };
        let effects = active.run.on_outcome(outcome);
        active.queue.extend(effects);
        self.pump()
    }

    /// Output of the running command, as it arrives.
    pub(super) fn on_step_progress(&mut self, text: &str) {
        let masked = self.redactor.redact(text);
        if let Some(step) = self.steps.running_step().map(str::to_string)
            && let Some(out) = self.steps.output.get_mut(&step)
        {
            out.push(&masked);
        }
    }

    /// A command of the running step ended on a host.
    pub(super) fn on_step_executed(
        &mut self,
        host: String,
        result: Result<ExecOutput, String>,
    ) -> Vec<Command> {
        let result = exec_result(result);
        if let Some(step) = self.steps.running_step().map(str::to_string)
            && let Some(out) = self.steps.output.get_mut(&step)
        {
            out.end_line();
            out.heading(format!("── {host}: {} ──", end_words(&result)));
        }
        self.feed(Outcome::Exec { host, result })
    }

    /// The SQL console finished a statement a step handed over (committed, rolled back,
    /// or failed): the step judges it.
    pub(super) fn feed_sql_outcome(
        &mut self,
        database: String,
        result: Result<SqlResult, String>,
    ) -> Vec<Command> {
        if let Some(step) = self.steps.running_step().map(str::to_string)
            && let Some(out) = self.steps.output.get_mut(&step)
        {
            out.heading(match &result {
                Ok(r) if r.committed => format!("{}: {} row(s), committed", database, r.rows),
                Ok(r) => format!("{}: {} row(s), rolled back", database, r.rows),
                Err(e) => format!("{database}: {e}"),
            });
            if let Err(e) = &result
                && let Some(setting) = RefusingSetting::of(e)
            {
                out.heading(setting.hint().to_string());
            }
        }
        self.feed(Outcome::Sql { database, result })
    }

    /// A host was probed: it answers the running step's check of it, if any.
    pub(super) fn answer_checks(&mut self, host: &str) -> Vec<Command> {
        let Some(active) = self.steps.active.as_mut() else {
            return Vec::new();
        };
        let Some(at) = active.checks.iter().position(|(h, _)| h == host) else {
            return Vec::new();
        };
        let (_, since) = active.checks.remove(at);
        let Some(row) = self.hosts.iter().find(|r| r.name == host) else {
            return Vec::new();
        };
        if row.probed_at_ms.is_none_or(|t| t < since) {
            active.checks.insert(at, (host.to_string(), since));
            return Vec::new();
        }
        let step = active.run.step();
        let pressure_limit = step
            .fail_on_pressure
            .or(self.inventory.settings.fail_on_pressure);
        let (failure, detail) = judge_host(row, pressure_limit);
        self.feed(Outcome::Check {
            host: host.to_string(),
            failure,
            detail,
        })
    }
}

/// A host command's end as the core judges it: exited (with its output), timed out, or lost.
pub(super) fn exec_result(result: Result<ExecOutput, String>) -> ExecResult {
    match result {
        Ok(out) => ExecResult::Exited {
            exit: out.exit_status.and_then(|s| i32::try_from(s).ok()),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        },
        Err(reason) if reason.contains("timed out") => ExecResult::TimedOut,
        Err(reason) => ExecResult::Lost { reason },
    }
}

/// How the output view names a host command's end.
pub(super) fn end_words(result: &ExecResult) -> String {
    match result {
        ExecResult::Exited {
            exit: Some(code), ..
        } => format!("exit {code}"),
        ExecResult::Exited { exit: None, .. } => "killed by a signal".to_string(),
        ExecResult::TimedOut => "timed out".to_string(),
        ExecResult::Lost { reason } => format!("lost: {reason}"),
    }
}

/// What a key does in a guard's typed confirmation.
pub(super) enum GuardKey {
    /// It typed (or edited) the name: the dialog stays.
    Typing,
    /// The operator answered (None: cancelled).
    Answer(Option<String>),
}

/// What a `check` or `verify` step makes of a host's last probe: the kind of failure, if any,
/// and what to say. Unreachable when the host is down or every check fails; a service failure
/// when some check fails; pressure only at or above `pressure_limit`.
fn judge_host(row: &HostRow, pressure_limit: Option<Level>) -> (Option<CheckFailure>, String) {
    let failing: Vec<String> = row
        .outcomes
        .iter()
        .filter(|o| !o.ok)
        .map(|o| format!("{}: {}", o.label, o.detail))
        .collect();
    if row.outcomes.is_empty() {
        return (
            Some(CheckFailure::Service),
            "no checks configured".to_string(),
        );
    }
    let unreachable = row.tracker.state == HostState::Down || failing.len() == row.outcomes.len();
    if unreachable {
        return (Some(CheckFailure::Unreachable), failing.join("; "));
    }
    if !failing.is_empty() {
        return (Some(CheckFailure::Service), failing.join("; "));
    }
    let passed = format!("{} checks pass", row.outcomes.len());
    match (&row.pressure.current, pressure_limit) {
        (Some(pressure), Some(limit)) if pressure.level >= limit => (
            Some(CheckFailure::Pressure),
            format!(
                "pressure {} ({passed}): {}",
                pressure.level, pressure.summary
            ),
        ),
        (Some(pressure), _) if pressure.level > Level::Normal => (
            None,
            format!("{passed}; under pressure: {}", pressure.summary),
        ),
        _ => (None, passed),
    }
}
