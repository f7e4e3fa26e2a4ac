//! Database sessions against real SQLite files: statements run inside a transaction that
//! another connection cannot see until it is committed, a rollback leaves nothing, read-only
//! databases refuse writes, a runaway statement is cut off, and a missing file is not created.

use crate::support::speed_sqlite;

use crate::support::runtime::rt;
use cockpit::core::sql::Cell;
use cockpit::io::sql::{
    RowBatch, SqlFailure, SqlSession, SqlSettings, SqlStatement, StatementDone,
};
use speed_sqlite::{row_count, seed_sqlite, sqlite_db};
use std::time::Duration;

/// What a statement did and the rows it returned.
struct Ran {
    done: StatementDone,
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

/// Runs `sql` inside a transaction (as sql steps do) and collects its rows.
async fn run(session: &SqlSession, sql: &str, binds: &[&str]) -> Result<Ran, SqlFailure> {
    let (sink, mut batches) = tokio::sync::mpsc::channel(4);
    let statement = SqlStatement {
        sql: sql.into(),
        binds: binds.iter().map(|b| b.to_string()).collect(),
        transaction: true,
        reselect: None,
        from_playbook: false,
        count_table: None,
    };
    let job = session.run(statement, Some(sink));
    let collect = async {
        let (mut columns, mut rows) = (Vec::new(), Vec::new());
        while let Some(batch) = batches.recv().await {
            match batch {
                RowBatch::Columns(c) => columns = c.into_iter().map(|c| c.name).collect(),
                RowBatch::Rows(r) => rows.extend(r),
            }
        }
        (columns, rows)
    };
    let (done, (columns, rows)) = tokio::join!(job, collect);
    Ok(Ran {
        done: done?,
        columns,
        rows,
    })
}

/// Rows of the dead IP taken offline.
const DEAD_AND_OFFLINE: &str = "ip = '198.51.100.86' AND status = 2";

#[test]
fn a_bound_update_stays_invisible_until_committed() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("speed.db");
    rt().block_on(async {
        seed_sqlite(&path).await;
        let session = SqlSession::open(&sqlite_db(&path, false), SqlSettings::default(), None);
        let hostile = "198.51.100.86' OR '1'='1";
        let out = run(
            &session,
            "update t_app_dns set status=2 where ip=?",
            &[hostile],
        )
        .await
        .expect("update");
        assert_eq!(
            out.done.rows_affected, 0,
            "a bound value is a value, never SQL"
        );
        let out = run(
            &session,
            "update t_app_dns set status=2 where ip=?",
            &["198.51.100.86"],
        )
        .await
        .expect("update");
        assert_eq!(out.done.rows_affected, 4);
        assert!(out.done.in_transaction);
        assert_eq!(
            row_count(&path, DEAD_AND_OFFLINE).await,
            0,
            "visible before commit"
        );
        session.commit().await.expect("commit");
        assert_eq!(row_count(&path, DEAD_AND_OFFLINE).await, 4);
        let e = session.commit().await.expect_err("nothing left to commit");
        assert!(e.contains("no transaction is open"), "{e}");
    });
}

#[test]
fn a_rollback_leaves_nothing_and_rows_come_back_as_text() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("speed.db");
    rt().block_on(async {
        seed_sqlite(&path).await;
        let session = SqlSession::open(&sqlite_db(&path, false), SqlSettings::default(), None);
        run(&session, "update t_app_dns set status=2", &[])
            .await
            .expect("update");
        session.rollback().await.expect("rollback");
        assert_eq!(row_count(&path, DEAD_AND_OFFLINE).await, 0);
        let out = run(
            &session,
            "select domain, status from t_app_dns where ip = ? order by id",
            &["198.51.100.86"],
        )
        .await
        .expect("select");
        assert_eq!(out.columns, ["domain", "status"]);
        assert_eq!(out.rows.len(), 4);
        assert_eq!(
            out.rows[2],
            [Cell::Text("接口.example".into()), Cell::Int(1)]
        );
        assert_eq!(out.rows[3][1], Cell::Null, "NULL stays NULL");
        session.rollback().await.expect("end the read transaction");
    });
}

#[test]
fn a_read_only_database_refuses_writes() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("speed.db");
    rt().block_on(async {
        seed_sqlite(&path).await;
        let session = SqlSession::open(&sqlite_db(&path, true), SqlSettings::default(), None);
        let e = run(&session, "update t_app_dns set status=2", &[])
            .await
            .err()
            .expect("read-only");
        assert!(e.message.contains("speed"), "{e:?}");
        let out = run(&session, "select count(*) as n from t_app_dns", &[])
            .await
            .expect("reads still work");
        assert_eq!(out.rows, [[Cell::Int(5)]]);
    });
    assert_eq!(rt().block_on(row_count(&path, DEAD_AND_OFFLINE)), 0);
}

#[test]
fn a_runaway_statement_is_cut_off_and_its_transaction_rolled_back() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("speed.db");
    rt().block_on(async {
        seed_sqlite(&path).await;
        let settings = SqlSettings {
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_millis(300),
            ..SqlSettings::default()
        };
        let session = SqlSession::open(&sqlite_db(&path, false), settings, None);
        run(&session, "update t_app_dns set status=2", &[])
            .await
            .expect("update");
        let e = run(
            &session,
            "with recursive n(i) as (select 1 union all select i + 1 from n) \
             select count(*) from n",
            &[],
        )
        .await
        .err()
        .expect("never ends");
        assert!(
            e.message.contains("statement timeout") && e.message.contains("rolled back"),
            "{e:?}"
        );
        assert!(e.connection_lost && !e.in_transaction, "{e:?}");
        assert_eq!(row_count(&path, DEAD_AND_OFFLINE).await, 0);
        let out = run(&session, "select count(*) from t_app_dns", &[])
            .await
            .expect("a new connection serves the next statement");
        assert_eq!(out.rows, [[Cell::Int(5)]]);
    });
}

#[test]
fn a_missing_database_file_is_reported_not_created() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("typo.db");
    rt().block_on(async {
        let session = SqlSession::open(&sqlite_db(&path, false), SqlSettings::default(), None);
        let e = run(&session, "select 1", &[])
            .await
            .err()
            .expect("missing file");
        assert!(e.message.contains("cannot connect"), "{e:?}");
    });
    assert!(!path.exists(), "a typo must not create an empty database");
}
