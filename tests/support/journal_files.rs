//! Journal files for tests of bad input: a tamperer that changes a journal behind cockpit's
//! back, a SQLite database that is not a journal, and a copy of the real drill journal.
#![allow(dead_code)]

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};

/// Runs SQL against a journal behind cockpit's back (the tamperer).
pub async fn tamper(path: &Path, sql: &'static str) {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("connect");
    sqlx::raw_sql(sql).execute(&mut conn).await.expect("tamper");
    conn.close().await.expect("close");
}

/// Creates a SQLite database at `path` that is someone else's: one table, no cockpit metadata.
pub async fn foreign_sqlite(path: &Path) {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .connect()
        .await
        .expect("create");
    sqlx::raw_sql("CREATE TABLE t (x)")
        .execute(&mut conn)
        .await
        .expect("create table");
    conn.close().await.expect("close");
}

/// A copy of the real drill journal (tests/fixtures/journals/drill-seed001.db, 87 entries)
/// named `name` in `dir`. Read copies, not the fixture: reading a WAL journal creates files
/// beside it.
pub fn drill_copy(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journals/drill-seed001.db");
    std::fs::copy(fixture, &path).expect("copy fixture");
    path
}
