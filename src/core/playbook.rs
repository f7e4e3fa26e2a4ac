//! Playbooks: the procedure for one kind of fault, as ordered steps (TOML, one file each).

use crate::core::choices::{
    ConfirmWord, FailureWord, HostStateWord, OnFailureWord, PressureWord, SeverityWord, StepKind,
    VariableFrom,
};
use crate::core::diagnostic::{Collector, Diagnostics, SourceFile};
use crate::core::health::{CheckFailure, HostState};
use crate::core::inventory::Inventory;
use crate::core::journal::StepSnapshot;
use crate::core::metrics::{Level, pressure_limit};
use crate::core::settings::DEFAULT_DANGEROUS_PATTERNS;
use crate::core::settings::dangerous_matches;
use crate::core::severity::Severity;
use crate::core::template::shell_text::{ShellContext, shell_placeholders};
use crate::core::template::sql_text::misplaced_sql_placeholders;
use crate::core::template::{placeholders, unclosed};
use crate::core::toml_string::value_offset;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::HashSet;
use std::ops::Range;
use toml::Spanned;

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

/// A cockpit playbook: the procedure for one kind of fault, as ordered steps. One TOML file
/// per playbook. Reference: docs/playbooks.md.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Playbook", transform = steps_required)]
pub(crate) struct RawPlaybook {
    /// Letters, digits, `-` and `_`, required. Stable identifier, e.g. `primary-app-down`; a
    /// file of yours with the id of a built-in playbook replaces it.
    #[schemars(with = "String", regex(pattern = r"^[A-Za-z0-9_-]+$"))]
    id: Spanned<String>,
    /// String, required. The playbook's name in the picker and the journal.
    title: String,
    /// `P0`…`P3`, required. The severity an incident opened with this playbook starts at.
    #[schemars(with = "SeverityWord")]
    severity: Spanned<String>,
    /// Minutes, default none. The playbook's own recovery time objective, shown on the incident
    /// clock and journaled when passed.
    rto_minutes: Option<u32>,
    /// List of strings, default none. What the operator sees when this playbook applies.
    #[serde(default)]
    symptoms: Vec<String>,
    /// `{ host | role, state }`, default none. The fleet state that suggests this playbook.
    #[schemars(with = "Option<RawGate>")]
    trigger: Option<Spanned<RawGate>>,
    /// `[[variables]]` tables, default none. Values the steps use as `{{name}}`.
    #[serde(default)]
    #[schemars(with = "Vec<RawVariable>")]
    variables: Vec<Spanned<RawVariable>>,
    /// `[[steps]]` tables, at least one. The procedure, in order.
    #[serde(default)]
    #[schemars(with = "Vec<RawStep>", length(min = 1))]
    steps: Vec<Spanned<RawStep>>,
}

/// `steps` defaults to none for serde, so that `cockpit check` can say "playbook has no
/// steps"; the schema requires it.
fn steps_required(schema: &mut schemars::Schema) {
    if let Some(serde_json::Value::Array(required)) = schema.get_mut("required") {
        required.push("steps".into());
    }
}

/// A fleet condition: one host (`host`) or every host of a role (`role`) in a given `state`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Condition")]
struct RawGate {
    /// A host name of the inventory. Give `host` or `role`, not both.
    #[schemars(with = "Option<String>")]
    host: Option<Spanned<String>>,
    /// A role some inventory host has; the condition holds when every host of the role is in
    /// `state`. Give `host` or `role`, not both.
    #[schemars(with = "Option<String>")]
    role: Option<Spanned<String>>,
    /// `up`, `degraded`, `down`, `recovering` or `recovered`, required.
    #[schemars(with = "HostStateWord")]
    state: Spanned<String>,
}

/// One `[[variables]]` table: a value the steps use as `{{name}}`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Variable")]
struct RawVariable {
    /// Letters, digits and `_`, required, unique. Used in steps as `{{name}}`.
    #[schemars(with = "String", regex(pattern = r"^[A-Za-z0-9_]+$"))]
    name: Spanned<String>,
    /// String, default empty. What the value is; shown when the operator is asked for it.
    #[serde(default)]
    description: String,
    /// `prompt` (default), `incident` or `capture`. Where the value comes from.
    #[schemars(with = "Option<VariableFrom>")]
    from: Option<Spanned<String>>,
    /// A host fact (a `vars` key of the inventory host), required with `from = "incident"`,
    /// e.g. `public_ip`: the value is that fact of the host that triggered the incident.
    fact: Option<String>,
    /// Boolean, default false. A secret value is shown as `***` on screen, in the journal and
    /// in the log file.
    #[serde(default)]
    secret: bool,
    /// String, default none. The value used when nothing else provides one.
    default: Option<String>,
}

