//! The SQL console's sessions, one per inventory database, opened on first use and closed
//! (rolling back whatever transaction is still open) when the cockpit exits.

use crate::core::journal::Record;
use crate::io::fleet::FleetWorker;
use crate::io::sql::{SqlFailure, SqlSession, SqlSettings, SqlStatement};
use crate::ui::app::App;
use crate::ui::event::Event;
use crate::ui::runtime::inbox::Outlets;
use crate::ui::runtime::reports::report_statement;
use futures::FutureExt;
use std::collections::HashMap;
use std::time::Duration;

/// The open sessions, by database name.
pub(super) struct SqlSessions {
    open: HashMap<String, SqlSession>,
    /// Rewrites a statement before it runs (the demo's SQLite standing in for MySQL).
    dialect: Option<fn(&str) -> String>,
}

impl SqlSessions {
    /// No session open yet.
    pub(super) fn new(dialect: Option<fn(&str) -> String>) -> Self {
        Self {
            open: HashMap::new(),
            dialect,
        }
    }

    /// Runs a statement; its rows, then its end, come back through the bounded SQL queue.
    pub(super) fn run(
        &mut self,
        app: &App,
        fleet: &FleetWorker,
        outlets: &Outlets,
        (database, run, mut statement): (String, u64, SqlStatement),
    ) {
        let dialect = self.dialect;
        let Some(session) = self.session(app, fleet, &database) else {
            let _ = outlets.events.send(Event::SqlDone {
                database: database.clone(),
                run,
                result: Err(SqlFailure {
                    message: format!("no database `{database}` in the inventory"),
                    position: None,
                    in_transaction: false,
                    connection_lost: false,
                }),
            });
            return;
        };
        if let Some(rewrite) = dialect {
            statement.sql = rewrite(&statement.sql);
            if let Some(r) = statement.reselect.as_mut() {
                r.sql = rewrite(&r.sql);
            }
            if let Some(t) = statement.count_table.as_mut() {
                *t = rewrite(t).trim().to_string();
            }
        }
        let (rows, batches) = tokio::sync::mpsc::channel(4);
        let job = session.run(statement, Some(rows));
        tokio::spawn(report_statement(
            database,
            run,
            job,
            batches,
            outlets.sql.clone(),
        ));
    }

    /// Cancels the statement running on `database`, if any.
    pub(super) fn cancel(&self, database: String) {
        if let Some(session) = self.open.get(&database) {
            let job = session.cancel();
            tokio::spawn(async move {
                if let Err(e) = job.await {
                    tracing::warn!("cancel on {database} failed: {e}");
                }
            });
        }
    }

    /// Commits or rolls back the open transaction on `database`; the answer comes back as
    /// [`Event::SqlFinished`].
    pub(super) fn finish(&self, database: String, commit: bool, outlets: &Outlets) {
        let reply = outlets.events.clone();
        let job = self.open.get(&database).map(|s| {
            if commit {
                s.commit().boxed()
            } else {
                s.rollback().boxed()
            }
        });
        tokio::spawn(async move {
            let result = match job {
                Some(job) => job.await,
                None => Err(format!("no session with `{database}`")),
            };
            let _ = reply.send(Event::SqlFinished {
                database,
                committed: commit,
                result,
            });
        });
    }

    /// Closes every session. Whatever transaction is still open is rolled back: closing the
    /// session rolls it back on the server (and a session that cannot be reached has lost it
    /// already). Returns the records of the transactions that ended so.
    pub(super) async fn close_all(&self, app: &App) -> Vec<Record> {
        let open = app.console.open_transactions();
        let mut ended = Vec::new();
        for (name, session) in &self.open {
            let closing = session.close();
            let closed = tokio::time::timeout(Duration::from_secs(3), closing).await;
            if open.contains(name) {
                ended.push(Record::SqlTransactionEnded {
                    incident: app.incident().map(|i| i.id.clone()),
                    database: name.clone(),
                    committed: false,
                    error: closed.is_err().then(|| {
                        "the rollback did not answer within 3 s; the connection was dropped".into()
                    }),
                });
            }
        }
        ended
    }

    /// The session of a database, opened on first use with the inventory's limits and, for a
    /// database behind a host, a tunnel over that host's SSH connection.
    fn session(&mut self, app: &App, fleet: &FleetWorker, database: &str) -> Option<&SqlSession> {
        if !self.open.contains_key(database) {
            let db = app.inventory.database(database)?;
            let s = &app.inventory.settings;
            let settings = SqlSettings {
                connect_timeout: Duration::from_secs(10),
                statement_timeout: Duration::from_secs(s.sql_statement_timeout_secs),
                lock_wait_timeout_secs: u32::try_from(s.sql_lock_wait_secs).unwrap_or(u32::MAX),
            };
            let tunnel = db.via_host.as_deref().and_then(|h| fleet.tunnel_opener(h));
            self.open
                .insert(database.to_string(), SqlSession::open(db, settings, tunnel));
        }
        self.open.get(database)
    }
}
