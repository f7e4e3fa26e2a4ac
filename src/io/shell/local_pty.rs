//! A shell on the machine cockpit runs on, for a host whose transport is `local` (the demo's
//! fleet among them): the operator's login shell in a PTY of its own, in a session of its own.

use crate::io::ssh::ShellMessage;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::process::Stdio;
use tokio::io::unix::AsyncFd;
use tokio::process::{Child, Command};

/// Bytes read from the PTY at most at once.
const CHUNK: usize = 16 * 1024;

/// Where a local shell starts.
#[derive(Debug, Clone, Default)]
pub struct LocalPlace {
    /// Its working directory (else cockpit's own).
    pub workdir: Option<PathBuf>,
    /// A folder put first on its PATH.
    pub path_first: Option<PathBuf>,
    /// A prompt of its own: then the shell starts without the login profile and rc files
    /// (which would reset PATH and the prompt), as bash if there is one, else `sh`.
    pub prompt: Option<String>,
}

/// A running local shell and the PTY's controlling side.
pub struct LocalShell {
    master: AsyncFd<OwnedFd>,
    child: Child,
    /// The exit status was handed out.
    exited: bool,
}

impl LocalShell {
    /// Starts `$SHELL` (else `/bin/sh`) as a login shell in a new `cols`×`rows` PTY with
    /// `TERM=term`, where cockpit runs.
    pub fn open(term: &str, cols: u16, rows: u16) -> std::io::Result<Self> {
        Self::open_in(term, cols, rows, &LocalPlace::default())
    }

    /// Like [`LocalShell::open`], started in `place`.
    pub fn open_in(term: &str, cols: u16, rows: u16, place: &LocalPlace) -> std::io::Result<Self> {
        let (master, slave) = open_pty(cols, rows)?;
        set_flags(&master)?;
        let mut command = match &place.prompt {
            None => {
                let shell = std::env::var("SHELL")
                    .ok()
                    .filter(|s| s.starts_with('/'))
                    .unwrap_or_else(|| "/bin/sh".to_string());
                let mut login = Command::new(shell);
                login.arg("-l");
                login
            }
            Some(prompt) => {
                let mut plain = if std::path::Path::new("/bin/bash").exists() {
                    let mut bash = Command::new("/bin/bash");
                    bash.args(["--noprofile", "--norc"]);
                    bash
                } else {
                    Command::new("/bin/sh")
                };
                plain.arg("-i").env("PS1", prompt);
                plain
            }
        };
        if let Some(dir) = &place.workdir {
            command.current_dir(dir);
        }
        if let Some(first) = &place.path_first {
            let inherited = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
            let mut path = first.as_os_str().to_os_string();
            path.push(":");
            path.push(inherited);
            command.env("PATH", path);
        }
        command
            .env("TERM", term)
            .stdin(Stdio::from(slave.try_clone()?))
            .stdout(Stdio::from(slave.try_clone()?))
            .stderr(Stdio::from(slave))
            .kill_on_drop(true);
        // SAFETY: only async-signal-safe calls (setsid, ioctl) between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(libc::STDIN_FILENO, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn()?;
        // SAFETY: the OwnedFd is open and moves into the AsyncFd, which alone owns it from
        // here until it is dropped.
        let master = unsafe { AsyncFd::register(master) }.map_err(std::io::Error::from)?;
        Ok(Self {
            master,
            child,
            exited: false,
        })
    }

    /// Sends typed bytes to the shell.
    pub async fn send(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        while !bytes.is_empty() {
            let mut ready = self.master.writable().await?;
            match ready.try_io(|fd| {
                // SAFETY: `bytes` is valid for its length; the fd is open.
                let n = unsafe { libc::write(fd.as_raw_fd(), bytes.as_ptr().cast(), bytes.len()) };
                if n < 0 {
                    Err(std::io::Error::last_os_error())
                } else {
                    Ok(n as usize)
                }
            }) {
                Ok(Ok(n)) => bytes = &bytes[n..],
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => {}
            }
        }
        Ok(())
    }

    /// Sets the PTY's size (the shell gets SIGWINCH).
    pub fn resize(&mut self, cols: u16, rows: u16) -> std::io::Result<()> {
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: `size` is a valid winsize; the fd is an open PTY master.
        if unsafe { libc::ioctl(self.master.as_raw_fd(), libc::TIOCSWINSZ, &size) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// The shell's next output; its exit status once the PTY is closed; `None` after that.
    pub async fn next(&mut self) -> Option<ShellMessage> {
        let mut buf = vec![0u8; CHUNK];
        loop {
            let mut ready = match self.master.readable().await {
                Ok(ready) => ready,
                Err(_) => return self.exit().await,
            };
            match ready.try_io(|fd| {
                // SAFETY: `buf` is valid for CHUNK bytes; the fd is open.
                let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), CHUNK) };
                if n < 0 {
                    Err(std::io::Error::last_os_error())
                } else {
                    Ok(n as usize)
                }
            }) {
                Ok(Ok(0)) => return self.exit().await,
                Ok(Ok(n)) => {
                    buf.truncate(n);
                    return Some(ShellMessage::Output(buf));
                }
                // EIO: every process holding the PTY's other side has gone.
                Ok(Err(_)) => return self.exit().await,
                Err(_would_block) => {}
            }
        }
    }

    /// The exit status, once; `None` after it was given.
    async fn exit(&mut self) -> Option<ShellMessage> {
        if std::mem::replace(&mut self.exited, true) {
            return None;
        }
        let status = self.child.wait().await.ok()?;
        Some(match status.code() {
            Some(code) => ShellMessage::Exit(code),
            None => ShellMessage::Signal(
                std::os::unix::process::ExitStatusExt::signal(&status)
                    .map_or_else(|| "unknown".to_string(), |s| s.to_string()),
            ),
        })
    }

    /// Hangs up the shell.
    pub async fn close(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// Opens a `cols`×`rows` pseudo-terminal, returning (master, slave), both closed on exec: a
/// child gets only the copies of the slave its stdio is given.
pub fn open_pty(cols: u16, rows: u16) -> std::io::Result<(OwnedFd, OwnedFd)> {
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let (mut master, mut slave) = (0, 0);
    // SAFETY: valid out-pointers for both descriptors; no name or termios asked for.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    if opened != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: openpty succeeded: both are open descriptors owned by nothing else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    for fd in [&master, &slave] {
        // SAFETY: fcntl on an open descriptor with valid commands.
        let set = unsafe {
            let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFD);
            flags >= 0 && libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, flags | libc::FD_CLOEXEC) >= 0
        };
        if !set {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok((master, slave))
}

/// Non-blocking, for the async reads.
fn set_flags(fd: &OwnedFd) -> std::io::Result<()> {
    let raw = fd.as_raw_fd();
    // SAFETY: fcntl on an open descriptor with valid commands.
    unsafe {
        let flags = libc::fcntl(raw, libc::F_GETFL);
        if flags < 0 || libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}
