//! The journal's resume point on real SQLite files: a long journal starts from it, reading only
//! the entries after it, and still no changed entry goes unnoticed: the writer's confirmation
//! verifies every entry and the saved fold before anything is appended. A resume point that is
//! wrong in any way is never believed.

use crate::support::app_driver::{inventory, live_app, press};
use crate::support::headless::Headless;
use crate::support::journal_files::{reopen, rt, tamper, write_records};

use cockpit::core::incident::Workspace;
use cockpit::core::journal::{ChainBreak, Entry, Integrity, Record, StepSnapshot};
use cockpit::core::redact::Redactor;
use cockpit::core::severity::Severity;
use cockpit::io::journal_store::{JournalError, JournalStore, read_assessed};
use cockpit::io::resume_point::SAVE_EVERY;
use cockpit::ui::command::Command;
use cockpit::ui::event::Event;
use crossterm::event::KeyCode;
use sqlx::Connection;
use std::path::Path;

fn opened(id: &str) -> Record {
    Record::IncidentOpened {
        host: None,
        checkpoint_minutes: None,
        incident: id.into(),
        title: "主应用服务器宕机".into(),
        severity: Severity::P0,
        playbook: "primary-app-down".into(),
        playbook_title: "Primary down".into(),
        rto_minutes: Some(30),
        steps: ["check-backup", "import-db"]
            .iter()
            .map(|s| StepSnapshot {
                id: s.to_string(),
                title: s.to_string(),
                kind: "manual".into(),
            })
            .collect(),
        fleet: Default::default(),
        unhealthy_since_ms: None,
    }
}

fn note(id: &str, i: usize) -> Record {
    Record::NoteAdded {
        broadcast: false,
        incident: id.into(),
        text: format!("note {i}"),
    }
}

/// A journal longer than [`SAVE_EVERY`]: a resolved incident, then an open one with a step
/// done and notes, `notes` of them in all (one transaction).
async fn long_journal(path: &Path, notes: usize) {
    let mut records = vec![
        opened("INC-1"),
        note("INC-1", 0),
        Record::IncidentResolved {
            incident: "INC-1".into(),
            summary: "restored".into(),
        },
        opened("INC-2"),
        Record::StepCompleted {
            incident: "INC-2".into(),
            step: "check-backup".into(),
        },
    ];
    records.extend((1..notes).map(|i| note("INC-2", i)));
    write_records(path, 1_000, &records).await;
}

/// The settled fold of every entry, read and verified whole (what a start without a resume
/// point shows).
async fn whole_fold(path: &Path) -> Workspace {
    let assessed = read_assessed(path).await.expect("read");
    Workspace::fold(&assessed.entries).settled()
}

/// Opens for a session and confirms, as the cockpit's start and its journal writer do; gives
/// the fold the session started from and what the confirmation said.
async fn start_session(path: &Path) -> (Workspace, Result<Option<Workspace>, JournalError>) {
    let (mut store, shown) =
        reopen(|| JournalStore::open_resuming(path, true, Redactor::default()))
            .await
            .expect("open for the session");
    let confirmed = store.confirm().await;
    store.close().await;
    (shown, confirmed)
}

/// Replaces the fold saved in the journal's resume point (the forger).
async fn forge(path: &Path, workspace: &Workspace) {
    let text = serde_json::to_string(workspace).expect("encode");
    let sql = format!(
        "UPDATE resume_point SET workspace = '{}'",
        text.replace('\'', "''")
    );
    tamper(path, &sql).await;
}

/// A long journal whose first session start saved its resume point.
fn with_resume_point(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("j.db");
    rt().block_on(async {
        long_journal(&path, SAVE_EVERY as usize + 200).await;
        let (shown, confirmed) = start_session(&path).await;
        assert!(matches!(confirmed, Ok(None)), "{confirmed:?}");
        assert_eq!(shown, whole_fold(&path).await);
    });
    path
}

