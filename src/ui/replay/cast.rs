//! The replay as an asciinema v2 cast: each entry's moment at its journal time, as the bytes
//! a terminal would have received — so any asciinema player shows the incident. An entry
//! that changes nothing on the screen adds no frame. Format:
//! <https://docs.asciinema.org/manual/asciicast/v2/>.

use crate::ui::replay::Replay;
use crate::ui::replay::frames::CastFrames;
use std::io::Write;

/// Players compress longer pauses to this many seconds (the cast keeps the real times).
const IDLE_TIME_LIMIT: f64 = 2.0;

/// Writes the cast of `replay` from the entry it stands at to the last, `width`×`height` cells;
/// returns the frames written (at most one per entry: none for an entry that changes nothing
/// visible). `progress` hears how many entries are done out of how many, every
/// [`PROGRESS_EVERY`] entries and at the end.
pub fn write_cast(
    mut replay: Replay,
    title: &str,
    width: u16,
    height: u16,
    out: &mut impl Write,
    mut progress: impl FnMut(usize, usize),
) -> std::io::Result<usize> {
    let first = replay.position.max(1);
    let start = replay.timeline.time_at(first);
    let header = serde_json::json!({
        "version": 2,
        "width": width,
        "height": height,
        "timestamp": start.div_euclid(1000),
        "idle_time_limit": IDLE_TIME_LIMIT,
        "title": title,
        "env": { "TERM": "xterm-256color" },
    });
    writeln!(out, "{header}")?;
    let mut frames = CastFrames::new(width, height);
    // Clear the player's screen and hide its cursor before the first frame.
    event(out, 0.0, b"\x1b[?25l\x1b[2J\x1b[H")?;
    let entries = (first..=replay.timeline.len()).count();
    let mut written = 0;
    for (done, position) in (first..=replay.timeline.len()).enumerate() {
        replay.seek(position);
        if let Some(bytes) = frames.draw(&replay)? {
            let at = (replay.timeline.time_at(position) - start) as f64 / 1000.0;
            event(out, at, &bytes)?;
            written += 1;
        }
        if done % PROGRESS_EVERY == 0 {
            progress(done, entries);
        }
    }
    progress(entries, entries);
    Ok(written)
}

/// Entries between two calls of a cast's progress function.
pub const PROGRESS_EVERY: usize = 256;

/// One output event: `[seconds, "o", text]`.
fn event(out: &mut impl Write, at: f64, bytes: &[u8]) -> std::io::Result<()> {
    let text = String::from_utf8_lossy(bytes);
    let line = serde_json::to_string(&(at, "o", text.as_ref()))?;
    writeln!(out, "{line}")
}
