//! A session with one database: a task owning one connection (MySQL/MariaDB, PostgreSQL or
//! SQLite, each through its own sqlx driver so every column type decodes), so a transaction can
//! stay open while the operator looks at what a statement did, and the UI task never waits on
//! it. Rows stream to the caller in batches as they arrive; a statement that runs too long, or
//! that the operator cancels, is stopped on the server from a side connection.
//!
//! This file is the handle the UI holds; the task is in `task.rs`, the statement's work on the
//! connection in `work.rs`, and the rows' way from the server to the caller in `pump.rs`.

use crate::core::inventory::Database;
use crate::io::sql::settings::SqlSettings;
use crate::io::sql::statement::{RowSink, SqlFailure, SqlStatement, StatementDone};
use crate::io::sql::stopping::CancelTx;
use crate::io::sql::task::{Request, Task};
use crate::io::sql::tunnel::TunnelOpener;
use tokio::sync::{mpsc, oneshot};

/// One session per inventory database: a task owning one connection (connect on first use,
/// reconnect on the next statement after the connection dropped). Dropping the session closes
/// the connection, which rolls back whatever was open.
pub struct SqlSession {
    name: String,
    requests: mpsc::Sender<Request>,
    cancels: CancelTx,
}

impl SqlSession {
    /// Starts the session's task (on the current tokio runtime); it connects on the first
    /// statement. A database with `via_host` is reached through `tunnel`.
    pub fn open(db: &Database, settings: SqlSettings, tunnel: Option<TunnelOpener>) -> Self {
        let (requests, cancels) = Task::spawn(db, settings, tunnel);
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
