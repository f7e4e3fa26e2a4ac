//! The SQL guard's hostile corpus against the real servers: every text the guard lets run with
//! no question and no transaction ("runs") is executed, whole, on a real SQLite file, MariaDB
//! and PostgreSQL — the whole text at once (harder on the guard than the console, which sends
//! its statements one by one as it split them), through sqlx's text protocol, which runs every
//! statement in it (and without MariaDB's `sql_safe_updates`, so nothing but
//! the guard stands between a hidden write and the rows) — and another connection then checks
//! that no row, no table and no column changed. The verdicts themselves are checked too, so a
//! text moved from "typed" to "runs" is caught here before it reaches a server. At least 100
//! texts per dialect: the lexer's tricks, the fail-closed allowlist (VACUUM INTO, SET GLOBAL,
//! FLUSH, writing PRAGMAs, COPY … PROGRAM …), functions with side effects, the parser's
//! second opinion, and WHEREs true for every row by evaluation.

use crate::support::dbservers;

include!("../fixtures/sql_guard_corpus.rs");

use crate::support::runtime::rt;
use cockpit::core::inventory::Driver;
use cockpit::core::sql::{Verdict, judge};
use dbservers::{Kind, TestDb};
use sqlx::{AssertSqlSafe, Connection, Executor};

const SEED: &str = "CREATE TABLE t (id INT PRIMARY KEY, a INT); \
                    INSERT INTO t VALUES (1, 10), (2, 20), (3, 30); \
                    CREATE TABLE u (id INT); INSERT INTO u VALUES (1), (2);";

/// Row counts, a checksum of `t`, and every table's columns, as one text.
fn state_query(driver: Driver) -> &'static str {
    match driver {
        Driver::Mysql => {
            "SELECT CAST(CONCAT_WS('|', (SELECT COUNT(*) FROM t), \
             (SELECT COALESCE(SUM(id * 31 + a), 0) FROM t), (SELECT COUNT(*) FROM u), \
             (SELECT GROUP_CONCAT(CONCAT(table_name, '.', column_name) \
               ORDER BY table_name, column_name) \
              FROM information_schema.columns WHERE table_schema = DATABASE())) AS CHAR)"
        }
        Driver::Postgres => {
            "SELECT concat_ws('|', (SELECT COUNT(*) FROM t), \
             (SELECT COALESCE(SUM(id * 31 + a), 0) FROM t), (SELECT COUNT(*) FROM u), \
             (SELECT string_agg(table_name || '.' || column_name, ',' \
               ORDER BY table_name, column_name) \
              FROM information_schema.columns WHERE table_schema = 'public'))"
        }
        Driver::Sqlite => {
            "SELECT (SELECT COUNT(*) FROM t) || '|' || \
             (SELECT COALESCE(SUM(id * 31 + a), 0) FROM t) || '|' || (SELECT COUNT(*) FROM u) \
             || '|' || (SELECT group_concat(sql, ';') FROM \
               (SELECT sql FROM sqlite_master ORDER BY name))"
        }
    }
}

fn verdict_name(v: &Verdict) -> &'static str {
    match v {
        Verdict::Runs => "runs",
        Verdict::Guarded => "guarded",
        Verdict::NeedsTyped(_) => "typed",
        Verdict::Refused(_) => "refused",
    }
}

/// The corpus texts of `driver`, each checked against its expected verdict; the ones that run.
fn runnable(driver: Driver) -> Vec<&'static str> {
    let mut wrong = Vec::new();
    let mut runs = Vec::new();
    for (name, want, sql) in SQL_GUARD_CORPUS {
        if *name != driver.name() {
            continue;
        }
        let got = verdict_name(&judge(sql, driver));
        if got != *want {
            wrong.push(format!("{sql:?}: want {want}, got {got}"));
        }
        if got == "runs" {
            runs.push(*sql);
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let texts = SQL_GUARD_CORPUS
        .iter()
        .filter(|c| c.0 == driver.name())
        .count();
    assert!(texts >= 100, "{}: only {texts} texts", driver.name());
    assert!(
        runs.len() >= 10,
        "{}: only {} texts run",
        driver.name(),
        runs.len()
    );
    runs
}

/// Connects to `url`, runs `sql` whole on it (errors are fine: a text that fails changed
/// nothing, which the state check proves), and closes.
macro_rules! run_text {
    ($conn:ty, $url:expr, $sql:expr) => {{
        let mut c = <$conn>::connect($url).await.expect("connect");
        let outcome = c
            .execute(sqlx::raw_sql(AssertSqlSafe($sql.to_string())))
            .await;
        let _ = c.close().await;
        outcome.err().map(|e| e.to_string())
    }};
}

macro_rules! state {
    ($conn:ty, $url:expr, $driver:expr) => {{
        let mut c = <$conn>::connect($url).await.expect("connect");
        let v: String = sqlx::query_scalar(state_query($driver))
            .fetch_one(&mut c)
            .await
            .expect("state unreadable: a table or column went away");
        let _ = c.close().await;
        v
    }};
}

#[test]
fn sqlite_runs_only_what_changes_nothing() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("g.db").display());
        assert_eq!(run_text!(sqlx::SqliteConnection, &url, SEED), None);
        let before = state!(sqlx::SqliteConnection, &url, Driver::Sqlite);
        assert!(before.starts_with("3|"), "{before}");
        for sql in runnable(Driver::Sqlite) {
            let error = run_text!(sqlx::SqliteConnection, &url, sql);
            let after = state!(sqlx::SqliteConnection, &url, Driver::Sqlite);
            assert_eq!(
                after, before,
                "{sql:?} changed the database (error: {error:?})"
            );
        }
    });
}

