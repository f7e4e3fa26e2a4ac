//! A playbook file as written: the TOML shape serde reads (fields kept as strings and spans so
//! the check can say where a wrong word is) and the JSON Schema describes.

use crate::core::choices::{
    ConfirmWord, FailureWord, HostCountWord, HostStateWord, OnFailureWord, PressureWord,
    SeverityWord, StepKind, SymptomWord, TargetWord, VariableFrom,
};
use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// A cockpit playbook: the procedure for one kind of fault, as ordered steps. One TOML file
/// per playbook. Reference: docs/playbooks.md.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Playbook", transform = steps_required)]
pub(crate) struct RawPlaybook {
    /// Letters, digits, `-` and `_`, required. Stable identifier, e.g. `primary-app-down`; a
    /// file of yours with the id of a built-in playbook replaces it.
    #[schemars(with = "String", regex(pattern = r"^[A-Za-z0-9_-]+$"))]
    pub(super) id: Spanned<String>,
    /// String, required. The playbook's name in the picker and the journal.
    pub(super) title: String,
    /// `P0`…`P3`, required. The severity an incident opened with this playbook starts at.
    #[schemars(with = "SeverityWord")]
    pub(super) severity: Spanned<String>,
    /// Minutes, default none. The playbook's own recovery time objective, shown on the incident
    /// clock and journaled when passed.
    pub(super) rto_minutes: Option<u32>,
    /// Minutes, rising, default none. The playbook's own status checkpoints, for any severity
    /// (the procedure's reporting rhythm, e.g. `[5, 15, 60, 1440]`); without it the
    /// inventory's `checkpoint_minutes` apply to its `checkpoint_severities`.
    #[schemars(with = "Option<Vec<u32>>")]
    pub(super) checkpoint_minutes: Option<Vec<Spanned<u32>>>,
    /// List of strings, default none. What the operator sees when this playbook applies.
    #[serde(default)]
    pub(super) symptoms: Vec<String>,
    /// `{ host | role, state, hosts, symptom, … }`, default none. The fleet state that suggests
    /// this playbook.
    #[schemars(with = "Option<RawTrigger>")]
    pub(super) trigger: Option<Spanned<RawTrigger>>,
    /// `[[variables]]` tables, default none. Values the steps use as `{{name}}`.
    #[serde(default)]
    #[schemars(with = "Vec<RawVariable>")]
    pub(super) variables: Vec<Spanned<RawVariable>>,
    /// `[[steps]]` tables, at least one. The procedure, in order.
    #[serde(default)]
    #[schemars(with = "Vec<RawStep>", length(min = 1))]
    pub(super) steps: Vec<Spanned<RawStep>>,
}

/// `steps` defaults to none for serde, so that `cockpit check` can say "playbook has no
/// steps"; the schema requires it.
fn steps_required(schema: &mut schemars::Schema) {
    if let Some(serde_json::Value::Array(required)) = schema.get_mut("required") {
        required.push("steps".into());
    }
}

/// A fleet condition a step waits for: one host (`host`), the incident's host
/// (`target = "incident"`), or hosts of a role (`role`) in a given `state`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Condition")]
pub(super) struct RawGate {
    /// A host name of the inventory. Give one of `host`, `role` or `target`.
    #[schemars(with = "Option<String>")]
    pub(super) host: Option<Spanned<String>>,
    /// A role some inventory host has; `hosts` or `at_least` say how many of its hosts must be
    /// in `state` (default: every one). Give one of `host`, `role` or `target`.
    #[schemars(with = "Option<String>")]
    pub(super) role: Option<Spanned<String>>,
    /// `incident`: the incident's host, the one that matched the trigger when it opened. Give
    /// one of `host`, `role` or `target`.
    #[schemars(with = "Option<TargetWord>")]
    pub(super) target: Option<Spanned<String>>,
    /// `up`, `degraded`, `down`, `recovering` or `recovered`, required.
    #[schemars(with = "HostStateWord")]
    pub(super) state: Spanned<String>,
    /// `all` (default) or `any`, with `role`: how many of the role's hosts must be in `state`.
    #[schemars(with = "Option<HostCountWord>")]
    pub(super) hosts: Option<Spanned<String>>,
    /// Integer ≥ 1, with `role`, instead of `hosts`: at least this many of its hosts.
    #[schemars(with = "Option<u32>", range(min = 1))]
    pub(super) at_least: Option<Spanned<u32>>,
}

