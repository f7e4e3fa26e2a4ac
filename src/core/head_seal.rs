//! Signed journal heads, the part that needs no I/O: the message an SSH key signs for a head,
//! the sidecar file's blocks, the allowed-signers file's lines, and what a set of checked
//! signatures says about a journal (re-sealed, cut, appended to, not covered).
//!
//! A signature over a head (journal id, sequence number, hash) vouches for every entry up to
//! that head, since each entry's hash covers the one before it. The signatures themselves are
//! made and checked in `io::head_sign` (SSH agent, `ssh-keygen -Y sign` format).

use crate::core::journal::{Entry, Record};

/// The SSHSIG namespace of journal head signatures (`ssh-keygen -Y … -n cockpit-journal`).
pub const NAMESPACE: &str = "cockpit-journal";

/// First line of every signed message.
const MESSAGE_TITLE: &str = "cockpit journal head";

/// Armor lines of an SSH signature.
const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
const END: &str = "-----END SSH SIGNATURE-----";

/// A journal head as signed: which journal, which entry, its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHead {
    /// The journal's id: the hash of its first entry.
    pub journal: String,
    /// The entry's sequence number.
    pub seq: u64,
    /// The entry's hash.
    pub hash: String,
}

impl SignedHead {
    /// The exact text the key signs (four lines, each ending in a newline).
    pub fn message(&self) -> String {
        format!(
            "{MESSAGE_TITLE}\njournal {}\nseq {}\nhash {}\n",
            self.journal, self.seq, self.hash
        )
    }

    /// The head a signed message names, if it is one.
    pub fn parse(message: &str) -> Option<SignedHead> {
        let mut lines = message.strip_suffix('\n')?.split('\n');
        if lines.next()? != MESSAGE_TITLE {
            return None;
        }
        let journal = lines.next()?.strip_prefix("journal ")?.to_string();
        let seq = lines.next()?.strip_prefix("seq ")?.parse().ok()?;
        let hash = lines.next()?.strip_prefix("hash ")?.to_string();
        let head = SignedHead { journal, seq, hash };
        (lines.next().is_none() && head.message() == message).then_some(head)
    }
}

/// One block of the sidecar file: the signed message, then its armored signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SidecarBlock {
    /// The signed message, exactly.
    pub message: String,
    /// The signature, `-----BEGIN SSH SIGNATURE-----` to `-----END SSH SIGNATURE-----`.
    pub armored: String,
}

impl SidecarBlock {
    /// The block as appended to the sidecar file.
    pub fn text(&self) -> String {
        let armored = self.armored.trim_end();
        format!("{}{armored}\n", self.message)
    }
}

/// The blocks of a sidecar file, and a line number for each stretch that is not one.
pub fn parse_sidecar(text: &str) -> (Vec<SidecarBlock>, Vec<usize>) {
    let mut blocks = Vec::new();
    let mut bad = Vec::new();
    let mut message = String::new();
    let mut armored: Option<String> = None;
    let mut start = 1;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        match &mut armored {
            Some(sig) => {
                sig.push_str(bare);
                sig.push('\n');
                if bare == END {
                    blocks.push(SidecarBlock {
                        message: std::mem::take(&mut message),
                        armored: std::mem::take(sig),
                    });
                    armored = None;
                    start = i + 2;
                }
            }
            None if bare == BEGIN => armored = Some(format!("{BEGIN}\n")),
            None => message.push_str(line),
        }
    }
    if armored.is_some() || !message.trim().is_empty() {
        bad.push(start);
    }
    (blocks, bad)
}

/// One usable line of an allowed-signers file (`principals [options] keytype base64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedSigner {
    /// The line number, for messages.
    pub line: usize,
    /// Who the key is (the first field, comma-separated).
    pub principals: String,
    /// The namespaces the key may sign for (`namespaces="…"`); None: any.
    pub namespaces: Option<Vec<String>>,
    /// The key, `keytype base64`.
    pub key: String,
}

