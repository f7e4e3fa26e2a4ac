//! The russh transport against real OpenSSH `sshd` processes on loopback: every auth path,
//! every host-key case, several channels on one connection, timeouts, and tails over SSH.

use crate::support::sshd;

use crate::support::log_lines::lines_as_written;
use crate::support::runtime::rt;
use cockpit::io::ssh::{LineStream, SshError, SshSession, SshTarget, Timeouts, trust};
use sshd::{
    ClientKeys, ENCRYPTED_KEY_PASSPHRASE, TestSshd, hash_known_hosts_line, write_known_hosts,
};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn target(sshd: &TestSshd, key: &Path, known_hosts: &Path) -> SshTarget {
    SshTarget {
        host: sshd.address.clone(),
        port: sshd.port,
        user: sshd.user.clone(),
        identity_files: vec![key.to_path_buf()],
        passphrases: Default::default(),
        agent_socket: None,
        known_hosts: known_hosts.to_path_buf(),
        jumps: Vec::new(),
    }
}

/// A target with no key at all, for hosts the test never gets as far as authenticating to.
fn keyless_target(host: &str, port: u16, known_hosts: &Path) -> SshTarget {
    SshTarget {
        host: host.into(),
        port,
        user: "root".into(),
        identity_files: vec![],
        passphrases: Default::default(),
        agent_socket: None,
        known_hosts: known_hosts.to_path_buf(),
        jumps: Vec::new(),
    }
}

fn quick() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(3),
        auth: Duration::from_secs(5),
        keepalive: Duration::from_secs(1),
    }
}

/// The fingerprint `ssh-keygen -l` prints for the server's host key.
fn openssh_fingerprint(sshd: &TestSshd) -> String {
    let out = Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f"])
        .arg(sshd.host_key.with_extension("pub"))
        .output()
        .expect("ssh-keygen");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn every_key_type_authenticates_and_exec_reports_output_and_status() {
    let sshd = TestSshd::start("127.0.0.2");
    let known = sshd.known_hosts_file();
    rt().block_on(async {
        for key in [&sshd.keys.ed25519, &sshd.keys.rsa, &sshd.keys.ecdsa] {
            let session = SshSession::connect(&target(&sshd, key, &known), quick())
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", key.display()));
            let out = session
                .exec("echo out; echo err >&2; exit 3", Duration::from_secs(5))
                .await
                .expect("exec");
            assert_eq!(String::from_utf8_lossy(&out.stdout), "out\n");
            assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
            assert_eq!(out.exit_status, Some(3));
            session.close().await;
        }
    });
}

#[test]
fn encrypted_key_needs_the_right_passphrase() {
    let sshd = TestSshd::start("127.0.0.2");
    let known = sshd.known_hosts_file();
    let key = sshd.keys.ed25519_encrypted.clone();
    rt().block_on(async {
        let mut t = target(&sshd, &key, &known);
        let e = SshSession::connect(&t, quick()).await.err();
        assert_eq!(e, Some(SshError::NeedPassphrase { path: key.clone() }));
        t.passphrases.insert(key.clone(), "wrong horse".into());
        let e = SshSession::connect(&t, quick()).await.err();
        assert!(
            matches!(&e, Some(SshError::WrongPassphrase { path, .. }) if *path == key),
            "{e:?}"
        );
        let message = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("wrong passphrase?"), "{message}");
        assert!(!message.contains("wrong horse"), "{message}");
        t.passphrases
            .insert(key.clone(), ENCRYPTED_KEY_PASSPHRASE.into());
        assert!(SshSession::connect(&t, quick()).await.is_ok());
        assert!(
            !format!("{t:?}").contains(ENCRYPTED_KEY_PASSPHRASE),
            "passphrase in Debug output"
        );
    });
}

