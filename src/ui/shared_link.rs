//! The runtime's side of the shared journal: starts the link (see `io::shared::sync`), feeds it
//! the entries the local journal acknowledges, and turns its reports into events.

use crate::core::journal::Entry;
use crate::io::shared::sync::{self, SyncSetup, SyncTasks};
use crate::ui::event::Event;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

/// How long the exit waits for the last entries to go up (they stay in the local journal and
/// go up at the next start otherwise).
pub const EXIT_UPLOAD_WAIT: Duration = Duration::from_secs(2);

/// The running link.
pub struct SharedLink {
    tasks: SyncTasks,
    forward: JoinHandle<()>,
}

/// Starts the link; returns where to send acknowledged local entries, in order.
pub fn start(
    setup: SyncSetup,
    events: UnboundedSender<Event>,
) -> (UnboundedSender<Entry>, SharedLink) {
    let (acked_tx, acked_rx) = unbounded_channel();
    let (reports_tx, mut reports_rx) = unbounded_channel();
    let tasks = sync::spawn(setup, acked_rx, reports_tx);
    let forward = tokio::spawn(async move {
        while let Some(report) = reports_rx.recv().await {
            if events.send(Event::Shared(report)).is_err() {
                return;
            }
        }
    });
    (acked_tx, SharedLink { tasks, forward })
}

impl SharedLink {
    /// Once the journal writer has ended (so no entry comes any more): lets the uploader send
    /// what it holds, within [`EXIT_UPLOAD_WAIT`], then stops.
    pub async fn finish(self) {
        self.tasks.finish(EXIT_UPLOAD_WAIT).await;
        self.forward.abort();
    }
}
