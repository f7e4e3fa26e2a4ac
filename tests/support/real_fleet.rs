//! A real fleet for seed 001's §4.3 drill: four OpenSSH `sshd` hosts on loopback addresses,
//! each started (as root) inside a mount namespace of its own where the seed's absolute paths
//! hold that host's files.
//!
//! Every host is `unshare -m --propagation private sh -c 'mount --bind …; exec sshd -D …'`:
//! the bind mounts exist only in that namespace (sshd's sessions inherit it), so each host sees
//! its own `/shell`, `/wwwroot`, `/etc/nginx` and `/usr/local/bin` while the real ones are never
//! written to. The real root only gets the empty mount-point folders, made when missing.
//!
//! `/usr/local/bin` (first on the PATH sshd gives root's sessions after the empty
//! `/usr/local/sbin`; [`RealFleet::start`] checks) holds stand-ins for `systemctl`, `nginx` and
//! `crontab`: small shell scripts that append each call to the host's `calls.log`, so a test
//! can say "the services were restarted" and "nginx -t, then nginx -s reload, ran". `mysql` is
//! the real client: app-backup's `mysql < dump` imports into the real MariaDB (root over the
//! unix socket), into the database named `speed` the playbook's SQL names, which
//! [`SpeedDb`] resets and holds a server-wide lock on while a drill runs.
//!
//! Each host is a [`super::ns_host::NsHost`]. Include it with
//! `#[path = "support/sshd.rs"] mod sshd;`, `#[path = "support/ns_host.rs"] mod ns_host;` and
//! `#[path = "support/real_fleet.rs"] mod real_fleet;`.

#![allow(dead_code)]

use super::ns_host::{
    FleetKeys, NsHost, require_namespace_tools, shell_quote, start_hosts, toml_string, write,
    write_exec,
};
use super::sshd::current_user;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime};

/// The dead primary's public IP (the incident's `public_ip` fact).
pub const PRIMARY_IP: &str = "198.51.100.86";
/// The backup app server's public IP.
pub const BACKUP_IP: &str = "198.51.100.47";
/// An address that shares a prefix with [`PRIMARY_IP`]: its rows and lines must survive.
pub const LOOKALIKE_IP: &str = "198.51.100.8";
/// nginx-1's and nginx-2's public IPs.
pub const NGINX_IPS: [&str; 2] = ["203.0.113.160", "203.0.113.161"];

/// The folders each host gets in its namespace, and the real mount points they cover.
const MOUNTS: [(&str, &str); 4] = [
    ("shell", "/shell"),
    ("wwwroot", "/wwwroot"),
    ("etc-nginx", "/etc/nginx"),
    ("bin", "/usr/local/bin"),
];

/// The three back-end configs §4.3.5 edits, as paths on app-backup.
pub const CONFIGS: [&str; 3] = [
    "/wwwroot/go/go-api/config.yaml",
    "/wwwroot/go/go-admin/config.yaml",
    "/wwwroot/go/go-fly/config/mysql.json",
];

/// How long a starting sshd may take to say it listens.
const READY: Duration = Duration::from_secs(20);

/// The fleet's hosts: (name, role, loopback address, public IP).
pub const HOSTS: [(&str, &str, &str, &str); 4] = [
    ("nginx-1", "nginx", "127.0.8.1", NGINX_IPS[0]),
    ("nginx-2", "nginx", "127.0.8.2", NGINX_IPS[1]),
    ("app-primary", "app-primary", "127.0.8.3", PRIMARY_IP),
    ("app-backup", "app-backup", "127.0.8.4", BACKUP_IP),
];

/// Fails (never skips) unless this runs as root with `unshare`, `mount`, sshd and the mysql
/// client available.
pub fn require_fleet_tools() {
    require_namespace_tools(&[(
        "mysql",
        "the MariaDB client, which app-backup's import runs (apt-get install mariadb-client)",
    )]);
}

