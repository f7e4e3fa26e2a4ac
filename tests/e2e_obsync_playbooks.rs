//! Issue 18: the ObSync failover and recovery guide's playbooks, run end to end on real
//! services through the real binary in tmux.
//!
//! The fleet (tests/support/obsync_fleet.rs): a primary and a backup server, each an OpenSSH
//! sshd in a mount namespace of its own, running Debian's real nginx as the host's web server
//! (the domain over TLS, signed by a test CA the hosts trust) and as the two compose services
//! (`api-gateway` on 8090, `app-icasync` on 3001). Docker and systemd cannot run in this
//! container: `docker compose` and `systemctl` are small stand-in scripts in each host's own
//! /usr/local/bin that start, stop and reload those real nginx processes (and say so). The
//! database restore runs against the real MariaDB of scripts/test-servers.sh (its unix socket,
//! as `mysql -h localhost` on the primary reaches it).
//!
//! Each test injects the guide's fault for real (the gateway process dies, the backend dies,
//! the primary or the backup server dies, a table is dropped, the configuration is damaged),
//! opens the incident (the suggested one where the fleet's state suggests it), runs every step
//! with nothing typed but confirmations, the values asked and what a manual step says to do by
//! hand, resolves it, then checks the fault is gone on the servers themselves and `cockpit
//! journal verify` passes. server-link-down is proven at the command level only: restarting a
//! real network would cut every test off (see its test).
//!
//! Needs root (mount namespaces), sshd, tmux, nginx, curl, openssl, ping and the test MariaDB:
//! `scripts/test.sh` installs them. `cargo test --test e2e_obsync_playbooks -- --nocapture`
//! prints each run's wall time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/ns_host.rs"]
mod ns_host;
#[path = "support/obsync_fleet.rs"]
mod obsync_fleet;
#[path = "support/sshd.rs"]
mod sshd;
#[path = "support/tmux.rs"]
mod tmux;

use obsync_fleet::{BACKUP_IP, DOMAIN, ObsyncFleet, PRIMARY_IP};
use regex::Regex;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tmux::{Sandbox, Session, assert_verifies, dump, read_journal};

/// One fleet at a time: the hosts' addresses and the gateway's localhost:8090 are fixed.
static SERIAL: Mutex<()> = Mutex::new(());

/// Deadline for a step (or dialog) to show on screen.
const REACT: Duration = Duration::from_secs(90);
/// Deadline for the fleet to be seen up, or a fault to be seen.
const FLEET: Duration = Duration::from_secs(90);

/// How a step is answered.
#[derive(Clone, Copy)]
enum Do {
    /// Enter, then whatever it asks: a confirmation (y), a typed name (read off the dialog),
    /// a value (from the test's list).
    Run,
    /// `s` with this reason: the step is not for this fault.
    Skip(&'static str),
    /// A manual step: the test does it on this host, as the operator would by hand (this
    /// shell command over SSH), then ticks it with Enter.
    ByHand(&'static str, &'static str),
}

/// The running cockpit, the fleet it watches and its sandbox.
struct Drill {
    fleet: ObsyncFleet,
    sandbox: Sandbox,
    session: Session,
    started: Instant,
}

impl Drill {
    fn start(name: &str) -> Drill {
        let fleet = ObsyncFleet::start();
        let sandbox = Sandbox::new(name);
        let inventory = sandbox.root.join("inventory.toml");
        std::fs::write(&inventory, fleet.inventory()).expect("write the inventory");
        let arg = inventory.display().to_string();
        let session = sandbox.start_cockpit(180, 50, false, &["--config", &arg]);
        let rows: Vec<Regex> = fleet
            .hosts
            .iter()
            .map(|h| Regex::new(&format!(r"● {} +\S+ +up\b", regex::escape(&h.ns.name))).unwrap())
            .collect();
        let screen = session.wait_for("both servers `up`", FLEET, |sc| {
            rows.iter().all(|r| r.is_match(sc)) || sc.contains("EXITED:")
        });
        assert!(!screen.contains("EXITED:"), "cockpit exited:\n{screen}");
        Drill {
            fleet,
            sandbox,
            session,
            started: Instant::now(),
        }
    }

