//! Secrets off the screen, and paste that presses no keys: the real `cockpit` binary in tmux.
//!
//! Every secret form of the redaction corpus is put where an operator's session carries it —
//! in SQL steps of a playbook (their `$ …` header and output), in a note, in a statement of the
//! SQL console and in the error the server answers with — and then looked for on the screen
//! after each step, in the journal file's raw bytes, the log file, the SQL history, the report
//! (Markdown and HTML) and the exports (JSONL and asciicast). Ordinary runbook lines travel the
//! same way and must arrive unchanged.
//!
//! Pasting `Restart go-api` and a line break on the main screen must press no key (it used to
//! press `R` and resolve the incident); a paste into the SQL editor keeps its lines.

use crate::support::redaction;
use crate::support::tmux;

use std::path::{Path, PathBuf};
use tmux::{
    REACT, STARTUP, Sandbox, Session, assert_verifies, cockpit_stdout, create_empty_wal_database,
    dump, read_journal,
};

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Cases a SQL step can carry in comments (a `{{…}}` would be taken for a placeholder).
fn step_cases() -> Vec<redaction::Case> {
    redaction::corpus()
        .into_iter()
        .filter(|c| !c.text.contains("{{"))
        .collect()
}

/// A config folder: one SQLite database `vault`, and a playbook whose SQL steps carry the
/// corpus, eight cases a step, as comments of their statement; then a step done by hand.
fn write_config(sandbox: &Sandbox, chunks: &[Vec<redaction::Case>]) -> PathBuf {
    let config = sandbox.root.join("config");
    std::fs::create_dir_all(config.join("playbooks")).expect("config dir");
    let db = sandbox.root.join("vault.db");
    create_empty_wal_database(&db);
    std::fs::write(
        config.join("inventory.toml"),
        format!(
            "[[databases]]\nname = \"vault\"\ndriver = \"sqlite\"\nurl = {}\n",
            quoted(&format!("sqlite://{}", db.display()))
        ),
    )
    .expect("write inventory");
    let mut playbook = String::from(
        "id = \"leaks\"\ntitle = \"Credentials in commands\"\nseverity = \"P2\"\nrto_minutes = 30\n",
    );
    for (n, chunk) in chunks.iter().enumerate() {
        let comments: String = chunk
            .iter()
            .map(|c| {
                c.text
                    .lines()
                    .map(|l| format!("-- {l}\n"))
                    .collect::<String>()
            })
            .collect();
        let sql = format!("SELECT 'chunk {n}' AS chunk\n{comments}");
        playbook.push_str(&format!(
            "\n[[steps]]\nid = \"chunk-{n}\"\ntitle = \"Chunk {n}\"\nkind = \"sql\"\ndatabase = \"vault\"\nsql = {}\n",
            quoted(&sql)
        ));
    }
    playbook
        .push_str("\n[[steps]]\nid = \"restart\"\ntitle = \"Restart go-api\"\nkind = \"manual\"\n");
    std::fs::write(config.join("playbooks/leaks.toml"), playbook).expect("write playbook");
    config
}

/// Starts cockpit on the config and opens an incident of the one playbook.
fn start_with_incident(sandbox: &Sandbox, config: &Path) -> Session {
    let config_arg = config.display().to_string();
    let s = sandbox.start_cockpit(160, 50, false, &["--config", &config_arg]);
    s.wait_for("the SQL pane with the `vault` database", STARTUP, |sc| {
        sc.contains("vault sqlite") && sc.contains("0 hosts")
    });
    s.keys(&["o"]);
    s.wait_for("the open-incident form", REACT, |sc| {
        sc.contains("Open an incident")
    });
    s.keys(&["Enter"]);
    s.wait_for("the incident opened", REACT, |sc| sc.contains("opened"));
    s
}

