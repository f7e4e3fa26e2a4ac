//! Seed 001's fleet as fixed facts: each simulated host's name, role, address and log. Every
//! part of the demo reads these; the running fleet (`fleet`) is one of those readers.

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
