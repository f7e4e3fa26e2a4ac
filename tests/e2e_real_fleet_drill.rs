//! Issue 11: seed 001 §4.3 drilled on a real fleet. Four real OpenSSH hosts on loopback, each
//! in a mount namespace of its own holding the seed's paths (dumps, service configs, nginx
//! upstreams, crontab, stand-in `systemctl`/`nginx`/`crontab`), the `speed` database on the
//! real MariaDB, the real binary in tmux. The primary's sshd is killed; the suggested incident
//! is opened and the shipped `primary-app-down` playbook is run unchanged, every step, no skip
//! and nothing typed but confirmations, then resolved — within 60 keys from the fault.
//! Then the fleet is checked: the import really ran, exactly the primary's domains went
//! offline, the configs say localhost (copies kept), both nginx upstreams lost only the dead
//! server, nginx was tested and reloaded, the services restarted; the journal verifies and the
//! report names every step.
//!
//! It runs twice: on a quiet machine, and with both cores kept busy by CPU hogs. Each run
//! prints its keystrokes and the wall time from the fault to the resolve (for BENCHMARKS.md):
//! `cargo test --test e2e_real_fleet_drill -- --nocapture` (or `scripts/real-fleet-drill.sh`).
//! Needs root (mount namespaces), sshd, tmux and the test MariaDB (`scripts/test.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/ns_host.rs"]
mod ns_host;
#[path = "support/real_fleet.rs"]
mod real_fleet;
#[path = "support/sshd.rs"]
mod sshd;
#[path = "support/tmux.rs"]
mod tmux;

use real_fleet::{CONFIGS, CpuHogs, PRIMARY_IP, RealFleet, SpeedDb, newest_rows, upstreams};
use regex::Regex;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tmux::{COCKPIT, Sandbox, Session, assert_verifies, dump, read_journal};

/// One drill at a time: they share the `speed` database, and the quiet one must be quiet.
static SERIAL: Mutex<()> = Mutex::new(());

/// Deadline for one step (or dialog) to show on screen; the import and the checks included.
const REACT: Duration = Duration::from_secs(60);
/// Deadline for the fleet to come up, and for the dead host to be seen down.
const FLEET: Duration = Duration::from_secs(60);
/// The keystroke budget from the fault to the resolve.
const BUDGET: usize = 60;
/// The key that runs (or ticks) the selected step; a step that passes moves the selection on.
const NEXT: &str = "Enter";
/// The resolve summary (its characters count as keystrokes).
const SUMMARY: &str = "done";

/// How each step of `primary-app-down` is answered.
enum Answer {
    /// Nothing to confirm.
    Run,
    /// `y` to the confirmation.
    Yes,
    /// The name typed, then Enter.
    Typed(&'static str),
    /// The name typed, Enter, then `c` to commit.
    TypedThenCommit(&'static str),
}

const STEPS: [(&str, Answer); 20] = [
    ("priorities", Answer::Run),
    ("check-backup", Answer::Run),
    ("check-nginx", Answer::Run),
    ("find-backup", Answer::Run),
    ("import-db", Answer::Typed("app-backup")),
    // DDL commits by itself on MariaDB: no transaction is left to commit or roll back.
    ("create-user-logs", Answer::Yes),
    ("dns-offline", Answer::TypedThenCommit("speed")),
    ("cfg-go-api", Answer::Yes),
    ("cfg-go-admin", Answer::Yes),
    ("cfg-go-fly", Answer::Yes),
    ("restart-services", Answer::Yes),
    ("check-services", Answer::Run),
    ("nginx-find", Answer::Run),
    ("nginx-edit", Answer::Typed("nginx")),
    ("nginx-reload", Answer::Yes),
    ("verify-service", Answer::Run),
    ("new-machine", Answer::Run),
    ("show-crontab", Answer::Run),
    ("align-shell", Answer::Run),
    ("restore-others", Answer::Run),
];

/// Sends keys and counts them: a named key is one, typed text one per character.
struct Keys<'a> {
    session: &'a Session,
    count: usize,
    sent: Vec<String>,
}

impl Keys<'_> {
    fn key(&mut self, key: &str) {
        self.session.keys(&[key]);
        self.count += 1;
        self.sent.push(key.to_string());
    }

