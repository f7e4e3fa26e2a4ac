//! One SSH connection to a host: connect (host key checked, then auth), run commands with a
//! timeout, and stream a command's output line by line, all multiplexed on the connection.

use crate::core::template::shell_quote;
use crate::io::bounded_read::{Kind, read_text};
use crate::io::ssh::error::SshError;
use crate::io::ssh::hostkeys::{HostKeyVerdict, known_hosts_pattern, verify};
use crate::io::ssh::lines::{LineBatch, LineSplitter};
use russh::client::{self, Handle, Msg};
use russh::keys::agent::AgentIdentity;
use russh::keys::agent::client::AgentClient;
use russh::keys::{PrivateKeyWithHashAlg, PublicKeyOrCertificate, decode_secret_key};
use russh::{ChannelMsg, ChannelStream};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Everything needed to reach one host.
#[derive(Clone)]
pub struct SshTarget {
    /// Address or name to connect to.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Login user.
    pub user: String,
    /// Private keys to offer, in order.
    pub identity_files: Vec<PathBuf>,
    /// Passphrases the operator typed for encrypted keys (never logged: see `Debug`).
    pub passphrases: BTreeMap<PathBuf, String>,
    /// Offer the keys of the ssh-agent listening on this socket first (`$SSH_AUTH_SOCK`).
    pub agent_socket: Option<PathBuf>,
    /// The known_hosts file keys are checked against.
    pub known_hosts: PathBuf,
    /// Reach the host through these first (ProxyJump), in order: the first is connected to
    /// directly, each next one through a direct-tcpip channel of the one before, the host
    /// through the last. Empty: the host is connected to directly.
    pub jumps: Vec<JumpHost>,
}

/// One hop of a ProxyJump chain.
#[derive(Debug, Clone)]
pub struct JumpHost {
    /// The hop as the ProxyJump list names it (`b` in `ProxyJump a,b`), for messages.
    pub name: String,
    /// How to reach and log in to it; its own `jumps` are not followed (the chain is flat).
    pub target: SshTarget,
}

impl fmt::Debug for SshTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SshTarget")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("identity_files", &self.identity_files)
            .field(
                "passphrases",
                &format_args!("[{} redacted]", self.passphrases.len()),
            )
            .field("agent_socket", &self.agent_socket)
            .field("known_hosts", &self.known_hosts)
            .field("jumps", &self.jumps)
            .finish()
    }
}

impl SshTarget {
    /// `user@host:port`, for messages.
    pub fn label(&self) -> String {
        format!("{}@{}", self.user, self.address())
    }

    /// `host:port` (`[v6]:port` for an IPv6 address), for messages.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Time limits of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect plus key exchange.
    pub connect: Duration,
    /// Authentication.
    pub auth: Duration,
    /// Interval of keepalives; three unanswered ones drop the connection.
    pub keepalive: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            auth: Duration::from_secs(10),
            keepalive: Duration::from_secs(5),
        }
    }
}

/// Checks the server key and remembers what it found, so a refusal can be explained.
pub(super) struct KeyCheck {
    host: String,
    port: u16,
    known_hosts: PathBuf,
    verdict: Arc<Mutex<Option<HostKeyVerdict>>>,
}

impl client::Handler for KeyCheck {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        offered: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let key = match offered {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.clone(),
            PublicKeyOrCertificate::Certificate(cert) => cert.public_key().clone().into(),
        };
        let verdict = verify(&self.host, self.port, &key, &self.known_hosts);
        let known = verdict == HostKeyVerdict::Known;
        if let Ok(mut slot) = self.verdict.lock() {
            *slot = Some(verdict);
        }
        Ok(known)
    }
}

/// Where the output of a watched command goes as it arrives (see [`SshSession::exec_watched`]).
pub type Progress = tokio::sync::mpsc::Sender<String>;

/// What a command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecOutput {
    /// Standard output (at most [`MAX_OUTPUT`] bytes kept).
    pub stdout: Vec<u8>,
    /// Standard error (at most [`MAX_OUTPUT`] bytes kept).
    pub stderr: Vec<u8>,
    /// Exit status, when the server sent one.
    pub exit_status: Option<u32>,
    /// Signal that killed it, if any.
    pub exit_signal: Option<String>,
    /// Bytes not kept because output exceeded the cap.
    pub truncated: u64,
}

/// Output kept per stream of one command.
pub const MAX_OUTPUT: usize = 4 << 20;

