//! The incident journal on local disk: SQLite through sqlx, WAL mode, `synchronous = FULL`,
//! so an entry acknowledged by [`JournalStore::append`] survives a crash or power loss.

use crate::core::incident::Workspace;
use crate::core::journal::{
    Assessed, ChainBreak, ChainVerifier, Entry, HashRule, Integrity, Record, SCHEMA_VERSION,
    StoredEntry,
};
use crate::core::redact::Redactor;
use crate::io::bounded_read::{ReadError, require_regular};
use crate::io::journal_lock::{self, JournalLock, LockError};
use crate::io::resume_point::{self, ResumePoint};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::{Path, PathBuf};
use std::time::Duration;

mod chunks;

/// Why a journal could not be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The file is missing (when opening for reading).
    #[error("{0}: no such journal file")]
    Missing(PathBuf),
    /// The file exists but is not a cockpit journal.
    #[error("{path}: not a cockpit journal ({reason})")]
    NotAJournal {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// A newer cockpit wrote this journal.
    #[error(
        "{path}: journal schema {found} is newer than this cockpit understands ({SCHEMA_VERSION}); upgrade cockpit"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: u32,
    },
    /// The journal holds no entries.
    #[error("{0}: the journal is empty (no entries yet)")]
    Empty(PathBuf),
    /// The chain is broken before its last entry and the reader did not pass `--force`.
    #[error(
        "{path}: journal chain broken at {brk}; {intact} entries before it verify. It was changed after it was written; refusing to use it. Pass --force to use the {intact} verified entries anyway (the output is marked UNVERIFIED)"
    )]
    Tampered {
        /// The file.
        path: PathBuf,
        /// Where and how.
        brk: ChainBreak,
        /// Entries that verify.
        intact: usize,
    },
    /// The hash chain is broken.
    #[error(
        "{path}: journal chain broken at {brk}; {intact} entries before it are intact. Run `cockpit journal verify {path}` for details; nothing was changed"
    )]
    Broken {
        /// The file.
        path: PathBuf,
        /// Where and how.
        brk: ChainBreak,
        /// Entries that verify.
        intact: usize,
    },
    /// The database could not be read or written.
    #[error("{path}: {source}")]
    Storage {
        /// The file.
        path: PathBuf,
        /// The sqlx error.
        #[source]
        source: sqlx::Error,
    },
    /// The path is a directory, FIFO, device or socket, not a journal file.
    #[error("{0}")]
    NotAFile(ReadError),
    /// Another cockpit writes this journal (or its lock file is unusable).
    #[error("{0}")]
    Locked(#[from] LockError),
    /// A record could not be serialized.
    #[error("could not encode journal record: {0}")]
    Encode(#[from] serde_json::Error),
    /// An append came before [`JournalStore::confirm`] had verified the entries before the
    /// resume point (or after it found them broken).
    #[error("{0}: the journal's earlier entries are not verified; nothing is written to it")]
    Unconfirmed(PathBuf),
}

/// An open journal with its head, ready to append.
pub struct JournalStore {
    pool: SqlitePool,
    path: PathBuf,
    head: Option<(u64, String)>,
    redactor: Redactor,
    /// The rule of the journal's schema: a journal keeps the rule it was created with.
    rule: HashRule,
    /// The hash of the first entry: the journal's id in signed heads.
    first_hash: Option<String>,
    /// What [`confirm`](Self::confirm) still has to do before the first append.
    unconfirmed: Option<Unconfirmed>,
    /// Held while the store is open: no second writer on this journal.
    _lock: JournalLock,
}

/// What [`JournalStore::open_resuming`] left for [`JournalStore::confirm`].
enum Unconfirmed {
    /// The session started from the resume point at entry `from`: the entries up to it are not
    /// verified yet, and `shown` is the fold the session started with.
    Resumed {
        /// The resume point's entry.
        from: u64,
        /// The settled fold the session was given.
        shown: Workspace,
    },
    /// Every entry was verified at open: save this fold as the new resume point.
    Save(ResumePoint),
}

/// Created in one transaction, so a crash leaves either no table or a complete journal.
const SCHEMA: &str = "
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('format', 'cockpit-journal');
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '2');
COMMIT;
";

