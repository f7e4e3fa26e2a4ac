//! The shared journal on PostgreSQL: schema, ordered appends, reads.
//!
//! Appends run in one transaction under `pg_advisory_xact_lock(APPEND_LOCK_KEY)`: the head is
//! read inside the lock, so two cockpits never seal on the same head; the primary key on `seq`
//! and the unique (origin, origin_seq) stop anything that slipped past, and a lost race is
//! retried, never forked. Reads verify what they return (see [`SharedStore::read_after`]).

use crate::core::journal::{Entry, Integrity, StoredEntry, short_id};
use crate::core::shared_chain::{
    OriginTip, SharedAssessed, SharedEntry, SharedVerifier, StoredShared, seal_shared,
};
use crate::io::shared::location::SharedTarget;
use crate::io::shared::schema::{
    APPEND_LOCK_KEY, CREATE_STATEMENTS, JOURNAL_CHANNEL, SHARED_SCHEMA_VERSION,
};
use futures::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgPool, Postgres, Row, Transaction};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

/// The `format` the store's meta table holds.
pub const SHARED_FORMAT: &str = "cockpit-shared-journal";

/// How often an append lost to a concurrent one is tried again before giving up.
const APPEND_ATTEMPTS: u32 = 8;

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
    /// What the store holds does not verify (a changed, missing or oversized entry): nothing
    /// from the break on is used. Holds where and why, e.g. `entry #5: content does not match
    /// its hash (changed after it was written)`.
    #[error("shared journal broken at {0}")]
    Broken(String),
}

/// An open connection pool to the shared journal.
#[derive(Debug, Clone)]
pub struct SharedStore {
    pool: PgPool,
    label: String,
    /// Text that must never appear in a message (the password), when there is one.
    secret: Option<String>,
}

/// The most a shared entry's text columns may hold together, in bytes. Cockpit never writes
/// anywhere near it; a larger row was written by hand (or by something else) and is not read
/// at all: its size is, and it is reported as a break.
pub const MAX_ENTRY_BYTES: i64 = 4 * 1024 * 1024;
/// The most one [`SharedStore::read_after`] reads, in bytes (at least one entry is read).
pub const MAX_PAGE_BYTES: i64 = 16 * 1024 * 1024;

/// The size of row `e`'s text columns, in bytes (without reading them).
const ROW_BYTES: &str = "(octet_length(e.actor) + octet_length(e.kind) + octet_length(e.body) \
                         + octet_length(e.prev_hash) + octet_length(e.hash) + octet_length(e.origin) \
                         + octet_length(e.origin_prev_hash) + octet_length(e.origin_hash))";

/// The columns of a shared entry, in the order [`stored_shared`] reads them; the text of a row
/// over [`MAX_ENTRY_BYTES`] is not sent (empty), only its size (`row_bytes`).
fn columns() -> String {
    let text = |c: &str| {
        format!("CASE WHEN {ROW_BYTES} <= {MAX_ENTRY_BYTES} THEN e.{c} ELSE '' END AS {c}")
    };
    format!(
        "e.seq, e.at_ms, {}, {}, {}, {}, {}, {}, e.origin_seq, {}, {}, {ROW_BYTES}::int8 AS row_bytes",
        text("actor"),
        text("kind"),
        text("body"),
        text("prev_hash"),
        text("hash"),
        text("origin"),
        text("origin_prev_hash"),
        text("origin_hash"),
    )
}

impl SharedStore {
    /// Connects (within `timeout`) and creates or checks the schema.
    pub async fn connect(target: &SharedTarget, timeout: Duration) -> Result<Self, SharedError> {
        Self::open(target, timeout, true).await
    }

    /// Connects (within `timeout`) to an existing shared journal for reading: a database
    /// without one is refused, and nothing is created.
    pub async fn connect_existing(
        target: &SharedTarget,
        timeout: Duration,
    ) -> Result<Self, SharedError> {
        Self::open(target, timeout, false).await
    }