/// One `[[steps]]` table: a step of the procedure. Which fields apply depends on `kind`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Step")]
struct RawStep {
    /// String, required, unique in the playbook, e.g. `restart-app`. Names the step in the
    /// journal.
    #[schemars(with = "String", regex(pattern = r"\S"))]
    id: Spanned<String>,
    /// String, required. One line saying what to do.
    title: String,
    /// `manual`, `check`, `command`, `sql`, `note` or `verify`, required. What the step does.
    #[schemars(with = "StepKind")]
    kind: Spanned<String>,
    /// String (often a `"""` multi-line string), default none. The longer explanation shown
    /// under the step; may use `{{placeholders}}`.
    #[schemars(with = "Option<String>")]
    detail: Option<Spanned<String>>,
    /// A host of the inventory; `check`, `command` and `verify` steps. Where the step runs.
    /// Give `host` or `role`, not both.
    #[schemars(with = "Option<String>")]
    host: Option<Spanned<String>>,
    /// A role of the inventory; `check`, `command` and `verify` steps. The step runs on every
    /// host of the role, in inventory order. Give `host` or `role`, not both.
    #[schemars(with = "Option<String>")]
    role: Option<Spanned<String>>,
    /// Shell command, required for `command` steps. Runs under `sh -c`; `{{placeholders}}`
    /// become single literal words.
    #[schemars(with = "Option<String>")]
    run: Option<Spanned<String>>,
    /// `{ variable, regex }`, `command` steps only. Takes a value from the command's output
    /// into a variable declared with `from = "capture"`.
    #[schemars(with = "Option<RawCapture>")]
    capture: Option<Spanned<RawCapture>>,
    /// A `[[databases]]` name of the inventory, required for `sql` steps.
    #[schemars(with = "Option<String>")]
    database: Option<Spanned<String>>,
    /// SQL statement(s), required for `sql` steps. Runs in a transaction; `{{placeholders}}`
    /// are bound as parameters, so they stand where a value goes.
    #[schemars(with = "Option<String>")]
    sql: Option<Spanned<String>>,
    /// `none`, `yes` or `typed`. Default `none`, or `typed` on a dangerous step (which accepts
    /// only `typed`). What the operator must do before the step runs.
    #[schemars(with = "Option<ConfirmWord>")]
    confirm: Option<Spanned<String>>,
    /// Boolean, default false. Marks the step dangerous: its target's name must be typed to
    /// run it, and it never runs in parallel.
    #[serde(default)]
    dangerous: bool,
    /// `{ exit, rows, http_status }`, default none. What success looks like.
    #[schemars(with = "Option<RawExpect>")]
    expect: Option<Spanned<RawExpect>>,
    /// `stop` (default) or `continue`. What to do when the step fails on a host.
    #[schemars(with = "Option<OnFailureWord>")]
    on_failure: Option<Spanned<String>>,
    /// String, default none. Advice shown when the step fails.
    failure_hint: Option<String>,
    /// List of `unreachable`, `service`, `pressure`; `check` and `verify` steps. The failures
    /// `failure_hint` was written for. Default: `unreachable` and `service`.
    #[serde(default)]
    #[schemars(with = "Vec<FailureWord>")]
    failure_hint_for: Vec<Spanned<String>>,
    /// `warning` or `critical`; `check` and `verify` steps. Resource pressure at or above this
    /// level fails the step. Default: the inventory's `fail_on_pressure` (by default, never).
    #[schemars(with = "Option<PressureWord>")]
    fail_on_pressure: Option<Spanned<String>>,
    /// List of `{ host | role, state }`, default none. Conditions that must all hold before the
    /// step may run; until then it says why it waits.
    #[serde(default)]
    #[schemars(with = "Vec<RawGate>")]
    when: Vec<Spanned<RawGate>>,
    /// Seconds, default 120 for a command. Time limit of the step on each host.
    timeout_secs: Option<u64>,
    /// Boolean, default false. Run on every host of the role at once; only for read-only steps
    /// (not dangerous, no dangerous pattern in `run` or `sql`).
    #[schemars(with = "Option<bool>")]
    parallel: Option<Spanned<bool>>,
}

