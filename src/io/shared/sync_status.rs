//! How the link to the shared journal stands, as the operator sees it: online, offline with
//! entries waiting, or unusable. The uploader and the listener each report their part; the
//! board combines them and sends a report only when what the operator would see changes.

use crate::core::shared_chain::SharedEntry;
use std::sync::Mutex;
use tokio::sync::mpsc::UnboundedSender;

/// The shared journal's state, for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncStatus {
    /// Not reached yet since the start.
    Connecting,
    /// Reached: own entries are uploaded, others' arrive live.
    Online,
    /// Unreachable: the cockpit works on its local journal; `waiting` own entries are not
    /// uploaded yet (they are safe in the local journal and go up when it returns).
    Offline {
        /// Own entries not yet in the shared journal.
        waiting: u64,
        /// Why it is offline (no password in it).
        reason: String,
    },
    /// Reached but not usable (another schema, a refused login…): retried, but it needs someone.
    Error(String),
    /// What the store holds does not verify (`shared journal broken at entry #5: …`): nothing
    /// from the break on is applied; the cockpit works on its local journal (own entries still
    /// go up, after the others'). It needs someone.
    Broken(String),
}

/// What the link tells the cockpit.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncReport {
    /// The status changed.
    Status(SyncStatus),
    /// Shared entries after the last ones reported, in shared order. The first report after the
    /// start holds the whole shared journal (maybe nothing).
    Entries(Vec<SharedEntry>),
}

/// One task's view of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    /// Not reached yet.
    Connecting,
    /// Working.
    Up,
    /// Unreachable, with why.
    Down(String),
    /// Unusable, with why.
    Broken(String),
    /// The shared chain does not verify, with where and why.
    Chain(String),
}

#[derive(Debug)]
struct State {
    upload: Part,
    listen: Part,
    /// The local journal's last acknowledged entry.
    local_head: u64,
    /// The last local entry the store holds, as far as known.
    uploaded: u64,
    shown: Option<SyncStatus>,
}

/// Combines the uploader's and the listener's parts into one status.
#[derive(Debug)]
pub(crate) struct Board {
    state: Mutex<State>,
    reports: UnboundedSender<SyncReport>,
}

impl Board {
    /// A board sending its changes to `reports`.
    pub(crate) fn new(reports: UnboundedSender<SyncReport>) -> Self {
        Self {
            state: Mutex::new(State {
                upload: Part::Connecting,
                listen: Part::Connecting,
                local_head: 0,
                uploaded: 0,
                shown: None,
            }),
            reports,
        }
    }

    /// Sends a report of entries.
    pub(crate) fn entries(&self, entries: Vec<SharedEntry>) {
        let _ = self.reports.send(SyncReport::Entries(entries));
    }

    /// The uploader's part and the last local entry the store holds.
    pub(crate) fn upload(&self, part: Part, uploaded: u64) {
        self.change(|s| {
            s.upload = part;
            s.uploaded = uploaded;
        });
    }

    /// The local journal acknowledged entry `seq`.
    pub(crate) fn acked(&self, seq: u64) {
        self.change(|s| s.local_head = s.local_head.max(seq));
    }

    /// The listener's part.
    pub(crate) fn listen(&self, part: Part) {
        self.change(|s| s.listen = part);
    }

    fn change(&self, f: impl FnOnce(&mut State)) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        f(&mut state);
        let waiting = state.local_head.saturating_sub(state.uploaded);
        let status = combine(&state.upload, &state.listen, waiting);
        if state.shown.as_ref() != Some(&status) {
            state.shown = Some(status.clone());
            let _ = self.reports.send(SyncReport::Status(status));
        }
    }
}

/// The status the operator sees: broken beats down beats connecting; online only when both
/// tasks work.
fn combine(upload: &Part, listen: &Part, waiting: u64) -> SyncStatus {
    match (upload, listen) {
        (Part::Chain(r), _) | (_, Part::Chain(r)) => SyncStatus::Broken(r.clone()),
        (Part::Broken(r), _) | (_, Part::Broken(r)) => SyncStatus::Error(r.clone()),
        (Part::Down(r), _) | (_, Part::Down(r)) => SyncStatus::Offline {
            waiting,
            reason: r.clone(),
        },
        (Part::Up, Part::Up) => SyncStatus::Online,
        _ => SyncStatus::Connecting,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc::unbounded_channel;

    fn statuses(rx: &mut tokio::sync::mpsc::UnboundedReceiver<SyncReport>) -> Vec<SyncStatus> {
        let mut out = Vec::new();
        while let Ok(SyncReport::Status(s)) = rx.try_recv() {
            out.push(s);
        }
        out
    }

    #[test]
    fn reports_only_what_changes_for_the_operator() {
        let (tx, mut rx) = unbounded_channel();
        let board = Board::new(tx);
        board.upload(Part::Up, 0);
        board.listen(Part::Up);
        board.acked(3);
        board.listen(Part::Up);
        assert_eq!(
            statuses(&mut rx),
            vec![SyncStatus::Connecting, SyncStatus::Online]
        );
        board.listen(Part::Down("gone".into()));
        board.acked(4);
        board.acked(6);
        board.upload(Part::Down("gone".into()), 1);
        let offline = |waiting| SyncStatus::Offline {
            waiting,
            reason: "gone".into(),
        };
        assert_eq!(
            statuses(&mut rx),
            vec![offline(3), offline(4), offline(6), offline(5)]
        );
        board.upload(Part::Broken("schema 9".into()), 1);
        assert_eq!(
            statuses(&mut rx),
            vec![SyncStatus::Error("schema 9".into())]
        );
    }
}
