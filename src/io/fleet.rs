//! The fleet worker: probes every host on its own schedule and follows its logs, reporting
//! through a bounded channel. Nothing here waits on the UI, and the UI never waits on a host.
//!
//! A host reached over SSH gets one connection, kept up with backoff; its probes and its log
//! tails share it. When it drops, every tail reports the gap and starts again on reconnect.

use crate::core::inventory::{Host, Inventory, Transport};
use crate::core::redact::Redactor;
use crate::core::secret::Secret;
use crate::io::host_exec::{
    HostRequest, Link, link_tunnel_opener, local_tunnel_opener, serve_local, serve_ssh,
};
use crate::io::probe::{ProbeReport, ProbeSettings, SshLink, probe_host};
use crate::io::shell::{HostShell, LocalShell, OPEN_TIMEOUT};
use crate::io::sql::TunnelOpener;
use crate::io::ssh::{
    ExecOutput, HostKeyOffer, Progress, SshError, SshSession, SshTarget, Timeouts, home,
    load_ssh_config, resolve, trust,
};
use crate::io::tail::{TailEvent, follow_local, follow_ssh};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::mpsc::{self, Sender};
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinSet;

/// What the fleet worker reports.
#[derive(Debug, Clone, PartialEq)]
pub enum FleetEvent {
    /// One probe round of a host finished.
    Probed {
        /// Host name.
        host: String,
        /// What the round found.
        report: ProbeReport,
    },
    /// A log line or the end of a follow.
    Tail(TailEvent),
    /// A host offered a key known_hosts does not hold: it stays refused until the operator
    /// trusts the key.
    HostKeyUnknown {
        /// Host name.
        host: String,
        /// The key offered.
        offer: HostKeyOffer,
    },
    /// A key file of a host is encrypted: the host waits for its passphrase.
    PassphraseNeeded {
        /// Host name.
        host: String,
        /// The key file.
        key: PathBuf,
        /// A passphrase was given and did not open the key.
        wrong: bool,
    },
}

impl From<TailEvent> for FleetEvent {
    fn from(event: TailEvent) -> Self {
        Self::Tail(event)
    }
}

/// How many fleet events may wait for the UI before workers (and `tail`) wait instead.
pub const FLEET_QUEUE: usize = 4096;

/// Longest wait between two connection attempts to a host.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Commands a host task may have waiting before senders wait.
const REQUEST_QUEUE: usize = 64;

/// Running fleet tasks; dropping it stops them all.
pub struct FleetWorker {
    tasks: JoinSet<()>,
    requests: HashMap<String, mpsc::Sender<HostRequest>>,
    reconnects: HashMap<String, Arc<Notify>>,
    /// Each host's connection as tunnels see it; `None` for a local host.
    links: HashMap<String, Option<watch::Receiver<Link>>>,
    passphrases: Passphrases,
}

/// Passphrases the operator typed, by key file; kept in memory only, shared by every host.
type Passphrases = Arc<RwLock<BTreeMap<PathBuf, String>>>;

/// What every host task shares.
#[derive(Clone)]
struct Shared {
    interval: Duration,
    probe: ProbeSettings,
    redactor: Redactor,
    tx: Sender<FleetEvent>,
    passphrases: Passphrases,
}

impl FleetWorker {
    /// Starts probing and following every host of the inventory.
    pub fn start(inventory: &Inventory, redactor: &Redactor, tx: Sender<FleetEvent>) -> Self {
        let mut tasks = JoinSet::new();
        let timeout = Duration::from_secs(inventory.settings.check_timeout_secs);
        let shared = Shared {
            interval: Duration::from_secs(inventory.settings.probe_interval_secs),
            probe: ProbeSettings::new(timeout),
            redactor: redactor.clone(),
            tx,
            passphrases: Passphrases::default(),
        };
        let ssh_config = load_ssh_config(&home().join(".ssh/config")).unwrap_or_else(|e| {
            tracing::warn!("ssh config not used: {e}");
            None
        });
        let mut requests = HashMap::new();
        let mut reconnects = HashMap::new();
        let mut links = HashMap::new();
        for host in &inventory.hosts {
            let (request_tx, request_rx) = mpsc::channel(REQUEST_QUEUE);
            requests.insert(host.name.clone(), request_tx);
            match host.transport {
                Transport::Local => {
                    links.insert(host.name.clone(), None);
                    tasks.spawn(serve_local(request_rx));
                    tasks.spawn(local_probe_loop(host.clone(), shared.clone()));
                    for file in &host.logs {
                        let (host, file, shared) =
                            (host.name.clone(), file.clone(), shared.clone());
                        tasks.spawn(follow_local(host, file, shared.redactor, shared.tx));
                    }
                }
                Transport::Ssh => {
                    let target = resolve(host, &inventory.settings, ssh_config.as_ref())
                        .inspect_err(|e| tracing::warn!("ssh {}: {e}", host.name));
                    let (link_tx, link_rx) = watch::channel(Err("not connected yet".to_string()));
                    let reconnect = Arc::new(Notify::new());
                    reconnects.insert(host.name.clone(), reconnect.clone());
                    links.insert(host.name.clone(), Some(link_rx.clone()));
                    tasks.spawn(serve_ssh(request_rx, link_rx));
                    tasks.spawn(ssh_host_loop(
                        host.clone(),
                        target,
                        shared.clone(),
                        link_tx,
                        reconnect,
                    ));
                }
            }
        }
        Self {
            tasks,
            requests,
            reconnects,
            links,
            passphrases: shared.passphrases,
        }
    }