/// `capture = { variable, regex }`: takes a value from a command's output into a variable.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Capture")]
struct RawCapture {
    /// Required. A variable declared with `from = "capture"`.
    #[schemars(with = "String")]
    variable: Spanned<String>,
    /// Regular expression (Rust syntax), required. The first output line that matches gives
    /// the value: its first group, else the whole match.
    #[schemars(with = "String")]
    regex: Spanned<String>,
}

/// `expect = { … }`: what success looks like.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Expectation")]
struct RawExpect {
    /// Integer, default 0. The exit status a command must end with on each host.
    exit: Option<i32>,
    /// `N`, `MIN..MAX` (inclusive) or `MIN..`, e.g. `"1..4"`. The rows a sql step must affect
    /// before its commit is offered.
    #[schemars(
        with = "Option<String>",
        regex(pattern = r"^\s*[0-9]+\s*(\.\.\s*([0-9]+)?\s*)?$")
    )]
    rows: Option<Spanned<String>>,
    /// HTTP status 100–599. Shown with the step as the status the service should answer;
    /// cockpit does not compare it (a check's HTTP verdict comes from the host's `http` checks
    /// and their `expect_status`).
    #[schemars(range(min = 100, max = 599))]
    http_status: Option<u16>,
}

const FAILURE_KINDS: &str = "`unreachable`, `service` or `pressure`";

const STEP_KINDS: &str = "`manual`, `check`, `command`, `sql`, `note` or `verify`";
const HOST_STATES: &str = "`up`, `degraded`, `down`, `recovering` or `recovered`";

/// This file's problems, and the inventory references are checked against.
struct Checker<'a> {
    diagnostics: Collector<'a>,
    inventory: Option<&'a Inventory>,
    /// The file's text, to find where a string's content starts.
    text: &'a str,
}

impl Checker<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>, expected: Option<&str>) {
        self.diagnostics.error(span, message, expected);
    }

    /// The file offset of byte `at` of a string value whose span (quotes included) is `span`,
    /// escapes accounted for.
    fn in_string(&self, span: &Range<usize>, at: usize) -> usize {
        value_offset(self.text, span.start, at)
    }

    /// The dangerous patterns in force: the inventory's, else the defaults.
    fn dangerous_patterns(&self) -> Vec<String> {
        match self.inventory {
            Some(inv) => inv.settings.dangerous_patterns.clone(),
            None => DEFAULT_DANGEROUS_PATTERNS
                .iter()
                .map(|p| p.to_string())
                .collect(),
        }
    }

    /// Exactly one of host/role, known to the inventory when there is one.
    fn target(
        &mut self,
        host: Option<Spanned<String>>,
        role: Option<Spanned<String>>,
        span: Range<usize>,
        what: &str,
    ) -> Option<Target> {
        match (host, role) {
            (Some(host), None) => {
                if let Some(inv) = self.inventory
                    && inv.host(host.get_ref()).is_none()
                {
                    self.error(
                        host.span(),
                        format!("unknown host `{}`", host.get_ref()),
                        Some("the name of a host in the inventory"),
                    );
                }
                Some(Target::Host(host.into_inner()))
            }
            (None, Some(role)) => {
                if let Some(inv) = self.inventory
                    && !inv.has_role(role.get_ref())
                {
                    self.error(
                        role.span(),
                        format!("no host of the inventory has role `{}`", role.get_ref()),
                        Some("a role that some inventory host has"),
                    );
                }
                Some(Target::Role(role.into_inner()))
            }
            (Some(host), Some(_)) => {
                self.error(
                    host.span(),
                    format!("{what} names both a host and a role"),
                    Some("`host` or `role`, not both"),
                );
                None
            }
            (None, None) => {
                self.error(
                    span,
                    format!("{what} needs a target"),
                    Some("`host = \"name\"` or `role = \"role\"`"),
                );
                None
            }
        }
    }

    fn gate(&mut self, raw: Spanned<RawGate>) -> Option<Gate> {
        let span = raw.span();
        let raw = raw.into_inner();
        let state = match raw.state.get_ref().parse::<HostState>() {
            Ok(s) => Some(s),
            Err(_) => {
                self.error(
                    raw.state.span(),
                    format!("unknown host state `{}`", raw.state.get_ref()),
                    Some(HOST_STATES),
                );
                None
            }
        };
        let target = self.target(raw.host, raw.role, span, "condition");
        Some(Gate {
            target: target?,
            state: state?,
        })
    }
}

