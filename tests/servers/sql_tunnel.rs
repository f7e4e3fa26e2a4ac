//! Database sessions through a real SSH tunnel, end to end: a real OpenSSH `sshd` (the fleet's
//! host `db1`, connected by the real `FleetWorker`) forwards the console's connection to the
//! test MariaDB and PostgreSQL on its loopback, as when the primary's MySQL listens on
//! localhost only. Seed 001's flip runs in a transaction another (direct) client does not see
//! until it is committed; a rollback leaves nothing. The traffic provably rides sshd: the
//! server's view of the client's port belongs to a socket an sshd process holds, and once sshd
//! is killed the session's connection is gone. A tunnel host that is down fails at once with
//! a message naming it.

use crate::support::dbservers;
use crate::support::speed_servers;
use crate::support::sshd;
use crate::support::tunnel_fleet;

use cockpit::core::inventory::Database;
use cockpit::core::sql::Cell;
use cockpit::io::sql::{SqlSession, SqlSettings, SqlStatement};
use dbservers::{Kind, TestDb, free_port};
use speed_servers::{flip, flipped, run_collect as run, seed};
use sshd::TestSshd;
use std::time::{Duration, Instant};
use tunnel_fleet::{start_fleet, wait_connected};

fn settings() -> SqlSettings {
    SqlSettings {
        connect_timeout: Duration::from_secs(10),
        statement_timeout: Duration::from_secs(20),
        lock_wait_timeout_secs: 5,
    }
}

fn plain(sql: &str) -> SqlStatement {
    SqlStatement {
        sql: sql.into(),
        binds: Vec::new(),
        transaction: false,
        reselect: None,
        from_playbook: false,
        count_table: None,
    }
}

/// The port the database server sees the session's connection come from.
async fn client_port_seen_by_server(session: &SqlSession, kind: Kind) -> u16 {
    let sql = match kind {
        Kind::Postgres => "SELECT inet_client_port()",
        Kind::Mysql => "SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()",
    };
    let (_, rows) = run(session, plain(sql)).await.expect("client port");
    match rows.first().and_then(|r| r.first()) {
        Some(Cell::Int(p)) => u16::try_from(*p).expect("port"),
        Some(Cell::Text(host)) => host
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in processlist host {host:?}")),
        other => panic!("unexpected client port cell {other:?}"),
    }
}

/// `127.0.0.1:port` as /proc/net/tcp writes it (address little-endian hex, port big-endian).
fn proc_net_addr(port: u16) -> String {
    format!("0100007F:{port:04X}")
}

/// The inode of the TCP socket from 127.0.0.1:`local` to 127.0.0.1:`remote`.
fn socket_inode(local: u16, remote: u16) -> Option<u64> {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("read /proc/net/tcp");
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        (f.get(1) == Some(&proc_net_addr(local).as_str())
            && f.get(2) == Some(&proc_net_addr(remote).as_str()))
        .then(|| f.get(9)?.parse().ok())
        .flatten()
    })
}

/// The processes holding socket `inode` open.
fn holders(inode: u64) -> Vec<u32> {
    let target = format!("socket:[{inode}]");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        if fds
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|l| l.to_string_lossy() == target))
        {
            found.push(pid);
        }
    }
    found
}

fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn descends_from(mut pid: u32, ancestor: u32) -> bool {
    while pid > 1 {
        if pid == ancestor {
            return true;
        }
        match parent(pid) {
            Some(p) => pid = p,
            None => return false,
        }
    }
    false
}

/// Proves the session's connection reaches the server through sshd: the socket the server
/// sees the client on is held by a process of this sshd, not by the test.
async fn assert_rides_sshd(session: &SqlSession, kind: Kind, sshd: &TestSshd) {
    let server_port = kind.admin_url().port().expect("server port");
    let client_port = client_port_seen_by_server(session, kind).await;
    let inode = socket_inode(client_port, server_port).unwrap_or_else(|| {
        panic!("no socket 127.0.0.1:{client_port} -> 127.0.0.1:{server_port} in /proc/net/tcp")
    });
    let owners = holders(inode);
    let sshd_pid = sshd.pid().expect("sshd runs");
    assert!(
        !owners.is_empty() && owners.iter().all(|&p| descends_from(p, sshd_pid)),
        "the server's client socket (port {client_port}) is held by {owners:?}, not by sshd \
         {sshd_pid}'s processes: the tunnel was bypassed (this test is pid {})",
        std::process::id()
    );
}

