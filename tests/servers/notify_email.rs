//! E-mail notifications against a real SMTP server on loopback (aiosmtpd, tests/support/
//! smtp_receiver.py) under a test CA: STARTTLS then AUTH, the recipients and the words; a
//! server without STARTTLS is refused before any login; a wrong password, an untrusted
//! certificate and a dead server are failures that never show the password.

use crate::support::notify_receivers::{SmtpReceiver, SmtpSetup, TestCerts};
use cockpit::core::inventory::PasswordSource;
use cockpit::core::notify::{
    Channel, ChannelKind, DrillRoute, EmailSettings, Notice, NoticeKind, SmtpTls,
};
use cockpit::core::severity::Severity;
use cockpit::io::notify::{ReadyChannel, deliver};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const USER: &str = "cockpit";
const PASSWORD: &str = "smtp-Pa55\"word 界";
const TIMEOUT: Duration = Duration::from_secs(15);

fn channel(dir: &Path, port: u16, tls: SmtpTls, ca: Option<&Path>, password: &str) -> ReadyChannel {
    let password_file = dir.join("smtp-password");
    std::fs::write(&password_file, format!("{password}\n")).unwrap();
    ReadyChannel::new(Channel {
        name: "oncall-mail".into(),
        kind: ChannelKind::Email,
        url: PasswordSource::None,
        secret: PasswordSource::None,
        events: NoticeKind::ROUTED.to_vec(),
        drill: DrillRoute::Never,
        mention: vec![],
        email: Some(EmailSettings {
            server: "127.0.0.1".into(),
            port,
            tls,
            ca_file: ca.map(|p| p.display().to_string()),
            from: "cockpit <cockpit@example.com>".into(),
            to: vec!["ops-oncall@healthbutler.com".into()],
            username: Some(USER.into()),
            password: PasswordSource::File(password_file.display().to_string()),
        }),
    })
}

fn notice() -> Notice {
    Notice {
        kind: NoticeKind::Escalation,
        incident: Some("INC-1".into()),
        severity: Some(Severity::P0),
        title: "API down".into(),
        about: "director".into(),
        drill: true,
        headline: "P0 INC-1 escalated to director: 支付 API down".into(),
        lines: vec!["Running for: 30 min".into()],
        contacts: vec![
            "director@healthbutler.com".into(),
            "OPS-ONCALL@healthbutler.com".into(),
            "+8613800000000".into(),
        ],
        at_ms: 0,
    }
}

fn messages(events: &[Value]) -> Vec<&Value> {
    events.iter().filter(|e| e["event"] == "message").collect()
}

#[tokio::test]
async fn a_notice_goes_by_starttls_with_a_login_to_the_channel_and_the_contacts() {
    let certs_dir = tempfile::tempdir().unwrap();
    let certs = TestCerts::make(certs_dir.path());
    let server = SmtpReceiver::start(&SmtpSetup {
        certs: Some(&certs),
        login: Some((USER, PASSWORD)),
    });
    let dir = tempfile::tempdir().unwrap();
    let ready = channel(
        dir.path(),
        server.port,
        SmtpTls::Starttls,
        Some(&certs.ca),
        PASSWORD,
    );
    let answer = deliver(&ready, "n-1", &notice(), TIMEOUT).await.unwrap();
    assert_eq!(answer, "250 2.0.0 Ok: queued as TEST1");
    let events = server.wait_events(2);
    assert_eq!(events[0]["event"], "auth");
    assert_eq!(events[0]["ok"], true);
    assert_eq!(events[0]["tls"], true, "the login went over TLS");
    let message = messages(&events)[0];
    assert_eq!(message["tls"], true);
    assert_eq!(message["user"], USER);
    assert_eq!(message["from"], "cockpit@example.com");
    assert_eq!(
        message["to"],
        serde_json::json!(["ops-oncall@healthbutler.com", "director@healthbutler.com"])
    );
    let data = message["data"].as_str().unwrap().replace("\r\n", "\n");
    assert!(
        data.contains(
            "Subject: [DRILL] P0 INC-1 escalated to director: =?utf-8?b?5pSv5LuY?= API\n down\n"
        ),
        "the subject is the drill-marked headline, its non-ASCII word encoded: {data}"
    );
    assert!(
        data.contains("Content-Type: text/plain; charset=utf-8"),
        "{data}"
    );
    let body = data.split("\n\n").nth(1).unwrap_or_default();
    assert!(body.contains("Running for: 30 min"), "{data}");
    assert!(!data.contains(PASSWORD));
}

