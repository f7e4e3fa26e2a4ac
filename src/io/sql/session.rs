//! A session with one database: a task owning one connection (MySQL/MariaDB, PostgreSQL or
//! SQLite, each through its own sqlx driver so every column type decodes), so a transaction can
//! stay open while the operator looks at what a statement did, and the UI task never waits on
//! it. Rows stream to the caller in batches as they arrive; a statement that runs too long, or
//! that the operator cancels, is stopped on the server from a side connection.

use crate::core::inventory::{Database, Driver};
use crate::core::sql::{Cell, ColumnInfo, split_statements};
use crate::io::sql::connect::{CancelTarget, Conn, Masker, cancel_on_server, connect};
use crate::io::sql::decode::{columns_of, mysql_row, pg_row, sqlite_row};
use crate::io::sql::tunnel::{LocalForward, TunnelOpener};
use futures::{FutureExt, Stream, TryStreamExt};
use sqlx::mysql::{MySqlDatabaseError, MySqlRow};
use sqlx::postgres::{PgDatabaseError, PgErrorPosition, PgRow};
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Connection, Either, Executor, Row};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Rows a reselect keeps (see [`Snapshot`]).
pub const SNAPSHOT_ROWS: usize = 50;

/// Rows in one [`RowBatch::Rows`] at most.
const BATCH_ROWS: usize = 256;

/// A batch goes out once its first row is this old, full or not (so the first page shows at
/// once even when the server sends slowly).
const BATCH_AGE: Duration = Duration::from_millis(20);

/// How long a statement may take to stop after the server was asked to cancel it, before the
/// connection is closed instead.
const CANCEL_GRACE: Duration = Duration::from_secs(5);

/// Time limits and session settings of one database session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlSettings {
    /// Connecting, logging in and setting the session up (default 10 s); also the limit of the
    /// side connection that cancels a statement.
    pub connect_timeout: Duration,
    /// One statement, commit or rollback (default 60 s). Measured here; when it passes the
    /// statement is cancelled on the server, and the connection is closed if that fails.
    pub statement_timeout: Duration,
    /// How long a statement waits for a lock, in seconds (default 5): MySQL
    /// `innodb_lock_wait_timeout` and `lock_wait_timeout`, PostgreSQL `lock_timeout`.
    pub lock_wait_timeout_secs: u32,
}

impl Default for SqlSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(60),
            lock_wait_timeout_secs: 5,
        }
    }
}

/// A statement to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlStatement {
    /// The SQL, as the operator wrote it.
    pub sql: String,
    /// Values for its placeholders, in order (sent as bind parameters, never spliced).
    pub binds: Vec<String>,
    /// Run `BEGIN` first when no transaction is open (the console sets this for writes).
    /// When false and a transaction IS open, the statement still runs inside it.
    pub transaction: bool,
    /// A SELECT showing the rows the statement touches, run before and after it inside the
    /// same transaction (e.g. `SELECT * FROM t_app_dns WHERE ip = ?`).
    pub reselect: Option<Reselect>,
    /// The statement is a playbook step's, run as the playbook wrote it (not typed by hand).
    /// cockpit's own guards bound it (typed confirmation, the transaction, rows before and
    /// after, the step's expected rows), so on MySQL/MariaDB it runs with `sql_safe_updates`
    /// off for itself alone: turned off just before it on the same connection and back on
    /// right after, also when it fails. Hand-typed statements keep safe updates on.
    pub from_playbook: bool,
    /// A table whose rows are counted inside the transaction just before the statement runs
    /// (the table a single-table UPDATE/DELETE changes), so the commit question can say when
    /// the statement changed every row of it. Only counted when the statement runs in a
    /// transaction.
    pub count_table: Option<String>,
}

/// The rows of [`SqlStatement::count_table`] before the statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRows {
    /// The table, as the statement names it.
    pub table: String,
    /// Its rows, counted in the statement's transaction before it ran.
    pub rows: u64,
}

/// The SELECT of [`SqlStatement::reselect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reselect {
    /// The SQL.
    pub sql: String,
    /// Values for its placeholders, in order.
    pub binds: Vec<String>,
}

/// What a streaming statement sends as it runs: the columns once (again when a later result set
/// of a multi-statement text has other columns), then rows in batches of at most 256 rows or
/// about 20 ms worth, so the first page shows at once.
#[derive(Debug, Clone, PartialEq)]
pub enum RowBatch {
    /// The columns of the rows that follow.
    Columns(Vec<ColumnInfo>),
    /// Rows, in the order the server sent them.
    Rows(Vec<Vec<Cell>>),
}

/// Where a statement's rows go. Bounded: a slow consumer slows the fetch (and the time it
/// waits counts against the statement timeout). If the receiver is dropped the rows are only
/// counted from then on.
pub type RowSink = mpsc::Sender<RowBatch>;

