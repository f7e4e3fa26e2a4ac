//! Issue 18: the Health Butler recovery guide's playbooks on a real host. One OpenSSH host in a
//! mount namespace of its own runs a real Node.js application under real PM2 (npm package
//! `pm2`, as a non-root user whose node and pm2 are only on an nvm PATH), on a real PostgreSQL
//! 15 cluster run by Debian's `pg_ctlcluster`, with a real Redis (tests/support/node_fleet.rs
//! says what is real and which stand-ins replace what cannot run here: systemd, Prisma's
//! downloaded engines, and — for node-out-of-memory's trigger only — a machine whose memory is
//! 95% full, read from a copy of /proc/meminfo in the host's namespace).
//!
//! First the faults are injected and checked by hand, without cockpit: the application killed
//! and unable to start, the heap filled until PM2 restarts it and `NODE_OPTIONS` raising the
//! limit, PostgreSQL stopped, a table dropped and restored from the nightly dump. Then each
//! playbook runs end to end through the real binary in tmux: the fault injected, the incident
//! opened (suggested by the fleet's state where the playbook has a trigger), every step run
//! with nothing typed but confirmations, answers and the skip of a step that does not apply;
//! the quick checks that show the fault fail, then pass once it is fixed; the fault gone, the
//! journal verified. node-db-connection runs twice: logged in as root, and as an on-call user
//! with sudo.
//!
//! Needs root (mount namespaces, the application user, runuser), sshd, tmux, PostgreSQL 15,
//! redis-server, node 20 and the pinned npm packages under target/test-npm (`scripts/test.sh`).
//! `cargo test --test e2e_node_playbooks -- --nocapture` prints each drill's wall time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/node_fleet.rs"]
mod node_fleet;
#[path = "support/ns_host.rs"]
mod ns_host;
#[path = "support/sshd.rs"]
mod sshd;
#[path = "support/tmux.rs"]
mod tmux;

use node_fleet::{NEWEST_DUMP, NodeFleet, USERS};
use regex::Regex;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tmux::{Sandbox, Session, assert_verifies, dump, read_journal};

/// One host at a time: they share the address 127.0.9.1 and its ports.
static SERIAL: Mutex<()> = Mutex::new(());

