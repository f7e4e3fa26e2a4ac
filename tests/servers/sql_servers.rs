//! The SQL console's sessions against real MariaDB and PostgreSQL servers (started by
//! `scripts/test.sh`; a server that is not reachable fails the test, it never skips): seed 001's
//! DNS flip inside a transaction that another client sees only once committed, rollback,
//! reselects, statement timeout and cancel stopping the statement on the server, close rolling
//! back, MariaDB's safe updates, every common column type decoded into the right cell (in the
//! text protocol and the binary one), server errors with their position, a wrong password and a
//! closed port, streaming in batches, and a server killed in the middle of a transaction.

use crate::support::dbservers;
use crate::support::speed_servers;

use crate::support::runtime::rt;
use cockpit::core::inventory::{Database, Driver, PasswordSource};
use cockpit::core::sql::{Cell, RefusingSetting};
use cockpit::io::sql::{
    RowBatch, SqlFailure, SqlSession, SqlSettings, SqlStatement, StatementDone,
};
use dbservers::{Kind, PrivateServer, TestDb};
use speed_servers::{DEAD_IP, flip, flipped, run_collect, seed, seed_unindexed};
use std::time::{Duration, Instant};

fn statement(sql: &str, binds: &[&str], transaction: bool) -> SqlStatement {
    SqlStatement {
        sql: sql.into(),
        binds: binds.iter().map(|b| b.to_string()).collect(),
        transaction,
        reselect: None,
        from_playbook: false,
        count_table: None,
    }
}

/// What a statement did and the rows it returned.
struct Ran {
    done: StatementDone,
    rows: Vec<Vec<Cell>>,
}

async fn run_statement(session: &SqlSession, st: SqlStatement) -> Result<Ran, SqlFailure> {
    let (done, rows) = run_collect(session, st).await?;
    Ok(Ran { done, rows })
}

async fn run(session: &SqlSession, sql: &str, binds: &[&str]) -> Result<Ran, SqlFailure> {
    run_statement(session, statement(sql, binds, false)).await
}

fn statuses(rows: &[Vec<Cell>]) -> Vec<Cell> {
    rows.iter().map(|r| r[1].clone()).collect()
}

fn flip_commits_only_when_committed(kind: Kind) {
    rt().block_on(async {
        let db = TestDb::create(kind).await;
        seed(&db).await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        for bound in [true, false] {
            db.exec("UPDATE t_app_dns SET status = CASE WHEN id = 4 THEN NULL ELSE 1 END")
                .await;
            let ran = run_statement(&session, flip(kind, bound))
                .await
                .expect("update");
            assert_eq!(ran.done.rows_affected, 4, "bound={bound}");
            assert!(ran.done.in_transaction);
            let before = ran.done.before.expect("before");
            let after = ran.done.after.expect("after");
            assert_eq!(
                statuses(&before.rows),
                [Cell::Int(1), Cell::Int(1), Cell::Int(1), Cell::Null]
            );
            assert_eq!(statuses(&after.rows), vec![Cell::Int(2); 4]);
            assert!(!before.more);
            assert_eq!(before.columns[0].name, "id");
            assert_eq!(flipped(&db).await, 0, "visible before commit");
            session.commit().await.expect("commit");
            assert_eq!(flipped(&db).await, 4, "committed");
            let e = session.commit().await.expect_err("nothing open");
            assert!(e.contains("no transaction is open"), "{e}");
        }
        session.close().await;
    });
}

#[test]
fn flip_commits_only_when_committed_mysql() {
    flip_commits_only_when_committed(Kind::Mysql);
}

#[test]
fn flip_commits_only_when_committed_postgres() {
    flip_commits_only_when_committed(Kind::Postgres);
}

fn flip_rolled_back_leaves_nothing(kind: Kind) {
    rt().block_on(async {
        let db = TestDb::create(kind).await;
        seed(&db).await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        let ran = run_statement(&session, flip(kind, true))
            .await
            .expect("update");
        assert_eq!(ran.done.rows_affected, 4);
        session.rollback().await.expect("rollback");
        assert_eq!(flipped(&db).await, 0);
        let ran = run(&session, "SELECT status FROM t_app_dns ORDER BY id", &[])
            .await
            .expect("select");
        assert!(!ran.done.in_transaction, "a plain SELECT opens nothing");
        assert_eq!(ran.rows[0], [Cell::Int(1)]);
    });
}

#[test]
fn flip_rolled_back_leaves_nothing_mysql() {
    flip_rolled_back_leaves_nothing(Kind::Mysql);
}

#[test]
fn flip_rolled_back_leaves_nothing_postgres() {
    flip_rolled_back_leaves_nothing(Kind::Postgres);
}

fn sleep_sql(kind: Kind) -> &'static str {
    match kind {
        Kind::Mysql => "SELECT SLEEP(30)",
        Kind::Postgres => "SELECT pg_sleep(30)",
    }
}

