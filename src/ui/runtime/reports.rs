//! Tasks that carry a worker's answer back to the app: a statement's rows then its end, a
//! host command's output (a step's or an off-script one's) then its end, a diagnose bundle as
//! one report.

use crate::io::ssh::ExecOutput;
use crate::ui::event::Event;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// Forwards a statement's rows as they arrive, then its end: in that order, through the
/// bounded SQL queue, so the screen never shows rows after the end.
pub(super) async fn report_statement(
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

/// How long a diagnose bundle may run on a host: its sections normally take seconds, but each
/// may take up to `core::diagnose::SECTION_LIMIT_SECS` (a hung service tool) before it is
/// stopped and the next one runs.
pub(super) const DIAGNOSE_TIMEOUT: Duration = Duration::from_secs(180);

/// A command's output as a report: stdout, then stderr and the exit status when they say more.
pub(super) fn report_text(out: &ExecOutput) -> String {
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

/// Which runner a host command reports to: a playbook step's, or an off-script command's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ExecFor {
    /// The running step.
    Step,
    /// The running off-script command.
    Adhoc,
}

impl ExecFor {
    fn progress(self, host: String, text: String) -> Event {
        match self {
            ExecFor::Step => Event::StepProgress { host, text },
            ExecFor::Adhoc => Event::AdhocProgress { host, text },
        }
    }

    fn executed(self, host: String, result: Result<ExecOutput, String>) -> Event {
        match self {
            ExecFor::Step => Event::StepExecuted { host, result },
            ExecFor::Adhoc => Event::AdhocExecuted { host, result },
        }
    }
}

/// Forwards a host command's output as it arrives, then its end: in that order, so the screen
/// never shows output after the command's end.
pub(super) async fn report_exec(
    for_: ExecFor,
    host: String,
    job: impl Future<Output = Result<ExecOutput, String>>,
    mut live: tokio::sync::mpsc::Receiver<String>,
    events: UnboundedSender<Event>,
) {
    let progress = |text: String| {
        let _ = events.send(for_.progress(host.clone(), text));
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
    let _ = events.send(for_.executed(host.clone(), result));
}
