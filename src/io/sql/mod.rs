//! Databases of the inventory (MySQL/MariaDB, PostgreSQL, SQLite) through sqlx: one session per
//! database, a task owning one connection; rows stream out as [`Cell`](crate::core::sql::Cell)s,
//! writes run inside a transaction that stays open until the operator commits or rolls it back.
//!
//! The session's parts, each importing only those below it: `session` (the handle) → `task`
//! (owns the connection, answers requests) → `stopping` (time limit and cancel) and `work` (a
//! statement's steps) → `pump` (rows from the server to the caller) → `decode`; `connect` makes
//! the connection; `settings`, `statement` and `server_error` are leaves everyone may read.

mod connect;
mod decode;
mod pump;
mod server_error;
mod session;
mod settings;
mod statement;
mod stopping;
mod task;
mod tunnel;
mod work;

pub use connect::{connection_url, password_of};
pub use session::SqlSession;
pub use settings::SqlSettings;
pub use statement::{
    Reselect, RowBatch, RowSink, SNAPSHOT_ROWS, Snapshot, SqlFailure, SqlStatement, StatementDone,
    TableRows,
};
pub use tunnel::{LocalForward, TunnelIo, TunnelOpener, TunnelStream};
mod history;
mod spool;

pub use history::{History, HistoryEntry};
pub use spool::{MAX_CELL_CHARS, ResultSpool, SpoolExport};
