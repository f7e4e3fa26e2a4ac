//! One run of a step as a state machine: it says what to journal and what to execute, one
//! effect at a time, takes back what happened, and ends passed or failed. It performs nothing.
//!
//! Every run journals `step_started` first and `step_finished` last, with one `step_output` per
//! target in between, so a start without a finish reads as interrupted after a resume.

use crate::core::health::CheckFailure;
use crate::core::inventory::{Driver, Inventory};
use crate::core::journal::Record;
use crate::core::playbook::{DEFAULT_HINT_FOR, OnFailure, Step};
use crate::core::run::capture::capture;
use crate::core::run::output::journal_output;
use crate::core::run::plan::{Authorization, HostCommand, Plan, PlanError, Work};
use crate::core::run::targets::FleetPicture;
use crate::core::run::vars::{Provenance, VariableStore};
use crate::core::sql::RefusingSetting;
use std::collections::{BTreeSet, VecDeque};
use std::time::Duration;

/// Something for the runtime to do, in the order given. A `Journal` effect must be durably
/// appended before the effects after it are carried out.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append this record to the journal.
    Journal(Record),
    /// Run a command on a host (`sh -c`), killed after `timeout`; answer with
    /// [`Outcome::Exec`].
    Exec {
        /// The host.
        host: String,
        /// The command.
        command: String,
        /// Its time limit.
        timeout: Duration,
    },
    /// Hand a statement to the SQL console (inside a transaction, committed only on the
    /// operator's confirmation); answer with [`Outcome::Sql`].
    Sql {
        /// Inventory database name.
        database: String,
        /// The statement with bind parameters.
        sql: String,
        /// The values, in parameter order.
        binds: Vec<String>,
        /// Its dialect.
        dialect: Driver,
    },
    /// Run the health checks of these hosts; answer with one [`Outcome::Check`] per host.
    Check {
        /// The hosts.
        hosts: Vec<String>,
    },
    /// Store a captured value in the incident's [`VariableStore`] (and, when secret, in the
    /// redactor). Its masked `variable_set` record comes just before.
    SetVariable {
        /// The variable.
        name: String,
        /// The value.
        value: String,
        /// Where it came from.
        provenance: Provenance,
    },
}

/// How a command ended on a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecResult {
    /// It ran to its end.
    Exited {
        /// Exit status (None: killed by a signal).
        exit: Option<i32>,
        /// Its standard output.
        stdout: String,
        /// Its standard error.
        stderr: String,
    },
    /// It ran out of time and was killed.
    TimedOut,
    /// It could not run or the host went away mid-command.
    Lost {
        /// Why (e.g. `connection reset`).
        reason: String,
    },
}

/// What the SQL console reports for a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlResult {
    /// Rows affected (or returned).
    pub rows: u64,
    /// Whether the operator committed it (false: rolled back).
    pub committed: bool,
}

/// What happened to an effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A command's end on a host.
    Exec {
        /// The host.
        host: String,
        /// How it ended.
        result: ExecResult,
    },
    /// A statement's end.
    Sql {
        /// The database.
        database: String,
        /// The result, or the error the database gave.
        result: Result<SqlResult, String>,
    },
    /// A host's health checks.
    Check {
        /// The host.
        host: String,
        /// Why the host fails the step; `None` when it passes.
        failure: Option<CheckFailure>,
        /// The failing check, or a summary.
        detail: String,
    },
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It met its expectation everywhere.
    Passed,
    /// It did not.
    Failed {
        /// Why, naming the hosts.
        reason: String,
        /// Whether the procedure stops here (`on_failure = "stop"`).
        stop: bool,
        /// Whether the step's expectation was not met or something else failed: only the
        /// first is what the step's `failure_hint` is written for.
        kind: FailureKind,
    },
}

impl Verdict {
    /// What to tell the operator beside a failure's reason: the step's `failure_hint` when its
    /// expectation was not met; when something else failed, the hint of the server setting
    /// that refused the statement (see [`RefusingSetting`]), if one did, and nothing else.
    pub fn hint(&self, failure_hint: Option<&str>) -> Option<String> {
        match self {
            Verdict::Passed => None,
            Verdict::Failed {
                kind: FailureKind::Expectation,
                ..
            } => failure_hint.map(str::to_string),
            Verdict::Failed {
                kind: FailureKind::Error,
                reason,
                ..
            } => RefusingSetting::of(reason).map(|s| s.hint().to_string()),
        }
    }
}