/// Up to [`SNAPSHOT_ROWS`] rows of a reselect.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Snapshot {
    /// Its columns (empty when it returned no row).
    pub columns: Vec<ColumnInfo>,
    /// The first rows.
    pub rows: Vec<Vec<Cell>>,
    /// It returned more rows than these.
    pub more: bool,
}

/// A statement that ran.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementDone {
    /// Rows the statement changed. MySQL/MariaDB count rows *matched* (sqlx connects with
    /// `CLIENT_FOUND_ROWS`): an UPDATE setting a value a row already has still counts it,
    /// unlike the `mysql` client's "changed".
    pub rows_affected: u64,
    /// Rows it returned (all of them, whether or not a sink took them).
    pub rows_returned: u64,
    /// How long the statement itself took (without the BEGIN and the reselects).
    pub elapsed: Duration,
    /// A transaction is open now: the UI must ask to commit or roll back.
    pub in_transaction: bool,
    /// The reselect before the statement.
    pub before: Option<Snapshot>,
    /// The reselect after the statement.
    pub after: Option<Snapshot>,
    /// The rows of the statement's table before it ran (see [`SqlStatement::count_table`]).
    pub table_rows: Option<TableRows>,
}

/// Why a statement did not run (or did not finish).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFailure {
    /// Clear, one paragraph, names the database, never holds the password.
    pub message: String,
    /// 1-based character position in the statement where the server says the error is
    /// (PostgreSQL gives it; MySQL's "near '…' at line N" stays in the message).
    pub position: Option<usize>,
    /// A transaction is still open after the failure (a PostgreSQL transaction aborted by the
    /// error counts as open: it must be rolled back).
    pub in_transaction: bool,
    /// The connection is gone (server killed, network, or closed here because a statement
    /// could not be stopped): any open transaction was lost, nothing of it committed. The next
    /// statement reconnects.
    pub connection_lost: bool,
}

impl SqlFailure {
    fn plain(message: String) -> Self {
        Self {
            message,
            position: None,
            in_transaction: false,
            connection_lost: false,
        }
    }
}

type Reply<T> = oneshot::Sender<T>;

enum Request {
    Run {
        statement: SqlStatement,
        rows: Option<RowSink>,
        reply: Reply<Result<StatementDone, SqlFailure>>,
    },
    Finish {
        commit: bool,
        reply: Reply<Result<(), String>>,
    },
    Close {
        reply: Reply<()>,
    },
}

/// One session per inventory database: a task owning one connection (connect on first use,
/// reconnect on the next statement after the connection dropped). Dropping the session closes
/// the connection, which rolls back whatever was open.
pub struct SqlSession {
    name: String,
    requests: mpsc::Sender<Request>,
    cancels: mpsc::UnboundedSender<Reply<Result<(), String>>>,
}

impl SqlSession {
    /// Starts the session's task (on the current tokio runtime); it connects on the first
    /// statement. A database with `via_host` is reached through `tunnel`.
    pub fn open(db: &Database, settings: SqlSettings, tunnel: Option<TunnelOpener>) -> Self {
        let (requests, incoming) = mpsc::channel(8);
        let (cancels, cancel_rx) = mpsc::unbounded_channel();
        let task = Task {
            db: db.clone(),
            settings,
            tunnel,
            masker: Masker::new(&db.name, None),
            open: None,
        };
        tokio::spawn(task.serve(incoming, cancel_rx));
        Self {
            name: db.name.clone(),
            requests,
            cancels,
        }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs one statement. Rows go to `rows` as they arrive; with None they are only counted.
    /// Statements queue behind the one running.
    pub fn run(
        &self,
        statement: SqlStatement,
        rows: Option<RowSink>,
    ) -> impl Future<Output = Result<StatementDone, SqlFailure>> + Send + 'static {
        let requests = self.requests.clone();
        let stopped = self.stopped();
        async move {
            let (reply, answer) = oneshot::channel();
            let request = Request::Run {
                statement,
                rows,
                reply,
            };
            if requests.send(request).await.is_err() {
                return Err(SqlFailure::plain(stopped));
            }
            answer
                .await
                .unwrap_or_else(|_| Err(SqlFailure::plain(stopped)))
        }
    }