impl JournalStore {
    /// Opens (creating when asked) a journal, checks its whole chain and returns it with its
    /// verified entries. A broken chain is refused: nothing is appended after a break. Takes
    /// the journal's write lock first: another cockpit writing it is refused with its holder.
    pub async fn open(
        path: &Path,
        create: bool,
        redactor: Redactor,
    ) -> Result<(Self, Vec<Entry>), JournalError> {
        let (lock, pool, rule) = open_for_writing(path, create).await?;
        let entries = read_whole(&pool, rule, path).await?;
        let mut store = Self::opened(lock, pool, path, rule, redactor);
        store.follow(&entries);
        Ok((store, entries))
    }

    /// A store on a journal just opened, its entries not read yet.
    fn opened(
        lock: JournalLock,
        pool: SqlitePool,
        path: &Path,
        rule: HashRule,
        redactor: Redactor,
    ) -> Self {
        Self {
            pool,
            path: path.to_path_buf(),
            head: None,
            redactor,
            rule,
            first_hash: None,
            unconfirmed: None,
            _lock: lock,
        }
    }

    /// Takes the journal's head and id from its verified `entries`, all of them.
    fn follow(&mut self, entries: &[Entry]) {
        self.head = entries.last().map(|e| (e.seq, e.hash.clone()));
        self.first_hash = entries.first().map(|e| e.hash.clone());
    }

    /// Opens (creating when asked) a journal for a live session and returns it with the
    /// settled fold of its entries ([`Workspace::settled`]), reading as little as it can.
    ///
    /// With a usable resume point (its entry is in the journal with its hash), only the entries
    /// after it are read, verified from that entry on and folded onto it: a long journal starts
    /// as fast as a short one. The entries up to it are verified by [`confirm`](Self::confirm),
    /// which must run before the first append (the journal writer runs it first, after the
    /// session's first frame is on its way). Without one, every entry is read and verified
    /// here, as [`open`](Self::open) does, and `confirm` saves a resume point when the journal
    /// is long enough to need one.
    pub async fn open_resuming(
        path: &Path,
        create: bool,
        redactor: Redactor,
    ) -> Result<(Self, Workspace), JournalError> {
        let (lock, pool, rule) = open_for_writing(path, create).await?;
        let mut store = Self::opened(lock, pool, path, rule, redactor);
        if let Some(point) = resume_point::read(&store.pool).await
            && let Some(workspace) = store.resume_from(point).await?
        {
            return Ok((store, workspace));
        }
        let entries = read_whole(&store.pool, rule, path).await?;
        let workspace = Workspace::fold(&entries).settled();
        store.follow(&entries);
        if let Some((seq, hash)) = &store.head
            && *seq >= resume_point::SAVE_EVERY
        {
            store.unconfirmed = Some(Unconfirmed::Save(ResumePoint {
                seq: *seq,
                hash: hash.clone(),
                workspace: workspace.clone(),
            }));
        }
        Ok((store, workspace))
    }