/// Deadline for the application or a server to change state on a busy machine.
const WAIT: Duration = Duration::from_secs(120);

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn the_faults_are_real_by_hand() {
    let _serial = serial();
    let fleet = NodeFleet::start(Some(64));

    // The application, killed, comes back by itself under PM2; restarted with a broken .env it
    // cannot start, and PM2 gives up on it.
    let (_, before) = fleet.pm2_state();
    fleet.ssh_ok("pkill -KILL -u cockpit-deploy -f 'node server.js'");
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.pm2_logs());
    assert!(
        fleet.pm2_state().1 > before,
        "PM2 restarted the killed application"
    );
    break_the_app(&fleet);
    fleet.ssh_ok("sed -i 's/^DATABSE_URL=/DATABASE_URL=/' /app/.env");
    let (code, out, err) = fleet.as_app_user("pm2 restart health-butler");
    assert_eq!(code, 0, "{out}{err}");
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.pm2_logs());

    // The heap: with a 64 MB limit a 200 MB report kills the application ("JavaScript heap out
    // of memory") and PM2 restarts it; --node-args on `pm2 start npm` reaches npm only, while
    // NODE_OPTIONS reaches the application and the report succeeds.
    let restarts = fleet.pm2_state().1;
    assert_eq!(fleet.report(200), 0, "the report dies with the application");
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.pm2_logs());
    assert!(fleet.pm2_state().1 > restarts, "PM2 restarted it");
    assert!(
        fleet.pm2_logs().contains("heap out of memory"),
        "{}",
        fleet.pm2_logs()
    );
    // A limit no default has (3000 MB) shows who gets the flag.
    let in_range = |mb: u64| (3000..3100).contains(&mb);
    let (code, out, err) = fleet.as_app_user(
        "cd /app && pm2 delete health-butler && pm2 start npm --name health-butler --node-args=--max-old-space-size=3000 -- start",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.pm2_logs());
    assert!(
        !in_range(fleet.heap_limit_mb()),
        "--node-args does not reach the application: {}",
        fleet.health_body()
    );
    let (code, out, err) = fleet.as_app_user(
        "cd /app && pm2 delete health-butler && NODE_OPTIONS=--max-old-space-size=3000 pm2 start npm --name health-butler -- start",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.pm2_logs());
    assert!(in_range(fleet.heap_limit_mb()), "{}", fleet.health_body());
    assert_eq!(fleet.report(200), 200, "the report fits now");
    let (code, out, err) = fleet.as_app_user("pm2 restart health-butler");
    assert_eq!(code, 0, "{out}{err}");
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.pm2_logs());
    assert!(
        in_range(fleet.heap_limit_mb()),
        "pm2 restart keeps NODE_OPTIONS: {}",
        fleet.health_body()
    );

    // PostgreSQL stopped: the application answers 500, Debian's placeholder unit says active,
    // pg_isready says no response; the stand-in systemctl restart brings it back.
    fleet.pg_ctlcluster("stop");
    assert!(fleet.wait_health(500, WAIT), "{}", fleet.health_body());
    let status = fleet.ssh_ok("systemctl status postgresql");
    assert!(status.contains("active"), "{status}");
    let (code, out, _) = fleet.ssh("runuser -u postgres -- pg_isready");
    assert_eq!(code, 2, "{out}");
    fleet.ssh_ok("systemctl restart postgresql && pg_isready -t 60");
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.health_body());

    // A dropped table comes back from the nightly dump, restored as postgres with the
    // playbook's command; as root pg_restore fails, and -c without --if-exists exits 1.
    fleet.sql("DROP TABLE health_data; DROP TABLE users");
    assert!(fleet.wait_health(500, WAIT), "{}", fleet.health_body());
    let (code, _, err) = fleet.ssh(&format!("pg_restore -d health_butler -c {NEWEST_DUMP}"));
    assert_ne!(code, 0, "as root: {err}");
    assert!(err.contains("role \"root\" does not exist"), "{err}");
    let (code, _, err) = fleet.ssh(&format!(
        "runuser -u postgres -- pg_restore -d health_butler -c {NEWEST_DUMP}"
    ));
    assert_eq!(code, 1, "-c without --if-exists: {err}");
    fleet.sql("DROP TABLE IF EXISTS health_data; DROP TABLE IF EXISTS users");
    fleet.ssh_ok(&format!(
        "runuser -u postgres -- pg_restore -d health_butler -c --if-exists --single-transaction --exit-on-error {NEWEST_DUMP}"
    ));
    assert_eq!(fleet.sql("SELECT count(*) FROM users"), USERS.to_string());
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.health_body());
}

/// How one step of a drill goes.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Expect {
    /// It passes (every dialog it raises answered).
    Passes,
    /// It fails now: a quick check that shows the fault. Run again once the fault is fixed,
    /// it passes.
    ShowsTheFault,
    /// The operator skips it, saying why (a step that does not apply to this fault).
    Skipped(&'static str),
}

/// One drill: the playbook, how each step goes (in order), and the answers to variables.
struct Drill<'a> {
    playbook: &'static str,
    /// Whether the fleet's state suggests it (else it is chosen from the list).
    suggested: bool,
    /// Log in as the on-call user with sudo instead of root.
    sudo: bool,
    steps: &'a [(&'static str, Expect)],
    variables: &'a [(&'static str, &'a str)],
}

/// Deadline for one step (or dialog) to show on screen.
const REACT: Duration = Duration::from_secs(120);
/// Deadline for the host to be probed up, and for a fault to show in the grid.
const FLEET: Duration = Duration::from_secs(120);

/// Waits for `ok`, failing at once (with the screen) if `step` is refused or waits.
fn wait_step(s: &Session, step: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let bad = Regex::new(&format!(
        r"step `{}` (cannot run|not run|waits|stopped)",
        regex::escape(step)
    ))
    .unwrap();
    let screen = s.wait_for(what, REACT, |sc| ok(sc) || bad.is_match(sc));
    assert!(
        !bad.is_match(&screen),
        "step `{step}` did not run ({what}):\n{screen}\n{}",
        s.diagnostics()
    );
    screen
}

/// A typed confirmation: a dangerous step, or a statement cockpit finds dangerous.
fn dangerous(screen: &str) -> bool {
    screen.contains("Dangerous step: confirm") || screen.contains("Dangerous statement: confirm")
}

