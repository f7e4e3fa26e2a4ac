//! The replay as an asciinema v2 cast: each entry's moment at its journal time, as the bytes
//! a terminal would have received — so any asciinema player shows the incident. An entry
//! that changes nothing on the screen adds no frame. Format:
//! <https://docs.asciinema.org/manual/asciicast/v2/>.
//!
//! A long journal is drawn in stretches, several at once (one replay and one thread each),
//! and written in order: a stretch starts from the screen the entry before it shows, so its
//! frames are the bytes one drawing from the start would have sent.

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
/// visible). `progress` hears how many entries are done out of how many, after each round of
/// stretches and at the end.
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
    let mut written = 0;
    let mut next = first;
    while next <= last {
        let mut stretches = Vec::with_capacity(workers);
        for _ in 0..workers {
            if next > last {
                break;
            }
            let end = next.saturating_add(stretch - 1).min(last);
            stretches.push((next, end));
            next = end + 1;
        }
        let drawn = match replays.as_mut_slice() {
            [one] => stretches
                .iter()
                .map(|&(from, to)| moments.draw(one, from, to))
                .collect(),
            all => std::thread::scope(|scope| {
                let threads: Vec<_> = all
                    .iter_mut()
                    .zip(&stretches)
                    .map(|(replay, &(from, to))| {
                        scope.spawn(move || moments.draw(replay, from, to))
                    })
                    .collect();
                threads
                    .into_iter()
                    .map(|t| {
                        t.join().unwrap_or_else(|_| {
                            Err(std::io::Error::other("a thread drawing the cast failed"))
                        })
                    })
                    .collect::<Vec<_>>()
            }),
        };
        for result in drawn {
            let (bytes, frames) = result?;
            out.write_all(&bytes)?;
            written += frames;
        }
        progress((next - first).min(entries), entries);
    }
    progress(entries, entries);
    Ok(written)
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
