//! The replay as an asciinema v2 cast: each entry's moment at its journal time, as the bytes
//! a terminal would have received — so any asciinema player shows the incident. An entry
//! that changes nothing on the screen adds no frame. Format:
//! <https://docs.asciinema.org/manual/asciicast/v2/>.
//!
//! A long journal is drawn in stretches, several at once (one replay and one thread each,
//! each thread taking the next stretch as it is free), and written in order: a stretch starts
//! from the screen the entry before it shows, so its frames are the bytes one drawing from the
//! start would have sent.

use crate::ui::replay::Replay;
use crate::ui::replay::frames::CastFrames;
use std::io::Write;

/// Players compress longer pauses to this many seconds (the cast keeps the real times).
const IDLE_TIME_LIMIT: f64 = 2.0;

/// Entries in a stretch drawn by one thread; each costs one extra whole screen.
const STRETCH: usize = 2048;

/// Threads drawing at most.
const MAX_WORKERS: usize = 8;

/// How a cast is cut to be drawn side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CastSplit {
    /// Entries in each stretch.
    pub stretch: usize,
    /// Stretches drawn at once (threads).
    pub workers: usize,
}

impl Default for CastSplit {
    /// Stretches of 2,048 entries, as many at once as the machine has cores (at most 8).
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            stretch: STRETCH,
            workers: cores.min(MAX_WORKERS),
        }
    }
}

/// Writes the cast of `replay` from the entry it stands at to the last, `width`×`height` cells;
/// returns the frames written (at most one per entry: none for an entry that changes nothing
/// visible). `progress` hears how many entries are done out of how many, after each stretch
/// written and at the end.
pub fn write_cast(
    replay: Replay,
    title: &str,
    width: u16,
    height: u16,
    out: &mut impl Write,
    progress: impl FnMut(usize, usize),
) -> std::io::Result<usize> {
    let split = CastSplit::default();
    write_cast_split(replay, title, (width, height), out, progress, split)
}

/// [`write_cast`], cut as `split` says (the same bytes however it is cut).
pub fn write_cast_split(
    replay: Replay,
    title: &str,
    (width, height): (u16, u16),
    out: &mut impl Write,
    mut progress: impl FnMut(usize, usize),
    split: CastSplit,
) -> std::io::Result<usize> {
    let first = replay.position.max(1);
    let last = replay.timeline.len();
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
    // Clear the player's screen and hide its cursor before the first frame.
    event(out, 0.0, b"\x1b[?25l\x1b[2J\x1b[H")?;
    let entries = (first..=last).count();
    let stretch = split.stretch.max(1);
    let workers = split.workers.clamp(1, entries.div_ceil(stretch).max(1));
    let mut replays = Vec::with_capacity(workers);
    for _ in 1..workers {
        replays.push(replay.fork());
    }
    replays.push(replay);
    let moments = Moments {
        first,
        start,
        width,
        height,
    };
    progress(0, entries);
    let stretches = Stretches {
        first,
        last,
        stretch,
    };
    let mut written = 0;
    let mut write = |index: usize, drawn: Drawn| -> std::io::Result<()> {
        let (bytes, frames) = drawn?;
        out.write_all(&bytes)?;
        written += frames;
        let (_, to) = stretches.get(index);
        progress(to + 1 - first, entries);
        Ok(())
    };
    match replays.as_mut_slice() {
        [one] => {
            for index in 0..stretches.count() {
                let (from, to) = stretches.get(index);
                write(index, moments.draw(one, from, to))?;
            }
        }
        all => draw_side_by_side(all, stretches, moments, &mut write)?,
    }
    progress(entries, entries);
    Ok(written)
}

/// A stretch's events and how many frames they hold.
type Drawn = std::io::Result<(Vec<u8>, usize)>;

/// The cast's entries cut into stretches.
#[derive(Clone, Copy)]
struct Stretches {
    first: usize,
    last: usize,
    stretch: usize,
}

impl Stretches {
    fn count(self) -> usize {
        (self.first..=self.last).count().div_ceil(self.stretch)
    }

    /// The first and last entry of stretch `index`.
    fn get(self, index: usize) -> (usize, usize) {
        let from = self.first + index * self.stretch;
        (from, (from + self.stretch - 1).min(self.last))
    }
}