fn statement_timeout_stops_it_on_the_server(kind: Kind) {
    rt().block_on(async {
        let db = TestDb::create(kind).await;
        seed(&db).await;
        let settings = SqlSettings {
            statement_timeout: Duration::from_secs(1),
            ..SqlSettings::default()
        };
        let session = SqlSession::open(&db.database(), settings, None);
        run_statement(&session, flip(kind, true))
            .await
            .expect("update");
        let started = Instant::now();
        let e = run(&session, sleep_sql(kind), &[])
            .await
            .err()
            .expect("timed out");
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{:?}",
            started.elapsed()
        );
        assert!(e.message.contains("statement timeout"), "{e:?}");
        assert!(e.message.contains("test-"), "names the database: {e:?}");
        assert!(!e.connection_lost, "the server-side cancel worked: {e:?}");
        assert!(e.in_transaction, "{e:?}");
        assert_eq!(flipped(&db).await, 0, "nothing committed");
        session.rollback().await.expect("rollback");
        assert_eq!(flipped(&db).await, 0);
        let ran = run(&session, "SELECT 7", &[]).await.expect("still works");
        assert_eq!(ran.rows, [[Cell::Int(7)]]);
    });
}

#[test]
fn statement_timeout_stops_it_on_the_server_mysql() {
    statement_timeout_stops_it_on_the_server(Kind::Mysql);
}

#[test]
fn statement_timeout_stops_it_on_the_server_postgres() {
    statement_timeout_stops_it_on_the_server(Kind::Postgres);
}

fn cancel_stops_a_running_statement(kind: Kind) {
    rt().block_on(async {
        let db = TestDb::create(kind).await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        run(&session, "SELECT 1", &[]).await.expect("connect");
        let started = Instant::now();
        let running = tokio::spawn(session.run(statement(sleep_sql(kind), &[], false), None));
        tokio::time::sleep(Duration::from_millis(500)).await;
        session.cancel().await.expect("cancel");
        let e = running.await.expect("join").expect_err("cancelled");
        assert!(started.elapsed() < Duration::from_secs(8));
        assert!(e.message.contains("cancelled"), "{e:?}");
        assert!(!e.connection_lost, "{e:?}");
        let ran = run(&session, "SELECT 8", &[]).await.expect("still works");
        assert_eq!(ran.rows, [[Cell::Int(8)]]);
        session
            .cancel()
            .await
            .expect("nothing running: nothing to do");
    });
}

#[test]
fn cancel_stops_a_running_statement_mysql() {
    cancel_stops_a_running_statement(Kind::Mysql);
}

#[test]
fn cancel_stops_a_running_statement_postgres() {
    cancel_stops_a_running_statement(Kind::Postgres);
}

fn close_rolls_back(kind: Kind) {
    rt().block_on(async {
        let db = TestDb::create(kind).await;
        seed(&db).await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        run_statement(&session, flip(kind, true))
            .await
            .expect("update");
        session.close().await;
        assert_eq!(flipped(&db).await, 0);
        let ran = run(&session, "SELECT COUNT(*) FROM t_app_dns", &[])
            .await
            .expect("reconnects");
        assert_eq!(ran.rows, [[Cell::Int(5)]]);
    });
}

#[test]
fn close_rolls_back_mysql() {
    close_rolls_back(Kind::Mysql);
}

#[test]
fn close_rolls_back_postgres() {
    close_rolls_back(Kind::Postgres);
}

#[test]
fn mariadb_refuses_an_update_without_a_key() {
    rt().block_on(async {
        let db = TestDb::create(Kind::Mysql).await;
        seed(&db).await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        let e = run_statement(
            &session,
            statement("UPDATE t_app_dns SET status=2", &[], true),
        )
        .await
        .err()
        .expect("safe updates");
        assert!(e.message.contains("ERROR 1175"), "{e:?}");
        assert!(e.message.contains("safe update mode"), "{e:?}");
        assert!(e.in_transaction, "the BEGIN ran: {e:?}");
        session.rollback().await.expect("rollback");
        assert_eq!(flipped(&db).await, 0);
    });
}

/// The session's `@@sql_safe_updates`, read on the session itself.
async fn safe_updates(session: &SqlSession) -> i64 {
    let ran = run(session, "SELECT @@sql_safe_updates", &[])
        .await
        .expect("read sql_safe_updates");
    match ran.rows.first().and_then(|r| r.first()) {
        Some(Cell::Int(v)) => *v,
        Some(Cell::UInt(v)) => i64::try_from(*v).expect("small"),
        Some(Cell::Text(t)) => t.parse().expect("a number"),
        other => panic!("sql_safe_updates read as {other:?}"),
    }
}

