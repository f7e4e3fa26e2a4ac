//! The operator's side of a running shell: the real terminal (stdin read raw on a thread of
//! its own, stdout, SIGWINCH), or one a test feeds.

use super::stdin_pump::{StdinPump, Typed, terminal_size};
use tokio::sync::mpsc;

/// The operator's side of a shell: keys in, output out, the window's size when it changes.
pub struct ShellTerminal<W> {
    /// What the operator types.
    pub typed: mpsc::UnboundedReceiver<Typed>,
    /// Where the host's output is shown.
    pub out: W,
    /// The window's new size (columns, rows) at each change.
    pub resized: mpsc::UnboundedReceiver<(u16, u16)>,
    /// What feeds the two receivers, stopped when dropped.
    feeders: Option<(StdinPump, tokio::task::JoinHandle<()>)>,
}

impl ShellTerminal<tokio::io::Stdout> {
    /// The terminal cockpit runs in: stdin read raw, stdout, and SIGWINCH.
    pub fn real() -> std::io::Result<Self> {
        let (typed_tx, typed) = mpsc::unbounded_channel();
        let pump = StdinPump::start(typed_tx)?;
        let (resized_tx, resized) = mpsc::unbounded_channel();
        let mut signals =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change())?;
        // The window may have changed while the shell was opening.
        if let Some(size) = terminal_size() {
            let _ = resized_tx.send(size);
        }
        let watcher = tokio::spawn(async move {
            while signals.recv().await.is_some() {
                if let Some(size) = terminal_size()
                    && resized_tx.send(size).is_err()
                {
                    return;
                }
            }
        });
        Ok(Self {
            typed,
            out: tokio::io::stdout(),
            resized,
            feeders: Some((pump, watcher)),
        })
    }
}

impl<W> ShellTerminal<W> {
    /// A terminal fed by the caller (tests): typed keys and sizes through the senders it
    /// keeps, output into `out`.
    pub fn fed(
        out: W,
    ) -> (
        Self,
        mpsc::UnboundedSender<Typed>,
        mpsc::UnboundedSender<(u16, u16)>,
    ) {
        let (typed_tx, typed) = mpsc::unbounded_channel();
        let (resized_tx, resized) = mpsc::unbounded_channel();
        let terminal = Self {
            typed,
            out,
            resized,
            feeders: None,
        };
        (terminal, typed_tx, resized_tx)
    }
}

impl<W> Drop for ShellTerminal<W> {
    fn drop(&mut self) {
        if let Some((_pump, watcher)) = self.feeders.take() {
            watcher.abort();
        }
    }
}
