//! The replay as an asciinema v2 cast: every entry's moment drawn once, at its journal time,
//! as the bytes a terminal would have received — so any asciinema player shows the incident.
//! Format: <https://docs.asciinema.org/manual/asciicast/v2/>.

use crate::ui::replay::{Replay, draw};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// Players compress longer pauses to this many seconds (the cast keeps the real times).
const IDLE_TIME_LIMIT: f64 = 2.0;

/// Writes the cast of `replay` from the entry it stands at to the last, `width`×`height` cells;
/// returns the frames written (one per entry). `progress` hears how many frames are written
/// out of how many, every [`PROGRESS_EVERY`] frames and at the end.
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
    let screen = Captured::default();
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(screen.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        },
    )?;
    // Clear the player's screen and hide its cursor before the first frame.
    event(out, 0.0, b"\x1b[?25l\x1b[2J\x1b[H")?;
    let frames = (first..=replay.timeline.len()).count();
    for (done, position) in (first..=replay.timeline.len()).enumerate() {
        replay.seek(position);
        terminal.draw(|f| draw(f, &replay))?;
        let bytes = screen.take();
        let at = (replay.timeline.time_at(position) - start) as f64 / 1000.0;
        event(out, at, &bytes)?;
        if done % PROGRESS_EVERY == 0 {
            progress(done, frames);
        }
    }
    progress(frames, frames);
    Ok(frames)
}

/// Frames between two calls of a cast's progress function.
pub const PROGRESS_EVERY: usize = 256;

/// What the terminal backend writes, kept for the next event.
#[derive(Clone, Default)]
struct Captured(Rc<RefCell<Vec<u8>>>);

impl Captured {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One output event: `[seconds, "o", text]`.
fn event(out: &mut impl Write, at: f64, bytes: &[u8]) -> std::io::Result<()> {
    let text = String::from_utf8_lossy(bytes);
    let line = serde_json::to_string(&(at, "o", text.as_ref()))?;
    writeln!(out, "{line}")
}