/// Parses and validates a playbook. With an inventory, host, role and database references are
/// checked against it too. Every problem found is returned, each located.
pub fn parse(src: &SourceFile, inventory: Option<&Inventory>) -> Result<Playbook, Diagnostics> {
    let raw: RawPlaybook = toml::from_str(&src.text).map_err(|e| src.toml_error(&e))?;
    let mut checker = Checker {
        diagnostics: Collector::new(src),
        inventory,
        text: &src.text,
    };
    let id_ok = !raw.id.get_ref().is_empty()
        && raw
            .id
            .get_ref()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !id_ok {
        checker.error(
            raw.id.span(),
            format!("invalid playbook id `{}`", raw.id.get_ref()),
            Some("letters, digits, `-` and `_`, e.g. `primary-app-down`"),
        );
    }
    let severity = raw
        .severity
        .get_ref()
        .parse::<Severity>()
        .unwrap_or_else(|_| {
            checker.error(
                raw.severity.span(),
                format!("unknown severity `{}`", raw.severity.get_ref()),
                Some("`P0`, `P1`, `P2` or `P3`"),
            );
            Severity::P0
        });
    let trigger = raw.trigger.and_then(|g| checker.gate(g));
    let variables = variables_from(raw.variables, &mut checker);
    if raw.steps.is_empty() {
        checker.error(
            0..0,
            "playbook has no steps",
            Some("at least one [[steps]] table"),
        );
    }
    let mut step_ids = HashSet::new();
    let mut captured: HashSet<String> = HashSet::new();
    let mut steps = Vec::new();
    for raw_step in raw.steps {
        let id = &raw_step.get_ref().id;
        if id.get_ref().trim().is_empty() {
            checker.error(
                id.span(),
                "a step has an empty id",
                Some("a short unique id, e.g. `restart-app`"),
            );
        }
        if !step_ids.insert(raw_step.get_ref().id.get_ref().clone()) {
            let id = &raw_step.get_ref().id;
            checker.error(
                id.span(),
                format!("step id `{}` is used twice", id.get_ref()),
                Some("a unique step id"),
            );
        }
        if let Some(step) = step_from(raw_step, &variables, &mut captured, &mut checker) {
            steps.push(step);
        }
    }
    checker.diagnostics.finish(Playbook {
        id: raw.id.into_inner(),
        title: raw.title,
        severity,
        rto_minutes: raw.rto_minutes,
        symptoms: raw.symptoms,
        trigger,
        variables,
        steps,
    })
}

fn variables_from(raw: Vec<Spanned<RawVariable>>, checker: &mut Checker<'_>) -> Vec<Variable> {
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for raw_var in raw {
        let span = raw_var.span();
        let v = raw_var.into_inner();
        let name_ok = !v.name.get_ref().is_empty()
            && v.name
                .get_ref()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !name_ok {
            checker.error(
                v.name.span(),
                format!("invalid variable name `{}`", v.name.get_ref()),
                Some("letters, digits and `_`"),
            );
        }
        if !names.insert(v.name.get_ref().clone()) {
            checker.error(
                v.name.span(),
                format!("variable `{}` is declared twice", v.name.get_ref()),
                Some("a unique name"),
            );
        }
        let source = match v.from.as_ref().map(|f| f.get_ref().as_str()) {
            None | Some("prompt") => VariableSource::Prompt,
            Some("capture") => VariableSource::Capture,
            Some("incident") => match v.fact.clone() {
                Some(fact) => VariableSource::Incident { fact },
                None => {
                    checker.error(
                        span,
                        "an incident variable needs the host fact it reads",
                        Some("`fact = \"public_ip\"`"),
                    );
                    VariableSource::Prompt
                }
            },
            Some(other) => {
                let span = v.from.as_ref().map_or(span, Spanned::span);
                checker.error(
                    span,
                    format!("unknown variable source `{other}`"),
                    Some("`prompt`, `incident` or `capture`"),
                );
                VariableSource::Prompt
            }
        };
        out.push(Variable {
            name: v.name.into_inner(),
            description: v.description,
            source,
            secret: v.secret,
            default: v.default,
        });
    }
    out
}

