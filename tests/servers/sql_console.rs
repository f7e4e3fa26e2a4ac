//! The SQL console driven headless by keys, its commands carried out against real databases
//! (SQLite files here; MariaDB and PostgreSQL in `sql_console_servers.rs`) and a real journal:
//! the seed-001 flip commits only on an explicit answer, rolls back on `r`, on the timeout and
//! on quit; guarded statements need the database's name; a step's expected row count refuses
//! a commit outside it; every statement, commit and rollback is in the journal.

use crate::support::console;
use crate::support::dbservers;
use crate::support::speed_servers;
use crate::support::speed_sqlite;

use cockpit::core::inventory::{Database, Inventory};
use cockpit::core::journal::Record;
use cockpit::core::sql::Cell;
use console::Driven;
use dbservers::{Kind, TestDb};
use speed_servers::{DEAD_IP, flipped, seed_unindexed};
use speed_sqlite::{row_count, seed_sqlite, sqlite_db};

fn inventory(db: Database) -> Inventory {
    Inventory {
        databases: vec![db],
        ..Inventory::default()
    }
}

/// A console over seed 001's `speed` database in a SQLite file in `dir`; the file's path.
async fn seeded_console(dir: &std::path::Path) -> (Driven, std::path::PathBuf) {
    let db_path = dir.join("speed.db");
    seed_sqlite(&db_path).await;
    let c = Driven::start(dir, inventory(sqlite_db(&db_path, false))).await;
    (c, db_path)
}