#[test]
fn unknown_host_key_is_refused_with_its_fingerprint() {
    let sshd = TestSshd::start("127.0.0.2");
    let dir = tempfile::tempdir().expect("dir");
    let empty = dir.path().join("known_hosts");
    write_known_hosts(&empty, &[]);
    let missing = dir.path().join("no-such-file");
    rt().block_on(async {
        for known in [&empty, &missing] {
            let e = SshSession::connect(&target(&sshd, &sshd.keys.ed25519, known), quick())
                .await
                .err();
            let Some(SshError::UnknownHostKey { offer }) = &e else {
                panic!("{}: {e:?}", known.display())
            };
            assert_eq!(offer.pattern(), format!("[127.0.0.2]:{}", sshd.port));
            assert_eq!(offer.fingerprint, openssh_fingerprint(&sshd));
            assert_eq!(&offer.known_hosts, known);
            let message = e.map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains(&openssh_fingerprint(&sshd)), "{message}");
        }
    });
}

#[test]
fn a_trusted_key_is_recorded_where_cockpit_and_openssh_both_accept_it() {
    let sshd = TestSshd::start("127.0.0.2");
    let dir = tempfile::tempdir().expect("dir");
    let known = dir.path().join("fresh-home/.ssh/known_hosts");
    let t = target(&sshd, &sshd.keys.ed25519, &known);
    rt().block_on(async {
        let Err(SshError::UnknownHostKey { offer }) = SshSession::connect(&t, quick()).await else {
            panic!("an unknown key must be refused first")
        };
        assert_eq!(trust(&offer), Ok(()));
        assert_eq!(trust(&offer), Ok(()), "trusting twice is harmless");
        let recorded = std::fs::read_to_string(&known).expect("known_hosts written");
        assert_eq!(recorded.lines().count(), 1, "{recorded}");
        let folder = known.parent().expect("folder");
        let mode = std::fs::metadata(folder)
            .expect("folder")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "a created .ssh folder is private");
        assert!(SshSession::connect(&t, quick()).await.is_ok());
    });
    let out = sshd.exec_with_openssh(&sshd.keys.ed25519, &known, "true");
    assert!(
        out.status.success(),
        "OpenSSH refuses what cockpit recorded: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn trusting_is_refused_when_known_hosts_meanwhile_holds_another_key() {
    let sshd = TestSshd::start("127.0.0.2");
    let other = TestSshd::start_with_keys("127.0.0.3", &sshd.keys);
    let dir = tempfile::tempdir().expect("dir");
    let known = dir.path().join("known_hosts");
    let t = target(&sshd, &sshd.keys.ed25519, &known);
    rt().block_on(async {
        let Err(SshError::UnknownHostKey { offer }) = SshSession::connect(&t, quick()).await else {
            panic!("an unknown key must be refused first")
        };
        let forged = format!("[127.0.0.2]:{} {}", sshd.port, other.host_public_key_line());
        write_known_hosts(&known, &[forged]);
        let refused = trust(&offer).expect_err("must not trust over another key");
        assert!(refused.contains("different key"), "{refused}");
        let recorded = std::fs::read_to_string(&known).expect("known_hosts");
        assert_eq!(recorded.lines().count(), 1, "{recorded}");
    });
}

#[test]
fn changed_host_key_is_refused_loudly() {
    let sshd = TestSshd::start("127.0.0.2");
    let other = TestSshd::start_with_keys("127.0.0.3", &sshd.keys);
    let dir = tempfile::tempdir().expect("dir");
    let known = dir.path().join("known_hosts");
    // The right host and port, the key of another machine.
    let forged = format!("[127.0.0.2]:{} {}", sshd.port, other.host_public_key_line());
    write_known_hosts(&known, &["# cockpit test".to_string(), forged]);
    rt().block_on(async {
        let e = SshSession::connect(&target(&sshd, &sshd.keys.ed25519, &known), quick())
            .await
            .err();
        let Some(SshError::ChangedHostKey {
            line, fingerprint, ..
        }) = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(*line, 2);
        assert_eq!(fingerprint, &openssh_fingerprint(&sshd));
        assert!(
            e.map(|e| e.to_string())
                .unwrap_or_default()
                .contains("HAS CHANGED")
        );
    });
}

