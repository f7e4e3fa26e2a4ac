//! A recorded shell's entries in words: the last line a batch of output showed, the keys
//! typed in it, and how the shell ended.

use crate::core::report::format::duration;
use crate::core::shell::{CastCode, CastEvent};
use crate::core::terminal_text::without_escapes;

/// The longest stretch of an output line a description quotes, in characters.
const QUOTED_CHARS: usize = 60;

/// What a `shell_started` entry says.
pub(super) fn opened(session: u64, host: &str, term: &str, cols: u16, rows: u16) -> String {
    format!("off-script shell {session} opened on {host} ({term}, {cols}×{rows})")
}

/// What a `shell_output` entry says: the last line the batch showed, and the keys typed.
pub(super) fn output(session: u64, events: &[CastEvent]) -> String {
    let mut text = format!("off-script shell {session}");
    match last_output_line(events) {
        Some(line) => text.push_str(&format!(": {line}")),
        None => text.push_str(": no new output"),
    }
    let keys = keys_typed(events);
    if keys > 0 {
        text.push_str(&format!(
            " · {keys} key{} typed",
            if keys == 1 { "" } else { "s" }
        ));
    }
    text
}

/// What a `shell_ended` entry says: how long it was open, how it ended, and what typing the
/// record does not hold.
pub(super) fn ended(
    session: u64,
    host: &str,
    exit: Option<i32>,
    reason: Option<&str>,
    duration_ms: u64,
    unrecorded_input: u64,
) -> String {
    let how = match (exit, reason) {
        (_, Some(r)) => r.to_string(),
        (Some(code), None) => format!("exit {code}"),
        (None, None) => "closed".to_string(),
    };
    let open_for = duration(i64::try_from(duration_ms).unwrap_or(i64::MAX));
    let mut text = format!("off-script shell {session} on {host} ended after {open_for}: {how}");
    if unrecorded_input > 0 {
        text.push_str(&format!(
            " — {unrecorded_input} byte{} typed while echo was off {} not recorded",
            if unrecorded_input == 1 { "" } else { "s" },
            if unrecorded_input == 1 { "was" } else { "were" },
        ));
    }
    text
}

/// The last finished line with anything on it in a batch's output (else the line still being
/// written, a prompt), escape sequences and control characters left out, trimmed, at most [`QUOTED_CHARS`] characters (marked when cut).
pub(crate) fn last_output_line(events: &[CastEvent]) -> Option<String> {
    let mut shown = String::new();
    for CastEvent(_, code, data) in events {
        if *code == CastCode::Output {
            shown.push_str(data);
        }
    }
    let plain = without_escapes(&shown);
    // A line not ended yet is most often the prompt waiting: a finished line says more.
    let (finished, waiting) = match plain.rfind(['\n', '\r']) {
        Some(end) => plain.split_at(end),
        None => ("", plain.as_str()),
    };
    let last = |text: &'_ str| {
        text.split(['\n', '\r'])
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .map(str::to_string)
    };
    let line = last(finished).or_else(|| last(waiting))?;
    let mut chars = line.chars();
    let quoted: String = chars.by_ref().take(QUOTED_CHARS).collect();
    Some(if chars.next().is_some() {
        format!("{quoted}…")
    } else {
        quoted
    })
}

/// Keys typed in a batch (as the host echoed them back), in characters.
pub(crate) fn keys_typed(events: &[CastEvent]) -> usize {
    events
        .iter()
        .filter(|CastEvent(_, code, _)| *code == CastCode::Input)
        .map(|CastEvent(_, _, data)| data.chars().count())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(data: &str) -> CastEvent {
        CastEvent(0.5, CastCode::Output, data.into())
    }

    #[test]
    fn the_last_line_shown_is_quoted_without_colours_or_titles() {
        let events = vec![
            out("\u{1b}]0;root@app-1: ~\u{7}\u{1b}[01;32mroot@app-1\u{1b}[00m:~# "),
            CastEvent(0.6, CastCode::Input, "df -h\r".into()),
            out("df -h\r\n/dev/vda1  40G  31G  78% /\r\n\u{1b}[1m磁盘\u{1b}[0m ok\r\n\r\n"),
        ];
        assert_eq!(last_output_line(&events).as_deref(), Some("磁盘 ok"));
        assert_eq!(keys_typed(&events), 6);
        assert_eq!(
            output(2, &events),
            "off-script shell 2: 磁盘 ok · 6 keys typed"
        );
    }

    #[test]
    fn a_finished_line_says_more_than_the_prompt_waiting() {
        assert_eq!(
            last_output_line(&[out("shell-ok\r\nroot@app-1:~# ")]).as_deref(),
            Some("shell-ok")
        );
        assert_eq!(
            last_output_line(&[out("root@app-1:~# ")]).as_deref(),
            Some("root@app-1:~#")
        );
    }

    #[test]
    fn a_long_line_is_cut_and_an_empty_batch_says_so() {
        let long = "x".repeat(200);
        let line = last_output_line(&[out(&long)]).unwrap_or_default();
        assert_eq!(line.chars().count(), QUOTED_CHARS + 1);
        assert!(line.ends_with('…'));
        assert_eq!(
            output(1, &[out("\u{1b}[2J\u{1b}[H")]),
            "off-script shell 1: no new output"
        );
    }

    #[test]
    fn an_end_says_how_long_how_and_what_is_not_recorded() {
        assert_eq!(
            ended(3, "db-1", Some(0), None, 754_000, 9),
            "off-script shell 3 on db-1 ended after 12 min 34 s: exit 0 — 9 bytes typed while echo was off were not recorded"
        );
        assert_eq!(
            ended(3, "db-1", None, Some("connection lost"), 900, 0),
            "off-script shell 3 on db-1 ended after 900 ms: connection lost"
        );
    }

    #[test]
    fn hostile_output_never_panics() {
        for data in [
            "\u{1b}",
            "\u{1b}[",
            "\u{1b}]",
            "\u{1b}]x\u{1b}",
            "\r\r\r",
            "\u{0}\u{7f}",
        ] {
            let _ = last_output_line(&[out(data)]);
        }
    }
}
