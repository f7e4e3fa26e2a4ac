//! What a demo SSH server does for one client connection: accept exactly the demo client key,
//! and run each session channel's `exec` command, or a login shell in a PTY when the client
//! asks for a terminal and a shell (no forwarding).

use crate::demo::ssh_command::{CommandHost, serve_channel};
use russh::keys::PublicKey;
use russh::server::{
    Auth, ChannelOpenHandle, Handler, Msg, PublicKeyOffer, Session, VerifiedPublicKey,
};
use russh::{Channel, ChannelId};
use tokio::task::JoinSet;

/// One client connection to a demo host. Dropping it (the connection ended) aborts its
/// channels, which kills their commands.
pub(crate) struct ConnectionHandler {
    client_key: PublicKey,
    host: CommandHost,
    channels: JoinSet<()>,
}

impl ConnectionHandler {
    /// A handler accepting `client_key` and running commands on `host`.
    pub fn new(client_key: PublicKey, host: CommandHost) -> Self {
        Self {
            client_key,
            host,
            channels: JoinSet::new(),
        }
    }

    fn verdict(&self, key: &PublicKey) -> Auth {
        if key.key_data() == self.client_key.key_data() {
            Auth::Accept
        } else {
            Auth::reject()
        }
    }
}

impl Handler for ConnectionHandler {
    type Error = russh::Error;

    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(self.verdict(offer.public_key))
    }

    async fn auth_publickey(
        &mut self,
        _user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(self.verdict(key.public_key))
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        while self.channels.try_join_next().is_some() {}
        reply.accept().await;
        self.channels
            .spawn(serve_channel(channel, self.host.clone()));
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _command: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // The command itself reaches the channel's task as `ChannelMsg::Exec`.
        session.channel_success(channel)
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // The shell itself is started by the channel's task (`ChannelMsg::RequestShell`).
        session.channel_success(channel)
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // The terminal reaches the channel's task as `ChannelMsg::RequestPty`.
        session.channel_success(channel)
    }
}
