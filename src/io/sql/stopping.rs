//! A statement's work within its time limit: when the statement timeout passes, or the operator
//! cancels, the server is asked to stop the statement from a side connection; when that fails,
//! or the statement does not stop within a grace period, the connection must be closed.

use crate::io::sql::connect::{CancelTarget, Masker, cancel_on_server};
use crate::io::sql::settings::SqlSettings;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// How long a statement may take to stop after the server was asked to cancel it, before the
/// connection is closed instead.
const CANCEL_GRACE: Duration = Duration::from_secs(5);

/// Where the task answers a request.
pub(super) type Reply<T> = oneshot::Sender<T>;

/// Where the session handle sends cancel requests.
pub(super) type CancelTx = mpsc::UnboundedSender<Reply<Result<(), String>>>;

/// Cancel requests, each answered once the statement is stopped (or nothing was running).
pub(super) type CancelRx = mpsc::UnboundedReceiver<Reply<Result<(), String>>>;

/// How a guarded piece of work ended.
pub(super) enum Guarded<T> {
    /// It finished; `stopped` says whether it was asked to stop (timeout or cancel) first.
    Finished(T, Option<Stop>),
    /// It could not be stopped on the server (or is SQLite): the connection must go.
    Abandoned(Stop, Option<String>),
}

/// Why a statement was asked to stop.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    Timeout,
    Cancelled,
}

/// Runs `work` on the open connection within the statement timeout, answering cancel
/// requests while it runs.
pub(super) async fn guarded<'a, T>(
    settings: &SqlSettings,
    masker: &Masker,
    target: &CancelTarget,
    cancels: &mut CancelRx,
    work: impl Future<Output = T> + 'a,
) -> Guarded<T> {
    let mut work = std::pin::pin!(work);
    let deadline = tokio::time::sleep(settings.statement_timeout);
    let mut deadline = std::pin::pin!(deadline);
    let grace = tokio::time::sleep(Duration::MAX / 4);
    let mut grace = std::pin::pin!(grace);
    let mut stop: Option<Stop> = None;
    let sqlite = matches!(target, CancelTarget::Sqlite { .. });
    loop {
        let why = tokio::select! {
            done = &mut work => return Guarded::Finished(done, stop),
            () = &mut deadline, if stop.is_none() => Stop::Timeout,
            Some(reply) = cancels.recv() => {
                if stop.is_some() {
                    let _ = reply.send(Ok(()));
                    continue;
                }
                let outcome = cancel_on_server(target, settings.connect_timeout, masker).await;
                let failed = outcome.as_ref().err().cloned();
                // Cancelled one way or another: on the server, or by closing the connection.
                let _ = reply.send(Ok(()));
                if sqlite || failed.is_some() {
                    return Guarded::Abandoned(Stop::Cancelled, failed);
                }
                stop = Some(Stop::Cancelled);
                grace.as_mut().reset(tokio::time::Instant::now() + CANCEL_GRACE);
                continue;
            }
            () = &mut grace, if stop.is_some() => {
                let why = stop.unwrap_or(Stop::Timeout);
                return Guarded::Abandoned(
                    why,
                    Some(format!("it did not stop within {}s of being cancelled", CANCEL_GRACE.as_secs())),
                );
            }
        };
        // The statement timeout passed: ask the server to stop it.
        let outcome = cancel_on_server(target, settings.connect_timeout, masker).await;
        if sqlite || outcome.is_err() {
            return Guarded::Abandoned(why, outcome.err());
        }
        stop = Some(why);
        grace
            .as_mut()
            .reset(tokio::time::Instant::now() + CANCEL_GRACE);
    }
}
