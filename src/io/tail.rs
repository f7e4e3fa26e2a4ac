//! Following log files with `tail -F` semantics (rotation and truncation survive).
//!
//! A tail reports [`TailEvent`]s into whatever channel it is given, as long as the channel's
//! event type can be made from one (the fleet's `FleetEvent` can): the tail knows nothing of
//! the fleet that starts it. Lines go out in batches, as they arrived (one SSH packet's or
//! one pipe read's worth), with the host and file names shared, not copied per line.

use crate::core::redact::Redactor;
use crate::core::template::shell_quote;
use crate::io::ssh::{LineBatch, LineSplitter, SshSession};
use std::borrow::Cow;
use std::sync::Arc;
use tokio::io::AsyncReadExt;
use tokio::process::Command;
use tokio::sync::mpsc::Sender;

/// Lines from a followed log, or the end of a follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailEvent {
    /// New lines (redacted, lossily decoded), oldest first: every line one read brought.
    Lines {
        /// Host name.
        host: Arc<str>,
        /// Log path.
        file: Arc<str>,
        /// The lines, without their newlines (never empty).
        lines: LineBatch,
    },
    /// Following stopped.
    Ended {
        /// Host name.
        host: Arc<str>,
        /// Log path.
        file: Arc<str>,
        /// Why.
        reason: String,
    },
}

impl TailEvent {
    /// One new line (a batch of one).
    pub fn line(host: &str, file: &str, text: &str) -> Self {
        Self::Lines {
            host: host.into(),
            file: file.into(),
            lines: LineBatch::of([text]),
        }
    }
}

/// Size of one read of a local `tail`'s output.
const READ_CHUNK: usize = 32 * 1024;

/// Follows a log on the machine cockpit runs on with `tail -n 20 -F`, until `tx` closes.
/// When the UI falls behind, the bounded channel makes this wait, and `tail` with it.
pub async fn follow_local<E: From<TailEvent>>(
    host: String,
    file: String,
    redactor: Redactor,
    tx: Sender<E>,
) {
    let (host, file): (Arc<str>, Arc<str>) = (host.into(), file.into());
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
    let Some(mut stdout) = child.stdout.take() else {
        return;
    };
    let mut splitter = LineSplitter::default();
    let mut buf = vec![0; READ_CHUNK];
    loop {
        let mut lines = LineBatch::default();
        match stdout.read(&mut buf).await {
            Ok(0) | Err(_) => {
                splitter.finish(&mut lines);
                if !lines.is_empty() {
                    let _ = tx.send(batch(&host, &file, &redactor, lines)).await;
                }
                break;
            }
            Ok(n) => splitter.push(&buf[..n], &mut lines),
        }
        if !lines.is_empty()
            && tx
                .send(batch(&host, &file, &redactor, lines))
                .await
                .is_err()
        {
            return;
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
    let (host, file): (Arc<str>, Arc<str>) = (host.into(), file.into());
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
        let reason = match lines.next_batch().await {
            Ok(Some(raw)) => {
                if tx.send(batch(&host, &file, &redactor, raw)).await.is_err() {
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

/// The event for lines as read: redacted, with the names shared.
fn batch<E: From<TailEvent>>(
    host: &Arc<str>,
    file: &Arc<str>,
    redactor: &Redactor,
    lines: LineBatch,
) -> E {
    E::from(TailEvent::Lines {
        host: host.clone(),
        file: file.clone(),
        lines: redact(redactor, lines),
    })
}

/// The lines with every secret masked; the batch itself when none holds one (the usual case:
/// no copy).
fn redact(redactor: &Redactor, lines: LineBatch) -> LineBatch {
    let mut masked: Option<LineBatch> = None;
    for (i, line) in lines.iter().enumerate() {
        match (redactor.redact_cow(line), &mut masked) {
            (Cow::Borrowed(_), None) => {}
            (text, Some(out)) => out.push(&text),
            (Cow::Owned(text), None) => {
                let mut out = LineBatch::of(lines.iter().take(i));
                out.push(&text);
                masked = Some(out);
            }
        }
    }
    masked.unwrap_or(lines)
}

/// Lines of history a tail starts with.
pub const TAIL_BACKLOG: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lines_with_a_secret_are_rewritten_and_order_is_kept() {
        let redactor = Redactor::default();
        let clean = LineBatch::of(["GET / 200", "ok"]);
        assert_eq!(redact(&redactor, clean.clone()), clean);
        let mixed = LineBatch::of(["first", "password=hunter22 here", "last"]);
        let out = redact(&redactor, mixed);
        let lines: Vec<&str> = out.iter().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!((lines[0], lines[2]), ("first", "last"));
        assert!(!lines[1].contains("hunter22"), "{}", lines[1]);
        assert_eq!(lines[1], redactor.redact("password=hunter22 here"));
    }
}