    /// Records the offered key in its known_hosts file (checked again first), then has the host
    /// connect at once instead of waiting out its backoff.
    pub fn trust_host_key(
        &self,
        host: &str,
        offer: HostKeyOffer,
    ) -> impl Future<Output = Result<(), String>> + Send + 'static {
        let reconnect = self.reconnects.get(host).cloned();
        async move {
            tokio::task::spawn_blocking(move || trust(&offer))
                .await
                .map_err(|e| format!("writing known_hosts failed: {e}"))??;
            if let Some(reconnect) = reconnect {
                reconnect.notify_one();
            }
            Ok(())
        }
    }

    /// Keeps the passphrase of a key file for this run (memory only) and has every host that
    /// waits for a key try again now.
    pub fn supply_passphrase(&self, key: PathBuf, passphrase: Secret) {
        if let Ok(mut known) = self.passphrases.write() {
            known.insert(key, passphrase.expose().to_string());
        }
        for reconnect in self.reconnects.values() {
            reconnect.notify_one();
        }
    }

    /// Runs a command on a host (over its SSH connection, or here for a local host) without
    /// waiting on anything now: the future resolves with the output, or why it did not run.
    pub fn exec(
        &self,
        host: &str,
        command: String,
        timeout: Duration,
    ) -> impl Future<Output = Result<ExecOutput, String>> + Send + 'static {
        self.exec_watched(host, command, timeout, None)
    }

    /// Like [`FleetWorker::exec`], offering the output to `progress` as it arrives.
    pub fn exec_watched(
        &self,
        host: &str,
        command: String,
        timeout: Duration,
        progress: Option<Progress>,
    ) -> impl Future<Output = Result<ExecOutput, String>> + Send + 'static {
        let sender = self.requests.get(host).cloned();
        let host = host.to_string();
        async move {
            let sender = sender.ok_or_else(|| format!("no host `{host}` in the inventory"))?;
            let (reply, answer) = oneshot::channel();
            let stopped = || format!("the worker of {host} has stopped");
            sender
                .send(HostRequest {
                    command,
                    timeout,
                    reply,
                    progress,
                })
                .await
                .map_err(|_| stopped())?;
            answer.await.map_err(|_| stopped())?
        }
    }

    /// Opens tunnel channels to addresses as `host` sees them (for a database reached through
    /// it), on the host's connection of the moment, without waiting on anything now: an SSH
    /// host's opener fails with the reason while it is not connected; a local host's connects
    /// straight from here. `None` when the inventory has no such host.
    pub fn tunnel_opener(&self, host: &str) -> Option<TunnelOpener> {
        Some(match self.links.get(host)? {
            Some(link) => link_tunnel_opener(host.to_string(), link.clone()),
            None => local_tunnel_opener(),
        })
    }

    /// Opens an interactive shell on `host` (a PTY of `size`, columns and rows, for terminal
    /// `term`) without waiting on anything now: on the host's SSH connection of the moment,
    /// or here for a local host. The future resolves with the shell, or why it did not open.
    pub fn open_shell(
        &self,
        host: &str,
        term: String,
        size: (u16, u16),
    ) -> impl Future<Output = Result<HostShell, String>> + Send + 'static {
        let link = self.links.get(host).cloned();
        let host = host.to_string();
        async move {
            match link {
                None => Err(format!("no host `{host}` in the inventory")),
                Some(None) => LocalShell::open(&term, size.0, size.1)
                    .map(HostShell::Local)
                    .map_err(|e| format!("cannot start a shell here: {e}")),
                Some(Some(link)) => {
                    let current = link.borrow().clone();
                    match current {
                        Ok(session) if session.is_closed() => {
                            Err("not connected: connection lost".to_string())
                        }
                        Ok(session) => session
                            .open_shell(&term, size.0, size.1, OPEN_TIMEOUT)
                            .await
                            .map(HostShell::Ssh)
                            .map_err(|e| e.to_string()),
                        Err(reason) => Err(format!("not connected: {reason}")),
                    }
                }
            }
        }
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

async fn local_probe_loop(host: Host, shared: Shared) {
    if host.checks.is_empty() {
        return;
    }
    let mut ticker = tokio::time::interval(shared.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if !report_probe(&host, &shared, SshLink::Unused).await {
            return;
        }
    }
}

