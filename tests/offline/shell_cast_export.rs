//! `cockpit journal export --format asciicast --session N` through the real binary, on a
//! journal written through the store with shells the real recorder recorded: one shell's
//! cast, line by line; a wrong number lists the shells; `--session` where it means nothing.

use crate::support::journal_files::{
    DRILL, UNECHOED_PASSWORD, cockpit, rt, shell_records, write_records,
};
use serde_json::Value;
use std::path::PathBuf;

/// A journal of [`shell_records`] (opened 2026-11-22T16:03:07.412Z, 1 ms apart).
fn shell_journal() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shells.db");
    rt().block_on(write_records(&path, 1_795_363_387_412, &shell_records()));
    (dir, path)
}

fn export(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["journal", "export"];
    all.extend_from_slice(args);
    cockpit(&all)
}

#[test]
fn one_shell_exports_as_an_asciicast_v2_of_its_own_screen() {
    let (_dir, journal) = shell_journal();
    let journal = journal.to_str().unwrap();
    let (code, cast, err) = export(&[journal, "--format", "asciicast", "--session", "1"]);
    assert_eq!((code, err.as_str()), (0, ""), "{err}");
    let mut lines = cast.lines();
    let header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(
        header,
        serde_json::json!({
            "version": 2,
            "width": 120,
            "height": 40,
            "timestamp": 1_795_363_387,
            "title": "shell 1 on web-1",
            "env": {"TERM": "xterm-256color"},
        })
    );
    let mut screen = String::new();
    let mut last_time = 0.0;
    let mut codes = Vec::new();
    for line in lines {
        let (time, code, data): (f64, String, String) =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(time >= last_time, "time went back at {line}");
        last_time = time;
        if code == "o" {
            screen.push_str(&data);
        }
        codes.push(code);
    }
    assert!(screen.contains("\r\nshell-ok\r\n"), "{cast}");
    assert!(screen.contains("exit\r\nlogout\r\n"), "{cast}");
    assert!(
        !screen.contains("db-1"),
        "shell 2's screen stays out: {cast}"
    );
    assert!(!cast.contains(UNECHOED_PASSWORD), "{cast}");
    assert!(codes.contains(&"i".to_string()) && codes.contains(&"r".to_string()));
    assert!(cast.contains(r#","r","100x30"]"#), "{cast}");

    // To a file, said on standard error.
    let target = _dir.path().join("shell-1.cast");
    let target_arg = target.to_str().unwrap();
    let (code, out, err) = export(&[
        journal,
        "--format",
        "asciicast",
        "--session",
        "1",
        "--output",
        target_arg,
    ]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    let events = cast.lines().count() - 1;
    assert_eq!(
        err,
        format!("exported shell 1 ({events} events) of {journal} to {target_arg}.\n")
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), cast);

    // The other shell has its own header and screen.
    let (code, cast, err) = export(&[journal, "--format", "asciicast", "--session", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(cast.starts_with(r#"{"version":2,"width":120,"height":40,"timestamp":1795363387,"title":"shell 2 on db-1","#), "{cast}");
    assert!(cast.contains("db-1 ready: 日本語"), "{cast}");
}

#[test]
fn an_unknown_shell_is_refused_with_the_list_of_shells() {
    let (dir, journal) = shell_journal();
    let journal = journal.to_str().unwrap();
    let target = dir.path().join("shell.cast");
    let (code, out, err) = export(&[
        journal,
        "--format",
        "asciicast",
        "--session",
        "7",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(
        err,
        "error: no shell 7 in the verified entries of this journal; it opens shell 1 on web-1 (opened 2026-11-22T16:03:07.412Z), shell 2 on db-1 (opened 2026-11-22T16:03:07.414Z)\n"
    );
    assert!(!target.exists(), "a refused export writes nothing");

    let (code, out, err) = export(&[DRILL, "--format", "asciicast", "--session", "1"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(
        err,
        "error: no shell 1 in the verified entries of this journal; it opens no shells\n"
    );
}

#[test]
fn session_is_for_one_shell_s_asciicast_only() {
    let (_dir, journal) = shell_journal();
    let journal = journal.to_str().unwrap();
    let (code, out, err) = export(&[journal, "--format", "jsonl", "--session", "1"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(
        err,
        "error: --session picks one recorded shell for --format asciicast; a jsonl export holds every entry (limit it with --incident ID)\n"
    );
    let (code, _, err) = export(&[
        journal,
        "--format",
        "asciicast",
        "--session",
        "1",
        "--incident",
        "INC-1",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("'--session <N>' cannot be used with '--incident <ID>'"),
        "{err}"
    );
    let (code, _, err) = export(&[journal, "--format", "asciicast", "--session", "one"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("invalid value 'one' for '--session <N>'"),
        "{err}"
    );
}
