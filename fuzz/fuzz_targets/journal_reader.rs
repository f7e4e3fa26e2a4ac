//! The journal reader: stored entries decoded and assessed, then read the ways `replay`,
//! `report` and `journal export` read them. Each input line is one entry's stored JSON body,
//! sealed into a correct chain so the fuzzer reaches the record decoder; the first byte may
//! then tamper with one entry. The assessment must match what was done to the chain, and no
//! reader of the verified entries may panic.
#![no_main]

use cockpit::core::export::jsonl;
use cockpit::core::journal::{
    self, ChainBreak, GENESIS_HASH, Integrity, Record, StoredEntry, entry_hash_full,
};
use cockpit::core::replay::{Timeline, describe};
use cockpit::core::report;
use libfuzzer_sys::fuzz_target;

/// A chain of `bodies` with correct sequence numbers, links and hashes.
fn sealed(bodies: &[&str]) -> Vec<StoredEntry> {
    let mut prev = GENESIS_HASH.to_string();
    let mut out = Vec::with_capacity(bodies.len());
    for (i, body) in bodies.iter().enumerate() {
        let seq = i as u64 + 1;
        let at_ms = 1_700_000_000_000 + (i as i64) * 1_000;
        let actor = "op@bastion";
        // The kind column as the store writes it; a body that is no record gets a kind of
        // its own, and fails as unreadable.
        let kind = serde_json::from_str::<Record>(body).map_or("unreadable", |r| r.kind());
        let hash = entry_hash_full(seq, at_ms, actor, kind, body, &prev);
        out.push(StoredEntry {
            seq: seq as i64,
            at_ms,
            actor: actor.to_string(),
            kind: kind.to_string(),
            body: body.to_string(),
            prev_hash: prev,
            hash: hash.clone(),
        });
        prev = hash;
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let bodies: Vec<&str> = text.split('\n').take(64).collect();
    let mut stored = sealed(&bodies);
    let readable = bodies
        .iter()
        .position(|b| serde_json::from_str::<Record>(b).is_err())
        .unwrap_or(bodies.len());

    // Selector: low 6 bits pick an entry, the top 2 what is done to it.
    let victim = usize::from(selector & 63);
    let tampered = victim < stored.len() && selector >> 6 != 0;
    if tampered {
        let e = &mut stored[victim];
        match selector >> 6 {
            1 => e.actor.push('!'),
            2 => e.at_ms = e.at_ms.wrapping_add(1),
            _ => e.body.push(' '),
        }
    }

    let assessed = journal::assess(&stored);
    assert_eq!(assessed.stored, stored.len());
    for (i, e) in assessed.entries.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1);
        assert_eq!(e.hash, stored[i].hash);
    }
    let first_bad = if tampered {
        readable.min(victim)
    } else {
        readable
    };
    assert_eq!(assessed.entries.len(), first_bad);
    match &assessed.integrity {
        Integrity::Intact => assert_eq!(first_bad, stored.len()),
        Integrity::TornTail(_) => assert_eq!(first_bad + 1, stored.len()),
        Integrity::Broken(brk) => {
            // Before the last entry always; at the last one too when its fault is not a torn
            // write.
            assert!(first_bad < stored.len());
            if tampered && victim < readable {
                assert_eq!(
                    brk,
                    &ChainBreak::HashMismatch {
                        seq: victim as i64 + 1
                    }
                );
            }
        }
    }
    assert_eq!(
        journal::verify_chain(&stored).is_ok(),
        assessed.integrity == Integrity::Intact
    );

    // The readers of verified entries.
    let mut export = Vec::new();
    if let Ok(lines) = jsonl::write(&mut export, &assessed, "fuzz.db", None) {
        let export = String::from_utf8(export).expect("the export is UTF-8");
        assert_eq!(export.lines().count(), lines + 1);
        for line in export.lines() {
            serde_json::from_str::<serde_json::Value>(line).expect("each export line is JSON");
        }
    }
    let mut incidents = std::collections::BTreeSet::new();
    for e in &assessed.entries {
        let _ = describe(e);
        incidents.extend(e.record.incident());
    }
    for id in incidents {
        let _ = jsonl::select(&assessed.entries, id);
        if let Ok(r) = report::build(&assessed, "fuzz.db", Some(id)) {
            let _ = report::to_markdown(&r);
            let _ = report::to_html(&r);
        }
    }
    if let Ok(r) = report::build(&assessed, "fuzz.db", None) {
        let _ = report::to_markdown(&r);
        let _ = report::to_html(&r);
    }
    let _ = report::stats::figures(&assessed.entries, "fuzz.db");
    let _ = report::phases::all_phases(&assessed.entries);
    let timeline = Timeline::new(assessed.entries.clone());
    let mut moment = None;
    for position in 0..=timeline.len() {
        moment = Some(timeline.moment(moment, position));
    }
    let _ = timeline.search(0, "a", true);
});