const FLIP: &str = "update t_app_dns set status=2 where ip='198.51.100.86'";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_flip_commits_only_when_answered_and_the_journal_has_it_all() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut c, db_path) = seeded_console(dir.path()).await;

    c.edit(&format!("select 1;\n{FLIP}")).await;
    c.run().await;
    assert_eq!(
        c.overlay_name(),
        Some("SqlDecision"),
        "a write asks commit or roll back"
    );
    let tx = c.transaction().expect("transaction open");
    assert_eq!(tx.rows_affected, 4);
    let last = tx.last.clone().expect("statement report");
    let before = last.before.expect("rows before");
    let after = last.after.expect("rows after");
    let status = before
        .columns
        .iter()
        .position(|col| col.name == "status")
        .expect("status column");
    assert!(before.rows.iter().any(|r| r[status] == Cell::Int(1)));
    assert!(after.rows.iter().all(|r| r[status] == Cell::Int(2)));
    assert_eq!(
        row_count(&db_path, "status = 2").await,
        0,
        "another connection sees nothing before the commit"
    );

    c.key('c').await;
    assert!(c.transaction().is_none());
    assert_eq!(row_count(&db_path, "status = 2").await, 4, "committed");

    let kinds = c.journal_kinds().await;
    let tail: Vec<&str> = kinds.iter().map(String::as_str).collect();
    assert!(
        tail.windows(4).any(|w| w
            == [
                "sql_statement_started",
                "sql_statement_ended",
                "sql_transaction_ending",
                "sql_transaction_ended"
            ]),
        "{tail:?}"
    );
    let records = c.journal_records().await;
    assert!(records.iter().any(|r| matches!(r,
        Record::SqlStatementStarted { statement, transaction: true, .. } if statement == FLIP)));
    assert!(records.iter().any(|r| matches!(
        r,
        Record::SqlTransactionEnded {
            committed: true,
            error: None,
            ..
        }
    )));
    assert!(
        !records
            .iter()
            .any(|r| matches!(r, Record::SqlStatementStarted { statement, .. } if statement == "select 1")),
        "only the statement under the cursor ran"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_on_r_on_the_timeout_and_on_quit_keeps_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut c, db_path) = seeded_console(dir.path()).await;

    c.edit(FLIP).await;
    c.run().await;
    c.key('r').await;
    assert!(c.transaction().is_none());
    assert_eq!(row_count(&db_path, "status = 2").await, 0);

    // Unanswered: Esc leaves it open; the clock passes the timeout; a tick rolls it back.
    c.run().await;
    c.esc().await;
    assert!(c.transaction().is_some());
    c.advance_secs(301).await;
    assert!(c.transaction().is_none(), "rolled back on the timeout");
    assert_eq!(row_count(&db_path, "status = 2").await, 0);
    let records = c.journal_records().await;
    assert!(records.iter().any(|r| matches!(r,
        Record::SqlTransactionEnding { commit: false, reason, .. } if reason == "timeout")));

    // Quit with a transaction open: asked, then rolled back.
    c.run().await;
    c.esc().await;
    c.focus_away_and_quit().await;
    assert_eq!(row_count(&db_path, "status = 2").await, 0);
    let records = c.journal_records().await;
    assert!(records.iter().any(|r| matches!(r,
        Record::SqlTransactionEnding { commit: false, reason, .. } if reason == "quit")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_without_where_needs_the_database_name_and_a_wrong_one_runs_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut c, db_path) = seeded_console(dir.path()).await;

    c.edit("update t_app_dns set status=2").await;
    c.run().await;
    assert_eq!(c.overlay_name(), Some("SqlDanger"));
    c.type_text("spede").await;
    c.enter().await;
    assert_eq!(row_count(&db_path, "status = 2").await, 0);
    let records = c.journal_records().await;
    assert!(records.iter().any(|r| matches!(r,
        Record::SqlRefused { reason, .. } if reason.contains("without WHERE"))));
    assert!(
        !records
            .iter()
            .any(|r| matches!(r, Record::SqlStatementStarted { .. })),
        "nothing was sent"
    );

    c.run().await;
    c.type_text("speed").await;
    c.enter().await;
    assert_eq!(c.overlay_name(), Some("SqlDecision"));
    c.key('r').await;
    assert_eq!(row_count(&db_path, "status = 2").await, 0);
    let records = c.journal_records().await;
    assert!(records.iter().any(|r| matches!(r,
        Record::SqlStatementStarted { confirmation: Some(name), .. } if name == "speed")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_refuses_writes_and_still_reads() {
    let dir = tempfile::tempdir().expect("dir");
    let db_path = dir.path().join("speed.db");
    seed_sqlite(&db_path).await;
    let mut c = Driven::start(dir.path(), inventory(sqlite_db(&db_path, true))).await;
    c.edit(FLIP).await;
    c.run().await;
    assert!(c.transaction().is_none());
    assert_eq!(row_count(&db_path, "status = 2").await, 0);
    assert!(c.message().contains("read-only"), "{}", c.message());

    c.edit("select domain, status from t_app_dns order by id")
        .await;
    c.run().await;
    let rows = c.result_rows();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[2][0], Cell::Text("接口.example".into()));
    assert_eq!(rows[3][1], Cell::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handed_over_statement_outside_its_expected_rows_cannot_commit() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut c, db_path) = seeded_console(dir.path()).await;
    c.hand_over(
        "UPDATE t_app_dns SET status = 2 WHERE ip = ?",
        &["198.51.100.86"],
        (1, Some(3)),
    )
    .await;
    let tx = c.transaction().expect("open");
    assert_eq!(tx.rows_affected, 4);
    assert!(tx.commit_refusal().is_some());
    c.key('c').await;
    assert!(c.transaction().is_some(), "commit refused: still open");
    assert_eq!(row_count(&db_path, "status = 2").await, 0);
    c.key('r').await;
    assert!(c.transaction().is_none());
    assert_eq!(row_count(&db_path, "status = 2").await, 0);
    let records = c.journal_records().await;
    assert!(records.iter().any(|r| matches!(r,
        Record::SqlStatementStarted { params, step: Some(_), .. } if params == &["198.51.100.86".to_string()])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_syntax_error_is_shown_and_the_console_and_journal_stay_intact() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut c, _) = seeded_console(dir.path()).await;
    c.edit("selec * form t_app_dns").await;
    c.run().await;
    // Nothing the guard can read runs without the database's name typed.
    assert_eq!(c.overlay_name(), Some("SqlDanger"));
    c.type_text("speed").await;
    c.enter().await;
    assert!(c.message().contains("syntax error"), "{}", c.message());
    c.edit("select count(*) as n from t_app_dns").await;
    c.run().await;
    assert_eq!(c.result_rows(), vec![vec![Cell::Int(5)]]);
    let records = c.journal_records().await;
    assert!(records.iter().any(|r| matches!(r,
        Record::SqlStatementEnded { error: Some(e), .. } if e.contains("syntax error"))));
    c.verify_journal().await;
}

/// A write that fails on its own changed nothing: its transaction rolls itself back (journaled
/// first, like any rollback) and its error stays on the message line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_fails_alone_rolls_itself_back_and_keeps_its_error() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut c, _) = seeded_console(dir.path()).await;
    c.edit("update t_app_dns set no_such_column = 2 where id = 1")
        .await;
    c.run().await;
    let message = c.message();
    assert!(message.contains("no such column"), "{message}");
    assert!(
        message.contains("rolled back: nothing changed"),
        "{message}"
    );
    assert!(
        c.app.console.oldest_transaction().is_none(),
        "nothing left open"
    );
    assert!(c.app.overlay.is_none(), "nothing to answer");
    let records = c.journal_records().await;
    assert!(
        records.iter().any(|r| matches!(r,
            Record::SqlTransactionEnding { commit: false, reason, .. } if reason == "its only statement failed")),
        "{records:?}"
    );
    assert!(records.iter().any(|r| matches!(
        r,
        Record::SqlTransactionEnded {
            committed: false,
            error: None,
            ..
        }
    )));
    // The next write still asks before anything is kept.
    c.edit("update t_app_dns set status = 2 where id = 1").await;
    c.run().await;
    assert!(c.app.console.oldest_transaction().is_some());
    c.verify_journal().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_exports_as_csv_through_the_runtime_and_the_flash_says_so() {
    use cockpit::ui::overlay::{Overlay, PromptKind};
    let dir = tempfile::tempdir().expect("dir");
    let (mut c, _) = seeded_console(dir.path()).await;
    c.edit(
        "select id, domain, status, '' as empty, 'a,\"b\"' || char(10) || 'c' as odd \
         from t_app_dns where ip = '198.51.100.86' order by id",
    )
    .await;
    c.run().await;
    assert_eq!(c.result_rows().len(), 4);
    c.app.console.editing = false;

    c.key('E').await;
    assert!(
        matches!(&c.app.overlay, Some(Overlay::Prompt(PromptKind::ExportCsv(db), _)) if db == "speed"),
        "E asks where to write"
    );
    let out = dir.path().join("result, 結果.csv");
    c.ctrl('u').await;
    c.type_text(&out.display().to_string()).await;
    c.enter().await;

    let flash = c
        .app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert_eq!(flash, format!("exported 4 row(s) to {}", out.display()));
    let odd = "\"a,\"\"b\"\"\nc\"";
    assert_eq!(
        std::fs::read_to_string(&out).expect("the CSV file"),
        format!(
            "id,domain,status,empty,odd\n\
             1,api-a.example,1,\"\",{odd}\n\
             2,api-b.example,1,\"\",{odd}\n\
             3,接口.example,1,\"\",{odd}\n\
             4,api-d.example,,\"\",{odd}\n"
        ),
        "NULL is an empty field, '' is \"\", CJK as is, commas, quotes and newlines quoted"
    );

    // A file that cannot be written: the flash names it and says why.
    c.key('E').await;
    let bad = dir.path().join("no-such-dir/out.csv");
    c.ctrl('u').await;
    c.type_text(&bad.display().to_string()).await;
    c.enter().await;
    let flash = c.app.flash.as_ref().expect("a flash");
    assert!(flash.error, "{}", flash.text);
    assert!(
        flash
            .text
            .starts_with(&format!("cannot write {}: ", bad.display())),
        "{}",
        flash.text
    );
}

/// The screen of the app as text, one line per row (a wide character's second cell skipped).
fn screen_text(app: &cockpit::ui::app::App, width: u16, height: u16) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| cockpit::ui::draw::draw(f, app))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            let mut line = String::new();
            let mut x = 0;
            while let Some(cell) = buffer.cell((x, y)) {
                line.push_str(cell.symbol());
                let w = cockpit::core::sql::display_width(cell.symbol()).max(1);
                x += u16::try_from(w).unwrap_or(1);
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_megabyte_value_and_invalid_utf8_draw_as_readable_markers() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut c, _) = seeded_console(dir.path()).await;
    c.app.zoomed = true;
    // 10 MiB of 'x' (hex of 5 MiB of zero bytes, the zeros replaced), and text that is not
    // UTF-8: 'A', a 0xff byte, 'B'.
    c.edit(
        "select id, replace(hex(zeroblob(5242880)), '0', 'x') as big, \
         cast(x'41ff42' as text) as bad, domain from t_app_dns where id <= 3 order by id",
    )
    .await;
    c.run().await;
    let rows = c.result_rows();
    assert_eq!(rows.len(), 3, "{}", c.message());
    assert_eq!(rows[0][1], Cell::Text("x".repeat(10 << 20)));
    assert_eq!(rows[0][2], Cell::Bytes(vec![0x41, 0xff, 0x42]));

    let screen = screen_text(&c.app, 200, 30);
    assert!(
        screen.contains("xxxx… (10.0 MB) │ 0x41ff42"),
        "the huge value is cut, with its size:\n{screen}"
    );
    assert!(
        screen.contains("0x41ff42"),
        "invalid UTF-8 shows as its bytes in hex:\n{screen}"
    );
    let line = |needle: &str| {
        screen
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle}:\n{screen}"))
            .to_string()
    };
    let bars = |l: String| -> Vec<usize> {
        l.char_indices()
            .filter(|(_, ch)| *ch == '│')
            .map(|(i, _)| cockpit::core::sql::display_width(&l[..i]))
            .collect()
    };
    assert_eq!(
        bars(line("接口.example")),
        bars(line("api-a.example")),
        "{screen}"
    );
    assert!(
        screen
            .lines()
            .all(|l| cockpit::core::sql::display_width(l) <= 200),
        "a line overflows:\n{screen}"
    );
    assert!(c.message().contains("3 row(s) returned"), "{}", c.message());

    // The console goes on, and the journal holds the statement and verifies.
    c.edit("select count(*) as n from t_app_dns").await;
    c.run().await;
    assert_eq!(c.result_rows(), vec![vec![Cell::Int(5)]]);
    let records = c.journal_records().await;
    assert!(records.iter().any(|r| matches!(
        r,
        Record::SqlStatementEnded {
            rows_returned: 3,
            error: None,
            ..
        }
    )));
    c.verify_journal().await;
}

