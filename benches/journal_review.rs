//! Reviewing a 100,000-entry journal (issue 6): `read_for_review` (open, read every entry,
//! verify the whole chain) and the JSONL export, in process and through the real binary.
//! Goal: each ≤ 1 s.
//!
//! ```sh
//! cargo bench --bench journal_review
//! ```
//!
//! The journal is generated first (benches/support/journal_gen.rs: realistic records, real
//! hashes). Every run interleaves the measured operations with a baseline: reading the stored
//! entries without verifying them (`read_stored`). `COCKPIT_BENCH_JOURNAL_ENTRIES` changes the
//! size, `COCKPIT_BENCH_RUNS` the runs (default 7). Without `--bench` (as `cargo test
//! --all-targets` runs it) it does a 2,000-entry smoke run that checks the results and judges
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/journal_gen.rs"]
mod journal_gen;

use cockpit::core::export::jsonl;
use cockpit::core::journal::Integrity;
use cockpit::io::journal_store::{read_for_review, read_stored};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GOAL: Duration = Duration::from_secs(1);
const COCKPIT: &str = env!("CARGO_BIN_EXE_cockpit");

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Counts the lines written through it.
#[derive(Default)]
struct LineCount(usize);

impl Write for LineCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.iter().filter(|b| **b == b'\n').count();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `read_for_review` then the JSONL export into `out`, as `cockpit journal export` does it.
fn export_into<W: Write>(path: &Path, out: W) -> usize {
    let assessed = runtime()
        .block_on(read_for_review(path, false))
        .expect("read");
    let mut out = BufWriter::new(out);
    let n = jsonl::write(&mut out, &assessed, "journal.db", None).expect("export");
    out.flush().expect("flush");
    n
}

/// GNU time, to read the peak RSS of the cockpit process itself: `ru_maxrss` seen from this
/// process would count this process's own memory, which the child shares until its `exec`.
const GNU_TIME: &str = "/usr/bin/time";

/// Runs the cockpit binary to completion: wall time, and its peak RSS in KiB when GNU time is
/// installed (0 otherwise).
fn run_cockpit(args: &[&str]) -> (Duration, i64) {
    let with_time = Path::new(GNU_TIME).exists();
    let mut command = if with_time {
        let mut c = Command::new(GNU_TIME);
        c.args(["-f", "peak-rss-kb %M", COCKPIT]);
        c
    } else {
        Command::new(COCKPIT)
    };
    let start = Instant::now();
    let out = command
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("run cockpit");
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cockpit {args:?} failed: {stderr}");
    let rss = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("peak-rss-kb "))
        .find_map(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (elapsed, rss)
}

/// Timings of one operation.
struct Series {
    name: &'static str,
    samples: Vec<Duration>,
    peak_rss_kb: i64,
}

impl Series {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            samples: Vec::new(),
            peak_rss_kb: 0,
        }
    }

    fn median(&self) -> Duration {
        let mut s = self.samples.clone();
        s.sort();
        s.get(s.len() / 2).copied().unwrap_or_default()
    }

    fn print(&self) {
        let mut s = self.samples.clone();
        s.sort();
        let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1e3);
        let rss = if self.peak_rss_kb > 0 {
            format!("{:>8.1} MB", self.peak_rss_kb as f64 / 1024.0)
        } else {
            String::new()
        };
        println!(
            "  {:<56} {:>3} {:>9.1} {:>9.1} {:>9.1} {rss}",
            self.name,
            s.len(),
            ms(s.first()),
            ms(s.get(s.len() / 2)),
            ms(s.last()),
        );
    }
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let entries = env_or(
        "COCKPIT_BENCH_JOURNAL_ENTRIES",
        if bench { 100_000 } else { 2_000 },
    );
    let runs = if bench {
        env_or("COCKPIT_BENCH_RUNS", 7)
    } else {
        1
    };
    let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at start: {}", load().trim());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.db");
    let path_arg = path.to_str().expect("utf-8 temp path");

    let start = Instant::now();
    journal_gen::generate(&path, entries);
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!(
        "generated {entries} entries in {:.1} s: {:.1} MB",
        start.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );

    // The results are right before anything is timed.
    let assessed = runtime()
        .block_on(read_for_review(&path, false))
        .expect("read");
    assert_eq!(assessed.integrity, Integrity::Intact);
    assert_eq!(assessed.entries.len(), entries);
    let mut lines = LineCount::default();
    assert_eq!(export_into(&path, &mut lines), entries);
    assert_eq!(lines.0, entries + 1, "a header and one line per entry");
    drop(assessed);

    let mut baseline = Series::new("baseline: read_stored (no verification)");
    let mut review = Series::new("read_for_review (open + read + verify)");
    let mut export = Series::new("read_for_review + JSONL to /dev/null");
    let mut cli_verify = Series::new("`cockpit journal verify` (process)");
    let mut cli_export = Series::new("`cockpit journal export --output /dev/null` (process)");
    for _ in 0..runs {
        let t = Instant::now();
        let stored = runtime().block_on(read_stored(&path)).expect("read");
        baseline.samples.push(t.elapsed());
        assert_eq!(stored.len(), entries);

        let t = Instant::now();
        let a = runtime()
            .block_on(read_for_review(&path, false))
            .expect("read");
        review.samples.push(t.elapsed());
        assert_eq!(a.entries.len(), entries);

        let null = std::fs::File::create("/dev/null").expect("/dev/null");
        let t = Instant::now();
        export_into(&path, null);
        export.samples.push(t.elapsed());

        let (t, rss) = run_cockpit(&["journal", "verify", path_arg]);
        cli_verify.samples.push(t);
        cli_verify.peak_rss_kb = cli_verify.peak_rss_kb.max(rss);

        let (t, rss) = run_cockpit(&[
            "journal",
            "export",
            path_arg,
            "--format",
            "jsonl",
            "--output",
            "/dev/null",
        ]);
        cli_export.samples.push(t);
        cli_export.peak_rss_kb = cli_export.peak_rss_kb.max(rss);
    }

    println!(
        "\nJournal review, {entries} entries ({runs} runs, interleaved; milliseconds):\n  {:<56} {:>3} {:>9} {:>9} {:>9} {:>11}",
        "", "n", "min", "median", "max", "peak RSS"
    );
    for s in [&baseline, &review, &export, &cli_verify, &cli_export] {
        s.print();
    }
    println!("load average at the end: {}", load().trim());
    let verify_cost = review.median().saturating_sub(baseline.median());
    println!(
        "  verification over the baseline read (median): {:.1} ms",
        verify_cost.as_secs_f64() * 1e3
    );
    if !bench {
        println!("(smoke run: not `cargo bench`, figures are not meaningful)");
        return;
    }
    for (what, s) in [
        ("read_for_review", &review),
        ("export (process)", &cli_export),
    ] {
        let verdict = if s.median() <= GOAL { "MET" } else { "NOT MET" };
        println!(
            "goal {what} ≤ {GOAL:?}: {verdict} (median {:.0} ms)",
            s.median().as_secs_f64() * 1e3
        );
    }
}