    /// Opens the suggested incident: its playbook must be `title`.
    fn open_suggested(&self, title: &str) {
        let s = &self.session;
        s.wait_for("the suggested incident", REACT, |sc| {
            sc.contains("Suggested by the fleet's state") && sc.contains(title)
        });
        s.keys(&["o"]);
        // The whole form: its last line is drawn.
        let screen = s.wait_for("the open-incident form", REACT, |sc| {
            sc.contains("Playbook (↑/↓)") && sc.contains("opens the incident")
        });
        let line = screen
            .lines()
            .find(|l| l.contains("← suggested"))
            .unwrap_or_else(|| panic!("no suggested playbook in the form:\n{screen}"));
        assert!(line.contains(title), "suggested: {line}\n{screen}");
        s.keys(&["Enter"]);
    }

    /// Opens an incident by hand with the playbook titled `title`.
    fn open_by_hand(&self, title: &str) {
        let s = &self.session;
        s.keys(&["o"]);
        // The whole form: its last line is drawn.
        let screen = s.wait_for("the open-incident form", REACT, |sc| {
            sc.contains("Playbook (↑/↓)") && sc.contains("opens the incident")
        });
        let list: Vec<&str> = screen
            .lines()
            .skip_while(|l| !l.contains("Playbook (↑/↓)"))
            .skip(1)
            .take_while(|l| {
                l.contains(" P0 ") || l.contains(" P1 ") || l.contains(" P2 ") || l.contains(" P3 ")
            })
            .collect();
        let index = list
            .iter()
            .position(|l| l.contains(title))
            .unwrap_or_else(|| panic!("`{title}` is not offered:\n{screen}"));
        for _ in 0..list.len() {
            s.keys(&["Up"]);
        }
        for _ in 0..index {
            s.keys(&["Down"]);
        }
        s.keys(&["Enter"]);
    }

    /// Runs the steps in order; `values` answers the variables cockpit asks for.
    fn run_steps(&self, steps: &[(&str, Do)], values: &[(&str, &str)]) {
        let s = &self.session;
        let total = steps.len();
        s.wait_for("the incident", REACT, |sc| {
            sc.contains(&format!("· 0/{total} done"))
        });
        let typed = Regex::new(r"Type (\S+) and press").unwrap();
        let asked = Regex::new(r"needs `([A-Za-z0-9_]+)`").unwrap();
        for (n, (step, action)) in steps.iter().enumerate() {
            let done = format!("· {}/{total} done", n + 1);
            let bad = Regex::new(&format!(
                r"step `{}` (failed|cannot run|not run|waits|stopped)",
                regex::escape(step)
            ))
            .unwrap();
            match action {
                Do::Run => s.keys(&["Enter"]),
                Do::ByHand(host, command) => {
                    self.fleet.ok(host, command);
                    s.keys(&["Enter"]);
                }
                Do::Skip(reason) => {
                    s.keys(&["s"]);
                    s.wait_for(&format!("the skip reason of `{step}`"), REACT, |sc| {
                        sc.contains(&format!("Why skip step `{step}`?"))
                    });
                    s.type_text(reason);
                    s.keys(&["Enter"]);
                }
            }
            let mut answered = Vec::new();
            loop {
                let screen = s.wait_for(&format!("step {} `{step}`", n + 1), REACT, |sc| {
                    sc.contains(&done)
                        || bad.is_match(sc)
                        || sc.contains("Run this step?")
                        || typed.is_match(sc)
                        || asked.is_match(sc)
                });
                assert!(
                    !bad.is_match(&screen),
                    "step `{step}` did not pass:\n{screen}\n{}",
                    s.diagnostics()
                );
                if screen.contains(&done) {
                    break;
                }
                // Answer the dialog on screen, then wait for that dialog (not every dialog:
                // the next may follow at once) to go.
                let gone: String = if let Some(c) = asked.captures(&screen) {
                    let name = c[1].to_string();
                    assert!(!answered.contains(&name), "`{name}` asked twice:\n{screen}");
                    let value = values
                        .iter()
                        .find(|(k, _)| *k == name)
                        .unwrap_or_else(|| panic!("cockpit asks for `{name}`:\n{screen}"))
                        .1;
                    s.type_text(value);
                    s.keys(&["Enter"]);
                    answered.push(name.clone());
                    format!("needs `{name}`")
                } else if let Some(c) = typed.captures(&screen) {
                    s.type_text(&c[1]);
                    s.keys(&["Enter"]);
                    format!("Type {} and press", &c[1])
                } else {
                    s.keys(&["y"]);
                    "Run this step?".to_string()
                };
                s.wait_for(&format!("`{gone}` to go"), REACT, |sc| {
                    !sc.contains(&gone) || sc.contains(&done)
                });
            }
        }
    }

