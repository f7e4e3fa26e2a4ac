//! End-to-end, the real binary in tmux: who is who and what a role may do.
//!
//! A shared `root` login is asked for a name before anything starts (asked again after an
//! invalid one; Ctrl-D exits with nothing started); `cockpit demo --role observer` resumes an
//! incident, shows it read-only and refuses a tick, and its session is journaled with its
//! role and name and nothing else it did.
//!
//! Needs `tmux` on PATH (fails, never skips, without it).

use crate::support::tmux;

use regex::Regex;
use tmux::{REACT, Row, STARTUP, Sandbox, read_journal};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;
const ASK: &str =
    "Several people may use root on this bastion. Your name (recorded with every action):";
const REFUSAL: &str = "observer: read-only — nothing was done";

/// The environment of a shared root login: no name given any other way.
const ROOT_LOGIN: [(&str, &str); 4] = [
    ("USER", "root"),
    ("LOGNAME", "root"),
    ("SUDO_USER", ""),
    ("COCKPIT_OPERATOR", ""),
];

#[test]
fn a_shared_root_login_is_asked_for_a_name_until_one_comes_and_ctrl_d_starts_nothing() {
    // Unreachable on purpose: the question comes before any connection.
    let sb = Sandbox::new("root-prompt").with_journal_arg("postgres://127.0.0.1:1/x");
    let s = sb.start_cockpit_with_env(WIDTH, HEIGHT, false, &["demo"], &ROOT_LOGIN);
    s.wait_for("the question for a name", STARTUP, |sc| sc.contains(ASK));
    s.type_text("bob@laptop");
    s.keys(&["Enter"]);
    s.wait_for(
        "the refusal of a name with @, and the question again",
        REACT,
        |sc| sc.contains("holds '@'") && sc.matches(ASK).count() == 2,
    );
    s.type_text("root");
    s.keys(&["Enter"]);
    s.wait_for(
        "root refused as a name, and the question again",
        REACT,
        |sc| sc.contains("root is shared") && sc.matches(ASK).count() == 3,
    );
    s.keys(&["C-d"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 2, "{screen}");
    assert!(
        screen.contains("error: no name given") && screen.contains("nothing was started"),
        "{screen}"
    );
    let started: Vec<_> = std::fs::read_dir(sb.root.join("tmp"))
        .expect("read the sandbox's TMPDIR")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(started.is_empty(), "something was started: {started:?}");
    assert!(!sb.root.join("postgres:").exists(), "a journal was created");
}

#[test]
fn a_local_root_login_is_not_asked() {
    let sb = Sandbox::new("root-local");
    let s = sb.start_cockpit_with_env(WIDTH, HEIGHT, false, &["demo"], &ROOT_LOGIN);
    let screen = s.wait_until_fleet_up();
    assert!(screen.contains("root@"), "{screen}");
    s.keys(&["q"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
    assert!(!screen.contains(ASK), "{screen}");
}

fn progress(screen: &str) -> Option<(usize, usize)> {
    let c = Regex::new(r"(\d+)/(\d+) done").ok()?.captures(screen)?;
    Some((c[1].parse().ok()?, c[2].parse().ok()?))
}

fn role_of(row: &Row) -> Option<&str> {
    row.body.get("role").and_then(|r| r.as_str())
}

#[test]
fn an_observer_on_the_demo_sees_the_incident_and_is_refused_a_tick() {
    let sb = Sandbox::new("observer");
    // Alice, commander by default on a local journal, opens an incident and quits.
    let s = sb.start_cockpit_with_env(WIDTH, HEIGHT, false, &["demo", "--operator", "alice"], &[]);
    s.wait_until_fleet_up();
    s.keys(&["o"]);
    s.wait_for("the open-incident form", REACT, |sc| {
        sc.contains("Open an incident")
    });
    s.keys(&["Enter"]);
    let screen = s.wait_for(
        "the opened incident",
        REACT,
        |sc| matches!(progress(sc), Some((0, n)) if n > 0),
    );
    let total = progress(&screen).map_or(0, |p| p.1);
    s.keys(&["q"]);
    s.wait_for("the quit question", REACT, |sc| {
        sc.contains("Quit cockpit?")
    });
    s.keys(&["y"]);
    assert_eq!(s.wait_for_exit_status().0, 0);
    drop(s);

    // Bob, observer (from the environment), resumes it: read-only, a tick refused.
    let s = sb.start_cockpit_with_env(
        WIDTH,
        HEIGHT,
        false,
        &["demo", "--operator", "bob"],
        &[("COCKPIT_ROLE", "observer")],
    );
    s.wait_for("the resumed incident, read-only", STARTUP, |sc| {
        progress(sc) == Some((0, total)) && sc.contains("READ-ONLY")
    });
    s.keys(&["Space"]);
    let screen = s.wait_for("the refusal of the tick", REACT, |sc| sc.contains(REFUSAL));
    assert_eq!(progress(&screen), Some((0, total)), "{screen}");
    s.keys(&["n"]);
    s.wait_for("the refusal of a note", REACT, |sc| sc.contains(REFUSAL));
    assert!(!s.screen().contains("Note"), "a note prompt opened");
    s.keys(&["q"]);
    s.wait_for("the quit question", REACT, |sc| {
        sc.contains("Quit cockpit?")
    });
    s.keys(&["y"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");

    let rows = read_journal(&sb.journal);
    let sessions: Vec<(&str, Option<&str>)> = rows
        .iter()
        .filter(|r| r.kind == "session_started")
        .map(|r| (r.actor.split('@').next().unwrap_or_default(), role_of(r)))
        .collect();
    assert_eq!(
        sessions,
        [("alice", Some("commander")), ("bob", Some("observer"))]
    );
    let bobs: Vec<&str> = rows
        .iter()
        .filter(|r| r.actor.starts_with("bob@"))
        .map(|r| r.kind.as_str())
        .collect();
    // What cockpit records by itself (a host's state seen changing, the clock, the head's
    // signature) may be there; nothing bob did is.
    let by_itself = [
        "session_started",
        "session_ended",
        "host_state_changed",
        "host_pressure_changed",
        "milestone_crossed",
        "head_signed",
        "head_not_signed",
    ];
    assert!(
        bobs.iter().all(|k| by_itself.contains(k)),
        "the observer journaled {bobs:?}"
    );
    assert!(
        !rows
            .iter()
            .any(|r| r.kind.starts_with("step_") || r.kind == "note_added"),
        "{:?}",
        rows.iter().map(|r| &r.kind).collect::<Vec<_>>()
    );
}
