//! Off-script commands from the Hosts pane (`!`): the prompt and its history, the typed
//! confirmation of a dangerous one, and the run itself. The core plans and judges
//! (`core::run::adhoc`); this carries out its effects in order, as a step's are: the
//! `adhoc_started` record is confirmed by the journal before any host runs the command.

use super::App;
use super::steps::{GuardKey, StepOutput, end_words, exec_result};
use crate::core::redact::MASK;
use crate::core::run::{AdhocPlan, AdhocRun, AdhocTarget, Authorization, Effect, Outcome, Refusal};
use crate::io::ssh::ExecOutput;
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::ui::overlay::{AdhocPrompt, ConfirmAdhoc, LineInput, Overlay};
use crossterm::event::KeyEvent;
use std::collections::{BTreeMap, VecDeque};

/// The off-script command running now, and the latest one's output.
#[derive(Debug, Default)]
pub struct AdhocRunner {
    /// The run in progress.
    active: Option<AdhocRun>,
    /// Its effects not carried out yet.
    queue: VecDeque<Effect>,
    /// A record of it is on its way to the disk: nothing more happens until it is stored.
    waiting_journal: bool,
    /// The latest run's output: the command, then each host's output and end.
    output: StepOutput,
    /// Each host's unfinished output line. Hosts running at once each get their lines whole,
    /// named by the host, never cut into one another's.
    partial: BTreeMap<String, String>,
}

