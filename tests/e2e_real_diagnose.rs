//! Issue 18: the diagnose bundle (`d`) on a real host. One OpenSSH host on loopback in a mount
//! namespace of its own, set up as Debian sets up a database host: a real PostgreSQL 15 cluster
//! found through `/etc/postgresql` and `/run/postgresql`, and a real nginx
//! (tests/support/service_host.rs). The inventory declares `postgres` (as the `postgres` OS
//! user), `nginx`, a service with a hostile name, and two own sections: one with a hostile
//! title, one that would delete files (and so never runs).
//!
//! Through cockpit's fleet worker: the bundle's sections come back in order with the real
//! services' answers — PostgreSQL ready, its connections counted over the socket as the
//! `postgres` user (peer login: only that user gets in), primary; `nginx -t` passes and the
//! running master is listed. Then PostgreSQL is stopped and nginx.conf broken: those sections
//! say so with their exit status, every other section still runs, the bundle ends with 0.
//! Through the real binary in tmux: `d` on the host opens the journaled report, scrolled to its
//! PostgreSQL section; the journal verifies.
//!
//! A RabbitMQ host (tests/support/rabbit_host.rs: Debian's rabbitmq-server as one node of its
//! own) declares `rabbitmq` as the `rabbitmq` OS user: through the fleet worker its status,
//! alarms, port connectivity and cluster status come back from the real node, without colour
//! codes; after `stop_app` status says the application is stopped and how to start it, and the
//! other sections say so in a line.
//!
//! Needs root (mount namespaces), sshd, tmux, PostgreSQL 15, nginx and rabbitmq-server
//! (`scripts/test.sh`):
//! `cargo test --test e2e_real_diagnose`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/ns_host.rs"]
mod ns_host;
#[path = "support/private_pg.rs"]
mod private_pg;
#[path = "support/rabbit_host.rs"]
mod rabbit_host;
#[path = "support/service_host.rs"]
mod service_host;
#[path = "support/sshd.rs"]
mod sshd;
#[path = "support/tmux.rs"]
mod tmux;

use cockpit::core::diagnose::{bundle_sections, clean_title, diagnose_command, sections};
use cockpit::core::diagnostic::SourceFile;
use cockpit::core::inventory::Inventory;
use cockpit::core::redact::Redactor;
use cockpit::core::terminal_text::without_escapes;
use cockpit::io::fleet::{FleetEvent, FleetWorker};
use rabbit_host::RabbitHost;
use regex::Regex;
use service_host::ServiceHost;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tmux::{Sandbox, assert_verifies, dump, read_journal};

/// One host at a time: each starts PostgreSQL, sshd and nginx on a two-core machine.
static SERIAL: Mutex<()> = Mutex::new(());

/// A service whose name tries to create [`PWNED`].
const HOSTILE_SERVICE: &str = "billing'; touch /tmp/cockpit-diag-pwned #";
/// An own section whose title tries to create [`PWNED`].
const HOSTILE_TITLE: &str =
    "nginx answers \"$(touch /tmp/cockpit-diag-pwned)\" `touch /tmp/cockpit-diag-pwned`";
/// Deadline for the report to move after a key.
const SCROLL: Duration = Duration::from_secs(30);
/// What an injection would create.
const PWNED: &str = "/tmp/cockpit-diag-pwned";

/// Deadline for the host to connect, and for a bundle (each section may take 15 s).
const REACT: Duration = Duration::from_secs(180);