    async fn open(
        target: &SharedTarget,
        timeout: Duration,
        create: bool,
    ) -> Result<Self, SharedError> {
        let label = target.label();
        let secret = target.secret();
        let scrub = |text: String| scrub(text, secret.as_deref());
        let mut options = PgConnectOptions::from_str(&target.url).map_err(|e| {
            SharedError::Unusable(scrub(format!("{label}: not a PostgreSQL URL ({e})")))
        })?;
        if let Some(password) = &target.password {
            options = options.password(password);
        }
        let options = options.application_name("cockpit");
        let connecting = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(timeout)
            .connect_with(options);
        let pool = match tokio::time::timeout(timeout, connecting).await {
            Err(_) => {
                return Err(SharedError::Unreachable(format!(
                    "{label}: no answer within {} s",
                    timeout.as_secs_f64()
                )));
            }
            Ok(Err(e)) => return Err(classify(&label, secret.as_deref(), e)),
            Ok(Ok(pool)) => pool,
        };
        let store = SharedStore {
            pool,
            label,
            secret,
        };
        let prepared = tokio::time::timeout(timeout, store.prepare(create)).await;
        match prepared {
            Ok(Ok(())) => Ok(store),
            Ok(Err(e)) => {
                store.pool.close().await;
                Err(e)
            }
            Err(_) => {
                store.pool.close().await;
                Err(SharedError::Unreachable(format!(
                    "{}: schema not ready within {} s",
                    store.label,
                    timeout.as_secs_f64()
                )))
            }
        }
    }

