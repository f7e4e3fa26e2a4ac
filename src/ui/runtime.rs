//! The event loop: input, worker reports, journal acknowledgements, ticks and signals become
//! events; `App` turns them into commands; the [`Executor`] carries them out; the loop redraws.

mod executor;
mod inbox;
mod journal_writer;
mod reports;
mod shell_handoff;
mod signals;
mod sql_sessions;

pub use executor::{Executor, Parts};
pub use inbox::{Inbox, Outlets, channels};
pub use shell_handoff::ShellHandoff;
pub use signals::spawn_signal_listener;

use crate::core::drill::Drill;
use crate::core::journal::Record;
use crate::io::journal_store::JournalStore;
use crate::ui::app::App;
use crate::ui::event::Event;
use crate::ui::pacer::FramePacer;
use crate::ui::team_link::TeamLink;
use crate::ui::terminal::Screen;
use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use std::io::IsTerminal;
use std::time::Duration;

/// What happens once the first frame is drawn: the start-up benchmark quits there, and a test
/// panics there to prove the terminal is restored on that path too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AfterFirstFrame {
    /// Go on as usual.
    #[default]
    Continue,
    /// Quit normally.
    Exit,
    /// Panic on purpose.
    Panic,
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The operator quit, or a signal asked to stop; the terminal was restored.
    Normally(String),
    /// The terminal went away (SSH to the bastion dropped); nothing more can be drawn.
    TerminalLost(String),
}

/// What the runtime needs besides the app.
pub struct Session {
    /// The open journal.
    pub journal: JournalStore,
    /// The demo fleet's fault injector, when running the demo.
    pub drill: Option<Box<dyn Drill>>,
    /// `live` or `demo`, recorded in the session entry.
    pub mode: String,
    /// What to do once the first frame is drawn.
    pub after_first_frame: AfterFirstFrame,
    /// Rewrites a sql step's statement before it runs (the demo's SQLite standing in for
    /// MySQL); none for a real fleet.
    pub sql_dialect: Option<fn(&str) -> String>,
    /// The shared store's claims and presence, on a shared journal (the app's `team` has the
    /// same session id); none on a local one.
    pub team: Option<TeamLink>,
    /// The shared journal the local one is uploaded to, if any.
    pub shared: Option<crate::io::shared::sync::SyncSetup>,
    /// The notification channels with their secrets read.
    pub notify: Vec<crate::io::notify::ReadyChannel>,
}

/// How far a drill's clock runs ahead of the wall clock (ms); zero outside a drill.
static DRILL_CLOCK_OFFSET_MS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// The current time, unix ms: the wall clock, or in a drill whose clock was moved ahead, the
/// drill's time (the journal is stamped with it too, so its times never go back).
pub fn now_ms() -> i64 {
    chrono::Utc::now()
        .timestamp_millis()
        .saturating_add(DRILL_CLOCK_OFFSET_MS.load(std::sync::atomic::Ordering::Relaxed))
}

/// Runs the drill's clock `offset_ms` ahead of the wall clock from now on (never moved back).
pub fn set_drill_clock(offset_ms: i64) {
    DRILL_CLOCK_OFFSET_MS.fetch_max(offset_ms, std::sync::atomic::Ordering::Relaxed);
}

/// What a finished session leaves behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// How it ended.
    pub ended: Ended,
    /// The incident still open, if any.
    pub open_incident: Option<String>,
    /// Entries in the journal as far as this session saw.
    pub entries: u64,
    /// Incidents resolved in this session with the journal head at their resolution.
    pub resolved_heads: Vec<(String, String)>,
    /// How the shared journal stood at the end, on one.
    pub shared: Option<crate::io::shared::SyncStatus>,
    /// Why the journal was refused during the session, if it was (nothing was written to it).
    pub journal_refused: Option<String>,
}

