//! The fleet worker over real OpenSSH `sshd` hosts: probes and log tails share one connection
//! per host, a host killed mid-tail shows a gap and resumes after it comes back, and a host
//! that accepts TCP but never answers does not hold up the others.

use crate::support::sshd::{self, quoted, sshd_inventory};

use cockpit::core::diagnostic::SourceFile;
use cockpit::core::redact::Redactor;
use cockpit::io::fleet::{FleetEvent, FleetWorker};
use cockpit::io::tail::TailEvent;
use sshd::{TestSshd, write_known_hosts};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::Receiver;

/// An inventory of the given sshd hosts, each following `app.log` in its folder.
fn inventory(hosts: &[(&str, &TestSshd)], known_hosts: &Path) -> String {
    sshd_inventory(hosts, known_hosts, |s| {
        format!(
            "role = \"app\"\nlogs = [{}]\n",
            quoted(&log_of(s).display().to_string())
        )
    })
}

fn log_of(s: &TestSshd) -> PathBuf {
    s.dir.join("app.log")
}

fn append(s: &TestSshd, line: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_of(s))
        .expect("open log");
    writeln!(f, "{line}").expect("write");
}

/// Waits for an event matching `want`, failing with what was seen instead.
async fn wait_for(
    rx: &mut Receiver<FleetEvent>,
    what: &str,
    want: impl Fn(&FleetEvent) -> bool,
) -> FleetEvent {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(e)) if want(&e) => return e,
            Ok(Some(e)) => seen.push(format!("{e:?}")),
            _ => panic!(
                "timed out waiting for {what}; last events:\n{}",
                seen.iter()
                    .rev()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
    }
}

fn line_is(host: &str, text: &str) -> impl Fn(&FleetEvent) -> bool {
    let (host, text) = (host.to_string(), text.to_string());
    move |e| matches!(e, FleetEvent::Tail(TailEvent::Lines { host: h, lines, .. }) if **h == *host && lines.iter().any(|t| t == text))
}

