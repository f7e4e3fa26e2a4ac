use super::*;
use crate::core::journal::Entry;
use crate::core::redact::Redactor;

const OPENED_MS: i64 = 1_000_000;

fn seal_all(records: Vec<Record>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for (n, record) in records.into_iter().enumerate() {
        let prev = out.last().map(|e| (e.seq, e.hash.clone()));
        let entry = Entry::seal(
            prev.as_ref().map(|(s, h)| (*s, h.as_str())),
            OPENED_MS + 1_000 * n as i64,
            "op@bastion",
            &record,
            &Redactor::default(),
        )
        .expect("seal a test record");
        out.push(entry);
    }
    out
}

fn started(session: u64, cols: u16, rows: u16) -> Record {
    Record::ShellStarted {
        incident: None,
        session,
        host: "app-1".into(),
        term: "xterm-256color".into(),
        cols,
        rows,
    }
}

fn batch(session: u64, events: &[(f64, CastCode, &str)]) -> Record {
    Record::ShellOutput {
        incident: None,
        session,
        events: events
            .iter()
            .map(|(at, code, data)| CastEvent(*at, *code, (*data).to_string()))
            .collect(),
    }
}

fn ended(session: u64) -> Record {
    Record::ShellEnded {
        incident: None,
        session,
        host: "app-1".into(),
        exit: Some(0),
        reason: None,
        duration_ms: 9_000,
        unrecorded_input: 0,
    }
}

fn note() -> Record {
    Record::NoteAdded {
        broadcast: false,
        incident: "INC-1".into(),
        text: "looking".into(),
    }
}

fn row(screen: &ShellScreen, row: u16) -> String {
    screen
        .screen()
        .rows(0, screen.screen().size().1)
        .nth(usize::from(row))
        .unwrap_or_default()
}

/// A session: a note, the shell opened, two batches (the second cut in the middle of a
/// colour sequence), a note, the end, a note.
fn session() -> Timeline {
    Timeline::new(seal_all(vec![
        note(),
        started(1, 40, 6),
        batch(
            1,
            &[
                (0.1, CastCode::Output, "$ "),
                (0.5, CastCode::Input, "echo shell-ok"),
                (
                    0.6,
                    CastCode::Output,
                    "echo shell-ok\r\nshell-ok\r\n$ \u{1b}[3",
                ),
            ],
        ),
        batch(
            1,
            &[
                (1.2, CastCode::Output, "1m磁盘已满\u{1b}[0m done\r\n$ "),
                (2.0, CastCode::Input, "never fed"),
            ],
        ),
        note(),
        ended(1),
        note(),
    ]))
}

#[test]
fn the_screen_shows_what_the_host_drew_cjk_wide_and_input_not_fed_again() {
    let timeline = session();
    let screen = ShellScreen::follow(None, &timeline, 4).expect("inside the shell");
    assert_eq!(row(&screen, 0), "$ echo shell-ok");
    assert_eq!(row(&screen, 1), "shell-ok");
    assert_eq!(row(&screen, 2), "$ 磁盘已满 done");
    assert_eq!(row(&screen, 3), "$ ");
    assert!(!screen.screen().contents().contains("never fed"));
    let wide = screen.screen().cell(2, 2).expect("a cell");
    assert_eq!(wide.contents(), "磁");
    assert!(wide.is_wide());
    assert!(
        screen
            .screen()
            .cell(2, 3)
            .expect("a cell")
            .is_wide_continuation()
    );
    // The colour sequence cut between the batches still took.
    assert_eq!(wide.fgcolor(), vt100::Color::Idx(1));
    assert_eq!((screen.session(), screen.host()), (1, "app-1"));
    // The screen stands at the last output fed: 1.2 s after the opening entry.
    assert_eq!(screen.shown_ms(), OPENED_MS + 1_000 + 1_200);
}