/// A step field, where it is in the file, and the step kinds it applies to.
type FieldUse<'a> = (&'a str, Option<Range<usize>>, &'a [&'a str]);

/// Fields that only make sense for some step kinds, so a typo in `kind` is caught early.
fn misplaced_fields(raw: &RawStep, kind: &str, checker: &mut Checker<'_>) {
    let hint_for = raw
        .failure_hint_for
        .first()
        .map(|f| f.span().start..raw.failure_hint_for.last().map_or(0, |l| l.span().end));
    let fields: [FieldUse<'_>; 8] = [
        (
            "host",
            raw.host.as_ref().map(Spanned::span),
            &["check", "command", "verify"],
        ),
        (
            "role",
            raw.role.as_ref().map(Spanned::span),
            &["check", "command", "verify"],
        ),
        ("run", raw.run.as_ref().map(Spanned::span), &["command"]),
        (
            "capture",
            raw.capture.as_ref().map(Spanned::span),
            &["command"],
        ),
        (
            "database",
            raw.database.as_ref().map(Spanned::span),
            &["sql"],
        ),
        ("sql", raw.sql.as_ref().map(Spanned::span), &["sql"]),
        ("failure_hint_for", hint_for, &["check", "verify"]),
        (
            "fail_on_pressure",
            raw.fail_on_pressure.as_ref().map(Spanned::span),
            &["check", "verify"],
        ),
    ];
    for (field, span, kinds) in fields {
        if let Some(span) = span
            && !kinds.contains(&kind)
        {
            checker.error(
                span,
                format!("`{field}` does not apply to a {kind} step"),
                Some(&format!("`{field}` only on {} steps", kinds.join("/"))),
            );
        }
    }
}