async fn the_flip_through_the_tunnel(kind: Kind, address: &str) {
    let mut sshd = TestSshd::start(address);
    let dir = tempfile::tempdir().expect("dir");
    {
        let db = TestDb::create(kind).await;
        seed(&db).await;
        let fleet = start_fleet(&sshd, dir.path(), free_port(), "");
        let opener = fleet.tunnel_opener("db1").expect("opener");
        let server_port = kind.admin_url().port().expect("port");
        wait_connected(&opener, server_port).await;
        let database = Database {
            via_host: Some("db1".into()),
            ..db.database()
        };
        let session = SqlSession::open(&database, settings(), Some(opener));

        // Committed: invisible to a direct client until the commit.
        let (done, _) = run(&session, flip(kind, true)).await.expect("flip");
        assert_eq!(done.rows_affected, 4);
        assert!(done.in_transaction);
        let after = done.after.expect("reselect after");
        assert!(after.rows.iter().all(|r| r[1] == Cell::Int(2)), "{after:?}");
        assert_eq!(flipped(&db).await, 0, "visible before the commit");
        session.commit().await.expect("commit");
        assert_eq!(flipped(&db).await, 4, "committed through the tunnel");

        // Rolled back: nothing kept.
        db.exec("UPDATE t_app_dns SET status = 1").await;
        let (done, _) = run(&session, flip(kind, true)).await.expect("flip again");
        assert_eq!(done.rows_affected, 4);
        session.rollback().await.expect("rollback");
        assert_eq!(flipped(&db).await, 0, "rolled back");

        assert_rides_sshd(&session, kind, &sshd).await;

        // Without sshd the connection is gone: it was carried by sshd, not made directly.
        sshd.stop();
        let started = Instant::now();
        let failure = run(&session, plain("SELECT 1"))
            .await
            .expect_err("no statement runs once sshd is gone");
        assert!(
            failure.connection_lost || failure.message.contains("db1"),
            "{failure:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(15), "it hung");
        session.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flip_through_an_ssh_tunnel_mysql() {
    the_flip_through_the_tunnel(Kind::Mysql, "127.0.0.21").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flip_through_an_ssh_tunnel_postgres() {
    the_flip_through_the_tunnel(Kind::Postgres, "127.0.0.22").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tunnel_host_that_is_down_fails_at_once_naming_it() {
    let sshd = TestSshd::start("127.0.0.23");
    let dir = tempfile::tempdir().expect("dir");
    {
        let db = TestDb::create(Kind::Postgres).await;
        let fleet = start_fleet(&sshd, dir.path(), free_port(), "");
        let database = Database {
            via_host: Some("down".into()),
            ..db.database()
        };
        let session = SqlSession::open(&database, settings(), fleet.tunnel_opener("down"));
        let started = Instant::now();
        let failure = run(&session, plain("SELECT 1"))
            .await
            .expect_err("nothing runs through a host that is down");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "it waited {:?}",
            started.elapsed()
        );
        assert!(
            failure.message.contains("`down`") && failure.message.contains("not connected"),
            "{failure:?}"
        );
        assert!(
            !failure.message.contains("cockpit_test@"),
            "{}",
            failure.message
        );

        // No SSH connection to hand at all (the host is not in the fleet).
        let session = SqlSession::open(&database, settings(), None);
        let failure = run(&session, plain("SELECT 1")).await.expect_err("refused");
        assert!(
            failure.message.contains("no SSH connection to `down`"),
            "{failure:?}"
        );
    }
}
