//! Playbook variables during an incident: values with where they came from, and rendering them
//! into commands (each value one shell word) and SQL (each value a bind parameter).

use crate::core::incident::KnownVariable;
use crate::core::inventory::{Driver, Host};
use crate::core::journal::Record;
use crate::core::playbook::{Variable, VariableSource};
use crate::core::redact::MASK;
use crate::core::template::shell_text::{
    ShellContext, heredoc_ends, shell_placeholders, splice_at,
};
use crate::core::template::sql_text::{SqlContext, sql_placeholders};
use crate::core::template::{Placeholder, fill, unclosed};
use std::collections::BTreeMap;

/// Kept at its old path for callers outside the core; it is the journal's word.
pub use crate::core::journal::Provenance;

/// A variable's current value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableValue {
    /// The value itself (never journaled or shown when secret).
    pub value: String,
    /// Where it came from.
    pub provenance: Provenance,
    /// Whether it is a secret.
    pub secret: bool,
}

/// Why a template could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The placeholder names no declared variable.
    #[error("unknown variable `{name}`: the playbook does not declare it")]
    Unknown {
        /// The name written.
        name: String,
    },
    /// The variable is declared but has no value yet.
    #[error("variable `{name}` has no value yet: {hint}")]
    Unset {
        /// The variable.
        name: String,
        /// What would give it one.
        hint: String,
    },
    /// `{{host.FACT}}` where there is no target host (e.g. in SQL).
    #[error("`{{{{host.{fact}}}}}` needs a target host, and there is none here")]
    NoHost {
        /// The fact asked for.
        fact: String,
    },
    /// The target host has no such fact.
    #[error("host `{host}` has no fact `{fact}` (add it to the host's `vars` in the inventory)")]
    UnknownFact {
        /// The host.
        host: String,
        /// The fact asked for.
        fact: String,
    },
    /// A `{{` with no `}}` after it.
    #[error("a `{{{{` at byte {at} is never closed with `}}}}`")]
    Unclosed {
        /// Its byte offset in the template.
        at: usize,
    },
    /// A placeholder where a value cannot be made one literal shell word.
    #[error("`{{{{{name}}}}}` cannot be filled in: {why}; nothing was run")]
    UnsafeShellPlace {
        /// The variable.
        name: String,
        /// Why, in the operator's words.
        why: String,
    },
    /// A value that would end a here-document early, so later lines would run as commands.
    #[error(
        "the value of `{name}` would end a here-document early (a line of it, or of the text around it, is the delimiter), so what follows would run as commands; nothing was run"
    )]
    HeredocEnded {
        /// The variable.
        name: String,
    },
    /// A value with a NUL byte, which no shell command can carry.
    #[error("the value of `{name}` contains a NUL byte, which a shell command cannot carry")]
    NulByte {
        /// The variable.
        name: String,
    },
    /// A placeholder in SQL where no bind parameter can go.
    #[error(
        "`{{{{{name}}}}}` is inside {context}; write it bare (`where ip = {{{{{name}}}}}`), it is bound as a parameter"
    )]
    MisplacedInSql {
        /// The variable.
        name: String,
        /// What surrounds it.
        context: SqlContext,
    },
}

/// Why a value could not be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VariableError {
    /// The playbook declares no such variable.
    #[error("unknown variable `{name}`: the playbook does not declare it")]
    Unknown {
        /// The name.
        name: String,
    },
    /// The incident host lacks the fact an incident variable reads (and there is no default).
    #[error(
        "variable `{name}` reads fact `{fact}` of {host}, which has none: ask the operator for it"
    )]
    MissingFact {
        /// The variable.
        name: String,
        /// The host.
        host: String,
        /// The fact.
        fact: String,
    },
}

/// A SQL statement with its placeholders turned into bind parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundSql {
    /// The statement, with `?` (MySQL, SQLite) or `$1…$n` (PostgreSQL) for each placeholder.
    pub sql: String,
    /// The values, in parameter order.
    pub binds: Vec<String>,
}

/// The variables of one incident's playbook and their values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VariableStore {
    declared: Vec<Variable>,
    values: BTreeMap<String, VariableValue>,
}

impl VariableStore {
    /// A store for a playbook's declared variables, none set yet (defaults apply).
    pub fn new(declared: &[Variable]) -> Self {
        Self {
            declared: declared.to_vec(),
            values: BTreeMap::new(),
        }
    }

