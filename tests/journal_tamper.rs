//! Tampered and bad journals through the real binary: `cockpit journal verify` names what is
//! wrong with the right exit status, `cockpit journal export` refuses without `--force` and
//! marks the output with it, and `--expect-head` catches even edits that re-seal the chain.

#[path = "support/journal_files.rs"]
mod journal_files;

use cockpit::core::journal::entry_hash;
use journal_files::{
    DRILL, cockpit, drill_copy, empty_journal, foreign_sqlite, rt, tamper, tampered,
};
use serde_json::Value;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row};
use std::path::Path;

/// The hash of the drill's `incident_resolved` entry (#86): its head at resolve time.
const RESOLVE_HEAD: &str = "75c6375fb8b72045d6a3ed80486d382375e3a097da69f2ce64f7660a68346b5e";

fn verify(path: &Path, extra: &[&str]) -> (i32, String, String) {
    let p = path.to_string_lossy();
    let mut args = vec!["journal", "verify", &p];
    args.extend_from_slice(extra);
    cockpit(&args)
}

fn export(path: &Path, extra: &[&str]) -> (i32, String, String) {
    let p = path.to_string_lossy();
    let mut args = vec!["journal", "export", &p, "--format", "jsonl"];
    args.extend_from_slice(extra);
    cockpit(&args)
}

fn header(export: &str) -> Value {
    serde_json::from_str(export.lines().next().unwrap_or_default()).expect("header line")
}

/// One way of tampering with the drill journal and what must be said about it.
struct Case {
    what: &'static str,
    sql: &'static str,
    /// `verify`'s verdict line.
    verdict: &'static str,
    /// Entries that still verify.
    intact: usize,
    /// The break as the refusal names it.
    brk: &'static str,
}

const TAMPERED: [Case; 3] = [
    Case {
        what: "a byte changed",
        sql: "UPDATE entries SET body = replace(body, 'DBA paged', 'DBA pagec') WHERE seq = 4",
        verdict: "BROKEN: entry #4: content does not match its hash (modified, or torn by a crash)",
        intact: 3,
        brk: "entry #4: content does not match its hash (modified, or torn by a crash)",
    },
    Case {
        what: "an entry deleted",
        sql: "DELETE FROM entries WHERE seq = 40",
        verdict: "BROKEN: entry #41: expected entry #40 here (entries missing)",
        intact: 39,
        brk: "entry #41: expected entry #40 here (entries missing)",
    },
    Case {
        what: "two entries swapped",
        sql: "UPDATE entries SET seq = -1 WHERE seq = 20; UPDATE entries SET seq = 20 WHERE seq = 21; UPDATE entries SET seq = 21 WHERE seq = -1;",
        verdict: "BROKEN: entry #20: content does not match its hash (modified, or torn by a crash)",
        intact: 19,
        brk: "entry #20: content does not match its hash (modified, or torn by a crash)",
    },
];

#[test]
fn tampering_is_detected_and_refused_unless_forced() {
    for case in TAMPERED {
        let dir = tempfile::tempdir().unwrap();
        let path = drill_copy(dir.path(), Some(case.sql));
        let shown = path.display();
        let what = case.what;

        let (code, out, _) = verify(&path, &[]);
        assert_eq!(code, 2, "{what}: {out}");
        assert!(
            out.starts_with(&format!("{shown}: {}\n", case.verdict)),
            "{what}:\n{out}"
        );
        assert!(
            out.contains(&format!(
                "The journal was changed after it was written: the chain breaks before its last entry, which a crash cannot do. {} entries before it verify",
                case.intact
            )),
            "{what}:\n{out}"
        );

        let (code, out, err) = export(&path, &[]);
        assert_eq!((code, out.as_str()), (2, ""), "{what}");
        assert_eq!(
            err,
            format!(
                "error: {shown}: journal chain broken at {}; {n} entries before it verify. It was changed after it was written; refusing to use it. Pass --force to use the {n} verified entries anyway (the output is marked UNVERIFIED)\n",
                case.brk,
                n = case.intact
            ),
            "{what}"
        );

        let (code, out, err) = export(&path, &["--force"]);
        assert_eq!(code, 0, "{what}: {err}");
        let h = header(&out);
        assert_eq!(h["integrity"], "broken", "{what}");
        assert_eq!(h["verified"], false, "{what}");
        assert_eq!(
            h["problem"],
            format!(
                "UNVERIFIED: chain broken at {}; only the entries before it are exported",
                case.brk
            ),
            "{what}"
        );
        assert_eq!(h["entries"], case.intact, "{what}");
        assert_eq!(out.lines().count(), case.intact + 1, "{what}");
        assert!(
            err.starts_with(&format!(
                "warning: exported {} entries of {shown} to standard output. UNVERIFIED: the chain is broken ({})",
                case.intact, case.brk
            )),
            "{what}: {err}"
        );
    }
}