    /// Resolves the incident, quits, checks the journal verifies; every listed step passed or
    /// was skipped as told. Returns the journal.
    fn finish(self, playbook: &str, steps: &[(&str, Do)]) -> (ObsyncFleet, Vec<tmux::Row>) {
        let s = &self.session;
        s.keys(&["R"]);
        s.wait_for("the resolve prompt", REACT, |sc| sc.contains("summary"));
        s.type_text("done");
        s.keys(&["Enter"]);
        s.wait_for("no open incident", REACT, |sc| {
            sc.contains("no open incident")
        });
        eprintln!(
            "{playbook}: {:.1} s from the incident to resolved",
            self.started.elapsed().as_secs_f64()
        );
        s.keys(&["q"]);
        let (status, screen) = s.wait_for_exit_status();
        assert_eq!(status, 0, "{screen}");
        let rows = read_journal(&self.sandbox.journal);
        let all = dump(&rows);
        let opened = rows
            .iter()
            .find(|r| r.kind == "incident_opened")
            .unwrap_or_else(|| panic!("no incident opened:\n{all}"));
        assert_eq!(opened.body["playbook"], playbook, "{all}");
        for (step, action) in steps {
            let passed = rows.iter().any(|r| {
                (r.kind == "step_finished" && r.body["step"] == *step && r.body["ok"] == true)
                    || (r.kind == "step_completed" && r.body["step"] == *step)
            });
            let skipped = rows
                .iter()
                .any(|r| r.kind == "step_skipped" && r.body["step"] == *step);
            match action {
                Do::Run | Do::ByHand(..) => {
                    assert!(passed && !skipped, "`{step}` did not pass:\n{all}")
                }
                Do::Skip(_) => assert!(skipped && !passed, "`{step}` was not skipped:\n{all}"),
            }
        }
        assert!(
            !rows
                .iter()
                .any(|r| r.kind == "step_finished" && r.body["ok"] != true),
            "a step failed on the way:\n{all}"
        );
        assert_verifies(&self.sandbox.journal, rows.len());
        (self.fleet, rows)
    }
}

/// The commands the stand-ins logged on `host` that start with `prefix`.
fn calls(fleet: &ObsyncFleet, host: &str, prefix: &str) -> Vec<String> {
    fleet
        .host(host)
        .calls()
        .into_iter()
        .filter(|c| c.starts_with(prefix))
        .collect()
}

#[test]
fn the_fleet_serves_the_domain_and_its_stand_ins_drive_real_nginx() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let fleet = ObsyncFleet::start();
    // The domain over TLS, verified against the CA each host trusts, through the gateway.
    let out = fleet.ok(
        "obs-primary",
        &format!("curl -fsS --resolve {DOMAIN}:443:{PRIMARY_IP} https://{DOMAIN}/api/health"),
    );
    assert_eq!(out, "app-icasync ok\n");
    let out = fleet.ok("obs-primary", "cd /opt/obsync && docker compose ps");
    assert!(
        out.contains("obsync-api-gateway-1") && out.contains("running"),
        "{out}"
    );
    // Compose refuses to work without its file, as the real one does.
    let (code, _, err) = fleet.ssh("obs-primary", "cd / && docker compose ps");
    assert_ne!(code, 0);
    assert!(err.contains("no configuration file provided"), "{err}");
    // The backup does not serve the domain before the failover.
    let (code, ..) = fleet.ssh(
        "obs-backup",
        &format!("curl -fsS --resolve {DOMAIN}:443:{BACKUP_IP} https://{DOMAIN}/health"),
    );
    assert_ne!(code, 0, "the backup serves the domain before the failover");
    // A stop really stops the process; a start brings it back.
    fleet.ok(
        "obs-backup",
        "cd /opt/obsync && docker compose stop api-gateway",
    );
    assert_eq!(
        ObsyncFleet::http_status(&format!("http://{BACKUP_IP}:8090/health")),
        0
    );
    fleet.ok(
        "obs-backup",
        "cd /opt/obsync && docker compose start api-gateway",
    );
    fleet.wait_http(
        "the backup's gateway",
        &format!("http://{BACKUP_IP}:8090/health"),
        200,
    );
    assert!(
        fleet
            .ok("obs-primary", "systemctl is-active nginx")
            .contains("active")
    );
}