    /// A store after a resume: the values the journal holds. Secret values were journaled
    /// masked, so they are not restored and must be given again ([`Self::missing`] lists them).
    pub fn resume(declared: &[Variable], known: &BTreeMap<String, KnownVariable>) -> Self {
        let mut store = Self::new(declared);
        for (name, known) in known {
            if known.secret || store.declared(name).is_none() {
                continue;
            }
            store.values.insert(
                name.clone(),
                VariableValue {
                    value: known.value.clone(),
                    provenance: known.provenance.clone(),
                    secret: false,
                },
            );
        }
        store
    }

    /// The declaration of a variable.
    pub fn declared(&self, name: &str) -> Option<&Variable> {
        self.declared.iter().find(|v| v.name == name)
    }

    /// Sets a declared variable.
    pub fn set(
        &mut self,
        name: &str,
        value: impl Into<String>,
        provenance: Provenance,
    ) -> Result<(), VariableError> {
        let Some(declared) = self.declared(name) else {
            return Err(VariableError::Unknown {
                name: name.to_string(),
            });
        };
        let secret = declared.secret;
        self.values.insert(
            name.to_string(),
            VariableValue {
                value: value.into(),
                provenance,
                secret,
            },
        );
        Ok(())
    }

    /// Fills the incident variables from the facts of the host the incident is about. Returns
    /// the names set, and a problem for each one the host has no fact for (and no default).
    pub fn fill_from_incident(&mut self, host: &Host) -> (Vec<String>, Vec<VariableError>) {
        let mut set = Vec::new();
        let mut problems = Vec::new();
        for v in &self.declared {
            let VariableSource::Incident { fact } = &v.source else {
                continue;
            };
            match host.vars.get(fact) {
                Some(value) => {
                    self.values.insert(
                        v.name.clone(),
                        VariableValue {
                            value: value.clone(),
                            provenance: Provenance::IncidentFact {
                                host: host.name.clone(),
                                fact: fact.clone(),
                            },
                            secret: v.secret,
                        },
                    );
                    set.push(v.name.clone());
                }
                None if v.default.is_some() => {}
                None => problems.push(VariableError::MissingFact {
                    name: v.name.clone(),
                    host: host.name.clone(),
                    fact: fact.clone(),
                }),
            }
        }
        (set, problems)
    }

    /// A variable's value: the one set, else the playbook's default.
    pub fn get(&self, name: &str) -> Option<VariableValue> {
        if let Some(v) = self.values.get(name) {
            return Some(v.clone());
        }
        let declared = self.declared(name)?;
        declared.default.as_ref().map(|d| VariableValue {
            value: d.clone(),
            provenance: Provenance::Default,
            secret: declared.secret,
        })
    }

    /// Variables the operator must be asked for: neither captured by a step nor set nor
    /// defaulted.
    pub fn missing(&self) -> Vec<&Variable> {
        self.declared
            .iter()
            .filter(|v| v.source != VariableSource::Capture && self.get(&v.name).is_none())
            .collect()
    }

    /// Every secret value set, for the redactor of the journal, screen and log file.
    pub fn secret_values(&self) -> Vec<&str> {
        self.values
            .values()
            .filter(|v| v.secret)
            .map(|v| v.value.as_str())
            .collect()
    }

