//! `ProxyJump a,b` against three real OpenSSH servers on loopback: jump hosts `a` and `b` and
//! the target. Each jump host may forward to one place only (`PermitOpen`): `a` to `b`, `b` to
//! the target, so reaching the target at all proves the traffic went a → b → target; their
//! logs show each forward. Then what must be refused: one hop missing, a changed or unknown
//! key on the second hop, a hop that is down or never answers, a loop.

use crate::support::sshd;
use crate::support::tmux;

use crate::support::runtime::rt;
use crate::support::sshd::quick;
use cockpit::core::diagnostic::SourceFile;
use cockpit::core::inventory;
use cockpit::io::ssh::{ShellMessage, SshError, SshSession, SshTarget, load_ssh_config, resolve};
use sshd::{ClientKeys, TestSshd, write_known_hosts};
use std::path::PathBuf;
use std::time::Duration;

/// Far more than any hop may take (each has a 3 s connect timeout): only a hang exceeds it.
const HANG: Duration = Duration::from_secs(60);

/// Jump hosts `a`, `b` and the target, each jump host forwarding to the next one only.
struct Chain {
    a: TestSshd,
    b: TestSshd,
    target: TestSshd,
    _dir: tempfile::TempDir,
    known_hosts: PathBuf,
    ssh_config: PathBuf,
}

impl Chain {
    fn start() -> Chain {
        let keys = ClientKeys::generate();
        let mut a = TestSshd::start_with_keys("127.0.0.2", &keys);
        let mut b = TestSshd::start_with_keys("127.0.0.3", &keys);
        let target = TestSshd::start_with_keys("127.0.0.4", &keys);
        // DEBUG1 logs each forward a jump host makes (`server_request_direct_tcpip`).
        a.configure(&format!(
            "LogLevel DEBUG1\nPermitOpen {}:{}",
            b.address, b.port
        ));
        b.configure(&format!(
            "LogLevel DEBUG1\nPermitOpen {}:{}",
            target.address, target.port
        ));
        let dir = tempfile::tempdir().expect("temp dir");
        let known_hosts = dir.path().join("known_hosts");
        write_known_hosts(
            &known_hosts,
            &[
                a.known_hosts_line(),
                b.known_hosts_line(),
                target.known_hosts_line(),
            ],
        );
        let ssh_config = dir.path().join("config");
        let entry = |alias: &str, s: &TestSshd, jump: &str| {
            format!(
                "Host {alias}\n  HostName {}\n  Port {}\n  User {}\n  IdentityFile {}\n{jump}\n",
                s.address,
                s.port,
                s.user,
                keys.ed25519.display()
            )
        };
        let text = [
            entry("a", &a, ""),
            entry("b", &b, ""),
            entry("app", &target, "  ProxyJump a,b"),
            entry("app-via-a", &target, "  ProxyJump a"),
            // The first hop written out (user@host:port, no entry of its own), the second by
            // its alias.
            entry(
                "app-written",
                &target,
                &format!("  ProxyJump {}@{}:{},b", a.user, a.address, a.port),
            ),
            // A nested jump: the only hop is b, whose own entry jumps through a.
            entry("b-via-a", &b, "  ProxyJump a"),
            entry("app-nested", &target, "  ProxyJump b-via-a"),
            entry("loop-a", &a, "  ProxyJump loop-b"),
            entry("loop-b", &b, "  ProxyJump loop-a"),
            entry("app-loop", &target, "  ProxyJump loop-a"),
        ]
        .concat();
        std::fs::write(&ssh_config, text).expect("write ssh config");
        Chain {
            a,
            b,
            target,
            _dir: dir,
            known_hosts,
            ssh_config,
        }
    }

    /// The SSH target of an inventory host with `ssh = "alias"`, as cockpit resolves it (no
    /// agent: the keys named in the ssh config only).
    fn resolve(&self, alias: &str) -> Result<SshTarget, String> {
        let src = SourceFile::new(
            "inventory.toml",
            format!(
                "[settings]\nknown_hosts = {}\n[[hosts]]\nname = \"app\"\nssh = \"{alias}\"\nrole = \"app\"\n",
                toml::Value::String(self.known_hosts.display().to_string())
            ),
        );
        let inv = inventory::parse(&src).expect("inventory parses");
        let config = load_ssh_config(&self.ssh_config)
            .expect("ssh config parses")
            .expect("ssh config exists");
        let mut target = resolve(&inv.hosts[0], &inv.settings, Some(&config))?;
        target.agent_socket = None;
        for hop in &mut target.jumps {
            hop.target.agent_socket = None;
        }
        Ok(target)
    }