#[test]
fn hashed_known_hosts_entry_is_accepted() {
    let sshd = TestSshd::start("127.0.0.2");
    let dir = tempfile::tempdir().expect("dir");
    let known = dir.path().join("known_hosts");
    let hashed = hash_known_hosts_line(&sshd.known_hosts_line());
    assert!(hashed.starts_with("|1|"), "{hashed}");
    write_known_hosts(&known, &[hashed]);
    rt().block_on(async {
        assert!(
            SshSession::connect(&target(&sshd, &sshd.keys.ed25519, &known), quick())
                .await
                .is_ok()
        );
    });
}

#[test]
fn a_key_the_host_does_not_accept_is_refused() {
    let sshd = TestSshd::start("127.0.0.2");
    let stranger = ClientKeys::generate();
    let known = sshd.known_hosts_file();
    rt().block_on(async {
        let e = SshSession::connect(&target(&sshd, &stranger.ed25519, &known), quick())
            .await
            .err();
        assert!(matches!(e, Some(SshError::AuthRefused { .. })), "{e:?}");
        let missing = target(&sshd, Path::new("/nonexistent/key"), &known);
        let e = SshSession::connect(&missing, quick())
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("/nonexistent/key"), "{e}");
    });
}

#[test]
fn agent_keys_are_used() {
    let sshd = TestSshd::start("127.0.0.2");
    let known = sshd.known_hosts_file();
    let dir = tempfile::tempdir().expect("dir");
    let socket = dir.path().join("agent.sock");
    let mut agent = Command::new("ssh-agent")
        .arg("-D")
        .arg("-a")
        .arg(&socket)
        .spawn()
        .expect("ssh-agent");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !socket.exists() {
        assert!(Instant::now() < deadline, "ssh-agent did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let added = Command::new("ssh-add")
        .arg(&sshd.keys.rsa)
        .env("SSH_AUTH_SOCK", &socket)
        .output()
        .expect("ssh-add");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    rt().block_on(async {
        let mut t = target(&sshd, Path::new("/nonexistent/key"), &known);
        t.agent_socket = Some(socket.clone());
        let session = SshSession::connect(&t, quick()).await.expect("agent auth");
        let out = session
            .exec("echo agent", Duration::from_secs(5))
            .await
            .expect("exec");
        assert_eq!(out.stdout, b"agent\n");
    });
    let _ = agent.kill();
    let _ = agent.wait();
}

#[test]
fn many_channels_share_one_connection() {
    let sshd = TestSshd::start("127.0.0.2");
    let known = sshd.known_hosts_file();
    rt().block_on(async {
        let session = SshSession::connect(&target(&sshd, &sshd.keys.ed25519, &known), quick()).await.expect("connect");
        let runs = (0..20).map(|i| {
            let s = session.clone();
            async move { s.exec(&format!("sleep 0.2; echo {i}"), Duration::from_secs(10)).await }
        });
        let started = Instant::now();
        let outs = futures::future::join_all(runs).await;
        for (i, out) in outs.into_iter().enumerate() {
            assert_eq!(out.expect("exec").stdout, format!("{i}\n").into_bytes());
        }
        assert!(started.elapsed() < Duration::from_secs(3), "channels ran one after another: {:?}", started.elapsed());
        let connections = session.exec("ss -tn state established '( sport = :ssh or sport = :'$SSH_CONNECTION' )' 2>/dev/null | wc -l", Duration::from_secs(5)).await;
        assert!(connections.is_ok());
    });
}

#[test]
fn a_host_that_accepts_tcp_but_never_answers_times_out() {
    let sshd = TestSshd::start("127.0.0.2");
    let known = sshd.known_hosts_file();
    sshd.freeze();
    rt().block_on(async {
        let mut t = quick();
        t.connect = Duration::from_millis(800);
        let started = Instant::now();
        let e = SshSession::connect(&target(&sshd, &sshd.keys.ed25519, &known), t)
            .await
            .err();
        assert!(matches!(e, Some(SshError::Timeout { .. })), "{e:?}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    });
    sshd.thaw();
}

#[test]
fn a_command_that_never_ends_times_out_and_the_connection_stays_usable() {
    let sshd = TestSshd::start("127.0.0.2");
    let known = sshd.known_hosts_file();
    rt().block_on(async {
        let session = SshSession::connect(&target(&sshd, &sshd.keys.ed25519, &known), quick())
            .await
            .expect("connect");
        let e = session
            .exec("sleep 30", Duration::from_millis(500))
            .await
            .err();
        assert!(matches!(e, Some(SshError::Timeout { .. })), "{e:?}");
        assert_eq!(
            session
                .exec("echo still", Duration::from_secs(5))
                .await
                .map(|o| o.stdout)
                .ok(),
            Some(b"still\n".to_vec())
        );
    });
}

#[test]
fn unresolvable_and_closed_hosts_say_why() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("dir");
        let mut t = keyless_target("no-such-host.invalid", 22, &dir.path().join("known_hosts"));
        let e = SshSession::connect(&t, quick())
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("cannot connect to root@no-such-host.invalid:22"),
            "{e}"
        );
        let closed = std::net::TcpListener::bind("127.0.0.2:0").expect("bind");
        t.host = "127.0.0.2".into();
        t.port = closed.local_addr().expect("addr").port();
        drop(closed);
        let e = SshSession::connect(&t, quick())
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("refused") || e.contains("Connection refused"),
            "{e}"
        );
    });
}

