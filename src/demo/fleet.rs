//! The simulated hosts, all on loopback: each one an SSH server (russh, in-process), an HTTP
//! health endpoint and a growing log, in a folder holding the files seed 001's procedure works
//! on (see `world`), with its simulated tools (see `shim`). Killing a host (drill) closes its
//! ports, cuts its SSH connections and stops its log; bringing it back reopens the same ports
//! with the same host key.

use crate::core::drill::Drill;
use crate::demo::health::serve_health;
use crate::demo::hosts::{DEMO_HOSTS, DemoHostSpec};
use crate::demo::inventory::DemoHostPorts;
use crate::demo::logs::{Faults, log_writer};
use crate::demo::shim::install_tools;
use crate::demo::ssh_keys::{
    CLIENT_KEY_FILE, KNOWN_HOSTS_FILE, known_hosts_text, new_ed25519_key, write_private_key,
};
use crate::demo::ssh_server::DemoSshServer;
use crate::demo::world::{self, host_dir, seed_primary_mysql};
use russh::keys::PublicKey;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What a killed host says it suffered, in the drill picker and the journal.
const KILLED: &str = "killed (ports closed, logs stopped)";

/// One simulated host and the tasks that make it answer.
struct RunningHost {
    spec: DemoHostSpec,
    /// The host's folder: commands run over SSH start here.
    dir: PathBuf,
    ssh: DemoSshServer,
    health_port: u16,
    health: Option<JoinHandle<()>>,
    logger: Option<JoinHandle<()>>,
}

impl RunningHost {
    /// Starts the host's SSH server, health endpoint and log under `fleet_dir/hosts/NAME`, its
    /// commands finding its simulated tools in `bin_dir`.
    async fn start(
        spec: DemoHostSpec,
        fleet_dir: &Path,
        client_key: &PublicKey,
        faults: &Faults,
        bin_dir: Option<PathBuf>,
    ) -> std::io::Result<Self> {
        let dir = host_dir(fleet_dir, spec);
        let log = dir.join(spec.log);
        if let Some(parent) = log.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&log, "")?;
        let ssh = DemoSshServer::start(
            spec,
            new_ed25519_key()?,
            client_key.clone(),
            dir.clone(),
            bin_dir,
        )
        .await?;
        let health_listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let health_port = health_listener.local_addr()?.port();
        Ok(Self {
            spec,
            ssh,
            health_port,
            health: Some(tokio::spawn(serve_health(health_listener, spec.name))),
            logger: Some(tokio::spawn(log_writer(spec, log, faults.clone()))),
            dir,
        })
    }

    fn ports(&self) -> DemoHostPorts {
        DemoHostPorts {
            spec: self.spec,
            health_port: self.health_port,
            ssh_port: Some(self.ssh.port()),
        }
    }

    /// Stops everything the host runs, as if it lost power.
    fn kill(&mut self) {
        self.ssh.stop();
        self.health.take().inspect(JoinHandle::abort);
        self.logger.take().inspect(JoinHandle::abort);
    }

    /// Brings a killed host back on the same ports; a host that is up is left alone. When a
    /// port cannot be reopened the host stays down. Must be called within the Tokio runtime.
    fn revive(&mut self, faults: &Faults) -> Result<(), String> {
        if self.health.is_some() {
            return Ok(());
        }
        let revived = self.reopen_ports();
        if revived.is_err() {
            self.kill();
            return revived;
        }
        let log = self.dir.join(self.spec.log);
        self.logger = Some(tokio::spawn(log_writer(self.spec, log, faults.clone())));
        Ok(())
    }

    fn reopen_ports(&mut self) -> Result<(), String> {
        self.ssh
            .restart()
            .map_err(|e| format!("cannot reopen SSH port {}: {e}", self.ssh.port()))?;
        let health_listener = std::net::TcpListener::bind(("127.0.0.1", self.health_port))
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .and_then(TcpListener::from_std)
            .map_err(|e| format!("cannot reopen port {}: {e}", self.health_port))?;
        self.health = Some(tokio::spawn(serve_health(health_listener, self.spec.name)));
        Ok(())
    }
}

