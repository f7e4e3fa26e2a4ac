//! From an inventory host to an SSH target: `~/.ssh/config` (HostName, Port, User,
//! IdentityFile, ProxyJump) for the host's alias, then the inventory's own values.

use crate::core::inventory::{Host, Settings};
use crate::io::bounded_read::{Kind, read_bytes};
use crate::io::ssh::session::{JumpHost, SshTarget};
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

/// Most jump hosts one connection goes through (a chain and the jumps it nests).
pub const MAX_HOPS: usize = 8;

/// One hop of a ProxyJump list as written: `[user@]host[:port]`, `[user@][v6]:port` or
/// `ssh://[user@]host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// Login user written in the hop.
    pub user: Option<String>,
    /// Host (an alias of the ssh config, a name or an address).
    pub host: String,
    /// Port written in the hop.
    pub port: Option<u16>,
}

/// Whether `c` may appear in a user name written in a hop.
fn user_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+' | '\\')
}

/// Whether `c` may appear in a host name or alias written in a hop.
fn host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Parses one hop of a ProxyJump list; the error says what is wrong with it.
pub fn parse_hop(text: &str) -> Result<Hop, String> {
    let shown: String = text.chars().take(80).flat_map(char::escape_debug).collect();
    let bad = |why: &str| Err(format!("ProxyJump hop \"{shown}\" {why}"));
    let rest = match text.get(..6) {
        Some(scheme) if scheme.eq_ignore_ascii_case("ssh://") => &text[6..],
        _ => text,
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return bad("is empty");
    }
    if text.len() > 1024 {
        return bad("is too long");
    }
    let (user, rest) = match rest.rsplit_once('@') {
        Some((u, r)) => (Some(u), r),
        None => (None, rest),
    };
    if let Some(u) = user {
        if u.is_empty() {
            return bad("has an empty user before `@`");
        }
        if u.starts_with('-') || !u.chars().all(user_char) {
            return bad("has a user with characters a login name cannot have");
        }
    }
    let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
        let Some((v6, after)) = inner.split_once(']') else {
            return bad("opens `[` without closing it");
        };
        if v6.parse::<std::net::Ipv6Addr>().is_err() {
            return bad("has something other than an IPv6 address in `[…]`");
        }
        match after {
            "" => (v6, None),
            _ => match after.strip_prefix(':') {
                Some(p) => (v6, Some(p)),
                None => return bad("has text after `]` that is not `:port`"),
            },
        }
    } else if rest.matches(':').count() > 1 {
        if rest.parse::<std::net::Ipv6Addr>().is_err() {
            return bad("is neither host:port nor an IPv6 address (write [v6]:port)");
        }
        (rest, None)
    } else {
        match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        }
    };
    let is_v6 = host.contains(':');
    if host.is_empty() {
        return bad("has no host");
    }
    if !is_v6 && (host.starts_with('-') || !host.chars().all(host_char)) {
        return bad("has a host with characters a host name cannot have");
    }
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.chars().all(|c| c.is_ascii_digit()) => Some(n),
            _ => return bad("has a port that is not a number from 1 to 65535"),
        },
    };
    Ok(Hop {
        user: user.map(str::to_string),
        host: host.to_string(),
        port,
    })
}

/// Where and how to reach a host. A host that names an `ssh = "alias"` takes HostName, Port,
/// User, IdentityFile and ProxyJump from that alias's ssh config entry; a host given by its
/// address uses the inventory's values only, so a broad `Host *` block in the operator's own
/// config cannot redirect it (the demo fleet relies on this). OpenSSH's default keys last.
/// Fails when the alias's ProxyJump cannot be followed (a hop that does not parse, a loop,
/// more than [`MAX_HOPS`] hops), saying why.
pub fn resolve(
    host: &Host,
    settings: &Settings,
    config: Option<&SshConfig>,
) -> Result<SshTarget, String> {
    let known_hosts = settings
        .known_hosts
        .as_deref()
        .map_or_else(|| home().join(".ssh/known_hosts"), expand_home);
    let inventory_keys: Vec<PathBuf> = host.identity_files.iter().map(|p| expand_home(p)).collect();
    let mut target = SshTarget {
        host: host.address.clone(),
        port: host.port,
        user: host.user.clone(),
        identity_files: inventory_keys,
        passphrases: Default::default(),
        agent_socket: std::env::var_os("SSH_AUTH_SOCK").map(PathBuf::from),
        known_hosts,
        jumps: Vec::new(),
    };
    if let (Some(alias), Some(config)) = (&host.ssh_alias, config) {
        let proxy_jump = apply_entry(&mut target, alias, config);
        let mut trail = vec![alias.clone()];
        target.jumps = Chain {
            config,
            target: &target,
        }
        .hops(proxy_jump, &mut trail)?;
        refuse_repeats(&target)?;
    }
    if target.identity_files.is_empty() {
        target.identity_files = default_identities();
    }
    Ok(target)
}

