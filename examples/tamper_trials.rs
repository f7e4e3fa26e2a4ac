//! Tamper trials (run by `scripts/tamper-trials.sh`): starting from a real recorded journal
//! whose heads were signed through ssh-agent (tests/fixtures/journals/signed), applies one
//! kind of tampering per trial — a byte changed in each column, deletions, swaps, re-seals,
//! appends with and without a recomputed hash, cuts, the sidecar deleted, re-signing with
//! another key or the operator's — and runs the real `cockpit journal verify` on the result,
//! without and with `--allowed-signers`. Prints a Markdown table: per kind, the trials and how
//! many each check caught (exit status 2: tampering; 1: flagged as incomplete; 0: missed).
//!
//! `COCKPIT_BIN=target/debug/cockpit cargo run --example tamper_trials -- [TRIALS_PER_KIND] [SEED]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cockpit::core::head_seal::{NAMESPACE, SidecarBlock, SignedHead};
use cockpit::core::journal::{GENESIS_HASH, HashRule, StoredEntry};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row, SqliteConnection};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURE: &str = "tests/fixtures/journals/signed";

/// A small deterministic random source (xorshift64*), so a run reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
}

async fn open(path: &Path) -> SqliteConnection {
    SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("open the copy")
}

async fn rows(c: &mut SqliteConnection) -> Vec<StoredEntry> {
    sqlx::query("SELECT seq, at_ms, actor, kind, body, prev_hash, hash FROM entries ORDER BY seq")
        .fetch_all(&mut *c)
        .await
        .expect("rows")
        .iter()
        .map(|r| StoredEntry {
            seq: r.get("seq"),
            at_ms: r.get("at_ms"),
            actor: r.get("actor"),
            kind: r.get("kind"),
            body: r.get("body"),
            prev_hash: r.get("prev_hash"),
            hash: r.get("hash"),
        })
        .collect()
}

