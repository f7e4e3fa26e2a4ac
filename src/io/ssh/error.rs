//! Why an SSH operation failed, in words an operator can act on.

use crate::io::ssh::hostkeys::HostKeyOffer;
use std::path::PathBuf;

/// An SSH failure. Messages name the host and say what to do where something can be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SshError {
    /// The address could not be resolved or reached.
    #[error("cannot connect to {target}: {reason}")]
    Connect {
        /// `user@host:port`.
        target: String,
        /// The OS or resolver's words.
        reason: String,
    },
    /// A step took longer than its timeout.
    #[error("{what} timed out after {:.1}s", *millis as f64 / 1000.0)]
    Timeout {
        /// What was being done.
        what: String,
        /// The limit, in milliseconds.
        millis: u64,
    },
    /// The server's key is not in known_hosts: refused until the operator trusts it.
    #[error(
        "host key of {} is not known ({}); refused until you trust it (select the host, press t)",
        offer.pattern(),
        offer.fingerprint
    )]
    UnknownHostKey {
        /// The key offered, to show and, once trusted, to record.
        offer: HostKeyOffer,
    },
    /// The server's key differs from the one in known_hosts: possible man-in-the-middle.
    #[error(
        "HOST KEY OF {host} HAS CHANGED (now {fingerprint}; known_hosts line {line} says otherwise): refused. Someone may be intercepting the connection; check with the host's owner, then fix {known_hosts}"
    )]
    ChangedHostKey {
        /// The host.
        host: String,
        /// Fingerprint of the key now offered.
        fingerprint: String,
        /// The known_hosts line holding the old key.
        line: usize,
        /// The known_hosts file.
        known_hosts: String,
    },
    /// No key was accepted.
    #[error("authentication refused for {user}@{host} (tried: {tried})")]
    AuthRefused {
        /// Login user.
        user: String,
        /// Host.
        host: String,
        /// What was offered.
        tried: String,
    },
    /// A key file is encrypted and no passphrase was given for it.
    #[error("key {} is encrypted: a passphrase is needed", path.display())]
    NeedPassphrase {
        /// The key file.
        path: PathBuf,
    },
    /// The passphrase given for a key file did not unlock it.
    #[error("key {} did not open with the passphrase given (wrong passphrase?): {reason}", path.display())]
    WrongPassphrase {
        /// The key file.
        path: PathBuf,
        /// The decoder's words.
        reason: String,
    },
    /// A key file could not be read or decrypted.
    #[error("cannot use key {}: {reason}", path.display())]
    BadKey {
        /// The key file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The connection failed after it was up.
    #[error("ssh connection to {host} lost: {reason}")]
    Lost {
        /// The host.
        host: String,
        /// Why.
        reason: String,
    },
    /// The server refused a channel or a command.
    #[error("{host} refused {what}")]
    Refused {
        /// The host.
        host: String,
        /// What was refused.
        what: String,
    },
    /// A jump host on the way (ProxyJump) failed; `cause` says how.
    #[error("jump host {name} ({address}): {cause}")]
    Jump {
        /// The hop as the ProxyJump list names it.
        name: String,
        /// `host:port` it was reached at (`[v6]:port` for IPv6).
        address: String,
        /// What went wrong there.
        cause: Box<SshError>,
    },
}

impl SshError {
    /// The failure itself, under the jump hosts it happened behind (what the operator is
    /// asked to fix: a host key to trust, a passphrase to type).
    pub fn root(&self) -> &SshError {
        match self {
            SshError::Jump { cause, .. } => cause.root(),
            other => other,
        }
    }
}
