//! The closed sets of words the files accept (step kinds, drivers, states…), as schema-only
//! types: the raw file types keep these fields as strings, so that `cockpit check` can say
//! where an unknown word is; the schema offers the same words for completion. A test parses
//! a file with each word, so the two lists cannot drift apart. A leaf of the core: the inventory,
//! the playbook and the settings use these words, and the schema generator reads those types.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;

/// What a step does.
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum StepKind {
    /// The operator does it by hand and ticks it.
    Manual,
    /// Runs the health checks of `host` or `role`; passes when every host's checks pass.
    Check,
    /// Runs the shell command `run` on `host` or on every host of `role`.
    Command,
    /// Runs the SQL `sql` on the inventory database `database`, in a transaction.
    Sql,
    /// Information for the operator; nothing to do.
    Note,
    /// Confirms that something works: by hand, or by the health checks of `host`/`role`.
    Verify,
}

/// What the operator must do before a step runs.
#[derive(JsonSchema)]
#[schemars(rename = "Confirm", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum ConfirmWord {
    /// Nothing (the default for a step that is not dangerous).
    None,
    /// Answer `y`.
    Yes,
    /// Type the target's name: the host, the role, or the database (the default, and the only
    /// choice, for a dangerous step).
    Typed,
}

/// What to do when a step fails.
#[derive(JsonSchema)]
#[schemars(rename = "OnFailure", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum OnFailureWord {
    /// Stop at the first host that fails and wait for the operator (the default).
    Stop,
    /// Note the failure, go on to the next host and then to the next step.
    Continue,
}

/// Where a variable's value comes from.
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum VariableFrom {
    /// Asked from the operator when a step needs it (the default).
    Prompt,
    /// The `fact` (a `vars` entry) of the host that triggered the incident.
    Incident,
    /// Captured from the output of an earlier command step (its `capture`).
    Capture,
}

/// A host's health state, as a condition.
#[derive(JsonSchema)]
#[schemars(rename = "HostState", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum HostStateWord {
    /// Every check passes.
    Up,
    /// Some checks fail.
    Degraded,
    /// Every check failed `down_after` probes in a row.
    Down,
    /// Was down and answers again, not yet `up_after` good probes.
    Recovering,
    /// Was down and has passed `up_after` probes in a row.
    Recovered,
}

/// The failures a `failure_hint` can be written for.
#[derive(JsonSchema)]
#[schemars(rename = "Failure", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum FailureWord {
    /// The host does not answer: down, or every check fails.
    Unreachable,
    /// The host answers but a service check (ssh, tcp, http) fails.
    Service,
    /// The host is under resource pressure at or above the step's `fail_on_pressure`.
    Pressure,
}

/// A resource pressure level.
#[derive(JsonSchema)]
#[schemars(rename = "PressureLevel", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum PressureWord {
    /// CPU, memory or disk use at or above `warn_percent`.
    Warning,
    /// CPU, memory or disk use at or above `critical_percent`.
    Critical,
}

/// How many hosts of a role a condition needs.
#[derive(JsonSchema)]
#[schemars(rename = "HostCount", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum HostCountWord {
    /// Every host of the role (the default).
    All,
    /// At least one host of the role.
    Any,
}

/// What a trigger says is wrong with a host.
#[derive(JsonSchema)]
#[schemars(rename = "Symptom", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum SymptomWord {
    /// The host does not answer: down, or every check fails.
    Unreachable,
    /// The host answers but a check fails (`check` may name which).
    Service,
    /// A disk at or above `level`.
    Disk,
    /// Memory use at or above `level`.
    Memory,
    /// CPU use at or above `level`.
    Cpu,
}

/// A step target that is not a host or role name.
#[derive(JsonSchema)]
#[schemars(rename = "StepTarget", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum TargetWord {
    /// The incident's host: the one that matched the playbook's trigger when the incident
    /// opened.
    Incident,
}

/// How privileged commands run on a host.
#[derive(JsonSchema)]
#[schemars(rename = "Privilege", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum PrivilegeWord {
    /// As they are: the login user is root (the default when `user` is root).
    Root,
    /// Under `sudo -n` (the default for any other login user); sudo must not ask a password.
    Sudo,
}

/// How cockpit reaches a host.
#[derive(JsonSchema)]
#[schemars(rename = "Transport", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum TransportWord {
    /// Over SSH (the default).
    Ssh,
    /// Commands and files of the machine cockpit runs on (the bastion itself).
    Local,
}

