//! One recorded shell as an asciicast v2 file (<https://docs.asciinema.org/manual/asciicast/v2/>):
//! a header line with the terminal's size, start time, title and `TERM`, then every event of
//! the shell's `shell_output` records in order, one JSON array per line, for `asciinema play`.

use super::iso_utc;
use crate::core::journal::{Entry, Record};
use serde::Serialize;
use std::collections::BTreeMap;

/// A shell the journal recorded, as the error for an unknown one lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellListing {
    /// The journal's number for it (`--session N`).
    pub session: u64,
    /// The host it ran on.
    pub host: String,
    /// When it was opened, unix milliseconds UTC.
    pub opened_at_ms: i64,
}

/// Why a shell's cast could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShellCastError {
    /// `--session` named a shell the verified entries do not open.
    #[error("no shell {wanted} in the verified entries of this journal; {}", listed(.known))]
    UnknownSession {
        /// The number asked for.
        wanted: u64,
        /// The shells the journal opens, in order.
        known: Vec<ShellListing>,
    },
}

fn listed(known: &[ShellListing]) -> String {
    if known.is_empty() {
        return "it opens no shells".to_string();
    }
    let shells: Vec<String> = known
        .iter()
        .map(|s| {
            let opened = iso_utc(s.opened_at_ms).unwrap_or_else(|| s.opened_at_ms.to_string());
            format!("shell {} on {} (opened {opened})", s.session, s.host)
        })
        .collect();
    format!("it opens {}", shells.join(", "))
}

/// The shells the entries open, in order.
pub fn shells(entries: &[Entry]) -> Vec<ShellListing> {
    entries
        .iter()
        .filter_map(|e| match &e.record {
            Record::ShellStarted { session, host, .. } => Some(ShellListing {
                session: *session,
                host: host.clone(),
                opened_at_ms: e.at_ms,
            }),
            _ => None,
        })
        .collect()
}

/// The cast's first line, in the order asciinema writes it.
#[derive(Serialize)]
struct Header<'a> {
    version: u32,
    width: u16,
    height: u16,
    timestamp: i64,
    title: String,
    env: BTreeMap<&'static str, &'a str>,
}

/// Shell `session` of `entries` as asciicast v2 text: its header, then each of its events on
/// a line of its own. The events come from the first `shell_started` with that number up to
/// the next one with the same number, if any.
pub fn shell_cast(entries: &[Entry], session: u64) -> Result<String, ShellCastError> {
    let found = entries
        .iter()
        .enumerate()
        .find_map(|(i, e)| match &e.record {
            Record::ShellStarted {
                session: s,
                host,
                term,
                cols,
                rows,
                ..
            } if *s == session => Some((i, e.at_ms, host, term, *cols, *rows)),
            _ => None,
        });
    let Some((start, opened_at_ms, host, term, cols, rows)) = found else {
        return Err(ShellCastError::UnknownSession {
            wanted: session,
            known: shells(entries),
        });
    };
    let header = Header {
        version: 2,
        width: cols,
        height: rows,
        timestamp: opened_at_ms.div_euclid(1000),
        title: format!("shell {session} on {host}"),
        env: BTreeMap::from([("TERM", term.as_str())]),
    };
    let mut cast = json_line(&header);
    for entry in entries.iter().skip(start + 1) {
        match &entry.record {
            Record::ShellStarted { session: s, .. } if *s == session => break,
            Record::ShellOutput {
                session: s, events, ..
            } if *s == session => {
                for event in events {
                    cast.push_str(&json_line(event));
                }
            }
            _ => {}
        }
    }
    Ok(cast)
}

