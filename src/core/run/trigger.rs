//! Whether a playbook's trigger fires on the fleet as the grid sees it, which hosts show it, and
//! how to say so: a state, a symptom (unreachable, a failing check, one kind of pressure), and
//! how many hosts of a role must show them.

use crate::core::health::HostState;
use crate::core::metrics::Level;
use crate::core::playbook::{Symptom, Target, Trigger};

/// What the grid knows of one host, as a trigger reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSignals {
    /// Inventory name.
    pub name: String,
    /// Inventory role.
    pub role: String,
    /// Its state.
    pub state: HostState,
    /// How many checks it has.
    pub checks: usize,
    /// The labels of its failing checks (`ssh`, `tcp:5672`, `http http://…`).
    pub failing: Vec<String>,
    /// Each judged resource (`cpu`, `mem`, `disk /var`) and its level.
    pub pressure: Vec<(String, Level)>,
}

impl HostSignals {
    /// Down, or every check failing.
    fn unreachable(&self) -> bool {
        self.state == HostState::Down || (self.checks > 0 && self.failing.len() >= self.checks)
    }

    /// Whether the host shows `symptom`.
    pub fn shows(&self, symptom: &Symptom) -> bool {
        match symptom {
            Symptom::Unreachable => self.unreachable(),
            Symptom::Service { check } => {
                !self.unreachable()
                    && self.failing.iter().any(|label| match check {
                        None => true,
                        Some(c) => label == c || label.starts_with(&format!("{c} ")),
                    })
            }
            Symptom::Pressure { resource, level } => self.pressure.iter().any(|(item, l)| {
                l >= level
                    && (item == resource.pressure_item()
                        || item.starts_with(&format!("{} ", resource.pressure_item())))
            }),
        }
    }

    /// Whether the host is in the trigger's state and shows its symptom.
    pub fn matches(&self, trigger: &Trigger) -> bool {
        trigger.state.is_none_or(|s| s == self.state)
            && trigger.symptom.as_ref().is_none_or(|s| self.shows(s))
    }

    fn is_of(&self, target: &Target) -> bool {
        match target {
            Target::Host(name) => &self.name == name,
            Target::Role(role) => &self.role == role,
            Target::Incident => false,
        }
    }
}

/// What a trigger found: the hosts that match it, in grid order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firing {
    /// The hosts of its target that match it.
    pub hosts: Vec<String>,
    /// Why it fires, e.g. `rabbit-2 is degraded, failing check tcp:5672`.
    pub reason: String,
}

