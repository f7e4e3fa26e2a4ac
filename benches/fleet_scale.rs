//! A large fleet, as the operator runs it (see BENCHMARKS.md, "A 200-host fleet").
//!
//! `cargo bench --bench fleet_scale` starts the real `cockpit` binary on a pseudo-terminal
//! (200×60) with an inventory of 20, then 200 hosts, each reached over its own russh connection
//! to real OpenSSH `sshd`s on loopback (tests/support/sshd.rs; 20 of them on 127.0.0.2–21, the
//! hosts spread over them), each host with an `ssh` check and one followed log. For each size:
//!
//! 1. **First frame**: spawn → the first frame complete on the terminal.
//! 2. **Steady CPU, all hosts healthy**: once every host's connection is up (counted in
//!    `/proc/net/tcp`) and two probe rounds have passed, the child's CPU (`utime + stime` from
//!    `/proc/PID/stat`) over a quiet window, as a share of one core. Goal for 200 hosts ≤ 5 %.
//! 3. **Memory with every log buffer full**: every host's log gets `LOG_CAPACITY` + 10 % lines
//!    of 120 bytes appended (so each host's buffer in the App holds its full 5,000 lines); when
//!    the child has gone quiet, its `VmRSS` and `VmHWM`. `VmRSS` when healthy is given beside.
//!
//! Why real sshd's and not the demo fleet: the demo serves every host from one process on the
//! same runtime as nothing else, but the figures that matter here are cockpit's own cost per
//! host (a connection with keepalives, a probe per interval, a tail per log): real sshd's are
//! separate processes, so the child's CPU is cockpit's alone.
//!
//! Without `--bench` (e.g. `cargo test --benches`) a smoke version runs: 4 and 12 hosts on 2
//! sshd's, a 3 s window, 200 lines per log. Knobs: `COCKPIT_BENCH_STEADY_SECS` (30),
//! `COCKPIT_BENCH_FLEET_SIZES` (`20,200`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/sshd.rs"]
mod sshd;

#[path = "support/pty.rs"]
mod pty;
use cockpit::ui::app::LOG_CAPACITY;
use pty::{open_pty, pty_command};
use sshd::{ClientKeys, TestSshd, write_known_hosts};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;
const PROBE_INTERVAL_SECS: u64 = 5;
const LINE_BYTES: usize = 120;
const GOAL_STEADY_CPU_PCT: f64 = 5.0;
/// Hide-cursor: ratatui ends every frame with it.
const HIDE_CURSOR: &[u8] = b"\x1b[?25l";

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn host_name(i: usize) -> String {
    format!("node-{i:03}")
}

fn inventory_toml(
    servers: &[TestSshd],
    hosts: usize,
    known_hosts: &Path,
    logs: &[PathBuf],
) -> String {
    let mut out = format!(
        "# cockpit benchmark inventory (benches/fleet_scale.rs)\n\n[settings]\n\
         probe_interval_secs = {PROBE_INTERVAL_SECS}\ncheck_timeout_secs = 3\nknown_hosts = {}\n",
        quoted(&known_hosts.display().to_string())
    );
    for (i, log) in logs.iter().enumerate().take(hosts) {
        let s = &servers[i % servers.len()];
        let _ = write!(
            out,
            "\n[[hosts]]\nname = {}\naddress = {}\nport = {}\nuser = {}\nrole = \"web\"\n\
             identity_files = [{}]\nlogs = [{}]\nchecks = [{{ kind = \"ssh\" }}]\n",
            quoted(&host_name(i)),
            quoted(&s.address),
            s.port,
            quoted(&s.user),
            quoted(&s.client_key.display().to_string()),
            quoted(&log.display().to_string()),
        );
    }
    out
}

