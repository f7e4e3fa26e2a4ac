//! `cockpit report` and `cockpit stats` through the real binary, on copies of a real drill's
//! journal (tests/fixtures/journals/drill-seed001.db): good journals give a post-mortem, bad
//! ones a clear refusal with exit status 2 and never a panic; `--force` marks the report
//! UNVERIFIED and a torn last entry is reported, not hidden.

use crate::support::journal_files;

use crate::support::runtime::current_thread_rt as rt;
use cockpit::core::redact::Redactor;
use cockpit::io::journal_store::JournalStore;
use journal_files::{drill_copy_named, foreign_sqlite};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const INCIDENT: &str = "INC-20261121-2026";

/// Runs `cockpit ARGS` in `dir` with an empty home, so no user config leaks in.
fn cockpit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .output()
        .expect("run cockpit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A copy of the drill journal changed by `sql`.
fn tampered(dir: &Path, name: &str, sql: &'static str) -> PathBuf {
    drill_copy_named(dir, name, Some(sql))
}

/// Asserts `text` holds every expected piece.
fn assert_contains(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "missing {e:?} in:\n{text}");
    }
}

/// Asserts `cockpit ARGS` refuses with exit status 2 and names the problem.
fn assert_refused(dir: &Path, args: &[&str], expected: &[&str]) {
    let out = cockpit(dir, args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}; stderr:\n{err}");
    assert_contains(&err, expected);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        stdout(&out).is_empty(),
        "nothing is reported: {}",
        stdout(&out)
    );
}