/// Draws the stretches with one thread per replay, each taking the next stretch as it is
/// free, and hands them to `write` in order. A thread runs at most two stretches per
/// thread ahead of the last one written, so the stretches held waiting stay few.
fn draw_side_by_side(
    replays: &mut [Replay],
    stretches: Stretches,
    moments: Moments,
    write: &mut impl FnMut(usize, Drawn) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let queue = Queue::new(stretches.count(), 2 * replays.len());
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel::<(usize, Drawn)>();
        let threads: Vec<_> = replays
            .iter_mut()
            .map(|replay| {
                let (sender, queue) = (sender.clone(), &queue);
                scope.spawn(move || {
                    while let Some(index) = queue.take() {
                        let (from, to) = stretches.get(index);
                        let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            moments.draw(replay, from, to)
                        }))
                        .unwrap_or_else(|_| {
                            Err(std::io::Error::other("a thread drawing the cast failed"))
                        });
                        let failed = drawn.is_err();
                        if sender.send((index, drawn)).is_err() || failed {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(sender);
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        let mut result = Ok(());
        for (index, drawn) in &receiver {
            waiting.insert(index, drawn);
            while let Some(drawn) = waiting.remove(&next) {
                result = write(next, drawn);
                next += 1;
                queue.written(next);
                if result.is_err() {
                    break;
                }
            }
            if result.is_err() {
                break;
            }
        }
        // A failure stops the threads taking more; what they still send is dropped.
        queue.stop();
        drop(receiver);
        let joined = threads.into_iter().all(|t| t.join().is_ok());
        result?;
        if !joined || next < stretches.count() {
            return Err(std::io::Error::other("a thread drawing the cast failed"));
        }
        Ok(())
    })
}

/// The stretches still to draw, handed out in order, never too far ahead of the writing.
struct Queue {
    state: std::sync::Mutex<QueueState>,
    turn: std::sync::Condvar,
    count: usize,
    ahead: usize,
}

struct QueueState {
    next: usize,
    written: usize,
    stopped: bool,
}

impl Queue {
    fn new(count: usize, ahead: usize) -> Self {
        Self {
            state: std::sync::Mutex::new(QueueState {
                next: 0,
                written: 0,
                stopped: false,
            }),
            turn: std::sync::Condvar::new(),
            count,
            ahead,
        }
    }

    /// The next stretch to draw, once it is near enough to the writing; None when all are
    /// handed out or the cast stopped.
    fn take(&self) -> Option<usize> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if state.stopped || state.next >= self.count {
                return None;
            }
            if state.next < state.written + self.ahead {
                state.next += 1;
                return Some(state.next - 1);
            }
            state = self.turn.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Stretches before `written` are written.
    fn written(&self, written: usize) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).written = written;
        self.turn.notify_all();
    }

    /// No more stretches are handed out.
    fn stop(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).stopped = true;
        self.turn.notify_all();
    }
}

/// What every stretch shares: where the cast starts, in entries and in time, and its size.
#[derive(Clone, Copy)]
struct Moments {
    first: usize,
    start: i64,
    width: u16,
    height: u16,
}

impl Moments {
    /// The events of entries `from..=to`, and how many frames they hold.
    fn draw(
        self,
        replay: &mut Replay,
        from: usize,
        to: usize,
    ) -> std::io::Result<(Vec<u8>, usize)> {
        let mut frames = CastFrames::new(self.width, self.height);
        if from > self.first {
            // The viewer's screen as the entry before the stretch left it.
            replay.seek(from - 1);
            frames.draw(replay)?;
        }
        let mut out = Vec::new();
        let mut written = 0;
        for position in from..=to {
            replay.seek(position);
            if let Some(bytes) = frames.draw(replay)? {
                let at = (replay.timeline.time_at(position) - self.start) as f64 / 1000.0;
                event(&mut out, at, &bytes)?;
                written += 1;
            }
        }
        Ok((out, written))
    }
}

/// One output event: `[seconds, "o", text]`.
fn event(out: &mut impl Write, at: f64, bytes: &[u8]) -> std::io::Result<()> {
    let text = String::from_utf8_lossy(bytes);
    let line = serde_json::to_string(&(at, "o", text.as_ref()))?;
    writeln!(out, "{line}")
}