/// Sessions skip the login shell's rc files (as in benches/ssh_flood.rs).
fn skip_login_rc(server: &mut TestSshd) {
    let mut config = std::fs::OpenOptions::new()
        .append(true)
        .open(&server.config)
        .expect("open sshd_config");
    // Many hosts share one sshd here: let their connections all start at once.
    config
        .write_all(b"SetEnv SHLVL=1\nMaxStartups 300\nMaxSessions 50\n")
        .expect("append to sshd_config");
    drop(config);
    server.restart();
}

// ---------------------------------------------------------------------------------------------
// The child on a pty, and what /proc says of it
// ---------------------------------------------------------------------------------------------

struct Running {
    child: Child,
    start: Instant,
    first_frame: Arc<Mutex<Option<Instant>>>,
    stop: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<u64>>,
    _master: OwnedFd,
}

fn spawn_in_pty(program: &Path, args: &[&str], env: &[(&str, &Path)]) -> Running {
    let (master, slave) = open_pty(WIDTH, HEIGHT);
    let first_frame = Arc::new(Mutex::new(None));
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (first_frame, stop) = (Arc::clone(&first_frame), Arc::clone(&stop));
        let mut file = std::fs::File::from(master.try_clone().expect("dup pty master"));
        let raw = master.as_raw_fd();
        std::thread::spawn(move || {
            // Only the first frame is looked for; the rest is counted and dropped.
            let mut head = Vec::new();
            let mut total = 0u64;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let mut pfd = libc::pollfd {
                    fd: raw,
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd.
                if unsafe { libc::poll(&mut pfd, 1, 20) } == 0 {
                    if stop.load(Ordering::Acquire) {
                        break;
                    }
                    continue;
                }
                match file.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        total += n as u64;
                        let mut seen = first_frame.lock().unwrap_or_else(|e| e.into_inner());
                        if seen.is_none() {
                            head.extend_from_slice(&buf[..n]);
                            if head.windows(HIDE_CURSOR.len()).any(|w| w == HIDE_CURSOR) {
                                *seen = Some(Instant::now());
                                head = Vec::new();
                            }
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            total
        })
    };
    let mut cmd = pty_command(program, args, env, &slave);
    let start = Instant::now();
    let child = cmd.spawn().expect("spawn under a pty");
    drop(cmd);
    drop(slave);
    Running {
        child,
        start,
        first_frame,
        stop,
        reader: Some(reader),
        _master: master,
    }
}

impl Running {
    /// User + system CPU of the child so far.
    fn cpu(&self) -> Duration {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // Fields after the command name (which may hold spaces) start after the last ')'.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        // utime and stime are fields 14 and 15; `rest` starts at field 3.
        Duration::from_secs_f64((ticks(11) + ticks(12)) as f64 / hz)
    }

    /// A `/proc/PID/status` figure in MB.
    fn vm_mb(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim_start_matches(':').split_whitespace().next())
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }

    fn first_frame(&self) -> Option<Duration> {
        self.first_frame
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map(|t| t.duration_since(self.start))
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits until the child has used under `pct` % of a core for `quiet` in a row.
    fn settle(&mut self, pct: f64, quiet: Duration, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline && self.alive() {
            let c0 = self.cpu();
            std::thread::sleep(quiet);
            if (self.cpu() - c0).as_secs_f64() / quiet.as_secs_f64() * 100.0 < pct {
                return true;
            }
        }
        false
    }

    fn stop(mut self) -> u64 {
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stop.store(true, Ordering::Release);
        self.reader
            .take()
            .map_or(0, |r| r.join().unwrap_or_default())
    }
}

/// Established TCP connections to any of `ports` on loopback (IPv4).
fn established_to(ports: &HashSet<u16>) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let remote_port = f
                .get(2)
                .and_then(|r| r.rsplit_once(':'))
                .and_then(|(_, p)| u16::from_str_radix(p, 16).ok());
            f.get(3) == Some(&"01") && remote_port.is_some_and(|p| ports.contains(&p))
        })
        .count()
}

// ---------------------------------------------------------------------------------------------
// One fleet size
// ---------------------------------------------------------------------------------------------