/// The next line of a tail, within 10 s.
async fn next(lines: &mut LineStream) -> String {
    let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line()).await;
    line.expect("line in time")
        .expect("no ssh error")
        .expect("stream still open")
}

/// Appends lines to a file on the "host" (the test machine).
fn append(path: &PathBuf, lines: &[&str]) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open log");
    for l in lines {
        writeln!(f, "{l}").expect("write");
    }
}

#[test]
fn tail_over_ssh_survives_rotation_and_cuts_huge_lines() {
    let sshd = TestSshd::start("127.0.0.2");
    let known = sshd.known_hosts_file();
    let log = sshd.dir.join("app.log");
    append(&log, &["before"]);
    rt().block_on(async {
        let session = SshSession::connect(&target(&sshd, &sshd.keys.ed25519, &known), quick())
            .await
            .expect("connect");
        let mut lines = session
            .stream_lines(&format!("exec tail -n 1 -F -- {}", log.display()))
            .await
            .expect("tail");
        assert_eq!(next(&mut lines).await, "before");
        append(&log, &["one", "二"]);
        assert_eq!(next(&mut lines).await, "one");
        assert_eq!(next(&mut lines).await, "二");
        // Rotate as logrotate does: move away, start a new file.
        std::fs::rename(&log, log.with_extension("log.1")).expect("rotate");
        append(&log, &["after rotation"]);
        assert_eq!(next(&mut lines).await, "after rotation");
        // Non-UTF-8 bytes and a 1 MB line.
        std::fs::write(log.with_extension("bin"), b"").ok();
        {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&log)
                .expect("open");
            f.write_all(b"bad \xff\xfe bytes\n").expect("write");
            f.write_all(&vec![b'x'; 1 << 20]).expect("write");
            f.write_all(b"\nlast\n").expect("write");
        }
        assert_eq!(next(&mut lines).await, "bad \u{fffd}\u{fffd} bytes");
        let huge = next(&mut lines).await;
        assert!(
            huge.len() < 70_000 && huge.ends_with("…[line cut at 65536 bytes]"),
            "{} bytes",
            huge.len()
        );
        assert_eq!(next(&mut lines).await, "last");
    });
}

