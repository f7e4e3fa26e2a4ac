//! Signals as events: every way the process is asked to stop goes through the event loop, so
//! the terminal is restored and the session's end journaled.

use crate::ui::event::Event;
use tokio::sync::mpsc::UnboundedSender;

/// Turns SIGHUP, SIGTERM and SIGINT into [`Event::Shutdown`], so every exit path restores the
/// terminal.
pub fn spawn_signal_listener(events: UnboundedSender<Event>) {
    use tokio::signal::unix::{SignalKind, signal};
    for (kind, name) in [
        (SignalKind::hangup(), "SIGHUP"),
        (SignalKind::terminate(), "SIGTERM"),
        (SignalKind::interrupt(), "SIGINT"),
    ] {
        let events = events.clone();
        match signal(kind) {
            Ok(mut stream) => {
                tokio::spawn(async move {
                    if stream.recv().await.is_some() {
                        let _ = events.send(Event::Shutdown(format!("{name} received")));
                    }
                });
            }
            Err(e) => tracing::warn!("cannot listen for {name}: {e}"),
        }
    }
}
