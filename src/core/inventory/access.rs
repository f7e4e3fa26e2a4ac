//! How commands reach what they need on a host: whether privileged commands run as they are
//! (`root`) or under `sudo -n`, and, per service, the OS user its tools run as and the folders
//! they live in (`pm2` under nvm, `postgres`). Declared fleet-wide (`[settings] privilege`,
//! `[services.NAME]`) and per host (`privilege`, `services.NAME`, field by field).

use crate::core::diagnostic::Collector;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// How privileged commands run on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    /// As they are: the login user may do anything (root).
    Root,
    /// Under `sudo -n`, which must not ask for a password.
    Sudo,
}

impl Privilege {
    /// The default for a login user: `root` runs as is, anyone else through sudo.
    pub fn default_for(user: &str) -> Privilege {
        if user == "root" {
            Privilege::Root
        } else {
            Privilege::Sudo
        }
    }
}

/// How a service's tools are reached on a host.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceAccess {
    /// The OS user its tools run as; None: the login user.
    pub user: Option<String>,
    /// Folders put first on PATH, in order.
    pub path: Vec<String>,
}

/// A `[services.NAME]` table (or a host's `services.NAME`): how a service's tools are reached.
#[derive(Deserialize, JsonSchema, Default, Clone)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Service")]
pub(crate) struct RawService {
    /// An OS user name, default: the login user. The user the service's commands run as
    /// (`runuser` when the login is root, `sudo -n -u` otherwise), e.g. `postgres`, or the
    /// user PM2 runs under (PM2 keeps one process list per user).
    #[schemars(with = "Option<String>")]
    pub(super) user: Option<Spanned<String>>,
    /// List of absolute folders, default none. Put first on PATH for the service's commands,
    /// e.g. the nvm folder holding `node` and `pm2`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) path: Vec<Spanned<String>>,
    /// List of roles, fleet-wide `[services.NAME]` only; default: every host. The hosts that run
    /// the service: only they can run its commands, and only their diagnose bundle asks it.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) roles: Vec<Spanned<String>>,
}

/// `privilege = "root" | "sudo"`; None when absent or wrong (reported).
pub(super) fn privilege_from(
    raw: Option<&Spanned<String>>,
    checker: &mut Collector<'_>,
) -> Option<Privilege> {
    let raw = raw?;
    match raw.get_ref().as_str() {
        "root" => Some(Privilege::Root),
        "sudo" => Some(Privilege::Sudo),
        other => {
            checker.error(
                raw.span(),
                format!("unknown privilege `{other}`"),
                Some("`root` (run as is) or `sudo` (run under `sudo -n`)"),
            );
            None
        }
    }
}

/// A fleet-wide service: how it is reached, and the roles that run it (empty: every host).
pub(super) type FleetService = (ServiceAccess, Vec<String>);

/// The fleet-wide services, each checked.
pub(super) fn services_from(
    raw: BTreeMap<String, RawService>,
    checker: &mut Collector<'_>,
) -> BTreeMap<String, FleetService> {
    raw.into_iter()
        .map(|(name, service)| {
            let access = service_from(&ServiceAccess::default(), &service, checker);
            let roles = service.roles.iter().map(|r| r.get_ref().clone()).collect();
            (name, (access, roles))
        })
        .collect()
}

/// A host's services: the fleet-wide ones its role runs, each overridden field by field by the
/// host's own (which may also name a service the fleet does not declare, or whose roles leave
/// this host out).
pub(super) fn host_services(
    fleet: &BTreeMap<String, FleetService>,
    role: &str,
    own: &BTreeMap<String, RawService>,
    checker: &mut Collector<'_>,
) -> BTreeMap<String, ServiceAccess> {
    let mut services: BTreeMap<String, ServiceAccess> = fleet
        .iter()
        .filter(|(_, (_, roles))| roles.is_empty() || roles.iter().any(|r| r == role))
        .map(|(name, (access, _))| (name.clone(), access.clone()))
        .collect();
    for (name, raw) in own {
        if let Some(first) = raw.roles.first() {
            checker.error(
                first.span(),
                format!("`roles` of service `{name}` belongs in the fleet's `[services.{name}]`"),
                Some("a host's own `services` entry is for that host"),
            );
        }
        let base = fleet.get(name).map(|(a, _)| a.clone()).unwrap_or_default();
        services.insert(name.clone(), service_from(&base, raw, checker));
    }
    services
}

/// `base` with what `raw` sets; a user name or folder that could not be passed safely to the
/// shell is reported and left out.
fn service_from(
    base: &ServiceAccess,
    raw: &RawService,
    checker: &mut Collector<'_>,
) -> ServiceAccess {
    let mut access = base.clone();
    if let Some(user) = &raw.user {
        let ok = !user.get_ref().is_empty()
            && user.get_ref().len() <= 32
            && user
                .get_ref()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            && !user.get_ref().starts_with('-');
        if ok {
            access.user = Some(user.get_ref().clone());
        } else {
            checker.error(
                user.span(),
                "not a user name",
                Some("letters, digits, `.`, `_` and `-`, e.g. `postgres`"),
            );
        }
    }
    if !raw.path.is_empty() {
        access.path = Vec::new();
        for folder in &raw.path {
            let ok = folder.get_ref().starts_with('/')
                && !folder.get_ref().contains([':', '\n', '\r', '\0']);
            if ok {
                access.path.push(folder.get_ref().clone());
            } else {
                checker.error(
                    folder.span(),
                    "not an absolute folder for PATH",
                    Some("an absolute path without `:` or line breaks, e.g. `/opt/node/bin`"),
                );
            }
        }
    }
    access
}