/// Runs the selected step with Enter, answering its dialogs, until it is done (`done` steps
/// finished) or, when it shows the fault, reported failed.
fn run_step(
    s: &Session,
    step: &str,
    expect: Expect,
    done: usize,
    total: usize,
    variables: &[(&str, &str)],
) {
    s.keys(&["Enter"]);
    let counter = format!("· {done}/{total} done");
    let failed = format!("step `{step}` failed");
    let typed = Regex::new(r"Type (\S+) and press").unwrap();
    let mut answered: Vec<String> = Vec::new();
    loop {
        let passed = |sc: &str| expect == Expect::Passes && sc.contains(&counter);
        let screen = wait_step(s, step, &format!("step `{step}` to end"), |sc| {
            passed(sc)
                || sc.contains(&failed)
                || sc.contains("Run this step?")
                || (dangerous(sc) && typed.is_match(sc))
                || sc.contains("Commit or roll back?")
                || sc.contains(&format!("Step `{step}` needs `"))
        });
        if passed(&screen) {
            return;
        }
        if screen.contains(&failed) {
            assert!(
                expect == Expect::ShowsTheFault,
                "`{step}` failed:\n{screen}\n{}",
                s.diagnostics()
            );
            return;
        }
        let dialog = if screen.contains("Run this step?") {
            s.keys(&["y"]);
            "Run this step?".to_string()
        } else if dangerous(&screen) {
            let name = typed
                .captures(&screen)
                .map(|c| c[1].trim_end_matches(['.', ':', ',']).to_string())
                .unwrap_or_else(|| panic!("no name to type for `{step}`:\n{screen}"));
            s.type_text(&name);
            s.keys(&["Enter"]);
            if screen.contains("Dangerous step: confirm") {
                "Dangerous step: confirm".to_string()
            } else {
                "Dangerous statement: confirm".to_string()
            }
        } else if screen.contains("Commit or roll back?") {
            s.keys(&["c"]);
            "Commit or roll back?".to_string()
        } else {
            let (name, value) = variables
                .iter()
                .find(|(n, _)| screen.contains(&format!("Step `{step}` needs `{n}`")))
                .unwrap_or_else(|| panic!("`{step}` asks an unexpected variable:\n{screen}"));
            s.type_text(value);
            s.keys(&["Enter"]);
            format!("Step `{step}` needs `{name}`")
        };
        assert!(
            answered.len() < 6,
            "`{step}` keeps asking: {answered:?}\n{screen}"
        );
        wait_step(s, step, &format!("`{dialog}` to close"), |sc| {
            !sc.contains(&dialog)
        });
        answered.push(dialog);
    }
}

/// Starts cockpit on the fleet, injects nothing (the caller did), opens the drill's playbook,
/// runs every step (calling `between(step)` before each), runs again the quick checks that
/// showed the fault, resolves, quits; then checks the journal. Returns the journal's rows.
/// cockpit in tmux on the fleet's inventory (logged in as the on-call user through sudo when
/// `sudo`), once it shows the host `up`.
fn start_cockpit(fleet: &NodeFleet, sandbox: &Sandbox, sudo: bool) -> Session {
    let inventory = sandbox.root.join("inventory.toml");
    let text = if sudo {
        fleet.inventory_as("HB_DB_PASSWORD", node_fleet::OPS_USER)
    } else {
        fleet.inventory("HB_DB_PASSWORD")
    };
    std::fs::write(&inventory, text).expect("inventory");
    let inventory_arg = inventory.display().to_string();
    let s = sandbox.start_cockpit_with_env(
        170,
        60,
        false,
        &["--config", &inventory_arg],
        &[("HB_DB_PASSWORD", &fleet.db_password)],
    );
    let up = Regex::new(&format!(
        r"● {} +\S+ +up\b",
        regex::escape(node_fleet::HOST)
    ))
    .unwrap();
    let screen = s.wait_for("the host `up`", FLEET, |sc| {
        up.is_match(sc) || sc.contains("EXITED:")
    });
    assert!(!screen.contains("EXITED:"), "cockpit exited:\n{screen}");
    s
}

