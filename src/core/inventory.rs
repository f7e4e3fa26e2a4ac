//! The inventory: hosts, their checks and logs, named databases, notification channels, and
//! settings (TOML).

mod access;
mod demo;
mod notify;

pub use demo::{DemoBorrowings, parse_for_demo};

use crate::core::choices::{
    CheckKindWord, DriverWord, PressureWord, PrivilegeWord, SeverityWord, TransportWord,
};
use crate::core::diagnostic::{Collector, Diagnostics, SourceFile};
use crate::core::keys::{KeyRemap, KeysConfig, normalised, parse_key};
use crate::core::metrics::{Level, pressure_limit};
use crate::core::settings::{
    DEFAULT_DANGEROUS_PATTERNS, EscalationLevel, RawEscalationLevel, checkpoints_from,
    dangerous_patterns_from, default_escalation, escalation_from,
};
use access::{FleetService, RawService, host_services, privilege_from, services_from};
pub use access::{Privilege, ServiceAccess};
use notify::{RawChannel, channels_from};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use toml::Spanned;

/// Everything cockpit knows about the fleet it watches.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Inventory {
    /// Hosts in the order the file lists them (the grid keeps that order).
    pub hosts: Vec<Host>,
    /// Named databases the SQL console and sql steps can use.
    pub databases: Vec<Database>,
    /// Thresholds and patterns that tune cockpit for this fleet.
    pub settings: Settings,
    /// Key bindings the operator changed (`[keys]`), and whether the mouse is captured.
    pub keys: KeysConfig,
    /// Where incident notifications go (`[[notify]]`), in the order the file lists them.
    pub notify: Vec<crate::core::notify::Channel>,
}

/// One machine of the fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    /// Unique name, shown in the grid and used by playbooks.
    pub name: String,
    /// Address to connect to (IP or DNS name).
    pub address: String,
    /// SSH port.
    pub port: u16,
    /// Login user.
    pub user: String,
    /// What the host does (`nginx`, `app-primary`, …); playbooks target roles.
    pub role: String,
    /// Free-form labels.
    pub tags: Vec<String>,
    /// An alias in `~/.ssh/config` whose settings this host inherits.
    pub ssh_alias: Option<String>,
    /// Private keys to offer over SSH (default: the agent, then `~/.ssh/id_ed25519`,
    /// `id_ecdsa`, `id_rsa`).
    pub identity_files: Vec<String>,
    /// How cockpit reaches the host.
    pub transport: Transport,
    /// Log files to tail.
    pub logs: Vec<String>,
    /// Health checks, run in this order.
    pub checks: Vec<Check>,
    /// Facts about the host that playbooks may use as `{{host.NAME}}` (e.g. `public_ip`).
    pub vars: BTreeMap<String, String>,
    /// How privileged commands run on it.
    pub privilege: Privilege,
    /// How each service's tools are reached on it (the fleet's, with the host's own changes).
    pub services: BTreeMap<String, ServiceAccess>,
    /// Extra sections of its diagnose bundle, in order.
    pub diagnose: Vec<DiagnoseSection>,
}

/// An extra section of a host's diagnose bundle: a read-only command and its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnoseSection {
    /// The section's title.
    pub title: String,
    /// The command (under `sh -c`).
    pub run: String,
}

/// How a host is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Over SSH (the default).
    Ssh,
    /// Commands and files on the machine cockpit runs on (the bastion itself).
    Local,
}

/// One health check of a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The host answers SSH.
    Ssh,
    /// A TCP port accepts connections.
    Tcp {
        /// Port number.
        port: u16,
    },
    /// An HTTP URL answers with the expected status.
    Http {
        /// URL to GET.
        url: String,
        /// Status the URL must answer with.
        expect_status: u16,
    },
}

impl Check {
    /// A short label for the grid, e.g. `tcp:3306`.
    pub fn label(&self) -> String {
        match self {
            Check::Ssh => "ssh".to_string(),
            Check::Tcp { port } => format!("tcp:{port}"),
            Check::Http { url, .. } => format!("http {url}"),
        }
    }
}

/// SQL dialect of a named database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// MySQL or MariaDB.
    Mysql,
    /// PostgreSQL.
    Postgres,
    /// A SQLite file.
    Sqlite,
}

impl Driver {
    /// The name used in the inventory.
    pub fn name(self) -> &'static str {
        match self {
            Driver::Mysql => "mysql",
            Driver::Postgres => "postgres",
            Driver::Sqlite => "sqlite",
        }
    }
}

/// Kept at its old path: where a password (or any secret the inventory names) comes from.
pub use crate::core::secret::PasswordSource;

/// A named database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Database {
    /// Name used by the console and by sql steps.
    pub name: String,
    /// Dialect.
    pub driver: Driver,
    /// Connection URL without a password.
    pub url: String,
    /// Where the password comes from.
    pub password: PasswordSource,
    /// Reach the database through an SSH tunnel over this host's connection.
    pub via_host: Option<String>,
    /// Refuse every statement that writes.
    pub read_only: bool,
}

/// Log lines matching one of these are highlighted unless the inventory says otherwise (the Health
/// Butler recovery guide's symptoms: 502/503/504, "Cannot connect to database", "out of memory"…).
pub const DEFAULT_HIGHLIGHT_PATTERNS: &[&str] = &[
    r"(?i)\b(50[234])\b|cannot connect to database|out of memory|\berror\b|\bfatal\b|connection refused",
];

