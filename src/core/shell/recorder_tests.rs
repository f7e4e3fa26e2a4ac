//! The recorder against a hostile corpus: secrets typed without echo, secrets split across
//! chunks at every byte, random chunking and random sessions.

use super::*;
use crate::core::shell::joined;

/// Xorshift64 from a non-zero seed: a failing round replays from its number.
struct Rng(u64);

impl Rng {
    /// A number below `n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    /// `bytes` cut into one to four pieces at random places.
    fn chunks<'a>(&mut self, bytes: &'a [u8]) -> Vec<&'a [u8]> {
        let mut cuts: Vec<usize> = (0..self.below(4))
            .map(|_| self.below(bytes.len() + 1))
            .collect();
        cuts.push(0);
        cuts.push(bytes.len());
        cuts.sort_unstable();
        cuts.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
    }
}

fn recorder() -> ShellRecorder {
    ShellRecorder::new(Redactor::default())
}

fn codes(events: &[CastEvent]) -> Vec<CastCode> {
    events.iter().map(|e| e.1).collect()
}

/// The runs of text in typed bytes, with controls and escape sequences taken out.
fn text_runs(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut runs = vec![Vec::new()];
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let control = if b == 0x1b {
            escape_length(&bytes[i..])
        } else if b < 0x20 || b == 0x7f {
            1
        } else {
            0
        };
        if control == 0 {
            runs.last_mut().unwrap().push(b);
            i += 1;
        } else {
            runs.push(Vec::new());
            i += control;
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

fn assert_times_never_go_back(events: &[CastEvent]) {
    for pair in events.windows(2) {
        assert!(pair[0].0 <= pair[1].0, "time went back: {events:?}");
    }
}

#[test]
fn text_is_what_is_left_without_controls_and_escape_sequences() {
    for keys in [
        &b"\x1b[A"[..],
        b"\x1b[1;5C",
        b"\x1bOP",
        b"\x1b[200~",
        b"\x1b[201~",
        b"\x1b[15~",
        b"\x03",
        b"\r",
        b"\x7f",
        b"\x1b",
        b"\x1bb",
        b"\x1b\x1b[B",
        b"\t\x04\x1b[D\x1b[D",
    ] {
        assert!(!carries_text(keys), "{keys:?}");
    }
    for typed in [
        &b"a"[..],
        b"ls\r",
        b"\x1b[200~secret\x1b[201~",
        b"\x1b[Ax",
        "日".as_bytes(),
        &[0xe6],
        b"\x1b[1;",
        b"\x1b\xc3\xa9",
        b" ",
    ] {
        assert!(carries_text(typed), "{typed:?}");
    }
}

#[test]
fn a_secret_typed_without_echo_is_never_recorded_and_is_counted() {
    // As one chunk, and a key at a time (as a terminal sends it).
    for typed in [vec![&b"hunter2\r"[..]], b"hunter2\r".chunks(1).collect()] {
        let mut rec = recorder();
        rec.output(0, b"[sudo] password for op: ");
        for (i, chunk) in typed.iter().enumerate() {
            rec.input(100 + i as u64, chunk);
        }
        rec.output(300, b"\r\nroot@web-1:~# ");
        let events = rec.finish(400);
        for e in &events {
            assert!(!e.2.contains("hunter") && !e.2.contains("ter2"), "{e:?}");
        }
        let text_typed: u64 = typed.iter().filter(|c| carries_text(c)).count() as u64;
        let unrecorded = if typed.len() == 1 { 8 } else { text_typed };
        assert_eq!(rec.unrecorded_input(), unrecorded, "{typed:?}");
        assert_eq!(
            joined(&events, CastCode::Output),
            "[sudo] password for op: \r\nroot@web-1:~# "
        );
    }
}

#[test]
fn a_secret_typed_without_echo_stays_out_however_the_chunks_fall() {
    for seed in 1..=300u64 {
        let mut rng = Rng(seed);
        let mut rec = recorder();
        let mut at = 0;
        for chunk in rng.chunks(b"Password: ") {
            at += rng.below(5) as u64;
            rec.output(at, chunk);
        }
        let typed = b"s3cretPa55\r";
        for chunk in rng.chunks(typed) {
            at += rng.below(5) as u64;
            rec.input(at, chunk);
        }
        for chunk in rng.chunks(b"\r\nPassword accepted\r\n$ ") {
            at += rng.below(5) as u64;
            rec.output(at, chunk);
        }
        let mut events = rec.take();
        events.extend(rec.finish(at + 1));
        for e in events.iter().filter(|e| e.1 == CastCode::Input) {
            assert!(!carries_text(e.2.as_bytes()), "seed {seed}: {e:?}");
        }
        let recorded: usize = events
            .iter()
            .filter(|e| e.1 == CastCode::Input)
            .map(|e| e.2.len())
            .sum();
        assert_eq!(
            recorded as u64 + rec.unrecorded_input(),
            typed.len() as u64,
            "seed {seed}"
        );
        assert!(rec.unrecorded_input() >= 10, "seed {seed}");
        assert_times_never_go_back(&events);
    }
}

#[test]
fn a_password_assignment_split_at_every_byte_is_masked() {
    let line = b"export PASSWORD=hunter2 # set\r\n";
    for i in 0..=line.len() {
        for j in i..=line.len() {
            let mut rec = recorder();
            rec.output(1, &line[..i]);
            rec.output(2, &line[i..j]);
            rec.output(3, &line[j..]);
            let out = joined(&rec.finish(4), CastCode::Output);
            assert!(!out.contains("hunter2"), "{i},{j}: {out}");
            assert_eq!(out, "export PASSWORD=*** # set\r\n", "{i},{j}");
        }
    }
}

#[test]
fn an_added_secret_split_at_every_byte_is_masked() {
    let mut redactor = Redactor::default();
    redactor.add_secret_value("vault-9f3k2");
    let line = b"token is vault-9f3k2, keep it\r\nnext line\r\n";
    for i in 0..=line.len() {
        for j in i..=line.len() {
            let mut rec = ShellRecorder::new(redactor.clone());
            rec.output(1, &line[..i]);
            rec.output(2, &line[i..j]);
            rec.output(3, &line[j..]);
            let out = joined(&rec.finish(4), CastCode::Output);
            assert_eq!(out, "token is ***, keep it\r\nnext line\r\n", "{i},{j}");
        }
    }
}

#[test]
fn an_echoed_password_is_masked_in_input_and_output() {
    let typed = b"export PASSWORD=hunter2";
    // A key at a time, each echoed, as a shell does.
    let mut rec = recorder();
    rec.output(0, b"$ ");
    for (i, key) in typed.chunks(1).enumerate() {
        rec.input(10 + 2 * i as u64, key);
        rec.output(11 + 2 * i as u64, key);
    }
    rec.input(100, b"\r");
    rec.output(101, b"\r\n$ ");
    let events = rec.finish(200);
    assert_eq!(joined(&events, CastCode::Input), "export PASSWORD=***\r");
    assert_eq!(
        joined(&events, CastCode::Output),
        "$ export PASSWORD=***\r\n$ "
    );
    assert_eq!(rec.unrecorded_input(), 0);

    // Typed in two chunks split at every byte, echoed in chunks split elsewhere.
    for i in 0..=typed.len() {
        let mut rec = recorder();
        rec.input(1, &typed[..i]);
        rec.input(1, &typed[i..]);
        let k = (i * 7) % (typed.len() + 1);
        rec.output(2, &typed[..k]);
        rec.output(3, &typed[k..]);
        rec.input(4, b"\r");
        rec.output(5, b"\r\n");
        let events = rec.finish(6);
        let input = joined(&events, CastCode::Input);
        let output = joined(&events, CastCode::Output);
        assert!(!input.contains("hunter2") && !output.contains("hunter2"));
        assert_eq!(input, "export PASSWORD=***\r", "split at {i}");
        assert_eq!(output, "export PASSWORD=***\r\n", "split at {i}");
    }
}

#[test]
fn control_keys_are_recorded_without_an_echo() {
    let mut rec = recorder();
    rec.output(0, b"$ ");
    // Up arrow: the shell redraws the last command, it does not echo the key.
    rec.input(10, b"\x1b[A");
    rec.output(11, b"ls -l");
    // F1, Ctrl-C, Enter.
    rec.input(20, b"\x1bOP");
    rec.input(30, b"\x03");
    rec.output(31, b"^C\r\n$ ");
    rec.input(40, b"\r");
    rec.output(41, b"\r\n$ ");
    let events = rec.finish(50);
    assert_eq!(joined(&events, CastCode::Input), "\u{1b}[A\u{1b}OP\u{3}\r");
    assert_eq!(rec.unrecorded_input(), 0);
    assert_times_never_go_back(&events);
}

#[test]
fn keys_typed_after_an_unsettled_chunk_wait_for_it() {
    let mut rec = recorder();
    rec.input(1, b"secret");
    rec.input(2, b"\r");
    assert_eq!(rec.take(), Vec::new(), "Enter waits for the text before it");
    rec.output(3, b"\r\n");
    let events = rec.finish(4);
    assert_eq!(joined(&events, CastCode::Input), "\r");
    assert_eq!(rec.unrecorded_input(), 6);
    assert_eq!(codes(&events), [CastCode::Input, CastCode::Output]);
}

#[test]
fn bracketed_paste_is_recorded_only_as_far_as_it_was_echoed() {
    // The markers and the text in one chunk: the shell echoes the text only, not the
    // chunk's bytes, so the paste is left out.
    let mut rec = recorder();
    rec.input(1, b"\x1b[200~echo pasted\x1b[201~");
    rec.output(2, b"echo pasted");
    let events = rec.finish(3);
    assert_eq!(joined(&events, CastCode::Input), "");
    assert_eq!(rec.unrecorded_input(), 23);
    assert_eq!(joined(&events, CastCode::Output), "echo pasted");

    // The markers in chunks of their own: they are keys, the text was echoed.
    let mut rec = recorder();
    rec.input(1, b"\x1b[200~");
    rec.input(1, b"echo pasted");
    rec.input(1, b"\x1b[201~");
    rec.output(2, b"echo pasted");
    let events = rec.finish(3);
    assert_eq!(
        joined(&events, CastCode::Input),
        "\u{1b}[200~echo pasted\u{1b}[201~"
    );
    assert_eq!(rec.unrecorded_input(), 0);

    // A pasted password at a prompt that does not echo.
    let mut rec = recorder();
    rec.input(1, b"\x1b[200~");
    rec.input(1, b"hunter2");
    rec.input(1, b"\x1b[201~\r");
    rec.output(2, b"\r\nwelcome\r\n");
    let events = rec.finish(3);
    assert_eq!(joined(&events, CastCode::Input), "\u{1b}[200~\u{1b}[201~\r");
    assert_eq!(rec.unrecorded_input(), 7);
}

#[test]
fn a_chunk_echoed_only_in_part_is_left_out_and_the_next_matches_from_there() {
    let mut rec = recorder();
    rec.input(1, b"abc");
    rec.input(1, b"xy");
    // "ab" echoed, then "xy": "abc" diverged at "x", where "xy" starts matching.
    rec.output(2, b"a");
    rec.output(3, b"bx");
    rec.output(4, b"y\r\n");
    let events = rec.finish(5);
    assert_eq!(joined(&events, CastCode::Input), "xy");
    assert_eq!(rec.unrecorded_input(), 3);
    assert_eq!(codes(&events), [CastCode::Input, CastCode::Output]);
}

#[test]
fn utf8_split_across_chunks_comes_out_whole() {
    let text = "日本語のログ: 完了\r\n".as_bytes();
    for i in 0..=text.len() {
        for j in i..=text.len() {
            let mut rec = recorder();
            rec.output(1, &text[..i]);
            rec.output(2, &text[i..j]);
            rec.output(3, &text[j..]);
            let events = rec.finish(4);
            assert_eq!(joined(&events, CastCode::Output), "日本語のログ: 完了\r\n");
        }
    }
    // Typed CJK split inside a character, echoed whole.
    let typed = "漢字".as_bytes();
    for i in 0..=typed.len() {
        let mut rec = recorder();
        rec.input(1, &typed[..i]);
        rec.input(1, &typed[i..]);
        rec.output(2, typed);
        let events = rec.finish(3);
        assert_eq!(joined(&events, CastCode::Input), "漢字", "split at {i}");
        assert_eq!(joined(&events, CastCode::Output), "漢字");
    }
    // Invalid bytes become U+FFFD; an incomplete character at the end is shown so.
    let mut rec = recorder();
    rec.output(1, b"a\xffb\n\xe6\x97");
    let events = rec.finish(2);
    assert_eq!(joined(&events, CastCode::Output), "a\u{fffd}b\n\u{fffd}");
}

#[test]
fn output_without_line_ends_is_flushed_past_4096_bytes_at_a_character_boundary() {
    let text = "界".repeat(2000); // 6000 bytes, no line end
    let bytes = text.as_bytes();
    let mut rec = recorder();
    let mut early = Vec::new();
    for (i, chunk) in bytes.chunks(100).enumerate() {
        rec.output(i as u64, chunk);
        early.extend(rec.take());
    }
    assert_eq!(early.len(), 1, "one flush past 4096 bytes");
    assert!(early[0].2.len() > HOLD_LIMIT && early[0].2.len() <= HOLD_LIMIT + 100);
    assert!(!early[0].2.contains('\u{fffd}'));
    let rest = rec.finish(100);
    assert_eq!(rest.len(), 1);
    assert_eq!(format!("{}{}", early[0].2, rest[0].2), text);
}

#[test]
fn input_comes_before_the_output_that_echoed_it_and_times_never_go_back() {
    let mut rec = recorder();
    rec.output(0, b"$ ");
    rec.input(100, b"ls");
    rec.output(120, b"l");
    rec.output(130, b"s");
    rec.input(200, b"\r");
    rec.output(210, b"\r\nfile.txt\r\n$ ");
    // A clock read on another thread may be a little behind.
    rec.input(205, b"\x03");
    rec.output(230, b"^C\r\n");
    rec.resize(240, 120, 40);
    let events = rec.finish(250);
    assert_eq!(
        events,
        [
            CastEvent(0.2, CastCode::Input, "ls\r".into()),
            CastEvent(0.21, CastCode::Output, "$ ls\r\nfile.txt\r\n".into()),
            CastEvent(0.21, CastCode::Input, "\u{3}".into()),
            CastEvent(0.23, CastCode::Output, "$ ^C\r\n".into()),
            CastEvent(0.24, CastCode::Resize, "120x40".into()),
        ]
    );
}

#[test]
fn a_resize_flushes_held_output_first() {
    let mut rec = recorder();
    rec.output(5, b"$ ");
    rec.resize(7, 100, 30);
    rec.output(9, b"x\n");
    let events = rec.finish(10);
    assert_eq!(
        events,
        [
            CastEvent(0.007, CastCode::Output, "$ ".into()),
            CastEvent(0.007, CastCode::Resize, "100x30".into()),
            CastEvent(0.009, CastCode::Output, "x\n".into()),
        ]
    );
}

/// One random operator and host: words echoed or not, keys, type-ahead, unrelated output,
/// partial echoes, resizes; every chunk cut at random.
fn random_session(rng: &mut Rng) -> (Vec<CastEvent>, u64, usize) {
    const KEYS: [&[u8]; 6] = [b"\r", b"\x03", b"\x1b[A", b"\x7f", b"\x1bOQ", b"\t"];
    let word = |rng: &mut Rng| -> Vec<u8> {
        (0..1 + rng.below(5))
            .map(|_| b"abcxyz "[rng.below(7)])
            .collect()
    };
    let mut rec = recorder();
    let mut at = 0u64;
    let mut typed = 0usize;
    let mut events = Vec::new();
    for _ in 0..rng.below(40) {
        let mut typing = Vec::new();
        let mut echo = Vec::new();
        match rng.below(7) {
            0 | 1 => {
                let w = word(rng);
                if rng.below(4) > 0 {
                    echo = w.clone();
                }
                typing.push(w);
            }
            2 => {
                typing.push(KEYS[rng.below(KEYS.len())].to_vec());
                if rng.below(2) == 0 {
                    echo = b"\r\nzz$ ".to_vec();
                }
            }
            3 => echo = word(rng),
            4 => {
                // Typed ahead of the echo, maybe with a key between.
                let (a, b) = (word(rng), word(rng));
                echo = [a.as_slice(), b.as_slice()].concat();
                typing.push(a);
                if rng.below(2) == 0 {
                    typing.push(KEYS[rng.below(KEYS.len())].to_vec());
                }
                typing.push(b);
            }
            5 => {
                // Echoed only in part, then something else.
                let w = word(rng);
                echo = [&w[..rng.below(w.len())], b"#"].concat();
                typing.push(w);
            }
            _ => {
                at += rng.below(3) as u64;
                rec.resize(at, 80 + rng.below(40) as u16, 24);
            }
        }
        for t in &typing {
            typed += t.len();
            for chunk in rng.chunks(t) {
                at += rng.below(3) as u64;
                rec.input(at, chunk);
            }
        }
        for chunk in rng.chunks(&echo) {
            at += rng.below(3) as u64;
            rec.output(at, chunk);
        }
        events.extend(rec.take());
    }
    events.extend(rec.finish(at + 1));
    (events, rec.unrecorded_input(), typed)
}

#[test]
fn recorded_typing_is_always_on_the_recorded_screen() {
    let mut recorded_somewhere = 0;
    for seed in 1..=2000u64 {
        let mut rng = Rng(seed);
        let (events, unrecorded, typed) = random_session(&mut rng);
        let screen = joined(&events, CastCode::Output);
        let mut input_bytes = 0;
        for e in events.iter().filter(|e| e.1 == CastCode::Input) {
            input_bytes += e.2.len();
            for run in text_runs(e.2.as_bytes()) {
                recorded_somewhere += 1;
                let run = String::from_utf8(run).unwrap();
                assert!(
                    screen.contains(&run),
                    "seed {seed}: {run:?} recorded, never shown: {events:?}"
                );
            }
        }
        assert_eq!(
            input_bytes as u64 + unrecorded,
            typed as u64,
            "seed {seed}: {events:?}"
        );
        assert_times_never_go_back(&events);
    }
    assert!(recorded_somewhere > 1000, "the sessions record typing");
}

#[test]
fn a_private_key_shown_in_chunks_never_reaches_an_event() {
    let body = [
        "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
        "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK",
        "LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo",
    ];
    let key = format!(
        "-----BEGIN RSA PRIVATE KEY-----\r\n{}\r\n-----END RSA PRIVATE KEY-----\r\n$ ",
        body.join("\r\n")
    );
    for seed in 1..=300u64 {
        let mut rng = Rng(seed);
        let mut rec = recorder();
        let mut events = Vec::new();
        for (i, chunk) in rng.chunks(key.as_bytes()).into_iter().enumerate() {
            rec.output(i as u64, chunk);
            events.extend(rec.take());
        }
        events.extend(rec.finish(10));
        for e in &events {
            for line in body {
                assert!(!e.2.contains(&line[..20]), "seed {seed}: {events:?}");
            }
        }
        assert!(joined(&events, CastCode::Output).ends_with("-----END RSA PRIVATE KEY-----\r\n$ "));
    }
}
