//! The log file rotates: the real `cockpit` binary, in tmux, started on a log folder that holds
//! ten days of old logs, writes today's `cockpit.log.YYYY-MM-DD` (UTC) with `cockpit.log` a link
//! to it, leaves the newest seven days in all, touches no other file, and what it logs there is
//! still redacted: a playbook that fails to load quotes a password, and the file has it masked.

use crate::support::tmux;

use std::path::Path;
use tmux::{STARTUP, Sandbox};

/// A config folder: one local host, and a playbook whose broken step kind holds a password,
/// which `cockpit` reports in its log ("playbook not loaded: …").
fn write_config(dir: &Path) {
    std::fs::create_dir_all(dir.join("playbooks")).expect("config folder");
    std::fs::write(
        dir.join("inventory.toml"),
        "[[hosts]]\nname = \"bastion\"\ntransport = \"local\"\nrole = \"bastion\"\nchecks = []\n",
    )
    .expect("write the inventory");
    std::fs::write(
        dir.join("playbooks/leak.toml"),
        "id = \"leak\"\ntitle = \"Leak\"\nseverity = \"P2\"\n\n[[steps]]\nid = \"a\"\n\
         title = \"a\"\nkind = \"mysql -uroot -phunter2 speed\"\n",
    )
    .expect("write the playbook");
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read the folder")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_started_cockpit_rotates_its_log_keeps_seven_days_and_redacts() {
    let sandbox = Sandbox::new("log-rotation");
    let config = sandbox.root.join("config");
    write_config(&config);
    let logs = sandbox
        .log
        .parent()
        .expect("the log's folder")
        .to_path_buf();
    for day in 1..=10 {
        std::fs::write(logs.join(format!("cockpit.log.2026-10-{day:02}")), "old\n")
            .expect("an old log");
    }
    let before: Vec<String> = names(&logs)
        .into_iter()
        .filter(|n| !n.starts_with("cockpit.log"))
        .collect();

    let config_arg = config.display().to_string();
    let s = sandbox.start_cockpit(120, 40, false, &["--config", &config_arg]);
    s.wait_for("the host grid", STARTUP, |sc| sc.contains("bastion"));
    // No incident is open: `q` quits at once.
    s.keys(&["q"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");

    let today = format!("cockpit.log.{}", chrono::Utc::now().format("%Y-%m-%d"));
    let mut wanted: Vec<String> = (5..=10)
        .map(|d| format!("cockpit.log.2026-10-{d:02}"))
        .collect();
    wanted.push("cockpit.log".into());
    wanted.push(today.clone());
    let now = names(&logs);
    let rotated: Vec<String> = now
        .iter()
        .filter(|n| n.starts_with("cockpit.log"))
        .cloned()
        .collect();
    wanted.sort();
    assert_eq!(rotated, wanted, "the log folder holds {now:?}");
    for other in &before {
        assert!(now.contains(other), "{other} was removed: {now:?}");
    }
    let link = std::fs::read_link(&sandbox.log).expect("cockpit.log is a link");
    assert_eq!(
        link.file_name().and_then(|n| n.to_str()),
        Some(today.as_str())
    );

    let log = std::fs::read_to_string(&sandbox.log).expect("read the log through its link");
    assert!(
        log.contains("playbook not loaded") && log.contains("-uroot -p"),
        "the broken playbook was not logged:\n{log}"
    );
    assert!(
        !log.contains("hunter2"),
        "the password reached the log:\n{log}"
    );
}
