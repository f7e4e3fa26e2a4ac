//! Start-up and render benchmarks (see BENCHMARKS.md).
//!
//! `cargo bench --bench startup_and_render` measures, in one run:
//!
//! 1. **Render**: one frame of the main screen at 200×60 on ratatui's `TestBackend`, with a
//!    50-host inventory, the shipped playbooks, an open `primary-app-down` incident and a full
//!    log view (5,000 lines, CJK and ASCII). Every frame is timed on its own, so p50/p99/max
//!    come from real per-frame samples. Baseline, interleaved in the same run: ratatui's floor,
//!    a full-screen bordered `Block` around an empty `Paragraph`, drawn the same way. Criterion
//!    then reports the means with confidence intervals for the same two (plus a variant through
//!    `CrosstermBackend` into `io::sink()`, which adds the escape-sequence encoding).
//! 2. **Start-up**: the `cockpit` binary started on a pseudo-terminal (200×60) with a 50-host
//!    inventory and `--exit-after-first-frame`. Reported: spawn → first frame complete on the
//!    terminal (the frame's trailing hide-cursor sequence read from the pty master), and spawn →
//!    process exit. Baselines, interleaved in the same run and spawned the same way:
//!    `/bin/true` and `cockpit --version`. The same start on a journal of 100,000 entries
//!    (benches/support/journal_gen.rs, the same file for every run: the operator's journal of
//!    many past incidents) is interleaved with them, so the two first-frame figures compare.
//!
//! Without `--bench` (e.g. `cargo test --benches`) it runs a short smoke version.
//! Environment knobs: `COCKPIT_BENCH_FRAMES` (default 2000), `COCKPIT_BENCH_RUNS` (default 30),
//! `COCKPIT_BENCH_STARTUP_ENTRIES` (default 100000, 2000 in the smoke run; 0 skips the
//! long-journal start-up), `COCKPIT_BENCH_OTHER_BIN=PATH` also starts another cockpit binary
//! (an earlier build, for a before/after in one run) the same way, interleaved, on both
//! journals,
//! `COCKPIT_BENCH_CRITERION=0` skips the criterion group, `COCKPIT_BENCH_SHOW=1` prints the
//! benchmarked screen, `COCKPIT_BENCH_DUMP=1` saves one start-up's terminal output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/journal_gen.rs"]
mod journal_gen;
#[path = "support/pty.rs"]
mod pty;
use cockpit::core::diagnostic::SourceFile;
use cockpit::core::health::HostState;
use cockpit::core::incident::{Workspace, new_incident_id};
use cockpit::core::inventory::{self, Inventory};
use cockpit::core::journal::{Entry, Record, StepSnapshot};
use cockpit::core::operator::Operator;
use cockpit::core::redact::Redactor;
use cockpit::io::catalog::load_playbooks;
use cockpit::io::fleet::FleetEvent;
use cockpit::io::probe::CheckOutcome;
use cockpit::io::tail::TailEvent;
use cockpit::ui::app::{App, RunMode};
use cockpit::ui::event::Event;
use cockpit::ui::theme::Theme;
use criterion::Criterion;
use pty::{check, open_pty, pty_command};
use ratatui::backend::{Backend, CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Paragraph};
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const HOSTS: usize = 50;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;
const LOG_LINES: usize = 5_000;
const GOAL_STARTUP_MS: f64 = 50.0;
const GOAL_RENDER_P99_MS: f64 = 4.0;

// ---------------------------------------------------------------------------------------------
// Shared fixtures
// ---------------------------------------------------------------------------------------------

/// Roles the shipped playbooks refer to, so every playbook validates against the inventory.
fn role_of(i: usize) -> &'static str {
    match i {
        0 => "app-primary",
        1 => "app-backup",
        2 | 3 => "nginx",
        4 => "backup-store",
        _ => ["web", "worker", "cache", "db-replica", "queue"][i % 5],
    }
}

fn host_name(i: usize) -> String {
    match i {
        0 => "app-primary".to_string(),
        1 => "app-backup".to_string(),
        _ => format!("{}-{:02}", role_of(i), i),
    }
}

