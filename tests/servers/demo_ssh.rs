//! The demo fleet over real SSH: every simulated host runs an in-process SSH server on its own
//! loopback port, the generated inventory reaches it with the ordinary SSH transport (strict
//! known_hosts, key auth), and killing a host in a drill cuts its connections the way a dead
//! machine does, until it comes back on the same port with the same host key.

use cockpit::core::drill::Drill;
use cockpit::core::inventory::{Inventory, Transport};
use cockpit::core::redact::Redactor;
use cockpit::demo::{
    CLIENT_KEY_FILE, DEMO_HOSTS, DemoFleet, DemoHostPorts, KNOWN_HOSTS_FILE, inventory_toml,
};
use cockpit::io::catalog::load_inventory;
use cockpit::io::fleet::{FLEET_QUEUE, FleetEvent, FleetWorker};
use cockpit::io::ssh::{SshError, SshSession, SshTarget, Timeouts, resolve};
use cockpit::io::tail::TailEvent;
use std::collections::BTreeSet;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::Receiver;

/// Generous: the tests must hold on a loaded two-core machine, and a reconnect waits for the
/// client's backoff (1, 2, 4, 8 s…).
const DEADLINE: Duration = Duration::from_secs(60);

/// A running demo fleet in a temporary folder, with its inventory written and loaded.
struct Demo {
    fleet: DemoFleet,
    inventory: Inventory,
    dir: tempfile::TempDir,
}

impl Demo {
    async fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("cockpit-demo-ssh-")
            .tempdir()
            .expect("temporary folder");
        let fleet = DemoFleet::start(dir.path()).await.expect("demo fleet");
        let path = dir.path().join("inventory.toml");
        std::fs::write(&path, inventory_toml(dir.path(), &fleet.ports())).expect("inventory");
        let inventory = load_inventory(&path).unwrap_or_else(|d| panic!("{d}"));
        Self {
            fleet,
            inventory,
            dir,
        }
    }

    fn ports(&self, host: &str) -> DemoHostPorts {
        self.fleet
            .ports()
            .into_iter()
            .find(|p| p.spec.name == host)
            .expect("demo host")
    }

    /// How the fleet worker reaches `host`, leaving out the environment (ssh config, agent).
    fn target(&self, host: &str) -> SshTarget {
        let host = self
            .inventory
            .hosts
            .iter()
            .find(|h| h.name == host)
            .expect("host in the inventory");
        SshTarget {
            agent_socket: None,
            ..resolve(host, &self.inventory.settings, None)
                .expect("a host with no ssh config resolves")
        }
    }

    fn log_of(&self, host: &str) -> PathBuf {
        let spec = self.ports(host).spec;
        self.dir.path().join("hosts").join(spec.name).join(spec.log)
    }
}

fn timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(5),
        auth: Duration::from_secs(5),
        keepalive: Duration::from_secs(5),
    }
}

fn append(path: &Path, line: &str) {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open log");
    writeln!(f, "{line}").expect("append to log");
}

/// Reads fleet events until `done` says so, failing with the last events seen.
async fn wait_until(
    rx: &mut Receiver<FleetEvent>,
    what: &str,
    mut done: impl FnMut(&FleetEvent) -> bool,
) {
    let deadline = Instant::now() + DEADLINE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(e)) if done(&e) => return,
            Ok(Some(e)) => seen.push(format!("{e:?}")),
            Ok(None) => panic!("the fleet worker stopped while waiting for {what}"),
            Err(_) => panic!(
                "timed out after {DEADLINE:?} waiting for {what}; last events:\n{}",
                seen.iter()
                    .rev()
                    .take(15)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
    }
}

/// A probe of `host` where every check passed, ssh, tcp and http among them.
fn healthy_probe(e: &FleetEvent) -> Option<&str> {
    let FleetEvent::Probed { host, report } = e else {
        return None;
    };
    let outcomes = &report.outcomes;
    let has = |prefix: &str| outcomes.iter().any(|o| o.label.starts_with(prefix));
    let all_ok = outcomes.iter().all(|o| o.ok);
    let metrics = matches!(report.metrics, Some(Ok(_)));
    (all_ok && has("ssh") && has("tcp:") && has("http ") && metrics).then_some(host.as_str())
}