#[test]
fn a_long_journal_resumes_from_its_resume_point_and_shows_the_whole_fold() {
    let dir = tempfile::tempdir().expect("dir");
    let path = with_resume_point(dir.path());
    rt().block_on(async {
        let whole = whole_fold(&path).await;
        let open = whole.open_incident().expect("INC-2 is open");
        assert_eq!(open.id, "INC-2");
        assert_eq!(open.notes.len(), SAVE_EVERY as usize + 199);
        assert!(
            whole.incidents[0].notes.is_empty(),
            "INC-1 resolved: settled"
        );
        // Entries after the resume point are folded onto it.
        let (mut store, shown) =
            reopen(|| JournalStore::open_resuming(&path, true, Redactor::default()))
                .await
                .expect("open");
        assert_eq!(shown, whole);
        // Nothing is appended before the earlier entries are verified.
        let early = store.append(9_000, "op@bastion", &note("INC-2", 0)).await;
        assert!(
            matches!(early, Err(JournalError::Unconfirmed(_))),
            "{early:?}"
        );
        assert!(matches!(store.confirm().await, Ok(None)));
        let entry = store
            .append(9_000, "op@bastion", &note("INC-2", 7))
            .await
            .expect("append after confirming");
        assert_eq!(entry.seq, SAVE_EVERY + 205);
        store.close().await;
        let (shown, confirmed) = start_session(&path).await;
        assert!(matches!(confirmed, Ok(None)), "{confirmed:?}");
        assert_eq!(shown, whole_fold(&path).await);
        assert_eq!(shown.entries, SAVE_EVERY + 205);
        let integrity = read_assessed(&path).await.expect("read").integrity;
        assert!(matches!(integrity, Integrity::Intact), "{integrity:?}");
    });
}

#[test]
fn an_entry_changed_before_the_resume_point_is_found_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("dir");
    let path = with_resume_point(dir.path());
    rt().block_on(async {
        // Entry #7 is a note well before the resume point: the start does not read it…
        tamper(
            &path,
            "UPDATE entries SET body = replace(body, 'note 2', 'note X') WHERE seq = 7",
        )
        .await;
        let (mut store, _) =
            reopen(|| JournalStore::open_resuming(&path, true, Redactor::default()))
                .await
                .expect("the start reads only what follows the resume point");
        // …the confirmation does, and refuses the journal, naming the entry.
        match store.confirm().await {
            Err(JournalError::Broken { brk, intact, .. }) => {
                assert_eq!(brk, ChainBreak::HashMismatch { seq: 7 });
                assert_eq!(intact, 6);
            }
            other => panic!("expected the break at #7, got {other:?}"),
        }
        let after = store.append(9_000, "op@bastion", &note("INC-2", 1)).await;
        assert!(
            matches!(after, Err(JournalError::Unconfirmed(_))),
            "{after:?}"
        );
        assert!(matches!(
            store.confirm().await,
            Err(JournalError::Broken { .. })
        ));
        store.close().await;
        let stored = read_assessed(&path).await.expect("read").stored;
        assert_eq!(stored as u64, SAVE_EVERY + 204, "nothing was appended");
    });
}

#[test]
fn an_entry_changed_after_the_resume_point_is_refused_at_the_start() {
    let dir = tempfile::tempdir().expect("dir");
    let path = with_resume_point(dir.path());
    rt().block_on(async {
        let head = SAVE_EVERY as i64 + 204;
        // The session that follows writes after the resume point; change its last entry.
        let (mut store, _) =
            reopen(|| JournalStore::open_resuming(&path, true, Redactor::default()))
                .await
                .expect("open");
        store.confirm().await.expect("confirm");
        for i in 0..3 {
            store
                .append(9_000, "op@bastion", &note("INC-2", i))
                .await
                .expect("append");
        }
        store.close().await;
        tamper(
            &path,
            &format!(
                "UPDATE entries SET at_ms = at_ms + 1 WHERE seq = {}",
                head + 2
            ),
        )
        .await;
        match reopen(|| JournalStore::open_resuming(&path, true, Redactor::default())).await {
            Err(JournalError::Broken { brk, .. }) => {
                assert_eq!(brk, ChainBreak::HashMismatch { seq: head + 2 })
            }
            Err(e) => panic!("expected the break, got {e}"),
            Ok(_) => panic!("a changed entry after the resume point was accepted"),
        }
    });
}

