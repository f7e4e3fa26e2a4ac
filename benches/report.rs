//! Journal review: the post-mortem of a 100,000-entry journal (issue 6; goal ≤ 1 s).
//!
//! `cargo bench --bench report` generates two journals of 100,000 entries each
//! (benches/support/journal_gen.rs, written in one transaction to a temporary SQLite file):
//! **one incident** holding every entry (the worst case for a report: ~45,000 timeline rows,
//! ~13,000 step runs with their output) and **500 incidents** of 200 entries (the report covers
//! the last one; `stats` covers all). For each, it times, per run:
//!
//! - *baseline*: `read_stored` — the rows read from SQLite, nothing verified (the floor), and
//!   `assess` of those rows in memory (hashes checked, records parsed) for the split;
//! - *read*: `read_for_review` — read, every hash checked, every record parsed;
//! - *build*: the report model of the incident;
//! - *markdown*: composing and writing the Markdown; *html*: the same as HTML; *compose*: the
//!   document both are written from, alone;
//! - *report* = read + build + markdown: what `cockpit report` does, judged against 1 s on the
//!   median run (the machine is shared; the max is printed too);
//! - *stats*: the figures of every incident (after the read).
//!
//! Beside wall-clock, read, build, Markdown and the report show their CPU time (user + system
//! of every thread, `getrusage`), which a loaded machine inflates far less; and the SHA-256 of
//! both outputs, the same before and after a change that keeps the report byte for byte.
//!
//! Baseline and pipeline alternate in each run. Without `--bench` (as `cargo test --benches`
//! runs it) it does a 2,000-entry smoke run and judges nothing. `COCKPIT_BENCH_ENTRIES` and
//! `COCKPIT_BENCH_RUNS` override the size and the number of runs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/journal_gen.rs"]
mod journal_gen;

use cockpit::core::journal::assess;
use cockpit::core::report::compose::compose;
use cockpit::core::report::stats::figures;
use cockpit::core::report::{build, to_html, to_markdown};
use cockpit::io::journal_store::{read_for_review, read_stored};
use journal_gen::Shape;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

const GOAL: Duration = Duration::from_secs(1);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Samples of one stage, in milliseconds.
#[derive(Default)]
struct Samples(Vec<f64>);

impl Samples {
    fn push(&mut self, d: Duration) {
        self.0.push(d.as_secs_f64() * 1e3);
    }

    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }

    fn p50(&self) -> f64 {
        let v = self.sorted();
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    }

    fn max(&self) -> f64 {
        self.sorted().last().copied().unwrap_or(f64::NAN)
    }
}

#[derive(Default)]
struct Stages {
    baseline: Samples,
    assess: Samples,
    read: Samples,
    build: Samples,
    markdown: Samples,
    compose: Samples,
    html: Samples,
    report: Samples,
    stats: Samples,
    /// CPU time (user + system, every thread) of read, build, Markdown and the whole report:
    /// what a loaded machine cannot inflate the way it does wall-clock.
    cpu: [Samples; 4],
}