/// Issue 11: seed 001's flip on a `t_app_dns` without an index on `ip`. Typed by hand, MariaDB's
/// safe updates refuse it (and the refusal gets the setting's hint); the playbook's statement
/// runs with safe updates off for itself alone, flips exactly the dead IP's rows inside the
/// transaction, and the session has safe updates back on afterwards, also after a playbook
/// statement that failed.
#[test]
fn a_playbook_statement_runs_with_safe_updates_off_for_itself_alone() {
    rt().block_on(async {
        let db = TestDb::create(Kind::Mysql).await;
        seed_unindexed(&db).await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        assert_eq!(
            safe_updates(&session).await,
            1,
            "cockpit's sessions start with it on"
        );

        let e = run_statement(&session, flip(Kind::Mysql, true))
            .await
            .err()
            .expect("hand-typed: refused by safe updates");
        assert!(e.message.contains("ERROR 1175"), "{e:?}");
        assert_eq!(
            RefusingSetting::of(&e.message),
            Some(RefusingSetting::MySqlSafeUpdates)
        );
        session.rollback().await.expect("rollback");

        let mut step = flip(Kind::Mysql, true);
        step.from_playbook = true;
        let ran = run_statement(&session, step)
            .await
            .expect("the playbook's flip");
        assert_eq!(ran.done.rows_affected, 4);
        assert!(ran.done.in_transaction);
        let after = ran.done.after.expect("after");
        assert_eq!(statuses(&after.rows), vec![Cell::Int(2); 4]);
        assert_eq!(
            safe_updates(&session).await,
            1,
            "back on inside the transaction"
        );
        assert_eq!(flipped(&db).await, 0, "not visible before the commit");
        session.commit().await.expect("commit");
        assert_eq!(flipped(&db).await, 4, "another connection sees the commit");
        assert_eq!(
            db.scalar("SELECT COUNT(*) FROM t_app_dns WHERE status = 2")
                .await,
            4,
            "only the dead IP's rows"
        );

        let mut failing = statement(
            "UPDATE t_app_dns SET no_such_column = 3 WHERE ip = ?",
            &[DEAD_IP],
            true,
        );
        failing.from_playbook = true;
        let e = run_statement(&session, failing)
            .await
            .err()
            .expect("unknown column");
        assert!(e.message.contains("ERROR 1054"), "{e:?}");
        assert!(!e.connection_lost, "{e:?}");
        assert_eq!(
            safe_updates(&session).await,
            1,
            "back on after a failure too"
        );
        session.rollback().await.expect("rollback");

        let e = run(
            &session,
            "UPDATE t_app_dns SET status = 3 WHERE ip = ?",
            &[DEAD_IP],
        )
        .await
        .err()
        .expect("hand-typed again: refused again");
        assert!(e.message.contains("ERROR 1175"), "{e:?}");
        assert_eq!(flipped(&db).await, 4);
    });
}

/// PostgreSQL's read-only transaction (`default_transaction_read_only`, and `SET TRANSACTION
/// READ ONLY`) refuses the flip with 25006, which gets its own hint.
#[test]
fn a_postgres_read_only_transaction_gets_its_hint() {
    rt().block_on(async {
        let db = TestDb::create(Kind::Postgres).await;
        seed(&db).await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        run(&session, "SET default_transaction_read_only = on", &[])
            .await
            .expect("set");
        let e = run_statement(&session, flip(Kind::Postgres, true))
            .await
            .err()
            .expect("read-only");
        assert!(e.message.contains("ERROR 25006"), "{e:?}");
        assert_eq!(
            RefusingSetting::of(&e.message),
            Some(RefusingSetting::PgReadOnlyTransaction)
        );
        session.rollback().await.expect("rollback");
        run(&session, "SET default_transaction_read_only = off", &[])
            .await
            .expect("set");
        run(&session, "BEGIN; SET TRANSACTION READ ONLY", &[])
            .await
            .expect("begin read only");
        let e = run_statement(&session, flip(Kind::Postgres, true))
            .await
            .err()
            .expect("read-only");
        assert_eq!(
            RefusingSetting::of(&e.message),
            Some(RefusingSetting::PgReadOnlyTransaction),
            "{e:?}"
        );
        assert!(
            RefusingSetting::PgReadOnlyTransaction
                .hint()
                .contains("default_transaction_read_only")
        );
        session.rollback().await.expect("rollback");
        assert_eq!(flipped(&db).await, 0);
    });
}

/// A SQLite file opened `mode=ro` refuses a write with SQLITE_READONLY, which gets its hint.
#[test]
fn a_read_only_sqlite_file_gets_its_hint() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("speed.db");
        std::fs::File::create(&path).expect("create");
        let create = Database {
            name: "speed".into(),
            driver: Driver::Sqlite,
            url: format!("sqlite://{}", path.display()),
            password: PasswordSource::None,
            via_host: None,
            read_only: false,
        };
        let session = SqlSession::open(&create, SqlSettings::default(), None);
        run(
            &session,
            "CREATE TABLE t_app_dns (id INTEGER PRIMARY KEY, ip TEXT, status INTEGER); \
             INSERT INTO t_app_dns (ip, status) VALUES ('198.51.100.86', 1)",
            &[],
        )
        .await
        .expect("seed");
        session.close().await;
        let read_only = Database {
            url: format!("sqlite://{}?mode=ro", path.display()),
            ..create
        };
        let session = SqlSession::open(&read_only, SqlSettings::default(), None);
        let e = run(
            &session,
            "UPDATE t_app_dns SET status = 2 WHERE ip = ?",
            &[DEAD_IP],
        )
        .await
        .err()
        .expect("read-only file");
        assert_eq!(
            RefusingSetting::of(&e.message),
            Some(RefusingSetting::SqliteReadOnly),
            "{e:?}"
        );
    });
}

