//! Carries out what the app asks for. The [`Executor`] owns every part that acts on the world:
//! the journal writer, the fleet, the SQL sessions, the drill and the team's claims; the event
//! loop (and a test driving the app headless) hands it each [`Command`] in turn.

use crate::core::drill::Drill;
use crate::core::journal::Record;
use crate::core::terminal_text::without_escapes;
use crate::io::fleet::FleetWorker;
use crate::io::journal_store::JournalStore;
use crate::io::notify::{ReadyChannel, deliver};
use crate::io::shared::sync::SyncSetup;
use crate::io::shell::HostShell;
use crate::ui::app::App;
use crate::ui::command::Command;
use crate::ui::event::Event;
use crate::ui::runtime::Ended;
use crate::ui::runtime::inbox::Outlets;
use crate::ui::runtime::journal_writer::spawn_journal_writer;
use crate::ui::runtime::reports::{DIAGNOSE_TIMEOUT, ExecFor, report_exec, report_text};
use crate::ui::runtime::shell_handoff::{ShellFor, ShellHandoff};
use crate::ui::runtime::sql_sessions::SqlSessions;
use crate::ui::shared_link::SharedLink;
use crate::ui::team_link::TeamLink;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How every quit the operator asks for begins (`operator quit`, `… with incident open`).
const OPERATOR_QUIT: &str = "operator quit";

/// How long the operator's quit waits for the journal writer to have verified the journal.
const CONFIRM_LIMIT: Duration = Duration::from_secs(60);

/// What the executor acts with, besides the fleet it starts from the app's inventory.
pub struct Parts {
    /// The open journal; the executor's writer task owns it from now on.
    pub journal: JournalStore,
    /// The demo fleet's fault injector, when running the demo.
    pub drill: Option<Box<dyn Drill>>,
    /// Rewrites a sql step's statement before it runs (the demo's SQLite standing in for
    /// MySQL); none for a real fleet.
    pub sql_dialect: Option<fn(&str) -> String>,
    /// The shared store's claims and presence, on a shared journal.
    pub team: Option<TeamLink>,
    /// The shared journal the local one is uploaded to, if any.
    pub shared: Option<SyncSetup>,
    /// The notification channels with their secrets read.
    pub notify: Vec<ReadyChannel>,
}

/// How long one attempt at sending a notification may take (an SMTP exchange included).
pub const NOTIFY_TIMEOUT: Duration = Duration::from_secs(15);

/// The one place commands are carried out.
pub struct Executor {
    /// The journal writer's queue, its task, and whether the session ends with the operator's
    /// quit (then its end is signed).
    journal: UnboundedSender<Record>,
    writer: JoinHandle<()>,
    /// Answered once the writer has confirmed the journal and may store records.
    confirmed: tokio::sync::oneshot::Receiver<()>,
    /// Tells the writer the first frame is drawn: it confirms the journal from then on.
    first_frame: Option<tokio::sync::oneshot::Sender<()>>,
    quit_cleanly: Arc<AtomicBool>,
    /// The shared journal's uploader, if any.
    uploader: Option<SharedLink>,
    fleet: FleetWorker,
    sql: SqlSessions,
    drill: Option<Box<dyn Drill>>,
    team: Option<TeamLink>,
    /// The team's heartbeat, told which incident the app shows.
    presence: Option<(JoinHandle<()>, watch::Sender<Option<String>>)>,
    outlets: Outlets,
    /// The notification channels by name.
    notify: HashMap<String, Arc<ReadyChannel>>,
    /// The interactive shell being opened or running.
    shell: ShellHandoff,
}

impl Executor {
    /// Starts the journal writer, the shared journal's uploader, the fleet and the team's
    /// heartbeat; workers report through `outlets`.
    pub fn start(app: &mut App, parts: Parts, outlets: &Outlets) -> Self {
        let Parts {
            journal,
            drill,
            sql_dialect,
            team,
            shared,
            notify,
        } = parts;
        let quit_cleanly = Arc::new(AtomicBool::new(false));
        let (uploads, uploader) = shared
            .map(|setup| crate::ui::shared_link::start(setup, outlets.events.clone()))
            .unzip();
        let (first_frame, drawn) = tokio::sync::oneshot::channel();
        let (journal, writer, confirmed) = spawn_journal_writer(
            journal,
            app.operator.to_string(),
            outlets.events.clone(),
            uploads,
            quit_cleanly.clone(),
            drawn,
        );
        if let Some(d) = &drill {
            app.drill_hosts = d.hosts();
        }
        let fleet = FleetWorker::start(&app.inventory, &app.redactor, outlets.fleet.clone());
        let presence = team.as_ref().map(|link| {
            let (incident, follows) = watch::channel(app.incident().map(|i| i.id.clone()));
            (
                link.spawn_presence(follows, outlets.events.clone()),
                incident,
            )
        });
        Self {
            journal,
            writer,
            confirmed,
            first_frame: Some(first_frame),
            quit_cleanly,
            uploader,
            fleet,
            sql: SqlSessions::new(sql_dialect),
            drill,
            team,
            presence,
            outlets: outlets.clone(),
            shell: ShellHandoff::default(),
            notify: notify
                .into_iter()
                .map(|c| (c.name().to_string(), Arc::new(c)))
                .collect(),
        }
    }

