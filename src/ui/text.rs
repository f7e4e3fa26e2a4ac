//! Text measured in terminal columns, so CJK (two columns a character) lines up.

use std::borrow::Cow;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns the text takes on screen.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cuts text to at most `max` columns, ending with `…` when cut; never splits a wide char.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Pads (or cuts) text to exactly `cols` columns.
pub fn fit(text: &str, cols: usize) -> String {
    let mut out = truncate(text, cols);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

/// `1h02m`, `4m05s`, `12s`: a compact duration for the grid and the status line.
pub fn short_duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// `HH:MM:SS` of an elapsed time.
pub fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_is_cut_on_column_boundaries() {
        assert_eq!(width("主应用服务器"), 12);
        assert_eq!(truncate("主应用服务器", 6), "主应…");
        assert_eq!(width(&fit("主应用服务器", 7)), 7);
        assert_eq!(fit("ab", 4), "ab  ");
    }

    #[test]
    fn durations() {
        assert_eq!(short_duration(5_000), "5s");
        assert_eq!(short_duration(125_000), "2m05s");
        assert_eq!(short_duration(3_720_000), "1h02m");
        assert_eq!(clock(3_725_000), "01:02:05");
    }
}

/// The text with what a terminal would act on instead of show (escape sequences, carriage
/// returns, other control characters, bidirectional overrides, line separators) replaced by
/// `�`, and tabs by spaces: host output, log lines and what the shared store holds must never
/// move the cursor, recolour or reorder the operator's screen.
pub fn printable(text: &str) -> String {
    printable_cow(text).into_owned()
}

/// Like [`printable`], borrowing `text` when nothing in it needs replacing (the usual case
/// for a log line: one check, no copy).
pub fn printable_cow(text: &str) -> Cow<'_, str> {
    let plain_ascii = text.bytes().all(|b| (b' '..=b'~').contains(&b));
    if plain_ascii || !text.chars().any(|c| c == '\t' || acts_on_terminal(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\t' => ' ',
                c if acts_on_terminal(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// Whether a terminal would act on `c` instead of showing it: C0/C1 controls (ESC, CR, BEL…),
/// the bidirectional embeddings, overrides and isolates (they reorder what follows them on the
/// line), and the Unicode line and paragraph separators.
pub fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

#[cfg(test)]
mod printable_tests {
    use super::printable;

    #[test]
    fn escape_sequences_cannot_reach_the_terminal() {
        assert_eq!(printable("a\x1b[2Jb\tc\r主"), "a\u{FFFD}[2Jb c\u{FFFD}主");
        assert_eq!(
            printable("\u{202E}evil\u{2066}\u{9b}"),
            "\u{FFFD}evil\u{FFFD}\u{FFFD}"
        );
        assert_eq!(printable("👁️‍🗨️"), "👁️‍🗨️");
    }

    #[test]
    fn clean_text_is_borrowed_not_copied() {
        use super::printable_cow;
        use std::borrow::Cow;
        for clean in ["GET /index.html 200 ~", "数据库 连接 失败", ""] {
            assert!(matches!(printable_cow(clean), Cow::Borrowed(t) if t == clean));
        }
        assert_eq!(printable_cow("a\tb\x7f"), "a b\u{FFFD}");
    }
}

/// Time of day in the bastion's time zone, `03:12:07` (empty when out of range).
pub fn local_time(ms: i64) -> String {
    use chrono::TimeZone;
    chrono::Local
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%H:%M:%S").to_string())
        .unwrap_or_default()
}