/// The session's `@@sql_safe_updates` as the console reads it.
async fn console_safe_updates(c: &mut Driven) -> Cell {
    c.edit("select @@sql_safe_updates").await;
    c.run().await;
    let rows = c.result_rows();
    match rows.first().and_then(|r| r.first()) {
        Some(Cell::Text(t)) => Cell::Int(t.parse().expect("a number")),
        Some(Cell::UInt(v)) => Cell::Int(i64::try_from(*v).expect("small")),
        Some(cell) => cell.clone(),
        None => panic!("no row: {}", c.message()),
    }
}

/// Issue 11 against the real MariaDB, `t_app_dns.ip` without an index: the statement a playbook
/// step hands over (the same `hand_over_sql` its `Effect::Sql` goes through) flips exactly the
/// dead IP's rows inside the transaction and commits on `c`; the same statement typed by hand
/// is refused by safe updates (with the setting's hint), an UPDATE without WHERE is still
/// refused by cockpit's own guard, and the session has safe updates on again after the step's
/// statement, also after one that failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_runs_the_steps_flip_on_an_unindexed_ip_and_hand_typed_ones_keep_safe_updates() {
    let db = TestDb::create(Kind::Mysql).await;
    seed_unindexed(&db).await;
    let dir = tempfile::tempdir().expect("dir");
    let mut speed = db.database();
    speed.name = "speed".into();
    let mut c = Driven::start(dir.path(), inventory(speed)).await;
    let flip = "update t_app_dns set status=2 where ip=?";

    // Typed by hand: MariaDB's safe updates refuse it, and the message says which setting.
    c.edit(&format!(
        "update t_app_dns set status=2 where ip='{DEAD_IP}'"
    ))
    .await;
    c.run().await;
    let message = c.message();
    assert!(message.contains("ERROR 1175"), "{message}");
    assert!(message.contains("sql_safe_updates"), "{message}");
    assert!(c.transaction().is_none(), "it rolled itself back");
    assert_eq!(flipped(&db).await, 0);

    // Without WHERE: cockpit's own guard asks for the database's name; a wrong one runs nothing.
    c.edit("update t_app_dns set status=2").await;
    c.run().await;
    assert_eq!(c.overlay_name(), Some("SqlDanger"));
    c.type_text("nope").await;
    c.enter().await;
    let records = c.journal_records().await;
    assert!(records.iter().any(|r| matches!(r,
        Record::SqlRefused { reason, .. } if reason.contains("without WHERE"))));
    assert_eq!(flipped(&db).await, 0);

    // The step's statement, its value bound: runs, 4 rows, visible only once committed.
    c.hand_over(flip, &[DEAD_IP], (1, Some(4))).await;
    let tx = c.transaction().expect("transaction open");
    assert_eq!(tx.rows_affected, 4, "{}", c.message());
    assert!(tx.commit_refusal().is_none());
    assert_eq!(flipped(&db).await, 0, "nothing visible before the commit");
    c.key('c').await;
    assert!(c.transaction().is_none());
    assert_eq!(flipped(&db).await, 4, "another connection sees the commit");
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM t_app_dns WHERE status = 2")
            .await,
        4,
        "exactly the dead IP's rows"
    );
    assert_eq!(console_safe_updates(&mut c).await, Cell::Int(1));
    c.edit("SET @cockpit_probe = 1").await;
    c.run().await;
    assert!(
        c.message().contains("no result set · 0 row(s) affected"),
        "{}",
        c.message()
    );

    // A step's statement that fails: safe updates are back on all the same.
    c.hand_over(
        "update t_app_dns set no_such_column=3 where ip=?",
        &[DEAD_IP],
        (1, Some(4)),
    )
    .await;
    assert!(c.message().contains("ERROR 1054"), "{}", c.message());
    assert!(c.transaction().is_none(), "it rolled itself back");
    assert_eq!(console_safe_updates(&mut c).await, Cell::Int(1));

    // And the hand-typed flip is still refused afterwards.
    c.edit(&format!(
        "update t_app_dns set status=3 where ip='{DEAD_IP}'"
    ))
    .await;
    c.run().await;
    assert!(c.message().contains("ERROR 1175"), "{}", c.message());
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM t_app_dns WHERE status = 3")
            .await,
        0
    );
    c.verify_journal().await;
}

