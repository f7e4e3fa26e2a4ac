//! The demo fleet's SSH key material: a host key per demo host, one client key cockpit logs in
//! with, and the known_hosts file that vouches for the host keys.

use russh::keys::ssh_key::LineEnding;
use russh::keys::{Algorithm, PrivateKey, PublicKey};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

/// The client's private key, in the demo folder (the inventory's `identity_files`).
pub const CLIENT_KEY_FILE: &str = "client_ed25519";

/// The known_hosts file listing every demo host's key, in the demo folder.
pub const KNOWN_HOSTS_FILE: &str = "known_hosts";

fn key_error(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("ssh key: {e}"))
}

/// A fresh Ed25519 key pair.
pub(crate) fn new_ed25519_key() -> std::io::Result<PrivateKey> {
    PrivateKey::random(&mut russh::keys::key::safe_rng(), Algorithm::Ed25519).map_err(key_error)
}

/// Writes `key` to `path` in OpenSSH format, readable by its owner only (mode 0600).
pub(crate) fn write_private_key(path: &Path, key: &PrivateKey) -> std::io::Result<()> {
    let text = key.to_openssh(LineEnding::LF).map_err(key_error)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// known_hosts lines (`[127.0.0.1]:PORT ssh-ed25519 …`) for hosts listening on loopback.
pub(crate) fn known_hosts_text(hosts: &[(u16, &PublicKey)]) -> std::io::Result<String> {
    let mut text = String::from("# Host keys of the `cockpit demo` fleet, written by cockpit.\n");
    for (port, key) in hosts {
        let key = key.to_openssh().map_err(key_error)?;
        text.push_str(&format!("[127.0.0.1]:{port} {key}\n"));
    }
    Ok(text)
}