#[test]
fn a_hostile_log_streams_over_ssh_line_for_line_as_written() {
    // Megabytes of log: clean lines (CJK, CRLF, escapes, NULs, empty lines) that take the
    // fast path, now and then what must leave it (bad bytes, a character cut short, an
    // over-long line), and no newline at the end; the sshd cuts it into packets wherever it
    // likes, characters included.
    let clean: [&[u8]; 7] = [
        b"2026-12-06T03:00:01Z INFO GET /api/v1/orders?id=42 200 12ms upstream=10.0.0.7:8080\n",
        "2026-12-06T03:00:02Z WARN 数据库 连接 失败，正在重试 ログ\n".as_bytes(),
        b"dos line\r\n",
        b"\r\n",
        b"\x1b[31mred\x1b[0m \x00 nul \x1b]0;title\x07 mid\rdle\n",
        b"\n",
        b"password=hunter22 token=abc\n",
    ];
    let broken: [&[u8]; 2] = [
        b"bad \xff\xfe byte \xc3\x28 \xe0\x80\xaf\n",
        b"partial \xe6\x95\xb0",
    ];
    let mut log = Vec::new();
    for i in 0..60_000usize {
        log.extend_from_slice(clean[(i * 7 + i / 3) % clean.len()]);
        // Now and then a packet that must leave the fast path.
        if i % 997 == 0 {
            log.extend_from_slice(broken[i % 2]);
        }
        if i == 30_000 {
            log.extend(std::iter::repeat_n(b'x', 200_000));
            log.extend_from_slice(b"\n");
        }
    }
    log.extend_from_slice(b"no newline at the end");
    let sshd = TestSshd::start("127.0.0.2");
    let known = sshd.known_hosts_file();
    let path = sshd.dir.join("hostile.log");
    std::fs::write(&path, &log).expect("write the log");
    let got = rt().block_on(async {
        let session = SshSession::connect(&target(&sshd, &sshd.keys.ed25519, &known), quick())
            .await
            .expect("connect");
        let mut stream = session
            .stream_lines(&format!("cat -- {}", path.display()))
            .await
            .expect("cat");
        let mut got = Vec::new();
        let mut batches = 0;
        loop {
            let batch = tokio::time::timeout(Duration::from_secs(30), stream.next_batch())
                .await
                .expect("lines in time")
                .expect("no ssh error");
            let Some(batch) = batch else { break };
            batches += 1;
            got.extend(batch.iter().map(str::to_owned));
        }
        assert!(batches > 1, "the log came in {batches} batch");
        got
    });
    let want = lines_as_written(&log);
    assert_eq!(got.len(), want.len());
    for (i, (got, want)) in got.iter().zip(&want).enumerate() {
        assert_eq!(got, want, "line {i}");
    }
}

