//! A recorded interactive shell while it has the terminal: the operator's keys go to the
//! host, the host's output to the terminal, window resizes to the host, and what may be
//! recorded to the journal in batches (`core::shell::ShellRecorder` decides what).
//!
//! The cockpit has stepped aside before this runs (raw mode kept, alternate screen left) and
//! comes back when it reports [`ShellReport::Ended`].

mod flood;
mod local_pty;
mod stdin_pump;
mod terminal;

pub use flood::RECORDED_PER_FLUSH;
pub use local_pty::{LocalPlace, LocalShell, open_pty};
pub use stdin_pump::terminal_size;
pub use terminal::ShellTerminal;

use crate::core::redact::Redactor;
use crate::core::shell::{CastEvent, EscapeWatch, ShellRecorder};
use crate::io::ssh::{ShellMessage, SshShell};
use flood::Flood;
use std::time::{Duration, Instant};
pub use stdin_pump::Typed;
use tokio::io::AsyncWriteExt;

/// How often recorded events go to the journal while a shell runs: what a crash can lose.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// How long a host may take to open a shell.
pub const OPEN_TIMEOUT: Duration = Duration::from_secs(15);

/// What a running shell tells the app.
#[derive(Debug, Clone, PartialEq)]
pub enum ShellReport {
    /// Events to journal.
    Recorded {
        /// The shell's number.
        session: u64,
        /// The events, in order.
        events: Vec<CastEvent>,
    },
    /// The shell is over and the terminal free again (or it never opened).
    Ended {
        /// The shell's number.
        session: u64,
        /// The shell's exit status, when it sent one.
        exit: Option<i32>,
        /// Why it ended otherwise.
        reason: Option<String>,
        /// How long it was open, in milliseconds.
        duration_ms: u64,
        /// Typed bytes left out of the record (typed while the host did not echo).
        unrecorded_input: u64,
    },
}

impl ShellReport {
    /// The end of a shell that never ran: it did not open, or the terminal could not be read.
    pub fn never_ran(session: u64, reason: String) -> Self {
        ShellReport::Ended {
            session,
            exit: None,
            reason: Some(reason),
            duration_ms: 0,
            unrecorded_input: 0,
        }
    }
}

/// A shell on a host: over SSH, or on the machine cockpit runs on.
pub enum HostShell {
    /// A PTY channel on the host's SSH connection.
    Ssh(SshShell),
    /// A PTY here, for a host whose transport is `local`.
    Local(LocalShell),
}

impl HostShell {
    async fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        match self {
            HostShell::Ssh(s) => s.send(bytes).await.map_err(|e| e.to_string()),
            HostShell::Local(l) => l.send(bytes).await.map_err(|e| e.to_string()),
        }
    }

    async fn resize(&mut self, cols: u16, rows: u16) -> Result<(), String> {
        match self {
            HostShell::Ssh(s) => s.resize(cols, rows).await.map_err(|e| e.to_string()),
            HostShell::Local(l) => l.resize(cols, rows).map_err(|e| e.to_string()),
        }
    }

    async fn next(&mut self) -> Option<ShellMessage> {
        match self {
            HostShell::Ssh(s) => s.next().await,
            HostShell::Local(l) => l.next().await,
        }
    }

    /// Hangs up the shell.
    pub async fn close(&mut self) {
        match self {
            HostShell::Ssh(s) => s.close().await,
            HostShell::Local(l) => l.close().await,
        }
    }
}

/// What a shell run needs besides the shell.
pub struct ShellRun {
    /// The shell's number.
    pub session: u64,
    /// Masks secrets in what is recorded.
    pub redactor: Redactor,
    /// The terminal size the shell was opened with.
    pub size: (u16, u16),
    /// Shown on the terminal before the shell's own output (not recorded).
    pub banner: String,
}

