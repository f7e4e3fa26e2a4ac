//! Database sessions against real SQLite files: statements run inside a transaction that
//! another connection cannot see until it is committed, a rollback leaves nothing, read-only
//! databases refuse writes, a runaway statement is cut off, and a missing file is not created.

use cockpit::core::inventory::{Database, Driver, PasswordSource};
use cockpit::io::sql::{SqlSession, SqlTimeouts};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::path::Path;
use std::time::Duration;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn database(path: &Path, read_only: bool) -> Database {
    Database {
        name: "speed".into(),
        driver: Driver::Sqlite,
        url: format!("sqlite://{}", path.display()),
        password: PasswordSource::None,
        via_host: None,
        read_only,
    }
}

/// A `t_app_dns` like seed 001's, with four rows for the dead primary.
async fn seed(path: &Path) {
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

/// What another connection sees: rows of the dead IP with status 2.
async fn offline_rows(path: &Path) -> i64 {
    let mut c = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("open");
    let (n,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM t_app_dns WHERE ip = '198.51.100.86' AND status = 2")
            .fetch_one(&mut c)
            .await
            .expect("count");
    n
}

#[test]
fn a_bound_update_stays_invisible_until_committed() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("speed.db");
    rt().block_on(async {
        seed(&path).await;
        let session = SqlSession::open(&database(&path, false), SqlTimeouts::default());
        let hostile = "198.51.100.86' OR '1'='1";
        let out = session
            .run(
                "update t_app_dns set status=2 where ip=?".into(),
                vec![hostile.into()],
            )
            .await
            .expect("update");
        assert_eq!(out.rows_affected, 0, "a bound value is a value, never SQL");
        let out = session
            .run(
                "update t_app_dns set status=2 where ip=?".into(),
                vec!["198.51.100.86".into()],
            )
            .await
            .expect("update");
        assert_eq!(out.rows_affected, 4);
        assert_eq!(offline_rows(&path).await, 0, "visible before commit");
        session.commit().await.expect("commit");
        assert_eq!(offline_rows(&path).await, 4);
        let e = session.commit().await.expect_err("nothing left to commit");
        assert!(e.contains("no transaction is open"), "{e}");
    });
}

#[test]
fn a_rollback_leaves_nothing_and_rows_come_back_as_text() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("speed.db");
    rt().block_on(async {
        seed(&path).await;
        let session = SqlSession::open(&database(&path, false), SqlTimeouts::default());
        session
            .run("update t_app_dns set status=2".into(), Vec::new())
            .await
            .expect("update");
        session.rollback().await.expect("rollback");
        assert_eq!(offline_rows(&path).await, 0);
        let out = session
            .run(
                "select domain, status from t_app_dns where ip = ? order by id".into(),
                vec!["198.51.100.86".into()],
            )
            .await
            .expect("select");
        assert_eq!(out.columns, ["domain", "status"]);
        assert_eq!(out.rows.len(), 4);
        assert_eq!(out.rows[2], [Some("接口.example".into()), Some("1".into())]);
        assert_eq!(out.rows[3][1], None, "NULL stays NULL");
        session.rollback().await.expect("end the read transaction");
    });
}

#[test]
fn a_read_only_database_refuses_writes() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("speed.db");
    rt().block_on(async {
        seed(&path).await;
        let session = SqlSession::open(&database(&path, true), SqlTimeouts::default());
        let e = session
            .run("update t_app_dns set status=2".into(), Vec::new())
            .await
            .expect_err("read-only");
        assert!(e.contains("speed"), "{e}");
        let out = session
            .run("select count(*) as n from t_app_dns".into(), Vec::new())
            .await
            .expect("reads still work");
        assert_eq!(out.rows, [[Some("5".to_string())]]);
    });
    assert_eq!(rt().block_on(offline_rows(&path)), 0);
}

#[test]
fn a_runaway_statement_is_cut_off_and_its_transaction_rolled_back() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("speed.db");
    rt().block_on(async {
        seed(&path).await;
        let timeouts = SqlTimeouts {
            connect: Duration::from_secs(5),
            statement: Duration::from_millis(300),
        };
        let session = SqlSession::open(&database(&path, false), timeouts);
        session
            .run("update t_app_dns set status=2".into(), Vec::new())
            .await
            .expect("update");
        let e = session
            .run(
                "with recursive n(i) as (select 1 union all select i + 1 from n) \
                 select count(*) from n"
                    .into(),
                Vec::new(),
            )
            .await
            .expect_err("never ends");
        assert!(e.contains("timed out") && e.contains("rolled back"), "{e}");
        assert_eq!(offline_rows(&path).await, 0);
        let out = session
            .run("select count(*) from t_app_dns".into(), Vec::new())
            .await
            .expect("a new connection serves the next statement");
        assert_eq!(out.rows.len(), 1);
    });
}

#[test]
fn a_missing_database_file_is_reported_not_created() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("typo.db");
    rt().block_on(async {
        let session = SqlSession::open(&database(&path, false), SqlTimeouts::default());
        let e = session
            .run("select 1".into(), Vec::new())
            .await
            .expect_err("missing file");
        assert!(e.contains("cannot connect"), "{e}");
    });
    assert!(!path.exists(), "a typo must not create an empty database");
}
