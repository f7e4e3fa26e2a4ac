//! Driving the real `cockpit` binary inside a private tmux server: start it, send keys, read
//! the screen with `capture-pane`, find and signal its process, and read its journal on disk.
//!
//! Every test gets its own [`Sandbox`] (a temporary folder used as HOME, XDG dirs and TMPDIR,
//! with the journal and log in it) and every run of cockpit its own tmux server
//! (`tmux -L <unique name>`), killed by a drop guard even when the test fails.

#![allow(dead_code)]

use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The binary under test.
pub const COCKPIT: &str = env!("CARGO_BIN_EXE_cockpit");

/// Generous deadlines: the tests must hold on a loaded two-core machine.
pub const STARTUP: Duration = Duration::from_secs(45);
/// Deadline for the screen to reflect one key press (journal write included).
pub const REACT: Duration = Duration::from_secs(20);
/// Deadline for the process to print its last lines after quitting.
pub const EXIT: Duration = Duration::from_secs(20);

/// The demo fleet's hosts, in grid order.
pub const DEMO_HOSTS: [&str; 5] = [
    "nginx-1",
    "nginx-2",
    "app-primary",
    "app-backup",
    "backup-store",
];

/// Runs `cockpit ARGS` to the end and returns its standard output; the test fails, with its
/// standard error, when it does not succeed.
pub fn cockpit_stdout(args: &[&str]) -> String {
    let out = std::process::Command::new(COCKPIT)
        .args(args)
        .output()
        .expect("run cockpit");
    assert!(
        out.status.success(),
        "cockpit {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Fails (never skips) when tmux is missing: these tests are the only proof that the real
/// binary works in a real terminal.
pub fn require_tmux() {
    match Command::new("tmux").arg("-V").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "`tmux -V` failed ({}): {}\nthe end-to-end tests need a working tmux; install it (apt-get install tmux)",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "cannot run `tmux` ({e}): the end-to-end tests need tmux on PATH; install it (apt-get install tmux)"
        ),
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A test's private folder: HOME, XDG dirs, TMPDIR, journal and log.
pub struct Sandbox {
    dir: Option<tempfile::TempDir>,
    /// The folder.
    pub root: PathBuf,
    /// The journal every run in this sandbox uses.
    pub journal: PathBuf,
    /// cockpit's log file.
    pub log: PathBuf,
    /// The cockpit binary it runs ([`COCKPIT`] unless [`Sandbox::with_binary`]).
    bin: PathBuf,
    /// What `--journal` is given instead of [`Sandbox::journal`] (a `postgres://` URL).
    journal_arg: Option<String>,
    runs: AtomicUsize,
    /// A shared journal URL: cockpit gets `--journal <url> --local-journal <journal>`.
    shared: Option<String>,
}

impl Sandbox {
    /// A fresh sandbox; `name` shows in the folder name.
    pub fn new(name: &str) -> Self {
        require_tmux();
        assert!(
            Path::new(COCKPIT).exists(),
            "the cockpit binary is missing at {COCKPIT}"
        );
        let dir = tempfile::Builder::new()
            .prefix(&format!("cockpit-e2e-{name}-"))
            .tempdir()
            .expect("create a temporary folder");
        let root = dir.path().to_path_buf();
        for sub in ["home/.config", "home/.local/state", "tmp", "tmux"] {
            std::fs::create_dir_all(root.join(sub)).expect("create sandbox folders");
        }
        Self {
            journal: root.join("journal.db"),
            log: root.join("cockpit.log"),
            root,
            dir: Some(dir),
            bin: PathBuf::from(COCKPIT),
            journal_arg: None,
            runs: AtomicUsize::new(0),
            shared: None,
        }
    }

    /// Runs cockpit with `--journal <journal>` (e.g. a shared journal's `postgres://` URL)
    /// instead of the sandbox's journal file.
    pub fn with_journal_arg(mut self, journal: &str) -> Self {
        self.journal_arg = Some(journal.to_string());
        self
    }

    /// Runs `bin` instead of the test build's cockpit (the crash trials use a release build).
    pub fn with_binary(mut self, bin: PathBuf) -> Self {
        assert!(bin.exists(), "no cockpit binary at {}", bin.display());
        self.bin = bin;
        self
    }

    /// Every run in this sandbox works on the shared journal at `url` (which may hold the
    /// password), with the sandbox's journal as its local journal.
    pub fn with_shared_journal(mut self, url: &str) -> Self {
        self.shared = Some(url.to_string());
        self
    }

    /// Starts `cockpit demo --journal <journal>` in a new tmux server of the given size.
    /// The pane runs a script that records its shell's pid, runs cockpit, prints
    /// `EXITED:<status>` and then stays open so the last lines can be read.
    pub fn start_demo(&self, width: u16, height: u16) -> Session {
        self.start_demo_with(width, height, false)
    }

    /// Like [`Sandbox::start_demo`], but cockpit runs under `setsid`: the pane's pty is its
    /// stdin/stdout but not its controlling terminal, so when the pty goes away no SIGHUP
    /// reaches it and all it sees is its terminal failing, as after a hard network drop.
    pub fn start_demo_without_controlling_tty(&self, width: u16, height: u16) -> Session {
        let found = Command::new("sh")
            .args(["-c", "command -v setsid"])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "`setsid` (util-linux) is needed on PATH for this test"
        );
        self.start_demo_with(width, height, true)
    }

    fn start_demo_with(&self, width: u16, height: u16, setsid: bool) -> Session {
        self.start_cockpit(width, height, setsid, &["demo"])
    }

    /// Starts `cockpit <args> --journal <journal> --log-file <log>` like
    /// [`Sandbox::start_demo`] does, e.g. with `--config <inventory>` against real hosts.
    pub fn start_cockpit(&self, width: u16, height: u16, setsid: bool, args: &[&str]) -> Session {
        self.start_cockpit_with_env(width, height, setsid, args, &[])
    }

    /// Like [`Sandbox::start_cockpit`], with extra environment variables exported for cockpit
    /// (e.g. an inventory's `password_env`).
    pub fn start_cockpit_with_env(
        &self,
        width: u16,
        height: u16,
        setsid: bool,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Session {
        let extra_env: String = env
            .iter()
            .map(|(k, v)| format!("export {k}={}\n", shell_quote(v)))
            .collect();
        let run = self.runs.fetch_add(1, Ordering::SeqCst);
        let script = self.root.join(format!("run-{run}.sh"));
        let shell_pid_file = self.root.join(format!("run-{run}.pid"));
        let home = self.root.join("home");
        let text = format!(
            "#!/bin/sh\n\
             echo $$ > {pidfile}\n\
             cd {root}\n\
             export HOME={home} XDG_CONFIG_HOME={config} XDG_STATE_HOME={state} TMPDIR={tmp}\n\
             export USER=tester LOGNAME=tester\n\
             unset NO_COLOR COCKPIT_LOG COCKPIT_CONFIG COCKPIT_JOURNAL\n\
             export COCKPIT_SYSTEM_CONFIG_DIR={system}\n\
             {extra_env}{setsid}{bin} {args} {journal} --log-file {log}\n\
             echo \"EXITED:$?\"\n\
             exec sleep 600\n",
            pidfile = shell_quote(&shell_pid_file.display().to_string()),
            root = shell_quote(&self.root.display().to_string()),
            home = shell_quote(&home.display().to_string()),
            config = shell_quote(&home.join(".config").display().to_string()),
            state = shell_quote(&home.join(".local/state").display().to_string()),
            tmp = shell_quote(&self.root.join("tmp").display().to_string()),
            system = shell_quote(&self.root.join("system").display().to_string()),
            setsid = if setsid { "setsid " } else { "" },
            bin = shell_quote(&self.bin.display().to_string()),
            args = args
                .iter()
                .map(|a| shell_quote(a))
                .collect::<Vec<_>>()
                .join(" "),
            journal = match &self.shared {
                None => format!(
                    "--journal {}",
                    shell_quote(
                        &self
                            .journal_arg
                            .clone()
                            .unwrap_or_else(|| self.journal.display().to_string())
                    )
                ),
                Some(url) => format!(
                    "--journal {} --local-journal {}",
                    shell_quote(url),
                    shell_quote(&self.journal.display().to_string())
                ),
            },
            log = shell_quote(&self.log.display().to_string()),
        );
        std::fs::write(&script, text).expect("write the run script");
        static SERVERS: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "cockpit-e2e-{}-{}-{}",
            std::process::id(),
            SERVERS.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let session = Session {
            socket,
            socket_dir: self.root.join("tmux"),
            shell_pid_file,
            journal: self.journal.clone(),
            log: self.log.clone(),
            cockpit_pid: None,
            server_alive: true,
        };
        let command = format!("exec sh {}", shell_quote(&script.display().to_string()));
        let out = session.tmux_raw(&[
            "new-session",
            "-d",
            "-s",
            "main",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            &command,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        session
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some(dir) = self.dir.take()
        {
            let kept = dir.keep();
            eprintln!("e2e sandbox kept for inspection: {}", kept.display());
        }
    }
}

/// One run of cockpit in its own tmux server. Dropping it kills the server and, if cockpit
/// somehow survived that, the cockpit process this session started.
pub struct Session {
    socket: String,
    /// TMUX_TMPDIR: the server's socket lives in the sandbox (tmux 3.3 leaves it behind).
    socket_dir: PathBuf,
    shell_pid_file: PathBuf,
    journal: PathBuf,
    log: PathBuf,
    cockpit_pid: Option<i32>,
    server_alive: bool,
}

impl Session {
    fn tmux_raw(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .env("TMUX_TMPDIR", &self.socket_dir)
            .env_remove("TMUX")
            .env_remove("TMUX_PANE")
            .output()
            .unwrap_or_else(|e| panic!("cannot run tmux: {e}"))
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = self.tmux_raw(args);
        if !out.status.success() {
            panic!(
                "tmux {} failed ({}): {}\n{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr),
                self.diagnostics()
            );
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends tmux key names (`Enter`, `Tab`, `Space`, `o`, …).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Types text literally (UTF-8 included). A `;` ending it is escaped: tmux would take it
    /// for the end of its command and type nothing of it.
    pub fn type_text(&self, text: &str) {
        let escaped;
        let text = match text.strip_suffix(';') {
            Some(head) => {
                escaped = format!("{head}\\;");
                escaped.as_str()
            }
            None => text,
        };
        self.tmux(&["send-keys", "-t", "main", "-l", text]);
    }

    /// Pastes text as a terminal does: `set-buffer`, then `paste-buffer -p`, which wraps it in
    /// bracketed-paste markers when the application asked for them (line breaks arrive as
    /// carriage returns, as a terminal sends them).
    pub fn paste(&self, text: &str) {
        self.tmux(&["set-buffer", "-b", "pasted", "--", text]);
        self.tmux(&["paste-buffer", "-p", "-d", "-b", "pasted", "-t", "main"]);
    }

    /// A tmux format expanded for the pane (e.g. `#{mouse_sgr_flag}`: whether the program in
    /// it asked for SGR mouse reports).
    pub fn pane_format(&self, format: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", "main", format])
            .trim()
            .to_string()
    }

    /// Clicks the left button at 0-based `column` and `row` as a terminal reports it in SGR
    /// mode (`ESC [ < 0 ; x ; y M`, then the release), written to the pane as raw bytes.
    pub fn click(&self, column: u16, row: u16) {
        for end in ['M', 'm'] {
            let report = format!("\u{1b}[<0;{};{}{end}", column + 1, row + 1);
            let hex: Vec<String> = report.bytes().map(|b| format!("{b:02x}")).collect();
            let mut args = vec!["-H"];
            args.extend(hex.iter().map(String::as_str));
            self.keys(&args);
        }
    }

    /// The visible screen, one line per row.
    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "main"])
    }

    /// The visible screen with its colours and attributes as escape sequences
    /// (`capture-pane -e`), one line per row.
    pub fn screen_ansi(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-e", "-t", "main"])
    }

    /// Resizes the window.
    pub fn resize(&self, width: u16, height: u16) {
        self.tmux(&[
            "resize-window",
            "-t",
            "main",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
    }

    /// Polls the screen every 100 ms until `ok` holds; fails with the last screen.
    ///
    /// The screen returned is a settled one (see [`Self::settled`]), so that
    /// what the caller asserts next is not read from a half-written frame.
    pub fn wait_for(&self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let (captured, screen) = self.capture_plain();
            if captured && ok(&screen) {
                let screen = self.settled(screen, &ok);
                keep_screen(what, &screen);
                return screen;
            }
            if start.elapsed() > timeout {
                panic!(
                    "timed out after {:?} waiting for: {what}\n--- last screen ---\n{screen}\n--- end of screen ---\n{}",
                    start.elapsed(),
                    self.diagnostics()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The pane's text, and whether tmux answered.
    fn capture_plain(&self) -> (bool, String) {
        let out = self.tmux_raw(&["capture-pane", "-p", "-t", "main"]);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    /// A capture can land while the terminal is still writing a frame (a
    /// dialog half drawn over the pane behind it). Captures again until two in
    /// a row agree and still satisfy `ok`, for at most a second; if the screen
    /// never settles or stops satisfying `ok`, the last screen that did is
    /// returned.
    fn settled(&self, first: String, ok: &impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(1);
        let mut last = first;
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(25));
            let (captured, next) = self.capture_plain();
            if !captured || !ok(&next) {
                break;
            }
            if next == last {
                return next;
            }
            last = next;
        }
        last
    }

    /// Waits for a regex to match the screen; returns the screen.
    pub fn wait_for_re(&self, pattern: &str, timeout: Duration) -> String {
        let re = Regex::new(pattern).expect("valid regex");
        self.wait_for(&format!("/{pattern}/"), timeout, |s| re.is_match(s))
    }

    /// Waits for the first frame and for every demo host to be probed `up`.
    pub fn wait_until_fleet_up(&self) -> String {
        let rows: Vec<Regex> = DEMO_HOSTS
            .iter()
            .map(|h| Regex::new(&format!(r"● {} +\S+ +up\b", regex::escape(h))).unwrap())
            .collect();
        self.wait_for("the Hosts grid with all 5 demo hosts `up`", STARTUP, |s| {
            s.contains("1 Hosts") && rows.iter().all(|r| r.is_match(s))
        })
    }

    /// Waits for the shell to report cockpit's exit status; returns (status, screen).
    pub fn wait_for_exit_status(&self) -> (i32, String) {
        let re = Regex::new(r"EXITED:(\d+)").unwrap();
        let screen = self.wait_for(
            "cockpit to exit (`EXITED:<status>` in the pane)",
            EXIT,
            |s| re.is_match(s),
        );
        let status = re.captures(&screen).unwrap()[1].parse().unwrap();
        (status, screen)
    }

    /// The cockpit process of this session (the child of the pane's shell).
    pub fn cockpit_pid(&mut self) -> i32 {
        if let Some(pid) = self.cockpit_pid {
            return pid;
        }
        let start = Instant::now();
        loop {
            if let Some(pid) = self.find_cockpit_pid() {
                self.cockpit_pid = Some(pid);
                return pid;
            }
            if start.elapsed() > STARTUP {
                panic!(
                    "cannot find the cockpit process of this session\n{}",
                    self.diagnostics()
                );
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn find_cockpit_pid(&self) -> Option<i32> {
        let shell: i32 = std::fs::read_to_string(&self.shell_pid_file)
            .ok()?
            .trim()
            .parse()
            .ok()?;
        let journal = self.journal.display().to_string();
        std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
            let pid: i32 = e.file_name().to_str()?.parse().ok()?;
            let (_, ppid) = proc_state(pid)?;
            if ppid != shell {
                return None;
            }
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            (cmdline.contains("cockpit") && cmdline.contains(&journal)).then_some(pid)
        })
    }

    /// Sends a signal to this session's cockpit.
    pub fn signal(&mut self, sig: i32) {
        let pid = self.cockpit_pid();
        // SAFETY: kill(2) on a pid we started and found as our pane shell's child.
        let rc = unsafe { libc::kill(pid, sig) };
        assert_eq!(
            rc,
            0,
            "kill({pid}, {sig}) failed: {}",
            std::io::Error::last_os_error()
        );
    }

    /// Kills the tmux server: the pane's tty disappears, as when SSH to the bastion drops.
    pub fn kill_server(&mut self) {
        let _ = self.tmux_raw(&["kill-server"]);
        self.server_alive = false;
    }

    /// Polls until the process is gone (or a zombie); returns how long that took, or None if
    /// it was still running at `timeout`.
    pub fn wait_for_process_exit(pid: i32, timeout: Duration) -> Option<Duration> {
        let start = Instant::now();
        loop {
            if !process_running(pid) {
                return Some(start.elapsed());
            }
            if start.elapsed() > timeout {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The tail of cockpit's log, for failure messages.
    pub fn diagnostics(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!(
            "--- cockpit log ({}) tail ---\n{}\n--- end of log ---",
            self.log.display(),
            tail.join("\n")
        )
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.server_alive {
            let _ = self.tmux_raw(&["kill-server"]);
        }
        let pid = self.cockpit_pid.or_else(|| self.find_cockpit_pid());
        if let Some(pid) = pid
            && Self::wait_for_process_exit(pid, Duration::from_secs(3)).is_none()
            && std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| {
                String::from_utf8_lossy(&c).contains(&*self.journal.to_string_lossy())
            })
        {
            eprintln!("cockpit pid {pid} survived its tmux server; sending SIGKILL");
            // SAFETY: the cockpit process this session started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// (state, ppid) from /proc/PID/stat.
fn proc_state(pid: i32) -> Option<(char, i32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Whether any thread of the process is still alive. A killed process's main thread can
/// show as a zombie while another thread is still finishing a write to the journal, so the
/// main thread's state alone is not enough to read the journal it leaves behind.
pub fn process_running(pid: i32) -> bool {
    let alive = |state: char| state != 'Z' && state != 'X';
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return matches!(proc_state(pid), Some((state, _)) if alive(state));
    };
    tasks.flatten().any(|task| {
        std::fs::read_to_string(task.path().join("stat"))
            .ok()
            .and_then(|stat| {
                let rest = stat.get(stat.rfind(')')? + 1..)?;
                rest.split_whitespace().next()?.chars().next()
            })
            .is_some_and(alive)
    })
}

/// One journal row as stored on disk.
#[derive(Debug, Clone)]
pub struct Row {
    /// Sequence number.
    pub seq: i64,
    /// Unix ms.
    pub at_ms: i64,
    /// Who.
    pub actor: String,
    /// Record kind column.
    pub kind: String,
    /// The body, parsed.
    pub body: serde_json::Value,
    /// Previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Reads every journal entry, in seq order, read-only.
pub fn read_journal(path: &Path) -> Vec<Row> {
    use sqlx::{ConnectOptions, Connection, Row as _};
    assert!(path.exists(), "no journal at {}", path.display());
    runtime().block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .connect()
            .await
            .unwrap_or_else(|e| panic!("open journal {}: {e}", path.display()));
        let rows = sqlx::query(
            "SELECT seq, at_ms, actor, kind, body, prev_hash, hash FROM entries ORDER BY seq",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("read journal {}: {e}", path.display()));
        let rows = rows
            .iter()
            .map(|r| {
                let body: String = r.get("body");
                Row {
                    seq: r.get("seq"),
                    at_ms: r.get("at_ms"),
                    actor: r.get("actor"),
                    kind: r.get("kind"),
                    body: serde_json::from_str(&body)
                        .unwrap_or_else(|e| panic!("entry body is not JSON ({e}): {body}")),
                    prev_hash: r.get("prev_hash"),
                    hash: r.get("hash"),
                }
            })
            .collect();
        let _ = conn.close().await;
        rows
    })
}

/// An inventory of one host on loopback port 1 (nothing listens) in `dir`: live mode with no
/// network.
pub fn offline_inventory(dir: &Path) -> PathBuf {
    let path = dir.join("inventory.toml");
    std::fs::write(
        &path,
        "[[hosts]]\nname = \"web-1\"\naddress = \"127.0.0.1\"\nport = 1\nrole = \"web\"\n",
    )
    .expect("write inventory");
    path
}

/// Changes one stored body in place (used on a copy, to prove `verify` notices).
pub fn tamper_body(path: &Path, seq: i64, body: &str) {
    use sqlx::{ConnectOptions, Connection};
    runtime().block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .connect()
            .await
            .expect("open journal copy");
        let done = sqlx::query("UPDATE entries SET body = ? WHERE seq = ?")
            .bind(body)
            .bind(seq)
            .execute(&mut conn)
            .await
            .expect("tamper");
        assert_eq!(done.rows_affected(), 1);
        let _ = conn.close().await;
    });
}

/// A new SQLite database in WAL mode with no tables: what a new journal file is between
/// SQLite's setup and cockpit's schema.
pub fn create_empty_wal_database(path: &Path) {
    use sqlx::{ConnectOptions, Connection};
    runtime().block_on(async {
        let conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .connect()
            .await
            .expect("create an empty database");
        let _ = conn.close().await;
    });
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    assert!(size > 0, "the empty database should have its header page");
}

/// A readable one-line-per-entry dump, for failure messages.
pub fn dump(rows: &[Row]) -> String {
    rows.iter()
        .map(|r| format!("{:>3} {:<20} {} {}", r.seq, r.kind, r.actor, r.body))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks what must hold for every journal, whatever happened: seq 1..N without gaps, each
/// entry linked to the previous one's hash, body `type` equal to the kind column, the
/// operator as actor, a session start first.
pub fn assert_journal_well_formed(rows: &[Row]) {
    assert!(!rows.is_empty(), "the journal is empty");
    let all = dump(rows);
    let mut prev = "0".repeat(64);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.seq, i as i64 + 1, "seq is not contiguous 1..N:\n{all}");
        assert_eq!(
            r.prev_hash, prev,
            "entry {} does not link to its predecessor:\n{all}",
            r.seq
        );
        assert_eq!(
            r.hash.len(),
            64,
            "entry {} hash is not SHA-256 hex:\n{all}",
            r.seq
        );
        assert_eq!(
            r.body["type"].as_str(),
            Some(r.kind.as_str()),
            "entry {} body type differs from its kind:\n{all}",
            r.seq
        );
        assert!(
            r.actor.starts_with("tester@"),
            "entry {} actor is {:?}, expected tester@<host>:\n{all}",
            r.seq,
            r.actor
        );
        assert!(
            r.at_ms > 1_600_000_000_000,
            "entry {} has a bogus time",
            r.seq
        );
        if i > 0 {
            assert!(
                r.at_ms >= rows[i - 1].at_ms,
                "entry {} goes back in time:\n{all}",
                r.seq
            );
        }
        prev = r.hash.clone();
    }
    assert_eq!(rows[0].kind, "session_started", "first entry:\n{all}");
}

/// Asserts that `wanted` kinds appear in this order (other entries may sit between them).
pub fn assert_kinds_in_order(rows: &[Row], wanted: &[&str]) {
    let mut it = rows.iter();
    for w in wanted {
        assert!(
            it.any(|r| r.kind == *w),
            "journal kinds do not include {wanted:?} in order (missing {w:?} at that point):\n{}",
            dump(rows)
        );
    }
}

/// Runs `cockpit journal verify FILE`: (exit status, stdout, stderr).
pub fn journal_verify(path: &Path) -> (i32, String, String) {
    let out = Command::new(COCKPIT)
        .args(["journal", "verify"])
        .arg(path)
        .output()
        .expect("run cockpit journal verify");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts `cockpit journal verify` says the chain is intact with `entries` entries.
pub fn assert_verifies(path: &Path, entries: usize) {
    let (code, stdout, stderr) = journal_verify(path);
    assert_eq!(
        code,
        0,
        "`cockpit journal verify {}` failed:\nstdout: {stdout}\nstderr: {stderr}",
        path.display()
    );
    let expected = format!("OK, {entries} entries, chain intact");
    assert!(
        stdout.contains(&expected),
        "`cockpit journal verify` output lacks {expected:?}:\n{stdout}"
    );
}

/// With `COCKPIT_E2E_SCREENS=DIR`, every screen a test waited for is written to DIR, numbered,
/// with what it waited for: a walk-through of the run to look at afterwards.
fn keep_screen(what: &str, screen: &str) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let Some(dir) = std::env::var_os("COCKPIT_E2E_SCREENS") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let _ = std::fs::create_dir_all(&dir);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let _ = std::fs::write(
        dir.join(format!("{:03}-{}.txt", n, std::process::id())),
        format!("waited for: {what}\n{screen}"),
    );
}