/// Runs the shell until it ends, the connection drops, the terminal goes, the operator types
/// `~.`, or `stop` says why it must end; every report goes to `report`, the last one being
/// [`ShellReport::Ended`].
pub async fn drive<W: tokio::io::AsyncWrite + Unpin>(
    mut shell: HostShell,
    run: ShellRun,
    mut terminal: ShellTerminal<W>,
    stop: tokio::sync::oneshot::Receiver<String>,
    report: impl Fn(ShellReport),
) {
    let mut stop = Some(stop);
    let started = Instant::now();
    let since = |at: Instant| at.duration_since(started).as_millis() as u64;
    let mut recorder = ShellRecorder::new(run.redactor);
    let mut escape = EscapeWatch::new();
    let out = &mut terminal.out;
    let _ = out.write_all(run.banner.as_bytes()).await;
    let _ = out.flush().await;
    let mut size = run.size;
    let mut flush = tokio::time::interval(FLUSH_EVERY);
    flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let (mut exit, mut reason) = (None, None);
    let mut flood = Flood::default();
    while reason.is_none() {
        tokio::select! {
            got = terminal.typed.recv() => match got {
                Some(Typed::Bytes(bytes)) => {
                    let escaped = escape.feed(&bytes);
                    if !escaped.send.is_empty() {
                        recorder.input(since(Instant::now()), &escaped.send);
                        if let Err(e) = shell.send(&escaped.send).await {
                            reason = Some(format!("connection lost: {e}"));
                        }
                    }
                    if escaped.leave {
                        reason = Some("closed by the operator (~.)".into());
                    }
                }
                Some(Typed::Closed(why)) => reason = Some(why),
                None => reason = Some("terminal input closed".into()),
            },
            said = shell.next() => match said {
                Some(ShellMessage::Output(bytes)) => {
                    recorder.output(since(Instant::now()), flood.keep(&bytes));
                    if out.write_all(&bytes).await.is_err() || out.flush().await.is_err() {
                        reason = Some("the terminal went away".into());
                    }
                }
                Some(ShellMessage::Exit(code)) => exit = Some(code),
                Some(ShellMessage::Signal(signal)) => {
                    reason = Some(format!("killed by signal {signal}"));
                }
                None => {
                    if exit.is_none() {
                        reason = Some(
                            "connection lost: the shell ended without an exit status".into(),
                        );
                    }
                    break;
                }
            },
            Some(now) = terminal.resized.recv() => {
                if now != size {
                    size = now;
                    recorder.resize(since(Instant::now()), size.0, size.1);
                    if let Err(e) = shell.resize(size.0, size.1).await {
                        reason = Some(format!("connection lost: {e}"));
                    }
                }
            },
            why = stop_asked(&mut stop) => reason = Some(why),
            _ = flush.tick() => {
                let events = stretch(&mut recorder, &mut flood, since(Instant::now()), false);
                if !events.is_empty() {
                    report(ShellReport::Recorded { session: run.session, events });
                }
            }
        }
    }
    drop(terminal);
    if reason.is_some() {
        shell.close().await;
    }
    let ended = since(Instant::now());
    let events = stretch(&mut recorder, &mut flood, ended, true);
    if !events.is_empty() {
        report(ShellReport::Recorded {
            session: run.session,
            events,
        });
    }
    report(ShellReport::Ended {
        session: run.session,
        exit,
        reason,
        duration_ms: ended,
        unrecorded_input: recorder.unrecorded_input(),
    });
}

/// The events recorded since the last stretch, the flood's note included, at `at_ms`; with
/// `last`, everything the recorder still holds back as well.
fn stretch(
    recorder: &mut ShellRecorder,
    flood: &mut Flood,
    at_ms: u64,
    last: bool,
) -> Vec<CastEvent> {
    if let Some(note) = flood.note() {
        recorder.output(at_ms, note.as_bytes());
    }
    if last {
        recorder.finish(at_ms)
    } else {
        recorder.take()
    }
}

/// Why the shell must stop, once asked; never when nobody can ask any more.
async fn stop_asked(stop: &mut Option<tokio::sync::oneshot::Receiver<String>>) -> String {
    if let Some(asked) = stop.as_mut() {
        if let Ok(why) = asked.await {
            return why;
        }
        // The asker is gone: a finished receiver must not be polled again.
        *stop = None;
    }
    std::future::pending().await
}