fn step_from(
    raw: Spanned<RawStep>,
    variables: &[Variable],
    captured: &mut HashSet<String>,
    checker: &mut Checker<'_>,
) -> Option<Step> {
    let span = raw.span();
    let raw = raw.into_inner();
    let kind = raw.kind.get_ref().clone();
    if !["manual", "check", "command", "sql", "note", "verify"].contains(&kind.as_str()) {
        checker.error(
            raw.kind.span(),
            format!("unknown step kind `{kind}`"),
            Some(STEP_KINDS),
        );
        return None;
    }
    misplaced_fields(&raw, &kind, checker);
    for text in [&raw.run, &raw.sql, &raw.detail].into_iter().flatten() {
        check_placeholders(text, variables, captured, checker);
    }
    if let Some(sql) = &raw.sql {
        check_sql_placeholders(sql, checker);
    }
    if let Some(run) = &raw.run {
        check_shell_placeholders(run, checker);
    }
    check_parallel(&raw, checker);
    let action = match kind.as_str() {
        "manual" => StepAction::Manual,
        "note" => StepAction::Note,
        "check" => StepAction::Check {
            target: checker.target(raw.host, raw.role, span.clone(), "check step")?,
        },
        "verify" => StepAction::Verify {
            target: if raw.host.is_some() || raw.role.is_some() {
                checker.target(raw.host, raw.role, span.clone(), "verify step")
            } else {
                None
            },
        },
        "command" => {
            let target = checker.target(raw.host, raw.role, span.clone(), "command step");
            let Some(run) = raw.run else {
                checker.error(
                    span,
                    "command step without `run`",
                    Some("`run = \"shell command\"`"),
                );
                return None;
            };
            let capture = raw
                .capture
                .and_then(|c| capture_from(c.into_inner(), variables, captured, checker));
            StepAction::Command {
                target: target?,
                run: run.into_inner(),
                capture,
            }
        }
        _ => {
            let database = match raw.database {
                Some(db) => {
                    if let Some(inv) = checker.inventory
                        && inv.database(db.get_ref()).is_none()
                    {
                        checker.error(
                            db.span(),
                            format!("unknown database `{}`", db.get_ref()),
                            Some("the name of a [[databases]] entry of the inventory"),
                        );
                    }
                    db.into_inner()
                }
                None => {
                    checker.error(
                        span.clone(),
                        "sql step without `database`",
                        Some("`database = \"name\"`"),
                    );
                    return None;
                }
            };
            let Some(sql) = raw.sql else {
                checker.error(span, "sql step without `sql`", Some("`sql = \"update …\"`"));
                return None;
            };
            StepAction::Sql {
                database,
                statement: sql.into_inner(),
            }
        }
    };
    let confirm = match raw.confirm.as_ref().map(|c| c.get_ref().as_str()) {
        None if raw.dangerous => Confirm::Typed,
        None | Some("none") => Confirm::None,
        Some("yes") => Confirm::Yes,
        Some("typed") => Confirm::Typed,
        Some(other) => {
            let span = raw.confirm.as_ref().map_or(span.clone(), Spanned::span);
            checker.error(
                span,
                format!("unknown confirmation `{other}`"),
                Some("`none`, `yes` or `typed`"),
            );
            Confirm::None
        }
    };
    if raw.dangerous
        && confirm != Confirm::Typed
        && let Some(c) = &raw.confirm
    {
        checker.error(
            c.span(),
            "a dangerous step needs a typed confirmation",
            Some("`confirm = \"typed\"` (or leave it out)"),
        );
    }
    let on_failure = match raw.on_failure.as_ref().map(|c| c.get_ref().as_str()) {
        None | Some("stop") => OnFailure::Stop,
        Some("continue") => OnFailure::Continue,
        Some(other) => {
            let span = raw.on_failure.as_ref().map_or(span.clone(), Spanned::span);
            checker.error(
                span,
                format!("unknown on_failure `{other}`"),
                Some("`stop` or `continue`"),
            );
            OnFailure::Stop
        }
    };
    let expect = raw.expect.map(|e| {
        let span = e.span();
        expectation_from(e.into_inner(), span, checker)
    });
    let failure_hint_for = raw
        .failure_hint_for
        .iter()
        .filter_map(|f| match f.get_ref().parse::<CheckFailure>() {
            Ok(kind) => Some(kind),
            Err(e) => {
                checker.error(f.span(), e, Some(FAILURE_KINDS));
                None
            }
        })
        .collect();
    let fail_on_pressure = raw
        .fail_on_pressure
        .as_ref()
        .and_then(|level| pressure_limit(level, &mut checker.diagnostics));
    let when = raw
        .when
        .into_iter()
        .filter_map(|g| checker.gate(g))
        .collect();
    Some(Step {
        id: raw.id.into_inner(),
        title: raw.title,
        detail: raw.detail.map(Spanned::into_inner),
        action,
        confirm,
        dangerous: raw.dangerous,
        expect,
        on_failure,
        failure_hint: raw.failure_hint,
        failure_hint_for,
        fail_on_pressure,
        when,
        timeout_secs: raw.timeout_secs,
        parallel: raw.parallel.is_some_and(|p| *p.get_ref()),
    })
}

/// A placeholder in SQL must stand where a value goes: it becomes a bind parameter.
fn check_sql_placeholders(sql: &Spanned<String>, checker: &mut Checker<'_>) {
    for (p, context) in misplaced_sql_placeholders(sql.get_ref()) {
        let at = checker.in_string(&sql.span(), p.range.start);
        checker.error(
            at..at,
            format!(
                "`{{{{{}}}}}` is inside {context}: it cannot be bound as a parameter",
                p.name
            ),
            Some("the placeholder bare, where a value goes: `where ip = {{failed_ip}}`"),
        );
    }
}

/// A placeholder in a shell command must stand where its value can be made one literal word.
fn check_shell_placeholders(run: &Spanned<String>, checker: &mut Checker<'_>) {
    for (p, context) in shell_placeholders(run.get_ref()) {
        if let ShellContext::Refused(why) = context {
            let at = checker.in_string(&run.span(), p.range.start);
            checker.error(
                at..at,
                format!("`{{{{{}}}}}` cannot be filled in here: {why}", p.name),
                Some(why.hint()),
            );
        }
    }
}

