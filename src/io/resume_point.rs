//! The journal's resume point: a live session's fold of the journal up to one entry, saved in
//! the journal file beside the entries, so a start on a long journal reads and folds only the
//! entries after it.
//!
//! It is a cache, never a source of truth. A start uses it only when the entry it names is in
//! the journal with the hash it names, and the journal writer verifies the whole chain and
//! compares its fold with the resume point's before the session writes anything
//! ([`JournalStore::open_resuming`](crate::io::journal_store::JournalStore::open_resuming),
//! [`JournalStore::confirm`](crate::io::journal_store::JournalStore::confirm)). It is outside
//! the hash chain: `cockpit journal verify`, replay, the report and the shared journal never
//! read it.

use crate::core::incident::Workspace;
use sqlx::SqlitePool;

/// The settled fold of a journal's entries up to entry `seq`, whose hash is `hash`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResumePoint {
    /// The last entry folded.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
    /// The fold, settled ([`Workspace::settled`]).
    pub workspace: Workspace,
}

/// The version whose fold a resume point holds: another version may fold differently, so its
/// resume point is not used (that start reads the whole journal and saves a new one).
const FOLD_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+outbox");

/// A new resume point is saved once this many entries follow the last one (or the journal's
/// start): a start then folds at most about this many entries besides the saved fold.
pub const SAVE_EVERY: u64 = 1_000;

/// Made anew with each resume point saved (a table of another shape under its name, from a
/// hand edit, would keep every later one from being saved): a journal that never had one has
/// no such table.
const TABLE: &str = "CREATE TABLE resume_point (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    version TEXT NOT NULL,
    workspace TEXT NOT NULL
)";

/// The journal's resume point, if it has one this version can use. Anything else (no table,
/// another version's fold, a text that does not decode) is no resume point: the start reads the
/// whole journal, as it would without one.
pub async fn read(pool: &SqlitePool) -> Option<ResumePoint> {
    let row: (i64, String, String, String) =
        match sqlx::query_as("SELECT seq, hash, version, workspace FROM resume_point WHERE id = 1")
            .fetch_optional(pool)
            .await
        {
            Ok(row) => row?,
            Err(e) => {
                tracing::debug!("no resume point: {e}");
                return None;
            }
        };
    let (seq, hash, version, text) = row;
    if version != FOLD_VERSION {
        tracing::info!("resume point of cockpit {version} not used: the journal is read whole");
        return None;
    }
    match serde_json::from_str(&text) {
        Ok(workspace) => Some(ResumePoint {
            seq: u64::try_from(seq).ok()?,
            hash,
            workspace,
        }),
        Err(e) => {
            tracing::warn!("resume point not readable ({e}): the journal is read whole");
            None
        }
    }
}

/// Saves `point` as the journal's resume point, replacing the one before, in one transaction:
/// a crash leaves the old one or the new one.
pub async fn save(pool: &SqlitePool, point: &ResumePoint) -> Result<(), sqlx::Error> {
    let text =
        serde_json::to_string(&point.workspace).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let mut tx = pool.begin().await?;
    sqlx::query("DROP TABLE IF EXISTS resume_point")
        .execute(&mut *tx)
        .await?;
    sqlx::query(TABLE).execute(&mut *tx).await?;
    sqlx::query(
        "INSERT OR REPLACE INTO resume_point (id, seq, hash, version, workspace) VALUES (1, ?, ?, ?, ?)",
    )
    .bind(point.seq as i64)
    .bind(&point.hash)
    .bind(FOLD_VERSION)
    .bind(text)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}