/// User + system CPU time of this process so far (every thread).
fn cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn measure(name: &str, shape: Shape, runs: usize, judge: bool) -> bool {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.db");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let t = Instant::now();
    let written = runtime.block_on(journal_gen::write(&path, shape));
    let file_mb = std::fs::metadata(&path).map_or(0.0, |m| m.len() as f64 / 1e6);
    println!(
        "\n{name}: {written} entries, {} incidents, {file_mb:.1} MB (generated in {:.1} s)",
        shape.incidents,
        t.elapsed().as_secs_f64()
    );

    let mut s = Stages::default();
    let mut sizes = (0, 0, 0, 0);
    let mut digests = (String::new(), String::new());
    for _ in 0..runs {
        let t = Instant::now();
        let stored = runtime.block_on(read_stored(&path)).expect("read stored");
        s.baseline.push(t.elapsed());
        assert_eq!(stored.len(), shape.entries);
        let t = Instant::now();
        let checked = assess(&stored);
        s.assess.push(t.elapsed());
        assert_eq!(checked.entries.len(), shape.entries);
        drop((stored, checked));

        let (t0, c0) = (Instant::now(), cpu_time());
        let assessed = runtime
            .block_on(read_for_review(&path, false))
            .expect("the generated journal verifies");
        let (t1, c1) = (Instant::now(), cpu_time());
        let report = build(&assessed, "journal.db", None).expect("an incident");
        let (t2, c2) = (Instant::now(), cpu_time());
        let md = to_markdown(&report);
        let (t3, c3) = (Instant::now(), cpu_time());
        for (samples, d) in s.cpu.iter_mut().zip([c1 - c0, c2 - c1, c3 - c2, c3 - c0]) {
            samples.push(d);
        }
        s.read.push(t1 - t0);
        s.build.push(t2 - t1);
        s.markdown.push(t3 - t2);
        s.report.push(t3 - t0);

        let t = Instant::now();
        let html = to_html(&report);
        s.html.push(t.elapsed());

        let t = Instant::now();
        let doc = compose(&report);
        s.compose.push(t.elapsed());
        drop(doc);

        let t = Instant::now();
        let found = figures(&assessed.entries, "journal.db");
        s.stats.push(t.elapsed());
        assert_eq!(found.len(), shape.incidents);
        assert!(md.contains(&report.incident.id) && html.starts_with("<!DOCTYPE html>"));
        sizes = (
            report.timeline.len(),
            report.runs.len(),
            md.len(),
            html.len(),
        );
        digests = (digest(&md), digest(&html));
    }
    println!(
        "report of {}: {} timeline rows, {} step runs, Markdown {:.1} MB, HTML {:.1} MB",
        if shape.incidents == 1 {
            "the incident"
        } else {
            "the last incident"
        },
        sizes.0,
        sizes.1,
        sizes.2 as f64 / 1e6,
        sizes.3 as f64 / 1e6
    );
    // The output's fingerprint: a change that means to keep the report byte for byte the same
    // shows the same digests before and after, on the same generated journal.
    println!("  SHA-256 Markdown {}, HTML {}", digests.0, digests.1);
    println!(
        "  {:<44} {:>9} {:>9} {:>12}",
        "stage", "p50 ms", "max ms", "CPU p50 ms"
    );
    let [cpu_read, cpu_build, cpu_md, cpu_report] = &s.cpu;
    for (label, samples, cpu) in [
        (
            "baseline: read_stored (rows, unverified)",
            &s.baseline,
            None,
        ),
        ("  assess those rows (verify + parse)", &s.assess, None),
        (
            "read_for_review (read + verify + parse)",
            &s.read,
            Some(cpu_read),
        ),
        ("build the report model", &s.build, Some(cpu_build)),
        ("compose + write Markdown", &s.markdown, Some(cpu_md)),
        ("compose + write HTML", &s.html, None),
        ("  of which compose (the shared document)", &s.compose, None),
        ("stats: figures of every incident", &s.stats, None),
        (
            "REPORT = read_for_review + build + Markdown",
            &s.report,
            Some(cpu_report),
        ),
    ] {
        let cpu = cpu.map_or(String::new(), |c| format!("{:.1}", c.p50()));
        println!(
            "  {label:<44} {:>9.1} {:>9.1} {cpu:>12}",
            samples.p50(),
            samples.max()
        );
    }
    if !judge {
        return true;
    }
    let met = s.report.p50() <= GOAL.as_secs_f64() * 1e3;
    println!(
        "  goal: report ≤ {} ms (median of {runs} runs): {} (p50 {:.0} ms, max {:.0} ms)",
        GOAL.as_millis(),
        if met { "met" } else { "MISSED" },
        s.report.p50(),
        s.report.max()
    );
    met
}

/// The first 16 hex digits of the SHA-256 of `text`.
fn digest(text: &str) -> String {
    let hash = Sha256::digest(text.as_bytes());
    hash.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let entries = env_usize("COCKPIT_BENCH_ENTRIES", if bench { 100_000 } else { 2_000 });
    let runs = env_usize("COCKPIT_BENCH_RUNS", if bench { 10 } else { 2 });
    println!("journal review benchmark: {entries} entries, {runs} runs per journal");
    let one = measure(
        "one incident",
        Shape {
            entries,
            incidents: 1,
        },
        runs,
        bench,
    );
    let incidents = (entries / 200).max(1);
    let many = measure(
        &format!("{incidents} incidents"),
        Shape { entries, incidents },
        runs,
        bench,
    );
    if bench {
        println!(
            "\nverdict: {}",
            if one && many {
                "all goals met"
            } else {
                "a goal was MISSED"
            }
        );
    }
}
