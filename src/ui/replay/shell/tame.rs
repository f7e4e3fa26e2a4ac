//! Output made safe to emulate: vt100 0.16 repeats an insert (`CSI n @`), an insert of lines
//! (`CSI n L`) and a scroll down (`CSI n T`) n times, so one `ESC[65535@` costs millions of
//! steps and a recorded shell full of them would stall the replay. Their counts are cut to
//! what any emulated screen can hold, which changes nothing on screen. A sequence split
//! between two events is held back until it is whole (the emulator would have joined them).

use std::borrow::Cow;

/// The longest unfinished sequence held back for the next event.
const MAX_HELD: usize = 4096;

/// The largest count kept: no emulated screen is wider or taller.
pub(super) const MAX_COUNT: u32 = 500;

/// Cuts the counts of `data`'s repeating sequences; returns the text to feed now and keeps
/// an unfinished sequence at its end in `held`, for the next call.
pub(super) fn tame<'a>(held: &mut String, data: &'a str) -> Cow<'a, str> {
    let joined: Cow<'a, str> = if held.is_empty() {
        Cow::Borrowed(data)
    } else {
        let mut whole = std::mem::take(held);
        whole.push_str(data);
        Cow::Owned(whole)
    };
    let bytes = joined.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(at) = memchr::memchr(0x1b, &bytes[i..]).map(|p| p + i) {
        if bytes.get(at + 1).is_none_or(|&b| b == b'[') {
            let params_start = at + 2;
            let mut end = params_start;
            while bytes.get(end).is_some_and(|b| (0x20..=0x3f).contains(b)) {
                end += 1;
            }
            let Some(&last) = bytes.get(end) else {
                if end - at > MAX_HELD {
                    // Longer than any real sequence (vte keeps 32 parameters): fed as it is.
                    break;
                }
                // Unfinished: held for the next event.
                let text = out.get_or_insert_with(String::new);
                text.push_str(&joined[copied..at]);
                held.push_str(&joined[at..]);
                return Cow::Owned(std::mem::take(text));
            };
            if matches!(last, b'@' | b'L' | b'T') {
                let params = &joined[params_start..end];
                if let Some(cut) = cut_counts(params) {
                    let text = out.get_or_insert_with(String::new);
                    text.push_str(&joined[copied..params_start]);
                    text.push_str(&cut);
                    copied = end;
                }
            }
            i = end.max(at + 1);
        } else {
            i = at + 1;
        }
    }
    match out {
        None => joined,
        Some(mut text) => {
            text.push_str(&joined[copied..]);
            Cow::Owned(text)
        }
    }
}

/// `params` with every number above [`MAX_COUNT`] cut to it; `None` when none is.
fn cut_counts(params: &str) -> Option<String> {
    let too_big =
        |n: &str| n.len() > 3 && n.parse::<u64>().map_or(true, |v| v > u64::from(MAX_COUNT));
    if !params
        .split(';')
        .any(|n| n.bytes().all(|b| b.is_ascii_digit()) && too_big(n))
    {
        return None;
    }
    Some(
        params
            .split(';')
            .map(|n| {
                if n.bytes().all(|b| b.is_ascii_digit()) && too_big(n) {
                    MAX_COUNT.to_string()
                } else {
                    n.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(";"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(pieces: &[&str]) -> String {
        let mut held = String::new();
        let mut out: String = pieces
            .iter()
            .map(|p| tame(&mut held, p).into_owned())
            .collect();
        out.push_str(&held);
        out
    }

    #[test]
    fn big_repeat_counts_are_cut_and_everything_else_is_left_alone() {
        assert_eq!(all(&["a\u{1b}[65535@b"]), "a\u{1b}[500@b");
        assert_eq!(all(&["\u{1b}[99999999999999999999L"]), "\u{1b}[500L");
        assert_eq!(all(&["\u{1b}[3;70000T"]), "\u{1b}[3;500T");
        for kept in [
            "plain text 宽字符",
            "\u{1b}[12@\u{1b}[500L",
            "\u{1b}[?1049h\u{1b}[?2004h",
            "\u{1b}[38;2;255;0;0m\u{1b}[999999H",
            "\u{1b}]0;title\u{7}",
            "\u{1b}M",
        ] {
            assert_eq!(all(&[kept]), kept);
        }
    }

    #[test]
    fn a_sequence_split_anywhere_is_cut_as_if_whole() {
        let whole = "x\u{1b}[65535@y\u{1b}[70000Lz";
        let expected = all(&[whole]);
        assert_eq!(expected, "x\u{1b}[500@y\u{1b}[500Lz");
        let cuts: Vec<usize> = (0..=whole.len())
            .filter(|&i| whole.is_char_boundary(i))
            .collect();
        for &a in &cuts {
            for &b in cuts.iter().filter(|&&b| b >= a) {
                assert_eq!(
                    all(&[&whole[..a], &whole[a..b], &whole[b..]]),
                    expected,
                    "{a} {b}"
                );
            }
        }
    }
}