    /// Cancels the statement running now (MySQL/MariaDB: `KILL QUERY id` on a side connection;
    /// PostgreSQL: `pg_cancel_backend(pid)` on a side connection; SQLite: the statement is
    /// interrupted and the connection dropped). The pending `run` then fails with a "cancelled"
    /// message. Never queued behind the running statement. When the server cannot be asked,
    /// the connection is closed instead (the server then rolls back), and this still succeeds;
    /// with nothing running it does nothing.
    pub fn cancel(&self) -> impl Future<Output = Result<(), String>> + Send + 'static {
        let cancels = self.cancels.clone();
        let stopped = self.stopped();
        async move {
            let (reply, answer) = oneshot::channel();
            cancels.send(reply).map_err(|_| stopped.clone())?;
            answer.await.map_err(|_| stopped)?
        }
    }

    /// Commits the open transaction.
    pub fn commit(&self) -> impl Future<Output = Result<(), String>> + Send + 'static {
        self.finish(true)
    }

    /// Rolls the open transaction back.
    pub fn rollback(&self) -> impl Future<Output = Result<(), String>> + Send + 'static {
        self.finish(false)
    }

    /// Rolls back whatever is open and disconnects (quit). A later statement connects again.
    pub fn close(&self) -> impl Future<Output = ()> + Send + 'static {
        let requests = self.requests.clone();
        async move {
            let (reply, answer) = oneshot::channel();
            if requests.send(Request::Close { reply }).await.is_ok() {
                let _ = answer.await;
            }
        }
    }

    fn finish(&self, commit: bool) -> impl Future<Output = Result<(), String>> + Send + 'static {
        let requests = self.requests.clone();
        let stopped = self.stopped();
        async move {
            let (reply, answer) = oneshot::channel();
            requests
                .send(Request::Finish { commit, reply })
                .await
                .map_err(|_| stopped.clone())?;
            answer.await.map_err(|_| stopped)?
        }
    }

    fn stopped(&self) -> String {
        format!("the session with database `{}` has stopped", self.name)
    }
}

/// The connection and what is open on it.
struct Open {
    conn: Conn,
    in_transaction: bool,
    /// `sql_safe_updates` was turned off for a playbook statement and could not be turned back
    /// on: the connection must not serve another statement.
    safe_updates_off: bool,
    /// Characters of the text before the statement being sent (a text is sent statement by
    /// statement): where the server's error position counts from.
    piece_chars: usize,
    cancel: CancelTarget,
    _forward: Option<LocalForward>,
}

struct Task {
    db: Database,
    settings: SqlSettings,
    tunnel: Option<TunnelOpener>,
    masker: Masker,
    open: Option<Open>,
}

type CancelRx = mpsc::UnboundedReceiver<Reply<Result<(), String>>>;

/// How a guarded piece of work ended.
enum Guarded<T> {
    /// It finished; `stopped` says whether it was asked to stop (timeout or cancel) first.
    Finished(T, Option<Stop>),
    /// It could not be stopped on the server (or is SQLite): the connection must go.
    Abandoned(Stop, Option<String>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    Timeout,
    Cancelled,
}

enum Event {
    Request(Option<Request>),
    Cancel(Option<Reply<Result<(), String>>>),
}

impl Task {
    async fn serve(mut self, mut incoming: mpsc::Receiver<Request>, mut cancels: CancelRx) {
        loop {
            let event = tokio::select! {
                request = incoming.recv() => Event::Request(request),
                cancel = cancels.recv() => Event::Cancel(cancel),
            };
            match event {
                Event::Request(None) => break,
                // Nothing is running: nothing to cancel.
                Event::Cancel(Some(reply)) => {
                    let _ = reply.send(Ok(()));
                }
                Event::Cancel(None) => {}
                Event::Request(Some(Request::Run {
                    statement,
                    rows,
                    reply,
                })) => {
                    let result = self.run(statement, rows, &mut cancels).await;
                    let _ = reply.send(result);
                }
                Event::Request(Some(Request::Finish { commit, reply })) => {
                    let result = self.finish(commit, &mut cancels).await;
                    let _ = reply.send(result);
                }
                Event::Request(Some(Request::Close { reply })) => {
                    self.close().await;
                    let _ = reply.send(());
                }
            }
        }
        self.close().await;
    }

    async fn ensure_connected(&mut self) -> Result<(), SqlFailure> {
        if self.open.is_some() {
            return Ok(());
        }
        // The password is read again on every connect (it may have been rotated).
        let password = crate::io::sql::connect::password_of(&self.db)
            .map_err(|e| SqlFailure::plain(self.masker.message(&e)))?;
        self.masker = Masker::new(&self.db.name, password);
        let connected = connect(&self.db, &self.settings, self.tunnel.as_ref(), &self.masker)
            .await
            .map_err(SqlFailure::plain)?;
        self.open = Some(Open {
            conn: connected.conn,
            in_transaction: false,
            safe_updates_off: false,
            piece_chars: 0,
            cancel: connected.cancel,
            _forward: connected.forward,
        });
        Ok(())
    }

