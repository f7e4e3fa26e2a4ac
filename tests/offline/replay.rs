//! `cockpit replay` headless: the real replay state driven by keys and elapsed time over the
//! journal of a real demo drill (tests/fixtures/journals/drill-seed001.db), its screens
//! snapshotted with ratatui's TestBackend; and what a tampered or torn journal shows.

use crate::support::journal_files;

use cockpit::core::journal::Integrity;
use cockpit::core::operator::Operator;
use cockpit::core::replay::Speed;
use cockpit::io::journal_store::read_for_review;
use cockpit::ui::replay::{Replay, draw};
use cockpit::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::{Path, PathBuf};

const DRILL: &str = "tests/fixtures/journals/drill-seed001.db";

fn utc() {
    // SAFETY: every test sets the same value before any time is formatted.
    unsafe { std::env::set_var("TZ", "UTC") };
}

fn open(path: &Path, force: bool, incident: Option<&str>) -> Result<Replay, String> {
    utc();
    let assessed = journal_files::rt()
        .block_on(read_for_review(path, force))
        .map_err(|e| e.to_string())?;
    let operator = Operator {
        user: "reviewer".into(),
        host: "laptop".into(),
    };
    let (theme, _) = Theme::load("dark", None, false);
    Replay::new(
        assessed,
        path.display().to_string(),
        operator,
        theme,
        incident,
    )
}

fn drill() -> Replay {
    open(Path::new(DRILL), false, None).expect("the drill journal replays")
}