fn drill(
    name: &str,
    fleet: &NodeFleet,
    d: &Drill,
    fault: impl FnOnce(),
    mut before: impl FnMut(&str),
) -> Vec<tmux::Row> {
    let started = Instant::now();
    let sandbox = Sandbox::new(name);
    let s = start_cockpit(fleet, &sandbox, d.sudo);
    fault();
    let wanted = playbook_title(d.playbook);
    if d.suggested {
        s.wait_for("the suggested incident", FLEET, |sc| {
            sc.contains("Suggested by the fleet's state")
        });
    }
    s.keys(&["o"]);
    let form = s.wait_for("the open-incident form", REACT, |sc| {
        sc.contains("Playbook (↑/↓)")
            && (!d.suggested
                || form_titles(sc)
                    .iter()
                    .any(|t| t.contains(&wanted) && t.contains("← suggested")))
    });
    let titles = form_titles(&form);
    let index = titles
        .iter()
        .position(|t| t.contains(&wanted))
        .unwrap_or_else(|| panic!("`{wanted}` is not offered: {titles:?}"));
    for _ in 0..titles.len() {
        s.keys(&["Up"]);
    }
    for _ in 0..index {
        s.keys(&["Down"]);
    }
    s.keys(&["Enter"]);
    let total = d.steps.len();
    s.wait_for("the incident", REACT, |sc| {
        sc.contains(&format!("· 0/{total} done"))
    });
    let mut done = 0;
    for (step, expect) in d.steps {
        before(step);
        match expect {
            Expect::Passes => {
                done += 1;
                run_step(&s, step, *expect, done, total, d.variables);
            }
            Expect::ShowsTheFault => {
                run_step(&s, step, *expect, done, total, d.variables);
                s.keys(&["Down"]);
            }
            Expect::Skipped(reason) => {
                done += 1;
                s.keys(&["s"]);
                s.wait_for(&format!("the skip prompt of `{step}`"), REACT, |sc| {
                    sc.contains(&format!("Why skip step `{step}`?"))
                });
                s.type_text(reason);
                s.keys(&["Enter"]);
                s.wait_for(&format!("`{step}` skipped"), REACT, |sc| {
                    sc.contains(&format!("· {done}/{total} done"))
                });
            }
        }
    }
    // The quick checks that showed the fault pass now. Enter on the last step selects the
    // first of them; each one that passes selects the next.
    let mut first = true;
    for (step, expect) in d.steps {
        if *expect == Expect::ShowsTheFault {
            if first {
                s.keys(&["Enter"]);
                s.wait_for(&format!("`{step}` selected again"), REACT, |sc| {
                    sc.contains(&format!("selected the next open step `{step}`"))
                });
                first = false;
            }
            done += 1;
            run_step(&s, step, Expect::Passes, done, total, d.variables);
        }
    }
    assert_eq!(done, total);
    s.keys(&["R"]);
    s.wait_for("the resolve prompt", REACT, |sc| sc.contains("summary"));
    s.type_text("recovered");
    s.keys(&["Enter"]);
    s.wait_for("no open incident", REACT, |sc| {
        sc.contains("no open incident")
    });
    eprintln!(
        "node drill {name}: {} steps in {:.1} s",
        total,
        started.elapsed().as_secs_f64()
    );
    s.keys(&["q"]);
    let (status, exit_screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{exit_screen}");
    check_journal(&sandbox, d, &fleet.db_password)
}

/// The titles the open-incident form lists, one per line.
fn form_titles(form: &str) -> Vec<String> {
    form.lines()
        .skip_while(|l| !l.contains("Playbook (↑/↓)"))
        .skip(1)
        .take_while(|l| !l.contains("Severity (←/→)"))
        .map(|l| l.trim().to_string())
        .filter(|l| l.contains(" P"))
        .collect()
}

/// The playbook's title, from the shipped file.
fn playbook_title(id: &str) -> String {
    let path = format!("{}/playbooks/{id}.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the shipped playbook");
    let value: toml::Value = toml::from_str(&text).expect("TOML");
    value["title"].as_str().expect("a title").to_string()
}

/// Every step passed (the fault-showing ones on their second run, after failing on their
/// first), none skipped; the incident was resolved; the journal verifies; the database password
/// never shows in it.
fn check_journal(sandbox: &Sandbox, d: &Drill, password: &str) -> Vec<tmux::Row> {
    let rows = read_journal(&sandbox.journal);
    let all = dump(&rows);
    let opened = rows
        .iter()
        .find(|r| r.kind == "incident_opened")
        .unwrap_or_else(|| panic!("no incident opened:\n{all}"));
    assert_eq!(opened.body["playbook"], d.playbook, "{all}");
    for (step, expect) in d.steps {
        let skipped = rows
            .iter()
            .any(|r| r.kind == "step_skipped" && r.body["step"] == *step);
        assert_eq!(
            skipped,
            matches!(expect, Expect::Skipped(_)),
            "`{step}` skipped or not:\n{all}"
        );
        let finished: Vec<bool> = rows
            .iter()
            .filter(|r| r.kind == "step_finished" && r.body["step"] == *step)
            .map(|r| r.body["ok"] == true)
            .collect();
        let completed = rows
            .iter()
            .any(|r| r.kind == "step_completed" && r.body["step"] == *step);
        match expect {
            Expect::Passes => assert!(
                finished == [true] || (finished.is_empty() && completed),
                "`{step}` did not pass at once: {finished:?}\n{all}"
            ),
            Expect::ShowsTheFault => assert_eq!(
                finished,
                [false, true],
                "`{step}` should fail, then pass:\n{all}"
            ),
            Expect::Skipped(_) => assert!(finished.is_empty(), "`{step}` ran:\n{all}"),
        }
    }
    assert!(
        rows.iter().any(|r| r.kind == "incident_resolved"),
        "not resolved:\n{all}"
    );
    assert!(
        !all.contains(password),
        "the database password leaked into the journal"
    );
    assert_verifies(&sandbox.journal, rows.len());
    rows
}

/// What step `step` printed on its run `attempt` (journaled, bounded).
fn output(rows: &[tmux::Row], step: &str, attempt: u64) -> String {
    rows.iter()
        .filter(|r| {
            r.kind == "step_output" && r.body["step"] == step && r.body["attempt"] == attempt
        })
        .map(|r| r.body["output"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The command a step ran (as journaled).
fn command(rows: &[tmux::Row], step: &str) -> String {
    rows.iter()
        .find(|r| r.kind == "step_started" && r.body["step"] == step)
        .and_then(|r| r.body["command"].as_str())
        .unwrap_or_default()
        .to_string()
}

use Expect::{Passes, ShowsTheFault, Skipped};

/// The application's `.env` loses a setting (a misspelt name) and the application is restarted
/// (a deploy, say): it cannot start again. The deployment tells PM2 that a run shorter than 30 s
/// is a crash and to give up after 3 of them (its ecosystem file), so PM2 shows it "errored",
/// the recovery guide's "PM2 shows the application stopped": nothing listens on its port, and
/// nothing restarts it behind the operator's back. Restarted through PM2, not killed: PM2 counts
/// crashes only within 90 s of the last start or restart, which a kill does not renew.
fn break_the_app(fleet: &NodeFleet) {
    fleet.ssh_ok("sed -i 's/^DATABASE_URL=/DATABSE_URL=/' /app/.env");
    let (code, out, err) = fleet.as_app_user("pm2 restart health-butler");
    assert_eq!(code, 0, "{out}{err}");
    wait_until_errored(fleet);
    assert_eq!(fleet.health_status(), 0, "nothing answers");
    assert!(fleet.pm2_logs().contains("DATABASE_URL is not set"));
}

/// Waits for PM2 to give up on the crashing application ("errored").
fn wait_until_errored(fleet: &NodeFleet) {
    let errored = node_fleet::wait(WAIT, || fleet.pm2_state().0 == "errored");
    assert!(errored, "{:?}\n{}", fleet.pm2_state(), fleet.pm2_logs());
}

#[test]
fn node_app_unavailable_end_to_end() {
    let _serial = serial();
    let fleet = NodeFleet::start(None);
    let drill_def = Drill {
        playbook: "node-app-unavailable",
        suggested: true,
        sudo: false,
        steps: &[
            ("pm2-status", Passes),
            ("pm2-logs", Passes),
            ("port", Passes),
            ("restart", Passes),
            ("err-logs", Passes),
            ("env-names", Passes),
            ("fix-config", Passes),
            ("restart-fixed", Passes),
            ("health", Passes),
            ("verify", Passes),
        ],
        variables: &[],
    };
    let rows = drill(
        "node-app-unavailable",
        &fleet,
        &drill_def,
        || break_the_app(&fleet),
        |step| {
            if step == "err-logs" {
                // The restart did not help: PM2 gives up on the crashing app again. Waited
                // for, so the fixed file is not picked up by a restart PM2 still had in hand
                // (on a slow machine), which would bring the app back before `restart-fixed`.
                wait_until_errored(&fleet);
            }
            if step == "fix-config" {
                // The operator fixes the misspelt name the previous step showed.
                fleet.ssh_ok("sed -i 's/^DATABSE_URL=/DATABASE_URL=/' /app/.env");
            }
        },
    );
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.pm2_logs());
    assert_eq!(fleet.pm2_state().0, "online");
    let names = output(&rows, "env-names", 1);
    assert!(
        names.contains("DATABSE_URL"),
        "the misspelt name shows: {names}"
    );
    assert!(!names.contains("postgres://"), "no value shows: {names}");
    let errors = output(&rows, "err-logs", 1);
    assert!(errors.contains("DATABASE_URL is not set"), "{errors}");
    let status = command(&rows, "pm2-status");
    assert!(
        status.contains("runuser") && status.contains(node_fleet::NVM_BIN),
        "pm2 runs as the service's user with its PATH: {status}"
    );
}

#[test]
fn node_out_of_memory_end_to_end() {
    let _serial = serial();
    // Deployed with too tight a heap for the application's reports.
    let fleet = NodeFleet::start(Some(64));
    let drill_def = Drill {
        playbook: "node-out-of-memory",
        suggested: true,
        sudo: false,
        steps: &[
            ("free", Passes),
            ("pm2-memory", Passes),
            ("heap", Passes),
            ("oom-log", Passes),
            ("raise-limit", Passes),
            ("flush-redis", Passes),
            ("clear-next-cache", Passes),
            ("restart", Passes),
            ("check-limit", Passes),
            ("health", Passes),
            ("monitor", Passes),
        ],
        variables: &[],
    };
    let rows = drill(
        "node-out-of-memory",
        &fleet,
        &drill_def,
        || {
            // The leak fills the machine (its memory gauge, see NodeFleet::memory_gauge) and
            // two 200 MB reports each kill the application for real: PM2 restarts it.
            fleet.memory_gauge(Some(95));
            for _ in 0..2 {
                let restarts = fleet.pm2_state().1;
                assert_eq!(fleet.report(200), 0, "the report kills the application");
                assert!(
                    node_fleet::wait(WAIT, || fleet.pm2_state().1 > restarts),
                    "{}",
                    fleet.pm2_logs()
                );
                assert!(fleet.wait_health(200, WAIT), "{}", fleet.pm2_logs());
            }
        },
        |step| {
            if step == "restart" {
                // The leaking process is gone (deleted and started again): memory is back.
                fleet.memory_gauge(None);
            }
        },
    );
    let heap = output(&rows, "heap", 1);
    assert!(
        heap.contains("NODE_OPTIONS=--max-old-space-size=64"),
        "the application's own heap flag shows: {heap}"
    );
    assert!(output(&rows, "oom-log", 1).contains("heap out of memory"));
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.pm2_logs());
    assert!(fleet.heap_limit_mb() >= 4096, "{}", fleet.health_body());
    assert_eq!(fleet.report(200), 200, "the report fits in the raised heap");
    assert_eq!(fleet.redis_cli("DBSIZE").trim(), "0", "Redis flushed");
    let (code, _, _) = fleet.ssh("test -e /app/.next/cache");
    assert_ne!(code, 0, ".next/cache deleted");
}

/// node-db-connection's steps: the quick checks that reach the server show the fault.
const DB_CONNECTION_STEPS: &[(&str, Expect)] = &[
    ("pg-ready", ShowsTheFault),
    ("pg-clusters", Passes),
    ("pg-connect", ShowsTheFault),
    ("connections", ShowsTheFault),
    ("pg-restart", Passes),
    ("pg-log", Passes),
    ("app-restart", Passes),
    ("prisma-check", Passes),
    ("health", Passes),
    ("verify", Passes),
];

#[test]
fn node_db_connection_end_to_end() {
    let _serial = serial();
    let fleet = NodeFleet::start(None);
    let drill_def = Drill {
        playbook: "node-db-connection",
        suggested: true,
        sudo: false,
        steps: DB_CONNECTION_STEPS,
        variables: &[],
    };
    let rows = drill(
        "node-db-connection",
        &fleet,
        &drill_def,
        || {
            fleet.pg_ctlcluster("stop");
            assert!(fleet.wait_health(500, WAIT), "{}", fleet.health_body());
        },
        |_| {},
    );
    assert!(fleet.pg_ready());
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.health_body());
    assert!(output(&rows, "pg-ready", 1).contains("no response"));
    assert!(output(&rows, "pg-clusters", 1).contains("down"));
    let calls = fleet.calls();
    for wanted in [
        "systemctl restart postgresql",
        "prisma db execute --schema prisma/schema.prisma --stdin",
    ] {
        assert!(calls.iter().any(|c| c == wanted), "{wanted}: {calls:?}");
    }
    let log = rows
        .iter()
        .find(|r| r.kind == "variable_set" && r.body["name"] == "pg_log")
        .map(|r| r.body["value"].as_str().unwrap_or_default().to_string());
    assert_eq!(
        log.as_deref(),
        Some("/var/log/postgresql/postgresql-15-main.log")
    );
    assert!(output(&rows, "pg-log", 1).contains("database system is ready"));
}

/// The same drill logged in as an on-call user with sudo: the postgres steps run under
/// `sudo -n -H -u postgres`, the pm2 ones under `sudo -n -H -u cockpit-deploy`, the service
/// restart under `sudo -n`.
#[test]
fn node_db_connection_with_sudo_end_to_end() {
    let _serial = serial();
    let fleet = NodeFleet::start(None);
    let drill_def = Drill {
        playbook: "node-db-connection",
        suggested: true,
        sudo: true,
        steps: DB_CONNECTION_STEPS,
        variables: &[],
    };
    let rows = drill(
        "node-db-connection-sudo",
        &fleet,
        &drill_def,
        || {
            fleet.pg_ctlcluster("stop");
            assert!(fleet.wait_health(500, WAIT), "{}", fleet.health_body());
        },
        |_| {},
    );
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.health_body());
    for (step, wrapped) in [
        ("pg-ready", "sudo -n -H -u postgres -- sh -c"),
        ("pg-restart", "sudo -n -- sh -c"),
        ("app-restart", "sudo -n -H -u cockpit-deploy -- sh -c"),
        ("pg-clusters", "pg_lsclusters"),
    ] {
        let ran = command(&rows, step);
        assert!(ran.contains(wrapped), "`{step}` ran `{ran}`");
    }
    assert!(!command(&rows, "pg-clusters").contains("sudo"));
    assert!(
        fleet
            .calls()
            .iter()
            .any(|c| c == "systemctl restart postgresql")
    );
}