fn quit(s: &Session) {
    s.keys(&["q"]);
    s.wait_for("the quit question", REACT, |sc| {
        sc.contains("Quit cockpit?")
    });
    s.keys(&["y"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
}

/// Runs cockpit with arguments, returning its standard output; fails on a non-zero exit.
/// The journal's bytes on disk, its write-ahead log included.
fn journal_bytes(path: &Path) -> String {
    let mut bytes = std::fs::read(path).expect("read the journal");
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    if let Ok(more) = std::fs::read(wal) {
        bytes.extend(more);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn files_under(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("entry").path();
        text.push_str(&std::fs::read_to_string(&path).expect("read"));
    }
    text
}

#[test]
fn secrets_never_reach_screen_journal_log_history_report_or_exports() {
    let cases = step_cases();
    let chunks: Vec<Vec<redaction::Case>> = cases.chunks(8).map(<[_]>::to_vec).collect();
    let sandbox = Sandbox::new("redaction");
    let config = write_config(&sandbox, &chunks);
    let s = start_with_incident(&sandbox, &config);
    s.keys(&["z"]);

    // Each SQL step: its `$ …` header, its statement and its output on the screen.
    let total = chunks.len() + 1;
    for n in 0..chunks.len() {
        s.keys(&["Enter"]);
        let needle = format!("· {}/{total} done", n + 1);
        let screen = s.wait_for(&format!("step chunk-{n} done"), REACT, |sc| {
            sc.contains(&needle) || sc.contains("Run this step?") || sc.contains("Commit or roll")
        });
        assert!(
            screen.contains(&needle),
            "step chunk-{n} did not finish:\n{screen}"
        );
        redaction::assert_no_secret(&format!("the screen after step chunk-{n}"), &screen);
        // The finished step selected again shows its run: the `$ …` header and the output.
        s.keys(&["Up"]);
        let screen = s.wait_for(&format!("the output of chunk-{n}"), REACT, |sc| {
            sc.contains(&format!("step chunk-{n} ")) && sc.contains("$ SELECT")
        });
        redaction::assert_no_secret(&format!("the output of step chunk-{n}"), &screen);
        s.keys(&["Down"]);
        s.wait_for("the next step selected", REACT, |sc| {
            sc.contains(&format!("step chunk-{} ", n + 1)) || sc.contains("step restart ")
        });
    }
    s.keys(&["z"]);

    // A note, pasted (one line: the corpus joined).
    let note: String = cases
        .iter()
        .map(|c| c.text.replace('\n', " "))
        .collect::<Vec<_>>()
        .join(" | ");
    s.keys(&["n"]);
    s.wait_for("the note prompt", REACT, |sc| {
        sc.contains("Add a note to the journal")
    });
    s.paste(&note);
    s.wait_for("the pasted note", REACT, |sc| sc.contains("ok15.conf"));
    s.keys(&["Enter"]);
    let screen = s.wait_for("the note prompt closed", REACT, |sc| {
        !sc.contains("Add a note to the journal")
    });
    redaction::assert_no_secret("the screen after the note", &screen);

    // The SQL console: a statement naming a table after the corpus; the server's error
    // quotes it back.
    let table = note.replace([';', '`'], " ");
    s.keys(&["4", "Enter"]);
    s.wait_for("the editor", REACT, |sc| sc.contains("editing · F5 runs"));
    // The editor holds the last step's statement: a new line, after a `;`.
    s.paste(&format!("\n;\nSELECT * FROM `{table}`"));
    s.keys(&["F5"]);
    s.wait_for("the server's error", REACT, |sc| {
        sc.contains("no such table")
    });
    s.keys(&["Escape"]);
    let screen = s.wait_for("the editor let go", REACT, |sc| sc.contains("Enter edits"));
    redaction::assert_no_secret("the SQL console", &screen);
    assert!(screen.contains("no such table"), "{screen}");
    quit(&s);

    let journal = &sandbox.journal;
    let rows = read_journal(journal);
    assert!(dump(&rows).contains("NoteAdded") || dump(&rows).contains("note_added"));
    assert_verifies(journal, rows.len());
    let raw = journal_bytes(journal);
    redaction::assert_no_secret("the journal file", &raw);
    redaction::assert_plain_kept("the journal file", &raw, &cases);

    let log = std::fs::read_to_string(&sandbox.log).expect("read the log file");
    assert!(
        log.contains("failed: "),
        "the SQL failure was not logged:\n{log}"
    );
    redaction::assert_no_secret("the log file", &log);

    let history = files_under(&journal.parent().expect("dir").join("sql-history"));
    assert!(history.contains("SELECT * FROM"), "{history}");
    redaction::assert_no_secret("the SQL history", &history);

    let j = journal.display().to_string();
    for (what, args) in [
        ("the Markdown report", vec!["report", &j, "--format", "md"]),
        ("the HTML report", vec!["report", &j, "--format", "html"]),
        (
            "the JSONL export",
            vec!["journal", "export", &j, "--format", "jsonl"],
        ),
        (
            "the asciicast export",
            vec!["journal", "export", &j, "--format", "asciicast"],
        ),
    ] {
        let out = cockpit_stdout(&args);
        assert!(out.len() > 100, "{what} is empty:\n{out}");
        redaction::assert_no_secret(what, &out);
    }
}

#[test]
fn a_paste_on_the_main_screen_presses_no_keys() {
    let sandbox = Sandbox::new("paste-keys");
    let config = write_config(&sandbox, &[]);
    let s = start_with_incident(&sandbox, &config);
    s.paste("Restart go-api\n");
    let screen = s.wait_for("the paste refused", REACT, |sc| {
        sc.contains("paste ignored: no text field has focus")
    });
    assert!(!screen.contains("Resolve the incident"), "{screen}");
    assert!(screen.contains("0/1 done"), "a step was ticked:\n{screen}");

    // The same text pasted into a note goes there, its line break not taken for Enter.
    s.keys(&["n"]);
    s.wait_for("the note prompt", REACT, |sc| {
        sc.contains("Add a note to the journal")
    });
    s.paste("Restart go-api\n");
    s.wait_for("the pasted note", REACT, |sc| {
        sc.contains("> Restart go-api")
    });
    s.keys(&["Enter"]);
    s.wait_for("the note journaled", REACT, |sc| {
        !sc.contains("Add a note to the journal")
    });
    quit(&s);
    let rows = read_journal(&sandbox.journal);
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    assert!(
        !kinds
            .iter()
            .any(|k| k.contains("resolved") || k.contains("ticked")),
        "{}",
        dump(&rows)
    );
    assert!(dump(&rows).contains("Restart go-api"), "{}", dump(&rows));
}

#[test]
fn multi_line_sql_pasted_into_the_editor_arrives_intact() {
    let sandbox = Sandbox::new("paste-sql");
    let config = write_config(&sandbox, &[]);
    let config_arg = config.display().to_string();
    let s = sandbox.start_cockpit(140, 40, false, &["--config", &config_arg]);
    s.wait_for("the SQL pane", STARTUP, |sc| sc.contains("vault sqlite"));
    s.keys(&["4", "Enter"]);
    s.wait_for("the editor", REACT, |sc| sc.contains("editing · F5 runs"));
    s.paste("SELECT 'pasted' AS first_col,\n\t42 AS second_col\nFROM (SELECT 1) AS t");
    let screen = s.wait_for("the three lines", REACT, |sc| {
        sc.contains("FROM (SELECT 1) AS t")
    });
    let lines: Vec<&str> = screen.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} on screen:\n{screen}"))
    };
    let (a, b, c) = (
        at("SELECT 'pasted' AS first_col,"),
        at("42 AS second_col"),
        at("FROM (SELECT 1) AS t"),
    );
    assert_eq!((b, c), (a + 1, a + 2), "lines out of order:\n{screen}");
    s.keys(&["F5"]);
    s.wait_for("the row", REACT, |sc| sc.contains("1 row(s) returned"));
    s.keys(&["Escape"]);
    s.wait_for("the editor let go", REACT, |sc| sc.contains("Enter edits"));
    s.keys(&["q"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
}