    /// The text with every secret value replaced by [`MASK`].
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in self.secret_values() {
            if !secret.is_empty() {
                out = out.replace(secret, MASK);
            }
        }
        out
    }

    /// The journal record of a variable's value (masked when secret).
    pub fn record(&self, incident: &str, name: &str) -> Option<Record> {
        let v = self.get(name)?;
        Some(Record::VariableSet {
            incident: incident.to_string(),
            name: name.to_string(),
            value: if v.secret { MASK.to_string() } else { v.value },
            provenance: v.provenance,
            secret: v.secret,
        })
    }

    /// The value for a placeholder name, or why there is none. `host.FACT` reads the host.
    fn resolve(&self, name: &str, host: Option<&Host>) -> Result<VariableValue, RenderError> {
        if let Some(fact) = name.strip_prefix("host.") {
            let Some(host) = host else {
                return Err(RenderError::NoHost {
                    fact: fact.to_string(),
                });
            };
            return match host.vars.get(fact) {
                Some(value) => Ok(VariableValue {
                    value: value.clone(),
                    provenance: Provenance::IncidentFact {
                        host: host.name.clone(),
                        fact: fact.to_string(),
                    },
                    secret: false,
                }),
                None => Err(RenderError::UnknownFact {
                    host: host.name.clone(),
                    fact: fact.to_string(),
                }),
            };
        }
        let Some(declared) = self.declared(name) else {
            return Err(RenderError::Unknown {
                name: name.to_string(),
            });
        };
        self.get(name).ok_or_else(|| RenderError::Unset {
            name: name.to_string(),
            hint: match &declared.source {
                VariableSource::Prompt => "the operator has not given it".to_string(),
                VariableSource::Incident { fact } => {
                    format!("the incident host gave no fact `{fact}`; ask the operator for it")
                }
                VariableSource::Capture => {
                    "the step that captures it has not passed yet".to_string()
                }
            },
        })
    }

    /// Replaces each placeholder by what `splice` makes of its value, in order.
    fn substitute<'p>(
        &self,
        template: &str,
        found: impl IntoIterator<Item = &'p Placeholder>,
        host: Option<&Host>,
        mut splice: impl FnMut(&Placeholder, &VariableValue) -> Result<String, RenderError>,
    ) -> Result<String, RenderError> {
        let mut out = String::with_capacity(template.len());
        let mut last = 0;
        for p in found {
            let value = self.resolve(&p.name, host)?;
            out.push_str(&template[last..p.range.start]);
            out.push_str(&splice(p, &value)?);
            last = p.range.end;
        }
        out.push_str(&template[last..]);
        Ok(out)
    }

    /// The command to run: every placeholder replaced by its value as one literal shell word,
    /// whether it is written bare, in `'…'` or in `"…"`. `host` answers `{{host.FACT}}`.
    pub fn render_command(
        &self,
        template: &str,
        host: Option<&Host>,
    ) -> Result<String, RenderError> {
        self.render_shell(template, host, false)
    }

    /// The command as the journal and the screen show it: like [`Self::render_command`], with
    /// each secret value replaced by [`MASK`].
    pub fn display_command(
        &self,
        template: &str,
        host: Option<&Host>,
    ) -> Result<String, RenderError> {
        self.render_shell(template, host, true)
    }

    /// Each placeholder spliced in as one literal shell word (or here-document text) for the
    /// context it is written in; secret values replaced by [`MASK`] when `mask_secrets`. A
    /// placeholder where that cannot be done, or a value that would end a here-document early,
    /// is an error: nothing is rendered.
    fn render_shell(
        &self,
        template: &str,
        host: Option<&Host>,
        mask_secrets: bool,
    ) -> Result<String, RenderError> {
        if let Some(at) = unclosed(template) {
            return Err(RenderError::Unclosed { at });
        }
        let found = shell_placeholders(template);
        let mut spliced = Vec::with_capacity(found.len());
        for (p, context) in &found {
            let v = self.resolve(&p.name, host)?;
            if v.value.contains('\0') {
                return Err(RenderError::NulByte {
                    name: p.name.clone(),
                });
            }
            let text = splice_at(template, p.range.clone(), &v.value, context).map_err(|e| {
                RenderError::UnsafeShellPlace {
                    name: p.name.clone(),
                    why: e.to_string(),
                }
            })?;
            spliced.push(text);
        }
        let command = join(template, found.iter().map(|(p, _)| p), &spliced);
        check_heredocs(template, &found, &spliced, &command)?;
        if !mask_secrets {
            return Ok(command);
        }
        let mut shown = spliced;
        for (text, (p, _)) in shown.iter_mut().zip(&found) {
            if self.resolve(&p.name, host).is_ok_and(|v| v.secret) {
                *text = MASK.to_string();
            }
        }
        Ok(join(template, found.iter().map(|(p, _)| p), &shown))
    }

    /// The statement to run: each placeholder becomes a bind parameter (`?`, or `$n` for
    /// PostgreSQL) and its value goes into the binds, in order. A placeholder inside quotes or a
    /// comment is an error, as is `{{host.FACT}}` (SQL has no target host).
    pub fn render_sql(&self, template: &str, dialect: Driver) -> Result<BoundSql, RenderError> {
        if let Some(at) = unclosed(template) {
            return Err(RenderError::Unclosed { at });
        }
        let found = sql_placeholders(template);
        misplaced(&found)?;
        let mut binds = Vec::new();
        let sql = self.substitute(template, found.iter().map(|(p, _)| p), None, |_, v| {
            binds.push(v.value.clone());
            Ok(match dialect {
                Driver::Postgres => format!("${}", binds.len()),
                Driver::Mysql | Driver::Sqlite => "?".to_string(),
            })
        })?;
        Ok(BoundSql { sql, binds })
    }

    /// The statement as the journal and the screen show it: each value as a SQL string literal,
    /// secret ones as [`MASK`].
    pub fn display_sql(&self, template: &str) -> Result<String, RenderError> {
        let found = sql_placeholders(template);
        misplaced(&found)?;
        self.substitute(template, found.iter().map(|(p, _)| p), None, |_, v| {
            Ok(if v.secret {
                MASK.to_string()
            } else {
                format!("'{}'", v.value.replace('\'', "''"))
            })
        })
    }

    /// Free text (a step's detail) with the values known so far, secrets masked; placeholders
    /// without a value stay as written so the operator sees what is still missing.
    pub fn display_text(&self, template: &str, host: Option<&Host>) -> String {
        fill(template, |name| {
            self.resolve(name, host)
                .ok()
                .map(|v| if v.secret { MASK.to_string() } else { v.value })
        })
    }
}

