//! The simulated hosts: one loopback HTTP health endpoint and one growing log each.

use crate::core::drill::Drill;
use crate::demo::logs::{Faults, log_writer};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A simulated host's fixed facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoHostSpec {
    /// Host name.
    pub name: &'static str,
    /// Role, as seed 001 names the machines.
    pub role: &'static str,
    /// The public address it stands for (documentation ranges, RFC 5737).
    pub public_ip: &'static str,
    /// Its log file, relative to the host's folder.
    pub log: &'static str,
}

/// Seed 001's fleet.
pub const DEMO_HOSTS: [DemoHostSpec; 5] = [
    DemoHostSpec {
        name: "nginx-1",
        role: "nginx",
        public_ip: "203.0.113.160",
        log: "var/log/nginx/access.log",
    },
    DemoHostSpec {
        name: "nginx-2",
        role: "nginx",
        public_ip: "203.0.113.9",
        log: "var/log/nginx/access.log",
    },
    DemoHostSpec {
        name: "app-primary",
        role: "app-primary",
        public_ip: "198.51.100.86",
        log: "wwwroot/go/go-api/logs/go-api.log",
    },
    DemoHostSpec {
        name: "app-backup",
        role: "app-backup",
        public_ip: "198.51.100.47",
        log: "wwwroot/go/go-api/logs/go-api.log",
    },
    DemoHostSpec {
        name: "backup-store",
        role: "backup-store",
        public_ip: "198.51.100.21",
        log: "var/log/backup.log",
    },
];

struct RunningHost {
    spec: DemoHostSpec,
    port: u16,
    server: Option<JoinHandle<()>>,
    logger: Option<JoinHandle<()>>,
}

/// The running simulated fleet.
pub struct DemoFleet {
    dir: PathBuf,
    hosts: Vec<RunningHost>,
    faults: Faults,
}

impl DemoFleet {
    /// Starts every host under `dir` (which must exist): health endpoints, logs, backups.
    pub async fn start(dir: &Path) -> std::io::Result<Self> {
        let faults: Faults = Arc::new(Mutex::new(BTreeMap::new()));
        let mut hosts = Vec::new();
        for spec in DEMO_HOSTS {
            let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
            let port = listener.local_addr()?.port();
            let log = dir.join("hosts").join(spec.name).join(spec.log);
            if let Some(parent) = log.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&log, "")?;
            let server = tokio::spawn(serve_health(listener, spec.name));
            let logger = tokio::spawn(log_writer(spec, log, faults.clone()));
            hosts.push(RunningHost {
                spec,
                port,
                server: Some(server),
                logger: Some(logger),
            });
        }
        let backups = dir.join("hosts/app-backup/shell/sql_backup");
        std::fs::create_dir_all(&backups)?;
        for day in ["20261119", "20261120", "20261121"] {
            let body = format!(
                "-- speed backup {day} 03:00\nCREATE TABLE t_app_dns (id INTEGER PRIMARY KEY, domain TEXT, ip TEXT, status INTEGER);\n"
            );
            std::fs::write(backups.join(format!("speed-{day}-0300.sql")), body)?;
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            hosts,
            faults,
        })
    }

    /// The fleet's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Each host with its health port.
    pub fn ports(&self) -> Vec<(DemoHostSpec, u16)> {
        self.hosts.iter().map(|h| (h.spec, h.port)).collect()
    }

    /// Stops every simulated host.
    pub fn stop(&mut self) {
        for h in &mut self.hosts {
            h.server.take().inspect(JoinHandle::abort);
            h.logger.take().inspect(JoinHandle::abort);
        }
    }
}

impl Drop for DemoFleet {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Drill for DemoFleet {
    fn hosts(&self) -> Vec<(String, Option<String>)> {
        let faults = self.faults.lock().map(|f| f.clone()).unwrap_or_default();
        self.hosts
            .iter()
            .map(|h| (h.spec.name.to_string(), faults.get(h.spec.name).cloned()))
            .collect()
    }

    fn inject(&mut self, host: &str) -> Result<String, String> {
        let h = self
            .hosts
            .iter_mut()
            .find(|h| h.spec.name == host)
            .ok_or_else(|| format!("no demo host `{host}`"))?;
        h.server.take().inspect(JoinHandle::abort);
        h.logger.take().inspect(JoinHandle::abort);
        let fault = "killed (ports closed, logs stopped)".to_string();
        if let Ok(mut f) = self.faults.lock() {
            f.insert(host.to_string(), fault.clone());
        }
        Ok(fault)
    }

    fn clear(&mut self, host: &str) -> Result<(), String> {
        let dir = self.dir.clone();
        let faults = self.faults.clone();
        let h = self
            .hosts
            .iter_mut()
            .find(|h| h.spec.name == host)
            .ok_or_else(|| format!("no demo host `{host}`"))?;
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", h.port))
            .map_err(|e| format!("cannot reopen port {}: {e}", h.port))?;
        std_listener
            .set_nonblocking(true)
            .map_err(|e| e.to_string())?;
        let listener = TcpListener::from_std(std_listener).map_err(|e| e.to_string())?;
        h.server = Some(tokio::spawn(serve_health(listener, h.spec.name)));
        let log = dir.join("hosts").join(h.spec.name).join(h.spec.log);
        h.logger = Some(tokio::spawn(log_writer(h.spec, log, faults.clone())));
        if let Ok(mut f) = faults.lock() {
            f.remove(host);
        }
        Ok(())
    }
}

/// Answers every request with `200 OK` (the host's health endpoint).
async fn serve_health(listener: TcpListener, name: &'static str) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let mut buf = [0u8; 2048];
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), socket.read(&mut buf))
                .await;
            let body = format!("{{\"status\":\"ok\",\"host\":\"{name}\"}}\n");
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
        });
    }
}