/// A 50-host inventory. Checks go to port 9 on loopback (closed: refused at once); no logs are
/// tailed, so start-up measures cockpit, not `tail` processes.
fn inventory_toml(db: &Path) -> String {
    let mut out = String::from(
        "# cockpit benchmark inventory (benches/startup_and_render.rs)\n\n\
         [settings]\nprobe_interval_secs = 5\ncheck_timeout_secs = 1\n",
    );
    for i in 0..HOSTS {
        let _ = write!(
            out,
            "\n[[hosts]]\nname = \"{name}\"\naddress = \"127.0.0.1\"\nrole = \"{role}\"\n\
             transport = \"local\"\ntags = [\"bench\"]\nlogs = []\n\
             vars = {{ public_ip = \"203.0.113.{ip}\" }}\n\
             checks = [\n  {{ kind = \"tcp\", port = 9 }},\n  \
             {{ kind = \"http\", url = \"http://127.0.0.1:9/health\", expect_status = 200 }},\n]\n",
            name = host_name(i),
            role = role_of(i),
            ip = 10 + i,
        );
    }
    let _ = write!(
        out,
        "\n[[databases]]\nname = \"speed\"\ndriver = \"sqlite\"\nurl = \"sqlite://{}\"\n",
        db.display()
    );
    out
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("cockpit-bench-")
        .tempdir()
        .expect("create a temporary folder")
}

#[derive(Debug, Clone, Copy)]
struct Stats {
    n: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    mean: f64,
}

/// Nearest-rank percentiles, in milliseconds.
fn stats(samples: &[Duration]) -> Stats {
    assert!(!samples.is_empty(), "no samples");
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        let r = ((p / 100.0) * ms.len() as f64).ceil() as usize;
        ms[r.clamp(1, ms.len()) - 1]
    };
    Stats {
        n: ms.len(),
        p50: rank(50.0),
        p90: rank(90.0),
        p99: rank(99.0),
        max: ms[ms.len() - 1],
        mean: ms.iter().sum::<f64>() / ms.len() as f64,
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------
// Render
// ---------------------------------------------------------------------------------------------

const NOW_MS: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn seal_all(records: &[Record]) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let prev = out.last().map(|e| (e.seq, e.hash.clone()));
        let entry = Entry::seal(
            prev.as_ref().map(|(s, h)| (*s, h.as_str())),
            NOW_MS - 600_000 + 10_000 * i as i64,
            "oncall@bastion",
            r,
            &Redactor::default(),
        )
        .expect("seal a journal entry");
        out.push(entry);
    }
    out
}

fn outcome(label: &str, ok: bool, detail: &str, ms: u64) -> CheckOutcome {
    CheckOutcome {
        label: label.to_string(),
        ok,
        detail: detail.to_string(),
        latency: Duration::from_millis(ms),
    }
}

const LOG_TEXTS: [&str; 8] = [
    "主应用服务器 Cannot connect to database (mysql 10.0.0.11:3306): connection refused",
    "GET /api/v1/orders?page=3 502 upstream prematurely closed connection 31ms",
    "备份服务器 同步延迟 1200ms，正在重试 redis 主从复制",
    "INFO request_id=7f3a9c path=/health status=200 latency=2ms",
    "WARN pool exhausted: 64/64 connections busy, waiting 250ms",
    "ERROR 订单服务 写入失败: Cannot connect to database",
    "INFO go-api: reloaded config /wwwroot/go/go-api/config.yaml",
    "GET /static/app.3f9c1e.js 200 18422 bytes 4ms \"Mozilla/5.0 (X11; Linux x86_64)\"",
];

fn log_event(i: usize) -> Event {
    let host = host_name(i % HOSTS);
    Event::Fleet(FleetEvent::Tail(TailEvent::line(
        &host,
        "/var/log/app/app.log",
        &format!("{} #{i}", LOG_TEXTS[i % LOG_TEXTS.len()]),
    )))
}