/// The HTTP status of `path` on the domain, served by `ip`, from outside the hosts (TLS
/// checked against the test CA).
fn domain_status(fleet: &ObsyncFleet, ip: &str, path: &str) -> String {
    let out = std::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "5"])
        .arg("--cacert")
        .arg(fleet.ca_cert())
        .arg("--resolve")
        .arg(format!("{DOMAIN}:443:{ip}"))
        .arg(format!("https://{DOMAIN}{path}"))
        .output()
        .expect("run curl");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs SQL on the test MariaDB as root over its unix socket; its output.
fn mariadb(sql: &str) -> String {
    let out = std::process::Command::new("mariadb")
        .args(["--protocol=socket", "-uroot", "-N", "-B", "-e", sql])
        .output()
        .expect("run the mariadb client");
    assert!(
        out.status.success(),
        "the test MariaDB (scripts/test-servers.sh) refused `{sql}`: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Kills a compose service's nginx like a crashed container: master and workers at once.
fn crash_service(fleet: &ObsyncFleet, service: &str) {
    fleet.ok(
        "obs-primary",
        &format!(
            "p=$(cat /opt/obsync/run/{service}.pid) && kill -STOP $p && pkill -KILL -P $p; \
             kill -KILL $p; while [ -n \"$(pgrep -P $p)\" ]; do sleep 0.05; done"
        ),
    );
}

const API_GATEWAY_STEPS: [(&str, Do); 8] = [
    ("auto-recovery", Do::Run),
    ("diagnose", Do::Run),
    ("ps", Do::Run),
    ("logs", Do::Run),
    ("restart", Do::Run),
    ("health", Do::Run),
    ("redeploy", Do::Skip("the restart brought the gateway back")),
    ("verify", Do::Run),
];

/// The gateway's process dies; its failing health URL suggests api-gateway-down, whose
/// restart brings it back; the redeploy is not needed and is skipped.
#[test]
fn api_gateway_down_restarts_a_dead_gateway() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let drill = Drill::start("obsync-gateway");
    crash_service(&drill.fleet, "api-gateway");
    drill
        .session
        .wait_for_re(r"obs-primary +\S+ +degraded", FLEET);
    drill.open_suggested("API gateway failure (docker)");
    drill.run_steps(&API_GATEWAY_STEPS, &[]);
    let (fleet, _) = drill.finish("api-gateway-down", &API_GATEWAY_STEPS);
    fleet.wait_http(
        "the primary's gateway",
        &format!("http://{PRIMARY_IP}:8090/health"),
        200,
    );
    assert_eq!(domain_status(&fleet, PRIMARY_IP, "/api/health"), "200");
    let compose = calls(&fleet, "obs-primary", "docker compose");
    assert!(
        compose
            .iter()
            .any(|c| c == "docker compose restart api-gateway"),
        "{compose:?}"
    );
    assert!(
        !compose.iter().any(|c| c.contains(" down")),
        "the skipped redeploy ran: {compose:?}"
    );
}

const BACKEND_STEPS: [(&str, Do); 4] = [
    ("logs", Do::Run),
    ("restart", Do::Run),
    ("db-ping", Do::Run),
    ("verify", Do::Run),
];

/// app-icasync dies: the gateway answers but /api/ fails. Opened by hand; the database host
/// is asked (the guide's "database-host" is only a placeholder) and pinged from the service.
#[test]
fn backend_service_down_asks_for_the_database_host() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let drill = Drill::start("obsync-backend");
    crash_service(&drill.fleet, "app-icasync");
    assert_eq!(
        domain_status(&drill.fleet, PRIMARY_IP, "/api/health"),
        "502"
    );
    drill.open_by_hand("Backend service app-icasync failure");
    drill.run_steps(&BACKEND_STEPS, &[("database_host", "localhost")]);
    let (fleet, rows) = drill.finish("backend-service-down", &BACKEND_STEPS);
    assert_eq!(domain_status(&fleet, PRIMARY_IP, "/api/health"), "200");
    let compose = calls(&fleet, "obs-primary", "docker compose");
    assert!(
        compose
            .iter()
            .any(|c| c == "docker compose exec -T app-icasync ping -c 4 localhost"),
        "{compose:?}"
    );
    let asked = rows
        .iter()
        .find(|r| r.kind == "variable_set" && r.body["name"] == "database_host")
        .unwrap_or_else(|| panic!("database_host not journaled:\n{}", dump(&rows)));
    assert_eq!(asked.body["value"], "localhost");
}

