//! Reading a playbook file: from its TOML shape (`raw`) to the model (`model`), checking every
//! field and reporting each problem where it is written.

use super::model::{
    Capture, Confirm, Expectation, Gate, HostCount, OnFailure, Playbook, Resource, Step,
    StepAction, Symptom, Target, Trigger, Variable, VariableSource,
};
use super::raw::{RawCapture, RawExpect, RawGate, RawPlaybook, RawStep, RawTrigger, RawVariable};
use crate::core::diagnostic::{Collector, Diagnostics, SourceFile};
use crate::core::health::{CheckFailure, HostState};
use crate::core::inventory::Inventory;
use crate::core::metrics::Level;
use crate::core::metrics::pressure_limit;
use crate::core::settings::DEFAULT_DANGEROUS_PATTERNS;
use crate::core::settings::{NotReadOnly, not_read_only};
use crate::core::severity::Severity;
use crate::core::template::shell_text::{ShellContext, shell_placeholders};
use crate::core::template::sql_text::misplaced_sql_placeholders;
use crate::core::template::{placeholders, unclosed};
use crate::core::toml_string::value_offset;
use std::collections::HashSet;
use std::ops::Range;
use toml::Spanned;

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

    /// Exactly one of host/role/`target = "incident"` (`word`; a trigger has none), known to
    /// the inventory when there is one.
    fn target(
        &mut self,
        host: Option<Spanned<String>>,
        role: Option<Spanned<String>>,
        word: Option<Spanned<String>>,
        span: Range<usize>,
        what: &str,
    ) -> Option<Target> {
        if let Some(word) = word {
            if word.get_ref() != "incident" {
                self.error(
                    word.span(),
                    format!("unknown target `{}`", word.get_ref()),
                    Some("`target = \"incident\"` (the incident's host)"),
                );
                return None;
            }
            if let Some(other) = host.or(role) {
                self.error(
                    other.span(),
                    format!("{what} names the incident's host and a host or role"),
                    Some("one of `host`, `role` or `target`"),
                );
                return None;
            }
            return Some(Target::Incident);
        }
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

    fn state(&mut self, raw: &Spanned<String>) -> Option<HostState> {
        match raw.get_ref().parse::<HostState>() {
            Ok(s) => Some(s),
            Err(_) => {
                self.error(
                    raw.span(),
                    format!("unknown host state `{}`", raw.get_ref()),
                    Some(HOST_STATES),
                );
                None
            }
        }
    }

    /// `hosts = "all" | "any"` or `at_least = N`, only with a role.
    fn host_count(
        &mut self,
        target: Option<&Target>,
        hosts: Option<Spanned<String>>,
        at_least: Option<Spanned<u32>>,
    ) -> Option<HostCount> {
        let count = match (hosts, at_least) {
            (None, None) => return Some(HostCount::All),
            (Some(h), Some(_)) => {
                self.error(
                    h.span(),
                    "`hosts` and `at_least` both say how many hosts",
                    Some("`hosts = \"any\"` or `at_least = N`, not both"),
                );
                return None;
            }
            (Some(h), None) => match h.get_ref().as_str() {
                "all" => (HostCount::All, h.span()),
                "any" => (HostCount::AtLeast(1), h.span()),
                other => {
                    self.error(
                        h.span(),
                        format!("unknown host count `{other}`"),
                        Some("`all` or `any` (or `at_least = N`)"),
                    );
                    return None;
                }
            },
            (None, Some(n)) if *n.get_ref() == 0 => {
                self.error(
                    n.span(),
                    "`at_least` must be 1 or more",
                    Some("`at_least = 1`"),
                );
                return None;
            }
            (None, Some(n)) => (HostCount::AtLeast(*n.get_ref()), n.span()),
        };
        if count.0 != HostCount::All && !matches!(target, Some(Target::Role(_)) | None) {
            self.error(
                count.1,
                "a host count only applies to a role",
                Some("`role = \"name\"` with `hosts` or `at_least`"),
            );
            return None;
        }
        Some(count.0)
    }

    fn gate(&mut self, raw: Spanned<RawGate>) -> Option<Gate> {
        let span = raw.span();
        let raw = raw.into_inner();
        let state = self.state(&raw.state);
        let target = self.target(raw.host, raw.role, raw.target, span, "condition");
        let hosts = self.host_count(target.as_ref(), raw.hosts, raw.at_least);
        Some(Gate {
            target: target?,
            state: state?,
            hosts: hosts?,
        })
    }

    fn trigger(&mut self, raw: Spanned<RawTrigger>) -> Option<Trigger> {
        let span = raw.span();
        let raw = raw.into_inner();
        let state = match &raw.state {
            Some(s) => Some(self.state(s)?),
            None => None,
        };
        let target = self.target(raw.host, raw.role, None, span.clone(), "trigger");
        let hosts = self.host_count(target.as_ref(), raw.hosts, raw.at_least);
        let symptom = self.symptom(raw.symptom, raw.check, raw.level);
        if state.is_none() && matches!(symptom, Some(None)) {
            self.error(
                span,
                "trigger says neither a state nor a symptom",
                Some("`state = \"down\"`, `symptom = \"disk\"`, or both"),
            );
            return None;
        }
        Some(Trigger {
            target: target?,
            state,
            hosts: hosts?,
            symptom: symptom?,
        })
    }

    /// A trigger's `symptom`, with its `check` or `level`. `Some(None)`: none given.
    fn symptom(
        &mut self,
        word: Option<Spanned<String>>,
        check: Option<Spanned<String>>,
        level: Option<Spanned<String>>,
    ) -> Option<Option<Symptom>> {
        let is_pressure = word
            .as_ref()
            .is_some_and(|w| Resource::from_word(w.get_ref()).is_some());
        let is_service = word.as_ref().is_some_and(|w| w.get_ref() == "service");
        if let Some(c) = &check
            && !is_service
        {
            self.error(
                c.span(),
                "`check` names the failing check of a `service` symptom",
                Some("`symptom = \"service\"` with `check`"),
            );
            return None;
        }
        if let Some(l) = &level
            && !is_pressure
        {
            self.error(
                l.span(),
                "`level` applies to a `disk`, `memory` or `cpu` symptom",
                Some("`symptom = \"disk\"` with `level`"),
            );
            return None;
        }
        let Some(word) = word else {
            return Some(None);
        };
        let symptom = match word.get_ref().as_str() {
            "unreachable" => Symptom::Unreachable,
            "service" => Symptom::Service {
                check: check
                    .map(|c| c.into_inner())
                    .filter(|c| !c.trim().is_empty()),
            },
            w => match Resource::from_word(w) {
                Some(resource) => {
                    let level = match &level {
                        None => Level::Warning,
                        Some(l) => pressure_limit(l, &mut self.diagnostics)?,
                    };
                    Symptom::Pressure { resource, level }
                }
                None => {
                    self.error(
                        word.span(),
                        format!("unknown symptom `{w}`"),
                        Some("`unreachable`, `service`, `disk`, `memory` or `cpu`"),
                    );
                    return None;
                }
            },
        };
        Some(Some(symptom))
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
    let trigger = raw.trigger.and_then(|t| checker.trigger(t));
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
    let checkpoint_minutes = raw.checkpoint_minutes.map(|minutes| {
        crate::core::settings::checkpoints_from(
            Some(minutes),
            None,
            (Vec::new(), Vec::new()),
            &mut checker.diagnostics,
        )
        .0
    });
    checker.diagnostics.finish(Playbook {
        id: raw.id.into_inner(),
        title: raw.title,
        severity,
        rto_minutes: raw.rto_minutes,
        checkpoint_minutes,
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
    let fields: [FieldUse<'_>; 10] = [
        (
            "target",
            raw.target.as_ref().map(Spanned::span),
            &["check", "command", "verify"],
        ),
        (
            "service",
            raw.service.as_ref().map(Spanned::span),
            &["command"],
        ),
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
    if raw.privileged && kind != "command" {
        checker.error(
            span.clone(),
            format!("`privileged` does not apply to a {kind} step"),
            Some("`privileged` only on command steps"),
        );
    }
    let service = raw.service.as_ref().map(|s| s.get_ref().clone());
    if let Some(name) = &raw.service {
        service_known(name, checker);
    }
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
            target: checker.target(raw.host, raw.role, raw.target, span.clone(), "check step")?,
        },
        "verify" => StepAction::Verify {
            target: if raw.host.is_some() || raw.role.is_some() || raw.target.is_some() {
                checker.target(raw.host, raw.role, raw.target, span.clone(), "verify step")
            } else {
                None
            },
        },
        "command" => {
            let target =
                checker.target(raw.host, raw.role, raw.target, span.clone(), "command step");
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
        privileged: raw.privileged,
        service,
    })
}

/// With an inventory: the service is declared fleet-wide or on some host.
fn service_known(name: &Spanned<String>, checker: &mut Checker<'_>) {
    if name.get_ref().trim().is_empty() {
        checker.error(
            name.span(),
            "empty service name",
            Some("e.g. `service = \"pm2\"`"),
        );
        return;
    }
    if let Some(inv) = checker.inventory
        && !inv.declares_service(name.get_ref())
    {
        checker.error(
            name.span(),
            format!("the inventory declares no service `{}`", name.get_ref()),
            Some("a `[services.NAME]` table in the inventory (or `services.NAME` on a host)"),
        );
    }
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
    let why = match not_read_only(
        raw.dangerous,
        text.map(|t| t.get_ref().as_str()),
        &checker.dangerous_patterns(),
    ) {
        None => return,
        Some(NotReadOnly::Marked) => "the step is marked dangerous".to_string(),
        Some(NotReadOnly::Contains(hit)) => {
            format!("its command contains `{hit}`, a dangerous pattern")
        }
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