/// The signers of an allowed-signers file (the `ssh-keygen` ALLOWED SIGNERS format), and a
/// note for each line left out (certificate authorities, time limits, unreadable lines).
pub fn parse_allowed_signers(text: &str) -> (Vec<AllowedSigner>, Vec<String>) {
    let mut signers = Vec::new();
    let mut notes = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let fields = split_fields(trimmed);
        let (principals, options, key) = match fields.as_slice() {
            [p, t, k, ..] if is_key_type(t) => (p, None, format!("{t} {k}")),
            [p, o, t, k, ..] if is_key_type(t) => (p, Some(o.as_str()), format!("{t} {k}")),
            _ => {
                notes.push(format!("line {line}: not a principal and a key; left out"));
                continue;
            }
        };
        let mut namespaces = None;
        let mut skip = None;
        for option in options.map(split_options).unwrap_or_default() {
            let (name, value) = option.split_once('=').unwrap_or((option.as_str(), ""));
            match name.to_ascii_lowercase().as_str() {
                "namespaces" => {
                    let list = value.trim_matches('"');
                    namespaces = Some(list.split(',').map(|n| n.trim().to_string()).collect());
                }
                "cert-authority" => skip = Some("certificate authorities are not supported"),
                "valid-after" | "valid-before" => {
                    skip = Some("time-limited keys are not supported")
                }
                _ => skip = Some("unknown option"),
            }
        }
        if let Some(why) = skip {
            notes.push(format!("line {line}: {why}; left out"));
            continue;
        }
        signers.push(AllowedSigner {
            line,
            principals: principals.clone(),
            namespaces,
            key,
        });
    }
    (signers, notes)
}

fn is_key_type(field: &str) -> bool {
    ["ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-"]
        .iter()
        .any(|p| field.starts_with(p))
}

/// Fields split on whitespace, double-quoted stretches kept whole.
fn split_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    fields.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        fields.push(current);
    }
    fields
}

/// Options split on commas outside double quotes.
fn split_options(options: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in options.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out
}

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

    #[test]
    fn a_signed_message_reads_back_and_nothing_else_does() {
        let head = SignedHead {
            journal: "ab".repeat(32),
            seq: 86,
            hash: "cd".repeat(32),
        };
        let text = head.message();
        assert_eq!(SignedHead::parse(&text), Some(head.clone()));
        assert_eq!(SignedHead::parse(&text.replace("seq 86", "seq 086")), None);
        assert_eq!(SignedHead::parse(&format!("{text}x\n")), None);
        assert_eq!(SignedHead::parse(text.trim_end()), None);
    }

    #[test]
    fn sidecar_blocks_split_and_stray_text_is_named() {
        let block = SidecarBlock {
            message: "cockpit journal head\njournal a\nseq 1\nhash b\n".into(),
            armored: format!("{BEGIN}\nAAAA\n{END}\n"),
        };
        let text = format!("{}{}", block.text(), block.text());
        let (blocks, bad) = parse_sidecar(&text);
        assert_eq!((blocks, bad), (vec![block.clone(), block.clone()], vec![]));
        let cut = &text[..text.len() - 10];
        let (blocks, bad) = parse_sidecar(cut);
        assert_eq!((blocks.len(), bad), (1, vec![8]));
    }

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
            },
            Record::NoteAdded {
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

    #[test]
    fn allowed_signers_lines_with_and_without_options() {
        let text = "# team\nalice@example.com ssh-ed25519 AAAAC3 alice\n\
                    bob@example.com,ops namespaces=\"git,cockpit-journal\" ssh-rsa AAAAB3\n\
                    ca cert-authority ssh-ed25519 AAAAC4\nbroken\n";
        let (signers, notes) = parse_allowed_signers(text);
        assert_eq!(signers.len(), 2, "{signers:?}");
        assert_eq!(signers[0].key, "ssh-ed25519 AAAAC3");
        assert_eq!(signers[0].namespaces, None);
        assert_eq!(signers[1].principals, "bob@example.com,ops");
        assert_eq!(
            signers[1].namespaces,
            Some(vec!["git".to_string(), "cockpit-journal".to_string()])
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("line 4: certificate"), "{notes:?}");
    }
}