async fn exec(c: &mut SqliteConnection, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut *c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Rewrites every row as given, numbering them 1..N and re-sealing the chain from `from` (a
/// forger who knows the algorithm).
async fn rewrite(c: &mut SqliteConnection, mut all: Vec<StoredEntry>, from: usize) {
    let mut prev = if from == 0 {
        GENESIS_HASH.to_string()
    } else {
        all[from - 1].hash.clone()
    };
    for (i, s) in all.iter_mut().enumerate().skip(from) {
        s.seq = i as i64 + 1;
        s.prev_hash = prev.clone();
        s.hash = HashRule::Full.hash(
            s.seq as u64,
            s.at_ms,
            &s.actor,
            &s.kind,
            &s.body,
            &s.prev_hash,
        );
        prev = s.hash.clone();
    }
    exec(c, "DELETE FROM entries").await;
    for s in &all {
        insert(c, s).await;
    }
}

async fn insert(c: &mut SqliteConnection, s: &StoredEntry) {
    sqlx::query("INSERT INTO entries (seq, at_ms, actor, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(s.seq)
        .bind(s.at_ms)
        .bind(&s.actor)
        .bind(&s.kind)
        .bind(&s.body)
        .bind(&s.prev_hash)
        .bind(&s.hash)
        .execute(&mut *c)
        .await
        .expect("insert");
}

async fn set(c: &mut SqliteConnection, seq: i64, column: &str, value: &str) {
    let sql = format!("UPDATE entries SET {column} = ? WHERE seq = ?");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(value)
        .bind(seq)
        .execute(&mut *c)
        .await
        .expect("update");
}

/// A change a forger would make and keep readable: another actor and a shifted time.
fn forge(row: &mut StoredEntry, rng: &mut Rng) {
    row.actor = "mallory@bastion".into();
    row.at_ms += rng.between(1, 600_000);
}

/// `text` with the character at a random position replaced by another printable one.
fn flip_char(text: &str, rng: &mut Rng, pool: &[u8]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let i = rng.below(chars.len() as u64) as usize;
    loop {
        let c = pool[rng.below(pool.len() as u64) as usize] as char;
        if c != chars[i] {
            chars[i] = c;
            return chars.into_iter().collect();
        }
    }
}

const HEX: &[u8] = b"0123456789abcdef";
const PRINTABLE: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:";

/// Signs `head` with `key` through `ssh-keygen -Y sign`: the sidecar block.
fn keygen_sign(dir: &Path, key: &Path, head: &SignedHead) -> SidecarBlock {
    // ssh-keygen refuses a private key others can read, and git keeps no file modes but 0644.
    use std::os::unix::fs::PermissionsExt;
    let private = dir.join("signing-key");
    std::fs::copy(key, &private).expect("copy the key");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let key = private.as_path();
    let msg = dir.join("head.txt");
    std::fs::write(&msg, head.message()).expect("message");
    let _ = std::fs::remove_file(dir.join("head.txt.sig"));
    let out = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-f"])
        .arg(key)
        .args(["-n", NAMESPACE])
        .arg(&msg)
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success(), "{out:?}");
    SidecarBlock {
        message: head.message(),
        armored: std::fs::read_to_string(dir.join("head.txt.sig")).expect("sig"),
    }
}

/// The kinds of tampering tried.
const KINDS: &[&str] = &[
    "byte changed: seq",
    "byte changed: at_ms",
    "byte changed: actor",
    "byte changed: kind",
    "byte changed: body",
    "byte changed: prev_hash",
    "byte changed: hash",
    "last entry's body changed",
    "last entry's hash changed",
    "entry deleted",
    "two entries swapped",
    "entry changed, chain re-sealed",
    "append, bad hash",
    "append, hash recomputed",
    "append after a signed session end, hash recomputed",
    "cut: last entries removed",
    "cut before the last signature",
    "sidecar deleted",
    "cut + sidecar deleted",
    "re-sealed, signatures removed",
    "re-sealed, re-signed with another key",
    "re-sealed, re-signed with the operator's key",
];

/// Applies tampering `kind` to the journal copy at `db` (sidecar beside it).
async fn tamper(kind: &str, db: &Path, dir: &Path, rng: &mut Rng, other_key: &Path) {
    let sigs = cockpit::io::head_sign::sidecar_path(db);
    let mut c = open(db).await;
    let all = rows(&mut c).await;
    let n = all.len() as i64;
    let pick = |rng: &mut Rng| rng.between(1, n - 1);
    match kind {
        "byte changed: seq" => {
            let s = pick(rng);
            exec(
                &mut c,
                &format!(
                    "UPDATE entries SET seq = {} WHERE seq = {s}",
                    n + 1 + rng.between(0, 100)
                ),
            )
            .await;
        }
        "byte changed: at_ms" => {
            let s = pick(rng);
            let delta = rng.between(1, 600_000) * if rng.below(2) == 0 { 1 } else { -1 };
            exec(
                &mut c,
                &format!("UPDATE entries SET at_ms = at_ms + {delta} WHERE seq = {s}"),
            )
            .await;
        }
        "byte changed: actor"
        | "byte changed: kind"
        | "byte changed: body"
        | "byte changed: prev_hash"
        | "byte changed: hash" => {
            let s = pick(rng);
            let row = &all[(s - 1) as usize];
            let (column, value) = match kind {
                "byte changed: actor" => ("actor", flip_char(&row.actor, rng, PRINTABLE)),
                "byte changed: kind" => ("kind", flip_char(&row.kind, rng, PRINTABLE)),
                "byte changed: body" => ("body", flip_char(&row.body, rng, PRINTABLE)),
                "byte changed: prev_hash" => ("prev_hash", flip_char(&row.prev_hash, rng, HEX)),
                _ => ("hash", flip_char(&row.hash, rng, HEX)),
            };
            set(&mut c, s, column, &value).await;
        }
        "last entry's body changed" => {
            let row = &all[(n - 1) as usize];
            set(&mut c, n, "body", &flip_char(&row.body, rng, PRINTABLE)).await;
        }
        "last entry's hash changed" => {
            let row = &all[(n - 1) as usize];
            set(&mut c, n, "hash", &flip_char(&row.hash, rng, HEX)).await;
        }
        "entry deleted" => {
            exec(
                &mut c,
                &format!("DELETE FROM entries WHERE seq = {}", pick(rng)),
            )
            .await;
        }
        "two entries swapped" => {
            let a = pick(rng);
            let b = if a + 1 < n { a + 1 } else { a - 1 };
            exec(
                &mut c,
                &format!(
                    "UPDATE entries SET seq = -1 WHERE seq = {a}; UPDATE entries SET seq = {a} WHERE seq = {b}; UPDATE entries SET seq = {b} WHERE seq = -1;"
                ),
            )
            .await;
        }
        "entry changed, chain re-sealed" => {
            let s = pick(rng) as usize;
            let mut all = all;
            forge(&mut all[s - 1], rng);
            rewrite(&mut c, all, s - 1).await;
        }
        "append, bad hash" | "append, hash recomputed" => {
            let last = &all[(n - 1) as usize];
            let mut s = StoredEntry {
                seq: n + 1,
                at_ms: last.at_ms + 1_000,
                actor: last.actor.clone(),
                kind: "note_added".into(),
                body: format!(
                    r#"{{"incident":"x","text":"added later {}","type":"note_added"}}"#,
                    rng.next()
                ),
                prev_hash: last.hash.clone(),
                hash: String::new(),
            };
            s.hash = if kind == "append, bad hash" {
                (0..64)
                    .map(|_| HEX[rng.below(16) as usize] as char)
                    .collect()
            } else {
                HashRule::Full.hash(
                    s.seq as u64,
                    s.at_ms,
                    &s.actor,
                    &s.kind,
                    &s.body,
                    &s.prev_hash,
                )
            };
            insert(&mut c, &s).await;
        }
        "append after a signed session end, hash recomputed" => {
            // The fixture ends with a signed clean session end; this one appends a note as if
            // the session had gone on, with a valid hash.
            let last = &all[(n - 1) as usize];
            let mut s = StoredEntry {
                seq: n + 1,
                at_ms: last.at_ms + rng.between(1, 60_000),
                actor: last.actor.clone(),
                kind: "step_completed".into(),
                body: r#"{"incident":"x","step":"y","type":"step_completed"}"#.into(),
                prev_hash: last.hash.clone(),
                hash: String::new(),
            };
            s.hash = HashRule::Full.hash(
                s.seq as u64,
                s.at_ms,
                &s.actor,
                &s.kind,
                &s.body,
                &s.prev_hash,
            );
            insert(&mut c, &s).await;
        }
        "cut: last entries removed" => {
            let k = rng.between(1, 10);
            exec(
                &mut c,
                &format!("DELETE FROM entries WHERE seq > {}", n - k),
            )
            .await;
        }
        "cut before the last signature" => {
            // Back to before the resolve (and its signature): a clean cut.
            let k = rng.between(5, 20);
            exec(
                &mut c,
                &format!("DELETE FROM entries WHERE seq > {}", n - k),
            )
            .await;
        }
        "sidecar deleted" => {
            let _ = std::fs::remove_file(&sigs);
        }
        "cut + sidecar deleted" => {
            let k = rng.between(1, 10);
            exec(
                &mut c,
                &format!("DELETE FROM entries WHERE seq > {}", n - k),
            )
            .await;
            let _ = std::fs::remove_file(&sigs);
        }
        "re-sealed, signatures removed"
        | "re-sealed, re-signed with another key"
        | "re-sealed, re-signed with the operator's key" => {
            let mut kept: Vec<StoredEntry> = all
                .into_iter()
                .filter(|r| r.kind != "head_signed" && r.kind != "head_not_signed")
                .collect();
            let s = rng.between(2, kept.len() as i64 - 1) as usize;
            forge(&mut kept[s - 1], rng);
            rewrite(&mut c, kept.clone(), 0).await;
            let all = rows(&mut c).await;
            let _ = std::fs::remove_file(&sigs);
            let key = match kind {
                "re-sealed, re-signed with another key" => Some(other_key.to_path_buf()),
                "re-sealed, re-signed with the operator's key" => {
                    Some(PathBuf::from(FIXTURE).join("operator"))
                }
                _ => None,
            };
            if let (Some(key), Some(last)) = (key, all.last()) {
                let head = SignedHead {
                    journal: all[0].hash.clone(),
                    seq: last.seq as u64,
                    hash: last.hash.clone(),
                };
                let block = keygen_sign(dir, &key, &head);
                std::fs::write(&sigs, block.text()).expect("sidecar");
            }
        }
        other => panic!("unknown kind {other}"),
    }
    c.close().await.expect("close");
}

/// Runs `cockpit journal verify`: exit status and the label of its first finding.
fn verify(db: &Path, allowed: Option<&Path>) -> (i32, String) {
    let bin = std::env::var_os("COCKPIT_BIN").unwrap_or_else(|| "target/debug/cockpit".into());
    let mut cmd = Command::new(bin);
    cmd.args(["journal", "verify"]).arg(db);
    if let Some(a) = allowed {
        cmd.arg("--allowed-signers").arg(a);
    }
    let out = cmd.output().expect("run cockpit");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    const LABELS: &[&str] = &[
        "BROKEN",
        "TORN",
        "RE-SEALED",
        "CUT",
        "OTHER JOURNAL",
        "UNKNOWN SIGNER",
        "BAD SIGNATURE",
        "APPENDED AFTER A SIGNED END",
        "NOT COVERED",
        "NOT SIGNED",
        "SIDECAR INCOMPLETE",
        "SIGNATURE MISSING",
        "no sidecar file",
        "UNSIGNED",
        "error",
    ];
    let label = LABELS
        .iter()
        .filter(|l| text.contains(*l))
        .copied()
        .collect::<Vec<_>>()
        .join(" + ");
    (out.status.code().unwrap_or(-1), label)
}

#[derive(Default)]
struct Tally {
    trials: usize,
    by_code: [usize; 3],
    how: BTreeMap<String, usize>,
}

impl Tally {
    fn add(&mut self, code: i32, how: String) {
        self.trials += 1;
        self.by_code[code.clamp(0, 2) as usize] += 1;
        if code != 0 {
            *self.how.entry(how).or_default() += 1;
        }
    }
    fn cell(&self) -> String {
        let caught = self.by_code[1] + self.by_code[2];
        let mut how: Vec<(&String, &usize)> = self.how.iter().collect();
        how.sort_by(|a, b| b.1.cmp(a.1));
        let how = how
            .iter()
            .take(2)
            .map(|(h, _)| h.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        format!(
            "{caught}/{} ({} as tampering, {} as incomplete){}",
            self.trials,
            self.by_code[2],
            self.by_code[1],
            if how.is_empty() {
                String::new()
            } else {
                format!(": {how}")
            }
        )
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let per_kind: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let seed: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0x5EED_0012);
    let mut rng = Rng(seed | 1);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let fixture = PathBuf::from(FIXTURE);
    let allowed = fixture.join("allowed_signers");
    let keys = tempfile::tempdir().expect("dir");
    let other_key = keys.path().join("mallory");
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "mallory", "-f"])
        .arg(&other_key)
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success());

    let (code, _) = verify(&fixture.join("drill.db"), Some(&allowed));
    assert_eq!(code, 0, "the untouched fixture must verify");
    println!(
        "| Tampering | Trials | Chain alone (`verify`) | With signatures (`verify --allowed-signers`) |"
    );
    println!("|---|---|---|---|");
    let mut totals = (0, 0, 0);
    for kind in KINDS {
        let (mut chain, mut signed) = (Tally::default(), Tally::default());
        for _ in 0..per_kind {
            let dir = tempfile::tempdir().expect("dir");
            let db = dir.path().join("drill.db");
            std::fs::copy(fixture.join("drill.db"), &db).expect("copy");
            std::fs::copy(
                fixture.join("drill.db.sigs"),
                dir.path().join("drill.db.sigs"),
            )
            .expect("copy sigs");
            rt.block_on(tamper(kind, &db, dir.path(), &mut rng, &other_key));
            let (code, how) = verify(&db, None);
            chain.add(code, how);
            let (code, how) = verify(&db, Some(&allowed));
            signed.add(code, how);
        }
        totals.0 += chain.trials;
        totals.1 += chain.by_code[1] + chain.by_code[2];
        totals.2 += signed.by_code[1] + signed.by_code[2];
        println!(
            "| {kind} | {per_kind} | {} | {} |",
            chain.cell(),
            signed.cell()
        );
    }
    println!(
        "\n{} trials (seed {seed:#x}): the chain alone caught {}, with signatures {}.",
        totals.0, totals.1, totals.2
    );
}
