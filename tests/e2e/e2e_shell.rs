//! The recorded interactive shell, end to end: the real binary in tmux opens a shell on a real
//! OpenSSH `sshd` host with `s`, the operator types at it (a resize on the way, a secret at a
//! silent `read -s` prompt), `exit` gives the cockpit back as it was. The journal holds the
//! session with its output and never the secret; `cockpit journal export --session 1` writes
//! a cast that asciinema's own player plays; `cockpit replay` shows the shell's screen there.

use crate::support::sshd;
use crate::support::tmux;

use sshd::{TestSshd, sshd_inventory, write_known_hosts};
use std::process::Command;
use std::time::Duration;
use tmux::{COCKPIT, Sandbox, assert_verifies, dump, read_journal};

const WAIT: Duration = Duration::from_secs(30);

/// A line `line` printed and the shell's prompt (`…#` or `…$`) on the line after it.
fn prompt_after(line: &str) -> String {
    format!(r"(?m)^{}\n[^\n]*[#$]$", regex::escape(line))
}

/// Typed at the silent prompt: it must never be recorded anywhere.
const SECRET: &str = "Tr0ub4dor-silent-9731";

/// Every `o` event of shell `session`, joined, from the journal's rows.
fn shell_output(rows: &[tmux::Row], session: u64) -> (String, Vec<String>) {
    let mut output = String::new();
    let mut codes = Vec::new();
    for row in rows.iter().filter(|r| r.kind == "shell_output") {
        assert_eq!(row.body["session"], session, "{}", dump(rows));
        for event in row.body["events"].as_array().expect("events") {
            let code = event[1].as_str().expect("code").to_string();
            if code == "o" {
                output.push_str(event[2].as_str().expect("data"));
            }
            codes.push(code);
        }
    }
    (output, codes)
}

