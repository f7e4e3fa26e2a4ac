//! A real RabbitMQ fleet on loopback: Debian's rabbitmq-server (3.10) nodes, each on an sshd
//! host in a mount namespace of its own ([`super::ns_host`]) where `/etc/rabbitmq`,
//! `/var/lib/rabbitmq`, `/var/log/rabbitmq`, `/var/backups/rabbitmq` and `/usr/local/bin` are
//! that host's folders. The production site is a 3-node cluster (`mq-1`…`mq-3`, role
//! `rabbitmq`); a fleet may add a disaster recovery node (`dr-1`, role `rabbitmq-dr`, a cluster
//! of its own with its own cookie).
//!
//! Each node has its own node name, a long name after its host's address (`rabbit-1@127.0.10.1`,
//! …: the CLI reaches a node, and `check_port_connectivity` its listeners, through that
//! address), AMQP on its host's address at port 5672 (what cockpit's `tcp:5672` check probes), its own Erlang distribution port, and
//! one epmd the test starts on a free port (`ERL_EPMD_PORT`, never the system's 4369): all in
//! the host's `/etc/rabbitmq/rabbitmq-env.conf`, which rabbitmq-server and rabbitmqctl read.
//!
//! This container has no systemd: `/usr/local/bin/systemctl` on each host is a stand-in that
//! runs rabbitmq-server as Debian's `rabbitmq-server.service` does (as the rabbitmq user in
//! /var/lib/rabbitmq, `ExecStop=rabbitmqctl stop`, and — Type=notify — `start` returns once the
//! node has booted, or fails when the node dies first). Everything else is real: rabbitmqctl,
//! rabbitmq-diagnostics, the Erlang VM, mnesia, clustering.
//!
//! Nodes started from a session outlive it (they are daemons), so [`RabbitFleet`]'s drop kills
//! every process left in each host's mount namespace, and its epmd.

#![allow(dead_code)]

use super::ns_host::{FleetKeys, NsHost, require_namespace_tools, shell_quote, start_hosts};
use super::sshd::{current_user, free_port};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a node may take to boot (generous: both cores may be busy).
pub const BOOT: Duration = Duration::from_secs(120);

/// The folders each host gets in its namespace, and the real paths they cover.
const MOUNTS: [(&str, &str); 5] = [
    ("etc-rabbitmq", "/etc/rabbitmq"),
    ("var-lib-rabbitmq", "/var/lib/rabbitmq"),
    ("var-log-rabbitmq", "/var/log/rabbitmq"),
    ("backups", "/var/backups/rabbitmq"),
    ("bin", "/usr/local/bin"),
];

/// The production cluster: (host, loopback address, node name).
pub const CLUSTER: [(&str, &str, &str); 3] = [
    ("mq-1", "127.0.10.1", "rabbit-1@127.0.10.1"),
    ("mq-2", "127.0.10.2", "rabbit-2@127.0.10.2"),
    ("mq-3", "127.0.10.3", "rabbit-3@127.0.10.3"),
];

/// The disaster recovery site's node.
pub const DR: (&str, &str, &str) = ("dr-1", "127.0.10.4", "rabbit-dr@127.0.10.4");

/// The production cluster's Erlang cookie.
const COOKIE: &str = "COCKPITRABBITCLUSTERCOOKIE";
/// The DR site's own cookie (another site, another cluster).
const DR_COOKIE: &str = "COCKPITRABBITDRSITECOOKIE";

/// The production topology, imported into the cluster at start: a virtual host, a user, a
/// durable exchange and queues bound to it, a policy mirroring every queue to every node.
pub const DEFINITIONS: &str = r#"{
  "vhosts": [{"name": "/"}, {"name": "health"}],
  "users": [{"name": "butler", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []}],
  "permissions": [{"user": "butler", "vhost": "health", "configure": ".*", "write": ".*", "read": ".*"}],
  "policies": [{"vhost": "health", "name": "ha-all", "pattern": ".*", "apply-to": "queues", "priority": 0, "definition": {"ha-mode": "all", "ha-sync-mode": "automatic"}}],
  "exchanges": [{"name": "health.events", "vhost": "health", "type": "topic", "durable": true, "auto_delete": false, "internal": false, "arguments": {}}],
  "queues": [
    {"name": "health.alerts", "vhost": "health", "durable": true, "auto_delete": false, "arguments": {}},
    {"name": "health.metrics", "vhost": "health", "durable": true, "auto_delete": false, "arguments": {}}
  ],
  "bindings": [
    {"source": "health.events", "vhost": "health", "destination": "health.alerts", "destination_type": "queue", "routing_key": "alert.#", "arguments": {}},
    {"source": "health.events", "vhost": "health", "destination": "health.metrics", "destination_type": "queue", "routing_key": "metric.#", "arguments": {}}
  ]
}
"#;

