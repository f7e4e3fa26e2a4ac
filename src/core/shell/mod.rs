//! A recorded interactive shell: the asciicast events it is journaled as, what of the
//! operator's typing may be recorded, and the `~.` escape that leaves a hung shell.

mod escape;
mod recorder;
mod stream_mask;

pub use escape::{EscapeWatch, Escaped};
pub use recorder::ShellRecorder;

use serde::{Deserialize, Serialize};

/// One asciicast v2 event: `[seconds, code, data]`, as the journal and the cast file hold it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CastEvent(pub f64, pub CastCode, pub String);

/// What an event is, as asciicast v2 codes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CastCode {
    /// Output the terminal showed.
    #[serde(rename = "o")]
    Output,
    /// Input the operator typed (only what the host echoed back).
    #[serde(rename = "i")]
    Input,
    /// The window changed size: data is `COLSxROWS`.
    #[serde(rename = "r")]
    Resize,
}

/// The data of every event of `code`, joined: all the output, or all the typing recorded.
pub fn joined(events: &[CastEvent], code: CastCode) -> String {
    events
        .iter()
        .filter(|e| e.1 == code)
        .map(|e| e.2.as_str())
        .collect()
}

/// Seconds since the shell started, to the millisecond, as a cast writes times.
pub fn cast_seconds(since_start_ms: u64) -> f64 {
    since_start_ms as f64 / 1000.0
}
