//! Where the workers' reports wait for the event loop: journal acknowledgements, answers and
//! signals (unbounded), the fleet's reports and the rows of running statements (bounded, so a
//! flood waits for the screen instead of filling memory).

use crate::io::fleet::{FLEET_QUEUE, FleetEvent};
use crate::ui::event::Event;
use tokio::sync::mpsc::{Receiver, Sender, UnboundedReceiver, UnboundedSender, unbounded_channel};

/// Row batches (and statement ends) waiting for the UI before statements wait instead.
const SQL_QUEUE: usize = 16;

/// Most events handled before the next frame: a burst of log lines costs one frame.
const BATCH: usize = 512;

/// The sending ends, handed to whatever reports to the app.
#[derive(Clone)]
pub struct Outlets {
    /// Journal acknowledgements, workers' answers, signals, the shared journal's reports.
    pub events: UnboundedSender<Event>,
    /// The fleet worker's probes and log lines.
    pub fleet: Sender<FleetEvent>,
    /// Rows and ends of running statements.
    pub sql: Sender<Event>,
}

/// The receiving ends, read by the event loop (or a test driving the app headless).
pub struct Inbox {
    events: UnboundedReceiver<Event>,
    fleet: Receiver<FleetEvent>,
    sql: Receiver<Event>,
}

/// A new inbox and the outlets that feed it.
pub fn channels() -> (Outlets, Inbox) {
    let (events, events_rx) = unbounded_channel();
    let (fleet, fleet_rx) = tokio::sync::mpsc::channel(FLEET_QUEUE);
    let (sql, sql_rx) = tokio::sync::mpsc::channel(SQL_QUEUE);
    (
        Outlets { events, fleet, sql },
        Inbox {
            events: events_rx,
            fleet: fleet_rx,
            sql: sql_rx,
        },
    )
}

impl Inbox {
    /// The next report from any worker; waits for ever once every sender is gone. Safe to
    /// cancel (in a `select!`): nothing is lost.
    pub async fn recv(&mut self) -> Event {
        tokio::select! {
            Some(e) = self.events.recv() => e,
            Some(e) = self.fleet.recv() => Event::Fleet(e),
            Some(e) = self.sql.recv() => e,
            else => std::future::pending().await,
        }
    }

    /// `first` and whatever else is already waiting (at most [`BATCH`] in all).
    pub fn batch(&mut self, first: Event) -> Vec<Event> {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match self
                .events
                .try_recv()
                .or_else(|_| self.fleet.try_recv().map(Event::Fleet))
                .or_else(|_| self.sql.try_recv())
            {
                Ok(e) => batch.push(e),
                Err(_) => break,
            }
        }
        batch
    }

    /// An acknowledgement or answer already waiting, if any (not the fleet's or the rows).
    pub fn try_event(&mut self) -> Option<Event> {
        self.events.try_recv().ok()
    }
}
