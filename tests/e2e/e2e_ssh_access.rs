//! The real binary in tmux against a real OpenSSH `sshd` whose key cockpit has never seen, with
//! an encrypted client key: the operator declines the key, reviews it again with `t`, trusts
//! it, gets a wrong passphrase refused and the right one accepted, and the host comes up.
//! known_hosts gains exactly the key shown, the journal records the trust and never the
//! passphrase, and neither the screen nor the log file shows it.

use crate::support::sshd;
use crate::support::tmux;

use sshd::{ENCRYPTED_KEY_PASSPHRASE, TestSshd};
use std::process::Command;
use std::time::Duration;
use tmux::{Sandbox, assert_verifies, dump, read_journal};

const WAIT: Duration = Duration::from_secs(30);

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The fingerprint OpenSSH itself computes for the server's host key.
fn openssh_fingerprint(sshd: &TestSshd) -> String {
    let out = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(sshd.host_key.with_extension("pub"))
        .output()
        .expect("run ssh-keygen");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("no fingerprint in {text:?}"))
        .to_string()
}

#[test]
fn an_unknown_key_is_trusted_in_the_tui_and_a_passphrase_typed_there() {
    let sshd = TestSshd::start("127.0.0.2");
    let sandbox = Sandbox::new("ssh-access");
    let known_hosts = sandbox.root.join("home/.ssh/known_hosts");
    let inventory = sandbox.root.join("inventory.toml");
    let text = format!(
        "[settings]\nprobe_interval_secs = 1\ncheck_timeout_secs = 3\nknown_hosts = {known}\n\n\
         [[hosts]]\nname = \"app-1\"\naddress = {address}\nport = {port}\nuser = {user}\n\
         role = \"app\"\nidentity_files = [{key}]\nchecks = [{{ kind = \"ssh\" }}]\n",
        known = quoted(&known_hosts.display().to_string()),
        address = quoted(&sshd.address),
        port = sshd.port,
        user = quoted(&sshd.user),
        key = quoted(&sshd.keys.ed25519_encrypted.display().to_string()),
    );
    std::fs::write(&inventory, text).expect("write inventory");
    let fingerprint = openssh_fingerprint(&sshd);

    let inventory_arg = inventory.display().to_string();
    let session = sandbox.start_cockpit(150, 42, false, &["--config", &inventory_arg]);
    let screen = session.wait_for("the unknown-key dialog", WAIT, |s| {
        s.contains("Unknown host key")
    });
    assert!(
        screen.contains(&fingerprint),
        "fingerprint not shown:\n{screen}"
    );
    assert!(screen.contains("ssh-ed25519"), "{screen}");

    // Declined: the dialog goes and the host stays refused, saying why.
    session.keys(&["n"]);
    let screen = session.wait_for("the declined dialog to close", WAIT, |s| {
        !s.contains("Unknown host key") && s.contains("stays refused")
    });
    assert!(
        !known_hosts.exists(),
        "declining wrote known_hosts:\n{screen}"
    );

    // Reviewed again from the grid, then trusted.
    session.keys(&["t"]);
    session.wait_for("the dialog again after t", WAIT, |s| {
        s.contains("Unknown host key") && s.contains(&fingerprint)
    });
    session.keys(&["y"]);
    session.wait_for("the passphrase dialog", WAIT, |s| {
        s.contains("Key passphrase") && s.contains("app-1")
    });
    let recorded = std::fs::read_to_string(&known_hosts).expect("known_hosts written");
    let expected_line = format!("[127.0.0.2]:{} {}", sshd.port, sshd.host_public_key_line());
    assert_eq!(recorded.trim_end(), expected_line.trim_end());

    session.type_text("wrong horse");
    let screen = session.wait_for("one bullet per typed character", WAIT, |s| {
        s.contains("> •••••••••••▏")
    });
    assert!(
        !screen.contains("wrong horse"),
        "passphrase echoed:\n{screen}"
    );
    session.keys(&["Enter"]);
    session.wait_for("the wrong passphrase to be refused", WAIT, |s| {
        s.contains("did not open it")
    });

    session.type_text(ENCRYPTED_KEY_PASSPHRASE);
    session.keys(&["Enter"]);
    let screen = session.wait_for_re(r"app-1 +\S+ +(up|recovered)\b", WAIT);
    assert!(!screen.contains(ENCRYPTED_KEY_PASSPHRASE), "{screen}");

    session.keys(&["q"]);
    let (status, screen) = session.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");

    let rows = read_journal(&sandbox.journal);
    let trusted: Vec<_> = rows
        .iter()
        .filter(|r| r.kind == "host_key_trusted")
        .collect();
    assert_eq!(trusted.len(), 1, "{}", dump(&rows));
    assert_eq!(trusted[0].body["fingerprint"], fingerprint.as_str());
    assert_eq!(trusted[0].body["host"], "app-1");
    for secret in [ENCRYPTED_KEY_PASSPHRASE, "wrong horse"] {
        assert!(!dump(&rows).contains(secret), "passphrase in the journal");
        let log = std::fs::read_to_string(&sandbox.log).unwrap_or_default();
        assert!(!log.contains(secret), "passphrase in the log file");
    }
    assert_verifies(&sandbox.journal, rows.len());
}
