//! Tunnels to a database as a fleet host sees it, against a real OpenSSH `sshd`: bytes sent to
//! the local forward come back from an echo server through `direct-tcpip` channels, opened on
//! one session or on a fleet host's current connection; a host that is not connected says so.

use crate::support::sshd;
use crate::support::tunnel_fleet;

use cockpit::io::host_exec::ssh_tunnel_opener;
use cockpit::io::sql::LocalForward;
use cockpit::io::ssh::{SshSession, SshTarget, Timeouts};
use sshd::{TestSshd, write_known_hosts};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tunnel_fleet::{start_fleet, wait_connected};

/// An echo server on 127.0.0.1; returns its port.
async fn echo_server() -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind echo");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut r, mut w) = socket.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    port
}

/// A port on 127.0.0.1 where nothing listens (bound, then freed).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    l.local_addr().expect("addr").port()
}

/// Sends `text` through the forward and expects it back.
async fn round_trip(forward: &LocalForward, text: &[u8]) {
    let mut conn = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(forward.addr()))
        .await
        .expect("connect in time")
        .expect("connect to the forward");
    conn.write_all(text).await.expect("write");
    let mut back = vec![0; text.len()];
    tokio::time::timeout(Duration::from_secs(10), conn.read_exact(&mut back))
        .await
        .expect("echo in time")
        .expect("read echo");
    assert_eq!(back, text);
}

fn target(sshd: &TestSshd, known_hosts: &Path) -> SshTarget {
    SshTarget {
        host: sshd.address.clone(),
        port: sshd.port,
        user: sshd.user.clone(),
        identity_files: vec![sshd.client_key.clone()],
        passphrases: Default::default(),
        agent_socket: None,
        known_hosts: known_hosts.to_path_buf(),
        jumps: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_through_a_session_echoes() {
    let sshd = TestSshd::start("127.0.0.4");
    let dir = tempfile::tempdir().expect("dir");
    let known = dir.path().join("known_hosts");
    write_known_hosts(&known, &[sshd.known_hosts_line()]);
    let timeouts = Timeouts {
        connect: Duration::from_secs(5),
        auth: Duration::from_secs(5),
        keepalive: Duration::from_secs(5),
    };
    let session = SshSession::connect(&target(&sshd, &known), timeouts)
        .await
        .expect("ssh session");
    let port = echo_server().await;

    let forward = LocalForward::start(ssh_tunnel_opener(session.clone()), "127.0.0.1".into(), port)
        .await
        .expect("forward");
    round_trip(&forward, b"hello through ssh\n").await;
    // Each connection gets its own channel; two at once, and a large payload.
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    tokio::join!(round_trip(&forward, &big), round_trip(&forward, b"second"));

    // A port nothing listens on: sshd refuses the channel, and the message says where.
    let closed = closed_port();
    let err = match session
        .open_direct_tcpip("127.0.0.1", closed, Duration::from_secs(5))
        .await
    {
        Ok(_) => panic!("a channel to a closed port opened"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains(&format!("127.0.0.1:{closed}")) && err.contains("refused the tunnel"),
        "{err}"
    );
    // The channels really ride the session: once it is closed, none opens.
    let opener = ssh_tunnel_opener(session.clone());
    session.close().await;
    let err = match opener("127.0.0.1".into(), port).await {
        Ok(_) => panic!("a tunnel opened on a closed session"),
        Err(e) => e,
    };
    assert!(err.contains(&sshd.address), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_hosts_open_tunnels_on_their_own_connection() {
    let sshd = TestSshd::start("127.0.0.5");
    let dir = tempfile::tempdir().expect("dir");
    let down_port = closed_port();
    let here = "\n[[hosts]]\nname = \"here\"\ntransport = \"local\"\nrole = \"db\"\n";
    let fleet = start_fleet(&sshd, dir.path(), down_port, here);
    let echo = echo_server().await;

    assert!(fleet.tunnel_opener("nowhere").is_none());

    // A host that never connects: the opener answers at once with the reason.
    let down = fleet.tunnel_opener("down").expect("opener for down");
    let started = Instant::now();
    let err = match down("127.0.0.1".into(), echo).await {
        Ok(_) => panic!("a tunnel through a host that is down"),
        Err(e) => e,
    };
    assert!(started.elapsed() < Duration::from_secs(2), "it waited");
    assert!(
        err.contains("down is not connected") && err.contains(&format!("127.0.0.1:{echo}")),
        "{err}"
    );

    // The SSH host, once connected, tunnels through its connection.
    let db1 = fleet.tunnel_opener("db1").expect("opener for db1");
    wait_connected(&db1, echo).await;
    let forward = LocalForward::start(db1, "127.0.0.1".into(), echo)
        .await
        .expect("forward");
    round_trip(&forward, b"select 1;\n").await;

    // The local host connects straight from here.
    let here = fleet.tunnel_opener("here").expect("opener for here");
    let forward = LocalForward::start(here.clone(), "127.0.0.1".into(), echo)
        .await
        .expect("forward");
    round_trip(&forward, b"local").await;
    let closed = closed_port();
    let err = match here("127.0.0.1".into(), closed).await {
        Ok(_) => panic!("connected to a closed port"),
        Err(e) => e,
    };
    assert!(
        err.contains(&format!("cannot connect to 127.0.0.1:{closed}")),
        "{err}"
    );
}
