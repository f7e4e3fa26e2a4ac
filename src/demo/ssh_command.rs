//! One session channel of a demo SSH server: it waits for the client's `exec`, runs the command
//! with `sh -c` in the host's folder, streams stdout as data and stderr as extended data, then
//! ends the channel as sshd does (exit status, EOF, close). When the client closes the channel
//! or the connection drops first, the command's whole process group is killed. The metrics
//! command is answered with the simulated machine's figures instead (see `host_metrics`).
//!
//! The host's folder is the virtual root of the seed's paths (see `virtual_root`): they are
//! mapped into it before the command runs and back in what it prints. The host's simulated
//! tools (see `shim`) come first on the command's PATH.

use crate::demo::host_metrics::simulated_output;
use crate::demo::hosts::DemoHostSpec;
use crate::demo::process_group::ProcessGroups;
use crate::demo::virtual_root::{OutputMapper, map_command};
use crate::io::shell::{LocalPlace, LocalShell};
use crate::io::ssh::ShellMessage;
use russh::server::Msg;
use russh::{Channel, ChannelMsg, ChannelReadHalf, ChannelWriteHalf};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin, Command};

/// The SSH extended-data type of standard error (RFC 4254 §5.2).
const STDERR: u32 = 1;

/// Exit status reported when the command could not be started (as a shell reports it).
const CANNOT_RUN: u32 = 127;

/// The demo host commands run on.
#[derive(Clone)]
pub(crate) struct CommandHost {
    /// Which host it is.
    pub spec: DemoHostSpec,
    /// Its folder: commands start there, so relative paths work.
    pub workdir: PathBuf,
    /// The process groups of its running commands.
    pub groups: ProcessGroups,
    /// Its simulated tools, put first on the commands' PATH; `None` without them.
    pub bin_dir: Option<PathBuf>,
}

/// What the client asked a session channel for.
enum Request {
    /// Run a command.
    Exec(String),
    /// A login shell in a terminal of this type and size (columns, rows).
    Shell(String, (u16, u16)),
}

/// Serves one session channel until its command ends or the client goes away.
pub(crate) async fn serve_channel(channel: Channel<Msg>, host: CommandHost) {
    let (mut incoming, outgoing) = channel.split();
    let command = match wait_for_request(&mut incoming).await {
        None => return,
        Some(Request::Shell(term, size)) => {
            return serve_shell(incoming, outgoing, &host, &term, size).await;
        }
        Some(Request::Exec(command)) => command,
    };
    if let Some(output) = simulated_output(host.spec, &command) {
        let _ = outgoing.data(output.as_bytes()).await;
        finish(&outgoing, 0).await;
        return;
    }
    let command = map_command(&command, &host.workdir);
    let mut child = match spawn_shell(&command, &host.workdir, host.bin_dir.as_deref()) {
        Ok(child) => child,
        Err(e) => {
            let message = format!("demo host: cannot run the command: {e}\n");
            let _ = outgoing.extended_data(STDERR, message.as_bytes()).await;
            finish(&outgoing, CANNOT_RUN).await;
            return;
        }
    };
    let _group = child
        .id()
        .and_then(|pid| i32::try_from(pid).ok())
        .map(|pgid| host.groups.register(pgid));
    let stdin = child.stdin.take();
    tokio::select! {
        () = run_to_end(&mut child, &outgoing, &host.workdir) => {}
        () = feed_until_close(&mut incoming, stdin) => {}
    }
    // `_group` drops here: whatever the command left running in its group is killed.
}

/// The channel's `exec` command, or its shell (after a terminal); `None` when the channel
/// closed first.
async fn wait_for_request(incoming: &mut ChannelReadHalf) -> Option<Request> {
    let mut terminal = ("dumb".to_string(), (80, 24));
    loop {
        match incoming.wait().await? {
            ChannelMsg::Exec { command, .. } => {
                return Some(Request::Exec(
                    String::from_utf8_lossy(&command).into_owned(),
                ));
            }
            ChannelMsg::RequestPty {
                term,
                col_width,
                row_height,
                ..
            } => terminal = (term, (clamp(col_width), clamp(row_height))),
            ChannelMsg::RequestShell { .. } => return Some(Request::Shell(terminal.0, terminal.1)),
            ChannelMsg::Close => return None,
            _ => {}
        }
    }
}

/// A terminal dimension as a PTY takes it: at least 1, at most what fits.
fn clamp(n: u32) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX).max(1)
}

