//! One operator's link to the shared journal for the bench: the cockpit's own uploader and
//! listener ([`cockpit::io::shared::sync::spawn`]), with a task that notes when each shared
//! entry reached this operator (the moment the link hands it to the cockpit).

#![allow(dead_code)]

use cockpit::core::journal::Entry;
use cockpit::io::shared::sync::{self, SyncSetup, SyncTasks};
use cockpit::io::shared::{SharedStore, SharedTarget, SyncReport, SyncStatus};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// One shared entry, as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    /// (origin journal id, local seq).
    pub key: (String, u64),
    /// When it arrived here.
    pub at: Instant,
}

/// A running link and what it delivered.
pub struct TeamPipeline {
    received: Arc<Mutex<Vec<Received>>>,
    /// Whether the listener's first report (the whole journal, maybe empty) came.
    listening: Arc<std::sync::atomic::AtomicBool>,
    statuses: Arc<Mutex<Vec<SyncStatus>>>,
    tasks: SyncTasks,
    /// Held until [`TeamPipeline::stop`]: the link's listener lives as long as the uploader,
    /// which ends when every sender of acknowledged entries is gone (the cockpit quitting).
    acked: UnboundedSender<Entry>,
    collector: tokio::task::JoinHandle<()>,
}

impl TeamPipeline {
    /// Starts the link of the operator whose local journal is `local_journal`; entries sent to
    /// the returned sender (acknowledged, in order) are uploaded.
    pub fn start(
        store: SharedStore,
        target: &SharedTarget,
        local_journal: &Path,
    ) -> (Self, UnboundedSender<Entry>) {
        let (acked_tx, acked_rx) = tokio::sync::mpsc::unbounded_channel();
        let (reports_tx, mut reports_rx) = tokio::sync::mpsc::unbounded_channel();
        let tasks = sync::spawn(
            SyncSetup {
                target: target.clone(),
                store: Some(store),
                local_journal: local_journal.to_path_buf(),
            },
            acked_rx,
            reports_tx,
        );
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let statuses: Arc<Mutex<Vec<SyncStatus>>> = Arc::default();
        let listening = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (r, s, l) = (received.clone(), statuses.clone(), listening.clone());
        let collector = tokio::spawn(async move {
            while let Some(report) = reports_rx.recv().await {
                let at = Instant::now();
                match report {
                    SyncReport::Entries(entries) => {
                        l.store(true, std::sync::atomic::Ordering::SeqCst);
                        let mut got = r.lock().expect("received");
                        got.extend(entries.into_iter().map(|e| Received {
                            key: (e.origin.journal, e.origin.seq),
                            at,
                        }));
                    }
                    SyncReport::Status(status) => s.lock().expect("statuses").push(status),
                }
            }
        });
        (
            TeamPipeline {
                received,
                listening,
                statuses,
                tasks,
                acked: acked_tx.clone(),
                collector,
            },
            acked_tx,
        )
    }

    /// Every shared entry received so far (own ones included), in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("received").clone()
    }

    /// Whether the listener is up: it has reported the journal as it was when it started.
    pub fn listening(&self) -> bool {
        self.listening.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The statuses the link reported, in order.
    pub fn statuses(&self) -> Vec<SyncStatus> {
        self.statuses.lock().expect("statuses").clone()
    }

    /// Lets the uploader finish (the sender returned by [`TeamPipeline::start`] must be
    /// dropped), then stops.
    pub async fn stop(self) {
        drop(self.acked);
        self.tasks.finish(Duration::from_secs(30)).await;
        self.collector.abort();
    }
}
