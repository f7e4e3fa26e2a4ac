//! Host-key verification against a known_hosts file: unknown and changed keys are refused.

use russh::keys::{HashAlg, PublicKey, check_known_hosts_path};
use std::path::Path;

/// What known_hosts says about the key a server offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKeyVerdict {
    /// The key is recorded for this host.
    Known,
    /// No key of this type is recorded for this host (or the file does not exist).
    Unknown {
        /// The offered key's SHA256 fingerprint.
        fingerprint: String,
    },
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
    match check_known_hosts_path(host, port, key, known_hosts) {
        Ok(true) => HostKeyVerdict::Known,
        Ok(false) => HostKeyVerdict::Unknown {
            fingerprint: fingerprint(key),
        },
        Err(russh::keys::Error::KeyChanged { line }) => HostKeyVerdict::Changed {
            fingerprint: fingerprint(key),
            line: file_line(known_hosts, line),
        },
        Err(e) => HostKeyVerdict::Unreadable {
            reason: e.to_string(),
        },
    }
}

/// russh numbers known_hosts lines without counting `#` comments; turn its number back into
/// the line an editor shows.
fn file_line(known_hosts: &Path, counted: usize) -> usize {
    let Ok(text) = std::fs::read_to_string(known_hosts) else {
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
