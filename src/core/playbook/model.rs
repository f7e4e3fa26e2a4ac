//! What a playbook is once read: its steps, their actions, targets, gates and variables, and
//! what it asks of a fleet. Built only by [`super::parse()`]; everything else reads these types.

use crate::core::health::{CheckFailure, HostState};
use crate::core::inventory::Inventory;
use crate::core::journal::StepSnapshot;
use crate::core::metrics::Level;
use crate::core::severity::Severity;

/// A procedure for one kind of fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Playbook {
    /// Stable identifier, e.g. `primary-app-down`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Severity an incident opened with this playbook starts at.
    pub severity: Severity,
    /// The playbook's own recovery time objective in minutes (e.g. 30).
    pub rto_minutes: Option<u32>,
    /// The playbook's own status checkpoints (minutes), for any severity; none: the
    /// inventory's for the incident's severity.
    pub checkpoint_minutes: Option<Vec<u32>>,
    /// What the operator sees when this playbook applies.
    pub symptoms: Vec<String>,
    /// Fleet state that suggests this playbook.
    pub trigger: Option<Gate>,
    /// Values the steps use as `{{name}}`.
    pub variables: Vec<Variable>,
    /// The procedure, in order.
    pub steps: Vec<Step>,
}

/// A fleet condition: a host or every host of a role in a given state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// Which host(s).
    pub target: Target,
    /// The state they must be in.
    pub state: HostState,
}

/// Which hosts a step or gate is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One host by name.
    Host(String),
    /// Every host of a role.
    Role(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Host(h) => write!(f, "host {h}"),
            Target::Role(r) => write!(f, "role {r}"),
        }
    }
}

/// Where a variable's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableSource {
    /// Asked from the operator.
    Prompt,
    /// Taken from the incident: a fact (`vars` entry) of the host that triggered it.
    Incident {
        /// The host fact to read, e.g. `public_ip`.
        fact: String,
    },
    /// Captured from an earlier step's output.
    Capture,
}

/// A value the steps use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// Name used as `{{name}}`.
    pub name: String,
    /// What it is, shown when asking for it.
    pub description: String,
    /// Where it comes from.
    pub source: VariableSource,
    /// Secret values are redacted from the journal, the screen and the log file.
    pub secret: bool,
    /// Value used when nothing else provides one.
    pub default: Option<String>,
}

/// What the operator must do before a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Nothing.
    None,
    /// Answer yes.
    Yes,
    /// Type the target's name (host or database).
    Typed,
}

/// What to do when a step fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// Stop the procedure here until the operator decides.
    Stop,
    /// Note the failure and go on.
    Continue,
}

/// What a successful step looks like.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expectation {
    /// Exit status of a command.
    pub exit: Option<i32>,
    /// Rows affected by a SQL statement, inclusive bounds (`max` None = no upper bound).
    pub rows: Option<(u64, Option<u64>)>,
    /// HTTP status of a check.
    pub http_status: Option<u16>,
}

/// Takes a value out of a command's output into a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// Variable that receives the value.
    pub variable: String,
    /// Regular expression; its first group (or the whole match) is the value.
    pub regex: String,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepAction {
    /// The operator does it by hand and ticks it.
    Manual,
    /// Run the health checks of some hosts; passes or fails by itself.
    Check {
        /// Hosts to check.
        target: Target,
    },
    /// Run a shell command on hosts.
    Command {
        /// Where it runs.
        target: Target,
        /// The command, with `{{placeholders}}`.
        run: String,
        /// Value to capture from its output.
        capture: Option<Capture>,
    },
    /// Run SQL on a named database.
    Sql {
        /// Inventory database name.
        database: String,
        /// The statement(s), with `{{placeholders}}` bound as parameters.
        statement: String,
    },
    /// Information for the operator; nothing to do.
    Note,
    /// Confirm that something works (by hand, or by checks when a target is given).
    Verify {
        /// Hosts whose checks prove it, if any.
        target: Option<Target>,
    },
}

