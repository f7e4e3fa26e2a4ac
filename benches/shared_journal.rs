//! Team incidents on a shared PostgreSQL journal (issue 13): propagation between operators, and
//! the cost of an ordered append.
//!
//! ```sh
//! cargo bench --bench shared_journal
//! ```
//!
//! Five operators, each with its own local SQLite journal ([`JournalStore`]), each appending a
//! note 20 times a second for 60 s. Every entry goes the way a cockpit's does: durable in the
//! local journal (the acknowledgement), uploaded in the background to the shared journal in a
//! fresh database on the test PostgreSQL (`COCKPIT_TEST_PG_URL`) by the cockpit's own uploader,
//! announced with NOTIFY and brought down by the other four cockpits' listeners
//! (`io::shared::sync`), which hand it to the cockpit. Measured from the acknowledgement to
//! each of the other four receiving the entry: p50, p99, max (goal p99 ≤ 200 ms); entries lost
//! (goal 0) and received twice, on the receivers and in the store.
//!
//! Then, in the same run, the cost of one `append_from` (advisory lock, head read, insert,
//! notify, commit) against a bare autocommit INSERT of the same row into a plain table with the
//! same columns, interleaved one for one.
//!
//! Knobs: `COCKPIT_BENCH_TEAM_OPERATORS` (5), `COCKPIT_BENCH_TEAM_RATE` (actions per second per
//! operator, 20), `COCKPIT_BENCH_TEAM_SECONDS` (60), `COCKPIT_BENCH_TEAM_APPENDS` (appends in the
//! cost comparison, 1000). Without `--bench` (as `cargo test --all-targets` runs it) it does a
//! 3-second smoke run that checks nothing is lost and judges no goal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/dbservers.rs"]
mod dbservers;
#[path = "support/team_pipeline.rs"]
mod team_pipeline;

use cockpit::core::journal::{Entry, Record};
use cockpit::core::redact::Redactor;
use cockpit::io::journal_store::JournalStore;
use cockpit::io::shared::{SharedStore, SharedTarget};
use dbservers::{Kind, TestDb};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use team_pipeline::{Received, TeamPipeline};

const GOAL_P99: Duration = Duration::from_millis(200);
const CONNECT: Duration = Duration::from_secs(30);
/// How long the receivers may take to catch up after the last action (a busy machine).
const CATCH_UP: Duration = Duration::from_secs(60);

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// When each entry was acknowledged locally, by (origin, local seq).
type Acks = Arc<Mutex<HashMap<(String, u64), Instant>>>;

/// One operator's local journal in a folder of its own.
struct Operator {
    name: String,
    store: JournalStore,
    _dir: tempfile::TempDir,
}

async fn open_operator(name: &str) -> Operator {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, _) = JournalStore::open(&dir.path().join("journal.db"), true, Redactor::default())
        .await
        .expect("open a local journal");
    Operator {
        name: name.to_string(),
        store,
        _dir: dir,
    }
}

fn note(operator: &str, n: u64) -> Record {
    Record::NoteAdded {
        broadcast: false,
        incident: "INC-BENCH-1".into(),
        text: format!("{operator}: checked nginx upstreams, round {n}, 502s still at 3%"),
    }
}

