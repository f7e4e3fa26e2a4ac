//! The inventory settings the playbook engine reads: the dangerous-command patterns (and how
//! text is matched against them) and the escalation path. Parsed and validated here so
//! `inventory.rs` only wires them in. A leaf of the core: the inventory, the playbook checks and
//! the step runner all read it, and it reads none of them.

use crate::core::choices::SeverityWord;
use crate::core::diagnostic::Collector;
use crate::core::severity::Severity;
use regex::{Regex, RegexBuilder};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};
use toml::Spanned;

/// Commands and SQL matching one of these (case-insensitively) are treated as dangerous even
/// when the step is not marked so: they need the target's name typed to run.
pub const DEFAULT_DANGEROUS_PATTERNS: &[&str] = &[
    r"\brm\s+(-[a-z]*r[a-z]*|--recursive)",
    r"\bflushall\b",
    r"\bflushdb\b",
    r"\bdrop\s+(table|database|schema)\b",
    r"\btruncate\b",
    r"\bshutdown\b",
    r"\breboot\b",
    r"\bpoweroff\b",
    r"\bhalt\b",
    r"\bmkfs",
    r"\bdd\s+if=",
    // DELETE FROM a table with nothing after it on the line: no WHERE clause.
    r"(?m)\bdelete\s+from\s+[\w.`]+\s*;?\s*$",
    r"\bkill\s+-(9|kill)\b",
    r"\bkillall\b",
    r"\bsystemctl\s+(stop|disable|mask)\b",
];

/// Compiles one dangerous pattern the way the guard uses it: case-insensitively. Each distinct
/// pattern is compiled once per process and then shared: the guard checks every step of every
/// playbook at start-up against every pattern, and compiling them again each time was most of
/// the time to the first frame. Shared through an `Arc`, not cloned: a cloned `Regex` shares
/// the compiled program but builds its own search cache on its first search.
pub fn compile_dangerous_pattern(pattern: &str) -> Result<Arc<Regex>, regex::Error> {
    static COMPILED: LazyLock<Mutex<HashMap<String, Arc<Regex>>>> = LazyLock::new(Mutex::default);
    let mut compiled = COMPILED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(regex) = compiled.get(pattern) {
        return Ok(Arc::clone(regex));
    }
    let regex = Arc::new(RegexBuilder::new(pattern).case_insensitive(true).build()?);
    compiled.insert(pattern.to_string(), Arc::clone(&regex));
    Ok(regex)
}

/// The parts of `text` that match a dangerous pattern, each once, in pattern order. Patterns
/// that do not compile are skipped (the inventory check reports them).
pub fn dangerous_matches(text: &str, patterns: &[String]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for pattern in patterns {
        let Ok(regex) = compile_dangerous_pattern(pattern) else {
            continue;
        };
        if let Some(m) = regex.find(text) {
            let hit = m.as_str().trim().to_string();
            if !found.contains(&hit) {
                found.push(hit);
            }
        }
    }
    found
}

/// Why a command or statement is not read-only: the rule `cockpit check` holds `parallel`
/// steps to, and the one that lets an off-script command run on several hosts at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReadOnly {
    /// The step is marked dangerous.
    Marked,
    /// The text matches a dangerous pattern; the first part that does.
    Contains(String),
}

/// Whether `text` (a command or statement; none for a step without one), marked dangerous or
/// not, is read-only under `patterns`: None when it is, else why not.
pub fn not_read_only(
    marked_dangerous: bool,
    text: Option<&str>,
    patterns: &[String],
) -> Option<NotReadOnly> {
    if marked_dangerous {
        return Some(NotReadOnly::Marked);
    }
    let hits = text.map_or_else(Vec::new, |t| dangerous_matches(t, patterns));
    hits.into_iter().next().map(NotReadOnly::Contains)
}

/// One rung of the escalation path: who is called once the incident has run this long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationLevel {
    /// Who is escalated to, e.g. `team lead`.
    pub who: String,
    /// Minutes after detection at which this level is reached.
    pub after_minutes: u32,
    /// Severities for which this level is reached at once (by default: the CTO for P0).
    pub immediately_for: Vec<Severity>,
    /// The `[[notify]]` channels this level is sent to when it is reached, besides the
    /// channels that carry every escalation.
    pub notify: Vec<String>,
    /// Who this level is (e-mail addresses get the mail, phone numbers and ids are mentioned
    /// in chat), e.g. `ops-oncall@healthbutler.com`.
    pub contacts: Vec<String>,
}

/// The Health Butler recovery guide's path: on-call engineer 0–15 min, team lead 15–30, director
/// 30–60, CTO after an hour or at once for a P0.
pub fn default_escalation() -> Vec<EscalationLevel> {
    let level = |who: &str, after_minutes: u32, immediately_for: Vec<Severity>| EscalationLevel {
        who: who.to_string(),
        after_minutes,
        immediately_for,
        notify: Vec::new(),
        contacts: Vec::new(),
    };
    vec![
        level("on-call engineer", 0, Vec::new()),
        level("team lead", 15, Vec::new()),
        level("director", 30, Vec::new()),
        level("CTO", 60, vec![Severity::P0]),
    ]
}

