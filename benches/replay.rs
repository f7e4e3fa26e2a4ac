//! `cockpit replay` on a 100,000-entry journal: open (read, verify, lay out the timeline and
//! its checkpoints), then jump to points all over it — forwards, backwards, the end, a search
//! and a time — each jump drawn as a full 150×45 frame. Goal: open and any jump ≤ 1 s. The
//! asciicast export of a 10,000-entry slice is timed too (one frame per entry).
//!
//! ```sh
//! cargo bench --bench replay
//! ```
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) it does the same on 2,000 entries
//! as a smoke run and judges nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/journal_gen.rs"]
mod journal_gen;

use cockpit::core::operator::Operator;
use cockpit::io::journal_store::read_for_review;
use cockpit::ui::replay::{Replay, draw, write_cast};
use cockpit::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::time::{Duration, Instant};

const ENTRIES: usize = 100_000;
const SMOKE_ENTRIES: usize = 2_000;
const CAST_ENTRIES: usize = 10_000;
const GOAL: Duration = Duration::from_secs(1);

fn open(path: &Path) -> Replay {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let assessed = rt
        .block_on(read_for_review(path, false))
        .expect("the generated journal verifies");
    let operator = Operator {
        user: "bench".into(),
        host: "bastion".into(),
    };
    let (theme, _) = Theme::load("dark", None, false);
    Replay::new(assessed, path.display().to_string(), operator, theme, None).expect("replay")
}

fn frame(replay: &Replay) {
    let mut terminal = Terminal::new(TestBackend::new(150, 45)).expect("terminal");
    terminal.draw(|f| draw(f, replay)).expect("draw");
}

fn key(replay: &mut Replay, code: KeyCode) {
    replay.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// The cast as the previous writer made it, the same-run baseline: every entry seeked to and
/// its whole frame drawn through ratatui's own diff (a frame whose screen did not change left
/// out), into `out` (tests/replay.rs checks the writer's output against the same algorithm,
/// byte for byte, on the drill; the smoke run does on the generated journal).
fn previous_cast(mut replay: Replay, out: &mut impl std::io::Write) {
    use ratatui::backend::CrosstermBackend;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::{TerminalOptions, Viewport};
    let area = Rect::new(0, 0, 150, 45);
    let screen = Shared::default();
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(screen.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(area),
        },
    )
    .expect("terminal");
    let first = replay.position.max(1);
    let start = replay.timeline.time_at(first);
    let header = serde_json::json!({
        "version": 2,
        "width": 150,
        "height": 45,
        "timestamp": start.div_euclid(1000),
        "idle_time_limit": 2.0,
        "title": "bench",
        "env": { "TERM": "xterm-256color" },
    });
    writeln!(out, "{header}").expect("write");
    let event = |out: &mut dyn std::io::Write, at: f64, bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        let line = serde_json::to_string(&(at, "o", text.as_ref())).expect("JSON");
        writeln!(out, "{line}").expect("write");
    };
    event(out, 0.0, b"\x1b[?25l\x1b[2J\x1b[H");
    let mut before = Buffer::empty(area);
    for position in first..=replay.timeline.len() {
        replay.seek(position);
        let completed = terminal.draw(|f| draw(f, &replay)).expect("draw");
        let changed = *completed.buffer != before;
        if changed {
            before.clone_from(completed.buffer);
        }
        let bytes = std::mem::take(&mut *screen.0.borrow_mut());
        if changed {
            let at = (replay.timeline.time_at(position) - start) as f64 / 1000.0;
            event(out, at, &bytes);
        }
    }
}

/// User + system CPU time of this process so far, in seconds (every thread).
fn cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