    /// The fold from `point` and the entries after it, when its entry is in the journal with
    /// its hash and the entries after it verify; none when the journal must be read whole
    /// instead (the resume point does not fit this journal, or a break after it, which the
    /// whole read then names exactly).
    async fn resume_from(&mut self, point: ResumePoint) -> Result<Option<Workspace>, JournalError> {
        let storage = storage_error(&self.path);
        let anchor: Option<String> = sqlx::query_scalar("SELECT hash FROM entries WHERE seq = ?")
            .bind(point.seq as i64)
            .fetch_optional(&self.pool)
            .await
            .map_err(&storage)?;
        if anchor.as_deref() != Some(point.hash.as_str()) {
            tracing::warn!(
                "the resume point at entry #{} does not match the journal: it is read whole",
                point.seq
            );
            return Ok(None);
        }
        let verifier = ChainVerifier::after(self.rule, (point.seq, point.hash.clone()));
        let after = assess(&self.pool, verifier, point.seq as i64)
            .await
            .map_err(&storage)?;
        if !matches!(after.integrity, Integrity::Intact) {
            return Ok(None);
        }
        let first: Option<String> =
            sqlx::query_scalar("SELECT hash FROM entries ORDER BY seq LIMIT 1")
                .fetch_optional(&self.pool)
                .await
                .map_err(&storage)?;
        let mut workspace = point.workspace;
        for entry in &after.entries {
            workspace.apply(entry);
        }
        let workspace = workspace.settled();
        self.head = Some(match after.entries.last() {
            Some(e) => (e.seq, e.hash.clone()),
            None => (point.seq, point.hash),
        });
        self.first_hash = first;
        self.unconfirmed = Some(Unconfirmed::Resumed {
            from: point.seq,
            shown: workspace.clone(),
        });
        tracing::info!(
            "journal resumed at entry #{}: {} entries after it read",
            point.seq,
            after.entries.len()
        );
        Ok(Some(workspace))
    }

    /// Verifies what [`open_resuming`](Self::open_resuming) did not, before anything is
    /// appended: reads and verifies every entry, and compares their settled fold with the one
    /// the session started from. Returns that fold when the two differ (the resume point was
    /// changed after it was saved: the session must show this one instead). A broken chain is
    /// an error, and the store then refuses every append. Saves a new resume point when the
    /// last one is [`resume_point::SAVE_EVERY`] entries behind the head, or was wrong. Does
    /// nothing on a store opened with [`open`](Self::open), or the second time.
    pub async fn confirm(&mut self) -> Result<Option<Workspace>, JournalError> {
        let (save, corrected) = match self.unconfirmed.take() {
            None => return Ok(None),
            Some(Unconfirmed::Save(point)) => (Some(point), None),
            Some(Unconfirmed::Resumed { from, shown }) => {
                let entries = match read_whole(&self.pool, self.rule, &self.path).await {
                    Ok(entries) => entries,
                    Err(e) => {
                        // Refused: appends stay blocked.
                        self.unconfirmed = Some(Unconfirmed::Resumed { from, shown });
                        return Err(e);
                    }
                };
                let whole = Workspace::fold(&entries).settled();
                let corrected = (whole != shown).then(|| whole.clone());
                let save = match entries.last() {
                    Some(last)
                        if corrected.is_some() || last.seq - from >= resume_point::SAVE_EVERY =>
                    {
                        Some(ResumePoint {
                            seq: last.seq,
                            hash: last.hash.clone(),
                            workspace: whole,
                        })
                    }
                    _ => None,
                };
                (save, corrected)
            }
        };
        if let Some(point) = save {
            match resume_point::save(&self.pool, &point).await {
                Ok(()) => tracing::info!("resume point saved at entry #{}", point.seq),
                Err(e) => tracing::warn!("resume point not saved: {e}"),
            }
        }
        Ok(corrected)
    }

    /// Seals and durably stores a record; returns the entry once it is on disk.
    pub async fn append(
        &mut self,
        at_ms: i64,
        actor: &str,
        record: &Record,
    ) -> Result<Entry, JournalError> {
        self.require_confirmed()?;
        let entry = Entry::seal_with(
            self.rule,
            self.head.as_ref().map(|(s, h)| (*s, h.as_str())),
            at_ms,
            actor,
            record,
            &self.redactor,
        )?;
        insert(&entry)
            .execute(&self.pool)
            .await
            .map_err(|source| self.storage(source))?;
        self.head = Some((entry.seq, entry.hash.clone()));
        self.first_hash.get_or_insert_with(|| entry.hash.clone());
        Ok(entry)
    }

