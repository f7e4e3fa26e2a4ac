//! A real ObSync pair for the failover guide's playbooks: a primary and a backup server, each an
//! OpenSSH `sshd` in its own mount namespace ([`super::ns_host`]) with its own `/opt/obsync`,
//! `/etc/nginx`, `/var/www`, `/var/log/nginx`, `/run/nginx`, `/etc/ssl/certs` and
//! `/usr/local/bin`.
//!
//! Every web server is the real nginx of Debian (`/usr/sbin/nginx`, installed by
//! scripts/test.sh): each host's own nginx (the guide's `/etc/nginx`, the site
//! `kwps.jlufe.edu.cn` over TLS, `conf.d/upstream.conf`), and the two services of its
//! `docker-compose.yml`, `api-gateway` (port 8090: `/health`, `/api/` → app-icasync) and
//! `app-icasync` (port 3001), each a real nginx process started from
//! `/opt/obsync/services/SERVICE/nginx.conf`.
//!
//! Stand-ins, because no Docker daemon and no systemd run in this container (each a shell
//! script in the host's own `/usr/local/bin`, first on a root session's PATH, that logs its
//! calls to the host's `calls.log`):
//! - `docker`: `docker compose` over those nginx processes — ps, logs, restart, stop, start,
//!   down, pull (no registry: the "image" is the service's nginx.conf, kept), up -d, exec (runs
//!   the command on the host, which shares the network as `network_mode: host` would). Like
//!   compose it needs `docker-compose.yml` in the current folder or `-f FILE`.
//! - `systemctl`: `reload|restart nginx` signal the host's real nginx (`nginx -s reload`),
//!   `is-active nginx|docker` answer from it; anything else is refused.
//!
//! The domain's certificate comes from a test CA that each host trusts (its
//! `/etc/ssl/certs/ca-certificates.crt` is the system bundle plus that CA), so `curl
//! https://kwps.jlufe.edu.cn` verifies as it would with a public CA.
//!
//! Include with `#[path = "support/sshd.rs"] mod sshd;`, `#[path = "support/ns_host.rs"] mod
//! ns_host;` and `#[path = "support/obsync_fleet.rs"] mod obsync_fleet;`.

#![allow(dead_code)]

use super::ns_host::{
    FleetKeys, NsHost, require_namespace_tools, shell_quote, start_hosts, toml_string,
};
use super::sshd::current_user;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The service's domain (the guide's own).
pub const DOMAIN: &str = "kwps.jlufe.edu.cn";
/// The primary's address (sshd, nginx, the gateway) and its `public_ip` fact.
pub const PRIMARY_IP: &str = "127.0.60.1";
/// The backup's address and its `public_ip` fact.
pub const BACKUP_IP: &str = "127.0.60.2";
/// Where the database dumps are, on the primary.
pub const DB_BACKUPS: &str = "/opt/obsync/backups/database";
/// Where the configuration archives are, on the primary.
pub const CONFIG_BACKUPS: &str = "/opt/obsync/backups/config";
/// The MySQL user the database restore runs as, and its password.
pub const RESTORE_USER: (&str, &str) = ("obsync_restore", "restore-pw-7f3a");

/// How long a service may take to answer after a start or a reload.
const SERVE: Duration = Duration::from_secs(30);

/// The folders each host gets in its namespace, and the real paths they cover.
const MOUNTS: [(&str, &str); 7] = [
    ("opt-obsync", "/opt/obsync"),
    ("etc-nginx", "/etc/nginx"),
    ("www", "/var/www"),
    ("log-nginx", "/var/log/nginx"),
    ("run-nginx", "/run/nginx"),
    ("certs", "/etc/ssl/certs"),
    ("bin", "/usr/local/bin"),
];

