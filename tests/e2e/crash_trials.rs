//! Crash trials: the real `cockpit demo` in tmux, driven through a playbook by keys (ticks,
//! step runs on the demo hosts over SSH, SQL steps that commit, opening and resolving
//! incidents), killed with SIGKILL at a random moment, over and over on one journal.
//!
//! What counts as acknowledged is what cockpit told the operator was recorded: the journal
//! writer logs `journal entry acknowledged: #seq kind hash` as soon as an append returned and
//! before the screen can show it, so the logged set is every entry the operator could have
//! seen done (and a little more). After each kill:
//! - `cockpit journal verify` exits 0 (intact chain; a torn entry counts as a failure);
//! - every acknowledged entry is in the journal with the same hash (none lost, none replaced);
//! - the next start resumes exactly what the journal holds: the open incident's id on the
//!   status line and its `done/total` in the Playbook pane (or "no open incident").
//!
//! `cargo test --test e2e crash_trials::` runs 10 trials (the suite's short run);
//! `scripts/crash-trials.sh` runs 1,000 with a release build and writes the figures.
//! `COCKPIT_CRASH_TRIALS` sets the number, `COCKPIT_CRASH_SEED` the random seed,
//! `COCKPIT_CRASH_BIN` the cockpit binary, `COCKPIT_CRASH_REPORT` a file for the summary.

use crate::support::tmux;

use cockpit::core::incident::Workspace;
use cockpit::io::journal_store::read_assessed;
use regex::Regex;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tmux::{COCKPIT, Sandbox, Session, journal_verify, process_running, read_journal};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;
/// How long a start may take before the resume counts as failed (generous: a busy machine).
const START_LIMIT: Duration = Duration::from_secs(60);
/// The kill lands uniformly within this long after the trial's first key.
const KILL_WINDOW_MS: u64 = 1_500;

/// splitmix64: reproducible trials from one seed, no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What the journal says the next start must show.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    NoIncident,
    Open {
        id: String,
        done: usize,
        total: usize,
    },
}