    /// Runs `work` on the open connection within the statement timeout, answering cancel
    /// requests while it runs.
    async fn guarded<'a, T>(
        settings: &SqlSettings,
        masker: &Masker,
        target: &CancelTarget,
        cancels: &mut CancelRx,
        work: impl Future<Output = T> + 'a,
    ) -> Guarded<T> {
        let mut work = std::pin::pin!(work);
        let deadline = tokio::time::sleep(settings.statement_timeout);
        let mut deadline = std::pin::pin!(deadline);
        let grace = tokio::time::sleep(Duration::MAX / 4);
        let mut grace = std::pin::pin!(grace);
        let mut stop: Option<Stop> = None;
        let sqlite = matches!(target, CancelTarget::Sqlite { .. });
        loop {
            let why = tokio::select! {
                done = &mut work => return Guarded::Finished(done, stop),
                () = &mut deadline, if stop.is_none() => Stop::Timeout,
                Some(reply) = cancels.recv() => {
                    if stop.is_some() {
                        let _ = reply.send(Ok(()));
                        continue;
                    }
                    let outcome = cancel_on_server(target, settings.connect_timeout, masker).await;
                    let failed = outcome.as_ref().err().cloned();
                    // Cancelled one way or another: on the server, or by closing the connection.
                    let _ = reply.send(Ok(()));
                    if sqlite || failed.is_some() {
                        return Guarded::Abandoned(Stop::Cancelled, failed);
                    }
                    stop = Some(Stop::Cancelled);
                    grace.as_mut().reset(tokio::time::Instant::now() + CANCEL_GRACE);
                    continue;
                }
                () = &mut grace, if stop.is_some() => {
                    let why = stop.unwrap_or(Stop::Timeout);
                    return Guarded::Abandoned(
                        why,
                        Some(format!("it did not stop within {}s of being cancelled", CANCEL_GRACE.as_secs())),
                    );
                }
            };
            // The statement timeout passed: ask the server to stop it.
            let outcome = cancel_on_server(target, settings.connect_timeout, masker).await;
            if sqlite || outcome.is_err() {
                return Guarded::Abandoned(why, outcome.err());
            }
            stop = Some(why);
            grace
                .as_mut()
                .reset(tokio::time::Instant::now() + CANCEL_GRACE);
        }
    }

    async fn run(
        &mut self,
        statement: SqlStatement,
        mut sink: Option<RowSink>,
        cancels: &mut CancelRx,
    ) -> Result<StatementDone, SqlFailure> {
        self.ensure_connected().await?;
        let Some(open) = self.open.as_mut() else {
            return Err(SqlFailure::plain(
                self.masker
                    .message("not connected (no connection was made)"),
            ));
        };
        let target = open.cancel.clone();
        let driver = self.db.driver;
        let begin = begin_statement(driver, self.db.read_only);
        let work = statement_work(open, driver, begin, &statement, &mut sink);
        let guarded = Self::guarded(&self.settings, &self.masker, &target, cancels, work).await;
        drop(sink);
        let secs = self.settings.statement_timeout.as_secs_f64();
        // (A lost or abandoned connection is closed below anyway.)
        let usable = matches!(&guarded, Guarded::Finished(r, _) if !r.as_ref().is_err_and(is_connection_error));
        if usable && self.open.as_ref().is_some_and(|o| o.safe_updates_off) {
            // Never leave a connection with safe updates off for the next (hand-typed)
            // statement: closing it rolls back whatever was open.
            let why = match &guarded {
                Guarded::Finished(Err(e), _) => format!(" ({})", describe(e).0),
                _ => String::new(),
            };
            return Err(self.lost(&format!(
                "sql_safe_updates could not be turned back on after the playbook's \
                 statement{why}; the connection was closed"
            )));
        }
        match guarded {
            Guarded::Finished(Ok(done), None) => Ok(done),
            Guarded::Finished(result, Some(stop)) => {
                // Stopped on the server; the connection is still good.
                let server = match &result {
                    Err(e) if is_connection_error(e) => {
                        let e = e.to_string();
                        return Err(self.lost(&format!("the connection was lost ({e})")));
                    }
                    Err(e) => format!(" (the server said: {})", describe(e).0),
                    Ok(_) => String::new(),
                };
                let in_transaction = self.open.as_ref().is_some_and(|o| o.in_transaction);
                let what = match stop {
                    Stop::Timeout => format!(
                        "the statement was stopped after {secs}s (statement timeout){server}"
                    ),
                    Stop::Cancelled => format!("the statement was cancelled{server}"),
                };
                let tail = if in_transaction {
                    "; the transaction is still open (roll it back, or commit what ran before)"
                } else {
                    ""
                };
                Err(SqlFailure {
                    message: self.masker.message(&format!("{what}{tail}")),
                    position: None,
                    in_transaction,
                    connection_lost: false,
                })
            }
            Guarded::Finished(Err(e), None) => Err(self.failure(&e)),
            Guarded::Abandoned(stop, reason) => {
                let why = match stop {
                    Stop::Timeout => {
                        format!("the statement ran past {secs}s (statement timeout)")
                    }
                    Stop::Cancelled => "the statement was cancelled".to_string(),
                };
                let how = match reason {
                    Some(reason) => format!(
                        " and could not be stopped on the server ({reason}); the connection was \
                         closed"
                    ),
                    None => "; the connection was closed".to_string(),
                };
                Err(self.lost(&format!("{why}{how}")))
            }
        }
    }

