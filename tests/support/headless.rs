//! The app driven headless through what ships: the runtime's [`Executor`] carries out every
//! command the app asks for (the journal writer stores records, the fleet runs commands) and
//! its [`Inbox`] brings back the workers' reports and the journal's acknowledgements, as in
//! `cockpit::ui::runtime::run`. Only the terminal is left out: the test presses the keys,
//! waits for what it expects (never a fixed time) and looks at the app instead of a frame.
//!
//! The app's clock stands still at the session's start unless the test moves it, so what a
//! test sees does not depend on how fast the machine is.
#![allow(dead_code)]

use cockpit::core::journal::{Entry, Record};
use cockpit::io::journal_store::JournalStore;
use cockpit::ui::app::App;
use cockpit::ui::command::Command;
use cockpit::ui::event::Event;
use cockpit::ui::runtime::{Ended, Executor, Inbox, Outcome, Outlets, Parts, channels, now_ms};
use std::time::Duration;

/// How long a wait may take before the test fails: a guard against a hang, far above what
/// anything here needs even on a busy machine, not a timing assertion.
const PATIENCE: Duration = Duration::from_secs(60);

/// A live session without a terminal: the app, the executor acting for it and the inbox
/// bringing the answers back.
pub struct Headless {
    /// The app, as the event loop holds it.
    pub app: App,
    executor: Executor,
    inbox: Inbox,
    outlets: Outlets,
    /// Why the app asked to quit, once it has.
    quit: Option<String>,
    /// Every entry the journal acknowledged to the app, in order.
    journaled: Vec<Entry>,
}

impl Headless {
    /// Starts the executor for `app` over `journal` (no drill, no shared journal), journals
    /// the session's start as the runtime does and waits until the journal holds it.
    pub async fn start(mut app: App, journal: JournalStore) -> Self {
        app.now_ms = now_ms();
        let (outlets, inbox) = channels();
        let parts = Parts {
            journal,
            drill: None,
            sql_dialect: None,
            team: None,
            shared: None,
            notify: cockpit::io::notify::ready_channels(&app.inventory.notify),
        };
        let mut executor = Executor::start(&mut app, parts, &outlets);
        // No terminal: the first frame is as good as drawn.
        executor.first_frame_drawn();
        let started = Record::SessionStarted {
            version: env!("CARGO_PKG_VERSION").to_string(),
            mode: "live".into(),
            role: Some(app.role),
        };
        executor.journal(&mut app, started);
        let mut session = Self {
            app,
            executor,
            inbox,
            outlets,
            quit: None,
            journaled: Vec::new(),
        };
        session.settle().await;
        session
    }

    /// One event from the terminal (or a report the test stands in for): the app handles it
    /// and the executor carries out what it asks for at once. Returns those commands.
    pub fn send(&mut self, event: Event) -> Vec<Command> {
        let commands = self.handle(event);
        self.executor.follow(&self.app);
        commands
    }

    /// Events one after the other, as [`Headless::send`]; the commands they asked for, in
    /// order.
    pub fn keys(&mut self, events: impl IntoIterator<Item = Event>) -> Vec<Command> {
        let commands = events.into_iter().flat_map(|e| self.handle(e)).collect();
        self.executor.follow(&self.app);
        commands
    }

    /// Puts a worker's report in the inbox through the outlet that worker uses: the app sees
    /// it when the test next waits, in order with everything else the workers sent.
    pub fn report(&self, event: Event) {
        let sent = match event {
            Event::Fleet(fleet) => self.outlets.fleet.try_send(fleet).is_ok(),
            Event::SqlRows { .. } | Event::SqlDone { .. } => {
                self.outlets.sql.try_send(event).is_ok()
            }
            other => self.outlets.events.send(other).is_ok(),
        };
        assert!(sent, "the inbox took no report");
    }

    /// Hands the app what arrives in the inbox, batch after batch as the event loop does, and
    /// carries out what it asks for, until `done` holds; fails the test when it has not after
    /// [`PATIENCE`]. Returns the commands carried out meanwhile, in order.
    pub async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) -> Vec<Command> {
        self.wait(what, |session| done(&session.app)).await
    }

    /// Waits for the journal writer's entry of its own about the head at entry `head` (a
    /// resolve or the session's end): its signature, or that there is none.
    pub async fn signature(&mut self, head: u64) -> Entry {
        let find = |session: &Self| {
            session
                .journaled
                .iter()
                .find(|e| match &e.record {
                    Record::HeadSigned { seq, .. } | Record::HeadNotSigned { seq, .. } => {
                        *seq == head
                    }
                    _ => false,
                })
                .cloned()
        };
        self.wait("the head's signature", |session| find(session).is_some())
            .await;
        find(self).expect("waited for it")
    }

    /// The last entry of `kind` the journal acknowledged to the app.
    pub fn last_journaled(&self, kind: &str) -> Option<&Entry> {
        self.journaled.iter().rfind(|e| e.record.kind() == kind)
    }

    /// Every entry of `kind` the journal acknowledged to the app, oldest first.
    pub fn journaled_of(&self, kind: &str) -> Vec<&Entry> {
        self.journaled
            .iter()
            .filter(|e| e.record.kind() == kind)
            .collect()
    }

    /// Waits until the journal has answered every write the app asked for (and those the
    /// answers led to); returns the other commands carried out meanwhile, in order.
    pub async fn settle(&mut self) -> Vec<Command> {
        let commands = self
            .until("the journal's answers", |app| app.pending_writes == 0)
            .await;
        commands
            .into_iter()
            .filter(|c| !matches!(c, Command::Journal(_)))
            .collect()
    }

    /// Ends the session as the runtime does once its loop is left: with the app's quit if it
    /// asked for one (then the journal's head is signed, if an agent can), otherwise as a
    /// session ended without a quit (its end is journaled unsigned at once). The journal is
    /// closed when this returns; the app has folded in the last acknowledgements.
    pub async fn end(self) -> (App, Outcome) {
        let Self {
            mut app,
            executor,
            mut inbox,
            quit,
            ..
        } = self;
        let ended = Ended::Normally(quit.unwrap_or_else(|| "test over".into()));
        executor.finish(&app, &ended).await;
        let outcome = Outcome::of(&mut app, ended, &mut inbox);
        (app, outcome)
    }

    /// Hands the app the inbox's batches until `done` holds; see [`Headless::until`].
    async fn wait(&mut self, what: &str, done: impl Fn(&Self) -> bool) -> Vec<Command> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let mut commands = Vec::new();
        while !done(self) {
            let Ok(first) = tokio::time::timeout_at(deadline, self.inbox.recv()).await else {
                panic!(
                    "still waiting for {what} after {PATIENCE:?}: {} journal write(s) \
                     unanswered, {} key(s) held, flash {:?}",
                    self.app.pending_writes,
                    self.app.held_keys(),
                    self.app.flash
                );
            };
            for event in self.inbox.batch(first) {
                commands.extend(self.handle(event));
            }
            self.executor.follow(&self.app);
        }
        commands
    }

    /// The app handles one event; every command it asks for is carried out by the executor.
    fn handle(&mut self, event: Event) -> Vec<Command> {
        if let Event::Journaled(entry) = &event {
            self.journaled.push(entry.clone());
        }
        let commands = self.app.on_event(event);
        for command in &commands {
            if let Some(reason) = self.executor.perform(&mut self.app, command.clone()) {
                self.quit.get_or_insert(reason);
            }
        }
        commands
    }
}
