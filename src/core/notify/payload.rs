//! What one notice looks like on the wire of each platform: the request (URL, headers, JSON
//! body, signature) and how to read the platform's answer. Pure: the time of sending and the
//! secrets are handed in, and `io::notify` sends the request.
//!
//! The generic webhook posts cockpit's own JSON:
//!
//! ```json
//! {"id": "n-…", "event": "escalation", "incident": "INC-1", "severity": "P0",
//!  "drill": false, "title": "API down", "about": "team lead",
//!  "headline": "P0 INC-1 escalated to team lead: API down",
//!  "text": "P0 INC-1 escalated to team lead: API down\nRunning for: 15 min",
//!  "lines": ["Running for: 15 min"], "contacts": ["ops-oncall@example.com"],
//!  "mention": ["lead"], "at": "2026-12-07T06:50:49.000Z"}
//! ```
//!
//! With a signing secret it carries `X-Cockpit-Timestamp` (unix seconds) and
//! `X-Cockpit-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`; a receiver
//! recomputes it over the raw body and drops a repeat by `id`.

mod body;
mod judge;
mod sign;

use crate::core::notify::{ChannelKind, Notice};
use std::fmt;

pub use judge::judge;

/// One HTTP POST to a platform.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    /// Where to post: the channel's URL, with DingTalk's signature added to its query. It
    /// holds the channel's token: never show or log it.
    pub url: String,
    /// Headers to send (name, value).
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: String,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("url", &crate::core::redact::MASK)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

/// The request that sends `notice` (notification `id`) through a channel of `kind` at
/// `url`, signed with `secret` when there is one, mentioning `mention` (the channel's list)
/// besides the notice's contacts, at `now_ms` (unix ms: the time the signatures carry).
/// Fails, without quoting the URL, when the URL is not an `http(s)://` one or the kind is
/// e-mail.
pub fn build(
    kind: ChannelKind,
    url: &str,
    secret: Option<&str>,
    id: &str,
    notice: &Notice,
    mention: &[String],
    now_ms: i64,
) -> Result<Request, String> {
    check_url(url)?;
    let secret = secret.filter(|s| !s.is_empty());
    let now_s = now_ms.div_euclid(1000);
    let mut url = url.to_string();
    let mut headers = vec![(
        "Content-Type".to_string(),
        "application/json; charset=utf-8".to_string(),
    )];
    let body = match kind {
        ChannelKind::Webhook => {
            let body = body::webhook(id, notice, mention);
            if let Some(secret) = secret {
                headers.push(("X-Cockpit-Timestamp".into(), now_s.to_string()));
                headers.push((
                    "X-Cockpit-Signature".into(),
                    sign::webhook(secret, now_s, &body),
                ));
            }
            body
        }
        ChannelKind::Slack => body::slack(notice, mention),
        ChannelKind::DingTalk => {
            if let Some(secret) = secret {
                let separator = if url.contains('?') { '&' } else { '?' };
                url.push(separator);
                url.push_str(&sign::dingtalk_query(secret, now_ms));
            }
            body::dingtalk(notice, mention)
        }
        ChannelKind::Feishu => {
            let signature = secret.map(|s| (now_s, sign::feishu(s, now_s)));
            body::feishu(notice, mention, signature)
        }
        ChannelKind::WeCom => body::wecom(notice, mention),
        ChannelKind::Email => return Err("an e-mail channel does not post to a URL".into()),
    };
    Ok(Request { url, headers, body })
}

/// An e-mail's subject (the headline, on one line, marked `[DRILL]` for a drill) and plain
/// text body (the headline, then the facts and who it is for, one per line).
pub fn mail(notice: &Notice) -> (String, String) {
    body::mail(notice)
}

/// Refuses a URL that is not `http://` or `https://` with a host, naming only what is wrong.
fn check_url(url: &str) -> Result<(), String> {
    let parsed =
        url::Url::parse(url.trim()).map_err(|e| format!("the channel's URL is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "the channel's URL must start with https:// (it is {}://…)",
            parsed.scheme()
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("the channel's URL has no host".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
