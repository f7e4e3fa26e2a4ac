//! The app on a shared journal, driven headless: joining an incident another operator opened,
//! own entries coming back from the store not applied twice, the team's entries applied live,
//! and the status line saying whether the shared journal is reachable.

use crate::support::app_driver;
use crate::support::journal_files::reopen;

use app_driver::{live_app, screen, settle};
use cockpit::core::incident::{StepStatus, Workspace};
use cockpit::core::inventory::Inventory;
use cockpit::core::journal::{Entry, Record, StepSnapshot};
use cockpit::core::redact::Redactor;
use cockpit::core::severity::Severity;
use cockpit::core::shared_chain::{Origin, SharedEntry};
use cockpit::io::journal_store::JournalStore;
use cockpit::io::shared::{SyncReport, SyncStatus};
use cockpit::ui::app::{App, SharedView};
use cockpit::ui::command::Command;
use cockpit::ui::event::Event;

/// A stand-in for the store's ordering: seals each local entry into one shared chain, keeping
/// its origin. (The real store is tested in tests/shared_sync.rs; this is about the app.)
#[derive(Default)]
struct SharedChain {
    entries: Vec<SharedEntry>,
}

impl SharedChain {
    fn add(&mut self, local: &Entry, journal: &str) -> SharedEntry {
        let prev = self
            .entries
            .last()
            .map(|s| (s.entry.seq, s.entry.hash.clone()));
        let entry = Entry::seal(
            prev.as_ref().map(|(s, h)| (*s, h.as_str())),
            local.at_ms,
            &local.actor,
            &local.record,
            &Redactor::default(),
        )
        .expect("seal");
        let shared = SharedEntry {
            entry,
            origin: Origin {
                journal: journal.to_string(),
                seq: local.seq,
                prev_hash: local.prev_hash.clone(),
                hash: local.hash.clone(),
            },
        };
        self.entries.push(shared.clone());
        shared
    }
}

/// Bob's local journal: a session, then incident INC-7 opened and its step `a` started.
fn bobs_entries() -> Vec<Entry> {
    let records = [
        Record::SessionStarted {
            version: "0.1.0".into(),
            mode: "live".into(),
            role: None,
        },
        Record::IncidentOpened {
            host: None,
            checkpoint_minutes: None,
            incident: "INC-7".into(),
            title: "checkout down".into(),
            severity: Severity::P1,
            playbook: "primary-app-down".into(),
            playbook_title: "Primary down".into(),
            rto_minutes: Some(30),
            steps: ["a", "b"]
                .iter()
                .map(|s| StepSnapshot {
                    id: s.to_string(),
                    title: s.to_string(),
                    kind: "manual".into(),
                })
                .collect(),
            fleet: Default::default(),
            unhealthy_since_ms: None,
        },
        Record::StepStarted {
            incident: "INC-7".into(),
            step: "a".into(),
            attempt: 1,
            targets: Vec::new(),
            command: None,
        },
    ];
    let mut out: Vec<Entry> = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let prev = out.last().map(|e| (e.seq, e.hash.clone()));
        let e = Entry::seal(
            prev.as_ref().map(|(s, h)| (*s, h.as_str())),
            500_000 + i as i64,
            "bob@bastion-2",
            r,
            &Redactor::default(),
        )
        .expect("seal");
        out.push(e);
    }
    out
}

/// Alice's app (op@bastion) on a shared journal, over her local journal at `path` where her
/// session has started (acknowledged, not uploaded yet).
async fn alices_app(path: &std::path::Path) -> (App, JournalStore) {
    let (mut store, entries) = reopen(|| JournalStore::open(path, true, Redactor::default()))
        .await
        .expect("open");
    let mut app = live_app(Inventory::default(), Vec::new(), Workspace::fold(&entries));
    app.shared = Some(SharedView::new("postgres://team@db/ops".into(), entries));
    let started = Record::SessionStarted {
        version: "0.1.0".into(),
        mode: "live".into(),
        role: None,
    };
    app.journal_request_sent();
    settle(&mut app, &mut store, vec![Command::Journal(started)]).await;
    (app, store)
}

fn note(text: &str) -> Record {
    Record::NoteAdded {
        broadcast: false,
        incident: "INC-7".into(),
        text: text.into(),
    }
}