/// Why a run failed, which decides what the operator is told beside the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailureKind {
    /// The step ran and did not meet its expectation on at least one target: an exit status
    /// other than expected, rows outside `expect.rows`, a capture that did not match, an
    /// unhealthy check, a statement rolled back. The step's `failure_hint` applies.
    #[default]
    Expectation,
    /// Nothing met or missed the expectation: the server refused the statement or gave an
    /// error, cockpit refused it, a command timed out or was killed, a host was lost, the run
    /// was stopped. The reason says what failed; the `failure_hint` does not apply.
    Error,
}

/// One run of one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRun {
    incident: String,
    attempt: u32,
    plan: Plan,
    /// Commands not sent yet (sequential runs).
    queue: VecDeque<HostCommand>,
    /// Targets sent and not answered yet.
    awaiting: BTreeSet<String>,
    /// Each failed target's reason, in the order they came.
    failures: Vec<String>,
    /// Whether the captured value was stored already.
    captured: bool,
    /// Some target missed the step's expectation (see [`FailureKind::Expectation`]).
    expectation_missed: bool,
    verdict: Option<Verdict>,
}

impl StepRun {
    /// Plans a run (see [`Plan::new`]).
    pub fn plan(
        step: &Step,
        store: &VariableStore,
        fleet: &FleetPicture,
        inventory: &Inventory,
    ) -> Result<Plan, PlanError> {
        Plan::new(step, store, fleet, inventory)
    }

    /// Starts an authorized plan as run `attempt` of the incident's step: the effects to carry
    /// out first. A ticked step (manual, note) is done at once.
    pub fn start(
        plan: Plan,
        authorization: Authorization,
        incident: &str,
        attempt: u32,
    ) -> (StepRun, Vec<Effect>) {
        let mut run = StepRun {
            incident: incident.to_string(),
            attempt,
            queue: VecDeque::new(),
            awaiting: BTreeSet::new(),
            failures: Vec::new(),
            captured: false,
            expectation_missed: false,
            verdict: None,
            plan,
        };
        let mut effects = Vec::new();
        if let Some(answer) = authorization.answer {
            effects.push(Effect::Journal(Record::ConfirmationGiven {
                incident: run.incident.clone(),
                step: run.plan.step.id.clone(),
                attempt,
                answer,
            }));
        }
        if run.plan.work == Work::Tick {
            effects.push(Effect::Journal(Record::StepCompleted {
                incident: run.incident.clone(),
                step: run.plan.step.id.clone(),
            }));
            run.verdict = Some(Verdict::Passed);
            return (run, effects);
        }
        effects.push(Effect::Journal(Record::StepStarted {
            incident: run.incident.clone(),
            step: run.plan.step.id.clone(),
            attempt,
            targets: run.plan.targets(),
            command: run.plan.display(),
        }));
        match run.plan.work.clone() {
            Work::Exec {
                commands,
                timeout,
                parallel,
                ..
            } => {
                run.queue = commands.into();
                let batch = if parallel { run.queue.len() } else { 1 };
                for _ in 0..batch {
                    effects.extend(run.send_next(timeout));
                }
            }
            Work::Sql {
                database,
                dialect,
                bound,
                ..
            } => {
                run.awaiting.insert(database.clone());
                effects.push(Effect::Sql {
                    database,
                    sql: bound.sql,
                    binds: bound.binds,
                    dialect,
                });
            }
            Work::Check { hosts } => {
                run.awaiting.extend(hosts.iter().cloned());
                effects.push(Effect::Check { hosts });
            }
            Work::Tick => {}
        }
        (run, effects)
    }

    /// The step this run is of.
    pub fn step(&self) -> &Step {
        &self.plan.step
    }

    /// The confirmation the step needed (answered before it ran).
    pub fn guard(&self) -> &crate::core::run::Guard {
        &self.plan.guard
    }

    /// Which run of the step this is.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Targets working now (sent, not answered), for the pane.
    pub fn running_on(&self) -> Vec<&str> {
        self.awaiting.iter().map(String::as_str).collect()
    }

    /// How the run ended, once it has.
    pub fn verdict(&self) -> Option<&Verdict> {
        self.verdict.as_ref()
    }

