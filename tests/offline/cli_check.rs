//! `cockpit check` through the real binary: valid files pass, invalid ones fail with exit
//! status 2 and an error naming `file:line:column`, what is wrong and what is expected.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `cockpit ARGS` from the fixtures folder with an empty home, so no user config leaks in.
fn cockpit(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("temp home");
    Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(args)
        .current_dir(root().join("tests/fixtures/invalid"))
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .output()
        .expect("run cockpit")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_invalid(args: &[&str], expected: &[&str]) {
    let out = cockpit(args);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit status for {args:?}; stderr:\n{err}"
    );
    for e in expected {
        assert!(
            err.contains(e),
            "missing {e:?} in stderr of {args:?}:\n{err}"
        );
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn example_inventory_shipped_playbooks_and_themes_are_valid() {
    let example = root().join("docs/inventory.example.toml");
    let out = cockpit(&[
        "check",
        example.to_str().unwrap_or_default(),
        root().join("playbooks").to_str().unwrap_or_default(),
        root().join("themes").to_str().unwrap_or_default(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{text}\nstderr:\n{}",
        stderr(&out)
    );
    assert!(text.contains("inventory, 9 hosts, 2 databases"), "{text}");
    assert!(text.contains("playbook `primary-app-down`"), "{text}");
    assert!(text.contains("theme `high-contrast`"), "{text}");
    assert!(text.contains("all valid"), "{text}");
}

#[test]
fn no_paths_checks_the_config_folder_and_built_in_playbooks() {
    let out = cockpit(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("note: no inventory at"), "{text}");
    assert!(
        text.contains("(built in) playbooks/primary-app-down.toml"),
        "{text}"
    );
}

#[test]
fn built_in_playbooks_for_another_fleet_are_set_aside_not_errors() {
    // A seed-001 fleet only: the built-in playbooks of seeds 000, 002 and 003 do not fit it.
    let config = tempfile::tempdir().expect("config dir");
    std::fs::write(
        config.path().join("inventory.toml"),
        "[[hosts]]\nname = \"app-primary\"\naddress = \"192.0.2.1\"\nrole = \"app-primary\"\n\
         [[hosts]]\nname = \"app-backup\"\naddress = \"192.0.2.2\"\nrole = \"app-backup\"\n\
         [[hosts]]\nname = \"nginx-1\"\naddress = \"192.0.2.3\"\nrole = \"nginx\"\n\
         [[hosts]]\nname = \"store\"\naddress = \"192.0.2.4\"\nrole = \"backup-store\"\n\
         [[databases]]\nname = \"speed\"\ndriver = \"mysql\"\nurl = \"mysql://ops@127.0.0.1/speed\"\n",
    )
    .expect("write inventory");
    let config_arg = config.path().to_str().unwrap_or_default();
    let out = cockpit(&["check", "--config", config_arg]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("(built in) playbooks/primary-app-down.toml: playbook `primary-app-down`, "),
        "{text}"
    );
    assert!(
        text.contains(
            "(built in) playbooks/rabbitmq-node-down.toml: playbook `rabbitmq-node-down` not applicable to this fleet: no host has role `rabbitmq`"
        ),
        "{text}"
    );
    assert!(text.contains("all valid"), "{text}");

    // The user's own playbooks stay strict: a role the fleet lacks is an error.
    let mine = config.path().join("playbooks");
    std::fs::create_dir(&mine).expect("playbooks dir");
    std::fs::write(
        mine.join("mine.toml"),
        "id = \"mine\"\ntitle = \"Mine\"\nseverity = \"P2\"\n\n[[steps]]\nid = \"a\"\ntitle = \"a\"\nkind = \"check\"\nrole = \"rabbitmq\"\n",
    )
    .expect("write playbook");
    let out = cockpit(&["check", "--config", config_arg]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("mine.toml:9:8: error: no host of the inventory has role `rabbitmq`"),
        "{err}"
    );
}

#[test]
fn unknown_key_names_the_key_and_the_allowed_ones() {
    assert_invalid(
        &["check", "inventory_unknown_key.toml"],
        &[
            "inventory_unknown_key.toml:3:1: error: unknown field `adress`\n  expected: one of `name`, `address`",
        ],
    );
}

#[test]
fn syntax_error_is_located() {
    assert_invalid(
        &["check", "inventory_bad_syntax.toml"],
        &["inventory_bad_syntax.toml:2:12: error: invalid basic string"],
    );
}

#[test]
fn password_in_database_url_is_refused_and_not_echoed() {
    let out = cockpit(&["check", "inventory_password_in_url.toml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("inventory_password_in_url.toml:4:7: error: database url contains a password"),
        "{err}"
    );
    assert!(err.contains("expected: `password_env = \"VAR\"`"), "{err}");
    assert!(!err.contains("hunter2"), "the secret was echoed:\n{err}");
}

#[test]
fn every_semantic_error_of_an_inventory_is_reported_in_file_order() {
    let out = cockpit(&["check", "inventory_semantic.toml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2));
    let located: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("inventory_semantic.toml:"))
        .collect();
    assert_eq!(
        located,
        [
            "inventory_semantic.toml:2:14: error: must be at least 1",
            "inventory_semantic.toml:8:20: error: tcp check without a port",
            "inventory_semantic.toml:8:38: error: unknown check kind `ping`",
            "inventory_semantic.toml:11:8: error: host `web` is defined twice",
            "inventory_semantic.toml:17:10: error: unknown database driver `oracle`",
        ]
    );
}

#[test]
fn unknown_step_kind_lists_the_kinds() {
    assert_invalid(
        &["check", "playbook_unknown_kind.toml"],
        &[
            "playbook_unknown_kind.toml:8:8: error: unknown step kind `comand`\n  expected: `manual`, `check`, `command`, `sql`, `note` or `verify`",
        ],
    );
}

#[test]
fn playbook_references_are_checked_against_the_inventory() {
    let example = root().join("docs/inventory.example.toml");
    assert_invalid(
        &[
            "check",
            example.to_str().unwrap_or_default(),
            "playbook_references.toml",
        ],
        &[
            "playbook_references.toml:14:12: error: unknown database `metadata`",
            "playbook_references.toml:15:76: error: unknown variable `zone`",
            "playbook_references.toml:16:19: error: invalid row count `4..1`",
            "playbook_references.toml:22:8: error: no host of the inventory has role `loadbalancer`",
        ],
    );
}

#[test]
fn bad_theme_colour_is_located() {
    assert_invalid(
        &["check", "theme_bad_color.toml"],
        &["theme_bad_color.toml:4:10: error: `blurple` is not a colour"],
    );
}

#[test]
fn unrecognised_file_says_what_was_expected() {
    assert_invalid(
        &["check", "mystery.toml"],
        &["mystery.toml:1:1: error: cannot tell what this file is"],
    );
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path.display().to_string()
}

#[test]
fn hostile_files_never_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let deep = format!("a = {}{}", "[".repeat(20_000), "]".repeat(20_000));
    let cases = [
        (
            write(dir.path(), "deep.toml", deep.as_bytes()),
            "max recursion depth",
        ),
        (
            write(dir.path(), "binary.toml", b"\xff\xfe\x00garbage"),
            "file is not valid UTF-8",
        ),
        (
            write(dir.path(), "empty.toml", b""),
            "cannot tell what this file is",
        ),
        (
            write(
                dir.path(),
                "dup.toml",
                b"[[hosts]]\nname='a'\nname='b'\nrole='r'\n",
            ),
            "duplicate key",
        ),
        (
            dir.path().join("missing.toml").display().to_string(),
            "cannot read file",
        ),
    ];
    for (path, expected) in cases {
        assert_invalid(&["check", &path], &[&format!("{path}:"), expected]);
    }
}

#[test]
fn live_mode_without_inventory_explains_and_exits_2() {
    let out = cockpit(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no inventory at") && err.contains("cockpit demo"),
        "{err}"
    );
}

#[test]
fn pressure_limits_and_hint_kinds_are_checked_where_written() {
    assert_invalid(
        &["check", "playbook_pressure.toml"],
        &[
            "playbook_pressure.toml:10:20: error: unknown pressure level `high`",
            "`warning` or `critical`",
            "playbook_pressure.toml:12:36: error: unknown failure `offline`",
            "`unreachable`, `service` or `pressure`",
            "playbook_pressure.toml:20:20: error: `fail_on_pressure` does not apply to a command step",
        ],
    );
}

#[test]
fn unclosed_placeholders_and_empty_step_ids_are_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let playbook = "id = \"p\"\ntitle = \"P\"\nseverity = \"P2\"\n\n[[variables]]\nname = \"ip\"\nfrom = \"prompt\"\n\n[[steps]]\nid = \"ping\"\ntitle = \"Ping\"\nkind = \"command\"\nhost = \"web\"\nrun = \"cat <<EOF\\nping {{ip}} && ping {{ip\\nEOF\"\n\n[[steps]]\nid = \"  \"\ntitle = \"Blank\"\nkind = \"note\"\ndetail = \"see {{ip}\"\n";
    let path = write(dir.path(), "unclosed.toml", playbook.as_bytes());
    assert_invalid(
        &["check", &path],
        &[
            &format!("{path}:14:39: error: `{{{{` is never closed with `}}}}`"),
            &format!("{path}:17:6: error: a step has an empty id"),
            &format!("{path}:20:15: error: `{{{{` is never closed"),
        ],
    );
}

/// `cockpit check … | head` once `head` has gone: the closed pipe ends cockpit as it ends
/// `cat` (SIGPIPE), with no panic on stderr. The pipe's reading end is closed before cockpit
/// starts, so its first line already meets it.
#[test]
fn a_closed_pipe_ends_check_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let home = tempfile::tempdir().expect("temp home");
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["check", "docs/inventory.example.toml"])
        .current_dir(root())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .stdout(writer)
        .output()
        .expect("run cockpit");
    let err = stderr(&out);
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGPIPE),
        "{:?} {err}",
        out.status
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn notify_channels_are_counted_and_a_webhook_url_in_the_file_is_refused_unechoed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = write(
        dir.path(),
        "notify_only.toml",
        b"[[notify]]\nname = \"oncall\"\nkind = \"dingtalk\"\nurl_env = \"COCKPIT_DINGTALK_URL\"\n\n[[notify]]\nname = \"mail\"\nkind = \"email\"\nserver = \"smtp.example.com\"\nfrom = \"cockpit@example.com\"\nto = [\"ops@example.com\"]\n",
    );
    let out = cockpit(&["check", &good]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("inventory, 0 hosts, 0 databases, 2 notification channels"),
        "{text}"
    );

    let bad = write(
        dir.path(),
        "notify_url.toml",
        b"[[notify]]\nname = \"oncall\"\nkind = \"wecom\"\nurl = \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-hunter2\"\n",
    );
    let out = cockpit(&["check", &bad]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("notify_url.toml:4:7: error: `url` is written into the inventory"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "the secret was echoed:\n{err}");
}

#[test]
fn the_demo_refuses_to_start_on_a_broken_notify_channel_without_echoing_its_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inventory = write(
        dir.path(),
        "inventory.toml",
        b"[[hosts]]\nname = \"\"\n\n[[notify]]\nname = \"chat\"\nkind = \"slack\"\nurl = \"https://hooks.slack.com/services/T0/B0/hunter2\"\n",
    );
    let out = cockpit(&["demo", "--config", &inventory]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("inventory.toml:7:7: error: `url` is written into the inventory"),
        "{err}"
    );
    assert!(
        err.contains(
            "[[notify]] or escalation settings of the inventory are invalid; nothing was started"
        ),
        "{err}"
    );
    // The demo runs its own fleet: the operator's broken host table is not its business.
    assert!(!err.contains("host name is empty"), "{err}");
    assert!(!err.contains("hunter2"), "the secret was echoed:\n{err}");
}