impl AdhocRunner {
    /// The hosts the running command works on now (empty when none runs).
    pub fn running_on(&self) -> Vec<String> {
        self.active
            .as_ref()
            .map(|r| r.running_on().into_iter().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// Whether an off-script command is running.
    pub fn is_running(&self) -> bool {
        self.active.is_some()
    }

    /// The latest run's output, for the prompt.
    pub fn output(&self) -> &StepOutput {
        &self.output
    }

    /// The running command runs on several hosts at once: its lines start with the host's
    /// name.
    fn parallel(&self) -> bool {
        self.active.as_ref().is_some_and(|r| r.plan().parallel)
    }
}

impl App {
    /// The off-script commands of the incident in front of the operator (or those run with
    /// none open), oldest first, as journaled (secrets masked), repeats in a row kept once.
    pub fn adhoc_history(&self) -> Vec<String> {
        let incident = self.incident().map(|i| i.id.as_str());
        let mut history: Vec<String> = self.workspace.adhoc_history(incident).to_vec();
        history.dedup();
        history
    }

    /// `!`: asks for an off-script command.
    pub(super) fn open_adhoc_prompt(&mut self) {
        if self.hosts.is_empty() {
            self.flash(
                "no hosts in the inventory: nothing to run a command on",
                true,
            );
            return;
        }
        self.overlay = Some(Overlay::Adhoc(AdhocPrompt::default()));
    }

    /// Keys of the prompt: typing, ↑/↓ through the history, Enter runs, Esc closes (a
    /// running command goes on).
    pub(super) fn on_adhoc_key(&mut self, mut prompt: AdhocPrompt, key: KeyEvent) -> Vec<Command> {
        match self.keymap.dialog_action(&key, true) {
            Some(Action::Cancel) => {
                if self.adhoc.is_running() {
                    let again = self.key(Action::AdhocCommand);
                    self.flash(
                        format!("the off-script command goes on: {again} shows its output"),
                        false,
                    );
                }
                return Vec::new();
            }
            Some(Action::Confirm) => return self.submit_adhoc(prompt),
            Some(Action::Up) => self.recall(&mut prompt, true),
            Some(Action::Down) => self.recall(&mut prompt, false),
            _ => {
                prompt.input.edit(&key);
            }
        }
        self.overlay = Some(Overlay::Adhoc(prompt));
        Vec::new()
    }

    /// ↑ (`older`) or ↓ through the history; past its newest entry, what was typed before.
    fn recall(&mut self, prompt: &mut AdhocPrompt, older: bool) {
        let history = self.adhoc_history();
        let Some(last) = history.len().checked_sub(1) else {
            return;
        };
        let next = match (prompt.recall, older) {
            (None, true) => {
                prompt.draft = prompt.input.text.clone();
                Some(last)
            }
            (None, false) => return,
            (Some(i), true) => Some(i.saturating_sub(1)),
            (Some(i), false) if i < last => Some(i + 1),
            (Some(_), false) => None,
        };
        prompt.recall = next;
        prompt.input = match next.and_then(|i| history.get(i)) {
            Some(text) => {
                if text.contains(MASK) {
                    self.flash(
                        format!("recalled as journaled: a secret shows as {MASK}, type it again"),
                        false,
                    );
                }
                LineInput::with_text(text.clone())
            }
            None => LineInput::with_text(std::mem::take(&mut prompt.draft)),
        };
    }

    /// Enter: plans the command; runs it, or asks for the typed name when it is dangerous.
    pub(super) fn submit_adhoc(&mut self, prompt: AdhocPrompt) -> Vec<Command> {
        if self.adhoc.is_running() {
            let on = self.adhoc.running_on().join(", ");
            self.flash(
                format!("an off-script command is still running on {on}: wait for its end"),
                true,
            );
            self.overlay = Some(Overlay::Adhoc(prompt));
            return Vec::new();
        }
        let selected = self.hosts.get(self.host_cursor).map(|h| h.name.clone());
        let plan = AdhocPlan::new(
            &prompt.input.text,
            selected.as_deref(),
            &self.inventory,
            &self.redactor,
        );
        match plan {
            Err(e) => {
                self.flash(format!("not run: {e}"), true);
                self.overlay = Some(Overlay::Adhoc(prompt));
                Vec::new()
            }
            Ok(plan) => match plan.authorize(None) {
                Ok(authorization) => self.start_adhoc(plan, authorization),
                Err(_) => {
                    self.overlay = Some(Overlay::ConfirmAdhoc(ConfirmAdhoc {
                        plan: Box::new(plan),
                        input: LineInput::default(),
                    }));
                    Vec::new()
                }
            },
        }
    }

    /// Keys of the dangerous command's confirmation: the name typed runs it; anything else
    /// refuses it (journaled).
    pub(super) fn on_confirm_adhoc_key(
        &mut self,
        mut confirm: ConfirmAdhoc,
        key: KeyEvent,
    ) -> Vec<Command> {
        let answer = match self.guard_key(&confirm.plan.guard, &mut confirm.input, &key) {
            GuardKey::Answer(answer) => answer,
            GuardKey::Typing => {
                self.overlay = Some(Overlay::ConfirmAdhoc(confirm));
                return Vec::new();
            }
        };
        let plan = *confirm.plan;
        match plan.authorize(answer.as_deref()) {
            Ok(authorization) => self.start_adhoc(plan, authorization),
            Err(refusal) => {
                let refusal = answer.as_ref().map(|_| refusal);
                let incident = self.incident().map(|i| i.id.clone());
                let record = plan.refusal_record(incident.as_deref(), refusal.as_ref());
                self.show_error(format!(
                    "off-script command not run: {}",
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

    /// Starts an authorized command; the prompt stays open with its output under it.
    fn start_adhoc(&mut self, plan: AdhocPlan, authorization: Authorization) -> Vec<Command> {
        let incident = self.incident().map(|i| i.id.clone());
        let number = self.workspace.adhoc_history(incident.as_deref()).len() as u64 + 1;
        let mut output = StepOutput::default();
        output.heading(format!("$ {}", plan.display));
        let how = match (plan.hosts.len(), plan.parallel) {
            (0 | 1, _) => "",
            (_, true) => " · all at once (read-only)",
            (_, false) => " · one host after another",
        };
        let on = match &plan.target {
            AdhocTarget::Host(host) => host.clone(),
            target => format!("{target} ({})", plan.hosts.join(", ")),
        };
        output.heading(format!("on {on}{how}"));
        let (run, effects) = AdhocRun::start(
            plan,
            authorization,
            incident.as_deref(),
            number,
            &self.redactor,
        );
        self.adhoc.output = output;
        self.adhoc.partial.clear();
        self.adhoc.active = Some(run);
        self.adhoc.queue = effects.into();
        self.adhoc.waiting_journal = false;
        self.overlay = Some(Overlay::Adhoc(AdhocPrompt::default()));
        self.pump_adhoc()
    }

    /// Carries out the running command's effects until one needs an answer.
    fn pump_adhoc(&mut self) -> Vec<Command> {
        let mut commands = Vec::new();
        while !self.adhoc.waiting_journal {
            let Some(effect) = self.adhoc.queue.pop_front() else {
                if self
                    .adhoc
                    .active
                    .as_ref()
                    .is_some_and(AdhocRun::is_finished)
                {
                    self.finish_adhoc();
                }
                break;
            };
            match effect {
                Effect::Journal(record) => {
                    self.adhoc.waiting_journal = true;
                    commands.push(self.journal_for_adhoc(record));
                }
                Effect::Exec {
                    host,
                    command,
                    timeout,
                } => {
                    if !self.adhoc.parallel() {
                        self.adhoc.output.heading(format!("── {host} ──"));
                    }
                    commands.push(Command::RunAdhoc {
                        host,
                        command,
                        timeout,
                    });
                }
                Effect::Sql { .. } | Effect::Check { .. } | Effect::SetVariable { .. } => {}
            }
        }
        commands
    }

    /// A record of the running command was stored (or not: then nothing more runs).
    pub(super) fn on_adhoc_journal_answer(&mut self, stored: bool) -> Vec<Command> {
        self.adhoc.waiting_journal = false;
        if !stored {
            self.adhoc.active = None;
            self.adhoc.queue.clear();
            self.show_error(
                "off-script command stopped: the journal could not record it, so nothing more runs",
            );
            return Vec::new();
        }
        self.pump_adhoc()
    }

    /// Output of the running command on `host`, as it arrives: whole lines, secrets masked.
    pub(super) fn on_adhoc_progress(&mut self, host: &str, text: &str) {
        if !self.adhoc.is_running() {
            return;
        }
        let partial = self.adhoc.partial.entry(host.to_string()).or_default();
        partial.push_str(text);
        let Some(end) = partial.rfind('\n') else {
            return;
        };
        let lines: String = partial.drain(..=end).collect();
        self.show_adhoc_lines(host, &lines);
    }

    /// Complete lines of `host`'s output, masked, named by the host when hosts run at once.
    fn show_adhoc_lines(&mut self, host: &str, lines: &str) {
        let masked = self.redactor.redact(lines);
        for line in masked.lines() {
            let line = if self.adhoc.parallel() {
                format!("{host} │ {line}\n")
            } else {
                format!("{line}\n")
            };
            self.adhoc.output.push(&line);
        }
    }

    /// The running command ended on a host (or could not run there).
    pub(super) fn on_adhoc_executed(
        &mut self,
        host: String,
        result: Result<ExecOutput, String>,
    ) -> Vec<Command> {
        if !self.adhoc.is_running() {
            return Vec::new();
        }
        let result = exec_result(result);
        if let Some(rest) = self.adhoc.partial.remove(&host).filter(|r| !r.is_empty()) {
            self.show_adhoc_lines(&host, &rest);
        }
        let Some(run) = self.adhoc.active.as_mut() else {
            return Vec::new();
        };
        self.adhoc
            .output
            .heading(format!("── {host}: {} ──", end_words(&result)));
        let effects = run.on_outcome(Outcome::Exec { host, result });
        self.adhoc.queue.extend(effects);
        self.pump_adhoc()
    }

    /// cockpit is quitting with a command running: what its run still had to journal, then
    /// a record for each host it had not heard back from, so the journal says how it ended.
    pub(super) fn end_adhoc_on_quit(&mut self) -> Vec<Command> {
        let Some(mut run) = self.adhoc.active.take() else {
            return Vec::new();
        };
        let mut effects: Vec<Effect> = std::mem::take(&mut self.adhoc.queue).into();
        effects.extend(run.abandon("cockpit quit before it ended"));
        effects
            .into_iter()
            .filter_map(|e| match e {
                Effect::Journal(record) => Some(self.journal(record)),
                _ => None,
            })
            .collect()
    }

    /// Every host answered: says how it went.
    fn finish_adhoc(&mut self) {
        let Some(run) = self.adhoc.active.take() else {
            return;
        };
        let hosts = run.plan().hosts.len();
        match run.failures() {
            [] => self.flash(
                format!("off-script command done on {hosts} host(s): exit 0 (journaled)"),
                false,
            ),
            failed => self.flash(
                format!(
                    "off-script command ended on {hosts} host(s); failed on {} (journaled)",
                    failed.join("; ")
                ),
                true,
            ),
        }
    }
}
