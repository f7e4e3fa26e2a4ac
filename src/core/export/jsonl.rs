//! The JSONL export, schema in `docs/journal-jsonl.md`: a header line that says what was
//! exported and how far the journal verified, then one line per entry carrying everything a
//! reader needs to re-verify the hash chain without cockpit.

use super::iso_utc;
use crate::core::journal::{Assessed, Entry, HashRule, Integrity, Record};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::io::{self, Write};

/// `format` of the header line.
pub const FORMAT: &str = "cockpit-journal-jsonl";

/// `version` of the header line; raised on any change a reader of an earlier version could misread
/// (2: the header names the hash rule, and journals of schema 2 hash the kind too).
pub const VERSION: u32 = 2;

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// `--incident` named an incident the verified entries do not open.
    #[error("no incident {wanted} in the verified entries of this journal; {}", known_list(.known))]
    UnknownIncident {
        /// The id asked for.
        wanted: String,
        /// The incidents the journal opens, in order.
        known: Vec<String>,
    },
    /// `--session` named a shell the verified entries do not open.
    #[error(transparent)]
    UnknownShell(#[from] super::shell_cast::ShellCastError),
    /// Writing the output failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "it opens none".to_string()
    } else {
        format!("it opens {}", known.join(", "))
    }
}

/// The first line of an export.
#[derive(Debug, Serialize)]
pub struct Header<'a> {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// Always [`VERSION`].
    pub version: u32,
    /// The journal file, as named on the command line.
    pub source: &'a str,
    /// `intact`, `torn_tail` or `broken`.
    pub integrity: &'static str,
    /// True only when the whole journal verified (`integrity` is `intact`).
    pub verified: bool,
    /// Where and how the chain broke, in words; None when intact.
    pub problem: Option<String>,
    /// Entries stored in the journal, including any that did not verify.
    pub stored: usize,
    /// Entries that verify (the first `verified_entries` of the journal).
    pub verified_entries: usize,
    /// Sequence number of the last verified entry.
    pub head_seq: u64,
    /// Hash of the last verified entry (the journal's head when intact).
    pub head: &'a str,
    /// The incident the export is limited to, if any.
    pub incident: Option<&'a str>,
    /// Entry lines that follow this header.
    pub entries: usize,
    /// Which columns each entry's hash covers: `all_columns` (the kind after the actor,
    /// journals of schema 2 on) or `without_kind` (journals of schema 1).
    pub hash_rule: &'static str,
}

/// One entry line.
#[derive(Debug, Serialize)]
struct Line<'a> {
    seq: u64,
    at_ms: i64,
    at: Option<String>,
    actor: &'a str,
    kind: &'static str,
    incident: Option<&'a str>,
    record: RecordJson<'a>,
    body: &'a str,
    prev_hash: &'a str,
    hash: &'a str,
}

/// An entry's record as written in its line: the stored text itself, or, for a stored text
/// spread over several lines (valid JSON, but not what cockpit writes), the same JSON on one.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum RecordJson<'a> {
    Raw(&'a RawValue),
    Reformatted(Value),
}

fn record_json(entry: &Entry) -> io::Result<RecordJson<'_>> {
    let parsed = if entry.body.contains(['\n', '\r']) {
        serde_json::from_str(&entry.body).map(RecordJson::Reformatted)
    } else {
        serde_json::from_str(&entry.body).map(RecordJson::Raw)
    };
    parsed.map_err(io::Error::other)
}

/// The header for `count` entry lines of `assessed`.
pub fn header<'a>(
    assessed: &'a Assessed,
    source: &'a str,
    incident: Option<&'a str>,
    count: usize,
) -> Header<'a> {
    let (integrity, problem) = match &assessed.integrity {
        Integrity::Intact => ("intact", None),
        Integrity::TornTail(brk) => (
            "torn_tail",
            Some(format!(
                "UNVERIFIED: the last entry is torn and left out: {brk}"
            )),
        ),
        Integrity::Broken(brk) => (
            "broken",
            Some(format!(
                "UNVERIFIED: chain broken at {brk}; only the entries before it are exported"
            )),
        ),
    };
    Header {
        format: FORMAT,
        version: VERSION,
        source,
        integrity,
        verified: assessed.integrity == Integrity::Intact,
        problem,
        stored: assessed.stored,
        verified_entries: assessed.entries.len(),
        head_seq: assessed.entries.last().map_or(0, |e| e.seq),
        head: assessed.head().unwrap_or_default(),
        incident,
        entries: count,
        hash_rule: match assessed.rule {
            HashRule::Full => "all_columns",
            HashRule::WithoutKind => "without_kind",
        },
    }
}