#[test]
fn node_data_loss_end_to_end() {
    let _serial = serial();
    let fleet = NodeFleet::start(None);
    let drill_def = Drill {
        playbook: "node-data-loss",
        suggested: false,
        sudo: false,
        steps: &[
            ("pg-stat-database", Passes),
            ("active-transactions", Passes),
            ("list-backups", Passes),
            ("stop-writes", Passes),
            ("assess", Passes),
            ("find-backup", Passes),
            ("keep-current", Passes),
            ("stop-app", Passes),
            ("restore", Passes),
            ("count-users", Passes),
            ("start-app", Passes),
            ("restore-uploads", Passes),
            ("restore-env", Passes),
            ("restart-files", Passes),
            ("pitr", Skipped("the full restore was enough")),
            ("check-count", Passes),
            ("check-recent", Passes),
            ("check-tables", Passes),
            ("rerun", Passes),
        ],
        variables: &[],
    };
    let rows = drill(
        "node-data-loss",
        &fleet,
        &drill_def,
        || {
            fleet.sql("DROP TABLE health_data; DROP TABLE users");
            fleet.ssh_ok("rm /app/uploads/avatar-1.png");
            assert!(fleet.wait_health(500, WAIT), "{}", fleet.health_body());
        },
        |_| {},
    );
    assert_eq!(fleet.sql("SELECT count(*) FROM users"), USERS.to_string());
    assert_eq!(fleet.sql("SELECT count(*) FROM health_data"), "2");
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.health_body());
    fleet.ssh_ok("test -s /app/uploads/avatar-1.png && test -s /app/uploads/avatar-2.png");
    fleet.ssh_ok("ls /var/backups/health_butler/before-restore-*.pgdump");
    let backup = rows
        .iter()
        .find(|r| r.kind == "variable_set" && r.body["name"] == "backup_file")
        .map(|r| r.body["value"].as_str().unwrap_or_default().to_string());
    assert_eq!(backup.as_deref(), Some(NEWEST_DUMP));
    assert!(output(&rows, "count-users", 1).contains(&USERS.to_string()));
}