const FAILOVER_STEPS: [(&str, Do); 9] = [
    ("check-backup", Do::Run),
    ("dns-switch", Do::Run),
    ("nginx-full", Do::Run),
    ("static-dirs", Do::Run),
    ("find-static", Do::Run),
    ("restore-static", Do::Run),
    ("verify-domain", Do::Run),
    ("verify-dns", Do::Run),
    ("verify", Do::Run),
];

/// The primary dies; the failover is suggested; the backup gets the full site and the static
/// files, and serves the domain over TLS — checked with curl --resolve, no resolver involved.
#[test]
fn primary_server_failover_makes_the_backup_serve_the_domain() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut drill = Drill::start("obsync-failover");
    // The weekly static archive (backup-static.sh), kept on the backup server.
    let fleet = &drill.fleet;
    fleet.ok(
        "obs-primary",
        "mkdir -p /var/www/agendaedu-app && echo app > /var/www/agendaedu-app/index.html && \
         tar -czf /opt/obsync/backups/static/static_20261206_040000.tar.gz /var/www/agendaedu-web/ /var/www/agendaedu-app/",
    );
    let archive = fleet
        .host("obs-primary")
        .ns
        .file("/opt/obsync/backups/static/static_20261206_040000.tar.gz");
    std::fs::copy(
        &archive,
        fleet
            .host("obs-backup")
            .ns
            .file("/opt/obsync/backups/static/static_20261206_040000.tar.gz"),
    )
    .expect("copy the static archive to the backup");
    assert_ne!(domain_status(fleet, BACKUP_IP, "/health"), "200");

    drill.fleet.crash("obs-primary");
    drill.session.wait_for_re(r"obs-primary +\S+ +down", FLEET);
    drill.open_suggested("Primary server down: fail over to backup");
    drill.run_steps(&FAILOVER_STEPS, &[]);
    let (fleet, _) = drill.finish("primary-server-failover", &FAILOVER_STEPS);
    assert_eq!(domain_status(&fleet, BACKUP_IP, "/health"), "200");
    assert_eq!(domain_status(&fleet, BACKUP_IP, "/api/health"), "200");
    let backup = fleet.host("obs-backup");
    assert_eq!(
        backup.ns.read("/var/www/agendaedu-web/index.html"),
        "<h1>agendaedu on obs-primary</h1>\n",
        "the static files came from the archive"
    );
    assert_eq!(backup.ns.read("/var/www/agendaedu-app/index.html"), "app\n");
    let link = std::fs::read_link(
        backup
            .ns
            .file(&format!("/etc/nginx/sites-enabled/{DOMAIN}")),
    )
    .expect("the site is enabled on the backup");
    assert_eq!(
        link.display().to_string(),
        format!("/etc/nginx/sites-available/{DOMAIN}")
    );
    let reloads = calls(&fleet, "obs-backup", "systemctl reload nginx");
    assert_eq!(reloads.len(), 1, "{:?}", backup.calls());
}