/// The inventory: the host with its services and own sections.
fn inventory_text(h: &ServiceHost, name: &str) -> String {
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    format!(
        "[settings]\nprobe_interval_secs = 1\ncheck_timeout_secs = 5\ndown_after = 3\nup_after = 1\n\
         known_hosts = {known}\n\n[services.postgres]\nuser = \"postgres\"\n\n\
         [[hosts]]\nname = {name}\n{reach}role = \"db\"\nchecks = [{{ kind = \"ssh\" }}]\n\
         services.nginx = {{}}\nservices.{hostile} = {{}}\n\
         diagnose = [\n  {{ title = {title}, run = {curl} }},\n  \
         {{ title = \"clear the cache\", run = \"rm -rf /var/cache/app\" }},\n]\n",
        known = q(&h.known_hosts()),
        name = q(name),
        reach = h.reach(),
        hostile = q(HOSTILE_SERVICE),
        title = q(HOSTILE_TITLE),
        curl = q(&format!(
            "curl -sS --max-time 5 http://{}:{}/",
            h.host.address, h.nginx_port
        )),
    )
}

fn parse(text: &str) -> Inventory {
    cockpit::core::inventory::parse(&SourceFile::new("inventory.toml", text.to_string()))
        .unwrap_or_else(|e| panic!("inventory: {e}\n{text}"))
}

/// A bundle's sections by title, after checking they are exactly the planned ones, in order.
fn by_title(inv: &Inventory, stdout: &str) -> BTreeMap<String, String> {
    let got = sections(stdout);
    let titles: Vec<String> = got.iter().map(|(t, _)| t.clone()).collect();
    let planned: Vec<String> = bundle_sections(&inv.hosts[0], &inv.settings.dangerous_patterns)
        .iter()
        .map(|s| clean_title(&s.title))
        .collect();
    assert_eq!(
        titles, planned,
        "sections missing or out of order:\n{stdout}"
    );
    got.into_iter().collect()
}

fn section<'a>(all: &'a BTreeMap<String, String>, title: &str) -> &'a str {
    all.get(title)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no section `{title}`: {all:#?}"))
}

/// Runs the host's bundle through the fleet worker; (exit status, stdout).
async fn run_bundle(fleet: &FleetWorker, inv: &Inventory) -> (Option<u32>, String) {
    let bundle = diagnose_command(&inv.hosts[0], &inv.settings.dangerous_patterns);
    let started = Instant::now();
    let out = fleet
        .exec(&inv.hosts[0].name, bundle, REACT)
        .await
        .unwrap_or_else(|e| panic!("the bundle did not run: {e}"));
    eprintln!("bundle ran in {:.1} s", started.elapsed().as_secs_f64());
    (
        out.exit_status,
        without_escapes(&String::from_utf8_lossy(&out.stdout)),
    )
}

/// A fleet worker for `inv`, once its one host answers ssh.
async fn connected(inv: &Inventory) -> FleetWorker {
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let fleet = FleetWorker::start(inv, &Redactor::default(), tx);
    let deadline = Instant::now() + REACT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(FleetEvent::Probed { report, .. }))
                if report.outcomes.iter().any(|o| o.label == "ssh" && o.ok) =>
            {
                break;
            }
            Ok(Some(_)) => {}
            _ => panic!("{} never answered ssh", inv.hosts[0].name),
        }
    }
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    fleet
}