impl Drop for RunningHost {
    fn drop(&mut self) {
        self.kill();
    }
}

/// How to start the demo fleet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoOptions {
    /// The cockpit executable the hosts' simulated tools (`mysql`, `systemctl`, `nginx`,
    /// `crontab`) call; without it the hosts have none of them.
    pub cockpit_bin: Option<PathBuf>,
}

impl DemoOptions {
    /// The running executable as the tools' cockpit, when it is cockpit (a test binary is
    /// not: tests name the cockpit binary themselves).
    pub fn from_current_exe() -> Self {
        let cockpit_bin = std::env::current_exe()
            .ok()
            .filter(|exe| exe.file_stem().is_some_and(|stem| stem == "cockpit"));
        Self { cockpit_bin }
    }
}

/// The running simulated fleet.
pub struct DemoFleet {
    dir: PathBuf,
    hosts: Vec<RunningHost>,
    faults: Faults,
}

impl DemoFleet {
    /// Starts every host under `dir` (which must exist) with [`DemoOptions::from_current_exe`];
    /// see [`DemoFleet::start_with`].
    pub async fn start(dir: &Path) -> std::io::Result<Self> {
        Self::start_with(dir, &DemoOptions::from_current_exe()).await
    }

    /// Starts every host under `dir` (which must exist): their files (dumps, configuration,
    /// crontabs; see `world`), simulated tools in `bin/HOST/` when `options` names the cockpit
    /// executable, the primary's MySQL data, SSH servers, health endpoints and logs. Also
    /// writes the key cockpit logs in with (`client_ed25519`) and the `known_hosts` file
    /// holding every host's key. The inventory's `speed` database is created apart, by
    /// [`crate::demo::create_speed_db`].
    pub async fn start_with(dir: &Path, options: &DemoOptions) -> std::io::Result<Self> {
        let now = chrono::Local::now();
        world::build(dir, now)?;
        let primary_db = seed_primary_mysql(dir, now).await?;
        let faults: Faults = Arc::new(Mutex::new(BTreeMap::new()));
        let client_key = new_ed25519_key()?;
        write_private_key(&dir.join(CLIENT_KEY_FILE), &client_key)?;
        let mut hosts = Vec::new();
        for spec in DEMO_HOSTS {
            let bin_dir = match &options.cockpit_bin {
                Some(cockpit) => Some(install_tools(dir, spec, cockpit, &primary_db)?),
                None => None,
            };
            hosts.push(
                RunningHost::start(spec, dir, client_key.public_key(), &faults, bin_dir).await?,
            );
        }
        let host_keys: Vec<(u16, &PublicKey)> = hosts
            .iter()
            .map(|h| (h.ssh.port(), h.ssh.host_key()))
            .collect();
        std::fs::write(dir.join(KNOWN_HOSTS_FILE), known_hosts_text(&host_keys)?)?;
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

    /// Where each host answers: its SSH and health ports.
    pub fn ports(&self) -> Vec<DemoHostPorts> {
        self.hosts.iter().map(RunningHost::ports).collect()
    }

    /// Stops every simulated host.
    pub fn stop(&mut self) {
        for h in &mut self.hosts {
            h.kill();
        }
    }

    fn host_mut(&mut self, host: &str) -> Result<&mut RunningHost, String> {
        self.hosts
            .iter_mut()
            .find(|h| h.spec.name == host)
            .ok_or_else(|| format!("no demo host `{host}`"))
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
        self.host_mut(host)?.kill();
        if let Ok(mut f) = self.faults.lock() {
            f.insert(host.to_string(), KILLED.to_string());
        }
        Ok(KILLED.to_string())
    }

    fn clear(&mut self, host: &str) -> Result<(), String> {
        let faults = self.faults.clone();
        self.host_mut(host)?.revive(&faults)?;
        if let Ok(mut f) = faults.lock() {
            f.remove(host);
        }
        Ok(())
    }
}
