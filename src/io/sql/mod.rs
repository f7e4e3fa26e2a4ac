//! Databases of the inventory (MySQL/MariaDB, PostgreSQL, SQLite) through sqlx: one session per
//! database, a task owning one connection; rows stream out as [`Cell`](crate::core::sql::Cell)s,
//! writes run inside a transaction that stays open until the operator commits or rolls it back.

mod connect;
mod decode;
mod session;
mod tunnel;

pub use connect::{connection_url, password_of};
pub use session::{
    Reselect, RowBatch, RowSink, SNAPSHOT_ROWS, Snapshot, SqlFailure, SqlSession, SqlSettings,
    SqlStatement, StatementDone, TableRows,
};
pub use tunnel::{LocalForward, TunnelIo, TunnelOpener, TunnelStream};
mod history;
mod spool;

pub use history::{History, HistoryEntry};
pub use spool::{MAX_CELL_CHARS, ResultSpool, SpoolExport};