fn key(replay: &mut Replay, code: KeyCode) {
    replay.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn keys(replay: &mut Replay, text: &str) {
    for c in text.chars() {
        key(replay, KeyCode::Char(c));
    }
}

fn screen(replay: &Replay) -> String {
    let mut terminal = Terminal::new(TestBackend::new(150, 45)).expect("terminal");
    terminal.draw(|f| draw(f, replay)).expect("draw");
    terminal.backend().to_string()
}

fn described(replay: &Replay) -> String {
    replay
        .timeline
        .entry_at(replay.position)
        .map(cockpit::core::replay::describe)
        .unwrap_or_default()
}

#[test]
fn the_drill_replays_from_its_start_to_the_resolve() {
    let mut r = drill();
    assert_eq!(r.position, 1);
    insta::assert_snapshot!("start", screen(&r));

    // The next marker is the fault injected on app-primary, then the incident's opening.
    key(&mut r, KeyCode::Char(']'));
    assert!(
        described(&r).starts_with("drill fault on app-primary"),
        "{}",
        described(&r)
    );
    key(&mut r, KeyCode::Char(']'));
    assert!(
        described(&r).starts_with("incident INC-"),
        "{}",
        described(&r)
    );
    let opened = screen(&r);
    assert!(opened.contains("0/20 done"), "{opened}");
    assert!(opened.contains("1 down"), "{opened}");

    // As fast as possible, to the end: every step ticked, the severity lowered, resolved.
    key(&mut r, KeyCode::Char('+'));
    key(&mut r, KeyCode::Char('+'));
    key(&mut r, KeyCode::Char('+'));
    assert_eq!(r.playback.speed, Speed::Max);
    key(&mut r, KeyCode::Char(' '));
    let mut frames = 0;
    while r.playback.playing {
        r.tick(50);
        frames += 1;
        assert!(frames <= r.timeline.len(), "playback never ended");
    }
    assert_eq!(r.position, r.timeline.len());
    insta::assert_snapshot!("end", screen(&r));
}

#[test]
fn search_steps_and_markers_land_on_what_they_name() {
    let mut r = drill();
    key(&mut r, KeyCode::Char('/'));
    keys(&mut r, "commit");
    key(&mut r, KeyCode::Enter);
    assert!(
        described(&r).starts_with("sql commit on speed asked"),
        "{}",
        described(&r)
    );
    // The console shows the statement of that moment and its open transaction.
    let asked = screen(&r);
    assert!(asked.contains("CREATE TABLE"), "{asked}");
    key(&mut r, KeyCode::Char('n'));
    assert!(
        described(&r).starts_with("sql commit on speed —"),
        "{}",
        described(&r)
    );
    key(&mut r, KeyCode::Char('n'));
    key(&mut r, KeyCode::Char('n'));
    assert!(described(&r).starts_with("sql commit on speed —"));
    let second = r.position;
    key(&mut r, KeyCode::Char('N'));
    key(&mut r, KeyCode::Char('N'));
    assert!(r.position < second);

    // A host name finds the pinned line of nginx-1.
    key(&mut r, KeyCode::Home);
    key(&mut r, KeyCode::Char('/'));
    keys(&mut r, "pinned nginx-1");
    key(&mut r, KeyCode::Enter);
    assert!(
        described(&r).starts_with("pinned nginx-1 log"),
        "{}",
        described(&r)
    );
    assert!(screen(&r).contains("1 pinned"));

    // No match: said so, nothing moves.
    let at = r.position;
    key(&mut r, KeyCode::Char('/'));
    keys(&mut r, "no such thing");
    key(&mut r, KeyCode::Enter);
    assert_eq!(r.position, at);
    assert!(screen(&r).contains("no entry after this matches \"no such thing\""));

    // Enter on step 7 of the Playbook pane jumps to its first entry, its confirmation.
    key(&mut r, KeyCode::Char('3'));
    for _ in 0..6 {
        key(&mut r, KeyCode::Char('j'));
    }
    key(&mut r, KeyCode::Enter);
    assert!(
        described(&r).starts_with("confirmed step dns-offline (speed)"),
        "{}",
        described(&r)
    );
    // One entry on: the statement runs; three more: committed, shown in the console.
    for _ in 0..3 {
        key(&mut r, KeyCode::Char('.'));
    }
    let ran = screen(&r);
    assert!(ran.contains("transaction open"), "{ran}");
    key(&mut r, KeyCode::Char('4'));
    key(&mut r, KeyCode::Char('z'));
    insta::assert_snapshot!("sql_transaction_open", screen(&r));
    key(&mut r, KeyCode::Char('.'));
    key(&mut r, KeyCode::Char('.'));
    let committed = screen(&r);
    assert!(committed.contains("committed by tester@vm"), "{committed}");

    // Markers both ways.
    key(&mut r, KeyCode::Char(']'));
    assert!(
        described(&r).starts_with("severity changed to P1"),
        "{}",
        described(&r)
    );
    key(&mut r, KeyCode::Char('['));
    assert!(described(&r).starts_with("sql commit on speed —"));
}

#[test]
fn time_jumps_take_offsets_and_clock_times() {
    let mut r = drill();
    key(&mut r, KeyCode::Char('t'));
    keys(&mut r, "+0:05");
    key(&mut r, KeyCode::Enter);
    let (start, _) = r.timeline.span();
    assert_eq!(r.playback.clock_ms, start + 5_000);
    assert!(r.timeline.time_at(r.position) <= start + 5_000);
    assert!(
        r.timeline
            .next_time(r.position)
            .is_some_and(|t| t > start + 5_000)
    );
    assert!(screen(&r).contains("+00:00:05"));

    key(&mut r, KeyCode::Char('t'));
    keys(&mut r, "soon");
    key(&mut r, KeyCode::Enter);
    assert!(screen(&r).contains("\"soon\" is not a time"));
}

#[test]
fn playing_at_1x_follows_elapsed_time_and_pauses() {
    let mut r = drill();
    key(&mut r, KeyCode::Char('i')); // real gaps
    assert!(!r.playback.skip_idle);
    key(&mut r, KeyCode::Char(' '));
    let (start, _) = r.timeline.span();
    r.tick(2_000);
    assert_eq!(r.playback.clock_ms, start + 2_000);
    assert_eq!(r.position, r.timeline.position_at(start + 2_000));
    key(&mut r, KeyCode::Char(' '));
    r.tick(60_000);
    assert_eq!(r.playback.clock_ms, start + 2_000, "paused");
    key(&mut r, KeyCode::Char('+'));
    key(&mut r, KeyCode::Char(' '));
    r.tick(100);
    assert_eq!(r.playback.clock_ms, start + 3_000, "10×");
}

#[test]
fn an_unknown_incident_is_refused_naming_the_ones_there() {
    let err = open(Path::new(DRILL), false, Some("INC-nope"))
        .err()
        .expect("refused");
    assert!(err.contains("no incident INC-nope"), "{err}");
    assert!(err.contains("INC-20261121-2026"), "{err}");
    let r = open(Path::new(DRILL), false, Some("INC-20261121-2026")).expect("replays");
    assert!(described(&r).starts_with("incident INC-20261121-2026 opened"));
}

/// A copy of the drill journal changed by `sql`.
fn tampered(sql: &'static str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = journal_files::drill_copy(dir.path(), Some(sql));
    (dir, path)
}

#[test]
fn a_tampered_journal_is_refused_unless_forced_and_then_marked_unverified() {
    for (what, sql) in [
        (
            "byte changed",
            "UPDATE entries SET body = replace(body, 'P1', 'P3') WHERE seq = 85",
        ),
        ("entry deleted", "DELETE FROM entries WHERE seq = 40"),
        (
            "entries swapped",
            "UPDATE entries SET seq = -1 WHERE seq = 38; UPDATE entries SET seq = 38 WHERE seq = 39; UPDATE entries SET seq = 39 WHERE seq = -1;",
        ),
    ] {
        let (_dir, path) = tampered(sql);
        let err = open(&path, false, None)
            .err()
            .unwrap_or_else(|| panic!("{what}: replayed"));
        assert!(
            err.contains("journal chain broken at entry #"),
            "{what}: {err}"
        );
        assert!(err.contains("--force"), "{what}: {err}");
        let mut r = open(&path, true, None).unwrap_or_else(|e| panic!("{what} forced: {e}"));
        assert!(matches!(r.integrity, Integrity::Broken(_)), "{what}");
        key(&mut r, KeyCode::End);
        let s = screen(&r);
        assert!(
            s.contains("UNVERIFIED: chain broken at entry #"),
            "{what}:\n{s}"
        );
        assert!(
            r.timeline.len() < 87,
            "{what}: only entries before the break"
        );
    }
}

#[test]
fn a_torn_last_entry_is_left_out_and_said() {
    let (_dir, path) = tampered("UPDATE entries SET body = substr(body, 1, 20) WHERE seq = 87");
    let mut r = open(&path, false, None).expect("a torn tail replays");
    assert_eq!(r.timeline.len(), 86);
    key(&mut r, KeyCode::End);
    let s = screen(&r);
    assert!(s.contains("torn tail: entry #87"), "{s}");
}

#[test]
fn help_lists_the_replay_keys_and_any_key_closes_it() {
    let mut r = drill();
    key(&mut r, KeyCode::Char('?'));
    let s = screen(&r);
    assert!(s.contains("Replay keys"), "{s}");
    assert!(s.contains("Read-only"), "{s}");
    // Generated from the key table: the replay's keys, then those moving the view.
    for (keys, what) in r.app.keymap.replay_help() {
        assert!(s.contains(&keys) && s.contains(&what), "{keys} {what}\n{s}");
    }
    assert!(s.contains("Space") && s.contains("play / pause"), "{s}");
    key(&mut r, KeyCode::Char('x'));
    assert!(!r.help);
    assert!(!r.quit);
    key(&mut r, KeyCode::Char('q'));
    assert!(r.quit);
}

#[test]
fn the_asciicast_has_a_v2_header_and_one_frame_per_entry_at_journal_time() {
    let r = drill();
    let len = r.timeline.len();
    let (start, end) = r.timeline.span();
    let mut out = Vec::new();
    cockpit::ui::replay::write_cast(r, "INC drill", 150, 45, &mut out, |_, _| {}).expect("cast");
    let text = String::from_utf8(out).expect("UTF-8");
    let mut lines = text.lines();
    let header: serde_json::Value =
        serde_json::from_str(lines.next().expect("header")).expect("header JSON");
    assert_eq!(header["version"], 2);
    assert_eq!(header["width"], 150);
    assert_eq!(header["height"], 45);
    assert_eq!(header["timestamp"], start / 1000);
    assert_eq!(header["title"], "INC drill");
    let events: Vec<(f64, String, String)> = lines
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    // Every entry of the drill moves the bar's `#n/87`, so each adds a frame.
    assert_eq!(events.len(), len + 1, "a clear, then one frame per entry");
    assert!(
        events.windows(2).all(|w| w[0].0 <= w[1].0),
        "times never go back"
    );
    assert!(events.iter().all(|(_, kind, _)| kind == "o"));
    let last = events.last().expect("frames");
    assert!((last.0 - (end - start) as f64 / 1000.0).abs() < 0.001);
    // The whole screen is drawn: the first frame has the panes, later ones what changed.
    assert!(events[1].2.contains("REPLAY") && events[1].2.contains("Playbook"));
    let all: String = events.iter().map(|(_, _, d)| d.as_str()).collect();
    assert!(all.contains("20/20 done"), "the last state is in the cast");
}

/// The cast as it was first written, kept as the reference the fast writer must match byte
/// for byte: every entry seeked to and its whole frame drawn through ratatui's own diff; a
/// frame whose screen is the same as the one before is left out.
fn reference_cast(mut replay: Replay, title: &str, width: u16, height: u16) -> Vec<u8> {
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::{TerminalOptions, Viewport};
    use std::io::Write;
    let mut out = Vec::new();
    let first = replay.position.max(1);
    let start = replay.timeline.time_at(first);
    let header = serde_json::json!({
        "version": 2,
        "width": width,
        "height": height,
        "timestamp": start.div_euclid(1000),
        "idle_time_limit": 2.0,
        "title": title,
        "env": { "TERM": "xterm-256color" },
    });
    writeln!(out, "{header}").expect("write");
    let event = |out: &mut Vec<u8>, at: f64, bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        let line = serde_json::to_string(&(at, "o", text.as_ref())).expect("JSON");
        writeln!(out, "{line}").expect("write");
    };
    let screen = Shared::default();
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(screen.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        },
    )
    .expect("terminal");
    event(&mut out, 0.0, b"\x1b[?25l\x1b[2J\x1b[H");
    let mut before = ratatui::buffer::Buffer::empty(Rect::new(0, 0, width, height));
    for position in first..=replay.timeline.len() {
        replay.seek(position);
        let drawn = terminal
            .draw(|f| draw(f, &replay))
            .expect("draw")
            .buffer
            .clone();
        let bytes = std::mem::take(&mut *screen.0.borrow_mut());
        if drawn == before {
            continue;
        }
        before = drawn;
        let at = (replay.timeline.time_at(position) - start) as f64 / 1000.0;
        event(&mut out, at, &bytes);
    }
    out
}