#[test]
fn an_empty_result_still_has_its_columns() {
    for kind in [Kind::Mysql, Kind::Postgres] {
        rt().block_on(async {
            let db = TestDb::create(kind).await;
            seed(&db).await;
            let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
            let (sink, mut batches) = tokio::sync::mpsc::channel(4);
            let st = statement(
                "SELECT id, domain FROM t_app_dns WHERE ip = 'nowhere'",
                &[],
                true,
            );
            let done = session.run(st, Some(sink)).await.expect("select");
            assert_eq!(done.rows_returned, 0);
            match batches.recv().await {
                Some(RowBatch::Columns(c)) => {
                    let names: Vec<_> = c.iter().map(|c| c.name.as_str()).collect();
                    assert_eq!(names, ["id", "domain"]);
                }
                other => panic!("no columns: {other:?}"),
            }
            // The transaction the SELECT ran in is still usable.
            let ran = run(&session, "SELECT COUNT(*) FROM t_app_dns", &[])
                .await
                .expect("still usable");
            assert_eq!(ran.rows, [[Cell::Int(5)]]);
            session.rollback().await.expect("rollback");
        });
    }
}

#[test]
fn a_read_only_database_opens_read_only_transactions() {
    for kind in [Kind::Mysql, Kind::Postgres] {
        rt().block_on(async {
            let db = TestDb::create(kind).await;
            seed(&db).await;
            let mut inventory = db.database();
            inventory.read_only = true;
            let session = SqlSession::open(&inventory, SqlSettings::default(), None);
            let e = run_statement(&session, flip(kind, true))
                .await
                .err()
                .expect("read only");
            assert!(e.message.to_lowercase().contains("read"), "{e:?}");
            session.rollback().await.expect("rollback");
            let e = run(&session, "UPDATE t_app_dns SET status=2 WHERE id=1", &[])
                .await
                .err()
                .expect("read only outside a transaction too");
            assert!(e.message.to_lowercase().contains("read"), "{e:?}");
            assert_eq!(flipped(&db).await, 0);
        });
    }
}

/// The cells of a one-row SELECT in the text protocol, and again prepared (binary protocol).
async fn both_protocols(session: &SqlSession, kind: Kind, sql: &str) -> Vec<Cell> {
    let text = run(session, sql, &[]).await.expect("text protocol");
    let prepared = run(
        session,
        &format!(
            "{sql} WHERE 1 = {}",
            match kind {
                Kind::Mysql => "?",
                Kind::Postgres => "$1::int",
            }
        ),
        &["1"],
    )
    .await
    .expect("binary protocol");
    assert_eq!(text.rows.len(), 1);
    assert_eq!(text.rows, prepared.rows, "text and binary protocols agree");
    text.rows.into_iter().next().unwrap_or_default()
}

