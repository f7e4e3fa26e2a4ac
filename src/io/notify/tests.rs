use super::*;
use crate::core::inventory::PasswordSource;
use crate::core::notify::{Channel, DrillRoute, EmailSettings, NoticeKind, SmtpTls};

fn channel(kind: ChannelKind, url: PasswordSource, secret: PasswordSource) -> Channel {
    Channel {
        name: "ops".into(),
        kind,
        url,
        secret,
        events: NoticeKind::ROUTED.to_vec(),
        drill: DrillRoute::Never,
        mention: vec![],
        email: None,
    }
}

fn notice() -> Notice {
    Notice {
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
    }
}

fn file_with(dir: &tempfile::TempDir, name: &str, text: &str) -> PasswordSource {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    PasswordSource::File(path.display().to_string())
}

#[tokio::test]
async fn a_missing_secret_fails_every_send_naming_where_it_was_looked_for() {
    let ready = ReadyChannel::new(channel(
        ChannelKind::DingTalk,
        PasswordSource::Env("COCKPIT_TEST_NOTIFY_URL_SURELY_UNSET".into()),
        PasswordSource::Env("COCKPIT_TEST_NOTIFY_SECRET_SURELY_UNSET".into()),
    ));
    let e = deliver(&ready, "n", &notice(), Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(e.contains("$COCKPIT_TEST_NOTIFY_URL_SURELY_UNSET"), "{e}");
    assert!(
        e.contains("$COCKPIT_TEST_NOTIFY_SECRET_SURELY_UNSET"),
        "{e}"
    );
    let no_url = ReadyChannel::new(channel(
        ChannelKind::Slack,
        PasswordSource::None,
        PasswordSource::None,
    ));
    assert!(no_url.problem().unwrap().contains("url_env"));
}

#[test]
fn an_empty_url_file_is_a_problem_and_a_slack_without_secret_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let empty = ReadyChannel::new(channel(
        ChannelKind::Webhook,
        file_with(&dir, "url", " \n"),
        PasswordSource::None,
    ));
    assert!(
        empty.problem().unwrap().contains("is empty"),
        "{:?}",
        empty.problem()
    );
    let slack = ReadyChannel::new(channel(
        ChannelKind::Slack,
        file_with(
            &dir,
            "slack",
            "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX\n",
        ),
        PasswordSource::Env("COCKPIT_TEST_IGNORED_FOR_SLACK".into()),
    ));
    assert_eq!(slack.problem(), None);
}

#[test]
fn secret_values_cover_the_url_its_tokens_and_the_signing_secret() {
    let dir = tempfile::tempdir().unwrap();
    let ready = ReadyChannel::new(channel(
        ChannelKind::DingTalk,
        file_with(
            &dir,
            "url",
            "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789\n",
        ),
        file_with(&dir, "secret", "SEC+s/ecret=\n"),
    ));
    let values = ready.secret_values();
    assert!(
        values.contains(&"abcdef0123456789".to_string()),
        "{values:?}"
    );
    assert!(values.contains(&"SEC+s/ecret=".to_string()), "{values:?}");
    assert!(
        values.contains(&"SEC%2Bs%2Fecret%3D".to_string()),
        "{values:?}"
    );
    assert!(
        !values.iter().any(|v| v == "robot" || v == "send"),
        "{values:?}"
    );
    let masked = ready.mask("token abcdef0123456789 sign SEC%2Bs%2Fecret%3D and SEC+s/ecret=");
    assert_eq!(masked, "token *** sign *** and ***");
}

#[tokio::test]
async fn a_refused_connection_is_told_without_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{port}/hook/abcdef0123456789abcdef?key=tokentoken");
    let ready = ReadyChannel::new(channel(
        ChannelKind::WeCom,
        file_with(&dir, "url", &url),
        PasswordSource::None,
    ));
    let e = deliver(&ready, "n", &notice(), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(e.starts_with("cannot connect"), "{e}");
    assert!(
        !e.contains("tokentoken") && !e.contains("abcdef0123") && !e.contains("127.0.0.1"),
        "{e}"
    );
}

#[tokio::test]
async fn an_email_channel_with_a_username_needs_a_password() {
    let mut c = channel(
        ChannelKind::Email,
        PasswordSource::None,
        PasswordSource::None,
    );
    c.email = Some(EmailSettings {
        server: "127.0.0.1".into(),
        port: 1,
        tls: SmtpTls::Starttls,
        ca_file: None,
        from: "cockpit@example.com".into(),
        to: vec!["ops@example.com".into()],
        username: Some("cockpit".into()),
        password: PasswordSource::None,
    });
    let ready = ReadyChannel::new(c);
    let e = deliver(&ready, "n", &notice(), Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(e.contains("no password_env or password_file"), "{e}");
}

#[test]
fn the_log_redactor_given_the_secret_values_masks_them() {
    let dir = tempfile::tempdir().unwrap();
    let ready = ReadyChannel::new(channel(
        ChannelKind::Feishu,
        file_with(
            &dir,
            "url",
            "https://open.feishu.cn/open-apis/bot/v2/hook/0f8e2c9a-1b2c-4d5e-8f90-123456789abc",
        ),
        file_with(&dir, "secret", "fe1shu\"s3cret'界"),
    ));
    let mut redactor = crate::core::redact::Redactor::default();
    for value in ready.secret_values() {
        redactor.add_secret_value(value);
    }
    let line = "post to https://open.feishu.cn/open-apis/bot/v2/hook/0f8e2c9a-1b2c-4d5e-8f90-123456789abc failed; hook 0f8e2c9a-1b2c-4d5e-8f90-123456789abc; secret fe1shu\"s3cret'界";
    let redacted = redactor.redact(line);
    assert!(
        !redacted.contains("0f8e2c9a") && !redacted.contains("s3cret"),
        "{redacted}"
    );
}

#[test]
fn deliver_can_run_on_any_worker_thread() {
    fn assert_send<T: Send>(_: &T) {}
    let ready = ReadyChannel::new(channel(
        ChannelKind::Webhook,
        PasswordSource::None,
        PasswordSource::None,
    ));
    let n = notice();
    let future = deliver(&ready, "n", &n, Duration::from_secs(1));
    assert_send(&future);
    let channels = ready_channels(std::slice::from_ref(&ready.channel));
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0].name(), "ops");
}
