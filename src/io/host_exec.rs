//! Commands run on a host on request (diagnose bundles, playbook steps): over the host's SSH
//! connection, or with `sh -c` for the machine cockpit runs on. Each has a hard timeout.

use crate::io::sql::{TunnelOpener, TunnelStream};
use crate::io::ssh::{ExecOutput, MAX_OUTPUT, Progress, SshSession};
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::sync::{mpsc, oneshot, watch};

/// A command for one host, answered on `reply`.
#[derive(Debug)]
pub struct HostRequest {
    /// The shell command.
    pub command: String,
    /// Its time limit.
    pub timeout: Duration,
    /// Where the result goes: the output, or why the command could not run.
    pub reply: oneshot::Sender<Result<ExecOutput, String>>,
    /// Where output goes as it arrives, for a live view.
    pub progress: Option<Progress>,
}

/// A host's connection as its requests see it: the session, or why there is none.
pub type Link = Result<SshSession, String>;

/// Answers requests on the host's current connection; each runs in its own task, so a slow
/// command never holds up the next one.
pub async fn serve_ssh(mut requests: mpsc::Receiver<HostRequest>, link: watch::Receiver<Link>) {
    while let Some(request) = requests.recv().await {
        let current = link.borrow().clone();
        tokio::spawn(async move {
            let result = match current {
                Ok(session) if session.is_closed() => {
                    Err("not connected: connection lost".to_string())
                }
                Ok(session) => session
                    .exec_watched(&request.command, request.timeout, request.progress.as_ref())
                    .await
                    .map_err(|e| e.to_string()),
                Err(reason) => Err(format!("not connected: {reason}")),
            };
            let _ = request.reply.send(result);
        });
    }
}

/// How long opening one tunnel channel (or local connection) may take.
pub const TUNNEL_OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens tunnel channels (`direct-tcpip`) on `session`.
pub fn ssh_tunnel_opener(session: SshSession) -> TunnelOpener {
    Arc::new(move |host: String, port: u16| -> BoxFuture<'static, _> {
        let session = session.clone();
        Box::pin(async move { open_on(&session, &host, port).await })
    })
}

async fn open_on(session: &SshSession, host: &str, port: u16) -> Result<TunnelStream, String> {
    let stream = session
        .open_direct_tcpip(host, port, TUNNEL_OPEN_TIMEOUT)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Box::new(stream))
}

/// Opens tunnel channels on whatever connection host `name` has when each one is opened
/// (the fleet keeps it up and replaces it after a drop); fails at once, saying why, while the
/// host is not connected.
pub fn link_tunnel_opener(name: String, link: watch::Receiver<Link>) -> TunnelOpener {
    Arc::new(move |host: String, port: u16| -> BoxFuture<'static, _> {
        let current = link.borrow().clone();
        let name = name.clone();
        Box::pin(async move {
            match current {
                Ok(session) if session.is_closed() => Err(format!(
                    "no tunnel to {host}:{port}: {name} is not connected (connection lost)"
                )),
                Ok(session) => open_on(&session, &host, port).await,
                Err(reason) => Err(format!(
                    "no tunnel to {host}:{port}: {name} is not connected ({reason})"
                )),
            }
        })
    })
}

/// Connects straight from this machine: the "tunnel" of a host that is the machine cockpit
/// runs on.
pub fn local_tunnel_opener() -> TunnelOpener {
    Arc::new(|host: String, port: u16| -> BoxFuture<'static, _> {
        Box::pin(async move {
            let connecting = tokio::net::TcpStream::connect((host.as_str(), port));
            match tokio::time::timeout(TUNNEL_OPEN_TIMEOUT, connecting).await {
                Err(_) => Err(format!(
                    "connecting to {host}:{port} timed out after {}s",
                    TUNNEL_OPEN_TIMEOUT.as_secs()
                )),
                Ok(Err(e)) => Err(format!("cannot connect to {host}:{port}: {e}")),
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    Ok(Box::new(stream) as TunnelStream)
                }
            }
        })
    })
}

/// Answers requests by running them on this machine.
pub async fn serve_local(mut requests: mpsc::Receiver<HostRequest>) {
    while let Some(request) = requests.recv().await {
        tokio::spawn(async move {
            let result =
                exec_local(&request.command, request.timeout, request.progress.as_ref()).await;
            let _ = request.reply.send(result);
        });
    }
}

/// Runs `sh -c command` here, killing its whole process group on timeout.
pub async fn exec_local(
    command: &str,
    limit: Duration,
    progress: Option<&Progress>,
) -> Result<ExecOutput, String> {
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run sh: {e}"))?;
    let pid = child.id();
    let (mut stdout, mut stderr) = (child.stdout.take(), child.stderr.take());
    let run = async {
        let mut out = ExecOutput::default();
        let (mut kept_out, mut kept_err) = (Vec::new(), Vec::new());
        let (dropped_out, dropped_err) = tokio::join!(
            read_capped(stdout.as_mut(), &mut kept_out, progress),
            read_capped(stderr.as_mut(), &mut kept_err, progress)
        );
        (out.stdout, out.stderr, out.truncated) = (kept_out, kept_err, dropped_out + dropped_err);
        let status = child.wait().await.map_err(|e| e.to_string())?;
        out.exit_status = status.code().and_then(|c| u32::try_from(c).ok());
        Ok(out)
    };
    match tokio::time::timeout(limit, run).await {
        Ok(result) => result,
        Err(_) => {
            if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
                // SAFETY: killpg only sends a signal to the group this command leads.
                unsafe { libc::killpg(pid, libc::SIGKILL) };
            }
            Err(format!("timed out after {:.1}s", limit.as_secs_f32()))
        }
    }
}

async fn read_capped<R: tokio::io::AsyncRead + Unpin>(
    source: Option<&mut R>,
    into: &mut Vec<u8>,
    progress: Option<&Progress>,
) -> u64 {
    let Some(source) = source else { return 0 };
    let mut dropped = 0u64;
    let mut chunk = [0u8; 8192];
    loop {
        match source.read(&mut chunk).await {
            Ok(0) | Err(_) => return dropped,
            Ok(n) => {
                if let Some(progress) = progress {
                    let _ = progress.try_send(String::from_utf8_lossy(&chunk[..n]).into_owned());
                }
                let room = MAX_OUTPUT.saturating_sub(into.len()).min(n);
                into.extend_from_slice(&chunk[..room]);
                dropped += (n - room) as u64;
            }
        }
    }
}