/// Whether `trigger` fires on `fleet`: enough hosts of its target match it.
pub fn fires(trigger: &Trigger, fleet: &[HostSignals]) -> Option<Firing> {
    let of_target: Vec<&HostSignals> = fleet.iter().filter(|h| h.is_of(&trigger.target)).collect();
    let hosts: Vec<String> = of_target
        .iter()
        .filter(|h| h.matches(trigger))
        .map(|h| h.name.clone())
        .collect();
    if !trigger.hosts.holds(hosts.len(), of_target.len()) {
        return None;
    }
    let what = [
        trigger.state.map(|s| s.to_string()),
        trigger.symptom.as_ref().map(|s| s.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let verb = if hosts.len() == 1 { "is" } else { "are" };
    Some(Firing {
        reason: format!("{} {verb} {what}", hosts.join(", ")),
        hosts,
    })
}

/// The host an incident opened with `trigger`'s playbook is about: the first host that matches
/// the trigger; else, when the operator opened it by hand, the first host of the trigger's
/// target that is hurt (degraded, down or recovering). None when no host of it is hurt: a step
/// on "the incident's host" then refuses to run rather than pick a healthy one.
pub fn opening_host(trigger: &Trigger, fleet: &[HostSignals]) -> Option<String> {
    let of_target = || fleet.iter().filter(|h| h.is_of(&trigger.target));
    of_target()
        .find(|h| h.matches(trigger))
        .or_else(|| of_target().find(|h| h.state.is_impaired()))
        .map(|h| h.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::playbook::{HostCount, Resource};

    fn host(
        name: &str,
        state: HostState,
        failing: &[&str],
        pressure: &[(&str, Level)],
    ) -> HostSignals {
        HostSignals {
            name: name.into(),
            role: "rabbitmq".into(),
            state,
            checks: 3,
            failing: failing.iter().map(|s| s.to_string()).collect(),
            pressure: pressure.iter().map(|(i, l)| (i.to_string(), *l)).collect(),
        }
    }

    fn trigger(state: Option<HostState>, hosts: HostCount, symptom: Option<Symptom>) -> Trigger {
        Trigger {
            target: Target::Role("rabbitmq".into()),
            state,
            hosts,
            symptom,
        }
    }

    #[test]
    fn one_failed_node_of_three_fires_an_any_trigger_and_names_it() {
        let fleet = [
            host("rabbit-1", HostState::Up, &[], &[]),
            host("rabbit-2", HostState::Degraded, &["tcp:5672"], &[]),
            host("rabbit-3", HostState::Up, &[], &[]),
        ];
        let service = Some(Symptom::Service {
            check: Some("tcp:5672".into()),
        });
        let any = trigger(
            Some(HostState::Degraded),
            HostCount::AtLeast(1),
            service.clone(),
        );
        let firing = fires(&any, &fleet).expect("fires");
        assert_eq!(firing.hosts, ["rabbit-2"]);
        assert_eq!(
            firing.reason,
            "rabbit-2 is degraded, failing check tcp:5672"
        );
        let all = trigger(Some(HostState::Degraded), HostCount::All, service.clone());
        assert_eq!(fires(&all, &fleet), None, "every node is not degraded");
        let two = trigger(Some(HostState::Degraded), HostCount::AtLeast(2), service);
        assert_eq!(fires(&two, &fleet), None);
    }

    #[test]
    fn a_check_name_matches_the_label_or_its_first_word_not_a_longer_port() {
        let h = host(
            "a",
            HostState::Degraded,
            &["tcp:56720", "http http://x/health"],
            &[],
        );
        let check = |c: &str| Symptom::Service {
            check: Some(c.into()),
        };
        assert!(!h.shows(&check("tcp:5672")), "5672 is not 56720");
        assert!(h.shows(&check("tcp:56720")));
        assert!(h.shows(&check("http")));
        assert!(!h.shows(&check("htt")));
    }

    #[test]
    fn a_full_disk_fires_the_disk_trigger_not_an_unreachable_or_service_one() {
        let full = host(
            "a",
            HostState::Up,
            &[],
            &[("disk /var", Level::Warning), ("cpu", Level::Normal)],
        );
        let disk = Symptom::Pressure {
            resource: Resource::Disk,
            level: Level::Warning,
        };
        assert!(full.shows(&disk));
        assert!(!full.shows(&Symptom::Pressure {
            resource: Resource::Disk,
            level: Level::Critical
        }));
        assert!(!full.shows(&Symptom::Pressure {
            resource: Resource::Cpu,
            level: Level::Warning
        }));
        assert!(!full.shows(&Symptom::Unreachable));
        assert!(!full.shows(&Symptom::Service { check: None }));
        let p0 = trigger(Some(HostState::Degraded), HostCount::AtLeast(1), None);
        assert_eq!(
            fires(&p0, std::slice::from_ref(&full)),
            None,
            "a full disk is not degraded"
        );
        let t = trigger(None, HostCount::AtLeast(1), Some(disk));
        assert_eq!(
            fires(&t, &[full]).map(|f| f.reason),
            Some("a is under disk pressure (warning)".into())
        );
    }

    #[test]
    fn unreachable_is_down_or_every_check_failing_and_excludes_service() {
        let down = host("a", HostState::Down, &["ssh"], &[]);
        let all_fail = host("b", HostState::Degraded, &["ssh", "tcp:1", "tcp:2"], &[]);
        let some_fail = host("c", HostState::Degraded, &["tcp:1"], &[]);
        for h in [&down, &all_fail] {
            assert!(h.shows(&Symptom::Unreachable), "{}", h.name);
            assert!(!h.shows(&Symptom::Service { check: None }), "{}", h.name);
        }
        assert!(!some_fail.shows(&Symptom::Unreachable));
        assert!(some_fail.shows(&Symptom::Service { check: None }));
    }

    #[test]
    fn the_opening_host_is_the_matching_one_else_a_hurt_one_never_a_healthy_one() {
        let service = Some(Symptom::Service {
            check: Some("tcp:5672".into()),
        });
        let t = trigger(Some(HostState::Degraded), HostCount::AtLeast(1), service);
        let fleet = [
            host("rabbit-1", HostState::Up, &[], &[]),
            host("rabbit-2", HostState::Degraded, &["http"], &[]),
            host("rabbit-3", HostState::Degraded, &["tcp:5672"], &[]),
        ];
        assert_eq!(opening_host(&t, &fleet).as_deref(), Some("rabbit-3"));
        assert_eq!(
            opening_host(&t, &fleet[..2]).as_deref(),
            Some("rabbit-2"),
            "opened by hand: the hurt node"
        );
        assert_eq!(opening_host(&t, &fleet[..1]), None, "never a healthy node");
    }

    #[test]
    fn a_role_with_no_host_in_the_grid_never_fires() {
        let t = trigger(Some(HostState::Down), HostCount::All, None);
        assert_eq!(fires(&t, &[]), None);
    }
}