const DATABASE_STEPS: [(&str, Do); 8] = [
    ("find-dump", Do::Run),
    ("test-dump", Do::Run),
    ("dump-current", Do::Run),
    ("stop-app", Do::Run),
    ("restore", Do::Run),
    ("check-tables", Do::Run),
    ("start-app", Do::Run),
    ("verify", Do::Run),
];

/// A table of syncdb is dropped; the newest nightly dump (made by the guide's mysqldump on the
/// primary) brings it back; the state before is kept; the password never shows.
#[test]
fn database_restore_brings_back_a_dropped_table() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (user, password) = obsync_fleet::RESTORE_USER;
    mariadb(&format!(
        "DROP DATABASE IF EXISTS syncdb; CREATE DATABASE syncdb;
         CREATE TABLE syncdb.sync_records (id int PRIMARY KEY, course varchar(64));
         INSERT INTO syncdb.sync_records VALUES (1, 'accounting'), (2, 'statistics');
         CREATE TABLE syncdb.agenda (id int PRIMARY KEY, title varchar(64));
         INSERT INTO syncdb.agenda VALUES (1, 'exam week');
         CREATE USER IF NOT EXISTS '{user}'@'localhost' IDENTIFIED BY '{password}';
         ALTER USER '{user}'@'localhost' IDENTIFIED BY '{password}';
         GRANT ALL ON syncdb.* TO '{user}'@'localhost';"
    ));
    let drill = Drill::start("obsync-database");
    let fleet = &drill.fleet;
    // Two nightly dumps as backup-database.sh makes them; the newer has both rows.
    let mysqldump = format!(
        "MYSQL_PWD='{password}' mysqldump -h localhost -u {user} --single-transaction --routines --triggers syncdb"
    );
    fleet.ok(
        "obs-primary",
        &format!(
            "cd /opt/obsync/backups/database && {mysqldump} --where='id < 2' > syncdb_20261205_020000.sql && \
             gzip syncdb_20261205_020000.sql && touch -d '2 days ago' syncdb_20261205_020000.sql.gz && \
             {mysqldump} > syncdb_20261206_020000.sql && gzip syncdb_20261206_020000.sql && \
             touch -d '1 day ago' syncdb_20261206_020000.sql.gz"
        ),
    );
    // Written after the dump, then the fault.
    mariadb(
        "INSERT INTO syncdb.agenda VALUES (2, 'written after the dump'); DROP TABLE syncdb.sync_records;",
    );
    drill.open_by_hand("Restore the database from its dump");
    drill.run_steps(
        &DATABASE_STEPS,
        &[("db_user", user), ("db_password", password)],
    );
    let (fleet, rows) = drill.finish("database-restore", &DATABASE_STEPS);
    assert_eq!(
        mariadb("SELECT id, course FROM syncdb.sync_records ORDER BY id"),
        "1\taccounting\n2\tstatistics\n",
        "the newest dump was restored"
    );
    let kept = fleet.ok(
        "obs-primary",
        "ls /opt/obsync/backups/database/before-restore_syncdb_*.sql.gz | head -n 1 | xargs gunzip -c",
    );
    assert!(
        kept.contains("written after the dump"),
        "the copy made before keeps it"
    );
    assert!(
        !kept.contains("CREATE TABLE `sync_records`"),
        "the copy is of the damaged state"
    );
    assert!(
        fleet
            .host("obs-primary")
            .live_pid("/opt/obsync/run/app-icasync.pid")
            .is_some()
    );
    let compose = calls(&fleet, "obs-primary", "docker compose");
    let stop = compose
        .iter()
        .position(|c| c == "docker compose stop app-icasync");
    let start = compose
        .iter()
        .position(|c| c == "docker compose start app-icasync");
    assert!(
        matches!((stop, start), (Some(a), Some(b)) if a < b),
        "{compose:?}"
    );
    let all = dump(&rows);
    assert!(
        !all.contains(password),
        "the password shows in the journal:\n{all}"
    );
    mariadb(&format!(
        "DROP DATABASE syncdb; DROP USER '{user}'@'localhost';"
    ));
}

const CONFIG_STEPS: [(&str, Do); 8] = [
    ("find-archive", Do::Run),
    ("list-archive", Do::Run),
    ("keep-current", Do::Run),
    ("restore", Do::Run),
    ("reload-nginx", Do::Run),
    ("compose-up", Do::Run),
    ("health", Do::Run),
    ("verify", Do::Run),
];

