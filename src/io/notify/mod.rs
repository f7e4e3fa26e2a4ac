//! Sending notifications: each channel's secrets read ([`ReadyChannel`]) and one attempt at
//! delivering a notice through it ([`deliver`]), over HTTP (reqwest) or SMTP (lettre). The
//! retries, the queue and the journal are the send worker's.

mod email;
mod http;
mod ready;

pub use ready::{ReadyChannel, ready_channels};

use crate::core::notify::{ChannelKind, Notice};
use std::time::Duration;

/// Sends `notice` (notification `id`) once through `ready`, giving up after `timeout`: the
/// platform's answer (`HTTP 200: {"errcode":0,…}`, `250 2.0.0 Ok: queued`) or why it was not
/// delivered, on one line, with the channel's secrets masked.
pub async fn deliver(
    ready: &ReadyChannel,
    id: &str,
    notice: &Notice,
    timeout: Duration,
) -> Result<String, String> {
    if let Some(problem) = ready.problem() {
        return Err(problem);
    }
    let attempt = async {
        match ready.channel.kind {
            ChannelKind::Email => email::send(ready, notice, timeout).await,
            _ => http::post(ready, id, notice, timeout, now_ms()).await,
        }
    };
    let outcome = match tokio::time::timeout(timeout, attempt).await {
        Ok(outcome) => outcome,
        Err(_) => Err(format!("no answer within {} s", timeout.as_secs_f64())),
    };
    outcome
        .map(|answer| one_line(&ready.mask(&answer)))
        .map_err(|error| one_line(&ready.mask(&error)))
}

/// Now, in unix milliseconds (the time the platforms' signatures carry).
fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The text on one line, at most 500 characters.
fn one_line(text: &str) -> String {
    let flat = crate::core::notify::one_line(text);
    let trimmed = flat.trim();
    if trimmed.chars().count() > 500 {
        let mut short: String = trimmed.chars().take(500).collect();
        short.push('…');
        short
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests;