    fn target_of(&self, alias: &str) -> SshTarget {
        self.resolve(alias)
            .unwrap_or_else(|e| panic!("{alias} resolves: {e}"))
    }
}

async fn connect(target: &SshTarget) -> Result<SshSession, SshError> {
    match tokio::time::timeout(HANG, SshSession::connect(target, quick())).await {
        Ok(result) => result,
        Err(_) => panic!("connecting hung for {HANG:?} despite the timeouts"),
    }
}

/// The forwards a jump host's log shows: `target HOST port PORT` of each direct-tcpip request.
fn forwards(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains("server_request_direct_tcpip"))
        .filter_map(|l| l.split_once(", target ").map(|(_, t)| t.trim().to_string()))
        .collect()
}

fn forward_to(s: &TestSshd) -> String {
    format!("{} port {}", s.address, s.port)
}

#[test]
fn a_two_hop_chain_goes_through_both_jump_hosts_in_order() {
    let chain = Chain::start();
    let target = chain.target_of("app");
    let hops: Vec<(&str, u16)> = target
        .jumps
        .iter()
        .map(|j| (j.name.as_str(), j.target.port))
        .collect();
    assert_eq!(hops, [("a", chain.a.port), ("b", chain.b.port)]);
    rt().block_on(async {
        let session = connect(&target).await.expect("through a and b");
        let out = session
            .exec("echo $SSH_CONNECTION", Duration::from_secs(10))
            .await
            .expect("exec on the target");
        let seen = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            seen.contains(&forward_to(&chain.target).replace(" port ", " ")),
            "the command ran elsewhere: {seen}"
        );
        // Each jump host forwarded exactly where the chain says, and nowhere else.
        assert_eq!(
            forwards(&chain.a.log_text()),
            [forward_to(&chain.b)],
            "a's log:\n{}",
            chain.a.log_text()
        );
        assert_eq!(
            forwards(&chain.b.log_text()),
            [forward_to(&chain.target)],
            "b's log:\n{}",
            chain.b.log_text()
        );
        // The chain lives as long as its first hop: a gone, the session to the target goes.
        let mut a = chain.a;
        a.stop();
        let deadline = tokio::time::Instant::now() + HANG;
        while !session.is_closed() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the session outlived its first jump host"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
}

#[test]
fn a_hop_written_as_user_at_host_port_is_reached_as_written() {
    let chain = Chain::start();
    let target = chain.target_of("app-written");
    assert_eq!(target.jumps[0].name, chain.a.address);
    rt().block_on(async {
        let session = connect(&target).await.expect("through a and b");
        let out = session
            .exec("echo ok", Duration::from_secs(10))
            .await
            .expect("exec");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
    });
    assert_eq!(forwards(&chain.b.log_text()), [forward_to(&chain.target)]);
}

#[test]
fn a_jump_host_with_a_jump_of_its_own_is_reached_through_it() {
    let chain = Chain::start();
    let target = chain.target_of("app-nested");
    let hops: Vec<&str> = target.jumps.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(hops, ["a", "b-via-a"]);
    rt().block_on(async {
        let session = connect(&target).await.expect("through a, then b");
        let out = session
            .exec("echo ok", Duration::from_secs(10))
            .await
            .expect("exec");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
    });
    assert_eq!(forwards(&chain.a.log_text()), [forward_to(&chain.b)]);
    assert_eq!(forwards(&chain.b.log_text()), [forward_to(&chain.target)]);
}

#[test]
fn with_the_second_hop_missing_the_first_refuses_to_forward_to_the_target() {
    let chain = Chain::start();
    let target = chain.target_of("app-via-a");
    rt().block_on(async {
        let Err(e) = connect(&target).await else {
            panic!("reached the target through a alone, past its PermitOpen");
        };
        let text = e.to_string();
        assert!(
            matches!(e, SshError::Connect { .. })
                && text.contains(&format!("{}:{}", chain.a.address, chain.a.port))
                && text.contains("administratively prohibited"),
            "{text}"
        );
    });
    assert!(
        chain.a.log_text().contains(&format!(
            "to connect to host {} port {}, but the request was denied",
            chain.target.address, chain.target.port
        )),
        "a's log:\n{}",
        chain.a.log_text()
    );
    assert!(forwards(&chain.b.log_text()).is_empty());
}

#[test]
fn a_changed_or_unknown_key_on_the_second_hop_is_refused_naming_it() {
    let chain = Chain::start();
    let target = chain.target_of("app");
    let b_at = format!("{}:{}", chain.b.address, chain.b.port);
    // b's entry holds another server's key: a changed key.
    write_known_hosts(
        &chain.known_hosts,
        &[
            chain.a.known_hosts_line(),
            format!(
                "[{}]:{} {}",
                chain.b.address,
                chain.b.port,
                chain.target.host_public_key_line()
            ),
            chain.target.known_hosts_line(),
        ],
    );
    rt().block_on(async {
        let e = connect(&target).await.err().expect("refused");
        let text = e.to_string();
        assert!(
            matches!(&e, SshError::Jump { name, cause, .. }
                if name == "b" && matches!(**cause, SshError::ChangedHostKey { line: 2, .. })),
            "{e:?}"
        );
        assert!(
            text.starts_with(&format!(
                "jump host b ({b_at}): HOST KEY OF [{}]:{} HAS CHANGED",
                chain.b.address, chain.b.port
            )),
            "{text}"
        );
    });
    // No entry for b at all: unknown, and what the operator is asked to trust is b's key.
    write_known_hosts(
        &chain.known_hosts,
        &[chain.a.known_hosts_line(), chain.target.known_hosts_line()],
    );
    rt().block_on(async {
        let e = connect(&target).await.err().expect("refused");
        let SshError::UnknownHostKey { offer } = e.root() else {
            panic!("{e:?}");
        };
        assert_eq!(
            (offer.host.as_str(), offer.port),
            (chain.b.address.as_str(), chain.b.port)
        );
        assert_eq!(offer.jump.as_deref(), Some("b"));
        assert!(
            e.to_string().starts_with(&format!(
                "jump host b ({b_at}): host key of [{}]:{} is not known",
                chain.b.address, chain.b.port
            )),
            "{e}"
        );
    });
    // Nothing was forwarded past b.
    assert!(forwards(&chain.b.log_text()).is_empty());
}

#[test]
fn a_hop_that_is_down_or_silent_fails_within_the_timeout_naming_it() {
    let mut chain = Chain::start();
    let target = chain.target_of("app");
    let b_at = format!("{}:{}", chain.b.address, chain.b.port);
    // b frozen: a forwards, b's kernel accepts, b never says its banner.
    chain.b.freeze();
    rt().block_on(async {
        let e = connect(&target).await.err().expect("refused");
        assert!(
            matches!(&e, SshError::Jump { name, cause, .. }
                if name == "b" && matches!(**cause, SshError::Timeout { .. })),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with(&format!("jump host b ({b_at}): connecting to")),
            "{e}"
        );
    });
    chain.b.thaw();
    // b down: a cannot connect there.
    chain.b.stop();
    rt().block_on(async {
        let e = connect(&target).await.err().expect("refused");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("jump host b ({b_at}): cannot connect to"))
                && text.contains("connection refused"),
            "{text}"
        );
    });
    // a down: the first hop is named.
    chain.a.stop();
    rt().block_on(async {
        let e = connect(&target).await.err().expect("refused");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!(
                "jump host a ({}:{}): cannot connect to",
                chain.a.address, chain.a.port
            )) && text.to_lowercase().contains("connection refused"),
            "{text}"
        );
    });
}

