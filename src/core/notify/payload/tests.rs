use super::*;
use crate::core::notify::NoticeKind;
use crate::core::severity::Severity;
use serde_json::{Value, json};

const URL: &str = "https://oapi.dingtalk.com/robot/send?access_token=tok3n";

fn notice() -> Notice {
    Notice {
        kind: NoticeKind::Escalation,
        incident: Some("INC-1".into()),
        severity: Some(Severity::P0),
        title: "API down".into(),
        about: "team lead".into(),
        drill: false,
        headline: "P0 INC-1 escalated to team lead: API down".into(),
        lines: vec!["Running for: 15 min".into(), "Steps: 2/9 done".into()],
        contacts: vec![
            "ops-oncall@healthbutler.com".into(),
            "+8613800000000".into(),
        ],
        at_ms: 1_765_090_249_000,
    }
}

fn body(kind: ChannelKind, secret: Option<&str>, mention: &[&str]) -> (Request, Value) {
    let mention: Vec<String> = mention.iter().map(|m| m.to_string()).collect();
    let request = build(
        kind,
        URL,
        secret,
        "n-7",
        &notice(),
        &mention,
        1_765_090_300_123,
    )
    .unwrap();
    let value = serde_json::from_str(&request.body).unwrap();
    (request, value)
}

#[test]
fn the_webhook_sends_cockpits_own_json() {
    let (request, value) = body(ChannelKind::Webhook, None, &["lead"]);
    assert_eq!(request.url, URL);
    assert_eq!(
        value,
        json!({
            "id": "n-7",
            "event": "escalation",
            "incident": "INC-1",
            "severity": "P0",
            "drill": false,
            "title": "API down",
            "about": "team lead",
            "headline": "P0 INC-1 escalated to team lead: API down",
            "text": "P0 INC-1 escalated to team lead: API down\nRunning for: 15 min\nSteps: 2/9 done\nFor: ops-oncall@healthbutler.com, +8613800000000",
            "lines": ["Running for: 15 min", "Steps: 2/9 done"],
            "contacts": ["ops-oncall@healthbutler.com", "+8613800000000"],
            "mention": ["lead"],
            "at": "2025-12-07T06:50:49.000Z",
        })
    );
    assert!(
        !request
            .headers
            .iter()
            .any(|(n, _)| n.starts_with("X-Cockpit"))
    );
}

#[test]
fn a_signed_webhook_carries_time_and_signature_of_its_body() {
    let (request, _) = body(ChannelKind::Webhook, Some("whsec"), &[]);
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(header("X-Cockpit-Timestamp"), "1765090300");
    assert_eq!(
        header("X-Cockpit-Signature"),
        sign::webhook("whsec", 1_765_090_300, &request.body)
    );
    assert!(!format!("{request:?}").contains("tok3n"));
}

#[test]
fn slack_gets_text_with_its_escapes_and_mentions() {
    let mut n = notice();
    n.headline = "a <b> & c".into();
    n.lines = vec![];
    n.contacts = vec![];
    let r = build(
        ChannelKind::Slack,
        URL,
        None,
        "n",
        &n,
        &["U024BE7LH".into(), "all".into(), "x y".into()],
        0,
    )
    .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&r.body).unwrap(),
        json!({ "text": "*a &lt;b&gt; &amp; c*\n<@U024BE7LH> <!channel>" })
    );
}

#[test]
fn dingtalk_gets_markdown_with_phones_mentioned_and_a_signed_url() {
    let (request, value) = body(
        ChannelKind::DingTalk,
        Some("SECx"),
        &["13900000000", "user42"],
    );
    assert_eq!(
        value,
        json!({
            "msgtype": "markdown",
            "markdown": {
                "title": "P0 INC-1 escalated to team lead: API down",
                "text": "#### P0 INC-1 escalated to team lead: API down\n\n- Running for: 15 min\n- Steps: 2/9 done\n- For: ops-oncall@healthbutler.com, +8613800000000\n\n@13900000000 @+8613800000000",
            },
            "at": {
                "atMobiles": ["13900000000", "+8613800000000"],
                "atUserIds": ["user42"],
                "isAtAll": false,
            },
        })
    );
    let expected = format!("{URL}&{}", sign::dingtalk_query("SECx", 1_765_090_300_123));
    assert_eq!(request.url, expected);
    let (unsigned, _) = body(ChannelKind::DingTalk, None, &[]);
    assert_eq!(unsigned.url, URL);
}

#[test]
fn feishu_gets_a_post_with_its_signature_in_the_body() {
    let (_, value) = body(ChannelKind::Feishu, Some("fsec"), &["ou_abc"]);
    assert_eq!(
        value,
        json!({
            "msg_type": "post",
            "content": { "post": { "zh_cn": {
                "title": "P0 INC-1 escalated to team lead: API down",
                "content": [
                    [{ "tag": "text", "text": "Running for: 15 min" }],
                    [{ "tag": "text", "text": "Steps: 2/9 done" }],
                    [{ "tag": "text", "text": "For: ops-oncall@healthbutler.com, +8613800000000" }],
                    [{ "tag": "at", "user_id": "ou_abc" }],
                ],
            } } },
            "timestamp": "1765090300",
            "sign": sign::feishu("fsec", 1_765_090_300),
        })
    );
    let (_, unsigned) = body(ChannelKind::Feishu, None, &[]);
    assert!(unsigned.get("sign").is_none() && unsigned.get("timestamp").is_none());
}

