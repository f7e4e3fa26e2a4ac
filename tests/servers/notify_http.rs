//! Notifications over HTTP against a real receiver on loopback (tests/support/
//! notify_receiver.py): each platform's exact JSON and signature, checked by the receiver
//! in Python, an implementation independent of cockpit's; a 500, a refusal in a 200, a
//! receiver that never answers; and no secret in what cockpit reports.

use crate::support::notify_receivers::{HttpReceiver, Secrets};
use cockpit::core::inventory::PasswordSource;
use cockpit::core::notify::{Channel, ChannelKind, DrillRoute, Notice, NoticeKind};
use cockpit::core::severity::Severity;
use cockpit::io::notify::{ReadyChannel, deliver};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

const DINGTALK_SECRET: &str = "SECd1ngt4lk+/=secret";
const FEISHU_SECRET: &str = "f3ishu-s3cret";
const WEBHOOK_SECRET: &str = "whsec_c0ckp1t";
const TOKEN: &str = "t0ken5ecretABCDEF0123";
const TIMEOUT: Duration = Duration::from_secs(10);

fn secrets() -> Secrets {
    Secrets {
        dingtalk: Some(DINGTALK_SECRET.into()),
        feishu: Some(FEISHU_SECRET.into()),
        webhook: Some(WEBHOOK_SECRET.into()),
    }
}

fn in_file(dir: &Path, name: &str, text: &str) -> PasswordSource {
    let path = dir.join(name);
    std::fs::write(&path, format!("{text}\n")).unwrap();
    PasswordSource::File(path.display().to_string())
}

/// A channel of `kind` posting to `url`, signed with `secret`, its secrets in files.
fn ready(
    dir: &Path,
    kind: ChannelKind,
    url: &str,
    secret: Option<&str>,
    mention: &[&str],
) -> ReadyChannel {
    ReadyChannel::new(Channel {
        name: format!("ops-{}", kind.word()),
        kind,
        url: in_file(dir, &format!("{}-url", kind.word()), url),
        secret: match secret {
            Some(s) => in_file(dir, &format!("{}-secret", kind.word()), s),
            None => PasswordSource::None,
        },
        events: NoticeKind::ROUTED.to_vec(),
        drill: DrillRoute::Never,
        mention: mention.iter().map(|m| m.to_string()).collect(),
        email: None,
    })
}

fn notice() -> Notice {
    Notice {
        kind: NoticeKind::Escalation,
        incident: Some("INC-20261207-1".into()),
        severity: Some(Severity::P0),
        title: "支付 API \"down\"".into(),
        about: "team lead".into(),
        drill: false,
        headline: "P0 INC-20261207-1 escalated to team lead: 支付 API \"down\"".into(),
        lines: vec!["Running for: 15 min".into(), "Hosts: api-1, api-2".into()],
        contacts: vec!["+8613800000000".into()],
        at_ms: 1_765_090_249_000,
    }
}

