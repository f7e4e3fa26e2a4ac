//! Planning a step run: which hosts, what exactly runs there (rendered), what confirmation it
//! needs, whether the fleet lets it run now — and the operator's answer to its guard.

use crate::core::inventory::{Driver, Inventory};
use crate::core::journal::Record;
use crate::core::playbook::{Capture, Step, StepAction};
use crate::core::run::exec_as::{ExecAsError, run_as};
use crate::core::run::gate::{GateVerdict, evaluate};
use crate::core::run::guard::{Guard, guard};
use crate::core::run::targets::{FleetPicture, TargetError, resolve};
use crate::core::run::vars::{BoundSql, RenderError, VariableStore};
use std::time::Duration;

/// Time limit of a command step without `timeout_secs`.
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(120);

/// A command rendered for one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCommand {
    /// The host.
    pub host: String,
    /// What runs there (under `sh -c`).
    pub command: String,
    /// The same with secret values masked, for the journal and the screen.
    pub display: String,
}

/// What a step run does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// Run commands on hosts.
    Exec {
        /// One per host, in inventory order.
        commands: Vec<HostCommand>,
        /// Time limit of each.
        timeout: Duration,
        /// All hosts at once (read-only steps), else one after the other.
        parallel: bool,
        /// The value to take from each host's output.
        capture: Option<Capture>,
    },
    /// Hand a statement to the SQL console.
    Sql {
        /// Inventory database name.
        database: String,
        /// Its dialect.
        dialect: Driver,
        /// The statement with bind parameters, and their values.
        bound: BoundSql,
        /// The statement with values shown (secrets masked), for the journal and the screen.
        display: String,
    },
    /// Run the health checks of hosts.
    Check {
        /// The hosts, in inventory order.
        hosts: Vec<String>,
    },
    /// Nothing runs: the operator does it and ticks it.
    Tick,
}

/// Why a step cannot run at all. Journal it with [`PlanError::record`] unless the operator
/// can fix it on the spot (an unset variable to ask for).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Its target names nothing in the inventory.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// Its command or statement cannot be rendered.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// Its database is not in the inventory.
    #[error("unknown database `{0}`: not in the inventory")]
    UnknownDatabase(String),
    /// Its command cannot run as the step asks on a host.
    #[error(transparent)]
    ExecAs(#[from] ExecAsError),
}

impl PlanError {
    /// The variable without a value, when that is the whole problem.
    pub fn unset_variable(&self) -> Option<&str> {
        match self {
            PlanError::Render(RenderError::Unset { name, .. }) => Some(name),
            _ => None,
        }
    }

    /// The journal record of a run that could not start: a failed finish with the reason.
    pub fn record(&self, incident: &str, step: &str, attempt: u32) -> Record {
        Record::StepFinished {
            incident: incident.to_string(),
            step: step.to_string(),
            attempt,
            ok: false,
            reason: Some(format!("cannot run: {self}")),
        }
    }
}

/// A step ready to run once the gate is open and the guard answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The step.
    pub step: Step,
    /// What runs.
    pub work: Work,
    /// The confirmation it needs.
    pub guard: Guard,
    /// Whether the fleet lets it run now.
    pub gate: GateVerdict,
    /// Secret values, masked out of journaled output.
    pub(crate) secrets: Vec<String>,
    /// Whether the variable the step captures into is secret.
    pub(crate) capture_is_secret: bool,
}

/// Proof that a plan may run: the gate was open and the guard answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub(crate) answer: Option<String>,
}

/// Why a plan may not run now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The gate is closed; the reasons say what the fleet must look like.
    Waiting(Vec<String>),
    /// The guard needs an answer: ask for it.
    NeedsAnswer,
    /// The answer does not satisfy the guard. Journal [`Refusal::record`].
    Wrong {
        /// What the operator answered.
        given: String,
    },
}

