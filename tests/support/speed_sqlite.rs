//! Seed 001's `speed` database as a SQLite file: the inventory entry, the `t_app_dns` rows of a
//! dead primary, and what another connection sees.
#![allow(dead_code)]

use cockpit::core::inventory::{Database, Driver, PasswordSource};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::path::Path;

/// The inventory's `speed` database on the SQLite file at `path`.
pub fn sqlite_db(path: &Path, read_only: bool) -> Database {
    Database {
        name: "speed".into(),
        driver: Driver::Sqlite,
        url: format!("sqlite://{}", path.display()),
        password: PasswordSource::None,
        via_host: None,
        read_only,
    }
}

/// A `t_app_dns` like seed 001's: four rows for the dead primary, one for another host.
pub async fn seed_sqlite(path: &Path) {
    let mut c = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .connect()
        .await
        .expect("create db");
    sqlx::raw_sql(
        "CREATE TABLE t_app_dns (id INTEGER PRIMARY KEY, domain TEXT, ip TEXT, status INTEGER);
         INSERT INTO t_app_dns (domain, ip, status) VALUES
           ('api-a.example', '198.51.100.86', 1), ('api-b.example', '198.51.100.86', 1),
           ('接口.example', '198.51.100.86', 1), ('api-d.example', '198.51.100.86', NULL),
           ('api-c.example', '198.51.100.47', 1);",
    )
    .execute(&mut c)
    .await
    .expect("seed");
    c.close().await.expect("close");
}

/// Rows of `t_app_dns` matching `condition`, seen from another connection.
pub async fn row_count(path: &Path, condition: &str) -> i64 {
    let mut c = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("open db");
    let sql = format!("SELECT count(*) FROM t_app_dns WHERE {condition}");
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut c)
        .await
        .expect("count");
    c.close().await.expect("close");
    n
}