#[test]
fn proxy_jump_from_ssh_config_tunnels_through_the_bastion() {
    let mut bastion = TestSshd::start("127.0.0.2");
    let app = TestSshd::start_with_keys("127.0.0.3", &bastion.keys);
    let dir = tempfile::tempdir().expect("dir");
    let known = dir.path().join("known_hosts");
    write_known_hosts(
        &known,
        &[bastion.known_hosts_line(), app.known_hosts_line()],
    );
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!(
            "# top-level options before any Host are fine\nServerAliveInterval 30\n\nHost bastion\n  HostName {b}\n  Port {bp}\n  User {u}\n  IdentityFile {key}\n\nHost app-primary\n  HostName {a}\n  Port {ap}\n  User {u}\n  IdentityFile {key}\n  ProxyJump bastion\n",
            b = bastion.address,
            bp = bastion.port,
            a = app.address,
            ap = app.port,
            u = bastion.user,
            key = bastion.keys.ed25519.display(),
        ),
    )
    .expect("write config");
    let inventory = cockpit::core::inventory::parse(&cockpit::core::diagnostic::SourceFile::new(
        "inv.toml",
        format!("[settings]\nknown_hosts = \"{}\"\n[[hosts]]\nname = \"app\"\nssh = \"app-primary\"\nrole = \"app-primary\"\n", known.display()),
    ))
    .expect("inventory");
    let ssh_config = cockpit::io::ssh::load_ssh_config(&config)
        .expect("parse")
        .expect("exists");
    let target =
        cockpit::io::ssh::resolve(&inventory.hosts[0], &inventory.settings, Some(&ssh_config))
            .expect("resolves");
    assert_eq!(
        (target.host.as_str(), target.port),
        (app.address.as_str(), app.port)
    );
    let [jump] = target.jumps.as_slice() else {
        panic!("one jump host: {target:?}");
    };
    assert_eq!(
        (jump.target.host.as_str(), jump.target.port),
        (bastion.address.as_str(), bastion.port)
    );
    rt().block_on(async {
        let session = SshSession::connect(&target, quick())
            .await
            .expect("through the bastion");
        let out = session
            .exec("echo $SSH_CONNECTION", Duration::from_secs(5))
            .await
            .expect("exec");
        let seen = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            seen.contains(&format!("{} {}", app.address, app.port)),
            "{seen}"
        );
        // The tunnel runs through the bastion: without it, the session is gone.
        bastion.stop();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !session.is_closed() {
            assert!(Instant::now() < deadline, "session outlived its bastion");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
}

/// Processes on this machine whose command line contains `needle`.
fn processes_matching(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if text.contains(needle) && !text.contains("cargo") {
                found.push(text);
            }
        }
    }
    found
}

#[test]
fn a_dropped_tail_stops_on_the_host_even_on_a_quiet_file() {
    let sshd = TestSshd::start("127.0.0.2");
    let known = sshd.known_hosts_file();
    let quiet = sshd.dir.join("quiet-unique-7f3a.log");
    append(&quiet, &["only line"]);
    rt().block_on(async {
        let session = SshSession::connect(&target(&sshd, &sshd.keys.ed25519, &known), quick())
            .await
            .expect("connect");
        let command = format!(
            "tail -n 1 -F -- {} & t=$!; cat >/dev/null; kill $t 2>/dev/null",
            quiet.display()
        );
        let mut lines = session.stream_lines(&command).await.expect("tail");
        assert_eq!(next(&mut lines).await, "only line");
        assert!(
            !processes_matching("quiet-unique-7f3a").is_empty(),
            "the tail runs on the host"
        );
        drop(lines);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = processes_matching("-F -- ");
            let left: Vec<_> = left
                .into_iter()
                .filter(|p| p.contains("quiet-unique-7f3a") && p.starts_with("tail"))
                .collect();
            if left.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the tail outlived its stream: {left:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // The connection is still good for other work.
        assert_eq!(
            session
                .exec("echo ok", Duration::from_secs(5))
                .await
                .map(|o| o.stdout)
                .ok(),
            Some(b"ok\n".to_vec())
        );
    });
}

#[test]
fn a_host_that_answers_garbage_is_named_not_trusted() {
    let listener = std::net::TcpListener::bind("127.0.0.2:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        use std::io::Write;
        for _ in 0..2 {
            if let Ok((mut socket, _)) = listener.accept() {
                let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n\x00\xff garbage\r\n");
            }
        }
    });
    let dir = tempfile::tempdir().expect("dir");
    rt().block_on(async {
        let t = keyless_target("127.0.0.2", port, &dir.path().join("known_hosts"));
        let e = SshSession::connect(&t, quick()).await.err();
        let text = e.as_ref().map(ToString::to_string).unwrap_or_default();
        assert!(matches!(e, Some(SshError::Connect { .. })), "{e:?}");
        assert!(
            text.starts_with(&format!("cannot connect to root@127.0.0.2:{port}")),
            "{text}"
        );
    });
    drop(server);
}