/// Whether `iostat` exists here (the host's root is this machine's): its section shows its
/// report, or says it is missing.
fn iostat_here() -> bool {
    std::process::Command::new("sh")
        .args(["-c", "command -v iostat"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_bundle_reads_real_postgres_and_nginx_as_their_users_over_ssh() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let _ = std::fs::remove_file(PWNED);
    let mut h = ServiceHost::start("db-1", "127.0.12.1");
    let inv = parse(&inventory_text(&h, "db-1"));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let fleet = connected(&inv).await;

        // Healthy: every service answers.
        let (status, out) = run_bundle(&fleet, &inv).await;
        assert_eq!(status, Some(0), "{out}");
        let all = by_title(&inv, &out);
        let ready = section(&all, "postgres: ready");
        assert_eq!(
            ready,
            format!("/run/postgresql:{} - accepting connections\n", h.pg.port)
        );
        let connections = section(&all, "postgres: connections");
        assert!(
            Regex::new(r"^\d+ of 200 connections in use\n")
                .unwrap()
                .is_match(connections),
            "counted over the socket as the postgres OS user (peer login): {connections}"
        );
        assert_eq!(section(&all, "postgres: replication"), "primary\n");
        let test = section(&all, "nginx: config test");
        assert!(
            test.contains("syntax is ok") && test.contains("test is successful"),
            "{test}"
        );
        let master = h.nginx_pid().expect("nginx runs");
        assert!(
            section(&all, "nginx: running").contains(&format!("{master} nginx: master process")),
            "{}",
            section(&all, "nginx: running")
        );
        assert_eq!(section(&all, HOSTILE_TITLE), "ok\n", "the own section ran");
        assert!(
            section(&all, &format!("{HOSTILE_SERVICE}: (no built-in sections)"))
                .contains("no built-in sections for this service")
        );
        assert!(
            section(&all, "clear the cache")
                .starts_with("(not run: it matches the dangerous pattern `rm -rf"),
            "{}",
            section(&all, "clear the cache")
        );
        let io = section(&all, "disk i/o");
        if iostat_here() {
            assert!(io.contains("Device"), "{io}");
        } else {
            assert!(io.starts_with("(missing: iostat is not installed"), "{io}");
        }
        assert!(
            section(&all, "virtual memory").contains("procs"),
            "{}",
            section(&all, "virtual memory")
        );
        assert!(!Path::new(PWNED).exists(), "an injection ran");

        // PostgreSQL stopped, nginx.conf broken: those sections say so, the rest still runs.
        h.pg.stop();
        h.write_nginx_conf("events {}\nhttp { server { listen nowhere; }\n");
        let (status, out) = run_bundle(&fleet, &inv).await;
        assert_eq!(status, Some(0), "the bundle itself never fails:\n{out}");
        let all = by_title(&inv, &out);
        assert_eq!(
            section(&all, "postgres: ready"),
            format!(
                "/run/postgresql:{} - no response\n(exit status 2)\n",
                h.pg.port
            )
        );
        let connections = section(&all, "postgres: connections");
        assert!(
            connections.contains("connection to server on socket")
                && connections.ends_with("(exit status 2)\n"),
            "{connections}"
        );
        let test = section(&all, "nginx: config test");
        assert!(
            test.contains("[emerg]") && test.ends_with("(exit status 1)\n"),
            "{test}"
        );
        assert_eq!(section(&all, HOSTILE_TITLE), "ok\n", "nginx still serves");
        assert!(!Path::new(PWNED).exists(), "an injection ran");
        drop(fleet);
    });
    h.write_nginx_conf(&h.good_nginx_conf());
}

#[test]
fn d_on_a_real_host_shows_its_postgres_section_and_journals_the_report() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let h = ServiceHost::start("db-2", "127.0.12.2");
    let sandbox = Sandbox::new("real-diagnose");
    let inventory = sandbox.root.join("inventory.toml");
    std::fs::write(&inventory, inventory_text(&h, "db-2")).expect("write the inventory");
    let inventory_arg = inventory.display().to_string();
    let s = sandbox.start_cockpit(160, 50, false, &["--config", &inventory_arg]);
    let screen = s.wait_for("db-2 `up`", REACT, |sc| {
        Regex::new(r"● db-2 +\S+ +up\b").unwrap().is_match(sc) || sc.contains("EXITED:")
    });
    assert!(!screen.contains("EXITED:"), "cockpit exited:\n{screen}");

    s.keys(&["d"]);
    s.wait_for("the journaled report", REACT, |sc| {
        sc.contains("Diagnose db-2 (journaled)")
    });
    // Page down to the PostgreSQL section (the report shows a section's title as `── title ──`),
    // then line by line to its answer: each key must move the report on.
    let mut screen = s.screen();
    for _ in 0..80 {
        let title = screen.contains("── postgres: ready ──");
        if title && screen.contains("accepting connections") {
            break;
        }
        s.keys(&[if title { "Down" } else { "PageDown" }]);
        let before = screen.clone();
        screen = s.wait_for("the report to scroll", SCROLL, |sc| sc != before);
    }
    assert!(
        screen.contains("── postgres: ready ──") && screen.contains("accepting connections"),
        "the PostgreSQL section is not on screen:\n{screen}"
    );
    s.keys(&["Escape"]);
    s.wait_for("the report closed", REACT, |sc| {
        !sc.contains("Diagnose db-2 (journaled)")
    });
    s.keys(&["q"]);
    let (status, exit_screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{exit_screen}");

    let rows = read_journal(&sandbox.journal);
    let all = dump(&rows);
    let report = rows
        .iter()
        .find(|r| r.kind == "host_diagnosed")
        .unwrap_or_else(|| panic!("no host_diagnosed:\n{all}"));
    assert_eq!(report.body["host"], "db-2", "{all}");
    let text = report.body["report"].as_str().expect("report text");
    for wanted in [
        "=== cockpit: postgres: connections",
        "connections in use",
        "=== cockpit: nginx: config test",
        "test is successful",
    ] {
        assert!(
            text.contains(wanted),
            "the journaled report lacks {wanted:?}:\n{text}"
        );
    }
    assert_verifies(&sandbox.journal, rows.len());
    drop(h);
}

