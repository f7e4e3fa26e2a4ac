//! Log lines the simulated hosts write, reacting to the faults injected into the fleet.

use crate::demo::hosts::DemoHostSpec;
use crate::demo::world::{backup_times, dump_name};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Active faults by host name, shared with the log writers so the survivors notice.
pub type Faults = Arc<Mutex<BTreeMap<String, String>>>;

const PATHS: [&str; 6] = [
    "/api/v1/nodes",
    "/api/v1/user/info",
    "/api/v1/order/list",
    "/admin/login",
    "/api/v1/config",
    "/fly/ws",
];

/// A small deterministic generator, so demo logs need no randomness crate.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound.max(1)
    }
}

/// Appends a line every 0.4–1.2 s to the host's log, forever.
pub async fn log_writer(spec: DemoHostSpec, path: PathBuf, faults: Faults) {
    let seed = spec.name.bytes().fold(0x9E37_79B9_7F4A_7C15_u64, |h, b| {
        h.rotate_left(5) ^ u64::from(b)
    });
    let mut rng = Xorshift(seed | 1);
    loop {
        tokio::time::sleep(Duration::from_millis(400 + rng.next(800))).await;
        let primary_down = faults
            .lock()
            .map(|f| f.contains_key("app-primary"))
            .unwrap_or(false);
        let line = line_for(spec, &mut rng, primary_down);
        let written = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .and_then(|mut f| writeln!(f, "{line}"));
        if written.is_err() {
            return;
        }
    }
}

fn line_for(spec: DemoHostSpec, rng: &mut Xorshift, primary_down: bool) -> String {
    let now = chrono::Local::now();
    let client = format!("192.0.2.{}", 10 + rng.next(200));
    let path = PATHS[rng.next(PATHS.len() as u64) as usize];
    let ms = 3 + rng.next(40);
    match spec.role {
        "nginx" if primary_down && rng.next(3) > 0 => format!(
            "{} [error] upstream prematurely closed: connect() failed (111: Connection refused) while connecting to upstream, client: {client}, request: \"GET {path} HTTP/1.1\", upstream: \"http://198.51.100.86:8080{path}\" → 502",
            now.format("%Y/%m/%d %H:%M:%S")
        ),
        "nginx" => format!(
            "{client} - - [{}] \"GET {path} HTTP/1.1\" 200 {} \"-\" \"okhttp/4.9.3\" {ms}ms",
            now.format("%d/%b/%Y:%H:%M:%S %z"),
            200 + rng.next(3000)
        ),
        "app-backup" if primary_down => format!(
            "{} [ERROR] go-api: Cannot connect to database: dial tcp 198.51.100.86:3306: connect: connection refused",
            now.format("%Y-%m-%d %H:%M:%S")
        ),
        "app-primary" | "app-backup" if rng.next(10) == 0 => format!(
            "{} [INFO] go-job: expired users swept, {} offline",
            now.format("%Y-%m-%d %H:%M:%S"),
            rng.next(5)
        ),
        "app-primary" | "app-backup" => format!(
            "{} [INFO] go-api: GET {path} 200 {ms}ms uid={}",
            now.format("%Y-%m-%d %H:%M:%S"),
            10_000 + rng.next(90_000)
        ),
        _ => format!(
            "{} database_backup_speed.py: upload check ok, newest /shell/sql_backup/{}",
            now.format("%Y-%m-%d %H:%M:%S"),
            dump_name(backup_times(now)[0])
        ),
    }
}