fn expected_from(journal: &Path) -> Expected {
    if !journal.exists() {
        return Expected::NoIncident;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let assessed = rt
        .block_on(read_assessed(journal))
        .unwrap_or_else(|e| panic!("read {}: {e}", journal.display()));
    let ws = Workspace::fold(&assessed.entries);
    match ws.open_incident() {
        None => Expected::NoIncident,
        Some(i) => {
            let (done, total) = i.progress_counts();
            Expected::Open {
                id: i.id.clone(),
                done,
                total,
            }
        }
    }
}

fn shows(screen: &str, expected: &Expected) -> bool {
    let status = screen.lines().next().unwrap_or_default();
    if !screen.contains("1 Hosts") {
        return false;
    }
    match expected {
        Expected::NoIncident => status.contains("no open incident"),
        Expected::Open { id, done, total } => {
            status.contains(id.as_str()) && screen.contains(&format!("· {done}/{total} done"))
        }
    }
}

/// Polls the screen until `ok` or `limit`; the last screen either way.
fn poll(s: &Session, limit: Duration, ok: impl Fn(&str) -> bool) -> (bool, String) {
    let start = Instant::now();
    loop {
        let screen = s.screen();
        if ok(&screen) {
            return (true, screen);
        }
        if start.elapsed() > limit {
            return (false, screen);
        }
        std::thread::sleep(Duration::from_millis(15));
    }
}

/// Every `(seq, kind, hash)` the log says was acknowledged, in log order.
fn acknowledged(log: &Path) -> Vec<(i64, String, String)> {
    let re = Regex::new(r"journal entry acknowledged: #(\d+) (\S+) ([0-9a-f]{64})").unwrap();
    let text = std::fs::read_to_string(log).unwrap_or_default();
    re.captures_iter(&text)
        .map(|c| (c[1].parse().unwrap(), c[2].to_string(), c[3].to_string()))
        .collect()
}

/// Drives the open incident until the process is gone: each action's keys, then its
/// dialogs as they appear. Returns the actions started, in order.
fn drive(s: &Session, pid: i32, rng: &mut Rng, expected: &Expected) -> Vec<&'static str> {
    let mut actions = Vec::new();
    let type_re = Regex::new(r"Type (\S+) and press Enter").unwrap();
    let mut state = expected.clone();
    while process_running(pid) {
        let action = match &state {
            Expected::NoIncident => {
                // The open form: the fourth playbook, "Primary application server down"
                // (host commands, typed confirmations and two SQL steps that commit).
                s.keys(&["o"]);
                let (ok, _) = poll(s, Duration::from_secs(5), |sc| {
                    sc.contains("Open an incident") || !process_running(pid)
                });
                if !ok || !process_running(pid) {
                    break;
                }
                s.keys(&["Down", "Down", "Down", "Enter"]);
                "open an incident"
            }
            Expected::Open { done, total, .. } if done == total => {
                s.keys(&["R"]);
                let (ok, _) = poll(s, Duration::from_secs(5), |sc| {
                    sc.contains("summary") || !process_running(pid)
                });
                if !ok || !process_running(pid) {
                    break;
                }
                s.type_text("crash trial resolve");
                s.keys(&["Enter"]);
                "resolve"
            }
            Expected::Open { .. } if rng.below(3) == 0 => {
                s.keys(&["Space"]);
                "tick"
            }
            Expected::Open { .. } => {
                s.keys(&["Enter"]);
                "run step"
            }
        };
        actions.push(action);
        // Answer what the action asks until its effect shows (or the kill comes).
        let before = state.clone();
        let started = Instant::now();
        while process_running(pid) && started.elapsed() < Duration::from_secs(10) {
            let screen = s.screen();
            // Each answer waits for its dialog to close: a stale capture must not send the
            // answer twice, where the second would land on the main screen as other keys.
            if screen.contains("Run this step?") {
                s.keys(&["y"]);
                gone(s, pid, "Run this step?");
            } else if screen.contains("Dangerous step: confirm") {
                if let Some(c) = type_re.captures(&screen) {
                    s.type_text(&c[1]);
                    s.keys(&["Enter"]);
                    gone(s, pid, "Dangerous step: confirm");
                }
            } else if screen.contains("Tick a step that waits?") {
                s.keys(&["y"]);
                gone(s, pid, "Tick a step that waits?");
            } else if screen.contains("Commit or roll back?") {
                s.keys(&["c"]);
                gone(s, pid, "Commit or roll back?");
            } else if let Some(now) = state_on(&screen)
                && now != before
            {
                state = now;
                break;
            }
            std::thread::sleep(Duration::from_millis(15));
        }
        if started.elapsed() >= Duration::from_secs(10) {
            // A step that failed stays open; tick it by hand next time.
            s.keys(&["Space"]);
            actions.push("tick");
        }
    }
    actions
}

/// Waits (a few seconds at most) until `dialog` is off the screen or cockpit is gone.
fn gone(s: &Session, pid: i32, dialog: &str) {
    poll(s, Duration::from_secs(5), |sc| {
        !sc.contains(dialog) || !process_running(pid)
    });
}

/// What the main screen shows now, when it can be read.
fn state_on(screen: &str) -> Option<Expected> {
    let status = screen.lines().next()?;
    if !screen.contains("1 Hosts") {
        return None;
    }
    if status.contains("no open incident") {
        return Some(Expected::NoIncident);
    }
    let id = Regex::new(r"INC-[0-9A-Za-z-]*[0-9A-Za-z]")
        .unwrap()
        .find(status)?
        .as_str()
        .to_string();
    let c = Regex::new(r"· (\d+)/(\d+) done")
        .unwrap()
        .captures(screen)?;
    Some(Expected::Open {
        id,
        done: c[1].parse().ok()?,
        total: c[2].parse().ok()?,
    })
}

#[derive(Default)]
struct Tally {
    trials: usize,
    acknowledged: usize,
    kill_points: BTreeMap<String, usize>,
    delays: [usize; 3],
    lost: Vec<String>,
    verify_failures: Vec<String>,
    resume_failures: Vec<String>,
}

