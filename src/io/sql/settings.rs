//! The time limits and session settings of a database session, read by the session's task and
//! by the code that connects it (so neither imports the other for them).

use std::time::Duration;

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