#[tokio::test]
async fn tls_from_the_first_byte_is_not_starttls_and_fails_against_it() {
    let certs_dir = tempfile::tempdir().unwrap();
    let certs = TestCerts::make(certs_dir.path());
    let server = SmtpReceiver::start(&SmtpSetup {
        certs: Some(&certs),
        login: Some((USER, PASSWORD)),
    });
    let dir = tempfile::tempdir().unwrap();
    let ready = channel(
        dir.path(),
        server.port,
        SmtpTls::Tls,
        Some(&certs.ca),
        PASSWORD,
    );
    let e = deliver(&ready, "n-1", &notice(), TIMEOUT)
        .await
        .unwrap_err();
    assert!(!e.contains(PASSWORD), "{e}");
    assert!(messages(&server.events()).is_empty());
}

#[tokio::test]
async fn a_server_without_starttls_is_refused_before_any_login() {
    let server = SmtpReceiver::start(&SmtpSetup {
        certs: None,
        login: Some((USER, PASSWORD)),
    });
    let dir = tempfile::tempdir().unwrap();
    let ready = channel(dir.path(), server.port, SmtpTls::Starttls, None, PASSWORD);
    let e = deliver(&ready, "n-1", &notice(), TIMEOUT)
        .await
        .unwrap_err();
    assert!(
        e.starts_with(&format!("the SMTP server 127.0.0.1:{}: ", server.port)),
        "{e}"
    );
    assert!(!e.contains(PASSWORD), "{e}");
    assert!(
        server.events().is_empty(),
        "nothing reached it in clear: {:?}",
        server.events()
    );
}

#[tokio::test]
async fn a_wrong_password_or_an_untrusted_certificate_is_a_failure_without_the_password() {
    let certs_dir = tempfile::tempdir().unwrap();
    let certs = TestCerts::make(certs_dir.path());
    let server = SmtpReceiver::start(&SmtpSetup {
        certs: Some(&certs),
        login: Some((USER, PASSWORD)),
    });
    let dir = tempfile::tempdir().unwrap();
    let wrong = "wr0ng-pa55word";
    let ready = channel(
        dir.path(),
        server.port,
        SmtpTls::Starttls,
        Some(&certs.ca),
        wrong,
    );
    let e = deliver(&ready, "n-1", &notice(), TIMEOUT)
        .await
        .unwrap_err();
    assert!(!e.contains(wrong), "{e}");
    assert_eq!(server.wait_events(1)[0]["ok"], false);
    assert!(messages(&server.events()).is_empty());

    let untrusted = channel(dir.path(), server.port, SmtpTls::Starttls, None, PASSWORD);
    let e = deliver(&untrusted, "n-2", &notice(), TIMEOUT)
        .await
        .unwrap_err();
    assert!(e.to_lowercase().contains("certificate"), "{e}");
    assert!(!e.contains(PASSWORD), "{e}");
    assert_eq!(
        server.events().len(),
        1,
        "no login without a trusted certificate"
    );

    let port = server.port;
    drop(server);
    let dead = channel(
        dir.path(),
        port,
        SmtpTls::Starttls,
        Some(&certs.ca),
        PASSWORD,
    );
    let e = deliver(&dead, "n-3", &notice(), TIMEOUT).await.unwrap_err();
    assert!(!e.contains(PASSWORD), "{e}");
}

#[tokio::test]
async fn a_local_relay_without_tls_takes_mail_but_never_a_password() {
    let relay = SmtpReceiver::start(&SmtpSetup {
        certs: None,
        login: None,
    });
    let dir = tempfile::tempdir().unwrap();
    let with_password = channel(dir.path(), relay.port, SmtpTls::None, None, PASSWORD);
    let e = deliver(&with_password, "n-1", &notice(), TIMEOUT)
        .await
        .unwrap_err();
    assert!(e.contains("never sent without TLS"), "{e}");
    assert!(relay.events().is_empty());

    let mut plain = with_password.channel.clone();
    if let Some(email) = plain.email.as_mut() {
        email.username = None;
        email.password = PasswordSource::None;
    }
    let answer = deliver(&ReadyChannel::new(plain), "n-2", &notice(), TIMEOUT)
        .await
        .unwrap();
    assert!(answer.starts_with("250"), "{answer}");
    let message = &relay.wait_events(1)[0];
    assert_eq!(
        (message["event"].as_str(), message["tls"].as_bool()),
        (Some("message"), Some(false))
    );
}
