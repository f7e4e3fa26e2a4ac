//! One cockpit's side of the shared journal in a test: its local journal and the real sync
//! link (uploader and listener) to PostgreSQL, with what the link reported. Include it with
//! `#[path = "support/sync_peer.rs"] mod sync_peer;`.
#![allow(dead_code)]

use crate::support::journal_files::reopen;
use cockpit::core::journal::{Entry, Record};
use cockpit::core::redact::Redactor;
use cockpit::core::shared_chain::SharedEntry;
use cockpit::io::journal_store::JournalStore;
use cockpit::io::shared::sync::{self, SyncSetup, SyncTasks};
use cockpit::io::shared::{SharedTarget, SyncReport, SyncStatus};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// How long a condition may take on a busy machine before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// One cockpit: its local journal, its link, and what the link reported.
pub struct Peer {
    /// Who writes its entries.
    pub actor: String,
    /// Its local journal.
    pub journal: JournalStore,
    acked: Option<UnboundedSender<Entry>>,
    reports: UnboundedReceiver<SyncReport>,
    tasks: Option<SyncTasks>,
    /// Shared entries reported, in order.
    pub seen: Vec<SharedEntry>,
    /// The last status reported.
    pub status: SyncStatus,
    /// Every status reported, in order.
    pub statuses: Vec<SyncStatus>,
    /// Entries its local journal holds.
    pub written: usize,
}

impl Peer {
    /// A new local journal for `actor` in `dir`, linked to the store at `url`.
    pub async fn start(actor: &str, url: &str, dir: &Path) -> Peer {
        let path = dir.join(format!("{}.db", actor.replace('@', "-")));
        let (journal, _) = reopen(|| JournalStore::open(&path, true, Redactor::default()))
            .await
            .expect("open local journal");
        Peer::link(actor, url, path, journal, 0)
    }

    /// [`Peer::start`], then a session entry, as a cockpit starts.
    pub async fn start_session(actor: &str, url: &str, dir: &Path) -> Peer {
        let mut peer = Peer::start(actor, url, dir).await;
        peer.write(Record::SessionStarted {
            version: "test".into(),
            mode: "live".into(),
            role: None,
        })
        .await;
        peer
    }

    /// Links an open local journal at `path` that holds `written` entries.
    pub fn link(
        actor: &str,
        url: &str,
        path: PathBuf,
        journal: JournalStore,
        written: usize,
    ) -> Peer {
        let (acked, acked_rx) = unbounded_channel();
        let (reports_tx, reports) = unbounded_channel();
        let setup = SyncSetup {
            target: SharedTarget {
                url: url.to_string(),
                password: None,
            },
            store: None,
            local_journal: path,
        };
        Peer {
            actor: actor.to_string(),
            journal,
            acked: Some(acked),
            reports,
            tasks: Some(sync::spawn(setup, acked_rx, reports_tx)),
            seen: Vec::new(),
            status: SyncStatus::Connecting,
            statuses: Vec::new(),
            written,
        }
    }

    /// Appends to the local journal and hands the acknowledged entry to the uploader, as the
    /// runtime's journal writer does.
    pub async fn write(&mut self, record: Record) {
        let entry = self
            .journal
            .append(chrono::Utc::now().timestamp_millis(), &self.actor, &record)
            .await
            .expect("local append");
        self.written += 1;
        if let Some(acked) = &self.acked {
            acked.send(entry).expect("uploader running");
        }
    }

    /// Writes a note on INC-1.
    pub async fn note(&mut self, text: impl Into<String>) {
        self.write(Record::NoteAdded {
            broadcast: false,
            incident: "INC-1".into(),
            text: text.into(),
        })
        .await;
    }

    /// Its local journal's id.
    pub fn origin(&self) -> String {
        self.journal.journal_id().expect("journal id").to_string()
    }

    fn take(&mut self, report: SyncReport) {
        match report {
            SyncReport::Entries(batch) => self.seen.extend(batch),
            SyncReport::Status(s) => {
                self.status = s.clone();
                self.statuses.push(s);
            }
        }
    }

    /// Takes reports until `done` holds; fails naming `what` after [`DEADLINE`].
    pub async fn until(&mut self, what: &str, done: impl Fn(&Peer) -> bool) {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        while !done(self) {
            match tokio::time::timeout_at(deadline, self.reports.recv()).await {
                Ok(Some(report)) => self.take(report),
                Ok(None) => panic!("{}: the link stopped before {what}", self.actor),
                Err(_) => panic!(
                    "{}: not {what} within {DEADLINE:?}; status {:?}, {} shared entries seen",
                    self.actor,
                    self.status,
                    self.seen.len()
                ),
            }
        }
    }

    /// Takes what was reported so far, without waiting.
    pub fn drain(&mut self) {
        while let Ok(report) = self.reports.try_recv() {
            self.take(report);
        }
    }

    /// The shared entries seen, as (shared seq, hash).
    pub fn order(&self) -> Vec<(u64, String)> {
        self.seen
            .iter()
            .map(|s| (s.entry.seq, s.entry.hash.clone()))
            .collect()
    }

    /// Shared entries seen from `origin`.
    pub fn seen_from(&self, origin: &str) -> usize {
        self.seen
            .iter()
            .filter(|s| s.origin.journal == origin)
            .count()
    }

    /// Stops the link, letting it upload what waits.
    pub async fn stop(&mut self) {
        self.acked = None;
        if let Some(tasks) = self.tasks.take() {
            tasks.finish(Duration::from_secs(10)).await;
        }
    }
}