/// A queue added after the first backup: only the newest backup has it.
pub const LATE_QUEUE: &str = "health.reports";

/// Fails (never skips) unless this runs as root with namespaces, sshd and rabbitmq-server.
pub fn require_rabbitmq() {
    require_namespace_tools(&[
        (
            "rabbitmq-server",
            "Debian's rabbitmq-server, the nodes under test (scripts/test.sh installs it)",
        ),
        (
            "rabbitmqctl",
            "rabbitmq-server's CLI (scripts/test.sh installs it)",
        ),
        (
            "epmd",
            "Erlang's port mapper, from rabbitmq-server's dependencies",
        ),
        (
            "setpriv",
            "util-linux, for the systemctl stand-in's User=rabbitmq",
        ),
        ("nsenter", "util-linux"),
    ]);
    let user = Command::new("id")
        .args(["-u", "rabbitmq"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        user,
        "no `rabbitmq` user: install rabbitmq-server (scripts/test.sh)"
    );
}

/// One RabbitMQ host: its sshd host and its node.
pub struct RabbitHost {
    /// The sshd host in its namespace.
    pub host: NsHost,
    /// Inventory role.
    pub role: &'static str,
    /// Node name, e.g. `rabbit-1@127.0.10.1`.
    pub node: &'static str,
    /// The node's Erlang distribution port.
    pub dist_port: u16,
    /// (`mnt:[…]` of the host's namespace, its sshd's pid), from start until the machine is
    /// killed.
    namespace: Option<(String, i32)>,
}

impl RabbitHost {
    /// A file of this host, by its path as the host sees it.
    pub fn file(&self, path: &str) -> PathBuf {
        self.host.file(path)
    }

    /// The host's stand-in calls (`systemctl start rabbitmq-server`, …), one per line.
    pub fn calls(&self) -> Vec<String> {
        fs::read_to_string(self.host.dir.join("calls.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Kills the machine like a power loss: every process in its namespace (the node, its CLI
    /// calls), then sshd and its sessions.
    pub fn crash_machine(&mut self) {
        if let Some((ns, sshd)) = self.namespace.take() {
            kill_namespace_but(&ns, sshd);
        }
        self.host.kill();
    }
}

/// The running fleet.
pub struct RabbitFleet {
    /// The hosts: the cluster's three, then the DR node when asked for.
    pub hosts: Vec<RabbitHost>,
    /// Client key and known_hosts.
    pub keys: FleetKeys,
    /// The epmd every node registers with.
    pub epmd_port: u16,
    epmd: Option<Child>,
    /// The temporary folder (kept when a test fails).
    pub dir: PathBuf,
    tmp: Option<tempfile::TempDir>,
}

impl RabbitFleet {
    /// Starts the three-node cluster (and the DR node when `with_dr`): hosts, nodes booted,
    /// mq-2 and mq-3 joined to mq-1, the topology imported. Panics with the logs on failure.
    pub fn start(with_dr: bool) -> RabbitFleet {
        require_rabbitmq();
        let tmp = tempfile::Builder::new()
            .prefix("cockpit-rabbit-fleet-")
            .tempdir()
            .expect("temp dir for the fleet");
        let dir = tmp.path().to_path_buf();
        let keys = FleetKeys::generate(&dir);
        let epmd_port = free_port("127.0.0.1");
        let epmd = Command::new("epmd")
            .args(["-port", &epmd_port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start epmd");
        let mut specs: Vec<(&str, &str, &str, &str, &str)> = CLUSTER
            .iter()
            .map(|(h, a, n)| (*h, *a, *n, "rabbitmq", COOKIE))
            .collect();
        if with_dr {
            specs.push((DR.0, DR.1, DR.2, "rabbitmq-dr", DR_COOKIE));
        }
        let mut hosts = Vec::new();
        for (name, address, node, role, cookie) in specs {
            let host = NsHost::prepare(&dir.join(name), name, address, &MOUNTS);
            let dist_port = free_port("127.0.0.1");
            let h = RabbitHost {
                host,
                role,
                node,
                dist_port,
                namespace: None,
            };
            write_host_files(&h, epmd_port, cookie);
            hosts.push(h);
        }
        let mut fleet = RabbitFleet {
            hosts,
            keys,
            epmd_port,
            epmd: Some(epmd),
            dir,
            tmp: Some(tmp),
        };
        start_hosts(fleet.hosts.iter_mut().map(|h| &mut h.host), &fleet.keys);
        for h in &mut fleet.hosts {
            h.namespace = Some(namespace_of_sshd(&h.host));
        }
        // Boot every node at once, as systemd would at power-on.
        let booted: Vec<(String, (i32, String, String))> = std::thread::scope(|s| {
            let handles: Vec<_> = fleet
                .hosts
                .iter()
                .map(|h| {
                    let f = &fleet;
                    s.spawn(move || {
                        (
                            h.host.name.clone(),
                            f.ssh_host(h, "systemctl start rabbitmq-server"),
                        )
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|j| j.join().expect("boot thread"))
                .collect()
        });
        for (name, (code, out, err)) in &booted {
            assert_eq!(
                *code,
                0,
                "{name}: the node did not boot: {out}{err}\n{}",
                fleet.node_log(name)
            );
        }
        for (name, _, _) in &CLUSTER[1..] {
            fleet.run_ok(
                name,
                "rabbitmqctl stop_app && rabbitmqctl reset && rabbitmqctl join_cluster rabbit-1@127.0.10.1 && rabbitmqctl start_app",
            );
        }
        fleet.import_definitions("mq-1", DEFINITIONS);
        fleet.assert_cluster_whole();
        fleet
    }

    /// A host by name.
    pub fn host(&self, name: &str) -> &RabbitHost {
        self.hosts
            .iter()
            .find(|h| h.host.name == name)
            .unwrap_or_else(|| panic!("no host {name}"))
    }

    /// A host by name, mutably.
    pub fn host_mut(&mut self, name: &str) -> &mut RabbitHost {
        self.hosts
            .iter_mut()
            .find(|h| h.host.name == name)
            .unwrap_or_else(|| panic!("no host {name}"))
    }

    fn ssh_host(&self, h: &RabbitHost, command: &str) -> (i32, String, String) {
        self.keys.ssh(&h.host, command)
    }

    /// Runs `command` as root on `host` over SSH; (exit status, stdout, stderr).
    pub fn ssh(&self, host: &str, command: &str) -> (i32, String, String) {
        self.ssh_host(self.host(host), command)
    }

    /// Runs `command` on `host`, failing the test (with the node's log) unless it exits 0;
    /// its stdout.
    pub fn run_ok(&self, host: &str, command: &str) -> String {
        let (code, out, err) = self.ssh(host, command);
        assert_eq!(
            code,
            0,
            "{host}: `{command}` failed: {out}{err}\n{}",
            self.node_log(host)
        );
        out
    }

    /// The end of a host's node log (for failure messages).
    pub fn node_log(&self, host: &str) -> String {
        let h = self.host(host);
        let path = h.file(&format!("/var/log/rabbitmq/{}.log", h.node));
        let text = fs::read_to_string(&path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        let err = fs::read_to_string(h.file("/var/log/rabbitmq/rabbitmq-server.error.log"))
            .unwrap_or_default();
        format!("--- {host}'s node log (end):\n{tail}\n--- its stderr:\n{err}")
    }

    /// Imports a definitions file into the cluster through `host`'s node.
    pub fn import_definitions(&self, host: &str, json: &str) {
        self.run_ok(
            host,
            &format!(
                "f=$(mktemp) && cat > \"$f\" <<'DEFS'\n{json}DEFS\nchmod 644 \"$f\" && rabbitmqctl -q import_definitions \"$f\"; s=$?; rm -f \"$f\"; exit $s"
            ),
        );
    }

    /// The running nodes as `host`'s CLI sees them (`cluster_status`), sorted; None when the
    /// node does not answer.
    pub fn running_nodes(&self, host: &str) -> Option<Vec<String>> {
        let (code, out, _) = self.ssh(host, "rabbitmqctl -q cluster_status --formatter json");
        if code != 0 {
            return None;
        }
        let v: serde_json::Value = serde_json::from_str(out.trim()).ok()?;
        let mut nodes: Vec<String> = v["running_nodes"]
            .as_array()?
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
        nodes.sort();
        Some(nodes)
    }

    /// Every cluster node runs and sees the other two running.
    pub fn assert_cluster_whole(&self) {
        let all: Vec<String> = CLUSTER.iter().map(|c| c.2.to_string()).collect();
        for (name, _, _) in CLUSTER {
            assert_eq!(
                self.running_nodes(name).as_ref(),
                Some(&all),
                "{name} does not see the whole cluster running\n{}",
                self.node_log(name)
            );
        }
    }

    /// The queues of virtual host `health` as `host`'s node lists them, sorted.
    pub fn queues(&self, host: &str) -> Vec<String> {
        let out = self.run_ok(
            host,
            "rabbitmqctl -q list_queues -p health name --no-table-headers",
        );
        let mut q: Vec<String> = out
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        q.sort();
        q
    }

    /// Keeps the fleet's folder (called when a test fails).
    pub fn keep(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let kept = tmp.keep();
            eprintln!("rabbit fleet kept for inspection: {}", kept.display());
        }
    }

    /// The inventory: every host with an ssh and a `tcp:5672` check, root login.
    pub fn inventory(&self) -> String {
        let mut text = self.keys.inventory_settings();
        for h in &self.hosts {
            text.push_str(&self.keys.inventory_host(&h.host, &current_user(), h.role));
            text.push_str("checks = [{ kind = \"ssh\" }, { kind = \"tcp\", port = 5672 }]\n");
        }
        text
    }
}

impl Drop for RabbitFleet {
    fn drop(&mut self) {
        for h in &mut self.hosts {
            h.crash_machine();
        }
        if let Some(mut epmd) = self.epmd.take() {
            let _ = epmd.kill();
            let _ = epmd.wait();
        }
        if std::thread::panicking() {
            self.keep();
        }
    }
}

/// The mount namespace of a started host's sshd (`mnt:[…]`) and sshd's pid, read through its
/// pid file.
fn namespace_of_sshd(host: &NsHost) -> (String, i32) {
    let pid_file = host.dir.join("sshd/sshd.pid");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(text) = fs::read_to_string(&pid_file)
            && let Ok(pid) = text.trim().parse::<i32>()
            && let Ok(ns) = fs::read_link(format!("/proc/{pid}/ns/mnt"))
        {
            let ns = ns.display().to_string();
            let own = fs::read_link("/proc/self/ns/mnt")
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            assert_ne!(
                ns, own,
                "{}: sshd runs in the test's own namespace",
                host.name
            );
            return (ns, pid);
        }
        assert!(
            Instant::now() < deadline,
            "{}: no sshd pid in {}",
            host.name,
            pid_file.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// SIGKILLs every process in mount namespace `ns` but `sshd` (the host's listener), until
/// none is left (bounded). sshd, alive throughout, keeps the namespace and its id: an id is
/// given to a new namespace (another test's, perhaps) only once its last process is gone, so
/// this never reaches another namespace's processes. The caller kills sshd afterwards.
fn kill_namespace_but(ns: &str, sshd: i32) {
    let pinned = || {
        fs::read_link(format!("/proc/{sshd}/ns/mnt")).is_ok_and(|l| l.display().to_string() == ns)
    };
    for _ in 0..100 {
        if !pinned() {
            return;
        }
        let mut found = 0;
        for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(|s| s.parse::<i32>().ok()) else {
                continue;
            };
            if pid == sshd {
                continue;
            }
            let Ok(link) = fs::read_link(format!("/proc/{pid}/ns/mnt")) else {
                continue;
            };
            if link.display().to_string() != ns {
                continue;
            }
            let state = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            if state
                .rsplit_once(") ")
                .is_some_and(|(_, s)| s.starts_with('Z'))
            {
                continue;
            }
            // SAFETY: kill(2) on a pid just read from /proc; no memory involved.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            found += 1;
        }
        if found == 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn rabbitmq_ids() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, "rabbitmq"])
            .output()
            .expect("run id");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("rabbitmq's id")
    };
    (id("-u"), id("-g"))
}

fn chown_tree(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
    if path.is_dir() {
        for e in fs::read_dir(path).expect("read dir").flatten() {
            chown_tree(&e.path(), uid, gid);
        }
    }
}

/// A host's files: rabbitmq-env.conf, rabbitmq.conf, enabled_plugins, the cookie, the
/// systemctl stand-in; the node's folders owned by the rabbitmq user, as the package leaves them.
fn write_host_files(h: &RabbitHost, epmd_port: u16, cookie: &str) {
    let host = &h.host;
    host.write(
        "/etc/rabbitmq/rabbitmq-env.conf",
        &format!(
            "# {name}: its own node name, AMQP on its own address, its own distribution port,\n\
             # the test's epmd\nNODENAME={node}\nNODE_IP_ADDRESS={addr}\nNODE_PORT=5672\n\
             DIST_PORT={dist}\nERL_EPMD_PORT={epmd_port}\nUSE_LONGNAME=true\n",
            name = host.name,
            node = h.node,
            addr = host.address,
            dist = h.dist_port,
        ),
    );
    host.write(
        "/etc/rabbitmq/rabbitmq.conf",
        "log.file.level = info\ncluster_partition_handling = ignore\n",
    );
    host.write("/etc/rabbitmq/enabled_plugins", "[].\n");
    host.write("/var/lib/rabbitmq/.erlang.cookie", cookie);
    fs::create_dir_all(host.file("/var/lib/rabbitmq/mnesia")).expect("mnesia folder");
    fs::create_dir_all(host.file("/var/log/rabbitmq")).expect("log folder");
    fs::create_dir_all(host.file("/var/backups/rabbitmq")).expect("backups folder");
    let (uid, gid) = rabbitmq_ids();
    for path in ["/etc/rabbitmq", "/var/lib/rabbitmq", "/var/log/rabbitmq"] {
        chown_tree(&host.file(path), uid, gid);
    }
    fs::set_permissions(
        host.file("/var/lib/rabbitmq/.erlang.cookie"),
        fs::Permissions::from_mode(0o400),
    )
    .expect("cookie mode");
    fs::set_permissions(
        host.file("/var/lib/rabbitmq/mnesia"),
        fs::Permissions::from_mode(0o750),
    )
    .expect("mnesia mode");
    let calls = shell_quote(&host.dir.join("calls.log").display().to_string());
    host.write_exec(
        "/usr/local/bin/systemctl",
        &SYSTEMCTL
            .replace("@HOST@", &host.name)
            .replace("@CALLS@", &calls),
    );
    host.write("/usr/local/bin/.host", &format!("{}\n", host.name));
}

/// The systemctl stand-in (see the module's doc). Only `rabbitmq-server` is known.
const SYSTEMCTL: &str = r#"#!/bin/sh
# Stand-in for systemctl on @HOST@: this container has no systemd. It runs rabbitmq-server as
# Debian's rabbitmq-server.service does: User=rabbitmq, WorkingDirectory=/var/lib/rabbitmq,
# UMask=0027, LimitNOFILE=65536, ExecStart=/usr/lib/rabbitmq/bin/rabbitmq-server with its output
# appended to /var/log/rabbitmq/rabbitmq-server{,.error}.log, ExecStop=/usr/sbin/rabbitmqctl stop;
# Type=notify: `start` returns once the node has booted and fails when it dies first.
# Restart=on-failure is not simulated: a node that stops stays stopped.
printf '%s\n' "systemctl $*" >> @CALLS@
state=/usr/local/bin/.rabbitmq-server.pid
running() {
  [ -s "$state" ] && kill -0 "$(cat "$state")" 2>/dev/null
}
start() {
  running && return 0
  cd /var/lib/rabbitmq || return 1
  (
    umask 0027
    ulimit -n 65536 2>/dev/null
    export HOME=/var/lib/rabbitmq USER=rabbitmq LOGNAME=rabbitmq
    exec setsid setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups \
      /usr/lib/rabbitmq/bin/rabbitmq-server \
      >>/var/log/rabbitmq/rabbitmq-server.log 2>>/var/log/rabbitmq/rabbitmq-server.error.log </dev/null
  ) &
  echo $! > "$state"
  waited=0
  while [ "$waited" -lt 600 ]; do
    if ! running; then
      echo "Job for rabbitmq-server.service failed because the control process exited with error code." >&2
      echo "See \"tail /var/log/rabbitmq/*.log\" for details." >&2
      return 1
    fi
    rabbitmqctl -q await_startup -t 5 >/dev/null 2>&1 && return 0
    sleep 1
    waited=$((waited + 1))
  done
  echo "rabbitmq-server.service: start operation timed out." >&2
  return 1
}
stop() {
  running || return 0
  pid=$(cat "$state")
  rabbitmqctl stop >/dev/null 2>&1
  waited=0
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 90 ]; do sleep 1; waited=$((waited + 1)); done
  kill -KILL "$pid" 2>/dev/null
  rm -f "$state"
  return 0
}
verb=$1
unit=${2%.service}
case "$verb" in
  start|stop|restart|is-active|status) ;;
  *) echo "systemctl stand-in: $verb not simulated" >&2; exit 1 ;;
esac
if [ "$unit" != rabbitmq-server ]; then
  echo "Unit $2.service could not be found." >&2
  exit 5
fi
case "$verb" in
  start) start ;;
  stop) stop ;;
  restart) stop && start ;;
  is-active) if running; then echo active; else echo inactive; exit 3; fi ;;
  status)
    echo "* rabbitmq-server.service - RabbitMQ Messaging Server"
    if running; then echo "   Active: active (running)"; echo " Main PID: $(cat "$state")"; else echo "   Active: inactive (dead)"; exit 3; fi ;;
esac
"#;
