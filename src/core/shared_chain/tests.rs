use super::*;
use crate::core::journal::Record;
use crate::core::redact::Redactor;

/// A local journal of `n` notes by `actor`, sealed under `rule`.
fn local(n: usize, actor: &str, rule: HashRule) -> Vec<Entry> {
    let redactor = Redactor::default();
    let mut out: Vec<Entry> = Vec::new();
    for i in 0..n {
        let record = Record::NoteAdded {
            broadcast: false,
            incident: "INC-1".into(),
            text: format!("{actor} note {i}"),
        };
        let prev = out.last().map(|e| (e.seq, e.hash.as_str()));
        let Ok(e) = Entry::seal_with(rule, prev, i as i64, actor, &record, &redactor) else {
            panic!("seal failed")
        };
        out.push(e);
    }
    out
}

/// Two operators' journals interleaved into one shared chain.
fn shared(rule_b: HashRule) -> Vec<StoredShared> {
    let a = local(3, "alice@one", HashRule::Full);
    let b = local(3, "bob@two", rule_b);
    let (ida, idb) = (a[0].hash.clone(), b[0].hash.clone());
    let order = [
        (&a[0], &ida),
        (&b[0], &idb),
        (&b[1], &idb),
        (&a[1], &ida),
        (&a[2], &ida),
        (&b[2], &idb),
    ];
    let mut out: Vec<SharedEntry> = Vec::new();
    for (e, id) in order {
        let prev = out.last().map(|s| (s.entry.seq, s.entry.hash.as_str()));
        out.push(seal_shared(prev, id, e));
    }
    out.iter().map(StoredShared::from).collect()
}

fn brk(rows: Vec<StoredShared>) -> ChainBreak {
    match assess_shared(rows).integrity {
        Integrity::Broken(b) => b,
        other => panic!("expected a break, got {other:?}"),
    }
}

/// Re-seals the shared chain from `from` on, as a forger with database access would.
fn reseal(rows: &mut [StoredShared]) {
    let mut prev: Option<(u64, String)> = None;
    for (i, r) in rows.iter_mut().enumerate() {
        let e = &mut r.entry;
        e.seq = i as i64 + 1;
        e.prev_hash = prev
            .as_ref()
            .map_or(GENESIS_HASH.to_string(), |p| p.1.clone());
        e.hash = SHARED_RULE.hash(
            e.seq as u64,
            e.at_ms,
            &e.actor,
            &e.kind,
            &e.body,
            &e.prev_hash,
        );
        prev = Some((e.seq as u64, e.hash.clone()));
    }
}

#[test]
fn two_operators_interleaved_verify() {
    let a = assess_shared(shared(HashRule::Full));
    assert_eq!(a.integrity, Integrity::Intact);
    assert_eq!(a.entries.len(), 6);
    assert_eq!(a.origins().len(), 2);
    assert_eq!(a.actors(), vec!["alice@one", "bob@two"]);
    assert_eq!(a.to_assessed().entries.len(), 6);
}

#[test]
fn a_schema_1_journal_keeps_its_rule_in_the_shared_chain() {
    assert_eq!(
        assess_shared(shared(HashRule::WithoutKind)).integrity,
        Integrity::Intact
    );
}

#[test]
fn a_changed_body_breaks_the_shared_chain() {
    let mut rows = shared(HashRule::Full);
    rows[2].entry.body = rows[2].entry.body.replace("note 1", "note X");
    assert_eq!(brk(rows), ChainBreak::HashMismatch { seq: 3 });
}

#[test]
fn a_changed_body_resealed_in_the_shared_chain_breaks_its_origin_seal() {
    let mut rows = shared(HashRule::Full);
    rows[2].entry.body = rows[2].entry.body.replace("note 1", "note X");
    reseal(&mut rows);
    let b = brk(rows);
    assert!(
        matches!(
            b,
            ChainBreak::OriginMismatch {
                seq: 3,
                origin_seq: 2,
                ..
            }
        ),
        "{b}"
    );
    assert!(b.to_string().contains("origin seal does not match"), "{b}");
}

#[test]
fn a_changed_origin_seq_is_caught() {
    let mut rows = shared(HashRule::Full);
    rows[3].origin_seq = 5;
    let b = brk(rows);
    assert!(
        matches!(b, ChainBreak::OriginMismatch { seq: 4, .. }),
        "{b}"
    );
}

#[test]
fn a_deleted_entry_resealed_is_caught_by_its_journal() {
    let mut rows = shared(HashRule::Full);
    rows.remove(3);
    reseal(&mut rows);
    let b = brk(rows);
    assert!(
        matches!(
            b,
            ChainBreak::OriginMismatch {
                seq: 4,
                origin_seq: 3,
                ..
            }
        ),
        "{b}"
    );
    assert!(b.to_string().contains("expected entry #2"), "{b}");
}

#[test]
fn swapped_entries_of_one_journal_resealed_are_caught() {
    let mut rows = shared(HashRule::Full);
    rows.swap(3, 4);
    reseal(&mut rows);
    let b = brk(rows);
    assert!(
        matches!(b, ChainBreak::OriginMismatch { seq: 4, .. }),
        "{b}"
    );
}

#[test]
fn a_repeated_entry_is_caught() {
    let mut rows = shared(HashRule::Full);
    let copy = rows[1].clone();
    rows.insert(2, copy);
    reseal(&mut rows);
    assert!(matches!(
        brk(rows),
        ChainBreak::OriginMismatch {
            seq: 3,
            origin_seq: 1,
            ..
        }
    ));
}

#[test]
fn a_journal_id_that_is_not_its_first_hash_is_caught() {
    let mut rows = shared(HashRule::Full);
    let other = "ab".repeat(32);
    for r in rows.iter_mut().filter(|r| r.entry.actor == "bob@two") {
        r.origin = other.clone();
    }
    let b = brk(rows);
    assert!(
        b.to_string().contains("not the hash of its first entry"),
        "{b}"
    );
    assert!(b.to_string().contains("journal abababababababab"), "{b}");
}

#[test]
fn resuming_after_verified_entries_checks_the_links() {
    let rows = shared(HashRule::Full);
    let head = (rows[2].entry.seq as u64, rows[2].entry.hash.clone());
    let mut v = SharedVerifier::resume(Some(head));
    v.know_origin(
        &rows[0].origin,
        OriginTip {
            seq: 1,
            hash: rows[0].origin_hash.clone(),
            rule: None,
        },
    );
    v.know_origin(
        &rows[1].origin,
        OriginTip {
            seq: 2,
            hash: rows[2].origin_hash.clone(),
            rule: None,
        },
    );
    rows[3..].iter().for_each(|r| v.push(r.clone()));
    let a = v.finish();
    assert_eq!(a.integrity, Integrity::Intact);
    assert_eq!(a.entries.len(), 3);

    let mut wrong = SharedVerifier::resume(Some((2, rows[1].entry.hash.clone())));
    wrong.push(rows[3].clone());
    assert!(wrong.is_broken());
}

#[test]
fn a_torn_looking_last_row_is_a_break_not_a_crash() {
    let mut rows = shared(HashRule::Full);
    rows[5].entry.hash.truncate(10);
    assert!(matches!(brk(rows), ChainBreak::Incomplete { seq: 6, .. }));
}
