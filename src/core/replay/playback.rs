//! The replay clock: journal time advancing with real time at a chosen speed, optionally
//! jumping over idle stretches. Real time is passed in, so tests drive it exactly.

use crate::core::replay::Timeline;

/// With idle skipping on, a wait longer than this (journal time) is jumped over.
pub const IDLE_GAP_MS: i64 = 2_000;

/// Entries one step of "as fast as possible" advances, at least: sized so that any journal
/// plays through in about this many steps.
const MAX_SPEED_STEPS: usize = 600;

/// How fast journal time passes against real time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speed {
    /// Real time.
    X1,
    /// Ten times.
    X10,
    /// A minute per second.
    X60,
    /// As fast as the screen follows: entries one after another, times ignored.
    Max,
}

impl Speed {
    /// All speeds, slowest first.
    pub const ALL: [Speed; 4] = [Speed::X1, Speed::X10, Speed::X60, Speed::Max];

    /// The next faster speed (the fastest stays).
    pub fn faster(self) -> Self {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[(i + 1).min(Self::ALL.len() - 1)]
    }

    /// The next slower speed (the slowest stays).
    pub fn slower(self) -> Self {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[i.saturating_sub(1)]
    }

    /// As shown: `1×`, `10×`, `60×`, `max`.
    pub fn label(self) -> &'static str {
        match self {
            Speed::X1 => "1×",
            Speed::X10 => "10×",
            Speed::X60 => "60×",
            Speed::Max => "max",
        }
    }

    fn factor(self) -> Option<i64> {
        match self {
            Speed::X1 => Some(1),
            Speed::X10 => Some(10),
            Speed::X60 => Some(60),
            Speed::Max => None,
        }
    }
}

/// Play or pause, speed, idle skipping, and the journal time the replay stands at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playback {
    /// Advancing by itself.
    pub playing: bool,
    /// How fast.
    pub speed: Speed,
    /// Jump over waits longer than [`IDLE_GAP_MS`].
    pub skip_idle: bool,
    /// The journal time shown (unix ms).
    pub clock_ms: i64,
}

impl Playback {
    /// Paused at 1× at `clock_ms`, skipping idle time.
    pub fn new(clock_ms: i64) -> Self {
        Self {
            playing: false,
            speed: Speed::X1,
            skip_idle: true,
            clock_ms,
        }
    }

    /// Advances by `real_ms` of real time from `position`; returns the new position. Stops
    /// playing at the end.
    pub fn advance(&mut self, timeline: &Timeline, position: usize, real_ms: i64) -> usize {
        if !self.playing {
            return position;
        }
        let len = timeline.len();
        let next = match self.speed.factor() {
            None => {
                let step = (len / MAX_SPEED_STEPS).max(1);
                let next = (position + step).min(len);
                self.clock_ms = timeline.time_at(next);
                next
            }
            Some(factor) => {
                self.clock_ms += real_ms.max(0) * factor;
                if self.skip_idle
                    && let Some(due) = timeline.next_time(position)
                    && due - self.clock_ms > IDLE_GAP_MS
                {
                    // Skipped to just before the next entry, so it still shows up arriving.
                    self.clock_ms = due - IDLE_GAP_MS.min(1_000);
                }
                timeline.position_at(self.clock_ms).max(position)
            }
        };
        if next >= len {
            self.playing = false;
        }
        next
    }

    /// After a jump: the clock stands at the position's time.
    pub fn jumped(&mut self, timeline: &Timeline, position: usize) {
        self.clock_ms = timeline.time_at(position);
    }
}