/// An open SSH connection; cheap to clone, channels are opened on it concurrently.
#[derive(Clone)]
pub struct SshSession {
    handle: Arc<Handle<KeyCheck>>,
    label: String,
    /// The jump host's connection, kept open while this one lives.
    _via: Option<Arc<SshSession>>,
}

fn timeout_error(what: &str, limit: Duration) -> SshError {
    SshError::Timeout {
        what: what.to_string(),
        millis: limit.as_millis() as u64,
    }
}

impl SshSession {
    /// Connects through every jump host in order (each within the timeouts, its host key
    /// checked), then to the host itself: host key checked against known_hosts, then
    /// authenticated. A failure on the way names the jump host it happened at.
    pub async fn connect(target: &SshTarget, timeouts: Timeouts) -> Result<Self, SshError> {
        let mut via: Option<Arc<SshSession>> = None;
        for hop in &target.jumps {
            let session = SshSession::connect_one(&hop.target, via.take(), timeouts)
                .await
                .map_err(|mut e| {
                    if let SshError::UnknownHostKey { offer } = &mut e {
                        offer.jump = Some(hop.name.clone());
                    }
                    SshError::Jump {
                        name: hop.name.clone(),
                        address: hop.target.address(),
                        cause: Box::new(e),
                    }
                })?;
            via = Some(Arc::new(session));
        }
        SshSession::connect_one(target, via, timeouts).await
    }

    /// Connects to `target` alone: directly, or through a channel of `via`.
    async fn connect_one(
        target: &SshTarget,
        via: Option<Arc<SshSession>>,
        timeouts: Timeouts,
    ) -> Result<Self, SshError> {
        let config = Arc::new(client::Config {
            inactivity_timeout: None,
            keepalive_interval: Some(timeouts.keepalive),
            keepalive_max: 3,
            nodelay: true,
            ..Default::default()
        });
        let verdict = Arc::new(Mutex::new(None));
        let check = KeyCheck {
            host: target.host.clone(),
            port: target.port,
            known_hosts: target.known_hosts.clone(),
            verdict: verdict.clone(),
        };
        let label = target.label();
        let connecting = async {
            match &via {
                Some(hop) => {
                    let tunnel = hop
                        .handle
                        .channel_open_direct_tcpip(
                            target.host.clone(),
                            u32::from(target.port),
                            "127.0.0.1",
                            0,
                        )
                        .await
                        .map_err(|e| SshError::Connect {
                            target: label.clone(),
                            reason: tunnel_refusal(&hop.label, &e),
                        })?;
                    client::connect_stream(config, tunnel.into_stream(), check).await
                }
                None => client::connect(config, (target.host.as_str(), target.port), check).await,
            }
            .map_err(|e| {
                let seen = verdict.lock().ok().and_then(|v| v.clone());
                connect_error(target, seen, &e)
            })
        };
        let mut handle = match tokio::time::timeout(timeouts.connect, connecting).await {
            Err(_) => {
                let through = via
                    .as_ref()
                    .map(|v| format!(" through {}", v.label))
                    .unwrap_or_default();
                return Err(timeout_error(
                    &format!("connecting to {label}{through}"),
                    timeouts.connect,
                ));
            }
            Ok(Ok(handle)) => handle,
            Ok(Err(e)) => return Err(e),
        };
        let auth = authenticate(&mut handle, target);
        match tokio::time::timeout(timeouts.auth, auth).await {
            Err(_) => {
                return Err(timeout_error(
                    &format!("authenticating to {label}"),
                    timeouts.auth,
                ));
            }
            Ok(Err(e)) => return Err(e),
            Ok(Ok(())) => {}
        }
        Ok(Self {
            handle: Arc::new(handle),
            label,
            _via: via,
        })
    }

