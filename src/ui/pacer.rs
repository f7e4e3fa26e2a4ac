//! When to draw: at once after a key or a resize, otherwise at most once per [`FRAME`], so a
//! burst of worker reports (a log flood) costs one frame, not one per batch.

use crate::ui::event::Event;
use std::time::Duration;
use tokio::time::Instant;

/// The shortest time between two frames drawn for worker reports (60 per second).
pub const FRAME: Duration = Duration::from_millis(16);

/// Tracks what needs drawing and when the last frame was drawn.
#[derive(Debug, Clone)]
pub struct FramePacer {
    dirty: bool,
    urgent: bool,
    last_draw: Instant,
}

impl Default for FramePacer {
    fn default() -> Self {
        Self {
            dirty: true,
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
        self.urgent |= batch
            .iter()
            .any(|e| matches!(e, Event::Key(_) | Event::Resize));
    }

    /// Whether to draw now.
    pub fn due(&self) -> bool {
        self.dirty && (self.urgent || self.last_draw.elapsed() >= FRAME)
    }

    /// A frame was drawn.
    pub fn drew(&mut self) {
        self.dirty = false;
        self.urgent = false;
        self.last_draw = Instant::now();
    }

    /// When a pending frame becomes due, if one is pending.
    pub fn deadline(&self) -> Option<Instant> {
        self.dirty.then_some(self.last_draw + FRAME)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[tokio::test(start_paused = true)]
    async fn reports_wait_for_the_frame_keys_do_not() {
        let mut p = FramePacer::default();
        assert!(p.due(), "the first frame is drawn at once");
        p.drew();
        p.handled(&[Event::Tick]);
        assert!(!p.due(), "a report right after a frame waits");
        assert_eq!(p.deadline(), Some(p.last_draw + FRAME));
        tokio::time::advance(FRAME).await;
        assert!(p.due(), "and is drawn one frame later");
        p.drew();
        assert_eq!(p.deadline(), None);
        p.handled(&[
            Event::Tick,
            Event::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
        ]);
        assert!(p.due(), "a key is drawn at once");
    }
}