#[test]
fn a_torn_last_entry_is_told_apart_from_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let path = drill_copy(
        dir.path(),
        Some("UPDATE entries SET body = substr(body, 1, 30) WHERE seq = 87"),
    );
    let shown = path.display();
    let brk = "entry #87: content does not match its hash (modified, or torn by a crash)";

    let (code, out, _) = verify(&path, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with(&format!(
            "{shown}: TORN: the last entry does not verify: {brk}\nA crash in the middle of a write leaves the last entry like this; it is no sign that earlier entries were changed. The 86 entries before it verify.\n"
        )),
        "{out}"
    );
    // The resolve entry is before the torn one: the post-mortem's head still checks out.
    let (code, out, _) = verify(&path, &["--expect-head", RESOLVE_HEAD]);
    assert_eq!(code, 1, "still torn:\n{out}");
    assert!(
        out.contains(&format!("expected head {RESOLVE_HEAD}: FOUND, entry #86")),
        "{out}"
    );

    let (code, out, err) = export(&path, &[]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        format!(
            "error: {shown}: the last entry is torn ({brk}); a crash in the middle of a write leaves a journal like this. The 86 entries before it verify. Refusing to export an incomplete journal; pass --force to export those 86 entries (the output says the last entry is torn)\n"
        )
    );
    let (code, out, err) = export(&path, &["--force"]);
    assert_eq!(code, 0, "{err}");
    let h = header(&out);
    assert_eq!(
        (&h["integrity"], &h["verified"], &h["stored"], &h["entries"]),
        (
            &Value::from("torn_tail"),
            &Value::from(false),
            &Value::from(87),
            &Value::from(86)
        )
    );
    assert_eq!(
        h["problem"],
        format!("UNVERIFIED: the last entry is torn and left out: {brk}")
    );
}

/// What a forger who knows the algorithm does: changes entry `seq`'s body and re-seals every
/// entry from there on, so the chain verifies again.
fn reseal_after_changing(path: &Path, seq: i64, from: &str, to: &str) {
    rt().block_on(async {
        let mut conn = SqliteConnectOptions::new()
            .filename(path)
            .connect()
            .await
            .unwrap();
        let rows =
            sqlx::query("SELECT seq, at_ms, actor, body, prev_hash FROM entries ORDER BY seq")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        let mut prev: Option<String> = None;
        for r in rows {
            let s: i64 = r.get("seq");
            let mut body: String = r.get("body");
            let mut prev_hash: String = r.get("prev_hash");
            if s == seq {
                body = body.replace(from, to);
            }
            if let Some(p) = prev.take() {
                prev_hash = p;
            }
            let actor: String = r.get("actor");
            let hash = entry_hash(s as u64, r.get("at_ms"), &actor, &body, &prev_hash);
            sqlx::query("UPDATE entries SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?")
                .bind(&body)
                .bind(&prev_hash)
                .bind(&hash)
                .bind(s)
                .execute(&mut conn)
                .await
                .unwrap();
            prev = Some(hash);
        }
        conn.close().await.unwrap();
    });
}