fn assert_same_cast(path: &Path, incident: Option<&str>) {
    let open_it = || open(path, false, incident).expect("the journal replays");
    let mut fast = Vec::new();
    cockpit::ui::replay::write_cast(open_it(), "same", 150, 45, &mut fast, |_, _| {})
        .expect("cast");
    let reference = reference_cast(open_it(), "same", 150, 45);
    let (fast, reference) = (
        String::from_utf8(fast).expect("UTF-8"),
        String::from_utf8(reference).expect("UTF-8"),
    );
    assert_eq!(fast.lines().count(), reference.lines().count());
    for (n, (a, b)) in fast.lines().zip(reference.lines()).enumerate() {
        assert_eq!(a, b, "event {n} of the cast of {} differs", path.display());
    }
    // Cut into stretches drawn side by side, a stretch starting anywhere (one entry, a
    // handful, more than the journal), it is the same cast.
    for (stretch, workers) in [(1, 2), (3, 3), (7, 2), (10_000, 4)] {
        let split = cockpit::ui::replay::CastSplit { stretch, workers };
        let mut cut = Vec::new();
        let mut heard = Vec::new();
        cockpit::ui::replay::write_cast_split(
            open_it(),
            "same",
            (150, 45),
            &mut cut,
            |done, all| heard.push((done, all)),
            split,
        )
        .expect("cast");
        let cut = String::from_utf8(cut).expect("UTF-8");
        for (n, (a, b)) in cut.lines().zip(reference.lines()).enumerate() {
            assert_eq!(a, b, "event {n} of the cast cut as {split:?} differs");
        }
        assert_eq!(cut.lines().count(), reference.lines().count(), "{split:?}");
        let (&(first, _), &(last, all)) =
            (heard.first().expect("heard"), heard.last().expect("heard"));
        assert_eq!((first, last), (0, all), "progress from 0 to all entries");
        assert!(
            heard.windows(2).all(|w| w[0].0 <= w[1].0),
            "progress never goes back"
        );
    }
}