fn timed(what: &str, results: &mut Vec<(String, Duration)>, run: impl FnOnce()) {
    let start = Instant::now();
    run();
    results.push((what.to_string(), start.elapsed()));
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let entries = if bench { ENTRIES } else { SMOKE_ENTRIES };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.db");
    journal_gen::generate(&path, entries);

    let mut results = Vec::new();
    // Baseline: reading the rows and nothing else, in the same run.
    timed("baseline: read the rows only", &mut results, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let rows = rt
            .block_on(cockpit::io::journal_store::read_stored(&path))
            .expect("read");
        assert_eq!(rows.len(), entries);
    });
    let mut replay = None;
    timed("open (read + verify + timeline)", &mut results, || {
        replay = Some(open(&path));
    });
    let mut replay = replay.expect("opened");
    assert_eq!(replay.timeline.len(), entries);
    for (what, position) in [
        ("jump to the middle", entries / 2),
        ("jump to the end", entries),
        ("jump back to 1%", entries / 100),
        ("jump to 99%", entries * 99 / 100),
        ("jump back to 37%", entries * 37 / 100),
    ] {
        timed(what, &mut results, || {
            replay.seek(position);
            frame(&replay);
        });
    }
    timed("search from the start (`/` rollback)", &mut results, || {
        replay.seek(0);
        key(&mut replay, KeyCode::Char('/'));
        for c in "rollback".chars() {
            key(&mut replay, KeyCode::Char(c));
        }
        key(&mut replay, KeyCode::Enter);
        frame(&replay);
    });
    timed("jump to a time (`t` +40:00)", &mut results, || {
        key(&mut replay, KeyCode::Char('t'));
        for c in "+40:00".chars() {
            key(&mut replay, KeyCode::Char(c));
        }
        key(&mut replay, KeyCode::Enter);
        frame(&replay);
    });
    let mut steps = Duration::ZERO;
    for _ in 0..100 {
        let start = Instant::now();
        key(&mut replay, KeyCode::Char('.'));
        frame(&replay);
        steps = steps.max(start.elapsed());
    }
    results.push(("slowest of 100 single steps".into(), steps));

    let cast_path = dir.path().join("cast.db");
    let cast_entries = std::env::var("COCKPIT_BENCH_CAST_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench {
            CAST_ENTRIES
        } else {
            SMOKE_ENTRIES / 4
        });
    journal_gen::generate(&cast_path, cast_entries);
    // What the cast costs besides drawing: stepping the panes' state through every entry.
    let mut stepping = open(&cast_path);
    timed(
        &format!("  of which stepping through {cast_entries} entries"),
        &mut results,
        || {
            for position in 1..=stepping.timeline.len() {
                stepping.seek(position);
            }
        },
    );
    drop(stepping);
    timed(
        &format!("baseline: whole frames (previous writer), {cast_entries} entries"),
        &mut results,
        || previous_cast(open(&cast_path), &mut std::io::sink()),
    );
    let cast_replay = open(&cast_path);
    let mut cast = Vec::new();
    let cpu = cpu_seconds();
    timed(
        &format!("asciicast of {cast_entries} entries"),
        &mut results,
        || {
            write_cast(cast_replay, "bench", 150, 45, &mut cast, |_, _| {}).expect("cast");
        },
    );
    let cast_cpu = cpu_seconds() - cpu;
    let cast_frames = cast
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        .saturating_sub(2);
    if !bench {
        // The smoke run checks the fast writer against whole frames, byte for byte.
        let mut whole = Vec::new();
        previous_cast(open(&cast_path), &mut whole);
        assert!(
            cast == whole,
            "the cast differs from the cast of whole frames"
        );
    }

    println!("replay of a {entries}-entry journal (150×45 frames):");
    for (what, took) in &results {
        println!("  {what:<40} {:>8.1} ms", took.as_secs_f64() * 1000.0);
    }
    println!(
        "  asciicast CPU time (user + system, this process): {:.1} ms, {:.1} µs per entry, \
         {cast_frames} frames, {:.1} MB",
        cast_cpu * 1e3,
        cast_cpu * 1e6 / cast_entries.max(1) as f64,
        cast.len() as f64 / 1e6
    );
    if bench {
        let slow: Vec<&(String, Duration)> = results
            .iter()
            .filter(|(what, took)| {
                !what.starts_with("asciicast")
                    && !what.starts_with("  of which")
                    && !what.starts_with("baseline")
                    && *took > GOAL
            })
            .collect();
        assert!(slow.is_empty(), "over the 1 s goal: {slow:?}");
        let ratio = results[1].1.as_secs_f64() / results[0].1.as_secs_f64();
        println!("open ÷ baseline read: {ratio:.2}");
        println!("goal met: open and every jump ≤ 1 s");
    }
}

/// What the terminal backend writes, read back after each frame.
#[derive(Clone, Default)]
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
