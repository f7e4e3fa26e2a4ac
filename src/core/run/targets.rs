//! Which inventory hosts a step or gate target means, and which host an incident is about.

use crate::core::health::HostState;
use crate::core::inventory::{Host, Inventory};
use crate::core::playbook::{Playbook, Target};
use std::collections::BTreeMap;

/// Each host's last known state, by name (hosts not in it count as `unknown`).
pub type FleetPicture = BTreeMap<String, HostState>;

/// A target that names nothing in the inventory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// No host of that name.
    #[error("unknown host `{0}`: not in the inventory")]
    UnknownHost(String),
    /// No host has that role.
    #[error("no host of the inventory has role `{0}`")]
    EmptyRole(String),
    /// No host has that tag.
    #[error("no host of the inventory has tag `{0}`")]
    EmptyTag(String),
    /// The step is about the incident's host, and the incident has none.
    #[error(
        "this step runs on the incident's host, and the incident has none: when it opened, no host matched the playbook's trigger and none of its hosts was hurt"
    )]
    NoIncidentHost,
}

/// The hosts a target means: the named host, or every host of the role in inventory order.
pub fn resolve<'a>(
    target: &Target,
    inventory: &'a Inventory,
) -> Result<Vec<&'a Host>, TargetError> {
    match target {
        Target::Host(name) => inventory
            .host(name)
            .map(|h| vec![h])
            .ok_or_else(|| TargetError::UnknownHost(name.clone())),
        Target::Role(role) => hosts_where(inventory, |h| &h.role == role)
            .ok_or_else(|| TargetError::EmptyRole(role.clone())),
        Target::Incident => Err(TargetError::NoIncidentHost),
    }
}

/// Every host carrying `tag`, in inventory order (the off-script command's `tag:NAME`).
pub fn resolve_tag<'a>(tag: &str, inventory: &'a Inventory) -> Result<Vec<&'a Host>, TargetError> {
    hosts_where(inventory, |h| h.tags.iter().any(|t| t == tag))
        .ok_or_else(|| TargetError::EmptyTag(tag.to_string()))
}

/// The hosts `keep` takes, in inventory order; None when it takes none.
fn hosts_where(inventory: &Inventory, keep: impl Fn(&Host) -> bool) -> Option<Vec<&Host>> {
    let hosts: Vec<&Host> = inventory.hosts.iter().filter(|h| keep(h)).collect();
    (!hosts.is_empty()).then_some(hosts)
}

/// A host's state in the picture (`unknown` when it has none).
pub fn state_of(fleet: &FleetPicture, host: &str) -> HostState {
    fleet.get(host).copied().unwrap_or(HostState::Unknown)
}

/// The host whose facts fill an incident's variables: the incident's own host (the one that
/// matched the trigger when it opened) when it has one; else the first host of the trigger's
/// target in the trigger's state, else the first host of that target. None when nothing fits.
pub fn incident_host<'a>(
    playbook: &Playbook,
    journaled: Option<&str>,
    fleet: &FleetPicture,
    inventory: &'a Inventory,
) -> Option<&'a Host> {
    if let Some(host) = journaled.and_then(|name| inventory.host(name)) {
        return Some(host);
    }
    let trigger = playbook.trigger.as_ref()?;
    let hosts = resolve(&trigger.target, inventory).ok()?;
    hosts
        .iter()
        .find(|h| trigger.state.is_some_and(|s| state_of(fleet, &h.name) == s))
        .or_else(|| hosts.first())
        .copied()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::diagnostic::SourceFile;
    use crate::core::playbook::{HostCount, Trigger};

    /// nginx-1, nginx-2, app-primary, app-backup, each with a `public_ip` fact; one database
    /// `speed` (mysql).
    pub(crate) fn inventory() -> Inventory {
        let text = r#"
[[hosts]]
name = "nginx-1"
address = "10.0.0.1"
role = "nginx"
vars = { public_ip = "203.0.113.1" }
[[hosts]]
name = "nginx-2"
address = "10.0.0.2"
role = "nginx"
vars = { public_ip = "203.0.113.2" }
[[hosts]]
name = "app-primary"
address = "10.0.0.3"
role = "app-primary"
vars = { public_ip = "198.51.100.86" }
[[hosts]]
name = "app-backup"
address = "10.0.0.4"
role = "app-backup"
vars = { public_ip = "198.51.100.87" }
[[databases]]
name = "speed"
driver = "mysql"
url = "mysql://ops@127.0.0.1:3306/speed"
[[databases]]
name = "reports"
driver = "postgres"
url = "postgres://ops@127.0.0.1:5432/reports"
"#;
        crate::core::inventory::parse(&SourceFile::new("inv.toml", text)).unwrap_or_default()
    }

    pub(crate) fn fleet(states: &[(&str, HostState)]) -> FleetPicture {
        states.iter().map(|(h, s)| (h.to_string(), *s)).collect()
    }

    #[test]
    fn roles_resolve_in_inventory_order() {
        let inv = inventory();
        let names = |t: &Target| {
            resolve(t, &inv).map(|hs| hs.iter().map(|h| h.name.clone()).collect::<Vec<_>>())
        };
        assert_eq!(
            names(&Target::Role("nginx".into())),
            Ok(vec!["nginx-1".to_string(), "nginx-2".to_string()])
        );
        assert_eq!(
            names(&Target::Host("nope".into())),
            Err(TargetError::UnknownHost("nope".into()))
        );
        assert_eq!(
            names(&Target::Role("db".into())).map_err(|e| e.to_string()),
            Err("no host of the inventory has role `db`".into())
        );
    }

    #[test]
    fn incident_host_is_the_one_in_the_trigger_state() {
        let inv = inventory();
        let playbook = Playbook {
            checkpoint_minutes: None,
            id: "nginx-down".into(),
            title: String::new(),
            severity: crate::core::severity::Severity::P1,
            rto_minutes: None,
            symptoms: Vec::new(),
            trigger: Some(Trigger {
                target: Target::Role("nginx".into()),
                state: Some(HostState::Down),
                hosts: HostCount::All,
                symptom: None,
            }),
            variables: Vec::new(),
            steps: Vec::new(),
        };
        let f = fleet(&[("nginx-1", HostState::Up), ("nginx-2", HostState::Down)]);
        assert_eq!(
            incident_host(&playbook, None, &f, &inv).map(|h| h.name.as_str()),
            Some("nginx-2")
        );
        assert_eq!(
            incident_host(&playbook, None, &FleetPicture::new(), &inv).map(|h| h.name.as_str()),
            Some("nginx-1")
        );
        assert_eq!(
            incident_host(&playbook, Some("nginx-1"), &f, &inv).map(|h| h.name.as_str()),
            Some("nginx-1"),
            "the journaled host wins"
        );
    }
}
