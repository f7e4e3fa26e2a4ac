//! The operator's keystrokes while a shell has the terminal: read straight from standard
//! input on a thread of its own, as raw bytes, until stopped.
//!
//! The thread waits in `poll` on stdin and on a pipe of its own; stopping writes to the pipe,
//! so no read is left pending on stdin afterwards to steal the first key meant for the
//! cockpit.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::thread::JoinHandle;
use tokio::sync::mpsc;

/// Bytes read from stdin at most at once.
const CHUNK: usize = 4096;

/// What the pump hands on.
#[derive(Debug, PartialEq, Eq)]
pub enum Typed {
    /// Bytes as the terminal sent them.
    Bytes(Vec<u8>),
    /// Standard input ended or failed (the operator's SSH link to the bastion dropped).
    Closed(String),
}

/// Reads stdin until dropped.
pub struct StdinPump {
    wake: Option<OwnedFd>,
    thread: Option<JoinHandle<()>>,
}

impl StdinPump {
    /// Starts reading; every read goes to `typed`.
    pub fn start(typed: mpsc::UnboundedSender<Typed>) -> std::io::Result<Self> {
        let mut fds = [0; 2];
        // SAFETY: `fds` is a valid array of two ints for pipe2 to fill.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: pipe2 succeeded, so both are open descriptors that nothing else owns.
        let (read_end, write_end) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let thread = std::thread::Builder::new()
            .name("shell-stdin".into())
            .spawn(move || pump(read_end, typed))?;
        Ok(Self {
            wake: Some(write_end),
            thread: Some(thread),
        })
    }
}

impl Drop for StdinPump {
    fn drop(&mut self) {
        // Closing the pipe's write end wakes the thread's poll (POLLHUP on the read end).
        self.wake.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn pump(stop: OwnedFd, typed: mpsc::UnboundedSender<Typed>) {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let mut fds = [
            libc::pollfd {
                fd: libc::STDIN_FILENO,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: stop.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: `fds` is a valid array of two pollfd for the duration of the call.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if ready < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            let _ = typed.send(Typed::Closed(format!("terminal input failed: {e}")));
            return;
        }
        if fds[1].revents != 0 {
            return;
        }
        if fds[0].revents == 0 {
            continue;
        }
        // SAFETY: `buf` is valid for CHUNK bytes; poll said stdin is readable, so this does
        // not block.
        let n = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), CHUNK) };
        match n {
            0 => {
                let _ = typed.send(Typed::Closed("terminal input closed".into()));
                return;
            }
            n if n < 0 => {
                let e = std::io::Error::last_os_error();
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::Interrupted | std::io::ErrorKind::WouldBlock
                ) {
                    continue;
                }
                let _ = typed.send(Typed::Closed(format!("terminal input failed: {e}")));
                return;
            }
            n => {
                let bytes = buf[..n as usize].to_vec();
                if typed.send(Typed::Bytes(bytes)).is_err() {
                    return;
                }
            }
        }
    }
}

/// The terminal's size on standard output, columns and rows; `None` when it is not a
/// terminal or says 0.
pub fn terminal_size() -> Option<(u16, u16)> {
    // SAFETY: winsize is plain data; TIOCGWINSZ fills it or fails.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: `size` is a valid winsize for the ioctl to fill.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0 && size.ws_row > 0).then_some((size.ws_col, size.ws_row))
}