/// A probe of `host` whose ssh check passed (or failed). Metrics are left out: they follow
/// this machine's load, not the host's health.
fn probed(host: &str, ok: bool) -> impl Fn(&FleetEvent) -> bool {
    let host = host.to_string();
    move |e| matches!(e, FleetEvent::Probed { host: h, report } if *h == host && report.outcomes.iter().any(|o| o.label == "ssh" && o.ok == ok))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tails_from_two_hosts_survive_a_host_dying_and_coming_back() {
    let mut web = TestSshd::start("127.0.0.2");
    let db = TestSshd::start_with_keys("127.0.0.3", &web.keys);
    append(&web, "web boot");
    append(&db, "db boot");
    let dir = tempfile::tempdir().expect("dir");
    let known = dir.path().join("known_hosts");
    write_known_hosts(&known, &[web.known_hosts_line(), db.known_hosts_line()]);
    let inv = cockpit::core::inventory::parse(&SourceFile::new(
        "inv.toml",
        inventory(&[("web", &web), ("db", &db)], &known),
    ))
    .expect("inventory");
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let fleet = FleetWorker::start(&inv, &Redactor::default(), tx);

    wait_for(&mut rx, "web's backlog", line_is("web", "web boot")).await;
    // Commands run on the host's own connection, on request.
    let out = fleet
        .exec(
            "web",
            "echo $SSH_CONNECTION; exit 2".into(),
            Duration::from_secs(5),
        )
        .await
        .expect("exec on web");
    assert_eq!(out.exit_status, Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("127.0.0.2 {}", web.port)));
    // A watched command shows its output (stdout and stderr) while it runs.
    let (progress, mut live) = tokio::sync::mpsc::channel(16);
    let watched = fleet.exec_watched(
        "web",
        "echo first; sleep 0.5; echo second >&2".into(),
        Duration::from_secs(5),
        Some(progress),
    );
    let watched = tokio::spawn(watched);
    let first = tokio::time::timeout(Duration::from_secs(5), live.recv()).await;
    assert_eq!(first.ok().flatten().as_deref(), Some("first\n"));
    assert!(
        !watched.is_finished(),
        "the first line arrived before the command ended"
    );
    let out = watched.await.expect("join").expect("watched exec");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "second\n");
    assert_eq!(live.recv().await.as_deref(), Some("second\n"));
    // The diagnose bundle runs as one read-only command and comes back in sections.
    append(
        &web,
        "2026-11-21 03:12:01 [ERROR] Cannot connect to database",
    );
    let mut host = inv.host("web").expect("web").clone();
    host.logs.push("/nonexistent.log".to_string());
    let bundle = cockpit::core::diagnose::diagnose_command(&host, &[]);
    let report = fleet
        .exec("web", bundle, Duration::from_secs(60))
        .await
        .expect("diagnose");
    let sections = cockpit::core::diagnose::sections(&String::from_utf8_lossy(&report.stdout));
    let titles: Vec<&str> = sections.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "system",
            "memory",
            "disk",
            "cpu and top processes",
            "virtual memory",
            "disk i/o",
            "listening ports",
            "connections",
            "failed units",
            &format!("errors in {}", log_of(&web).display()),
            "errors in /nonexistent.log",
        ]
    );
    assert!(
        sections[9].1.contains("Cannot connect to database"),
        "{:?}",
        sections[9]
    );
    assert_eq!(sections[10].1, "(not readable)\n");
    assert!(
        sections[6].1.contains(&format!(":{}", web.port)),
        "sshd's own port is listening: {}",
        sections[6].1
    );
    assert_eq!(report.exit_status, Some(0), "the bundle itself never fails");
    let unknown = fleet
        .exec("nope", "true".into(), Duration::from_secs(1))
        .await;
    assert_eq!(
        unknown.err().as_deref(),
        Some("no host `nope` in the inventory")
    );
    let healthy = wait_for(&mut rx, "web probed healthy", probed("web", true)).await;
    let FleetEvent::Probed { report, .. } = &healthy else {
        unreachable!()
    };
    let metrics = match &report.metrics {
        Some(Ok(metrics)) => metrics,
        other => panic!("metrics read over ssh: {other:?}"),
    };
    assert!(metrics.cores > 0 && metrics.cpu.is_some(), "{metrics:?}");
    assert!(
        report.outcomes.iter().all(|o| o.label != "metrics"),
        "metrics are not a service check: {report:?}"
    );
    append(&db, "db live, password=hunter2");
    wait_for(
        &mut rx,
        "db's live line, redacted",
        line_is("db", "db live, password=***"),
    )
    .await;

    web.stop();
    let gap = wait_for(
        &mut rx,
        "a gap marker for web",
        |e| matches!(e, FleetEvent::Tail(TailEvent::Ended { host, .. }) if &**host == "web"),
    )
    .await;
    eprintln!("gap: {gap:?}");
    wait_for(&mut rx, "web probed down", probed("web", false)).await;
    let refused = fleet
        .exec("web", "true".into(), Duration::from_secs(5))
        .await
        .err()
        .unwrap_or_default();
    assert!(refused.starts_with("not connected"), "{refused}");
    // The other host goes on meanwhile.
    append(&db, "db during outage");
    wait_for(
        &mut rx,
        "db still tailing",
        line_is("db", "db during outage"),
    )
    .await;

    web.restart();
    wait_for(&mut rx, "web's resume marker", |e| matches!(e, FleetEvent::Tail(TailEvent::Ended { host, reason, .. }) if &**host == "web" && reason.starts_with("resumed"))).await;
    append(&web, "web is back");
    wait_for(&mut rx, "web's new line", line_is("web", "web is back")).await;
    wait_for(&mut rx, "web probed healthy again", probed("web", true)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_never_answers_does_not_hold_up_the_others() {
    let stuck = TestSshd::start("127.0.0.2");
    let fine = TestSshd::start_with_keys("127.0.0.3", &stuck.keys);
    stuck.freeze();
    let dir = tempfile::tempdir().expect("dir");
    let known = dir.path().join("known_hosts");
    write_known_hosts(&known, &[stuck.known_hosts_line(), fine.known_hosts_line()]);
    let inv = cockpit::core::inventory::parse(&SourceFile::new(
        "inv.toml",
        inventory(&[("stuck", &stuck), ("fine", &fine)], &known),
    ))
    .expect("inventory");
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let _fleet = FleetWorker::start(&inv, &Redactor::default(), tx);

    let started = Instant::now();
    let failed = wait_for(
        &mut rx,
        "the stuck host probed as failing",
        probed("stuck", false),
    )
    .await;
    let FleetEvent::Probed { report, .. } = &failed else {
        unreachable!()
    };
    let outcomes = &report.outcomes;
    assert!(outcomes[0].detail.contains("timed out"), "{outcomes:?}");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "one probe took {:?} with a 3 s timeout",
        started.elapsed()
    );
    // Meanwhile the healthy host keeps its one-second rhythm: were it held up by the stuck
    // host's 3 s timeouts, three probes would take 9 s or more.
    let mut good = 0;
    let window = Instant::now();
    while good < 3 {
        wait_for(
            &mut rx,
            "healthy probes of the fine host",
            probed("fine", true),
        )
        .await;
        good += 1;
    }
    assert!(
        window.elapsed() < Duration::from_secs(7),
        "three probes of the fine host took {:?}",
        window.elapsed()
    );
    stuck.thaw();
}