    /// The shell being opened, once it is open or failed; never while none is.
    pub async fn shell_opened(&mut self) -> (ShellFor, Result<HostShell, String>) {
        self.shell.opened().await
    }

    /// Hands the terminal to an open shell (the screen has stepped aside).
    pub fn run_shell(&mut self, app: &App, shell: HostShell, shell_for: &ShellFor) {
        self.shell.run(
            shell,
            shell_for,
            app.redactor.clone(),
            self.outlets.events.clone(),
        );
    }

    /// The running shell ended.
    pub fn shell_ended(&mut self) {
        self.shell.ended();
    }

    /// Journals a record the app did not ask for itself (it counts the request).
    pub fn journal(&self, app: &mut App, record: Record) {
        app.journal_request_sent();
        let _ = self.journal.send(record);
    }

    /// Carries out one command; the reason when it is the quit.
    pub fn perform(&mut self, app: &mut App, command: Command) -> Option<String> {
        match command {
            Command::Journal(record) => {
                let _ = self.journal.send(record);
            }
            Command::Diagnose { host, bundle } => {
                let job = self.fleet.exec(&host, bundle, DIAGNOSE_TIMEOUT);
                self.answer(async move {
                    let result = job.await.map(|out| without_escapes(&report_text(&out)));
                    Event::Diagnosed { host, result }
                });
            }
            Command::InjectFault(_) | Command::ClearFault(_) => self.change_drill(app, &command),
            Command::TrustHostKey { host, offer } => {
                let job = self.fleet.trust_host_key(&host, offer.clone());
                self.answer(async move {
                    let result = job.await;
                    Event::HostKeyTrusted {
                        host,
                        offer,
                        result,
                    }
                });
            }
            Command::SupplyPassphrase { key, passphrase } => {
                self.fleet.supply_passphrase(key, passphrase)
            }
            Command::RunOnHost {
                host,
                command,
                timeout,
            } => self.run_on_host(ExecFor::Step, host, command, timeout),
            open @ Command::OpenShell { .. } => self.shell.open(&self.fleet, open),
            Command::StopShell { session, reason } => self.shell.stop(session, reason),
            Command::RunAdhoc {
                host,
                command,
                timeout,
            } => self.run_on_host(ExecFor::Adhoc, host, command, timeout),
            Command::RunStatement {
                database,
                run,
                statement,
            } => self
                .sql
                .run(app, &self.fleet, &self.outlets, (database, run, statement)),
            Command::CancelSql { database } => self.sql.cancel(database),
            Command::FinishSql { database, commit } => {
                self.sql.finish(database, commit, &self.outlets)
            }
            Command::ExportCsv {
                path,
                rows,
                complete,
            } => self.answer(async move {
                let result = rows.save_csv(path.clone()).await;
                Event::CsvExported {
                    path,
                    complete,
                    result,
                }
            }),
            Command::ClaimStep { .. }
            | Command::RenewClaim { .. }
            | Command::ReleaseClaim { .. } => self.claim(command),
            Command::Notify {
                id,
                channel,
                notice,
                attempt,
            } => {
                let ready = self.notify.get(&channel).cloned();
                self.answer(async move {
                    let result = match ready {
                        Some(ready) => deliver(&ready, &id, &notice, NOTIFY_TIMEOUT).await,
                        None => Err(format!("no channel named {channel} was loaded")),
                    };
                    Event::Notified {
                        id,
                        attempt,
                        result,
                    }
                });
            }
            Command::SetDrillClock { offset_ms } => {
                if self.drill.is_some() {
                    crate::ui::runtime::set_drill_clock(offset_ms);
                }
            }
            Command::Quit(reason) => return Some(reason),
        }
        None
    }