/// Probes the host once and reports it; false when nobody listens any more.
async fn report_probe(host: &Host, shared: &Shared, link: SshLink<'_>) -> bool {
    let report = probe_host(host, &shared.probe, link).await;
    let event = FleetEvent::Probed {
        host: host.name.clone(),
        report,
    };
    shared.tx.send(event).await.is_ok()
}

/// Keeps one SSH connection to the host (reconnecting with backoff), probes the host every
/// interval whether connected or not, and follows its logs while connected.
async fn ssh_host_loop(
    host: Host,
    target: Result<SshTarget, String>,
    shared: Shared,
    link: watch::Sender<Link>,
    reconnect: Arc<Notify>,
) {
    let target = match target {
        Ok(target) => target,
        Err(reason) => return unreachable_host_loop(host, reason, shared, link).await,
    };
    let timeouts = Timeouts {
        connect: shared.probe.timeout.max(Duration::from_secs(1)),
        auth: shared.probe.timeout.max(Duration::from_secs(5)),
        keepalive: Duration::from_secs(5),
    };
    let mut session: Option<SshSession> = None;
    let mut tails = JoinSet::new();
    let mut down_reason = String::from("not connected yet");
    let mut backoff = Duration::from_secs(1);
    let mut next_attempt = tokio::time::Instant::now();
    let mut connected_before = false;
    let mut ticker = tokio::time::interval(shared.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = reconnect.notified() => next_attempt = tokio::time::Instant::now(),
        }
        if session.as_ref().is_some_and(SshSession::is_closed) {
            session = None;
            down_reason = "connection lost".to_string();
            let _ = link.send_replace(Err(down_reason.clone()));
        }
        if session.is_none() && tokio::time::Instant::now() >= next_attempt {
            match SshSession::connect(&with_passphrases(&target, &shared), timeouts).await {
                Ok(s) => {
                    backoff = Duration::from_secs(1);
                    tails.abort_all();
                    for file in &host.logs {
                        tails.spawn(follow_ssh(
                            s.clone(),
                            host.name.clone(),
                            file.clone(),
                            connected_before,
                            shared.redactor.clone(),
                            shared.tx.clone(),
                        ));
                    }
                    connected_before = true;
                    let _ = link.send_replace(Ok(s.clone()));
                    session = Some(s);
                }
                Err(e) => {
                    // What only the operator can fix is asked once and not hammered; a trust
                    // or a passphrase wakes the host up at once.
                    let question = operator_question(&host.name, e.root());
                    let wait = if question.is_some()
                        || matches!(e.root(), SshError::ChangedHostKey { .. })
                    {
                        MAX_BACKOFF
                    } else {
                        backoff
                    };
                    if let Some(question) = question
                        && shared.tx.send(question).await.is_err()
                    {
                        return;
                    }
                    tracing::info!("ssh {}: {e}", host.name);
                    down_reason = e.to_string();
                    let _ = link.send_replace(Err(down_reason.clone()));
                    next_attempt = tokio::time::Instant::now() + wait;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
        let link = match &session {
            Some(s) => SshLink::Up(s),
            None => SshLink::Down(&down_reason),
        };
        if !report_probe(&host, &shared, link).await {
            return;
        }
    }
}

/// A host cockpit cannot even try to reach (its ProxyJump cannot be followed): probed and
/// reported down every interval with the reason, never connected to.
async fn unreachable_host_loop(
    host: Host,
    reason: String,
    shared: Shared,
    link: watch::Sender<Link>,
) {
    let _ = link.send_replace(Err(reason.clone()));
    let mut ticker = tokio::time::interval(shared.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if !report_probe(&host, &shared, SshLink::Down(&reason)).await {
            return;
        }
    }
}

/// The target (and its jump hosts) with the passphrases typed so far.
fn with_passphrases(target: &SshTarget, shared: &Shared) -> SshTarget {
    let mut target = target.clone();
    if let Ok(known) = shared.passphrases.read() {
        target.passphrases.extend(known.clone());
        for hop in &mut target.jumps {
            hop.target.passphrases.extend(known.clone());
        }
    }
    target
}

/// What to ask the operator when a connection failed for a reason only they can fix.
fn operator_question(host: &str, error: &SshError) -> Option<FleetEvent> {
    let host = host.to_string();
    match error {
        SshError::UnknownHostKey { offer } => Some(FleetEvent::HostKeyUnknown {
            host,
            offer: offer.clone(),
        }),
        SshError::NeedPassphrase { path } => Some(FleetEvent::PassphraseNeeded {
            host,
            key: path.clone(),
            wrong: false,
        }),
        SshError::WrongPassphrase { path, .. } => Some(FleetEvent::PassphraseNeeded {
            host,
            key: path.clone(),
            wrong: true,
        }),
        _ => None,
    }
}