    /// `user@host:port`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Whether the connection has ended.
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed() || self._via.as_ref().is_some_and(|v| v.is_closed())
    }

    /// The connection's handle, for the channel kinds of sibling modules.
    pub(super) fn handle(&self) -> &Handle<KeyCheck> {
        &self.handle
    }

    pub(super) fn lost(&self, e: impl fmt::Display) -> SshError {
        SshError::Lost {
            host: self.label.clone(),
            reason: e.to_string(),
        }
    }

    async fn start(&self, command: &str) -> Result<OpenChannel, SshError> {
        let channel = self
            .handle
            .channel_open_session()
            .await
            .map_err(|e| self.lost(e))?;
        channel
            .exec(true, remote_command(command))
            .await
            .map_err(|e| self.lost(e))?;
        Ok(OpenChannel(Some(channel)))
    }

    /// A `direct-tcpip` channel to `host:port` as this host sees them (a database bound to the
    /// host's localhost), as a byte stream; opening it takes at most `limit`. The connection
    /// stays up while the stream lives only as long as some clone of this session does.
    pub async fn open_direct_tcpip(
        &self,
        host: &str,
        port: u16,
        limit: Duration,
    ) -> Result<ChannelStream<Msg>, SshError> {
        let opening = self.handle.channel_open_direct_tcpip(
            host.to_string(),
            u32::from(port),
            "127.0.0.1",
            0,
        );
        match tokio::time::timeout(limit, opening).await {
            Err(_) => Err(timeout_error(
                &format!("opening a tunnel to {host}:{port} through {}", self.label),
                limit,
            )),
            Ok(Err(e)) if self.is_closed() => Err(self.lost(e)),
            Ok(Err(e)) => Err(SshError::Connect {
                target: format!("{host}:{port} through {}", self.label),
                reason: format!("the host refused the tunnel ({e})"),
            }),
            Ok(Ok(channel)) => Ok(channel.into_stream()),
        }
    }

    /// Runs a command and waits for it to end, at most `limit`.
    pub async fn exec(&self, command: &str, limit: Duration) -> Result<ExecOutput, SshError> {
        self.exec_watched(command, limit, None).await
    }

    /// Like [`SshSession::exec`], and every piece of output (stdout and stderr, as it
    /// arrives) is also offered to `progress` for a live view; pieces are dropped when the
    /// watcher lags, never the command's own output.
    pub async fn exec_watched(
        &self,
        command: &str,
        limit: Duration,
        progress: Option<&Progress>,
    ) -> Result<ExecOutput, SshError> {
        let show = |data: &[u8]| {
            if let Some(progress) = progress {
                let _ = progress.try_send(String::from_utf8_lossy(data).into_owned());
            }
        };
        let run = async {
            let mut channel = self.start(command).await?;
            channel.no_input().await;
            let mut out = ExecOutput::default();
            while let Some(msg) = channel.wait().await {
                match msg {
                    ChannelMsg::Data { data } => {
                        show(&data);
                        keep(&mut out.stdout, &data, &mut out.truncated)
                    }
                    ChannelMsg::ExtendedData { data, .. } => {
                        show(&data);
                        keep(&mut out.stderr, &data, &mut out.truncated)
                    }
                    ChannelMsg::ExitStatus { exit_status } => out.exit_status = Some(exit_status),
                    ChannelMsg::ExitSignal { signal_name, .. } => {
                        out.exit_signal = Some(format!("{signal_name:?}"))
                    }
                    ChannelMsg::Failure => {
                        return Err(SshError::Refused {
                            host: self.label.clone(),
                            what: "the command".into(),
                        });
                    }
                    ChannelMsg::Close => break,
                    _ => {}
                }
            }
            if out.exit_status.is_none() && out.exit_signal.is_none() && self.is_closed() {
                return Err(self.lost("connection closed before the command ended"));
            }
            Ok(out)
        };
        tokio::time::timeout(limit, run)
            .await
            .map_err(|_| timeout_error(&format!("`{}` on {}", short(command), self.label), limit))?
    }

    /// Starts a command whose output is read line by line (e.g. `tail -F`). Dropping the
    /// stream closes the channel, which closes the command's stdin on the host.
    pub async fn stream_lines(&self, command: &str) -> Result<LineStream, SshError> {
        let channel = self.start(command).await?;
        Ok(LineStream {
            channel,
            splitter: LineSplitter::default(),
            ready: LineBatch::default(),
            taken: 0,
            ended: false,
            label: self.label.clone(),
        })
    }

    /// Ends the connection.
    pub async fn close(&self) {
        let _ = self
            .handle
            .disconnect(russh::Disconnect::ByApplication, "bye", "en")
            .await;
    }
}

/// What is sent to the host for `command`: whatever the login shell is (bash, zsh, fish…),
/// the command itself is interpreted by POSIX sh.
pub fn remote_command(command: &str) -> String {
    format!("exec sh -c {}", shell_quote(command))
}

fn keep(buf: &mut Vec<u8>, data: &[u8], dropped: &mut u64) {
    let room = MAX_OUTPUT.saturating_sub(buf.len());
    let taken = room.min(data.len());
    buf.extend_from_slice(&data[..taken]);
    *dropped += (data.len() - taken) as u64;
}

