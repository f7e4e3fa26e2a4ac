//! `cockpit journal verify FILE [--expect-head HASH] [--allowed-signers FILE]`: the hash
//! chain, the sequence and the head, and the signed heads, in plain words. Exit status 0
//! intact (and signed to the end when signatures are checked); 1 incomplete evidence: the last
//! entry torn (a crash), entries no signature covers, signatures missing from the sidecar or
//! heads journaled as unsigned; 2 changed, unreadable, a bad or unknown signature, or the
//! expected head not in the verified chain.

use super::signatures;
use crate::cli::EXIT_INVALID;
use crate::core::export::iso_utc;
use crate::core::journal::short_id;
use crate::core::journal::{Assessed, Entry, Integrity, Record};
use crate::core::severity::Severity;
use crate::core::shared_chain::SharedAssessed;
use crate::io::journal_store::read_assessed;
use crate::io::shared::JournalLocation;
use crate::io::shared::review::read_shared;
use crate::ui::text::short_duration;
use std::path::Path;
use tokio::runtime::Runtime;

/// Exit status of a journal whose last entry is torn and everything before it verifies.
pub const EXIT_TORN: i32 = 1;

/// Fewest hex digits `--expect-head` accepts (the resolve flash shows 16).
const MIN_HEAD_DIGITS: usize = 16;

/// Verifies a journal and prints what it holds; see the module doc for the exit status.
pub fn verify(
    runtime: &Runtime,
    location: &JournalLocation,
    expect_head: Option<&str>,
    allowed_signers: Option<&Path>,
) -> i32 {
    let wanted = match expect_head.map(parse_head).transpose() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    let file = match location {
        JournalLocation::File(file) => file,
        JournalLocation::Shared(target) => {
            let shared = match runtime.block_on(read_shared(target)) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_INVALID;
                }
            };
            return verify_shared(&target.label(), &shared, wanted.as_deref(), allowed_signers);
        }
    };
    let assessed = match runtime.block_on(read_assessed(file)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    let mut code = verdict(&file.display().to_string(), &assessed);
    println!("hash rule: {}", assessed.rule.describe());
    summary(&assessed);
    if let Some(wanted) = wanted {
        code = code.max(expected_head(&assessed, &wanted));
    }
    code.max(signatures::report(file, &assessed, allowed_signers))
}

/// A hash (or a prefix of one) as lowercase hex, or why it is not one.
fn parse_head(text: &str) -> Result<String, String> {
    let hash = text.trim().to_ascii_lowercase();
    let hex = hash.chars().all(|c| c.is_ascii_hexdigit());
    if hex && (MIN_HEAD_DIGITS..=64).contains(&hash.len()) {
        Ok(hash)
    } else {
        Err(format!(
            "--expect-head {text:?} is not a journal hash: give the 64 hex digits printed when the incident was resolved (at least the first {MIN_HEAD_DIGITS})"
        ))
    }
}

/// A shared journal: both chains, who wrote it, its span and incidents.
fn verify_shared(
    label: &str,
    shared: &SharedAssessed,
    wanted: Option<&str>,
    allowed_signers: Option<&Path>,
) -> i32 {
    let assessed = shared.to_assessed();
    let mut code = verdict(label, &assessed);
    println!(
        "checked: the shared chain (each entry's hash over seq, time, actor, kind, record text and previous hash) and each entry's origin seal against its operator's own journal (numbers 1, 2, 3… without gap, each linked to the one before)"
    );
    let origins = shared.origins();
    println!(
        "{} operator journal(s), {} actor(s): {}",
        origins.len(),
        shared.actors().len(),
        shared.actors().join(", ")
    );
    for (origin, count) in &origins {
        let actors: Vec<&str> = {
            let mut a: Vec<&str> = shared
                .entries
                .iter()
                .filter(|e| e.origin.journal == *origin)
                .map(|e| e.entry.actor.as_str())
                .collect();
            a.sort_unstable();
            a.dedup();
            a
        };
        println!(
            "  journal {}: {count} entries ({})",
            short_id(origin),
            actors.join(", ")
        );
    }
    summary(&assessed);
    if let Some(wanted) = wanted {
        code = code.max(expected_head(&assessed, wanted));
    }
    if allowed_signers.is_some() {
        println!(
            "signatures: a shared journal keeps no signature sidecar; check each operator's local journal with --allowed-signers"
        );
    }
    code
}

/// The first lines: intact, torn or broken, and the head. Returns the exit status so far.
fn verdict(shown: &str, a: &Assessed) -> i32 {
    let n = a.entries.len();
    let head = a.head().unwrap_or("(none)");
    match &a.integrity {
        Integrity::Intact => {
            println!("{shown}: OK, {n} entries, chain intact");
            if n == 0 {
                println!("the journal is empty: no entries yet");
            }
            println!("head {head}");
            0
        }
        Integrity::TornTail(brk) => {
            println!("{shown}: TORN: the last entry is incomplete: {brk}");
            println!(
                "A write cut short leaves the last entry like this (its bytes stop early; a wrong hash would be tampering). The {n} entries before it verify."
            );
            println!("head of the verified entries {head}");
            println!(
                "cockpit will not append to this journal: keep it as the record, and start cockpit with a new --journal FILE."
            );
            EXIT_TORN
        }
        Integrity::Broken(brk) => {
            println!("{shown}: BROKEN: {brk}");
            println!(
                "The journal was changed after it was written: a crash can leave the last entry incomplete, never a complete entry with a wrong hash, link or number. {n} entries before it verify; the {} from there on are unverified.",
                a.stored - n
            );
            println!("head of the verified entries {head}");
            EXIT_INVALID
        }
    }
}