/// Fleet-wide tuning.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// How privileged commands run where a host does not say; None: by its login user.
    pub privilege: Option<Privilege>,
    /// Consecutive failed probes before a host is declared down.
    pub down_after: u32,
    /// Consecutive good probes before a down host counts as recovered.
    pub up_after: u32,
    /// Seconds between two probes of a host.
    pub probe_interval_secs: u64,
    /// Seconds a single check may take.
    pub check_timeout_secs: u64,
    /// CPU, memory or disk use (percent) at which a host is under pressure: warning
    /// (80 by default). Pressure is shown and journaled; it never makes a host down.
    pub warn_percent: u8,
    /// CPU, memory or disk use (percent) at which the pressure is critical (90 by default).
    pub critical_percent: u8,
    /// Pressure at or above this level fails every `check` and `verify` step that does not set
    /// its own `fail_on_pressure`; `None` (the default): pressure fails no step.
    pub fail_on_pressure: Option<Level>,
    /// Extra regular expressions whose matches are redacted as secrets.
    pub redact_patterns: Vec<String>,
    /// Regular expressions whose matching log lines are highlighted (replaces the default).
    pub highlight_patterns: Vec<String>,
    /// The known_hosts file host keys are checked against (default `~/.ssh/known_hosts`).
    pub known_hosts: Option<String>,
    /// Regular expressions (case-insensitive) that make a command or SQL statement dangerous
    /// even when its step is not marked so (replaces the default list).
    pub dangerous_patterns: Vec<String>,
    /// Who is escalated to as the incident clock runs (by default the Health Butler recovery
    /// guide's path).
    pub escalation: Vec<EscalationLevel>,
    /// Minutes into an incident at which the people following it hear how it stands (5 min,
    /// 15 min, 1 h and 24 h by default).
    pub checkpoint_minutes: Vec<u32>,
    /// The severities that have status checkpoints (P0 and P1 by default).
    pub checkpoint_severities: Vec<crate::core::severity::Severity>,
    /// Seconds a SQL transaction may wait for commit or rollback before it is rolled back.
    pub sql_transaction_timeout_secs: u64,
    /// Seconds a SQL statement may run before the console cancels it.
    pub sql_statement_timeout_secs: u64,
    /// Seconds a SQL statement waits for a row lock (MySQL lock-wait, PostgreSQL lock_timeout).
    pub sql_lock_wait_secs: u64,
    /// The journal when `--journal` is not given: a file, or a shared journal
    /// `postgres://user@host/db` (never with a password in it).
    pub journal: Option<String>,
    /// Where the shared journal's password comes from (`journal_password_env`,
    /// `journal_password_file`).
    pub journal_password: PasswordSource,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            privilege: None,
            down_after: 3,
            up_after: 2,
            probe_interval_secs: 5,
            check_timeout_secs: 3,
            warn_percent: 80,
            critical_percent: 90,
            fail_on_pressure: None,
            redact_patterns: Vec::new(),
            highlight_patterns: DEFAULT_HIGHLIGHT_PATTERNS
                .iter()
                .map(|p| p.to_string())
                .collect(),
            known_hosts: None,
            dangerous_patterns: DEFAULT_DANGEROUS_PATTERNS
                .iter()
                .map(|p| p.to_string())
                .collect(),
            escalation: default_escalation(),
            checkpoint_minutes: vec![5, 15, 60, 1440],
            checkpoint_severities: vec![
                crate::core::severity::Severity::P0,
                crate::core::severity::Severity::P1,
            ],
            sql_transaction_timeout_secs: 300,
            sql_statement_timeout_secs: 60,
            sql_lock_wait_secs: 5,
            journal: None,
            journal_password: PasswordSource::None,
        }
    }
}

impl Inventory {
    /// Whether some host can reach the service `name` (declared fleet-wide or on it).
    pub fn declares_service(&self, name: &str) -> bool {
        self.hosts.iter().any(|h| h.services.contains_key(name))
    }

    /// The host with this name.
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.name == name)
    }

    /// Whether some host has this role.
    pub fn has_role(&self, role: &str) -> bool {
        self.hosts.iter().any(|h| h.role == role)
    }

    /// The database with this name.
    pub fn database(&self, name: &str) -> Option<&Database> {
        self.databases.iter().find(|d| d.name == name)
    }
}

/// A cockpit inventory (`inventory.toml`): the hosts cockpit watches, the databases its SQL
/// console and sql steps use, and settings that tune it. Reference: docs/inventory.md.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Inventory")]
pub(crate) struct RawInventory {
    /// Fleet-wide tuning; every key is optional.
    #[serde(default)]
    settings: Option<RawSettings>,
    /// Key bindings: an action's name (`run-step`, `focus-hosts`, `quit`…) and the key string
    /// (`"ctrl-e"`, `"F5"`, `"?"`, `"shift-tab"`) or list of key strings it gets instead of its
    /// default keys, in the same scope; `[]` unbinds it (never `quit`). Every action, its
    /// default keys and the key syntax: docs/keys.md.
    #[serde(default)]
    #[schemars(with = "crate::core::choices::KeyBindings")]
    keys: BTreeMap<String, Spanned<RawKeys>>,
    /// How each service's tools are reached, fleet-wide: `[services.NAME]` with the OS `user`
    /// its commands run as and the `path` folders its tools are in. Playbook command steps name
    /// a service with `service = "NAME"`; a host's `services.NAME` changes it field by field.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawService>")]
    services: BTreeMap<String, RawService>,
    /// The machines of the fleet, one `[[hosts]]` table each, in the order the grid shows them.
    #[serde(default)]
    #[schemars(with = "Vec<RawHost>")]
    hosts: Vec<Spanned<RawHost>>,
    /// Named databases for the SQL console and sql steps, one `[[databases]]` table each.
    #[serde(default)]
    #[schemars(with = "Vec<RawDatabase>")]
    databases: Vec<Spanned<RawDatabase>>,
    /// Where incident notifications go, one `[[notify]]` table per channel (a chat robot, a
    /// webhook, or e-mail). Reference: docs/inventory.md#notify.
    #[serde(default)]
    #[schemars(with = "Vec<RawChannel>")]
    notify: Vec<Spanned<RawChannel>>,
}

