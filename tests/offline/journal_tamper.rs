//! Tampered and bad journals through the real binary: `cockpit journal verify` names what is
//! wrong with the right exit status, `cockpit journal export` refuses without `--force` and
//! marks the output with it, and `--expect-head` catches even edits that re-seal the chain.

use crate::support::journal_files;

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

const TAMPERED: [Case; 6] = [
    Case {
        what: "a byte changed",
        sql: "UPDATE entries SET body = replace(body, 'DBA paged', 'DBA pagec') WHERE seq = 4",
        verdict: "BROKEN: entry #4: content does not match its hash (changed after it was written)",
        intact: 3,
        brk: "entry #4: content does not match its hash (changed after it was written)",
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
        verdict: "BROKEN: entry #20: content does not match its hash (changed after it was written)",
        intact: 19,
        brk: "entry #20: content does not match its hash (changed after it was written)",
    },
    Case {
        what: "the last entry edited",
        sql: "UPDATE entries SET body = replace(body, 'operator quit', 'power lost') WHERE seq = 87",
        verdict: "BROKEN: entry #87: content does not match its hash (changed after it was written)",
        intact: 86,
        brk: "entry #87: content does not match its hash (changed after it was written)",
    },
    Case {
        what: "the last entry's hash replaced by another whole digest",
        sql: "UPDATE entries SET hash = replace(hash, substr(hash, 1, 1), 'f') WHERE seq = 87",
        verdict: "BROKEN: entry #87: content does not match its hash (changed after it was written)",
        intact: 86,
        brk: "entry #87: content does not match its hash (changed after it was written)",
    },
    Case {
        what: "the kind column of an entry changed",
        sql: "UPDATE entries SET kind = 'step_completed' WHERE seq = 4",
        verdict: "BROKEN: entry #4: its kind column says \"step_completed\" but its record is \"note_added\" (changed after it was written)",
        intact: 3,
        brk: "entry #4: its kind column says \"step_completed\" but its record is \"note_added\" (changed after it was written)",
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
                "The journal was changed after it was written: a crash can leave the last entry incomplete, never a complete entry with a wrong hash, link or number. {} entries before it verify",
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
    let brk = "entry #87: incomplete (its record text stops before its end)";

    let (code, out, _) = verify(&path, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with(&format!(
            "{shown}: TORN: the last entry is incomplete: {brk}\nA write cut short leaves the last entry like this (its bytes stop early; a wrong hash would be tampering). The 86 entries before it verify.\n"
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
            "journal schema 99 is newer than this cockpit understands (2); upgrade cockpit",
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
            "{}: OK, 0 entries, chain intact\nthe journal is empty: no entries yet\nhead (none)\nhash rule: schema 2 rule: the hash covers every stored column (seq, time, actor, kind, record text, previous hash)\n",
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

/// The journal of a real drill whose heads were signed through ssh-agent
/// (scripts/record-signed-journal.sh): #86 resolves the incident, #87 signs it, #88 ends the
/// session, #89 signs that.
const SIGNED: &str = "tests/fixtures/journals/signed";

/// A copy of the signed drill journal and its sidecar in `dir`, changed by `sql` when given.
fn signed_copy(dir: &Path, sql: Option<&str>) -> std::path::PathBuf {
    let from = journal_files::root().join(SIGNED);
    let path = dir.join("drill.db");
    std::fs::copy(from.join("drill.db"), &path).unwrap();
    std::fs::copy(from.join("drill.db.sigs"), dir.join("drill.db.sigs")).unwrap();
    if let Some(sql) = sql {
        rt().block_on(tamper(&path, sql));
    }
    path
}

fn allowed() -> String {
    journal_files::root()
        .join(SIGNED)
        .join("allowed_signers")
        .to_string_lossy()
        .into_owned()
}

/// Re-seals the chain of a schema 2 journal from entry `from` on, as a forger would.
fn reseal_all_columns(path: &Path, from: i64) {
    use cockpit::core::journal::HashRule;
    rt().block_on(async {
        let mut conn = SqliteConnectOptions::new()
            .filename(path)
            .connect()
            .await
            .unwrap();
        let rows = sqlx::query(
            "SELECT seq, at_ms, actor, kind, body, prev_hash FROM entries ORDER BY seq",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let mut prev: Option<String> = None;
        for r in rows {
            let s: i64 = r.get("seq");
            let mut prev_hash: String = r.get("prev_hash");
            if s < from {
                prev = None;
            }
            if let Some(p) = prev.take() {
                prev_hash = p;
            }
            let (actor, kind, body): (String, String, String) =
                (r.get("actor"), r.get("kind"), r.get("body"));
            let hash =
                HashRule::Full.hash(s as u64, r.get("at_ms"), &actor, &kind, &body, &prev_hash);
            if s >= from {
                sqlx::query("UPDATE entries SET prev_hash = ?, hash = ? WHERE seq = ?")
                    .bind(&prev_hash)
                    .bind(&hash)
                    .bind(s)
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
            prev = Some(hash);
        }
        conn.close().await.unwrap();
    });
}

/// One way of tampering with the signed journal, and what each check says.
struct SignedCase {
    what: &'static str,
    sql: Option<&'static str>,
    /// Re-seal the chain from this entry on after `sql`.
    reseal_from: Option<i64>,
    /// Remove the sidecar file.
    drop_sidecar: bool,
    /// Exit status of `verify` alone, and a line it prints.
    chain: (i32, &'static str),
    /// Exit status of `verify --allowed-signers`, and a line it prints.
    signed: (i32, &'static str),
}

const SIGNED_CASES: &[SignedCase] = &[
    SignedCase {
        what: "untouched",
        sql: None,
        reseal_from: None,
        drop_sidecar: false,
        chain: (0, "OK, 89 entries, chain intact"),
        signed: (0, "signatures: OK, every entry up to #88 is vouched for"),
    },
    SignedCase {
        what: "an entry's actor changed and the chain re-sealed",
        sql: Some("UPDATE entries SET actor = 'mallory@bastion' WHERE seq = 40"),
        reseal_from: Some(40),
        drop_sidecar: false,
        chain: (0, "OK, 89 entries, chain intact"),
        signed: (2, "RE-SEALED: entry #86 was signed with hash"),
    },
    SignedCase {
        what: "the last entries cut cleanly",
        sql: Some("DELETE FROM entries WHERE seq > 85"),
        reseal_from: None,
        drop_sidecar: false,
        chain: (0, "OK, 85 entries, chain intact"),
        signed: (
            2,
            "CUT: a signature names entry #86 but the journal ends at #85",
        ),
    },
    SignedCase {
        what: "an entry appended after the signed session end, hash recomputed",
        sql: Some(
            "INSERT INTO entries SELECT 90, at_ms + 1000, actor, 'note_added', '{\"incident\":\"x\",\"text\":\"added later\",\"type\":\"note_added\"}', hash, '' FROM entries WHERE seq = 89",
        ),
        reseal_from: Some(90),
        drop_sidecar: false,
        chain: (0, "OK, 90 entries, chain intact"),
        signed: (
            2,
            "APPENDED AFTER A SIGNED END: entries #90–#90 follow a signed clean session end",
        ),
    },
    SignedCase {
        what: "an entry appended with a made-up hash",
        sql: Some(
            "INSERT INTO entries SELECT 90, at_ms + 1000, actor, kind, body, hash, replace(hash, substr(hash, 1, 1), 'e') FROM entries WHERE seq = 89",
        ),
        reseal_from: None,
        drop_sidecar: false,
        chain: (
            2,
            "BROKEN: entry #90: content does not match its hash (changed after it was written)",
        ),
        signed: (2, "BROKEN: entry #90"),
    },
    SignedCase {
        what: "the kind column changed",
        sql: Some("UPDATE entries SET kind = 'step_skipped' WHERE seq = 84"),
        reseal_from: None,
        drop_sidecar: false,
        chain: (
            2,
            "BROKEN: entry #84: content does not match its hash (changed after it was written)",
        ),
        signed: (2, "NOT COVERED: entries #1–#83"),
    },
    SignedCase {
        what: "the sidecar deleted",
        sql: None,
        reseal_from: None,
        drop_sidecar: true,
        chain: (0, "OK, 89 entries, chain intact"),
        signed: (1, "signatures: no sidecar file"),
    },
    SignedCase {
        what: "cut before the last signature and the sidecar deleted",
        sql: Some("DELETE FROM entries WHERE seq > 86"),
        reseal_from: None,
        drop_sidecar: true,
        chain: (0, "OK, 86 entries, chain intact"),
        signed: (
            1,
            "NOT COVERED: entries #1–#86: no valid signature covers any of them",
        ),
    },
    SignedCase {
        what: "the signature entries removed, the chain re-sealed and the sidecar deleted",
        sql: Some(
            "DELETE FROM entries WHERE seq = 87; UPDATE entries SET seq = seq - 1 WHERE seq > 87; DELETE FROM entries WHERE seq = 88",
        ),
        reseal_from: Some(87),
        drop_sidecar: true,
        chain: (0, "OK, 87 entries, chain intact"),
        signed: (
            1,
            "SIGNATURE MISSING: entry #86 (incident_resolved) is followed by other entries",
        ),
    },
];

#[test]
fn each_kind_of_tampering_with_a_signed_journal_is_named() {
    let (code, out, _) = verify(Path::new(&format!("{SIGNED}/drill.db")), &[]);
    assert_eq!(code, 0, "{out}");
    for case in SIGNED_CASES {
        let what = case.what;
        let dir = tempfile::tempdir().unwrap();
        let path = signed_copy(dir.path(), case.sql);
        if let Some(from) = case.reseal_from {
            reseal_all_columns(&path, from);
        }
        if case.drop_sidecar {
            std::fs::remove_file(dir.path().join("drill.db.sigs")).unwrap();
        }
        let (code, out, err) = verify(&path, &[]);
        assert_eq!(code, case.chain.0, "{what}, chain alone:\n{out}{err}");
        assert!(out.contains(case.chain.1), "{what}, chain alone:\n{out}");
        let (code, out, err) = verify(&path, &["--allowed-signers", &allowed()]);
        assert_eq!(code, case.signed.0, "{what}, with signatures:\n{out}{err}");
        assert!(
            out.contains(case.signed.1),
            "{what}, with signatures:\n{out}"
        );
    }
}

#[test]
fn bad_and_unknown_signatures_are_named() {
    // A signature's bytes changed in the sidecar: it no longer verifies.
    let dir = tempfile::tempdir().unwrap();
    let path = signed_copy(dir.path(), None);
    let sigs = dir.path().join("drill.db.sigs");
    let text = std::fs::read_to_string(&sigs).unwrap();
    let line = text.lines().nth(5).unwrap().to_string();
    let mut changed: Vec<char> = line.chars().collect();
    changed[10] = if changed[10] == 'A' { 'B' } else { 'A' };
    let changed: String = changed.into_iter().collect();
    std::fs::write(&sigs, text.replacen(&line, &changed, 1)).unwrap();
    let (code, out, _) = verify(&path, &["--allowed-signers", &allowed()]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(
            "SIDECAR INCOMPLETE: the signature of journal entry #87 is not in the sidecar file"
        ) && (out.contains("BAD SIGNATURE:") || out.contains("UNKNOWN SIGNER:")),
        "{out}"
    );

    // Checked against an allowed-signers file without the operator's key.
    let other = dir.path().join("other_signers");
    std::fs::write(
        &other,
        "auditor@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDEjqlmQcXaT0mWFKGSs0fbQtHwZe0HMQ2QpzE1WJ4l2\n",
    )
    .unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let path = signed_copy(dir2.path(), None);
    let (code, out, _) = verify(&path, &["--allowed-signers", &other.to_string_lossy()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("UNKNOWN SIGNER: SHA256:"), "{out}");
    assert!(!out.contains("SIGNED: entry"), "{out}");
}

#[test]
fn an_edited_last_entry_is_tampering_for_report_and_replay_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = signed_copy(
        dir.path(),
        Some(
            "UPDATE entries SET body = replace(body, 'operator quit', 'power lost') WHERE seq = 88",
        ),
    );
    let p = path.to_string_lossy();
    let (code, out, err) = cockpit(&["report", &p]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(
        err.contains("journal chain broken at entry #88: content does not match its hash (changed after it was written)")
            && err.contains("Pass --force"),
        "{err}"
    );
    assert!(!err.contains("crash"), "{err}");
    let (code, out, err) = cockpit(&["report", &p, "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("UNVERIFIED"), "{out}");
    let (code, _, err) = cockpit(&["replay", &p]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("changed after it was written"), "{err}");
}