/// What a health check tests.
#[derive(JsonSchema)]
#[schemars(rename = "CheckKind", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum CheckKindWord {
    /// The host answers SSH.
    Ssh,
    /// The TCP `port` accepts connections.
    Tcp,
    /// A GET of `url` answers with `expect_status` (default 200).
    Http,
}

/// The SQL dialect of a database.
#[derive(JsonSchema)]
#[schemars(rename = "Driver", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum DriverWord {
    /// MySQL (`mysql://` URL).
    Mysql,
    /// MariaDB, spoken to as MySQL (`mysql://` or `mariadb://` URL).
    Mariadb,
    /// PostgreSQL (`postgres://` URL).
    Postgres,
    /// PostgreSQL, the long name (`postgresql://` URL).
    Postgresql,
    /// A SQLite file (`sqlite:` URL).
    Sqlite,
}

/// An incident severity: `P0` (most urgent) to `P3`, any case.
pub(crate) struct SeverityWord;

impl JsonSchema for SeverityWord {
    fn schema_name() -> Cow<'static, str> {
        "Severity".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An incident severity: `P0` (most urgent: respond at once), `P1`, `P2` or `P3` (case does not matter).",
            "type": "string",
            "anyOf": [
                { "enum": ["P0", "P1", "P2", "P3"] },
                { "pattern": "^\\s*[pP][0-3]\\s*$" }
            ]
        })
    }
}

/// The `[keys]` table of the inventory: an action name in kebab-case (`run-step`,
/// `focus-hosts`, `quit`…) → a key string (`"ctrl-e"`, `"F5"`, `"?"`, `"shift-tab"`) or a list
/// of them. For the `keys` field: `#[schemars(with = "crate::core::choices::KeyBindings")]`.
#[allow(dead_code)]
pub(crate) struct KeyBindings;

impl JsonSchema for KeyBindings {
    fn schema_name() -> Cow<'static, str> {
        "KeyBindings".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Key bindings: an action name in kebab-case (`run-step`, `focus-hosts`, `quit`…; every action in docs/keys.md) → a key string (`\"ctrl-e\"`, `\"F5\"`, `\"?\"`, `\"shift-tab\"`) or a list of them, replacing the action's default keys. `[]` leaves an action without a key (never `quit`).",
            "type": "object",
            "propertyNames": { "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$" },
            "additionalProperties": {
                "anyOf": [
                    { "type": "string" },
                    { "type": "array", "items": { "type": "string" } }
                ]
            }
        })
    }
}

/// The platform a `[[notify]]` channel posts to.
#[derive(JsonSchema)]
#[schemars(rename = "NotifyKind", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum NotifyKindWord {
    /// A generic JSON webhook: cockpit's own JSON, optionally signed with `secret_env`.
    Webhook,
    /// A Slack incoming webhook.
    Slack,
    /// A DingTalk group robot, optionally signed (its "加签" secret).
    Dingtalk,
    /// A Feishu / Lark custom bot, optionally signed.
    Feishu,
    /// A WeCom (WeChat Work) group robot.
    Wecom,
    /// E-mail over SMTP (`server`, `from`, `to`).
    Email,
}

/// What happened that a channel tells people about.
#[derive(JsonSchema)]
#[schemars(rename = "NotifyEvent", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum NotifyEventWord {
    /// An incident was opened: severity, title, affected hosts, who is on it.
    Opened,
    /// The incident's severity changed.
    Severity,
    /// The incident clock reached an escalation level.
    Escalation,
    /// A status checkpoint (`checkpoint_minutes`).
    Checkpoint,
    /// The operator broadcast a note.
    Broadcast,
    /// The incident was resolved: duration, targets met or missed, the journal head.
    Resolved,
}

/// Whether drill incidents (`cockpit demo`) use a channel.
#[derive(JsonSchema)]
#[schemars(rename = "NotifyDrill", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum NotifyDrillWord {
    /// Real incidents only: a drill never pages real people (the default).
    Never,
    /// Real and drill incidents; drill messages start `[DRILL]`.
    Also,
    /// Drill incidents only: the drill channel.
    Only,
}

/// How an e-mail channel secures its SMTP connection.
#[derive(JsonSchema)]
#[schemars(rename = "SmtpTls", rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum SmtpTlsWord {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587; the default).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS: only for a relay on the bastion itself (port 25), and never with a password.
    None,
}
