//! The replay's terminal loop: keys and a frame clock, no workers, nothing sent anywhere.

use crate::ui::replay::{Replay, draw};
use crate::ui::runtime::spawn_signal_listener;
use crate::ui::terminal::Screen;
use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use std::time::{Duration, Instant};

/// How often a playing replay moves on and redraws.
const FRAME: Duration = Duration::from_millis(50);

/// Runs the replay until the operator quits; the terminal is restored on every path (the
/// [`Screen`] guard, as in the live cockpit).
pub async fn run(mut replay: Replay) -> std::io::Result<()> {
    let mut term = Screen::enter(false)?;
    async {
        let (signals, mut shutdown) = tokio::sync::mpsc::unbounded_channel();
        spawn_signal_listener(signals);
        let mut input = EventStream::new();
        let mut frames = tokio::time::interval(FRAME);
        frames.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut last = Instant::now();
        loop {
            term.draw(|f| draw(f, &replay))?;
            if replay.quit {
                return Ok(());
            }
            // Only time spent playing moves the replay on (not a pause before Space).
            let was_playing = replay.playback.playing;
            tokio::select! {
                maybe = input.next() => match maybe {
                    Some(Ok(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => replay.on_key(k),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e),
                    None => return Ok(()),
                },
                _ = frames.tick(), if replay.playback.playing => {}
                Some(_) = shutdown.recv() => return Ok(()),
            }
            let now = Instant::now();
            if was_playing {
                replay.tick(now.duration_since(last).as_millis() as i64);
            }
            last = now;
        }
    }
    .await
}