async fn server(kind: Kind) {
    let db = TestDb::create(kind).await;
    db.exec(SEED).await;
    let url = db.url.to_string();
    let driver = kind.driver();
    let state = || async {
        match kind {
            Kind::Mysql => state!(sqlx::MySqlConnection, &url, driver),
            Kind::Postgres => state!(sqlx::PgConnection, &url, driver),
        }
    };
    let before = state().await;
    assert!(before.starts_with("3|"), "{before}");
    for sql in runnable(driver) {
        let error = match kind {
            Kind::Mysql => run_text!(sqlx::MySqlConnection, &url, sql),
            Kind::Postgres => run_text!(sqlx::PgConnection, &url, sql),
        };
        let after = state().await;
        assert_eq!(
            after, before,
            "{sql:?} changed the database (error: {error:?})"
        );
    }
}

#[test]
fn mariadb_runs_only_what_changes_nothing() {
    rt().block_on(server(Kind::Mysql));
}

#[test]
fn postgres_runs_only_what_changes_nothing() {
    rt().block_on(server(Kind::Postgres));
}

/// The texts the old dialect-blind guard let through as reads really do change the database
/// when run whole: the corpus is not toothless, and the check above would see it.
#[test]
fn the_adversarys_texts_do_damage_when_run_whole() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("d.db").display());
        assert_eq!(run_text!(sqlx::SqliteConnection, &url, SEED), None);
        let before = state!(sqlx::SqliteConnection, &url, Driver::Sqlite);
        let _ = run_text!(
            sqlx::SqliteConnection,
            &url,
            "SELECT #a; DELETE FROM t\nWHERE true"
        );
        let after = state!(sqlx::SqliteConnection, &url, Driver::Sqlite);
        assert_ne!(after, before, "the DELETE ran");
        assert!(after.starts_with("0|"), "{after}");
        // The old guard ran anything it did not know as a session setting: VACUUM INTO writes
        // the whole database wherever it is told, rows unchanged. Now it asks first.
        let copy = dir.path().join("copy.db");
        let vacuum = format!("VACUUM INTO '{}'", copy.display());
        assert!(matches!(
            judge(&vacuum, Driver::Sqlite),
            Verdict::NeedsTyped(_)
        ));
        assert_eq!(run_text!(sqlx::SqliteConnection, &url, vacuum), None);
        assert!(copy.exists(), "VACUUM INTO wrote a copy of the database");
    });
}

/// Why PostgreSQL text with a backslash before a quote is refused: a session that turned
/// `standard_conforming_strings` off (the console keeps its session between statements) reads
/// `'a\''` as a whole string, and the DELETE after it runs.
#[test]
fn postgres_backslash_quotes_delete_once_standard_strings_are_off() {
    rt().block_on(async {
        let db = TestDb::create(Kind::Postgres).await;
        db.exec(SEED).await;
        let text = r"SELECT 'a\''; DELETE FROM t; --'";
        assert!(matches!(
            judge(text, Driver::Postgres),
            Verdict::Refused(reason) if reason.contains("standard_conforming_strings")
        ));
        let mut c = sqlx::PgConnection::connect(db.url.as_str())
            .await
            .expect("connect");
        c.execute("SET standard_conforming_strings = off")
            .await
            .expect("set");
        c.execute(sqlx::raw_sql(AssertSqlSafe(text.to_string())))
            .await
            .expect("runs");
        let _ = c.close().await;
        assert_eq!(
            db.scalar("SELECT COUNT(*) FROM t").await,
            0,
            "the DELETE ran"
        );
    });
}
