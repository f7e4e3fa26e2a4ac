//! The team's entries, live: a `LISTEN cockpit_journal` connection; each notification (and
//! each (re)connection) fetches the shared entries after the last one seen. No polling: between
//! notifications nothing is asked; a lost connection is made again after a short pause.

use crate::core::shared_chain::SharedEntry;
use crate::io::shared::retry::{Backoff, CALL_TIMEOUT, part_of, within};
use crate::io::shared::schema::JOURNAL_CHANNEL;
use crate::io::shared::store::{SharedError, SharedStore};
use crate::io::shared::sync_status::{Board, Part};
use sqlx::postgres::PgListener;
use std::sync::Arc;
use tokio::sync::watch;

/// Shared entries read in one query at most.
const PAGE: u32 = 1000;
/// After this long without a notification the listening connection is checked (a connection
/// cut without a word from the network would otherwise wait for ever).
const QUIET_CHECK: std::time::Duration = std::time::Duration::from_secs(30);

/// Listens until stopped: waits for the store, then keeps a listening connection, reporting
/// new entries. `kick` changes when the uploader reaches the store again.
pub(crate) async fn run(
    mut store: watch::Receiver<Option<SharedStore>>,
    mut kick: watch::Receiver<u64>,
    board: Arc<Board>,
) {
    let Ok(store) = store.wait_for(Option::is_some).await.map(|s| s.clone()) else {
        return;
    };
    let Some(store) = store else { return };
    let mut seen = Seen::default();
    let mut backoff = Backoff::default();
    loop {
        let lost = match listen(&store).await {
            Ok(mut listener) => {
                backoff.reset();
                follow(&store, &mut listener, &mut kick, &mut seen, &board).await
            }
            Err(e) => e,
        };
        tracing::info!("shared journal: listening connection lost: {lost}");
        board.listen(part_of(&lost));
        let pause = tokio::time::sleep(backoff.after(&lost));
        tokio::select! {
            () = pause => {}
            changed = kick.changed() => if changed.is_err() { return },
        }
    }
}

/// What has been reported so far.
#[derive(Debug, Default)]
struct Seen {
    /// The last shared seq reported.
    last: u64,
    /// Whether the first (whole) batch went out.
    reported: bool,
}

/// A connection listening on the journal channel.
async fn listen(store: &SharedStore) -> Result<PgListener, SharedError> {
    let pool = store.pool();
    let sql = |e: sqlx::Error| SharedError::Unreachable(e.to_string());
    within(CALL_TIMEOUT, async {
        let mut listener = PgListener::connect_with(pool).await.map_err(sql)?;
        // A lost connection is made again here, with this module's timeouts and pauses.
        listener.eager_reconnect(false);
        listener.listen(JOURNAL_CHANNEL).await.map_err(sql)?;
        Ok(listener)
    })
    .await
}

/// Catches up, then fetches on every notification or kick, until the connection is lost.
async fn follow(
    store: &SharedStore,
    listener: &mut PgListener,
    kick: &mut watch::Receiver<u64>,
    seen: &mut Seen,
    board: &Board,
) -> SharedError {
    if let Err(e) = fetch(store, seen, board).await {
        return e;
    }
    board.listen(Part::Up);
    loop {
        tokio::select! {
            got = listener.try_recv() => match got {
                // Several notifications waiting cost one fetch.
                Ok(Some(_)) => while listener.next_buffered().is_some() {},
                Ok(None) => return SharedError::Unreachable("the connection closed".into()),
                Err(e) => return SharedError::Unreachable(e.to_string()),
            },
            changed = kick.changed() => if changed.is_err() {
                return SharedError::Unreachable("the cockpit is stopping".into());
            },
            () = tokio::time::sleep(QUIET_CHECK) => {
                let check = sqlx::query("SELECT 1").execute(&mut *listener);
                match tokio::time::timeout(CALL_TIMEOUT, check).await {
                    Ok(Ok(_)) => continue,
                    Ok(Err(e)) => return SharedError::Unreachable(e.to_string()),
                    Err(_) => return SharedError::Unreachable("the listening connection stopped answering".into()),
                }
            }
        }
        if let Err(e) = fetch(store, seen, board).await {
            return e;
        }
    }
}

/// Reports the entries after the last seen (the whole journal the first time, even empty).
async fn fetch(store: &SharedStore, seen: &mut Seen, board: &Board) -> Result<(), SharedError> {
    let mut new: Vec<SharedEntry> = Vec::new();
    loop {
        let after = new.last().map_or(seen.last, |e| e.entry.seq);
        let page = within(CALL_TIMEOUT, store.read_after(after, PAGE)).await?;
        // A page may hold fewer than asked (it is bounded in bytes too): the end is an empty
        // one.
        let done = page.is_empty();
        new.extend(page);
        if done {
            break;
        }
    }
    if new.is_empty() && seen.reported {
        return Ok(());
    }
    if let Some(last) = new.last() {
        seen.last = last.entry.seq;
    }
    seen.reported = true;
    board.entries(new);
    Ok(())
}
