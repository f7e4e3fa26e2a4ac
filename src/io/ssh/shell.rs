//! An interactive shell on a host: a PTY session on the host's own connection (its host key
//! already checked, its agent and jump hosts already in use), the way `ssh HOST` opens one.

use crate::io::ssh::SshSession;
use crate::io::ssh::error::SshError;
use russh::client::Msg;
use russh::{ChannelMsg, ChannelReadHalf, ChannelWriteHalf, Pty};
use std::time::Duration;

/// What the host's side of a shell said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellMessage {
    /// Output for the terminal (stdout and stderr alike, as a PTY merges them).
    Output(Vec<u8>),
    /// The shell exited with this status.
    Exit(i32),
    /// The shell was killed by a signal.
    Signal(String),
}

/// An open PTY shell channel.
pub struct SshShell {
    read: ChannelReadHalf,
    write: ChannelWriteHalf<Msg>,
    label: String,
}

impl SshSession {
    /// Opens a channel with a PTY of `cols`×`rows` for terminal type `term` and starts the
    /// login shell in it; at most `limit` for the host to agree.
    pub async fn open_shell(
        &self,
        term: &str,
        cols: u16,
        rows: u16,
        limit: Duration,
    ) -> Result<SshShell, SshError> {
        let opening = async {
            let channel = self
                .handle()
                .channel_open_session()
                .await
                .map_err(|e| self.lost(e))?;
            // The host's usual line discipline, with echo on: what `ssh` asks for.
            let modes = [(Pty::ECHO, 1), (Pty::ICRNL, 1), (Pty::ONLCR, 1)];
            channel
                .request_pty(true, term, u32::from(cols), u32::from(rows), 0, 0, &modes)
                .await
                .map_err(|e| self.lost(e))?;
            channel
                .request_shell(true)
                .await
                .map_err(|e| self.lost(e))?;
            let (mut read, write) = channel.split();
            // Both requests asked for a reply: a refusal of either ends the opening.
            let mut agreed = 0;
            while agreed < 2 {
                match read.wait().await {
                    Some(ChannelMsg::Success) => agreed += 1,
                    Some(ChannelMsg::Failure) => {
                        return Err(SshError::Refused {
                            host: self.label().to_string(),
                            what: if agreed == 0 {
                                "a terminal (PTY)".into()
                            } else {
                                "a shell".into()
                            },
                        });
                    }
                    Some(_) => {}
                    None => return Err(self.lost("the channel closed while opening the shell")),
                }
            }
            Ok(SshShell {
                read,
                write,
                label: self.label().to_string(),
            })
        };
        tokio::time::timeout(limit, opening)
            .await
            .map_err(|_| SshError::Timeout {
                what: format!("opening a shell on {}", self.label()),
                millis: limit.as_millis() as u64,
            })?
    }
}

impl SshShell {
    /// Sends typed bytes to the shell.
    pub async fn send(&self, bytes: &[u8]) -> Result<(), SshError> {
        self.write
            .data_bytes(bytes.to_vec())
            .await
            .map_err(|e| self.lost(e))
    }

    /// Tells the host the terminal is now `cols`×`rows`.
    pub async fn resize(&self, cols: u16, rows: u16) -> Result<(), SshError> {
        self.write
            .window_change(u32::from(cols), u32::from(rows), 0, 0)
            .await
            .map_err(|e| self.lost(e))
    }

    /// The next thing the host says; `None` once the channel is closed.
    pub async fn next(&mut self) -> Option<ShellMessage> {
        loop {
            match self.read.wait().await? {
                ChannelMsg::Data { data } | ChannelMsg::ExtendedData { data, .. } => {
                    return Some(ShellMessage::Output(data.to_vec()));
                }
                ChannelMsg::ExitStatus { exit_status } => {
                    return Some(ShellMessage::Exit(
                        i32::try_from(exit_status).unwrap_or(i32::MAX),
                    ));
                }
                ChannelMsg::ExitSignal { signal_name, .. } => {
                    return Some(ShellMessage::Signal(format!("{signal_name:?}")));
                }
                ChannelMsg::Close => return None,
                _ => {}
            }
        }
    }

    /// Closes the channel (the host hangs up the shell).
    pub async fn close(&self) {
        let _ = self.write.close().await;
    }

    fn lost(&self, e: impl std::fmt::Display) -> SshError {
        SshError::Lost {
            host: self.label.clone(),
            reason: e.to_string(),
        }
    }
}
