//! What checked signatures say about a journal: signed up to where, re-sealed, cut,
//! appended to, not covered.

use super::{NAMESPACE, SignedHead};
use crate::core::journal::{Entry, Record};

/// Where a signature was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A `head_signed` entry of the journal.
    Journal(u64),
    /// A block of the sidecar file (its number, from 1).
    Sidecar(usize),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Journal(seq) => write!(f, "journal entry #{seq}"),
            Source::Sidecar(n) => write!(f, "sidecar block {n}"),
        }
    }
}

/// What checking a signature against the allowed signers gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The signature is good and its key is allowed.
    Valid {
        /// The key's principals, as the allowed-signers file names them.
        signer: String,
        /// The key's fingerprint.
        key: String,
    },
    /// The signature's key is not in the allowed signers (for this namespace).
    UnknownSigner {
        /// The key's fingerprint.
        key: String,
    },
    /// The signature does not verify, or cannot be read.
    Bad(String),
}

/// A signature found in the journal or the sidecar, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Where it was found (the first place, when in both).
    pub source: Source,
    /// Whether it is in the sidecar file too (for one found in the journal).
    pub in_sidecar: bool,
    /// The head its message names (None: the message is not a journal head).
    pub head: Option<SignedHead>,
    /// The result of the cryptographic check.
    pub check: Check,
}

/// One thing verification with signatures found, worst first in its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A valid signature vouches for the journal up to this entry.
    Signed {
        /// The signed entry.
        seq: u64,
        /// Who signed.
        signer: String,
        /// The key.
        key: String,
        /// Where the signature was found.
        source: Source,
    },
    /// A valid signature names a hash the entry no longer has: the chain was re-sealed.
    Resealed {
        /// The signed entry.
        seq: u64,
        /// The hash signed.
        signed: String,
        /// The hash it has now.
        now: String,
        /// Where the signature was found.
        source: Source,
    },
    /// A valid signature names an entry past the journal's end: entries were cut.
    Cut {
        /// The signed entry.
        seq: u64,
        /// The journal's last verified entry.
        last: u64,
        /// Where the signature was found.
        source: Source,
    },
    /// A valid signature names another journal (or this one re-sealed from its first entry).
    OtherJournal {
        /// The id signed.
        signed: String,
        /// Where the signature was found.
        source: Source,
    },
    /// The signature's key is not allowed.
    UnknownSigner {
        /// The key's fingerprint.
        key: String,
        /// Where the signature was found.
        source: Source,
    },
    /// The signature does not verify.
    BadSignature {
        /// Why.
        why: String,
        /// Where the signature was found.
        source: Source,
    },
    /// Entries after the last valid signature, vouched for by the chain alone.
    NotCovered {
        /// First uncovered entry.
        from: u64,
        /// Last uncovered entry.
        to: u64,
        /// The last signed entry closed a session: a cockpit that ended cleanly wrote
        /// nothing after it, so entries appended later without a new session are suspicious.
        after_clean_end: bool,
    },
    /// cockpit journaled that it could not sign a head.
    Unsigned {
        /// The entry saying so.
        seq: u64,
        /// The head left unsigned.
        head: u64,
        /// Why.
        reason: String,
    },
    /// A signature in the journal is missing from the sidecar file.
    MissingFromSidecar {
        /// The `head_signed` entry.
        seq: u64,
    },
    /// An entry cockpit signs at (a resolve, a session's end) is followed by other entries
    /// but by no signature and no note that it could not sign: the note was removed, or
    /// cockpit was killed while signing.
    NoteMissing {
        /// The entry that was to be signed.
        seq: u64,
        /// Its kind.
        kind: &'static str,
    },
}

impl Finding {
    /// Evidence of tampering (exit status 2), as opposed to incomplete evidence (1) or good.
    pub fn is_tampering(&self) -> bool {
        match self {
            Finding::Resealed { .. }
            | Finding::Cut { .. }
            | Finding::OtherJournal { .. }
            | Finding::UnknownSigner { .. }
            | Finding::BadSignature { .. } => true,
            Finding::NotCovered {
                after_clean_end, ..
            } => *after_clean_end,
            Finding::Signed { .. }
            | Finding::Unsigned { .. }
            | Finding::MissingFromSidecar { .. }
            | Finding::NoteMissing { .. } => false,
        }
    }