fn short(command: &str) -> String {
    let first = command.lines().next().unwrap_or_default();
    let mut cut: String = first.chars().take(60).collect();
    if cut.len() < command.len() {
        cut.push('…');
    }
    cut
}

/// Why the jump host `via` did not open a channel to the next hop, in an operator's words.
fn tunnel_refusal(via: &str, e: &russh::Error) -> String {
    use russh::ChannelOpenFailure as F;
    let why = match e {
        russh::Error::ChannelOpenFailure(F::AdministrativelyProhibited) => {
            "refused to forward there (administratively prohibited: its sshd's PermitOpen or AllowTcpForwarding)".to_string()
        }
        russh::Error::ChannelOpenFailure(F::ConnectFailed) => {
            "could not connect there (connection refused or unreachable from it)".to_string()
        }
        russh::Error::ChannelOpenFailure(F::Other { reason, .. }) if !reason.is_empty() => {
            format!("could not open a channel there: {reason}")
        }
        other => format!("could not open a channel there: {other}"),
    };
    format!("the jump host {via} {why}")
}

fn connect_error(target: &SshTarget, seen: Option<HostKeyVerdict>, e: &russh::Error) -> SshError {
    let host = known_hosts_pattern(&target.host, target.port);
    match seen {
        Some(HostKeyVerdict::Unknown(offer)) => SshError::UnknownHostKey { offer },
        Some(HostKeyVerdict::Changed { fingerprint, line }) => SshError::ChangedHostKey {
            host,
            fingerprint,
            line,
            known_hosts: target.known_hosts.display().to_string(),
        },
        Some(HostKeyVerdict::Unreadable { reason }) => SshError::Connect {
            target: target.label(),
            reason: format!("known_hosts unreadable: {reason}"),
        },
        Some(HostKeyVerdict::Known) | None => SshError::Connect {
            target: target.label(),
            reason: e.to_string(),
        },
    }
}

/// The signature hash to use with an RSA key (the best the server offers); none for others.
async fn rsa_hash(
    handle: &Handle<KeyCheck>,
    algorithm: russh::keys::Algorithm,
) -> Option<russh::keys::HashAlg> {
    if !algorithm.is_rsa() {
        return None;
    }
    handle
        .best_supported_rsa_hash()
        .await
        .ok()
        .flatten()
        .flatten()
}

/// Reads a private key as `russh::keys::load_secret_key` does, but only from a regular file
/// of bounded size (an `IdentityFile` pointing at a FIFO or a device must not hang or flood).
fn read_secret_key(
    path: &std::path::Path,
    passphrase: Option<&str>,
) -> Result<russh::keys::PrivateKey, russh::keys::Error> {
    let text = read_text(path, Kind::Text)
        .map_err(|e| russh::keys::Error::IO(std::io::Error::other(e.reason())))?;
    decode_secret_key(&text, passphrase)
}

async fn authenticate(handle: &mut Handle<KeyCheck>, target: &SshTarget) -> Result<(), SshError> {
    let mut tried = Vec::new();
    if let Some(socket) = &target.agent_socket
        && let Ok(mut agent) = AgentClient::connect_uds(socket).await
    {
        let identities = agent.request_identities().await.unwrap_or_default();
        for identity in identities {
            let AgentIdentity::PublicKey { key, comment } = identity else {
                continue;
            };
            let hash = rsa_hash(handle, key.algorithm()).await;
            match handle
                .authenticate_publickey_with(target.user.clone(), key, hash, &mut agent)
                .await
            {
                Ok(result) if result.success() => return Ok(()),
                _ => tried.push(format!("agent key {comment}")),
            }
        }
    }
    let mut unusable: Option<SshError> = None;
    for path in &target.identity_files {
        let passphrase = target.passphrases.get(path).map(String::as_str);
        let key = match read_secret_key(path, passphrase) {
            Ok(key) => key,
            Err(russh::keys::Error::KeyIsEncrypted) => {
                unusable.get_or_insert(SshError::NeedPassphrase { path: path.clone() });
                continue;
            }
            Err(e) => {
                unusable.get_or_insert(if passphrase.is_some() {
                    SshError::WrongPassphrase {
                        path: path.clone(),
                        reason: e.to_string(),
                    }
                } else {
                    SshError::BadKey {
                        path: path.clone(),
                        reason: e.to_string(),
                    }
                });
                continue;
            }
        };
        let hash = rsa_hash(handle, key.algorithm()).await;
        let offered = PrivateKeyWithHashAlg::new(Arc::new(key), hash);
        match handle
            .authenticate_publickey(target.user.clone(), offered)
            .await
        {
            Ok(result) if result.success() => return Ok(()),
            Ok(_) => tried.push(path.display().to_string()),
            Err(e) => {
                return Err(SshError::Lost {
                    host: target.label(),
                    reason: e.to_string(),
                });
            }
        }
    }
    match unusable {
        // A key that could not be unlocked may be the one the host wants: ask for it.
        Some(e @ (SshError::NeedPassphrase { .. } | SshError::WrongPassphrase { .. })) => Err(e),
        Some(e) if tried.is_empty() => Err(e),
        _ => Err(SshError::AuthRefused {
            user: target.user.clone(),
            host: target.host.clone(),
            tried: if tried.is_empty() {
                "no key available".to_string()
            } else {
                tried.join(", ")
            },
        }),
    }
}

