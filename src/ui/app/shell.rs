//! The recorded interactive shell (`s` on a host): its `shell_started` record is stored before
//! anything reaches the host; the runtime then steps aside and hands the terminal to the
//! shell; what it records comes back as events and is journaled; its end gives the terminal
//! back and says how it ended.

use super::App;
use crate::core::journal::Record;
use crate::io::shell::ShellReport;
use crate::ui::command::Command;

/// A shell being opened or running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedShell {
    /// Its number in the journal.
    pub session: u64,
    /// The host.
    pub host: String,
    /// The incident it belongs to, if one was open.
    pub incident: Option<String>,
}

/// The terminal type a shell asks the host for: the operator's own, else a common one.
fn term_name() -> String {
    std::env::var("TERM")
        .ok()
        .filter(|t| !t.is_empty() && t.len() <= 64 && t.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or_else(|| "xterm-256color".to_string())
}

impl App {
    /// `s`: journals the shell's start on the selected host; it opens once that is stored.
    pub(super) fn open_shell(&mut self) -> Vec<Command> {
        if let Some(open) = &self.shell {
            let text = format!(
                "shell {} on {} is still opening: wait for it",
                open.session, open.host
            );
            self.flash(text, true);
            return Vec::new();
        }
        let Some(host) = self.hosts.get(self.host_cursor).map(|h| h.name.clone()) else {
            self.flash("no hosts in the inventory: nowhere to open a shell", true);
            return Vec::new();
        };
        let session = self.workspace.shells + 1;
        let incident = self.incident().map(|i| i.id.clone());
        let size = (self.screen.width.max(1), self.screen.height.max(1));
        let term = term_name();
        let record = Record::ShellStarted {
            incident: incident.clone(),
            session,
            host: host.clone(),
            term: term.clone(),
            cols: size.0,
            rows: size.1,
        };
        self.shell = Some(OpenedShell {
            session,
            host: host.clone(),
            incident,
        });
        self.flash(format!("opening a shell on {host}…"), false);
        let open = Command::OpenShell {
            host,
            session,
            term,
            size,
        };
        vec![self.journal_then_open_shell(record, open)]
    }

    /// The shell's start was stored (it opens now) or not (it never opens).
    pub(super) fn on_shell_journal_answer(&mut self, open: Command, stored: bool) -> Vec<Command> {
        if stored {
            return vec![open];
        }
        self.shell = None;
        self.show_error("shell not opened: the journal could not record it");
        Vec::new()
    }

    /// What the running shell recorded goes to the journal; its end is journaled and said.
    pub(super) fn on_shell_report(&mut self, report: ShellReport) -> Vec<Command> {
        let Some(open) = self.shell.clone() else {
            return Vec::new();
        };
        let record = match report {
            ShellReport::Recorded { session, events } if session == open.session => {
                Record::ShellOutput {
                    incident: open.incident.clone(),
                    session,
                    events,
                }
            }
            ShellReport::Ended {
                session,
                exit,
                reason,
                duration_ms,
                unrecorded_input,
            } if session == open.session => {
                self.shell = None;
                let how = match (&reason, exit) {
                    (Some(r), _) => r.clone(),
                    (None, Some(code)) => format!("exit {code}"),
                    (None, None) => "closed".to_string(),
                };
                let text = format!(
                    "shell {session} on {} ended: {how}; recorded in the journal as shell {session}",
                    open.host
                );
                // A shell that never opened, or a lost connection, is worth the operator's eye.
                let trouble = reason.is_some() && exit.is_none();
                self.flash(text, trouble);
                Record::ShellEnded {
                    incident: open.incident.clone(),
                    session,
                    host: open.host.clone(),
                    exit,
                    reason,
                    duration_ms,
                    unrecorded_input,
                }
            }
            _ => return Vec::new(),
        };
        vec![self.journal_shell_record(record)]
    }

    /// A stretch of the shell was stored, or not: a shell that cannot be recorded is stopped
    /// (its end, too, will fail to be stored, and says so).
    pub(super) fn on_shell_record_answer(&mut self, stored: bool) -> Vec<Command> {
        match &self.shell {
            Some(open) if !stored => vec![Command::StopShell {
                session: open.session,
                reason: "stopped: the journal could not record it".into(),
            }],
            _ => Vec::new(),
        }
    }

    /// The end of a shell still open when the session ends (a signal, a lost terminal), for
    /// the journal: without it the shell would read as never ended.
    pub fn shell_cut_short(&self, why: &str) -> Option<Record> {
        let open = self.shell.as_ref()?;
        Some(Record::ShellEnded {
            incident: open.incident.clone(),
            session: open.session,
            host: open.host.clone(),
            exit: None,
            reason: Some(format!("cockpit stopped while it ran: {why}")),
            duration_ms: 0,
            unrecorded_input: 0,
        })
    }
}
