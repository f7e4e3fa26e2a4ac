//! Host-key verification against a known_hosts file: unknown and changed keys are refused;
//! an unknown key is written to known_hosts only when the operator trusts it.

use crate::io::bounded_read::{Kind, check, read_text};
use russh::keys::{HashAlg, PublicKey, check_known_hosts_path};
use std::path::{Path, PathBuf};

/// A server key that known_hosts does not hold yet: what the operator is asked to trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKeyOffer {
    /// The address connected to.
    pub host: String,
    /// The port connected to.
    pub port: u16,
    /// Key type, e.g. `ssh-ed25519`.
    pub algorithm: String,
    /// SHA256 fingerprint, as OpenSSH prints it.
    pub fingerprint: String,
    /// The key in OpenSSH form (`ssh-ed25519 AAAA…`), written to known_hosts when trusted.
    pub public_key: String,
    /// The known_hosts file it would be written to.
    pub known_hosts: PathBuf,
    /// The jump host (as its ProxyJump names it) that offered the key, when it is not the
    /// host's own.
    pub jump: Option<String>,
}

impl HostKeyOffer {
    /// `host` or `[host]:port`, as known_hosts writes it.
    pub fn pattern(&self) -> String {
        known_hosts_pattern(&self.host, self.port)
    }
}

/// `host` on port 22, `[host]:port` otherwise.
pub fn known_hosts_pattern(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    }
}

/// What known_hosts says about the key a server offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKeyVerdict {
    /// The key is recorded for this host.
    Known,
    /// No key of this type is recorded for this host (or the file does not exist).
    Unknown(HostKeyOffer),
    /// A different key of the same type is recorded: refuse loudly.
    Changed {
        /// The offered key's SHA256 fingerprint.
        fingerprint: String,
        /// The line of the recorded key.
        line: usize,
    },
    /// known_hosts could not be read.
    Unreadable {
        /// Why.
        reason: String,
    },
}

/// `SHA256:…`, as OpenSSH prints fingerprints.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Checks `key` for `host:port` in `known_hosts` (plain, `[host]:port` and hashed `|1|` entries).
pub fn verify(host: &str, port: u16, key: &PublicKey, known_hosts: &Path) -> HostKeyVerdict {
    // russh reads the file itself: a FIFO or a device there must not hang or flood it.
    if let Err(e) = check(known_hosts, Kind::Text)
        && !e.is_not_found()
    {
        return HostKeyVerdict::Unreadable {
            reason: e.to_string(),
        };
    }
    match check_known_hosts_path(host, port, key, known_hosts) {
        Ok(true) => HostKeyVerdict::Known,
        Ok(false) => HostKeyVerdict::Unknown(HostKeyOffer {
            host: host.to_string(),
            port,
            algorithm: key.algorithm().to_string(),
            fingerprint: fingerprint(key),
            public_key: key.to_openssh().unwrap_or_default(),
            known_hosts: known_hosts.to_path_buf(),
            jump: None,
        }),
        Err(russh::keys::Error::KeyChanged { line }) => HostKeyVerdict::Changed {
            fingerprint: fingerprint(key),
            line: file_line(known_hosts, line),
        },
        Err(e) => HostKeyVerdict::Unreadable {
            reason: e.to_string(),
        },
    }
}

/// Writes the offered key to its known_hosts file, after checking the file again: a key that
/// became known meanwhile is left alone, and a different key recorded meanwhile is refused.
/// A missing `~/.ssh`-like folder is created private to the user.
pub fn trust(offer: &HostKeyOffer) -> Result<(), String> {
    let key = PublicKey::from_openssh(&offer.public_key)
        .map_err(|e| format!("the offered key of {} is unusable: {e}", offer.pattern()))?;
    match verify(&offer.host, offer.port, &key, &offer.known_hosts) {
        HostKeyVerdict::Known => return Ok(()),
        HostKeyVerdict::Changed { line, .. } => {
            return Err(format!(
                "{} line {line} now holds a different key for {}: not trusting",
                offer.known_hosts.display(),
                offer.pattern()
            ));
        }
        HostKeyVerdict::Unknown(_) | HostKeyVerdict::Unreadable { .. } => {}
    }
    if let Some(folder) = offer.known_hosts.parent()
        && !folder.as_os_str().is_empty()
        && !folder.exists()
    {
        create_private_dir(folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    let line = format!("{} {}\n", offer.pattern(), offer.public_key);
    append_line(&offer.known_hosts, &line)
        .map_err(|e| format!("cannot write {}: {e}", offer.known_hosts.display()))
}

/// Appends `line` on a line of its own; a new file is readable by its owner only.
fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom, Write};
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)?;
    let mut last = [0u8; 1];
    let needs_newline = file.seek(SeekFrom::End(-1)).is_ok()
        && file.read_exact(&mut last).is_ok()
        && last[0] != b'\n';
    if needs_newline {
        file.write_all(b"\n")?;
    }
    file.write_all(line.as_bytes())?;
    file.sync_all()
}

fn create_private_dir(folder: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)
}

/// russh numbers known_hosts lines without counting `#` comments; turn its number back into
/// the line an editor shows.
fn file_line(known_hosts: &Path, counted: usize) -> usize {
    let Ok(text) = read_text(known_hosts, Kind::Text) else {
        return counted;
    };
    let mut seen = 0;
    for (index, line) in text.lines().enumerate() {
        if !line.starts_with('#') {
            seen += 1;
            if seen == counted {
                return index + 1;
            }
        }
    }
    counted
}