#[test]
fn a_loop_between_jump_hosts_is_refused_before_connecting() {
    let chain = Chain::start();
    let err = chain.resolve("app-loop").expect_err("a loop");
    assert!(
        err.contains("ProxyJump loop: app-loop → loop-a → loop-b → loop-a"),
        "{err}"
    );
    assert!(forwards(&chain.a.log_text()).is_empty());
    assert!(!chain.a.log_text().contains("Accepted publickey"));
}

/// The real binary, its HOME's `~/.ssh/config` naming the two-hop chain and known_hosts not
/// knowing hop b yet: the operator is asked to trust b's key (named as the jump host it is),
/// trusts it, and the host comes up.
#[test]
fn the_cockpit_grid_shows_a_host_behind_two_jump_hosts_up() {
    let chain = Chain::start();
    write_known_hosts(
        &chain.known_hosts,
        &[chain.a.known_hosts_line(), chain.target.known_hosts_line()],
    );
    let sandbox = tmux::Sandbox::new("jump-chain");
    let ssh_dir = sandbox.root.join("home/.ssh");
    std::fs::create_dir_all(&ssh_dir).expect("~/.ssh");
    std::fs::copy(&chain.ssh_config, ssh_dir.join("config")).expect("~/.ssh/config");
    let inventory = sandbox.root.join("inventory.toml");
    std::fs::write(
        &inventory,
        format!(
            "[settings]\nprobe_interval_secs = 1\ncheck_timeout_secs = 3\nknown_hosts = {}\n\n\
             [[hosts]]\nname = \"app-behind\"\nssh = \"app\"\nrole = \"app\"\n\
             checks = [{{ kind = \"ssh\" }}]\n",
            toml::Value::String(chain.known_hosts.display().to_string())
        ),
    )
    .expect("inventory");
    let inventory_arg = inventory.display().to_string();
    let session = sandbox.start_cockpit(150, 42, false, &["--config", &inventory_arg]);
    let b_pattern = format!("[{}]:{}", chain.b.address, chain.b.port);
    session.wait_for("the unknown key of jump host b", HANG, |s| {
        s.contains(&format!(
            "app-behind's jump host b ({b_pattern}) offers a key"
        ))
    });
    session.keys(&["y"]);
    session.wait_for_re(r"app-behind +\S+ +up\b", HANG);
    let known = std::fs::read_to_string(&chain.known_hosts).expect("known_hosts");
    assert!(
        known.contains(&chain.b.known_hosts_line()),
        "b's key not recorded:\n{known}"
    );
    session.keys(&["q"]);
    let (status, screen) = session.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
    assert_eq!(
        forwards(&chain.a.log_text()).first(),
        Some(&forward_to(&chain.b))
    );
    assert_eq!(
        forwards(&chain.b.log_text()).first(),
        Some(&forward_to(&chain.target))
    );
}

