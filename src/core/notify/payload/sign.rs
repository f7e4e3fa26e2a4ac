//! The platforms' signatures: HMAC-SHA256 of the time of sending, keyed by the channel's
//! signing secret, so a captured request cannot be replayed later.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// HMAC-SHA256 of `message` keyed by `key`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length, so this never fails.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// DingTalk's query suffix `timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256(secret,
/// "<ms>\n<secret>")>`.
pub(super) fn dingtalk_query(secret: &str, now_ms: i64) -> String {
    let to_sign = format!("{now_ms}\n{secret}");
    let sign = STANDARD.encode(hmac_sha256(secret.as_bytes(), to_sign.as_bytes()));
    let sign: String = url::form_urlencoded::byte_serialize(sign.as_bytes()).collect();
    format!("timestamp={now_ms}&sign={sign}")
}

/// Feishu's `sign`: base64 of HMAC-SHA256 keyed by `"<seconds>\n<secret>"` over an empty
/// message (the platform's own recipe).
pub(super) fn feishu(secret: &str, now_s: i64) -> String {
    let key = format!("{now_s}\n{secret}");
    STANDARD.encode(hmac_sha256(key.as_bytes(), b""))
}

/// The generic webhook's `X-Cockpit-Signature`: `sha256=<hex HMAC-SHA256(secret,
/// "<seconds>.<body>")>`.
pub(super) fn webhook(secret: &str, now_s: i64, body: &str) -> String {
    let message = format!("{now_s}.{body}");
    format!(
        "sha256={}",
        hex::encode(hmac_sha256(secret.as_bytes(), message.as_bytes()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn dingtalk_signs_the_millisecond_time_and_escapes_the_base64() {
        let query = dingtalk_query("SECabc", 1_700_000_000_123);
        let to_sign = "1700000000123\nSECabc";
        let raw = STANDARD.encode(hmac_sha256(b"SECabc", to_sign.as_bytes()));
        let (ts, sign) = query.split_once('&').unwrap();
        assert_eq!(ts, "timestamp=1700000000123");
        let sign = sign.strip_prefix("sign=").unwrap();
        assert!(!sign.contains(['+', '/', '=']), "{sign}");
        let decoded: String = url::form_urlencoded::parse(format!("s={sign}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned();
        assert_eq!(decoded, raw);
    }

    #[test]
    fn feishu_keys_the_hmac_with_time_and_secret() {
        let expected = STANDARD.encode(hmac_sha256(b"1700000000\nsek", b""));
        assert_eq!(feishu("sek", 1_700_000_000), expected);
        assert_ne!(feishu("sek", 1_700_000_001), expected);
    }

    #[test]
    fn the_webhook_signature_covers_time_and_body() {
        let a = webhook("k", 1, "{}");
        assert!(a.starts_with("sha256=") && a.len() == 7 + 64, "{a}");
        assert_ne!(a, webhook("k", 2, "{}"));
        assert_ne!(a, webhook("k", 1, "{ }"));
        assert_ne!(a, webhook("j", 1, "{}"));
    }
}
