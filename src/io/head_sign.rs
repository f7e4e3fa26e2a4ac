//! Journal heads signed with the operator's SSH key through the SSH agent, in the
//! `ssh-keygen -Y sign` (SSHSIG) format, and checked against an allowed-signers file; the
//! sidecar file beside the journal that keeps every signature outside it.
//!
//! The sidecar (`JOURNAL.sigs`) only ever grows: one block per signature, the signed message
//! then its armored signature, so `ssh-keygen -Y verify` can check any block and a journal
//! cut before its last signature is still caught.

use crate::core::head_seal::{
    AllowedSigner, Check, Checked, NAMESPACE, SidecarBlock, SignedHead, Source, parse_sidecar,
};
use crate::core::journal::{Entry, Record};
use crate::io::bounded_read::{Kind, read_text};
use russh::keys::agent::AgentIdentity;
use russh::keys::agent::client::AgentClient;
use russh::keys::ssh_key::{HashAlg, LineEnding, PublicKey, SshSig};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long the agent may take to sign (a hardware key waiting for a touch, say).
pub const SIGN_TIMEOUT: Duration = Duration::from_secs(4);

/// A head signed by the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The signing key's SHA256 fingerprint.
    pub key: String,
    /// The armored signature.
    pub armored: String,
}

/// The sidecar file of a journal: its name with `.sigs` added.
pub fn sidecar_path(journal: &Path) -> PathBuf {
    let mut name = journal.as_os_str().to_os_string();
    name.push(".sigs");
    PathBuf::from(name)
}

/// The SSH agent's socket, as `SSH_AUTH_SOCK` names it.
pub fn agent_socket() -> Option<PathBuf> {
    std::env::var_os("SSH_AUTH_SOCK")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Signs a head with the first key of the agent listening on `agent` (None: there is no
/// agent), within [`SIGN_TIMEOUT`]; or says why not, in the operator's words.
pub async fn sign_head(head: &SignedHead, agent: Option<&Path>) -> Result<Signature, String> {
    let Some(agent) = agent else {
        return Err("no SSH agent".into());
    };
    match tokio::time::timeout(SIGN_TIMEOUT, sign_with_agent(head, agent)).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "the SSH agent did not sign within {} s",
            SIGN_TIMEOUT.as_secs()
        )),
    }
}

async fn sign_with_agent(head: &SignedHead, socket: &Path) -> Result<Signature, String> {
    let mut agent = AgentClient::connect_uds(socket)
        .await
        .map_err(|e| format!("no SSH agent at {} ({e})", socket.display()))?;
    let identities = agent
        .request_identities()
        .await
        .map_err(|e| format!("the SSH agent did not list its keys ({e})"))?;
    let key = identities
        .into_iter()
        .find_map(|id| match id {
            AgentIdentity::PublicKey { key, .. } => Some(key),
            AgentIdentity::Certificate { .. } => None,
        })
        .ok_or("no key in the SSH agent")?;
    let data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, head.message().as_bytes())
        .map_err(|e| format!("cannot prepare the signature ({e})"))?;
    let signature = agent
        .sign_request_signature(&key, Some(HashAlg::Sha512), &data)
        .await
        .map_err(|e| format!("the SSH agent refused to sign ({e})"))?;
    let armored = SshSig::new(
        key.key_data().clone(),
        NAMESPACE,
        HashAlg::Sha512,
        signature,
    )
    .and_then(|s| s.to_pem(LineEnding::LF))
    .map_err(|e| format!("cannot encode the signature ({e})"))?;
    Ok(Signature {
        key: key.fingerprint(HashAlg::Sha256).to_string(),
        armored,
    })
}

/// Appends a signature block to the journal's sidecar and waits until it is on disk.
pub fn append_sidecar(journal: &Path, head: &SignedHead, armored: &str) -> std::io::Result<()> {
    let block = SidecarBlock {
        message: head.message(),
        armored: armored.to_string(),
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(sidecar_path(journal))?;
    file.write_all(block.text().as_bytes())?;
    file.sync_all()
}

/// Reads a signatures sidecar or allowed-signers file (regular, bounded, never blocking on a
/// FIFO); None when it does not exist.
pub fn read_small(path: &Path) -> Result<Option<String>, String> {
    match read_text(path, Kind::Signatures) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Checks one armored signature over `message` against the allowed signers.
pub fn check_signature(armored: &str, message: &str, allowed: &[AllowedSigner]) -> Check {
    let sig = match SshSig::from_pem(armored.trim()) {
        Ok(s) => s,
        Err(e) => return Check::Bad(format!("the signature cannot be read ({e})")),
    };
    let fingerprint = sig.public_key().fingerprint(HashAlg::Sha256).to_string();
    if sig.namespace() != NAMESPACE {
        return Check::Bad(format!(
            "signed for namespace {:?}, not {NAMESPACE}",
            sig.namespace()
        ));
    }
    let signer = allowed.iter().find(|a| {
        PublicKey::from_openssh(&a.key).is_ok_and(|k| k.key_data() == sig.public_key())
            && a.namespaces
                .as_ref()
                .is_none_or(|ns| ns.iter().any(|n| n == NAMESPACE))
    });
    let Some(signer) = signer else {
        return Check::UnknownSigner { key: fingerprint };
    };
    let Ok(key) = PublicKey::from_openssh(&signer.key) else {
        return Check::UnknownSigner { key: fingerprint };
    };
    match key.verify(NAMESPACE, message.as_bytes(), &sig) {
        Ok(()) => Check::Valid {
            signer: signer.principals.clone(),
            key: fingerprint,
        },
        Err(e) => Check::Bad(format!(
            "the signature by {fingerprint} does not match the message ({e})"
        )),
    }
}

/// Every signature of a journal, checked: those of its verified `head_signed` entries, then
/// those only the sidecar holds. `sidecar` is the sidecar file's text, if there is one.
pub fn check_all(
    entries: &[Entry],
    sidecar: Option<&str>,
    allowed: &[AllowedSigner],
) -> Vec<Checked> {
    let (blocks, _) = sidecar.map(parse_sidecar).unwrap_or_default();
    let in_sidecar = |armored: &str| blocks.iter().any(|b| b.armored.trim() == armored.trim());
    let mut out = Vec::new();
    for e in entries {
        if let Record::HeadSigned {
            seq,
            hash,
            journal,
            signature,
            ..
        } = &e.record
        {
            let head = SignedHead {
                journal: journal.clone(),
                seq: *seq,
                hash: hash.clone(),
            };
            out.push(Checked {
                source: Source::Journal(e.seq),
                in_sidecar: sidecar.is_none() || in_sidecar(signature),
                check: check_signature(signature, &head.message(), allowed),
                head: Some(head),
            });
        }
    }
    let in_journal = |armored: &str| {
        entries.iter().any(|e| {
            matches!(&e.record, Record::HeadSigned { signature, .. } if signature.trim() == armored.trim())
        })
    };
    for (i, b) in blocks.iter().enumerate() {
        if in_journal(&b.armored) {
            continue;
        }
        out.push(Checked {
            source: Source::Sidecar(i + 1),
            in_sidecar: true,
            head: SignedHead::parse(&b.message),
            check: check_signature(&b.armored, &b.message, allowed),
        });
    }
    out
}
