//! A demo host's SSH server: russh in-process, on its own loopback port, with a host key that
//! survives restarts so known_hosts stays valid. Stopping it closes the port and cuts every open
//! connection at the TCP level, as a host that died would; starting it again listens on the
//! same port.

use crate::demo::health::ACCEPT_RETRY;
use crate::demo::hosts::DemoHostSpec;
use crate::demo::process_group::ProcessGroups;
use crate::demo::ssh_command::CommandHost;
use crate::demo::ssh_handler::ConnectionHandler;
use russh::keys::{PrivateKey, PublicKey};
use russh::server::{self, Config};
use russh::{MethodKind, MethodSet};
use std::net::Shutdown;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// How long a refused key costs the client: short, nobody brute-forces a demo.
const AUTH_REJECTION_TIME: Duration = Duration::from_millis(20);

/// One demo host's SSH server, running or stopped.
pub(crate) struct DemoSshServer {
    port: u16,
    host_public_key: PublicKey,
    config: Arc<Config>,
    client_key: PublicKey,
    host: CommandHost,
    accept_loop: Option<JoinHandle<()>>,
}

impl DemoSshServer {
    /// Starts `spec`'s server on a free loopback port with `host_key`, letting in only
    /// `client_key` and running commands in `workdir`, with `bin_dir` (the host's simulated
    /// tools) first on their PATH.
    pub async fn start(
        spec: DemoHostSpec,
        host_key: PrivateKey,
        client_key: PublicKey,
        workdir: PathBuf,
        bin_dir: Option<PathBuf>,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let host_public_key = host_key.public_key().clone();
        let config = Config {
            keys: vec![host_key],
            methods: MethodSet::from(&[MethodKind::PublicKey][..]),
            auth_rejection_time: AUTH_REJECTION_TIME,
            auth_rejection_time_initial: Some(Duration::ZERO),
            inactivity_timeout: None,
            nodelay: true,
            ..Default::default()
        };
        let mut server = Self {
            port: listener.local_addr()?.port(),
            host_public_key,
            config: Arc::new(config),
            client_key,
            host: CommandHost {
                spec,
                workdir,
                groups: ProcessGroups::default(),
                bin_dir,
            },
            accept_loop: None,
        };
        server.serve(listener);
        Ok(server)
    }

    /// The loopback port it listens on, whether running or not.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its host key's public half, for known_hosts.
    pub fn host_key(&self) -> &PublicKey {
        &self.host_public_key
    }

    /// Closes the port, cuts every connection and kills every command it was running.
    pub fn stop(&mut self) {
        if let Some(accept_loop) = self.accept_loop.take() {
            accept_loop.abort();
        }
        self.host.groups.kill_all();
    }

    /// Listens again on the same port with the same host key (after [`DemoSshServer::stop`];
    /// a running server is left as it is). Must be called within the Tokio runtime.
    pub fn restart(&mut self) -> std::io::Result<()> {
        if self.accept_loop.is_some() {
            return Ok(());
        }
        let listener = std::net::TcpListener::bind(("127.0.0.1", self.port))?;
        listener.set_nonblocking(true)?;
        self.serve(TcpListener::from_std(listener)?);
        Ok(())
    }

    fn serve(&mut self, listener: TcpListener) {
        let connection = ConnectionSetup {
            config: self.config.clone(),
            client_key: self.client_key.clone(),
            host: self.host.clone(),
        };
        self.accept_loop = Some(tokio::spawn(accept_loop(listener, connection)));
    }
}

impl Drop for DemoSshServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What every connection of one server is set up with.
#[derive(Clone)]
struct ConnectionSetup {
    config: Arc<Config>,
    client_key: PublicKey,
    host: CommandHost,
}

/// Accepts connections and serves each in a task of its own. The connection tasks live in a
/// set owned by this loop, so aborting the loop aborts them all (see [`serve_connection`]).
async fn accept_loop(listener: TcpListener, setup: ConnectionSetup) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, setup.clone()));
                }
                Err(e) => {
                    tracing::debug!("demo ssh server: accept failed: {e}");
                    tokio::time::sleep(ACCEPT_RETRY).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Shuts a connection's socket down (both ways) when dropped, whoever still holds it.
///
/// russh runs each session in a task of its own that aborting ours would not reach; cutting
/// the socket under it ends that session (its reads see EOF), drops its handler and with it
/// the commands it runs, and shows the client a closed connection, as a dead host would.
struct SocketCut(std::net::TcpStream);

impl Drop for SocketCut {
    fn drop(&mut self) {
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

/// Runs one client's SSH session until it ends; aborting this task cuts the connection.
async fn serve_connection(stream: TcpStream, setup: ConnectionSetup) {
    let (stream, _cut_on_drop) = match socket_cut(stream) {
        Ok(pair) => pair,
        Err(e) => {
            tracing::debug!("demo ssh server: cannot take the connection: {e}");
            return;
        }
    };
    let handler = ConnectionHandler::new(setup.client_key, setup.host);
    match server::run_stream(setup.config, stream, handler).await {
        Ok(session) => {
            if let Err(e) = session.await {
                tracing::debug!("demo ssh server: session ended: {e}");
            }
        }
        Err(e) => tracing::debug!("demo ssh server: handshake failed: {e}"),
    }
}

/// The stream to serve, and a second handle on the same socket that cuts it when dropped.
fn socket_cut(stream: TcpStream) -> std::io::Result<(TcpStream, SocketCut)> {
    let stream = stream.into_std()?;
    let cutter = stream.try_clone()?;
    Ok((TcpStream::from_std(stream)?, SocketCut(cutter)))
}
