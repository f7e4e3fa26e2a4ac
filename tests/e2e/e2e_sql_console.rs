//! The SQL console of the real `cockpit` binary in tmux, against the real test MariaDB: live
//! mode with an inventory of one database and no hosts, its password in a file. A SELECT
//! fills the grid (CJK aligned, NULL shown as ∅ apart from the text 'NULL'); seed 001's flip
//! asks "Commit or roll back?" with the rows affected and commits only on `c` (checked from a
//! direct connection); an UPDATE without WHERE (or with `WHERE 1=1`) runs only once the
//! database's name is typed; a `SELECT SLEEP(600)` (confirmed by name: SLEEP is no pure
//! function) is cancelled from the console with `x`,
//! stops on the server, and the console goes on. The journal holds every step and verifies.

use crate::support::dbservers;
use crate::support::tmux;

use cockpit::core::sql::display_width;
use dbservers::{Kind, TestDb};
use tmux::{
    REACT, STARTUP, Sandbox, Session, assert_journal_well_formed, assert_kinds_in_order,
    assert_verifies, dump, read_journal,
};

const DEAD_IP: &str = "198.51.100.86";

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The `speed` database: three rows, one with a CJK domain and a NULL note, one whose note is
/// the text 'NULL'.
async fn seed(db: &TestDb) {
    db.exec(&format!(
        "CREATE TABLE t_app_dns (id INT AUTO_INCREMENT PRIMARY KEY, domain VARCHAR(100),
           ip VARCHAR(45), status INT, note VARCHAR(20), KEY (ip)) DEFAULT CHARSET = utf8mb4;
         INSERT INTO t_app_dns (domain, ip, status, note) VALUES
           ('api-a.example', '{DEAD_IP}', 1, 'NULL'),
           ('接口.example', '{DEAD_IP}', 1, NULL),
           ('api-c.example', '198.51.100.47', 1, 'ok');"
    ))
    .await;
}

/// The terminal column of every `│` on the screen line holding `needle`.
fn separators(screen: &str, needle: &str) -> Vec<usize> {
    let line = screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}:\n{screen}"));
    line.char_indices()
        .filter(|(_, c)| *c == '│')
        .map(|(i, _)| display_width(&line[..i]))
        .collect()
}

/// Types a statement on a new line of the editor (after a `;` ending the one before) and runs
/// it with F5: the statement under the cursor.
fn run_next(s: &Session, sql: &str) {
    s.type_text(";");
    s.keys(&["Enter"]);
    s.type_text(sql);
    s.keys(&["F5"]);
}

/// Esc, and waits until the editor lets go of the keys (an Esc and a key sent together would
/// reach cockpit as Alt+key).
fn leave_editor(s: &Session) {
    s.keys(&["Escape"]);
    s.wait_for("the editor to let go", REACT, |sc| {
        sc.contains("Enter edits")
    });
}

