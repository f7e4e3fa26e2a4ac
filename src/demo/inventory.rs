//! The demo fleet's inventory, written as an ordinary TOML file and loaded like any other.

use crate::demo::hosts::DemoHostSpec;
use crate::demo::ssh_keys::{CLIENT_KEY_FILE, KNOWN_HOSTS_FILE};
use crate::io::identity::current_operator;
use std::fmt::Write as _;
use std::path::Path;

/// Where a running demo host answers on loopback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoHostPorts {
    /// The host.
    pub spec: DemoHostSpec,
    /// Port of its HTTP health endpoint.
    pub health_port: u16,
    /// Port of its SSH server; `None` for a host without one, which the inventory then
    /// describes as the local machine (useful where no demo servers run, e.g. screen tests).
    pub ssh_port: Option<u16>,
}

/// A host known only by its health port: reached as the local machine.
impl From<(DemoHostSpec, u16)> for DemoHostPorts {
    fn from((spec, health_port): (DemoHostSpec, u16)) -> Self {
        Self {
            spec,
            health_port,
            ssh_port: None,
        }
    }
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn quoted_path(p: &Path) -> String {
    quoted(&p.display().to_string())
}

/// The inventory text for the running demo hosts under `dir`. Hosts with an SSH port are
/// reached over SSH with the demo's own key and known_hosts (both in `dir`) and checked with
/// `ssh`, `tcp` (the health port) and `http`; the others as the local machine, with `tcp` and
/// `http` only.
pub fn inventory_toml<H: Copy + Into<DemoHostPorts>>(dir: &Path, hosts: &[H]) -> String {
    let hosts: Vec<DemoHostPorts> = hosts.iter().map(|h| (*h).into()).collect();
    let mut out = String::from(
        "# The simulated go-speed fleet of `cockpit demo`. Written by cockpit; edit a copy.\n\n\
         [settings]\nprobe_interval_secs = 1\ncheck_timeout_secs = 1\ndown_after = 3\nup_after = 2\n",
    );
    if hosts.iter().any(|h| h.ssh_port.is_some()) {
        let _ = writeln!(
            out,
            "known_hosts = {}",
            quoted_path(&dir.join(KNOWN_HOSTS_FILE))
        );
    }
    for host in &hosts {
        out.push_str(&host_toml(dir, host));
    }
    let db = dir.join("speed.db");
    let _ = write!(
        out,
        "\n[[databases]]\nname = \"speed\"\ndriver = \"sqlite\"\nurl = {}\n",
        quoted(&format!("sqlite://{}", db.display()))
    );
    out
}

/// One `[[hosts]]` table.
fn host_toml(dir: &Path, host: &DemoHostPorts) -> String {
    let spec = host.spec;
    let health = host.health_port;
    let log = dir.join("hosts").join(spec.name).join(spec.log);
    let mut out = format!(
        "\n[[hosts]]\nname = {name}\naddress = \"127.0.0.1\"\nrole = {role}\n",
        name = quoted(spec.name),
        role = quoted(spec.role),
    );
    let ssh_check = match host.ssh_port {
        Some(port) => {
            let _ = write!(
                out,
                "transport = \"ssh\"\nport = {port}\nuser = {user}\nidentity_files = [{key}]\n",
                user = quoted(&current_operator().user),
                key = quoted_path(&dir.join(CLIENT_KEY_FILE)),
            );
            "  { kind = \"ssh\" },\n"
        }
        None => {
            out.push_str("transport = \"local\"\n");
            ""
        }
    };
    let _ = write!(
        out,
        "tags = [\"demo\"]\nlogs = [{log}]\nvars = {{ public_ip = {ip} }}\n\
         checks = [\n{ssh_check}  {{ kind = \"tcp\", port = {health} }},\n  {{ kind = \"http\", url = \"http://127.0.0.1:{health}/health\", expect_status = 200 }},\n]\n",
        log = quoted_path(&log),
        ip = quoted(spec.public_ip),
    );
    out
}