/// Runs the UI until the operator quits or the session ends.
pub async fn run(mut app: App, session: Session) -> std::io::Result<Outcome> {
    let Session {
        journal,
        drill,
        mode,
        mut after_first_frame,
        sql_dialect,
        team,
        shared,
        notify,
    } = session;
    let (outlets, mut inbox) = channels();
    let parts = Parts {
        journal,
        drill,
        sql_dialect,
        team,
        shared,
        notify,
    };
    let mut executor = Executor::start(&mut app, parts, &outlets);
    if app.mode == crate::ui::app::RunMode::Demo {
        // A drill resumed on its journal keeps the clock it had: its times never go back.
        set_drill_clock(app.workspace.drill_clock_ms);
    }
    let started = Record::SessionStarted {
        version: env!("CARGO_PKG_VERSION").to_string(),
        mode,
        role: Some(app.role),
    };
    executor.journal(&mut app, started);
    spawn_signal_listener(outlets.events.clone());
    let mut screen = Screen::enter(app.mouse)?;
    // None while a shell has the terminal: its keys are the shell's, not the cockpit's.
    let mut input = Some(EventStream::new());
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let mut pacer = FramePacer::default();
    let ended = loop {
        // Keys and resizes draw at once; worker reports at most every FRAME, so a log flood
        // costs neither CPU nor bandwidth on the operator's SSH link to the bastion.
        if input.is_some() && pacer.due() {
            pacer.drew();
            if let Err(e) = draw(&mut screen, &mut app) {
                break Ended::TerminalLost(format!("terminal lost: {e}"));
            }
            executor.first_frame_drawn();
            match std::mem::take(&mut after_first_frame) {
                AfterFirstFrame::Continue => {}
                AfterFirstFrame::Exit => break Ended::Normally("first frame drawn".into()),
                AfterFirstFrame::Panic => {
                    panic!("deliberate panic after the first frame (--panic-after-first-frame)")
                }
            }
        }
        let event = tokio::select! {
            maybe = next_input(&mut input) => match from_terminal(maybe, &mut app) {
                Ok(Some(e)) => e,
                Ok(None) => continue,
                Err(reason) => break Ended::TerminalLost(reason),
            },
            (shell_for, opened) = executor.shell_opened() => match opened {
                Ok(shell) => {
                    // The terminal is the shell's until it ends.
                    input = None;
                    if let Err(e) = screen.step_aside() {
                        break Ended::TerminalLost(format!("terminal lost: {e}"));
                    }
                    executor.run_shell(&app, shell, &shell_for);
                    continue;
                }
                Err(reason) => ShellHandoff::not_opened(&shell_for, reason),
            },
            e = inbox.recv() => e,
            // No frames while a shell has the terminal.
            () = sleep_until_due(pacer.deadline()), if input.is_some() => continue,
            _ = ticker.tick() => {
                if !std::io::stdout().is_terminal() {
                    break Ended::TerminalLost("stdout is no longer a terminal".into());
                }
                Event::Tick
            }
        };
        let batch = inbox.batch(event);
        pacer.handled(&batch);
        let mut quit = None;
        for event in batch {
            app.now_ms = now_ms();
            for command in app.on_event(event) {
                quit = executor.perform(&mut app, command).or(quit);
            }
        }
        // The terminal was the shell's and the app no longer has one: it has ended.
        if input.is_none() && app.shell.is_none() {
            executor.shell_ended();
            if let Err(e) = screen.come_back(app.mouse) {
                break Ended::TerminalLost(format!("terminal lost: {e}"));
            }
            if let Ok(size) = screen.size() {
                app.screen = ratatui::layout::Rect::new(0, 0, size.width, size.height);
            }
            input = Some(EventStream::new());
        }
        executor.follow(&app);
        if let Some(reason) = quit {
            break Ended::Normally(reason);
        }
    };
    executor.finish(&app, &ended).await;
    drop(screen);
    Ok(Outcome::of(&mut app, ended, &mut inbox))
}

/// Draws one frame at the terminal's current size.
fn draw(screen: &mut Screen, app: &mut App) -> std::io::Result<()> {
    app.now_ms = now_ms();
    if let Ok(size) = screen.size() {
        app.screen = ratatui::layout::Rect::new(0, 0, size.width, size.height);
        app.page_rows = usize::from(size.height.saturating_mul(2) / 5).max(1);
    }
    screen.draw(|f| crate::ui::draw::draw(f, app)).map(|_| ())
}

/// Turns the terminal's input into the app's event (a resize also sets the screen size);
/// none for what the app does not act on (a key release, focus, the mouse when it is off or
/// outside the panes);
/// why, when the terminal is gone.
fn from_terminal(
    maybe: Option<std::io::Result<TermEvent>>,
    app: &mut App,
) -> Result<Option<Event>, String> {
    Ok(Some(match maybe {
        Some(Ok(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => Event::Key(k),
        Some(Ok(TermEvent::Resize(w, h))) => {
            app.screen = ratatui::layout::Rect::new(0, 0, w, h);
            Event::Resize
        }
        Some(Ok(TermEvent::Mouse(m))) if app.mouse => match crate::ui::mouse::action_for(app, &m) {
            Some(action) => Event::Mouse(action),
            None => return Ok(None),
        },
        Some(Ok(TermEvent::Paste(text))) => Event::Paste(text),
        Some(Ok(_)) => return Ok(None),
        Some(Err(e)) => return Err(format!("terminal input failed: {e}")),
        None => return Err("terminal input closed".into()),
    }))
}

impl Outcome {
    /// What the session leaves behind, once the executor has finished: the entries the
    /// journal writer acknowledged last, still in `inbox`, are folded into `app` first.
    pub fn of(app: &mut App, ended: Ended, inbox: &mut Inbox) -> Self {
        let mut drained = None;
        while let Some(event) = inbox.try_event() {
            match event {
                Event::Journaled(entry) => {
                    drained = Some(entry.seq);
                    app.workspace.apply(&entry);
                    app.keep_resolve_head(&entry);
                }
                Event::JournalBroken(reason) => app.journal_refused = Some(reason),
                Event::Shared(crate::io::shared::SyncReport::Status(status)) => {
                    if let Some(view) = app.shared.as_mut() {
                        view.status = status;
                    }
                }
                _ => {}
            }
        }
        // On a shared journal the workspace also holds the team's entries: count the local ones.
        let local_head = match &app.shared {
            Some(view) => view.local_head().max(drained.unwrap_or(0)),
            None => app.workspace.last_seq,
        };
        Self {
            ended,
            open_incident: app.incident().map(|i| i.id.clone()),
            entries: local_head,
            resolved_heads: app.resolved_heads.clone(),
            shared: app.shared.as_ref().map(|v| v.status.clone()),
            journal_refused: app.journal_refused.clone(),
        }
    }
}

/// The terminal's next input; never while a shell has the terminal.
async fn next_input(input: &mut Option<EventStream>) -> Option<std::io::Result<TermEvent>> {
    match input {
        Some(stream) => stream.next().await,
        None => std::future::pending().await,
    }
}

/// Sleeps until a pending frame is due; forever when none is.
async fn sleep_until_due(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