#[test]
fn every_type_family_decodes_mysql() {
    rt().block_on(async {
        let db = TestDb::create(Kind::Mysql).await;
        db.exec(
            "CREATE TABLE t (
               i INT, ti TINYINT, bu BIGINT UNSIGNED, bs BIGINT, d DECIMAL(20,6), f FLOAT,
               g DOUBLE, b BOOLEAN, dt DATE, tm TIME, ntm TIME, dtm DATETIME, ts TIMESTAMP NULL,
               vc VARCHAR(20), cjk TEXT, j JSON, bl BLOB, vb VARBINARY(8), n INT, sn VARCHAR(8),
               l1 VARCHAR(8) CHARACTER SET latin1, y YEAR, e ENUM('a','b'), us SMALLINT UNSIGNED);
             INSERT INTO t VALUES (
               -42, -7, 18446744073709551615, -9223372036854775808, 12345678901234.567890, 1.5,
               0.1, TRUE, '2026-11-21', '03:12:07', '-838:59:59', '2026-11-21 10:05:07',
               '2026-11-21 10:05:07', 'plain', '接口テスト', '{\"a\": [1, 2]}', x'00ff10',
               x'ff41', NULL, 'NULL', 'café', 2026, 'b', 65535);",
        )
        .await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        let cells = both_protocols(&session, Kind::Mysql, "SELECT * FROM t").await;
        let expected = [
            Cell::Int(-42),
            Cell::Int(-7),
            Cell::UInt(u64::MAX),
            Cell::Int(i64::MIN),
            Cell::Decimal("12345678901234.567890".into()),
            Cell::Float(1.5),
            Cell::Float(0.1),
            Cell::Int(1),
            Cell::Date("2026-11-21".into()),
            Cell::Time("03:12:07".into()),
            Cell::Time("-838:59:59".into()),
            Cell::DateTime("2026-11-21 10:05:07".into()),
            Cell::DateTime("2026-11-21 10:05:07".into()),
            Cell::Text("plain".into()),
            Cell::Text("接口テスト".into()),
            // MariaDB's JSON is LONGTEXT with a JSON check: it reads as text.
            Cell::Text("{\"a\": [1, 2]}".into()),
            Cell::Bytes(vec![0, 0xff, 0x10]),
            Cell::Bytes(vec![0xff, 0x41]),
            Cell::Null,
            Cell::Text("NULL".into()),
            Cell::Text("café".into()),
            Cell::Int(2026),
            Cell::Text("b".into()),
            Cell::Int(65535),
        ];
        assert_eq!(cells, expected);

        // A 10 MB value.
        let ran = run(&session, "SELECT REPEAT('x', 10485760) AS big", &[])
            .await
            .expect("10 MB");
        match &ran.rows[0][0] {
            Cell::Text(t) => assert_eq!(t.len(), 10 << 20),
            other => panic!("not text: {:?}", other.display(40)),
        }
        // Bytes that are not UTF-8 in a text column: a latin1 column read without conversion.
        run(&session, "SET character_set_results = NULL", &[])
            .await
            .expect("raw results");
        let ran = run(&session, "SELECT l1 FROM t", &[])
            .await
            .expect("latin1");
        assert_eq!(ran.rows, [[Cell::Bytes(vec![b'c', b'a', b'f', 0xe9])]]);
    });
}

#[test]
fn every_type_family_decodes_postgres() {
    rt().block_on(async {
        let db = TestDb::create(Kind::Postgres).await;
        db.exec(
            "CREATE TABLE t (
               i2 SMALLINT, i INT, b8 BIGINT, d NUMERIC(20,6), f4 REAL, f8 DOUBLE PRECISION,
               b BOOLEAN, dt DATE, tm TIME, ts TIMESTAMP, tz TIMESTAMPTZ, iv INTERVAL,
               vc VARCHAR(20), cjk TEXT, j JSON, jb JSONB, by BYTEA, u UUID, n INT, sn TEXT,
               ch CHAR(3), big NUMERIC);
             INSERT INTO t VALUES (
               -7, -42, -9223372036854775808, 12345678901234.567890, 1.5, 0.1, true,
               '2026-11-21', '03:12:07.25', '2026-11-21 10:05:07', '2026-11-21 10:05:07+00',
               '1 day 02:03:04', 'plain', '接口テスト', '{\"a\": [1, 2]}', '{\"a\": [1, 2]}',
               '\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL, 'NULL', 'ab',
               123456789012345678901234567890.000000001);",
        )
        .await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        run(&session, "SET TIME ZONE 'UTC'", &[])
            .await
            .expect("utc");
        let cells = both_protocols(&session, Kind::Postgres, "SELECT * FROM t").await;
        let expected = [
            Cell::Int(-7),
            Cell::Int(-42),
            Cell::Int(i64::MIN),
            Cell::Decimal("12345678901234.567890".into()),
            Cell::Float(1.5),
            Cell::Float(0.1),
            Cell::Bool(true),
            Cell::Date("2026-11-21".into()),
            Cell::Time("03:12:07.25".into()),
            Cell::DateTime("2026-11-21 10:05:07".into()),
            Cell::DateTime("2026-11-21 10:05:07+00".into()),
            Cell::Time("1 day 02:03:04".into()),
            Cell::Text("plain".into()),
            Cell::Text("接口テスト".into()),
            Cell::Json("{\"a\": [1, 2]}".into()),
            Cell::Json("{\"a\": [1, 2]}".into()),
            Cell::Bytes(vec![0, 0xff, 0x10]),
            Cell::Text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11".into()),
            Cell::Null,
            Cell::Text("NULL".into()),
            Cell::Text("ab ".into()),
            Cell::Decimal("123456789012345678901234567890.000000001".into()),
        ];
        assert_eq!(cells, expected);
        let ran = run(&session, "SELECT repeat('x', 10485760) AS big", &[])
            .await
            .expect("10 MB");
        match &ran.rows[0][0] {
            Cell::Text(t) => assert_eq!(t.len(), 10 << 20),
            other => panic!("not text: {:?}", other.display(40)),
        }
    });
}

