//! End-to-end: the real `cockpit demo` in a real terminal (tmux), driven by keys and read
//! back with `capture-pane`, then the journal it left on disk.
//!
//! Covers: open an incident, tick steps, quit, the journal holds those entries and its chain
//! verifies; `kill -9` at any moment and the next start resumes the incident where it was;
//! SIGTERM/SIGINT/SIGHUP and a vanished tty flush the journal, record the exit and end the
//! process within 2 seconds; a too-small terminal shows a notice and still quits.
//!
//! Needs `tmux` on PATH (the tests fail, never skip, without it). Run with
//! `cargo test --test e2e e2e_tmux:: -- --test-threads=1`.

use crate::support::private_pg;
use crate::support::tmux;

use regex::Regex;
use std::time::Duration;
use tmux::{
    REACT, Row, Sandbox, Session, assert_journal_well_formed, assert_kinds_in_order,
    assert_verifies, dump, journal_verify, read_journal,
};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;
const CJK_TITLE: &str = "主应用服务器宕机 演练";
/// The requirement: the process is gone within 2 s of the signal or hang-up.
const EXIT_BUDGET: Duration = Duration::from_secs(2);

/// The incident id on the status line (first screen row).
fn incident_on_status_line(screen: &str) -> Option<String> {
    let first = screen.lines().next()?;
    Regex::new(r"INC-[0-9A-Za-z-]*[0-9A-Za-z]")
        .unwrap()
        .find(first)
        .map(|m| m.as_str().to_string())
}

/// `done/total` from the Playbook pane head (`· 3/20 done`).
fn progress(screen: &str) -> Option<(usize, usize)> {
    let c = Regex::new(r"(\d+)/(\d+) done").unwrap().captures(screen)?;
    Some((c[1].parse().ok()?, c[2].parse().ok()?))
}

/// The checklist marker of step `n` (1-based): `[ ]`, `[x]` or `[-]`.
fn step_marker(screen: &str, n: usize) -> Option<String> {
    let re = Regex::new(&format!(r"(\[[ x-]\])\s+{n}\. ")).unwrap();
    re.captures(screen).map(|c| c[1].to_string())
}

/// Presses `o`, fills the form (default playbook and severity, the given title), opens the
/// incident; returns (incident id, number of steps).
fn open_incident(s: &Session, title: &str) -> (String, usize) {
    s.keys(&["o"]);
    s.wait_for_re("Open an incident", REACT);
    s.keys(&["Tab", "Tab"]);
    s.type_text(title);
    s.wait_for(
        &format!("the typed title {title:?} in the form"),
        REACT,
        |sc| sc.contains(title),
    );
    s.keys(&["Enter"]);
    let screen = s.wait_for(
        "the opened incident: an INC- id on the status line and `0/N done` in the Playbook pane",
        REACT,
        |sc| {
            incident_on_status_line(sc).is_some()
                && matches!(progress(sc), Some((0, n)) if n > 0)
                && step_marker(sc, 1).as_deref() == Some("[ ]")
                && sc.contains("3 Playbook")
        },
    );
    let id = incident_on_status_line(&screen).unwrap();
    let (_, total) = progress(&screen).unwrap();
    (id, total)
}

/// Space on the selected step; waits until `done/total done` and step `step` shows `[x]`.
fn tick(s: &Session, step: usize, done: usize, total: usize) -> String {
    s.keys(&["Space"]);
    s.wait_for(
        &format!("step {step} ticked `[x]` and `{done}/{total} done`"),
        REACT,
        |sc| progress(sc) == Some((done, total)) && step_marker(sc, step).as_deref() == Some("[x]"),
    )
}