/// A login shell in a PTY in the host's folder, its simulated tools first on PATH, until it
/// exits or the client goes away.
async fn serve_shell(
    mut incoming: ChannelReadHalf,
    outgoing: ChannelWriteHalf<Msg>,
    host: &CommandHost,
    term: &str,
    size: (u16, u16),
) {
    // The host's simulated tools must stay first on PATH (a login profile would reset it):
    // `systemctl restart nginx` in a drill shell restarts the drill's nginx, not this
    // machine's.
    let place = LocalPlace {
        workdir: Some(host.workdir.clone()),
        path_first: host.bin_dir.clone(),
        prompt: Some(format!("[drill] {}:\\w\\$ ", host.spec.name)),
    };
    let mut shell = match LocalShell::open_in(term, size.0, size.1, &place) {
        Ok(shell) => shell,
        Err(e) => {
            let message = format!("demo host: cannot start a shell: {e}\r\n");
            let _ = outgoing.data(message.as_bytes()).await;
            finish(&outgoing, CANNOT_RUN).await;
            return;
        }
    };
    loop {
        tokio::select! {
            said = shell.next() => match said {
                Some(ShellMessage::Output(bytes)) => {
                    if outgoing.data(&bytes[..]).await.is_err() {
                        break;
                    }
                }
                Some(ShellMessage::Exit(code)) => {
                    finish(&outgoing, u32::try_from(code).unwrap_or(CANNOT_RUN)).await;
                    return;
                }
                Some(ShellMessage::Signal(_)) | None => {
                    finish(&outgoing, CANNOT_RUN).await;
                    return;
                }
            },
            heard = incoming.wait() => match heard {
                Some(ChannelMsg::Data { data }) => {
                    if shell.send(&data).await.is_err() {
                        break;
                    }
                }
                Some(ChannelMsg::WindowChange { col_width, row_height, .. }) => {
                    let _ = shell.resize(clamp(col_width), clamp(row_height));
                }
                Some(ChannelMsg::Close) | None => break,
                Some(_) => {}
            },
        }
    }
    shell.close().await;
}

/// Feeds the client's data to the command's stdin, closing it at the client's EOF as sshd
/// does, and returns when the client closes the channel or the connection ends.
async fn feed_until_close(incoming: &mut ChannelReadHalf, mut stdin: Option<ChildStdin>) {
    while let Some(message) = incoming.wait().await {
        match message {
            ChannelMsg::Data { data } => {
                if let Some(pipe) = stdin.as_mut()
                    && pipe.write_all(&data).await.is_err()
                {
                    stdin = None;
                }
            }
            ChannelMsg::Eof => stdin = None,
            ChannelMsg::Close => return,
            _ => {}
        }
    }
}

/// `sh -c COMMAND` in `workdir` with `bin_dir` first on PATH, leading a process group of its
/// own, killed if dropped.
fn spawn_shell(command: &str, workdir: &Path, bin_dir: Option<&Path>) -> std::io::Result<Child> {
    let mut shell = Command::new("sh");
    if let Some(bin) = bin_dir {
        let inherited = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
        let mut path = bin.as_os_str().to_os_string();
        path.push(":");
        path.push(inherited);
        shell.env("PATH", path);
    }
    shell
        .arg("-c")
        .arg(command)
        .current_dir(workdir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
}

/// Streams the command's output to the channel until both streams end, waits for it to exit,
/// and ends the channel with its status. `workdir` is shown as `/` in the output.
async fn run_to_end(child: &mut Child, outgoing: &ChannelWriteHalf<Msg>, workdir: &Path) {
    let stdout = forward(
        child.stdout.take(),
        outgoing,
        None,
        OutputMapper::new(workdir),
    );
    let stderr = forward(
        child.stderr.take(),
        outgoing,
        Some(STDERR),
        OutputMapper::new(workdir),
    );
    tokio::join!(stdout, stderr);
    let status = child.wait().await.map_or(CANNOT_RUN, exit_code);
    finish(outgoing, status).await;
}

/// Copies `stream`, mapped, to the channel as data (`ext` None) or extended data, until it
/// ends or the channel refuses more.
async fn forward(
    stream: Option<impl AsyncRead + Unpin>,
    outgoing: &ChannelWriteHalf<Msg>,
    ext: Option<u32>,
    mut mapper: OutputMapper,
) {
    let Some(mut stream) = stream else {
        return;
    };
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let (data, ended) = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => (mapper.finish(), true),
            Ok(n) => (mapper.map(&buf[..n]), false),
        };
        if !data.is_empty() {
            let sent = match ext {
                None => outgoing.data(&data[..]).await,
                Some(ext) => outgoing.extended_data(ext, &data[..]).await,
            };
            if sent.is_err() {
                return;
            }
        }
        if ended {
            return;
        }
    }
}

/// The status a shell would report: the exit code, or 128 + the signal that killed it.
fn exit_code(status: ExitStatus) -> u32 {
    use std::os::unix::process::ExitStatusExt as _;
    match (status.code(), status.signal()) {
        (Some(code), _) => u32::try_from(code).unwrap_or(CANNOT_RUN),
        (None, Some(signal)) => 128 + u32::try_from(signal).unwrap_or(0),
        (None, None) => CANNOT_RUN,
    }
}

/// Ends the channel in the order clients expect: exit status, EOF, close.
async fn finish(outgoing: &ChannelWriteHalf<Msg>, status: u32) {
    let _ = outgoing.exit_status(status).await;
    let _ = outgoing.eof().await;
    let _ = outgoing.close().await;
}