#[test]
fn sqlite_values_decode_by_storage_class() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("t.db");
        std::fs::File::create(&path).expect("create");
        let db = Database {
            name: "lite".into(),
            driver: Driver::Sqlite,
            url: format!("sqlite://{}", path.display()),
            password: PasswordSource::None,
            via_host: None,
            read_only: false,
        };
        let session = SqlSession::open(&db, SqlSettings::default(), None);
        let ran = run(
            &session,
            "SELECT 1, 1.5, '接口', x'00ff', NULL, 'NULL', CAST(x'ff41' AS TEXT)",
            &[],
        )
        .await
        .expect("select");
        assert_eq!(
            ran.rows,
            [[
                Cell::Int(1),
                Cell::Float(1.5),
                Cell::Text("接口".into()),
                Cell::Bytes(vec![0, 0xff]),
                Cell::Null,
                Cell::Text("NULL".into()),
                Cell::Bytes(vec![0xff, 0x41]),
            ]]
        );
    });
}

#[test]
fn syntax_errors_show_the_servers_message() {
    rt().block_on(async {
        let db = TestDb::create(Kind::Mysql).await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        let e = run(&session, "SELEC id FROM t_app_dns", &[])
            .await
            .err()
            .expect("syntax");
        assert!(e.message.contains("ERROR 1064 (42000)"), "{e:?}");
        assert!(
            e.message
                .contains("near 'SELEC id FROM t_app_dns' at line 1"),
            "{e:?}"
        );
        assert_eq!(e.position, None);

        let db = TestDb::create(Kind::Postgres).await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        let sql = "SELECT 1 FROM pg_class WHER relname = 'x'";
        let e = run(&session, sql, &[]).await.err().expect("syntax");
        assert!(e.message.contains("syntax error at or near"), "{e:?}");
        let at = e.position.expect("position");
        assert!(at > 20 && at <= sql.chars().count(), "{at} in {sql}");
        // A prepared statement reports the same position.
        let e = run(&session, "SELECT $1::int FROM pg_class WHER x", &["1"])
            .await
            .err()
            .expect("syntax");
        assert_eq!(e.position, Some(35), "{e:?}");
    });
}

#[test]
fn a_wrong_password_is_a_clear_error_without_the_password() {
    for kind in [Kind::Mysql, Kind::Postgres] {
        rt().block_on(async {
            let db = TestDb::create(kind).await;
            let wrong = "Wr0ng-pässword-4711";
            std::fs::write(db.password_file.path(), wrong).expect("write");
            let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
            let e = run(&session, "SELECT 1", &[]).await.err().expect("refused");
            assert!(e.message.contains("cannot connect"), "{e:?}");
            assert!(
                e.message.contains("denied") || e.message.contains("authentication failed"),
                "{e:?}"
            );
            assert!(!e.message.contains(wrong), "{e:?}");
            assert!(!e.message.contains("4711"), "{e:?}");
        });
    }
}

#[test]
fn a_closed_port_fails_within_the_connect_timeout() {
    for kind in [Kind::Mysql, Kind::Postgres] {
        rt().block_on(async {
            let port = dbservers::free_port();
            let scheme = match kind {
                Kind::Mysql => "mysql",
                Kind::Postgres => "postgres",
            };
            let db = Database {
                name: "nowhere".into(),
                driver: kind.driver(),
                url: format!("{scheme}://u@127.0.0.1:{port}/x"),
                password: PasswordSource::None,
                via_host: None,
                read_only: false,
            };
            let settings = SqlSettings {
                connect_timeout: Duration::from_secs(3),
                ..SqlSettings::default()
            };
            let session = SqlSession::open(&db, settings, None);
            let started = Instant::now();
            let e = run(&session, "SELECT 1", &[]).await.err().expect("refused");
            assert!(started.elapsed() < Duration::from_secs(4));
            assert!(e.message.contains("`nowhere`: cannot connect"), "{e:?}");
            assert!(e.message.contains("refused"), "{e:?}");
        });
    }
}

#[test]
fn a_database_behind_a_host_needs_a_tunnel() {
    rt().block_on(async {
        let db = Database {
            name: "speed".into(),
            driver: Driver::Mysql,
            url: "mysql://ops@127.0.0.1:3306/speed".into(),
            password: PasswordSource::None,
            via_host: Some("app-primary".into()),
            read_only: false,
        };
        let session = SqlSession::open(&db, SqlSettings::default(), None);
        let e = run(&session, "SELECT 1", &[])
            .await
            .err()
            .expect("no tunnel");
        assert!(e.message.contains("app-primary"), "{e:?}");
    });
}

#[test]
fn a_database_behind_a_host_goes_through_the_tunnel() {
    use cockpit::io::sql::{TunnelOpener, TunnelStream};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    rt().block_on(async {
        let db = TestDb::create(Kind::Mysql).await;
        let real_port = db.url.port().unwrap_or(3306);
        let opened = Arc::new(AtomicUsize::new(0));
        let count = opened.clone();
        // A stand-in for the SSH direct-tcpip channel: a plain TCP connection to the target.
        let opener: TunnelOpener = Arc::new(move |host: String, port: u16| {
            count.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                assert_eq!((host.as_str(), port), ("127.0.0.1", real_port));
                let s = tokio::net::TcpStream::connect((host.as_str(), port))
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Box::new(s) as TunnelStream)
            })
        });
        let mut inventory = db.database();
        inventory.via_host = Some("app-primary".into());
        let session = SqlSession::open(&inventory, SqlSettings::default(), Some(opener));
        let ran = run(&session, "SELECT 9", &[])
            .await
            .expect("through the tunnel");
        assert_eq!(ran.rows, [[Cell::Int(9)]]);
        assert!(opened.load(Ordering::SeqCst) >= 1);
    });
}

