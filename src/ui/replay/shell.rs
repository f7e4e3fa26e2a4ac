//! A recorded shell's screen at a replay's position: its output batches up to there fed into a
//! terminal emulator (vt100), kept between moves so that stepping forward feeds only the
//! batches in between; a move back, or into another shell, builds it again.

use crate::core::journal::Record;
use crate::core::replay::{ShellSpan, Timeline};
use crate::core::shell::{CastCode, CastEvent};
use crate::ui::terminal::contain_panic;
use tame::tame;

/// The widest screen a recorded shell is emulated at (a journal could claim any size).
const MAX_COLS: u16 = 500;
/// The tallest.
const MAX_ROWS: u16 = 300;

/// A recorded shell's screen as it stood after some of its output batches.
pub struct ShellScreen {
    /// Which shell: the position right after its `shell_started` (one per shell).
    started: usize,
    /// The shell's number and host, for the title.
    session: u64,
    host: String,
    /// The emulated terminal.
    parser: vt100::Parser,
    /// Output batches fed so far.
    fed: usize,
    /// Journal time (unix ms) of the last output or resize fed, or of the opening.
    shown_ms: i64,
    /// The emulator failed on some output (vt100 0.16 can panic on hostile sequences): the
    /// screen was started blank again from there.
    damaged: bool,
    /// An unfinished escape sequence at the end of the output fed so far.
    held: String,
}

impl std::fmt::Debug for ShellScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShellScreen")
            .field("started", &self.started)
            .field("session", &self.session)
            .field("fed", &self.fed)
            .field("size", &self.parser.screen().size())
            .finish_non_exhaustive()
    }
}

impl ShellScreen {
    /// The screen of the shell at `position` on `timeline` (None outside every shell),
    /// continuing `previous` when it is the same shell, not past `position`.
    pub fn follow(previous: Option<Self>, timeline: &Timeline, position: usize) -> Option<Self> {
        let span = timeline.shell_at(position)?;
        let wanted = span.outputs_at(position);
        let mut screen = match previous {
            Some(s) if s.started == span.started && s.fed <= wanted => s,
            _ => Self::opened(span),
        };
        for &batch in span.outputs.get(screen.fed..wanted).unwrap_or_default() {
            if let Some(Record::ShellOutput { events, .. }) =
                timeline.entry_at(batch).map(|e| &e.record)
            {
                screen.feed(span.opened_ms, events);
            }
        }
        screen.fed = wanted;
        Some(screen)
    }

    /// The blank screen of a shell just opened, at its size.
    fn opened(span: &ShellSpan) -> Self {
        let (cols, rows) = bounded(span.cols, span.rows);
        Self {
            started: span.started,
            session: span.session,
            host: span.host.clone(),
            parser: vt100::Parser::new(rows, cols, 0),
            fed: 0,
            shown_ms: span.opened_ms,
            damaged: false,
            held: String::new(),
        }
    }

    /// Feeds a batch's events: output is drawn, a resize resizes; input is left out (what the
    /// host echoed is in its output already).
    fn feed(&mut self, opened_ms: i64, events: &[CastEvent]) {
        for CastEvent(seconds, code, data) in events {
            let size = self.parser.screen().size();
            let parser = &mut self.parser;
            let held = &mut self.held;
            let fed = contain_panic(|| match code {
                CastCode::Output => {
                    parser.process(tame(held, data).as_bytes());
                    true
                }
                CastCode::Resize => match parse_size(data) {
                    Some((cols, rows)) => {
                        parser.screen_mut().set_size(rows, cols);
                        true
                    }
                    None => false,
                },
                CastCode::Input => false,
            });
            match fed {
                Some(true) => {}
                Some(false) => continue,
                None => {
                    // Half-changed by the panic: a blank screen of the size it had.
                    self.parser = vt100::Parser::new(size.0, size.1, 0);
                    self.held.clear();
                    self.damaged = true;
                }
            }
            // A float cast saturates (NaN gives 0): no journal time makes this overflow.
            let at = opened_ms.saturating_add((seconds * 1000.0) as i64);
            self.shown_ms = self.shown_ms.max(at);
        }
    }

    /// The emulated screen.
    pub fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    /// Whether part of the output could not be emulated (the screen restarted blank there).
    pub fn damaged(&self) -> bool {
        self.damaged
    }

    /// The shell's number.
    pub fn session(&self) -> u64 {
        self.session
    }

    /// The host it ran on.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Journal time (unix ms) the screen stands at: its last output or resize.
    pub fn shown_ms(&self) -> i64 {
        self.shown_ms
    }

    /// What tells this screen from any other of the journal: the shell, and batches fed.
    pub fn identity(&self) -> (usize, usize) {
        (self.started, self.fed)
    }
}

/// The narrowest: vt100 0.16 panics placing a wide character on a screen narrower than it.
const MIN_COLS: u16 = 2;
/// The lowest: vt100 0.16 panics wrapping a line on a screen of one row.
const MIN_ROWS: u16 = 2;

/// A size within what vt100 emulates without panicking and what is worth emulating.
fn bounded(cols: u16, rows: u16) -> (u16, u16) {
    (
        cols.clamp(MIN_COLS, MAX_COLS),
        rows.clamp(MIN_ROWS, MAX_ROWS),
    )
}

/// A resize event's `COLSxROWS`, bounded; None when it is not one.
fn parse_size(data: &str) -> Option<(u16, u16)> {
    let (cols, rows) = data.trim().split_once('x')?;
    let cols = cols.trim().parse::<u32>().ok()?;
    let rows = rows.trim().parse::<u32>().ok()?;
    let clip = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
    Some(bounded(clip(cols), clip(rows)))
}

mod tame;

#[cfg(test)]
mod tests;
