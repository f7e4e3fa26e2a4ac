//! Checks the SSH test harness (`tests/support/sshd.rs`) with the system OpenSSH client, so
//! that a failing SSH transport test points at the transport and not at the test servers.
//! Needs `/usr/sbin/sshd`: these tests fail (never skip) without it.

use crate::support::sshd;

use sshd::{ClientKeys, ENCRYPTED_KEY_PASSPHRASE, TestSshd, write_known_hosts};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn describe(out: &Output) -> String {
    format!(
        "status {}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `echo ok` over OpenSSH must print exactly `ok`.
fn assert_echo_ok(server: &TestSshd, key: &Path, known_hosts: &Path) {
    let out = server.exec_with_openssh(key, known_hosts, "echo ok");
    assert!(
        out.status.success() && out.stdout == b"ok\n",
        "ssh {}@{}:{} with {} failed: {}\nsshd log:\n{}",
        server.user,
        server.address,
        server.port,
        key.display(),
        describe(&out),
        server.log_text()
    );
}

/// Whether `pid` is gone (or only a zombie waiting for a reaper).
fn process_gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat[stat.rfind(')').unwrap() + 1..]
            .trim_start()
            .starts_with('Z'),
    }
}

#[test]
fn every_client_key_type_logs_in() {
    let server = TestSshd::start("127.0.0.2");
    let known_hosts = server.known_hosts_file();
    assert!(
        server
            .host_public_key_line()
            .starts_with("ssh-ed25519 AAAA")
    );
    assert_eq!(
        server.known_hosts_line(),
        format!(
            "[127.0.0.2]:{} {}",
            server.port,
            server.host_public_key_line()
        )
    );
    assert_eq!(server.client_key, server.keys.ed25519);
    for (key, algo) in [
        (&server.keys.ed25519, "ED25519"),
        (&server.keys.rsa, "RSA"),
        (&server.keys.ecdsa, "ECDSA"),
    ] {
        assert_echo_ok(&server, key, &known_hosts);
        let log = server.log_text();
        assert!(
            log.contains(&format!(
                "Accepted publickey for {} from 127.0.0.1",
                server.user
            )) && log.contains(&format!(" {algo} SHA256:")),
            "sshd did not log a {algo} login:\n{log}"
        );
    }

    // The passphrase-protected key really is encrypted (BatchMode cannot use it)...
    let key = server.keys.ed25519_encrypted.to_str().unwrap();
    let no_pass = Command::new("ssh-keygen")
        .args(["-y", "-P", "", "-f", key])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        !no_pass.status.success(),
        "the encrypted key opened without a passphrase: {}",
        describe(&no_pass)
    );
    // ...opens with its passphrase, and its public key is authorized.
    let with_pass = Command::new("ssh-keygen")
        .args(["-y", "-P", ENCRYPTED_KEY_PASSPHRASE, "-f", key])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(with_pass.status.success(), "{}", describe(&with_pass));
    let public = String::from_utf8(with_pass.stdout).unwrap();
    let public: Vec<&str> = public.split_whitespace().take(2).collect();
    let authorized = std::fs::read_to_string(server.dir.join("authorized_keys")).unwrap();
    assert!(
        authorized.contains(&public.join(" ")),
        "the encrypted key is not authorized:\n{authorized}"
    );
}

#[test]
fn known_hosts_are_checked_strictly_and_hashed_entries_work() {
    let server = TestSshd::start("127.0.0.2");
    let hashed = server.hashed_known_hosts_line();
    assert!(hashed.starts_with("|1|"), "{hashed}");
    assert!(!hashed.contains("127.0.0.2"), "{hashed}");
    assert!(hashed.ends_with(&server.host_public_key_line()), "{hashed}");
    let hashed_file = server.dir.join("known_hosts_hashed");
    write_known_hosts(&hashed_file, &[hashed]);
    assert_echo_ok(&server, &server.client_key, &hashed_file);

    // A known_hosts without this host, or with another key for it, is refused.
    let empty = server.dir.join("known_hosts_empty");
    write_known_hosts(&empty, &[]);
    let out = server.exec_with_openssh(&server.client_key, &empty, "echo ok");
    assert!(
        !out.status.success(),
        "unknown host accepted: {}",
        describe(&out)
    );
    let other = TestSshd::start("127.0.0.3");
    let wrong = server.dir.join("known_hosts_wrong");
    write_known_hosts(
        &wrong,
        &[format!(
            "[127.0.0.2]:{} {}",
            server.port,
            other.host_public_key_line()
        )],
    );
    let out = server.exec_with_openssh(&server.client_key, &wrong, "echo ok");
    assert!(
        !out.status.success()
            && String::from_utf8_lossy(&out.stderr).contains("HOST IDENTIFICATION HAS CHANGED"),
        "changed host key accepted: {}",
        describe(&out)
    );
}

