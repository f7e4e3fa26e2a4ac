//! Connecting a session: the URL (the inventory's URL plus the password from where the
//! inventory says it lives, through an SSH tunnel when the database is reached via a host), the
//! session settings every connection gets, and the side connection that cancels a running
//! statement. The password never appears in an error message.

use crate::core::inventory::{Database, Driver};
use crate::core::redact::MASK;
use crate::core::secret::Secret;
use crate::core::sql::Cell;
use crate::io::sql::decode::{mysql_row, pg_row};
use crate::io::sql::settings::SqlSettings;
use crate::io::sql::tunnel::{LocalForward, TunnelOpener};
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Reads the database's password from its environment variable or file, if it has one.
pub fn password_of(db: &Database) -> Result<Option<Secret>, String> {
    crate::io::secret_source::read_secret(&db.password, &format!("the password of `{}`", db.name))
}

/// The URL to hand to sqlx, with the password put in; a SQLite file is opened read-write
/// but never created (a typo in the path must not create an empty database).
pub fn connection_url(db: &Database, password: Option<&Secret>) -> Result<Secret, String> {
    let bad = |e: String| format!("the URL of database `{}` is not usable: {e}", db.name);
    if db.driver == Driver::Sqlite {
        let url = if db.url.contains('?') {
            db.url.clone()
        } else {
            format!("{}?mode=rw", db.url)
        };
        return Ok(Secret::new(url));
    }
    let mut url = url::Url::parse(&db.url).map_err(|e| bad(e.to_string()))?;
    if let Some(password) = password {
        url.set_password(Some(password.expose()))
            .map_err(|()| bad("it cannot carry a password".into()))?;
    }
    Ok(Secret::new(url.to_string()))
}

/// Puts `***` wherever the password (raw or percent-encoded) shows up, and names the database.
#[derive(Clone)]
pub(super) struct Masker {
    name: String,
    password: Option<Secret>,
}

impl Masker {
    pub(super) fn new(name: &str, password: Option<Secret>) -> Self {
        Self {
            name: name.to_string(),
            password: password.filter(|p| !p.expose().is_empty()),
        }
    }

    /// The text without the password, unprefixed.
    pub(super) fn clean(&self, text: &str) -> String {
        match &self.password {
            Some(p) => {
                let encoded: String =
                    url::form_urlencoded::byte_serialize(p.expose().as_bytes()).collect();
                text.replace(p.expose(), MASK).replace(&encoded, MASK)
            }
            None => text.to_string(),
        }
    }

    /// `` `name`: text `` without the password.
    pub(super) fn message(&self, text: &str) -> String {
        format!("`{}`: {}", self.name, self.clean(text))
    }
}

/// An open connection of one of the three drivers.
pub(super) enum Conn {
    /// MySQL or MariaDB.
    My(MySqlConnection),
    /// PostgreSQL.
    Pg(PgConnection),
    /// SQLite.
    Lite(SqliteConnection),
}

/// How to stop the statement a connection is running, from outside the task that owns it.
#[derive(Clone)]
pub(super) enum CancelTarget {
    /// `KILL QUERY id` on a side connection.
    MySql {
        options: MySqlConnectOptions,
        id: u64,
    },
    /// `pg_cancel_backend(pid)` on a side connection.
    Pg { options: PgConnectOptions, pid: i64 },
    /// The connection's progress handler interrupts the statement when this is set.
    Sqlite { stop: Arc<AtomicBool> },
}

/// A fresh connection, set up for the console.
pub(super) struct Connected {
    pub(super) conn: Conn,
    pub(super) cancel: CancelTarget,
    /// The local end of the SSH tunnel, kept open as long as the connection.
    pub(super) forward: Option<LocalForward>,
}