    /// Tells the team's heartbeat which incident the app shows now.
    pub fn follow(&self, app: &App) {
        let Some((_, incident)) = &self.presence else {
            return;
        };
        let active = app.incident().map(|i| i.id.clone());
        incident.send_if_modified(|was| {
            let changed = *was != active;
            *was = active;
            changed
        });
    }

    /// Ends the session: closes the SQL sessions (journaling the transactions they rolled
    /// back), stops the fleet, leaves the team, journals the session's end and waits for the
    /// journal writer to have it on disk (signed when the operator quit), then lets the
    /// uploader send what it holds.
    pub async fn finish(mut self, app: &App, ended: &Ended) {
        self.first_frame_drawn();
        for record in self.sql.close_all(app).await {
            let _ = self.journal.send(record);
        }
        let mut fleet = self.fleet;
        fleet.stop();
        if let Some(link) = &self.team {
            if let Some((heartbeat, _)) = &self.presence {
                heartbeat.abort();
            }
            link.leave().await;
        }
        let reason = match ended {
            Ended::Normally(r) | Ended::TerminalLost(r) => r.clone(),
        };
        if let Some(record) = app.shell_cut_short(&reason) {
            let _ = self.journal.send(record);
        }
        // The operator's quit is signed; a signal or a lost terminal must exit at once, so its
        // end is journaled as not signed rather than wait for the agent.
        let clean = matches!(ended, Ended::Normally(r) if r.starts_with(OPERATOR_QUIT));
        self.quit_cleanly.store(clean, Ordering::SeqCst);
        let _ = self.journal.send(Record::SessionEnded { reason });
        drop(self.journal);
        // A resumed session's writer verifies the journal's earlier entries before it stores
        // anything; on a long journal and a busy machine that can outlast the flush's limit, so
        // after the operator's quit that limit starts once it is done.
        if clean {
            let _ = tokio::time::timeout(CONFIRM_LIMIT, self.confirmed).await;
        }
        // Flush: the writer ends once every queued record is on disk and the session's end is
        // signed (or the agent timed out).
        let flush = Duration::from_millis(1500) + crate::io::head_sign::SIGN_TIMEOUT;
        if tokio::time::timeout(flush, self.writer).await.is_err() {
            tracing::error!("journal writer did not finish within {flush:?}");
        }
        if let Some(uploader) = self.uploader {
            uploader.finish().await;
        }
    }

    /// The first frame is on the terminal: the journal writer may start its check of the
    /// journal (reading a long one before would slow that frame). Later calls do nothing.
    pub fn first_frame_drawn(&mut self) {
        if let Some(go) = self.first_frame.take() {
            let _ = go.send(());
        }
    }

    /// Runs a command on a host's connection; its output and end go to the runner `for_`.
    fn run_on_host(&self, for_: ExecFor, host: String, command: String, timeout: Duration) {
        let (progress, live) = tokio::sync::mpsc::channel(256);
        let job = self
            .fleet
            .exec_watched(&host, command, timeout, Some(progress));
        tokio::spawn(report_exec(
            for_,
            host,
            job,
            live,
            self.outlets.events.clone(),
        ));
    }

    /// Runs `job` off the UI task and hands its answer to the app.
    fn answer(&self, job: impl Future<Output = Event> + Send + 'static) {
        let reply = self.outlets.events.clone();
        tokio::spawn(async move {
            let _ = reply.send(job.await);
        });
    }

    /// Injects or clears a drill fault, journaling it when it worked.
    fn change_drill(&mut self, app: &mut App, command: &Command) {
        let Some(drill) = self.drill.as_mut() else {
            return;
        };
        let changed = match command {
            Command::InjectFault(host) => drill.inject(host).map(|fault| Record::FaultInjected {
                host: host.clone(),
                fault,
            }),
            Command::ClearFault(host) => drill
                .clear(host)
                .map(|()| Record::FaultCleared { host: host.clone() }),
            _ => return,
        };
        app.drill_hosts = drill.hosts();
        match changed {
            Ok(record) => self.journal(app, record),
            Err(e) => {
                tracing::warn!("drill change failed: {e}");
                app.show_error(format!("drill: {e}"));
            }
        }
    }

    /// Claims, renews or releases a step on the shared journal; without one a claim is
    /// answered at once that there is none.
    fn claim(&self, command: Command) {
        match &self.team {
            Some(link) => {
                link.carry_out(&command, &self.outlets.events);
            }
            None => {
                if let Command::ClaimStep { incident, step } = command {
                    let _ = self.outlets.events.send(Event::Claimed {
                        incident,
                        step,
                        result: Err("no shared journal connected".into()),
                    });
                }
            }
        }
    }
}