/// The `[settings]` table: thresholds and patterns that tune cockpit for this fleet.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Settings")]
struct RawSettings {
    /// `root` or `sudo`. How playbook commands marked `privileged` run: as they are (`root`),
    /// or under `sudo -n` (`sudo`, which must not ask for a password). Default: `root` for
    /// hosts whose `user` is root, `sudo` for the others.
    #[schemars(with = "Option<PrivilegeWord>")]
    privilege: Option<Spanned<String>>,
    /// Integer ≥ 1, default 3. Probes in a row in which every check fails before a host is
    /// declared `down` (so one lost packet does not page anyone).
    #[schemars(with = "Option<u32>", range(min = 1))]
    #[schemars(extend("default" = Settings::default().down_after))]
    down_after: Option<Spanned<u32>>,
    /// Integer ≥ 1, default 2. Good probes in a row before a down host counts as `recovered`.
    #[schemars(with = "Option<u32>", range(min = 1))]
    #[schemars(extend("default" = Settings::default().up_after))]
    up_after: Option<Spanned<u32>>,
    /// Seconds, 1–3600, default 5. Time between two probes of a host.
    #[schemars(with = "Option<u64>", range(min = 1, max = 3600))]
    #[schemars(extend("default" = Settings::default().probe_interval_secs))]
    probe_interval_secs: Option<Spanned<u64>>,
    /// Seconds, 1–3600, default 3. Time a single check (ssh, tcp, http) may take.
    #[schemars(with = "Option<u64>", range(min = 1, max = 3600))]
    #[schemars(extend("default" = Settings::default().check_timeout_secs))]
    check_timeout_secs: Option<Spanned<u64>>,
    /// Percent, 0–100, default 80. CPU, memory or disk use at which a host is under pressure
    /// (warning). Pressure is shown and journaled; it never makes a host down.
    #[schemars(with = "Option<u8>", range(max = 100))]
    #[schemars(extend("default" = Settings::default().warn_percent))]
    warn_percent: Option<Spanned<u8>>,
    /// Percent, 0–100, default 90. CPU, memory or disk use at which the pressure is critical.
    #[schemars(with = "Option<u8>", range(max = 100))]
    #[schemars(extend("default" = Settings::default().critical_percent))]
    critical_percent: Option<Spanned<u8>>,
    /// `warning` or `critical`, default: none. Pressure at or above this level fails every
    /// `check` and `verify` step that does not set its own `fail_on_pressure`; without it,
    /// pressure fails no step.
    #[schemars(with = "Option<PressureWord>")]
    fail_on_pressure: Option<Spanned<String>>,
    /// List of regular expressions, default none. Extra secrets to mask (`***`) on screen, in
    /// the journal and in the log file, besides the built-in ones.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    redact_patterns: Vec<Spanned<String>>,
    /// List of regular expressions. Log lines matching one are highlighted in the Logs pane.
    /// Setting it replaces the default (HTTP 502/503/504, "cannot connect to database", "out
    /// of memory", error, fatal, "connection refused"); `[]` highlights nothing.
    #[schemars(with = "Option<Vec<String>>")]
    #[schemars(extend("default" = DEFAULT_HIGHLIGHT_PATTERNS))]
    highlight_patterns: Option<Vec<Spanned<String>>>,
    /// Path, default `~/.ssh/known_hosts`. The file host keys are checked against (and a key you
    /// trust is appended to).
    known_hosts: Option<String>,
    /// List of regular expressions, matched case-insensitively. A command or SQL statement
    /// matching one is dangerous (its target's name must be typed to run it) even when its
    /// step is not marked so. Setting it replaces the default list (rm -r, FLUSHALL, DROP
    /// TABLE, TRUNCATE, shutdown, reboot, mkfs, DELETE without WHERE, kill -9, systemctl stop…).
    #[schemars(with = "Option<Vec<String>>")]
    #[schemars(extend("default" = DEFAULT_DANGEROUS_PATTERNS))]
    dangerous_patterns: Option<Vec<Spanned<String>>>,
    /// List of `{ who, after_minutes, immediately_for, notify, contacts }`, in rising
    /// `after_minutes`. Who is
    /// called as the incident clock runs. Default: on-call engineer at 0 min, team lead at 15,
    /// director at 30, CTO at 60 or at once for a P0. A level's `notify` names the
    /// `[[notify]]` channels it is sent to and its `contacts` say who it is.
    escalation: Option<Vec<RawEscalationLevel>>,
    /// List of minutes, rising, each ≥ 1, default `[5, 15, 60, 1440]`. Minutes into an
    /// incident at which the people following it hear how it stands (channels carrying
    /// `checkpoint`); `[]`: no checkpoints.
    #[schemars(with = "Option<Vec<u32>>")]
    #[schemars(extend("default" = Settings::default().checkpoint_minutes))]
    checkpoint_minutes: Option<Vec<Spanned<u32>>>,
    /// List of severities (`P0`…`P3`), default `["P0", "P1"]`. The incidents that have status
    /// checkpoints.
    #[schemars(with = "Option<Vec<SeverityWord>>")]
    #[schemars(extend("default" = ["P0", "P1"]))]
    checkpoint_severities: Option<Vec<Spanned<String>>>,
    /// Seconds, 1–3600, default 300. A SQL console transaction nobody commits or rolls back is
    /// rolled back after this long.
    #[schemars(with = "Option<u64>", range(min = 1, max = 3600))]
    #[schemars(extend("default" = Settings::default().sql_transaction_timeout_secs))]
    sql_transaction_timeout_secs: Option<Spanned<u64>>,
    /// Seconds, 1–3600, default 60. A SQL statement running longer is cancelled.
    #[schemars(with = "Option<u64>", range(min = 1, max = 3600))]
    #[schemars(extend("default" = Settings::default().sql_statement_timeout_secs))]
    sql_statement_timeout_secs: Option<Spanned<u64>>,
    /// Seconds, 1–3600, default 5. How long a SQL statement waits for a row lock (MySQL
    /// lock-wait, PostgreSQL lock_timeout).
    #[schemars(with = "Option<u64>", range(min = 1, max = 3600))]
    #[schemars(extend("default" = Settings::default().sql_lock_wait_secs))]
    sql_lock_wait_secs: Option<Spanned<u64>>,
    /// Path or `postgres://user@host/db` URL, default `~/.local/state/cockpit/journal.db`. The
    /// journal when `--journal` is not given: a file, or a team's shared journal on PostgreSQL
    /// (never with a password in the URL).
    #[schemars(with = "Option<String>")]
    journal: Option<Spanned<String>>,
    /// Environment variable name. The shared journal's password is read from it at start
    /// (only with a `postgres://` journal; not with `journal_password_file`).
    #[schemars(with = "Option<String>")]
    journal_password_env: Option<Spanned<String>>,
    /// Path. The shared journal's password is read from this file at start (only with a
    /// `postgres://` journal; not with `journal_password_env`).
    #[schemars(with = "Option<String>")]
    journal_password_file: Option<Spanned<String>>,
    /// Capture the mouse: a click focuses a pane and selects a row, the wheel scrolls
    /// (default true). `false` leaves the terminal's own text selection working.
    mouse: Option<bool>,
}

