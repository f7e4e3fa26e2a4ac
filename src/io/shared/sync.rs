//! Local first, live: the background link between this cockpit's local journal and the shared
//! one. The uploader sends every acknowledged local entry up, in order, batching what waits;
//! the listener ([`super::listen`]) brings the team's entries down as PostgreSQL announces them.
//! Neither ever blocks the operator: when PostgreSQL is unreachable the entries stay in the
//! local journal and go up when it returns.

use crate::core::journal::Entry;
use crate::io::journal_store::read_assessed;
use crate::io::shared::location::SharedTarget;
use crate::io::shared::retry::{Backoff, CALL_TIMEOUT, part_of, within};
use crate::io::shared::store::{SharedError, SharedStore};
use crate::io::shared::sync_status::{Board, Part, SyncReport};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long connecting to PostgreSQL may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Entries uploaded in one append at most.
const BATCH: usize = 256;
/// Entries kept in memory at most; the rest are read back from the local journal.
const MAX_QUEUE: usize = 4096;

/// What the link needs.
#[derive(Debug, Clone)]
pub struct SyncSetup {
    /// The shared store.
    pub target: SharedTarget,
    /// Already connected at the start, if it was reachable then.
    pub store: Option<SharedStore>,
    /// The local journal file (read only, to catch up entries not in memory).
    pub local_journal: PathBuf,
}

/// The running link.
#[derive(Debug)]
pub struct SyncTasks {
    uploader: JoinHandle<()>,
    listener: JoinHandle<()>,
}

impl SyncTasks {
    /// Once the acknowledged entries' sender is dropped: waits (at most `within`) for the
    /// uploader to send what it still holds, then stops both tasks. What is not uploaded by
    /// then stays in the local journal and goes up at the next start.
    pub async fn finish(self, within: Duration) {
        let mut uploader = self.uploader;
        if tokio::time::timeout(within, &mut uploader).await.is_err() {
            uploader.abort();
        }
        self.listener.abort();
    }
}

/// Starts the uploader (fed with every entry the local journal acknowledges, in order) and the
/// listener; both report through `reports`.
pub fn spawn(
    setup: SyncSetup,
    acked: UnboundedReceiver<Entry>,
    reports: UnboundedSender<SyncReport>,
) -> SyncTasks {
    let board = Arc::new(Board::new(reports));
    let (store_tx, store_rx) = watch::channel(setup.store.clone());
    let (kick_tx, kick_rx) = watch::channel(0u64);
    let uploader = Uploader {
        target: setup.target,
        store: store_tx,
        kick: kick_tx,
        local_journal: setup.local_journal,
        origin: None,
        queue: VecDeque::new(),
        uploaded: None,
        local_head: 0,
        board: board.clone(),
        online: false,
    };
    // Counts what the local journal acknowledged as it comes, even while the uploader waits
    // on PostgreSQL, so the waiting count is always current.
    let (to_upload, queued) = tokio::sync::mpsc::unbounded_channel();
    let counter = board.clone();
    tokio::spawn(async move {
        let mut acked = acked;
        while let Some(e) = acked.recv().await {
            counter.acked(e.seq);
            if to_upload.send(e).is_err() {
                return;
            }
        }
    });
    SyncTasks {
        uploader: tokio::spawn(uploader.run(queued)),
        listener: tokio::spawn(super::listen::run(store_rx, kick_rx, board)),
    }
}

struct Uploader {
    target: SharedTarget,
    /// The store once connected, for the listener too.
    store: watch::Sender<Option<SharedStore>>,
    /// Bumped when the store is reached again, so the listener catches up at once.
    kick: watch::Sender<u64>,
    local_journal: PathBuf,
    /// The local journal's id (the hash of its first entry), once known.
    origin: Option<String>,
    /// Acknowledged entries not uploaded yet, consecutive.
    queue: VecDeque<Entry>,
    /// The highest local seq the store holds, once asked.
    uploaded: Option<u64>,
    /// The highest local seq acknowledged.
    local_head: u64,
    board: Arc<Board>,
    /// Whether the last call worked.
    online: bool,
}

impl Uploader {
    async fn run(mut self, mut acked: UnboundedReceiver<Entry>) {
        self.read_local().await;
        let mut backoff = Backoff::default();
        let mut open = true;
        loop {
            while let Ok(e) = acked.try_recv() {
                self.push(e);
            }
            if !self.has_work() {
                if !open {
                    return;
                }
                match acked.recv().await {
                    Some(e) => self.push(e),
                    None => open = false,
                }
                continue;
            }
            match self.step().await {
                Ok(()) => backoff.reset(),
                Err(e) => {
                    if self.online || backoff.is_fresh() {
                        tracing::warn!("shared journal: upload failed, retrying: {e}");
                    }
                    self.online = false;
                    self.board.upload(part_of(&e), self.uploaded.unwrap_or(0));
                    if !open {
                        return;
                    }
                    let until = tokio::time::Instant::now() + backoff.after(&e);
                    while open {
                        tokio::select! {
                            () = tokio::time::sleep_until(until) => break,
                            got = acked.recv() => match got {
                                Some(e) => self.push(e),
                                None => open = false,
                            },
                        }
                    }
                }
            }
        }
    }

