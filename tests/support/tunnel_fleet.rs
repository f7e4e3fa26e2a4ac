//! A running `FleetWorker` whose hosts tunnel to databases: `db1` on a real test sshd, `down`
//! on an SSH port where nothing listens, plus whatever `[[hosts]]` the test adds. Include it
//! next to `sshd.rs`: `#[path = "support/tunnel_fleet.rs"] mod tunnel_fleet;`.
#![allow(dead_code)]

use super::sshd::{TestSshd, write_known_hosts};
use cockpit::core::diagnostic::SourceFile;
use cockpit::core::redact::Redactor;
use cockpit::io::fleet::FleetWorker;
use cockpit::io::sql::TunnelOpener;
use std::path::Path;
use std::time::{Duration, Instant};

/// A TOML string literal of `s`.
pub use crate::support::sshd::quoted;

/// Starts the fleet (on the current tokio runtime; its reports are drained), its known_hosts in
/// `dir`; `down_port` is `down`'s port, `more_hosts` TOML appended to the inventory.
pub fn start_fleet(sshd: &TestSshd, dir: &Path, down_port: u16, more_hosts: &str) -> FleetWorker {
    let known = dir.join("known_hosts");
    write_known_hosts(&known, &[sshd.known_hosts_line()]);
    let inventory = format!(
        "[settings]\nprobe_interval_secs = 1\ncheck_timeout_secs = 3\nknown_hosts = {known}\n\
         \n[[hosts]]\nname = \"db1\"\naddress = {addr}\nport = {port}\nuser = {user}\nrole = \"db\"\nidentity_files = [{key}]\n\
         \n[[hosts]]\nname = \"down\"\naddress = \"127.0.0.1\"\nport = {down_port}\nuser = {user}\nrole = \"db\"\nidentity_files = [{key}]\n\
         {more_hosts}",
        known = quoted(&known.display().to_string()),
        addr = quoted(&sshd.address),
        port = sshd.port,
        user = quoted(&sshd.user),
        key = quoted(&sshd.client_key.display().to_string()),
    );
    let inv = cockpit::core::inventory::parse(&SourceFile::new("inv.toml", inventory))
        .expect("inventory");
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    FleetWorker::start(&inv, &Redactor::default(), tx)
}

/// Tries the opener (a channel to 127.0.0.1:`port` as the host sees it) until it works: the
/// fleet connects in the background.
pub async fn wait_connected(opener: &TunnelOpener, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match opener("127.0.0.1".into(), port).await {
            Ok(_) => return,
            Err(e) if Instant::now() > deadline => panic!("never connected: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
