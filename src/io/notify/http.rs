//! One POST to a chat platform or webhook: the request built by `core::notify::payload`,
//! sent with a deadline, its answer judged. Errors never carry the URL (it holds the token).

use crate::core::notify::{Notice, build, judge};
use crate::io::notify::ReadyChannel;
use std::time::Duration;

/// Bytes of a platform's answer read; the rest is not needed to judge it.
const ANSWER_BYTES: usize = 64 * 1024;

/// Sends `notice` once through the webhook channel `ready` at `now_ms`.
pub(super) async fn post(
    ready: &ReadyChannel,
    id: &str,
    notice: &Notice,
    timeout: Duration,
    now_ms: i64,
) -> Result<String, String> {
    let url = ready
        .url()
        .ok_or_else(|| format!("channel `{}` has no URL", ready.name()))?;
    let request = build(
        ready.channel.kind,
        url.expose(),
        ready.signing_secret().map(|s| s.expose()),
        id,
        notice,
        &ready.channel.mention,
        now_ms,
    )?;
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("cockpit/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| words(e, timeout))?;
    let mut builder = client.post(&request.url).body(request.body);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let mut response = builder.send().await.map_err(|e| words(e, timeout))?;
    let status = response.status().as_u16();
    let mut body: Vec<u8> = Vec::new();
    while body.len() < ANSWER_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => return Err(words(e, timeout)),
        }
    }
    body.truncate(ANSWER_BYTES);
    judge(ready.channel.kind, status, &String::from_utf8_lossy(&body))
}

/// A reqwest error in words, without its URL, with the cause (`connection refused`).
fn words(error: reqwest::Error, timeout: Duration) -> String {
    let error = error.without_url();
    if error.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs_f64());
    }
    let mut out = if error.is_connect() {
        "cannot connect".to_string()
    } else if error.is_body() || error.is_decode() {
        "the answer broke off".to_string()
    } else {
        "the request failed".to_string()
    };
    let mut source = std::error::Error::source(&error);
    let mut last = String::new();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !text.is_empty() && text != last {
            out.push_str(": ");
            out.push_str(&text);
            last = text;
        }
        source = cause.source();
    }
    out
}