#[test]
fn the_bundle_reads_a_real_rabbitmq_node_as_the_rabbitmq_user() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let rabbit = RabbitHost::start("mq-9", "127.0.12.3");
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let inv = parse(&format!(
        "[settings]\nprobe_interval_secs = 1\ncheck_timeout_secs = 5\nknown_hosts = {}\n\n\
         [services.rabbitmq]\nuser = \"rabbitmq\"\n\n\
         [[hosts]]\nname = \"mq-9\"\n{}role = \"rabbitmq\"\nchecks = [{{ kind = \"ssh\" }}]\n",
        q(&rabbit.keys.known_hosts.display().to_string()),
        rabbit.reach()
    ));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let fleet = connected(&inv).await;
        let (status, out) = run_bundle(&fleet, &inv).await;
        assert_eq!(status, Some(0), "{out}");
        let all = by_title(&inv, &out);
        let node_status = section(&all, "rabbitmq: status");
        assert!(
            node_status.contains(&format!("Node name: {}", rabbit.node))
                && node_status.contains("RabbitMQ version: 3."),
            "run as the rabbitmq user, its cookie let the CLI in: {node_status}"
        );
        assert!(
            section(&all, "rabbitmq: alarms").contains("reported no alarms"),
            "{}",
            section(&all, "rabbitmq: alarms")
        );
        assert!(
            section(&all, "rabbitmq: port connectivity").contains("Successfully connected to ports"),
            "{}",
            section(&all, "rabbitmq: port connectivity")
        );
        let cluster = section(&all, "rabbitmq: cluster status");
        assert!(
            cluster.contains("Running Nodes") && cluster.contains(&rabbit.node),
            "{cluster}"
        );
        assert!(!out.contains('\u{1b}'), "colour codes left in:\n{out}");

        // The application stopped (the Erlang node still up): status says so and how to start
        // it; the other sections say it in one line.
        let (code, stdout, stderr) = rabbit.ssh("rabbitmqctl -q stop_app");
        assert_eq!(code, 0, "stop_app: {stdout}{stderr}");
        let (status, out) = run_bundle(&fleet, &inv).await;
        assert_eq!(status, Some(0), "{out}");
        let all = by_title(&inv, &out);
        assert_eq!(
            section(&all, "rabbitmq: status"),
            "(the node is up but its RabbitMQ application is stopped: rabbitmqctl start_app starts it)\n(exit status 1)\n"
        );
        for rest in ["alarms", "port connectivity", "cluster status", "queues"] {
            assert_eq!(
                section(&all, &format!("rabbitmq: {rest}")),
                "(RabbitMQ does not run on this node: see rabbitmq: status)\n(exit status 1)\n"
            );
        }
        drop(fleet);
    });
    drop(rabbit);
}
