//! Starting `cockpit` (or `cockpit demo`) on a shared journal: which local write-ahead journal
//! goes with it, and a start that never waits on PostgreSQL beyond a short connect timeout.

use crate::cli::{Cli, locate};
use crate::core::redact::Redactor;
use crate::io::paths;
use crate::io::shared::sync::CONNECT_TIMEOUT;
use crate::io::shared::{JournalLocation, SharedError, SharedStore, SharedTarget};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Where this session journals.
#[derive(Debug, Clone)]
pub(crate) struct JournalChoice {
    /// The local journal file (the write-ahead copy in shared mode).
    pub local: PathBuf,
    /// The shared store, in shared mode.
    pub shared: Option<SharedTarget>,
}

impl JournalChoice {
    /// Teaches the redactor the shared journal's password, so that no log line, journal entry
    /// or screen can show it.
    pub(crate) fn teach(&self, redactor: &mut Redactor) {
        if let Some(secret) = self.shared.as_ref().and_then(SharedTarget::secret) {
            redactor.add_secret_value(&secret);
        }
    }
}

/// The journal `--journal` (else `setting`, the inventory's `[settings] journal`) names, with
/// its password source (see [`locate`]);
/// `default_local` when neither does. A shared store's local journal is `--local-journal`, else
/// one file per store under the state folder.
pub(crate) fn choose(
    cli: &Cli,
    setting: Option<&str>,
    default_local: impl FnOnce() -> PathBuf,
) -> JournalChoice {
    let given = cli
        .journal
        .as_deref()
        .or(setting.map(Path::new))
        .map(|arg| locate(cli, arg));
    match given {
        Some(JournalLocation::Shared(target)) => JournalChoice {
            local: cli
                .local_journal
                .clone()
                .unwrap_or_else(|| local_journal_for(&target)),
            shared: Some(target),
        },
        Some(JournalLocation::File(path)) => JournalChoice {
            local: path,
            shared: None,
        },
        None => JournalChoice {
            local: cli.local_journal.clone().unwrap_or_else(default_local),
            shared: None,
        },
    }
}

/// `state_dir()/shared/<short hash of the store's label>.db`: one local journal per store.
pub(crate) fn local_journal_for(target: &SharedTarget) -> PathBuf {
    let digest = Sha256::digest(target.label().as_bytes());
    let short = hex::encode(digest.get(..8).unwrap_or_default());
    paths::state_dir()
        .join("shared")
        .join(format!("{short}.db"))
}

/// Connects within [`CONNECT_TIMEOUT`]. Unreachable is no reason not to start: the cockpit
/// starts offline and keeps trying in the background (`Ok(None)`). A store that is reached but
/// unusable (not a cockpit journal, a newer schema) stops the start, with why.
pub(crate) async fn connect_at_start(target: &SharedTarget) -> Result<Option<SharedStore>, String> {
    let connect = SharedStore::connect(target, CONNECT_TIMEOUT);
    match tokio::time::timeout(CONNECT_TIMEOUT + CONNECT_TIMEOUT / 2, connect).await {
        Ok(Ok(store)) => Ok(Some(store)),
        Ok(Err(SharedError::Unusable(reason))) => Err(format!(
            "shared journal {}: {reason}; nothing was started",
            target.label()
        )),
        Ok(Err(e)) => {
            tracing::warn!("starting offline: {e}");
            Ok(None)
        }
        Err(_) => {
            tracing::warn!(
                "starting offline: shared journal {} did not answer within {} s",
                target.label(),
                CONNECT_TIMEOUT.as_secs()
            );
            Ok(None)
        }
    }
}
