//! `when` gates: whether the fleet is in the state a step needs before it may run, and if not,
//! why it waits.

use crate::core::health::HostState;
use crate::core::inventory::Inventory;
use crate::core::playbook::{Gate, HostCount, Target};
use crate::core::run::targets::{FleetPicture, resolve, state_of};

/// Whether a step may run now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateVerdict {
    /// Every gate holds.
    Open,
    /// Some gate does not hold; one reason per host in the wrong state, e.g.
    /// `app-primary is up; needs down`.
    Waiting(Vec<String>),
}

impl GateVerdict {
    /// Whether the step may run.
    pub fn is_open(&self) -> bool {
        matches!(self, GateVerdict::Open)
    }
}

/// Checks gates against the fleet. A host gate needs that host in the state; a role gate needs
/// every host of the role in it, or as many as it says (`hosts = "any"`, `at_least`). A target
/// the inventory does not know never opens.
pub fn evaluate(gates: &[Gate], fleet: &FleetPicture, inventory: &Inventory) -> GateVerdict {
    let mut reasons = Vec::new();
    for gate in gates {
        let hosts = match resolve(&gate.target, inventory) {
            Ok(hosts) => hosts,
            Err(e) => {
                reasons.push(e.to_string());
                continue;
            }
        };
        let wrong: Vec<(String, HostState)> = hosts
            .iter()
            .map(|h| (h.name.clone(), state_of(fleet, &h.name)))
            .filter(|(_, state)| *state != gate.state)
            .collect();
        let in_state = hosts.len() - wrong.len();
        if gate.hosts.holds(in_state, hosts.len()) {
            continue;
        }
        match (&gate.target, gate.hosts) {
            (Target::Role(role), HostCount::AtLeast(n)) => reasons.push(format!(
                "needs {} of role {role} {}; {in_state} of {} {}",
                if n == 1 {
                    "a host".to_string()
                } else {
                    format!("{n} hosts")
                },
                gate.state,
                hosts.len(),
                if in_state == 1 { "is" } else { "are" },
            )),
            (target, _) => {
                for (name, state) in wrong {
                    let who = match target {
                        Target::Role(role) => format!("{name} (role {role})"),
                        _ => name,
                    };
                    reasons.push(format!("{who} is {state}; needs {}", gate.state));
                }
            }
        }
    }
    if reasons.is_empty() {
        GateVerdict::Open
    } else {
        GateVerdict::Waiting(reasons)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::health::HostState::*;
    use crate::core::run::targets::tests::{fleet, inventory};

    fn gate(target: Target, state: HostState) -> Gate {
        Gate {
            target,
            state,
            hosts: HostCount::All,
        }
    }

    #[test]
    fn any_and_at_least_gates_count_the_hosts_of_the_role() {
        let inv = inventory();
        let any = Gate {
            hosts: HostCount::AtLeast(1),
            ..gate(Target::Role("nginx".into()), Degraded)
        };
        let f = fleet(&[("nginx-1", Up), ("nginx-2", Degraded)]);
        assert!(evaluate(std::slice::from_ref(&any), &f, &inv).is_open());
        let f = fleet(&[("nginx-1", Up), ("nginx-2", Up)]);
        assert_eq!(
            evaluate(&[any], &f, &inv),
            GateVerdict::Waiting(vec![
                "needs a host of role nginx degraded; 0 of 2 are".into()
            ])
        );
        let two = Gate {
            hosts: HostCount::AtLeast(2),
            ..gate(Target::Role("nginx".into()), Up)
        };
        let f = fleet(&[("nginx-1", Up), ("nginx-2", Down)]);
        assert_eq!(
            evaluate(&[two], &f, &inv),
            GateVerdict::Waiting(vec!["needs 2 hosts of role nginx up; 1 of 2 is".into()])
        );
    }

    #[test]
    fn host_gates_name_the_host_and_the_state_needed() {
        let inv = inventory();
        let gates = [
            gate(Target::Host("app-primary".into()), Down),
            gate(Target::Host("app-backup".into()), Up),
        ];
        let f = fleet(&[("app-primary", Down), ("app-backup", Up)]);
        assert_eq!(evaluate(&gates, &f, &inv), GateVerdict::Open);
        let f = fleet(&[("app-primary", Up), ("app-backup", Up)]);
        assert_eq!(
            evaluate(&gates, &f, &inv),
            GateVerdict::Waiting(vec!["app-primary is up; needs down".into()])
        );
        let f = fleet(&[("app-primary", Down)]);
        assert_eq!(
            evaluate(&gates, &f, &inv),
            GateVerdict::Waiting(vec!["app-backup is unknown; needs up".into()])
        );
    }

    #[test]
    fn role_gates_need_every_host_of_the_role() {
        let inv = inventory();
        let gates = [gate(Target::Role("nginx".into()), Up)];
        let f = fleet(&[("nginx-1", Up), ("nginx-2", Up)]);
        assert!(evaluate(&gates, &f, &inv).is_open());
        let f = fleet(&[("nginx-1", Up), ("nginx-2", Degraded)]);
        assert_eq!(
            evaluate(&gates, &f, &inv),
            GateVerdict::Waiting(vec!["nginx-2 (role nginx) is degraded; needs up".into()])
        );
        let unknown = [gate(Target::Role("db".into()), Up)];
        assert_eq!(
            evaluate(&unknown, &f, &inv),
            GateVerdict::Waiting(vec!["no host of the inventory has role `db`".into()])
        );
        assert!(evaluate(&[], &f, &inv).is_open());
    }
}
