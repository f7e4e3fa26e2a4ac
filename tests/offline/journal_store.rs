//! The journal on disk (real SQLite files): durability across reopen, tamper detection through
//! `cockpit journal verify`, and clear refusals for files that are not usable journals.

use crate::support::journal_files;

use cockpit::core::journal::{ChainBreak, Record};
use cockpit::core::redact::Redactor;
use cockpit::io::journal_store::{JournalError, JournalStore};
use journal_files::{foreign_sqlite, journal_with, note, reopen, rt, tampered, verify};
use std::path::Path;

#[test]
fn entries_survive_reopen_and_the_chain_continues() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("j.db");
    rt().block_on(async {
        journal_with(&path, 3).await;
        let (mut store, entries) = reopen(|| JournalStore::open(&path, true, Redactor::default()))
            .await
            .expect("reopen");
        assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
        let next = store
            .append(5_000, "op@bastion", &note(9))
            .await
            .expect("append");
        assert_eq!(next.seq, 4);
        assert_eq!(next.prev_hash, entries[2].hash);
        store.close().await;
    });
    let (code, text) = verify(&path);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("OK, 4 entries, chain intact"), "{text}");
}

#[test]
fn secrets_are_redacted_before_they_are_stored() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("j.db");
    rt().block_on(async {
        let (mut store, _) = reopen(|| JournalStore::open(&path, true, Redactor::default()))
            .await
            .expect("open");
        let record = Record::NoteAdded {
            broadcast: false,
            incident: "I".into(),
            text: "ran mysql -uroot -p'S3cret!' and mysql://u:pw123@db/x".into(),
        };
        store.append(1, "op@b", &record).await.expect("append");
        store.close().await;
    });
    let raw = std::fs::read(&path).expect("read");
    let wal = std::fs::read(dir.path().join("j.db-wal")).unwrap_or_default();
    for bytes in [raw, wal] {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("S3cret!") && !text.contains("pw123"),
            "secret on disk"
        );
    }
}

fn open_error(path: &Path) -> JournalError {
    match rt().block_on(reopen(|| {
        JournalStore::open(path, true, Redactor::default())
    })) {
        Ok(_) => panic!("a damaged journal was accepted"),
        Err(e) => e,
    }
}

#[test]
fn changed_byte_is_detected_and_named() {
    let (_d, path) = tampered(
        5,
        "UPDATE entries SET body = replace(body, 'note 2', 'note 7') WHERE seq = 3",
    );
    let (code, text) = verify(&path);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("BROKEN: entry #3: content does not match its hash"),
        "{text}"
    );
    assert!(text.contains("2 entries before it verify"), "{text}");
    assert!(matches!(
        open_error(&path),
        JournalError::Broken {
            brk: ChainBreak::HashMismatch { seq: 3 },
            intact: 2,
            ..
        }
    ));
}

#[test]
fn deleted_entry_is_detected() {
    let (_d, path) = tampered(5, "DELETE FROM entries WHERE seq = 2");
    let (code, text) = verify(&path);
    assert_eq!(code, 2);
    assert!(text.contains("entry #3: expected entry #2 here"), "{text}");
}

#[test]
fn swapped_entries_are_detected() {
    let (_d, path) = tampered(
        5,
        "UPDATE entries SET seq = -1 WHERE seq = 2; UPDATE entries SET seq = 2 WHERE seq = 3; UPDATE entries SET seq = 3 WHERE seq = -1;",
    );
    let (code, text) = verify(&path);
    assert_eq!(code, 2);
    assert!(
        text.contains("entry #2: content does not match its hash"),
        "{text}"
    );
}

#[test]
fn torn_last_entry_is_reported_not_hidden() {
    let (_d, path) = tampered(
        4,
        "UPDATE entries SET body = substr(body, 1, 20) WHERE seq = 4",
    );
    let (code, text) = verify(&path);
    assert_eq!(
        code, 1,
        "a torn last entry is exit status 1, not tampering:\n{text}"
    );
    assert!(
        text.contains("TORN: the last entry is incomplete: entry #4: incomplete (its record text stops before its end)")
            && text.contains("A write cut short leaves the last entry like this"),
        "{text}"
    );
    let e = open_error(&path).to_string();
    assert!(
        e.contains("3 entries before it are intact") && e.contains("nothing was changed"),
        "{e}"
    );
    // Nothing was lost: the intact entries are still there.
    let (_, text) = verify(&path);
    assert!(text.contains("3 entries before it verify"), "{text}");
}

#[test]
fn a_file_that_is_not_a_journal_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("dir");
    let text_file = dir.path().join("notes.txt");
    std::fs::write(&text_file, "this is not sqlite ".repeat(100)).expect("write");
    let (code, text) = verify(&text_file);
    assert_eq!(code, 2);
    assert!(
        text.contains("not a cockpit journal (not a SQLite database)"),
        "{text}"
    );
    assert!(matches!(
        open_error(&text_file),
        JournalError::NotAJournal { .. }
    ));

    let other_db = dir.path().join("other.db");
    foreign_sqlite(&other_db);
    let (code, text) = verify(&other_db);
    assert_eq!(code, 2);
    assert!(
        text.contains("not a cockpit journal (no cockpit metadata table)"),
        "{text}"
    );
    // Opening it for writing refuses too, and leaves the foreign database untouched.
    assert!(matches!(
        open_error(&other_db),
        JournalError::NotAJournal { .. }
    ));
    let (_, again) = verify(&other_db);
    assert!(again.contains("no cockpit metadata table"), "{again}");
}

#[test]
fn a_journal_from_a_newer_version_is_refused() {
    let (_d, path) = tampered(
        1,
        "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
    );
    let (code, text) = verify(&path);
    assert_eq!(code, 2);
    assert!(
        text.contains("journal schema 99 is newer than this cockpit understands"),
        "{text}"
    );
}

#[test]
fn a_missing_journal_is_named() {
    let (code, text) = verify(Path::new("/nonexistent/journal.db"));
    assert_eq!(code, 2);
    assert!(
        text.contains("/nonexistent/journal.db: no such journal file"),
        "{text}"
    );
}
