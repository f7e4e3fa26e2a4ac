//! `when` gates: whether the fleet is in the state a step needs before it may run, and if not,
//! why it waits.

use crate::core::inventory::Inventory;
use crate::core::playbook::{Gate, Target};
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
/// every host of the role in it. A target the inventory does not know never opens.
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
        for host in hosts {
            let state = state_of(fleet, &host.name);
            if state != gate.state {
                let who = match &gate.target {
                    Target::Host(_) => host.name.clone(),
                    Target::Role(role) => format!("{} (role {role})", host.name),
                };
                reasons.push(format!("{who} is {state}; needs {}", gate.state));
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
    use crate::core::health::HostState::{self, *};
    use crate::core::run::targets::tests::{fleet, inventory};

    fn gate(target: Target, state: HostState) -> Gate {
        Gate { target, state }
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
