//! Health probes: TCP connect, SSH banner, HTTP status — each bounded by a timeout.

use crate::core::health::ProbeVerdict;
use crate::core::inventory::{Check, Host};
use crate::core::metrics::{self, HostMetrics, METRICS_COMMAND};
use crate::io::ssh::SshSession;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutcome {
    /// The check, e.g. `tcp:3306`.
    pub label: String,
    /// Whether it passed.
    pub ok: bool,
    /// What was seen (`200 OK`, `connection refused`, `timed out after 3s`).
    pub detail: String,
    /// How long it took.
    pub latency: Duration,
}

/// The state of a host's SSH connection, for its `ssh` check.
#[derive(Clone, Copy)]
pub enum SshLink<'a> {
    /// Not reached over SSH by cockpit: the check reads the SSH banner.
    Unused,
    /// Connected: the check is a round trip of `true` on the connection.
    Up(&'a SshSession),
    /// Not connected, for this reason.
    Down(&'a str),
}

/// How probes run.
#[derive(Clone)]
pub struct ProbeSettings {
    /// Limit of each check.
    pub timeout: Duration,
    /// The HTTP client for health URLs, shared by every probe, made by the first HTTP check.
    http: Arc<OnceLock<reqwest::Client>>,
}

impl ProbeSettings {
    /// Checks limited to `timeout`. The HTTP client (its TLS set-up: the root store and the
    /// crypto provider) is made by the first HTTP check, on a worker, not here: the fleet is
    /// started on the path to the first frame.
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            http: Arc::default(),
        }
    }

    /// The shared HTTP client, made on first use.
    fn http(&self) -> &reqwest::Client {
        self.http.get_or_init(|| {
            reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.timeout)
                .build()
                .unwrap_or_default()
        })
    }
}

/// What one probe round of a host found: its service checks, and its metrics apart from them
/// (pressure never decides whether a host is up).
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeReport {
    /// Each check's outcome (ssh, tcp, http).
    pub outcomes: Vec<CheckOutcome>,
    /// The host's metrics, or why they could not be read; `None` when the host is not
    /// connected over SSH.
    pub metrics: Option<Result<HostMetrics, String>>,
}

/// Runs every check of a host at once, each bounded by the timeout, so a sweep takes about
/// one timeout however many checks fail. A host connected over SSH also reports its metrics.
pub async fn probe_host(host: &Host, settings: &ProbeSettings, ssh: SshLink<'_>) -> ProbeReport {
    let checks = host
        .checks
        .iter()
        .map(|check| run_check(host, check, settings, ssh));
    let (outcomes, metrics) = futures::future::join(
        futures::future::join_all(checks),
        read_metrics(settings.timeout, ssh),
    )
    .await;
    ProbeReport { outcomes, metrics }
}

/// CPU, load, memory and disk over the host's SSH connection.
async fn read_metrics(timeout: Duration, ssh: SshLink<'_>) -> Option<Result<HostMetrics, String>> {
    let SshLink::Up(session) = ssh else {
        return None;
    };
    Some(match session.exec(METRICS_COMMAND, timeout).await {
        Ok(out) => metrics::parse(&String::from_utf8_lossy(&out.stdout))
            .ok_or_else(|| "metrics unreadable (needs nproc, /proc and df on the host)".into()),
        Err(e) => Err(e.to_string()),
    })
}

/// All checks failing means the host is not answering; some failing means degraded.
pub fn verdict(outcomes: &[CheckOutcome]) -> ProbeVerdict {
    let failed: Vec<&CheckOutcome> = outcomes.iter().filter(|o| !o.ok).collect();
    match failed.first() {
        None => ProbeVerdict::Healthy,
        Some(first) => {
            let why = format!("{}: {}", first.label, first.detail);
            if failed.len() == outcomes.len() {
                ProbeVerdict::Failed(why)
            } else {
                ProbeVerdict::Degraded(why)
            }
        }
    }
}

async fn run_check(
    host: &Host,
    check: &Check,
    settings: &ProbeSettings,
    ssh: SshLink<'_>,
) -> CheckOutcome {
    let (started, timeout) = (Instant::now(), settings.timeout);
    let result = tokio::time::timeout(timeout, attempt(host, check, settings, ssh)).await;
    let (ok, detail) = match result {
        Ok(Ok(detail)) => (true, detail),
        Ok(Err(detail)) => (false, detail),
        Err(_) => (false, format!("timed out after {}s", timeout.as_secs_f32())),
    };
    CheckOutcome {
        label: check.label(),
        ok,
        detail,
        latency: started.elapsed(),
    }
}

async fn attempt(
    host: &Host,
    check: &Check,
    settings: &ProbeSettings,
    ssh: SshLink<'_>,
) -> Result<String, String> {
    match check {
        Check::Tcp { port } => {
            TcpStream::connect((host.address.as_str(), *port))
                .await
                .map_err(|e| e.to_string())?;
            Ok("open".to_string())
        }
        Check::Ssh if !matches!(ssh, SshLink::Unused) => match ssh {
            SshLink::Up(session) => match session.exec("true", Duration::from_secs(3600)).await {
                Ok(out) if out.exit_status == Some(0) => Ok("session up".to_string()),
                Ok(out) => Err(format!("`true` exited {:?}", out.exit_status)),
                Err(e) => Err(e.to_string()),
            },
            SshLink::Down(reason) => Err(reason.to_string()),
            SshLink::Unused => Err(String::new()),
        },
        Check::Ssh => {
            let mut stream = TcpStream::connect((host.address.as_str(), host.port))
                .await
                .map_err(|e| e.to_string())?;
            let mut banner = [0u8; 64];
            let n = stream.read(&mut banner).await.map_err(|e| e.to_string())?;
            let text = String::from_utf8_lossy(&banner[..n]);
            if text.starts_with("SSH-") {
                Ok(text.lines().next().unwrap_or_default().to_string())
            } else {
                Err("no SSH banner".to_string())
            }
        }
        Check::Http { url, expect_status } => {
            let response = settings
                .http()
                .get(url)
                .send()
                .await
                .map_err(|e| describe_http_error(&e))?;
            let status = response.status();
            if status.as_u16() == *expect_status {
                Ok(status.to_string())
            } else {
                Err(format!("{status} (expected {expect_status})"))
            }
        }
    }
}

fn describe_http_error(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "connection failed".to_string()
    } else if e.is_timeout() {
        "timed out".to_string()
    } else {
        e.to_string()
    }
}
