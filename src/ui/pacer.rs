//! When to draw: at once after a key or a resize, otherwise at most once per [`FRAME`], so a
//! burst of worker reports (a log flood) costs one frame, not one per batch. Background
//! reports alone (probe rounds, the clock's tick, team presence) draw at most once per
//! [`CALM_FRAME`]: a fleet of 200 healthy hosts reports 40 probe rounds a second, and each
//! would otherwise cost a full frame.

use crate::io::fleet::FleetEvent;
use crate::io::shell::ShellReport;
use crate::ui::event::Event;
use std::time::Duration;
use tokio::time::Instant;

/// The shortest time between two frames drawn for worker reports (60 per second).
pub const FRAME: Duration = Duration::from_millis(16);

/// The shortest time between two frames drawn for background reports alone (2 per second:
/// probes come every few seconds, so a health change shows well within its own interval).
pub const CALM_FRAME: Duration = Duration::from_millis(500);

/// Tracks what needs drawing and when the last frame was drawn.
#[derive(Debug, Clone)]
pub struct FramePacer {
    dirty: bool,
    /// Something other than a background report is waiting to be drawn.
    lively: bool,
    urgent: bool,
    last_draw: Instant,
}

impl Default for FramePacer {
    fn default() -> Self {
        Self {
            dirty: true,
            lively: true,
            urgent: true,
            last_draw: Instant::now(),
        }
    }
}

impl FramePacer {
    /// Notes a batch of handled events: the screen needs drawing, at once if the operator
    /// pressed a key or resized the terminal.
    pub fn handled(&mut self, batch: &[Event]) {
        self.dirty = true;
        self.lively |= batch.iter().any(|e| !is_background(e));
        self.urgent |= batch
            .iter()
            .any(|e| matches!(e, Event::Key(_) | Event::Resize) || shell_ended(e));
    }

    /// Whether to draw now.
    pub fn due(&self) -> bool {
        self.dirty && (self.urgent || self.last_draw.elapsed() >= self.gap())
    }

    /// A frame was drawn.
    pub fn drew(&mut self) {
        self.dirty = false;
        self.lively = false;
        self.urgent = false;
        self.last_draw = Instant::now();
    }

    /// When a pending frame becomes due, if one is pending.
    pub fn deadline(&self) -> Option<Instant> {
        self.dirty.then_some(self.last_draw + self.gap())
    }

    /// How long after the last frame the waiting changes may be drawn.
    fn gap(&self) -> Duration {
        if self.lively { FRAME } else { CALM_FRAME }
    }
}

/// A shell gave the terminal back: the whole screen is drawn again at once.
fn shell_ended(event: &Event) -> bool {
    matches!(event, Event::Shell(ShellReport::Ended { .. }))
}

/// Reports that come on their own schedule whether or not anything happens, and change the
/// screen little: they need not be drawn within a frame.
fn is_background(event: &Event) -> bool {
    matches!(
        event,
        Event::Tick | Event::Fleet(FleetEvent::Probed { .. }) | Event::Presence(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::tail::TailEvent;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn log_line() -> Event {
        Event::Fleet(FleetEvent::Tail(TailEvent::line(
            "web",
            "/var/log/app.log",
            "GET / 200",
        )))
    }

    #[tokio::test(start_paused = true)]
    async fn reports_wait_for_the_frame_keys_do_not() {
        let mut p = FramePacer::default();
        assert!(p.due(), "the first frame is drawn at once");
        p.drew();
        p.handled(&[log_line()]);
        assert!(!p.due(), "a report right after a frame waits");
        assert_eq!(p.deadline(), Some(p.last_draw + FRAME));
        tokio::time::advance(FRAME).await;
        assert!(p.due(), "and is drawn one frame later");
        p.drew();
        assert_eq!(p.deadline(), None);
        p.handled(&[
            log_line(),
            Event::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
        ]);
        assert!(p.due(), "a key is drawn at once");
    }

    #[tokio::test(start_paused = true)]
    async fn background_reports_alone_draw_calmly() {
        let mut p = FramePacer::default();
        p.drew();
        p.handled(&[Event::Tick]);
        tokio::time::advance(FRAME).await;
        assert!(!p.due(), "a tick alone waits for the calm frame");
        assert_eq!(p.deadline(), Some(p.last_draw + CALM_FRAME));
        tokio::time::advance(CALM_FRAME - FRAME).await;
        assert!(p.due());
        p.drew();
        p.handled(&[Event::Tick]);
        p.handled(&[Event::JournalFailed("disk full".into())]);
        assert_eq!(
            p.deadline(),
            Some(p.last_draw + FRAME),
            "anything else brings the next frame forward"
        );
        tokio::time::advance(FRAME).await;
        assert!(p.due());
    }
}