#[test]
fn a_changed_resume_point_is_corrected_from_the_entries_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("dir");
    let path = with_resume_point(dir.path());
    rt().block_on(async {
        let whole = whole_fold(&path).await;
        // Someone marks a step done in the saved fold only: it is not in any entry.
        let mut forged = whole.clone();
        if let Some(i) = forged.incidents.last_mut() {
            i.progress.insert(
                "import-db".into(),
                cockpit::core::incident::StepStatus::Done {
                    by: "mallory".into(),
                    at_ms: 1,
                },
            );
        }
        forge(&path, &forged).await;
        let (shown, confirmed) = start_session(&path).await;
        assert_eq!(shown, forged, "the start believes the resume point…");
        match confirmed {
            Ok(Some(corrected)) => assert_eq!(corrected, whole, "…until the entries say otherwise"),
            other => panic!("expected a correction, got {other:?}"),
        }
        // The confirmation saved the right fold: the next start shows it at once.
        let (shown, confirmed) = start_session(&path).await;
        assert_eq!(shown, whole);
        assert!(matches!(confirmed, Ok(None)), "{confirmed:?}");
    });
}

#[test]
fn a_resume_point_that_does_not_fit_the_journal_is_never_used() {
    let cases: [(&str, &str); 9] = [
        (
            "another entry's hash",
            "UPDATE resume_point SET hash = (SELECT hash FROM entries WHERE seq = 3)",
        ),
        ("a hash of no entry", "UPDATE resume_point SET hash = 'x'"),
        (
            "an entry past the head",
            "UPDATE resume_point SET seq = seq + 50",
        ),
        ("entry zero", "UPDATE resume_point SET seq = 0"),
        ("a negative entry", "UPDATE resume_point SET seq = -5"),
        (
            "another version's fold",
            "UPDATE resume_point SET version = '0.0.1'",
        ),
        (
            "a fold that is not JSON",
            "UPDATE resume_point SET workspace = '{not json'",
        ),
        (
            "a fold of another shape",
            "UPDATE resume_point SET workspace = '[1, 2, 3]'",
        ),
        (
            "a table of another shape",
            "DROP TABLE resume_point; CREATE TABLE resume_point (id INTEGER, x TEXT); INSERT INTO resume_point VALUES (1, 'y')",
        ),
    ];
    for (what, sql) in cases {
        let dir = tempfile::tempdir().expect("dir");
        let path = with_resume_point(dir.path());
        rt().block_on(async {
            tamper(&path, sql).await;
            let whole = whole_fold(&path).await;
            let (shown, confirmed) = start_session(&path).await;
            assert_eq!(shown, whole, "{what}: the start read the whole journal");
            assert!(matches!(confirmed, Ok(None)), "{what}: {confirmed:?}");
            // A resume point of its own replaced the wrong one.
            let (shown, confirmed) = start_session(&path).await;
            assert_eq!(shown, whole, "{what}: then from the new resume point");
            assert!(matches!(confirmed, Ok(None)), "{what}: {confirmed:?}");
        });
    }
}

#[test]
fn a_short_journal_gets_no_resume_point() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("j.db");
    rt().block_on(async {
        long_journal(&path, 10).await;
        let (shown, confirmed) = start_session(&path).await;
        assert!(matches!(confirmed, Ok(None)));
        assert_eq!(shown, whole_fold(&path).await);
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("connect");
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(&mut conn)
                .await
                .expect("tables");
        assert_eq!(tables, ["entries", "meta"]);
    });
}

/// The entries' own order is what folds: an entry is never folded twice or skipped however the
/// journal is split between the resume point and what follows it.
#[test]
fn the_resumed_fold_counts_every_entry_once() {
    let dir = tempfile::tempdir().expect("dir");
    let path = with_resume_point(dir.path());
    rt().block_on(async {
        let entries: Vec<Entry> = read_assessed(&path).await.expect("read").entries;
        let (shown, _) = start_session(&path).await;
        assert_eq!(shown.entries, entries.len() as u64);
        assert_eq!(shown.last_seq, entries.last().map_or(0, |e| e.seq));
    });
}