/// An incident as the verified entries tell it.
struct Seen<'a> {
    id: &'a str,
    title: &'a str,
    severity: Severity,
    opened_ms: i64,
    resolved: Option<&'a Entry>,
}

/// The sessions started and the incidents opened, in one pass over the entries.
fn incidents(entries: &[Entry]) -> (usize, Vec<Seen<'_>>) {
    let mut sessions = 0;
    let mut seen: Vec<Seen> = Vec::new();
    for e in entries {
        match &e.record {
            Record::SessionStarted { .. } => sessions += 1,
            Record::IncidentOpened {
                incident,
                title,
                severity,
                ..
            } => seen.push(Seen {
                id: incident,
                title,
                severity: *severity,
                opened_ms: e.at_ms,
                resolved: None,
            }),
            Record::SeverityChanged { incident, severity } => {
                if let Some(i) = latest(&mut seen, incident) {
                    i.severity = *severity;
                }
            }
            Record::IncidentResolved { incident, .. } => {
                if let Some(i) = latest(&mut seen, incident) {
                    i.resolved.get_or_insert(e);
                }
            }
            _ => {}
        }
    }
    (sessions, seen)
}

/// The incident `id` most recently opened.
fn latest<'s, 'a>(seen: &'s mut [Seen<'a>], id: &str) -> Option<&'s mut Seen<'a>> {
    seen.iter_mut().rev().find(|i| i.id == id)
}

/// The verified entries' span and incidents.
fn summary(a: &Assessed) {
    let (Some(first), Some(last)) = (a.entries.first(), a.entries.last()) else {
        return;
    };
    println!(
        "entries #{}–#{}: {} → {} ({})",
        first.seq,
        last.seq,
        time(first.at_ms),
        time(last.at_ms),
        short_duration(last.at_ms.saturating_sub(first.at_ms))
    );
    let (sessions, incidents) = incidents(&a.entries);
    println!("{sessions} session(s), {} incident(s)", incidents.len());
    for i in &incidents {
        let state = match i.resolved {
            Some(e) => format!("resolved {}", time(e.at_ms)),
            None => "still open".to_string(),
        };
        println!(
            "  {} {} {:?}: opened {}, {state}",
            i.id,
            i.severity,
            i.title,
            time(i.opened_ms)
        );
        if let Some(e) = i.resolved {
            println!("    head at resolve {} (entry #{})", e.hash, e.seq);
        }
    }
}

fn time(at_ms: i64) -> String {
    iso_utc(at_ms).unwrap_or_else(|| format!("{at_ms} ms"))
}

/// Whether `wanted` is the hash of a verified entry; prints which, returns the exit status.
fn expected_head(a: &Assessed, wanted: &str) -> i32 {
    let found: Vec<&Entry> = a
        .entries
        .iter()
        .filter(|e| e.hash.starts_with(wanted))
        .collect();
    match found.as_slice() {
        [e] => {
            let incident = match &e.record {
                Record::IncidentResolved { incident, .. } => format!(" of {incident}"),
                _ => String::new(),
            };
            let after = a.entries.len() - (e.seq as usize);
            println!(
                "expected head {wanted}: FOUND, entry #{} ({}{incident}, {}). Nothing up to it was changed; {after} verified entries follow it.",
                e.seq,
                e.record.kind(),
                time(e.at_ms)
            );
            0
        }
        [] => {
            println!(
                "expected head {wanted}: NOT FOUND among the {} verified entries. The journal was changed or cut short after that head was recorded (or it is another journal).",
                a.entries.len()
            );
            EXIT_INVALID
        }
        many => {
            let seqs: Vec<String> = many.iter().map(|e| format!("#{}", e.seq)).collect();
            println!(
                "expected head {wanted}: matches entries {}; give more of its digits",
                seqs.join(", ")
            );
            EXIT_INVALID
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_heads_are_hex_prefixes_long_enough_to_mean_something() {
        let full = "AB".repeat(32);
        assert_eq!(parse_head(&full), Ok("ab".repeat(32)));
        assert_eq!(
            parse_head(" 0123456789abcdef "),
            Ok("0123456789abcdef".into())
        );
        for bad in [
            "0123456789abcde",
            "xyz0123456789abcdef",
            &"a".repeat(65),
            "",
        ] {
            let e = parse_head(bad).unwrap_err();
            assert!(e.contains("is not a journal hash"), "{e}");
        }
    }
}