/// The URL with its host and port replaced by the local end of a tunnel through `via_host`.
async fn through_tunnel(
    db: &Database,
    url: &Secret,
    tunnel: Option<&TunnelOpener>,
    masker: &Masker,
) -> Result<(Secret, Option<LocalForward>), String> {
    let Some(host) = &db.via_host else {
        return Ok((url.clone(), None));
    };
    let Some(opener) = tunnel else {
        return Err(masker.message(&format!(
            "this database is reached through host `{host}`, but no SSH connection to \
             `{host}` is available for the tunnel"
        )));
    };
    let mut parsed = url::Url::parse(url.expose())
        .map_err(|e| masker.message(&format!("the URL is not usable: {e}")))?;
    let target_host = parsed
        .host_str()
        .unwrap_or("127.0.0.1")
        .trim_matches(['[', ']'])
        .to_string();
    let default_port = if db.driver == Driver::Postgres {
        5432
    } else {
        3306
    };
    let target_port = parsed.port().unwrap_or(default_port);
    let forward = LocalForward::start(opener.clone(), target_host, target_port)
        .await
        .map_err(|e| masker.message(&format!("tunnel through `{host}`: {e}")))?;
    parsed
        .set_host(Some("127.0.0.1"))
        .map_err(|e| masker.message(&format!("the URL is not usable: {e}")))?;
    parsed
        .set_port(Some(forward.addr().port()))
        .map_err(|()| masker.message("the URL cannot carry a port"))?;
    Ok((Secret::new(parsed.to_string()), Some(forward)))
}

