//! A RabbitMQ host of a real fleet: Debian's rabbitmq-server (3.10) as one node on an OpenSSH
//! host in a mount namespace of its own ([`super::ns_host`]), with its own `/etc/rabbitmq`,
//! `/var/lib/rabbitmq` (the cookie, mnesia) and `/var/log/rabbitmq`.
//!
//! The node's name is a long name after the host's address, AMQP listens on that address at
//! 5672, its Erlang distribution on a free port, and it registers with an epmd of its own on a
//! free port (never the system's 4369): all in the host's `rabbitmq-env.conf`, which
//! rabbitmq-server and the CLI tools read. The node is started from a session as the rabbitmq
//! user, as Debian's unit does, and outlives it: dropping the host stops it (`rabbitmqctl
//! stop`, then the kill of whatever its pid file still names) and its epmd.
//!
//! Include with `#[path = "support/sshd.rs"] mod sshd;`, `#[path = "support/ns_host.rs"] mod
//! ns_host;`, `#[path = "support/private_pg.rs"] mod private_pg;` (for `wait_until`) and this
//! file.

#![allow(dead_code)]

use super::ns_host::{FleetKeys, NsHost, start_hosts};
use super::private_pg::wait_until;
use super::sshd::{current_user, free_port, kill_tree};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long the node may take to boot or stop (both cores may be busy).
pub const BOOT: Duration = Duration::from_secs(120);

const MOUNTS: [(&str, &str); 3] = [
    ("etc-rabbitmq", "/etc/rabbitmq"),
    ("var-lib-rabbitmq", "/var/lib/rabbitmq"),
    ("var-log-rabbitmq", "/var/log/rabbitmq"),
];

/// The host: its sshd, its node, its epmd.
pub struct RabbitHost {
    /// The client key and known_hosts.
    pub keys: FleetKeys,
    /// The host.
    pub host: NsHost,
    /// The node's name (`diag@ADDRESS`).
    pub node: String,
    epmd: Option<Child>,
    _dir: tempfile::TempDir,
}

impl RabbitHost {
    /// Writes the host's RabbitMQ files, starts its epmd and sshd, then the node; waits until
    /// RabbitMQ runs.
    pub fn start(name: &str, address: &str) -> RabbitHost {
        super::ns_host::require_namespace_tools(&[
            (
                "rabbitmq-server",
                "RabbitMQ (apt-get install rabbitmq-server; scripts/test.sh)",
            ),
            (
                "epmd",
                "Erlang's port mapper, from rabbitmq-server's Erlang",
            ),
        ]);
        let dir = tempfile::Builder::new()
            .prefix("cockpit-diag-rabbit-")
            .tempdir()
            .expect("a folder for the host");
        let mut host = NsHost::prepare(&dir.path().join(name), name, address, &MOUNTS);
        let node = format!("diag@{address}");
        let epmd_port = free_port(address);
        host.write(
            "/etc/rabbitmq/rabbitmq-env.conf",
            &format!(
                "NODENAME={node}\nNODE_IP_ADDRESS={address}\nNODE_PORT=5672\nDIST_PORT={}\n\
                 ERL_EPMD_PORT={epmd_port}\nUSE_LONGNAME=true\n",
                free_port(address)
            ),
        );
        host.write(
            "/etc/rabbitmq/rabbitmq.conf",
            &format!("listeners.tcp.default = {address}:5672\n"),
        );
        host.write("/etc/rabbitmq/enabled_plugins", "[].\n");
        host.write("/var/lib/rabbitmq/.erlang.cookie", "COCKPITDIAGNOSECOOKIE");
        let status = Command::new("chown")
            .args(["-R", "rabbitmq:rabbitmq"])
            .args(MOUNTS.map(|(sub, _)| host.dir.join(sub)))
            .status()
            .expect("chown");
        assert!(status.success(), "chown the host's RabbitMQ folders");
        std::fs::set_permissions(
            host.file("/var/lib/rabbitmq/.erlang.cookie"),
            std::fs::Permissions::from_mode(0o400),
        )
        .expect("cookie mode");
        let epmd = Command::new("epmd")
            .args(["-port", &epmd_port.to_string(), "-address", address])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start epmd");
        let keys = FleetKeys::generate(dir.path());
        start_hosts([&mut host], &keys);
        let rabbit = RabbitHost {
            keys,
            host,
            node,
            epmd: Some(epmd),
            _dir: dir,
        };
        let (code, out, err) = rabbit.ssh(
            "runuser -u rabbitmq -- sh -c 'cd /var/lib/rabbitmq && exec rabbitmq-server' \
             >/var/log/rabbitmq/server.out 2>&1 </dev/null &",
        );
        assert_eq!(code, 0, "rabbitmq-server did not start: {out}{err}");
        let booted = wait_until(BOOT, || rabbit.runs());
        assert!(
            booted,
            "{} did not boot within {BOOT:?}:\n{}",
            rabbit.node,
            std::fs::read_to_string(rabbit.host.file("/var/log/rabbitmq/server.out"))
                .unwrap_or_default()
        );
        rabbit
    }

    /// Runs `command` on the host as root; (exit status, stdout, stderr).
    pub fn ssh(&self, command: &str) -> (i32, String, String) {
        self.keys.ssh(&self.host, command)
    }

    /// Whether the RabbitMQ application runs on the node.
    pub fn runs(&self) -> bool {
        self.ssh("rabbitmq-diagnostics -q check_running").0 == 0
    }

    /// The inventory's `[[hosts]]` fields that reach it (address, port, user, key).
    pub fn reach(&self) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        format!(
            "address = {}\nport = {}\nuser = {}\nidentity_files = [{}]\n",
            q(&self.host.address),
            self.host.port,
            q(&current_user()),
            q(&self.keys.client_key.display().to_string()),
        )
    }

    /// The node's OS pid, from the pid file it writes.
    fn pid(&self) -> Option<u32> {
        let file = format!("/var/lib/rabbitmq/mnesia/{}.pid", self.node);
        std::fs::read_to_string(self.host.file(&file))
            .ok()?
            .trim()
            .parse()
            .ok()
    }
}

impl Drop for RabbitHost {
    fn drop(&mut self) {
        let pid = self.pid();
        if self.host.is_running() {
            let _ = self.ssh("rabbitmqctl -q stop");
        }
        if let Some(pid) = pid
            && std::path::Path::new(&format!("/proc/{pid}")).exists()
        {
            kill_tree(pid);
        }
        self.host.kill();
        if let Some(mut epmd) = self.epmd.take() {
            let _ = epmd.kill();
            let _ = epmd.wait();
        }
    }
}