    /// Entries in the local journal from earlier sessions (or from before a crash) that may
    /// not be uploaded yet: its id and head.
    async fn read_local(&mut self) {
        match read_assessed(&self.local_journal).await {
            Ok(a) => {
                self.origin = a.entries.first().map(|e| e.hash.clone());
                self.local_head = a.entries.last().map_or(0, |e| e.seq);
                self.board.acked(self.local_head);
            }
            Err(e) => tracing::warn!("shared journal: cannot read the local journal: {e}"),
        }
    }

    fn push(&mut self, e: Entry) {
        if e.seq == 1 {
            self.origin.get_or_insert_with(|| e.hash.clone());
        }
        self.local_head = self.local_head.max(e.seq);
        let follows = self.queue.back().is_none_or(|b| b.seq + 1 == e.seq);
        // Past the bound, or after a gap, entries are read back from the local journal.
        if follows && self.queue.len() < MAX_QUEUE {
            self.queue.push_back(e);
        }
    }

    fn has_work(&self) -> bool {
        self.origin.is_some() && self.uploaded.is_none_or(|u| u < self.local_head)
    }

    /// Connects when needed, learns what the store holds, uploads one batch.
    async fn step(&mut self) -> Result<(), SharedError> {
        let Some(origin) = self.origin.clone() else {
            return Ok(());
        };
        let store = self.connected().await?;
        let uploaded = match self.uploaded {
            Some(u) => u,
            None => {
                let u = within(CALL_TIMEOUT, store.uploaded_through(&origin)).await?;
                self.uploaded = Some(u);
                u
            }
        };
        while self.queue.front().is_some_and(|e| e.seq <= uploaded) {
            self.queue.pop_front();
        }
        if self.queue.front().is_none_or(|e| e.seq != uploaded + 1) {
            self.refill(uploaded).await?;
        }
        let joins = self.queue.front().map(|e| e.seq == uploaded + 1);
        if joins == Some(false) || (joins.is_none() && uploaded < self.local_head) {
            self.queue.clear();
            return Err(SharedError::Storage(format!(
                "the local journal has no entry #{} to upload",
                uploaded + 1
            )));
        }
        let batch: Vec<Entry> = self.queue.iter().take(BATCH).cloned().collect();
        if let Some(last) = batch.last() {
            within(CALL_TIMEOUT, store.append_from(&origin, &batch)).await?;
            self.uploaded = Some(last.seq);
            self.queue.drain(..batch.len());
        }
        if !self.online {
            self.online = true;
            self.kick.send_modify(|n| *n += 1);
        }
        self.board
            .upload(Part::Up, uploaded.max(self.uploaded.unwrap_or(0)));
        Ok(())
    }

    /// The store, connecting (and telling the listener) when not yet connected.
    async fn connected(&mut self) -> Result<SharedStore, SharedError> {
        if let Some(store) = self.store.borrow().clone() {
            return Ok(store);
        }
        let store = within(
            CONNECT_TIMEOUT,
            SharedStore::connect(&self.target, CONNECT_TIMEOUT),
        )
        .await?;
        self.store.send_replace(Some(store.clone()));
        Ok(store)
    }

    /// Puts back in front of the queue the entries after `uploaded` that only the local
    /// journal holds.
    async fn refill(&mut self, uploaded: u64) -> Result<(), SharedError> {
        let before = self.queue.front().map_or(u64::MAX, |e| e.seq);
        let assessed = read_assessed(&self.local_journal)
            .await
            .map_err(|e| SharedError::Storage(format!("local journal: {e}")))?;
        self.local_head = self
            .local_head
            .max(assessed.entries.last().map_or(0, |e| e.seq));
        let missing: Vec<Entry> = assessed
            .entries
            .into_iter()
            .filter(|e| e.seq > uploaded && e.seq < before)
            .take(MAX_QUEUE)
            .collect();
        if missing.last().is_some_and(|e| e.seq + 1 != before) {
            // The queue cannot join what was read: start over from the file next time.
            self.queue.clear();
        }
        for e in missing.into_iter().rev() {
            self.queue.push_front(e);
        }
        Ok(())
    }
}
