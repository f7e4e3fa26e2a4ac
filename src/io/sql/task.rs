//! The session's task: it owns the connection (made on the first statement, made again after it
//! was lost), takes the handle's requests one at a time and answers cancels while a statement
//! runs, and turns what happened into the operator's words.

use crate::core::inventory::Database;
use crate::io::sql::connect::{Conn, Masker, connect};
use crate::io::sql::server_error::{describe, is_connection_error};
use crate::io::sql::settings::SqlSettings;
use crate::io::sql::statement::{RowSink, SqlFailure, SqlStatement, StatementDone};
use crate::io::sql::stopping::{CancelRx, CancelTx, Guarded, Reply, Stop, guarded};
use crate::io::sql::tunnel::TunnelOpener;
use crate::io::sql::work::{Open, begin_statement, execute, statement_work};
use sqlx::Connection;
use std::time::Duration;
use tokio::sync::mpsc;

/// What the session handle asks its task.
pub(super) enum Request {
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

/// The task behind one [`SqlSession`](super::SqlSession): its database and connection.
pub(super) struct Task {
    db: Database,
    settings: SqlSettings,
    tunnel: Option<TunnelOpener>,
    masker: Masker,
    open: Option<Open>,
}

enum Event {
    Request(Option<Request>),
    Cancel(Option<Reply<Result<(), String>>>),
}

impl Task {
    /// Starts the task of a session with `db` on the current tokio runtime (it connects on the
    /// first statement): where to send it requests, and cancels.
    pub(super) fn spawn(
        db: &Database,
        settings: SqlSettings,
        tunnel: Option<TunnelOpener>,
    ) -> (mpsc::Sender<Request>, CancelTx) {
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
        (requests, cancels)
    }

    /// Serves the handle's requests until the handle is dropped, then closes the connection.
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
        let guarded = guarded(&self.settings, &self.masker, &target, cancels, work).await;
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
        let guarded = guarded(&self.settings, &self.masker, &target, cancels, work).await;
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
