//! The fleet worker: probes every host on its own schedule and follows its logs, reporting
//! through a channel. Nothing here waits on the UI, and the UI never waits on a host.

use crate::core::inventory::{Host, Inventory, Transport};
use crate::core::redact::Redactor;
use crate::io::probe::{CheckOutcome, probe_host};
use crate::io::tail::{TailEvent, follow_local};
use std::time::Duration;
use tokio::sync::mpsc::Sender;
use tokio::task::JoinSet;

/// What the fleet worker reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FleetEvent {
    /// One probe round of a host finished.
    Probed {
        /// Host name.
        host: String,
        /// Each check's outcome.
        outcomes: Vec<CheckOutcome>,
    },
    /// A log line or the end of a follow.
    Tail(TailEvent),
}

/// How many fleet events may wait for the UI before workers (and `tail`) wait instead.
pub const FLEET_QUEUE: usize = 4096;

/// Running fleet tasks; dropping it stops them all.
pub struct FleetWorker {
    tasks: JoinSet<()>,
}

impl FleetWorker {
    /// Starts probing and following every host of the inventory.
    pub fn start(inventory: &Inventory, redactor: &Redactor, tx: Sender<FleetEvent>) -> Self {
        let mut tasks = JoinSet::new();
        let timeout = Duration::from_secs(inventory.settings.check_timeout_secs);
        let interval = Duration::from_secs(inventory.settings.probe_interval_secs);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .unwrap_or_default();
        for host in &inventory.hosts {
            tasks.spawn(probe_loop(
                host.clone(),
                interval,
                timeout,
                http.clone(),
                tx.clone(),
            ));
            for file in &host.logs {
                tasks.spawn(follow(
                    host.clone(),
                    file.clone(),
                    redactor.clone(),
                    tx.clone(),
                ));
            }
        }
        Self { tasks }
    }

    /// Stops every task now.
    pub fn stop(&mut self) {
        self.tasks.abort_all();
    }
}

impl Drop for FleetWorker {
    fn drop(&mut self) {
        self.tasks.abort_all();
    }
}

async fn probe_loop(
    host: Host,
    interval: Duration,
    timeout: Duration,
    http: reqwest::Client,
    tx: Sender<FleetEvent>,
) {
    if host.checks.is_empty() {
        return;
    }
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let outcomes = probe_host(&host, timeout, &http).await;
        if tx
            .send(FleetEvent::Probed {
                host: host.name.clone(),
                outcomes,
            })
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn follow(host: Host, file: String, redactor: Redactor, tx: Sender<FleetEvent>) {
    match host.transport {
        Transport::Local => follow_local(host.name, file, redactor, tx).await,
        Transport::Ssh => {
            let reason = "log tails over SSH are not available in this build yet".to_string();
            let _ = tx
                .send(FleetEvent::Tail(TailEvent::Ended {
                    host: host.name,
                    file,
                    reason,
                }))
                .await;
        }
    }
}