/// The template with each placeholder replaced by its text, in order.
fn join<'p>(
    template: &str,
    found: impl IntoIterator<Item = &'p Placeholder>,
    texts: &[String],
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut last = 0;
    for (p, text) in found.into_iter().zip(texts) {
        out.push_str(&template[last..p.range.start]);
        out.push_str(text);
        last = p.range.end;
    }
    out.push_str(&template[last..]);
    out
}

/// The rendered command must end its here-documents exactly where the template does: a value
/// with a delimiter line (or that makes one with the text around it) would end one early.
fn check_heredocs(
    template: &str,
    found: &[(Placeholder, ShellContext)],
    spliced: &[String],
    command: &str,
) -> Result<(), RenderError> {
    if found.is_empty() {
        return Ok(());
    }
    let expected = heredoc_ends(template).unwrap_or_default();
    let shifted: Vec<usize> = expected
        .iter()
        .map(|&end| {
            let grown: isize = found
                .iter()
                .zip(spliced)
                .filter(|((p, _), _)| p.range.end <= end)
                .map(|((p, _), text)| text.len() as isize - p.range.len() as isize)
                .sum();
            end.saturating_add_signed(grown)
        })
        .collect();
    if heredoc_ends(command).ok() == Some(shifted) {
        return Ok(());
    }
    let name = found
        .iter()
        .find(|(_, c)| matches!(c, ShellContext::Heredoc { .. }))
        .or(found.first())
        .map(|(p, _)| p.name.clone())
        .unwrap_or_default();
    Err(RenderError::HeredocEnded { name })
}