/// Connects and sets the session up: MySQL `sql_safe_updates` and lock wait limits,
/// PostgreSQL `lock_timeout`, read-only sessions where the inventory says so, and the id a
/// side connection needs to cancel a statement. All of it within `settings.connect_timeout`.
pub(super) async fn connect(
    db: &Database,
    settings: &SqlSettings,
    tunnel: Option<&TunnelOpener>,
    masker: &Masker,
) -> Result<Connected, String> {
    let password = password_of(db)?;
    let url = connection_url(db, password.as_ref())?;
    let limit = settings.connect_timeout;
    let work = async {
        let (url, forward) = through_tunnel(db, &url, tunnel, masker).await?;
        let where_ = match &db.via_host {
            Some(host) => format!(" (through `{host}`)"),
            None => String::new(),
        };
        // A channel the host refused shows up here only as a closed connection: say why.
        let cannot = |e: sqlx::Error| match forward.as_ref().and_then(LocalForward::last_refusal) {
            Some(refused) => masker.message(&format!("cannot connect{where_}: {refused}")),
            None => masker.message(&format!("cannot connect{where_}: {e}")),
        };
        let setup = |e: sqlx::Error| masker.message(&format!("setting up the session: {e}"));
        let (conn, cancel) = match db.driver {
            Driver::Mysql => {
                let options = MySqlConnectOptions::from_str(url.expose()).map_err(cannot)?;
                let mut c = options.connect().await.map_err(cannot)?;
                let secs = settings.lock_wait_timeout_secs;
                let mut set = format!(
                    "SET SESSION sql_safe_updates = 1, innodb_lock_wait_timeout = {secs}, \
                     lock_wait_timeout = {secs}"
                );
                if db.read_only {
                    set.push_str("; SET SESSION TRANSACTION READ ONLY");
                }
                c.execute(sqlx::raw_sql(AssertSqlSafe(set)))
                    .await
                    .map_err(setup)?;
                let row = c
                    .fetch_one(sqlx::raw_sql("SELECT CONNECTION_ID()"))
                    .await
                    .map_err(setup)?;
                let id = match mysql_row(&row, false).first() {
                    Some(Cell::Int(v)) => u64::try_from(*v).unwrap_or(0),
                    Some(Cell::UInt(v)) => *v,
                    _ => 0,
                };
                (Conn::My(c), CancelTarget::MySql { options, id })
            }
            Driver::Postgres => {
                let options = PgConnectOptions::from_str(url.expose()).map_err(cannot)?;
                let mut c = options.connect().await.map_err(cannot)?;
                let mut set = format!("SET lock_timeout = '{}s'", settings.lock_wait_timeout_secs);
                if db.read_only {
                    set.push_str("; SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
                }
                c.execute(sqlx::raw_sql(AssertSqlSafe(set)))
                    .await
                    .map_err(setup)?;
                let row = c
                    .fetch_one(sqlx::raw_sql("SELECT pg_backend_pid()"))
                    .await
                    .map_err(setup)?;
                let pid = match pg_row(&row).first() {
                    Some(Cell::Int(v)) => *v,
                    _ => 0,
                };
                (Conn::Pg(c), CancelTarget::Pg { options, pid })
            }
            Driver::Sqlite => {
                let options = SqliteConnectOptions::from_str(url.expose()).map_err(cannot)?;
                let mut c = options.connect().await.map_err(cannot)?;
                if db.read_only {
                    c.execute("PRAGMA query_only = ON").await.map_err(setup)?;
                }
                let stop = Arc::new(AtomicBool::new(false));
                let flag = stop.clone();
                c.lock_handle()
                    .await
                    .map_err(setup)?
                    .set_progress_handler(1000, move || !flag.load(Ordering::Relaxed));
                (Conn::Lite(c), CancelTarget::Sqlite { stop })
            }
        };
        Ok(Connected {
            conn,
            cancel,
            forward,
        })
    };
    match tokio::time::timeout(limit, work).await {
        Ok(result) => result,
        Err(_) => Err(masker.message(&format!(
            "cannot connect: no answer within {}s (connect timeout)",
            limit.as_secs_f64()
        ))),
    }
}

/// Stops the statement the connection of `target` is running, from a side connection.
pub(super) async fn cancel_on_server(
    target: &CancelTarget,
    within: Duration,
    masker: &Masker,
) -> Result<(), String> {
    let work = async {
        match target {
            CancelTarget::MySql { options, id } => {
                let mut c = options.connect().await?;
                c.execute(sqlx::raw_sql(AssertSqlSafe(format!("KILL QUERY {id}"))))
                    .await?;
                let _ = c.close().await;
            }
            CancelTarget::Pg { options, pid } => {
                let mut c = options.connect().await?;
                c.execute(sqlx::raw_sql(AssertSqlSafe(format!(
                    "SELECT pg_cancel_backend({pid})"
                ))))
                .await?;
                let _ = c.close().await;
            }
            CancelTarget::Sqlite { stop } => stop.store(true, Ordering::Relaxed),
        }
        Ok::<(), sqlx::Error>(())
    };
    match tokio::time::timeout(within, work).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(masker.message(&format!("cannot cancel the statement: {e}"))),
        Err(_) => Err(masker.message(&format!(
            "cannot cancel the statement: the side connection got no answer within {}s",
            within.as_secs_f64()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::inventory::PasswordSource;

    fn db(driver: Driver, url: &str, password: PasswordSource) -> Database {
        Database {
            name: "speed".into(),
            driver,
            url: url.into(),
            password,
            via_host: None,
            read_only: false,
        }
    }

    #[test]
    fn the_password_goes_into_the_url_percent_encoded() {
        let d = db(
            Driver::Mysql,
            "mysql://ops@10.0.0.5:3306/speed",
            PasswordSource::None,
        );
        let url = connection_url(&d, Some(&Secret::new("p@ss:w/rd"))).expect("url");
        assert_eq!(
            url.expose(),
            "mysql://ops:p%40ss%3Aw%2Frd@10.0.0.5:3306/speed"
        );
        assert_eq!(format!("{url:?}"), "Secret(***)");
    }

    #[test]
    fn a_sqlite_file_is_never_created() {
        let d = db(
            Driver::Sqlite,
            "sqlite:///srv/speed.db",
            PasswordSource::None,
        );
        let url = connection_url(&d, None).expect("url");
        assert_eq!(url.expose(), "sqlite:///srv/speed.db?mode=rw");
    }

    #[test]
    fn a_missing_password_source_says_where_it_looked() {
        let d = db(
            Driver::Postgres,
            "postgres://ops@db/app",
            PasswordSource::Env("COCKPIT_TEST_SURELY_UNSET".into()),
        );
        let e = password_of(&d).expect_err("unset");
        assert!(e.contains("$COCKPIT_TEST_SURELY_UNSET"), "{e}");
    }
}
