//! How the background link talks to PostgreSQL when it may not answer: a time limit on every
//! call, what a failure leaves a task in, and the pauses between tries. Shared by the uploader
//! ([`super::sync`]) and the listener ([`super::listen`]).

use crate::io::shared::store::SharedError;
use crate::io::shared::sync_status::Part;
use std::future::Future;
use std::time::Duration;

/// How long a call to PostgreSQL, other than connecting, may take.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest pause between two tries while PostgreSQL is unreachable.
pub const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// The pause after an answer that trying again will not change (a refused login, another
/// schema, an upload out of order): it needs someone; no use knocking every 2 s.
pub const UNUSABLE_PAUSE: Duration = Duration::from_secs(30);

/// Runs a call to PostgreSQL within `limit`; a timeout is an unreachable server.
pub(crate) async fn within<T>(
    limit: Duration,
    call: impl Future<Output = Result<T, SharedError>>,
) -> Result<T, SharedError> {
    match tokio::time::timeout(limit, call).await {
        Ok(result) => result,
        Err(_) => Err(SharedError::Unreachable(format!(
            "no answer within {} s",
            limit.as_secs()
        ))),
    }
}

/// The part a failed call leaves a task in.
pub(crate) fn part_of(e: &SharedError) -> Part {
    match e {
        SharedError::Unusable(r) => Part::Broken(r.clone()),
        SharedError::Broken(_) => Part::Chain(e.to_string()),
        SharedError::Unreachable(r) | SharedError::Storage(r) => Part::Down(r.clone()),
    }
}

/// Pauses between tries: 100 ms, doubling, at most [`MAX_BACKOFF`].
#[derive(Debug, Default)]
pub(crate) struct Backoff(u32);

impl Backoff {
    /// The next pause.
    pub(crate) fn next(&mut self) -> Duration {
        let pause = Duration::from_millis(100u64 << self.0.min(5)).min(MAX_BACKOFF);
        self.0 = self.0.saturating_add(1);
        pause
    }

    /// The next pause after `e`: longer when retrying will not help soon.
    pub(crate) fn after(&mut self, e: &SharedError) -> Duration {
        match e {
            SharedError::Unusable(_) | SharedError::Broken(_) => UNUSABLE_PAUSE,
            _ => self.next(),
        }
    }

    /// Whether no try failed since the last success.
    pub(crate) fn is_fresh(&self) -> bool {
        self.0 == 0
    }

    /// After a success.
    pub(crate) fn reset(&mut self) {
        self.0 = 0;
    }
}
