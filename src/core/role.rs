//! What each person on an incident may do: the incident commander, an operator, an observer.
//!
//! Every operator intent needs one [`Authority`]: to look (navigation, views, help, quitting),
//! to act (anything that changes the incident, a host, a database or the journal), or to
//! command (change severity, resolve). [`Role::permits`] is the one place deciding.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A person's role on the incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// May do everything, on every incident (alone on a local journal, this is everyone).
    Commander,
    /// May act, but change severity and resolve only on incidents they opened.
    Operator,
    /// Read-only: sees everything, runs nothing.
    Observer,
}

impl Role {
    /// Every role, in the order of their powers.
    pub const ALL: [Role; 3] = [Role::Commander, Role::Operator, Role::Observer];

    /// The name used on the command line, in the status line and in the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Commander => "commander",
            Role::Operator => "operator",
            Role::Observer => "observer",
        }
    }

    /// The role when none is given: `commander` on a local journal (one person, who can do
    /// everything), `operator` on a shared one (whoever opens an incident commands it).
    pub fn default_for(shared_journal: bool) -> Role {
        if shared_journal {
            Role::Operator
        } else {
            Role::Commander
        }
    }

    /// Picks the role: `--role`, then `COCKPIT_ROLE` (empty counts as unset), then
    /// [`Role::default_for`]. An unknown name is an error naming its source.
    pub fn resolve(
        flag: Option<&str>,
        env: Option<&str>,
        shared_journal: bool,
    ) -> Result<Role, String> {
        let given = match (flag, env.filter(|e| !e.is_empty())) {
            (Some(f), _) => Some(("--role", f)),
            (None, Some(e)) => Some(("COCKPIT_ROLE", e)),
            (None, None) => None,
        };
        match given {
            Some((source, text)) => text.parse().map_err(|e| format!("{source}: {e}")),
            None => Ok(Role::default_for(shared_journal)),
        }
    }

    /// Whether this role may do something needing `need`. `commands_incident` says whether
    /// the person opened the incident concerned (its commander whatever their role, unless
    /// an observer). The error is the refusal to show; `commander` names who may.
    pub fn permits(
        self,
        need: Authority,
        commands_incident: bool,
        commander: &str,
    ) -> Result<(), String> {
        match (self, need) {
            (_, Authority::Look) | (Role::Commander, _) => Ok(()),
            (Role::Observer, _) => Err(OBSERVER_REFUSAL.to_string()),
            (Role::Operator, Authority::Act) => Ok(()),
            (Role::Operator, Authority::Command) if commands_incident => Ok(()),
            (Role::Operator, Authority::Command) => Err(format!(
                "only the incident commander ({commander}) may change severity/resolve"
            )),
        }
    }
}

/// What an observer is told when a key would act.
pub const OBSERVER_REFUSAL: &str = "observer: read-only — nothing was done";

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("unknown role {s:?}: expected commander, operator or observer"))
    }
}

/// What an operator intent needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    /// Looking: moving, views, help, quitting. Everyone.
    Look,
    /// Acting: changes the incident, a host, a database or the journal. Not observers.
    Act,
    /// Commanding the incident: severity, resolve. Commanders and the incident's opener.
    Command,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_over_the_env_and_the_default_depends_on_the_journal() {
        assert_eq!(
            Role::resolve(Some("observer"), Some("commander"), false),
            Ok(Role::Observer)
        );
        assert_eq!(
            Role::resolve(None, Some("Operator"), false),
            Ok(Role::Operator)
        );
        assert_eq!(Role::resolve(None, Some(""), true), Ok(Role::Operator));
        assert_eq!(Role::resolve(None, None, false), Ok(Role::Commander));
        assert_eq!(Role::resolve(None, None, true), Ok(Role::Operator));
        let err = Role::resolve(None, Some("boss"), false).unwrap_err();
        assert_eq!(
            err,
            "COCKPIT_ROLE: unknown role \"boss\": expected commander, operator or observer"
        );
    }

    #[test]
    fn each_role_gets_what_it_may_and_is_told_who_may_otherwise() {
        let boss = "alice@bastion-1";
        for role in Role::ALL {
            assert_eq!(role.permits(Authority::Look, false, boss), Ok(()));
        }
        assert_eq!(
            Role::Commander.permits(Authority::Command, false, boss),
            Ok(())
        );
        assert_eq!(Role::Operator.permits(Authority::Act, false, boss), Ok(()));
        assert_eq!(
            Role::Operator.permits(Authority::Command, true, boss),
            Ok(())
        );
        assert_eq!(
            Role::Operator.permits(Authority::Command, false, boss),
            Err("only the incident commander (alice@bastion-1) may change severity/resolve".into())
        );
        for need in [Authority::Act, Authority::Command] {
            for opener in [false, true] {
                assert_eq!(
                    Role::Observer.permits(need, opener, boss),
                    Err(OBSERVER_REFUSAL.into())
                );
            }
        }
    }

    #[test]
    fn the_role_reads_back_as_written() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            let json = serde_json::to_string(&role).unwrap_or_default();
            assert_eq!(json, format!("\"{role}\""));
        }
    }
}