/// `parallel` only for read-only steps: not on one marked dangerous or whose command matches
/// a dangerous pattern.
fn check_parallel(raw: &RawStep, checker: &mut Checker<'_>) {
    let Some(parallel) = raw.parallel.as_ref().filter(|p| *p.get_ref()) else {
        return;
    };
    let text = raw.run.as_ref().or(raw.sql.as_ref());
    let hits = text.map_or_else(Vec::new, |t| {
        dangerous_matches(t.get_ref(), &checker.dangerous_patterns())
    });
    let why = if raw.dangerous {
        "the step is marked dangerous".to_string()
    } else if let Some(hit) = hits.first() {
        format!("its command contains `{hit}`, a dangerous pattern")
    } else {
        return;
    };
    checker.error(
        parallel.span(),
        format!("`parallel` is only for read-only steps, and {why}"),
        Some("no `parallel` (dangerous steps run one host at a time)"),
    );
}

fn check_placeholders(
    text: &Spanned<String>,
    variables: &[Variable],
    captured: &HashSet<String>,
    checker: &mut Checker<'_>,
) {
    if let Some(open) = unclosed(text.get_ref()) {
        let at = checker.in_string(&text.span(), open);
        checker.error(at..at, "`{{` is never closed with `}}`", Some("`{{name}}`"));
    }
    for p in placeholders(text.get_ref()) {
        if p.name.starts_with("host.") {
            continue;
        }
        let declared = variables.iter().find(|v| v.name == p.name);
        let problem = match declared {
            None => Some(format!("unknown variable `{}`", p.name)),
            Some(v) if v.source == VariableSource::Capture && !captured.contains(&v.name) => Some(
                format!("variable `{}` is used before a step captures it", p.name),
            ),
            Some(_) => None,
        };
        if let Some(message) = problem {
            let start = checker.in_string(&text.span(), p.range.start);
            checker.error(start..start, message, Some("a variable declared in [[variables]] (captured ones after the step that captures them), or `host.FACT`"));
        }
    }
}

fn capture_from(
    raw: RawCapture,
    variables: &[Variable],
    captured: &mut HashSet<String>,
    checker: &mut Checker<'_>,
) -> Option<Capture> {
    let name = raw.variable.get_ref();
    match variables.iter().find(|v| &v.name == name) {
        Some(v) if v.source == VariableSource::Capture => {}
        _ => checker.error(
            raw.variable.span(),
            format!("capture into `{name}`, which is not declared with from = \"capture\""),
            Some("a [[variables]] entry with `from = \"capture\"`"),
        ),
    }
    if let Err(e) = regex::Regex::new(raw.regex.get_ref()) {
        checker.error(
            raw.regex.span(),
            format!("invalid capture regex: {e}"),
            Some("a regular expression (Rust regex syntax)"),
        );
        return None;
    }
    captured.insert(name.clone());
    Some(Capture {
        variable: raw.variable.into_inner(),
        regex: raw.regex.into_inner(),
    })
}

fn expectation_from(raw: RawExpect, span: Range<usize>, checker: &mut Checker<'_>) -> Expectation {
    let http_status = raw.http_status.filter(|status| {
        let ok = (100..=599).contains(status);
        if !ok {
            checker.error(
                span.clone(),
                format!("expect.http_status {status} is not an HTTP status"),
                Some("100–599"),
            );
        }
        ok
    });
    let rows = raw.rows.and_then(|r| match parse_row_range(r.get_ref()) {
        Some(range) => Some(range),
        None => {
            checker.error(
                r.span(),
                format!("invalid row count `{}`", r.get_ref()),
                Some("`N`, `MIN..MAX` or `MIN..`, e.g. `1..4`"),
            );
            None
        }
    });
    Expectation {
        exit: raw.exit,
        rows,
        http_status,
    }
}

/// Parses `3`, `1..4` (inclusive) or `1..` into bounds.
pub fn parse_row_range(text: &str) -> Option<(u64, Option<u64>)> {
    let text = text.trim();
    match text.split_once("..") {
        None => text.parse().ok().map(|n| (n, Some(n))),
        Some((min, "")) => min.trim().parse().ok().map(|n| (n, None)),
        Some((min, max)) => {
            let (min, max): (u64, u64) = (min.trim().parse().ok()?, max.trim().parse().ok()?);
            (min <= max).then_some((min, Some(max)))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_ranges() {
        assert_eq!(parse_row_range("1..4"), Some((1, Some(4))));
        assert_eq!(parse_row_range("2"), Some((2, Some(2))));
        assert_eq!(parse_row_range("1.."), Some((1, None)));
        assert_eq!(parse_row_range("4..1"), None);
        assert_eq!(parse_row_range("x"), None);
    }
}
