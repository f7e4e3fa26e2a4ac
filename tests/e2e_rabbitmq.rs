//! Issue 18: the RabbitMQ operations manual's three disaster recovery plans (§10.4.2) run end to
//! end on a real RabbitMQ fleet, through the real binary in tmux.
//!
//! The fleet (tests/support/rabbit_fleet.rs): Debian's rabbitmq-server 3.10, a 3-node cluster
//! on loopback (`mq-1`…`mq-3`), each node on an OpenSSH host in a mount namespace of its own
//! with its own /etc/rabbitmq, /var/lib/rabbitmq, /var/log/rabbitmq and /var/backups/rabbitmq,
//! its own node name and ports, one shared cookie; for the complete failure a disaster recovery
//! node (`dr-1`) besides. The one stand-in: `systemctl` (no systemd in this container), a shell
//! script in each host's own /usr/local/bin that runs rabbitmq-server as Debian's unit does.
//!
//! Each test injects the fault for real, waits for cockpit to see it, opens the incident with
//! the plan's playbook (shipped, unchanged), runs every step — nothing typed but confirmations,
//! the values the plan asks for, and the reasons for skipping the steps that wait for a fault
//! that is gone — resolves it, then checks the cluster from outside and that
//! `cockpit journal verify` passes.
//!
//! Needs root (mount namespaces), sshd, tmux and rabbitmq-server (`scripts/test.sh`):
//! `cargo test --test e2e_rabbitmq -- --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/ns_host.rs"]
mod ns_host;
#[path = "support/rabbit_fleet.rs"]
mod rabbit_fleet;
#[path = "support/sshd.rs"]
mod sshd;
#[path = "support/tmux.rs"]
mod tmux;

use rabbit_fleet::{CLUSTER, DEFINITIONS, LATE_QUEUE, RabbitFleet};
use regex::Regex;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tmux::{Sandbox, Session, assert_verifies, dump, read_journal};

/// One fleet at a time: they use the same loopback addresses and AMQP port.
static SERIAL: Mutex<()> = Mutex::new(());

/// Deadline for a step (or dialog) to show its outcome on screen; node restarts included.
const REACT: Duration = Duration::from_secs(180);
/// Deadline for cockpit to see the fleet up, and to see the fault.
const SEE: Duration = Duration::from_secs(90);

/// How one step is answered.
struct Do {
    /// The step's id.
    id: &'static str,
    /// Values typed when the step asks for a variable, in order.
    values: &'static [&'static str],
    /// The confirmation it needs.
    confirm: Confirm,
}