    /// Whether the finding leaves part of the journal not vouched for by a signature.
    pub fn is_gap(&self) -> bool {
        !matches!(self, Finding::Signed { .. }) && !self.is_tampering()
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::Signed {
                seq,
                signer,
                key,
                source,
            } => write!(f, "SIGNED: entry #{seq} by {signer} ({key}), {source}"),
            Finding::Resealed {
                seq,
                signed,
                now,
                source,
            } => write!(
                f,
                "RE-SEALED: entry #{seq} was signed with hash {signed} but now has {now} ({source}): the journal was changed and its chain re-sealed"
            ),
            Finding::Cut { seq, last, source } => write!(
                f,
                "CUT: a signature names entry #{seq} but the journal ends at #{last} ({source}): entries were removed from its end"
            ),
            Finding::OtherJournal { signed, source } => write!(
                f,
                "OTHER JOURNAL: a signature names journal {signed}, not this one ({source}): its first entry was changed and the chain re-sealed, or the signature was copied from another journal"
            ),
            Finding::UnknownSigner { key, source } => write!(
                f,
                "UNKNOWN SIGNER: {key} is not in the allowed signers for {NAMESPACE} ({source})"
            ),
            Finding::BadSignature { why, source } => {
                write!(f, "BAD SIGNATURE: {why} ({source})")
            }
            Finding::NotCovered {
                from,
                to,
                after_clean_end: true,
            } => write!(
                f,
                "APPENDED AFTER A SIGNED END: entries #{from}–#{to} follow a signed clean session end without a new session: they were added afterwards"
            ),
            Finding::NotCovered { from: 1, to, .. } => write!(
                f,
                "NOT COVERED: entries #1–#{to}: no valid signature covers any of them; only the chain vouches for them"
            ),
            Finding::NotCovered { from, to, .. } => write!(
                f,
                "NOT COVERED: entries #{from}–#{to} come after the last valid signature; only the chain vouches for them (a crash, a session still running, or an append)"
            ),
            Finding::Unsigned { seq, head, reason } => write!(
                f,
                "UNSIGNED: entry #{seq} says head #{head} was not signed: {reason}"
            ),
            Finding::MissingFromSidecar { seq } => write!(
                f,
                "SIDECAR INCOMPLETE: the signature of journal entry #{seq} is not in the sidecar file"
            ),
            Finding::NoteMissing { seq, kind } => write!(
                f,
                "SIGNATURE MISSING: entry #{seq} ({kind}) is followed by other entries but by no signature of it and no note that it could not be signed: removed, or cockpit was killed while signing"
            ),
        }
    }
}

/// What the checked signatures say about the verified entries of a journal. `entries` are the
/// entries that verify (from #1); `chain_whole` is false when the chain broke, so a signature
/// past the verified entries is not proof of a cut; `signs` is true for journals written by a
/// cockpit that signs (schema 2 on), where every resolve and session end gets a signature or a
/// note saying why not.
pub fn judge(
    entries: &[Entry],
    chain_whole: bool,
    signs: bool,
    signatures: &[Checked],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let id = entries.first().map(|e| e.hash.as_str());
    let last = entries.last().map_or(0, |e| e.seq);
    let mut covered = 0u64;
    for sig in signatures {
        let source = sig.source.clone();
        let (signer, key) = match &sig.check {
            Check::Valid { signer, key } => (signer.clone(), key.clone()),
            Check::UnknownSigner { key } => {
                findings.push(Finding::UnknownSigner {
                    key: key.clone(),
                    source,
                });
                continue;
            }
            Check::Bad(why) => {
                findings.push(Finding::BadSignature {
                    why: why.clone(),
                    source,
                });
                continue;
            }
        };
        let Some(head) = &sig.head else {
            findings.push(Finding::BadSignature {
                why: "the signed message is not a journal head".into(),
                source,
            });
            continue;
        };
        if Some(head.journal.as_str()) != id {
            findings.push(Finding::OtherJournal {
                signed: head.journal.clone(),
                source,
            });
            continue;
        }
        let entry = usize::try_from(head.seq)
            .ok()
            .and_then(|s| s.checked_sub(1))
            .and_then(|i| entries.get(i));
        match entry {
            None if chain_whole || head.seq == 0 => findings.push(Finding::Cut {
                seq: head.seq,
                last,
                source,
            }),
            // Past a break: the chain already says the journal was changed there.
            None => {}
            Some(e) if e.hash != head.hash => findings.push(Finding::Resealed {
                seq: head.seq,
                signed: head.hash.clone(),
                now: e.hash.clone(),
                source,
            }),
            Some(_) => {
                covered = covered.max(head.seq);
                findings.push(Finding::Signed {
                    seq: head.seq,
                    signer,
                    key,
                    source,
                });
            }
        }
        if let (Source::Journal(seq), false) = (&sig.source, sig.in_sidecar) {
            findings.push(Finding::MissingFromSidecar { seq: *seq });
        }
    }
    for e in entries {
        if let Record::HeadNotSigned { seq, reason, .. } = &e.record {
            findings.push(Finding::Unsigned {
                seq: e.seq,
                head: *seq,
                reason: reason.clone(),
            });
        }
    }
    if signs {
        findings.extend(missing_notes(entries));
    }
    if let Some(finding) = uncovered(entries, covered) {
        findings.push(finding);
    }
    findings
}