/// The fleet state that suggests a playbook: one host (`host`) or hosts of a role (`role`) in
/// a `state`, showing a `symptom`. Give `state`, `symptom` or both.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Trigger")]
pub(super) struct RawTrigger {
    /// A host name of the inventory. Give `host` or `role`, not both.
    #[schemars(with = "Option<String>")]
    pub(super) host: Option<Spanned<String>>,
    /// A role some inventory host has; `hosts` or `at_least` say how many of its hosts must
    /// match (default: every one). Give `host` or `role`, not both.
    #[schemars(with = "Option<String>")]
    pub(super) role: Option<Spanned<String>>,
    /// `up`, `degraded`, `down`, `recovering` or `recovered`. The state the hosts must be in.
    #[schemars(with = "Option<HostStateWord>")]
    pub(super) state: Option<Spanned<String>>,
    /// `all` (default) or `any`, with `role`: how many of the role's hosts must match.
    #[schemars(with = "Option<HostCountWord>")]
    pub(super) hosts: Option<Spanned<String>>,
    /// Integer ≥ 1, with `role`, instead of `hosts`: at least this many of its hosts.
    #[schemars(with = "Option<u32>", range(min = 1))]
    pub(super) at_least: Option<Spanned<u32>>,
    /// `unreachable` (down, or every check fails), `service` (it answers but a check fails),
    /// `disk`, `memory` or `cpu` (that pressure at or above `level`). What must be wrong.
    #[schemars(with = "Option<SymptomWord>")]
    pub(super) symptom: Option<Spanned<String>>,
    /// With `symptom = "service"`: the failing check, by its label (`ssh`, `tcp:5672`,
    /// `http http://…/health`) or its first word (`http`).
    #[schemars(with = "Option<String>")]
    pub(super) check: Option<Spanned<String>>,
    /// `warning` (default) or `critical`, with a `disk`, `memory` or `cpu` symptom.
    #[schemars(with = "Option<PressureWord>")]
    pub(super) level: Option<Spanned<String>>,
}

/// One `[[variables]]` table: a value the steps use as `{{name}}`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Variable")]
pub(super) struct RawVariable {
    /// Letters, digits and `_`, required, unique. Used in steps as `{{name}}`.
    #[schemars(with = "String", regex(pattern = r"^[A-Za-z0-9_]+$"))]
    pub(super) name: Spanned<String>,
    /// String, default empty. What the value is; shown when the operator is asked for it.
    #[serde(default)]
    pub(super) description: String,
    /// `prompt` (default), `incident` or `capture`. Where the value comes from.
    #[schemars(with = "Option<VariableFrom>")]
    pub(super) from: Option<Spanned<String>>,
    /// A host fact (a `vars` key of the inventory host), required with `from = "incident"`,
    /// e.g. `public_ip`: the value is that fact of the host that triggered the incident.
    pub(super) fact: Option<String>,
    /// Boolean, default false. A secret value is shown as `***` on screen, in the journal and
    /// in the log file.
    #[serde(default)]
    pub(super) secret: bool,
    /// String, default none. The value used when nothing else provides one.
    pub(super) default: Option<String>,
}

