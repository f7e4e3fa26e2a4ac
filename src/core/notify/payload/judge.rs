//! Reading a platform's answer: a 2xx is not always a delivery. DingTalk and WeCom answer
//! HTTP 200 with `errcode` ≠ 0 when they refuse a message (a bad signature, a missing
//! keyword, too many messages), Feishu with `code` ≠ 0, and Slack's success is the body `ok`.

use crate::core::notify::ChannelKind;
use serde_json::Value;

/// Characters of a platform's answer kept for the journal and the screen.
const ANSWER_CHARS: usize = 300;

/// Whether the platform took the message: `Ok` with its answer (`HTTP 200: {…}`, on one line,
/// shortened), or `Err` saying why not. Secrets are the caller's to mask.
pub fn judge(kind: ChannelKind, status: u16, body: &str) -> Result<String, String> {
    let said = answer(status, body);
    if !(200..300).contains(&status) {
        return Err(format!("the platform answered {said}"));
    }
    let field = |name: &str| -> Option<i64> {
        serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v.get(name).and_then(Value::as_i64))
    };
    let taken = match kind {
        ChannelKind::DingTalk | ChannelKind::WeCom => field("errcode") == Some(0),
        ChannelKind::Feishu => field("code").or_else(|| field("StatusCode")) == Some(0),
        ChannelKind::Slack => body.trim() == "ok",
        ChannelKind::Webhook | ChannelKind::Email => true,
    };
    if taken {
        Ok(said)
    } else {
        Err(format!("the platform refused the message: {said}"))
    }
}

/// `HTTP <status>: <body>` on one line, at most [`ANSWER_CHARS`] characters of the body.
fn answer(status: u16, body: &str) -> String {
    let flat: String = body
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut short: String = flat.chars().take(ANSWER_CHARS).collect();
    if flat.chars().nth(ANSWER_CHARS).is_some() {
        short.push('…');
    }
    if short.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {short}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_200_with_an_error_code_is_a_refusal() {
        let refused = r#"{"errcode":310000,"errmsg":"sign not match"}"#;
        assert_eq!(
            judge(ChannelKind::DingTalk, 200, refused),
            Err(format!(
                "the platform refused the message: HTTP 200: {refused}"
            ))
        );
        assert!(
            judge(
                ChannelKind::WeCom,
                200,
                r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#
            )
            .is_err()
        );
        assert!(judge(ChannelKind::Feishu, 200, r#"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}"#).is_err());
        assert!(judge(ChannelKind::Slack, 200, "no_text").is_err());
        assert!(judge(ChannelKind::DingTalk, 200, "<html>proxy</html>").is_err());
    }

    #[test]
    fn each_platform_success_is_a_delivery() {
        assert_eq!(
            judge(ChannelKind::DingTalk, 200, r#"{"errcode":0,"errmsg":"ok"}"#),
            Ok(r#"HTTP 200: {"errcode":0,"errmsg":"ok"}"#.to_string())
        );
        assert!(judge(ChannelKind::WeCom, 200, r#"{"errcode":0,"errmsg":"ok"}"#).is_ok());
        assert!(
            judge(
                ChannelKind::Feishu,
                200,
                r#"{"code":0,"data":{},"msg":"success"}"#
            )
            .is_ok()
        );
        assert!(
            judge(
                ChannelKind::Feishu,
                200,
                r#"{"Extra":null,"StatusCode":0,"StatusMessage":"success"}"#
            )
            .is_ok()
        );
        assert_eq!(
            judge(ChannelKind::Slack, 200, "ok\n"),
            Ok("HTTP 200: ok".to_string())
        );
        assert_eq!(
            judge(ChannelKind::Webhook, 204, ""),
            Ok("HTTP 204".to_string())
        );
    }

    #[test]
    fn an_error_status_fails_whatever_the_body() {
        assert_eq!(
            judge(ChannelKind::Webhook, 500, "boom\r\nline two"),
            Err("the platform answered HTTP 500: boom  line two".to_string())
        );
        assert!(judge(ChannelKind::DingTalk, 403, r#"{"errcode":0}"#).is_err());
    }

    #[test]
    fn a_huge_answer_is_shortened_on_one_line() {
        let body = "界\n".repeat(10_000);
        let Err(e) = judge(ChannelKind::Slack, 400, &body) else {
            panic!("a 400 is a failure")
        };
        assert!(e.chars().count() < ANSWER_CHARS + 40, "{}", e.len());
        assert!(!e.contains('\n') && e.ends_with('…'));
    }
}