#[tokio::test]
async fn joining_an_incident_someone_else_opened_and_seeing_each_entry_once() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, mut store) = alices_app(&dir.path().join("alice.db")).await;
    assert!(app.incident().is_none(), "alone, alice has no incident");

    // The store holds bob's three entries, then alice's session start; she has already written
    // a second entry (a pin) the store does not have yet.
    let bob = bobs_entries();
    let bob_id = bob[0].hash.clone();
    let mut chain = SharedChain::default();
    for e in &bob {
        chain.add(e, &bob_id);
    }
    let alice_local = cockpit::io::journal_store::read_assessed(&dir.path().join("alice.db"))
        .await
        .expect("read")
        .entries;
    let alice_id = alice_local[0].hash.clone();
    chain.add(&alice_local[0], &alice_id);
    let pin = Record::LogPinned {
        incident: None,
        host: "web-1".into(),
        text: "502 upstream".into(),
    };
    app.journal_request_sent();
    settle(&mut app, &mut store, vec![Command::Journal(pin)]).await;

    app.on_event(Event::Shared(SyncReport::Entries(chain.entries.clone())));
    let incident = app.incident().expect("bob's incident is alice's now");
    assert_eq!(incident.id, "INC-7");
    assert_eq!(incident.opened_by, "bob@bastion-2");
    assert!(
        matches!(incident.status("a"), StepStatus::Running { by, .. } if by == "bob@bastion-2"),
        "alice's session start must not interrupt bob's running step: {:?}",
        incident.status("a")
    );
    assert_eq!(
        app.workspace.loose_pins.len(),
        1,
        "her own entry not yet in the store is kept"
    );

    // Alice adds a note: applied once when acknowledged, not again when it comes back.
    app.journal_request_sent();
    settle(
        &mut app,
        &mut store,
        vec![Command::Journal(note("db failover started"))],
    )
    .await;
    let alice_local = cockpit::io::journal_store::read_assessed(&dir.path().join("alice.db"))
        .await
        .expect("read")
        .entries;
    let back: Vec<SharedEntry> = alice_local[1..]
        .iter()
        .map(|e| chain.add(e, &alice_id))
        .collect();
    app.on_event(Event::Shared(SyncReport::Entries(back)));
    assert_eq!(app.incident().map(|i| i.notes.len()), Some(1));
    assert_eq!(app.workspace.loose_pins.len(), 1);

    // Bob's next entries arrive live and are applied.
    let mut more = bob.clone();
    for r in [
        note("replica lag 0"),
        Record::StepCompleted {
            incident: "INC-7".into(),
            step: "b".into(),
        },
    ] {
        let last = more.last().expect("bob has entries");
        let e = Entry::seal(
            Some((last.seq, last.hash.as_str())),
            600_000,
            "bob@bastion-2",
            &r,
            &Redactor::default(),
        )
        .expect("seal");
        more.push(e);
    }
    let live: Vec<SharedEntry> = more[3..].iter().map(|e| chain.add(e, &bob_id)).collect();
    app.on_event(Event::Shared(SyncReport::Entries(live)));
    let incident = app.incident().expect("incident");
    let notes: Vec<(&str, &str)> = incident
        .notes
        .iter()
        .map(|n| (n.by.as_str(), n.text.as_str()))
        .collect();
    assert_eq!(
        notes,
        vec![
            ("op@bastion", "db failover started"),
            ("bob@bastion-2", "replica lag 0")
        ]
    );
    assert!(matches!(incident.status("b"), StepStatus::Done { by, .. } if by == "bob@bastion-2"));

    // What the app shows equals the store's chain folded.
    let stored = Workspace::fold(chain.entries.iter().map(|s| &s.entry));
    assert_eq!(app.workspace.incidents, stored.incidents);
}

#[tokio::test]
async fn a_first_batch_without_own_entries_keeps_everything_local() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, _store) = alices_app(&dir.path().join("alice.db")).await;
    let before = app.workspace.clone();
    app.on_event(Event::Shared(SyncReport::Entries(Vec::new())));
    assert_eq!(app.workspace.entries, before.entries);
    assert!(app.shared.as_ref().is_some_and(SharedView::joined));
}

#[tokio::test]
async fn the_status_line_says_when_the_shared_journal_is_offline() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, _store) = alices_app(&dir.path().join("alice.db")).await;
    app.on_event(Event::Shared(SyncReport::Status(SyncStatus::Offline {
        waiting: 3,
        reason: "connection refused".into(),
    })));
    let offline = screen(&app);
    assert!(
        offline.contains("shared journal offline, 3 entries waiting"),
        "{offline}"
    );
    app.on_event(Event::Shared(SyncReport::Status(SyncStatus::Online)));
    let online = screen(&app);
    assert!(online.contains("shared ✓"), "{online}");
    assert!(!online.contains("offline"), "{online}");
}