    fn text(&mut self, text: &str) {
        self.session.type_text(text);
        self.count += text.chars().count();
        self.sent.push(format!("{text:?}"));
    }
}

/// Waits for `ok`, failing at once (with the screen) if the step is reported failed or refused.
fn wait_step(s: &Session, step: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let bad = Regex::new(&format!(
        r"step `{}` (failed|cannot run|not run|waits|stopped)",
        regex::escape(step)
    ))
    .unwrap();
    let screen = s.wait_for(what, REACT, |sc| ok(sc) || bad.is_match(sc));
    assert!(
        !bad.is_match(&screen),
        "step `{step}` did not pass ({what}):\n{screen}\n{}",
        s.diagnostics()
    );
    screen
}

fn run_step(k: &mut Keys, n: usize, step: &str, answer: &Answer) {
    let s = k.session;
    k.key(NEXT);
    match answer {
        Answer::Run => {}
        Answer::Yes => {
            wait_step(s, step, &format!("the confirmation of `{step}`"), |sc| {
                sc.contains("Run this step?")
            });
            k.key("y");
        }
        Answer::Typed(name) | Answer::TypedThenCommit(name) => {
            wait_step(
                s,
                step,
                &format!("the typed confirmation of `{step}`"),
                |sc| sc.contains("Dangerous step: confirm") && sc.contains(&format!("Type {name}")),
            );
            k.text(name);
            k.key("Enter");
        }
    }
    if matches!(answer, Answer::TypedThenCommit(_)) {
        let screen = wait_step(s, step, &format!("the commit dialog of `{step}`"), |sc| {
            sc.contains("Commit or roll back?")
        });
        assert!(
            !screen.contains("commit refused"),
            "`{step}` changed an unexpected number of rows:\n{screen}"
        );
        k.key("c");
    }
    let needle = format!("· {n}/20 done");
    wait_step(s, step, &format!("step {n} `{step}` done"), |sc| {
        sc.contains(&needle)
    });
}

/// The figures of one drill.
struct Figures {
    keys: usize,
    detect: Duration,
    fault_to_resolved: Duration,
}

