//! From an inventory host to an SSH target: `~/.ssh/config` (HostName, Port, User,
//! IdentityFile, ProxyJump) for the host's alias, then the inventory's own values.

use crate::core::inventory::{Host, Settings};
use crate::io::bounded_read::{Kind, read_bytes};
use crate::io::ssh::session::SshTarget;
use ssh2_config::{ParseRule, SshConfig};
use std::path::{Path, PathBuf};

/// The user's home folder.
pub fn home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from)
}

/// Expands a leading `~/`.
pub fn expand_home(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => home().join(rest),
        None => PathBuf::from(path),
    }
}

/// Reads an ssh config file; `Ok(None)` when it does not exist. Options cockpit does not use
/// (and `Match` blocks) are accepted and ignored.
pub fn load_ssh_config(path: &Path) -> Result<Option<SshConfig>, String> {
    let text = match read_bytes(path, Kind::Text) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    SshConfig::default()
        .home_dir(home())
        .parse(&mut text.as_slice(), ParseRule::ALLOW_UNKNOWN_FIELDS)
        .map(Some)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Default private keys, as OpenSSH tries them.
fn default_identities() -> Vec<PathBuf> {
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .iter()
        .map(|k| home().join(".ssh").join(k))
        .filter(|p| p.is_file())
        .collect()
}

/// A `[user@]host[:port]` hop of a ProxyJump list.
fn parse_hop(hop: &str) -> (Option<String>, String, Option<u16>) {
    let (user, rest) = match hop.rsplit_once('@') {
        Some((u, r)) => (Some(u.to_string()), r),
        None => (None, hop),
    };
    match rest.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => match p.parse() {
            Ok(port) => (user, h.to_string(), Some(port)),
            Err(_) => (user, rest.to_string(), None),
        },
        _ => (user, rest.trim_matches(['[', ']']).to_string(), None),
    }
}

/// Where and how to reach a host. A host that names an `ssh = "alias"` takes HostName, Port,
/// User, IdentityFile and ProxyJump from that alias's ssh config entry; a host given by its
/// address uses the inventory's values only, so a broad `Host *` block in the operator's own
/// config cannot redirect it (the demo fleet relies on this). OpenSSH's default keys last.
pub fn resolve(host: &Host, settings: &Settings, config: Option<&SshConfig>) -> SshTarget {
    let known_hosts = settings
        .known_hosts
        .as_deref()
        .map_or_else(|| home().join(".ssh/known_hosts"), expand_home);
    let inventory_keys: Vec<PathBuf> = host.identity_files.iter().map(|p| expand_home(p)).collect();
    let base = SshTarget {
        host: host.address.clone(),
        port: host.port,
        user: host.user.clone(),
        identity_files: inventory_keys,
        passphrases: Default::default(),
        agent_socket: std::env::var_os("SSH_AUTH_SOCK").map(PathBuf::from),
        known_hosts,
        jump: None,
    };
    let mut target = match &host.ssh_alias {
        Some(alias) => apply_config(base, alias, config, 0),
        None => base,
    };
    if target.identity_files.is_empty() {
        target.identity_files = default_identities();
    }
    target
}

/// Fills a target from the config entry of `alias`, following ProxyJump (at most 8 hops).
fn apply_config(
    mut target: SshTarget,
    alias: &str,
    config: Option<&SshConfig>,
    depth: usize,
) -> SshTarget {
    let Some(config) = config else { return target };
    let params = config.query(alias);
    if let Some(name) = params.host_name {
        target.host = name.replace("%h", alias);
    } else if target.host.is_empty() {
        target.host = alias.to_string();
    }
    if let Some(port) = params.port {
        target.port = port;
    }
    if let Some(user) = params.user {
        target.user = user;
    }
    if let Some(files) = params.identity_file
        && target.identity_files.is_empty()
    {
        target.identity_files = files;
    }
    let first_hop = params
        .proxy_jump
        .unwrap_or_default()
        .into_iter()
        .next()
        .filter(|h| h != "none");
    if let Some(hop) = first_hop
        && depth < 8
    {
        let (user, hop_host, port) = parse_hop(&hop);
        let jump = SshTarget {
            host: hop_host.clone(),
            port: port.unwrap_or(22),
            user: user.clone().unwrap_or_else(|| target.user.clone()),
            identity_files: Vec::new(),
            passphrases: Default::default(),
            agent_socket: target.agent_socket.clone(),
            known_hosts: target.known_hosts.clone(),
            jump: None,
        };
        let mut jump = apply_config(jump, &hop_host, Some(config), depth + 1);
        // Values written in the hop itself win over the hop's config entry.
        if let Some(u) = user {
            jump.user = u;
        }
        if let Some(p) = port {
            jump.port = p;
        }
        if jump.identity_files.is_empty() {
            jump.identity_files = if target.identity_files.is_empty() {
                default_identities()
            } else {
                target.identity_files.clone()
            };
        }
        target.jump = Some(Box::new(jump));
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hops() {
        assert_eq!(parse_hop("bastion"), (None, "bastion".into(), None));
        assert_eq!(
            parse_hop("ops@bastion:2222"),
            (Some("ops".into()), "bastion".into(), Some(2222))
        );
        assert_eq!(
            parse_hop("10.0.0.1:22"),
            (None, "10.0.0.1".into(), Some(22))
        );
    }
}