/// A bad edit breaks the site, deletes docker-compose.yml and .env, and the gateway is down;
/// the nightly archive (the guide's backup-config.sh) puts everything back, .env included.
#[test]
fn config_restore_puts_back_a_damaged_configuration() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let drill = Drill::start("obsync-config");
    let fleet = &drill.fleet;
    let primary = fleet.host("obs-primary");
    let site_path = format!("/etc/nginx/sites-available/{DOMAIN}");
    let site = primary.ns.read(&site_path);
    let env = primary.ns.read("/opt/obsync/.env");
    let compose_yml = primary.ns.read("/opt/obsync/docker-compose.yml");
    fleet.ok(
        "obs-primary",
        &format!(
            "tar -czf /opt/obsync/backups/config/config_20261206_030000.tar.gz /opt/obsync/docker-compose.yml \
             /opt/obsync/.env {site_path} /etc/nginx/conf.d/ /etc/nginx/ssl/ /opt/obsync/scripts/"
        ),
    );
    crash_service(fleet, "api-gateway");
    fleet.ok(
        "obs-primary",
        &format!(
            "echo 'server {{ listen {PRIMARY_IP}:443 ssl; bogus_directive on; }}' > {site_path} && \
             rm /opt/obsync/.env /opt/obsync/docker-compose.yml && ! nginx -t"
        ),
    );
    drill.open_by_hand("Restore the configuration from its archive");
    drill.run_steps(&CONFIG_STEPS, &[]);
    let (fleet, _) = drill.finish("config-restore", &CONFIG_STEPS);
    let primary = fleet.host("obs-primary");
    assert_eq!(primary.ns.read(&site_path), site);
    assert_eq!(
        primary.ns.read("/opt/obsync/.env"),
        env,
        ".env (a dot file) is back"
    );
    assert_eq!(
        primary.ns.read("/opt/obsync/docker-compose.yml"),
        compose_yml
    );
    assert_eq!(domain_status(&fleet, PRIMARY_IP, "/api/health"), "200");
    let kept = fleet.ok(
        "obs-primary",
        "f=$(ls /opt/obsync/backups/config/before-restore_*.tar.gz) && tar -xzOf $f etc/nginx/sites-available/kwps.jlufe.edu.cn",
    );
    assert!(
        kept.contains("bogus_directive"),
        "the damaged state was kept: {kept}"
    );
    let systemctl = calls(&fleet, "obs-primary", "systemctl reload nginx");
    assert_eq!(systemctl.len(), 1, "{:?}", primary.calls());
}

