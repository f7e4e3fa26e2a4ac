//! Guards: the confirmation a step needs before it runs. Steps marked dangerous, and commands
//! or SQL matching a dangerous pattern of the inventory settings, need the target's name typed;
//! `confirm = "yes"` needs a yes.

use crate::core::inventory::Inventory;
use crate::core::playbook::{Confirm, Step, StepAction, Target};
use crate::core::run::targets::resolve;
use crate::core::settings::dangerous_matches;

/// What the operator must do before a step runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guard {
    /// Nothing: it runs.
    None,
    /// Answer yes.
    Yes,
    /// Type `expected` (the host, role or database name) exactly.
    Typed {
        /// The name to type.
        expected: String,
        /// Why, e.g. `marked dangerous`, ``contains `rm -rf` ``.
        reasons: Vec<String>,
    },
}

impl Guard {
    /// Whether `answer` satisfies the guard: anything for none, `yes`/`y` (any case) for yes,
    /// exactly the expected name (surrounding spaces ignored) for typed.
    pub fn accepts(&self, answer: Option<&str>) -> bool {
        let answer = answer.map(str::trim);
        match self {
            Guard::None => true,
            Guard::Yes => {
                answer.is_some_and(|a| a.eq_ignore_ascii_case("yes") || a.eq_ignore_ascii_case("y"))
            }
            Guard::Typed { expected, .. } => answer == Some(expected.as_str()),
        }
    }

    /// Whether the step is treated as dangerous (a typed confirmation).
    pub fn is_dangerous(&self) -> bool {
        matches!(self, Guard::Typed { .. })
    }
}

/// The name typed to confirm a step: its database, its one host, its role when it runs on
/// several hosts, else the step id.
pub fn confirmation_name(step: &Step, inventory: &Inventory) -> String {
    let target = match &step.action {
        StepAction::Sql { database, .. } => return database.clone(),
        StepAction::Command { target, .. } | StepAction::Check { target } => Some(target),
        StepAction::Verify { target } => target.as_ref(),
        StepAction::Manual | StepAction::Note => None,
    };
    match target {
        Some(Target::Host(host)) => host.clone(),
        Some(target @ Target::Role(role)) => match resolve(target, inventory).as_deref() {
            Ok([only]) => only.name.clone(),
            _ => role.clone(),
        },
        Some(Target::Incident) => step.id.clone(),
        None => step.id.clone(),
    }
}

/// The guard for a step whose command or statement renders to `rendered`.
pub fn guard(step: &Step, rendered: &str, inventory: &Inventory) -> Guard {
    let mut reasons = Vec::new();
    if step.dangerous {
        reasons.push("marked dangerous".to_string());
    }
    reasons.extend(
        dangerous_matches(rendered, &inventory.settings.dangerous_patterns)
            .into_iter()
            .map(|hit| format!("contains `{hit}`")),
    );
    if reasons.is_empty() && step.confirm == Confirm::Typed {
        reasons.push("the playbook asks for a typed confirmation".to_string());
    }
    if !reasons.is_empty() {
        return Guard::Typed {
            expected: confirmation_name(step, inventory),
            reasons,
        };
    }
    match step.confirm {
        Confirm::Yes => Guard::Yes,
        Confirm::None | Confirm::Typed => Guard::None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::playbook::{Expectation, OnFailure};
    use crate::core::run::targets::tests::inventory;

    pub(crate) fn command_step(target: Target, run: &str) -> Step {
        Step {
            privileged: false,
            service: None,
            id: "s".into(),
            title: "s".into(),
            detail: None,
            action: StepAction::Command {
                target,
                run: run.into(),
                capture: None,
            },
            confirm: Confirm::None,
            dangerous: false,
            expect: None::<Expectation>,
            on_failure: OnFailure::Stop,
            failure_hint: None,
            failure_hint_for: Vec::new(),
            fail_on_pressure: None,
            when: Vec::new(),
            timeout_secs: None,
            parallel: false,
        }
    }

    #[test]
    fn marked_step_needs_the_host_name_typed() {
        let inv = inventory();
        let mut step = command_step(Target::Role("app-backup".into()), "mysql < /x.sql");
        step.dangerous = true;
        step.confirm = Confirm::Typed;
        let g = guard(&step, "mysql < /x.sql", &inv);
        assert_eq!(
            g,
            Guard::Typed {
                expected: "app-backup".into(),
                reasons: vec!["marked dangerous".into()],
            }
        );
        assert!(g.accepts(Some(" app-backup ")));
        assert!(!g.accepts(Some("app-primary")));
        assert!(!g.accepts(Some("yes")));
        assert!(!g.accepts(None));
    }

    #[test]
    fn pattern_makes_an_unmarked_step_dangerous() {
        let inv = inventory();
        let step = command_step(Target::Role("nginx".into()), "rm -rf {{dir}}");
        let g = guard(&step, "rm -rf /var/cache/nginx && redis-cli FLUSHALL", &inv);
        assert_eq!(
            g,
            Guard::Typed {
                expected: "nginx".into(),
                reasons: vec!["contains `rm -rf`".into(), "contains `FLUSHALL`".into()],
            },
            "several hosts: the role is typed"
        );
        let mut on_host = command_step(Target::Host("nginx-2".into()), "");
        on_host.confirm = Confirm::Yes;
        assert!(matches!(
            guard(&on_host, "sudo reboot", &inv),
            Guard::Typed { expected, .. } if expected == "nginx-2"
        ));
    }

    #[test]
    fn sql_guard_expects_the_database_name() {
        let inv = inventory();
        let mut step = command_step(Target::Host("x".into()), "");
        step.action = StepAction::Sql {
            database: "speed".into(),
            statement: "drop table user_logs".into(),
        };
        assert!(matches!(
            guard(&step, "DROP TABLE user_logs", &inv),
            Guard::Typed { expected, reasons } if expected == "speed" && reasons == ["contains `DROP TABLE`"]
        ));
    }

    #[test]
    fn yes_and_none() {
        let inv = inventory();
        let mut step = command_step(Target::Role("nginx".into()), "nginx -s reload");
        assert_eq!(guard(&step, "nginx -s reload", &inv), Guard::None);
        assert!(Guard::None.accepts(None));
        step.confirm = Confirm::Yes;
        let g = guard(&step, "nginx -s reload", &inv);
        assert_eq!(g, Guard::Yes);
        assert!(g.accepts(Some("YES")) && g.accepts(Some("y")) && !g.accepts(Some("no")));
        step.confirm = Confirm::Typed;
        assert!(matches!(
            guard(&step, "nginx -s reload", &inv),
            Guard::Typed { reasons, .. } if reasons == ["the playbook asks for a typed confirmation"]
        ));
    }

    #[test]
    fn settings_patterns_replace_the_defaults() {
        let mut inv = inventory();
        inv.settings.dangerous_patterns = vec!["pg_ctl\\s+stop".into()];
        let step = command_step(Target::Host("app-primary".into()), "");
        assert_eq!(guard(&step, "rm -rf /tmp/x", &inv), Guard::None);
        assert!(guard(&step, "PG_CTL STOP -D /data", &inv).is_dangerous());
    }
}