/// Fills a target from the config entry of `alias` (values already set by the inventory
/// give way to it, except keys); returns the entry's ProxyJump list.
fn apply_entry(target: &mut SshTarget, alias: &str, config: &SshConfig) -> Option<Vec<String>> {
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
    params.proxy_jump
}

/// Follows ProxyJump lists as OpenSSH does: for `ProxyJump a,b` the connection goes to `a`
/// (through `a`'s own ProxyJump first, if its entry has one), then `b` through `a`, then the
/// host through `b`. Hops after the first ignore their own ProxyJump: the list says how to
/// reach them.
struct Chain<'a> {
    config: &'a SshConfig,
    /// The host being reached: its user and keys are the hops' fallbacks.
    target: &'a SshTarget,
}

impl Chain<'_> {
    /// The hops of `list`, in connection order. `trail` holds the names whose ProxyJump is
    /// being followed, to refuse a loop.
    fn hops(
        &self,
        list: Option<Vec<String>>,
        trail: &mut Vec<String>,
    ) -> Result<Vec<JumpHost>, String> {
        let Some(list) = list else {
            return Ok(Vec::new());
        };
        if trail.len() > MAX_HOPS {
            return Err(format!(
                "ProxyJump nests deeper than {MAX_HOPS} jump hosts ({} → …); refused",
                trail.join(" → ")
            ));
        }
        if list.len() == 1 && list[0].eq_ignore_ascii_case("none") {
            return Ok(Vec::new());
        }
        let written = list.join(",");
        let hops = list
            .iter()
            .map(|h| parse_hop(h))
            .collect::<Result<Vec<Hop>, String>>()?;
        let mut out = Vec::new();
        for (i, hop) in hops.into_iter().enumerate() {
            if trail.iter().any(|t| t.eq_ignore_ascii_case(&hop.host)) {
                let through_itself = trail
                    .last()
                    .is_some_and(|t| t.eq_ignore_ascii_case(&hop.host));
                let hint = if through_itself {
                    format!(
                        ". Give {}'s own Host block `ProxyJump none` (before any `Host *` block that lends it a jump)",
                        hop.host
                    )
                } else {
                    String::new()
                };
                return Err(format!(
                    "ProxyJump loop: {} → {} (each jumps through the next); refused{hint}",
                    trail.join(" → "),
                    hop.host
                ));
            }
            let (target, own_jumps) = self.hop_target(&hop);
            if i == 0 {
                trail.push(hop.host.clone());
                let nested = self.hops(own_jumps, trail)?;
                trail.pop();
                out.extend(nested);
            }
            out.push(JumpHost {
                name: hop.host,
                target,
            });
            if out.len() > MAX_HOPS {
                return Err(format!(
                    "ProxyJump {written} goes through more than {MAX_HOPS} jump hosts (counting the jumps the hops make themselves); refused"
                ));
            }
        }
        Ok(out)
    }

    /// How to reach one hop: what the hop says wins, then the hop's own config entry, then
    /// the host's user and keys. Returns the hop's own ProxyJump list too.
    fn hop_target(&self, hop: &Hop) -> (SshTarget, Option<Vec<String>>) {
        let mut target = SshTarget {
            host: hop.host.clone(),
            port: 22,
            user: self.target.user.clone(),
            identity_files: Vec::new(),
            passphrases: Default::default(),
            agent_socket: self.target.agent_socket.clone(),
            known_hosts: self.target.known_hosts.clone(),
            jumps: Vec::new(),
        };
        let own_jumps = apply_entry(&mut target, &hop.host, self.config);
        if let Some(user) = &hop.user {
            target.user = user.clone();
        }
        if let Some(port) = hop.port {
            target.port = port;
        }
        if target.identity_files.is_empty() {
            target.identity_files = if self.target.identity_files.is_empty() {
                default_identities()
            } else {
                self.target.identity_files.clone()
            };
        }
        (target, own_jumps)
    }
}

/// Refuses a chain that reaches the same address twice (`a → b → a`, or a hop that is the
/// host itself): a loop, however the names were written.
fn refuse_repeats(target: &SshTarget) -> Result<(), String> {
    let mut seen: Vec<(String, String)> = Vec::new();
    let stops = target
        .jumps
        .iter()
        .map(|j| (j.name.clone(), &j.target))
        .chain(std::iter::once(("the host itself".to_string(), target)));
    for (name, stop) in stops {
        let address = stop.address().to_ascii_lowercase();
        if let Some((first, _)) = seen.iter().find(|(_, a)| *a == address) {
            let path: Vec<&str> = target.jumps.iter().map(|j| j.name.as_str()).collect();
            return Err(format!(
                "ProxyJump loop: the chain {} reaches {address} twice ({first}, then {name}); refused",
                path.join(" → ")
            ));
        }
        seen.push((name, address));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