/// Entries signed at (resolves, session ends) followed by other entries but by no signature
/// or note naming them.
fn missing_notes(entries: &[Entry]) -> Vec<Finding> {
    let noted: std::collections::HashSet<u64> = entries
        .iter()
        .filter_map(|e| match &e.record {
            Record::HeadSigned { seq, .. } | Record::HeadNotSigned { seq, .. } => Some(*seq),
            _ => None,
        })
        .collect();
    let last_action = entries
        .iter()
        .rev()
        .find(|e| !e.record.is_signature())
        .map_or(0, |e| e.seq);
    entries
        .iter()
        .filter(|e| {
            matches!(
                e.record,
                Record::IncidentResolved { .. } | Record::SessionEnded { .. }
            ) && e.seq < last_action
                && !noted.contains(&e.seq)
        })
        .map(|e| Finding::NoteMissing {
            seq: e.seq,
            kind: e.record.kind(),
        })
        .collect()
}

/// The entries after the last signed one, not counting cockpit's own signature entries.
fn uncovered(entries: &[Entry], covered: u64) -> Option<Finding> {
    let start = usize::try_from(covered)
        .unwrap_or(usize::MAX)
        .min(entries.len());
    let after: Vec<&Entry> = entries[start..]
        .iter()
        .filter(|e| !e.record.is_signature())
        .collect();
    let (first, last) = (after.first()?, after.last()?);
    let signed_end = covered > 0
        && entries
            .get(start.wrapping_sub(1))
            .is_some_and(|e| matches!(e.record, Record::SessionEnded { .. }));
    let new_session = matches!(first.record, Record::SessionStarted { .. });
    Some(Finding::NotCovered {
        from: first.seq,
        to: last.seq,
        after_clean_end: signed_end && !new_session,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries sealed from records, in order.
    fn entries(records: &[Record]) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for (i, r) in records.iter().enumerate() {
            let prev = out.last().map(|e| (e.seq, e.hash.as_str()));
            let e = Entry::seal(prev, i as i64, "op@b", r, &Default::default());
            out.push(e.unwrap_or_else(|e| panic!("{e}")));
        }
        out
    }

    fn session() -> Vec<Record> {
        vec![
            Record::SessionStarted {
                version: "1".into(),
                mode: "live".into(),
                role: None,
            },
            Record::NoteAdded {
                broadcast: false,
                incident: "I".into(),
                text: "x".into(),
            },
            Record::SessionEnded {
                reason: "quit".into(),
            },
        ]
    }

    fn valid(entries: &[Entry], seq: u64, hash: Option<&str>) -> Checked {
        Checked {
            source: Source::Sidecar(1),
            in_sidecar: true,
            head: Some(SignedHead {
                journal: entries[0].hash.clone(),
                seq,
                hash: hash.map_or_else(|| entries[(seq - 1) as usize].hash.clone(), str::to_string),
            }),
            check: Check::Valid {
                signer: "op".into(),
                key: "SHA256:k".into(),
            },
        }
    }

    #[test]
    fn judging_signed_heads() {
        let e = entries(&session());
        let ok = judge(&e, true, true, &[valid(&e, 3, None)]);
        assert!(
            matches!(ok.as_slice(), [Finding::Signed { seq: 3, .. }]),
            "{ok:?}"
        );

        let resealed = judge(&e, true, true, &[valid(&e, 3, Some(&"0".repeat(64)))]);
        assert!(
            matches!(resealed[0], Finding::Resealed { seq: 3, .. }),
            "{resealed:?}"
        );
        assert!(resealed[0].is_tampering());

        let cut = judge(&e[..2], true, true, &[valid(&e, 3, None)]);
        assert!(
            matches!(
                cut[0],
                Finding::Cut {
                    seq: 3,
                    last: 2,
                    ..
                }
            ),
            "{cut:?}"
        );

        // After a signed end, entries with no new session were appended.
        let mut more = session();
        more.push(Record::NoteAdded {
            broadcast: false,
            incident: "I".into(),
            text: "later".into(),
        });
        let e = entries(&more);
        let appended = judge(&e, true, true, &[valid(&e, 3, None)]);
        assert!(
            matches!(
                appended.last(),
                Some(Finding::NotCovered {
                    from: 4,
                    to: 4,
                    after_clean_end: true
                })
            ),
            "{appended:?}"
        );
        assert!(appended.iter().any(Finding::is_tampering));

        // A new session after the signed end is only not covered yet.
        let mut next = session();
        next.extend(session());
        let e = entries(&next);
        let open = judge(&e, true, true, &[valid(&e, 3, None)]);
        assert!(
            matches!(
                open.last(),
                Some(Finding::NotCovered {
                    from: 4,
                    to: 6,
                    after_clean_end: false
                })
            ),
            "{open:?}"
        );
        assert!(!open.iter().any(Finding::is_tampering));

        // No signature and no note after the first session's end, yet more follows.
        let missing = judge(&e, true, true, &[]);
        assert!(
            missing.contains(&Finding::NoteMissing {
                seq: 3,
                kind: "session_ended"
            }),
            "{missing:?}"
        );
        let other = Checked {
            head: Some(SignedHead {
                journal: "f".repeat(64),
                seq: 3,
                hash: e[2].hash.clone(),
            }),
            ..valid(&e, 3, None)
        };
        assert!(matches!(
            judge(&e, true, true, &[other])[0],
            Finding::OtherJournal { .. }
        ));
    }
}