fn rows_stream_in_batches(kind: Kind) {
    rt().block_on(async {
        let db = TestDb::create(kind).await;
        let sql = match kind {
            Kind::Mysql => "SELECT seq, seq * 2 FROM seq_1_to_100000",
            Kind::Postgres => "SELECT g, g * 2 FROM generate_series(1, 100000) g",
        };
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        let (sink, mut batches) = tokio::sync::mpsc::channel(4);
        let started = Instant::now();
        let job = tokio::spawn(session.run(statement(sql, &[], false), Some(sink)));
        let mut first: Option<(Instant, usize, bool)> = None;
        let (mut rows, mut n, mut columns) = (0usize, 0usize, 0usize);
        while let Some(batch) = batches.recv().await {
            match batch {
                RowBatch::Columns(c) => {
                    assert_eq!(c.len(), 2);
                    columns += 1;
                }
                RowBatch::Rows(r) => {
                    if first.is_none() {
                        first = Some((Instant::now(), r.len(), job.is_finished()));
                        assert_eq!(r[0], [Cell::Int(1), Cell::Int(2)]);
                    }
                    rows += r.len();
                    n += 1;
                }
            }
        }
        let done = job.await.expect("join").expect("ran");
        let (first_at, first_len, finished) = first.expect("a batch");
        assert!(
            !finished,
            "the first batch came before the statement completed"
        );
        assert!(first_len <= 256);
        assert_eq!(columns, 1);
        assert_eq!(rows, 100_000);
        assert_eq!(done.rows_returned, 100_000);
        assert!(n > 10, "{n} batches");
        eprintln!(
            "{kind:?}: first batch after {:?}, all {} rows in {n} batches after {:?}",
            first_at - started,
            rows,
            started.elapsed()
        );
    });
}

#[test]
fn rows_stream_in_batches_mysql() {
    rows_stream_in_batches(Kind::Mysql);
}

#[test]
fn rows_stream_in_batches_postgres() {
    rows_stream_in_batches(Kind::Postgres);
}

fn a_killed_server_loses_the_transaction(kind: Kind) {
    let mut server = PrivateServer::start(kind);
    let rt = rt();
    rt.block_on(dbservers::admin_exec(
        kind,
        &server.url(),
        "CREATE TABLE t_app_dns (id INT PRIMARY KEY, ip VARCHAR(45), status INT);
         CREATE INDEX t_app_dns_ip ON t_app_dns (ip);
         INSERT INTO t_app_dns VALUES (1, '198.51.100.86', 1), (2, '198.51.100.86', 1);",
    ));
    let settings = SqlSettings {
        connect_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(10),
        ..SqlSettings::default()
    };
    let session = rt.block_on(async { SqlSession::open(&server.database(), settings, None) });
    let update = format!("UPDATE t_app_dns SET status=2 WHERE ip={}", kind.ph(1));
    let ran = rt
        .block_on(run_statement(
            &session,
            statement(&update, &[DEAD_IP], true),
        ))
        .expect("update");
    assert_eq!(ran.done.rows_affected, 2);
    server.kill();
    let e = rt
        .block_on(run(&session, "SELECT COUNT(*) FROM t_app_dns", &[]))
        .err()
        .expect("the server is gone");
    assert!(e.connection_lost, "{e:?}");
    assert!(!e.in_transaction, "{e:?}");
    assert!(e.message.contains("nothing of it was committed"), "{e:?}");
    server.launch();
    let ran = rt
        .block_on(run(
            &session,
            "SELECT COUNT(*) FROM t_app_dns WHERE status = 2",
            &[],
        ))
        .expect("reconnects");
    assert_eq!(ran.rows, [[Cell::Int(0)]], "the update was not committed");
    assert!(!ran.done.in_transaction);
    drop(session);
}

#[test]
fn a_killed_server_loses_the_transaction_mysql() {
    a_killed_server_loses_the_transaction(Kind::Mysql);
}

#[test]
fn a_killed_server_loses_the_transaction_postgres() {
    a_killed_server_loses_the_transaction(Kind::Postgres);
}

