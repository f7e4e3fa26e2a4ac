//! Handing the terminal to an interactive shell and taking it back: the shell opens off the
//! UI task (the cockpit keeps drawing meanwhile), then runs with the terminal while the
//! cockpit stops drawing and reading keys; its reports come back as events.

use crate::core::redact::Redactor;
use crate::io::fleet::FleetWorker;
use crate::io::shell::{HostShell, ShellReport, ShellRun, ShellTerminal, drive};
use crate::ui::command::Command;
use crate::ui::event::Event;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Who a shell being opened is for.
#[derive(Debug, Clone)]
pub struct ShellFor {
    /// The shell's number.
    pub session: u64,
    /// The host.
    pub host: String,
    /// The terminal size it opens with.
    pub size: (u16, u16),
}

/// The shell being opened or running, if any.
#[derive(Default)]
pub struct ShellHandoff {
    opening: Option<(ShellFor, JoinHandle<Result<HostShell, String>>)>,
    running: Option<Running>,
}

/// The running shell's task, its number, and how to ask it to stop.
struct Running {
    session: u64,
    task: JoinHandle<()>,
    stop: Option<oneshot::Sender<String>>,
}

impl ShellHandoff {
    /// Starts opening the shell `command` asks for (an [`Command::OpenShell`]).
    pub fn open(&mut self, fleet: &FleetWorker, command: Command) {
        let Command::OpenShell {
            host,
            session,
            term,
            size,
        } = command
        else {
            return;
        };
        let opening = tokio::spawn(fleet.open_shell(&host, term, size));
        self.opening = Some((
            ShellFor {
                session,
                host,
                size,
            },
            opening,
        ));
    }

    /// The shell being opened, once it is open or has failed; never while none is.
    pub async fn opened(&mut self) -> (ShellFor, Result<HostShell, String>) {
        let Some((shell_for, opening)) = self.opening.as_mut() else {
            return std::future::pending().await;
        };
        // Cancelled in a `select!`, the task stays here and is awaited again next time.
        let result = match opening.await {
            Ok(result) => result,
            Err(e) => Err(format!("opening the shell failed: {e}")),
        };
        let shell_for = shell_for.clone();
        self.opening = None;
        (shell_for, result)
    }

    /// Runs `shell` with the terminal; its reports go to `events`.
    pub fn run(
        &mut self,
        shell: HostShell,
        shell_for: &ShellFor,
        redactor: Redactor,
        events: UnboundedSender<Event>,
    ) {
        let run = ShellRun {
            session: shell_for.session,
            redactor,
            size: shell_for.size,
            banner: banner(shell_for),
        };
        let report = move |report| {
            let _ = events.send(Event::Shell(report));
        };
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            match ShellTerminal::real() {
                Ok(terminal) => drive(shell, run, terminal, stopped, report).await,
                Err(e) => {
                    let mut shell = shell;
                    shell.close().await;
                    report(ShellReport::never_ran(
                        run.session,
                        format!("cannot read the terminal: {e}"),
                    ));
                }
            }
        });
        self.running = Some(Running {
            session: shell_for.session,
            task,
            stop: Some(stop),
        });
    }

    /// Asks shell `session`, if it is the one running, to end for `reason`.
    pub fn stop(&mut self, session: u64, reason: String) {
        if let Some(running) = self.running.as_mut().filter(|r| r.session == session)
            && let Some(stop) = running.stop.take()
        {
            let _ = stop.send(reason);
        }
    }

    /// A shell never opened: the report its end is journaled from.
    pub fn not_opened(shell_for: &ShellFor, reason: String) -> Event {
        Event::Shell(ShellReport::never_ran(
            shell_for.session,
            format!("not opened: {reason}"),
        ))
    }

    /// The shell ended (its last report is in): nothing runs any more.
    pub fn ended(&mut self) {
        self.running = None;
    }
}

impl Drop for ShellHandoff {
    fn drop(&mut self) {
        if let Some((_, opening)) = self.opening.take() {
            opening.abort();
        }
        if let Some(running) = self.running.take() {
            running.task.abort();
        }
    }
}

/// What the terminal shows before the shell's own output.
fn banner(shell_for: &ShellFor) -> String {
    format!(
        "\r\n── cockpit: shell {} on {} — recorded in the incident journal; \
         `exit`, or ~. at the start of a line, comes back ──\r\n",
        shell_for.session, shell_for.host
    )
}