/// The busy screen: 50 hosts probed (primary down, two degraded), an open incident part-way
/// through `primary-app-down`, a full log view.
fn build_app() -> App {
    let text = inventory_toml(Path::new("/var/lib/cockpit/speed.db"));
    let inventory: Inventory = inventory::parse(&SourceFile::new("bench-inventory.toml", text))
        .unwrap_or_else(|d| panic!("bench inventory invalid:\n{d}"));
    let (playbooks, problems) = load_playbooks(None, Some(&inventory));
    assert!(
        problems.is_empty(),
        "shipped playbooks do not validate against the bench inventory:\n{}",
        problems
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let pb = playbooks
        .iter()
        .find(|p| p.id == "primary-app-down")
        .expect("shipped playbook primary-app-down");
    let incident = new_incident_id(NOW_MS - 600_000, &[]);
    let steps: Vec<StepSnapshot> = pb.step_snapshots();
    let mut records = vec![
        Record::SessionStarted {
            version: env!("CARGO_PKG_VERSION").to_string(),
            mode: "live".to_string(),
            role: None,
        },
        Record::IncidentOpened {
            host: None,
            checkpoint_minutes: None,
            incident: incident.clone(),
            title: "主应用服务器宕机 — primary app server down".to_string(),
            severity: pb.severity,
            playbook: pb.id.clone(),
            playbook_title: pb.title.clone(),
            rto_minutes: pb.rto_minutes,
            steps: steps.clone(),
            fleet: (0..HOSTS)
                .map(|i| {
                    let state = match i {
                        0 => HostState::Down,
                        7 | 23 => HostState::Degraded,
                        _ => HostState::Up,
                    };
                    (host_name(i), state)
                })
                .collect(),
            unhealthy_since_ms: None,
        },
    ];
    let done = steps.len().min(4);
    for s in &steps[..done] {
        records.push(Record::StepCompleted {
            incident: incident.clone(),
            step: s.id.clone(),
        });
    }
    if let Some(s) = steps.get(done) {
        records.push(Record::StepSkipped {
            incident: incident.clone(),
            step: s.id.clone(),
            reason: "already checked by hand".to_string(),
        });
    }
    records.push(Record::NoteAdded {
        broadcast: false,
        incident: incident.clone(),
        text: "机房确认主机断电，备机接管中 (DC confirms power loss on primary)".to_string(),
    });
    let entries = seal_all(&records);
    let workspace = Workspace::fold(&entries);
    let theme = Theme::load("dark", None, false).0;
    let operator = Operator {
        user: "oncall".to_string(),
        host: "bastion".to_string(),
    };
    let mut app = App::new(
        RunMode::Live,
        operator,
        inventory,
        playbooks,
        workspace,
        theme,
        NOW_MS - 60_000,
    );
    app.journal_label = "/home/oncall/.local/state/cockpit/journal.db".to_string();
    assert!(app.incident().is_some(), "the incident should be open");

    // Three probe rounds, so hysteresis settles: app-primary down, two hosts degraded.
    for round in 0..3 {
        app.now_ms += 5_000;
        for i in 0..HOSTS {
            let outcomes = match i {
                0 => vec![
                    outcome("tcp:9", false, "connection refused", 1),
                    outcome(
                        "http http://127.0.0.1:9/health",
                        false,
                        "timed out after 1s",
                        1000,
                    ),
                ],
                7 | 23 => vec![
                    outcome("tcp:9", true, "open", 1),
                    outcome(
                        "http http://127.0.0.1:9/health",
                        false,
                        "503 Service Unavailable",
                        40,
                    ),
                ],
                _ => vec![
                    outcome("tcp:9", true, "open", 1 + (i as u64 + round) % 3),
                    outcome("http http://127.0.0.1:9/health", true, "200 OK", 3),
                ],
            };
            app.on_event(Event::Fleet(FleetEvent::Probed {
                host: host_name(i),
                report: cockpit::io::probe::ProbeReport {
                    outcomes,
                    metrics: None,
                },
            }));
        }
    }
    for i in 0..LOG_LINES {
        app.on_event(log_event(i));
    }
    // Journal requests raised by host transitions are never confirmed here.
    app.pending_writes = 0;
    app.now_ms = NOW_MS;
    app
}

fn draw_baseline(f: &mut ratatui::Frame<'_>) {
    f.render_widget(Paragraph::new("").block(Block::bordered()), f.area());
}

struct RenderResult {
    cockpit: Vec<Duration>,
    baseline: Vec<Duration>,
}

/// Interleaves blocks of cockpit frames and baseline frames so both see the same noise.
/// Before every cockpit frame (outside the timing) one log line arrives and the clock moves,
/// so each frame differs from the previous one, as during an incident.
fn render_samples(app: &mut App, frames: usize) -> RenderResult {
    const BLOCK: usize = 100;
    let mut term = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    let mut base = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    let mut next_line = LOG_LINES;
    let mut cockpit_frame = |app: &mut App, term: &mut Terminal<TestBackend>| {
        app.on_event(log_event(next_line));
        next_line += 1;
        app.now_ms += 250;
        let t = Instant::now();
        term.draw(|f| cockpit::ui::draw::draw(f, app))
            .expect("draw");
        t.elapsed()
    };
    let baseline_frame = |base: &mut Terminal<TestBackend>| {
        let t = Instant::now();
        base.draw(draw_baseline).expect("draw");
        t.elapsed()
    };
    // Warm-up (discarded).
    for _ in 0..BLOCK {
        black_box(cockpit_frame(app, &mut term));
        black_box(baseline_frame(&mut base));
    }
    let mut out = RenderResult {
        cockpit: Vec::with_capacity(frames),
        baseline: Vec::with_capacity(frames),
    };
    while out.cockpit.len() < frames {
        let n = BLOCK.min(frames - out.cockpit.len());
        for _ in 0..n {
            out.cockpit.push(cockpit_frame(app, &mut term));
        }
        for _ in 0..n {
            out.baseline.push(baseline_frame(&mut base));
        }
    }
    out
}

fn fixed_200x60() -> TerminalOptions {
    TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, WIDTH, HEIGHT)),
    }
}