/// The first placeholder that cannot be a bind parameter, as an error.
fn misplaced(found: &[(Placeholder, SqlContext)]) -> Result<(), RenderError> {
    match found.iter().find(|(_, c)| *c != SqlContext::Code) {
        Some((p, context)) => Err(RenderError::MisplacedInSql {
            name: p.name.clone(),
            context: *context,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn variable(name: &str, source: VariableSource, secret: bool) -> Variable {
        Variable {
            name: name.to_string(),
            description: String::new(),
            source,
            secret,
            default: None,
        }
    }

    fn store() -> VariableStore {
        let mut with_default = variable("port", VariableSource::Prompt, false);
        with_default.default = Some("3306".into());
        VariableStore::new(&[
            variable(
                "failed_ip",
                VariableSource::Incident {
                    fact: "public_ip".into(),
                },
                false,
            ),
            variable("backup_file", VariableSource::Capture, false),
            variable("password", VariableSource::Prompt, true),
            variable("evil", VariableSource::Prompt, false),
            with_default,
        ])
    }

    fn host() -> Host {
        Host {
            diagnose: Vec::new(),
            privilege: crate::core::inventory::Privilege::Root,
            services: Default::default(),
            name: "app-primary".into(),
            address: "198.51.100.86".into(),
            port: 22,
            user: "root".into(),
            role: "app-primary".into(),
            tags: Vec::new(),
            ssh_alias: None,
            identity_files: Vec::new(),
            transport: crate::core::inventory::Transport::Ssh,
            logs: Vec::new(),
            checks: Vec::new(),
            vars: [("public_ip".to_string(), "198.51.100.86".to_string())].into(),
        }
    }

    #[test]
    fn hostile_value_is_one_shell_word_bare_and_in_quotes() {
        let mut s = store();
        assert!(s.set("evil", "'; rm -rf / #", Provenance::Prompt).is_ok());
        assert_eq!(
            s.render_command("echo {{evil}}", None).as_deref(),
            Ok(r"echo ''\''; rm -rf / #'")
        );
        // Inside the template's own quotes, the quotes are closed around the value.
        assert_eq!(
            s.render_command("grep -F '{{evil}}' f", None).as_deref(),
            Ok(r"grep -F ''''\''; rm -rf / #''' f")
        );
        assert_eq!(
            s.render_command("echo \"x {{evil}}\"", None).as_deref(),
            Ok(r#"echo "x "''\''; rm -rf / #'"""#)
        );
    }

    #[test]
    fn here_documents_escape_values_and_refuse_an_early_end() {
        let mut h = host();
        h.vars
            .insert("x".into(), "$(touch /tmp/pwned) `id` \\".into());
        let s = store();
        assert_eq!(
            s.render_command("cat <<EOF\nval={{host.x}}\nEOF", Some(&h))
                .as_deref(),
            Ok("cat <<EOF\nval=\\$(touch /tmp/pwned) \\`id\\` \\\\\nEOF")
        );
        h.vars.insert("x".into(), "a\nEOF\ntouch /tmp/pwned".into());
        for quoted in ["EOF", "'EOF'"] {
            let template = format!("cat <<{quoted}\n{{{{host.x}}}}\nEOF");
            assert!(
                matches!(
                    s.render_command(&template, Some(&h)),
                    Err(RenderError::HeredocEnded { .. })
                ),
                "{template}"
            );
            assert!(s.display_command(&template, Some(&h)).is_err());
        }
    }

    #[test]
    fn refused_places_and_unclosed_braces_render_nothing() {
        let mut s = store();
        assert!(s.set("evil", "1", Provenance::Prompt).is_ok());
        for template in ["echo $(( {{evil}} ))", "echo `{{evil}}`", "echo # {{evil}}"] {
            assert!(
                matches!(
                    s.render_command(template, None),
                    Err(RenderError::UnsafeShellPlace { .. })
                ),
                "{template}"
            );
        }
        assert_eq!(
            s.render_command("echo {{evil}} {{evil", None),
            Err(RenderError::Unclosed { at: 14 })
        );
        assert!(s.render_sql("select {{evil", Driver::Mysql).is_err());
        assert!(s.set("evil", "a\0b", Provenance::Prompt).is_ok());
        assert!(matches!(
            s.render_command("echo {{evil}}", None),
            Err(RenderError::NulByte { .. })
        ));
    }

    #[test]
    fn incident_facts_defaults_and_host_facts_fill_commands() {
        let mut s = store();
        let (set, problems) = s.fill_from_incident(&host());
        assert_eq!(set, ["failed_ip"]);
        assert!(problems.is_empty());
        assert_eq!(
            s.render_command("grep -F '{{failed_ip}}' /etc/nginx/ -p {{port}}", None)
                .as_deref(),
            Ok("grep -F '198.51.100.86' /etc/nginx/ -p 3306")
        );
        assert_eq!(
            s.render_command("ping {{ host.public_ip }}", Some(&host()))
                .as_deref(),
            Ok("ping 198.51.100.86")
        );
        assert_eq!(
            s.get("failed_ip").map(|v| v.provenance),
            Some(Provenance::IncidentFact {
                host: "app-primary".into(),
                fact: "public_ip".into()
            })
        );
    }

    #[test]
    fn missing_fact_is_reported_by_name() {
        let mut s = store();
        let mut h = host();
        h.vars.clear();
        let (_, problems) = s.fill_from_incident(&h);
        assert_eq!(
            problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            [
                "variable `failed_ip` reads fact `public_ip` of app-primary, which has none: ask the operator for it"
            ]
        );
        let names: Vec<_> = s.missing().iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["failed_ip", "password", "evil"]);
    }

    #[test]
    fn unknown_and_unset_variables_are_named() {
        let s = store();
        assert_eq!(
            s.render_command("ls {{nope}}", None)
                .map_err(|e| e.to_string()),
            Err("unknown variable `nope`: the playbook does not declare it".to_string())
        );
        assert_eq!(
            s.render_command("mysql < {{backup_file}}", None)
                .map_err(|e| e.to_string()),
            Err("variable `backup_file` has no value yet: the step that captures it has not passed yet".to_string())
        );
        assert_eq!(
            s.render_command("ping {{host.public_ip}}", None)
                .map_err(|e| e.to_string()),
            Err("`{{host.public_ip}}` needs a target host, and there is none here".to_string())
        );
        let mut h = host();
        h.vars.clear();
        assert!(matches!(
            s.render_command("ping {{host.public_ip}}", Some(&h)),
            Err(RenderError::UnknownFact { .. })
        ));
        assert!(matches!(
            VariableStore::new(&[]).set("x", "1", Provenance::Prompt),
            Err(VariableError::Unknown { .. })
        ));
    }

    #[test]
    fn sql_binds_in_order_per_dialect() {
        let mut s = store();
        s.fill_from_incident(&host());
        assert!(s.set("evil", "x' or '1'='1", Provenance::Prompt).is_ok());
        let sql = "update t set status=2 where ip={{failed_ip}} and note = {{evil}} or p={{port}}";
        assert_eq!(
            s.render_sql(sql, Driver::Mysql),
            Ok(BoundSql {
                sql: "update t set status=2 where ip=? and note = ? or p=?".into(),
                binds: vec!["198.51.100.86".into(), "x' or '1'='1".into(), "3306".into()],
            })
        );
        assert_eq!(
            s.render_sql(sql, Driver::Postgres).map(|b| b.sql),
            Ok("update t set status=2 where ip=$1 and note = $2 or p=$3".into())
        );
        assert_eq!(
            s.render_sql(sql, Driver::Sqlite).map(|b| b.binds.len()),
            Ok(3)
        );
    }

    #[test]
    fn quoted_placeholder_in_sql_is_an_error() {
        let mut s = store();
        s.fill_from_incident(&host());
        let err = s
            .render_sql(
                "update t set status=2 where ip='{{failed_ip}}'",
                Driver::Mysql,
            )
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("`{{failed_ip}}` is inside a quoted SQL string literal; write it bare (`where ip = {{failed_ip}}`), it is bound as a parameter".to_string())
        );
        assert!(s.display_sql("select '{{failed_ip}}'").is_err());
        assert!(matches!(
            s.render_sql("select {{host.public_ip}}", Driver::Mysql),
            Err(RenderError::NoHost { .. })
        ));
    }

    #[test]
    fn display_forms_mask_secrets() {
        let mut s = store();
        assert!(s.set("password", "hunter2", Provenance::Prompt).is_ok());
        assert!(s.set("evil", "o'k", Provenance::Prompt).is_ok());
        assert_eq!(
            s.render_command("mysql -p{{password}}", None).as_deref(),
            Ok("mysql -phunter2")
        );
        assert_eq!(
            s.display_command("mysql -p{{password}}", None).as_deref(),
            Ok("mysql -p***")
        );
        assert_eq!(
            s.display_sql("select {{password}}, {{evil}}").as_deref(),
            Ok("select ***, 'o''k'")
        );
        assert_eq!(
            s.display_text("restore {{backup_file}} with {{password}}", None),
            "restore {{backup_file}} with ***"
        );
        assert_eq!(s.mask("echo hunter2 done"), "echo *** done");
        assert_eq!(s.secret_values(), ["hunter2"]);
        let record = s.record("INC-1", "password");
        assert!(
            matches!(&record, Some(Record::VariableSet { value, secret: true, .. }) if value == "***"),
            "{record:?}"
        );
    }

    #[test]
    fn resume_restores_non_secret_values_only() {
        let known: BTreeMap<String, KnownVariable> = [
            (
                "backup_file".to_string(),
                KnownVariable {
                    value: "/shell/sql_backup/speed-2.sql".into(),
                    provenance: Provenance::Capture {
                        step: "find-backup".into(),
                    },
                    secret: false,
                    by: "op".into(),
                    at_ms: 1,
                },
            ),
            (
                "password".to_string(),
                KnownVariable {
                    value: MASK.into(),
                    provenance: Provenance::Prompt,
                    secret: true,
                    by: "op".into(),
                    at_ms: 2,
                },
            ),
        ]
        .into();
        let s = VariableStore::resume(&store().declared, &known);
        assert_eq!(
            s.get("backup_file").map(|v| v.value),
            Some("/shell/sql_backup/speed-2.sql".into())
        );
        assert!(s.get("password").is_none());
        assert!(s.missing().iter().any(|v| v.name == "password"));
    }
}