/// Fails (never skips) unless the tools this fleet runs are here.
pub fn require_obsync_tools() {
    require_namespace_tools(&[
        (
            "nginx",
            "Debian's nginx: every web server of the fleet (scripts/test.sh installs it)",
        ),
        (
            "curl",
            "the playbooks' health checks (apt-get install curl)",
        ),
        ("openssl", "the test CA and the domain's certificate"),
        (
            "mariadb",
            "the database restore's client (scripts/test-servers.sh installs MariaDB)",
        ),
        ("mysqldump", "the database restore's safety dump"),
        (
            "pkill",
            "procps: the tests crash a service by its pid file (apt-get install procps)",
        ),
        (
            "ping",
            "the backend playbook's database ping (iputils-ping; scripts/test.sh installs it)",
        ),
    ]);
}

/// One server of the pair.
pub struct ObsyncHost {
    /// The namespace host.
    pub ns: NsHost,
    /// Inventory role.
    pub role: &'static str,
    /// Its address, also its `public_ip`.
    pub ip: &'static str,
    /// The stand-ins' calls, one per line.
    pub calls_log: PathBuf,
    /// The host's mount namespace (`mnt:[…]`), to stop what runs in it.
    mnt_ns: Option<String>,
}

impl ObsyncHost {
    /// The stand-ins' calls so far.
    pub fn calls(&self) -> Vec<String> {
        fs::read_to_string(&self.calls_log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Kills everything in the host's namespace, sshd with the rest, then reaps sshd. The
    /// namespace is scanned while sshd still holds it, so its id cannot have been reused by
    /// another namespace. Idempotent.
    fn stop(&mut self) {
        if let Some(ns) = self.mnt_ns.take() {
            kill_namespace(&ns);
        }
        self.ns.kill();
    }

    /// The pid in the host's pid file `path` (as the host sees it), if the process lives.
    pub fn live_pid(&self, path: &str) -> Option<i32> {
        let text = fs::read_to_string(self.ns.file(path)).ok()?;
        let pid: i32 = text.trim().parse().ok()?;
        Path::new(&format!("/proc/{pid}")).exists().then_some(pid)
    }
}

/// The running pair, its keys and the test CA.
pub struct ObsyncFleet {
    /// Primary, then backup.
    pub hosts: Vec<ObsyncHost>,
    /// The client key and known_hosts.
    pub keys: FleetKeys,
    /// The temporary folder (kept when the test fails).
    pub dir: PathBuf,
    tmp: Option<tempfile::TempDir>,
}

impl ObsyncFleet {
    /// Writes both hosts' files, starts their sshd, their nginx and their compose services,
    /// and returns once every service answers.
    pub fn start() -> ObsyncFleet {
        require_obsync_tools();
        let tmp = tempfile::Builder::new()
            .prefix("cockpit-obsync-")
            .tempdir()
            .expect("temp dir for the fleet");
        let dir = tmp.path().to_path_buf();
        let keys = FleetKeys::generate(&dir);
        make_ca(&dir);
        let mut hosts = Vec::new();
        for (name, role, ip) in [
            ("obs-primary", "docker-primary", PRIMARY_IP),
            ("obs-backup", "docker-backup", BACKUP_IP),
        ] {
            let ns = NsHost::prepare(&dir.join(name), name, ip, &MOUNTS);
            let host = ObsyncHost {
                calls_log: ns.dir.join("calls.log"),
                ns,
                role,
                ip,
                mnt_ns: None,
            };
            write_host_files(&host, &dir);
            hosts.push(host);
        }
        let mut fleet = ObsyncFleet {
            hosts,
            keys,
            dir,
            tmp: Some(tmp),
        };
        start_hosts(fleet.hosts.iter_mut().map(|h| &mut h.ns), &fleet.keys);
        for i in 0..fleet.hosts.len() {
            let name = fleet.hosts[i].ns.name.clone();
            let (code, out, err) = fleet.ssh(&name, "readlink /proc/self/ns/mnt");
            assert_eq!(code, 0, "{name}: {out}{err}");
            fleet.hosts[i].mnt_ns = Some(out.trim().to_string());
            fleet.check_own_world(&name);
        }
        fleet.ok(
            "obs-primary",
            "nginx && docker compose -f /opt/obsync/docker-compose.yml up -d",
        );
        fleet.ok(
            "obs-backup",
            "nginx && cd /opt/obsync && docker compose up -d",
        );
        fleet.wait_http(
            "the primary's gateway",
            &format!("http://{PRIMARY_IP}:8090/health"),
            200,
        );
        fleet.wait_http(
            "the backup's gateway",
            &format!("http://{BACKUP_IP}:8090/health"),
            200,
        );
        fleet.wait_http(
            "the primary's API",
            &format!("http://{PRIMARY_IP}:8090/api/health"),
            200,
        );
        fleet
    }

    /// A host by name.
    pub fn host(&self, name: &str) -> &ObsyncHost {
        self.hosts
            .iter()
            .find(|h| h.ns.name == name)
            .unwrap_or_else(|| panic!("no host {name}"))
    }

    /// A host by name, mutably.
    pub fn host_mut(&mut self, name: &str) -> &mut ObsyncHost {
        self.hosts
            .iter_mut()
            .find(|h| h.ns.name == name)
            .unwrap_or_else(|| panic!("no host {name}"))
    }

    /// Runs `command` on `host` as root over SSH; (exit status, stdout, stderr).
    pub fn ssh(&self, host: &str, command: &str) -> (i32, String, String) {
        self.keys.ssh(&self.host(host).ns, command)
    }

    /// Runs `command` on `host` and fails the test unless it succeeds; its stdout.
    pub fn ok(&self, host: &str, command: &str) -> String {
        let (code, out, err) = self.ssh(host, command);
        assert_eq!(code, 0, "{host}: `{command}` failed:\n{out}{err}");
        out
    }

    /// The HTTP status `url` answers with now (0: no answer), from outside the hosts.
    pub fn http_status(url: &str) -> u16 {
        let out = Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-m",
                "5",
                url,
            ])
            .output()
            .expect("run curl");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0)
    }

    /// Waits (up to 30 s) for `url` to answer `status`.
    pub fn wait_http(&self, what: &str, url: &str, status: u16) {
        let deadline = Instant::now() + SERVE;
        loop {
            let got = Self::http_status(url);
            if got == status {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: {url} answers {got}, not {status}, after {SERVE:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The inventory: both hosts, checked by ssh and their gateway's health URL, root logins.
    pub fn inventory(&self) -> String {
        let q = toml_string;
        let mut text = self.keys.inventory_settings();
        for h in &self.hosts {
            text.push_str(&self.keys.inventory_host(&h.ns, &current_user(), h.role));
            text.push_str(&format!(
                "vars = {{ public_ip = {} }}\n\
                 checks = [{{ kind = \"ssh\" }}, {{ kind = \"http\", url = {} }}]\n",
                q(h.ip),
                q(&format!("http://{}:8090/health", h.ip)),
            ));
        }
        text
    }

    /// Each host's session sees its own files and finds the stand-ins first.
    fn check_own_world(&self, name: &str) {
        let out = self.ok(
            name,
            "for t in docker systemctl; do command -v $t; done; cat /usr/local/bin/.host; \
             command -v nginx",
        );
        for want in [
            "/usr/local/bin/docker",
            "/usr/local/bin/systemctl",
            name,
            "/usr/sbin/nginx",
        ] {
            assert!(
                out.lines().any(|l| l == want),
                "{name}: expected `{want}` in its own view:\n{out}"
            );
        }
    }

    /// Kills a server like a power cut: its sshd, its sessions and every process in its
    /// namespace (its nginx and compose services).
    pub fn crash(&mut self, name: &str) {
        self.host_mut(name).stop();
    }

    /// The test CA's certificate (to check the domain from outside the hosts).
    pub fn ca_cert(&self) -> PathBuf {
        self.dir.join("ca/ca.crt")
    }

    /// Keeps the fleet's folder (called when a test fails).
    pub fn keep(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let kept = tmp.keep();
            eprintln!("obsync fleet kept for inspection: {}", kept.display());
        }
    }
}

impl Drop for ObsyncFleet {
    fn drop(&mut self) {
        for h in &mut self.hosts {
            h.stop();
        }
        if std::thread::panicking() {
            self.keep();
        }
    }
}

/// Kills every process in the mount namespace `ns`: sshd, and the nginx daemons its sessions
/// started, which outlive sshd as they would a real machine's. The first pass kills all of
/// them at once; later passes only what those processes forked meanwhile (a dying nginx master
/// may fork a worker): by then the namespace may be gone and its id given to another one,
/// another test's perhaps, whose processes are not the children of ours.
fn kill_namespace(ns: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut killed: Vec<i32> = Vec::new();
    loop {
        let first_pass = killed.is_empty();
        let mut found = 0;
        for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            if killed.contains(&pid) {
                continue;
            }
            let in_ns =
                fs::read_link(entry.path().join("ns/mnt")).is_ok_and(|l| l.to_string_lossy() == ns);
            let parent = fs::read_to_string(entry.path().join("stat"))
                .ok()
                .and_then(|stat| {
                    let fields = stat.rsplit_once(") ")?.1.to_string();
                    fields.split(' ').nth(1)?.parse::<i32>().ok()
                })
                .unwrap_or(0);
            let ours = in_ns && (first_pass || killed.contains(&parent));
            if ours {
                found += 1;
                // SAFETY: kill(2) with a pid read from /proc; a pid gone meanwhile gives ESRCH.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
                killed.push(pid);
            }
        }
        if found == 0 || Instant::now() > deadline {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A test CA and the domain's certificate signed by it, in `dir/ca`.
fn make_ca(dir: &Path) {
    let ca = dir.join("ca");
    fs::create_dir_all(&ca).expect("ca folder");
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(&ca)
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=cockpit obsync test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "site.key",
        "-out",
        "site.csr",
        "-subj",
        &format!("/CN={DOMAIN}"),
    ]);
    fs::write(ca.join("ext"), format!("subjectAltName=DNS:{DOMAIN}\n")).expect("ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "site.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "site.crt",
        "-days",
        "2",
        "-extfile",
        "ext",
    ]);
}

/// The host's files: nginx, the compose project, the stand-ins, the trusted CA, the backups.
fn write_host_files(h: &ObsyncHost, dir: &Path) {
    let ns = &h.ns;
    let primary = h.role == "docker-primary";
    ns.write("/usr/local/bin/.host", &format!("{}\n", ns.name));
    let calls = shell_quote(&h.calls_log.display().to_string());
    ns.write_exec("/usr/local/bin/docker", &docker_stand_in(&calls));
    ns.write_exec("/usr/local/bin/systemctl", &systemctl_stand_in(&calls));

    let bundle = fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").unwrap_or_default();
    let ca = fs::read_to_string(dir.join("ca/ca.crt")).expect("the test CA");
    ns.write(
        "/etc/ssl/certs/ca-certificates.crt",
        &format!("{bundle}{ca}"),
    );

    ns.write("/etc/nginx/nginx.conf", &host_nginx_conf());
    ns.write("/etc/nginx/mime.types", "types { text/html html; }\n");
    let cert = fs::read_to_string(dir.join("ca/site.crt")).expect("site cert");
    let key = fs::read_to_string(dir.join("ca/site.key")).expect("site key");
    ns.write(&format!("/etc/nginx/ssl/{DOMAIN}.crt"), &cert);
    ns.write(&format!("/etc/nginx/ssl/{DOMAIN}.key"), &key);
    let site = site_conf(h.ip);
    // The backup keeps the full site ready for the failover; only the primary serves it.
    ns.write("/opt/obsync/nginx/server-2-full.conf", &site);
    fs::create_dir_all(ns.file("/etc/nginx/sites-enabled")).expect("sites-enabled");
    fs::create_dir_all(ns.file("/etc/nginx/sites-available")).expect("sites-available");
    if primary {
        ns.write(&format!("/etc/nginx/sites-available/{DOMAIN}"), &site);
        std::os::unix::fs::symlink(
            format!("/etc/nginx/sites-available/{DOMAIN}"),
            ns.file(&format!("/etc/nginx/sites-enabled/{DOMAIN}")),
        )
        .expect("enable the site");
        ns.write(
            "/etc/nginx/conf.d/upstream.conf",
            &format!(
                "upstream api_gateway {{\n    server {PRIMARY_IP}:8090 weight=1 max_fails=3 fail_timeout=30s;\n    \
                 server {BACKUP_IP}:8090 weight=1 max_fails=3 fail_timeout=30s backup;\n}}\n"
            ),
        );
    } else {
        ns.write(
            "/etc/nginx/conf.d/upstream.conf",
            &format!(
                "upstream api_gateway {{\n    server {BACKUP_IP}:8090 weight=1 max_fails=3 fail_timeout=30s;\n}}\n"
            ),
        );
    }

    ns.write("/opt/obsync/docker-compose.yml", COMPOSE_YML);
    ns.write(
        "/opt/obsync/.env",
        "DB_HOST=localhost\nDB_NAME=syncdb\nSYNC_TOKEN=obsync-test-token\n",
    );
    // The gateway also answers on localhost:8090 on the primary, where the guide's health URL
    // (http://localhost:8090/health) points.
    let gateway_listen = if primary {
        format!("listen {PRIMARY_IP}:8090;\n        listen 127.0.0.1:8090;")
    } else {
        format!("listen {}:8090;", h.ip)
    };
    ns.write(
        "/opt/obsync/services/api-gateway/nginx.conf",
        &service_conf(
            "api-gateway",
            &format!(
                "{gateway_listen}\n        location = /health {{ return 200 \"{{\\\"status\\\":\\\"ok\\\"}}\\n\"; }}\n        \
                 location /api/ {{ proxy_pass http://{}:3001/; }}",
                h.ip
            ),
        ),
    );
    ns.write(
        "/opt/obsync/services/app-icasync/nginx.conf",
        &service_conf(
            "app-icasync",
            &format!(
                "listen {}:3001;\n        location = /health {{ return 200 \"app-icasync ok\\n\"; }}",
                h.ip
            ),
        ),
    );
    for sub in [
        "run",
        "logs",
        "backups/database",
        "backups/config",
        "backups/static",
        "scripts",
    ] {
        fs::create_dir_all(ns.file(&format!("/opt/obsync/{sub}"))).expect("obsync folder");
    }
    ns.write_exec("/opt/obsync/scripts/diagnose.sh", DIAGNOSE_SH);
    fs::create_dir_all(ns.file("/var/www/agendaedu-web")).expect("www");
    ns.write(
        "/var/www/agendaedu-web/index.html",
        &format!("<h1>agendaedu on {}</h1>\n", ns.name),
    );
}

/// The host's /etc/nginx/nginx.conf: everything of its own under its private mounts.
fn host_nginx_conf() -> String {
    "user www-data;\nworker_processes 1;\npid /run/nginx/nginx.pid;\nerror_log /var/log/nginx/error.log;\n\
     events { worker_connections 64; }\nhttp {\n    include /etc/nginx/mime.types;\n    \
     access_log /var/log/nginx/access.log;\n    client_body_temp_path /run/nginx/body;\n    \
     proxy_temp_path /run/nginx/proxy;\n    fastcgi_temp_path /run/nginx/fastcgi;\n    \
     uwsgi_temp_path /run/nginx/uwsgi;\n    scgi_temp_path /run/nginx/scgi;\n    \
     include /etc/nginx/conf.d/*.conf;\n    include /etc/nginx/sites-enabled/*;\n}\n"
        .to_string()
}

/// The site: the domain over TLS on the server's address; `/health` and `/api/` through the
/// gateway upstream, the front end from /var/www.
fn site_conf(ip: &str) -> String {
    format!(
        "server {{\n    listen {ip}:443 ssl;\n    server_name {DOMAIN};\n    \
         ssl_certificate /etc/nginx/ssl/{DOMAIN}.crt;\n    ssl_certificate_key /etc/nginx/ssl/{DOMAIN}.key;\n    \
         error_log /var/log/nginx/kwps_error.log;\n    root /var/www/agendaedu-web;\n    \
         location = /health {{ proxy_pass http://api_gateway/health; }}\n    \
         location /api/ {{ proxy_pass http://api_gateway; }}\n}}\n"
    )
}

/// A compose service's nginx.conf: its pid and log under /opt/obsync.
fn service_conf(service: &str, server: &str) -> String {
    format!(
        "worker_processes 1;\npid /opt/obsync/run/{service}.pid;\nerror_log /opt/obsync/logs/{service}.log;\n\
         events {{ worker_connections 64; }}\nhttp {{\n    access_log /opt/obsync/logs/{service}.log;\n    \
         client_body_temp_path /opt/obsync/run/{service}-body;\n    proxy_temp_path /opt/obsync/run/{service}-proxy;\n    \
         fastcgi_temp_path /opt/obsync/run/{service}-fastcgi;\n    uwsgi_temp_path /opt/obsync/run/{service}-uwsgi;\n    \
         scgi_temp_path /opt/obsync/run/{service}-scgi;\n    server {{\n        {server}\n    }}\n}}\n"
    )
}

/// The project's docker-compose.yml; the stand-in reads the service names from it.
const COMPOSE_YML: &str = "services:\n  api-gateway:\n    image: obsync/api-gateway\n    restart: unless-stopped\n    \
     env_file: .env\n    healthcheck:\n      test: [\"CMD\", \"wget\", \"--spider\", \"http://localhost:8090/health\"]\n  \
     app-icasync:\n    image: obsync/app-icasync\n    restart: unless-stopped\n    env_file: .env\n";

/// The guide's diagnose.sh, less its ping to 8.8.8.8 (no traffic leaves this machine) and
/// with the backup's address of this fleet.
const DIAGNOSE_SH: &str = "#!/bin/bash\n# The failover guide's quick diagnosis script (test copy: no outside ping).\n\
echo \"=== ObSync diagnosis ===\"\necho \"time: $(date)\"\necho \"host: $(hostname)\"\n\
echo \"load: $(uptime | awk -F'load average:' '{print $2}')\"\n\
echo \"disk: $(df -h / | awk 'NR==2 {print $5}')\"\n\
if ping -c 1 127.0.60.2 > /dev/null 2>&1; then echo 'backup server: ok'; else echo 'backup server: abnormal'; fi\n\
echo \"Nginx: $(systemctl is-active nginx)\"\necho \"Docker: $(systemctl is-active docker)\"\n\
docker compose -f /opt/obsync/docker-compose.yml ps\n\
if curl -s http://localhost:8090/health > /dev/null; then echo 'API Gateway: ok'; else echo 'API Gateway: abnormal'; fi\n\
tail -n 5 /var/log/nginx/kwps_error.log 2>/dev/null || echo 'no error log'\n";

/// The `docker` stand-in: `docker compose` over the project's services, each a real nginx.
fn docker_stand_in(calls: &str) -> String {
    format!(
        r#"#!/bin/sh
# Stand-in for `docker compose`: no Docker daemon runs in this test container. Each service of
# the project's docker-compose.yml is a real nginx started from services/SERVICE/nginx.conf
# next to it, in this host's mount namespace; `exec` runs the command on the host.
echo "docker $*" >> {calls}
[ "$1" = compose ] || {{ echo "stand-in: only 'docker compose' is here" >&2; exit 1; }}
shift
file=docker-compose.yml
if [ "$1" = -f ]; then file=$2; shift 2; fi
[ -f "$file" ] || {{ echo "no configuration file provided: not found" >&2; exit 14; }}
dir=$(cd "$(dirname "$file")" && pwd)
all=$(sed -n 's/^  \([A-Za-z0-9_-]*\):[[:space:]]*$/\1/p' "$file")
cmd=$1
[ -n "$cmd" ] || {{ echo "usage: docker compose COMMAND" >&2; exit 1; }}
shift
tail_n=100
while [ $# -gt 0 ]; do
  case $1 in
    -d|-T|--detach|-f|--follow) shift ;;
    --tail) tail_n=$2; shift 2 ;;
    --tail=*) tail_n=${{1#--tail=}}; shift ;;
    -*) echo "stand-in: unknown option $1" >&2; exit 1 ;;
    *) break ;;
  esac
done
if [ "$cmd" = exec ]; then
  svc=$1; shift
  set -- "$svc" -- "$@"
fi
services=
while [ $# -gt 0 ] && [ "$1" != -- ]; do services="$services $1"; shift; done
[ "$1" = -- ] && shift
[ -n "$services" ] || services=$all
for s in $services; do
  echo "$all" | grep -qx "$s" || {{ echo "no such service: $s" >&2; exit 1; }}
done
# A pid is alive unless gone or a zombie (nothing reaps daemons here).
alive() {{ [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }}
pidof_svc() {{ p=$(cat "$dir/run/$1.pid" 2>/dev/null) && [ -n "$p" ] && alive "$p" && echo "$p"; }}
start_svc() {{
  pidof_svc "$1" >/dev/null && return 0
  echo " Container obsync-$1-1  Starting" >&2
  nginx -c "$dir/services/$1/nginx.conf" || return 1
  echo " Container obsync-$1-1  Started" >&2
}}
stop_svc() {{
  p=$(pidof_svc "$1") || return 0
  echo " Container obsync-$1-1  Stopping" >&2
  kill -QUIT "$p"
  i=0
  while alive "$p"; do
    i=$((i+1)); [ $i -lt 200 ] || {{ kill -KILL "$p"; break; }}
    sleep 0.05
  done
  rm -f "$dir/run/$1.pid"
  echo " Container obsync-$1-1  Stopped" >&2
}}
status=0
case $cmd in
  ps)
    printf '%-26s %-14s %s\n' NAME SERVICE STATUS
    for s in $services; do
      if pidof_svc "$s" >/dev/null; then st=running; else st=exited; fi
      printf '%-26s %-14s %s\n' "obsync-$s-1" "$s" "$st"
    done ;;
  logs) for s in $services; do tail -n "$tail_n" "$dir/logs/$s.log" 2>/dev/null | sed "s/^/$s  | /"; done ;;
  start|up) for s in $services; do start_svc "$s" || status=1; done ;;
  stop|down) for s in $services; do stop_svc "$s"; done ;;
  restart) for s in $services; do stop_svc "$s"; start_svc "$s" || status=1; done ;;
  pull) for s in $services; do echo " $s Skipped - stand-in: no registry here; the image is $dir/services/$s/nginx.conf, kept" >&2; done ;;
  exec)
    s=$(echo $services)
    pidof_svc "$s" >/dev/null || {{ echo "service \"$s\" is not running" >&2; exit 1; }}
    exec "$@" ;;
  *) echo "stand-in: docker compose $cmd is not here" >&2; exit 1 ;;
esac
exit $status
"#
    )
}

/// The `systemctl` stand-in: nginx's reload and state from the host's real nginx.
fn systemctl_stand_in(calls: &str) -> String {
    format!(
        r#"#!/bin/sh
# Stand-in for systemctl (no systemd in this test container): nginx's units act on this host's
# real nginx (its pid file /run/nginx/nginx.pid); docker is "active" (the compose stand-in).
echo "systemctl $*" >> {calls}
running() {{ p=$(cat /run/nginx/nginx.pid 2>/dev/null) && [ -r "/proc/$p/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$p/stat"; }}
case "$1 $2" in
  "reload nginx") running || {{ echo "nginx.service is not active, cannot reload." >&2; exit 1; }}; nginx -s reload ;;
  "restart nginx") if running; then nginx -s stop; sleep 0.5; fi; nginx ;;
  "is-active nginx") if running; then echo active; else echo inactive; exit 3; fi ;;
  "is-active docker") echo active ;;
  *) echo "stand-in systemctl: '$*' is not here" >&2; exit 1 ;;
esac
"#
    )
}
