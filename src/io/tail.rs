//! Following log files with `tail -F` semantics (rotation and truncation survive).

use crate::core::redact::Redactor;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc::UnboundedSender;

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
pub async fn follow_local(
    host: String,
    file: String,
    redactor: Redactor,
    tx: UnboundedSender<TailEvent>,
) {
    let child = Command::new("tail")
        .args(["-n", "20", "-F", "--", &file])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            let _ = tx.send(TailEvent::Ended {
                host,
                file,
                reason: format!("cannot run tail: {e}"),
            });
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
                if tx
                    .send(TailEvent::Line {
                        host: host.clone(),
                        file: file.clone(),
                        text,
                    })
                    .is_err()
                {
                    return;
                }
            }
        }
    }
    let _ = tx.send(TailEvent::Ended {
        host,
        file,
        reason: "tail exited".to_string(),
    });
}
