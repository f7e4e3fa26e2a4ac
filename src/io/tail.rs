//! Following log files with `tail -F` semantics (rotation and truncation survive).
//!
//! A tail reports [`TailEvent`]s into whatever channel it is given, as long as the channel's
//! event type can be made from one (the fleet's `FleetEvent` can): the tail knows nothing of
//! the fleet that starts it.

use crate::core::redact::Redactor;
use crate::core::template::shell_quote;
use crate::io::ssh::SshSession;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc::Sender;

/// A line from a followed log, or the end of a follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailEvent {
    /// A new line (redacted, lossily decoded).
    Line {
        /// Host name.
        host: String,
        /// Log path.
        file: String,
        /// The line, without its newline.
        text: String,
    },
    /// Following stopped.
    Ended {
        /// Host name.
        host: String,
        /// Log path.
        file: String,
        /// Why.
        reason: String,
    },
}

/// Follows a log on the machine cockpit runs on with `tail -n 20 -F`, until `tx` closes.
/// When the UI falls behind, the bounded channel makes this wait, and `tail` with it.
pub async fn follow_local<E: From<TailEvent>>(
    host: String,
    file: String,
    redactor: Redactor,
    tx: Sender<E>,
) {
    let child = Command::new("tail")
        .args(["-n", &TAIL_BACKLOG.to_string(), "-F", "--", &file])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn();
    let ended = |reason: String| {
        E::from(TailEvent::Ended {
            host: host.clone(),
            file: file.clone(),
            reason,
        })
    };
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            let _ = tx.send(ended(format!("cannot run tail: {e}"))).await;
            return;
        }
    };
    let Some(stdout) = child.stdout.take() else {
        return;
    };
    let mut reader = BufReader::new(stdout);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let raw = String::from_utf8_lossy(&buf);
                let text = redactor.redact(raw.trim_end_matches(['\n', '\r']));
                let line = E::from(TailEvent::Line {
                    host: host.clone(),
                    file: file.clone(),
                    text,
                });
                if tx.send(line).await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = tx.send(ended("tail exited".to_string())).await;
}

/// Follows a log on a host over its SSH connection with `tail -F`; when the connection or the
/// command ends, says so (the gap marker), and returns.
pub async fn follow_ssh<E: From<TailEvent>>(
    session: SshSession,
    host: String,
    file: String,
    resumed: bool,
    redactor: Redactor,
    tx: Sender<E>,
) {
    let ended = |reason: String| {
        E::from(TailEvent::Ended {
            host: host.clone(),
            file: file.clone(),
            reason,
        })
    };
    // OpenSSH leaves a command running when its channel closes (it only closes the pipes), and
    // `tail -F` on a quiet file would never notice: `cat` waits on the channel's stdin and
    // stops the tail when the channel goes away.
    let command = format!(
        "tail -n {TAIL_BACKLOG} -F -- {} & t=$!; cat >/dev/null; kill $t 2>/dev/null",
        shell_quote(&file)
    );
    let mut lines = match session.stream_lines(&command).await {
        Ok(lines) => lines,
        Err(e) => {
            let _ = tx.send(ended(format!("cannot follow: {e}"))).await;
            return;
        }
    };
    if resumed {
        let note =
            format!("resumed after reconnect (up to {TAIL_BACKLOG} earlier lines shown again)");
        if tx.send(ended(note)).await.is_err() {
            return;
        }
    }
    loop {
        let reason = match lines.next_line().await {
            Ok(Some(raw)) => {
                let line = E::from(TailEvent::Line {
                    host: host.clone(),
                    file: file.clone(),
                    text: redactor.redact_owned(raw),
                });
                if tx.send(line).await.is_err() {
                    return;
                }
                continue;
            }
            Ok(None) if session.is_closed() => "connection lost".to_string(),
            Ok(None) => "tail exited on the host".to_string(),
            Err(e) => e.to_string(),
        };
        let _ = tx.send(ended(reason)).await;
        return;
    }
}

/// Lines of history a tail starts with.
pub const TAIL_BACKLOG: usize = 20;