/// One host of the drill: a namespace host with the inventory's role and public IP, and the
/// log its stand-ins append to. Derefs to its [`NsHost`] (port, folders, files, kill).
pub struct FleetHost {
    /// Inventory name.
    pub name: &'static str,
    /// Inventory role.
    pub role: &'static str,
    /// Loopback address sshd listens on.
    pub address: &'static str,
    /// Its public IP (the inventory's `public_ip` fact).
    pub public_ip: &'static str,
    /// Where the stand-ins log their calls, one line each (`nginx -t`, …).
    pub calls_log: PathBuf,
    ns: NsHost,
}

impl std::ops::Deref for FleetHost {
    type Target = NsHost;
    fn deref(&self) -> &NsHost {
        &self.ns
    }
}

impl std::ops::DerefMut for FleetHost {
    fn deref_mut(&mut self) -> &mut NsHost {
        &mut self.ns
    }
}

impl FleetHost {
    /// The stand-ins' calls so far, one per line.
    pub fn calls(&self) -> Vec<String> {
        fs::read_to_string(&self.calls_log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

/// The running fleet, its client key, known_hosts and inventory.
pub struct RealFleet {
    /// The hosts, in inventory order.
    pub hosts: Vec<FleetHost>,
    /// The client key every host authorizes (root), and known_hosts.
    pub keys: FleetKeys,
    /// The newest dump's path on app-backup.
    pub newest_dump: String,
    /// The temporary folder (kept when the test fails).
    pub dir: PathBuf,
    tmp: Option<tempfile::TempDir>,
}

/// The name of the dump taken on `date`: `speed-YYYYMMDD.sql`.
fn dump_name(date: chrono::NaiveDate) -> String {
    format!("speed-{}.sql", date.format("%Y%m%d"))
}

impl RealFleet {
    /// Writes every host's files and starts the four sshd hosts; returns once each answers
    /// and a session on each sees its own files and stand-ins first on its PATH.
    pub fn start() -> RealFleet {
        require_fleet_tools();
        let tmp = tempfile::Builder::new()
            .prefix("cockpit-real-fleet-")
            .tempdir()
            .expect("temp dir for the fleet");
        let dir = tmp.path().to_path_buf();
        let keys = FleetKeys::generate(&dir);

        let today = chrono::Local::now().date_naive();
        let dumps: Vec<(String, String, SystemTime)> = (0..3)
            .map(|age| {
                let date = today - chrono::Duration::days(age + 1);
                let taken = SystemTime::now() - Duration::from_secs(86_400 * (age as u64 + 1));
                (dump_name(date), dump_text(age as usize), taken)
            })
            .collect();
        let newest_dump = format!("/shell/sql_backup/{}", dumps[0].0);

        let mut hosts = Vec::new();
        for (name, role, address, public_ip) in HOSTS {
            let hdir = dir.join(name);
            let host = FleetHost {
                name,
                role,
                address,
                public_ip,
                calls_log: hdir.join("calls.log"),
                ns: NsHost::prepare(&hdir, name, address, &MOUNTS),
            };
            write_host_files(&host, &dumps);
            hosts.push(host);
        }
        let mut fleet = RealFleet {
            hosts,
            keys,
            newest_dump,
            dir,
            tmp: Some(tmp),
        };
        start_hosts(fleet.hosts.iter_mut().map(|h| &mut h.ns), &fleet.keys);
        fleet.check_each_host_sees_its_own_world();
        fleet
    }

    /// A host by name.
    pub fn host(&self, name: &str) -> &FleetHost {
        self.hosts
            .iter()
            .find(|h| h.name == name)
            .unwrap_or_else(|| panic!("no host {name}"))
    }

    /// A host by name, mutably.
    pub fn host_mut(&mut self, name: &str) -> &mut FleetHost {
        self.hosts
            .iter_mut()
            .find(|h| h.name == name)
            .unwrap_or_else(|| panic!("no host {name}"))
    }

    /// Runs `command` on `host` with the system OpenSSH client; (exit status, stdout, stderr).
    pub fn ssh(&self, host: &str, command: &str) -> (i32, String, String) {
        self.keys.ssh(self.host(host), command)
    }

    /// Each host's session resolves the stand-ins to its own `/usr/local/bin` and sees its own
    /// files; the real root's mount points stay empty.
    fn check_each_host_sees_its_own_world(&self) {
        for h in &self.hosts {
            let (code, out, err) = self.ssh(
                h.name,
                "echo PATH=$PATH; for t in systemctl nginx crontab; do command -v $t; done; cat /usr/local/bin/.host",
            );
            assert_eq!(code, 0, "{}: {out}{err}", h.name);
            if h.name == "app-backup" {
                let path = out
                    .lines()
                    .find(|l| l.starts_with("PATH="))
                    .unwrap_or("PATH?");
                eprintln!("real fleet: a root session's {path}");
            }
            for tool in ["systemctl", "nginx", "crontab"] {
                assert!(
                    out.lines().any(|l| l == format!("/usr/local/bin/{tool}")),
                    "{}: `{tool}` does not resolve to the stand-in in /usr/local/bin; the session's PATH and lookups:\n{out}{err}",
                    h.name
                );
            }
            assert!(
                out.lines().any(|l| l == h.name),
                "{}: the session does not see its own /usr/local/bin:\n{out}",
                h.name
            );
        }
        let (code, out, err) = self.ssh(
            "app-backup",
            "ls /shell/sql_backup/ && grep -c -F 198.51.100.86 /wwwroot/go/go-api/config.yaml",
        );
        assert_eq!(
            code, 0,
            "app-backup's files are not visible over SSH: {out}{err}"
        );
        assert_outside_untouched();
    }

    /// Keeps the fleet's folder (called when a test fails).
    pub fn keep(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let kept = tmp.keep();
            eprintln!("real fleet kept for inspection: {}", kept.display());
        }
    }

    /// The inventory for this fleet: four hosts (ssh check, root, the client key), the `speed`
    /// database on the test MariaDB with its password from `password_env`.
    pub fn inventory(&self, database_url: &str, password_env: &str) -> String {
        let q = toml_string;
        let mut text = self.keys.inventory_settings();
        for h in &self.hosts {
            text.push_str(&self.keys.inventory_host(h, &current_user(), h.role));
            text.push_str(&format!(
                "vars = {{ public_ip = {} }}\nchecks = [{{ kind = \"ssh\" }}]\n",
                q(h.public_ip)
            ));
        }
        text.push_str(&format!(
            "\n[[databases]]\nname = \"speed\"\ndriver = \"mysql\"\nurl = {}\npassword_env = {}\nread_only = false\n",
            q(database_url),
            q(password_env)
        ));
        text
    }
}

impl Drop for RealFleet {
    fn drop(&mut self) {
        for h in &mut self.hosts {
            h.kill();
        }
        if std::thread::panicking() {
            self.keep();
        }
    }
}

/// Nothing of the drill leaked onto the real root: the mount points it may have created hold
/// none of the hosts' files.
pub fn assert_outside_untouched() {
    for path in [
        "/shell/sql_backup",
        "/wwwroot/go",
        "/etc/nginx/conf.d/upstream.conf",
        "/usr/local/bin/.host",
    ] {
        assert!(
            !Path::new(path).exists(),
            "{path} exists outside the hosts' namespaces: a bind mount leaked or a host wrote to the real root"
        );
    }
}

/// Every host's files: stand-ins and crontab everywhere, configs and dumps on the app
/// servers, nginx's configuration on the nginx machines.
fn write_host_files(h: &FleetHost, dumps: &[(String, String, SystemTime)]) {
    let log = shell_quote(&h.calls_log.display().to_string());
    let bin = h.dir.join("bin");
    write(&bin.join(".host"), &format!("{}\n", h.name));
    let record = format!("printf '%s\\n' \"$(basename \"$0\") $*\" >> {log}\n");
    write_exec(
        &bin.join("systemctl"),
        &format!(
            "#!/bin/sh\n# stand-in for systemctl on {name}: logs the call; units are always active\n{record}\
             case \"$1\" in\n  is-active) shift; for u in \"$@\"; do echo active; done ;;\n  \
             restart|start|stop|reload) ;;\n  *) echo \"systemctl stand-in: $1 not simulated\" >&2; exit 1 ;;\nesac\n",
            name = h.name
        ),
    );
    write_exec(
        &bin.join("nginx"),
        &format!(
            "#!/bin/sh\n# stand-in for nginx on {name}: -t checks that every upstream keeps a server\n{record}\
             case \"$*\" in\n  -t)\n    awk '/^upstream /{{u=1; n=0; next}} u && /^[[:space:]]*server[[:space:]]/{{n++}} \
             u && /^}}/{{if (n == 0) {{print FILENAME \": upstream without a server\"; bad=1}} u=0}} END{{exit bad}}' \
             /etc/nginx/conf.d/*.conf >&2 || {{ echo 'nginx: configuration file /etc/nginx/nginx.conf test failed' >&2; exit 1; }}\n    \
             echo 'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok' >&2\n    \
             echo 'nginx: configuration file /etc/nginx/nginx.conf test is successful' >&2 ;;\n  \
             '-s reload') ;;\n  *) echo \"nginx stand-in: $* not simulated\" >&2; exit 1 ;;\nesac\n",
            name = h.name
        ),
    );
    let crontab_file = h.dir.join("crontab");
    write(&crontab_file, &crontab(h.role));
    write_exec(
        &bin.join("crontab"),
        &format!(
            "#!/bin/sh\n# stand-in for crontab on {name}: -l lists it, nothing else is simulated\n{record}\
             [ \"$*\" = -l ] || {{ echo \"crontab stand-in: $* not simulated\" >&2; exit 1; }}\ncat {file}\n",
            name = h.name,
            file = shell_quote(&crontab_file.display().to_string())
        ),
    );
    match h.role {
        "nginx" => {
            let conf = h.dir.join("etc-nginx");
            write(&conf.join("nginx.conf"), NGINX_MAIN);
            write(&conf.join("conf.d/upstream.conf"), &upstreams());
            write(&conf.join("conf.d/speed.conf"), &nginx_sites(h.name));
        }
        "app-backup" => {
            for (path, text) in go_configs(h.name, PRIMARY_IP) {
                write(&h.file(path), &text);
            }
            let dir = h.dir.join("shell/sql_backup");
            for (name, text, taken) in dumps {
                let path = dir.join(name);
                write(&path, text);
                let file = fs::File::options()
                    .write(true)
                    .open(&path)
                    .expect("open dump");
                file.set_modified(*taken).expect("set the dump's time");
            }
        }
        _ => {
            for (path, text) in go_configs(h.name, "127.0.0.1") {
                write(&h.file(path), &text);
            }
        }
    }
}

fn crontab(role: &str) -> String {
    let jobs: &[&str] = match role {
        "app-primary" => &[
            "monitor_api_redis.py",
            "database_backup_speed.py",
            "report/clean_report_data.py",
            "app_port.py",
            "monitor_ng.py",
        ],
        "app-backup" => &[
            "monitor_api_redis.py",
            "clean_old_files.py",
            "port.py",
            "monitor_ng.py",
        ],
        _ => &["monitor_ng.py"],
    };
    jobs.iter()
        .map(|j| format!("* * * * * /usr/bin/python3 /shell/{j} &\n"))
        .collect()
}

/// The three back-end configs naming the database machine `db_host` for MySQL and Redis
/// (go-fly: MySQL only).
pub fn go_configs(host: &str, db_host: &str) -> [(&'static str, String); 3] {
    [
        (
            CONFIGS[0],
            format!(
                "# go-api ({host})\nserver:\n  address: \":8080\"\nmysql:\n  host: {db_host}\n  port: 3306\n  \
                 database: speed\n  username: speed_api\n  password: ${{SPEED_MYSQL_PASSWORD}}\nredis:\n  \
                 host: {db_host}\n  port: 6379\n  db: 0\n"
            ),
        ),
        (
            CONFIGS[1],
            format!(
                "# go-admin ({host})\nsettings:\n  database:\n    driver: mysql\n    host: {db_host}\n    \
                 port: 3306\n    dbname: speed\n  redis:\n    addr: {db_host}:6379\n    db: 1\n"
            ),
        ),
        (
            CONFIGS[2],
            format!(
                "{{\n\t\"Server\": \"{db_host}\",\n\t\"Port\": \"3306\",\n\t\"Database\": \"goflychat\",\n\t\"Username\": \"gofly\"\n}}\n"
            ),
        ),
    ]
}

const NGINX_MAIN: &str = "user www-data;\nworker_processes auto;\nevents {\n    worker_connections 1024;\n}\n\
http {\n    include /etc/nginx/conf.d/*.conf;\n}\n";

/// The back-end services nginx forwards to.
const SERVICES: [(&str, u16); 3] = [("go_api", 8080), ("go_admin", 8081), ("go_fly", 8082)];

/// One upstream per service, listing both app servers (primary first).
pub fn upstreams() -> String {
    let mut out =
        String::from("# one upstream per back-end service: primary and backup app servers\n");
    for (name, port) in SERVICES {
        out.push_str(&format!("\nupstream {name} {{\n"));
        for ip in [PRIMARY_IP, BACKUP_IP] {
            out.push_str(&format!(
                "    server {ip}:{port} max_fails=3 fail_timeout=10s;\n"
            ));
        }
        out.push_str("}\n");
    }
    out
}

fn nginx_sites(host: &str) -> String {
    let mut out = format!("# domains served by {host}\n");
    for (domain, _, _) in DOMAINS.iter().filter(|(_, h, _)| *h == host) {
        out.push_str(&format!(
            "\nserver {{\n    listen 80;\n    server_name {domain};\n"
        ));
        for (name, _) in SERVICES {
            out.push_str(&format!(
                "    location /{}/ {{\n        proxy_pass http://{name};\n    }}\n",
                name.trim_start_matches("go_")
            ));
        }
        out.push_str("}\n");
    }
    out
}

/// `t_app_dns` rows: (domain, host, first dump that has it: 0 = the oldest of three).
pub const DOMAINS: [(&str, &str, usize); 8] = [
    ("shop-a.example", "nginx-1", 0),
    ("shop-b.example", "nginx-1", 0),
    ("shop-c.example", "nginx-2", 0),
    ("api-a.example", "app-primary", 0),
    ("api-b.example", "app-primary", 0),
    ("shop-d.example", "nginx-2", 1),
    ("api-c.example", "app-backup", 2),
    ("api-lookalike.example", "lookalike", 2),
];

fn ip_of(host: &str) -> &'static str {
    if host == "lookalike" {
        return LOOKALIKE_IP;
    }
    HOSTS
        .iter()
        .find(|h| h.0 == host)
        .map(|h| h.3)
        .unwrap_or_else(|| panic!("no host {host}"))
}

/// The rows the newest dump holds: (id, domain, ip).
pub fn newest_rows() -> Vec<(i64, &'static str, &'static str)> {
    DOMAINS
        .iter()
        .enumerate()
        .map(|(i, (d, h, _))| (i as i64 + 1, *d, ip_of(h)))
        .collect()
}

/// The dump of the `age`-th newest night (0 = newest of three), as `mariadb-dump --databases
/// speed` writes it: it creates `speed`, recreates `t_app_dns` (no index on `ip`) and
/// `t_user`, and skips the log tables (`user_logs`).
pub fn dump_text(age: usize) -> String {
    let rows: Vec<String> = DOMAINS
        .iter()
        .enumerate()
        .filter(|(_, (_, _, first))| first + age <= 2)
        .map(|(i, (domain, host, _))| {
            format!(
                "({},'{domain}','{}',1,'2026-11-0{} 10:00:00','2026-11-0{} 10:00:00')",
                i + 1,
                ip_of(host),
                i + 1,
                i + 1
            )
        })
        .collect();
    format!(
        "-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: localhost    Database: speed
-- ------------------------------------------------------
-- Server version\t10.11.6-MariaDB-0+deb12u1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;

--
-- Current Database: `speed`
--

CREATE DATABASE /*!32312 IF NOT EXISTS*/ `speed` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci */;

USE `speed`;

--
-- Table structure for table `t_app_dns`
--

DROP TABLE IF EXISTS `t_app_dns`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE `t_app_dns` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '自增id',
  `domain` varchar(255) NOT NULL COMMENT '域名',
  `ip` varchar(64) NOT NULL COMMENT '域名绑定的机器IP',
  `status` tinyint(4) NOT NULL DEFAULT 1 COMMENT '状态 1上架 2下架',
  `created_at` datetime DEFAULT current_timestamp() COMMENT '创建时间',
  `updated_at` datetime DEFAULT current_timestamp() ON UPDATE current_timestamp() COMMENT '更新时间',
  PRIMARY KEY (`id`) USING BTREE,
  UNIQUE KEY `uk_domain` (`domain`) USING BTREE
) ENGINE=InnoDB AUTO_INCREMENT={next} DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='域名列表';
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `t_app_dns`
--

LOCK TABLES `t_app_dns` WRITE;
/*!40000 ALTER TABLE `t_app_dns` DISABLE KEYS */;
INSERT INTO `t_app_dns` VALUES {rows};
/*!40000 ALTER TABLE `t_app_dns` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `t_user`
--

DROP TABLE IF EXISTS `t_user`;
CREATE TABLE `t_user` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `name` varchar(64) NOT NULL,
  `expire_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

LOCK TABLES `t_user` WRITE;
INSERT INTO `t_user` VALUES (1,'alice','2027-01-01 00:00:00'),(2,'张三','2026-12-31 00:00:00');
UNLOCK TABLES;

/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;
/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;

-- Dump completed
",
        next = rows.len() + 1,
        rows = rows.join(","),
    )
}

/// The shared MariaDB's `speed` database, reset for one drill and locked server-wide
/// (`GET_LOCK`) so that no other drill, in this process or another, uses it meanwhile.
pub struct SpeedDb {
    rt: tokio::runtime::Runtime,
    lock: Option<sqlx::MySqlConnection>,
    /// The server's admin URL (the test login), database `mysql`.
    pub admin: url::Url,
}

/// The lock's name on the server.
const LOCK: &str = "cockpit-real-fleet-drill-speed";

impl SpeedDb {
    /// Waits for the lock (up to 10 minutes), then drops `speed` and recreates it as app-backup's
    /// MySQL holds it before §4.3.3: the database deployed, `t_app_dns` empty.
    pub fn acquire() -> SpeedDb {
        use sqlx::Connection;
        let text = std::env::var("COCKPIT_TEST_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://cockpit_test:cockpit_test@127.0.0.1:3306/mysql".into());
        let admin = url::Url::parse(&text).expect("COCKPIT_TEST_MYSQL_URL is a URL");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let lock = rt.block_on(async {
            let mut c = sqlx::MySqlConnection::connect(admin.as_str())
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "the test MariaDB at {admin} is not reachable ({e}); run scripts/test.sh (as root) or set COCKPIT_TEST_MYSQL_URL"
                    )
                });
            let got: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, 600)")
                .bind(LOCK)
                .fetch_one(&mut c)
                .await
                .expect("GET_LOCK");
            assert_eq!(got, Some(1), "could not take the `speed` lock in 10 minutes");
            c
        });
        let db = SpeedDb {
            rt,
            lock: Some(lock),
            admin,
        };
        db.exec(
            "DROP DATABASE IF EXISTS speed;
             CREATE DATABASE speed DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
             CREATE TABLE speed.t_app_dns (id int NOT NULL AUTO_INCREMENT, domain varchar(255) NOT NULL,
               ip varchar(64) NOT NULL, status tinyint NOT NULL DEFAULT 1, PRIMARY KEY (id));",
        );
        db
    }

    /// The URL cockpit's inventory names: the test login, database `speed`, no password.
    pub fn inventory_url(&self) -> String {
        let mut url = self.admin.clone();
        url.set_path("/speed");
        let _ = url.set_password(None);
        url.to_string()
    }

    /// The test login's password (for the inventory's `password_env`).
    pub fn password(&self) -> String {
        self.admin.password().unwrap_or("").to_string()
    }

    /// Runs statements on a fresh connection (another client than cockpit's).
    pub fn exec(&self, sql: &str) {
        use sqlx::{AssertSqlSafe, Connection, Executor};
        let sql = AssertSqlSafe(sql.to_string());
        self.rt.block_on(async {
            let mut c = sqlx::MySqlConnection::connect(self.admin.as_str())
                .await
                .expect("connect");
            c.execute(sqlx::raw_sql(sql)).await.expect("admin sql");
            let _ = c.close().await;
        });
    }

    /// `speed.t_app_dns` as a fresh connection reads it: (id, domain, ip, status).
    pub fn app_dns(&self) -> Vec<(i64, String, String, i64)> {
        use sqlx::Connection;
        self.rt.block_on(async {
            let mut c = sqlx::MySqlConnection::connect(self.admin.as_str())
                .await
                .expect("connect");
            let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
                "SELECT CAST(id AS SIGNED), domain, ip, CAST(status AS SIGNED) FROM speed.t_app_dns ORDER BY id",
            )
            .fetch_all(&mut c)
            .await
            .expect("read speed.t_app_dns");
            let _ = c.close().await;
            rows
        })
    }

    /// The tables of `speed`, by name.
    pub fn tables(&self) -> Vec<String> {
        use sqlx::Connection;
        self.rt.block_on(async {
            let mut c = sqlx::MySqlConnection::connect(self.admin.as_str())
                .await
                .expect("connect");
            let rows: Vec<(String,)> = sqlx::query_as(
                "SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = 'speed' ORDER BY 1",
            )
            .fetch_all(&mut c)
            .await
            .expect("read information_schema");
            let _ = c.close().await;
            rows.into_iter().map(|r| r.0).collect()
        })
    }
}

impl Drop for SpeedDb {
    fn drop(&mut self) {
        if let Some(mut c) = self.lock.take() {
            self.rt.block_on(async {
                use sqlx::Connection;
                let _ = sqlx::query("SELECT RELEASE_LOCK(?)")
                    .bind(LOCK)
                    .execute(&mut c)
                    .await;
                let _ = c.close().await;
            });
        }
    }
}

/// Processes spinning on the CPU (`sh -c 'while :; do :; done'`), killed on drop.
pub struct CpuHogs {
    children: Vec<Child>,
}

impl CpuHogs {
    /// One per core (`n`).
    pub fn start(n: usize) -> CpuHogs {
        let children = (0..n)
            .map(|_| {
                Command::new("sh")
                    .args(["-c", "while :; do :; done"])
                    .stdin(Stdio::null())
                    .spawn()
                    .expect("start a CPU hog")
            })
            .collect();
        CpuHogs { children }
    }

    /// Whether every hog is still spinning.
    pub fn all_running(&mut self) -> bool {
        self.children
            .iter_mut()
            .all(|c| matches!(c.try_wait(), Ok(None)))
    }
}

impl Drop for CpuHogs {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
