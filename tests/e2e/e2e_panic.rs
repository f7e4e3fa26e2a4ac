//! A panic inside the TUI restores the terminal: the real binary panics on purpose in tmux,
//! and the shell after it is back in cooked mode, off the alternate screen, the mouse released,
//! with the panic message on stderr.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A private tmux server whose socket lives in the test's own folder (tmux 3.3 leaves the
/// socket file behind after kill-server).
struct Tmux {
    socket: std::path::PathBuf,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is required for the end-to-end tests: install it (apt-get install tmux)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "panic"])
    }

    /// Polls the screen until `done` holds, or fails with the last screen.
    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

#[test]
fn a_panic_restores_the_terminal() {
    let dir = tempfile::tempdir().expect("dir");
    let home = dir.path();
    let stderr = home.join("stderr.txt");
    let bin = env!("CARGO_BIN_EXE_cockpit");
    let script = format!(
        "HOME={h} XDG_CONFIG_HOME={h}/c XDG_STATE_HOME={h}/s RUST_BACKTRACE=0 {bin} demo --journal {h}/j.db --panic-after-first-frame 2>{err}; \
         echo EXIT:$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo MODES; sleep 30",
        h = home.display(),
        err = stderr.display(),
    );
    let tmux = Tmux {
        socket: home.join("tmux.sock"),
    };
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "panic",
        "-x",
        "100",
        "-y",
        "30",
        "sh",
        "-c",
        &script,
    ]);
    let screen = tmux.wait_for("the shell after cockpit", |s| s.contains("MODES"));
    assert!(
        screen.contains("EXIT:101"),
        "a panic exits with 101:\n{screen}"
    );
    assert!(
        screen.contains("icanon echo MODES"),
        "the terminal is back in cooked mode with echo:\n{screen}"
    );
    assert!(
        !screen.contains("Hosts") && !screen.contains("DRILL"),
        "the alternate screen was left:\n{screen}"
    );
    // The mouse cockpit captured is released too: the shell gets no mouse reports.
    let mouse = tmux.run(&[
        "display-message",
        "-p",
        "-t",
        "panic",
        "#{mouse_any_flag}#{mouse_sgr_flag}",
    ]);
    assert_eq!(mouse.trim(), "00", "the mouse was left captured");
    let message = std::fs::read_to_string(Path::new(&stderr)).unwrap_or_default();
    assert!(
        message.contains("deliberate panic after the first frame"),
        "panic message on stderr:\n{message}"
    );
}