    /// Creates the schema when asked (one transaction, under the append lock), then checks
    /// its format and version.
    async fn prepare(&self, create: bool) -> Result<(), SharedError> {
        if create {
            let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
            lock(&mut tx).await.map_err(|e| self.err(e))?;
            for statement in CREATE_STATEMENTS {
                sqlx::query(*statement)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.err(e))?;
            }
            tx.commit().await.map_err(|e| self.err(e))?;
        } else {
            let exists: Option<String> =
                sqlx::query_scalar("SELECT to_regclass('cockpit.meta')::text")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(|e| self.err(e))?;
            if exists.is_none() {
                return Err(SharedError::Unusable(format!(
                    "{}: no shared journal in this database (no cockpit.meta table)",
                    self.label
                )));
            }
        }
        let meta: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM cockpit.meta")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        let meta: BTreeMap<String, String> = meta.into_iter().collect();
        match meta.get("format").map(String::as_str) {
            Some(SHARED_FORMAT) => {}
            other => {
                return Err(SharedError::Unusable(format!(
                    "{}: the schema cockpit holds something else (format {:?}, expected {SHARED_FORMAT:?})",
                    self.label,
                    other.unwrap_or("missing")
                )));
            }
        }
        let version = meta.get("schema_version").map(String::as_str).unwrap_or("");
        match version.parse::<u32>() {
            Ok(v) if v <= SHARED_SCHEMA_VERSION => Ok(()),
            Ok(v) => Err(SharedError::Unusable(format!(
                "{}: shared journal schema {v} is newer than this cockpit understands ({SHARED_SCHEMA_VERSION}); upgrade cockpit",
                self.label
            ))),
            Err(_) => Err(SharedError::Unusable(format!(
                "{}: unreadable schema_version {version:?}",
                self.label
            ))),
        }
    }

    /// The connection pool (presence and claims run their queries on it).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The store, as shown (no password).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Closes the pool's connections.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Appends local entries of the journal `origin` (its id) in order, each at most once:
    /// entries already there are skipped. Appends are serialised by an advisory lock; the
    /// head is read inside it, so the chain never forks. Notifies `cockpit_journal` at commit.
    /// Returns the shared entries written (or found already written) for `entries`.
    ///
    /// Refused ([`SharedError::Unusable`]) when the entries would not follow the ones the
    /// store holds for `origin` (a gap, a different entry under the same number): uploads are
    /// in order, and the shared chain keeps each local journal's own chain whole.
    pub async fn append_from(
        &self,
        origin: &str,
        entries: &[Entry],
    ) -> Result<Vec<SharedEntry>, SharedError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_append(origin, entries).await {
                Err(Attempt::Lost(e)) if attempt < APPEND_ATTEMPTS => {
                    tracing::debug!("shared append lost a race, again: {e}");
                }
                Err(Attempt::Lost(e)) => {
                    return Err(SharedError::Storage(format!(
                        "{}: append kept conflicting after {APPEND_ATTEMPTS} attempts: {e}",
                        self.label
                    )));
                }
                Err(Attempt::Failed(e)) => return Err(e),
                Ok(written) => return Ok(written),
            }
        }
    }

    async fn try_append(
        &self,
        origin: &str,
        entries: &[Entry],
    ) -> Result<Vec<SharedEntry>, Attempt> {
        let mut tx = self.pool.begin().await.map_err(|e| self.attempt(e))?;
        lock(&mut tx).await.map_err(|e| self.attempt(e))?;
        let seqs: Vec<i64> = entries.iter().map(|e| e.seq as i64).collect();
        let sql = format!(
            "SELECT {} FROM cockpit.entries e WHERE e.origin = $1 AND e.origin_seq = ANY($2) ORDER BY e.seq",
            columns()
        );
        let found: Vec<StoredShared> = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(origin)
            .bind(&seqs)
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| self.attempt(e))?
            .iter()
            .map(stored_shared)
            .collect::<Result<_, _>>()
            .map_err(|e| self.attempt(e))?;
        let found: BTreeMap<i64, StoredShared> =
            found.into_iter().map(|s| (s.origin_seq, s)).collect();
        let tip: Option<(i64, String)> = sqlx::query_as(
            "SELECT origin_seq, left(origin_hash, 256) FROM cockpit.entries WHERE origin = $1 ORDER BY origin_seq DESC LIMIT 1",
        )
        .bind(origin)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| self.attempt(e))?;
        let mut head: Option<(i64, String)> = sqlx::query_as(
            "SELECT seq, left(hash, 256) FROM cockpit.entries ORDER BY seq DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| self.attempt(e))?;
        let mut tip = tip.map(|(s, h)| (s as u64, h));
        let mut out = Vec::with_capacity(entries.len());
        let mut wrote = false;
        for local in entries {
            if let Some(there) = found.get(&(local.seq as i64)) {
                if there.origin_hash != local.hash {
                    return Err(Attempt::Failed(self.refuse(
                        origin,
                        local.seq,
                        "the store holds a different entry under this number",
                    )));
                }
                out.push(shared_entry(there, local));
                continue;
            }
            let (expected, prev_hash) = match &tip {
                Some((s, h)) => (s + 1, h.as_str()),
                None => (1, crate::core::journal::GENESIS_HASH),
            };
            if local.seq != expected || local.prev_hash != prev_hash {
                return Err(Attempt::Failed(self.refuse(
                    origin,
                    local.seq,
                    &format!("it does not follow the store's entry #{} of that journal (uploads go in order)", expected - 1),
                )));
            }
            if local.seq == 1 && local.hash != origin {
                return Err(Attempt::Failed(self.refuse(
                    origin,
                    1,
                    "the journal's id is not the hash of its first entry",
                )));
            }
            let prev = head.as_ref().map(|(s, h)| (*s as u64, h.as_str()));
            let sealed = seal_shared(prev, origin, local);
            insert(&mut tx, &sealed)
                .await
                .map_err(|e| self.attempt(e))?;
            head = Some((sealed.entry.seq as i64, sealed.entry.hash.clone()));
            tip = Some((local.seq, local.hash.clone()));
            wrote = true;
            out.push(sealed);
        }
        if let (true, Some((seq, _))) = (wrote, &head) {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(JOURNAL_CHANNEL)
                .bind(seq.to_string())
                .execute(&mut *tx)
                .await
                .map_err(|e| self.attempt(e))?;
        }
        tx.commit().await.map_err(|e| self.attempt(e))?;
        Ok(out)
    }

    /// The highest local seq of `origin` the store holds (0: none).
    pub async fn uploaded_through(&self, origin: &str) -> Result<u64, SharedError> {
        let max: Option<i64> =
            sqlx::query_scalar("SELECT max(origin_seq) FROM cockpit.entries WHERE origin = $1")
                .bind(origin)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        Ok(max.unwrap_or(0).max(0) as u64)
    }

    /// Verified shared entries after shared seq `after`, at most `limit`, in order.
    ///
    /// Each row is checked against what is fetched along with it: the shared chain against
    /// the hash of entry `after`, each origin's first row in the batch against the entry
    /// before it in that local journal (its number and hash). Rows up to `after` are taken as
    /// verified by the reader's earlier reads (a whole check is [`SharedStore::read_all`]).
    /// A break is an error ([`SharedError::Broken`]) naming it; nothing after it is returned.
    ///
    /// Bounded: at most [`MAX_PAGE_BYTES`] are read (fewer entries than `limit` then; at least
    /// one), and an entry over [`MAX_ENTRY_BYTES`] is a break, its content never read.
    pub async fn read_after(
        &self,
        after: u64,
        limit: u32,
    ) -> Result<Vec<SharedEntry>, SharedError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let sql = format!(
            "WITH page AS ( \
                 SELECT e.seq, sum({ROW_BYTES}) OVER (ORDER BY e.seq) AS total \
                 FROM cockpit.entries e WHERE e.seq > $1 ORDER BY e.seq LIMIT $2) \
             SELECT {}, p.origin_seq AS pred_seq, left(p.origin_hash, 256) AS pred_hash, \
                    (SELECT left(h.hash, 256) FROM cockpit.entries h WHERE h.seq = $1) AS after_hash \
             FROM page JOIN cockpit.entries e ON e.seq = page.seq \
             LEFT JOIN cockpit.entries p ON p.origin = e.origin AND p.origin_seq = e.origin_seq - 1 \
             WHERE page.total <= $3 OR page.seq = (SELECT min(seq) FROM page) \
             ORDER BY e.seq",
            columns()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after)
            .bind(i64::from(limit))
            .bind(MAX_PAGE_BYTES)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        let Some(first) = rows.first() else {
            return Ok(Vec::new());
        };
        let after_hash: Option<String> = first.try_get("after_hash").map_err(|e| self.err(e))?;
        let head = match (after, after_hash) {
            (0, _) => None,
            (_, Some(hash)) => Some((after as u64, hash)),
            (_, None) => {
                return Err(SharedError::Broken(format!(
                    "entry #{after}: missing (deleted after it was read)"
                )));
            }
        };
        let mut verifier = SharedVerifier::resume(head);
        let mut known = std::collections::BTreeSet::new();
        for row in &rows {
            let stored = self.bounded(row)?;
            if known.insert(stored.origin.clone()) && stored.origin_seq > 1 {
                let pred_seq: Option<i64> = row.try_get("pred_seq").map_err(|e| self.err(e))?;
                let pred_hash: Option<String> =
                    row.try_get("pred_hash").map_err(|e| self.err(e))?;
                if let (Some(seq), Some(hash)) = (pred_seq, pred_hash) {
                    verifier.know_origin(
                        &stored.origin,
                        OriginTip {
                            seq: seq.max(0) as u64,
                            hash,
                            rule: None,
                        },
                    );
                }
            }
            verifier.push(stored);
        }
        let assessed = verifier.finish();
        match assessed.integrity {
            Integrity::Intact => Ok(assessed.entries),
            Integrity::Broken(brk) | Integrity::TornTail(brk) => {
                Err(SharedError::Broken(brk.to_string()))
            }
        }
    }

    /// Reads and verifies the whole shared journal, row by row in shared order: its verified
    /// entries and how the chain ended (for verify, replay, report, stats and export). An entry
    /// over [`MAX_ENTRY_BYTES`] is not read: an error ([`SharedError::Broken`]) names it.
    pub async fn read_all(&self) -> Result<SharedAssessed, SharedError> {
        let sql = format!("SELECT {} FROM cockpit.entries e ORDER BY e.seq", columns());
        let mut verifier = SharedVerifier::new();
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&self.pool);
        while let Some(row) = rows.try_next().await.map_err(|e| self.err(e))? {
            verifier.push(self.bounded(&row)?);
        }
        Ok(verifier.finish())
    }

    /// A row read with [`columns`], refused (a break) when it is larger than cockpit writes.
    fn bounded(&self, row: &PgRow) -> Result<StoredShared, SharedError> {
        let bytes: Option<i64> = row.try_get("row_bytes").map_err(|e| self.err(e))?;
        if let Some(bytes) = bytes.filter(|b| *b > MAX_ENTRY_BYTES) {
            let seq: i64 = row.try_get("seq").map_err(|e| self.err(e))?;
            return Err(SharedError::Broken(format!(
                "entry #{seq}: {bytes} bytes, more than cockpit ever writes ({MAX_ENTRY_BYTES}); not read (written by something else?)"
            )));
        }
        stored_shared(row).map_err(|e| self.err(e))
    }

    fn err(&self, e: sqlx::Error) -> SharedError {
        classify(&self.label, self.secret.as_deref(), e)
    }

    fn attempt(&self, e: sqlx::Error) -> Attempt {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                Attempt::Lost(scrub(d.message().to_string(), self.secret.as_deref()))
            }
            _ => Attempt::Failed(self.err(e)),
        }
    }

    fn refuse(&self, origin: &str, seq: u64, why: &str) -> SharedError {
        SharedError::Unusable(format!(
            "{}: entry #{seq} of journal {} not uploaded: {why}",
            self.label,
            short_id(origin)
        ))
    }
}