/// The restart of server-link-down's steps, run as written in the shipped playbook on three
/// real sshd hosts: one configured by netplan (Ubuntu), one by ifupdown (Debian), one by
/// neither. Restarting a real network here would cut every test off, so `netplan` and
/// `systemctl` are stand-ins in each host's own /usr/local/bin that only log their call: what
/// is proven is which one the step picks, and that it touches nothing when it finds neither.
#[test]
fn server_link_down_restarts_the_network_the_way_the_host_configures_it() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    ns_host::require_namespace_tools(&[]);
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/server-link-down.toml"),
    )
    .expect("read server-link-down.toml");
    let playbook: toml::Value = toml::from_str(&text).expect("server-link-down.toml is TOML");
    let run_of = |id: &str| -> String {
        playbook["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .find(|s| s["id"].as_str() == Some(id))
            .and_then(|s| s["run"].as_str())
            .unwrap_or_else(|| panic!("step `{id}` runs a command"))
            .to_string()
    };
    let restart = run_of("restart-net-backup");
    assert_eq!(restart, run_of("restart-net-primary"));

    let tmp = tempfile::Builder::new()
        .prefix("cockpit-netconf-")
        .tempdir()
        .expect("temp dir");
    let keys = ns_host::FleetKeys::generate(tmp.path());
    let mounts = [
        ("bin", "/usr/local/bin"),
        ("netplan", "/etc/netplan"),
        ("network", "/etc/network"),
    ];
    let mut hosts: Vec<ns_host::NsHost> = [
        ("ubuntu", "127.0.60.11"),
        ("debian", "127.0.60.12"),
        ("other", "127.0.60.13"),
    ]
    .iter()
    .map(|(name, ip)| {
        let h = ns_host::NsHost::prepare(&tmp.path().join(name), name, ip, &mounts);
        let log = ns_host::shell_quote(&h.dir.join("calls.log").display().to_string());
        for tool in ["netplan", "systemctl"] {
            h.write_exec(
                &format!("/usr/local/bin/{tool}"),
                &format!(
                    "#!/bin/sh\n# Stand-in: restarting a real network would cut the test off.\n\
                     echo \"{tool} $*\" >> {log}\n"
                ),
            );
        }
        h
    })
    .collect();
    hosts[0].write(
        "/etc/netplan/50-cloud-init.yaml",
        "network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n",
    );
    // Ubuntu keeps an /etc/network/interfaces of comments (and no networking service) too.
    hosts[0].write(
        "/etc/network/interfaces",
        "# ifupdown has been replaced by netplan(5) on this system.\n",
    );
    hosts[1].write(
        "/etc/network/interfaces",
        "auto lo\niface lo inet loopback\nauto eth0\niface eth0 inet dhcp\n",
    );
    ns_host::start_hosts(hosts.iter_mut(), &keys);
    let calls =
        |h: &ns_host::NsHost| std::fs::read_to_string(h.dir.join("calls.log")).unwrap_or_default();

    let (code, out, err) = keys.ssh(&hosts[0], &restart);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "netplan: netplan apply\n");
    assert_eq!(calls(&hosts[0]), "netplan apply\n");

    let (code, out, err) = keys.ssh(&hosts[1], &restart);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "ifupdown: systemctl restart networking\n");
    assert_eq!(calls(&hosts[1]), "systemctl restart networking\n");

    let (code, out, err) = keys.ssh(&hosts[2], &restart);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("neither netplan"), "{err}");
    assert_eq!(calls(&hosts[2]), "", "nothing is restarted");
}

const BACKUP_DOWN_STEPS: [(&str, Do); 7] = [
    ("impact", Do::Run),
    ("check-primary", Do::Run),
    ("find-upstream", Do::Run),
    (
        "edit-upstream",
        Do::ByHand(
            "obs-primary",
            "sed -i 's/^\\( *\\)server 127.0.60.2:/\\1# server 127.0.60.2:/' /etc/nginx/conf.d/upstream.conf",
        ),
    ),
    ("reload", Do::Run),
    ("verify", Do::Run),
    ("restore-backup", Do::Run),
];

/// The backup dies; backup-server-down is suggested; the backup's line of the primary's
/// upstream is commented out by hand, and the primary's real nginx is tested and reloaded
/// (new worker processes) while the domain keeps answering.
#[test]
fn backup_server_down_takes_the_backup_out_of_the_upstream() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut drill = Drill::start("obsync-backup-down");
    let workers = "pgrep -P $(cat /run/nginx/nginx.pid) | sort";
    let before = drill.fleet.ok("obs-primary", workers);
    assert!(!before.trim().is_empty(), "the primary's nginx has workers");
    drill.fleet.crash("obs-backup");
    drill.session.wait_for_re(r"obs-backup +\S+ +down", FLEET);
    drill.open_suggested("Backup server down (docker)");
    drill.run_steps(&BACKUP_DOWN_STEPS, &[]);
    let (fleet, _) = drill.finish("backup-server-down", &BACKUP_DOWN_STEPS);
    let upstream = fleet
        .host("obs-primary")
        .ns
        .read("/etc/nginx/conf.d/upstream.conf");
    assert!(
        upstream.contains(&format!("    # server {BACKUP_IP}:8090"))
            && upstream.contains(&format!("    server {PRIMARY_IP}:8090")),
        "{upstream}"
    );
    let after = fleet.ok("obs-primary", workers);
    assert!(
        !after.trim().is_empty() && after != before,
        "nginx was not reloaded: workers {before:?} then {after:?}"
    );
    assert_eq!(domain_status(&fleet, PRIMARY_IP, "/api/health"), "200");
}
