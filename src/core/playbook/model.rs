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
    pub trigger: Option<Trigger>,
    /// Values the steps use as `{{name}}`.
    pub variables: Vec<Variable>,
    /// The procedure, in order.
    pub steps: Vec<Step>,
}

/// A fleet condition a step waits for: a host, or hosts of a role, in a given state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// Which host(s).
    pub target: Target,
    /// The state they must be in.
    pub state: HostState,
    /// How many hosts of a role must be in it (a single host: that host).
    pub hosts: HostCount,
}

/// How many hosts of a role a condition needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostCount {
    /// Every host of the role.
    #[default]
    All,
    /// At least this many (1: any host of the role).
    AtLeast(u32),
}

impl HostCount {
    /// Whether `matching` hosts out of `total` are enough (a target with no host never holds).
    pub fn holds(self, matching: usize, total: usize) -> bool {
        total > 0
            && match self {
                HostCount::All => matching == total,
                HostCount::AtLeast(n) => matching >= n as usize,
            }
    }
}

impl std::fmt::Display for HostCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostCount::All => f.write_str("every"),
            HostCount::AtLeast(1) => f.write_str("any"),
            HostCount::AtLeast(n) => write!(f, "at least {n}"),
        }
    }
}

/// The fleet state that suggests a playbook: hosts of a target in a state, showing a symptom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    /// Which host(s); never [`Target::Incident`].
    pub target: Target,
    /// The state they must be in, if the trigger says.
    pub state: Option<HostState>,
    /// How many hosts of a role must match.
    pub hosts: HostCount,
    /// What must be wrong with them, if the trigger says.
    pub symptom: Option<Symptom>,
}

/// What is wrong with a host, as a trigger names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symptom {
    /// The host does not answer: down, or every check fails.
    Unreachable,
    /// The host answers but a check fails (that check, when named: a check label, or its
    /// first word, e.g. `tcp:5672` or `http`).
    Service {
        /// The failing check it must be.
        check: Option<String>,
    },
    /// Resource pressure of one kind at or above a level.
    Pressure {
        /// Which resource.
        resource: Resource,
        /// The level it must reach.
        level: Level,
    },
}

/// A resource whose pressure a trigger can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// Any disk (mount point) of the host.
    Disk,
    /// Memory.
    Memory,
    /// CPU use.
    Cpu,
}

impl Resource {
    /// The word a trigger's `symptom` names it by (`disk`, `memory`, `cpu`).
    pub fn word(self) -> &'static str {
        match self {
            Resource::Disk => "disk",
            Resource::Memory => "memory",
            Resource::Cpu => "cpu",
        }
    }

    /// The resource a `symptom` word names, if it names one.
    pub fn from_word(word: &str) -> Option<Resource> {
        [Resource::Disk, Resource::Memory, Resource::Cpu]
            .into_iter()
            .find(|r| r.word() == word)
    }

    /// The name of the pressure items it matches: the item itself (`mem`, `cpu`) or their
    /// first word (`disk /var`).
    pub fn pressure_item(self) -> &'static str {
        match self {
            Resource::Disk => "disk",
            Resource::Memory => "mem",
            Resource::Cpu => "cpu",
        }
    }
}

impl std::fmt::Display for Symptom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Symptom::Unreachable => f.write_str("unreachable"),
            Symptom::Service { check: None } => f.write_str("failing a check"),
            Symptom::Service { check: Some(c) } => write!(f, "failing check {c}"),
            Symptom::Pressure { resource, level } => {
                write!(f, "under {} pressure ({level})", resource.word())
            }
        }
    }
}

/// Which hosts a step or gate is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One host by name.
    Host(String),
    /// Every host of a role.
    Role(String),
    /// The incident's host: the one that matched the trigger when the incident opened.
    Incident,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Host(h) => write!(f, "host {h}"),
            Target::Role(r) => write!(f, "role {r}"),
            Target::Incident => f.write_str("the incident's host"),
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

    /// The hosts a check, command or verify step is about (None for the others, and for a
    /// verify of the whole fleet).
    pub fn host_target(&self) -> Option<&Target> {
        match self {
            StepAction::Check { target }
            | StepAction::Command { target, .. }
            | StepAction::Verify {
                target: Some(target),
            } => Some(target),
            _ => None,
        }
    }

    fn host_target_mut(&mut self) -> Option<&mut Target> {
        match self {
            StepAction::Check { target }
            | StepAction::Command { target, .. }
            | StepAction::Verify {
                target: Some(target),
            } => Some(target),
            _ => None,
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
    /// A command that needs root: run as is where the host's privilege is `root`, under
    /// `sudo -n` where it is `sudo`.
    pub privileged: bool,
    /// A command run as this service's OS user with its PATH, as the inventory declares.
    pub service: Option<String>,
}

impl Step {
    /// Whether the step, or one of its gates, is about the incident's host.
    pub fn uses_incident_host(&self) -> bool {
        self.action.host_target() == Some(&Target::Incident)
            || self.when.iter().any(|g| g.target == Target::Incident)
    }

    /// The step with "the incident's host" (its target and its gates') made the named host.
    /// None when the step is about the incident's host and the incident has none.
    pub fn bound_to_incident(&self, host: Option<&str>) -> Option<Step> {
        if !self.uses_incident_host() {
            return Some(self.clone());
        }
        let host = host?;
        let mut step = self.clone();
        let gates = step.when.iter_mut().map(|g| &mut g.target);
        for target in step.action.host_target_mut().into_iter().chain(gates) {
            if *target == Target::Incident {
                *target = Target::Host(host.to_string());
            }
        }
        Some(step)
    }
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
            Target::Incident => None,
        };
        if let Some(t) = &self.trigger {
            note(target_missing(&t.target));
        }
        for step in &self.steps {
            if let (StepAction::Command { target, .. }, Some(service)) =
                (&step.action, &step.service)
            {
                let target = match target {
                    Target::Incident => self.trigger.as_ref().map(|t| &t.target),
                    other => Some(other),
                };
                let declared = inventory.hosts.iter().any(|h| {
                    h.services.contains_key(service)
                        && match target {
                            Some(Target::Host(name)) => &h.name == name,
                            Some(Target::Role(role)) => &h.role == role,
                            _ => true,
                        }
                });
                if !declared && target.is_none_or(|t| target_missing(t).is_none()) {
                    note(Some(match target {
                        Some(Target::Role(role)) => {
                            format!("no host of role `{role}` declares service `{service}`")
                        }
                        Some(Target::Host(name)) => {
                            format!("host `{name}` does not declare service `{service}`")
                        }
                        _ => format!("no host declares service `{service}`"),
                    }));
                }
            }
            if let Some(target) = step.action.host_target() {
                note(target_missing(target));
            }
            if let StepAction::Sql { database, .. } = &step.action {
                note(
                    inventory
                        .database(database)
                        .is_none()
                        .then(|| format!("no database is named `{database}`")),
                );
            }
            for g in &step.when {
                note(target_missing(&g.target));
            }
        }
        missing
    }
}
