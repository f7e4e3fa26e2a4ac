use crate::core::diagnostic::SourceFile;
use crate::core::inventory::{Inventory, PasswordSource, parse};
use crate::core::notify::{ChannelKind, DrillRoute, NoticeKind, SmtpTls};
use crate::core::severity::Severity;

fn parsed(text: &str) -> Inventory {
    match parse(&SourceFile::new("inv.toml", text)) {
        Ok(inv) => inv,
        Err(e) => panic!("{text}\nshould parse, but:\n{e}"),
    }
}

fn errors(text: &str) -> String {
    match parse(&SourceFile::new("inv.toml", text)) {
        Ok(_) => panic!("{text}\nshould be refused"),
        Err(e) => e.to_string(),
    }
}

const DINGTALK: &str = "[[notify]]\nname = \"oncall-dingtalk\"\nkind = \"dingtalk\"\nurl_env = \"COCKPIT_DINGTALK_URL\"\nsecret_env = \"COCKPIT_DINGTALK_SECRET\"\nmention = [\"+8613800000000\"]\n";

const EMAIL: &str = "[[notify]]\nname = \"ops-mail\"\nkind = \"email\"\nserver = \"smtp.example.com\"\nfrom = \"cockpit <cockpit@example.com>\"\nto = [\"ops-oncall@example.com\"]\nusername = \"cockpit\"\npassword_file = \"/etc/cockpit/smtp.password\"\n";

#[test]
fn a_chat_channel_takes_its_defaults_and_its_secrets_by_name() {
    let inv = parsed(DINGTALK);
    let channel = &inv.notify[0];
    assert_eq!(channel.name, "oncall-dingtalk");
    assert_eq!(channel.kind, ChannelKind::DingTalk);
    assert_eq!(
        channel.url,
        PasswordSource::Env("COCKPIT_DINGTALK_URL".into())
    );
    assert_eq!(
        channel.secret,
        PasswordSource::Env("COCKPIT_DINGTALK_SECRET".into())
    );
    assert_eq!(channel.events, NoticeKind::ROUTED);
    assert_eq!(channel.drill, DrillRoute::Never);
    assert_eq!(channel.mention, ["+8613800000000"]);
    assert_eq!(channel.email, None);
}

#[test]
fn every_kind_and_word_is_read() {
    for kind in ChannelKind::ALL {
        let text = if kind == ChannelKind::Email {
            EMAIL.to_string()
        } else {
            format!(
                "[[notify]]\nname = \"c\"\nkind = \"{}\"\nurl_file = \"/etc/cockpit/c.url\"\nevents = [\"opened\", \"resolved\"]\ndrill = \"only\"\n",
                kind.word()
            )
        };
        assert_eq!(parsed(&text).notify[0].kind, kind, "{text}");
    }
    let inv = parsed(
        "[[notify]]\nname = \"drills\"\nkind = \"webhook\"\nurl_file = \"/run/drill.url\"\nevents = [\"checkpoint\", \"broadcast\", \"severity\", \"escalation\"]\ndrill = \"also\"\n",
    );
    assert_eq!(
        inv.notify[0].events,
        [
            NoticeKind::Checkpoint,
            NoticeKind::Broadcast,
            NoticeKind::Severity,
            NoticeKind::Escalation
        ]
    );
    assert_eq!(inv.notify[0].drill, DrillRoute::Also);
    assert_eq!(
        inv.notify[0].url,
        PasswordSource::File("/run/drill.url".into())
    );
    let none = parsed("[[notify]]\nname = \"c\"\nkind = \"slack\"\nurl_env = \"S\"\nevents = []\n");
    assert!(none.notify[0].events.is_empty());
}

