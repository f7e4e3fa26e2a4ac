//! Reaching a database through a host's SSH connection (the primary's MySQL is usually bound
//! to localhost there): a listener on 127.0.0.1 here whose every connection is piped through
//! a new `direct-tcpip` channel to the database's address as the host sees it.

use futures::future::BoxFuture;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::AbortHandle;

/// A byte stream to the far end of a tunnel.
pub trait TunnelIo: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> TunnelIo for T {}

/// An open tunnel channel.
pub type TunnelStream = Box<dyn TunnelIo>;

/// Opens a channel to `(host, port)` as the SSH host sees them, or says why it cannot.
pub type TunnelOpener =
    Arc<dyn Fn(String, u16) -> BoxFuture<'static, Result<TunnelStream, String>> + Send + Sync>;

/// A local port forwarded through a tunnel; dropping it closes the listener (connections
/// already made keep going until either side closes).
pub struct LocalForward {
    addr: SocketAddr,
    accepting: AbortHandle,
    refused: Arc<Mutex<Option<String>>>,
}

impl LocalForward {
    /// Listens on an ephemeral port of 127.0.0.1 and forwards each connection to `host:port`
    /// through a channel `opener` opens.
    pub async fn start(opener: TunnelOpener, host: String, port: u16) -> Result<Self, String> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| format!("cannot listen for the tunnel: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot listen for the tunnel: {e}"))?;
        let refused = Arc::new(Mutex::new(None));
        let last_refusal = refused.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((mut local, _)) = listener.accept().await {
                let (opener, host) = (opener.clone(), host.clone());
                let last_refusal = last_refusal.clone();
                tokio::spawn(async move {
                    match opener(host.clone(), port).await {
                        Ok(mut remote) => {
                            let _ = tokio::io::copy_bidirectional(&mut local, &mut remote).await;
                        }
                        Err(e) => {
                            tracing::warn!("tunnel to {host}:{port} not opened: {e}");
                            if let Ok(mut slot) = last_refusal.lock() {
                                *slot = Some(e);
                            }
                        }
                    }
                });
            }
        })
        .abort_handle();
        Ok(Self {
            addr,
            accepting,
            refused,
        })
    }

    /// Why the last connection through it could not open its channel (the local end of such a
    /// connection is simply closed, which tells its client nothing), if one could not.
    pub fn last_refusal(&self) -> Option<String> {
        self.refused.lock().ok().and_then(|slot| slot.clone())
    }

    /// Where to connect to reach the far end.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for LocalForward {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}