/// A session over `path` started as cockpit starts one: from the resume point, its writer not
/// started yet. Keys and the clock's ticks may come before the writer's check.
async fn resumed_app(path: &Path) -> (cockpit::ui::app::App, JournalStore) {
    let (store, shown) = reopen(|| JournalStore::open_resuming(path, true, Redactor::default()))
        .await
        .expect("open");
    let mut app = live_app(
        inventory("[[hosts]]\nname = \"web\"\ntransport = \"local\"\nrole = \"web\"\n"),
        Vec::new(),
        shown,
    );
    app.journal_unconfirmed = store.is_unconfirmed();
    assert!(app.journal_unconfirmed, "started from the resume point");
    (app, store)
}

fn journal_commands(commands: &[Command]) -> usize {
    commands
        .iter()
        .filter(|c| matches!(c, Command::Journal(_)))
        .count()
}

#[test]
fn keys_and_milestones_wait_for_the_writers_check_then_go_on() {
    let dir = tempfile::tempdir().expect("dir");
    let path = with_resume_point(dir.path());
    rt().block_on(async {
        let (mut app, store) = resumed_app(&path).await;
        let cursor = app.step_cursor;
        // Before the check: INC-2's milestones are due, but none is journaled; a key waits.
        assert_eq!(journal_commands(&app.on_event(Event::Tick)), 0);
        assert!(app.on_event(press(KeyCode::Up)).is_empty());
        assert_eq!(app.held_keys(), 1);
        let mut h = Headless::start(app, store).await;
        h.until("the check", |app| !app.journal_unconfirmed).await;
        // The state was confirmed: the key is applied to it, and the clock journals again.
        assert_eq!(h.app.held_keys(), 0);
        assert_ne!(h.app.step_cursor, cursor, "the held Up moved the selection");
        assert!(
            journal_commands(&h.send(Event::Tick)) > 0,
            "INC-2's milestones"
        );
        h.settle().await;
    });
}

#[test]
fn nothing_is_recorded_against_a_changed_resume_point() {
    let dir = tempfile::tempdir().expect("dir");
    let path = with_resume_point(dir.path());
    rt().block_on(async {
        let whole = whole_fold(&path).await;
        // A forged incident, open for hours: its milestones are long due.
        let mut forged = whole.clone();
        let mut fake = forged.incidents[1].clone();
        fake.id = "INC-FORGED".into();
        fake.title = "forged".into();
        // …in place of the real one, shown resolved.
        forged.incidents[1].resolved = Some((1_500, "forged".into()));
        forged.incidents.push(fake);
        forge(&path, &forged).await;
        let (mut app, store) = resumed_app(&path).await;
        assert_eq!(app.incident().map(|i| i.id.as_str()), Some("INC-FORGED"));
        assert_eq!(journal_commands(&app.on_event(Event::Tick)), 0);
        app.on_event(press(KeyCode::Down));
        let mut h = Headless::start(app, store).await;
        h.until("the check", |app| !app.journal_unconfirmed).await;
        // The entries' fold replaced the forged one (and the session's start followed it).
        assert!(
            h.app.workspace.incidents == whole.incidents,
            "incidents: {:?}",
            h.app
                .workspace
                .incidents
                .iter()
                .map(|i| &i.id)
                .collect::<Vec<_>>()
        );
        assert_eq!(h.app.incident().map(|i| i.id.as_str()), Some("INC-2"));
        assert_eq!(h.app.held_keys(), 0);
        let said = h
            .app
            .flash
            .as_ref()
            .map(|f| f.text.clone())
            .unwrap_or_default();
        assert!(
            said.contains("resume point did not match") && said.contains("1 key(s)"),
            "{said}"
        );
        h.send(Event::Tick);
        h.settle().await;
        let stored = cockpit::io::journal_store::read_stored(&path)
            .await
            .expect("read");
        assert!(
            stored.iter().all(|s| !s.body.contains("INC-FORGED")),
            "nothing about the forged incident was journaled"
        );
    });
}