    /// Takes what happened to an effect; returns what to do next. Outcomes for targets not
    /// awaited (or after the end) change nothing.
    pub fn on_outcome(&mut self, outcome: Outcome) -> Vec<Effect> {
        let target = match &outcome {
            Outcome::Exec { host, .. } | Outcome::Check { host, .. } => host,
            Outcome::Sql { database, .. } => database,
        };
        if self.verdict.is_some() || !self.awaiting.remove(target) {
            return Vec::new();
        }
        let mut effects = Vec::new();
        let (record, failure) = match outcome {
            Outcome::Exec { host, result } => self.judge_exec(host, result, &mut effects),
            Outcome::Sql { database, result } => self.judge_sql(database, result),
            Outcome::Check {
                host,
                failure,
                detail,
            } => self.judge_check(host, failure, detail),
        };
        effects.insert(0, Effect::Journal(record));
        if let Some(reason) = failure {
            self.failures.push(reason);
            if self.plan.step.on_failure == OnFailure::Stop && !self.queue.is_empty() {
                let skipped: Vec<_> = self.queue.drain(..).map(|c| c.host).collect();
                if let Some(last) = self.failures.last_mut() {
                    last.push_str(&format!("; not run on {}", skipped.join(", ")));
                }
            }
        }
        if let Work::Exec { timeout, .. } = self.plan.work
            && self.awaiting.is_empty()
        {
            effects.extend(self.send_next(timeout));
        }
        if self.awaiting.is_empty() && self.queue.is_empty() {
            effects.push(self.finish());
        }
        effects
    }

    /// Ends the run before every target answered (the operator stops it, cockpit is quitting):
    /// each target still working is journaled as failed with `reason`, then the finish.
    pub fn abandon(&mut self, reason: &str) -> Vec<Effect> {
        if self.verdict.is_some() {
            return Vec::new();
        }
        let mut effects = Vec::new();
        for target in std::mem::take(&mut self.awaiting) {
            effects.push(Effect::Journal(self.output_record(
                &target,
                None,
                None,
                false,
                String::new(),
                Some(reason.to_string()),
            )));
            self.failures.push(format!("{target}: {reason}"));
        }
        self.queue.clear();
        if self.failures.is_empty() {
            self.failures.push(reason.to_string());
        }
        effects.push(self.finish());
        effects
    }

    fn send_next(&mut self, timeout: Duration) -> Option<Effect> {
        let next = self.queue.pop_front()?;
        self.awaiting.insert(next.host.clone());
        Some(Effect::Exec {
            host: next.host,
            command: next.command,
            timeout,
        })
    }

    fn output_record(
        &self,
        target: &str,
        exit: Option<i32>,
        rows: Option<u64>,
        ok: bool,
        output: String,
        reason: Option<String>,
    ) -> Record {
        Record::StepOutput {
            incident: self.incident.clone(),
            step: self.plan.step.id.clone(),
            attempt: self.attempt,
            target: target.to_string(),
            exit,
            rows,
            ok,
            output,
            reason,
        }
    }

    /// The host's record and, when it failed, why; a captured value adds its effects.
    fn judge_exec(
        &mut self,
        host: String,
        result: ExecResult,
        effects: &mut Vec<Effect>,
    ) -> (Record, Option<String>) {
        let timeout = match &self.plan.work {
            Work::Exec { timeout, .. } => *timeout,
            _ => Duration::ZERO,
        };
        let expected = self
            .plan
            .step
            .expect
            .as_ref()
            .and_then(|e| e.exit)
            .unwrap_or(0);
        let (exit, output, problem) = match result {
            ExecResult::Exited {
                exit,
                stdout,
                stderr,
            } => {
                let problem = match exit {
                    Some(code) if code == expected => self.apply_capture(&stdout, effects),
                    Some(code) => Some(format!("exit {code}, expected {expected}")),
                    None => None,
                };
                // A signal is not an exit status the step could expect.
                self.expectation_missed |= problem.is_some();
                let problem = match exit {
                    None => Some("killed by a signal".to_string()),
                    Some(_) => problem,
                };
                // After the capture, so a secret it just learned is masked too.
                let output = journal_output(&stdout, &stderr, &self.plan.secrets);
                (exit, output, problem)
            }
            ExecResult::TimedOut => (
                None,
                String::new(),
                Some(format!("timed out after {} s", timeout.as_secs())),
            ),
            ExecResult::Lost { reason } => {
                (None, String::new(), Some(format!("host lost: {reason}")))
            }
        };
        let record = self.output_record(
            &host,
            exit,
            None,
            problem.is_none(),
            output,
            problem.clone(),
        );
        (record, problem.map(|p| format!("{host}: {p}")))
    }