/// Why one append attempt ended without a commit.
enum Attempt {
    /// A concurrent writer took the row first: try again.
    Lost(String),
    /// Anything else.
    Failed(SharedError),
}

/// Takes the append lock for the rest of the transaction.
async fn lock(tx: &mut Transaction<'_, Postgres>) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(APPEND_LOCK_KEY)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

async fn insert(tx: &mut Transaction<'_, Postgres>, e: &SharedEntry) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cockpit.entries (seq, at_ms, actor, kind, body, prev_hash, hash, \
         origin, origin_seq, origin_prev_hash, origin_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(e.entry.seq as i64)
    .bind(e.entry.at_ms)
    .bind(&e.entry.actor)
    .bind(e.entry.record.kind())
    .bind(&e.entry.body)
    .bind(&e.entry.prev_hash)
    .bind(&e.entry.hash)
    .bind(&e.origin.journal)
    .bind(e.origin.seq as i64)
    .bind(&e.origin.prev_hash)
    .bind(&e.origin.hash)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// A shared entry already in the store, for the local entry it copies.
fn shared_entry(there: &StoredShared, local: &Entry) -> SharedEntry {
    let s = &there.entry;
    SharedEntry {
        entry: Entry {
            seq: s.seq.max(0) as u64,
            at_ms: s.at_ms,
            actor: s.actor.clone(),
            record: local.record.clone(),
            body: s.body.clone(),
            prev_hash: s.prev_hash.clone(),
            hash: s.hash.clone(),
        },
        origin: crate::core::shared_chain::Origin {
            journal: there.origin.clone(),
            seq: local.seq,
            prev_hash: there.origin_prev_hash.clone(),
            hash: there.origin_hash.clone(),
        },
    }
}

fn stored_shared(row: &PgRow) -> Result<StoredShared, sqlx::Error> {
    Ok(StoredShared {
        entry: StoredEntry {
            seq: row.try_get("seq")?,
            at_ms: row.try_get("at_ms")?,
            actor: row.try_get("actor")?,
            kind: row.try_get("kind")?,
            body: row.try_get("body")?,
            prev_hash: row.try_get("prev_hash")?,
            hash: row.try_get("hash")?,
        },
        origin: row.try_get("origin")?,
        origin_seq: row.try_get("origin_seq")?,
        origin_prev_hash: row.try_get("origin_prev_hash")?,
        origin_hash: row.try_get("origin_hash")?,
    })
}

/// Sorts a connection or query error: the network (offline) or the database's answer.
fn classify(label: &str, secret: Option<&str>, e: sqlx::Error) -> SharedError {
    let text = scrub(format!("{label}: {e}"), secret);
    match &e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => SharedError::Unreachable(text),
        sqlx::Error::Configuration(_) => SharedError::Unusable(text),
        sqlx::Error::Database(d) => match d.code().as_deref() {
            // Connection exceptions, shutdown, too many connections: the server is not there
            // for us now.
            Some(code) if code.starts_with("08") || code.starts_with("57") || code == "53300" => {
                SharedError::Unreachable(text)
            }
            // Authentication, missing database, no permission: fix the setup.
            Some(code) if code.starts_with("28") || code == "3D000" || code == "42501" => {
                SharedError::Unusable(text)
            }
            _ => SharedError::Storage(text),
        },
        _ => SharedError::Storage(text),
    }
}

/// A message without the password in it.
fn scrub(text: String, secret: Option<&str>) -> String {
    match secret {
        Some(s) if !s.is_empty() => text.replace(s, "***"),
        _ => text,
    }
}