    /// Seals and stores records `(at_ms, actor, record)` one after another in one
    /// transaction: every one of them is on disk when this returns, or none (one fsync for
    /// all, where [`append`](Self::append) pays one per entry). For writing many entries at
    /// once, as the journal benchmarks' generator does.
    pub async fn append_all<'r>(
        &mut self,
        records: impl IntoIterator<Item = (i64, &'r str, &'r Record)>,
    ) -> Result<usize, JournalError> {
        self.require_confirmed()?;
        let mut head = self.head.clone();
        let mut first = self.first_hash.clone();
        let mut tx = self.pool.begin().await.map_err(|e| self.storage(e))?;
        let mut written = 0;
        for (at_ms, actor, record) in records {
            let entry = Entry::seal_with(
                self.rule,
                head.as_ref().map(|(s, h)| (*s, h.as_str())),
                at_ms,
                actor,
                record,
                &self.redactor,
            )?;
            insert(&entry)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.storage(e))?;
            first.get_or_insert_with(|| entry.hash.clone());
            head = Some((entry.seq, entry.hash));
            written += 1;
        }
        tx.commit().await.map_err(|e| self.storage(e))?;
        // The head moves only once the whole batch is durable.
        self.head = head;
        self.first_hash = first;
        Ok(written)
    }

    /// Nothing is appended before every earlier entry is verified.
    /// (A store waiting only to save a resume point has every entry verified.)
    fn require_confirmed(&self) -> Result<(), JournalError> {
        if self.is_unconfirmed() {
            return Err(JournalError::Unconfirmed(self.path.clone()));
        }
        Ok(())
    }

    fn storage(&self, source: sqlx::Error) -> JournalError {
        storage_error(&self.path)(source)
    }

    /// Whether [`confirm`](Self::confirm) has entries to verify before the first append (the
    /// store was opened from a resume point and not confirmed yet).
    pub fn is_unconfirmed(&self) -> bool {
        matches!(self.unconfirmed, Some(Unconfirmed::Resumed { .. }))
    }

    /// The journal's id: the hash of its first entry (None while it is empty).
    pub fn journal_id(&self) -> Option<&str> {
        self.first_hash.as_deref()
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The redactor applied to every record.
    pub fn redactor_mut(&mut self) -> &mut Redactor {
        &mut self.redactor
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// The statement storing one sealed entry.
fn insert(entry: &Entry) -> sqlx::query::Query<'_, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    sqlx::query(
        "INSERT INTO entries (seq, at_ms, actor, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(entry.seq as i64)
    .bind(entry.at_ms)
    .bind(&entry.actor)
    .bind(entry.record.kind())
    .bind(&entry.body)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
}

/// Turns a storage failure into the error that names the journal `path`.
fn storage_error(path: &Path) -> impl Fn(sqlx::Error) -> JournalError + '_ {
    move |source| JournalError::Storage {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads a journal without changing it, after checking it is one this version understands:
/// its rule and a pool to read it with (closed by the caller).
async fn open_for_reading(path: &Path) -> Result<(SqlitePool, HashRule), JournalError> {
    if !path.exists() {
        return Err(JournalError::Missing(path.to_path_buf()));
    }
    let pool = connect(path, false, true).await?;
    let rule = check_meta(&pool, path).await?;
    Ok((pool, rule))
}

/// Reads a journal without changing it: its stored entries, for verification and export.
pub async fn read_stored(path: &Path) -> Result<Vec<StoredEntry>, JournalError> {
    let (pool, _) = open_for_reading(path).await?;
    let mut stored = Vec::new();
    each_stored(&pool, i64::MIN, |s| stored.push(s))
        .await
        .map_err(storage_error(path))?;
    pool.close().await;
    Ok(stored)
}

/// Reads and verifies a journal without changing it, entry by entry as SQLite returns them:
/// its verified entries and how the chain ended, whatever that is (an empty journal too).
pub async fn read_assessed(path: &Path) -> Result<Assessed, JournalError> {
    let (pool, rule) = open_for_reading(path).await?;
    let assessed = assess_stored(&pool, rule)
        .await
        .map_err(storage_error(path))?;
    pool.close().await;
    Ok(assessed)
}

/// Opens the journal file to write it: takes its lock, connects, gives a database without
/// any table the schema (when `create`), and checks it is a journal this version understands.
async fn open_for_writing(
    path: &Path,
    create: bool,
) -> Result<(JournalLock, SqlitePool, HashRule), JournalError> {
    require_journal_file(path, create)?;
    let lock = journal_lock::acquire(path, &journal_lock::this_process())?;
    let pool = connect(path, create, false).await?;
    // Only a database without any table gets the schema (a new file, or one left empty by a
    // crash during the first start): never write tables into someone else's database.
    let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master")
        .fetch_one(&pool)
        .await
        .map_err(|e| classify(path, e))?;
    if create && tables == 0 {
        sqlx::raw_sql(SCHEMA)
            .execute(&pool)
            .await
            .map_err(|e| classify(path, e))?;
    }
    let rule = check_meta(&pool, path).await?;
    Ok((lock, pool, rule))
}

/// Every entry of the journal, verified: a broken chain (a torn last entry too) is refused,
/// since nothing may be appended after a break.
async fn read_whole(
    pool: &SqlitePool,
    rule: HashRule,
    path: &Path,
) -> Result<Vec<Entry>, JournalError> {
    let assessed = assess_stored(pool, rule)
        .await
        .map_err(storage_error(path))?;
    match assessed.integrity {
        Integrity::Intact => Ok(assessed.entries),
        Integrity::TornTail(brk) | Integrity::Broken(brk) => Err(JournalError::Broken {
            path: path.to_path_buf(),
            brk,
            intact: assessed.entries.len(),
        }),
    }
}

/// Reads and verifies every stored entry of `pool`'s journal under `rule`.
async fn assess_stored(pool: &SqlitePool, rule: HashRule) -> Result<Assessed, sqlx::Error> {
    assess(pool, ChainVerifier::new(rule), i64::MIN).await
}

/// Reads the stored entries numbered after `after` and verifies them with `verifier`.
///
/// Checking overlaps reading: the entries go to a thread of their own to be verified while
/// SQLite builds the next chunk, so a large journal costs about the longer of the two, not
/// their sum (each is about half of it).
async fn assess(
    pool: &SqlitePool,
    mut verifier: ChainVerifier,
    after: i64,
) -> Result<Assessed, sqlx::Error> {
    let (send, receive) = std::sync::mpsc::channel::<StoredEntry>();
    let checker = tokio::task::spawn_blocking(move || {
        receive.iter().for_each(|s| verifier.push(s));
        verifier.finish()
    });
    // The checker ends when the channel closes; it is gone early only if it panicked, and
    // joining it below says so.
    let read = each_stored(pool, after, |s| {
        let _ = send.send(s);
    })
    .await;
    drop(send);
    let assessed = checker.await;
    read?;
    match assessed {
        Ok(assessed) => Ok(assessed),
        // A panic while checking is a bug, never the journal's content: it goes on up.
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Reads a journal for replay, report or export: its verified entries and how the chain
/// ended. Refuses an empty journal, and one broken before its last entry unless `force`; a
/// torn last entry is left out and reported in the result, never hidden.
pub async fn read_for_review(path: &Path, force: bool) -> Result<Assessed, JournalError> {
    let assessed = read_assessed(path).await?;
    if assessed.stored == 0 {
        return Err(JournalError::Empty(path.to_path_buf()));
    }
    match &assessed.integrity {
        Integrity::Broken(brk) if !force => Err(JournalError::Tampered {
            path: path.to_path_buf(),
            brk: brk.clone(),
            intact: assessed.entries.len(),
        }),
        _ if assessed.entries.is_empty() => Err(JournalError::Empty(path.to_path_buf())),
        _ => Ok(assessed),
    }
}

async fn connect(path: &Path, create: bool, read_only: bool) -> Result<SqlitePool, JournalError> {
    if !create && !path.exists() {
        return Err(JournalError::Missing(path.to_path_buf()));
    }
    require_journal_file(path, create)?;
    let mut options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .read_only(read_only)
        .busy_timeout(Duration::from_secs(5));
    // Switching to WAL writes the file; a reader must not, so only the writer sets it.
    if !read_only {
        options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
    }
    SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|e| classify(path, e))
}

/// SQLite would hang on a FIFO and fail obscurely on a directory: a journal is a regular file
/// (of any size), or missing when it is to be created.
fn require_journal_file(path: &Path, create: bool) -> Result<(), JournalError> {
    match require_regular(path) {
        Err(e) if !(create && e.is_not_found()) => Err(JournalError::NotAFile(e)),
        _ => Ok(()),
    }
}

/// SQLite says "file is not a database" for foreign files and "malformed" for a damaged one
/// (a journal cut short by a truncated copy, say); name those plainly.
fn classify(path: &Path, e: sqlx::Error) -> JournalError {
    let text = e.to_string();
    if text.contains("not a database") || text.contains("file is encrypted") {
        JournalError::NotAJournal {
            path: path.to_path_buf(),
            reason: "not a SQLite database".into(),
        }
    } else if text.contains("malformed") {
        JournalError::NotAJournal {
            path: path.to_path_buf(),
            reason: "the SQLite file is damaged (database disk image is malformed): truncated or \
                     overwritten; use an intact copy"
                .into(),
        }
    } else {
        JournalError::Storage {
            path: path.to_path_buf(),
            source: e,
        }
    }
}

/// Checks the journal's metadata; returns the hash rule of its schema version.
async fn check_meta(pool: &SqlitePool, path: &Path) -> Result<HashRule, JournalError> {
    let not_journal = |reason: &str| JournalError::NotAJournal {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let rows = sqlx::query("SELECT key, value FROM meta")
        .fetch_all(pool)
        .await
        .map_err(|e| match classify(path, e) {
            JournalError::Storage { .. } => not_journal("no cockpit metadata table"),
            other => other,
        })?;
    let get = |k: &str| {
        rows.iter()
            .find(|r| r.try_get::<String, _>("key").is_ok_and(|key| key == k))
            .and_then(|r| r.try_get::<String, _>("value").ok())
    };
    if get("format").as_deref() != Some("cockpit-journal") {
        return Err(not_journal("missing cockpit-journal format marker"));
    }
    let version: u32 = get("schema_version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| not_journal("unreadable schema version"))?;
    if version > SCHEMA_VERSION {
        return Err(JournalError::TooNew {
            path: path.to_path_buf(),
            found: version,
        });
    }
    Ok(HashRule::for_schema(version))
}

/// Rows fetched per query by [`each_stored`].
const CHUNK_ROWS: i64 = 4_096;

/// Hands every stored entry numbered after `after` to `each`, in order. Rows come in chunks of
/// [`CHUNK_ROWS`], each one query whose single value holds the chunk's rows ([`chunks`]). The
/// caller's work on one chunk overlaps nothing, but the journal is never held twice: each
/// chunk's text is copied into its entries and dropped.
async fn each_stored(
    pool: &SqlitePool,
    mut after: i64,
    mut each: impl FnMut(StoredEntry),
) -> Result<(), sqlx::Error> {
    loop {
        let (count, chunk): (i64, Option<String>) = sqlx::query_as(chunks::CHUNK_QUERY)
            .bind(after)
            .bind(CHUNK_ROWS)
            .fetch_one(pool)
            .await?;
        let mut last = None;
        let rows = chunks::each_row(chunk.as_deref().unwrap_or(""), |s| {
            last = Some(s.seq);
            each(s);
        })
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        if rows as i64 != count {
            let missing = chunks::BadChunk("a row has a NULL field");
            return Err(sqlx::Error::Decode(Box::new(missing)));
        }
        match last {
            Some(last) if count == CHUNK_ROWS => after = last,
            _ => return Ok(()),
        }
    }
}