/// `cockpit check` reads the ssh config the hosts name and says which host's ProxyJump it
/// will refuse, and where; a sound chain passes.
#[test]
fn cockpit_check_names_a_host_whose_proxy_jump_loops() {
    let home = tempfile::tempdir().expect("home");
    std::fs::create_dir_all(home.path().join(".ssh")).expect("~/.ssh");
    std::fs::write(
        home.path().join(".ssh/config"),
        "Host a\n  ProxyJump b\nHost b\n  ProxyJump a\nHost app\n  ProxyJump a\n\
         Host fine\n  HostName 10.0.0.9\n  ProxyJump a2,b2\n",
    )
    .expect("ssh config");
    let check = |alias: &str| {
        let inventory = home.path().join(format!("{alias}.toml"));
        std::fs::write(
            &inventory,
            format!("[[hosts]]\nname = \"web\"\nssh = \"{alias}\"\nrole = \"web\"\n"),
        )
        .expect("inventory");
        std::process::Command::new(env!("CARGO_BIN_EXE_cockpit"))
            .arg("check")
            .arg(&inventory)
            .env("HOME", home.path())
            .output()
            .expect("run cockpit check")
    };
    let out = check("app");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "app.toml:3:7: error: host `web`: ~/.ssh/config: ProxyJump loop: app → a → b → a"
        ),
        "{stderr}"
    );
    let out = check("fine");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_shell_opens_on_the_target_through_both_jump_hosts() {
    let chain = Chain::start();
    let target = chain.target_of("app");
    rt().block_on(async {
        let session = connect(&target).await.expect("through a and b");
        let mut shell = session
            .open_shell("xterm", 80, 24, Duration::from_secs(10))
            .await
            .expect("a shell on the target");
        shell
            .send(b"echo \"on=$SSH_CONNECTION\"; exit 3\r")
            .await
            .expect("typed");
        let mut shown = String::new();
        let mut exit = None;
        let reading = async {
            while let Some(said) = shell.next().await {
                match said {
                    ShellMessage::Output(bytes) => shown.push_str(&String::from_utf8_lossy(&bytes)),
                    ShellMessage::Exit(code) => exit = Some(code),
                    ShellMessage::Signal(s) => panic!("killed by {s}"),
                }
            }
        };
        tokio::time::timeout(HANG, reading)
            .await
            .expect("the shell ends");
        assert_eq!(exit, Some(3), "{shown}");
        // The shell's connection reached the target's own port: through a, then b.
        let target_end = format!("{} {}", chain.target.address, chain.target.port);
        assert!(
            shown
                .lines()
                .filter_map(|l| l.split_once("on="))
                .any(|(_, seen)| seen.trim_end().ends_with(&target_end)),
            "the shell ran elsewhere: {shown}"
        );
        assert_eq!(forwards(&chain.a.log_text()), [forward_to(&chain.b)]);
        assert_eq!(forwards(&chain.b.log_text()), [forward_to(&chain.target)]);
    });
}
