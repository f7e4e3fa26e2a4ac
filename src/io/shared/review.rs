//! Reading a journal for review wherever it lives: a local file, or a shared store read whole
//! and verified exactly like a file (verify, replay, report, stats, export).

use crate::core::journal::{Assessed, ChainBreak, Integrity};
use crate::core::shared_chain::SharedAssessed;
use crate::io::journal_store::{self, JournalError};
use crate::io::shared::location::{JournalLocation, SharedTarget};
use crate::io::shared::store::{SharedError, SharedStore};
use std::time::Duration;

/// How long a command waits for the shared store to answer.
pub const REVIEW_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a journal could not be read for review.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The local file.
    #[error("{0}")]
    Local(#[from] JournalError),
    /// The shared store.
    #[error("{0}")]
    Shared(#[from] SharedError),
    /// The shared journal holds no entries.
    #[error("{0}: the shared journal is empty (no entries yet)")]
    Empty(String),
    /// The shared chain is broken and the reader did not pass `--force`.
    #[error(
        "{label}: journal chain broken at {brk}; {intact} entries before it verify. It was changed after it was written; refusing to use it. Pass --force to use the {intact} verified entries anyway (the output is marked UNVERIFIED)"
    )]
    Tampered {
        /// The store, as shown.
        label: String,
        /// Where and how.
        brk: ChainBreak,
        /// Entries that verify.
        intact: usize,
    },
}

impl ReviewError {
    /// A short reason, for the stats table.
    pub fn short(&self) -> String {
        match self {
            ReviewError::Local(JournalError::Missing(_)) => "no such file".to_string(),
            ReviewError::Local(JournalError::NotAJournal { reason, .. }) => {
                format!("not a journal ({reason})")
            }
            ReviewError::Local(JournalError::TooNew { found, .. }) => {
                format!("schema {found} is newer than this cockpit")
            }
            ReviewError::Local(JournalError::Empty(_)) | ReviewError::Empty(_) => {
                "empty journal".to_string()
            }
            ReviewError::Local(JournalError::Tampered { brk, .. })
            | ReviewError::Tampered { brk, .. } => {
                format!("refused: chain broken at {brk} (--force uses the entries before it)")
            }
            other => other.to_string(),
        }
    }
}

/// The journal as shown to the operator: a file's path, a store's URL without password.
pub fn shown(location: &JournalLocation) -> String {
    match location {
        JournalLocation::File(path) => path.display().to_string(),
        JournalLocation::Shared(target) => target.label(),
    }
}

/// Reads a whole shared journal and verifies both its chains; nothing is created or changed.
pub async fn read_shared(target: &SharedTarget) -> Result<SharedAssessed, SharedError> {
    let store = SharedStore::connect_existing(target, REVIEW_TIMEOUT).await?;
    let read = tokio::time::timeout(Duration::from_secs(600), store.read_all()).await;
    store.close().await;
    match read {
        Ok(r) => r,
        Err(_) => Err(SharedError::Unreachable(format!(
            "{}: reading the journal took longer than 10 minutes",
            target.label()
        ))),
    }
}

/// Reads and verifies a journal, whatever its integrity (for `journal verify`).
pub async fn read_assessed(location: &JournalLocation) -> Result<Assessed, ReviewError> {
    match location {
        JournalLocation::File(path) => Ok(journal_store::read_assessed(path).await?),
        JournalLocation::Shared(target) => Ok(read_shared(target).await?.to_assessed()),
    }
}

/// Reads a journal for replay, report, stats or export, as
/// [`journal_store::read_for_review`] does for a file: an empty journal is refused, and a
/// broken one unless `force`.
pub async fn read_for_review(
    location: &JournalLocation,
    force: bool,
) -> Result<Assessed, ReviewError> {
    let target = match location {
        JournalLocation::File(path) => {
            return Ok(journal_store::read_for_review(path, force).await?);
        }
        JournalLocation::Shared(target) => target,
    };
    let assessed = read_shared(target).await?.to_assessed();
    let label = target.label();
    if assessed.stored == 0 {
        return Err(ReviewError::Empty(label));
    }
    match &assessed.integrity {
        Integrity::Broken(brk) | Integrity::TornTail(brk) if !force => Err(ReviewError::Tampered {
            label,
            brk: brk.clone(),
            intact: assessed.entries.len(),
        }),
        _ if assessed.entries.is_empty() => Err(ReviewError::Empty(label)),
        _ => Ok(assessed),
    }
}
