//! Replaying a journal: what the cockpit showed after any entry, markers for a timeline bar,
//! search, and a playback clock that advances by elapsed time at a chosen speed. Pure: the
//! replay screen and the asciicast export drive it.

mod describe;
mod moment;
mod playback;
mod shell_words;
mod shells;
mod timeline;

pub use describe::describe;
pub use moment::{Moment, SqlActivity, SqlMoment, TransactionState};
pub use playback::{IDLE_GAP_MS, Playback, Speed};
pub use shells::ShellSpan;
pub use timeline::{Marker, MarkerKind, Timeline};

#[cfg(test)]
mod tests;