/// An escalation level as written in `[settings] escalation = [...]`: who is called once the
/// incident has run `after_minutes`, e.g. `{ who = "team lead", after_minutes = 15 }`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "EscalationLevel")]
pub(crate) struct RawEscalationLevel {
    /// String, required, not empty. Who is called, e.g. `team lead`.
    #[schemars(with = "String", regex(pattern = r"\S"))]
    who: Spanned<String>,
    /// Minutes after detection, required; not less than the level before it.
    #[schemars(with = "u32")]
    after_minutes: Spanned<u32>,
    /// List of severities (`P0`…`P3`), default none. For these this level is reached at once.
    #[serde(default)]
    #[schemars(with = "Vec<SeverityWord>")]
    immediately_for: Vec<Spanned<String>>,
    /// List of `[[notify]]` channel names, default none. Channels this level is sent to when
    /// it is reached, besides the channels whose `events` include `escalation`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    notify: Vec<Spanned<String>>,
    /// List of strings, default none. Who this level is: e-mail addresses get its message by
    /// mail, phone numbers and user ids are mentioned in chat (e.g.
    /// `ops-oncall@healthbutler.com`, `+8613800000000`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    contacts: Vec<Spanned<String>>,
}

/// The dangerous patterns that compile; each one that does not is reported where it is written.
pub(crate) fn dangerous_patterns_from(
    patterns: Vec<Spanned<String>>,
    checker: &mut Collector<'_>,
) -> Vec<String> {
    let mut valid = Vec::new();
    for pattern in patterns {
        match compile_dangerous_pattern(pattern.get_ref()) {
            Ok(_) => valid.push(pattern.into_inner()),
            Err(e) => checker.error(
                pattern.span(),
                format!("invalid dangerous pattern: {e}"),
                Some("a regular expression (Rust regex syntax), matched case-insensitively"),
            ),
        }
    }
    valid
}

/// The escalation path, checked: names not empty, minutes rising, severities known, each
/// channel it names one of `channels` (the `[[notify]]` names), contacts on one line.
pub(crate) fn escalation_from(
    raw: Vec<RawEscalationLevel>,
    channels: &HashSet<String>,
    checker: &mut Collector<'_>,
) -> Vec<EscalationLevel> {
    let mut levels: Vec<EscalationLevel> = Vec::new();
    for raw_level in raw {
        if raw_level.who.get_ref().trim().is_empty() {
            checker.error(
                raw_level.who.span(),
                "escalation level without a name",
                Some("who is called, e.g. `who = \"team lead\"`"),
            );
            continue;
        }
        let after = *raw_level.after_minutes.get_ref();
        if let Some(previous) = levels.last()
            && after < previous.after_minutes
        {
            checker.error(
                raw_level.after_minutes.span(),
                format!(
                    "escalation to {} after {after} min comes before {} after {} min",
                    quoted(raw_level.who.get_ref()),
                    quoted(&previous.who),
                    previous.after_minutes
                ),
                Some("levels in order of rising `after_minutes`"),
            );
        }
        let mut immediately_for = Vec::new();
        for severity in raw_level.immediately_for {
            match severity.get_ref().parse::<Severity>() {
                Ok(s) => immediately_for.push(s),
                Err(_) => checker.error(
                    severity.span(),
                    format!("unknown severity `{}`", severity.get_ref()),
                    Some("`P0`, `P1`, `P2` or `P3`"),
                ),
            }
        }
        let who = raw_level.who.get_ref().trim().to_string();
        let notify = level_channels(&who, raw_level.notify, channels, checker);
        let contacts = one_line_texts(raw_level.contacts, "contacts", checker);
        levels.push(EscalationLevel {
            who,
            after_minutes: after,
            immediately_for,
            notify,
            contacts,
        });
    }
    levels
}

/// The channels an escalation level names, each checked against the `[[notify]]` names and
/// kept once.
fn level_channels(
    who: &str,
    raw: Vec<Spanned<String>>,
    channels: &HashSet<String>,
    checker: &mut Collector<'_>,
) -> Vec<String> {
    let mut named: Vec<String> = Vec::new();
    for channel in raw {
        let name = channel.get_ref().trim();
        if !channels.contains(name) {
            let mut known: Vec<&str> = channels.iter().map(String::as_str).collect();
            known.sort_unstable();
            let shown: Vec<String> = known.iter().take(10).map(|n| quoted(n)).collect();
            let more = if known.len() > 10 { ", …" } else { "" };
            let expected = if known.is_empty() {
                "a `[[notify]]` channel's name (the inventory has none)".to_string()
            } else {
                format!(
                    "one of the `[[notify]]` channels: {}{more}",
                    shown.join(", ")
                )
            };
            checker.error(
                channel.span(),
                format!(
                    "escalation to {} notifies {}, which is not a `[[notify]]` channel",
                    quoted(who),
                    quoted(name)
                ),
                Some(&expected),
            );
        } else if named.iter().any(|n| n == name) {
            checker.error(
                channel.span(),
                format!(
                    "escalation to {} names channel {} twice",
                    quoted(who),
                    quoted(name)
                ),
                Some("each channel once"),
            );
        } else {
            named.push(name.to_string());
        }
    }
    named
}