#[test]
fn an_email_channel_gets_its_port_from_its_tls() {
    let email = parsed(EMAIL).notify[0].email.clone().unwrap();
    assert_eq!(email.server, "smtp.example.com");
    assert_eq!((email.port, email.tls), (587, SmtpTls::Starttls));
    assert_eq!(email.from, "cockpit <cockpit@example.com>");
    assert_eq!(email.to, ["ops-oncall@example.com"]);
    assert_eq!(email.username.as_deref(), Some("cockpit"));
    assert_eq!(
        email.password,
        PasswordSource::File("/etc/cockpit/smtp.password".into())
    );
    let port = |tls: &str| {
        let text = format!(
            "[[notify]]\nname = \"m\"\nkind = \"email\"\nserver = \"relay\"\nfrom = \"a@b\"\nto = [\"c@d\"]\ntls = \"{tls}\"\n"
        );
        parsed(&text).notify[0].email.clone().unwrap().port
    };
    assert_eq!(port("tls"), 465);
    assert_eq!(port("none"), 25);
    assert_eq!(port("starttls"), 587);
    let own = parsed(
        "[[notify]]\nname = \"m\"\nkind = \"email\"\nserver = \"relay\"\nport = 2525\nfrom = \"a@b\"\nto = [\"c@d\", \"运维 <值班@例子.中国>\"]\nca_file = \"/etc/ssl/relay.pem\"\n",
    );
    let email = own.notify[0].email.clone().unwrap();
    assert_eq!(email.port, 2525);
    assert_eq!(email.to[1], "运维 <值班@例子.中国>");
    assert_eq!(email.ca_file.as_deref(), Some("/etc/ssl/relay.pem"));
}