/// One trial: start, check the resume, drive, kill, check the journal. `None` means the
/// resume failed (recorded in the tally).
fn trial(sb: &Sandbox, rng: &mut Rng, tally: &mut Tally, n: usize) {
    let expected = expected_from(&sb.journal);
    let acked_before = acknowledged(&sb.log).len();
    let mut s = sb.start_demo(WIDTH, HEIGHT);
    let pid = s.cockpit_pid();
    let (resumed, screen) = poll(&s, START_LIMIT, |sc| shows(sc, &expected));
    if !resumed {
        tally.resume_failures.push(format!(
            "trial {n}: expected {expected:?} on start; screen:\n{screen}"
        ));
        s.signal(libc::SIGKILL);
        Session::wait_for_process_exit(pid, Duration::from_secs(10));
        return;
    }
    let delay = rng.below(KILL_WINDOW_MS + 1);
    let killed = Arc::new(AtomicBool::new(false));
    let killer = {
        let killed = killed.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(delay));
            // SAFETY: kill(2) on the cockpit process this trial started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed.store(true, Ordering::SeqCst);
        })
    };
    let actions = drive(&s, pid, rng, &expected);
    killer.join().expect("killer thread");
    assert!(killed.load(Ordering::SeqCst));
    Session::wait_for_process_exit(pid, Duration::from_secs(10));
    drop(s);

    let acked = acknowledged(&sb.log);
    let this_trial = &acked[acked_before.min(acked.len())..];
    tally.trials += 1;
    tally.acknowledged += this_trial.len();
    tally.delays[(delay * 3 / (KILL_WINDOW_MS + 1)) as usize] += 1;
    let action = actions.last().copied().unwrap_or("starting");
    let last_kind = this_trial
        .iter()
        .rev()
        .find(|(_, k, _)| {
            !matches!(
                k.as_str(),
                "session_started" | "host_state_changed" | "host_pressure_changed"
            )
        })
        .map_or(
            "before its first entry was acknowledged".to_string(),
            |(_, k, _)| format!("after `{k}` was acknowledged"),
        );
    *tally
        .kill_points
        .entry(format!("{action}: {last_kind}"))
        .or_default() += 1;

    let (code, out, err) = journal_verify(&sb.journal);
    if code != 0 {
        tally
            .verify_failures
            .push(format!("trial {n}: verify exit {code}: {out}{err}"));
    }
    let rows = read_journal(&sb.journal);
    let stored: BTreeMap<i64, &str> = rows.iter().map(|r| (r.seq, r.hash.as_str())).collect();
    for (seq, kind, hash) in &acked {
        if stored.get(seq) != Some(&hash.as_str()) {
            tally.lost.push(format!(
                "trial {n}: acknowledged #{seq} {kind} {hash} is {}",
                match stored.get(seq) {
                    None => "missing".to_string(),
                    Some(h) => format!("replaced by {h}"),
                }
            ));
        }
    }
}

/// The figures, as RELIABILITY.md shows them.
fn summary(tally: &Tally, seed: u64, streams: usize, took: Duration, final_resume: bool) -> String {
    let mut text = format!(
        "- trials: {}; kills: {} (SIGKILL at a uniform 0–{KILL_WINDOW_MS} ms after the trial's first key; seed {seed}; {streams} stream(s) side by side, each on its own journal)\n\
         - kill delay thirds (0–500 / 500–1000 / 1000–1500 ms): {} / {} / {}\n\
         - entries acknowledged by the trials: {}\n\
         - acknowledged entries lost: {}\n\
         - `cockpit journal verify` failures: {}\n\
         - resume failures: {} (plus the final start of each journal: {})\n\
         - duration: {:.1} min ({:.2} s a trial overall)\n\
         - kill points (the action in flight: the last entry it had acknowledged):\n",
        tally.trials,
        tally.trials,
        tally.delays[0],
        tally.delays[1],
        tally.delays[2],
        tally.acknowledged,
        tally.lost.len(),
        tally.verify_failures.len(),
        tally.resume_failures.len(),
        if final_resume { "ok" } else { "FAILED" },
        took.as_secs_f64() / 60.0,
        took.as_secs_f64() / tally.trials.max(1) as f64,
    );
    let mut points: Vec<_> = tally.kill_points.iter().collect();
    points.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (point, count) in points {
        text.push_str(&format!("  - {count}: {point}\n"));
    }
    text
}

/// What one stream of trials on one journal found.
struct Stream {
    tally: Tally,
    final_resume: bool,
    final_screen: String,
}

