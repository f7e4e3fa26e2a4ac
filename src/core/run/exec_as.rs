//! Who a step's command runs as on a host, and with what PATH: the one execution model the
//! playbooks use instead of guessing. A `privileged` command runs as it is where the host's
//! privilege is `root`, under `sudo -n` where it is `sudo`; a `service` command runs as that
//! service's OS user (`runuser` from a root login, `sudo -n -u` otherwise) with the service's
//! folders first on PATH, starting in that user's home. What this returns is what runs under
//! `sh -c`, and what the journal records.

use crate::core::inventory::{Host, Privilege};
use crate::core::template::shell_quote;

/// A step's command that cannot be made to run as asked on a host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecAsError {
    /// The step names a service the host does not declare.
    #[error(
        "host `{host}` does not declare service `{service}`: add `[services.{service}]` to the inventory (its `user` and the `path` of its tools), or `services.{service}` on the host"
    )]
    UndeclaredService {
        /// The host.
        host: String,
        /// The service.
        service: String,
    },
}

/// `command` as it must run on `host` for a step that is `privileged` and/or names `service`.
pub fn run_as(
    command: &str,
    host: &Host,
    privileged: bool,
    service: Option<&str>,
) -> Result<String, ExecAsError> {
    let Some(name) = service else {
        return Ok(if privileged && needs_sudo(host) {
            under_sudo(command)
        } else {
            command.to_string()
        });
    };
    let access = host
        .services
        .get(name)
        .ok_or_else(|| ExecAsError::UndeclaredService {
            host: host.name.clone(),
            service: name.to_string(),
        })?;
    let with_path = if access.path.is_empty() {
        command.to_string()
    } else {
        format!(
            "PATH={}:\"$PATH\"; export PATH; {command}",
            shell_quote(&access.path.join(":"))
        )
    };
    match access.user.as_deref().filter(|u| *u != host.user) {
        None if privileged && needs_sudo(host) => Ok(under_sudo(&with_path)),
        None => Ok(with_path),
        Some(user) => {
            let inner = format!("cd \"$HOME\" 2>/dev/null || cd /; {with_path}");
            Ok(if host.user == "root" {
                format!("runuser -s /bin/sh -c {} {user}", shell_quote(&inner))
            } else {
                format!("sudo -n -H -u {user} -- sh -c {}", shell_quote(&inner))
            })
        }
    }
}

/// `command` run as root through `sudo -n` (which fails rather than ask for a password).
fn under_sudo(command: &str) -> String {
    format!("sudo -n -- sh -c {}", shell_quote(command))
}

/// Whether root's commands need `sudo -n` on this host.
fn needs_sudo(host: &Host) -> bool {
    host.privilege == Privilege::Sudo && host.user != "root"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::inventory::ServiceAccess;

    fn host(user: &str, privilege: Privilege) -> Host {
        let mut h = crate::core::run::targets::tests::inventory().hosts[0].clone();
        h.user = user.into();
        h.privilege = privilege;
        h.services.insert(
            "pm2".into(),
            ServiceAccess {
                user: Some("deploy".into()),
                path: vec!["/home/deploy/.nvm/versions/node/v20.11.1/bin".into()],
            },
        );
        h.services.insert(
            "postgres".into(),
            ServiceAccess {
                user: Some("postgres".into()),
                path: Vec::new(),
            },
        );
        h.services.insert(
            "node".into(),
            ServiceAccess {
                user: None,
                path: vec!["/opt/node/bin".into()],
            },
        );
        h
    }

    #[test]
    fn root_logins_run_privileged_commands_as_they_are_and_switch_users_with_runuser() {
        let h = host("root", Privilege::Root);
        assert_eq!(
            run_as("systemctl restart x", &h, true, None),
            Ok("systemctl restart x".into())
        );
        assert_eq!(
            run_as("pm2 list", &h, false, Some("pm2")),
            Ok(r#"runuser -s /bin/sh -c 'cd "$HOME" 2>/dev/null || cd /; PATH=/home/deploy/.nvm/versions/node/v20.11.1/bin:"$PATH"; export PATH; pm2 list' deploy"#.into())
        );
        assert_eq!(
            run_as("node -v", &h, false, Some("node")),
            Ok(r#"PATH=/opt/node/bin:"$PATH"; export PATH; node -v"#.into())
        );
    }

    #[test]
    fn sudo_hosts_use_sudo_n_and_never_for_their_own_user() {
        let h = host("ops", Privilege::Sudo);
        assert_eq!(
            run_as("systemctl restart x", &h, true, None),
            Ok("sudo -n -- sh -c 'systemctl restart x'".into())
        );
        assert_eq!(run_as("uptime", &h, false, None), Ok("uptime".into()));
        assert_eq!(
            run_as("psql -c 'select 1'", &h, false, Some("postgres")),
            Ok(r#"sudo -n -H -u postgres -- sh -c 'cd "$HOME" 2>/dev/null || cd /; psql -c '\''select 1'\'''"#.into())
        );
        let mut deploy = host("deploy", Privilege::Sudo);
        deploy.user = "deploy".into();
        assert_eq!(
            run_as("pm2 list", &deploy, false, Some("pm2")),
            Ok(r#"PATH=/home/deploy/.nvm/versions/node/v20.11.1/bin:"$PATH"; export PATH; pm2 list"#.into()),
            "the login user is the service's user: no switch"
        );
        let root_with_sudo_setting = host("root", Privilege::Sudo);
        assert_eq!(
            run_as("id", &root_with_sudo_setting, true, None),
            Ok("id".into())
        );
    }

    #[test]
    fn an_undeclared_service_says_what_to_add() {
        let h = host("root", Privilege::Root);
        let err = run_as("rabbitmqctl status", &h, false, Some("rabbitmq")).unwrap_err();
        assert!(
            err.to_string().contains("add `[services.rabbitmq]`"),
            "{err}"
        );
    }
}
