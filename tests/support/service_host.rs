//! A database host of a real fleet, as Debian sets one up: real PostgreSQL 15 and real nginx
//! behind a real OpenSSH sshd, in a mount namespace of its own ([`super::ns_host`]).
//!
//! PostgreSQL is a private cluster ([`super::private_pg::PrivatePg`]); inside the host,
//! `/etc/postgresql/15/main/postgresql.conf` names its port and `/run/postgresql` is its socket
//! folder, so Debian's own `pg_isready`/`psql` (postgresql-common's wrapper) find it exactly as
//! they find the packaged cluster, run as the `postgres` OS user over the socket (peer login).
//! nginx is the Debian binary, started inside the namespace with the host's own `/etc/nginx`,
//! `/var/log/nginx` and `/var/lib/nginx` (its pid file is there); dropping the host stops it.
//!
//! Include with `#[path = "support/sshd.rs"] mod sshd;`, `#[path = "support/ns_host.rs"] mod
//! ns_host;`, `#[path = "support/private_pg.rs"] mod private_pg;` and this file.

#![allow(dead_code)]

use super::ns_host::{FleetKeys, NsHost, start_hosts};
use super::private_pg::{PrivatePg, wait_until};
use super::sshd::{current_user, free_port};
use std::path::Path;
use std::time::Duration;

/// Where the host's nginx writes its pid.
const NGINX_PID: &str = "/var/lib/nginx/nginx.pid";

/// How long nginx may take to start or stop on a busy machine.
const NGINX_WAIT: Duration = Duration::from_secs(60);

/// The folders the host gets in its namespace.
const MOUNTS: [(&str, &str); 5] = [
    ("etc-postgresql", "/etc/postgresql"),
    ("run-postgresql", "/run/postgresql"),
    ("etc-nginx", "/etc/nginx"),
    ("log-nginx", "/var/log/nginx"),
    ("lib-nginx", "/var/lib/nginx"),
];

/// The host: its sshd, its PostgreSQL cluster, its nginx.
pub struct ServiceHost {
    /// The client key and known_hosts.
    pub keys: FleetKeys,
    /// The host (sshd in its namespace).
    pub host: NsHost,
    /// Its PostgreSQL cluster.
    pub pg: PrivatePg,
    /// The port nginx listens on, at the host's address.
    pub nginx_port: u16,
    _dir: tempfile::TempDir,
}

/// Fails (never skips) when a tool the host needs is missing.
pub fn require_service_tools() {
    super::ns_host::require_namespace_tools(&[
        (
            "pg_isready",
            "PostgreSQL's client (apt-get install postgresql-client)",
        ),
        (
            "psql",
            "PostgreSQL's client (apt-get install postgresql-client)",
        ),
        (
            "nginx",
            "the nginx the host runs (apt-get install nginx; scripts/test.sh)",
        ),
    ]);
}

impl ServiceHost {
    /// Starts PostgreSQL, the host's sshd at `address` (a loopback address), then nginx in it.
    pub fn start(name: &str, address: &str) -> ServiceHost {
        require_service_tools();
        let dir = tempfile::Builder::new()
            .prefix("cockpit-diag-host-")
            .tempdir()
            .expect("a folder for the host");
        let pg = PrivatePg::start();
        let host_dir = dir.path().join(name);
        std::fs::create_dir_all(&host_dir).expect("host folder");
        // The host's socket folder is the cluster's own (bind-mounted through the link).
        std::os::unix::fs::symlink(pg.socket_dir(), host_dir.join("run-postgresql"))
            .expect("link the socket folder");
        let mut host = NsHost::prepare(&host_dir, name, address, &MOUNTS);
        let conf = format!(
            "data_directory = '{}'\nport = {}\nunix_socket_directories = '/run/postgresql'\n",
            pg.root.join("data").display(),
            pg.port
        );
        host.write("/etc/postgresql/15/main/postgresql.conf", &conf);
        host.write(
            "/etc/postgresql/15/main/pg_hba.conf",
            "local all all peer\n",
        );
        host.write("/etc/postgresql/15/main/start.conf", "auto\n");
        host.write("/etc/postgresql/15/main/pg_ctl.conf", "");
        let nginx_port = free_port(address);
        host.write("/etc/nginx/nginx.conf", &nginx_conf(address, nginx_port));
        host.write("/var/log/nginx/error.log", "");
        let keys = FleetKeys::generate(dir.path());
        start_hosts([&mut host], &keys);
        let mut started = ServiceHost {
            keys,
            host,
            pg,
            nginx_port,
            _dir: dir,
        };
        started.start_nginx();
        started
    }

    /// Starts nginx inside the host (it daemonizes there) and waits for it to answer.
    pub fn start_nginx(&mut self) {
        let (code, out, err) = self.keys.ssh(&self.host, "nginx");
        assert_eq!(code, 0, "nginx did not start: {out}{err}");
        let url = format!("{}:{}", self.host.address, self.nginx_port);
        let up = wait_until(NGINX_WAIT, || {
            std::net::TcpStream::connect(&url).is_ok() && self.nginx_pid().is_some()
        });
        assert!(up, "nginx does not answer at {url}");
    }

    /// nginx's master pid, while its pid file names a live process.
    pub fn nginx_pid(&self) -> Option<i32> {
        let text = std::fs::read_to_string(self.host.file(NGINX_PID)).ok()?;
        let pid: i32 = text.trim().parse().ok()?;
        Path::new(&format!("/proc/{pid}")).exists().then_some(pid)
    }

    /// Writes the host's nginx.conf (e.g. a broken one).
    pub fn write_nginx_conf(&self, text: &str) {
        self.host.write("/etc/nginx/nginx.conf", text);
    }

    /// The working nginx.conf.
    pub fn good_nginx_conf(&self) -> String {
        nginx_conf(&self.host.address, self.nginx_port)
    }

    /// Stops nginx (SIGQUIT to the master, which stops its workers) and waits for it to go.
    pub fn stop_nginx(&mut self) {
        let Some(pid) = self.nginx_pid() else {
            return;
        };
        // SAFETY: kill(2) on the pid nginx wrote; no memory involved.
        unsafe { libc::kill(pid, libc::SIGQUIT) };
        let gone = wait_until(NGINX_WAIT, || !Path::new(&format!("/proc/{pid}")).exists());
        if !gone {
            // SAFETY: as above.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }

    /// The inventory's `[[hosts]]` entry fields that reach it (address, port, user, key).
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

    /// known_hosts for the inventory's `[settings]`.
    pub fn known_hosts(&self) -> String {
        self.keys.known_hosts.display().to_string()
    }
}

impl Drop for ServiceHost {
    fn drop(&mut self) {
        self.stop_nginx();
        self.host.kill();
    }
}

/// A minimal nginx.conf: one server at `address:port`, every path under the host's folders.
fn nginx_conf(address: &str, port: u16) -> String {
    format!(
        "pid {NGINX_PID};\nerror_log /var/log/nginx/error.log;\nworker_processes 1;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log /var/log/nginx/access.log;\n\
         client_body_temp_path /var/lib/nginx/body;\n  proxy_temp_path /var/lib/nginx/proxy;\n\
         fastcgi_temp_path /var/lib/nginx/fastcgi;\n  uwsgi_temp_path /var/lib/nginx/uwsgi;\n\
         scgi_temp_path /var/lib/nginx/scgi;\n\
         server {{ listen {address}:{port}; location / {{ return 200 \"ok\\n\"; }} }}\n}}\n"
    )
}