/// Issue 11 item 4: a statement without a result set says so where the grid is, with rows
/// *affected* (not "returned"), instead of leaving "No result yet." or the previous grid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_without_a_result_set_says_what_it_did_in_the_grid() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut c, _) = seeded_console(dir.path()).await;
    c.edit("select count(*) as n from t_app_dns").await;
    c.run().await;
    assert_eq!(c.result_rows(), vec![vec![Cell::Int(5)]]);
    assert!(c.message().contains("1 row(s) returned"), "{}", c.message());

    c.edit("update t_app_dns set status = status where id = 1")
        .await;
    c.run().await;
    let message = c.message();
    assert!(
        message.contains("no result set · 1 row(s) affected"),
        "{message}"
    );
    assert!(!message.contains("returned"), "{message}");
    assert!(c.result_rows().is_empty(), "the previous grid is gone");
    c.key('r').await;
    c.app.overlay = None;
    let screen = screen_text(&c.app, 140, 40);
    assert!(
        screen.contains("Statement ran: no result set · 1 row(s) affected"),
        "{screen}"
    );
    assert!(!screen.contains("No result yet."), "{screen}");

    c.edit("select 1 as one").await;
    c.run().await;
    let screen = screen_text(&c.app, 140, 40);
    assert!(!screen.contains("no result set"), "{screen}");
}

