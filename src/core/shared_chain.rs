//! The shared journal's chain: every operator's entries, ordered by the shared store, each
//! sealed twice. Its own chain (`seq`, `prev_hash`, `hash` under [`HashRule::Full`]) orders the
//! team's entries; its origin (the local journal it was first written to, with that journal's
//! `seq`, `prev_hash` and `hash`) proves it is the very entry the operator's cockpit
//! acknowledged. The local entry's columns (time, actor, kind, record text) are the shared
//! entry's, byte for byte, so both hashes cover them.
//!
//! [`SharedVerifier`] checks both: the shared chain with the local journal's own check
//! ([`check_after`]), then for every entry that its origin seal recomputes from
//! (origin_seq, at_ms, actor, kind, body, origin_prev_hash), and that each local journal's
//! entries follow each other (numbers 1, 2, 3… without gap or repeat, each linking to the one
//! before, the first one's hash being the journal's id).

use crate::core::journal::{
    Assessed, ChainBreak, Entry, GENESIS_HASH, HashRule, Integrity, StoredEntry, check_after,
};
use std::collections::BTreeMap;

/// Where a shared entry was first written: the operator's local journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The local journal's id: the hash of its first entry.
    pub journal: String,
    /// The entry's number in the local journal.
    pub seq: u64,
    /// The hash before it in the local journal.
    pub prev_hash: String,
    /// Its hash in the local journal.
    pub hash: String,
}

/// An entry of the shared journal: sealed in the shared chain, with its origin.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedEntry {
    /// The entry as the shared chain seals it (`seq`, `prev_hash`, `hash` are the shared ones).
    pub entry: Entry,
    /// The local journal entry it copies.
    pub origin: Origin,
}

/// A shared entry's columns as stored, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredShared {
    /// The shared chain's columns (seq, at_ms, actor, kind, body, prev_hash, hash).
    pub entry: StoredEntry,
    /// The local journal's id.
    pub origin: String,
    /// The entry's number in the local journal.
    pub origin_seq: i64,
    /// The hash before it in the local journal.
    pub origin_prev_hash: String,
    /// Its hash in the local journal.
    pub origin_hash: String,
}

/// The last verified entry of one local journal within the shared chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginTip {
    /// Its number in the local journal.
    pub seq: u64,
    /// Its hash in the local journal.
    pub hash: String,
    /// The local journal's hash rule, when known (a journal keeps one rule; schema 1
    /// journals seal without the kind column).
    pub rule: Option<HashRule>,
}

/// The shared chain's hash rule: every column.
pub const SHARED_RULE: HashRule = HashRule::Full;

/// A shared journal read and verified: its entries up to the first break, and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedAssessed {
    /// Verified entries, in shared order.
    pub entries: Vec<SharedEntry>,
    /// Intact, or where it broke (a shared store has no torn writes: any fault is a break).
    pub integrity: Integrity,
    /// Rows read.
    pub stored: usize,
}

impl SharedAssessed {
    /// The entries as a local journal's reader sees them (replay, report, stats, export).
    pub fn to_assessed(&self) -> Assessed {
        Assessed {
            entries: self.entries.iter().map(|e| e.entry.clone()).collect(),
            integrity: self.integrity.clone(),
            stored: self.stored,
            rule: SHARED_RULE,
        }
    }

    /// How many verified entries each local journal (origin) contributed, by journal id.
    pub fn origins(&self) -> BTreeMap<&str, usize> {
        let mut out = BTreeMap::new();
        for e in &self.entries {
            *out.entry(e.origin.journal.as_str()).or_insert(0) += 1;
        }
        out
    }