#[test]
fn the_console_against_mariadb_in_tmux() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let db = rt.block_on(TestDb::create(Kind::Mysql));
    rt.block_on(seed(&db));
    let count = |sql: &str| rt.block_on(db.scalar(sql));
    let sandbox = Sandbox::new("sql-console");
    let config = sandbox.root.join("config");
    std::fs::create_dir_all(&config).expect("config dir");
    let mut url = db.url.clone();
    let _ = url.set_password(None);
    std::fs::write(
        config.join("inventory.toml"),
        format!(
            "[settings]\nsql_statement_timeout_secs = 600\n\n\
             [[databases]]\nname = \"speed\"\ndriver = \"mysql\"\nurl = {url}\npassword_file = {pw}\n",
            url = quoted(url.as_str()),
            pw = quoted(&db.password_file.path().display().to_string()),
        ),
    )
    .expect("write inventory");
    let config_arg = config.display().to_string();
    let s = sandbox.start_cockpit(140, 40, false, &["--config", &config_arg]);
    s.wait_for("the SQL pane with the `speed` database", STARTUP, |sc| {
        sc.contains("4 SQL") && sc.contains("speed mysql") && sc.contains("0 hosts")
    });

    // A SELECT fills the grid: CJK aligned, NULL apart from 'NULL'.
    s.keys(&["4", "z", "Enter"]);
    s.wait_for("the editor", REACT, |sc| sc.contains("editing · F5 runs"));
    s.type_text("SELECT id, domain, note FROM t_app_dns ORDER BY id");
    s.keys(&["F5"]);
    let screen = s.wait_for("the rows", REACT, |sc| sc.contains("3 row(s) returned"));
    let ascii = separators(&screen, "api-a.example");
    assert_eq!(ascii.len(), 2, "{screen}");
    assert_eq!(
        separators(&screen, "接口.example"),
        ascii,
        "CJK row misaligned:\n{screen}"
    );
    assert_eq!(separators(&screen, "api-c.example"), ascii, "{screen}");
    let line = |needle: &str| {
        screen
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line("api-a.example").contains("NULL") && !line("api-a.example").contains('∅'),
        "{screen}"
    );
    assert!(
        line("接口.example").contains('∅') && !line("接口.example").contains("NULL"),
        "{screen}"
    );

    // Seed 001's flip: asks, shows the rows affected, commits only on `c`.
    run_next(
        &s,
        &format!("UPDATE t_app_dns SET status=2 WHERE ip='{DEAD_IP}'"),
    );
    s.wait_for("the commit-or-rollback dialog", REACT, |sc| {
        sc.contains("Commit or roll back?") && sc.contains("2 row(s) affected")
    });
    let flipped = "SELECT COUNT(*) FROM t_app_dns WHERE status = 2";
    assert_eq!(count(flipped), 0, "visible before the commit");
    s.keys(&["c"]);
    s.wait_for("the commit", REACT, |sc| {
        sc.contains("committed (2 row(s))")
    });
    assert_eq!(count(flipped), 2, "committed");

    // Every row: refused unless the database's name is typed.
    let noted = "SELECT COUNT(*) FROM t_app_dns WHERE note = 'x'";
    run_next(&s, "UPDATE t_app_dns SET note='x' LIMIT 100");
    s.wait_for("the dangerous-statement dialog", REACT, |sc| {
        sc.contains("Dangerous statement: confirm") && sc.contains("UPDATE without WHERE")
    });
    s.type_text("nope");
    s.keys(&["Enter"]);
    s.wait_for("the refusal", REACT, |sc| {
        sc.contains("refused, nothing ran") && sc.contains("`nope` typed")
    });
    assert_eq!(count(noted), 0, "a refused statement ran");
    s.keys(&["F5"]);
    s.wait_for("the dialog again", REACT, |sc| {
        sc.contains("Dangerous statement: confirm")
    });
    s.type_text("speed");
    s.keys(&["Enter"]);
    s.wait_for("the confirmed update to ask", REACT, |sc| {
        sc.contains("Commit or roll back?") && sc.contains("3 row(s) affected")
    });
    s.keys(&["r"]);
    s.wait_for("the rollback", REACT, |sc| sc.contains("rolled back"));
    assert_eq!(count(noted), 0, "rolled back");
    run_next(&s, "DELETE FROM t_app_dns WHERE 1=1");
    s.wait_for("the tautology refused", REACT, |sc| {
        sc.contains("DELETE whose WHERE is always true")
    });
    s.keys(&["Escape"]);
    s.wait_for("the refusal", REACT, |sc| sc.contains("cancelled"));
    assert_eq!(count("SELECT COUNT(*) FROM t_app_dns"), 3);

    // A statement that never returns: cancelled from the console, stopped on the server.
    let sleeping = format!(
        "SELECT COUNT(*) FROM information_schema.processlist \
         WHERE db = '{}' AND info LIKE 'SELECT SLEEP(600)%'",
        db.name
    );
    // SLEEP is not on the list of functions known to change nothing: it asks first.
    run_next(&s, "SELECT SLEEP(600) AS long_wait");
    s.wait_for("the guard to ask about SLEEP", REACT, |sc| {
        sc.contains("Dangerous statement: confirm") && sc.contains("SLEEP()")
    });
    s.type_text("speed");
    s.keys(&["Enter"]);
    s.wait_for_re(r"running \d", REACT);
    assert_eq!(count(&sleeping), 1, "the sleep runs on the server");
    leave_editor(&s);
    s.keys(&["x"]);
    s.wait_for("the cancel", REACT, |sc| {
        sc.contains("the statement was cancelled")
    });
    assert_eq!(count(&sleeping), 0, "the server still runs it");
    s.keys(&["Enter"]);
    run_next(
        &s,
        "SELECT COUNT(*) AS flipped_rows FROM t_app_dns WHERE status = 2",
    );
    let screen = s.wait_for("the console to answer again", REACT, |sc| {
        sc.contains("1 row(s) returned") && sc.contains("flipped_rows")
    });
    assert!(
        screen
            .lines()
            .any(|l| l.trim_matches(['┃', ' ']).trim() == "2"),
        "{screen}"
    );

    leave_editor(&s);
    s.keys(&["q"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");

    let rows = read_journal(&sandbox.journal);
    assert_journal_well_formed(&rows);
    assert_kinds_in_order(
        &rows,
        &[
            "sql_statement_started",
            "sql_statement_ended",
            "sql_statement_started",
            "sql_statement_ended",
            "sql_transaction_ending",
            "sql_transaction_ended",
            "sql_refused",
        ],
    );
    let committed = rows
        .iter()
        .find(|r| r.kind == "sql_transaction_ended")
        .unwrap_or_else(|| panic!("no transaction end:\n{}", dump(&rows)));
    assert_eq!(committed.body["committed"], true, "{}", dump(&rows));
    assert!(
        rows.iter().any(|r| r.kind == "sql_statement_started"
            && r.body["statement"]
                .as_str()
                .is_some_and(|t| t.contains("SET status=2"))
            && r.body["transaction"] == true),
        "{}",
        dump(&rows)
    );
    let ended: Vec<_> = rows
        .iter()
        .filter(|r| r.kind == "sql_transaction_ended")
        .map(|r| r.body["committed"].clone())
        .collect();
    assert_eq!(
        ended,
        [serde_json::json!(true), serde_json::json!(false)],
        "{}",
        dump(&rows)
    );
    let password = std::fs::read_to_string(db.password_file.path()).expect("password");
    assert!(
        rows.iter().all(|r| !r
            .body
            .to_string()
            .contains(&format!(":{}@", password.trim()))),
        "a password in the journal"
    );
    assert_verifies(&sandbox.journal, rows.len());
}