    /// The connection is gone: say so, and that nothing of an open transaction was committed.
    fn lost(&mut self, what: &str) -> SqlFailure {
        let had_transaction = self.open.as_ref().is_some_and(|o| o.in_transaction);
        self.open = None;
        let tail = if had_transaction {
            "the open transaction was rolled back by the server: nothing of it was committed"
        } else {
            "any open transaction was rolled back by the server: nothing was committed"
        };
        SqlFailure {
            message: self.masker.message(&format!(
                "{what}; {tail}. The next statement connects again."
            )),
            position: None,
            in_transaction: false,
            connection_lost: true,
        }
    }

    /// A statement failed without being stopped: the server's message, or a lost connection.
    fn failure(&mut self, e: &sqlx::Error) -> SqlFailure {
        if is_connection_error(e) {
            return self.lost(&format!("the connection was lost ({e})"));
        }
        let (message, position, rolled_back) = describe(e);
        let piece = self.open.as_ref().map_or(0, |o| o.piece_chars);
        let position = position.map(|p| p + piece);
        if rolled_back && let Some(open) = self.open.as_mut() {
            open.in_transaction = false;
        }
        let in_transaction = self.open.as_ref().is_some_and(|o| o.in_transaction);
        let tail = if rolled_back {
            " — the server rolled the whole transaction back"
        } else {
            ""
        };
        SqlFailure {
            message: self.masker.message(&format!("{message}{tail}")),
            position,
            in_transaction,
            connection_lost: false,
        }
    }

    async fn finish(&mut self, commit: bool, cancels: &mut CancelRx) -> Result<(), String> {
        let verb = if commit { "COMMIT" } else { "ROLLBACK" };
        let Some(open) = self.open.as_mut().filter(|o| o.in_transaction) else {
            return Err(self.masker.message("no transaction is open"));
        };
        let target = open.cancel.clone();
        let work = execute(&mut open.conn, verb);
        let guarded = Self::guarded(&self.settings, &self.masker, &target, cancels, work).await;
        match guarded {
            Guarded::Finished(Ok(()), None) => {
                if let Some(open) = self.open.as_mut() {
                    open.in_transaction = false;
                }
                Ok(())
            }
            Guarded::Finished(Err(e), _) if is_connection_error(&e) => {
                self.open = None;
                Err(self.masker.message(&format!(
                    "{verb} failed: the connection was lost ({e}); the server rolled the \
                     transaction back{}",
                    if commit {
                        " unless the commit had already reached it"
                    } else {
                        ""
                    }
                )))
            }
            Guarded::Finished(Err(e), _) => {
                // The server refused: its transaction state is unknown, so start clean.
                self.open = None;
                Err(self.masker.message(&format!(
                    "{verb} failed: {}; the connection was closed, so the server rolled back \
                     what was not committed",
                    describe(&e).0
                )))
            }
            Guarded::Finished(Ok(()), Some(_)) | Guarded::Abandoned(..) => {
                self.open = None;
                Err(self.masker.message(&format!(
                    "{verb} did not finish within {}s; the connection was closed{}",
                    self.settings.statement_timeout.as_secs_f64(),
                    if commit {
                        ": the server rolled the transaction back unless the commit had already \
                         reached it"
                    } else {
                        ", so the server rolled the transaction back"
                    }
                )))
            }
        }
    }

    async fn close(&mut self) {
        let Some(mut open) = self.open.take() else {
            return;
        };
        let limit = self.settings.statement_timeout.min(Duration::from_secs(5));
        if open.in_transaction {
            let _ = tokio::time::timeout(limit, execute(&mut open.conn, "ROLLBACK")).await;
        }
        let closing = async {
            let _ = match open.conn {
                Conn::My(c) => c.close().await,
                Conn::Pg(c) => c.close().await,
                Conn::Lite(c) => c.close().await,
            };
        };
        let _ = tokio::time::timeout(limit, closing).await;
    }
}

/// The statement that opens a transaction, read-only where the inventory says so.
fn begin_statement(driver: Driver, read_only: bool) -> &'static str {
    match (driver, read_only) {
        (Driver::Mysql, true) => "START TRANSACTION READ ONLY",
        (Driver::Mysql, false) => "START TRANSACTION",
        (Driver::Postgres, true) => "BEGIN READ ONLY",
        _ => "BEGIN",
    }
}