#[test]
fn the_screen_is_shown_from_the_opening_to_the_end_and_not_outside() {
    let timeline = session();
    assert!(ShellScreen::follow(None, &timeline, 1).is_none(), "before");
    let opened = ShellScreen::follow(None, &timeline, 2).expect("at the opening");
    assert_eq!(opened.identity(), (2, 0));
    assert_eq!(opened.screen().contents(), "");
    let between = ShellScreen::follow(None, &timeline, 5).expect("a note inside");
    assert_eq!(between.identity(), (2, 2));
    let end = ShellScreen::follow(None, &timeline, 6).expect("at the end");
    assert_eq!(row(&end, 1), "shell-ok");
    assert!(ShellScreen::follow(None, &timeline, 7).is_none(), "after");
}

#[test]
fn stepping_forward_feeds_only_the_new_batches_and_back_builds_again() {
    let timeline = session();
    let mut stepped = None;
    for position in 0..=timeline.len() {
        stepped = ShellScreen::follow(stepped, &timeline, position);
        let fresh = ShellScreen::follow(None, &timeline, position);
        assert_eq!(
            stepped.as_ref().map(|s| s.screen().contents_formatted()),
            fresh.as_ref().map(|s| s.screen().contents_formatted()),
            "at {position}"
        );
    }
    let late = ShellScreen::follow(None, &timeline, 4);
    let back = ShellScreen::follow(late, &timeline, 3).expect("one batch");
    assert_eq!(back.identity(), (2, 1));
    assert!(!back.screen().contents().contains("磁盘"));
}

#[test]
fn a_resize_resizes_and_a_hostile_size_is_bounded() {
    let timeline = Timeline::new(seal_all(vec![
        started(1, 0, 0),
        batch(1, &[(0.1, CastCode::Resize, "100x30")]),
        batch(1, &[(0.2, CastCode::Resize, "not a size")]),
        batch(1, &[(0.3, CastCode::Resize, "99999x70000")]),
        batch(1, &[(-1e300, CastCode::Resize, "0x0")]),
    ]));
    let size = |position| {
        ShellScreen::follow(None, &timeline, position)
            .map(|s| s.screen().size())
            .expect("inside")
    };
    assert_eq!(
        size(1),
        (MIN_ROWS, MIN_COLS),
        "a zero size opens as small as can be"
    );
    assert_eq!(size(2), (30, 100), "(rows, cols)");
    assert_eq!(size(3), (30, 100), "a resize that is not one is left out");
    assert_eq!(size(4), (MAX_ROWS, MAX_COLS));
    assert_eq!(size(5), (MIN_ROWS, MIN_COLS));
}

#[test]
fn overlapping_shells_show_the_one_the_entry_is_about() {
    let timeline = Timeline::new(seal_all(vec![
        started(1, 20, 3),
        batch(1, &[(0.1, CastCode::Output, "first")]),
        started(2, 20, 3),
        batch(2, &[(0.1, CastCode::Output, "second")]),
        batch(1, &[(0.2, CastCode::Output, " again")]),
        note(),
    ]));
    let at = |position| {
        ShellScreen::follow(None, &timeline, position)
            .map(|s| (s.session(), s.screen().contents()))
            .expect("inside")
    };
    assert_eq!(at(4), (2, "second".to_string()));
    assert_eq!(at(5), (1, "first again".to_string()));
    assert_eq!(at(6).0, 2, "between entries: the last one opened");
}

#[test]
fn output_that_never_opened_is_left_out() {
    let timeline = Timeline::new(seal_all(vec![
        batch(7, &[(0.1, CastCode::Output, "orphan")]),
        ended(7),
    ]));
    for position in 0..=timeline.len() {
        assert!(ShellScreen::follow(None, &timeline, position).is_none());
    }
}

