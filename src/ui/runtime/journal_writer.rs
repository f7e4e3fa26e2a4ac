//! The journal writer: the one task that owns the journal store. Records are stored in the
//! order they are sent; each stored entry is reported to the app (and handed to the shared
//! journal's uploader) only once it is on disk.

use crate::core::journal::Record;
use crate::io::journal_store::JournalStore;
use crate::ui::event::Event;
use crate::ui::runtime::now_ms;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::sync::oneshot;

/// The journal writer owns the store; each record is stored before its entry is reported (and
/// then handed to `uploads`, the shared journal's uploader, if any). It first confirms the
/// store ([`JournalStore::confirm`]), and says so on the returned receiver: a session resumed
/// from the journal's resume point has its earlier entries verified before anything is stored,
/// from when `first_frame` is answered (or dropped).
/// After an incident's resolve and a session's end it has the head signed (see
/// [`head_signer`]) and journals the signature, or that there is none, when it comes.
pub(super) fn spawn_journal_writer(
    mut journal: JournalStore,
    actor: String,
    events: UnboundedSender<Event>,
    uploads: Option<UnboundedSender<crate::core::journal::Entry>>,
    quit_cleanly: Arc<AtomicBool>,
    first_frame: oneshot::Receiver<()>,
) -> (
    UnboundedSender<Record>,
    tokio::task::JoinHandle<()>,
    oneshot::Receiver<()>,
) {
    let (tx, mut rx) = unbounded_channel::<Record>();
    let (confirmed_tx, confirmed) = oneshot::channel();
    let (signed_tx, mut signed_rx) = unbounded_channel::<Record>();
    let handle = tokio::spawn(async move {
        // A session resumed from the journal's resume point verifies the entries before it
        // first: nothing is stored until they are. It starts once the first frame is drawn
        // (or will not be), so reading a long journal does not slow that frame.
        let _ = first_frame.await;
        match journal.confirm().await {
            Ok(corrected) => {
                if corrected.is_some() {
                    tracing::warn!("the journal's resume point did not match its entries");
                }
                let _ = events.send(Event::JournalConfirmed(corrected.map(Box::new)));
            }
            Err(e) => {
                tracing::error!("journal refused: {e}");
                let _ = events.send(Event::JournalBroken(e.to_string()));
                // Records still come until the session ends; none is stored.
                while rx.recv().await.is_some() {}
                let _ = confirmed_tx.send(());
                while rx.recv().await.is_some() {}
                journal.close().await;
                return;
            }
        }
        let _ = confirmed_tx.send(());
        let mut signing = 0usize;
        let mut open = true;
        while open || signing > 0 {
            let record = tokio::select! {
                Some(r) = signed_rx.recv(), if signing > 0 => {
                    signing -= 1;
                    r
                }
                r = rx.recv(), if open => match r {
                    Some(r) => r,
                    None => {
                        open = false;
                        continue;
                    }
                },
            };
            let own = record.is_signature();
            let event = match journal.append(now_ms(), &actor, &record).await {
                Ok(entry) => {
                    // The acknowledgement, logged before the screen can show it: crash trials
                    // check every entry logged here is in the journal after a kill -9.
                    tracing::info!(
                        "journal entry acknowledged: #{} {} {}",
                        entry.seq,
                        entry.record.kind(),
                        entry.hash
                    );
                    let clean = quit_cleanly.load(Ordering::SeqCst);
                    if let Some(sign) = head_signer(&journal, &entry, clean, signed_tx.clone()) {
                        signing += 1;
                        tokio::spawn(sign);
                    }
                    // The app hears of it first: its own entry coming back from the store is
                    // then known as its own.
                    let _ = events.send(Event::Journaled(entry.clone()));
                    if let Some(up) = &uploads {
                        let _ = up.send(entry);
                    }
                    continue;
                }
                // The app counts its own requests; a signature entry is not one of them.
                Err(e) if own => {
                    tracing::error!("journal append of a head signature failed: {e}");
                    continue;
                }
                Err(e) => {
                    tracing::error!("journal append failed: {e}");
                    Event::JournalFailed(e.to_string())
                }
            };
            let _ = events.send(event);
        }
        journal.close().await;
    });
    (tx, handle, confirmed)
}

/// For an entry that resolves an incident or ends a session: the task signing the journal
/// head at it through the SSH agent, off the UI task and within the agent's timeout, which
/// appends the signature to the sidecar file and hands the record to journal to `done`. A
/// session that did not end with the operator's quit (`quit_cleanly`) is not signed: the
/// task says so at once.
fn head_signer(
    journal: &JournalStore,
    entry: &crate::core::journal::Entry,
    quit_cleanly: bool,
    done: UnboundedSender<Record>,
) -> Option<impl Future<Output = ()> + use<>> {
    use crate::core::head_seal::SignedHead;
    use crate::io::head_sign;
    if !matches!(
        entry.record,
        Record::IncidentResolved { .. } | Record::SessionEnded { .. }
    ) {
        return None;
    }
    let head = SignedHead {
        journal: journal.journal_id()?.to_string(),
        seq: entry.seq,
        hash: entry.hash.clone(),
    };
    let path = journal.path().to_path_buf();
    let skip = match &entry.record {
        Record::SessionEnded { reason } if !quit_cleanly => Some(format!(
            "the session ended without a quit ({reason}), so cockpit exited without waiting for the SSH agent"
        )),
        _ => None,
    };
    Some(async move {
        let agent = head_sign::agent_socket();
        let signed = match skip {
            Some(reason) => Err(reason),
            None => head_sign::sign_head(&head, agent.as_deref()).await,
        };
        let record = match signed {
            Ok(sig) => {
                if let Err(e) = head_sign::append_sidecar(&path, &head, &sig.armored) {
                    tracing::error!("journal signature not written to the sidecar file: {e}");
                }
                Record::HeadSigned {
                    seq: head.seq,
                    hash: head.hash,
                    journal: head.journal,
                    key: sig.key,
                    signature: sig.armored,
                }
            }
            Err(reason) => Record::HeadNotSigned {
                seq: head.seq,
                hash: head.hash,
                reason,
            },
        };
        let _ = done.send(record);
    })
}