/// The entries of incident `id`: every entry naming it, and the entries naming no incident
/// (sessions, drill faults, host changes) from the start of the session it was opened in (or
/// the end of the incident or session before it, whichever is later) to its resolution (or the
/// end of the journal while it is open).
pub fn select<'a>(entries: &'a [Entry], id: &str) -> Result<Vec<&'a Entry>, ExportError> {
    let mut known = Vec::new();
    let mut context_start = 0;
    let mut span: Option<(usize, usize)> = None;
    for (i, e) in entries.iter().enumerate() {
        match (&e.record, &mut span) {
            (Record::SessionStarted { .. }, None) => context_start = i,
            (Record::SessionEnded { .. } | Record::IncidentResolved { .. }, None) => {
                context_start = i + 1
            }
            (Record::IncidentOpened { incident, .. }, _) => {
                known.push(incident.clone());
                if incident == id && span.is_none() {
                    span = Some((context_start, entries.len() - 1));
                }
            }
            (Record::IncidentResolved { incident, .. }, Some((_, end)))
                if incident == id && *end == entries.len() - 1 =>
            {
                *end = i;
            }
            _ => {}
        }
    }
    let Some((start, end)) = span else {
        return Err(ExportError::UnknownIncident {
            wanted: id.to_string(),
            known,
        });
    };
    Ok(entries
        .iter()
        .enumerate()
        .filter(|(i, e)| match e.record.incident() {
            Some(named) => named == id,
            None => (start..=end).contains(i),
        })
        .map(|(_, e)| e)
        .collect())
}

/// Writes the export of `assessed`, limited to `incident` when given: the header line, then
/// one line per entry. Returns the entry lines written.
pub fn write<W: Write>(
    out: &mut W,
    assessed: &Assessed,
    source: &str,
    incident: Option<&str>,
) -> Result<usize, ExportError> {
    let selected: Vec<&Entry> = match incident {
        None => assessed.entries.iter().collect(),
        Some(id) => select(&assessed.entries, id)?,
    };
    write_json(out, &header(assessed, source, incident, selected.len()))?;
    for e in &selected {
        write_line(out, e)?;
    }
    Ok(selected.len())
}

fn write_line<W: Write>(out: &mut W, e: &Entry) -> io::Result<()> {
    write_json(
        out,
        &Line {
            seq: e.seq,
            at_ms: e.at_ms,
            at: iso_utc(e.at_ms),
            actor: &e.actor,
            kind: e.record.kind(),
            incident: e.record.incident(),
            record: record_json(e)?,
            body: &e.body,
            prev_hash: &e.prev_hash,
            hash: &e.hash,
        },
    )
}