/// BEGIN if asked, the reselect before, the statement (rows into the sink), the reselect after.
async fn statement_work(
    open: &mut Open,
    driver: Driver,
    begin: &'static str,
    statement: &SqlStatement,
    sink: &mut Option<RowSink>,
) -> Result<StatementDone, sqlx::Error> {
    if statement.transaction && !open.in_transaction {
        execute(&mut open.conn, begin).await?;
        open.in_transaction = true;
    }
    let table_rows = match &statement.count_table {
        Some(table) if open.in_transaction => count_rows(&mut open.conn, table).await?,
        _ => None,
    };
    let before = match &statement.reselect {
        Some(r) => Some(snapshot(&mut open.conn, r).await?),
        None => None,
    };
    let relax = statement.from_playbook && driver == Driver::Mysql;
    if relax {
        execute(&mut open.conn, "SET SESSION sql_safe_updates = 0").await?;
        open.safe_updates_off = true;
    }
    let started = Instant::now();
    let keep = if sink.is_some() {
        Some(Keep::Sink(sink))
    } else {
        None
    };
    let pumped = pump_judged(open, driver, statement, keep).await;
    let elapsed = started.elapsed();
    let restored = if relax {
        // Back on whether the statement worked or not; the statement's own error comes first.
        let restored = execute(&mut open.conn, "SET SESSION sql_safe_updates = 1").await;
        if restored.is_ok() {
            open.safe_updates_off = false;
        }
        restored
    } else {
        Ok(())
    };
    let pumped = pumped?;
    restored?;
    if pumped.rows_returned == 0
        && let Some(rows) = sink.as_ref()
    {
        // No row carried the columns: ask the server for them, so the grid still has a header.
        let columns = describe_columns(&mut open.conn, &statement.sql).await;
        if !columns.is_empty() && rows.send(RowBatch::Columns(columns)).await.is_err() {
            *sink = None;
        }
    }
    track_transaction(open, driver, &statement.sql);
    let after = match &statement.reselect {
        Some(r) => Some(snapshot(&mut open.conn, r).await?),
        None => None,
    };
    Ok(StatementDone {
        rows_affected: pumped.rows_affected,
        rows_returned: pumped.rows_returned,
        elapsed,
        in_transaction: open.in_transaction,
        before,
        after,
        table_rows,
    })
}

/// `SELECT COUNT(*)` of `table` on the open connection (inside the statement's transaction,
/// within its timeout like the rest of the statement's work).
async fn count_rows(conn: &mut Conn, table: &str) -> Result<Option<TableRows>, sqlx::Error> {
    let mut kept = Vec::new();
    let sql = format!("SELECT COUNT(*) FROM {table}");
    pump_on(conn, &sql, &[], Some(Keep::First(&mut kept)), Some(1)).await?;
    let rows = match kept.first().and_then(|r| r.first()) {
        Some(Cell::Int(n)) => u64::try_from(*n).ok(),
        Some(Cell::UInt(n)) => Some(*n),
        Some(Cell::Decimal(d)) | Some(Cell::Text(d)) => d.parse().ok(),
        _ => None,
    };
    Ok(rows.map(|rows| TableRows {
        table: table.to_string(),
        rows,
    }))
}

/// Sends the text exactly as the guard split and judged it: each statement of it on its own,
/// in order, never the raw text around them (a comment after the last statement, or text the
/// server might split differently, is not sent). A text with parameters is sent whole, as one
/// prepared statement, which the servers refuse to hold more than one statement.
async fn pump_judged(
    open: &mut Open,
    driver: Driver,
    statement: &SqlStatement,
    mut keep: Option<Keep<'_>>,
) -> Result<Pumped, sqlx::Error> {
    open.piece_chars = 0;
    if !statement.binds.is_empty() {
        return pump_on(&mut open.conn, &statement.sql, &statement.binds, keep, None).await;
    }
    let mut total = Pumped::default();
    for piece in split_statements(&statement.sql, driver) {
        open.piece_chars = statement.sql[..piece.range.start].chars().count();
        let kept = match &mut keep {
            Some(Keep::Sink(sink)) => Some(Keep::Sink(sink)),
            Some(Keep::First(rows)) => Some(Keep::First(rows)),
            None => None,
        };
        let pumped = pump_on(&mut open.conn, &piece.text, &[], kept, None).await?;
        total.rows_affected += pumped.rows_affected;
        total.rows_returned += pumped.rows_returned;
        if !pumped.columns.is_empty() {
            total.columns = pumped.columns;
        }
    }
    open.piece_chars = 0;
    Ok(total)
}