#[test]
fn a_url_written_into_the_inventory_is_refused_without_quoting_it() {
    let token = "access_token=5f1e9c0ffee";
    let err = errors(&format!(
        "[[notify]]\nname = \"d\"\nkind = \"dingtalk\"\nurl = \"https://oapi.dingtalk.com/robot/send?{token}\"\n"
    ));
    assert!(err.contains("inv.toml:4:7"), "{err}");
    assert!(err.contains("`url` is written into the inventory"), "{err}");
    assert!(err.contains("url_env"), "{err}");
    assert!(!err.contains("5f1e9c0ffee"), "{err}");
    // The channel has no URL source either: said once more, at the channel.
    assert!(err.contains("has no webhook URL"), "{err}");

    let err = errors(&format!(
        "[[notify]]\nname = \"d\"\nkind = \"webhook\"\nurl_env = \"https://hooks.example/x?{token}\"\nsecret = \"SEC0123hunter2\"\n"
    ));
    assert!(
        err.contains("url_env is not an environment variable name"),
        "{err}"
    );
    assert!(
        err.contains("`secret` is written into the inventory"),
        "{err}"
    );
    assert!(!err.contains("5f1e9c0ffee"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");

    let err = errors(&format!(
        "{EMAIL}password = \"hunter2\"\n[[notify]]\nname = \"w\"\nkind = \"wecom\"\nurl_file = \"https://qyapi.weixin.qq.com/x?key=hunter3\"\n"
    ));
    assert!(
        err.contains("`password` is written into the inventory"),
        "{err}"
    );
    assert!(err.contains("url_file is not a file path"), "{err}");
    assert!(!err.contains("hunter"), "{err}");
}

#[test]
fn each_chat_rule_is_reported_where_it_is_written() {
    let err = errors(
        "[[notify]]\nname = \"a\"\nkind = \"slack\"\n\n[[notify]]\nname = \"a\"\nkind = \"dingtalk\"\nurl_env = \"X\"\n",
    );
    assert!(err.contains("inv.toml:1:1"), "{err}");
    assert!(
        err.contains("slack channel `a` has no webhook URL"),
        "{err}"
    );
    assert!(err.contains("inv.toml:6:8"), "{err}");
    assert!(err.contains("notify channel `a` is defined twice"), "{err}");

    let err =
        errors("[[notify]]\nname = \"  \"\nkind = \"teams\"\nurl_env = \"X\"\nurl_file = \"/x\"\n");
    assert!(err.contains("notify channel name is empty"), "{err}");
    assert!(err.contains("unknown notify kind `teams`"), "{err}");
    assert!(err.contains("both url_env and url_file are set"), "{err}");

    let err = errors(
        "[[notify]]\nname = \"w\"\nkind = \"wecom\"\nurl_env = \"X\"\nsecret_env = \"Y\"\nevents = [\"opened\", \"paged\", \"opened\"]\ndrill = \"sometimes\"\nmention = [\"\", \"a\\nb\"]\nserver = \"smtp\"\nto = [\"a@b\"]\n",
    );
    for (at, said) in [
        ("inv.toml:5:14", "a wecom channel is not signed"),
        ("inv.toml:6:21", "unknown notify event `paged`"),
        ("inv.toml:6:30", "event `opened` is listed twice"),
        ("inv.toml:7:9", "unknown drill setting `sometimes`"),
        ("inv.toml:8:12", "an empty entry in `mention`"),
        (
            "inv.toml:8:16",
            "an entry of `mention` holds a control character",
        ),
        ("inv.toml:9:10", "`server` is for email channels, not wecom"),
        ("inv.toml:10:7", "`to` is for email channels, not wecom"),
    ] {
        assert!(
            err.contains(&format!("{at}: error: {said}")),
            "{said}:\n{err}"
        );
    }
}

#[test]
fn each_email_rule_is_reported_where_it_is_written() {
    let err = errors("[[notify]]\nname = \"m\"\nkind = \"email\"\nurl_env = \"X\"\n");
    assert!(err.contains("an email channel has no webhook URL"), "{err}");
    assert!(err.contains("an email channel without `server`"), "{err}");
    assert!(err.contains("an email channel without `from`"), "{err}");
    assert!(err.contains("an email channel without recipients"), "{err}");

    let err = errors(
        "[[notify]]\nname = \"m\"\nkind = \"email\"\nserver = \"relay\"\nfrom = \"cockpit\"\nto = [\"ops\", \"a@b\\nBcc: all@corp\"]\ntls = \"none\"\npassword_env = \"SMTP_PASSWORD\"\nca_file = \"/ca.pem\"\nport = 0\nmention = [\"x\"]\n",
    );
    for said in [
        "`from` is not an e-mail address",
        "`ops` in `to` is not an e-mail address",
        "an entry of `to` holds a control character",
        "an SMTP password without a `username`",
        "an SMTP password over a connection without TLS",
        "`ca_file` with `tls = \"none\"`",
        "port 0",
        "an email channel mentions nobody",
    ] {
        assert!(err.contains(said), "{said}:\n{err}");
    }

    let err = errors(
        "[[notify]]\nname = \"m\"\nkind = \"email\"\nserver = \"relay\"\nfrom = \"a@b\"\nto = []\ntls = \"ssl\"\nusername = \"u\"\npassword_env = \"P\"\npassword_file = \"/p\"\n",
    );
    assert!(err.contains("at least one address in `to`"), "{err}");
    assert!(err.contains("unknown tls setting `ssl`"), "{err}");
    assert!(
        err.contains("both password_env and password_file are set"),
        "{err}"
    );
}

#[test]
fn hostile_names_are_quoted_short_and_on_one_line() {
    let long = "频".repeat(500);
    let err = errors(&format!(
        "[[notify]]\nname = \"n\"\nkind = \"{long}\\n\\\"x\"\nurl_env = \"X\"\n"
    ));
    assert!(err.contains("unknown notify kind `频"), "{err}");
    assert!(err.contains("…`"), "{err}");
    assert!(err.len() < 600, "{err}");
    assert_eq!(err.lines().count(), 2, "{err}");
    let err = errors("[[notify]]\nname = \"a\\nb\"\nkind = \"slack\"\nurl_env = \"X\"\n");
    assert!(err.contains("holds a control character"), "{err}");
}

#[test]
fn escalation_levels_name_channels_and_contacts() {
    let inv = parsed(&format!(
        "{DINGTALK}{EMAIL}[settings]\nescalation = [\n  {{ who = \"on-call engineer\", after_minutes = 0 }},\n  {{ who = \"team lead\", after_minutes = 15, notify = [\"oncall-dingtalk\", \"ops-mail\"], contacts = [\"ops-oncall@healthbutler.com\", \"+8613800000000\"] }},\n]\n"
    ));
    let lead = &inv.settings.escalation[1];
    assert_eq!(lead.notify, ["oncall-dingtalk", "ops-mail"]);
    assert_eq!(
        lead.contacts,
        ["ops-oncall@healthbutler.com", "+8613800000000"]
    );
    assert!(inv.settings.escalation[0].notify.is_empty());

    let err = errors(&format!(
        "{DINGTALK}[settings]\nescalation = [{{ who = \"CTO\", after_minutes = 60, notify = [\"oncall-dingtalk\", \"cto-phone\", \"oncall-dingtalk\"], contacts = [\"\", \"a\\nb\"] }}]\n"
    ));
    assert!(
        err.contains("inv.toml:8:79: error: escalation to `CTO` notifies `cto-phone`, which is not a `[[notify]]` channel"),
        "{err}"
    );
    assert!(
        err.contains("one of the `[[notify]]` channels: `oncall-dingtalk`"),
        "{err}"
    );
    assert!(
        err.contains("names channel `oncall-dingtalk` twice"),
        "{err}"
    );
    assert_eq!(
        err.matches("an entry of `contacts` is empty or holds a control character")
            .count(),
        2,
        "{err}"
    );
    let err = errors(
        "[settings]\nescalation = [{ who = \"CTO\", after_minutes = 60, notify = [\"x\"] }]\n",
    );
    assert!(err.contains("(the inventory has none)"), "{err}");
}

#[test]
fn a_reference_to_a_channel_with_a_problem_is_not_reported_again() {
    let err = errors(
        "[[notify]]\nname = \"chat\"\nkind = \"slack\"\n[settings]\nescalation = [{ who = \"x\", after_minutes = 0, notify = [\"chat\"] }]\n",
    );
    assert!(err.contains("has no webhook URL"), "{err}");
    assert!(!err.contains("not a `[[notify]]` channel"), "{err}");
}

#[test]
fn checkpoints_default_replace_and_are_checked() {
    let inv = parsed("");
    assert_eq!(inv.settings.checkpoint_minutes, [5, 15, 60, 1440]);
    assert_eq!(
        inv.settings.checkpoint_severities,
        [Severity::P0, Severity::P1]
    );
    let inv = parsed(
        "[settings]\ncheckpoint_minutes = [10, 30]\ncheckpoint_severities = [\"p2\", \"P0\"]\n",
    );
    assert_eq!(inv.settings.checkpoint_minutes, [10, 30]);
    assert_eq!(
        inv.settings.checkpoint_severities,
        [Severity::P2, Severity::P0]
    );
    let inv = parsed("[settings]\ncheckpoint_minutes = []\n");
    assert!(inv.settings.checkpoint_minutes.is_empty());
    assert_eq!(inv.settings.checkpoint_severities.len(), 2);

    let err = errors(
        "[settings]\ncheckpoint_minutes = [0, 15, 5, 15, 4294967295]\ncheckpoint_severities = [\"P1\", \"P7\", \"P1\"]\n",
    );
    for (at, said) in [
        ("inv.toml:2:23", "a status checkpoint at 0 min"),
        (
            "inv.toml:2:30",
            "status checkpoint at 5 min comes after one at 15 min",
        ),
        (
            "inv.toml:2:33",
            "status checkpoint at 15 min comes after one at 15 min",
        ),
        ("inv.toml:3:32", "unknown severity `P7`"),
        ("inv.toml:3:38", "severity P1 is listed twice"),
    ] {
        assert!(
            err.contains(&format!("{at}: error: {said}")),
            "{said}:\n{err}"
        );
    }
    let err = errors("[settings]\ncheckpoint_minutes = [-5]\n");
    assert!(err.contains("inv.toml:2:"), "{err}");
}

#[test]
fn huge_values_make_short_messages() {
    let huge = "x".repeat(200_000);
    let err = errors(&format!(
        "[[notify]]\nname = \"{huge}\"\nkind = \"slack\"\nurl_env = \"{huge}=\"\nmention = [\"{huge}\"]\n[settings]\nescalation = [{{ who = \"{huge}\", after_minutes = 0, notify = [\"{huge}y\"] }}]\n"
    ));
    assert!(
        err.contains("url_env is not an environment variable name"),
        "{err}"
    );
    assert!(err.contains("which is not a `[[notify]]` channel"), "{err}");
    assert!(
        err.len() < 2_000,
        "{}",
        err.lines()
            .map(|l| l.chars().take(150).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
