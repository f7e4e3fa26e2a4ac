//! End-to-end: the real `cockpit demo` in tmux, where every demo host is an SSH server. Killing
//! app-primary with the drill key makes its SSH, port and HTTP checks fail and its log show a
//! gap, restoring it brings it back over SSH, and quitting leaves no remote command behind.
//!
//! Needs `tmux` on PATH (the tests fail, never skip, without it).

use crate::support::tmux;

use regex::Regex;
use std::time::{Duration, Instant};
use tmux::{DEMO_HOSTS, REACT, Sandbox, Session};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;

/// Down needs three failed probes a second apart; coming back waits for the client's
/// reconnect backoff (1, 2, 4, 8 s…) and two good probes.
const STATE_CHANGE: Duration = Duration::from_secs(60);

/// Opens the drill picker and presses Enter on app-primary (third in the list).
fn toggle_app_primary(s: &Session) {
    s.keys(&["F"]);
    s.wait_for("the drill picker", REACT, |sc| sc.contains("Drill"));
    s.keys(&["Down", "Down", "Enter"]);
}

/// The command lines of running processes that mention `needle`.
fn processes_mentioning(needle: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|raw| String::from_utf8_lossy(&raw).replace('\0', " "))
        .filter(|cmd| cmd.contains(needle))
        .collect()
}

#[test]
fn killing_app_primary_fails_its_ssh_checks_and_restoring_it_recovers() {
    let sb = Sandbox::new("drill-ssh");
    let s = sb.start_demo(WIDTH, HEIGHT);
    s.wait_until_fleet_up();
    // Log lines reach the Logs pane over SSH from every host.
    let line_from: Vec<Regex> = DEMO_HOSTS
        .iter()
        .map(|h| Regex::new(&format!(r"\d\d:\d\d:\d\d {h} +\S")).expect("regex"))
        .collect();
    s.wait_for("log lines from every demo host", REACT, |sc| {
        line_from.iter().all(|r| r.is_match(sc))
    });
    let hosts_dir = sb.root.join("tmp");
    let hosts_dir = hosts_dir.to_string_lossy();
    let tails = processes_mentioning(&format!("{hosts_dir}/cockpit-demo-"));
    assert!(
        tails.iter().filter(|c| c.contains("tail -n 20 -F")).count() >= 5,
        "one `tail -F` per demo host, run by its SSH server: {tails:#?}"
    );

    toggle_app_primary(&s);
    s.wait_for_re(r"\d\d:\d\d:\d\d app-primary +── ", REACT);
    let screen = s.wait_for_re(r"✖ app-primary +app-primary +down +ssh: ", STATE_CHANGE);
    assert!(
        screen.lines().next().unwrap_or("").contains("1 down"),
        "{screen}"
    );
    let deadline = Instant::now() + REACT;
    while processes_mentioning(&format!("{hosts_dir}/cockpit-demo-"))
        .iter()
        .any(|c| c.contains("tail") && c.contains("/hosts/app-primary/"))
    {
        assert!(
            Instant::now() < deadline,
            "app-primary's `tail` outlived its host"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let restored_at = chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string();
    toggle_app_primary(&s);
    s.wait_for_re(
        r"app-primary +app-primary +(recovered|up) +ok",
        STATE_CHANGE,
    );
    // Lines app-primary writes after coming back arrive over the new connection.
    let stamped = Regex::new(r"app-primary +(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)").expect("regex");
    s.wait_for("a line app-primary wrote after the restore", REACT, |sc| {
        stamped
            .captures_iter(sc)
            .any(|c| c[1] >= *restored_at.as_str())
    });

    s.keys(&["q"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
    let deadline = Instant::now() + REACT;
    loop {
        let left = processes_mentioning(&format!("{hosts_dir}/cockpit-demo-"));
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "processes of the demo hosts outlived cockpit: {left:#?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
