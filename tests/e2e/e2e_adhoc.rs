//! End-to-end: an off-script command in the real `cockpit demo` in tmux. `!` in the Hosts
//! pane opens the prompt, the command runs on the selected demo host over its SSH connection,
//! its output and exit status show under it (a secret masked), `↑` recalls it (saying the
//! masked secret must be typed again), and the journal holds the run with the secret masked.
//!
//! Needs `tmux` on PATH (the tests fail, never skip, without it).

use crate::support::tmux;

use std::time::Duration;
use tmux::{REACT, Sandbox, dump, read_journal};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;

/// How long the command may take to come back on a busy machine.
const RUN: Duration = Duration::from_secs(30);

#[test]
fn bang_runs_an_off_script_command_on_the_selected_host_and_journals_it() {
    let sb = Sandbox::new("adhoc");
    let s = sb.start_demo(WIDTH, HEIGHT);
    s.wait_until_fleet_up();
    s.keys(&["1", "!"]);
    s.wait_for("the off-script prompt", REACT, |sc| {
        sc.contains("Off-script command (journaled)") && sc.contains("runs it on nginx-1")
    });
    s.type_text("echo adhoc-ok; echo password=hunter2; exit 4");
    s.keys(&["Enter"]);
    let screen = s.wait_for("the command's output and exit status", RUN, |sc| {
        sc.contains("── nginx-1: exit 4 ──")
    });
    assert!(
        screen.contains("adhoc-ok") && screen.contains("password=***"),
        "{screen}"
    );
    assert!(
        !screen.contains("hunter2"),
        "the secret is on the screen:\n{screen}"
    );
    assert!(
        screen.contains("$ echo adhoc-ok; echo password=***; exit 4"),
        "{screen}"
    );

    // ↑ recalls it (as journaled: masked).
    s.keys(&["Up"]);
    s.wait_for(
        "the command recalled, and told its secret is to type again",
        REACT,
        |sc| {
            sc.contains("> echo adhoc-ok; echo password=***; exit 4")
                && sc.contains("recalled as journaled: a secret shows as ***, type it again")
        },
    );
    s.keys(&["Escape"]);
    s.wait_for("the prompt closed", REACT, |sc| {
        !sc.contains("Off-script command (journaled)")
    });
    s.keys(&["q"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");

    let rows = read_journal(&sb.journal);
    let started: Vec<_> = rows.iter().filter(|r| r.kind == "adhoc_started").collect();
    let outputs: Vec<_> = rows.iter().filter(|r| r.kind == "adhoc_output").collect();
    assert_eq!((started.len(), outputs.len()), (1, 1), "{}", dump(&rows));
    assert_eq!(
        started[0].body["command"],
        "echo adhoc-ok; echo password=***; exit 4"
    );
    assert_eq!(started[0].body["targets"], serde_json::json!(["nginx-1"]));
    assert_eq!(outputs[0].body["host"], "nginx-1");
    assert_eq!(outputs[0].body["exit"], 4);
    assert_eq!(outputs[0].body["output"], "adhoc-ok\npassword=***");
    assert!(
        started[0].seq < outputs[0].seq,
        "the start is journaled before the output"
    );
    assert!(
        rows.iter().all(|r| !r.body.to_string().contains("hunter2")),
        "{}",
        dump(&rows)
    );
}
