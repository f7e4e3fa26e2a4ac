//! What a session is asked to run and what it answers: the statement, the rows it streams, and
//! how it ended (done, or why not).

use crate::core::sql::{Cell, ColumnInfo};
use std::time::Duration;
use tokio::sync::mpsc;

/// Rows a reselect keeps (see [`Snapshot`]).
pub const SNAPSHOT_ROWS: usize = 50;

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
    pub(super) fn plain(message: String) -> Self {
        Self {
            message,
            position: None,
            in_transaction: false,
            connection_lost: false,
        }
    }
}