#[test]
fn three_hosts_run_at_once() {
    let keys = ClientKeys::generate();
    let servers: Vec<TestSshd> = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
        .iter()
        .map(|a| TestSshd::start_with_keys(a, &keys))
        .collect();
    let lines: Vec<String> = servers.iter().map(|s| s.known_hosts_line()).collect();
    let mut host_keys: Vec<String> = servers.iter().map(|s| s.host_public_key_line()).collect();
    host_keys.sort();
    host_keys.dedup();
    assert_eq!(host_keys.len(), 3, "host keys must differ");
    let known_hosts = servers[0].dir.join("known_hosts_all");
    write_known_hosts(&known_hosts, &lines);

    std::thread::scope(|scope| {
        for server in &servers {
            let known_hosts = &known_hosts;
            scope.spawn(move || {
                let out = server.exec_with_openssh(
                    &server.client_key,
                    known_hosts,
                    "echo $SSH_CONNECTION",
                );
                assert!(out.status.success(), "{}", describe(&out));
                // SSH_CONNECTION: client-ip client-port server-ip server-port
                let text = String::from_utf8(out.stdout).unwrap();
                let fields: Vec<&str> = text.split_whitespace().collect();
                assert_eq!(
                    fields[2..],
                    [server.address.as_str(), &server.port.to_string()],
                    "{text}"
                );
            });
        }
    });
    // Each key type works on every host too.
    for server in &servers {
        assert_echo_ok(server, &keys.rsa, &known_hosts);
        assert_echo_ok(server, &keys.ecdsa, &known_hosts);
    }
}

#[test]
fn stop_kills_sessions_and_restart_keeps_address_and_host_key() {
    let mut server = TestSshd::start("127.0.0.3");
    let known_hosts = server.known_hosts_file();
    let port = server.port;
    let host_key = server.host_public_key_line();

    // A long-running session, like `tail -f`: it reports its remote pid first.
    let mut session = Command::new("ssh")
        .args([
            "-F",
            "/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
        ])
        .arg("-o")
        .arg(format!("UserKnownHostsFile={}", known_hosts.display()))
        .args(["-o", "StrictHostKeyChecking=yes", "-i"])
        .arg(&server.client_key)
        .arg("-p")
        .arg(port.to_string())
        .arg(format!("{}@{}", server.user, server.address))
        .arg("echo $$; exec sleep 3600")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(session.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let remote_pid: u32 = first
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("no remote pid: {first:?}\n{}", server.log_text()));
    assert!(!process_gone(remote_pid));

    server.stop();
    // The open connection drops at once, like a host that died...
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = session.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the ssh session survived stop()");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    // ...its remote processes die...
    let deadline = Instant::now() + Duration::from_secs(5);
    while !process_gone(remote_pid) {
        assert!(
            Instant::now() < deadline,
            "remote process {remote_pid} survived stop()"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // ...and new connections are refused.
    let err = TcpStream::connect(server.socket_addr()).expect_err("connected to a stopped sshd");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused, "{err}");
    let out = server.exec_with_openssh(&server.client_key, &known_hosts, "echo ok");
    assert!(!out.status.success(), "{}", describe(&out));

    // Back on the same address and port with the same host key: known_hosts still valid.
    server.restart();
    assert_eq!(server.port, port);
    assert_eq!(server.host_public_key_line(), host_key);
    assert_echo_ok(&server, &server.client_key, &known_hosts);

    // Restarting right away (connections just closed, sockets in TIME_WAIT) works too.
    for _ in 0..3 {
        server.restart();
        assert_echo_ok(&server, &server.client_key, &known_hosts);
    }
    server.stop();
    server.stop(); // idempotent
    server.restart();
    assert_echo_ok(&server, &server.client_key, &known_hosts);
}

#[test]
fn freeze_times_out_and_thaw_recovers() {
    let server = TestSshd::start("127.0.0.4");
    let known_hosts = server.known_hosts_file();
    assert_echo_ok(&server, &server.client_key, &known_hosts);

    server.freeze();
    // The kernel still accepts the TCP connection...
    TcpStream::connect_timeout(&server.socket_addr(), Duration::from_secs(2))
        .expect("a frozen sshd's socket still completes the TCP handshake");
    // ...but the SSH handshake never comes.
    let started = Instant::now();
    let out = server.exec_with_openssh_opts(
        &server.client_key,
        &known_hosts,
        &["ConnectTimeout=2"],
        "echo ok",
    );
    let took = started.elapsed();
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("timed out"),
        "{}",
        describe(&out)
    );
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(15),
        "took {took:?}"
    );

    server.thaw();
    assert_echo_ok(&server, &server.client_key, &known_hosts);
}

#[test]
fn drop_kills_the_server() {
    let server = TestSshd::start("127.0.0.2");
    let pid = server.pid().unwrap();
    let addr = server.socket_addr();
    let dir = server.dir.clone();
    drop(server);
    assert!(process_gone(pid), "sshd {pid} survived drop");
    assert!(TcpStream::connect(addr).is_err());
    assert!(!dir.exists(), "temp dir {} left behind", dir.display());
}