/// One `[[steps]]` table: a step of the procedure. Which fields apply depends on `kind`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Step")]
pub(super) struct RawStep {
    /// String, required, unique in the playbook, e.g. `restart-app`. Names the step in the
    /// journal.
    #[schemars(with = "String", regex(pattern = r"\S"))]
    pub(super) id: Spanned<String>,
    /// String, required. One line saying what to do.
    pub(super) title: String,
    /// `manual`, `check`, `command`, `sql`, `note` or `verify`, required. What the step does.
    #[schemars(with = "StepKind")]
    pub(super) kind: Spanned<String>,
    /// String (often a `"""` multi-line string), default none. The longer explanation shown
    /// under the step; may use `{{placeholders}}`.
    #[schemars(with = "Option<String>")]
    pub(super) detail: Option<Spanned<String>>,
    /// A host of the inventory; `check`, `command` and `verify` steps. Where the step runs.
    /// Give `host` or `role`, not both.
    #[schemars(with = "Option<String>")]
    pub(super) host: Option<Spanned<String>>,
    /// A role of the inventory; `check`, `command` and `verify` steps. The step runs on every
    /// host of the role, in inventory order. Give `host` or `role`, not both.
    #[schemars(with = "Option<String>")]
    pub(super) role: Option<Spanned<String>>,
    /// `incident`; `check`, `command` and `verify` steps, instead of `host`/`role`: the step
    /// runs on the incident's host, the one that matched the trigger when the incident opened.
    #[schemars(with = "Option<TargetWord>")]
    pub(super) target: Option<Spanned<String>>,
    /// Boolean, default false; `command` steps. The command needs root: it runs as it is where
    /// the host's `privilege` is `root`, under `sudo -n` where it is `sudo`.
    #[serde(default)]
    pub(super) privileged: bool,
    /// A service name the inventory declares (`[services.NAME]` or the host's); `command`
    /// steps. The command runs as the service's OS user, with its tools' folders first on
    /// PATH (e.g. `pm2` under nvm, `postgres`).
    #[schemars(with = "Option<String>")]
    pub(super) service: Option<Spanned<String>>,
    /// Shell command, required for `command` steps. Runs under `sh -c`; `{{placeholders}}`
    /// become single literal words.
    #[schemars(with = "Option<String>")]
    pub(super) run: Option<Spanned<String>>,
    /// `{ variable, regex }`, `command` steps only. Takes a value from the command's output
    /// into a variable declared with `from = "capture"`.
    #[schemars(with = "Option<RawCapture>")]
    pub(super) capture: Option<Spanned<RawCapture>>,
    /// A `[[databases]]` name of the inventory, required for `sql` steps.
    #[schemars(with = "Option<String>")]
    pub(super) database: Option<Spanned<String>>,
    /// SQL statement(s), required for `sql` steps. Runs in a transaction; `{{placeholders}}`
    /// are bound as parameters, so they stand where a value goes.
    #[schemars(with = "Option<String>")]
    pub(super) sql: Option<Spanned<String>>,
    /// `none`, `yes` or `typed`. Default `none`, or `typed` on a dangerous step (which accepts
    /// only `typed`). What the operator must do before the step runs.
    #[schemars(with = "Option<ConfirmWord>")]
    pub(super) confirm: Option<Spanned<String>>,
    /// Boolean, default false. Marks the step dangerous: its target's name must be typed to
    /// run it, and it never runs in parallel.
    #[serde(default)]
    pub(super) dangerous: bool,
    /// `{ exit, rows, http_status }`, default none. What success looks like.
    #[schemars(with = "Option<RawExpect>")]
    pub(super) expect: Option<Spanned<RawExpect>>,
    /// `stop` (default) or `continue`. What to do when the step fails on a host.
    #[schemars(with = "Option<OnFailureWord>")]
    pub(super) on_failure: Option<Spanned<String>>,
    /// String, default none. Advice shown when the step fails.
    pub(super) failure_hint: Option<String>,
    /// List of `unreachable`, `service`, `pressure`; `check` and `verify` steps. The failures
    /// `failure_hint` was written for. Default: `unreachable` and `service`.
    #[serde(default)]
    #[schemars(with = "Vec<FailureWord>")]
    pub(super) failure_hint_for: Vec<Spanned<String>>,
    /// `warning` or `critical`; `check` and `verify` steps. Resource pressure at or above this
    /// level fails the step. Default: the inventory's `fail_on_pressure` (by default, never).
    #[schemars(with = "Option<PressureWord>")]
    pub(super) fail_on_pressure: Option<Spanned<String>>,
    /// List of `{ host | role | target, state, hosts | at_least }`, default none. Conditions
    /// that must all hold before the step may run; until then it says why it waits.
    #[serde(default)]
    #[schemars(with = "Vec<RawGate>")]
    pub(super) when: Vec<Spanned<RawGate>>,
    /// Seconds, default 120 for a command. Time limit of the step on each host.
    pub(super) timeout_secs: Option<u64>,
    /// Boolean, default false. Run on every host of the role at once; only for read-only steps
    /// (not dangerous, no dangerous pattern in `run` or `sql`).
    #[schemars(with = "Option<bool>")]
    pub(super) parallel: Option<Spanned<bool>>,
}

/// `capture = { variable, regex }`: takes a value from a command's output into a variable.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Capture")]
pub(super) struct RawCapture {
    /// Required. A variable declared with `from = "capture"`.
    #[schemars(with = "String")]
    pub(super) variable: Spanned<String>,
    /// Regular expression (Rust syntax), required. The first output line that matches gives
    /// the value: its first group, else the whole match.
    #[schemars(with = "String")]
    pub(super) regex: Spanned<String>,
}

/// `expect = { … }`: what success looks like.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Expectation")]
pub(super) struct RawExpect {
    /// Integer, default 0. The exit status a command must end with on each host.
    pub(super) exit: Option<i32>,
    /// `N`, `MIN..MAX` (inclusive) or `MIN..`, e.g. `"1..4"`. The rows a sql step must affect
    /// before its commit is offered.
    #[schemars(
        with = "Option<String>",
        regex(pattern = r"^\s*[0-9]+\s*(\.\.\s*([0-9]+)?\s*)?$")
    )]
    pub(super) rows: Option<Spanned<String>>,
    /// HTTP status 100–599. Shown with the step as the status the service should answer;
    /// cockpit does not compare it (a check's HTTP verdict comes from the host's `http` checks
    /// and their `expect_status`).
    #[schemars(range(min = 100, max = 599))]
    pub(super) http_status: Option<u16>,
}