impl Plan {
    /// Plans one run of `step` with the variables, the fleet picture and the inventory of now.
    pub fn new(
        step: &Step,
        store: &VariableStore,
        fleet: &FleetPicture,
        inventory: &Inventory,
    ) -> Result<Plan, PlanError> {
        let (work, guarded_text) = match &step.action {
            StepAction::Command {
                target,
                run,
                capture,
            } => {
                let mut commands = Vec::new();
                let service = step.service.as_deref();
                for host in resolve(target, inventory)? {
                    let command = store.render_command(run, Some(host))?;
                    let display = store.display_command(run, Some(host))?;
                    commands.push(HostCommand {
                        host: host.name.clone(),
                        command: run_as(&command, host, step.privileged, service)?,
                        display: run_as(&display, host, step.privileged, service)?,
                    });
                }
                let text = commands
                    .iter()
                    .map(|c| c.command.as_str())
                    .collect::<Vec<_>>()
                    .join("\n");
                let work = Work::Exec {
                    commands,
                    timeout: step
                        .timeout_secs
                        .map_or(DEFAULT_STEP_TIMEOUT, Duration::from_secs),
                    parallel: step.parallel,
                    capture: capture.clone(),
                };
                (work, text)
            }
            StepAction::Sql {
                database,
                statement,
            } => {
                let db = inventory
                    .database(database)
                    .ok_or_else(|| PlanError::UnknownDatabase(database.clone()))?;
                let bound = store.render_sql(statement, db.driver)?;
                // Values are bound, never executed: only the statement itself is guarded.
                let text = bound.sql.clone();
                let work = Work::Sql {
                    database: database.clone(),
                    dialect: db.driver,
                    display: store.display_sql(statement)?,
                    bound,
                };
                (work, text)
            }
            StepAction::Check { target }
            | StepAction::Verify {
                target: Some(target),
            } => {
                let hosts = resolve(target, inventory)?
                    .iter()
                    .map(|h| h.name.clone())
                    .collect();
                (Work::Check { hosts }, String::new())
            }
            StepAction::Manual | StepAction::Note | StepAction::Verify { target: None } => {
                (Work::Tick, String::new())
            }
        };
        let guard = guard(step, &guarded_text, inventory);
        let work = match work {
            // Only read-only steps run on several hosts at once.
            Work::Exec {
                commands,
                timeout,
                parallel,
                capture,
            } => Work::Exec {
                commands,
                timeout,
                parallel: parallel && !guard.is_dangerous(),
                capture,
            },
            other => other,
        };
        Ok(Plan {
            step: step.clone(),
            work,
            guard,
            gate: evaluate(&step.when, fleet, inventory),
            secrets: store
                .secret_values()
                .into_iter()
                .map(str::to_string)
                .collect(),
            capture_is_secret: match &step.action {
                StepAction::Command {
                    capture: Some(c), ..
                } => store.declared(&c.variable).is_some_and(|v| v.secret),
                _ => false,
            },
        })
    }

    /// Where it runs: its hosts, or its database; empty for a ticked step.
    pub fn targets(&self) -> Vec<String> {
        match &self.work {
            Work::Exec { commands, .. } => commands.iter().map(|c| c.host.clone()).collect(),
            Work::Sql { database, .. } => vec![database.clone()],
            Work::Check { hosts } => hosts.clone(),
            Work::Tick => Vec::new(),
        }
    }

    /// What it runs, as the journal and the screen show it (secrets masked): the command (one
    /// line per host when facts make them differ), the statement, or None.
    pub fn display(&self) -> Option<String> {
        match &self.work {
            Work::Exec { commands, .. } => {
                let first = commands.first()?;
                if commands.iter().all(|c| c.display == first.display) {
                    Some(first.display.clone())
                } else {
                    Some(
                        commands
                            .iter()
                            .map(|c| format!("{}: {}", c.host, c.display))
                            .collect::<Vec<_>>()
                            .join("\n"),
                    )
                }
            }
            Work::Sql { display, .. } => Some(display.clone()),
            Work::Check { .. } | Work::Tick => None,
        }
    }

    /// Checks the gate and the operator's answer to the guard (None: not asked).
    pub fn authorize(&self, answer: Option<&str>) -> Result<Authorization, Refusal> {
        if let GateVerdict::Waiting(reasons) = &self.gate {
            return Err(Refusal::Waiting(reasons.clone()));
        }
        answer_guard(&self.guard, answer)
    }

    /// Why the step is guarded, in words.
    pub fn guard_reasons(&self) -> Vec<String> {
        match &self.guard {
            Guard::None => Vec::new(),
            Guard::Yes => vec!["the playbook asks for a yes".to_string()],
            Guard::Typed { reasons, .. } => reasons.clone(),
        }
    }