struct Figures {
    hosts: usize,
    first_frame: Option<Duration>,
    all_connected: Option<Duration>,
    steady_window: Duration,
    steady_cpu: Duration,
    rss_healthy: f64,
    rss_full: f64,
    hwm: f64,
    lines: u64,
    fill_cpu: Duration,
    terminal_bytes: u64,
}

fn run_size(
    bin: &Path,
    servers: &[TestSshd],
    known_hosts: &Path,
    hosts: usize,
    steady: Duration,
    fill_lines: usize,
) -> Figures {
    let dir = tempfile::Builder::new()
        .prefix("cockpit-fleet-")
        .tempdir()
        .expect("temp dir");
    let (home, state) = (dir.path().join("home"), dir.path().join("state"));
    for d in [&home, &state, &dir.path().join("logs")] {
        std::fs::create_dir_all(d).expect("bench folders");
    }
    let logs: Vec<PathBuf> = (0..hosts)
        .map(|i| {
            dir.path()
                .join("logs")
                .join(format!("{}.log", host_name(i)))
        })
        .collect();
    for log in &logs {
        std::fs::write(log, "").expect("create log");
    }
    let inventory = dir.path().join("inventory.toml");
    std::fs::write(
        &inventory,
        inventory_toml(servers, hosts, known_hosts, &logs),
    )
    .expect("write inventory");
    let (inv, journal) = (
        inventory.display().to_string(),
        state.join("journal.db").display().to_string(),
    );
    let log_file = state.join("cockpit.log").display().to_string();
    let args = [
        "--config",
        inv.as_str(),
        "--journal",
        journal.as_str(),
        "--log-file",
        log_file.as_str(),
    ];
    let env: [(&str, &Path); 3] = [
        ("HOME", &home),
        ("XDG_CONFIG_HOME", &home),
        ("XDG_STATE_HOME", &state),
    ];
    let ports: HashSet<u16> = servers.iter().map(|s| s.port).collect();
    let mut run = spawn_in_pty(bin, &args, &env);

    let deadline = Instant::now() + Duration::from_secs(120);
    let mut all_connected = None;
    while Instant::now() < deadline && run.alive() {
        if established_to(&ports) >= hosts {
            all_connected = Some(run.start.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        all_connected.is_some(),
        "{hosts} hosts: only {} connections came up",
        established_to(&ports)
    );
    // Two probe rounds with every connection up, then a quiet window.
    std::thread::sleep(Duration::from_secs(2 * PROBE_INTERVAL_SECS));
    run.settle(20.0, Duration::from_secs(1), Duration::from_secs(30));
    let c0 = run.cpu();
    let t0 = Instant::now();
    std::thread::sleep(steady);
    let steady_cpu = run.cpu() - c0;
    let steady_window = t0.elapsed();
    let rss_healthy = run.vm_mb("VmRSS");
    assert!(run.alive(), "cockpit ended during the steady window");

    // Fill every host's log buffer.
    let c1 = run.cpu();
    let mut line = Vec::with_capacity(LINE_BYTES + 1);
    let mut lines = 0u64;
    for (h, log) in logs.iter().enumerate() {
        let mut text = Vec::with_capacity(fill_lines * (LINE_BYTES + 1));
        for seq in 0..fill_lines {
            line.clear();
            let _ = write!(
                line,
                "2026-12-06T12:00:00Z {} worker[{seq}] GET /api/v1/items?page={seq} 200 ",
                host_name(h)
            );
            line.resize(LINE_BYTES, b'.');
            line.push(b'\n');
            text.extend_from_slice(&line);
            lines += 1;
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(log)
            .and_then(|mut f| f.write_all(&text))
            .expect("append to a log");
    }
    run.settle(10.0, Duration::from_secs(2), Duration::from_secs(300));
    let fill_cpu = run.cpu() - c1;
    let (rss_full, hwm) = (run.vm_mb("VmRSS"), run.vm_mb("VmHWM"));
    let first_frame = run.first_frame();
    let bytes = run.stop();
    Figures {
        hosts,
        first_frame,
        all_connected,
        steady_window,
        steady_cpu,
        rss_healthy,
        rss_full,
        hwm,
        lines,
        fill_cpu,
        terminal_bytes: bytes,
    }
}

fn ms(d: Option<Duration>) -> String {
    d.map_or("—".to_string(), |d| {
        format!("{:.0} ms", d.as_secs_f64() * 1e3)
    })
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let sizes: Vec<usize> = std::env::var("COCKPIT_BENCH_FLEET_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| if bench { vec![20, 200] } else { vec![4, 12] });
    let steady = Duration::from_secs(
        std::env::var("COCKPIT_BENCH_STEADY_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(if bench { 30 } else { 3 }),
    );
    let fill_lines = if bench { LOG_CAPACITY * 11 / 10 } else { 200 };
    let sshds = if bench { 20 } else { 2 };
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_cockpit"));
    println!(
        "cockpit fleet-scale benchmark ({}): sizes {sizes:?}, {sshds} sshd, steady window {} s, {fill_lines} lines per log; load {}",
        if bench { "bench" } else { "smoke" },
        steady.as_secs(),
        loadavg()
    );
    let keys = ClientKeys::generate();
    let servers: Vec<TestSshd> = (0..sshds)
        .map(|i| {
            let mut s = TestSshd::start_with_keys(&format!("127.0.0.{}", 2 + i), &keys);
            skip_login_rc(&mut s);
            s
        })
        .collect();
    let dir = tempfile::Builder::new()
        .prefix("cockpit-fleet-keys-")
        .tempdir()
        .expect("temp dir");
    let known_hosts = dir.path().join("known_hosts");
    let lines: Vec<String> = servers.iter().map(TestSshd::known_hosts_line).collect();
    write_known_hosts(&known_hosts, &lines);

    let figures: Vec<Figures> = sizes
        .iter()
        .map(|&n| run_size(&bin, &servers, &known_hosts, n, steady, fill_lines))
        .collect();

    println!(
        "\n  {:>6} {:>12} {:>14} {:>13} {:>12} {:>12} {:>10} {:>11} {:>10}",
        "hosts",
        "first frame",
        "all connected",
        "steady CPU",
        "RSS healthy",
        "RSS full",
        "VmHWM",
        "fill CPU",
        "tty MB"
    );
    for f in &figures {
        println!(
            "  {:>6} {:>12} {:>14} {:>12.2}% {:>9.1} MB {:>9.1} MB {:>7.1} MB {:>9.2} s {:>7.1} MB",
            f.hosts,
            ms(f.first_frame),
            ms(f.all_connected),
            f.steady_cpu.as_secs_f64() / f.steady_window.as_secs_f64() * 100.0,
            f.rss_healthy,
            f.rss_full,
            f.hwm,
            f.fill_cpu.as_secs_f64(),
            f.terminal_bytes as f64 / 1e6,
        );
        println!(
            "  {:>6} ({} lines appended; fill CPU {:.1} µs per line)",
            "",
            f.lines,
            f.fill_cpu.as_secs_f64() * 1e6 / f.lines.max(1) as f64
        );
    }
    if let Some(big) = figures.iter().find(|f| f.hosts >= 200) {
        let pct = big.steady_cpu.as_secs_f64() / big.steady_window.as_secs_f64() * 100.0;
        println!(
            "\nGoal: steady CPU with {} healthy hosts ≤ {GOAL_STEADY_CPU_PCT:.0} % of a core: {pct:.2} % → {}",
            big.hosts,
            if pct <= GOAL_STEADY_CPU_PCT {
                "MET"
            } else {
                "NOT MET"
            }
        );
    }
    println!("load at end: {}", loadavg());
    for f in &figures {
        assert!(f.first_frame.is_some(), "{} hosts: no first frame", f.hosts);
    }
}