/// A probe of `host` where every check failed.
fn failed_probe<'a>(e: &'a FleetEvent, host: &str) -> Option<&'a FleetEvent> {
    match e {
        FleetEvent::Probed { host: h, report }
            if h == host
                && !report.outcomes.is_empty()
                && report.outcomes.iter().all(|o| !o.ok) =>
        {
            Some(e)
        }
        _ => None,
    }
}

/// Whether `e` brings the line `text` from `host`.
fn has_line(e: &FleetEvent, host: &str, text: &str) -> bool {
    matches!(e, FleetEvent::Tail(TailEvent::Lines { host: h, lines, .. })
        if &**h == host && lines.iter().any(|t| t == text))
}

/// Whether process `pid` is gone (or a zombie nobody reaped yet: it runs no more).
fn process_ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|state| state == "Z" || state == "X"),
    }
}

async fn wait_for_process_end(pid: u32, what: &str) {
    let deadline = Instant::now() + DEADLINE;
    while !process_ended(pid) {
        assert!(Instant::now() < deadline, "{what} (pid {pid}) still runs");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_inventory_reaches_every_host_over_ssh() {
    let demo = Demo::start().await;
    let known_hosts = std::fs::read_to_string(demo.dir.path().join(KNOWN_HOSTS_FILE))
        .expect("known_hosts written");
    let key = demo.dir.path().join(CLIENT_KEY_FILE);
    let mode = std::fs::metadata(&key)
        .expect("client key")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the client key must be private");
    assert_eq!(
        demo.inventory.settings.known_hosts.as_deref(),
        Some(
            demo.dir
                .path()
                .join(KNOWN_HOSTS_FILE)
                .to_str()
                .expect("UTF-8")
        )
    );
    for host in &demo.inventory.hosts {
        let ports = demo.ports(&host.name);
        let ssh_port = ports.ssh_port.expect("every demo host runs SSH");
        assert_eq!(host.transport, Transport::Ssh, "{}", host.name);
        assert_eq!((host.address.as_str(), host.port), ("127.0.0.1", ssh_port));
        assert_eq!(host.identity_files, [key.display().to_string()]);
        assert_ne!(ssh_port, ports.health_port);
        assert!(
            known_hosts.contains(&format!("[127.0.0.1]:{ssh_port} ssh-ed25519 ")),
            "{known_hosts}"
        );
        let labels: Vec<String> = host.checks.iter().map(|c| c.label()).collect();
        assert_eq!(
            labels,
            [
                "ssh".to_string(),
                format!("tcp:{}", ports.health_port),
                format!("http http://127.0.0.1:{}/health", ports.health_port),
            ]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_host_runs_commands_for_the_demo_key_only() {
    let demo = Demo::start().await;
    let target = demo.target("app-primary");
    let session = SshSession::connect(&target, timeouts())
        .await
        .expect("connect with the demo key");

    let out = session
        .exec("echo hi; echo oops >&2; exit 4", Duration::from_secs(10))
        .await
        .expect("exec");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "oops\n");
    assert_eq!(out.exit_status, Some(4));

    // Commands start in the host's own folder, so its relative paths work.
    let out = session
        .exec("pwd; ls wwwroot/go/go-api/logs", Duration::from_secs(10))
        .await
        .expect("exec");
    let expected = demo.dir.path().join("hosts/app-primary");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\ngo-api.log\n", expected.display())
    );
    assert_eq!(out.exit_status, Some(0));

    // Any key but the demo's own is refused.
    let wrong_key = demo.dir.path().join("wrong_ed25519");
    write_fresh_key(&wrong_key);
    let refused = SshSession::connect(
        &SshTarget {
            identity_files: vec![wrong_key.clone()],
            ..target.clone()
        },
        timeouts(),
    )
    .await;
    match refused {
        Err(SshError::AuthRefused { tried, .. }) => {
            assert!(tried.contains("wrong_ed25519"), "{tried}")
        }
        Err(e) => panic!("expected the wrong key to be refused, got {e}"),
        Ok(_) => panic!("a key the demo never issued was let in"),
    }

    // A host key that differs from known_hosts is refused: the check is strict.
    let other = demo.target("nginx-1");
    let elsewhere = tempfile::tempdir().expect("dir");
    let known = elsewhere.path().join("known_hosts");
    let nginx_line = std::fs::read_to_string(&other.known_hosts)
        .expect("known_hosts")
        .lines()
        .find(|l| l.starts_with(&format!("[127.0.0.1]:{} ", other.port)))
        .expect("nginx-1's key")
        .to_string();
    // nginx-1's key, recorded under app-primary's address: app-primary's real key differs.
    let forged = nginx_line.replacen(
        &format!("[127.0.0.1]:{}", other.port),
        &format!("[127.0.0.1]:{}", target.port),
        1,
    );
    std::fs::write(&known, format!("{forged}\n")).expect("write known_hosts");
    let changed = SshSession::connect(
        &SshTarget {
            known_hosts: known,
            ..target.clone()
        },
        timeouts(),
    )
    .await;
    assert!(
        matches!(changed, Err(SshError::ChangedHostKey { .. })),
        "{:?}",
        changed.err()
    );
}

/// Writes a fresh unencrypted Ed25519 key in OpenSSH format to `path`.
fn write_fresh_key(path: &Path) {
    use russh::keys::ssh_key::LineEnding;
    let key = russh::keys::PrivateKey::random(
        &mut russh::keys::key::safe_rng(),
        russh::keys::Algorithm::Ed25519,
    )
    .expect("random key");
    std::fs::write(
        path,
        key.to_openssh(LineEnding::LF).expect("encode").as_bytes(),
    )
    .expect("write key");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
}

/// Accepts any server key: only for [`raw_session`], whose point is the channel, not the key.
struct TrustAnyKey;

impl russh::client::Handler for TrustAnyKey {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// A bare russh client logged in to a demo host with the demo key: unlike [`SshSession`], it
/// can close a channel explicitly.
async fn raw_session(demo: &Demo, host: &str) -> russh::client::Handle<TrustAnyKey> {
    let target = demo.target(host);
    let config = std::sync::Arc::new(russh::client::Config::default());
    let mut handle = russh::client::connect(config, ("127.0.0.1", target.port), TrustAnyKey)
        .await
        .expect("connect");
    let key = russh::keys::load_secret_key(&target.identity_files[0], None).expect("demo key");
    let auth = handle
        .authenticate_publickey(
            "demo",
            russh::keys::PrivateKeyWithHashAlg::new(std::sync::Arc::new(key), None),
        )
        .await
        .expect("authenticate");
    assert!(auth.success(), "the demo key was refused");
    handle
}

/// Starts `sleep 600` in the background on a channel and returns the channel and its pid.
async fn start_sleep(
    handle: &russh::client::Handle<TrustAnyKey>,
) -> (russh::Channel<russh::client::Msg>, u32) {
    let mut channel = handle.channel_open_session().await.expect("open a channel");
    channel
        .exec(true, "sleep 600 & echo $!; wait")
        .await
        .expect("exec");
    let mut out = Vec::new();
    while !out.ends_with(b"\n") {
        match channel.wait().await {
            Some(russh::ChannelMsg::Data { data }) => out.extend_from_slice(&data),
            Some(_) => {}
            None => panic!("the channel ended before printing a pid"),
        }
    }
    let pid = String::from_utf8_lossy(&out).trim().parse().expect("a pid");
    (channel, pid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_channel_kills_its_command_and_what_it_started() {
    let demo = Demo::start().await;
    let handle = raw_session(&demo, "nginx-2").await;
    let (channel, pid) = start_sleep(&handle).await;
    assert!(!process_ended(pid));
    channel.close().await.expect("close the channel");
    wait_for_process_end(pid, "`sleep` after its channel closed").await;

    // The connection drops without closing its channels: the same.
    let (_channel, pid) = start_sleep(&handle).await;
    handle
        .disconnect(russh::Disconnect::ByApplication, "bye", "en")
        .await
        .expect("disconnect");
    wait_for_process_end(pid, "`sleep` after its connection ended").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_host_cuts_its_connections_and_comes_back_with_the_same_key() {
    let mut demo = Demo::start().await;
    let target = demo.target("app-primary");
    let session = SshSession::connect(&target, timeouts())
        .await
        .expect("connect");

    // The host is killed: the connection drops, and its commands die with it.
    let mut lines = session
        .stream_lines("sleep 600 & echo $!; wait")
        .await
        .expect("start");
    let pid: u32 = lines
        .next_line()
        .await
        .expect("read")
        .expect("a pid")
        .parse()
        .expect("pid");
    demo.fleet.inject("app-primary").expect("kill app-primary");
    let ended = tokio::time::timeout(DEADLINE, lines.next_line())
        .await
        .expect("the stream ends when the host dies");
    assert!(matches!(ended, Ok(None) | Err(_)), "{ended:?}");
    wait_for_process_end(pid, "`sleep` on a killed host").await;
    let deadline = Instant::now() + DEADLINE;
    while !session.is_closed() {
        assert!(
            Instant::now() < deadline,
            "the connection outlived its host"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let refused = SshSession::connect(&target, timeouts()).await;
    assert!(
        matches!(refused, Err(SshError::Connect { .. })),
        "a killed host must refuse connections: {:?}",
        refused.err()
    );
    let health =
        tokio::net::TcpStream::connect(("127.0.0.1", demo.ports("app-primary").health_port)).await;
    assert!(
        health.is_err(),
        "the health port of a killed host is closed"
    );

    // Back on the same port with the same host key: the same known_hosts lets it in.
    demo.fleet
        .clear("app-primary")
        .expect("restore app-primary");
    let session = SshSession::connect(&target, timeouts())
        .await
        .expect("reconnect after the restore");
    let out = session
        .exec("echo back", Duration::from_secs(10))
        .await
        .expect("exec");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "back\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_worker_sees_a_killed_demo_host_die_and_come_back() {
    let mut demo = Demo::start().await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(FLEET_QUEUE);
    let _worker = FleetWorker::start(&demo.inventory, &Redactor::default(), tx);
    let everyone: BTreeSet<&str> = DEMO_HOSTS.iter().map(|h| h.name).collect();

    let mut healthy = BTreeSet::new();
    let mut tailed = BTreeSet::new();
    wait_until(
        &mut rx,
        "every host probed healthy and tailed over SSH",
        |e| {
            if let Some(host) = healthy_probe(e) {
                healthy.insert(host.to_string());
            }
            if let FleetEvent::Tail(TailEvent::Lines { host, .. }) = e {
                tailed.insert(host.to_string());
            }
            healthy.iter().map(String::as_str).collect::<BTreeSet<_>>() == everyone
                && tailed.iter().map(String::as_str).collect::<BTreeSet<_>>() == everyone
        },
    )
    .await;

    demo.fleet.inject("app-primary").expect("kill app-primary");
    let (mut gap, mut down) = (false, false);
    wait_until(
        &mut rx,
        "app-primary's gap marker and all its checks failing",
        |e| {
            if let FleetEvent::Tail(TailEvent::Ended { host, reason, .. }) = e
                && &**host == "app-primary"
            {
                assert!(!reason.starts_with("resumed"), "{reason}");
                eprintln!("gap marker: {reason}");
                gap = true;
            }
            if let Some(FleetEvent::Probed { report, .. }) = failed_probe(e, "app-primary") {
                let outcomes = &report.outcomes;
                let ssh = outcomes
                    .iter()
                    .find(|o| o.label == "ssh")
                    .expect("ssh check");
                assert!(!ssh.ok, "{outcomes:?}");
                eprintln!("app-primary down: {outcomes:?}");
                down = true;
            }
            gap && down
        },
    )
    .await;
    // The others carry on meanwhile.
    wait_until(&mut rx, "nginx-1 still healthy", |e| {
        healthy_probe(e) == Some("nginx-1")
    })
    .await;

    demo.fleet
        .clear("app-primary")
        .expect("restore app-primary");
    wait_until(&mut rx, "app-primary's resume marker", |e| {
        matches!(e, FleetEvent::Tail(TailEvent::Ended { host, reason, .. })
            if &**host == "app-primary" && reason.starts_with("resumed"))
    })
    .await;
    let marker = "written after the restore";
    append(&demo.log_of("app-primary"), marker);
    wait_until(&mut rx, "app-primary's new line over SSH", |e| {
        has_line(e, "app-primary", marker)
    })
    .await;
    wait_until(&mut rx, "app-primary probed healthy again", |e| {
        healthy_probe(e) == Some("app-primary")
    })
    .await;
}