/// One `[[hosts]]` table: a machine of the fleet.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Host")]
struct RawHost {
    /// String, required, unique. The host's name in the grid, the logs and playbooks' `host`.
    #[schemars(with = "String", regex(pattern = r"\S"))]
    name: Spanned<String>,
    /// IP address or DNS name. Required unless `ssh` or `transport = "local"` is given.
    address: Option<String>,
    /// SSH port, default 22.
    port: Option<u16>,
    /// Login user, default `root`.
    user: Option<String>,
    /// String, required. What the host does (`nginx`, `app-primary`…); playbooks target roles.
    #[schemars(with = "String", regex(pattern = r"\S"))]
    role: Spanned<String>,
    /// List of strings, default none. Free-form labels shown with the host.
    #[serde(default)]
    tags: Vec<String>,
    /// A `Host` alias of `~/.ssh/config` whose HostName, Port, User, IdentityFile and ProxyJump
    /// this host takes (instead of `address`).
    ssh: Option<String>,
    /// List of paths. Private keys to offer over SSH, after the agent. Default: the agent, then
    /// `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`.
    #[serde(default)]
    identity_files: Vec<String>,
    /// `ssh` (default) or `local` (the machine cockpit runs on). How cockpit reaches the host.
    #[schemars(with = "Option<TransportWord>")]
    transport: Option<Spanned<String>>,
    /// List of paths, default none. Log files tailed in the Logs pane (`tail -F`).
    #[serde(default)]
    logs: Vec<String>,
    /// List of `{ kind = "ssh" | "tcp" | "http", … }`, run in this order at every probe. Default
    /// none (the host is then never judged down).
    #[serde(default)]
    #[schemars(with = "Vec<RawCheck>")]
    checks: Vec<Spanned<RawCheck>>,
    /// Table of strings, default empty. Facts about the host that playbooks use as
    /// `{{host.NAME}}` or as an incident variable's `fact` (e.g. `public_ip`).
    #[serde(default)]
    vars: BTreeMap<String, String>,
    /// `root` or `sudo`, default the `[settings]` one. How this host runs privileged commands.
    #[schemars(with = "Option<PrivilegeWord>")]
    privilege: Option<Spanned<String>>,
    /// Table of `{ user, path }` by service name, default none. Changes the fleet's
    /// `[services.NAME]` for this host, field by field, or declares a service only it has.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawService>")]
    services: BTreeMap<String, RawService>,
    /// List of `{ title, run }`, default none. Extra read-only sections of this host's diagnose
    /// bundle (`d`), e.g. `{ title = "ping the backup", run = "ping -c 3 10.0.0.2" }`.
    #[serde(default)]
    #[schemars(with = "Vec<RawDiagnose>")]
    diagnose: Vec<Spanned<RawDiagnose>>,
}

/// An extra section of a host's diagnose bundle.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "DiagnoseSection")]
struct RawDiagnose {
    /// String, required. The section's title.
    title: String,
    /// Shell command, required. Read-only: it runs whenever the operator diagnoses the host.
    run: String,
}

/// One health check of a host: `{ kind = "ssh" }`, `{ kind = "tcp", port = 3306 }` or
/// `{ kind = "http", url = "http://…/health", expect_status = 200 }`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Check")]
struct RawCheck {
    /// `ssh`, `tcp` or `http`, required. What the check tests.
    #[schemars(with = "CheckKindWord")]
    kind: Spanned<String>,
    /// Port 1–65535, required for a `tcp` check. The port that must accept connections.
    #[schemars(range(min = 1))]
    port: Option<u16>,
    /// `http://` or `https://` URL, required for an `http` check. The URL to GET.
    url: Option<String>,
    /// HTTP status 100–599, default 200, `http` checks only. The status the URL must answer.
    #[schemars(range(min = 100, max = 599))]
    expect_status: Option<u16>,
}

/// One `[[databases]]` table: a database the SQL console and sql steps can use.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Database")]
struct RawDatabase {
    /// String, required, unique. The name sql steps' `database` and the console use.
    #[schemars(with = "String")]
    name: Spanned<String>,
    /// `mysql`, `mariadb`, `postgres`, `postgresql` or `sqlite`, required. The SQL dialect.
    #[schemars(with = "DriverWord")]
    driver: Spanned<String>,
    /// Connection URL matching the driver, required, without a password:
    /// `mysql://user@host:3306/db`, `postgres://user@host:5432/db`, `sqlite:///path/file.db`.
    #[schemars(with = "String")]
    url: Spanned<String>,
    /// Environment variable name. The password is read from it when connecting (not with
    /// `password_file`).
    password_env: Option<String>,
    /// Path. The password is read from this file when connecting (not with `password_env`).
    password_file: Option<String>,
    /// A host of this inventory. The database is reached through an SSH tunnel over that
    /// host's connection (for a database listening on the host's 127.0.0.1).
    #[schemars(with = "Option<String>")]
    via_host: Option<Spanned<String>>,
    /// Boolean, default false. Refuse every statement that writes.
    #[serde(default)]
    read_only: bool,
}

/// The keys of one action in `[keys]`: one key string, or a list of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawKeys(pub Vec<String>);

