//! `cockpit journal export --format jsonl` through the real binary, on the journal of a real
//! demo drill: the golden export, a re-verification of the hash chain from the exported lines
//! alone (as docs/journal-jsonl.md tells a reader to do it), `--incident` and `--output`.

use crate::support::journal_files;

use journal_files::{DRILL, cockpit, drill_copy, foreign_sqlite, root};
use serde_json::Value;
use sha2::{Digest, Sha256};

const INCIDENT: &str = "INC-20261121-2026";

fn export(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["journal", "export"];
    all.extend_from_slice(args);
    cockpit(&all)
}

/// The hash of an entry as docs/journal-jsonl.md defines it: SHA-256 over five parts, each
/// preceded by its length in bytes as 8 bytes big-endian.
fn documented_hash(
    seq: u64,
    at_ms: i64,
    actor: &str,
    kind: Option<&str>,
    body: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    let kind = kind.map(str::to_string);
    for part in [
        Some(seq.to_string()),
        Some(at_ms.to_string()),
        Some(actor.to_string()),
        kind,
        Some(body.to_string()),
        Some(prev_hash.to_string()),
    ]
    .into_iter()
    .flatten()
    {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Re-verifies a whole-journal export from its lines alone; the number of entries, or the
/// first thing wrong.
fn reverify(text: &str) -> Result<u64, String> {
    let mut lines = text.lines();
    let header: Value = serde_json::from_str(lines.next().ok_or("no header")?)
        .map_err(|e| format!("header: {e}"))?;
    if header["format"] != "cockpit-journal-jsonl" || header["version"] != 2 {
        return Err(format!("not a version 2 export: {header}"));
    }
    let mut prev = "0".repeat(64);
    let mut seq = 0u64;
    for line in lines {
        let e: Value = serde_json::from_str(line).map_err(|err| format!("{err}: {line}"))?;
        seq += 1;
        let field = |k: &str| e[k].as_str().ok_or(format!("#{seq}: no {k}"));
        if e["seq"].as_u64() != Some(seq) {
            return Err(format!("expected seq {seq}, found {}", e["seq"]));
        }
        if field("prev_hash")? != prev {
            return Err(format!("#{seq} does not link to the entry before it"));
        }
        let at_ms = e["at_ms"].as_i64().ok_or("no at_ms")?;
        let kind = match header["hash_rule"].as_str() {
            Some("all_columns") => Some(field("kind")?),
            Some("without_kind") => None,
            other => return Err(format!("unknown hash rule {other:?}")),
        };
        let hash = documented_hash(
            seq,
            at_ms,
            field("actor")?,
            kind,
            field("body")?,
            field("prev_hash")?,
        );
        if hash != field("hash")? {
            return Err(format!("#{seq}: content does not match its hash"));
        }
        let record: Value = serde_json::from_str(field("body")?).map_err(|e| e.to_string())?;
        if record != e["record"] || record["type"] != e["kind"] {
            return Err(format!("#{seq}: record and body differ"));
        }
        if e["incident"] != record.get("incident").cloned().unwrap_or(Value::Null) {
            return Err(format!("#{seq}: incident differs from the record's"));
        }
        let at = chrono::DateTime::from_timestamp_millis(at_ms).ok_or("at_ms out of range")?;
        if e["at"] != at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string() {
            return Err(format!("#{seq}: at {} is not at_ms {at_ms}", e["at"]));
        }
        prev = hash;
    }
    if header["entries"].as_u64() != Some(seq) || header["head_seq"].as_u64() != Some(seq) {
        return Err(format!(
            "the header counts {}, found {seq}",
            header["entries"]
        ));
    }
    if header["head"] != prev.as_str() {
        return Err("the last entry's hash is not the header's head".into());
    }
    Ok(seq)
}

#[test]
fn the_drill_journal_exports_as_the_golden_jsonl() {
    let (code, out, err) = export(&[DRILL, "--format", "jsonl"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "", "an intact export to stdout says nothing else");
    insta::assert_snapshot!("drill_seed001_jsonl", out);
}

#[test]
fn the_exported_lines_alone_re_verify_the_hash_chain() {
    let (code, out, err) = export(&[DRILL, "--format", "jsonl"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(reverify(&out), Ok(87));
    // A journal written now hashes every column, the kind too; the header says so.
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.db");
    journal_files::rt().block_on(journal_files::journal_with(&fresh, 5));
    let (code, fresh_out, err) = export(&[&fresh.to_string_lossy(), "--format", "jsonl"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(reverify(&fresh_out), Ok(5));
    assert!(
        fresh_out.contains(r#""hash_rule":"all_columns""#),
        "{fresh_out}"
    );
    assert!(out.contains(r#""hash_rule":"without_kind""#));
    let header: Value = serde_json::from_str(out.lines().next().unwrap_or_default()).unwrap();
    assert_eq!(header["integrity"], "intact");
    assert_eq!(header["verified"], true);
    assert_eq!(header["problem"], Value::Null);
    // The head agrees with what `verify` prints.
    let (_, verified, _) = cockpit(&["journal", "verify", DRILL]);
    assert!(
        verified.contains(&format!("head {}", header["head"].as_str().unwrap())),
        "{verified}"
    );

    // The re-verification can fail: one changed character, a dropped line, two lines swapped.
    let lines: Vec<&str> = out.lines().collect();
    let changed = out.replace("DBA paged", "DBA asleep");
    assert_ne!(changed, out);
    assert_eq!(
        reverify(&changed),
        Err("#4: content does not match its hash".into())
    );
    // `record` is a convenience copy of `body`: a reader checks they agree.
    let record_only = out.replacen("DBA paged", "DBA asleep", 1);
    assert_eq!(
        reverify(&record_only),
        Err("#4: record and body differ".into())
    );
    let mut dropped = lines.clone();
    dropped.remove(10);
    assert_eq!(
        reverify(&dropped.join("\n")),
        Err("expected seq 10, found 11".into())
    );
    let mut swapped = lines.clone();
    swapped.swap(20, 21);
    assert_eq!(
        reverify(&swapped.join("\n")),
        Err("expected seq 20, found 21".into())
    );
    let cut = lines[..lines.len() - 1].join("\n");
    assert_eq!(reverify(&cut), Err("the header counts 87, found 86".into()));
}

#[test]
fn one_incident_keeps_its_entries_and_the_unattributed_ones_around_it() {
    let (code, out, err) = export(&[DRILL, "--format", "jsonl", "--incident", INCIDENT]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["incident"], INCIDENT);
    assert_eq!(lines[0]["entries"], lines.len() - 1);
    let kinds: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    // The session start and the drill fault before the opening belong to it; the session's
    // end after the resolution does not.
    assert_eq!(
        kinds[..3],
        ["session_started", "fault_injected", "incident_opened"]
    );
    assert_eq!(kinds.last(), Some(&"incident_resolved"));
    assert_eq!(kinds.len(), 86);
    for l in &lines[1..] {
        assert!(
            l["incident"] == INCIDENT || l["incident"] == Value::Null,
            "{l}"
        );
    }

    let (code, out, err) = export(&[DRILL, "--format", "jsonl", "--incident", "INC-X"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(
        err,
        format!(
            "error: no incident INC-X in the verified entries of this journal; it opens {INCIDENT}\n"
        )
    );
}

#[test]
fn output_goes_to_a_file_written_whole_and_never_over_a_journal() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("drill.jsonl");
    let target_arg = target.to_str().unwrap();
    let (code, out, err) = export(&[DRILL, "--format", "jsonl", "--output", target_arg]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(
        err,
        format!("exported 87 entries of {DRILL} to {target_arg}.\n")
    );
    let (_, stdout_export, _) = export(&[DRILL, "--format", "jsonl"]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), stdout_export);

    // A failed export leaves the old file as it was, and no temporary file behind.
    let (code, _, err) = export(&[
        DRILL,
        "--format",
        "jsonl",
        "--incident",
        "INC-X",
        "--output",
        target_arg,
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), stdout_export);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["drill.jsonl"]);

    // The journal itself, by its name or through a hard link, and any SQLite file are refused.
    let journal = drill_copy(dir.path(), None);
    let before = std::fs::read(&journal).unwrap();
    let link = dir.path().join("link.jsonl");
    std::fs::hard_link(&journal, &link).unwrap();
    let journal_arg = journal.to_str().unwrap();
    for target in [journal_arg, link.to_str().unwrap()] {
        let (code, out, err) = export(&[journal_arg, "--format", "jsonl", "--output", target]);
        assert_eq!((code, out.as_str()), (2, ""), "{err}");
        assert_eq!(
            err,
            format!(
                "error: --output {target} is the journal itself; refusing to overwrite it. Name another file\n"
            )
        );
    }
    assert_eq!(std::fs::read(&journal).unwrap(), before);
    let other = dir.path().join("other.db");
    foreign_sqlite(&other);
    let other_arg = other.to_str().unwrap();
    let (code, _, err) = export(&[DRILL, "--format", "jsonl", "--output", other_arg]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        format!(
            "error: --output {other_arg} is a SQLite database (a journal?); refusing to overwrite it. Name another file\n"
        )
    );

    // A device is written directly, never replaced by a rename.
    let (code, _, err) = export(&[DRILL, "--format", "jsonl", "--output", "/dev/null"]);
    assert_eq!(code, 0, "{err}");
    let null = std::fs::metadata("/dev/null").unwrap();
    assert!(
        std::os::unix::fs::FileTypeExt::is_char_device(&null.file_type()),
        "/dev/null is still a device"
    );

    // A folder that does not exist is named.
    let nowhere = dir.path().join("missing/out.jsonl");
    let (code, _, err) = export(&[
        DRILL,
        "--format",
        "jsonl",
        "--output",
        nowhere.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!("error: {}: ", nowhere.display()))
            && err.contains("No such file or directory"),
        "{err}"
    );
}

#[test]
fn the_format_is_required_and_checked() {
    let (code, _, err) = export(&[DRILL, "--format", "csv"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("invalid value 'csv' for '--format <FORMAT>'")
            && err.contains("[possible values: jsonl, asciicast]"),
        "{err}"
    );
    let (code, _, err) = export(&[DRILL]);
    assert_eq!(code, 2);
    assert!(err.contains("--format <FORMAT>"), "{err}");
    assert!(root().join(DRILL).exists());
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["journal", "export", DRILL, "--format", "jsonl"])
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe is closed here: the 66 kB export does not fit in it (64 KiB), so cockpit is
    // still writing when it goes.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(first.starts_with(b"{\"format\":\"cockpit-journal-jsonl\""));
}
