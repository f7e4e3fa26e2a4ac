//! Busy is not broken: resource pressure is a dimension of its own. A host whose CPU is pegged
//! stays up, its pressure is shown and journaled, and a `check` step fails on it only when the
//! playbook asks, without the hint written for an unreachable host.

use crate::support::app_driver;

use app_driver::{open_incident, press, screen, settle};
use cockpit::core::health::HostState;
use cockpit::core::incident::StepStatus;
use cockpit::core::metrics::{CpuTimes, HostMetrics, Level};
use cockpit::io::fleet::FleetEvent;
use cockpit::io::journal_store::{JournalStore, read_stored};
use cockpit::io::probe::{CheckOutcome, ProbeReport};
use cockpit::ui::app::App;
use cockpit::ui::event::Event;
use crossterm::event::KeyCode;
use std::time::Duration;

const INVENTORY: &str = r#"
[settings]
down_after = 2
up_after = 2

[[hosts]]
name = "app-backup"
address = "127.0.0.1"
role = "app-backup"
checks = [{ kind = "tcp", port = 8080 }]
"#;

const PLAYBOOK: &str = r#"
id = "primary-down"
title = "Primary down"
severity = "P0"

[[steps]]
id = "check-backup"
title = "Backup app server healthy"
kind = "check"
role = "app-backup"
failure_hint = "The backup app server is not healthy either: this is the both-app-down case."

[[steps]]
id = "strict-check"
title = "Backup has headroom"
kind = "check"
role = "app-backup"
fail_on_pressure = "critical"
failure_hint = "The backup is down too: both-app-down."
"#;

/// One probe of app-backup: its service check passing, and a CPU reading of `busy` of every
/// 1,000 ticks since `round`'s previous one, with a load far above its two cores.
fn probe(round: u64, busy_per_mille: u64) -> Event {
    let metrics = HostMetrics {
        cores: 2,
        load1: 7.9,
        cpu: Some(CpuTimes {
            busy: round * busy_per_mille,
            total: round * 1_000,
        }),
        memory_percent: 41,
        disks: vec![("/".into(), 30)],
    };
    Event::Fleet(FleetEvent::Probed {
        host: "app-backup".into(),
        report: ProbeReport {
            outcomes: vec![CheckOutcome {
                label: "tcp:8080".into(),
                ok: true,
                detail: "open".into(),
                latency: Duration::from_millis(1),
            }],
            metrics: Some(Ok(metrics)),
        },
    })
}

async fn opened() -> (App, JournalStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let (app, store) = open_incident(
        &dir.path().join("journal.db"),
        INVENTORY,
        PLAYBOOK,
        "primary down",
    )
    .await;
    (app, store, dir)
}

#[tokio::test]
async fn a_pegged_cpu_is_pressure_not_trouble_and_fails_only_the_step_that_asks() {
    let (mut app, mut store, dir) = opened().await;
    for round in 1..=4 {
        app.now_ms += 1_000;
        let commands = app.on_event(probe(round, 990));
        settle(&mut app, &mut store, commands).await;
    }
    let row = &app.hosts[0];
    assert_eq!(row.tracker.state, HostState::Up, "busy is not degraded");
    assert_eq!(row.pressure.level(), Level::Critical);
    let summary = &row.pressure.current.as_ref().expect("assessed").summary;
    assert!(summary.starts_with("cpu 99% (critical)"), "{summary}");
    assert!(
        summary.contains("load 7.90/2"),
        "load shown, not judged: {summary}"
    );
    let grid = screen(&app);
    let row = grid
        .lines()
        .find(|l| l.contains("app-backup") && l.contains("▲▲ cpu 99% (critical)"))
        .unwrap_or_else(|| panic!("the grid shows the pressure:\n{grid}"));
    assert!(row.contains(" up "), "and the host up: {row}");

    // The plain check passes on the busy host, saying it is under pressure.
    app.on_event(press(KeyCode::Char('3')));
    let asked = app.on_event(press(KeyCode::Char('r')));
    settle(&mut app, &mut store, asked).await;
    app.now_ms += 1_000;
    let answered = app.on_event(probe(5, 990));
    settle(&mut app, &mut store, answered).await;
    let incident = app.incident().expect("open").clone();
    assert!(
        matches!(incident.status("check-backup"), StepStatus::Done { .. }),
        "{:?}",
        incident.status("check-backup")
    );

    // The strict check fails for pressure, and the hint written for a dead host is not shown.
    while app.selected_step().map(|s| s.id.as_str()) != Some("strict-check") {
        app.on_event(press(KeyCode::Down));
    }
    let asked = app.on_event(press(KeyCode::Char('r')));
    settle(&mut app, &mut store, asked).await;
    app.now_ms += 1_000;
    let answered = app.on_event(probe(6, 990));
    settle(&mut app, &mut store, answered).await;
    let incident = app.incident().expect("open").clone();
    let StepStatus::Failed { reason, .. } = incident.status("strict-check") else {
        panic!("{:?}", incident.status("strict-check"))
    };
    assert!(reason.contains("pressure critical"), "{reason}");
    let flash = app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.contains("pressure critical"), "{flash}");
    assert!(
        !flash.contains("both-app-down"),
        "hint for another failure: {flash}"
    );

    // The change of pressure is in the journal, with what the metrics said.
    store.close().await;
    let stored = read_stored(&dir.path().join("journal.db"))
        .await
        .expect("read");
    let changes: Vec<serde_json::Value> = stored
        .iter()
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.body).ok())
        .filter(|b| b["type"] == "host_pressure_changed")
        .collect();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["from"], "normal");
    assert_eq!(changes[0]["to"], "critical");
    assert!(
        changes[0]["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("cpu 99%"))
    );
    let states: Vec<String> = stored
        .iter()
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.body).ok())
        .filter(|b| b["type"] == "host_state_changed")
        .map(|b| format!("{}→{}", b["from"], b["to"]))
        .collect();
    assert_eq!(states, [r#""unknown"→"up""#], "busy never made it degraded");
}

#[tokio::test]
async fn an_unreachable_host_fails_the_check_with_its_hint() {
    let (mut app, mut store, _dir) = opened().await;
    let dead = || {
        Event::Fleet(FleetEvent::Probed {
            host: "app-backup".into(),
            report: ProbeReport {
                outcomes: vec![CheckOutcome {
                    label: "tcp:8080".into(),
                    ok: false,
                    detail: "Connection refused".into(),
                    latency: Duration::from_millis(1),
                }],
                metrics: None,
            },
        })
    };
    app.on_event(press(KeyCode::Char('3')));
    let asked = app.on_event(press(KeyCode::Char('r')));
    settle(&mut app, &mut store, asked).await;
    app.now_ms += 1_000;
    let answered = app.on_event(dead());
    settle(&mut app, &mut store, answered).await;
    let incident = app.incident().expect("open").clone();
    let StepStatus::Failed { reason, .. } = incident.status("check-backup") else {
        panic!("{:?}", incident.status("check-backup"))
    };
    assert!(reason.contains("unreachable"), "{reason}");
    let flash = app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.contains("both-app-down case"), "{flash}");
}