#[test]
fn a_shell_on_a_real_host_is_recorded_without_what_was_typed_silently() {
    let sshd = TestSshd::start("127.0.0.2");
    let sandbox = Sandbox::new("shell");
    let known_hosts = sandbox.root.join("home/.ssh/known_hosts");
    std::fs::create_dir_all(known_hosts.parent().expect("parent")).expect("mkdir .ssh");
    write_known_hosts(&known_hosts, &[sshd.known_hosts_line()]);
    let inventory = sandbox.root.join("inventory.toml");
    let text = sshd_inventory(&[("app-1", &sshd)], &known_hosts, |_| {
        "role = \"app\"\n".into()
    });
    std::fs::write(&inventory, text).expect("write inventory");
    let inventory_arg = inventory.display().to_string();
    let session = sandbox.start_cockpit(150, 42, false, &["--config", &inventory_arg]);
    session.wait_for_re(r"app-1 +\S+ +(up|recovered)\b", WAIT);

    // `s` on the Hosts pane: the cockpit steps aside for the host's shell.
    session.keys(&["s"]);
    session.wait_for("the shell's banner", WAIT, |s| {
        s.contains("shell 1 on app-1") && !s.contains("1 Hosts")
    });
    // Keys typed before the shell waits at its prompt would be echoed by the terminal, then
    // again by the shell, and not recorded: each line waits for the prompt after the last.
    session.type_text("echo ready-$((40+2))");
    session.keys(&["Enter"]);
    session.wait_for_re(&prompt_after("ready-42"), WAIT);
    // The window changes size while the shell runs: the host's terminal follows.
    session.resize(120, 40);
    session.type_text("stty size");
    session.keys(&["Enter"]);
    session.wait_for_re(&prompt_after("40 120"), WAIT);
    session.type_text("echo shell-ok; sudo -k; read -s -p pw: x; echo done; exit");
    session.keys(&["Enter"]);
    // The prompt on a line of its own, not the echo of the command that asks for it.
    session.wait_for_re(r"(?m)^pw:", WAIT);
    session.type_text(SECRET);
    session.keys(&["Enter"]);
    let screen = session.wait_for("the cockpit back, saying how the shell ended", WAIT, |s| {
        s.contains("1 Hosts") && s.contains("shell 1 on app-1 ended: exit 0")
    });
    assert!(!screen.contains(SECRET), "{screen}");
    session.wait_for_re(r"app-1 +\S+ +(up|recovered)\b", WAIT);
    session.keys(&["q"]);
    let (status, screen) = session.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");

    let rows = read_journal(&sandbox.journal);
    let all = dump(&rows);
    assert!(
        !all.contains(SECRET),
        "the silent secret is in the journal:\n{all}"
    );
    let log = std::fs::read_to_string(&sandbox.log).unwrap_or_default();
    assert!(
        !log.contains(SECRET),
        "the silent secret is in the log file"
    );
    let kinds: Vec<&str> = rows
        .iter()
        .map(|r| r.kind.as_str())
        .filter(|k| k.starts_with("shell_"))
        .collect();
    assert_eq!(kinds.first(), Some(&"shell_started"), "{all}");
    assert_eq!(kinds.last(), Some(&"shell_ended"), "{all}");
    let started = rows
        .iter()
        .find(|r| r.kind == "shell_started")
        .expect("start");
    assert_eq!(started.body["host"], "app-1");
    assert_eq!(started.body["session"], 1);
    let ended = rows.iter().find(|r| r.kind == "shell_ended").expect("end");
    assert_eq!(ended.body["exit"], 0, "{all}");
    assert!(
        ended.body["unrecorded_input"].as_u64().unwrap_or(0) >= SECRET.len() as u64,
        "the silent typing is not counted as left out:\n{all}"
    );
    let (output, codes) = shell_output(&rows, 1);
    assert!(output.contains("shell-ok"), "{output:?}");
    assert!(output.contains("done"), "{output:?}");
    assert!(output.contains("40 120"), "{output:?}");
    assert!(
        codes.iter().any(|c| c == "r"),
        "no resize recorded: {codes:?}"
    );
    assert!(
        codes.iter().any(|c| c == "i"),
        "no echoed input recorded: {codes:?}"
    );
    assert_verifies(&sandbox.journal, rows.len());

    // One session as asciinema's cast, played by asciinema itself.
    let cast = sandbox.root.join("shell-1.cast");
    let journal = sandbox.journal.display().to_string();
    let cast_arg = cast.display().to_string();
    let out = Command::new(COCKPIT)
        .args(["journal", "export", &journal, "--format", "asciicast"])
        .args(["--session", "1", "--output", &cast_arg])
        .output()
        .expect("run cockpit journal export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // `asciinema cat` reads the terminal: `script` gives it one of its own.
    let played = Command::new("script")
        .args(["-qec", &format!("asciinema cat {cast_arg}"), "/dev/null"])
        .output()
        .expect("asciinema is installed by scripts/test.sh");
    assert!(played.status.success(), "{played:?}");
    let played = String::from_utf8_lossy(&played.stdout);
    assert!(played.contains("shell-ok"), "{played}");
    assert!(!played.contains(SECRET));

    // `cockpit replay` shows the shell's screen at its place on the timeline.
    let replay = sandbox.start_cockpit(150, 45, false, &["replay", &journal]);
    replay.wait_for("the replay", WAIT, |s| s.contains("REPLAY"));
    replay.keys(&["/"]);
    replay.wait_for("the search prompt", WAIT, |s| s.contains("search entries:"));
    replay.type_text("shell 1 on app-1 ended");
    replay.keys(&["Enter"]);
    let screen = replay.wait_for("the shell's last screen", WAIT, |s| {
        s.contains("shell 1 on app-1 — recorded") && s.contains("shell-ok")
    });
    assert!(!screen.contains(SECRET), "{screen}");
    replay.keys(&["q"]);
    let (status, screen) = replay.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
}

#[test]
fn a_drill_shell_runs_the_drills_tools_and_a_sigterm_under_it_journals_its_end() {
    let sandbox = Sandbox::new("shell-sigterm");
    let mut session = sandbox.start_demo(150, 42);
    session.wait_for_re(r"nginx-1 +\S+ +up\b", WAIT);
    session.keys(&["s"]);
    session.wait_for("the drill shell's prompt", WAIT, |s| {
        s.contains("[drill] nginx-1:") && !s.contains("1 Hosts")
    });
    // The drill host's simulated tools come first, not this machine's.
    session.type_text("command -v systemctl | grep -c /bin/nginx-1/");
    session.keys(&["Enter"]);
    session.wait_for_re(r"(?m)^1\s*$", WAIT);
    session.signal(libc::SIGTERM);
    let (status, screen) = session.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
    let rows = read_journal(&sandbox.journal);
    let all = dump(&rows);
    let ended = rows
        .iter()
        .find(|r| r.kind == "shell_ended")
        .unwrap_or_else(|| panic!("the shell's end is not journaled:\n{all}"));
    let reason = ended.body["reason"].as_str().unwrap_or_default();
    assert!(reason.starts_with("cockpit stopped while it ran"), "{all}");
    assert_verifies(&sandbox.journal, rows.len());
}