/// What the operator answers a step with.
enum Confirm {
    /// Nothing to confirm (or a manual step ticked by Enter).
    None,
    /// `y`.
    Yes,
    /// The name shown typed, then Enter; the name must be this one.
    Typed(&'static str),
    /// The step waits for a fault that is gone: skipped with this reason.
    SkipWaiting(&'static str),
    /// A step for a fault that is gone, or that cannot pass while it lasts: skipped with this
    /// reason without running it.
    Skip(&'static str),
    /// The name typed; the step is expected to fail (the fault resists it), then is skipped
    /// with this reason.
    TypedThenFails(&'static str, &'static str),
}

/// A step answered by Enter alone.
const fn run(id: &'static str) -> Do {
    Do {
        id,
        values: &[],
        confirm: Confirm::None,
    }
}

/// Fails at once (with the screen) if a step is reported failed or refused.
fn wait_step(s: &Session, step: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let bad = Regex::new(&format!(
        r"step `{}` (failed|cannot run|not run|stopped)",
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

fn do_step(s: &Session, n: usize, total: usize, d: &Do) {
    let step = d.id;
    if let Confirm::SkipWaiting(reason) | Confirm::Skip(reason) = d.confirm {
        if matches!(d.confirm, Confirm::SkipWaiting(_)) {
            s.keys(&["Enter"]);
            wait_step(s, step, &format!("`{step}` waiting"), |sc| {
                sc.contains(&format!("step `{step}` waits"))
            });
        }
        s.keys(&["s"]);
        wait_step(s, step, &format!("the skip prompt of `{step}`"), |sc| {
            sc.contains(&format!("Why skip step `{step}`?"))
        });
        s.type_text(reason);
        s.keys(&["Enter"]);
    } else {
        s.keys(&["Enter"]);
        for value in d.values {
            wait_step(s, step, &format!("the value `{step}` asks for"), |sc| {
                sc.contains(&format!("Step `{step}` needs"))
            });
            s.type_text(value);
            s.keys(&["Enter"]);
        }
        match d.confirm {
            Confirm::Yes => {
                wait_step(s, step, &format!("the confirmation of `{step}`"), |sc| {
                    sc.contains("Run this step?")
                });
                s.keys(&["y"]);
            }
            Confirm::Typed(name) => {
                let screen = wait_step(
                    s,
                    step,
                    &format!("the typed confirmation of `{step}`"),
                    |sc| sc.contains("Dangerous step: confirm") && sc.contains(" and press"),
                );
                assert!(
                    screen.contains(&format!("Type {name} and press")),
                    "`{step}` should ask for `{name}`:\n{screen}"
                );
                s.type_text(name);
                s.keys(&["Enter"]);
            }
            Confirm::TypedThenFails(name, reason) => {
                wait_step(
                    s,
                    step,
                    &format!("the typed confirmation of `{step}`"),
                    |sc| sc.contains(&format!("Type {name} and press")),
                );
                s.type_text(name);
                s.keys(&["Enter"]);
                s.wait_for(&format!("`{step}` failing"), REACT, |sc| {
                    sc.contains(&format!("step `{step}` failed"))
                });
                s.keys(&["s"]);
                s.wait_for(&format!("the skip prompt of `{step}`"), REACT, |sc| {
                    sc.contains(&format!("Why skip step `{step}`?"))
                });
                s.type_text(reason);
                s.keys(&["Enter"]);
            }
            Confirm::None | Confirm::SkipWaiting(_) | Confirm::Skip(_) => {}
        }
    }
    let needle = format!("· {n}/{total} done");
    let what = format!("step {n} `{step}` done");
    if matches!(d.confirm, Confirm::TypedThenFails(..)) {
        // Its failure stays on screen a while: only the count matters now.
        s.wait_for(&what, REACT, |sc| sc.contains(&needle));
    } else {
        wait_step(s, step, &what, |sc| sc.contains(&needle));
    }
}

/// Starts cockpit on the fleet's inventory and waits for every host `up`.
fn start_cockpit(sandbox: &Sandbox, fleet: &RabbitFleet) -> Session {
    let inventory = sandbox.root.join("inventory.toml");
    std::fs::write(&inventory, fleet.inventory()).expect("write the inventory");
    let arg = inventory.display().to_string();
    let s = sandbox.start_cockpit_with_env(170, 50, false, &["--config", &arg], &[]);
    let rows: Vec<Regex> = fleet
        .hosts
        .iter()
        .map(|h| Regex::new(&format!(r"● {} +\S+ +up\b", regex::escape(&h.host.name))).unwrap())
        .collect();
    let screen = s.wait_for("every RabbitMQ host `up`", SEE, |sc| {
        rows.iter().all(|r| r.is_match(sc)) || sc.contains("EXITED:")
    });
    assert!(!screen.contains("EXITED:"), "cockpit exited:\n{screen}");
    s
}

/// Opens the incident with playbook `title` from the open-incident form: it must be among the
/// suggested ones.
fn open_incident(s: &Session, title: &str, total: usize) {
    s.wait_for("the suggested incident", SEE, |sc| {
        sc.contains("Suggested by the fleet's state")
    });
    s.keys(&["o"]);
    let screen = s.wait_for("the open-incident form", REACT, |sc| {
        sc.contains("Playbook (↑/↓)")
    });
    let listed: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("Playbook (↑/↓)"))
        .skip(1)
        .take_while(|l| !l.contains("Severity (←/→)"))
        .filter(|l| l.contains(" P"))
        .collect();
    let index = listed
        .iter()
        .position(|l| l.contains(title))
        .unwrap_or_else(|| panic!("`{title}` is not in the form:\n{screen}"));
    assert!(
        listed[index].contains(&format!("{title}  ← suggested")),
        "`{title}` is not suggested:\n{screen}"
    );
    for _ in 0..listed.len() {
        s.keys(&["Up"]);
    }
    for _ in 0..index {
        s.keys(&["Down"]);
    }
    s.keys(&["Enter"]);
    s.wait_for("the incident", REACT, |sc| {
        sc.contains(title) && sc.contains(&format!("· 0/{total} done"))
    });
}

/// Opens the incident with playbook `title` (suggested), does each of `steps` in order,
/// resolves it and quits.
fn run_incident(s: &Session, title: &str, steps: &[Do]) {
    open_incident(s, title, steps.len());
    for (i, d) in steps.iter().enumerate() {
        do_step(s, i + 1, steps.len(), d);
    }
    resolve_and_quit(s);
}

/// Queue (or other) names, sorted as `RabbitFleet::queues` lists them.
fn sorted_names(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|q| q.to_string()).collect();
    names.sort();
    names
}

fn resolve_and_quit(s: &Session) {
    s.keys(&["R"]);
    s.wait_for("the resolve prompt", REACT, |sc| sc.contains("summary"));
    s.type_text("done");
    s.keys(&["Enter"]);
    s.wait_for("no open incident", REACT, |sc| {
        sc.contains("no open incident")
    });
    s.keys(&["q"]);
    let (status, exit_screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{exit_screen}");
}

/// The journal: the playbook opened on the incident's host `host` (the one its trigger
/// matched), every step of `steps` passed (or was skipped where the test skipped it) in order,
/// nothing failed, resolved; it verifies. Returns the rows.
fn check_journal(
    sandbox: &Sandbox,
    playbook: &str,
    host: Option<&str>,
    steps: &[Do],
) -> Vec<tmux::Row> {
    let rows = read_journal(&sandbox.journal);
    let all = dump(&rows);
    let opened = rows
        .iter()
        .find(|r| r.kind == "incident_opened")
        .unwrap_or_else(|| panic!("no incident opened:\n{all}"));
    assert_eq!(opened.body["playbook"], playbook, "{all}");
    assert_eq!(
        opened.body["host"].as_str(),
        host,
        "the incident's host:\n{all}"
    );
    let mut last_seq = 0;
    for d in steps {
        let skipped = matches!(
            d.confirm,
            Confirm::SkipWaiting(_) | Confirm::Skip(_) | Confirm::TypedThenFails(..)
        );
        let row = rows
            .iter()
            .find(|r| {
                if skipped {
                    r.kind == "step_skipped" && r.body["step"] == d.id
                } else {
                    (r.kind == "step_finished" && r.body["step"] == d.id && r.body["ok"] == true)
                        || (r.kind == "step_completed" && r.body["step"] == d.id)
                }
            })
            .unwrap_or_else(|| {
                panic!(
                    "`{}` did not {}:\n{all}",
                    d.id,
                    if skipped { "get skipped" } else { "pass" }
                )
            });
        assert!(row.seq > last_seq, "`{}` out of order:\n{all}", d.id);
        last_seq = row.seq;
    }
    assert_eq!(
        rows.iter().filter(|r| r.kind == "step_skipped").count(),
        steps
            .iter()
            .filter(|d| {
                matches!(
                    d.confirm,
                    Confirm::SkipWaiting(_) | Confirm::Skip(_) | Confirm::TypedThenFails(..)
                )
            })
            .count(),
        "only the waiting steps are skipped:\n{all}"
    );
    for r in rows
        .iter()
        .filter(|r| r.kind == "step_finished" && r.body["ok"] != true)
    {
        assert!(
            steps
                .iter()
                .any(|d| r.body["step"] == d.id && matches!(d.confirm, Confirm::TypedThenFails(..))),
            "a step failed on the way:\n{all}"
        );
    }
    assert!(
        rows.iter().any(|r| r.kind == "incident_resolved"),
        "not resolved:\n{all}"
    );
    assert_verifies(&sandbox.journal, rows.len());
    rows
}

/// The commands a step ran, as journaled (`step_started`'s rendered commands).
fn journaled_text(rows: &[tmux::Row], step: &str) -> String {
    rows.iter()
        .filter(|r| r.body["step"] == step)
        .map(|r| r.body.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

const NODE_DOWN: [Do; 10] = [
    run("scope"),
    run("diagnose"),
    run("impact"),
    Do {
        id: "restart",
        values: &[],
        confirm: Confirm::Typed("mq-2"),
    },
    run("integrity"),
    run("monitor"),
    run("fallback"),
    Do {
        id: "find-backup",
        values: &[],
        confirm: Confirm::SkipWaiting("the node is back"),
    },
    // Run, it would first ask for the backup the skipped step did not capture.
    Do {
        id: "restore",
        values: &[],
        confirm: Confirm::Skip("the node is back"),
    },
    run("validate"),
];

/// §10.4.2 single node failure: mq-2's node stops (its machine stays up); cockpit suggests
/// `rabbitmq-node-down`, whose restart runs on mq-2 alone; mq-2 is back in the cluster, the other
/// nodes were never restarted, and the backup restore waited (and was skipped) as the node came
/// back.
#[test]
fn single_node_failure_restarts_the_failed_node_alone() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let fleet = RabbitFleet::start(false);
    let booted = started.elapsed();
    let before: Vec<String> = ["mq-1", "mq-3"]
        .iter()
        .map(|h| fleet.run_ok(h, "cat /usr/local/bin/.rabbitmq-server.pid"))
        .collect();
    let sandbox = Sandbox::new("rabbitmq-node-down");
    let s = start_cockpit(&sandbox, &fleet);

    // The fault, as the manual's own drill injects it (§10.5.1, simulate_node_failure): the
    // node's service stops; its machine stays up.
    let fault = Instant::now();
    fleet.run_ok("mq-2", "systemctl stop rabbitmq-server");
    s.wait_for_re(r"mq-2 +\S+ +degraded", SEE);
    let steps = &NODE_DOWN;
    run_incident(&s, "RabbitMQ single node failure", steps);
    let fault_to_resolved = fault.elapsed();

    fleet.assert_cluster_whole();
    let after: Vec<String> = ["mq-1", "mq-3"]
        .iter()
        .map(|h| fleet.run_ok(h, "cat /usr/local/bin/.rabbitmq-server.pid"))
        .collect();
    assert_eq!(
        before, after,
        "mq-1 and mq-3 kept their nodes (never restarted)"
    );
    for h in ["mq-1", "mq-3"] {
        assert!(
            !fleet.host(h).calls().iter().any(|c| c.contains("restart")),
            "{h} was restarted: {:?}",
            fleet.host(h).calls()
        );
    }
    assert!(
        fleet
            .host("mq-2")
            .calls()
            .iter()
            .any(|c| c == "systemctl restart rabbitmq-server"),
        "mq-2 was not restarted: {:?}",
        fleet.host("mq-2").calls()
    );
    let want = sorted_names(&["health.alerts", "health.metrics"]);
    assert_eq!(
        fleet.queues("mq-2"),
        want,
        "mq-2 serves the cluster's queues again"
    );
    check_journal(&sandbox, "rabbitmq-node-down", Some("mq-2"), steps);
    eprintln!(
        "BENCH rabbitmq node-down: cluster boot {:.1} s, fault to resolved {:.1} s",
        booted.as_secs_f64(),
        fault_to_resolved.as_secs_f64()
    );
}

const CLUSTER_NODE: [Do; 11] = [
    Do {
        id: "cluster-status",
        values: &["rabbit-1@127.0.10.1"],
        confirm: Confirm::None,
    },
    run("cluster-health"),
    Do {
        id: "node-log",
        values: &["rabbit-3@127.0.10.3"],
        confirm: Confirm::None,
    },
    Do {
        id: "stop-node",
        values: &[],
        confirm: Confirm::Typed("mq-3"),
    },
    Do {
        id: "forget",
        values: &[],
        confirm: Confirm::Typed("mq-3"),
    },
    Do {
        id: "set-aside",
        values: &[],
        confirm: Confirm::Typed("mq-3"),
    },
    Do {
        id: "reset",
        values: &[],
        confirm: Confirm::Typed("mq-3"),
    },
    Do {
        id: "rejoin",
        values: &[],
        confirm: Confirm::Yes,
    },
    run("mirror-sync"),
    run("validate"),
    run("fallback"),
];

/// §10.4.2 cluster node failure: mq-3's database is damaged (the manual's own drill, §10.5.1:
/// a data file overwritten), so the node cannot boot and a restart does not help. The plan
/// forgets it from the cluster, sets its database aside, resets it, joins it again: mq-3 runs
/// in the cluster with the cluster's definitions, its damaged data kept aside.
#[test]
fn cluster_node_failure_resets_and_rejoins_a_node_that_cannot_boot() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let fleet = RabbitFleet::start(false);
    let sandbox = Sandbox::new("rabbitmq-cluster-node-failure");
    let s = start_cockpit(&sandbox, &fleet);

    // The fault: mq-3 stops, its schema is overwritten; it cannot boot again.
    fleet.run_ok("mq-3", "systemctl stop rabbitmq-server");
    fleet.run_ok(
        "mq-3",
        "echo corrupted > /var/lib/rabbitmq/mnesia/rabbit-3@127.0.10.3/schema.DAT",
    );
    let (code, out, err) = fleet.ssh("mq-3", "systemctl start rabbitmq-server");
    assert_ne!(code, 0, "the damaged node booted: {out}{err}");
    let log = fleet.run_ok(
        "mq-3",
        "grep -c 'Cannot read schema' /var/log/rabbitmq/rabbit-3@127.0.10.3.log || true",
    );
    assert_ne!(log.trim(), "0", "{}", fleet.node_log("mq-3"));
    let fault = Instant::now();
    s.wait_for_re(r"mq-3 +\S+ +degraded", SEE);
    let steps = &CLUSTER_NODE;
    run_incident(&s, "RabbitMQ cluster node failure", steps);
    let fault_to_resolved = fault.elapsed();

    fleet.assert_cluster_whole();
    let want = sorted_names(&["health.alerts", "health.metrics"]);
    assert_eq!(
        fleet.queues("mq-3"),
        want,
        "mq-3 has the cluster's queues again"
    );
    let kept = fleet.run_ok(
        "mq-3",
        "ls -d /var/lib/rabbitmq/mnesia_failed_*/rabbit-3@127.0.10.3 && cat /var/lib/rabbitmq/mnesia_failed_*/rabbit-3@127.0.10.3/schema.DAT",
    );
    assert!(
        kept.contains("corrupted"),
        "the damaged database is kept aside: {kept}"
    );
    let owner = fleet.run_ok("mq-3", "stat -c %U /var/lib/rabbitmq/mnesia");
    assert_eq!(owner.trim(), "rabbitmq");
    let rows = check_journal(
        &sandbox,
        "rabbitmq-cluster-node-failure",
        Some("mq-3"),
        steps,
    );
    let forget = journaled_text(&rows, "forget");
    assert!(
        forget.contains("forget_cluster_node") && forget.contains("rabbit-3@127.0.10.3"),
        "{forget}"
    );
    eprintln!(
        "BENCH rabbitmq cluster-node-failure: fault to resolved {:.1} s",
        fault_to_resolved.as_secs_f64()
    );
}

const COMPLETE: [Do; 10] = [
    run("activate-dr"),
    run("dr-reachable"),
    run("find-backup"),
    run("backup-state"),
    run("deploy"),
    Do {
        id: "restore",
        values: &[],
        confirm: Confirm::Typed("dr-1"),
    },
    run("verify-service"),
    run("send-receive"),
    run("switch-traffic"),
    run("validate"),
];

/// §10.4.2 complete system failure: backups taken on mq-1 the manual's way (BackupManager,
/// §10.4.1) are on the DR site; then all three machines die. Cockpit suggests the plan; it
/// finds the newest backup on dr-1, restores its definitions into the DR node, verifies the
/// service: dr-1 has the production virtual host, exchange, queues (the newest backup's, not the
/// older one's), user and policy.
#[test]
fn complete_system_failure_restores_the_newest_backup_on_the_dr_site() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut fleet = RabbitFleet::start(true);
    // Two nightly backups; a queue is added between them.
    let older = take_backup(&fleet, "mq-1", "20261205_030000", 2);
    fleet.import_definitions(
        "mq-1",
        &DEFINITIONS.replace(
            "\"queues\": [",
            &format!(
                "\"queues\": [\n    {{\"name\": \"{LATE_QUEUE}\", \"vhost\": \"health\", \"durable\": true, \"auto_delete\": false, \"arguments\": {{}}}},"
            ),
        ),
    );
    let newest = take_backup(&fleet, "mq-1", "20261206_030000", 1);
    for (name, _) in [&older, &newest] {
        for file in [format!("{name}.tar.gz"), format!("{name}_metadata.json")] {
            let from = fleet
                .host("mq-1")
                .file(&format!("/var/backups/rabbitmq/{file}"));
            let to = fleet
                .host("dr-1")
                .file(&format!("/var/backups/rabbitmq/{file}"));
            std::fs::copy(&from, &to).expect("the off-site copy");
            let when = std::fs::metadata(&from).unwrap().modified().unwrap();
            std::fs::File::options()
                .write(true)
                .open(&to)
                .unwrap()
                .set_modified(when)
                .unwrap();
        }
    }
    assert!(
        !fleet.queues("dr-1").iter().any(|q| q.starts_with("health")),
        "the DR node starts empty"
    );
    let sandbox = Sandbox::new("rabbitmq-complete-system-failure");
    let s = start_cockpit(&sandbox, &fleet);

    let fault = Instant::now();
    for (name, _, _) in CLUSTER {
        fleet.host_mut(name).crash_machine();
    }
    for (name, _, _) in CLUSTER {
        s.wait_for_re(&format!(r"{name} +\S+ +down"), SEE);
    }
    run_incident(&s, "RabbitMQ complete system failure", &COMPLETE);
    let fault_to_resolved = fault.elapsed();

    let want = sorted_names(&["health.alerts", "health.metrics", LATE_QUEUE]);
    assert_eq!(
        fleet.queues("dr-1"),
        want,
        "dr-1 holds the newest backup's queues"
    );
    let users = fleet.run_ok("dr-1", "rabbitmqctl -q list_users --no-table-headers");
    assert!(users.contains("butler"), "{users}");
    let policies = fleet.run_ok(
        "dr-1",
        "rabbitmqctl -q list_policies -p health --no-table-headers",
    );
    assert!(policies.contains("ha-all"), "{policies}");
    let left = fleet.run_ok("dr-1", "ls /tmp | grep -c rabbitmq_restore_ || true");
    assert_eq!(
        left.trim(),
        "0",
        "the restore's temporary folder is removed"
    );
    let rows = check_journal(
        &sandbox,
        "rabbitmq-complete-system-failure",
        Some("mq-1"),
        &COMPLETE,
    );
    let capture = rows
        .iter()
        .find(|r| r.kind == "variable_set" && r.body["name"] == "rabbitmq_backup")
        .unwrap_or_else(|| panic!("the capture is journaled:\n{}", dump(&rows)));
    assert_eq!(
        capture.body["value"].as_str(),
        Some(format!("/var/backups/rabbitmq/{}.tar.gz", newest.0).as_str()),
    );
    eprintln!(
        "BENCH rabbitmq complete-system-failure: fault to resolved {:.1} s",
        fault_to_resolved.as_secs_f64()
    );
}

/// Takes a full backup on `host` as the manual's BackupManager.create_full_backup does (§10.4.1;
/// `rabbitmqctl backup` does not exist, so its fallback: a copy of the mnesia folder), named
/// `full_backup_<stamp>`, dated `days_ago`; (name, archive path on mq-1).
fn take_backup(fleet: &RabbitFleet, host: &str, stamp: &str, days_ago: u32) -> (String, String) {
    let name = format!("full_backup_{stamp}");
    let script = r#"set -e
rabbitmqctl -q export_definitions /etc/rabbitmq/definitions.json
cd /var/backups/rabbitmq
mkdir -p NAME/config NAME/logs
cp -a /var/lib/rabbitmq/mnesia NAME/mnesia
for f in rabbitmq.conf advanced.config enabled_plugins definitions.json; do
  if [ -e /etc/rabbitmq/$f ]; then cp -p /etc/rabbitmq/$f NAME/config/; fi
done
cp -p /var/log/rabbitmq/*.log NAME/logs/
tar -czf NAME.tar.gz NAME
rm -rf NAME
cat > NAME_metadata.json <<META
{
  "backup_type": "full",
  "created_at": "$(date -d 'DAYS days ago' +%Y-%m-%dT%H:%M:%S)",
  "description": "nightly",
  "size_bytes": $(stat -c %s NAME.tar.gz)
}
META
touch -d 'DAYS days ago' NAME.tar.gz NAME_metadata.json
"#;
    fleet.run_ok(
        host,
        &script
            .replace("NAME", &name)
            .replace("DAYS", &days_ago.to_string()),
    );
    let path = format!("/var/backups/rabbitmq/{name}.tar.gz");
    (name, path)
}

const NODE_DOWN_FALLBACK: [Do; 10] = [
    run("scope"),
    run("diagnose"),
    run("impact"),
    Do {
        id: "restart",
        values: &[],
        confirm: Confirm::TypedThenFails("mq-2", "the node does not boot: restore"),
    },
    Do {
        id: "integrity",
        values: &[],
        confirm: Confirm::Skip("the node is down: restore first"),
    },
    Do {
        id: "monitor",
        values: &[],
        confirm: Confirm::Skip("the node is down: restore first"),
    },
    run("fallback"),
    run("find-backup"),
    Do {
        id: "restore",
        values: &[],
        confirm: Confirm::Typed("mq-2"),
    },
    run("validate"),
];

/// §10.4.2 single node failure, fallback plan: mq-2's database is damaged, so the restart
/// fails; the newest full backup on mq-2 (taken the manual's way, §10.4.1) is restored by the
/// playbook — application stopped before the service, mnesia set aside, the backup's copied in
/// and given back to rabbitmq — and mq-2 boots from it and rejoins the cluster.
#[test]
fn single_node_failure_falls_back_to_the_newest_backup() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let fleet = RabbitFleet::start(false);
    let (newest, _) = take_backup(&fleet, "mq-2", "20261206_030000", 1);
    let sandbox = Sandbox::new("rabbitmq-node-down-fallback");
    let s = start_cockpit(&sandbox, &fleet);

    fleet.run_ok("mq-2", "systemctl stop rabbitmq-server");
    fleet.run_ok(
        "mq-2",
        "echo corrupted > /var/lib/rabbitmq/mnesia/rabbit-2@127.0.10.2/schema.DAT",
    );
    let fault = Instant::now();
    s.wait_for_re(r"mq-2 +\S+ +degraded", SEE);
    let steps = &NODE_DOWN_FALLBACK;
    run_incident(&s, "RabbitMQ single node failure", steps);
    let fault_to_resolved = fault.elapsed();

    fleet.assert_cluster_whole();
    let want = sorted_names(&["health.alerts", "health.metrics"]);
    assert_eq!(
        fleet.queues("mq-2"),
        want,
        "mq-2 serves the cluster's queues again"
    );
    let kept = fleet.run_ok(
        "mq-2",
        "cat /var/lib/rabbitmq/mnesia_pre_restore_*/rabbit-2@127.0.10.2/schema.DAT",
    );
    assert!(
        kept.contains("corrupted"),
        "the damaged database is kept aside: {kept}"
    );
    let owners = fleet.run_ok(
        "mq-2",
        "find /var/lib/rabbitmq/mnesia ! -user rabbitmq | head -n 5",
    );
    assert_eq!(
        owners.trim(),
        "",
        "mnesia belongs to rabbitmq after the restore"
    );
    let left = fleet.run_ok("mq-2", "ls /tmp | grep -c rabbitmq_restore_ || true");
    assert_eq!(
        left.trim(),
        "0",
        "the restore's temporary folder is removed"
    );
    let rows = check_journal(&sandbox, "rabbitmq-node-down", Some("mq-2"), steps);
    let capture = rows
        .iter()
        .find(|r| r.kind == "variable_set" && r.body["name"] == "rabbitmq_backup")
        .unwrap_or_else(|| panic!("the capture is journaled:\n{}", dump(&rows)));
    assert_eq!(
        capture.body["value"].as_str(),
        Some(format!("/var/backups/rabbitmq/{newest}.tar.gz").as_str()),
    );
    eprintln!(
        "BENCH rabbitmq node-down fallback: fault to resolved {:.1} s",
        fault_to_resolved.as_secs_f64()
    );
}
