//! End-to-end: the command palette in the real `cockpit demo` in tmux. `:` opens it, Tab
//! completes a command and a demo host, Enter jumps there; `:playbook` opens an incident on the
//! named playbook, `:severity` and `:note` are journaled as their keys' dialogs would journal
//! them, an unknown command is refused in place, and `:run` runs an off-script command on the
//! host the palette jumped to.
//!
//! Needs `tmux` on PATH (the tests fail, never skip, without it).

use crate::support::tmux;

use std::time::Duration;
use tmux::{REACT, Sandbox, dump, read_journal};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;

/// How long a command may take to come back on a busy machine.
const RUN: Duration = Duration::from_secs(30);

#[test]
fn colon_commands_complete_from_the_demo_and_land_in_the_journal() {
    let sb = Sandbox::new("palette");
    let s = sb.start_demo(WIDTH, HEIGHT);
    s.wait_until_fleet_up();

    // Tab completes the command, then the host.
    s.keys(&[":"]);
    s.wait_for("the palette", REACT, |sc| {
        sc.contains("Command") && sc.contains("Tab completes")
    });
    s.type_text("ho");
    s.keys(&["Tab"]);
    s.wait_for("the command completed", REACT, |sc| sc.contains("> host "));
    s.type_text("app-b");
    s.keys(&["Tab"]);
    s.wait_for("the host completed", REACT, |sc| {
        sc.contains("> host app-backup")
    });
    s.keys(&["Enter"]);
    s.wait_for("the palette closed", REACT, |sc| {
        !sc.contains("Tab completes")
    });

    // An unknown command: said in the palette, nothing done.
    s.keys(&[":"]);
    s.type_text("frobnicate");
    s.keys(&["Enter"]);
    s.wait_for("the refusal", REACT, |sc| {
        sc.contains("unknown command `frobnicate`")
    });
    s.keys(&["Escape"]);
    s.wait_for("the palette closed", REACT, |sc| {
        !sc.contains("Tab completes")
    });

    // An incident on the named playbook, then its severity and a note.
    s.keys(&[":"]);
    s.type_text("playbook primary-app-down");
    s.keys(&["Enter"]);
    s.wait_for("the open-incident form", REACT, |sc| {
        sc.contains("Open an incident") && !sc.contains("Tab completes")
    });
    s.keys(&["Enter"]);
    s.wait_for("the incident open", RUN, |sc| {
        sc.contains("INC-") && sc.contains(" P0 ")
    });
    s.keys(&[":"]);
    s.type_text("sev P1");
    s.keys(&["Enter"]);
    s.wait_for("the severity changed", RUN, |sc| sc.contains(" P1 "));
    s.keys(&[":"]);
    s.type_text("note palette-note 東京");
    s.keys(&["Enter"]);
    s.wait_for("the palette closed", REACT, |sc| {
        !sc.contains("Tab completes")
    });

    // An off-script command on the host the palette jumped to.
    s.keys(&[":"]);
    s.type_text("run echo palette-ok");
    s.keys(&["Enter"]);
    let screen = s.wait_for("the command's exit status", RUN, |sc| {
        sc.contains("── app-backup: exit 0 ──")
    });
    assert!(screen.contains("palette-ok"), "{screen}");
    s.keys(&["Escape"]);
    s.wait_for("the prompt closed", REACT, |sc| {
        !sc.contains("Off-script command")
    });
    s.keys(&["q"]);
    s.wait_for("the quit question", REACT, |sc| {
        sc.contains("Quit cockpit?")
    });
    s.keys(&["y"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");

    let rows = read_journal(&sb.journal);
    let of = |kind: &str| rows.iter().filter(|r| r.kind == kind).collect::<Vec<_>>();
    assert_eq!(of("incident_opened").len(), 1, "{}", dump(&rows));
    assert_eq!(
        of("incident_opened")[0].body["playbook"],
        "primary-app-down"
    );
    let severity = of("severity_changed");
    assert_eq!(severity.len(), 1, "{}", dump(&rows));
    assert_eq!(severity[0].body["severity"], "P1");
    let notes = of("note_added");
    assert_eq!(notes.len(), 1, "{}", dump(&rows));
    assert_eq!(notes[0].body["text"], "palette-note 東京");
    let started = of("adhoc_started");
    assert_eq!(started.len(), 1, "{}", dump(&rows));
    assert_eq!(
        started[0].body["targets"],
        serde_json::json!(["app-backup"])
    );
    assert_eq!(started[0].body["command"], "echo palette-ok");
}
