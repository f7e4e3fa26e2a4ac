//! The shared journal's chain: every operator's entries, ordered by the shared store, each
//! sealed twice. Its own chain (`seq`, `prev_hash`, `hash` under [`HashRule::Full`]) orders the
//! team's entries; its origin (the local journal it was first written to, with that journal's
//! `seq`, `prev_hash` and `hash`) proves it is the very entry the operator's cockpit
//! acknowledged. The local entry's columns (time, actor, kind, record text) are the shared
//! entry's, byte for byte, so both hashes cover them.
//!
//! (Skeleton: the verifier is built by the shared-store work.)

use crate::core::journal::Entry;

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