#[test]
fn node_rollback_end_to_end() {
    let _serial = serial();
    let fleet = NodeFleet::start(None);
    let drill_def = Drill {
        playbook: "node-rollback",
        suggested: false,
        sudo: false,
        steps: &[
            ("release", Passes),
            ("code", Passes),
            ("migration", Skipped("release 1.1 has no migration")),
            ("restart", Passes),
            ("health", Passes),
            ("verify", Passes),
        ],
        variables: &[
            ("stable_tag", "v1.0"),
            ("health_url", node_fleet::HEALTH_URL),
        ],
    };
    let rows = drill(
        "node-rollback",
        &fleet,
        &drill_def,
        || {
            // Release 1.1 is deployed: its /health answers 503.
            let (code, out, err) = fleet.as_app_user(
                "cd /app && git checkout -q v1.1 && npm ci --no-audit --no-fund && npm run build && pm2 restart health-butler",
            );
            assert_eq!(code, 0, "{out}{err}");
            assert!(fleet.wait_health(503, WAIT), "{}", fleet.health_body());
        },
        |_| {},
    );
    assert!(output(&rows, "release", 1).contains("v1.1"));
    assert!(fleet.wait_health(200, WAIT), "{}", fleet.health_body());
    assert!(fleet.health_body().contains("\"version\":\"1.0\""));
    assert_eq!(fleet.ssh_ok("cat /app/dist/BUILD").trim(), "1.0");
}