/// `trials` trials in a row on one journal, then a last start that must resume it.
fn stream(index: usize, trials: usize, seed: u64, bin: Option<String>) -> Stream {
    let mut rng = Rng(seed.wrapping_add(index as u64));
    let sb = Sandbox::new(&format!("crash-trials-{index}"));
    // The script runs a release build of cockpit (its start-up is several times faster).
    let sb = match bin {
        Some(bin) => sb.with_binary(bin.into()),
        None => sb,
    };
    let mut tally = Tally::default();
    let start = Instant::now();
    for n in 1..=trials {
        trial(&sb, &mut rng, &mut tally, n);
        // A killed demo leaves its folder behind (its own exit would remove it).
        if let Ok(dirs) = std::fs::read_dir(sb.root.join("tmp")) {
            for d in dirs.flatten() {
                if d.file_name().to_string_lossy().starts_with("cockpit-demo-") {
                    let _ = std::fs::remove_dir_all(d.path());
                }
            }
        }
        if n % 50 == 0 {
            eprintln!(
                "stream {index}: {n} trials, {:.0} s, {} lost, {} verify failures, {} resume failures",
                start.elapsed().as_secs_f64(),
                tally.lost.len(),
                tally.verify_failures.len(),
                tally.resume_failures.len()
            );
        }
    }
    // The last kill's journal must resume too.
    let expected = expected_from(&sb.journal);
    let s = sb.start_demo(WIDTH, HEIGHT);
    let (final_resume, screen) = poll(&s, START_LIMIT, |sc| shows(sc, &expected));
    drop(s);
    Stream {
        tally,
        final_resume,
        final_screen: format!("expected {expected:?}:\n{screen}"),
    }
}

#[test]
fn kill_9_at_random_points_loses_no_acknowledged_entry() {
    let number = |var: &str| std::env::var(var).ok().and_then(|v| v.parse::<u64>().ok());
    let trials = number("COCKPIT_CRASH_TRIALS").unwrap_or(10) as usize;
    // Streams of trials run side by side, each on its own journal (cockpit mostly waits).
    let streams = number("COCKPIT_CRASH_STREAMS").unwrap_or(1).max(1) as usize;
    let seed = number("COCKPIT_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let bin = std::env::var("COCKPIT_CRASH_BIN").ok();
    eprintln!(
        "crash trials: {trials} in {streams} stream(s), seed {seed}, binary {}",
        bin.as_deref().unwrap_or(COCKPIT)
    );
    let start = Instant::now();
    let handles: Vec<_> = (0..streams)
        .map(|i| {
            let share = trials / streams + usize::from(i < trials % streams);
            let bin = bin.clone();
            std::thread::spawn(move || stream(i, share, seed, bin))
        })
        .collect();
    let mut tally = Tally::default();
    let mut final_failures = Vec::new();
    for h in handles {
        let s = h.join().expect("a stream of trials panicked");
        tally.trials += s.tally.trials;
        tally.acknowledged += s.tally.acknowledged;
        for (k, v) in s.tally.kill_points {
            *tally.kill_points.entry(k).or_default() += v;
        }
        for i in 0..3 {
            tally.delays[i] += s.tally.delays[i];
        }
        tally.lost.extend(s.tally.lost);
        tally.verify_failures.extend(s.tally.verify_failures);
        tally.resume_failures.extend(s.tally.resume_failures);
        if !s.final_resume {
            final_failures.push(s.final_screen);
        }
    }
    let took = start.elapsed();
    let text = summary(&tally, seed, streams, took, final_failures.is_empty());
    eprintln!("{text}");
    if let Ok(path) = std::env::var("COCKPIT_CRASH_REPORT") {
        std::fs::write(&path, &text).expect("write the report");
    }
    assert!(
        final_failures.is_empty(),
        "the final start did not resume: {final_failures:#?}"
    );
    assert_eq!(tally.trials, trials, "{:#?}", tally.resume_failures);
    assert!(tally.lost.is_empty(), "{:#?}", tally.lost);
    assert!(
        tally.verify_failures.is_empty(),
        "{:#?}",
        tally.verify_failures
    );
    assert!(
        tally.resume_failures.is_empty(),
        "{:#?}",
        tally.resume_failures
    );
    assert!(
        tally.acknowledged > trials,
        "the trials acknowledged only {} entries: the kills came before anything happened",
        tally.acknowledged
    );
}