/// Follows transaction statements the operator typed (BEGIN, COMMIT, …) and MySQL's implicit
/// commits (DDL), so the session knows whether to ask for a commit.
fn track_transaction(open: &mut Open, driver: Driver, sql: &str) {
    let mut words = sql
        .trim_start()
        .split(|c: char| c.is_whitespace() || c == ';')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase);
    let first = words.next().unwrap_or_default();
    let second = words.next().unwrap_or_default();
    match first.as_str() {
        "BEGIN" | "START" => open.in_transaction = true,
        "COMMIT" | "END" => open.in_transaction = false,
        "ROLLBACK" | "ABORT" if second != "TO" => open.in_transaction = false,
        "CREATE" | "ALTER" | "DROP" | "TRUNCATE" | "RENAME" | "GRANT" | "REVOKE"
            if driver == Driver::Mysql =>
        {
            open.in_transaction = false
        }
        _ => {}
    }
}

/// The columns of a query that returned no row, when the server can describe it. Only a single
/// SELECT-like statement is prepared (a failed prepare would abort a PostgreSQL transaction).
async fn describe_columns(conn: &mut Conn, sql: &str) -> Vec<ColumnInfo> {
    use sqlx::{SqlSafeStr, Statement};
    let sql = sql.trim().trim_end_matches(';').trim_end();
    let first = sql
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if sql.contains(';') || !matches!(first.as_str(), "SELECT" | "WITH" | "VALUES" | "TABLE") {
        return Vec::new();
    }
    fn infos<C: sqlx::Column>(columns: &[C]) -> Vec<ColumnInfo> {
        use sqlx::TypeInfo;
        columns
            .iter()
            .map(|c| ColumnInfo {
                name: c.name().to_string(),
                type_name: c.type_info().name().to_string(),
            })
            .collect()
    }
    let sql = AssertSqlSafe(sql.to_string()).into_sql_str();
    match conn {
        Conn::My(c) => c.prepare(sql).await.map(|s| infos(s.columns())),
        Conn::Pg(c) => c.prepare(sql).await.map(|s| infos(s.columns())),
        Conn::Lite(c) => c.prepare(sql).await.map(|s| infos(s.columns())),
    }
    .unwrap_or_default()
}

async fn execute(conn: &mut Conn, sql: &'static str) -> Result<(), sqlx::Error> {
    match conn {
        Conn::My(c) => c.execute(sql).await.map(drop),
        Conn::Pg(c) => c.execute(sql).await.map(drop),
        Conn::Lite(c) => c.execute(sql).await.map(drop),
    }
}

async fn snapshot(conn: &mut Conn, reselect: &Reselect) -> Result<Snapshot, sqlx::Error> {
    let mut kept = Vec::new();
    let pumped = pump_on(
        conn,
        &reselect.sql,
        &reselect.binds,
        Some(Keep::First(&mut kept)),
        Some(SNAPSHOT_ROWS + 1),
    )
    .await?;
    let more = kept.len() > SNAPSHOT_ROWS || pumped.rows_returned > SNAPSHOT_ROWS as u64;
    kept.truncate(SNAPSHOT_ROWS);
    Ok(Snapshot {
        columns: pumped.columns,
        rows: kept,
        more,
    })
}