    /// Applies the step's capture to a passing host's output: None when it captured (or has
    /// nothing to capture), else why not.
    fn apply_capture(&mut self, stdout: &str, effects: &mut Vec<Effect>) -> Option<String> {
        let Work::Exec {
            capture: Some(spec),
            ..
        } = &self.plan.work
        else {
            return None;
        };
        let spec = spec.clone();
        match capture(&spec, stdout) {
            Ok(value) if !self.captured => {
                self.captured = true;
                let provenance = Provenance::Capture {
                    step: self.plan.step.id.clone(),
                };
                let secret = self.plan.capture_is_secret;
                if secret {
                    self.plan.secrets.push(value.clone());
                }
                effects.push(Effect::Journal(Record::VariableSet {
                    incident: self.incident.clone(),
                    name: spec.variable.clone(),
                    value: if secret {
                        crate::core::redact::MASK.to_string()
                    } else {
                        value.clone()
                    },
                    provenance: provenance.clone(),
                    secret,
                }));
                effects.push(Effect::SetVariable {
                    name: spec.variable,
                    value,
                    provenance,
                });
                None
            }
            Ok(_) => None,
            Err(e) => Some(e.to_string()),
        }
    }

    fn judge_sql(
        &mut self,
        database: String,
        result: Result<SqlResult, String>,
    ) -> (Record, Option<String>) {
        let (rows, problem) = match result {
            Err(e) => (None, Some(e)),
            Ok(r) if !r.committed => {
                self.expectation_missed = true;
                (Some(r.rows), Some("rolled back".to_string()))
            }
            Ok(r) => {
                let bounds = self.plan.step.expect.as_ref().and_then(|e| e.rows);
                let problem = match bounds {
                    Some((min, max)) if r.rows < min || max.is_some_and(|m| r.rows > m) => {
                        Some(format!(
                            "{} rows affected, expected {}",
                            r.rows,
                            match max {
                                Some(m) if m == min => min.to_string(),
                                Some(m) => format!("{min}..{m}"),
                                None => format!("{min} or more"),
                            }
                        ))
                    }
                    _ => None,
                };
                self.expectation_missed |= problem.is_some();
                (Some(r.rows), problem)
            }
        };
        let record = self.output_record(
            &database,
            None,
            rows,
            problem.is_none(),
            String::new(),
            problem.clone(),
        );
        (record, problem.map(|p| format!("{database}: {p}")))
    }

    fn judge_check(
        &mut self,
        host: String,
        failure: Option<CheckFailure>,
        detail: String,
    ) -> (Record, Option<String>) {
        let problem = failure.map(|kind| format!("{} — {detail}", kind.name()));
        // A check's hint is written for some kinds of failure (unreachable and a failing
        // service by default): only those count as its expectation missed.
        let step = &self.plan.step;
        let written_for: &[CheckFailure] = if step.failure_hint_for.is_empty() {
            &DEFAULT_HINT_FOR
        } else {
            &step.failure_hint_for
        };
        self.expectation_missed |= failure.is_some_and(|kind| written_for.contains(&kind));
        let record = self.output_record(
            &host,
            None,
            None,
            failure.is_none(),
            detail,
            problem.clone(),
        );
        (record, problem.map(|p| format!("{host}: {p}")))
    }

    fn finish(&mut self) -> Effect {
        let verdict = if self.failures.is_empty() {
            Verdict::Passed
        } else {
            Verdict::Failed {
                reason: self.failures.join("; "),
                stop: self.plan.step.on_failure == OnFailure::Stop,
                kind: if self.expectation_missed {
                    FailureKind::Expectation
                } else {
                    FailureKind::Error
                },
            }
        };
        let reason = match &verdict {
            Verdict::Passed => None,
            Verdict::Failed { reason, .. } => Some(reason.clone()),
        };
        self.verdict = Some(verdict);
        Effect::Journal(Record::StepFinished {
            incident: self.incident.clone(),
            step: self.plan.step.id.clone(),
            attempt: self.attempt,
            ok: reason.is_none(),
            reason,
        })
    }
}

#[cfg(test)]
#[path = "step_run_tests.rs"]
mod tests;