#[test]
fn the_asciicast_is_byte_for_byte_the_cast_of_whole_frames() {
    assert_same_cast(Path::new(DRILL), None);
    assert_same_cast(Path::new(DRILL), Some("INC-20261121-2026"));
}

/// A moment that changes nothing on the screen adds no frame, and a step sends only what it
/// changed (the tmux test in tests/e2e/e2e_replay.rs plays a whole cast in a real terminal).
#[test]
fn an_entry_that_changes_nothing_visible_adds_no_frame() {
    let mut r = drill();
    let mut frames = cockpit::ui::replay::CastFrames::new(150, 45);
    let first = frames.draw(&r).expect("draw").expect("the first frame");
    assert!(
        first.len() > 4_000,
        "the first frame draws the whole screen"
    );
    assert_eq!(
        frames.draw(&r).expect("draw"),
        None,
        "the same moment again"
    );
    // Playing a paused replay moves nothing.
    r.tick(5_000);
    assert_eq!(
        frames.draw(&r).expect("draw"),
        None,
        "a paused replay's tick"
    );
    r.seek(r.position + 1);
    let step = frames
        .draw(&r)
        .expect("draw")
        .expect("a step moves the bar's #n");
    assert!(
        step.len() < first.len() / 4,
        "a step sends what changed only"
    );
    assert_eq!(frames.draw(&r).expect("draw"), None);
}