/// Writes `count` notes at `rate` per second, each acknowledged when durable locally, then
/// handed to the uploader.
async fn operate(
    mut op: Operator,
    start: tokio::time::Instant,
    rate: u64,
    count: u64,
    acks: Acks,
    upload: tokio::sync::mpsc::UnboundedSender<Entry>,
) -> (String, u64) {
    let period = Duration::from_secs_f64(1.0 / rate as f64);
    let actor = format!("{}@bastion-bench", op.name);
    let mut origin = String::new();
    for n in 0..count {
        tokio::time::sleep_until(start + period.mul_f64(n as f64)).await;
        let entry = op
            .store
            .append(now_ms(), &actor, &note(&op.name, n))
            .await
            .expect("local append");
        let acked = Instant::now();
        if origin.is_empty() {
            origin = op.store.journal_id().unwrap_or_default().to_string();
        }
        acks.lock()
            .expect("acks")
            .insert((origin.clone(), entry.seq), acked);
        if upload.send(entry).is_err() {
            panic!("the uploader of {} stopped", op.name);
        }
    }
    op.store.close().await;
    (origin, count)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The propagation phase's findings.
struct Propagation {
    acked: u64,
    expected_deliveries: u64,
    latencies: Vec<Duration>,
    lost: u64,
    duplicates: u64,
    store_rows: i64,
    store_distinct: i64,
    elapsed: Duration,
}

async fn propagation(db: &TestDb, operators: u64, rate: u64, seconds: u64) -> Propagation {
    let target = SharedTarget {
        url: db.url.to_string(),
        password: None,
    };
    let acks: Acks = Arc::default();
    let count = rate * seconds;
    let mut pipelines = Vec::new();
    let mut writers = Vec::new();
    let mut ready = Vec::new();
    for i in 0..operators {
        let name = format!("operator-{}", i + 1);
        let op = open_operator(&name).await;
        let store = SharedStore::connect(&target, CONNECT)
            .await
            .expect("connect to the shared journal");
        let (pipeline, upload) = TeamPipeline::start(store, &target, op.store.path());
        pipelines.push(pipeline);
        ready.push((op, upload));
    }
    // Everyone is on line (listening) before the first action, as in an incident under way.
    let deadline = Instant::now() + CONNECT;
    while !pipelines.iter().all(TeamPipeline::listening) {
        assert!(Instant::now() < deadline, "the links did not come up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let start = tokio::time::Instant::now() + Duration::from_millis(200);
    for (i, (op, upload)) in ready.into_iter().enumerate() {
        // Operators act a fraction of a period apart, as people do.
        let offset = Duration::from_secs_f64(i as f64 / (operators as f64 * rate as f64));
        writers.push(tokio::spawn(operate(
            op,
            start + offset,
            rate,
            count,
            acks.clone(),
            upload,
        )));
    }
    let mut origins = Vec::new();
    for w in writers {
        origins.push(w.await.expect("operator task"));
    }
    let acked: u64 = origins.iter().map(|(_, n)| n).sum();
    // Receiver i is operator i: it must get every entry of the others, and its own back.
    let others = |i: usize| -> u64 {
        origins
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, (_, n))| n)
            .sum()
    };
    let from_others = |i: usize, p: &TeamPipeline| -> Vec<Received> {
        let own = &origins[i].0;
        p.received()
            .into_iter()
            .filter(|r| &r.key.0 != own)
            .collect()
    };
    let all_in = |(i, p): (usize, &TeamPipeline)| -> bool {
        let distinct: HashSet<(String, u64)> =
            from_others(i, p).into_iter().map(|r| r.key).collect();
        distinct.len() as u64 >= others(i)
    };
    let deadline = Instant::now() + CATCH_UP;
    while Instant::now() < deadline && !pipelines.iter().enumerate().all(all_in) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = start.elapsed();
    let acks = acks.lock().expect("acks").clone();
    let mut latencies = Vec::new();
    let mut lost = 0;
    let mut duplicates = 0;
    let mut expected_deliveries = 0;
    for (i, p) in pipelines.iter().enumerate() {
        let mut seen = HashSet::new();
        for r in from_others(i, p) {
            if !seen.insert(r.key.clone()) {
                duplicates += 1;
                continue;
            }
            if let Some(ack) = acks.get(&r.key) {
                latencies.push(r.at.saturating_duration_since(*ack));
            }
        }
        expected_deliveries += others(i);
        let missing = others(i).saturating_sub(seen.len() as u64);
        if missing > 0 {
            println!(
                "operator-{} missed {missing} of {} entries; the link reported: {:?}",
                i + 1,
                others(i),
                p.statuses()
            );
        }
        lost += missing;
    }
    for p in pipelines {
        p.stop().await;
    }
    latencies.sort();
    let store_rows = db.scalar("SELECT count(*) FROM cockpit.entries").await;
    let store_distinct = db
        .scalar("SELECT count(DISTINCT (origin, origin_seq)) FROM cockpit.entries")
        .await;
    Propagation {
        acked,
        expected_deliveries,
        latencies,
        lost,
        duplicates,
        store_rows,
        store_distinct,
        elapsed,
    }
}

/// `append_from` against a bare INSERT of the same row, interleaved.
struct AppendCost {
    append_from: Vec<Duration>,
    bare_insert: Vec<Duration>,
}

async fn append_cost(db: &TestDb, appends: u64) -> AppendCost {
    let target = SharedTarget {
        url: db.url.to_string(),
        password: None,
    };
    let store = SharedStore::connect(&target, CONNECT)
        .await
        .expect("connect to the shared journal");
    let mut op = open_operator("cost").await;
    let mut entries = Vec::new();
    for n in 0..appends {
        entries.push(
            op.store
                .append(now_ms(), "cost@bastion-bench", &note("cost", n))
                .await
                .expect("local append"),
        );
    }
    let origin = op.store.journal_id().unwrap_or_default().to_string();
    op.store.close().await;
    let plain = sqlx::PgPool::connect(db.url.as_str())
        .await
        .expect("connect for the bare INSERTs");
    sqlx::raw_sql(
        "CREATE TABLE bench_plain (seq bigint PRIMARY KEY, at_ms bigint NOT NULL,
           actor text NOT NULL, kind text NOT NULL, body text NOT NULL,
           prev_hash text NOT NULL, hash text NOT NULL, origin text NOT NULL,
           origin_seq bigint NOT NULL, origin_prev_hash text NOT NULL,
           origin_hash text NOT NULL, UNIQUE (origin, origin_seq))",
    )
    .execute(&plain)
    .await
    .expect("create the plain table");
    let mut cost = AppendCost {
        append_from: Vec::new(),
        bare_insert: Vec::new(),
    };
    let mut prev = "0".repeat(64);
    for (i, e) in entries.iter().enumerate() {
        let shared = async {
            let t = Instant::now();
            let written = store
                .append_from(&origin, std::slice::from_ref(e))
                .await
                .expect("append_from");
            assert_eq!(written.len(), 1, "one shared entry per append");
            t.elapsed()
        };
        let bare = async {
            let t = Instant::now();
            sqlx::query(
                "INSERT INTO bench_plain VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(i as i64 + 1)
            .bind(e.at_ms)
            .bind(&e.actor)
            .bind(e.record.kind())
            .bind(&e.body)
            .bind(&prev)
            .bind(&e.hash)
            .bind(&origin)
            .bind(e.seq as i64)
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .execute(&plain)
            .await
            .expect("bare insert");
            t.elapsed()
        };
        // Alternate which goes first, so neither always runs on a warmer server.
        if i % 2 == 0 {
            cost.append_from.push(shared.await);
            cost.bare_insert.push(bare.await);
        } else {
            cost.bare_insert.push(bare.await);
            cost.append_from.push(shared.await);
        }
        prev = e.hash.clone();
    }
    plain.close().await;
    cost.append_from.sort();
    cost.bare_insert.sort();
    cost
}

fn row(label: &str, sorted: &[Duration]) {
    let mean = if sorted.is_empty() {
        0.0
    } else {
        sorted.iter().map(|d| ms(*d)).sum::<f64>() / sorted.len() as f64
    };
    println!(
        "  {label:<46}{:>7}{:>10.2}{:>10.2}{:>10.2}{:>10.2}",
        sorted.len(),
        ms(percentile(sorted, 0.5)),
        ms(percentile(sorted, 0.99)),
        ms(sorted.last().copied().unwrap_or_default()),
        mean
    );
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let operators = env_or("COCKPIT_BENCH_TEAM_OPERATORS", 5).max(2);
    let rate = env_or("COCKPIT_BENCH_TEAM_RATE", 20).max(1);
    let seconds = env_or("COCKPIT_BENCH_TEAM_SECONDS", if bench { 60 } else { 3 }).max(1);
    let appends = env_or("COCKPIT_BENCH_TEAM_APPENDS", if bench { 1000 } else { 50 }).max(1);
    if std::env::var_os("COCKPIT_BENCH_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter("cockpit=debug")
            .with_writer(std::io::stderr)
            .init();
    }
    let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at start: {}", load().trim());
    println!("{operators} operators × {rate} actions/s for {seconds} s through PostgreSQL");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (p, cost) = rt.block_on(async {
        let db = TestDb::create(Kind::Postgres).await;
        let p = propagation(&db, operators, rate, seconds).await;
        let cost = append_cost(&db, appends).await;
        (p, cost)
    });
    println!("load average at end: {}", load().trim());
    println!(
        "\n{} entries acknowledged locally in {:.1} s; {} deliveries expected (each entry to the other {})",
        p.acked,
        p.elapsed.as_secs_f64(),
        p.expected_deliveries,
        operators - 1
    );
    println!(
        "  (milliseconds)                                    n       p50       p99       max      mean"
    );
    row("acknowledged → received by another operator", &p.latencies);
    row("shared append_from, one entry", &cost.append_from);
    row("baseline: bare INSERT of the same row", &cost.bare_insert);
    let ratio = ms(percentile(&cost.append_from, 0.5)) / ms(percentile(&cost.bare_insert, 0.5));
    println!("  append_from / bare INSERT, p50: {ratio:.1}×");
    println!(
        "lost: {} on the receivers; received twice: {}; in the store: {} rows, {} distinct (origin, seq), {} acknowledged",
        p.lost, p.duplicates, p.store_rows, p.store_distinct, p.acked
    );
    let stored_all = p.store_distinct as u64 == p.acked && p.store_rows == p.store_distinct;
    assert_eq!(p.lost, 0, "entries lost on the way to the other operators");
    assert_eq!(p.duplicates, 0, "entries delivered twice");
    assert!(stored_all, "the store must hold every entry exactly once");
    if bench {
        let p99 = percentile(&p.latencies, 0.99);
        let verdict = if p99 <= GOAL_P99 { "met" } else { "NOT met" };
        println!(
            "goal: propagation p99 ≤ {} ms: {:.1} ms, {verdict}; entries lost 0: met",
            GOAL_P99.as_millis(),
            ms(p99)
        );
    } else {
        println!("smoke run (no --bench): nothing lost or doubled; goals not judged");
    }
}
