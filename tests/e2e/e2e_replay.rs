//! `cockpit replay` as an operator runs it: the real binary in tmux over the journal of a real
//! demo drill, played, searched and quit with the terminal restored; and every journal it
//! must refuse, refused with a clear message and exit status 2.

use crate::support::journal_files;
use crate::support::tmux;

use journal_files::{drill_copy, empty_journal, foreign_sqlite, journal_with, rt, tamper};
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use tmux::Sandbox;

const DRILL: &str = "tests/fixtures/journals/drill-seed001.db";
const REACT: Duration = Duration::from_secs(10);

#[test]
fn the_drill_is_played_searched_and_quit_in_a_real_terminal() {
    let sandbox = Sandbox::new("replay");
    let journal = sandbox.root.join("drill.db");
    std::fs::copy(DRILL, &journal).expect("copy the drill journal");
    let journal_arg = journal.display().to_string();
    let s = sandbox.start_cockpit(150, 45, false, &["replay", &journal_arg]);
    s.wait_for("the replay at its first entry", REACT, |sc| {
        sc.contains("REPLAY") && sc.contains("#1/87") && sc.contains("cockpit 0.1.0 started")
    });
    s.keys(&["]", "]"]);
    s.wait_for("the incident opened", REACT, |sc| {
        sc.contains("0/20 done") && sc.contains("1 down")
    });
    // As fast as possible to the end.
    s.keys(&["+", "+", "+", "Space"]);
    s.wait_for("the end of the journal", REACT, |sc| {
        sc.contains("#87/87") && sc.contains("20/20 done") && sc.contains(" P1 ")
    });
    // Search from the start: the first commit asked, then the step jump from the Playbook.
    s.keys(&["Home", "/"]);
    s.wait_for("the search prompt", REACT, |sc| {
        sc.contains("search entries:")
    });
    s.type_text("commit");
    s.keys(&["Enter"]);
    s.wait_for("the first commit", REACT, |sc| {
        sc.contains("sql commit on speed asked") && sc.contains("CREATE TABLE")
    });
    s.keys(&["?"]);
    s.wait_for("the replay's keys", REACT, |sc| sc.contains("Replay keys"));
    // Esc and q sent together would read as Alt-q.
    s.keys(&["Escape"]);
    s.wait_for("the keys closed", REACT, |sc| !sc.contains("Replay keys"));
    s.keys(&["q"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
    assert!(
        !screen.contains("REPLAY"),
        "the replay screen is gone:\n{screen}"
    );
    // Nothing was written to the journal it replayed.
    assert_eq!(
        std::fs::read(&journal).expect("read"),
        std::fs::read(DRILL).expect("read")
    );
}

fn replay(path: &Path, extra: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .arg("replay")
        .arg(path)
        .args(extra)
        .output()
        .expect("run cockpit");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn journals_that_cannot_be_replayed_are_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.db");
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, b"\x00\xffnot sqlite at all\n").expect("write");
    let foreign = dir.path().join("foreign.db");
    foreign_sqlite(&foreign);
    let empty = dir.path().join("empty.db");
    empty_journal(&empty);
    let newer = dir.path().join("newer.db");
    rt().block_on(async {
        journal_with(&newer, 1).await;
        tamper(
            &newer,
            "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
        )
        .await;
    });
    for (path, expected) in [
        (&missing, "no such journal file"),
        (&garbage, "not a cockpit journal"),
        (&foreign, "not a cockpit journal"),
        (&empty, "the journal is empty"),
        (&newer, "is newer than this cockpit understands"),
    ] {
        let (code, text) = replay(path, &[]);
        assert_eq!(code, 2, "{}: {text}", path.display());
        assert!(text.contains(expected), "{}: {text}", path.display());
        assert!(!text.contains("panicked"), "{text}");
    }
    // A tampered journal: refused, replayable only with --force (then marked), never a panic.
    let tampered = drill_copy(dir.path(), Some("DELETE FROM entries WHERE seq = 40"));
    let (code, text) = replay(&tampered, &[]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("journal chain broken at entry #41"), "{text}");
    assert!(text.contains("Pass --force"), "{text}");
    // An unknown incident names the ones there.
    let (code, text) = replay(Path::new(DRILL), &["--incident", "INC-x"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("INC-20261121-2026"), "{text}");
}

/// The asciicast, played into a real terminal (its frames' bytes written to a tmux pane), ends
/// on exactly the screen `cockpit replay` shows at the journal's end.
#[test]
fn the_asciicast_played_in_a_terminal_ends_on_the_replay_s_last_screen() {
    let sandbox = Sandbox::new("cast");
    let journal = sandbox.root.join("drill.db");
    std::fs::copy(DRILL, &journal).expect("copy the drill journal");
    let cast = sandbox.root.join("drill.cast");
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["journal", "export", "--format", "asciicast", "--output"])
        .arg(&cast)
        .arg(&journal)
        .env("USER", "tester")
        .env("LOGNAME", "tester")
        .env_remove("NO_COLOR")
        .output()
        .expect("run the export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&cast).expect("read the cast");
    let mut lines = text.lines();
    let header: serde_json::Value =
        serde_json::from_str(lines.next().expect("header")).expect("header JSON");
    assert_eq!(
        (header["width"].as_u64(), header["height"].as_u64()),
        (Some(150), Some(45))
    );
    let mut played = Vec::new();
    let mut frames = 0;
    for line in lines {
        let (_, kind, data): (f64, String, String) =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(kind, "o");
        played.extend_from_slice(data.as_bytes());
        frames += 1;
    }
    assert_eq!(frames, 88, "a clear and one frame per entry");
    let bytes = sandbox.root.join("drill.bytes");
    std::fs::write(&bytes, &played).expect("write the frames");

    // The replay itself at the end, in a real terminal.
    let journal_arg = journal.display().to_string();
    let s = sandbox.start_cockpit(150, 45, false, &["replay", &journal_arg]);
    s.wait_for("the replay", REACT, |sc| sc.contains("#1/87"));
    s.keys(&["End"]);
    let replayed = s.wait_for("the end", REACT, |sc| sc.contains("#87/87"));

    // The cast's bytes in another terminal of the same size.
    let socket = format!("cockpit-cast-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .args(["-L", &socket])
            .args(args)
            .output()
            .expect("tmux")
    };
    let shown = format!("cat '{}'; sleep 60", bytes.display());
    assert!(
        tmux(&["new-session", "-d", "-x", "150", "-y", "45", &shown])
            .status
            .success()
    );
    let start = std::time::Instant::now();
    let cast_screen = loop {
        let screen = String::from_utf8_lossy(&tmux(&["capture-pane", "-p"]).stdout).into_owned();
        if screen.contains("#87/87") || start.elapsed() > REACT {
            break screen;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = tmux(&["kill-server"]);
    let trim = |s: &str| -> Vec<String> { s.lines().map(|l| l.trim_end().to_string()).collect() };
    assert_eq!(
        trim(&cast_screen),
        trim(&replayed),
        "the cast's last screen:\n{cast_screen}\nthe replay's:\n{replayed}"
    );
}
