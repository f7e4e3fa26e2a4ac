//! `cockpit notify test CHANNEL` run as a process against the real HTTP receiver: the
//! platform's answer printed and exit status 0, the reason and exit status 1 when it is not
//! delivered, the channels listed for an unknown name; the token and the signing secret in
//! neither output.

use crate::support::notify_receivers::{HttpReceiver, Secrets};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const TOKEN: &str = "cl1T0kenSECRETabcdef";
const SECRET: &str = "cli-whsec-secret";

fn cockpit(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("COCKPIT_JOURNAL")
        .output()
        .expect("run cockpit")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An inventory with one host and, when given, `notify` tables; the webhook's URL and
/// secret in files beside it.
fn inventory(dir: &Path, url: &str, notify: bool) -> std::path::PathBuf {
    std::fs::write(dir.join("hook-url"), format!("{url}\n")).unwrap();
    std::fs::write(dir.join("hook-secret"), format!("{SECRET}\n")).unwrap();
    let mut toml =
        String::from("[[hosts]]\nname = \"web-1\"\naddress = \"127.0.0.1\"\nrole = \"web\"\n");
    if notify {
        toml.push_str(&format!(
            "\n[[notify]]\nname = \"ops-hook\"\nkind = \"webhook\"\nurl_file = \"{}\"\nsecret_file = \"{}\"\n\n[[notify]]\nname = \"ops-slack\"\nkind = \"slack\"\nurl_env = \"COCKPIT_TEST_SLACK_URL_SURELY_UNSET\"\n",
            dir.join("hook-url").display(),
            dir.join("hook-secret").display()
        ));
    }
    let path = dir.join("inventory.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

#[test]
fn an_inventory_without_channels_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let config = inventory(dir.path(), "http://127.0.0.1:9/x", false);
    let out = cockpit(&config, &["notify", "test", "ops-hook"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("no channel `ops-hook`") && stderr.contains("has no [[notify]] channels"),
        "{stderr}"
    );
}

#[test]
fn a_test_message_is_delivered_or_the_reason_printed() {
    let receiver = HttpReceiver::start(&Secrets {
        webhook: Some(SECRET.into()),
        ..Secrets::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let config = inventory(dir.path(), &receiver.url(&format!("/hooks/{TOKEN}")), true);

    let out = cockpit(&config, &["notify", "test", "ops-hook"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "ops-hook (webhook): delivered; the platform answered: HTTP 200: {\"ok\": true}\n"
    );
    let request = &receiver.wait_requests(1)[0];
    assert_eq!(request["signature_ok"], Value::Bool(true));
    let body: Value = serde_json::from_str(request["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["event"], "test");
    assert_eq!(body["incident"], Value::Null);

    receiver.set_mode("echo");
    let out = cockpit(&config, &["notify", "test", "ops-hook"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.starts_with(
            "error: ops-hook (webhook): not delivered: the platform answered HTTP 404"
        ),
        "{stderr}"
    );
    for output in [&stdout, &stderr] {
        assert!(
            !output.contains(TOKEN) && !output.contains(SECRET),
            "{output}"
        );
    }

    let out = cockpit(&config, &["notify", "test", "ops-slack"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("$COCKPIT_TEST_SLACK_URL_SURELY_UNSET, which is not set"),
        "{stderr}"
    );

    let out = cockpit(&config, &["notify", "test", "nope"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("its channels: ops-hook (webhook), ops-slack (slack)"),
        "{stderr}"
    );
}