/// `value` as one line of JSON. The values here (numbers, strings, events read from JSON)
/// always serialize; should one not, its line is left out rather than the cast broken.
fn json_line(value: &impl Serialize) -> String {
    match serde_json::to_string(value) {
        Ok(mut line) => {
            line.push('\n');
            line
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::journal::{StoredEntry, assess};
    use crate::core::redact::Redactor;
    use crate::core::shell::{CastCode, CastEvent};
    use serde_json::Value;

    fn started(session: u64, host: &str) -> Record {
        Record::ShellStarted {
            incident: Some("INC-1".into()),
            session,
            host: host.into(),
            term: "xterm-256color".into(),
            cols: 120,
            rows: 40,
        }
    }

    fn output(session: u64, events: Vec<CastEvent>) -> Record {
        Record::ShellOutput {
            incident: Some("INC-1".into()),
            session,
            events,
        }
    }

    fn ended(session: u64, host: &str) -> Record {
        Record::ShellEnded {
            incident: Some("INC-1".into()),
            session,
            host: host.into(),
            exit: Some(0),
            reason: None,
            duration_ms: 4000,
            unrecorded_input: 7,
        }
    }

    /// Verified entries of `records`, a second apart from 2026-11-22T16:03:07.412Z.
    fn entries(records: &[Record]) -> Vec<Entry> {
        let mut stored: Vec<StoredEntry> = Vec::new();
        for (i, r) in records.iter().enumerate() {
            let prev = stored.last().map(|s| (s.seq as u64, s.hash.as_str()));
            let at_ms = 1_795_363_387_412 + 1000 * i as i64;
            let e = Entry::seal(prev, at_ms, "op@bastion", r, &Redactor::default()).unwrap();
            stored.push(e.into());
        }
        let assessed = assess(&stored);
        assert_eq!(assessed.entries.len(), records.len());
        assessed.entries
    }

    fn event(t: f64, code: CastCode, data: &str) -> CastEvent {
        CastEvent(t, code, data.into())
    }

    fn two_shells() -> Vec<Entry> {
        entries(&[
            started(1, "web-1"),
            output(
                1,
                vec![
                    event(0.1, CastCode::Output, "$ "),
                    event(0.5, CastCode::Input, "echo shell-ok\r"),
                ],
            ),
            started(2, "db-1"),
            output(2, vec![event(0.2, CastCode::Output, "other shell\r\n")]),
            output(
                1,
                vec![
                    event(0.6, CastCode::Output, "echo shell-ok\r\nshell-ok\r\n"),
                    event(1.25, CastCode::Resize, "100x30"),
                    event(
                        2.0,
                        CastCode::Output,
                        "\"quoted\" \u{1b}[1m日本\u{1b}[0m\r\n",
                    ),
                ],
            ),
            ended(1, "web-1"),
            ended(2, "db-1"),
        ])
    }

    #[test]
    fn one_shell_becomes_a_v2_cast_of_its_own_events_in_order() {
        let cast = shell_cast(&two_shells(), 1).unwrap();
        let lines: Vec<&str> = cast.lines().collect();
        assert_eq!(
            lines[0],
            r#"{"version":2,"width":120,"height":40,"timestamp":1795363387,"title":"shell 1 on web-1","env":{"TERM":"xterm-256color"}}"#
        );
        assert_eq!(
            lines[1..],
            [
                r#"[0.1,"o","$ "]"#,
                r#"[0.5,"i","echo shell-ok\r"]"#,
                r#"[0.6,"o","echo shell-ok\r\nshell-ok\r\n"]"#,
                r#"[1.25,"r","100x30"]"#,
                r#"[2.0,"o","\"quoted\" \u001b[1m日本\u001b[0m\r\n"]"#,
            ]
        );
        assert!(cast.ends_with('\n'));
        for line in &lines[1..] {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v.as_array().map(Vec::len), Some(3), "{line}");
        }
        let second = shell_cast(&two_shells(), 2).unwrap();
        assert_eq!(
            second.lines().collect::<Vec<_>>(),
            [
                r#"{"version":2,"width":120,"height":40,"timestamp":1795363389,"title":"shell 2 on db-1","env":{"TERM":"xterm-256color"}}"#,
                r#"[0.2,"o","other shell\r\n"]"#,
            ]
        );
    }

    #[test]
    fn a_shell_with_no_output_yet_is_its_header_alone() {
        let cast = shell_cast(&entries(&[started(1, "web-1")]), 1).unwrap();
        assert_eq!(cast.lines().count(), 1);
        assert!(cast.starts_with(r#"{"version":2,"#), "{cast}");
    }

    #[test]
    fn a_number_used_again_starts_another_shell() {
        let cast = shell_cast(
            &entries(&[
                started(1, "web-1"),
                output(1, vec![event(0.1, CastCode::Output, "first\r\n")]),
                started(1, "web-2"),
                output(1, vec![event(0.1, CastCode::Output, "second\r\n")]),
            ]),
            1,
        )
        .unwrap();
        assert!(cast.contains("first") && !cast.contains("second"), "{cast}");
    }

    #[test]
    fn an_unknown_shell_lists_the_ones_there_are() {
        let err = shell_cast(&two_shells(), 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no shell 3 in the verified entries of this journal; it opens shell 1 on web-1 (opened 2026-11-22T16:03:07.412Z), shell 2 on db-1 (opened 2026-11-22T16:03:09.412Z)"
        );
        let err = shell_cast(&entries(&[ended(1, "web-1")]), 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no shell 1 in the verified entries of this journal; it opens no shells"
        );
        assert_eq!(
            shells(&two_shells()),
            [
                ShellListing {
                    session: 1,
                    host: "web-1".into(),
                    opened_at_ms: 1_795_363_387_412
                },
                ShellListing {
                    session: 2,
                    host: "db-1".into(),
                    opened_at_ms: 1_795_363_389_412
                },
            ]
        );
    }
}