    /// The journal record of a refused confirmation: a wrong answer, or the operator
    /// cancelling (`refusal` None). Nothing for a closed gate or an unasked guard.
    pub fn refusal_record(&self, incident: &str, refusal: Option<&Refusal>) -> Option<Record> {
        let what = refusal_words(&self.guard, refusal)?;
        Some(Record::DangerousRefused {
            incident: incident.to_string(),
            step: self.step.id.clone(),
            reasons: self.guard_reasons(),
            refusal: what,
        })
    }
}

/// Checks an answer to a guard (None: not asked): the authorization it gives, or why not.
/// Steps and off-script commands are confirmed alike.
pub(crate) fn answer_guard(guard: &Guard, answer: Option<&str>) -> Result<Authorization, Refusal> {
    match (guard, answer) {
        (Guard::None, _) => Ok(Authorization { answer: None }),
        (_, None) => Err(Refusal::NeedsAnswer),
        (guard, Some(given)) if guard.accepts(Some(given)) => Ok(Authorization {
            answer: Some(given.trim().to_string()),
        }),
        (_, Some(given)) => Err(Refusal::Wrong {
            given: given.to_string(),
        }),
    }
}

/// What the journal says of a refused confirmation: a wrong answer, or the operator
/// cancelling (`refusal` None). None for an unguarded run, a closed gate or an unasked guard.
pub(crate) fn refusal_words(guard: &Guard, refusal: Option<&Refusal>) -> Option<String> {
    Some(match (refusal, guard) {
        (_, Guard::None) => return None,
        (None, _) => "cancelled by the operator".to_string(),
        (Some(Refusal::Wrong { given }), Guard::Typed { expected, .. }) => {
            format!("typed `{}`, not `{expected}`", given.trim())
        }
        (Some(Refusal::Wrong { given }), _) => format!("answered `{}`", given.trim()),
        (Some(Refusal::Waiting(_) | Refusal::NeedsAnswer), _) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::health::HostState::*;
    use crate::core::journal::Provenance;
    use crate::core::playbook::{Confirm, Gate, Target, VariableSource};
    use crate::core::run::guard::tests::command_step;
    use crate::core::run::targets::tests::{fleet, inventory};
    use crate::core::run::vars::tests::variable;

    fn store() -> VariableStore {
        let mut s = VariableStore::new(&[
            variable("backup_file", VariableSource::Capture, false),
            variable("token", VariableSource::Prompt, true),
        ]);
        let _ = s.set("token", "s3cr3t", Provenance::Prompt);
        s
    }

    #[test]
    fn command_plan_renders_per_host_in_inventory_order() {
        let inv = inventory();
        let mut step = command_step(
            Target::Role("nginx".into()),
            "curl -H 'X-Token: {{token}}' http://{{host.public_ip}}/",
        );
        step.parallel = true;
        step.timeout_secs = Some(30);
        let plan = Plan::new(&step, &store(), &fleet(&[]), &inv);
        let Ok(plan) = plan else { panic!("{plan:?}") };
        assert_eq!(plan.targets(), ["nginx-1", "nginx-2"]);
        assert!(matches!(
            &plan.work,
            Work::Exec { commands, timeout, parallel: true, .. }
                if commands[1].command == "curl -H 'X-Token: s3cr3t' http://203.0.113.2/"
                && *timeout == Duration::from_secs(30)
        ));
        assert_eq!(
            plan.display().as_deref(),
            Some(
                "nginx-1: curl -H 'X-Token: ***' http://203.0.113.1/\nnginx-2: curl -H 'X-Token: ***' http://203.0.113.2/"
            )
        );
        assert_eq!(plan.guard, Guard::None);
        assert!(plan.authorize(None).is_ok());
    }

    #[test]
    fn bad_references_fail_the_plan_with_the_reason() {
        let inv = inventory();
        let s = store();
        let f = fleet(&[]);
        let err = |step: &Step| Plan::new(step, &s, &f, &inv).err().map(|e| e.to_string());
        assert_eq!(
            err(&command_step(Target::Host("ghost".into()), "true")),
            Some("unknown host `ghost`: not in the inventory".into())
        );
        let capture_first =
            command_step(Target::Host("app-backup".into()), "mysql < {{backup_file}}");
        let e = Plan::new(&capture_first, &s, &f, &inv).err();
        assert_eq!(
            e.as_ref().and_then(PlanError::unset_variable),
            Some("backup_file")
        );
        assert!(matches!(
            e.map(|e| e.record("INC-1", "import-db", 1)),
            Some(Record::StepFinished { ok: false, reason: Some(r), .. })
                if r == "cannot run: variable `backup_file` has no value yet: the step that captures it has not passed yet"
        ));
        let mut sql = command_step(Target::Host("x".into()), "");
        sql.action = StepAction::Sql {
            database: "nope".into(),
            statement: "select 1".into(),
        };
        assert_eq!(
            err(&sql),
            Some("unknown database `nope`: not in the inventory".into())
        );
    }

    #[test]
    fn sql_plan_binds_and_guards_the_statement_only() {
        let inv = inventory();
        let mut s = store();
        let _ = s.set("backup_file", "drop table x", Provenance::Prompt);
        let mut step = command_step(Target::Host("x".into()), "");
        step.action = StepAction::Sql {
            database: "reports".into(),
            statement: "insert into notes(text, token) values ({{backup_file}}, {{token}})".into(),
        };
        let plan = Plan::new(&step, &s, &fleet(&[]), &inv);
        let Ok(plan) = plan else { panic!("{plan:?}") };
        assert_eq!(plan.guard, Guard::None, "a bound value is never executed");
        assert!(matches!(
            &plan.work,
            Work::Sql { dialect: Driver::Postgres, bound, .. }
                if bound.sql == "insert into notes(text, token) values ($1, $2)"
                && bound.binds == ["drop table x", "s3cr3t"]
        ));
        assert_eq!(
            plan.display().as_deref(),
            Some("insert into notes(text, token) values ('drop table x', ***)")
        );
    }

    #[test]
    fn gate_and_typed_guard_decide_authorization() {
        let inv = inventory();
        let mut step = command_step(Target::Role("app-backup".into()), "mysql < /x.sql");
        step.dangerous = true;
        step.confirm = Confirm::Typed;
        step.parallel = true;
        step.when = vec![Gate {
            hosts: crate::core::playbook::HostCount::All,
            target: Target::Role("app-primary".into()),
            state: Down,
        }];
        let up = fleet(&[("app-primary", Up)]);
        let waiting = Plan::new(&step, &store(), &up, &inv);
        assert_eq!(
            waiting
                .as_ref()
                .map(|p| p.authorize(Some("app-backup")))
                .ok(),
            Some(Err(Refusal::Waiting(vec![
                "app-primary (role app-primary) is up; needs down".into()
            ])))
        );
        let down = fleet(&[("app-primary", Down)]);
        let Ok(plan) = Plan::new(&step, &store(), &down, &inv) else {
            panic!("no plan")
        };
        assert!(
            matches!(
                plan.work,
                Work::Exec {
                    parallel: false,
                    ..
                }
            ),
            "dangerous steps never run in parallel"
        );
        assert_eq!(plan.authorize(None), Err(Refusal::NeedsAnswer));
        let wrong = plan.authorize(Some("app-primary"));
        assert_eq!(
            wrong,
            Err(Refusal::Wrong {
                given: "app-primary".into()
            })
        );
        assert_eq!(
            plan.refusal_record("INC-1", wrong.as_ref().err()),
            Some(Record::DangerousRefused {
                incident: "INC-1".into(),
                step: "s".into(),
                reasons: vec!["marked dangerous".into()],
                refusal: "typed `app-primary`, not `app-backup`".into(),
            })
        );
        assert!(matches!(
            plan.refusal_record("INC-1", None),
            Some(Record::DangerousRefused { refusal, .. }) if refusal == "cancelled by the operator"
        ));
        assert!(plan.authorize(Some("app-backup")).is_ok());
    }

    #[test]
    fn manual_and_check_steps() {
        let inv = inventory();
        let mut step = command_step(Target::Host("x".into()), "");
        step.action = StepAction::Manual;
        let plan = Plan::new(&step, &store(), &fleet(&[]), &inv);
        assert_eq!(plan.map(|p| p.work).ok(), Some(Work::Tick));
        step.action = StepAction::Verify {
            target: Some(Target::Role("nginx".into())),
        };
        let plan = Plan::new(&step, &store(), &fleet(&[]), &inv);
        assert_eq!(
            plan.map(|p| p.work).ok(),
            Some(Work::Check {
                hosts: vec!["nginx-1".into(), "nginx-2".into()]
            })
        );
    }
}