impl<'de> Deserialize<'de> for RawKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key string such as \"ctrl-e\", or a list of them")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawKeys, E> {
                Ok(RawKeys(vec![v.to_string()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = seq.next_element::<String>()? {
                    keys.push(k);
                }
                Ok(RawKeys(keys))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// This file's problems.
type Checker<'a> = Collector<'a>;

/// Parses and validates an inventory file. Every problem found is returned, each located.
pub fn parse(src: &SourceFile) -> Result<Inventory, Diagnostics> {
    let raw: RawInventory = toml::from_str(&src.text).map_err(|e| src.toml_error(&e))?;
    let mut checker = Collector::new(src);
    let mouse = raw.settings.as_ref().and_then(|s| s.mouse).unwrap_or(true);
    let (notify, channel_names) = channels_from(raw.notify, &mut checker);
    let settings = settings_from(raw.settings, &channel_names, &mut checker);
    let services = services_from(raw.services, &mut checker);
    let keys = KeysConfig {
        remaps: remaps_from(src, raw.keys, &mut checker),
        mouse,
    };
    let mut names = HashSet::new();
    let mut hosts = Vec::new();
    for raw_host in raw.hosts {
        let span = raw_host.span();
        let raw_host = raw_host.into_inner();
        if !names.insert(raw_host.name.get_ref().clone()) {
            checker.error(
                raw_host.name.span(),
                format!("host `{}` is defined twice", raw_host.name.get_ref()),
                Some("a unique host name"),
            );
        }
        if let Some(host) = host_from(raw_host, span, (&settings, &services), &mut checker) {
            hosts.push(host);
        }
    }
    let mut databases = Vec::new();
    let mut db_names = HashSet::new();
    for raw_db in raw.databases {
        let raw_db = raw_db.into_inner();
        if !db_names.insert(raw_db.name.get_ref().clone()) {
            checker.error(
                raw_db.name.span(),
                format!("database `{}` is defined twice", raw_db.name.get_ref()),
                Some("a unique database name"),
            );
        }
        if let Some(db) = database_from(raw_db, &names, &mut checker) {
            databases.push(db);
        }
    }
    checker.finish(Inventory {
        hosts,
        databases,
        settings,
        keys,
        notify,
    })
}

/// Reads only what the operator set for keys and mouse (`[keys]`, `[settings] mouse`) from an
/// inventory, the rest of it unread: `cockpit demo` runs its own fleet with the operator's keys.
pub fn parse_keys(src: &SourceFile) -> Result<KeysConfig, Diagnostics> {
    let (keys, problems) = keys_with_problems(src)?;
    if problems.0.is_empty() {
        Ok(keys)
    } else {
        Err(problems)
    }
}

/// The `[keys]` table and `[settings] mouse` as far as they can be read, with the key strings
/// that could not be (so `cockpit check` can say what else is wrong in the same run); an error
/// when the file is not TOML of that shape at all.
pub fn keys_with_problems(src: &SourceFile) -> Result<(KeysConfig, Diagnostics), Diagnostics> {
    #[derive(Deserialize)]
    struct KeysOnly {
        #[serde(default)]
        settings: Option<MouseOnly>,
        #[serde(default)]
        keys: BTreeMap<String, Spanned<RawKeys>>,
    }
    #[derive(Deserialize)]
    struct MouseOnly {
        mouse: Option<bool>,
    }
    let raw: KeysOnly = toml::from_str(&src.text).map_err(|e| src.toml_error(&e))?;
    let mut checker = Collector::new(src);
    let remaps = remaps_from(src, raw.keys, &mut checker);
    let mouse = raw.settings.and_then(|s| s.mouse).unwrap_or(true);
    let problems = checker.finish(()).err().unwrap_or_default();
    Ok((KeysConfig { remaps, mouse }, problems))
}

/// The `[keys]` lines, each key string read; an unreadable one is reported where it is written.
/// Whether the action exists and keys clash is the key table's to say (it knows the actions).
fn remaps_from(
    src: &SourceFile,
    raw: BTreeMap<String, Spanned<RawKeys>>,
    checker: &mut Checker<'_>,
) -> Vec<KeyRemap> {
    let mut remaps = Vec::new();
    for (action, value) in raw {
        let span = value.span();
        let at = src.line_column(name_start(&src.text, span.start));
        let mut keys = Vec::new();
        let mut refused = 0;
        for text in value.into_inner().0 {
            match parse_key(&text) {
                Ok(chord) => keys.push((text, normalised(chord))),
                Err(e) => {
                    refused += 1;
                    checker.error(
                        span.clone(),
                        format!("[keys] {}: {}", shown_name(&action), e.message),
                        Some(e.expected),
                    )
                }
            }
        }
        remaps.push(KeyRemap {
            action,
            path: src.path.clone(),
            at,
            keys,
            refused,
        });
    }
    remaps.sort_by_key(|r| r.at);
    remaps
}

/// An action's name as a message quotes it (it may be anything the file holds).
pub fn shown_name(name: &str) -> String {
    let short: String = name.chars().take(40).collect();
    let cut = if name.chars().count() > 40 { "…" } else { "" };
    format!("`{}{cut}`", short.escape_debug())
}

/// Where the name of a `name = value` line starts, from the value's offset: the first
/// non-blank character of its line.
fn name_start(text: &str, value_at: usize) -> usize {
    let value_at = value_at.min(text.len());
    let line_start = text
        .get(..value_at)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1);
    let indent = text
        .get(line_start..value_at)
        .map_or(0, |l| l.len() - l.trim_start().len());
    line_start + indent
}

/// The `journal` setting and its password source: a shared journal's URL must be a
/// `postgres://` URL without a password; the password comes from one of the two sources.
fn journal_from(
    journal: Option<Spanned<String>>,
    env: Option<Spanned<String>>,
    file: Option<Spanned<String>>,
    settings: &mut Settings,
    checker: &mut Checker<'_>,
) {
    let shared = journal.as_ref().is_some_and(|j| {
        j.get_ref().starts_with("postgres://") || j.get_ref().starts_with("postgresql://")
    });
    if let Some(j) = &journal
        && shared
    {
        match url::Url::parse(j.get_ref()) {
            Err(e) => checker.error(
                j.span(),
                format!("not a usable PostgreSQL URL: {e}"),
                Some("`postgres://user@host:5432/database`"),
            ),
            Ok(u) if u.password().is_some() => checker.error(
                j.span(),
                "the shared journal's URL holds a password; the inventory must not",
                Some("the URL without it, and `journal_password_env` or `journal_password_file`"),
            ),
            Ok(u) if !u.has_host() => checker.error(
                j.span(),
                "the shared journal's URL names no server",
                Some("`postgres://user@host:5432/database`"),
            ),
            Ok(_) => {}
        }
    }
    let source_span = env.as_ref().or(file.as_ref()).map(|s| s.span());
    settings.journal_password = match (env, file) {
        (Some(e), Some(_)) => {
            checker.error(
                e.span(),
                "both journal_password_env and journal_password_file are set",
                Some("one of them"),
            );
            PasswordSource::None
        }
        (Some(e), None) => PasswordSource::Env(e.into_inner()),
        (None, Some(f)) => PasswordSource::File(f.into_inner()),
        (None, None) => PasswordSource::None,
    };
    if let Some(span) = source_span
        && !shared
    {
        checker.error(
            span,
            "a journal password is set but `journal` is not a shared journal (postgres://…)",
            Some("`journal = \"postgres://user@host/db\"`, or no journal password"),
        );
    }
    settings.journal = journal.map(Spanned::into_inner);
}

fn settings_from(
    raw: Option<RawSettings>,
    channels: &HashSet<String>,
    checker: &mut Checker<'_>,
) -> Settings {
    let mut settings = Settings::default();
    let Some(raw) = raw else {
        return settings;
    };
    let positive = |value: Option<Spanned<u32>>, default: u32, checker: &mut Checker<'_>| {
        value.map_or(default, |v| {
            if *v.get_ref() == 0 {
                checker.error(v.span(), "must be at least 1", Some("a whole number ≥ 1"));
                default
            } else {
                *v.get_ref()
            }
        })
    };
    settings.down_after = positive(raw.down_after, settings.down_after, checker);
    settings.up_after = positive(raw.up_after, settings.up_after, checker);
    for (value, slot) in [
        (raw.probe_interval_secs, &mut settings.probe_interval_secs),
        (raw.check_timeout_secs, &mut settings.check_timeout_secs),
        (
            raw.sql_transaction_timeout_secs,
            &mut settings.sql_transaction_timeout_secs,
        ),
        (
            raw.sql_statement_timeout_secs,
            &mut settings.sql_statement_timeout_secs,
        ),
        (raw.sql_lock_wait_secs, &mut settings.sql_lock_wait_secs),
    ] {
        if let Some(v) = value {
            if *v.get_ref() == 0 || *v.get_ref() > 3600 {
                checker.error(v.span(), "out of range", Some("seconds from 1 to 3600"));
            } else {
                *slot = *v.get_ref();
            }
        }
    }
    for (value, slot) in [
        (raw.warn_percent, &mut settings.warn_percent),
        (raw.critical_percent, &mut settings.critical_percent),
    ] {
        if let Some(v) = value {
            if *v.get_ref() > 100 {
                checker.error(v.span(), "not a percentage", Some("a number from 0 to 100"));
            } else {
                *slot = *v.get_ref();
            }
        }
    }
    settings.fail_on_pressure = raw
        .fail_on_pressure
        .as_ref()
        .and_then(|level| pressure_limit(level, checker));
    settings.known_hosts = raw.known_hosts;
    settings.privilege = privilege_from(raw.privilege.as_ref(), checker);
    settings.redact_patterns = valid_patterns(raw.redact_patterns, checker);
    if let Some(patterns) = raw.highlight_patterns {
        settings.highlight_patterns = valid_patterns(patterns, checker);
    }
    if let Some(patterns) = raw.dangerous_patterns {
        settings.dangerous_patterns = dangerous_patterns_from(patterns, checker);
    }
    if let Some(levels) = raw.escalation {
        settings.escalation = escalation_from(levels, channels, checker);
    }
    (settings.checkpoint_minutes, settings.checkpoint_severities) = checkpoints_from(
        raw.checkpoint_minutes,
        raw.checkpoint_severities,
        (
            settings.checkpoint_minutes.clone(),
            settings.checkpoint_severities.clone(),
        ),
        checker,
    );
    journal_from(
        raw.journal,
        raw.journal_password_env,
        raw.journal_password_file,
        &mut settings,
        checker,
    );
    settings
}

/// The patterns that compile; each one that does not is reported where it is written.
fn valid_patterns(patterns: Vec<Spanned<String>>, checker: &mut Checker<'_>) -> Vec<String> {
    let mut valid = Vec::new();
    for pattern in patterns {
        if let Err(e) = regex::Regex::new(pattern.get_ref()) {
            checker.error(
                pattern.span(),
                format!("invalid regular expression: {e}"),
                Some("a regular expression (Rust regex syntax)"),
            );
        } else {
            valid.push(pattern.into_inner());
        }
    }
    valid
}

fn host_from(
    raw: RawHost,
    span: Range<usize>,
    (settings, services): (&Settings, &BTreeMap<String, FleetService>),
    checker: &mut Checker<'_>,
) -> Option<Host> {
    let name = raw.name.get_ref().trim().to_string();
    if name.is_empty() {
        checker.error(
            raw.name.span(),
            "host name is empty",
            Some("a non-empty name"),
        );
        return None;
    }
    if raw.role.get_ref().trim().is_empty() {
        checker.error(
            raw.role.span(),
            "role is empty",
            Some("a role such as `nginx`"),
        );
    }
    let transport = match raw.transport.as_ref().map(|t| t.get_ref().as_str()) {
        None | Some("ssh") => Transport::Ssh,
        Some("local") => Transport::Local,
        Some(other) => {
            let span = raw.transport.as_ref().map_or(span.clone(), Spanned::span);
            checker.error(
                span,
                format!("unknown transport `{other}`"),
                Some("`ssh` or `local`"),
            );
            Transport::Ssh
        }
    };
    let address = match (raw.address, &raw.ssh, transport) {
        (Some(address), _, _) => address,
        (None, Some(alias), _) => alias.clone(),
        (None, None, Transport::Local) => "localhost".to_string(),
        (None, None, Transport::Ssh) => {
            checker.error(
                span,
                format!("host `{name}` has neither `address` nor `ssh`"),
                Some("`address = \"10.0.0.5\"` or `ssh = \"alias-in-ssh-config\"`"),
            );
            String::new()
        }
    };
    let checks = raw
        .checks
        .into_iter()
        .filter_map(|c| check_from(c.into_inner(), checker))
        .collect();
    let user = raw.user.unwrap_or_else(|| "root".to_string());
    let privilege = privilege_from(raw.privilege.as_ref(), checker)
        .or(settings.privilege)
        .unwrap_or_else(|| Privilege::default_for(&user));
    let diagnose = raw
        .diagnose
        .into_iter()
        .filter_map(|d| {
            let span = d.span();
            let d = d.into_inner();
            if d.title.trim().is_empty() || d.run.trim().is_empty() {
                checker.error(
                    span,
                    "a diagnose section needs a title and a command",
                    Some("`{ title = \"ping the backup\", run = \"ping -c 3 10.0.0.2\" }`"),
                );
                return None;
            }
            Some(DiagnoseSection {
                title: d.title,
                run: d.run,
            })
        })
        .collect();
    Some(Host {
        name,
        address,
        port: raw.port.unwrap_or(22),
        services: host_services(services, raw.role.get_ref(), &raw.services, checker),
        privilege,
        diagnose,
        user,
        role: raw.role.into_inner(),
        tags: raw.tags,
        ssh_alias: raw.ssh,
        identity_files: raw.identity_files,
        transport,
        logs: raw.logs,
        checks,
        vars: raw.vars,
    })
}

const CHECK_KINDS: &str = "`ssh`, `tcp` (with `port`) or `http` (with `url`)";

fn check_from(raw: RawCheck, checker: &mut Checker<'_>) -> Option<Check> {
    let span = raw.kind.span();
    match raw.kind.get_ref().as_str() {
        "ssh" => Some(Check::Ssh),
        "tcp" => match raw.port {
            Some(port) if port > 0 => Some(Check::Tcp { port }),
            _ => {
                checker.error(span, "tcp check without a port", Some("`port = 3306`"));
                None
            }
        },
        "http" => match raw.url {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                let expect_status = raw.expect_status.unwrap_or(200);
                if !(100..=599).contains(&expect_status) {
                    checker.error(span, "expect_status is not an HTTP status", Some("100–599"));
                    return None;
                }
                Some(Check::Http { url, expect_status })
            }
            Some(url) => {
                checker.error(
                    span,
                    format!("http check url `{url}` is not an http(s) URL"),
                    Some("`url = \"http://host:port/health\"`"),
                );
                None
            }
            None => {
                checker.error(
                    span,
                    "http check without a url",
                    Some("`url = \"http://…\"`"),
                );
                None
            }
        },
        other => {
            checker.error(
                span,
                format!("unknown check kind `{other}`"),
                Some(CHECK_KINDS),
            );
            None
        }
    }
}

fn database_from(
    raw: RawDatabase,
    host_names: &HashSet<String>,
    checker: &mut Checker<'_>,
) -> Option<Database> {
    let driver = match raw.driver.get_ref().as_str() {
        "mysql" | "mariadb" => Driver::Mysql,
        "postgres" | "postgresql" => Driver::Postgres,
        "sqlite" => Driver::Sqlite,
        other => {
            checker.error(
                raw.driver.span(),
                format!("unknown database driver `{other}`"),
                Some("`mysql`, `postgres` or `sqlite`"),
            );
            return None;
        }
    };
    let url = raw.url.get_ref();
    let scheme_ok = match driver {
        Driver::Mysql => url.starts_with("mysql://") || url.starts_with("mariadb://"),
        Driver::Postgres => url.starts_with("postgres://") || url.starts_with("postgresql://"),
        Driver::Sqlite => url.starts_with("sqlite:"),
    };
    if !scheme_ok {
        checker.error(
            raw.url.span(),
            format!("url does not match driver `{}`", driver.name()),
            Some(match driver {
                Driver::Mysql => "`mysql://user@host:3306/db`",
                Driver::Postgres => "`postgres://user@host:5432/db`",
                Driver::Sqlite => "`sqlite:///path/to/file.db`",
            }),
        );
    }
    if url_has_password(url) {
        // Never echo the URL: it holds the secret we are complaining about.
        checker.error(
            raw.url.span(),
            "database url contains a password; the inventory must not hold secrets",
            Some("`password_env = \"VAR\"` or `password_file = \"/path\"`, url without password"),
        );
    }
    let password = match (raw.password_env, raw.password_file) {
        (Some(_), Some(_)) => {
            checker.error(
                raw.name.span(),
                "both password_env and password_file are set",
                Some("one of them"),
            );
            PasswordSource::None
        }
        (Some(var), None) => PasswordSource::Env(var),
        (None, Some(file)) => PasswordSource::File(file),
        (None, None) => PasswordSource::None,
    };
    let via_host = match raw.via_host {
        Some(host) if !host_names.contains(host.get_ref()) => {
            checker.error(
                host.span(),
                format!(
                    "via_host `{}` is not a host of this inventory",
                    host.get_ref()
                ),
                Some("the name of a [[hosts]] entry"),
            );
            None
        }
        other => other.map(Spanned::into_inner),
    };
    Some(Database {
        name: raw.name.into_inner(),
        driver,
        url: raw.url.into_inner(),
        password,
        via_host,
        read_only: raw.read_only,
    })
}

/// True when a URL carries `user:password@` in its authority part.
fn url_has_password(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Inventory, Diagnostics> {
        parse(&SourceFile::new("inv.toml", text))
    }

    #[test]
    fn minimal_host_gets_defaults() {
        let inv = parse_str("[[hosts]]\nname = \"a\"\naddress = \"10.0.0.1\"\nrole = \"nginx\"\n")
            .unwrap_or_default();
        assert_eq!(inv.hosts.len(), 1);
        assert_eq!(inv.hosts[0].port, 22);
        assert_eq!(inv.hosts[0].user, "root");
        assert_eq!(inv.settings.down_after, 3);
    }

    #[test]
    fn the_shared_journal_setting_takes_its_password_from_elsewhere() {
        let inv = parse_str(
            "[settings]\njournal = \"postgres://alice@db.example/team\"\njournal_password_env = \"TEAM_PG\"\n",
        )
        .unwrap_or_default();
        assert_eq!(
            inv.settings.journal.as_deref(),
            Some("postgres://alice@db.example/team")
        );
        assert_eq!(
            inv.settings.journal_password,
            PasswordSource::Env("TEAM_PG".into())
        );
        let errors = |text: &str| {
            parse_str(text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let with_password = errors("[settings]\njournal = \"postgres://alice:hunter2@db/team\"\n");
        assert!(
            with_password.contains("holds a password"),
            "{with_password}"
        );
        assert!(!with_password.contains("hunter2"), "{with_password}");
        let both = errors(
            "[settings]\njournal = \"postgres://a@db/t\"\njournal_password_env = \"X\"\njournal_password_file = \"/p\"\n",
        );
        assert!(both.contains("both journal_password_env"), "{both}");
        let file_journal =
            errors("[settings]\njournal = \"/var/j.db\"\njournal_password_file = \"/p\"\n");
        assert!(
            file_journal.contains("not a shared journal"),
            "{file_journal}"
        );
    }

    #[test]
    fn password_in_url_is_refused_without_echoing_it() {
        let err = parse_str(
            "[[databases]]\nname = \"speed\"\ndriver = \"mysql\"\nurl = \"mysql://root:hunter2@db/speed\"\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("inv.toml:4:7"), "{err}");
        assert!(err.contains("contains a password"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn highlight_patterns_default_replace_and_locate_errors() {
        let inv = parse_str("").unwrap_or_default();
        assert_eq!(
            inv.settings.highlight_patterns,
            DEFAULT_HIGHLIGHT_PATTERNS
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
        );
        let inv =
            parse_str("[settings]\nhighlight_patterns = ['OOM', 'panic']\n").unwrap_or_default();
        assert_eq!(inv.settings.highlight_patterns, ["OOM", "panic"]);
        let none = parse_str("[settings]\nhighlight_patterns = []\n").unwrap_or_default();
        assert!(none.settings.highlight_patterns.is_empty());
        let err = parse_str("[settings]\nhighlight_patterns = ['ok', '(unclosed']\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("inv.toml:2:29"), "{err}");
        assert!(err.contains("invalid regular expression"), "{err}");
    }

    #[test]
    fn dangerous_patterns_default_replace_and_locate_errors() {
        let inv = parse_str("").unwrap_or_default();
        assert_eq!(
            inv.settings.dangerous_patterns.len(),
            DEFAULT_DANGEROUS_PATTERNS.len()
        );
        let inv =
            parse_str("[settings]\ndangerous_patterns = ['pg_ctl stop']\n").unwrap_or_default();
        assert_eq!(inv.settings.dangerous_patterns, ["pg_ctl stop"]);
        let err = parse_str("[settings]\ndangerous_patterns = ['ok', 'rm -(rf']\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("inv.toml:2:29"), "{err}");
        assert!(err.contains("invalid dangerous pattern"), "{err}");
    }

    #[test]
    fn escalation_path_defaults_replaces_and_is_checked() {
        let inv = parse_str("").unwrap_or_default();
        assert_eq!(inv.settings.escalation, default_escalation());
        let inv = parse_str(
            "[settings]\nescalation = [{ who = 'ops', after_minutes = 0 }, { who = 'boss', after_minutes = 10, immediately_for = ['P0'] }]\n",
        )
        .unwrap_or_default();
        assert_eq!(inv.settings.escalation.len(), 2);
        assert_eq!(inv.settings.escalation[1].who, "boss");
        let err = parse_str(
            "[settings]\nescalation = [{ who = 'a', after_minutes = 20 }, { who = 'b', after_minutes = 5, immediately_for = ['P9'] }]\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("comes before `a` after 20 min"), "{err}");
        assert!(err.contains("unknown severity `P9`"), "{err}");
        assert!(err.contains("inv.toml:2:"), "{err}");
    }

    #[test]
    fn url_password_detection() {
        assert!(url_has_password("mysql://u:p@h/db"));
        assert!(!url_has_password("mysql://u@h/db"));
        assert!(!url_has_password("postgres://h:5432/db"));
        assert!(!url_has_password("sqlite:///tmp/x.db"));
    }

    #[test]
    fn privilege_and_services_come_from_the_fleet_and_the_host_field_by_field() {
        let inv = parse_str(
            r#"
[settings]
privilege = "sudo"
[services.pm2]
user = "deploy"
path = ["/home/deploy/.nvm/versions/node/v20.11.1/bin"]
[services.postgres]
user = "postgres"
roles = ["db"]
[[hosts]]
name = "app-1"
address = "10.0.0.1"
role = "node-app"
user = "ops"
services.pm2 = { user = "app" }
diagnose = [{ title = "ping the backup", run = "ping -c 3 10.0.0.2" }]
[[hosts]]
name = "app-2"
address = "10.0.0.2"
role = "node-app"
privilege = "root"
[[hosts]]
name = "db-1"
address = "10.0.0.3"
role = "db"
user = "ops"
"#,
        )
        .unwrap();
        let (a, b) = (&inv.hosts[0], &inv.hosts[1]);
        assert_eq!(a.privilege, Privilege::Sudo);
        assert_eq!(b.privilege, Privilege::Root);
        let pm2 = &a.services["pm2"];
        assert_eq!(pm2.user.as_deref(), Some("app"), "the host's user");
        assert_eq!(
            pm2.path,
            ["/home/deploy/.nvm/versions/node/v20.11.1/bin"],
            "the fleet's path"
        );
        assert_eq!(b.services["pm2"].user.as_deref(), Some("deploy"));
        assert_eq!(a.diagnose[0].title, "ping the backup");
        assert!(inv.declares_service("postgres"));
        assert!(
            !a.services.contains_key("postgres"),
            "app-1 is not a db host"
        );
        assert_eq!(
            inv.hosts[2].services["postgres"].user.as_deref(),
            Some("postgres")
        );
        assert!(!inv.declares_service("rabbitmq"));
        let no_setting = parse_str("[[hosts]]\nname = \"x\"\naddress = \"h\"\nrole = \"r\"\nuser = \"ops\"\n[[hosts]]\nname = \"y\"\naddress = \"h\"\nrole = \"r\"\n").unwrap();
        assert_eq!(
            no_setting.hosts[0].privilege,
            Privilege::Sudo,
            "a non-root login"
        );
        assert_eq!(no_setting.hosts[1].privilege, Privilege::Root, "root");
    }

    #[test]
    fn hostile_service_users_and_paths_are_refused_without_running_anything() {
        for (bad, expected) in [
            ("user = \"postgres; rm -rf /\"", "not a user name"),
            ("user = \"-oProxyCommand\"", "not a user name"),
            ("user = \"\"", "not a user name"),
            (
                "path = [\"relative/bin\"]",
                "not an absolute folder for PATH",
            ),
            (
                "path = [\"/opt/a:/tmp/evil\"]",
                "not an absolute folder for PATH",
            ),
            (
                "path = [\"/opt/bin\\n/x\"]",
                "not an absolute folder for PATH",
            ),
        ] {
            let err = parse_str(&format!(
                "[services.pm2]\n{bad}\n[[hosts]]\nname = \"x\"\naddress = \"h\"\nrole = \"r\"\n"
            ))
            .unwrap_err()
            .to_string();
            assert!(err.contains(expected), "{bad}: {err}");
        }
        let err = parse_str("[settings]\nprivilege = \"admin\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown privilege `admin`"), "{err}");
        let err = parse_str(
            "[[hosts]]\nname = \"x\"\naddress = \"h\"\nrole = \"r\"\ndiagnose = [{ title = \"\", run = \"uptime\" }]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("a diagnose section needs a title and a command"),
            "{err}"
        );
    }
}
