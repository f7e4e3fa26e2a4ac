//! A pseudo-terminal for the benches that start the real `cockpit` binary on one.

use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// Panics with the OS error when a libc call returned a negative value.
#[allow(dead_code)]
pub fn check(rc: libc::c_int, what: &str) {
    assert!(rc >= 0, "{what}: {}", std::io::Error::last_os_error());
}

/// Opens a `cols`×`rows` pseudo-terminal, returning (master, slave), as the recorded shell's
/// local PTY does. A child inherits neither descriptor: its stdio gets `dup2`'ed copies of the
/// slave.
pub fn open_pty(cols: u16, rows: u16) -> (OwnedFd, OwnedFd) {
    cockpit::io::shell::open_pty(cols, rows).expect("open a pty")
}

/// `program args` to run on the pty whose slave end is `slave`: a clean environment plus `env`,
/// stdin, stdout and stderr on the pty, which becomes its controlling terminal (so /dev/tty is
/// the pty) in a session of its own.
pub fn pty_command(
    program: &Path,
    args: &[&str],
    env: &[(&str, &Path)],
    slave: &OwnedFd,
) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("TERM", "xterm-256color")
        .env("LANG", "C.UTF-8")
        .env("USER", "bench")
        .stdin(Stdio::from(slave.try_clone().expect("dup pty slave")))
        .stdout(Stdio::from(slave.try_clone().expect("dup pty slave")))
        .stderr(Stdio::from(slave.try_clone().expect("dup pty slave")));
    for (k, v) in env {
        cmd.env(k, v);
    }
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd
}
