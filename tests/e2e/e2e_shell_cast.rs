//! A recorded shell exported with `cockpit journal export --format asciicast --session N`,
//! played by asciinema's own player in a real terminal (tmux): proof the file is a cast
//! asciinema reads, not only one our parser accepts.

use crate::support::journal_files::{UNECHOED_PASSWORD, rt, shell_records, write_records};
use crate::support::tmux::{REACT, require_tmux};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Fails (never skips) when asciinema is missing: scripts/test.sh installs it.
fn require_asciinema() {
    match Command::new("asciinema").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "`asciinema --version` failed ({}): {}\nthis test plays an exported shell in asciinema's own player; install it (scripts/test.sh does: apt-get install asciinema)",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "cannot run `asciinema` ({e}): this test plays an exported shell in asciinema's own player; install it (scripts/test.sh does: apt-get install asciinema)"
        ),
    }
}

/// A private tmux server, killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn new() -> Self {
        Self {
            socket: format!("cockpit-shell-cast-{}", std::process::id()),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// Runs `command` in a new 120×40 session named `name`.
    fn start(&self, name: &str, command: &str) {
        let out = self.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "120",
            "-y",
            "40",
            command,
        ]);
        assert!(
            out.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn screen(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", name]).stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// Waits until `ready` holds, for at most [`REACT`].
fn wait_until(what: &str, ready: impl Fn() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < REACT, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

#[test]
fn asciinema_plays_an_exported_shell_cast() {
    require_tmux();
    require_asciinema();
    let dir = tempfile::tempdir().expect("temporary folder");
    let journal = dir.path().join("shells.db");
    rt().block_on(write_records(&journal, 1_795_363_387_412, &shell_records()));
    let cast = dir.path().join("shell-1.cast");
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args([
            "journal",
            "export",
            "--format",
            "asciicast",
            "--session",
            "1",
        ])
        .arg("--output")
        .arg(&cast)
        .arg(&journal)
        .output()
        .expect("run the export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&cast).expect("read the cast");
    let shown: String = text
        .lines()
        .skip(1)
        .filter_map(|l| serde_json::from_str::<(f64, String, String)>(l).ok())
        .filter(|(_, code, _)| code == "o")
        .map(|(_, _, data)| data)
        .collect();
    assert!(shown.contains("\r\nshell-ok\r\n"), "{text}");

    let tmux = Tmux::new();
    // `asciinema cat` prints every output event as it is; it needs a terminal.
    let (printed, status) = (dir.path().join("cat.out"), dir.path().join("cat.status"));
    tmux.start(
        "cat",
        &format!(
            "asciinema cat {} >{} 2>&1; echo $? >{}; sleep 60",
            quoted(&cast),
            quoted(&printed),
            quoted(&status)
        ),
    );
    wait_until("asciinema cat", || {
        std::fs::read_to_string(&status).is_ok_and(|s| s.ends_with('\n'))
    });
    let printed = std::fs::read_to_string(&printed).expect("read what asciinema printed");
    assert_eq!(
        std::fs::read_to_string(&status).expect("status").trim(),
        "0",
        "asciinema cat failed: {printed}"
    );
    assert_eq!(
        printed, shown,
        "asciinema printed the cast's output as it is"
    );
    assert!(!printed.contains(UNECHOED_PASSWORD));

    // `asciinema play` shows the shell's screen in a terminal.
    tmux.start(
        "play",
        &format!(
            "asciinema play -s 10 {}; echo PLAYED:$?; sleep 60",
            quoted(&cast)
        ),
    );
    wait_until("asciinema play", || tmux.screen("play").contains("PLAYED:"));
    let screen = tmux.screen("play");
    assert!(screen.contains("PLAYED:0"), "{screen}");
    for line in [
        "web-1:~$ echo shell-ok",
        "shell-ok",
        "web-1:~$ read -s pw",
        "web-1:~$ exit",
        "logout",
    ] {
        assert!(
            screen.lines().any(|l| l.trim_end() == line),
            "no line {line:?} on the played screen:\n{screen}"
        );
    }
    assert!(!screen.contains(UNECHOED_PASSWORD), "{screen}");
}