/// Processes spinning on the CPU, killed on drop.
struct CpuHogs(Vec<std::process::Child>);

impl CpuHogs {
    fn start(n: usize) -> CpuHogs {
        CpuHogs(
            (0..n)
                .map(|_| {
                    std::process::Command::new("sh")
                        .args(["-c", "while :; do :; done"])
                        .spawn()
                        .expect("a CPU hog")
                })
                .collect(),
        )
    }
}

impl Drop for CpuHogs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[test]
fn node_slow_end_to_end() {
    let _serial = serial();
    let fleet = NodeFleet::start(None);
    let hogs = std::cell::RefCell::new(None);
    let drill_def = Drill {
        playbook: "node-slow",
        suggested: true,
        sudo: false,
        steps: &[
            ("top", Passes),
            ("slow-queries", Passes),
            ("response-time", Passes),
            ("optimise", Passes),
            ("locks", Passes),
            ("restart", Passes),
            ("query-cache", Passes),
            ("scale", Passes),
            ("verify", Passes),
        ],
        variables: &[],
    };
    let rows = drill(
        "node-slow",
        &fleet,
        &drill_def,
        // Both cores busy: the CPU above the warning threshold.
        || *hogs.borrow_mut() = Some(CpuHogs::start(2)),
        |step| {
            if step == "verify" {
                // Scaled up: the load is gone.
                hogs.borrow_mut().take();
            }
        },
    );
    assert!(output(&rows, "top", 1).contains("load average"));
    assert!(output(&rows, "response-time", 1).contains("HTTP 200"));
}