/// A shell opened one row high and one column wide: vt100 0.16 panics wrapping a line on
/// one row and placing a wide character on one column, so the screen is never that small.
#[test]
fn a_screen_too_small_for_vt100_is_made_big_enough() {
    let timeline = Timeline::new(seal_all(vec![
        started(1, 1, 1),
        batch(
            1,
            &[(0.1, CastCode::Output, "abcdefgh宽字符宽字符\r\nmore")],
        ),
        batch(1, &[(0.2, CastCode::Resize, "1x1")]),
        batch(
            1,
            &[(0.3, CastCode::Output, "宽字符 and a long line that wraps")],
        ),
    ]));
    let mut screen = None;
    for position in 0..=timeline.len() {
        screen = ShellScreen::follow(screen, &timeline, position);
    }
    assert_eq!(
        screen.map(|s| s.screen().size()),
        Some((MIN_ROWS, MIN_COLS))
    );
}

/// Output a host could send to break a terminal: sequences cut anywhere, huge or negative
/// parameters, wide characters at the edge, resizes between them. Nothing may panic, and the
/// screen stays within its bounds.
#[test]
fn hostile_output_never_panics() {
    use crate::ui::replay::test_rng::Rng;
    const PIECES: [&str; 16] = [
        "\u{1b}[",
        "999999999",
        ";",
        "H",
        "\u{1b}[?1049h",
        "\u{1b}[?1049l",
        "宽字符",
        "\u{1b}[4294967295;4294967295r",
        "\u{1b}[-5A",
        "\r\n",
        "\u{1b}]0;title",
        "\u{7}",
        "\u{1b}[2J",
        "\u{1b}M\u{1b}M\u{1b}M",
        "x\u{301}\u{302}",
        "\u{1b}[99999@\u{1b}[99999P\u{1b}[99999L\u{1b}[99999M",
    ];
    for seed in 1..=100u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut records = vec![started(1, 3, 1)];
        for _ in 0..30 {
            let mut events = Vec::new();
            for _ in 0..8 {
                if rng.below(6) == 0 {
                    let size = format!("{}x{}", rng.below(8), rng.below(5));
                    events.push(CastEvent(0.1, CastCode::Resize, size));
                } else {
                    let data: String = (0..4).map(|_| PIECES[rng.below(PIECES.len())]).collect();
                    events.push(CastEvent(0.1, CastCode::Output, data));
                }
            }
            records.push(Record::ShellOutput {
                incident: None,
                session: 1,
                events,
            });
        }
        let timeline = Timeline::new(seal_all(records));
        let mut screen = None;
        for position in 0..=timeline.len() {
            screen = ShellScreen::follow(screen, &timeline, position);
            if let Some(s) = &screen {
                let (rows, cols) = s.screen().size();
                assert!(
                    (MIN_ROWS..=MAX_ROWS).contains(&rows) && (MIN_COLS..=MAX_COLS).contains(&cols)
                );
            }
        }
    }
}

/// vt100 0.16 panics drawing over a wide character left in the last column by a narrowing
/// resize. The panic is contained: the screen starts blank again from there, says so, and
/// goes on showing what comes after.
#[test]
fn output_the_emulator_panics_on_is_contained_and_the_screen_goes_on() {
    let records = vec![
        started(1, 4, 2),
        batch(
            1,
            &[
                (0.1, CastCode::Output, "ab宽"),
                (0.2, CastCode::Resize, "3x2"),
                (0.3, CastCode::Output, "\u{1b}[1;3Hx"),
            ],
        ),
        batch(1, &[(0.4, CastCode::Output, "\u{1b}[1;1Hok")]),
    ];
    let timeline = Timeline::new(seal_all(records));
    let mut screen = None;
    for position in 0..=timeline.len() {
        screen = ShellScreen::follow(screen, &timeline, position);
    }
    let screen = screen.expect("the shell's screen at its last batch");
    assert!(
        screen.damaged(),
        "the emulator did not fail: the test proves nothing"
    );
    assert_eq!(screen.screen().contents().trim(), "ok");
}