/// The adversary's SQLite texts through the console (issue 12): `#` is no comment in SQLite, so
/// the DELETE behind `SELECT #a;` is a statement of its own and needs the typed name, whether
/// the cursor picks it or a step hands over the whole text; what is sent is the picked
/// statement, exactly as judged; and text ending inside a string is refused, never run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_hash_is_no_comment_and_the_console_sends_what_it_judged() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut c, db_path) = seeded_console(dir.path()).await;

    c.edit("SELECT #a; DELETE FROM t_app_dns\nWHERE true").await;
    c.run().await;
    assert_eq!(c.overlay_name(), Some("SqlDanger"));
    c.esc().await;
    assert_eq!(row_count(&db_path, "1=1").await, 5, "nothing deleted");

    c.hand_over(
        "SELECT #a; DELETE FROM t_app_dns\nWHERE true",
        &[],
        (0, None),
    )
    .await;
    assert_eq!(
        c.overlay_name(),
        Some("SqlDanger"),
        "the whole text is judged"
    );
    c.esc().await;
    assert_eq!(row_count(&db_path, "1=1").await, 5, "nothing deleted");

    // The cursor is on the last statement: only it is sent, and it is a read.
    c.edit("SELECT #a; DROP/**/TABLE t_app_dns; SELECT\n1")
        .await;
    c.run().await;
    assert_eq!(c.overlay_name(), None);
    assert_eq!(
        row_count(&db_path, "1=1").await,
        5,
        "the table is still there"
    );
    let records = c.journal_records().await;
    let sent: Vec<&str> = records
        .iter()
        .filter_map(|r| match r {
            Record::SqlStatementStarted { statement, .. } => Some(statement.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(sent, vec!["SELECT\n1"]);

    c.edit("SELECT 'abc; DELETE FROM t_app_dns").await;
    c.run().await;
    assert_eq!(c.overlay_name(), None);
    let records = c.journal_records().await;
    assert!(records.iter().any(|r| matches!(r,
        Record::SqlRefused { reason, .. } if reason.contains("ends inside a string"))));
    assert_eq!(row_count(&db_path, "1=1").await, 5, "nothing deleted");
}

/// An UPDATE whose WHERE matched every row of its table (counted in the same transaction
/// before it ran) says so plainly, and a plain `c` does not commit it: the database's name must
/// be typed. A wrong name commits nothing; an UPDATE of some rows commits with `c` as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_every_row_needs_the_name_typed_to_commit() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut c, db_path) = seeded_console(dir.path()).await;
    c.edit("update t_app_dns set status = 3 where id >= 1")
        .await;
    c.run().await;
    assert_eq!(c.overlay_name(), Some("SqlDecision"));
    let every = c
        .transaction()
        .and_then(|t| t.every_row.clone())
        .expect("every row noticed");
    assert_eq!(every, "this changes every row of t_app_dns (5 of 5)");
    assert!(screen_text(&c.app, 160, 50).contains("this changes every row of t_app_dns (5 of 5)"));
    c.key('c').await;
    assert_eq!(
        c.overlay_name(),
        Some("SqlCommitTyped"),
        "a plain c is not enough"
    );
    c.type_text("nope").await;
    c.enter().await;
    assert!(
        c.message().contains("nothing was committed"),
        "{}",
        c.message()
    );
    assert_eq!(c.overlay_name(), Some("SqlDecision"));
    assert_eq!(row_count(&db_path, "status = 3").await, 0, "not committed");
    c.key('y').await;
    assert_eq!(c.overlay_name(), Some("SqlCommitTyped"));
    c.type_text("speed").await;
    c.enter().await;
    assert!(c.transaction().is_none());
    assert_eq!(row_count(&db_path, "status = 3").await, 5, "committed");

    c.edit("update t_app_dns set status = 4 where id = 1").await;
    c.run().await;
    assert_eq!(c.overlay_name(), Some("SqlDecision"));
    assert_eq!(c.transaction().and_then(|t| t.every_row.clone()), None);
    c.key('c').await;
    assert!(c.transaction().is_none(), "committed with c");
    assert_eq!(row_count(&db_path, "status = 4").await, 1);
}