impl StepAction {
    /// The kind as written in the file.
    pub fn kind(&self) -> &'static str {
        match self {
            StepAction::Manual => "manual",
            StepAction::Check { .. } => "check",
            StepAction::Command { .. } => "command",
            StepAction::Sql { .. } => "sql",
            StepAction::Note => "note",
            StepAction::Verify { .. } => "verify",
        }
    }
}

/// The failures a `check` or `verify` step's hint is for unless it says otherwise: the host
/// unreachable or a service check failing, not resource pressure.
pub const DEFAULT_HINT_FOR: [CheckFailure; 2] = [CheckFailure::Unreachable, CheckFailure::Service];

/// One step of a playbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Identifier unique in the playbook.
    pub id: String,
    /// One line saying what to do.
    pub title: String,
    /// Longer explanation.
    pub detail: Option<String>,
    /// What the step does.
    pub action: StepAction,
    /// Confirmation needed before it runs.
    pub confirm: Confirm,
    /// Marked dangerous by its author.
    pub dangerous: bool,
    /// What success looks like.
    pub expect: Option<Expectation>,
    /// What to do when it fails.
    pub on_failure: OnFailure,
    /// Advice shown when it fails.
    pub failure_hint: Option<String>,
    /// For `check` and `verify` steps: the failures `failure_hint` was written for; empty
    /// means [`DEFAULT_HINT_FOR`].
    pub failure_hint_for: Vec<CheckFailure>,
    /// For `check` and `verify` steps: resource pressure at or above this level fails the
    /// step; `None` leaves it to the inventory's `fail_on_pressure` (by default pressure never
    /// fails a step).
    pub fail_on_pressure: Option<Level>,
    /// Fleet conditions that must hold before it may run.
    pub when: Vec<Gate>,
    /// Time limit in seconds.
    pub timeout_secs: Option<u64>,
    /// Run on several hosts at once (read-only steps only).
    pub parallel: bool,
}

impl Playbook {
    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The steps as an incident records them when it opens.
    pub fn step_snapshots(&self) -> Vec<StepSnapshot> {
        self.steps
            .iter()
            .map(|s| StepSnapshot {
                id: s.id.clone(),
                title: s.title.clone(),
                kind: s.action.kind().to_string(),
            })
            .collect()
    }
}

/// Applicability of a playbook to a fleet (kept apart from validation: `parse` with an inventory
/// reports the same references as errors; this says what a fleet lacks without judging the file).
impl Playbook {
    /// The hosts, roles and databases this playbook names that `inventory` does not have, each
    /// said once, in file order (trigger, then each step's target, database and `when` gates),
    /// e.g. "no host has role `rabbitmq`". Empty when the playbook fits the fleet.
    pub fn missing_references(&self, inventory: &Inventory) -> Vec<String> {
        let mut missing: Vec<String> = Vec::new();
        let mut note = |reason: Option<String>| {
            if let Some(r) = reason
                && !missing.contains(&r)
            {
                missing.push(r);
            }
        };
        let target_missing = |target: &Target| match target {
            Target::Host(h) => inventory
                .host(h)
                .is_none()
                .then(|| format!("no host is named `{h}`")),
            Target::Role(r) => (!inventory.has_role(r)).then(|| format!("no host has role `{r}`")),
        };
        if let Some(g) = &self.trigger {
            note(target_missing(&g.target));
        }
        for step in &self.steps {
            match &step.action {
                StepAction::Check { target }
                | StepAction::Command { target, .. }
                | StepAction::Verify {
                    target: Some(target),
                } => note(target_missing(target)),
                StepAction::Sql { database, .. } => note(
                    inventory
                        .database(database)
                        .is_none()
                        .then(|| format!("no database is named `{database}`")),
                ),
                StepAction::Manual | StepAction::Note | StepAction::Verify { target: None } => {}
            }
            for g in &step.when {
                note(target_missing(&g.target));
            }
        }
        missing
    }
}
