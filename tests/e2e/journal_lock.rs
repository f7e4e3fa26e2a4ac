//! One writer per journal, with real processes: a cockpit running in tmux holds its journal;
//! a second cockpit (live or demo) on the same file is refused at once with the holder's
//! user, host, pid and start time, and leaves the journal alone; the first keeps writing;
//! readers (`journal verify`, `journal export`, `report`, `replay`) work meanwhile; after `kill -9` of
//! the holder the OS has dropped the lock and the next cockpit starts on the journal.
//!
//! Needs `tmux` on PATH (the tests fail, never skip, without it).

use crate::support::tmux;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tmux::{COCKPIT, REACT, STARTUP, Sandbox, Session, journal_verify, read_journal};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;

/// Runs cockpit with no terminal, failing (instead of blocking) if it has not exited in 60 s.
fn run_bounded(sb: &Sandbox, args: &[&str]) -> Output {
    let child = Command::new(COCKPIT)
        .args(args)
        .env("HOME", sb.root.join("home"))
        .env("USER", "second")
        .env("TMPDIR", sb.root.join("tmp"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start cockpit");
    let pid = child.id() as i32;
    let waiter = std::thread::spawn(move || child.wait_with_output());
    let start = Instant::now();
    while !waiter.is_finished() {
        if start.elapsed() > Duration::from_secs(60) {
            // SAFETY: kill(2) on the child this test started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("cockpit {args:?} did not return within 60 s: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    waiter.join().expect("waiter").expect("cockpit output")
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .expect("hostname")
        .trim()
        .to_string()
}

fn head(journal: &Path) -> (usize, String) {
    let rows = read_journal(journal);
    (
        rows.len(),
        rows.last().map(|r| r.hash.clone()).unwrap_or_default(),
    )
}

#[test]
fn a_second_writer_is_refused_with_the_holder_and_a_kill_9_frees_the_journal() {
    let sb = Sandbox::new("lock");
    let journal = sb.journal.display().to_string();
    let mut first = sb.start_demo(WIDTH, HEIGHT);
    first.wait_for("the first cockpit's main screen", STARTUP, |sc| {
        sc.contains("1 Hosts") && sc.contains("no open incident")
    });
    let holder = first.cockpit_pid();
    // The first frame comes before the journal is confirmed and the start is written.
    let start = Instant::now();
    while !read_journal(&sb.journal)
        .iter()
        .any(|r| r.kind == "session_started")
    {
        assert!(
            start.elapsed() < STARTUP,
            "the first cockpit never journaled its start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let before = head(&sb.journal);

    // A second writer, live mode and demo mode: refused, told who holds it, exit non-zero.
    let inventory = tmux::offline_inventory(&sb.root);
    let live = run_bounded(
        &sb,
        &[
            "--config",
            inventory.to_str().unwrap(),
            "--journal",
            &journal,
        ],
    );
    let demo = run_bounded(&sb, &["demo", "--journal", &journal]);
    for (what, out) in [("cockpit", &live), ("cockpit demo", &demo)] {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        let wanted = format!(
            "journal {journal} is open for writing by tester@{} (pid {holder}, `cockpit demo --journal {journal}",
            host_name()
        );
        assert!(err.contains(&wanted), "{what}: {err}\nwanted: {wanted}");
        assert!(err.contains(" UTC ("), "{what}: the time it started: {err}");
        assert!(
            err.contains(&format!(
                "open it read-only with `cockpit replay {journal}`"
            )),
            "{what}: {err}"
        );
    }
    assert_eq!(
        head(&sb.journal),
        before,
        "a refused writer changed the journal"
    );

    // The holder keeps writing: it opens an incident and ticks a step.
    first.keys(&["o"]);
    first.wait_for("the open-incident form", REACT, |sc| {
        sc.contains("Open an incident")
    });
    first.keys(&["Enter"]);
    first.wait_for("the opened incident", REACT, |sc| sc.contains("0/12 done"));
    first.keys(&["Space"]);
    let screen = first.wait_for("the tick", REACT, |sc| sc.contains("1/12 done"));
    assert!(!screen.contains("journal write failed"), "{screen}");
    let kinds: Vec<String> = read_journal(&sb.journal)
        .into_iter()
        .skip(before.0)
        .map(|r| r.kind)
        .collect();
    for kind in ["incident_opened", "step_completed"] {
        assert!(kinds.iter().any(|k| k == kind), "no {kind} in {kinds:?}");
    }

    // Readers work while the lock is held.
    let (code, out, err) = journal_verify(&sb.journal);
    assert_eq!(code, 0, "verify while held: {out}{err}");
    let export = run_bounded(&sb, &["journal", "export", &journal, "--format", "jsonl"]);
    assert!(
        export.status.success(),
        "export while held: {}",
        String::from_utf8_lossy(&export.stderr)
    );
    let report = run_bounded(&sb, &["report", &journal]);
    let text = String::from_utf8_lossy(&report.stdout);
    assert!(
        report.status.success() && text.contains("Backup application server down"),
        "report while held: {text}{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let replay = sb.start_cockpit(WIDTH, HEIGHT, false, &["replay"]);
    replay.wait_for("the replay of the held journal", STARTUP, |sc| {
        sc.contains("incident_opened") || sc.contains("Incident opened") || sc.contains("REPLAY")
    });
    drop(replay);

    // kill -9: the OS drops the lock; the next writer starts and records itself.
    first.signal(libc::SIGKILL);
    assert!(Session::wait_for_process_exit(holder, Duration::from_secs(10)).is_some());
    drop(first);
    let mut next = sb.start_demo(WIDTH, HEIGHT);
    next.wait_for("the next cockpit resuming the incident", STARTUP, |sc| {
        sc.contains("1 Hosts") && sc.contains("1/12 done")
    });
    let pid = next.cockpit_pid();
    let lock_file = format!(
        "{}.lock",
        std::fs::canonicalize(&sb.journal).unwrap().display()
    );
    let details = std::fs::read_to_string(&lock_file).expect("the lock file");
    assert!(details.contains(&format!("pid = {pid}")), "{details}");
    assert!(!details.contains(&format!("pid = {holder}")), "{details}");
}
