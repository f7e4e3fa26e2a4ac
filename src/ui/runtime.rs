//! The event loop: input, worker reports, journal acknowledgements, ticks and signals become
//! events; `App` turns them into commands; the loop carries the commands out and redraws.

use crate::core::diagnose::diagnose_command;
use crate::core::drill::Drill;
use crate::core::journal::Record;
use crate::io::fleet::{FLEET_QUEUE, FleetWorker};
use crate::io::journal_store::JournalStore;
use crate::io::sql::{SqlSession, SqlSettings};
use crate::io::ssh::ExecOutput;
use crate::ui::app::App;
use crate::ui::command::Command;
use crate::ui::event::Event;
use crate::ui::pacer::FramePacer;
use crate::ui::team_link::TeamLink;
use crate::ui::terminal;
use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::{FutureExt, StreamExt};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// How every quit the operator asks for begins (`operator quit`, `… with incident open`).
const OPERATOR_QUIT: &str = "operator quit";

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
}

/// The current time, unix ms.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
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
}

/// Runs the UI until the operator quits or the session ends.
pub async fn run(mut app: App, session: Session) -> std::io::Result<Outcome> {
    let Session {
        journal,
        mut drill,
        mode,
        mut after_first_frame,
        sql_dialect,
        team,
        shared,
    } = session;
    let mut sql_sessions: HashMap<String, SqlSession> = HashMap::new();
    let (events, mut inbox) = unbounded_channel::<Event>();
    // Rows of running statements: bounded, so a huge result waits for the screen instead of
    // filling memory.
    let (sql_tx, mut sql_rx) = tokio::sync::mpsc::channel::<Event>(SQL_QUEUE);
    let actor = app.operator.to_string();
    let quit_cleanly = Arc::new(AtomicBool::new(false));
    let (uploads, link) = shared
        .map(|setup| crate::ui::shared_link::start(setup, events.clone()))
        .unzip();
    let (journal_tx, writer) = spawn_journal_writer(
        journal,
        actor,
        events.clone(),
        uploads,
        quit_cleanly.clone(),
    );
    let send_journal = |app: &mut App, record: Record| {
        app.journal_request_sent();
        let _ = journal_tx.send(record);
    };
    let role = Some(app.role);
    send_journal(
        &mut app,
        Record::SessionStarted {
            version: env!("CARGO_PKG_VERSION").to_string(),
            mode,
            role,
        },
    );
    if let Some(d) = &drill {
        app.drill_hosts = d.hosts();
    }

    let (fleet_tx, mut fleet_rx) = tokio::sync::mpsc::channel(FLEET_QUEUE);
    let mut fleet = FleetWorker::start(&app.inventory, &app.redactor, fleet_tx);
    spawn_signal_listener(events.clone());
    let (incident_tx, incident_rx) =
        tokio::sync::watch::channel(app.incident().map(|i| i.id.clone()));
    let heartbeat = team
        .as_ref()
        .map(|link| link.spawn_presence(incident_rx, events.clone()));

    let mut term = terminal::enter(app.mouse)?;
    let mut input = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let mut pacer = FramePacer::default();
    let ended = loop {
        // Keys and resizes draw at once; worker reports at most every FRAME, so a log flood
        // costs neither CPU nor bandwidth on the operator's SSH link to the bastion.
        if pacer.due() {
            pacer.drew();
            app.now_ms = now_ms();
            if let Ok(size) = term.size() {
                app.screen = ratatui::layout::Rect::new(0, 0, size.width, size.height);
                app.page_rows = usize::from(size.height.saturating_mul(2) / 5).max(1);
            }
            if let Err(e) = term.draw(|f| crate::ui::draw::draw(f, &app)) {
                break Ended::TerminalLost(format!("terminal lost: {e}"));
            }
            match std::mem::take(&mut after_first_frame) {
                AfterFirstFrame::Continue => {}
                AfterFirstFrame::Exit => break Ended::Normally("first frame drawn".into()),
                AfterFirstFrame::Panic => {
                    panic!("deliberate panic after the first frame (--panic-after-first-frame)")
                }
            }
        }
        let event = tokio::select! {
            maybe = input.next() => match maybe {
                Some(Ok(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => Event::Key(k),
                Some(Ok(TermEvent::Resize(w, h))) => {
                    app.screen = ratatui::layout::Rect::new(0, 0, w, h);
                    Event::Resize
                }
                Some(Ok(TermEvent::Mouse(m))) if app.mouse => Event::Mouse(m),
                Some(Ok(TermEvent::Paste(text))) => Event::Paste(text),
                Some(Ok(_)) => continue,
                Some(Err(e)) => break Ended::TerminalLost(format!("terminal input failed: {e}")),
                None => break Ended::TerminalLost("terminal input closed".into()),
            },
            Some(e) = inbox.recv() => e,
            Some(e) = fleet_rx.recv() => Event::Fleet(e),
            Some(e) = sql_rx.recv() => e,
            () = sleep_until_due(pacer.deadline()) => continue,
            _ = ticker.tick() => {
                if !std::io::stdout().is_terminal() {
                    break Ended::TerminalLost("stdout is no longer a terminal".into());
                }
                Event::Tick
            }
        };
        let mut batch = vec![event];
        // Take what else is waiting (bounded), so a burst of log lines costs one frame.
        while batch.len() < 512 {
            match inbox
                .try_recv()
                .or_else(|_| fleet_rx.try_recv().map(Event::Fleet))
                .or_else(|_| sql_rx.try_recv())
            {
                Ok(e) => batch.push(e),
                Err(_) => break,
            }
        }
        pacer.handled(&batch);
        let mut quit = None;
        for event in batch {
            app.now_ms = now_ms();
            for command in app.on_event(event) {
                match command {
                    Command::Journal(record) => {
                        let _ = journal_tx.send(record);
                    }
                    Command::Diagnose { host, logs } => {
                        let job = fleet.exec(&host, diagnose_command(&logs), DIAGNOSE_TIMEOUT);
                        let reply = events.clone();
                        tokio::spawn(async move {
                            let result = job.await.map(|out| report_text(&out));
                            let _ = reply.send(Event::Diagnosed { host, result });
                        });
                    }
                    Command::InjectFault(_) | Command::ClearFault(_) => {
                        let Some(d) = drill.as_mut() else { continue };
                        match change_drill(d.as_mut(), &command) {
                            Some(Ok(record)) => send_journal(&mut app, record),
                            Some(Err(e)) => {
                                tracing::warn!("drill change failed: {e}");
                                app.show_error(format!("drill: {e}"));
                            }
                            None => {}
                        }
                        app.drill_hosts = d.hosts();
                    }
                    Command::TrustHostKey { host, offer } => {
                        let job = fleet.trust_host_key(&host, offer.clone());
                        let reply = events.clone();
                        tokio::spawn(async move {
                            let result = job.await;
                            let _ = reply.send(Event::HostKeyTrusted {
                                host,
                                offer,
                                result,
                            });
                        });
                    }
                    Command::SupplyPassphrase { key, passphrase } => {
                        fleet.supply_passphrase(key, passphrase)
                    }
                    Command::RunOnHost {
                        host,
                        command,
                        timeout,
                    } => {
                        let (progress, live) = tokio::sync::mpsc::channel(256);
                        let job = fleet.exec_watched(&host, command, timeout, Some(progress));
                        tokio::spawn(report_step_exec(host, job, live, events.clone()));
                    }
                    Command::RunStatement {
                        database,
                        run,
                        mut statement,
                    } => {
                        let Some(session) = sql_session(&mut sql_sessions, &app, &fleet, &database)
                        else {
                            let _ = events.send(Event::SqlDone {
                                database: database.clone(),
                                run,
                                result: Err(crate::io::sql::SqlFailure {
                                    message: format!("no database `{database}` in the inventory"),
                                    position: None,
                                    in_transaction: false,
                                    connection_lost: false,
                                }),
                            });
                            continue;
                        };
                        if let Some(rewrite) = sql_dialect {
                            statement.sql = rewrite(&statement.sql);
                            if let Some(r) = statement.reselect.as_mut() {
                                r.sql = rewrite(&r.sql);
                            }
                            if let Some(t) = statement.count_table.as_mut() {
                                *t = rewrite(t).trim().to_string();
                            }
                        }
                        let (rows, batches) = tokio::sync::mpsc::channel(4);
                        let job = session.run(statement, Some(rows));
                        tokio::spawn(report_statement(
                            database,
                            run,
                            job,
                            batches,
                            sql_tx.clone(),
                        ));
                    }
                    Command::CancelSql { database } => {
                        if let Some(session) = sql_sessions.get(&database) {
                            let job = session.cancel();
                            tokio::spawn(async move {
                                if let Err(e) = job.await {
                                    tracing::warn!("cancel on {database} failed: {e}");
                                }
                            });
                        }
                    }
                    Command::FinishSql { database, commit } => {
                        let reply = events.clone();
                        let job = sql_sessions.get(&database).map(|s| {
                            if commit {
                                s.commit().boxed()
                            } else {
                                s.rollback().boxed()
                            }
                        });
                        tokio::spawn(async move {
                            let result = match job {
                                Some(job) => job.await,
                                None => Err(format!("no session with `{database}`")),
                            };
                            let _ = reply.send(Event::SqlFinished {
                                database,
                                committed: commit,
                                result,
                            });
                        });
                    }
                    Command::ExportCsv {
                        path,
                        rows,
                        complete,
                    } => {
                        let reply = events.clone();
                        tokio::spawn(async move {
                            let result = rows.save_csv(path.clone()).await;
                            let _ = reply.send(Event::CsvExported {
                                path,
                                complete,
                                result,
                            });
                        });
                    }
                    Command::ClaimStep { .. }
                    | Command::RenewClaim { .. }
                    | Command::ReleaseClaim { .. } => match &team {
                        Some(link) => {
                            link.carry_out(&command, &events);
                        }
                        None => {
                            if let Command::ClaimStep { incident, step } = command {
                                let _ = events.send(Event::Claimed {
                                    incident,
                                    step,
                                    result: Err("no shared journal connected".into()),
                                });
                            }
                        }
                    },
                    Command::Quit(reason) => quit = Some(reason),
                }
            }
        }
        let active = app.incident().map(|i| i.id.clone());
        incident_tx.send_if_modified(|was| {
            let changed = *was != active;
            *was = active;
            changed
        });
        if let Some(reason) = quit {
            break Ended::Normally(reason);
        }
    };
    // Whatever transaction is still open is rolled back: closing the session rolls it back on
    // the server (and a session that cannot be reached has lost it already).
    let open = app.console.open_transactions();
    for (name, session) in &sql_sessions {
        let closing = session.close();
        let closed = tokio::time::timeout(Duration::from_secs(3), closing).await;
        if open.contains(name) {
            let _ = journal_tx.send(Record::SqlTransactionEnded {
                incident: app.incident().map(|i| i.id.clone()),
                database: name.clone(),
                committed: false,
                error: closed.is_err().then(|| {
                    "the rollback did not answer within 3 s; the connection was dropped".into()
                }),
            });
        }
    }
    fleet.stop();
    if let Some(link) = &team {
        if let Some(task) = heartbeat {
            task.abort();
        }
        link.leave().await;
    }
    let reason = match &ended {
        Ended::Normally(r) | Ended::TerminalLost(r) => r.clone(),
    };
    // The operator's quit is signed; a signal or a lost terminal must exit at once, so its end
    // is journaled as not signed rather than wait for the agent.
    let clean = matches!(&ended, Ended::Normally(r) if r.starts_with(OPERATOR_QUIT));
    quit_cleanly.store(clean, Ordering::SeqCst);
    let _ = journal_tx.send(Record::SessionEnded { reason });
    drop(journal_tx);
    // Flush: the writer ends once every queued record is on disk and the session's end is
    // signed (or the agent timed out).
    let flush = Duration::from_millis(1500) + crate::io::head_sign::SIGN_TIMEOUT;
    if tokio::time::timeout(flush, writer).await.is_err() {
        tracing::error!("journal writer did not finish within {flush:?}");
    }
    if let Some(link) = link {
        link.finish().await;
    }
    // Our restore ignores errors and prints nothing; ratatui's own drop may print (and so
    // panic) on a dead tty, so the terminal object is never dropped.
    terminal::restore();
    std::mem::forget(term);
    let mut drained = None;
    while let Ok(event) = inbox.try_recv() {
        match event {
            Event::Journaled(entry) => {
                drained = Some(entry.seq);
                app.workspace.apply(&entry);
                app.keep_resolve_head(&entry);
            }
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
    Ok(Outcome {
        ended,
        open_incident: app.incident().map(|i| i.id.clone()),
        entries: local_head,
        resolved_heads: app.resolved_heads,
        shared: app.shared.map(|v| v.status),
    })
}

/// Carries out a drill command; the record to journal when it worked.
fn change_drill(drill: &mut dyn Drill, command: &Command) -> Option<Result<Record, String>> {
    match command {
        Command::InjectFault(host) => Some(drill.inject(host).map(|fault| Record::FaultInjected {
            host: host.clone(),
            fault,
        })),
        Command::ClearFault(host) => Some(
            drill
                .clear(host)
                .map(|()| Record::FaultCleared { host: host.clone() }),
        ),
        _ => None,
    }
}

/// The journal writer owns the store; each record is stored before its entry is reported (and
/// then handed to `uploads`, the shared journal's uploader, if any).
/// After an incident's resolve and a session's end it has the head signed (see
/// [`head_signer`]) and journals the signature, or that there is none, when it comes.
fn spawn_journal_writer(
    mut journal: JournalStore,
    actor: String,
    events: UnboundedSender<Event>,
    uploads: Option<UnboundedSender<crate::core::journal::Entry>>,
    quit_cleanly: Arc<AtomicBool>,
) -> (UnboundedSender<Record>, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = unbounded_channel::<Record>();
    let (signed_tx, mut signed_rx) = unbounded_channel::<Record>();
    let handle = tokio::spawn(async move {
        let mut signing = 0usize;
        let mut open = true;
        while open || signing > 0 {
            let record = tokio::select! {
                Some(r) = signed_rx.recv(), if signing > 0 => {
                    signing -= 1;
                    r
                }
                r = rx.recv(), if open => match r {
                    Some(r) => r,
                    None => {
                        open = false;
                        continue;
                    }
                },
            };
            let own = record.is_signature();
            let event = match journal.append(now_ms(), &actor, &record).await {
                Ok(entry) => {
                    // The acknowledgement, logged before the screen can show it: crash trials
                    // check every entry logged here is in the journal after a kill -9.
                    tracing::info!(
                        "journal entry acknowledged: #{} {} {}",
                        entry.seq,
                        entry.record.kind(),
                        entry.hash
                    );
                    let clean = quit_cleanly.load(Ordering::SeqCst);
                    if let Some(sign) = head_signer(&journal, &entry, clean, signed_tx.clone()) {
                        signing += 1;
                        tokio::spawn(sign);
                    }
                    // The app hears of it first: its own entry coming back from the store is
                    // then known as its own.
                    let _ = events.send(Event::Journaled(entry.clone()));
                    if let Some(up) = &uploads {
                        let _ = up.send(entry);
                    }
                    continue;
                }
                // The app counts its own requests; a signature entry is not one of them.
                Err(e) if own => {
                    tracing::error!("journal append of a head signature failed: {e}");
                    continue;
                }
                Err(e) => {
                    tracing::error!("journal append failed: {e}");
                    Event::JournalFailed(e.to_string())
                }
            };
            let _ = events.send(event);
        }
        journal.close().await;
    });
    (tx, handle)
}

/// For an entry that resolves an incident or ends a session: the task signing the journal
/// head at it through the SSH agent, off the UI task and within the agent's timeout, which
/// appends the signature to the sidecar file and hands the record to journal to `done`. A
/// session that did not end with the operator's quit (`quit_cleanly`) is not signed: the
/// task says so at once.
fn head_signer(
    journal: &JournalStore,
    entry: &crate::core::journal::Entry,
    quit_cleanly: bool,
    done: UnboundedSender<Record>,
) -> Option<impl Future<Output = ()> + use<>> {
    use crate::core::head_seal::SignedHead;
    use crate::io::head_sign;
    if !matches!(
        entry.record,
        Record::IncidentResolved { .. } | Record::SessionEnded { .. }
    ) {
        return None;
    }
    let head = SignedHead {
        journal: journal.journal_id()?.to_string(),
        seq: entry.seq,
        hash: entry.hash.clone(),
    };
    let path = journal.path().to_path_buf();
    let skip = match &entry.record {
        Record::SessionEnded { reason } if !quit_cleanly => Some(format!(
            "the session ended without a quit ({reason}), so cockpit exited without waiting for the SSH agent"
        )),
        _ => None,
    };
    Some(async move {
        let agent = head_sign::agent_socket();
        let signed = match skip {
            Some(reason) => Err(reason),
            None => head_sign::sign_head(&head, agent.as_deref()).await,
        };
        let record = match signed {
            Ok(sig) => {
                if let Err(e) = head_sign::append_sidecar(&path, &head, &sig.armored) {
                    tracing::error!("journal signature not written to the sidecar file: {e}");
                }
                Record::HeadSigned {
                    seq: head.seq,
                    hash: head.hash,
                    journal: head.journal,
                    key: sig.key,
                    signature: sig.armored,
                }
            }
            Err(reason) => Record::HeadNotSigned {
                seq: head.seq,
                hash: head.hash,
                reason,
            },
        };
        let _ = done.send(record);
    })
}

/// Turns SIGHUP, SIGTERM and SIGINT into [`Event::Shutdown`], so every exit path restores the
/// terminal.
pub fn spawn_signal_listener(events: UnboundedSender<Event>) {
    use tokio::signal::unix::{SignalKind, signal};
    for (kind, name) in [
        (SignalKind::hangup(), "SIGHUP"),
        (SignalKind::terminate(), "SIGTERM"),
        (SignalKind::interrupt(), "SIGINT"),
    ] {
        let events = events.clone();
        match signal(kind) {
            Ok(mut stream) => {
                tokio::spawn(async move {
                    if stream.recv().await.is_some() {
                        let _ = events.send(Event::Shutdown(format!("{name} received")));
                    }
                });
            }
            Err(e) => tracing::warn!("cannot listen for {name}: {e}"),
        }
    }
}

/// Sleeps until a pending frame is due; forever when none is.
async fn sleep_until_due(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Row batches (and statement ends) waiting for the UI before statements wait instead.
const SQL_QUEUE: usize = 16;

/// The session of a database, opened on first use with the inventory's limits and, for a
/// database behind a host, a tunnel over that host's SSH connection.
fn sql_session<'a>(
    sessions: &'a mut HashMap<String, SqlSession>,
    app: &App,
    fleet: &FleetWorker,
    database: &str,
) -> Option<&'a SqlSession> {
    if !sessions.contains_key(database) {
        let db = app.inventory.database(database)?;
        let s = &app.inventory.settings;
        let settings = SqlSettings {
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(s.sql_statement_timeout_secs),
            lock_wait_timeout_secs: u32::try_from(s.sql_lock_wait_secs).unwrap_or(u32::MAX),
        };
        let tunnel = db.via_host.as_deref().and_then(|h| fleet.tunnel_opener(h));
        sessions.insert(database.to_string(), SqlSession::open(db, settings, tunnel));
    }
    sessions.get(database)
}

/// Forwards a statement's rows as they arrive, then its end: in that order, through the
/// bounded SQL queue, so the screen never shows rows after the end.
async fn report_statement(
    database: String,
    run: u64,
    job: impl Future<Output = Result<crate::io::sql::StatementDone, crate::io::sql::SqlFailure>>,
    mut batches: tokio::sync::mpsc::Receiver<crate::io::sql::RowBatch>,
    events: tokio::sync::mpsc::Sender<Event>,
) {
    let rows = |batch| Event::SqlRows {
        database: database.clone(),
        run,
        batch,
    };
    let mut job = std::pin::pin!(job);
    let result = loop {
        tokio::select! {
            biased;
            Some(batch) = batches.recv() => {
                if events.send(rows(batch)).await.is_err() {
                    return;
                }
            }
            result = &mut job => break result,
        }
    };
    while let Ok(batch) = batches.try_recv() {
        if events.send(rows(batch)).await.is_err() {
            return;
        }
    }
    let _ = events
        .send(Event::SqlDone {
            database,
            run,
            result,
        })
        .await;
}

/// How long a diagnose bundle may run on a host.
const DIAGNOSE_TIMEOUT: Duration = Duration::from_secs(60);

/// A command's output as a report: stdout, then stderr and the exit status when they say more.
fn report_text(out: &ExecOutput) -> String {
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.stderr.is_empty() {
        text.push_str("\n--- stderr ---\n");
        text.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    match (out.exit_status, &out.exit_signal) {
        (Some(0), _) => {}
        (Some(code), _) => text.push_str(&format!("\n(exit status {code})")),
        (None, Some(signal)) => text.push_str(&format!("\n(killed by {signal})")),
        (None, None) => {}
    }
    text
}

/// Forwards a step command's output as it arrives, then its end: in that order, so the pane
/// never shows output after the command's end.
async fn report_step_exec(
    host: String,
    job: impl Future<Output = Result<ExecOutput, String>>,
    mut live: tokio::sync::mpsc::Receiver<String>,
    events: UnboundedSender<Event>,
) {
    let progress = |text: String| {
        let _ = events.send(Event::StepProgress {
            host: host.clone(),
            text,
        });
    };
    let mut job = std::pin::pin!(job);
    let result = loop {
        tokio::select! {
            biased;
            Some(text) = live.recv() => progress(text),
            result = &mut job => break result,
        }
    };
    // What was sent just before the end; the sender goes when the request does.
    let drain = async {
        while let Some(text) = live.recv().await {
            progress(text);
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
    let _ = events.send(Event::StepExecuted {
        host: host.clone(),
        result,
    });
}