/// Draws `iters` cockpit frames on `term`, a new log line and 250 ms between two frames;
/// returns the time spent drawing only.
fn timed_frames<B: ratatui::backend::Backend>(
    term: &mut Terminal<B>,
    app: &mut App,
    next_line: &mut usize,
    iters: u64,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        app.on_event(log_event(*next_line));
        *next_line += 1;
        app.now_ms += 250;
        let t = Instant::now();
        term.draw(|f| cockpit::ui::draw::draw(f, app))
            .expect("draw");
        total += t.elapsed();
    }
    total
}

/// Means with confidence intervals, for the same frames, from criterion.
fn criterion_render(c: &mut Criterion, app: &mut App) {
    let mut group = c.benchmark_group("render_200x60");
    let mut next_line = 2 * LOG_LINES;
    let mut term = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    group.bench_function("cockpit_testbackend", |b| {
        b.iter_custom(|iters| timed_frames(&mut term, app, &mut next_line, iters));
    });
    let mut sink = Terminal::with_options(CrosstermBackend::new(std::io::sink()), fixed_200x60())
        .expect("sink terminal");
    group.bench_function("cockpit_crossterm_sink", |b| {
        b.iter_custom(|iters| timed_frames(&mut sink, app, &mut next_line, iters));
    });
    let mut base = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    group.bench_function("baseline_block_testbackend", |b| {
        b.iter(|| {
            base.draw(draw_baseline).expect("draw");
        });
    });
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// Start-up
// ---------------------------------------------------------------------------------------------

/// Start of the alternate screen, written by `terminal::enter` together with hide-cursor.
const ALT_SCREEN: &[u8] = b"\x1b[?1049h";
/// Hide-cursor: written once on entering, and again by ratatui right after a frame's cells
/// (`Terminal::draw` with no cursor position hides the cursor and flushes). The second one
/// after `ALT_SCREEN` therefore marks the first frame as fully written to the terminal.
const HIDE_CURSOR: &[u8] = b"\x1b[?25l";

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn first_frame_end(out: &[u8]) -> Option<usize> {
    let alt = find(out, ALT_SCREEN, 0)?;
    let first_hide = find(out, HIDE_CURSOR, alt)?;
    let second = find(out, HIDE_CURSOR, first_hide + HIDE_CURSOR.len())?;
    // Some cells must lie between the two (the frame itself).
    (second > first_hide + HIDE_CURSOR.len() + 1000).then_some(second + HIDE_CURSOR.len())
}

struct PtyRun {
    to_exit: Duration,
    /// CPU time (user + system) of the child, from `wait4`: what the start costs whatever the
    /// machine's load.
    cpu: Duration,
    to_first_frame: Option<Duration>,
    status: std::process::ExitStatus,
    output: Vec<u8>,
}

/// Runs a program on a fresh 200×60 pseudo-terminal (its controlling terminal, stdin, stdout
/// and stderr), draining the master in a thread. Time starts right before `spawn`.
fn run_in_pty(program: &Path, args: &[&str], env: &[(&str, &Path)], watch_frame: bool) -> PtyRun {
    let (master, slave) = open_pty(WIDTH, HEIGHT);

    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = Arc::clone(&stop);
        let mut file = std::fs::File::from(master.try_clone().expect("dup pty master"));
        let raw = master.as_raw_fd();
        std::thread::spawn(move || {
            let mut out = Vec::with_capacity(256 * 1024);
            let mut frame_at = None;
            let mut buf = [0u8; 64 * 1024];
            loop {
                let mut pfd = libc::pollfd {
                    fd: raw,
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd.
                let ready = unsafe { libc::poll(&mut pfd, 1, 20) };
                if ready == 0 {
                    if stop.load(Ordering::Acquire) {
                        break;
                    }
                    continue;
                }
                match file.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        out.extend_from_slice(&buf[..n]);
                        if watch_frame && frame_at.is_none() && first_frame_end(&out).is_some() {
                            frame_at = Some(Instant::now());
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    // EIO: every slave descriptor is closed (the child has exited).
                    Err(_) => break,
                }
            }
            (out, frame_at)
        })
    };

    let mut cmd = pty_command(program, args, env, &slave);
    let start = Instant::now();
    #[expect(
        clippy::zombie_processes,
        reason = "reaped by wait4 in wait_with_cpu, which also reads its CPU time"
    )]
    let child = cmd.spawn().expect("spawn under a pty");
    drop(cmd); // closes the parent's copies of the slave
    drop(slave);
    let (status, cpu) = wait_with_cpu(&child);
    let to_exit = start.elapsed();
    stop.store(true, Ordering::Release);
    let (output, frame_at) = reader.join().expect("pty reader thread");
    drop(master);
    PtyRun {
        to_exit,
        cpu,
        to_first_frame: frame_at.map(|t| t.duration_since(start)),
        status,
        output,
    }
}

