//! A demo host's HTTP health endpoint.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How long a client may take to send its request before it is answered anyway.
const REQUEST_WAIT: Duration = Duration::from_secs(2);

/// Pause after a failed `accept` before trying again.
pub(crate) const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// Answers every request on `listener` with `200 OK` and a small JSON body naming the host.
pub(crate) async fn serve_health(listener: TcpListener, name: &'static str) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            // Out of file descriptors or the like: wait instead of spinning.
            tokio::time::sleep(ACCEPT_RETRY).await;
            continue;
        };
        tokio::spawn(async move {
            let mut buf = [0u8; 2048];
            let _ = tokio::time::timeout(REQUEST_WAIT, socket.read(&mut buf)).await;
            let body = format!("{{\"status\":\"ok\",\"host\":\"{name}\"}}\n");
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
        });
    }
}