/// Whole frames drawn through ratatui's own diff: the bytes the cast's frames must equal.
struct WholeFrames {
    terminal: Terminal<ratatui::backend::CrosstermBackend<Shared>>,
    screen: Shared,
    before: ratatui::buffer::Buffer,
}

impl WholeFrames {
    fn new() -> Self {
        use ratatui::layout::Rect;
        let area = Rect::new(0, 0, 150, 45);
        let screen = Shared::default();
        let terminal = Terminal::with_options(
            ratatui::backend::CrosstermBackend::new(screen.clone()),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(area),
            },
        )
        .expect("terminal");
        Self {
            terminal,
            screen,
            before: ratatui::buffer::Buffer::empty(area),
        }
    }

    /// The bytes that bring the screen to `replay`'s moment; None when it did not change.
    fn draw(&mut self, replay: &Replay) -> Option<Vec<u8>> {
        let drawn = self
            .terminal
            .draw(|f| draw(f, replay))
            .expect("draw")
            .buffer
            .clone();
        let bytes = std::mem::take(&mut *self.screen.0.borrow_mut());
        (drawn != self.before).then(|| {
            self.before = drawn;
            bytes
        })
    }
}

/// Playing with real gaps, time passes between entries: the hosts' `since` and the clocks
/// tick with no entry applied, and the cast redraws only the rows, cells and lines that
/// changed (a host's row, or its `since` cell alone, the selected host's included; a step's
/// row, the Playbook's head or detail; the status line and the line under the track as their
/// text) and compares only those. Every moment's bytes are still those of whole frames,
/// through steps, ticks, a focus change and a zoom.
#[test]
fn redrawing_only_the_rows_that_changed_sends_what_whole_frames_send() {
    let mut r = drill();
    let mut cast = cockpit::ui::replay::CastFrames::new(150, 45);
    let mut whole = WholeFrames::new();
    let mut compare = |r: &Replay, what: &str| {
        assert_eq!(cast.draw(r).expect("draw"), whole.draw(r), "{what}");
    };
    compare(&r, "the first frame");
    key(&mut r, KeyCode::Char('i')); // real gaps
    key(&mut r, KeyCode::Char(' '));
    compare(&r, "playing");
    for second in 0..120 {
        r.tick(1_000);
        compare(&r, &format!("second {second} at #{}", r.position));
    }
    for (code, what) in [
        (KeyCode::Char('j'), "the host cursor moved"),
        (KeyCode::Tab, "the focus moved to Logs"),
        (KeyCode::Tab, "the focus moved to the Playbook"),
        (KeyCode::Char('j'), "the step cursor moved"),
        (KeyCode::Char('.'), "a step"),
        (KeyCode::Char('z'), "zoomed"),
        (KeyCode::Char('.'), "a step zoomed"),
        (KeyCode::Char('z'), "unzoomed"),
        (KeyCode::Char('k'), "the step cursor moved back"),
    ] {
        key(&mut r, code);
        compare(&r, what);
        r.tick(1_000);
        compare(&r, &format!("a second after: {what}"));
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

/// A journal with an incident and, in it, a recorded shell on app-1: its screen drawn in
/// colour, CJK output, a resize, a colour sequence cut between two batches, a note while it
/// is open, and its end.
fn shell_journal() -> (tempfile::TempDir, PathBuf) {
    use cockpit::core::health::HostState;
    use cockpit::core::journal::Record;
    use cockpit::core::redact::Redactor;
    use cockpit::core::severity::Severity;
    use cockpit::core::shell::{CastCode, CastEvent};
    use cockpit::io::journal_store::JournalStore;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("shell.db");
    let incident = || Some("INC-7".to_string());
    let batch = |events: &[(f64, CastCode, &str)]| Record::ShellOutput {
        incident: incident(),
        session: 1,
        events: events
            .iter()
            .map(|(at, code, data)| CastEvent(*at, *code, (*data).to_string()))
            .collect(),
    };
    let start = 1_795_300_000_000;
    let records = vec![
        (
            0,
            Record::IncidentOpened {
                host: None,
                checkpoint_minutes: None,
                incident: "INC-7".into(),
                title: "app-1 disk full".into(),
                severity: Severity::P1,
                playbook: "disk".into(),
                playbook_title: "Disk full".into(),
                rto_minutes: Some(30),
                steps: Vec::new(),
                fleet: [("app-1".to_string(), HostState::Degraded)].into(),
                unhealthy_since_ms: None,
            },
        ),
        (
            60_000,
            Record::ShellStarted {
                incident: incident(),
                session: 1,
                host: "app-1".into(),
                term: "xterm-256color".into(),
                cols: 60,
                rows: 12,
            },
        ),
        (
            61_000,
            batch(&[
                (0.2, CastCode::Output, "\u{1b}[1;32mroot@app-1\u{1b}[0m:~# "),
                (0.6, CastCode::Input, "df -h /"),
                (
                    0.7,
                    CastCode::Output,
                    "df -h /\r\n/dev/vda1  40G  39G  98% /\r\n磁盘快满了 \u{1b}[3",
                ),
            ]),
        ),
        (
            62_000,
            batch(&[
                (1.1, CastCode::Output, "1mwarning\u{1b}[0m\r\nshell-ok\r\n"),
                (1.4, CastCode::Resize, "100x20"),
                (1.5, CastCode::Output, "\u{1b}[1;32mroot@app-1\u{1b}[0m:~# "),
            ]),
        ),
        (
            70_000,
            Record::NoteAdded {
                broadcast: false,
                incident: "INC-7".into(),
                text: "cleaning /var/log".into(),
            },
        ),
        (
            75_000,
            Record::ShellEnded {
                incident: incident(),
                session: 1,
                host: "app-1".into(),
                exit: Some(0),
                reason: None,
                duration_ms: 15_000,
                unrecorded_input: 9,
            },
        ),
        (
            90_000,
            Record::NoteAdded {
                broadcast: false,
                incident: "INC-7".into(),
                text: "disk at 61%".into(),
            },
        ),
    ];
    journal_files::rt().block_on(async {
        let (mut store, _) = JournalStore::open(&path, true, Redactor::default())
            .await
            .expect("open");
        for (at, record) in &records {
            store
                .append(start + at, "op@bastion", record)
                .await
                .expect("append");
        }
        store.close().await;
    });
    (dir, path)
}

#[test]
fn a_recorded_shell_plays_at_its_place_on_the_timeline() {
    let (_dir, path) = shell_journal();
    let mut r = open(&path, false, None).expect("the shell journal replays");
    let before = screen(&r);
    assert!(
        !before.contains("recorded (host's screen"),
        "before it opened"
    );
    // Its opening has a marker on the track, and it is found as off-script.
    let track = before.lines().nth(42).unwrap_or_default();
    assert!(track.contains('$'), "the off-script marker: {track}");
    keys(&mut r, "/off-script");
    key(&mut r, KeyCode::Enter);
    assert_eq!(r.position, 2, "{}", described(&r));
    let opened = screen(&r);
    assert!(
        opened.contains("shell 1 on app-1 — recorded (host's screen at +00:01:00)"),
        "{opened}"
    );
    r.seek(4);
    assert_eq!(
        described(&r),
        "off-script shell 1: shell-ok — op@bastion",
        "the last finished line"
    );
    insta::assert_snapshot!("shell_screen", screen(&r));
    // Between its entries and at its end the shell's last screen stays; after, the panes.
    r.seek(5);
    assert!(screen(&r).contains("shell-ok"), "a note while it is open");
    r.seek(6);
    let end = screen(&r);
    assert!(end.contains("shell-ok"), "{end}");
    assert!(
        described(&r).contains("9 bytes typed while echo was off were not recorded"),
        "{}",
        described(&r)
    );
    r.seek(7);
    let after = screen(&r);
    assert!(!after.contains("shell-ok"), "{after}");
    assert!(after.contains("Playbook"), "{after}");
    // Back into the shell: the screen is built again, the same.
    r.seek(4);
    assert_eq!(screen(&r), {
        let mut fresh = open(&path, false, None).expect("replays");
        fresh.seek(4);
        screen(&fresh)
    });
}

#[test]
fn the_asciicast_with_a_shell_on_screen_is_the_cast_of_whole_frames() {
    let (_dir, path) = shell_journal();
    assert_same_cast(&path, None);
}

/// Stepping into, through, back across and out of a shell, zoomed and not, the cast's
/// frames are those of whole frames.
#[test]
fn a_shell_panel_sends_what_whole_frames_send() {
    let (_dir, path) = shell_journal();
    let mut r = open(&path, false, None).expect("replays");
    let mut cast = cockpit::ui::replay::CastFrames::new(150, 45);
    let mut whole = WholeFrames::new();
    let mut compare = |r: &Replay, what: &str| {
        assert_eq!(cast.draw(r).expect("draw"), whole.draw(r), "{what}");
    };
    compare(&r, "the first frame");
    for position in [2, 3, 4, 5, 6, 7, 3, 2, 1, 4] {
        r.seek(position);
        compare(&r, &format!("at #{position}"));
    }
    for (code, what) in [
        (KeyCode::Char('z'), "zoomed on Hosts"),
        (KeyCode::Tab, "zoomed on Logs"),
        (KeyCode::Tab, "zoomed on the Playbook: the shell"),
        (KeyCode::Char('.'), "a step zoomed"),
        (KeyCode::Char('z'), "unzoomed"),
        (KeyCode::Char('?'), "help over the shell"),
        (KeyCode::Char('x'), "help closed"),
    ] {
        key(&mut r, code);
        compare(&r, what);
    }
}
