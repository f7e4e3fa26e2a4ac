//! The shared journal on PostgreSQL: schema, ordered appends, reads.
//! (Skeleton: signatures agreed; bodies are built by the shared-store work.)

use crate::core::journal::Entry;
use crate::core::shared_chain::SharedEntry;
use crate::io::shared::location::SharedTarget;
use std::time::Duration;

/// Why the shared journal could not be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SharedError {
    /// The server could not be reached in time (offline: work goes on locally).
    #[error("shared journal unreachable: {0}")]
    Unreachable(String),
    /// The database holds something else, or a newer schema.
    #[error("shared journal unusable: {0}")]
    Unusable(String),
    /// A query failed.
    #[error("shared journal: {0}")]
    Storage(String),
}

/// An open connection pool to the shared journal.
#[derive(Debug, Clone)]
pub struct SharedStore {
    label: String,
}

impl SharedStore {
    /// Connects (within `timeout`) and creates or checks the schema.
    pub async fn connect(target: &SharedTarget, timeout: Duration) -> Result<Self, SharedError> {
        let _ = timeout;
        Err(SharedError::Unreachable(format!(
            "{}: not built yet",
            target.label()
        )))
    }

    /// The connection pool (presence and claims run their queries on it).
    pub fn pool(&self) -> Option<&sqlx::PgPool> {
        None
    }

    /// The store, as shown (no password).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Appends local entries of the journal `origin` (its id) in order, each at most once:
    /// entries already there are skipped. Appends are serialised by an advisory lock; the
    /// head is read inside it, so the chain never forks. Notifies `cockpit_journal` at commit.
    /// Returns the shared entries written (or found already written) for `entries`.
    pub async fn append_from(
        &self,
        origin: &str,
        entries: &[Entry],
    ) -> Result<Vec<SharedEntry>, SharedError> {
        let _ = (origin, entries);
        Err(SharedError::Unreachable("not built yet".into()))
    }

    /// The highest local seq of `origin` the store holds (0: none).
    pub async fn uploaded_through(&self, origin: &str) -> Result<u64, SharedError> {
        let _ = origin;
        Err(SharedError::Unreachable("not built yet".into()))
    }

    /// Verified shared entries after shared seq `after`, at most `limit`, in order.
    pub async fn read_after(
        &self,
        after: u64,
        limit: u32,
    ) -> Result<Vec<SharedEntry>, SharedError> {
        let _ = (after, limit);
        Err(SharedError::Unreachable("not built yet".into()))
    }
}