fn header<'a>(request: &'a Value, name: &str) -> Option<&'a str> {
    request["headers"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

fn body(request: &Value) -> Value {
    serde_json::from_str(request["body"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn each_platform_gets_its_exact_json_and_a_signature_it_accepts() {
    let receiver = HttpReceiver::start(&secrets());
    let dir = tempfile::tempdir().unwrap();
    let n = notice();
    let cases = [
        (
            ChannelKind::Webhook,
            format!("/hooks/{TOKEN}"),
            Some(WEBHOOK_SECRET),
        ),
        (
            ChannelKind::Slack,
            format!("/slack/services/T000/B000/{TOKEN}"),
            None,
        ),
        (
            ChannelKind::DingTalk,
            format!("/dingtalk/robot/send?access_token={TOKEN}"),
            Some(DINGTALK_SECRET),
        ),
        (
            ChannelKind::Feishu,
            format!("/feishu/open-apis/bot/v2/hook/{TOKEN}"),
            Some(FEISHU_SECRET),
        ),
        (
            ChannelKind::WeCom,
            format!("/wecom/cgi-bin/webhook/send?key={TOKEN}"),
            None,
        ),
    ];
    for (i, (kind, path, secret)) in cases.iter().enumerate() {
        let channel = ready(
            dir.path(),
            *kind,
            &receiver.url(path),
            *secret,
            &["ou_lead"],
        );
        let answer = deliver(&channel, &format!("n-{i}"), &n, TIMEOUT).await;
        let answer = answer.unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert!(answer.starts_with("HTTP 200"), "{kind:?}: {answer}");
        let request = receiver.wait_requests(i + 1)[i].clone();
        assert_eq!(
            header(&request, "Content-Type"),
            Some("application/json; charset=utf-8"),
            "{kind:?}"
        );
        if secret.is_some() {
            assert_eq!(request["signature_ok"], json!(true), "{kind:?}: {request}");
        }
        let sent = body(&request);
        let headline = "P0 INC-20261207-1 escalated to team lead: 支付 API \"down\"";
        match kind {
            ChannelKind::Webhook => {
                assert_eq!(request["path"], format!("/hooks/{TOKEN}"));
                assert_eq!(
                    sent,
                    json!({
                        "id": "n-0", "event": "escalation", "incident": "INC-20261207-1",
                        "severity": "P0", "drill": false, "title": "支付 API \"down\"",
                        "about": "team lead", "headline": headline,
                        "text": format!("{headline}\nRunning for: 15 min\nHosts: api-1, api-2\nFor: +8613800000000"),
                        "lines": ["Running for: 15 min", "Hosts: api-1, api-2"],
                        "contacts": ["+8613800000000"], "mention": ["ou_lead"],
                        "at": "2025-12-07T06:50:49.000Z",
                    })
                );
            }
            ChannelKind::Slack => assert_eq!(
                sent,
                json!({ "text": format!("*{headline}*\nRunning for: 15 min\nHosts: api-1, api-2\nFor: +8613800000000") })
            ),
            ChannelKind::DingTalk => {
                let query = request["query"].as_str().unwrap();
                assert!(
                    query.starts_with(&format!("access_token={TOKEN}&timestamp=")),
                    "{query}"
                );
                assert_eq!(
                    sent,
                    json!({
                        "msgtype": "markdown",
                        "markdown": {
                            "title": headline,
                            "text": format!("#### {headline}\n\n- Running for: 15 min\n- Hosts: api-1, api-2\n- For: +8613800000000\n\n@+8613800000000"),
                        },
                        "at": { "atMobiles": ["+8613800000000"], "atUserIds": ["ou_lead"], "isAtAll": false },
                    })
                );
            }
            ChannelKind::Feishu => {
                let mut sent = sent;
                let fields = sent.as_object_mut().unwrap();
                assert!(fields.remove("sign").is_some());
                let timestamp: i64 = fields
                    .remove("timestamp")
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
                assert_eq!(
                    sent,
                    json!({
                        "msg_type": "post",
                        "content": { "post": { "zh_cn": {
                            "title": headline,
                            "content": [
                                [{ "tag": "text", "text": "Running for: 15 min" }],
                                [{ "tag": "text", "text": "Hosts: api-1, api-2" }],
                                [{ "tag": "text", "text": "For: +8613800000000" }],
                                [{ "tag": "at", "user_id": "ou_lead" }],
                            ],
                        } } },
                    })
                );
            }
            ChannelKind::WeCom => assert_eq!(
                sent,
                json!({
                    "msgtype": "text",
                    "text": {
                        "content": format!("{headline}\nRunning for: 15 min\nHosts: api-1, api-2\nFor: +8613800000000"),
                        "mentioned_list": ["ou_lead"],
                        "mentioned_mobile_list": ["+8613800000000"],
                    },
                })
            ),
            ChannelKind::Email => unreachable!(),
        }
    }
}

#[tokio::test]
async fn a_wrong_secret_fails_the_receivers_own_check_and_dingtalk_says_so() {
    let receiver = HttpReceiver::start(&secrets());
    let dir = tempfile::tempdir().unwrap();
    let path = format!("/dingtalk/robot/send?access_token={TOKEN}");
    let channel = ready(
        dir.path(),
        ChannelKind::DingTalk,
        &receiver.url(&path),
        Some("SECwrong"),
        &[],
    );
    receiver.set_mode("reject");
    let e = deliver(&channel, "n-1", &notice(), TIMEOUT)
        .await
        .unwrap_err();
    assert_eq!(receiver.wait_requests(1)[0]["signature_ok"], json!(false));
    assert!(e.contains("310000") && e.contains("sign not match"), "{e}");
    let path = "/hooks/x";
    let webhook = ready(
        dir.path(),
        ChannelKind::Webhook,
        &receiver.url(path),
        Some("wrong"),
        &[],
    );
    receiver.set_mode("ok");
    deliver(&webhook, "n-2", &notice(), TIMEOUT).await.unwrap();
    assert_eq!(receiver.wait_requests(2)[1]["signature_ok"], json!(false));
}

#[tokio::test]
async fn a_500_a_refusal_in_a_200_and_a_hang_are_failures() {
    let receiver = HttpReceiver::start(&Secrets::default());
    let dir = tempfile::tempdir().unwrap();
    let wecom = ready(
        dir.path(),
        ChannelKind::WeCom,
        &receiver.url(&format!("/wecom/send?key={TOKEN}")),
        None,
        &[],
    );
    let feishu = ready(
        dir.path(),
        ChannelKind::Feishu,
        &receiver.url("/feishu/hook/x"),
        None,
        &[],
    );
    let slack = ready(
        dir.path(),
        ChannelKind::Slack,
        &receiver.url("/slack/x"),
        None,
        &[],
    );

    receiver.set_mode("fail");
    let e = deliver(&wecom, "n-1", &notice(), TIMEOUT)
        .await
        .unwrap_err();
    assert_eq!(e, "the platform answered HTTP 500: internal error");

    receiver.set_mode("reject");
    for (channel, words) in [
        (&wecom, "93000"),
        (&feishu, "19021"),
        (&slack, "invalid_payload"),
    ] {
        let e = deliver(channel, "n-2", &notice(), TIMEOUT)
            .await
            .unwrap_err();
        assert!(
            e.starts_with("the platform refused the message: HTTP 200") && e.contains(words),
            "{e}"
        );
    }

    receiver.set_mode("hang");
    let timeout = Duration::from_millis(1500);
    let started = Instant::now();
    let e = deliver(&wecom, "n-3", &notice(), timeout)
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(e, "no answer within 1.5 s");
    assert!(
        took >= timeout && took < timeout + Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(
        receiver.wait_requests(5).len(),
        5,
        "the hung request still arrived"
    );
}

#[tokio::test]
async fn no_secret_reaches_the_answer_or_the_error() {
    let receiver = HttpReceiver::start(&secrets());
    let dir = tempfile::tempdir().unwrap();
    let path = format!("/dingtalk/robot/send?access_token={TOKEN}");
    let channel = ready(
        dir.path(),
        ChannelKind::DingTalk,
        &receiver.url(&path),
        Some(DINGTALK_SECRET),
        &[],
    );
    receiver.set_mode("echo");
    let e = deliver(&channel, "n-1", &notice(), TIMEOUT)
        .await
        .unwrap_err();
    let echoed = receiver.wait_requests(1)[0]["query"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        echoed.contains(TOKEN),
        "the receiver got the token: {echoed}"
    );
    assert!(
        e.starts_with(
            "the platform answered HTTP 404: no route for /dingtalk/robot/send?access_token=***"
        ),
        "{e}"
    );
    let signature_part = echoed.split("sign=").nth(1).unwrap();
    assert!(!e.contains(TOKEN) && !e.contains(DINGTALK_SECRET), "{e}");
    assert!(
        e.contains(signature_part),
        "the signature is not a secret: {e}"
    );
    for value in channel.secret_values() {
        assert!(!e.contains(value.as_str()), "{value} in {e}");
    }

    drop(receiver);
    let e = deliver(&channel, "n-2", &notice(), TIMEOUT)
        .await
        .unwrap_err();
    assert!(e.starts_with("cannot connect"), "{e}");
    assert!(!e.contains(TOKEN) && !e.contains("access_token"), "{e}");
}