/// Where pumped rows go.
enum Keep<'a> {
    /// Batches into the caller's sink.
    Sink(&'a mut Option<RowSink>),
    /// The first rows into a vector (up to the limit given with it).
    First(&'a mut Vec<Vec<Cell>>),
}

/// What a pumped statement did.
#[derive(Default)]
struct Pumped {
    rows_affected: u64,
    rows_returned: u64,
    columns: Vec<ColumnInfo>,
}

/// Runs `sql` (text protocol without binds, prepared with them) and pumps its results.
async fn pump_on(
    conn: &mut Conn,
    sql: &str,
    binds: &[String],
    keep: Option<Keep<'_>>,
    limit: Option<usize>,
) -> Result<Pumped, sqlx::Error> {
    macro_rules! fetch {
        ($c:expr) => {{
            let stream = if binds.is_empty() {
                $c.fetch_many(sqlx::raw_sql(AssertSqlSafe(sql.to_string())))
            } else {
                let mut query = sqlx::query(AssertSqlSafe(sql.to_string()));
                for value in binds {
                    query = query.bind(value.clone());
                }
                $c.fetch_many(query)
            };
            stream.map_ok(|item| item.map_left(|done| done.rows_affected()))
        }};
    }
    let binary = !binds.is_empty();
    match conn {
        Conn::My(c) => {
            let decode = move |r: &MySqlRow| mysql_row(r, binary);
            pump(fetch!(c), decode, keep, limit).await
        }
        Conn::Pg(c) => pump(fetch!(c), |r: &PgRow| pg_row(r), keep, limit).await,
        Conn::Lite(c) => pump(fetch!(c), |r: &SqliteRow| sqlite_row(r), keep, limit).await,
    }
}

/// Reads a result stream to its end: counts rows and affected rows, and hands rows to `keep`
/// (in batches of at most [`BATCH_ROWS`] rows or [`BATCH_AGE`] old, columns first). Rows are
/// decoded only when something keeps them.
async fn pump<R: Row>(
    mut results: impl Stream<Item = Result<Either<u64, R>, sqlx::Error>> + Unpin,
    decode: impl Fn(&R) -> Vec<Cell>,
    mut keep: Option<Keep<'_>>,
    limit: Option<usize>,
) -> Result<Pumped, sqlx::Error> {
    let mut pumped = Pumped::default();
    let mut batch: Vec<Vec<Cell>> = Vec::new();
    let mut batch_due = tokio::time::Instant::now();
    // Whether the columns of the current result set have been taken.
    let mut columns_taken = false;
    loop {
        let next = match results.try_next().now_or_never() {
            Some(next) => next?,
            None if batch.is_empty() => results.try_next().await?,
            None => {
                tokio::select! {
                    next = results.try_next() => next?,
                    () = tokio::time::sleep_until(batch_due) => {
                        send_batch(&mut keep, &mut batch).await;
                        continue;
                    }
                }
            }
        };
        match next {
            None => break,
            Some(Either::Left(affected)) => {
                pumped.rows_affected += affected;
                columns_taken = false;
            }
            Some(Either::Right(row)) => {
                pumped.rows_returned += 1;
                if !columns_taken {
                    columns_taken = true;
                    let columns = columns_of(&row);
                    if columns != pumped.columns {
                        pumped.columns = columns.clone();
                        if matches!(keep, Some(Keep::Sink(_))) {
                            send_batch(&mut keep, &mut batch).await;
                            send(&mut keep, RowBatch::Columns(columns)).await;
                        }
                    }
                }
                match &mut keep {
                    Some(Keep::First(rows)) if limit.is_none_or(|n| rows.len() < n) => {
                        rows.push(decode(&row));
                    }
                    Some(Keep::Sink(sink)) if sink.is_some() => {
                        if batch.is_empty() {
                            batch_due = tokio::time::Instant::now() + BATCH_AGE;
                        }
                        batch.push(decode(&row));
                        if batch.len() >= BATCH_ROWS || tokio::time::Instant::now() >= batch_due {
                            send_batch(&mut keep, &mut batch).await;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    send_batch(&mut keep, &mut batch).await;
    Ok(pumped)
}

async fn send_batch(keep: &mut Option<Keep<'_>>, batch: &mut Vec<Vec<Cell>>) {
    if batch.is_empty() {
        return;
    }
    let rows = std::mem::take(batch);
    send(keep, RowBatch::Rows(rows)).await;
}

/// Sends into the sink; a sink whose receiver is gone is forgotten (rows are then only counted).
async fn send(keep: &mut Option<Keep<'_>>, batch: RowBatch) {
    if let Some(Keep::Sink(slot)) = keep
        && let Some(sink) = slot.as_ref()
        && sink.send(batch).await.is_err()
    {
        **slot = None;
    }
}

/// Errors after which the connection cannot be used: I/O, TLS, protocol, a crashed worker, or
/// the server saying it is shutting down or killed the connection.
fn is_connection_error(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() {
                // admin_shutdown, crash_shutdown, cannot_connect_now
                return matches!(pg.code(), "57P01" | "57P02" | "57P03");
            }
            if let Some(my) = db.try_downcast_ref::<MySqlDatabaseError>() {
                // server shutdown, connection killed, gone away, lost
                return matches!(my.number(), 1053 | 1927 | 2006 | 2013);
            }
            false
        }
        _ => false,
    }
}

/// The server's message as one paragraph, the position PostgreSQL gives, and whether the
/// server rolled the whole transaction back (a MySQL deadlock does).
fn describe(e: &sqlx::Error) -> (String, Option<usize>, bool) {
    let sqlx::Error::Database(db) = e else {
        return (e.to_string(), None, false);
    };
    if let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() {
        let mut text = format!("ERROR {}: {}", pg.code(), pg.message());
        if let Some(detail) = pg.detail() {
            text.push_str(&format!(" — {detail}"));
        }
        if let Some(hint) = pg.hint() {
            text.push_str(&format!(" (hint: {hint})"));
        }
        let position = match pg.position() {
            Some(PgErrorPosition::Original(p)) => Some(p),
            _ => None,
        };
        return (text, position, false);
    }
    if let Some(my) = db.try_downcast_ref::<MySqlDatabaseError>() {
        let state = my.code().map(|c| format!(" ({c})")).unwrap_or_default();
        let text = format!("ERROR {}{state}: {}", my.number(), my.message());
        return (text, None, my.number() == 1213);
    }
    (db.message().to_string(), None, false)
}