/// Waits for the child; its exit status and CPU time (user + system).
fn wait_with_cpu(child: &std::process::Child) -> (std::process::ExitStatus, Duration) {
    use std::os::unix::process::ExitStatusExt;
    let mut status = 0;
    // SAFETY: rusage is plain old data, filled in by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    check(
        unsafe { libc::wait4(pid, &mut status, 0, &mut usage) },
        "wait4",
    );
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1_000);
    (
        std::process::ExitStatus::from_raw(status),
        time(usage.ru_utime) + time(usage.ru_stime),
    )
}

struct StartupResult {
    cpu: Vec<Duration>,
    true_cpu: Vec<Duration>,
    first_frame: Vec<Duration>,
    exit: Vec<Duration>,
    true_exit: Vec<Duration>,
    version_exit: Vec<Duration>,
    entries_ok: usize,
    /// Spawn → first frame, → exit and CPU time of the starts on the long journal.
    long_first_frame: Vec<Duration>,
    long_exit: Vec<Duration>,
    long_cpu: Vec<Duration>,
    /// Spawn → first frame of the first start on the long journal (no resume point yet).
    long_first_start: Option<Duration>,
    /// Spawn → first frame on the long journal with its resume point removed before the start
    /// (the whole journal read before the first frame, as every start did before resume points).
    long_whole_first_frame: Vec<Duration>,
    /// Spawn → first frame of `COCKPIT_BENCH_OTHER_BIN`, fresh and long journal.
    other_first_frame: Vec<Duration>,
    other_long_first_frame: Vec<Duration>,
}

/// Removes the journal's resume point, so the next start reads the whole journal (and saves a
/// new one): the same-run baseline of a resumed start.
fn forget_resume_point(journal: &Path) {
    use sqlx::{ConnectOptions, Connection};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(journal)
            .connect()
            .await
            .expect("open the long journal");
        sqlx::query("DROP TABLE IF EXISTS resume_point")
            .execute(&mut conn)
            .await
            .expect("drop the resume point");
        conn.close().await.expect("close");
    });
}