/// Texts that must be non-empty and on one line (a newline in a contact would write a second
/// line into a message or a mail header); each one that is not is reported.
fn one_line_texts(
    raw: Vec<Spanned<String>>,
    field: &str,
    checker: &mut Collector<'_>,
) -> Vec<String> {
    let mut out = Vec::new();
    for text in raw {
        let trimmed = text.get_ref().trim();
        if trimmed.is_empty() || trimmed.chars().any(char::is_control) {
            checker.error(
                text.span(),
                format!("an entry of `{field}` is empty or holds a control character"),
                Some("one line of text, e.g. `ops-oncall@example.com`"),
            );
        } else {
            out.push(trimmed.to_string());
        }
    }
    out
}

/// A name from the file as a message quotes it: at most 40 characters, escaped, in backticks.
fn quoted(name: &str) -> String {
    let short: String = name.chars().take(40).collect();
    let cut = if name.chars().count() > 40 { "…" } else { "" };
    format!("`{}{cut}`", short.escape_debug())
}

/// The status checkpoints: minutes rising and above 0 (`[]`: none), severities known.
/// Either left out keeps its default.
pub(crate) fn checkpoints_from(
    minutes: Option<Vec<Spanned<u32>>>,
    severities: Option<Vec<Spanned<String>>>,
    defaults: (Vec<u32>, Vec<Severity>),
    checker: &mut Collector<'_>,
) -> (Vec<u32>, Vec<Severity>) {
    let (mut kept_minutes, mut kept_severities) = defaults;
    if let Some(raw) = minutes {
        kept_minutes = Vec::new();
        for m in raw {
            let value = *m.get_ref();
            if value == 0 {
                checker.error(
                    m.span(),
                    "a status checkpoint at 0 min",
                    Some("minutes ≥ 1 (the incident being opened is told at once)"),
                );
            } else if let Some(&last) = kept_minutes.last()
                && value <= last
            {
                checker.error(
                    m.span(),
                    format!("status checkpoint at {value} min comes after one at {last} min"),
                    Some("minutes in rising order, each once, e.g. `[5, 15, 60, 1440]`"),
                );
            } else {
                kept_minutes.push(value);
            }
        }
    }
    if let Some(raw) = severities {
        kept_severities = Vec::new();
        for severity in raw {
            match severity.get_ref().parse::<Severity>() {
                Ok(s) if kept_severities.contains(&s) => checker.error(
                    severity.span(),
                    format!("severity {s} is listed twice"),
                    Some("each severity once"),
                ),
                Ok(s) => kept_severities.push(s),
                Err(_) => checker.error(
                    severity.span(),
                    format!("unknown severity {}", quoted(severity.get_ref())),
                    Some("`P0`, `P1`, `P2` or `P3`"),
                ),
            }
        }
    }
    (kept_minutes, kept_severities)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dangerous(text: &str) -> bool {
        DEFAULT_DANGEROUS_PATTERNS
            .iter()
            .filter_map(|p| compile_dangerous_pattern(p).ok())
            .any(|r| r.is_match(text))
    }

    #[test]
    fn default_patterns_catch_the_classics_case_insensitively() {
        for text in [
            "rm -rf /var/lib/mysql",
            "rm -fr /tmp/x",
            "RM -Rf /",
            "redis-cli FLUSHALL",
            "redis-cli flushdb",
            "drop table user_logs",
            "DROP DATABASE speed",
            "truncate t_app_dns",
            "shutdown -h now",
            "sudo reboot",
            "mkfs.ext4 /dev/sdb1",
            "dd if=/dev/zero of=/dev/sda",
            "DELETE FROM speed.t_app_dns",
            "delete from t_app_dns;",
            "kill -9 1234",
            "systemctl stop mysqld",
        ] {
            assert!(dangerous(text), "{text}");
        }
    }

    #[test]
    fn default_patterns_leave_ordinary_commands_alone() {
        for text in [
            "ls -1t /shell/sql_backup/speed-*.sql | head -n 1",
            "grep -rn -F '10.0.0.1' /etc/nginx/",
            "nginx -t && nginx -s reload",
            "delete from t_app_dns where ip = ?",
            "update speed.t_app_dns set status=2 where ip=?",
            "crontab -l",
            "mysql < /shell/sql_backup/speed-1.sql",
        ] {
            assert!(!dangerous(text), "{text}");
        }
    }

    #[test]
    fn every_default_pattern_compiles() {
        for p in DEFAULT_DANGEROUS_PATTERNS {
            assert!(compile_dangerous_pattern(p).is_ok(), "{p}");
        }
    }

    #[test]
    fn default_escalation_follows_seed_002() {
        let path = default_escalation();
        let minutes: Vec<_> = path.iter().map(|l| l.after_minutes).collect();
        assert_eq!(minutes, [0, 15, 30, 60]);
        assert_eq!(path[3].who, "CTO");
        assert_eq!(path[3].immediately_for, [Severity::P0]);
    }
}