/// The URL's `sslmode` decides TLS: `require` encrypts (the server says so for this very
/// connection), `disable` does not, and `verify-full` refuses the server's self-signed
/// certificate with a message saying why.
#[test]
fn tls_is_used_where_the_url_asks_for_it_postgres() {
    rt().block_on(async {
        let db = TestDb::create(Kind::Postgres).await;
        let ssl_of = |mode: &str| {
            let mut inventory = db.database();
            inventory.url = format!("{}?sslmode={mode}", inventory.url);
            inventory
        };
        for (mode, expected) in [("require", true), ("disable", false)] {
            let session = SqlSession::open(&ssl_of(mode), SqlSettings::default(), None);
            let ran = run(
                &session,
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .unwrap_or_else(|e| panic!("sslmode={mode}: {e:?}"));
            assert_eq!(ran.rows, vec![vec![Cell::Bool(expected)]], "sslmode={mode}");
            session.close().await;
        }
        let session = SqlSession::open(&ssl_of("verify-full"), SqlSettings::default(), None);
        let e = run(&session, "SELECT 1", &[])
            .await
            .err()
            .expect("a self-signed certificate is not trusted");
        let text = e.message.to_lowercase();
        assert!(
            text.contains("certificate") || text.contains("tls"),
            "says why: {e:?}"
        );
        assert!(!e.message.contains("cockpit_test:"), "no password: {e:?}");
    });
}

/// A text of several statements is sent statement by statement, exactly as the guard split and
/// judged it, never whole: PostgreSQL runs a whole multi-statement text in one implicit
/// transaction (a later failure would undo the INSERT), so the INSERT surviving the failing
/// statement after it shows each went on its own. The error's position still counts from the
/// start of the text, and a comment after the last statement is never sent.
#[test]
fn a_text_is_sent_statement_by_statement() {
    rt().block_on(async {
        let db = TestDb::create(Kind::Postgres).await;
        db.exec("CREATE TABLE t (id INT)").await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        let failed = run(
            &session,
            "INSERT INTO t VALUES (9); SELECT nosuchcol FROM t -- ; tail",
            &[],
        )
        .await
        .err()
        .expect("the second statement fails");
        assert!(failed.message.contains("nosuchcol"), "{}", failed.message);
        assert_eq!(
            failed.position,
            Some(34),
            "counted from the start of the text"
        );
        assert_eq!(
            db.scalar("SELECT COUNT(*) FROM t").await,
            1,
            "the INSERT ran alone"
        );
        let ran = run(&session, "SELECT 1; SELECT 2, 3 /* after */", &[])
            .await
            .expect("both run");
        assert_eq!(ran.done.rows_returned, 2);
        assert_eq!(ran.rows.last(), Some(&vec![Cell::Int(2), Cell::Int(3)]));
        // Whole, the same text is one implicit transaction: the INSERT goes with the failure.
        db.exec("DELETE FROM t").await;
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(db.url.as_str())
            .await
            .expect("connect");
        let whole = sqlx::Executor::execute(
            &mut c,
            sqlx::raw_sql("INSERT INTO t VALUES (9); SELECT nosuchcol FROM t"),
        )
        .await;
        assert!(whole.is_err());
        assert_eq!(db.scalar("SELECT COUNT(*) FROM t").await, 0);
    });
}

/// The table a guarded UPDATE changes is counted inside its transaction, before it runs, so
/// the commit question can say it changed every row (1 of 3 here, then 3 of 3 after the
/// others joined in); outside a transaction nothing is counted.
fn the_table_is_counted_before_the_statement(kind: Kind) {
    rt().block_on(async {
        let db = TestDb::create(kind).await;
        // A key on `id`: MariaDB's safe updates want the WHERE to use one.
        db.exec("CREATE TABLE t (id INT PRIMARY KEY, a INT)").await;
        db.exec("INSERT INTO t VALUES (1, 0), (2, 0), (3, 0)").await;
        let session = SqlSession::open(&db.database(), SqlSettings::default(), None);
        let mut st = statement("UPDATE t SET a = 1 WHERE id = 1", &[], true);
        st.count_table = Some("t".into());
        let ran = run_statement(&session, st).await.expect("update");
        let counted = ran.done.table_rows.expect("counted");
        assert_eq!((counted.table.as_str(), counted.rows), ("t", 3));
        assert_eq!(ran.done.rows_affected, 1);
        let mut st = statement("UPDATE t SET a = 2 WHERE id >= 1", &[], true);
        st.count_table = Some("t".into());
        let ran = run_statement(&session, st).await.expect("update");
        assert_eq!(ran.done.table_rows.map(|c| c.rows), Some(3));
        assert_eq!(ran.done.rows_affected, 3);
        session.rollback().await.expect("rollback");
        let mut st = statement("SELECT 1", &[], false);
        st.count_table = Some("t".into());
        let ran = run_statement(&session, st).await.expect("select");
        assert_eq!(ran.done.table_rows, None);
    });
}

#[test]
fn the_table_is_counted_before_the_statement_mysql() {
    the_table_is_counted_before_the_statement(Kind::Mysql);
}

#[test]
fn the_table_is_counted_before_the_statement_postgres() {
    the_table_is_counted_before_the_statement(Kind::Postgres);
}