fn write_json<W: Write>(out: &mut W, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::journal::{ChainBreak, StoredEntry, assess};
    use crate::core::redact::Redactor;
    use crate::core::severity::Severity;

    fn opened(id: &str) -> Record {
        Record::IncidentOpened {
            host: None,
            checkpoint_minutes: None,
            incident: id.into(),
            title: format!("{id} down"),
            severity: Severity::P1,
            playbook: "pb".into(),
            playbook_title: "Playbook".into(),
            rto_minutes: None,
            steps: Vec::new(),
            fleet: Default::default(),
            unhealthy_since_ms: None,
        }
    }

    fn note(id: &str, text: &str) -> Record {
        Record::NoteAdded {
            broadcast: false,
            incident: id.into(),
            text: text.into(),
        }
    }

    fn stored(records: &[Record]) -> Vec<StoredEntry> {
        let mut out: Vec<StoredEntry> = Vec::new();
        for (i, r) in records.iter().enumerate() {
            let prev = out.last().map(|s| (s.seq as u64, s.hash.as_str()));
            let e =
                Entry::seal(prev, 1_000 * i as i64, "op@b", r, &Redactor::default()).expect("seal");
            out.push(e.into());
        }
        out
    }

    fn journal() -> Vec<StoredEntry> {
        stored(&[
            Record::SessionStarted {
                version: "0.1.0".into(),
                mode: "demo".into(),
                role: None,
            },
            opened("A"),
            note("A", "first"),
            Record::FaultCleared {
                host: "web-1".into(),
            },
            Record::IncidentResolved {
                incident: "A".into(),
                summary: "done".into(),
            },
            Record::SessionEnded {
                reason: "quit".into(),
            },
            opened("B"),
            note("B", "second"),
        ])
    }

    fn seqs(selected: &[&Entry]) -> Vec<u64> {
        selected.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn an_incident_keeps_its_entries_and_the_unattributed_ones_of_its_session_until_resolved() {
        let a = assess(&journal());
        assert_eq!(seqs(&select(&a.entries, "A").expect("A")), [1, 2, 3, 4, 5]);
        assert_eq!(seqs(&select(&a.entries, "B").expect("B")), [7, 8]);
        let err = select(&a.entries, "C").map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            err,
            "no incident C in the verified entries of this journal; it opens A, B"
        );
    }

    #[test]
    fn every_line_is_json_and_the_header_counts_them() {
        let a = assess(&journal());
        let mut out = Vec::new();
        assert_eq!(write(&mut out, &a, "j.db", Some("A")).ok(), Some(5));
        let text = String::from_utf8(out).expect("utf-8");
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[0]["format"], FORMAT);
        assert_eq!(lines[0]["entries"], 5);
        assert_eq!(lines[0]["incident"], "A");
        assert_eq!(lines[0]["head"], a.entries[7].hash.as_str());
        assert_eq!(lines[4]["kind"], "fault_cleared");
        assert_eq!(lines[4]["incident"], Value::Null);
        assert_eq!(lines[2]["at"], "1970-01-01T00:00:01.000Z");
    }

    #[test]
    fn a_record_stored_over_several_lines_still_takes_one_line() {
        let mut a = assess(&journal());
        let pretty = serde_json::to_string_pretty(&a.entries[1].record).expect("json");
        assert!(pretty.contains('\n'));
        a.entries[1].body = pretty.clone();
        let mut out = Vec::new();
        assert_eq!(write(&mut out, &a, "j.db", None).ok(), Some(8));
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(text.lines().count(), 9);
        let line: Value = serde_json::from_str(text.lines().nth(2).expect("line")).expect("json");
        assert_eq!(line["body"], pretty.as_str());
        assert_eq!(
            line["record"],
            serde_json::from_str::<Value>(&pretty).expect("json")
        );
    }

    #[test]
    fn a_torn_or_broken_journal_says_so_in_the_header() {
        let mut torn = journal();
        torn[7].body.truncate(12);
        let a = assess(&torn);
        let h = header(&a, "j.db", None, a.entries.len());
        assert_eq!((h.integrity, h.verified), ("torn_tail", false));
        assert_eq!((h.stored, h.verified_entries, h.head_seq), (8, 7, 7));
        assert_eq!(
            h.problem.as_deref(),
            Some(
                "UNVERIFIED: the last entry is torn and left out: entry #8: incomplete (its record text stops before its end)"
            )
        );
        let mut broken = journal();
        broken.remove(3);
        let a = assess(&broken);
        let h = header(&a, "j.db", None, a.entries.len());
        assert_eq!((h.integrity, h.verified), ("broken", false));
        assert!(matches!(
            a.integrity,
            Integrity::Broken(ChainBreak::SequenceGap { .. })
        ));
        let intact = assess(&journal());
        let h = header(&intact, "j.db", None, 8);
        assert_eq!((h.integrity, h.verified, h.problem), ("intact", true, None));
    }
}