/// Start-up samples; `long_entries` > 0 also starts, interleaved, on a journal of that many
/// entries: from its resume point, and read whole (its resume point removed first).
fn startup_samples(
    bin: &Path,
    other: Option<&Path>,
    runs: usize,
    long_entries: usize,
) -> StartupResult {
    let dir = temp_dir();
    let home = dir.path().join("home");
    let config = dir.path().join("config");
    let state = dir.path().join("state");
    for d in [&home, &config, &state] {
        std::fs::create_dir_all(d).expect("create bench folders");
    }
    let inventory = config.join("inventory.toml");
    std::fs::write(&inventory, inventory_toml(&dir.path().join("speed.db")))
        .expect("write bench inventory");
    let env: [(&str, &Path); 3] = [
        ("HOME", &home),
        ("XDG_CONFIG_HOME", &home),
        ("XDG_STATE_HOME", &state),
    ];
    let truth = Path::new("/bin/true");
    let log = state.join("cockpit.log");
    let inventory_s = inventory.display().to_string();
    let log_s = log.display().to_string();

    let long_journal = state.join("long-journal.db");
    if long_entries > 0 {
        let t = Instant::now();
        journal_gen::generate(&long_journal, long_entries);
        println!(
            "long journal: {long_entries} entries, {:.1} MB, written in {:.1} s",
            std::fs::metadata(&long_journal).map_or(0, |m| m.len()) as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
    }
    let start_with = |bin: &Path, journal: &Path| {
        let journal_s = journal.display().to_string();
        let args = [
            "--config",
            inventory_s.as_str(),
            "--journal",
            journal_s.as_str(),
            "--log-file",
            log_s.as_str(),
            "--exit-after-first-frame",
        ];
        let run = run_in_pty(bin, &args, &env, true);
        let text = String::from_utf8_lossy(&run.output);
        assert!(
            run.status.success(),
            "cockpit exited with {}; terminal output:\n{text}",
            run.status
        );
        assert!(
            run.to_first_frame.is_some(),
            "no first frame seen on the terminal ({} bytes):\n{}",
            run.output.len(),
            text.escape_debug()
        );
        run
    };
    let start_on = |journal: &Path| start_with(bin, journal);
    let cockpit_run = |i: usize| start_on(&state.join(format!("journal-{i}.db")));
    // true, --version, fresh journal, then the long journal, then the other binary on each.
    let mut kinds = vec![0, 1, 2];
    if long_entries > 0 {
        kinds.extend([3, 6]);
    }
    if other.is_some() {
        kinds.push(4);
        if long_entries > 0 {
            kinds.push(5);
        }
    }
    let variants = kinds.len();

    // Warm-up (discarded): page cache, dynamic loader, first SQLite file creation. The first
    // start on the long journal reads it whole and saves its resume point: reported apart.
    let mut long_first_start = None;
    for i in 0..3 {
        run_in_pty(truth, &[], &env, false);
        run_in_pty(bin, &["--version"], &env, false);
        cockpit_run(1_000_000 + i);
        if long_entries > 0 {
            let r = start_on(&long_journal);
            long_first_start = long_first_start.or(r.to_first_frame);
        }
        if let Some(other) = other {
            start_with(other, &state.join(format!("other-{}.db", 1_000_000 + i)));
        }
    }
    let mut out = StartupResult {
        cpu: Vec::with_capacity(runs),
        true_cpu: Vec::with_capacity(runs),
        first_frame: Vec::with_capacity(runs),
        exit: Vec::with_capacity(runs),
        true_exit: Vec::with_capacity(runs),
        version_exit: Vec::with_capacity(runs),
        entries_ok: 0,
        long_first_frame: Vec::with_capacity(runs),
        long_exit: Vec::with_capacity(runs),
        long_cpu: Vec::with_capacity(runs),
        long_first_start,
        long_whole_first_frame: Vec::with_capacity(runs),
        other_first_frame: Vec::with_capacity(runs),
        other_long_first_frame: Vec::with_capacity(runs),
    };
    for i in 0..runs {
        // Rotate the order so no variant always follows the same one.
        for k in 0..variants {
            match kinds[(i + k) % variants] {
                0 => {
                    let r = run_in_pty(truth, &[], &env, false);
                    out.true_exit.push(r.to_exit);
                    out.true_cpu.push(r.cpu);
                }
                1 => {
                    let r = run_in_pty(bin, &["--version"], &env, false);
                    assert!(r.status.success(), "cockpit --version failed");
                    out.version_exit.push(r.to_exit);
                }
                5 => {
                    let r = start_with(other.unwrap_or(bin), &long_journal);
                    out.other_long_first_frame.extend(r.to_first_frame);
                }
                4 => {
                    let r = start_with(other.unwrap_or(bin), &state.join(format!("other-{i}.db")));
                    out.other_first_frame.extend(r.to_first_frame);
                }
                6 => {
                    forget_resume_point(&long_journal);
                    let r = start_on(&long_journal);
                    out.long_whole_first_frame.extend(r.to_first_frame);
                }
                3 => {
                    let r = start_on(&long_journal);
                    out.long_first_frame.extend(r.to_first_frame);
                    out.long_exit.push(r.to_exit);
                    out.long_cpu.push(r.cpu);
                }
                _ => {
                    let r = cockpit_run(i);
                    let text = String::from_utf8_lossy(&r.output);
                    if text.contains("(3 entries)") {
                        out.entries_ok += 1;
                    }
                    out.first_frame.extend(r.to_first_frame);
                    out.exit.push(r.to_exit);
                    out.cpu.push(r.cpu);
                }
            }
        }
    }
    if std::env::var_os("COCKPIT_BENCH_DUMP").is_some() {
        let r = cockpit_run(2_000_000);
        let path = std::env::temp_dir().join("cockpit-bench-first-frame.bin");
        std::fs::write(&path, &r.output).expect("write dump");
        eprintln!(
            "terminal output of one start-up written to {}",
            path.display()
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

fn row(name: &str, s: &Stats) {
    println!(
        "  {name:<48} {:>5} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
        s.n, s.p50, s.p90, s.p99, s.max, s.mean
    );
}

fn header() {
    println!(
        "  {:<48} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "(milliseconds)", "n", "p50", "p90", "p99", "max", "mean"
    );
}

fn verdict(ok: bool, bench_mode: bool) -> &'static str {
    match (bench_mode, ok) {
        (false, _) => "not judged (smoke run)",
        (true, true) => "MET",
        (true, false) => "NOT MET",
    }
}

fn main() {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let frames = env_usize("COCKPIT_BENCH_FRAMES", if bench_mode { 2000 } else { 50 });
    let runs = env_usize("COCKPIT_BENCH_RUNS", if bench_mode { 30 } else { 2 });
    let use_criterion =
        bench_mode && std::env::var("COCKPIT_BENCH_CRITERION").as_deref() != Ok("0");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_cockpit"));

    println!(
        "cockpit benchmarks: render {frames} frames at {WIDTH}×{HEIGHT}, start-up {runs} runs"
    );
    println!("binary: {}", bin.display());

    let t = Instant::now();
    let mut app = build_app();
    println!(
        "fixture: {} hosts, {} playbooks, incident {}, {} log lines (built in {:.0} ms)",
        app.hosts.len(),
        app.playbooks.len(),
        app.incident().map_or("-", |i| i.id.as_str()),
        app.logs.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let size = TestBackend::new(WIDTH, HEIGHT).size().expect("size");
    assert_eq!((size.width, size.height), (WIDTH, HEIGHT));

    println!("\n[1/3] render: per-frame samples …");
    let render = render_samples(&mut app, frames);
    if std::env::var_os("COCKPIT_BENCH_SHOW").is_some() {
        let mut term = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
        term.draw(|f| cockpit::ui::draw::draw(f, &app))
            .expect("draw");
        println!("{}", term.backend());
    }
    let r_cockpit = stats(&render.cockpit);
    let r_base = stats(&render.baseline);

    if use_criterion {
        println!("\n[2/3] render: criterion (means with 95% CI) …");
        let mut c = Criterion::default()
            .sample_size(30)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
            .configure_from_args();
        criterion_render(&mut c, &mut app);
        c.final_summary();
    } else {
        println!("\n[2/3] render: criterion skipped");
    }

    println!("\n[3/3] start-up under a {WIDTH}×{HEIGHT} pty …");
    // A smoke run (a debug build under `cargo test`) only checks the long-journal path works.
    let long_entries = env_usize(
        "COCKPIT_BENCH_STARTUP_ENTRIES",
        if bench_mode { 100_000 } else { 2_000 },
    );
    let other = std::env::var_os("COCKPIT_BENCH_OTHER_BIN").map(PathBuf::from);
    let startup = startup_samples(&bin, other.as_deref(), runs, long_entries);
    let s_frame = stats(&startup.first_frame);
    let s_exit = stats(&startup.exit);
    let s_true = stats(&startup.true_exit);
    let s_version = stats(&startup.version_exit);

    println!("\n=== Summary ===");
    println!("\nRender, one frame at {WIDTH}×{HEIGHT} (TestBackend, terminal.draw incl. diff):");
    header();
    row("cockpit main screen (50 hosts, incident, logs)", &r_cockpit);
    row("baseline: bordered Block + empty Paragraph", &r_base);
    println!(
        "  ratio cockpit / baseline: p50 {:.1}×, p99 {:.1}×",
        r_cockpit.p50 / r_base.p50,
        r_cockpit.p99 / r_base.p99
    );

    println!("\nStart-up, spawn under a {WIDTH}×{HEIGHT} pty (fresh journal per run):");
    header();
    row("cockpit: spawn → first frame on the pty", &s_frame);
    row("cockpit: spawn → exit (frame + journal fsync)", &s_exit);
    row("baseline: /bin/true spawn → exit", &s_true);
    row("baseline: cockpit --version spawn → exit", &s_version);
    println!(
        "  first frame net of /bin/true (p50): {:.1} ms; ratio first-frame / true p50 {:.1}×, / --version p50 {:.1}×",
        s_frame.p50 - s_true.p50,
        s_frame.p50 / s_true.p50,
        s_frame.p50 / s_version.p50
    );
    let (cpu, true_cpu) = (stats(&startup.cpu), stats(&startup.true_cpu));
    row("cockpit: CPU time of the run (user+sys, wait4)", &cpu);
    row("baseline: /bin/true CPU time", &true_cpu);
    println!(
        "  journal check: {}/{} runs reported 3 entries (session start, end, and its head not signed: no quit) on exit",
        startup.entries_ok,
        startup.exit.len()
    );

    if let Some(other) = &other {
        println!("\nThe other binary, {}, interleaved:", other.display());
        header();
        row(
            "other: spawn → first frame, fresh journal",
            &stats(&startup.other_first_frame),
        );
        if !startup.other_long_first_frame.is_empty() {
            row(
                "other: spawn → first frame, long journal",
                &stats(&startup.other_long_first_frame),
            );
        }
    }
    let long = (!startup.long_first_frame.is_empty()).then(|| {
        let (frame, exit, cpu) = (
            stats(&startup.long_first_frame),
            stats(&startup.long_exit),
            stats(&startup.long_cpu),
        );
        let whole = stats(&startup.long_whole_first_frame);
        println!("\nStart-up on a journal of {long_entries} entries (one file, every run):");
        header();
        row("cockpit: spawn → first frame (from resume point)", &frame);
        row("cockpit: spawn → exit (after the writer's check)", &exit);
        row("cockpit: CPU time of the run (user+sys, wait4)", &cpu);
        row("baseline: first frame, journal read whole", &whole);
        if let Some(first) = startup.long_first_start {
            println!(
                "  the very first start (no resume point yet, warm-up): first frame {:.1} ms",
                first.as_secs_f64() * 1e3
            );
        }
        println!(
            "  first frame, long / fresh journal: p50 {:+.1} ms ({:.2}×), p90 {:+.1} ms ({:.2}×)",
            frame.p50 - s_frame.p50,
            frame.p50 / s_frame.p50,
            frame.p90 - s_frame.p90,
            frame.p90 / s_frame.p90
        );
        println!(
            "  first frame, resumed / read whole: p50 {:.2}×, p90 {:.2}×",
            frame.p50 / whole.p50,
            frame.p90 / whole.p90
        );
        frame
    });
    let startup_ok = s_frame.p90 <= GOAL_STARTUP_MS;
    let render_ok = r_cockpit.p99 <= GOAL_RENDER_P99_MS;
    println!("\nGoals:");
    println!(
        "  start-up to first frame ≤ {GOAL_STARTUP_MS:.0} ms: p50 {:.1} ms, p90 {:.1} ms, max {:.1} ms → {} (judged on p90)",
        s_frame.p50,
        s_frame.p90,
        s_frame.max,
        verdict(startup_ok, bench_mode)
    );
    println!(
        "  render p99 ≤ {GOAL_RENDER_P99_MS:.0} ms at {WIDTH}×{HEIGHT}: p99 {:.3} ms (max {:.3} ms) → {}",
        r_cockpit.p99,
        r_cockpit.max,
        verdict(render_ok, bench_mode)
    );
    if let Some(frame) = long {
        println!(
            "  start-up to first frame on a {long_entries}-entry journal ≤ {GOAL_STARTUP_MS:.0} ms: p50 {:.1} ms, p90 {:.1} ms → {} (judged on p90)",
            frame.p50,
            frame.p90,
            verdict(frame.p90 <= GOAL_STARTUP_MS, bench_mode)
        );
    }
    if !bench_mode {
        println!("\n(smoke run: not `cargo bench`, figures are not meaningful)");
    }
}