#[test]
fn a_drill_journal_gives_its_post_mortem_in_markdown_and_html() {
    let dir = tempfile::tempdir().expect("dir");
    drill_copy_named(dir.path(), "drill.db", None);
    let out = cockpit(dir.path(), &["report", "drill.db"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = stdout(&out);
    assert!(
        md.starts_with("# Post-mortem: Primary application server down\n"),
        "{md}"
    );
    assert!(
        md.contains("**Verified.** All 87 entries of drill.db chain"),
        "{md}"
    );
    assert!(
        md.contains("primary unreachable, DBA paged; 主库无法连接"),
        "{md}"
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    let out = cockpit(
        dir.path(),
        &[
            "report",
            "drill.db",
            "--format",
            "html",
            "--output",
            "pm.html",
            "--incident",
            INCIDENT,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains(&format!("wrote the post-mortem of {INCIDENT} to pm.html")),
        "{}",
        stderr(&out)
    );
    let html = std::fs::read_to_string(dir.path().join("pm.html")).expect("html written");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<h1>Post-mortem: Primary application server down</h1>"));
}

#[test]
fn an_unknown_incident_is_refused_with_the_ids_the_journal_holds() {
    let dir = tempfile::tempdir().expect("dir");
    drill_copy_named(dir.path(), "drill.db", None);
    assert_refused(
        dir.path(),
        &["report", "drill.db", "--incident", "INC-1"],
        &[&format!(
            "drill.db: no incident INC-1 in this journal; it holds: {INCIDENT}"
        )],
    );
}

#[test]
fn files_that_are_not_usable_journals_are_refused_clearly() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    assert_refused(
        d,
        &["report", "missing.db"],
        &["missing.db: no such journal file"],
    );

    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(d.join("noise.db"), noise).expect("write");
    assert_refused(
        d,
        &["report", "noise.db"],
        &["noise.db: not a cockpit journal (not a SQLite database)"],
    );

    foreign_sqlite(&d.join("other.db"));
    assert_refused(
        d,
        &["report", "other.db"],
        &["other.db: not a cockpit journal (no cockpit metadata table)"],
    );

    rt().block_on(async {
        let (store, _) = JournalStore::open(&d.join("empty.db"), true, Redactor::default())
            .await
            .expect("create");
        store.close().await;
    });
    assert_refused(
        d,
        &["report", "empty.db"],
        &["empty.db: the journal is empty (no entries yet)"],
    );

    tampered(
        d,
        "newer.db",
        "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
    );
    assert_refused(
        d,
        &["report", "newer.db"],
        &[
            "newer.db: journal schema 99 is newer than this cockpit understands (2); upgrade cockpit",
        ],
    );

    let cut = drill_copy_named(d, "cut.db", None);
    let len = std::fs::metadata(&cut).expect("size").len();
    std::fs::File::options()
        .write(true)
        .open(&cut)
        .and_then(|f| f.set_len(len * 3 / 4))
        .expect("truncate");
    assert_refused(
        d,
        &["report", "cut.db"],
        &[
            "cut.db: not a cockpit journal (the SQLite file is damaged (database disk image is malformed): truncated or overwritten",
        ],
    );
}

#[test]
fn tampering_is_refused_and_forcing_marks_the_report_unverified() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let cases: [(&str, &'static str, &str); 3] = [
        (
            "changed.db",
            "UPDATE entries SET body = replace(body, 'DBA paged', 'DBA payed') WHERE seq = 4",
            "chain broken at entry #4: content does not match its hash",
        ),
        (
            "deleted.db",
            "DELETE FROM entries WHERE seq = 40",
            "chain broken at entry #41: expected entry #40 here",
        ),
        (
            "swapped.db",
            "UPDATE entries SET seq = -1 WHERE seq = 40; UPDATE entries SET seq = 40 WHERE seq = 41; UPDATE entries SET seq = 41 WHERE seq = -1;",
            "chain broken at entry #40: content does not match its hash",
        ),
    ];
    for (name, sql, brk) in cases {
        tampered(d, name, sql);
        assert_refused(
            d,
            &["report", name],
            &[
                &format!("{name}: journal {brk}"),
                "refusing to use it",
                "Pass --force",
            ],
        );
    }

    let out = cockpit(d, &["report", "changed.db", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_contains(
        &stdout(&out),
        &[
            "\n> **UNVERIFIED.** This journal's hash chain is broken at entry #4",
            "84 of the 87 stored entries are left out",
            // Only the 3 verified entries count.
            "**not resolved**",
        ],
    );
    assert_contains(
        &stderr(&out),
        &["warning: changed.db: UNVERIFIED: chain broken at entry #4"],
    );
    let out = cockpit(d, &["report", "deleted.db", "--force", "--format", "html"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("<div class=\"notice alarm\"><strong>UNVERIFIED.</strong>"));
}

#[test]
fn a_torn_last_entry_is_reported_not_hidden() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    tampered(
        d,
        "torn.db",
        "UPDATE entries SET body = substr(body, 1, 20) WHERE seq = 87",
    );
    let out = cockpit(d, &["report", "torn.db"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_contains(
        &stdout(&out),
        &[
            "\n> **Torn last entry.** The journal's last entry was cut short",
            "86 of 87 entries of torn.db verify; the last is torn: entry #87",
            // The entries before it are used.
            "**incident resolved**",
        ],
    );
    assert_contains(&stderr(&out), &["note: torn.db: the last entry is torn"]);
}

#[test]
fn stats_count_the_good_journals_and_name_the_bad_ones() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    drill_copy_named(d, "drill.db", None);
    tampered(
        d,
        "changed.db",
        "UPDATE entries SET body = replace(body, 'DBA paged', 'DBA payed') WHERE seq = 4",
    );
    std::fs::write(d.join("notes.txt"), "not a journal ".repeat(100)).expect("write");

    let out = cockpit(d, &["stats", "drill.db", "changed.db", "notes.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("drill.db    1 incident  verified"), "{text}");
    assert!(
        text.contains("changed.db  not used    refused: chain broken at entry #4"),
        "{text}"
    );
    assert!(
        text.contains("notes.txt   not used    not a journal (not a SQLite database)"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{INCIDENT}  drill.db  P0 → P1   2026-11-21T20:26:16Z  2.9 s   395 ms   5.9 s     7.1 s"
        )),
        "{text}"
    );
    assert!(
        text.contains(
            "  P0        1          0           7.1 s  7.1 s        2.9 s  395 ms   5.9 s"
        ),
        "{text}"
    );
    assert!(
        stderr(&out).contains("error: changed.db: journal chain broken"),
        "{}",
        stderr(&out)
    );

    let out = cockpit(
        d,
        &[
            "stats",
            "drill.db",
            "changed.db",
            "--force",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(
        json["journals"][1]["state"],
        "UNVERIFIED (forced): chain broken at entry #4: content does not match its hash (changed after it was written); 3 of 87 used"
    );
    assert_eq!(
        json["incidents"].as_array().map(Vec::len),
        Some(1),
        "{json}"
    );
    assert_eq!(json["duplicates"][0]["counted_from"], "drill.db");
    assert_eq!(json["incidents"][0]["time_to_resolve_ms"], 7158);
    assert_eq!(json["by_severity_at_opening"][0]["severity"], "P0");

    assert_refused(
        d,
        &["stats", "changed.db", "notes.txt"],
        &[
            "none of the 2 journal(s) given could be used",
            "notes.txt: not a cockpit journal",
        ],
    );
}