/// `q` with an incident open asks first; `y` confirms. Returns the final screen.
fn quit_confirmed(s: &Session) -> String {
    s.keys(&["q"]);
    s.wait_for_re(r"Quit cockpit\?", REACT);
    s.keys(&["y"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "cockpit exited with {status}:\n{screen}");
    screen
}

/// Starts cockpit again on the sandbox's journal and checks the incident is back exactly as
/// it was: same id, `done/total done`, steps 1..=done ticked and the next one open.
fn assert_resumes(sb: &Sandbox, id: &str, done: usize, total: usize) -> Session {
    let s = sb.start_demo(WIDTH, HEIGHT);
    // One predicate for everything: a capture can catch a frame half drawn.
    s.wait_for(
        &format!(
            "the resumed incident {id} at {done}/{total} done, steps 1..={done} `[x]`, step {} `[ ]`",
            done + 1
        ),
        tmux::STARTUP,
        |sc| resumed_as(sc, id, done, total),
    );
    s
}

fn resumed_as(screen: &str, id: &str, done: usize, total: usize) -> bool {
    incident_on_status_line(screen).as_deref() == Some(id)
        && progress(screen) == Some((done, total))
        && (1..=done).all(|n| step_marker(screen, n).as_deref() == Some("[x]"))
        && (done == total || step_marker(screen, done + 1).as_deref() == Some("[ ]"))
        && !screen.contains("no open incident")
}

/// Waits (up to 15 s, to report the real figure) for `pid` to end and asserts it took no
/// more than [`EXIT_BUDGET`].
fn assert_exits_fast(s: &Session, pid: i32, what: &str) -> Duration {
    match Session::wait_for_process_exit(pid, Duration::from_secs(15)) {
        Some(took) => {
            assert!(
                took <= EXIT_BUDGET,
                "cockpit (pid {pid}) took {took:?} to exit after {what}; the limit is {EXIT_BUDGET:?}\n{}",
                s.diagnostics()
            );
            took
        }
        None => panic!(
            "cockpit (pid {pid}) was still running 15 s after {what} (limit {EXIT_BUDGET:?})\n{}",
            s.diagnostics()
        ),
    }
}

/// Whether a row is cockpit's own note on signing the head (journaled after a resolve and a
/// session's end, signed or not).
fn is_signature(r: &Row) -> bool {
    matches!(r.kind.as_str(), "head_signed" | "head_not_signed")
}

/// The journal's last entry but cockpit's signature notes is a `session_ended` whose reason
/// contains `reason`.
fn assert_ends_with_session_ended(rows: &[Row], reason: &str) {
    let last = rows
        .iter()
        .rfind(|r| !is_signature(r))
        .expect("journal has entries");
    assert_eq!(
        last.kind,
        "session_ended",
        "the last entry should record the exit:\n{}",
        dump(rows)
    );
    let got = last.body["reason"].as_str().unwrap_or_default();
    assert!(
        got.contains(reason),
        "session_ended reason {got:?} should mention {reason:?}:\n{}",
        dump(rows)
    );
}

/// After cockpit is gone: the journal ends with exactly one `session_ended` whose reason holds
/// `reason`, the chain verifies, and the next start resumes the incident at step 1 done.
fn assert_clean_end_then_resume(sb: &Sandbox, id: &str, total: usize, reason: &str) {
    let rows = read_journal(&sb.journal);
    assert_journal_well_formed(&rows);
    assert_ends_with_session_ended(&rows, reason);
    assert_eq!(count(&rows, "session_ended"), 1, "{}", dump(&rows));
    assert_verifies(&sb.journal, rows.len());
    let s = assert_resumes(sb, id, 1, total);
    quit_confirmed(&s);
}

fn count(rows: &[Row], kind: &str) -> usize {
    rows.iter().filter(|r| r.kind == kind).count()
}

/// Step ids of the incident in the journal's `incident_opened` entry.
fn opened_steps(rows: &[Row], id: &str) -> Vec<String> {
    let opened = rows
        .iter()
        .find(|r| r.kind == "incident_opened" && r.body["incident"] == id)
        .unwrap_or_else(|| panic!("no incident_opened for {id}:\n{}", dump(rows)));
    opened.body["steps"]
        .as_array()
        .expect("steps array")
        .iter()
        .map(|s| s["id"].as_str().expect("step id").to_string())
        .collect()
}

#[test]
fn open_tick_quit_then_journal_verifies() {
    let sb = Sandbox::new("open");
    let s = sb.start_demo(WIDTH, HEIGHT);
    s.wait_until_fleet_up();
    s.wait_for(
        "the status line with `no open incident` and the operator tester@<host>, and all four panes",
        REACT,
        |sc| {
            let status = sc.lines().next().unwrap_or("");
            status.contains("no open incident")
                && status.contains("tester@")
                && ["1 Hosts", "2 Logs", "3 Playbook", "4 SQL"]
                    .iter()
                    .all(|p| sc.contains(p))
        },
    );

    let (id, total) = open_incident(&s, CJK_TITLE);
    assert!(
        total >= 2,
        "the playbook needs at least two steps, has {total}"
    );
    s.wait_for(
        "the Playbook pane head with the CJK title intact and `0/N done`",
        REACT,
        |sc| {
            sc.lines()
                .any(|l| l.contains(CJK_TITLE) && l.contains(&format!("0/{total} done")))
        },
    );
    // A tick moves the selection to the next step by itself.
    tick(&s, 1, 1, total);
    tick(&s, 2, 2, total);
    s.wait_for("exactly steps 1 and 2 ticked, step 3 open", REACT, |sc| {
        sc.matches("[x]").count() == 2 && step_marker(sc, 3).as_deref() == Some("[ ]")
    });

    let screen = quit_confirmed(&s);
    let printed: usize = Regex::new(r"\((\d+) entries\)")
        .unwrap()
        .captures(&screen)
        .unwrap_or_else(|| panic!("no `(N entries)` in the exit message:\n{screen}"))[1]
        .parse()
        .unwrap();
    assert!(
        screen.contains("operator quit with incident open"),
        "exit message:\n{screen}"
    );
    assert!(
        screen.contains(&format!("incident {id} is still open")),
        "exit message should name the open incident {id}:\n{screen}"
    );
    assert!(
        screen.contains("journal.db"),
        "exit message should name the journal:\n{screen}"
    );
    drop(s);

    // The journal on disk.
    let rows = read_journal(&sb.journal);
    assert_journal_well_formed(&rows);
    assert_kinds_in_order(
        &rows,
        &[
            "session_started",
            "incident_opened",
            "step_completed",
            "step_completed",
            "session_ended",
        ],
    );
    assert_ends_with_session_ended(&rows, "quit");
    assert_eq!(
        printed,
        rows.len(),
        "the exit message counted {printed} entries, the journal holds {}:\n{}",
        rows.len(),
        dump(&rows)
    );
    assert_eq!(count(&rows, "session_started"), 1, "{}", dump(&rows));
    assert_eq!(count(&rows, "incident_opened"), 1, "{}", dump(&rows));
    assert_eq!(count(&rows, "step_completed"), 2, "{}", dump(&rows));
    assert_eq!(count(&rows, "step_reopened"), 0, "{}", dump(&rows));
    let opened = rows.iter().find(|r| r.kind == "incident_opened").unwrap();
    assert_eq!(opened.body["incident"], id.as_str(), "{}", dump(&rows));
    assert_eq!(
        opened.body["title"],
        CJK_TITLE,
        "the CJK title must be stored verbatim:\n{}",
        dump(&rows)
    );
    let steps = opened_steps(&rows, &id);
    assert_eq!(steps.len(), total, "the screen showed {total} steps");
    let ticked: Vec<&str> = rows
        .iter()
        .filter(|r| r.kind == "step_completed")
        .map(|r| {
            assert_eq!(r.body["incident"], id.as_str(), "{}", dump(&rows));
            r.body["step"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        ticked,
        [steps[0].as_str(), steps[1].as_str()],
        "{}",
        dump(&rows)
    );

    assert_verifies(&sb.journal, rows.len());

    // `verify` really checks: one changed byte in a copy is reported, exit status 2.
    let copy = sb.root.join("tampered.db");
    std::fs::copy(&sb.journal, &copy).expect("copy journal");
    for ext in ["-wal", "-shm"] {
        let side = sb.root.join(format!("journal.db{ext}"));
        if side.exists() {
            std::fs::copy(&side, sb.root.join(format!("tampered.db{ext}"))).unwrap();
        }
    }
    let target = rows.iter().find(|r| r.kind == "incident_opened").unwrap();
    let forged = serde_json::to_string(&target.body)
        .unwrap()
        .replace(CJK_TITLE, "nothing happened");
    tmux::tamper_body(&copy, target.seq, &forged);
    let (code, stdout, stderr) = journal_verify(&copy);
    assert_eq!(
        code, 2,
        "verify must fail (exit 2) on a tampered journal:\nstdout: {stdout}\nstderr: {stderr}"
    );
}

#[test]
fn resume_after_kill_9() {
    let sb = Sandbox::new("kill9");
    let mut s = sb.start_demo(WIDTH, HEIGHT);
    s.wait_until_fleet_up();
    let (id, total) = open_incident(&s, "kill -9 drill");
    tick(&s, 1, 1, total);
    // The [x] is drawn only once the journal acknowledged the entry: it is on disk now.
    let pid = s.cockpit_pid();
    s.signal(libc::SIGKILL);
    assert!(
        Session::wait_for_process_exit(pid, Duration::from_secs(10)).is_some(),
        "SIGKILL did not end pid {pid}"
    );
    let (status, _) = s.wait_for_exit_status();
    assert_eq!(
        status,
        128 + libc::SIGKILL,
        "the shell saw cockpit killed by SIGKILL"
    );
    drop(s);

    // The journal survives a kill -9 intact: no session_ended, the tick is there.
    let rows = read_journal(&sb.journal);
    assert_journal_well_formed(&rows);
    assert_kinds_in_order(
        &rows,
        &["session_started", "incident_opened", "step_completed"],
    );
    assert_eq!(count(&rows, "session_ended"), 0, "{}", dump(&rows));
    assert_verifies(&sb.journal, rows.len());
    let before = rows.len();

    // The next start resumes it exactly where it was.
    let s = assert_resumes(&sb, &id, 1, total);
    let screen = quit_confirmed(&s);
    assert!(
        screen.contains(&format!("incident {id} is still open")),
        "{screen}"
    );
    drop(s);

    let rows = read_journal(&sb.journal);
    assert_journal_well_formed(&rows);
    assert!(rows.len() > before);
    assert_kinds_in_order(
        &rows,
        &[
            "session_started",
            "incident_opened",
            "step_completed",
            "session_started",
            "session_ended",
        ],
    );
    assert_eq!(
        count(&rows, "incident_opened"),
        1,
        "resuming must not open a new incident:\n{}",
        dump(&rows)
    );
    assert_eq!(count(&rows, "step_completed"), 1, "{}", dump(&rows));
    assert_ends_with_session_ended(&rows, "quit");
    assert_verifies(&sb.journal, rows.len());
}

/// Opens an incident and ticks step 1 in a fresh sandbox; returns (session, id, total).
fn session_with_open_incident(sb: &Sandbox, title: &str) -> (Session, String, usize) {
    let s = sb.start_demo(WIDTH, HEIGHT);
    let (id, total) = open_and_tick_first(&s, title);
    (s, id, total)
}

fn open_and_tick_first(s: &Session, title: &str) -> (String, usize) {
    s.wait_until_fleet_up();
    let (id, total) = open_incident(s, title);
    tick(s, 1, 1, total);
    (id, total)
}

#[test]
fn sigterm_and_lost_tty_flush_and_exit_fast() {
    // (a) SIGTERM.
    {
        let sb = Sandbox::new("sigterm");
        let (mut s, id, total) = session_with_open_incident(&sb, "SIGTERM drill");
        let pid = s.cockpit_pid();
        s.signal(libc::SIGTERM);
        let took = assert_exits_fast(&s, pid, "SIGTERM");
        eprintln!("SIGTERM: cockpit exited in {took:?}");
        let (status, screen) = s.wait_for_exit_status();
        assert_eq!(status, 0, "SIGTERM should end cockpit cleanly:\n{screen}");
        assert!(
            screen.contains(&format!("incident {id} is still open")),
            "{screen}"
        );
        drop(s);
        assert_clean_end_then_resume(&sb, &id, total, "SIGTERM");
    }
    // (b) The tty disappears: the tmux server (and with it the pane's terminal) is killed.
    {
        let sb = Sandbox::new("lost-tty");
        let (mut s, id, total) = session_with_open_incident(&sb, "lost tty drill");
        let pid = s.cockpit_pid();
        s.kill_server();
        let took = assert_exits_fast(&s, pid, "its terminal disappeared (tmux kill-server)");
        eprintln!("lost tty: cockpit exited in {took:?}");
        drop(s);
        assert_clean_end_then_resume(&sb, &id, total, "");
    }
    // (c) The tty disappears and no SIGHUP comes (cockpit is not in the pty's session, as
    // when the hang-up is lost): cockpit must notice its terminal failing on its own.
    {
        let sb = Sandbox::new("dead-tty");
        let mut s = sb.start_demo_without_controlling_tty(WIDTH, HEIGHT);
        let (id, total) = open_and_tick_first(&s, "dead tty drill");
        let pid = s.cockpit_pid();
        s.kill_server();
        let took = assert_exits_fast(&s, pid, "its terminal disappeared without a SIGHUP");
        eprintln!("dead tty, no SIGHUP: cockpit exited in {took:?}");
        drop(s);
        assert_clean_end_then_resume(&sb, &id, total, "terminal");
    }
}

#[test]
fn sigint_and_sighup_flush_and_exit_fast_across_resumes() {
    let sb = Sandbox::new("sigint-sighup");
    // Session 1: open, tick step 1, SIGINT.
    let (mut s, id, total) = session_with_open_incident(&sb, "SIGINT then SIGHUP");
    assert!(total >= 3, "the playbook needs at least three steps");
    let pid = s.cockpit_pid();
    s.signal(libc::SIGINT);
    let took = assert_exits_fast(&s, pid, "SIGINT");
    eprintln!("SIGINT: cockpit exited in {took:?}");
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "SIGINT should end cockpit cleanly:\n{screen}");
    drop(s);
    let rows = read_journal(&sb.journal);
    assert_journal_well_formed(&rows);
    assert_ends_with_session_ended(&rows, "SIGINT");
    assert_verifies(&sb.journal, rows.len());

    // Session 2: resumed at 1/N; tick step 2; SIGHUP.
    // A resumed incident selects its first open step.
    let mut s = assert_resumes(&sb, &id, 1, total);
    tick(&s, 2, 2, total);
    let pid = s.cockpit_pid();
    s.signal(libc::SIGHUP);
    let took = assert_exits_fast(&s, pid, "SIGHUP");
    eprintln!("SIGHUP: cockpit exited in {took:?}");
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "SIGHUP should end cockpit cleanly:\n{screen}");
    drop(s);
    let rows = read_journal(&sb.journal);
    assert_journal_well_formed(&rows);
    assert_ends_with_session_ended(&rows, "SIGHUP");
    assert_verifies(&sb.journal, rows.len());

    // Session 3: resumed at 2/N; quit.
    let s = assert_resumes(&sb, &id, 2, total);
    quit_confirmed(&s);
    drop(s);
    let rows = read_journal(&sb.journal);
    assert_journal_well_formed(&rows);
    assert_eq!(count(&rows, "session_started"), 3, "{}", dump(&rows));
    assert_eq!(count(&rows, "session_ended"), 3, "{}", dump(&rows));
    assert_eq!(count(&rows, "incident_opened"), 1, "{}", dump(&rows));
    assert_eq!(count(&rows, "step_completed"), 2, "{}", dump(&rows));
    assert_verifies(&sb.journal, rows.len());
}

#[test]
fn terminal_too_small_shows_notice() {
    let sb = Sandbox::new("small");
    let s = sb.start_demo(60, 15);
    let screen = s.wait_for_re("terminal too small", tmux::STARTUP);
    assert!(
        !screen.contains("1 Hosts"),
        "panes must not be drawn in a 60x15 terminal:\n{screen}"
    );
    // Grown to a usable size, the panes appear; shrunk again, the notice is back.
    s.resize(WIDTH, HEIGHT);
    s.wait_for("the four panes after growing the terminal", REACT, |sc| {
        sc.contains("1 Hosts") && sc.contains("3 Playbook") && !sc.contains("terminal too small")
    });
    s.resize(60, 15);
    s.wait_for_re("terminal too small", REACT);
    // No incident is open, so q quits at once.
    s.keys(&["q"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "cockpit exited with {status}:\n{screen}");
    drop(s);
    let rows = read_journal(&sb.journal);
    assert_journal_well_formed(&rows);
    assert_eq!(
        rows.iter()
            .filter(|r| !is_signature(r))
            .map(|r| r.kind.as_str())
            .collect::<Vec<_>>(),
        ["session_started", "session_ended"],
        "{}",
        dump(&rows)
    );
    assert_ends_with_session_ended(&rows, "quit");
    assert_verifies(&sb.journal, rows.len());
}

/// Steps of `id` done according to the journal (completed and not reopened since).
fn done_in_journal(rows: &[Row], id: &str) -> usize {
    let mut done = std::collections::BTreeSet::new();
    for r in rows.iter().filter(|r| r.body["incident"] == id) {
        let step = r.body["step"].as_str().unwrap_or_default().to_string();
        match r.kind.as_str() {
            "step_completed" => {
                done.insert(step);
            }
            "step_reopened" => {
                done.remove(&step);
            }
            _ => {}
        }
    }
    done.len()
}

#[test]
fn kill_9_at_any_moment_resumes_what_the_journal_holds() {
    let sb = Sandbox::new("chaos");
    // (A kill -9 during the very first start-up has its own tests below.)
    let s = sb.start_demo(WIDTH, HEIGHT);
    s.wait_until_fleet_up();
    let (id, total) = open_incident(&s, "kill at any moment");
    assert!(
        total >= 7,
        "the playbook needs at least seven steps, has {total}"
    );
    let mut s = s;
    let mut done = 0;
    // Tick the next step and kill -9 at a different moment each time: before, during or
    // after the journal write. Whatever reached the disk is what the next start shows.
    for delay_ms in [0u64, 1, 5, 20, 60, 250] {
        let pid = s.cockpit_pid();
        // The resumed incident selects its first open step: the next one to tick.
        s.keys(&["Space"]);
        std::thread::sleep(Duration::from_millis(delay_ms)); // chaos timing, not synchronisation
        s.signal(libc::SIGKILL);
        assert!(Session::wait_for_process_exit(pid, Duration::from_secs(10)).is_some());
        drop(s);

        let rows = read_journal(&sb.journal);
        assert_journal_well_formed(&rows);
        assert_verifies(&sb.journal, rows.len());
        let now = done_in_journal(&rows, &id);
        assert!(
            now == done || now == done + 1,
            "after kill -9 {delay_ms} ms after ticking step {}: {now} steps done in the journal, expected {done} or {}:\n{}",
            done + 1,
            done + 1,
            dump(&rows)
        );
        eprintln!(
            "kill -9 {delay_ms} ms after Space: tick on disk: {}",
            now > done
        );
        done = now;
        s = assert_resumes(&sb, &id, done, total);
    }
    // Last, a kill -9 once the tick is on disk (waited for, however slow the machine): it
    // must survive, and the next start must show it.
    let pid = s.cockpit_pid();
    s.keys(&["Space"]);
    let on_disk = private_pg::wait_until(tmux::STARTUP, || {
        done_in_journal(&read_journal(&sb.journal), &id) == done + 1
    });
    assert!(
        on_disk,
        "the tick of step {} never reached the journal\n{}",
        done + 1,
        s.diagnostics()
    );
    s.signal(libc::SIGKILL);
    assert!(Session::wait_for_process_exit(pid, Duration::from_secs(10)).is_some());
    drop(s);
    done += 1;
    let rows = read_journal(&sb.journal);
    assert_journal_well_formed(&rows);
    assert_verifies(&sb.journal, rows.len());
    assert_eq!(done_in_journal(&rows, &id), done, "{}", dump(&rows));
    let s = assert_resumes(&sb, &id, done, total);
    quit_confirmed(&s);
    drop(s);
    let rows = read_journal(&sb.journal);
    assert_journal_well_formed(&rows);
    assert_eq!(count(&rows, "incident_opened"), 1, "{}", dump(&rows));
    assert_eq!(done_in_journal(&rows, &id), done);
    assert_ends_with_session_ended(&rows, "quit");
    assert_verifies(&sb.journal, rows.len());
}

/// Starts cockpit on the sandbox's journal and requires the usable main screen; a refusal
/// (cockpit printing an error and exiting) fails with `bug`, the screen and the journal's
/// verify output.
fn assert_starts(sb: &Sandbox, bug: &str) {
    let s = sb.start_demo(WIDTH, HEIGHT);
    let screen = s.wait_for(
        "the main screen with `no open incident`, or cockpit exiting",
        tmux::STARTUP,
        |sc| {
            (sc.contains("1 Hosts") && sc.lines().next().unwrap_or("").contains("no open incident"))
                || sc.contains("EXITED:")
        },
    );
    if !screen.contains("1 Hosts") {
        let (code, out, err) = journal_verify(&sb.journal);
        let size = std::fs::metadata(&sb.journal).map_or(0, |m| m.len());
        panic!(
            "{bug}\ncockpit refused to start on {} ({size} bytes):\n--- screen ---\n{}\n--- end ---\n`cockpit journal verify` on it: exit {code}\n{out}{err}",
            sb.journal.display(),
            screen.trim_end()
        );
    }
    s.keys(&["q"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
    drop(s);
    let rows = read_journal(&sb.journal);
    assert_journal_well_formed(&rows);
    assert_ends_with_session_ended(&rows, "quit");
    assert_verifies(&sb.journal, rows.len());
}

/// The exact file a `kill -9` leaves when it lands after SQLite set up the new journal file
/// (WAL mode, header page written) and before cockpit's schema was committed: an empty SQLite
/// database. Observed for real by `kill_9_during_first_start_then_starts_again`; built here
/// directly so the check does not depend on hitting a window of a few milliseconds.
#[test]
fn journal_left_empty_by_a_kill_during_first_start_is_usable() {
    let sb = Sandbox::new("empty-db");
    tmux::create_empty_wal_database(&sb.journal);
    assert_starts(
        &sb,
        "BUG: a journal file left empty (SQLite header, no tables) by a kill -9 during the \
         first start-up is refused forever; the operator must delete it by hand",
    );
}

/// Really kills cockpit at moments spread over the creation of a new journal (SQLite file
/// set-up, then cockpit's schema statements), and requires the next start to work whenever
/// the kill left the journal half-initialised.
#[test]
fn kill_9_during_first_start_then_starts_again() {
    let mut hits = 0;
    let mut complete_in_a_row = 0;
    for attempt in 0..40u64 {
        let sb = Sandbox::new("first-start");
        let mut s = sb.start_demo(WIDTH, HEIGHT);
        let pid = s.cockpit_pid();
        let start = std::time::Instant::now();
        while !sb.journal.exists() && start.elapsed() < tmux::STARTUP {
            std::hint::spin_loop();
        }
        // Kill 0, 150 µs, 300 µs, … after the journal file appeared (chaos timing).
        let spin = Duration::from_micros(150 * attempt);
        let start = std::time::Instant::now();
        while start.elapsed() < spin {
            std::hint::spin_loop();
        }
        s.signal(libc::SIGKILL);
        assert!(Session::wait_for_process_exit(pid, Duration::from_secs(10)).is_some());
        drop(s);
        let size = std::fs::metadata(&sb.journal).map_or(0, |m| m.len());
        if size == 0 {
            continue; // killed before anything was written: a plain fresh start follows
        }
        if journal_verify(&sb.journal).0 == 0 {
            // Schema complete: the ordinary resume path, covered by the other tests.
            complete_in_a_row += 1;
            if complete_in_a_row == 3 {
                break;
            }
            continue;
        }
        complete_in_a_row = 0;
        hits += 1;
        eprintln!(
            "attempt {attempt}: killed {spin:?} after the journal appeared: {size} bytes, schema incomplete"
        );
        assert_starts(
            &sb,
            &format!(
                "BUG: kill -9 {spin:?} after cockpit created a new journal (attempt {attempt}) \
                 left it half-initialised, and cockpit now refuses it for good"
            ),
        );
    }
    eprintln!("{hits} kill(s) left a half-initialised journal; every restart on one worked");
}

#[test]
fn ticking_a_step_that_waits_asks_and_journals_why() {
    let sb = Sandbox::new("tick-waiting");
    let s = sb.start_demo(WIDTH, HEIGHT);
    s.wait_until_fleet_up();
    // The failover playbook with the primary healthy: its import waits for the primary down.
    s.keys(&[":"]);
    s.type_text("playbook primary-app-down");
    s.keys(&["Enter"]);
    s.wait_for_re("Open an incident", REACT);
    s.keys(&["Enter"]);
    let screen = s.wait_for("the incident open at 0/N done", REACT, |sc| {
        matches!(progress(sc), Some((0, _))) && sc.contains("3 Playbook")
    });
    let id = incident_on_status_line(&screen).expect("incident id");
    let import = 5;
    // Keys apply in order: four steps down is step 5, the database import.
    s.keys(&["j", "j", "j", "j", "Space"]);
    let question = s.wait_for("the question", REACT, |sc| {
        sc.contains("Tick a step that waits?")
    });
    assert!(
        question.contains("app-primary") && question.contains("needs down"),
        "{question}"
    );
    s.keys(&["n"]);
    s.wait_for("the question gone, the step still open", REACT, |sc| {
        !sc.contains("Tick a step that waits?") && step_marker(sc, import).as_deref() == Some("[ ]")
    });
    s.keys(&["Space"]);
    s.wait_for_re(r"Tick a step that waits\?", REACT);
    s.keys(&["y"]);
    s.wait_for("the step ticked", REACT, |sc| {
        step_marker(sc, import).as_deref() == Some("[x]") && progress(sc).map(|p| p.0) == Some(1)
    });
    quit_confirmed(&s);
    let rows = read_journal(&sb.journal);
    let notes: Vec<_> = rows.iter().filter(|r| r.kind == "note_added").collect();
    assert_eq!(notes.len(), 1, "{}", dump(&rows));
    let note = notes[0].body["text"].as_str().unwrap_or_default();
    assert!(
        note.contains("`import-db` ticked done by hand while it waited")
            && note.contains("app-primary"),
        "{note}"
    );
    assert_eq!(notes[0].body["incident"], id.as_str());
    assert_eq!(done_in_journal(&rows, &id), 1, "{}", dump(&rows));
    assert_verifies(&sb.journal, rows.len());
}