    /// The distinct actors of the verified entries, sorted.
    pub fn actors(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .entries
            .iter()
            .map(|e| e.entry.actor.as_str())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Checks shared entries one after the other (see the module documentation).
#[derive(Debug, Default)]
pub struct SharedVerifier {
    head: Option<(u64, String)>,
    origins: BTreeMap<String, OriginTip>,
    entries: Vec<SharedEntry>,
    brk: Option<ChainBreak>,
    stored: usize,
}

impl SharedVerifier {
    /// A verifier for a whole shared journal, from its first entry.
    pub fn new() -> Self {
        SharedVerifier::default()
    }

    /// A verifier continuing after verified entries: `head` is the last one's shared seq and
    /// hash (`None`: from the start).
    pub fn resume(head: Option<(u64, String)>) -> Self {
        SharedVerifier {
            head,
            ..SharedVerifier::default()
        }
    }

    /// Says where a local journal stood before the first entry pushed (the entry before it
    /// in that journal, verified earlier).
    pub fn know_origin(&mut self, origin: &str, tip: OriginTip) {
        self.origins.insert(origin.to_string(), tip);
    }

    /// Checks the next stored row; after a break the rest are only counted.
    pub fn push(&mut self, row: StoredShared) {
        self.stored += 1;
        if self.brk.is_some() {
            return;
        }
        let prev = self.head.as_ref().map(|(s, h)| (*s, h.as_str()));
        let checked = check_after(SHARED_RULE, prev, row.entry.clone())
            .and_then(|entry| self.check_origin(&row).map(|origin| (entry, origin)));
        match checked {
            Ok((entry, (origin, tip))) => {
                self.head = Some((entry.seq, entry.hash.clone()));
                self.origins.insert(origin.journal.clone(), tip);
                self.entries.push(SharedEntry { entry, origin });
            }
            Err(brk) => self.brk = Some(brk),
        }
    }

    /// Whether a break was found.
    pub fn is_broken(&self) -> bool {
        self.brk.is_some()
    }

    /// The verified entries and how the chain ended.
    pub fn finish(self) -> SharedAssessed {
        SharedAssessed {
            entries: self.entries,
            integrity: match self.brk {
                None => Integrity::Intact,
                Some(brk) => Integrity::Broken(brk),
            },
            stored: self.stored,
        }
    }

    fn check_origin(&self, row: &StoredShared) -> Result<(Origin, OriginTip), ChainBreak> {
        let fail = |what: String| ChainBreak::OriginMismatch {
            seq: row.entry.seq,
            origin: row.origin.clone(),
            origin_seq: row.origin_seq,
            what,
        };
        let tip = self.origins.get(&row.origin);
        let e = &row.entry;
        let seal = |rule: HashRule| {
            rule.hash(
                row.origin_seq.max(0) as u64,
                e.at_ms,
                &e.actor,
                &e.kind,
                &e.body,
                &row.origin_prev_hash,
            ) == row.origin_hash
        };
        let rules: &[HashRule] = match tip.and_then(|t| t.rule) {
            Some(HashRule::Full) => &[HashRule::Full],
            Some(HashRule::WithoutKind) => &[HashRule::WithoutKind],
            None => &[HashRule::Full, HashRule::WithoutKind],
        };
        let Some(rule) = rules
            .iter()
            .copied()
            .find(|r| row.origin_seq >= 1 && seal(*r))
        else {
            return Err(fail(
                "its origin seal does not match its content (changed after it was written)".into(),
            ));
        };
        let expected = tip.map_or(1, |t| t.seq + 1);
        if row.origin_seq != expected as i64 {
            return Err(fail(format!(
                "expected entry #{expected} of that journal here (one of its entries is missing, repeated or out of order)"
            )));
        }
        let prev_hash = tip.map_or(GENESIS_HASH, |t| t.hash.as_str());
        if row.origin_prev_hash != prev_hash {
            return Err(fail(
                "does not link to the entry before it in that journal (an entry was deleted, reordered or inserted)"
                    .into(),
            ));
        }
        if expected == 1 && row.origin != row.origin_hash {
            return Err(fail(
                "the journal's id is not the hash of its first entry".into(),
            ));
        }
        Ok((
            Origin {
                journal: row.origin.clone(),
                seq: expected,
                prev_hash: row.origin_prev_hash.clone(),
                hash: row.origin_hash.clone(),
            },
            OriginTip {
                seq: expected,
                hash: row.origin_hash.clone(),
                rule: Some(rule),
            },
        ))
    }
}

/// Verifies a whole shared journal's rows, in shared order.
pub fn assess_shared(rows: impl IntoIterator<Item = StoredShared>) -> SharedAssessed {
    let mut v = SharedVerifier::new();
    rows.into_iter().for_each(|r| v.push(r));
    v.finish()
}

/// Seals a local journal's entry into the shared chain after `prev` (shared seq and hash;
/// `None`: the first shared entry). The local entry's time, actor, kind and record text are
/// kept byte for byte.
pub fn seal_shared(prev: Option<(u64, &str)>, origin: &str, local: &Entry) -> SharedEntry {
    let (seq, prev_hash) = match prev {
        Some((seq, hash)) => (seq + 1, hash.to_string()),
        None => (1, GENESIS_HASH.to_string()),
    };
    let hash = SHARED_RULE.hash(
        seq,
        local.at_ms,
        &local.actor,
        local.record.kind(),
        &local.body,
        &prev_hash,
    );
    SharedEntry {
        entry: Entry {
            seq,
            at_ms: local.at_ms,
            actor: local.actor.clone(),
            record: local.record.clone(),
            body: local.body.clone(),
            prev_hash,
            hash,
        },
        origin: Origin {
            journal: origin.to_string(),
            seq: local.seq,
            prev_hash: local.prev_hash.clone(),
            hash: local.hash.clone(),
        },
    }
}

impl From<&SharedEntry> for StoredShared {
    fn from(e: &SharedEntry) -> Self {
        StoredShared {
            entry: StoredEntry::from(e.entry.clone()),
            origin: e.origin.journal.clone(),
            origin_seq: e.origin.seq as i64,
            origin_prev_hash: e.origin.prev_hash.clone(),
            origin_hash: e.origin.hash.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