fn drill(name: &str, busy: bool) -> Figures {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let db = SpeedDb::acquire();
    let mut fleet = RealFleet::start();
    let mut hogs = busy.then(|| CpuHogs::start(2));

    let sandbox = Sandbox::new(name);
    let inventory = sandbox.root.join("inventory.toml");
    std::fs::write(
        &inventory,
        fleet.inventory(&db.inventory_url(), "COCKPIT_SPEED_PASSWORD"),
    )
    .expect("write the inventory");
    let inventory_arg = inventory.display().to_string();
    let password = db.password();
    let s = sandbox.start_cockpit_with_env(
        170,
        50,
        false,
        &["--config", &inventory_arg],
        &[("COCKPIT_SPEED_PASSWORD", &password)],
    );
    let rows: Vec<Regex> = fleet
        .hosts
        .iter()
        .map(|h| Regex::new(&format!(r"● {} +\S+ +up\b", regex::escape(h.name))).unwrap())
        .collect();
    let screen = s.wait_for("all four real hosts `up`", FLEET, |sc| {
        rows.iter().all(|r| r.is_match(sc)) || sc.contains("EXITED:")
    });
    assert!(!screen.contains("EXITED:"), "cockpit exited:\n{screen}");

    // The fault: the primary's sshd and its sessions die.
    let fault = Instant::now();
    fleet.host_mut("app-primary").kill();
    s.wait_for_re(r"✖ app-primary +app-primary +down", FLEET);
    let detect = fault.elapsed();
    s.wait_for("the suggested incident", REACT, |sc| {
        sc.contains("Suggested by the fleet's state")
    });

    let mut k = Keys {
        session: &s,
        count: 0,
        sent: Vec::new(),
    };
    k.key("o");
    s.wait_for("the open-incident form", REACT, |sc| {
        sc.contains("Playbook (↑/↓)")
    });
    k.key("Enter");
    s.wait_for("the incident", REACT, |sc| sc.contains("· 0/20 done"));
    for (i, (step, answer)) in STEPS.iter().enumerate() {
        run_step(&mut k, i + 1, step, answer);
    }
    k.key("R");
    s.wait_for("the resolve prompt", REACT, |sc| sc.contains("summary"));
    k.text(SUMMARY);
    k.key("Enter");
    s.wait_for("no open incident", REACT, |sc| {
        sc.contains("no open incident")
    });
    let fault_to_resolved = fault.elapsed();
    if let Some(h) = hogs.as_mut() {
        assert!(h.all_running(), "a CPU hog died during the drill");
    }
    drop(hogs);
    let keys = k.count;
    let sent = k.sent.join(" ");
    eprintln!(
        "real-fleet drill ({name}): {keys} keystrokes from fault to resolved, {:.1} s wall time \
         (fault seen down after {:.1} s)\nkeys: {sent}",
        fault_to_resolved.as_secs_f64(),
        detect.as_secs_f64()
    );
    s.keys(&["q"]);
    let (status, exit_screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{exit_screen}");

    check_fleet(&fleet, &db);
    check_journal(&sandbox, &fleet);
    assert!(
        keys <= BUDGET,
        "{keys} keystrokes from fault to resolved, more than {BUDGET}: {sent}"
    );
    // The database is left for nobody: drop it once everything passed.
    db.exec("DROP DATABASE IF EXISTS speed");
    Figures {
        keys,
        detect,
        fault_to_resolved,
    }
}

/// The fleet's end state, read from the hosts' files, the stand-ins' logs and the database.
fn check_fleet(fleet: &RealFleet, db: &SpeedDb) {
    // Exactly the primary's rows went offline, as another connection sees them; the newest
    // dump was the one imported (it alone has all the rows).
    let table = db.app_dns();
    let expected = newest_rows();
    assert_eq!(
        table.len(),
        expected.len(),
        "speed.t_app_dns does not hold the newest dump's rows: {table:?}"
    );
    let mut flipped = 0;
    for ((id, domain, ip, status), (eid, edomain, eip)) in table.iter().zip(&expected) {
        assert_eq!(
            (*id, domain.as_str(), ip.as_str()),
            (*eid, *edomain, *eip),
            "{table:?}"
        );
        let want = if ip == PRIMARY_IP { 2 } else { 1 };
        assert_eq!(*status, want, "row {id} ({domain}, {ip}): {table:?}");
        flipped += usize::from(ip == PRIMARY_IP);
    }
    assert_eq!(flipped, 2, "the primary has two domains: {table:?}");
    let tables = db.tables();
    for t in ["t_app_dns", "t_user", "user_logs"] {
        assert!(
            tables.iter().any(|x| x == t),
            "speed lacks `{t}`: {tables:?}"
        );
    }

    let backup = fleet.host("app-backup");
    let originals = real_fleet::go_configs("app-backup", PRIMARY_IP);
    for (config, (_, original)) in CONFIGS.iter().zip(&originals) {
        let text = backup.read(config);
        assert!(
            !text.contains(PRIMARY_IP) && text.contains("localhost"),
            "{config}:\n{text}"
        );
        assert_eq!(
            text,
            original.replace(PRIMARY_IP, "localhost"),
            "{config}: only the primary's address changed"
        );
        let copy = backup.read(&format!("{config}.bak-cockpit"));
        assert_eq!(&copy, original, "{config}.bak-cockpit keeps the original");
    }
    let calls = backup.calls();
    for wanted in [
        "systemctl restart go-api go-admin go-fly",
        "systemctl is-active go-api go-admin go-fly",
        "crontab -l",
    ] {
        assert!(
            calls.iter().any(|c| c == wanted),
            "app-backup: `{wanted}` did not run; calls: {calls:?}"
        );
    }

    let kept_upstreams: String = upstreams()
        .lines()
        .filter(|l| !l.contains(PRIMARY_IP))
        .map(|l| format!("{l}\n"))
        .collect();
    for name in ["nginx-1", "nginx-2"] {
        let nginx = fleet.host(name);
        let text = nginx.read("/etc/nginx/conf.d/upstream.conf");
        assert_eq!(
            text, kept_upstreams,
            "{name}: the upstreams lost something else than the dead server"
        );
        assert_eq!(
            text.matches(real_fleet::BACKUP_IP).count(),
            3,
            "{name}: the backup stays in all three upstreams:\n{text}"
        );
        let files: Vec<_> = walk(&nginx.file("/etc/nginx"));
        assert_eq!(
            files.len(),
            3,
            "{name}: no copy left under /etc/nginx: {files:?}"
        );
        let calls = nginx.calls();
        let test = calls.iter().position(|c| c == "nginx -t");
        let reload = calls.iter().position(|c| c == "nginx -s reload");
        assert!(
            matches!((test, reload), (Some(t), Some(r)) if t < r),
            "{name}: nginx -t then nginx -s reload should have run; calls: {calls:?}"
        );
    }
    assert!(
        fleet.host("app-primary").calls().is_empty(),
        "nothing runs on the dead primary"
    );
    real_fleet::assert_outside_untouched();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Every step passed (none skipped), in order; the import used the newest dump; the journal
/// verifies and the report names every step.
fn check_journal(sandbox: &Sandbox, fleet: &RealFleet) {
    let rows = read_journal(&sandbox.journal);
    let all = dump(&rows);
    let opened = rows
        .iter()
        .find(|r| r.kind == "incident_opened")
        .unwrap_or_else(|| panic!("no incident opened:\n{all}"));
    assert_eq!(opened.body["playbook"], "primary-app-down", "{all}");
    assert!(
        !rows.iter().any(|r| r.kind == "step_skipped"),
        "a step was skipped:\n{all}"
    );
    let mut last_seq = 0;
    for (step, _) in STEPS {
        let row = rows
            .iter()
            .find(|r| {
                (r.kind == "step_finished" && r.body["step"] == step && r.body["ok"] == true)
                    || (r.kind == "step_completed" && r.body["step"] == step)
            })
            .unwrap_or_else(|| panic!("`{step}` did not pass:\n{all}"));
        assert!(row.seq > last_seq, "`{step}` out of order:\n{all}");
        last_seq = row.seq;
    }
    assert!(
        !rows
            .iter()
            .any(|r| r.kind == "step_finished" && r.body["ok"] != true),
        "a step failed on the way:\n{all}"
    );
    let capture = rows
        .iter()
        .find(|r| r.kind == "variable_set" && r.body["name"] == "backup_file")
        .unwrap_or_else(|| panic!("the capture is journaled:\n{all}"));
    assert_eq!(
        capture.body["value"].as_str(),
        Some(fleet.newest_dump.as_str()),
        "{all}"
    );
    let resolved = rows
        .iter()
        .find(|r| r.kind == "incident_resolved")
        .unwrap_or_else(|| panic!("not resolved:\n{all}"));
    assert!(resolved.seq > last_seq, "{all}");
    assert_verifies(&sandbox.journal, rows.len());

    let out = Command::new(COCKPIT)
        .arg("report")
        .arg(&sandbox.journal)
        .output()
        .expect("run cockpit report");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cockpit report failed: {report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (step, _) in STEPS {
        assert!(
            report.contains(step),
            "the report does not name step `{step}`:\n{report}"
        );
    }
}

#[test]
fn the_primary_app_down_drill_on_a_real_fleet_quiet() {
    let f = drill("real-fleet-quiet", false);
    eprintln!(
        "BENCH real-fleet-drill quiet: keys={} fault_to_resolved_s={:.1} detect_s={:.1}",
        f.keys,
        f.fault_to_resolved.as_secs_f64(),
        f.detect.as_secs_f64()
    );
}

#[test]
fn the_primary_app_down_drill_on_a_real_fleet_with_both_cores_busy() {
    let f = drill("real-fleet-busy", true);
    eprintln!(
        "BENCH real-fleet-drill busy: keys={} fault_to_resolved_s={:.1} detect_s={:.1}",
        f.keys,
        f.fault_to_resolved.as_secs_f64(),
        f.detect.as_secs_f64()
    );
}