#[test]
fn wecom_mentions_in_text_and_uses_markdown_otherwise() {
    let (_, value) = body(ChannelKind::WeCom, None, &["@all"]);
    assert_eq!(
        value,
        json!({
            "msgtype": "text",
            "text": {
                "content": "P0 INC-1 escalated to team lead: API down\nRunning for: 15 min\nSteps: 2/9 done\nFor: ops-oncall@healthbutler.com, +8613800000000",
                "mentioned_list": ["@all"],
                "mentioned_mobile_list": ["+8613800000000"],
            },
        })
    );
    let mut n = notice();
    n.contacts.clear();
    let r = build(ChannelKind::WeCom, URL, None, "n", &n, &[], 0).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&r.body).unwrap(),
        json!({
            "msgtype": "markdown",
            "markdown": { "content": "**P0 INC-1 escalated to team lead: API down**\nRunning for: 15 min\nSteps: 2/9 done" },
        })
    );
}

#[test]
fn a_drill_is_marked_on_every_platform() {
    let mut n = notice();
    n.drill = true;
    for kind in ChannelKind::ALL
        .into_iter()
        .filter(|k| *k != ChannelKind::Email)
    {
        let r = build(kind, URL, None, "n", &n, &[], 0).unwrap();
        assert!(r.body.contains("[DRILL] P0 INC-1"), "{kind:?}: {}", r.body);
    }
    n.headline = "[DRILL] already marked".into();
    let r = build(ChannelKind::Webhook, URL, None, "n", &n, &[], 0).unwrap();
    assert!(!r.body.contains("[DRILL] [DRILL]"), "{}", r.body);
}

#[test]
fn hostile_words_stay_valid_json_within_each_platform_limit() {
    let mut n = notice();
    n.headline = "事故\"'\n\u{1b}[31m<script>".repeat(5_000);
    n.title = "界".repeat(100_000);
    n.lines = vec!["line \"quoted\"\r\nnext\u{0}".repeat(20_000); 3];
    n.contacts = vec!["x".repeat(10_000)];
    let limits = [
        (ChannelKind::Webhook, 80_000),
        (ChannelKind::Slack, 40_000),
        (ChannelKind::DingTalk, 20_000),
        (ChannelKind::Feishu, 20_000),
        (ChannelKind::WeCom, 4_096),
    ];
    for (kind, limit) in limits {
        let r = build(kind, URL, Some("s"), "n", &n, &["13900000000".into()], 0).unwrap();
        let value: Value = serde_json::from_str(&r.body).unwrap();
        let text_bytes: usize = match kind {
            ChannelKind::WeCom => value["text"]["content"].as_str().unwrap().len(),
            ChannelKind::DingTalk => value["markdown"]["text"].as_str().unwrap().len(),
            ChannelKind::Slack => value["text"].as_str().unwrap().len(),
            _ => r.body.len() / 2,
        };
        assert!(text_bytes <= limit, "{kind:?}: {text_bytes} bytes");
        let headline = match kind {
            ChannelKind::Webhook => value["headline"].as_str().unwrap().to_string(),
            _ => r.body.clone(),
        };
        assert!(!headline.contains('\u{1b}'), "{kind:?}");
    }
}

#[test]
fn a_bad_url_is_refused_without_quoting_it() {
    for url in [
        "",
        "oapi.dingtalk.com/robot?access_token=tok3n",
        "ftp://h/tok3n",
        "https://",
        "file:///tok3n",
        "mailto:tok3n@example.com",
    ] {
        let e = build(ChannelKind::DingTalk, url, None, "n", &notice(), &[], 0).unwrap_err();
        assert!(!e.contains("tok3n"), "{url}: {e}");
    }
    let e = build(ChannelKind::Email, URL, None, "n", &notice(), &[], 0).unwrap_err();
    assert!(e.contains("e-mail"), "{e}");
}

#[test]
fn a_test_notice_without_incident_builds() {
    let n = Notice {
        kind: NoticeKind::Test,
        incident: None,
        severity: None,
        title: String::new(),
        about: "test message".into(),
        drill: false,
        headline: "cockpit test message".into(),
        lines: vec![],
        contacts: vec![],
        at_ms: 0,
    };
    let r = build(ChannelKind::Webhook, URL, None, "t", &n, &[], 0).unwrap();
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["event"], "test");
    assert_eq!(v["incident"], Value::Null);
    assert_eq!(v["at"], "1970-01-01T00:00:00.000Z");
}

#[test]
fn clip_cuts_at_a_character_boundary() {
    assert_eq!(body::clip("abc", 3), "abc");
    assert_eq!(body::clip("界界界", 7), "界…");
    assert!(body::clip("界界界", 2).len() <= 3);
}

#[test]
fn mail_has_the_headline_as_subject_and_the_text_as_body() {
    let mut n = notice();
    n.drill = true;
    n.headline = "P0 INC-1\r\nBcc: evil@example.com".into();
    let (subject, text) = mail(&n);
    assert_eq!(subject, "[DRILL] P0 INC-1  Bcc: evil@example.com");
    assert_eq!(
        text,
        "[DRILL] P0 INC-1  Bcc: evil@example.com\nRunning for: 15 min\nSteps: 2/9 done\nFor: ops-oncall@healthbutler.com, +8613800000000"
    );
}
