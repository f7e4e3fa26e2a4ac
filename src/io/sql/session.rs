//! A session with one database: a task owning one connection, so a transaction can stay open
//! while the operator looks at what a statement did, and the UI task never waits on it.

use crate::core::inventory::{Database, Driver};
use crate::core::redact::MASK;
use crate::core::secret::Secret;
use crate::io::sql::connect::{connection_url, password_of};
use crate::io::sql::rows::SqlOutcome;
use futures::TryStreamExt;
use sqlx::AnyConnection;
use sqlx::{AssertSqlSafe, Connection, Either, Executor};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Time limits of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlTimeouts {
    /// Connecting and logging in.
    pub connect: Duration,
    /// One statement, or a commit or rollback.
    pub statement: Duration,
}

impl Default for SqlTimeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            statement: Duration::from_secs(60),
        }
    }
}

enum Request {
    Run {
        sql: String,
        binds: Vec<String>,
        reply: oneshot::Sender<Result<SqlOutcome, String>>,
    },
    Finish {
        commit: bool,
        reply: oneshot::Sender<Result<(), String>>,
    },
}

/// A session with one inventory database. Statements run inside a transaction that is
/// begun by the first one and ends only with [`SqlSession::commit`] or
/// [`SqlSession::rollback`]; dropping the session rolls it back.
pub struct SqlSession {
    name: String,
    requests: mpsc::Sender<Request>,
}

impl SqlSession {
    /// Starts the session's task; it connects on the first statement.
    pub fn open(db: &Database, timeouts: SqlTimeouts) -> Self {
        let (requests, incoming) = mpsc::channel(8);
        tokio::spawn(serve(db.clone(), timeouts, incoming));
        Self {
            name: db.name.clone(),
            requests,
        }
    }

    /// Runs one statement (with `binds` for its placeholders, in order) inside the open
    /// transaction, beginning one if none is open.
    pub fn run(
        &self,
        sql: String,
        binds: Vec<String>,
    ) -> impl Future<Output = Result<SqlOutcome, String>> + Send + 'static {
        let requests = self.requests.clone();
        let stopped = self.stopped();
        async move {
            let (reply, answer) = oneshot::channel();
            requests
                .send(Request::Run { sql, binds, reply })
                .await
                .map_err(|_| stopped.clone())?;
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

/// The connection and whether a transaction is open on it.
struct Open {
    connection: AnyConnection,
    in_transaction: bool,
}

async fn serve(db: Database, timeouts: SqlTimeouts, mut incoming: mpsc::Receiver<Request>) {
    let mut open: Option<Open> = None;
    while let Some(request) = incoming.recv().await {
        match request {
            Request::Run { sql, binds, reply } => {
                let result = run(&db, timeouts, &mut open, &sql, binds).await;
                let _ = reply.send(result);
            }
            Request::Finish { commit, reply } => {
                let result = finish(&db, timeouts, &mut open, commit).await;
                let _ = reply.send(result);
            }
        }
    }
}

async fn connect(db: &Database, timeouts: SqlTimeouts) -> Result<AnyConnection, String> {
    if let Some(host) = &db.via_host {
        return Err(format!(
            "database `{}` is reached through host `{host}`: SSH tunnels for databases are not \
             supported yet",
            db.name
        ));
    }
    sqlx::any::install_default_drivers();
    let password = password_of(db)?;
    let url = connection_url(db, password.as_ref())?;
    let connecting = AnyConnection::connect(url.expose());
    let mut connection = tokio::time::timeout(timeouts.connect, connecting)
        .await
        .map_err(|_| {
            format!(
                "connecting to `{}` timed out after {}s",
                db.name,
                timeouts.connect.as_secs()
            )
        })?
        .map_err(|e| masked(db, password.as_ref(), &format!("cannot connect: {e}")))?;
    if db.read_only && db.driver == Driver::Sqlite {
        connection
            .execute("PRAGMA query_only = ON")
            .await
            .map_err(|e| masked(db, password.as_ref(), &e.to_string()))?;
    }
    Ok(connection)
}

/// The statement that opens a transaction, read-only where the inventory says so.
fn begin_statement(db: &Database) -> &'static str {
    match (db.driver, db.read_only) {
        (Driver::Mysql, true) => "START TRANSACTION READ ONLY",
        (Driver::Postgres, true) => "BEGIN READ ONLY",
        _ => "BEGIN",
    }
}

async fn run(
    db: &Database,
    timeouts: SqlTimeouts,
    open: &mut Option<Open>,
    sql: &str,
    binds: Vec<String>,
) -> Result<SqlOutcome, String> {
    if open.is_none() {
        *open = Some(Open {
            connection: connect(db, timeouts).await?,
            in_transaction: false,
        });
    }
    let Some(session) = open.as_mut() else {
        return Err(format!("no connection to `{}`", db.name));
    };
    let work = async {
        if !session.in_transaction {
            session
                .connection
                .execute(begin_statement(db))
                .await
                .map_err(|e| e.to_string())?;
            session.in_transaction = true;
        }
        execute(&mut session.connection, sql, binds).await
    };
    match tokio::time::timeout(timeouts.statement, work).await {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(e)) => Err(format!("`{}`: {e}", db.name)),
        Err(_) => {
            // The server may still be working on it: closing the connection is the only way
            // to be sure nothing of the transaction is left half-done.
            *open = None;
            Err(format!(
                "`{}`: the statement timed out after {}s; the connection was closed, so the \
                 transaction was rolled back",
                db.name,
                timeouts.statement.as_secs()
            ))
        }
    }
}

async fn execute(
    connection: &mut AnyConnection,
    sql: &str,
    binds: Vec<String>,
) -> Result<SqlOutcome, String> {
    let mut outcome = SqlOutcome::default();
    let mut results = if binds.is_empty() {
        connection.fetch_many(sqlx::raw_sql(AssertSqlSafe(sql.to_string())))
    } else {
        let mut query = sqlx::query(AssertSqlSafe(sql.to_string()));
        for value in binds {
            query = query.bind(value);
        }
        connection.fetch_many(query)
    };
    while let Some(item) = results.try_next().await.map_err(|e| e.to_string())? {
        match item {
            Either::Left(done) => outcome.rows_affected += done.rows_affected(),
            Either::Right(row) => outcome.add_row(&row),
        }
    }
    Ok(outcome)
}

async fn finish(
    db: &Database,
    timeouts: SqlTimeouts,
    open: &mut Option<Open>,
    commit: bool,
) -> Result<(), String> {
    let verb = if commit { "COMMIT" } else { "ROLLBACK" };
    let Some(session) = open.as_mut().filter(|s| s.in_transaction) else {
        return Err(format!("`{}`: no transaction is open", db.name));
    };
    let ending = session.connection.execute(verb);
    match tokio::time::timeout(timeouts.statement, ending).await {
        Ok(Ok(_)) => {
            session.in_transaction = false;
            Ok(())
        }
        Ok(Err(e)) => {
            *open = None;
            Err(format!("`{}`: {verb} failed: {e}", db.name))
        }
        Err(_) => {
            *open = None;
            Err(format!(
                "`{}`: {verb} timed out after {}s; the connection was closed",
                db.name,
                timeouts.statement.as_secs()
            ))
        }
    }
}

/// An error text with the password, if it somehow appears, replaced.
fn masked(db: &Database, password: Option<&Secret>, text: &str) -> String {
    let text = match password {
        Some(p) if !p.expose().is_empty() => text.replace(p.expose(), MASK),
        _ => text.to_string(),
    };
    format!("`{}`: {text}", db.name)
}