#[test]
fn the_head_recorded_at_resolve_catches_resealed_and_cut_journals() {
    let (code, out, _) = verify(Path::new(DRILL), &["--expect-head", RESOLVE_HEAD]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!(
            "expected head {RESOLVE_HEAD}: FOUND, entry #86 (incident_resolved of INC-20261121-2026, 2026-11-21T20:26:23.630Z). Nothing up to it was changed; 1 verified entries follow it."
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("head at resolve {RESOLVE_HEAD} (entry #86)")),
        "verify names the head at resolve:\n{out}"
    );
    // The first 16 digits, as the resolve flash shows them, are enough.
    let (code, out, _) = verify(Path::new(DRILL), &["--expect-head", &RESOLVE_HEAD[..16]]);
    assert_eq!(code, 0, "{out}");

    let dir = tempfile::tempdir().unwrap();
    let resealed = drill_copy(dir.path(), None);
    reseal_after_changing(&resealed, 4, "DBA paged", "DBA never paged");
    let (code, out, _) = verify(&resealed, &[]);
    assert_eq!(code, 0, "a re-sealed chain verifies on its own:\n{out}");
    let (code, out, _) = verify(&resealed, &["--expect-head", RESOLVE_HEAD]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(&format!(
            "expected head {RESOLVE_HEAD}: NOT FOUND among the 87 verified entries. The journal was changed or cut short after that head was recorded (or it is another journal)."
        )),
        "{out}"
    );

    // Cut short: the resolution and what followed deleted.
    let cut = dir.path().join("cut.db");
    std::fs::copy(journal_files::root().join(DRILL), &cut).unwrap();
    rt().block_on(tamper(&cut, "DELETE FROM entries WHERE seq >= 86"));
    let (code, out, _) = verify(&cut, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("OK, 85 entries, chain intact"), "{out}");
    let (code, out, _) = verify(&cut, &["--expect-head", RESOLVE_HEAD]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("NOT FOUND among the 85 verified entries"),
        "{out}"
    );

    let (code, _, err) = verify(Path::new(DRILL), &["--expect-head", "75c6375f"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: --expect-head \"75c6375f\" is not a journal hash: give the 64 hex digits printed when the incident was resolved (at least the first 16)\n"
    );
}

#[test]
fn files_that_are_not_usable_journals_get_a_clear_message_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let random = dir.path().join("random.db");
    // Deterministic noise (xorshift), so a failure reproduces.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..8192)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(&random, noise).unwrap();
    let zero = dir.path().join("zero.db");
    std::fs::write(&zero, b"").unwrap();
    let foreign = dir.path().join("foreign.db");
    foreign_sqlite(&foreign);
    let (_newer_dir, newer) = tampered(
        2,
        "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
    );
    let missing = dir.path().join("missing.db");
    let cases = [
        (&random, "not a cockpit journal (not a SQLite database)"),
        (&zero, "not a cockpit journal (no cockpit metadata table)"),
        (
            &foreign,
            "not a cockpit journal (no cockpit metadata table)",
        ),
        (
            &newer,
            "journal schema 99 is newer than this cockpit understands (1); upgrade cockpit",
        ),
        (&missing, "no such journal file"),
    ];
    for (path, message) in cases {
        let expected = format!("error: {}: {message}\n", path.display());
        for (command, (code, out, err)) in
            [("verify", verify(path, &[])), ("export", export(path, &[]))]
        {
            assert_eq!(
                (code, out.as_str()),
                (2, ""),
                "{command} {}",
                path.display()
            );
            assert_eq!(err, expected, "{command}");
        }
    }
    assert!(!missing.exists(), "reading never creates a journal");
    assert_eq!(std::fs::read(&zero).unwrap(), b"", "reading never writes");
}

#[test]
fn an_empty_journal_verifies_but_has_nothing_to_export() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    empty_journal(&path);
    let (code, out, _) = verify(&path, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        format!(
            "{}: OK, 0 entries, chain intact\nthe journal is empty: no entries yet\nhead (none)\n",
            path.display()
        )
    );
    let (code, out, _) = verify(&path, &["--expect-head", RESOLVE_HEAD]);
    assert_eq!(code, 2, "{out}");
    let (code, out, err) = export(&path, &[]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        format!(
            "error: {}: the journal is empty (no entries yet)\n",
            path.display()
        )
    );
}

#[test]
fn verify_reports_the_span_and_incidents_of_the_drill() {
    let (code, out, err) = cockpit(&["journal", "verify", DRILL]);
    assert_eq!((code, err.as_str()), (0, ""));
    insta::assert_snapshot!("verify_drill_seed001", out);
}