/// `d` on the application host: the diagnose bundle asks PM2 as the deploy user with nvm's
/// PATH (PM2 keeps one process list per user: root's is empty) and PostgreSQL as postgres, and
/// the report is journaled.
#[test]
fn d_on_the_app_host_asks_pm2_as_its_user_and_postgres_as_postgres() {
    let _serial = serial();
    let fleet = NodeFleet::start(None);
    let sandbox = Sandbox::new("node-diagnose");
    let s = start_cockpit(&fleet, &sandbox, false);
    s.keys(&["d"]);
    let title = format!("Diagnose {} (journaled)", node_fleet::HOST);
    s.wait_for("the journaled report", REACT, |sc| sc.contains(&title));
    s.keys(&["Escape"]);
    s.wait_for("the report closed", REACT, |sc| !sc.contains(&title));
    s.keys(&["q"]);
    let (status, exit_screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{exit_screen}");
    let rows = read_journal(&sandbox.journal);
    let all = dump(&rows);
    let report = rows
        .iter()
        .find(|r| r.kind == "host_diagnosed")
        .unwrap_or_else(|| panic!("no host_diagnosed:\n{all}"));
    let text = report.body["report"].as_str().expect("report text");
    let section = |title: &str| -> String {
        let mark = format!("=== cockpit: {title}\n");
        let start = text
            .find(&mark)
            .unwrap_or_else(|| panic!("no section {title:?}:\n{text}"));
        let rest = &text[start + mark.len()..];
        rest[..rest.find("=== cockpit: ").unwrap_or(rest.len())].to_string()
    };
    let processes = section("pm2: processes");
    assert!(
        processes.contains("health-butler") && processes.contains("online"),
        "the deploy user's PM2 list: {processes}"
    );
    let ready = section("postgres: ready");
    assert!(ready.contains("accepting connections"), "{ready}");
    assert!(
        !text.contains(&fleet.db_password),
        "the database password is not in the report"
    );
    assert_verifies(&sandbox.journal, rows.len());
}