/// A session channel that is closed when dropped (russh's own channel is not), so a command
/// abandoned by a timeout or a dropped stream does not keep its channel open on the host.
struct OpenChannel(Option<russh::Channel<Msg>>);

impl OpenChannel {
    /// Tells the host nothing more comes on the command's stdin, as a command run here gets
    /// an empty stdin: one that reads it (`cat`, a `mysql` client) ends instead of waiting
    /// out its time limit.
    async fn no_input(&self) {
        if let Some(channel) = &self.0 {
            let _ = channel.eof().await;
        }
    }

    async fn wait(&mut self) -> Option<ChannelMsg> {
        match self.0.as_mut() {
            Some(channel) => channel.wait().await,
            None => None,
        }
    }
}

impl Drop for OpenChannel {
    fn drop(&mut self) {
        if let (Some(channel), Ok(runtime)) = (self.0.take(), tokio::runtime::Handle::try_current())
        {
            runtime.spawn(async move {
                let _ = channel.close().await;
            });
        }
    }
}

/// Lines of a running command's output. Lines longer than [`MAX_LINE`](super::MAX_LINE)
/// bytes are cut.
pub struct LineStream {
    channel: OpenChannel,
    splitter: LineSplitter,
    /// Lines split but not yet handed out by [`LineStream::next_line`].
    ready: LineBatch,
    /// How many of `ready` were handed out.
    taken: usize,
    /// The output ended (its unfinished last line, if any, was split).
    ended: bool,
    label: String,
}

impl LineStream {
    /// Every line the next piece of output completes (at least one; all of an SSH packet's
    /// lines at once), `Ok(None)` when the command ended, or why the connection failed. The
    /// log tails' path: one batch, one buffer, per packet.
    pub async fn next_batch(&mut self) -> Result<Option<LineBatch>, SshError> {
        let mut batch = LineBatch::default();
        if self.taken < self.ready.len() {
            batch = LineBatch::of(self.ready.iter().skip(self.taken));
            self.ready.clear();
            self.taken = 0;
        }
        self.fill(&mut batch).await?;
        Ok((!batch.is_empty()).then_some(batch))
    }

    /// The next line (lossily decoded), `Ok(None)` when the command ended, or why the
    /// connection failed.
    pub async fn next_line(&mut self) -> Result<Option<String>, SshError> {
        if self.taken == self.ready.len() {
            self.taken = 0;
            let mut ready = std::mem::take(&mut self.ready);
            ready.clear();
            let filled = self.fill(&mut ready).await;
            self.ready = ready;
            filled?;
        }
        let line = self.ready.get(self.taken).map(str::to_owned);
        self.taken += usize::from(line.is_some());
        Ok(line)
    }

    /// Reads output until `batch` holds a line or the output ends.
    async fn fill(&mut self, batch: &mut LineBatch) -> Result<(), SshError> {
        while batch.is_empty() && !self.ended {
            match self.channel.wait().await {
                Some(ChannelMsg::Data { data }) => self.splitter.push(&data, batch),
                Some(ChannelMsg::Eof | ChannelMsg::Close) | None => {
                    self.ended = true;
                    self.splitter.finish(batch);
                }
                Some(ChannelMsg::Failure) => {
                    return Err(SshError::Refused {
                        host: self.label.clone(),
                        what: "the command".into(),
                    });
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}
