//! The app driven headless by keys, with its journal commands carried out against a real
//! journal file: nothing is shown as done before the journal holds it, and folding the stored
//! journal (what a restart does) gives exactly the state the screen had.

use crate::support::app_driver;

use app_driver::{live_app, open_incident, press, screen, settle};
use cockpit::core::incident::{StepStatus, Workspace};
use cockpit::core::inventory::Inventory;
use cockpit::core::journal::Record;
use cockpit::core::operator::Operator;
use cockpit::core::redact::Redactor;
use cockpit::core::severity::Severity;
use cockpit::io::catalog::load_playbooks;
use cockpit::io::fleet::FleetEvent;
use cockpit::io::journal_store::JournalStore;
use cockpit::io::tail::TailEvent;
use cockpit::ui::app::{App, RunMode};
use cockpit::ui::command::Command;
use cockpit::ui::event::Event;
use cockpit::ui::logs::HostView;
use cockpit::ui::overlay::Overlay;
use cockpit::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn chars(text: &str) -> Vec<Event> {
    text.chars().map(|c| press(KeyCode::Char(c))).collect()
}

/// Carries out journal commands the way the runtime does: store, then report back.
async fn apply(app: &mut App, store: &mut JournalStore, commands: Vec<Command>) -> usize {
    let mut stored = 0;
    for c in commands {
        if let Command::Journal(record) = c {
            let entry = store
                .append(app.now_ms, &app.operator.to_string(), &record)
                .await
                .expect("append");
            app.on_event(Event::Journaled(entry));
            stored += 1;
        }
    }
    stored
}

/// A live-mode app with the shipped playbooks and no hosts, over a new journal at `path`.
async fn fresh_app(path: &std::path::Path) -> (App, JournalStore) {
    let (store, entries) = JournalStore::open(path, true, Redactor::default())
        .await
        .expect("open");
    let (playbooks, _) = load_playbooks(None, None);
    let app = live_app(Inventory::default(), playbooks, Workspace::fold(&entries));
    (app, store)
}

#[tokio::test]
async fn journal_first_then_screen_and_resume_is_exact() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, mut store) = fresh_app(&path).await;

    // Open an incident through the form: pick the P0 primary-app-down, type a CJK title.
    let pick = app
        .playbooks
        .iter()
        .position(|p| p.id == "primary-app-down")
        .expect("shipped playbook primary-app-down");
    let mut events = vec![press(KeyCode::Char('o'))];
    events.extend((0..pick).map(|_| press(KeyCode::Down)));
    events.push(press(KeyCode::Tab));
    events.push(press(KeyCode::Tab));
    events.extend(chars("主库宕机"));
    let mut commands = Vec::new();
    for e in events {
        commands.extend(app.on_event(e));
    }
    assert!(commands.is_empty(), "nothing is journaled before Enter");
    let open = app.on_event(press(KeyCode::Enter));
    assert_eq!(open.len(), 1);
    assert!(
        app.incident().is_none(),
        "the incident is shown only once journaled"
    );
    apply(&mut app, &mut store, open).await;
    let incident = app
        .incident()
        .expect("incident open after the journal confirmed it")
        .clone();
    assert_eq!(incident.title, "主库宕机");

    // Tick the first step: pending until the journal says it is stored.
    let tick = app.on_event(press(KeyCode::Char(' ')));
    let first = incident.steps[0].id.clone();
    assert_eq!(
        app.incident().map(|i| i.status(&first).clone()),
        Some(StepStatus::Pending)
    );
    assert_eq!(app.pending_writes, 1);
    apply(&mut app, &mut store, tick).await;
    assert!(matches!(
        app.incident().map(|i| i.status(&first).clone()),
        Some(StepStatus::Done { .. })
    ));
    assert_eq!(app.pending_writes, 0);
    assert_eq!(
        app.step_cursor, 1,
        "the tick moved the selection to the next step"
    );

    // Skip the second with a reason, add a note: the note's keys wait for the skip's answer.
    let mut commands = app.on_event(press(KeyCode::Char('s')));
    for e in chars("done by phone") {
        commands.extend(app.on_event(e));
    }
    commands.extend(app.on_event(press(KeyCode::Enter)));
    commands.extend(app.on_event(press(KeyCode::Char('n'))));
    for e in chars("DBA paged") {
        commands.extend(app.on_event(e));
    }
    commands.extend(app.on_event(press(KeyCode::Enter)));
    assert_eq!(
        commands.len(),
        1,
        "only the skip goes out before its answer"
    );
    assert_eq!(app.held_keys(), 11);
    assert!(settle(&mut app, &mut store, commands).await.is_empty());
    assert_eq!(app.held_keys(), 0);

    // An empty skip reason is refused, not journaled.
    let mut commands = app.on_event(press(KeyCode::Down));
    commands.extend(app.on_event(press(KeyCode::Char('s'))));
    commands.extend(app.on_event(press(KeyCode::Enter)));
    assert!(commands.is_empty(), "{commands:?}");
    app.on_event(press(KeyCode::Esc));

    // Raise to... lower to P1 through the picker.
    let mut commands = app.on_event(press(KeyCode::Char('S')));
    commands.extend(app.on_event(press(KeyCode::Down)));
    commands.extend(app.on_event(press(KeyCode::Enter)));
    apply(&mut app, &mut store, commands).await;
    assert_eq!(app.incident().map(|i| i.severity), Some(Severity::P1));
    store.close().await;

    // Restart: folding the stored journal gives the same workspace.
    let (_store, entries) = JournalStore::open(&path, true, Redactor::default())
        .await
        .expect("reopen");
    let resumed = Workspace::fold(&entries);
    assert_eq!(resumed, app.workspace);
    let i = resumed.open_incident().expect("still open");
    assert_eq!(i.progress_counts().0, 2);
    assert_eq!(i.notes.len(), 1);
    assert!(
        matches!(i.status(&incident.steps[1].id), StepStatus::Skipped { reason, .. } if reason == "done by phone")
    );
}

#[tokio::test]
async fn resolving_closes_the_incident_for_good() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, mut store) = fresh_app(&path).await;

    // Nothing to resolve yet: a message, no journal entry.
    assert!(app.on_event(press(KeyCode::Char('R'))).is_empty());
    assert!(app.flash.as_ref().is_some_and(|f| f.error));

    let mut commands = app.on_event(press(KeyCode::Char('o')));
    commands.extend(app.on_event(press(KeyCode::Enter)));
    apply(&mut app, &mut store, commands).await;
    let id = app.incident().map(|i| i.id.clone()).expect("open");

    let mut commands = app.on_event(press(KeyCode::Char('R')));
    for e in chars("failed over to app-backup") {
        commands.extend(app.on_event(e));
    }
    commands.extend(app.on_event(press(KeyCode::Enter)));
    assert_eq!(apply(&mut app, &mut store, commands).await, 1);
    assert!(app.incident().is_none());
    // The head at resolve, for the post-mortem: kept for the exit message, shortened on screen.
    let [(resolved_id, head)] = app.resolved_heads.clone().try_into().unwrap_or_else(|h| {
        panic!("one resolve head kept: {h:?}");
    });
    assert_eq!(resolved_id, id);
    assert_eq!(head.len(), 64);
    let flash = app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert_eq!(
        flash,
        format!(
            "incident {id} resolved; journal head {}… (printed in full on exit)",
            &head[..16]
        )
    );
    // Quitting no longer asks: nothing is open.
    assert_eq!(
        app.on_event(press(KeyCode::Char('q'))),
        vec![Command::Quit("operator quit".into())]
    );
    store.close().await;

    let (_store, entries) = JournalStore::open(&path, true, Redactor::default())
        .await
        .expect("reopen");
    let ws = Workspace::fold(&entries);
    assert!(ws.open_incident().is_none());
    assert_eq!(
        entries.last().map(|e| (e.record.kind(), e.hash.as_str())),
        Some(("incident_resolved", head.as_str()))
    );
    let resolved = ws
        .incidents
        .iter()
        .find(|i| i.id == id)
        .and_then(|i| i.resolved.clone());
    assert_eq!(
        resolved.map(|r| r.1),
        Some("failed over to app-backup".into())
    );
}

fn log_line(host: &str, text: &str) -> Event {
    Event::Fleet(FleetEvent::Tail(TailEvent::line(
        host,
        "/var/log/app.log",
        text,
    )))
}

/// The Logs pane's gutter (pin `*`, selection `>`) on the row showing `text`: the character
/// after the pane's left border, which is right of the Hosts pane.
fn gutter(screen: &str, text: &str) -> Option<char> {
    let row = screen.lines().find(|l| l.contains(text))?;
    let mut chars = row.chars().skip_while(|c| *c != '│' && *c != '┃');
    chars.next(); // the Hosts pane's left border
    let mut rest = chars.skip_while(|c| *c != '│' && *c != '┃');
    rest.next(); // the Hosts pane's right border
    rest.next(); // the Logs pane's left border
    rest.next()
}

#[tokio::test]
async fn pinning_a_log_line_is_journaled_first_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, mut store) = fresh_app(&path).await;

    // Following, with no incident open: the newest line is pinned, outside any incident.
    app.on_event(log_line("nginx-2", "upstream timed out → 502"));
    app.on_event(press(KeyCode::Char('2')));
    let loose = app.on_event(press(KeyCode::Char('p')));
    assert_eq!(apply(&mut app, &mut store, loose).await, 1);
    assert_eq!(app.workspace.loose_pins.len(), 1);

    let mut commands = app.on_event(press(KeyCode::Char('o')));
    commands.extend(app.on_event(press(KeyCode::Enter)));
    apply(&mut app, &mut store, commands).await;
    let id = app.incident().map(|i| i.id.clone()).expect("open");

    app.on_event(log_line("app-backup", "Cannot connect to database"));
    app.on_event(log_line("nginx-1", "GET /health 200"));
    // Pause on the newest line, then select the one before it.
    app.on_event(press(KeyCode::Char('2')));
    app.on_event(press(KeyCode::Char('f')));
    app.on_event(press(KeyCode::Up));
    let pin = app.on_event(press(KeyCode::Char('p')));
    assert_eq!(
        pin,
        vec![Command::Journal(Record::LogPinned {
            incident: Some(id.clone()),
            host: "app-backup".into(),
            text: "Cannot connect to database".into(),
        })]
    );
    assert!(
        app.incident().is_some_and(|i| i.pinned.is_empty()),
        "shown as pinned only once journaled"
    );
    assert_eq!(
        gutter(&screen(&app), "Cannot connect"),
        Some('>'),
        "selected, not yet marked pinned"
    );
    assert_eq!(gutter(&screen(&app), "502"), Some('*'), "the loose pin");
    apply(&mut app, &mut store, pin).await;
    let pinned = app.incident().map(|i| i.pinned.clone()).unwrap_or_default();
    assert_eq!(pinned.len(), 1);
    assert_eq!(
        (
            pinned[0].host.as_str(),
            pinned[0].text.as_str(),
            pinned[0].by.as_str()
        ),
        ("app-backup", "Cannot connect to database", "op@bastion")
    );
    assert_eq!(gutter(&screen(&app), "Cannot connect"), Some('*'));
    store.close().await;

    // The journal on disk holds the record; a restart folds it back.
    let (_store, entries) = JournalStore::open(&path, true, Redactor::default())
        .await
        .expect("reopen");
    let kinds: Vec<&str> = entries.iter().map(|e| e.record.kind()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "log_pinned").count(),
        2,
        "{kinds:?}"
    );
    let resumed = Workspace::fold(&entries);
    assert_eq!(resumed, app.workspace);
    assert_eq!(
        resumed.open_incident().map(|i| i.pinned.clone()),
        Some(pinned)
    );

    // After the restart the same line, tailed again, is shown pinned.
    let (mut again, _store2) = fresh_app(&dir.path().join("other.db")).await;
    again.workspace = resumed;
    again.on_event(log_line("app-backup", "Cannot connect to database"));
    assert_eq!(gutter(&screen(&again), "Cannot connect"), Some('*'));
}

#[tokio::test]
async fn nothing_to_pin_is_said_not_journaled() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, _store) = fresh_app(&dir.path().join("journal.db")).await;
    app.on_event(press(KeyCode::Char('2')));
    assert!(app.on_event(press(KeyCode::Char('p'))).is_empty());
    assert!(app.flash.as_ref().is_some_and(|f| f.error));
}

#[tokio::test]
async fn highlight_patterns_come_from_the_inventory() {
    let dir = tempfile::tempdir().expect("dir");
    let (app, _store) = fresh_app(&dir.path().join("journal.db")).await;
    let mut inventory = Inventory::default();
    inventory.settings.highlight_patterns = vec!["(?i)panic".into()];
    let mut app = App::new(
        RunMode::Live,
        app.operator.clone(),
        inventory,
        Vec::new(),
        Workspace::default(),
        app.theme.clone(),
        0,
    );
    app.on_event(log_line("a", "thread main PANICKED"));
    app.on_event(log_line("a", "[ERROR] 502 from upstream"));
    let window = app.logs.window(HostView::All, None, 10);
    let flags: Vec<bool> = window.rows.iter().map(|(_, l)| l.highlighted).collect();
    assert_eq!(
        flags,
        [true, false],
        "the inventory's patterns replace the default"
    );
}

#[tokio::test]
async fn a_diagnose_report_is_journaled_before_it_is_shown() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (_, mut store) = fresh_app(&path).await;
    let inv = cockpit::core::inventory::parse(&cockpit::core::diagnostic::SourceFile::new(
        "inv.toml",
        "[[hosts]]\nname = \"web\"\naddress = \"10.0.0.5\"\nrole = \"nginx\"\nlogs = [\"/var/log/nginx/error.log\"]\n",
    ))
    .expect("inventory");
    let theme = Theme::load("dark", None, true).0;
    let operator = Operator {
        user: "op".into(),
        host: "bastion".into(),
    };
    let mut app = App::new(
        RunMode::Live,
        operator,
        inv,
        Vec::new(),
        Workspace::default(),
        theme,
        1_000,
    );

    // `d` in the Hosts pane asks for the bundle of the selected host, with its logs.
    let asked = app.on_event(press(KeyCode::Char('d')));
    assert_eq!(
        asked,
        vec![Command::Diagnose {
            host: "web".into(),
            logs: vec!["/var/log/nginx/error.log".into()]
        }]
    );

    // The report comes back: journaled first (secrets redacted on the way), shown after.
    let report = "=== cockpit: system\nweb\n=== cockpit: errors in /var/log/nginx/error.log\nmysql -p'hunter2' failed\n".to_string();
    let journal = app.on_event(Event::Diagnosed {
        host: "web".into(),
        result: Ok(report),
    });
    assert!(app.overlay.is_none(), "shown before the journal has it");
    assert_eq!(apply(&mut app, &mut store, journal).await, 1);
    let Some(Overlay::Report { title, text, .. }) = &app.overlay else {
        panic!("no report shown: {:?}", app.overlay)
    };
    assert_eq!(title, "Diagnose web (journaled)");
    assert!(
        text.contains("errors in /var/log/nginx/error.log") && !text.contains("hunter2"),
        "{text}"
    );

    // A bundle that could not run is journaled too, with the reason.
    app.on_event(press(KeyCode::Esc));
    let failed = app.on_event(Event::Diagnosed {
        host: "web".into(),
        result: Err("not connected: connection refused".into()),
    });
    assert_eq!(apply(&mut app, &mut store, failed).await, 1);
    assert!(
        app.flash
            .as_ref()
            .is_some_and(|f| f.error && f.text.contains("connection refused"))
    );
    store.close().await;

    let (_store, entries) = JournalStore::open(&path, true, Redactor::default())
        .await
        .expect("reopen");
    let kinds: Vec<&str> = entries.iter().map(|e| e.record.kind()).collect();
    assert_eq!(kinds, ["host_diagnosed", "host_diagnosed"]);
}

/// Carries out journal commands like the runtime (store, report back, and whatever that
/// report asks for next); returns the other commands, in the order asked.
const RUN_INVENTORY: &str = r#"
[[hosts]]
name = "web"
address = "127.0.0.1"
role = "app"
vars = { public_ip = "10.0.0.5" }
"#;

const RUN_PLAYBOOK: &str = r#"
id = "web-down"
title = "Web down"
severity = "P1"
trigger = { role = "app", state = "down" }

[[variables]]
name = "failed_ip"
from = "incident"
fact = "public_ip"

[[variables]]
name = "marker"
from = "capture"

[[steps]]
id = "look"
title = "Look"
kind = "command"
role = "app"
run = "echo {{failed_ip}}"
capture = { variable = "marker", regex = '(\S+)' }

[[steps]]
id = "wipe"
title = "Wipe"
kind = "command"
host = "web"
run = "rm -rf /tmp/cockpit-{{marker}}"
timeout_secs = 2
"#;

#[tokio::test]
async fn a_step_runs_only_after_the_journal_holds_its_start_and_a_refusal_is_journaled() {
    use cockpit::io::ssh::ExecOutput;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, mut store) = open_incident(&path, RUN_INVENTORY, RUN_PLAYBOOK, "web down").await;

    // `r` asks for the journal first; the command goes out only once the start is stored.
    let asked = app.on_event(press(KeyCode::Char('r')));
    assert!(
        asked.iter().all(|c| matches!(c, Command::Journal(_))),
        "something ran before the journal held the start: {asked:?}"
    );
    let run = settle(&mut app, &mut store, asked).await;
    let [Command::RunOnHost { host, command, .. }] = run.as_slice() else {
        panic!("one command on web: {run:?}")
    };
    assert_eq!((host.as_str(), command.as_str()), ("web", "echo 10.0.0.5"));
    app.on_event(Event::StepProgress {
        host: "web".into(),
        text: "10.0.0.5\x1b[2J\n".into(),
    });
    let out = app.steps.output("look").expect("live output");
    assert!(
        out.lines.iter().any(|l| l == "10.0.0.5\u{FFFD}[2J"),
        "{out:?}"
    );
    let done = app.on_event(Event::StepExecuted {
        host: "web".into(),
        result: Ok(ExecOutput {
            stdout: b"it's; rm -rf / #\n".to_vec(),
            exit_status: Some(0),
            ..Default::default()
        }),
    });
    assert!(settle(&mut app, &mut store, done).await.is_empty());
    let incident = app.incident().expect("open").clone();
    assert!(matches!(incident.status("look"), StepStatus::Done { .. }));
    assert_eq!(incident.variables["marker"].value, "it's;");

    // The dangerous step: a wrong name is refused and journaled, and nothing runs.
    app.on_event(press(KeyCode::Down));
    let asked = app.on_event(press(KeyCode::Char('r')));
    assert!(asked.is_empty(), "{asked:?}");
    assert!(matches!(app.overlay, Some(Overlay::ConfirmStep(_))));
    for e in chars("wbe") {
        app.on_event(e);
    }
    let refused = app.on_event(press(KeyCode::Enter));
    assert!(settle(&mut app, &mut store, refused).await.is_empty());
    // The right name: the captured value reaches the shell as one quoted word.
    app.on_event(press(KeyCode::Char('r')));
    for e in chars("web") {
        app.on_event(e);
    }
    let confirmed = app.on_event(press(KeyCode::Enter));
    let run = settle(&mut app, &mut store, confirmed).await;
    let [Command::RunOnHost { command, .. }] = run.as_slice() else {
        panic!("the confirmed step runs: {run:?}")
    };
    assert_eq!(command, r#"rm -rf /tmp/cockpit-'it'\''s;'"#);
    // A timeout fails the step visibly; the incident goes on.
    let failed = app.on_event(Event::StepExecuted {
        host: "web".into(),
        result: Err("`rm -rf …` on web timed out after 2.0s".into()),
    });
    assert!(settle(&mut app, &mut store, failed).await.is_empty());
    let incident = app.incident().expect("still open").clone();
    let StepStatus::Failed { reason, .. } = incident.status("wipe") else {
        panic!("{:?}", incident.status("wipe"))
    };
    assert!(reason.contains("timed out"), "{reason}");

    store.close().await;
    let kinds: Vec<String> = cockpit::io::journal_store::read_stored(&path)
        .await
        .expect("read")
        .iter()
        .map(|e| {
            let body: serde_json::Value = serde_json::from_str(&e.body).expect("json");
            body["type"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    let wanted = [
        "incident_opened",
        "variable_set",
        "step_started",
        "step_output",
        "variable_set",
        "step_finished",
        "dangerous_refused",
        "confirmation_given",
        "step_started",
        "step_output",
        "step_finished",
    ];
    assert_eq!(kinds, wanted);
}

/// Probe outcomes of one host: every check failing (a dead host) or passing.
fn probed(host: &str, ok: bool) -> Event {
    let outcome = |label: &str| cockpit::io::probe::CheckOutcome {
        label: label.into(),
        ok,
        detail: if ok { "open" } else { "Connection refused" }.into(),
        latency: std::time::Duration::from_millis(1),
    };
    Event::Fleet(FleetEvent::Probed {
        host: host.into(),
        report: cockpit::io::probe::ProbeReport {
            outcomes: vec![outcome("tcp"), outcome("http")],
            metrics: None,
        },
    })
}

#[tokio::test]
async fn opening_records_when_the_first_unhealthy_host_turned_unhealthy() {
    use cockpit::core::diagnostic::SourceFile;
    use cockpit::core::health::HostState;
    use cockpit::demo::{DEMO_HOSTS, inventory_toml};
    let ports: Vec<_> = DEMO_HOSTS
        .iter()
        .enumerate()
        .map(|(i, h)| (*h, 40_000 + i as u16))
        .collect();
    let src = SourceFile::new(
        "inventory.toml",
        inventory_toml(std::path::Path::new("/demo"), &ports),
    );
    let inventory = cockpit::core::inventory::parse(&src).expect("demo inventory");
    let (playbooks, _) = load_playbooks(None, Some(&inventory));
    let mut app = live_app(inventory, playbooks, Workspace::default());
    // Everyone healthy; nginx-2 fails once in the second round and recovers; app-primary fails
    // from the third round on (degraded, then down after three failures).
    for round in 0..6 {
        app.now_ms = 1_000_000 + round * 1_000;
        for h in DEMO_HOSTS {
            let ok = match h.name {
                "app-primary" => round < 2,
                "nginx-2" => round != 1,
                _ => true,
            };
            app.on_event(probed(h.name, ok));
        }
    }
    let mut commands = app.on_event(press(KeyCode::Char('o')));
    commands.extend(app.on_event(press(KeyCode::Enter)));
    let [
        Command::Journal(Record::IncidentOpened {
            fleet,
            unhealthy_since_ms,
            ..
        }),
    ] = commands.as_slice()
    else {
        panic!("one incident_opened: {commands:?}")
    };
    assert_eq!(fleet.get("app-primary"), Some(&HostState::Down));
    assert_eq!(fleet.get("nginx-2"), Some(&HostState::Up));
    assert_eq!(
        *unhealthy_since_ms,
        Some(1_002_000),
        "app-primary turned degraded at the third round, before it was down; nginx-2's trouble \
         ended before the opening"
    );
}

const STEPS_PLAYBOOK: &str = r#"
id = "web-steps"
title = "Web steps"
severity = "P2"

[[steps]]
id = "call"
title = "Call the owner"
kind = "manual"

[[steps]]
id = "look"
title = "Look"
kind = "command"
host = "web"
run = "echo look"

[[steps]]
id = "tail"
title = "Tail the log"
kind = "command"
host = "web"
run = "tail -n 5 /var/log/app.log"

[[steps]]
id = "page"
title = "Page the DBA"
kind = "note"
"#;

/// An app over a new journal with INC-1 of [`STEPS_PLAYBOOK`] open and the Playbook focused.
async fn steps_app(dir: &tempfile::TempDir) -> (App, JournalStore) {
    let (app, store) = open_incident(
        &dir.path().join("journal.db"),
        RUN_INVENTORY,
        STEPS_PLAYBOOK,
        "web steps",
    )
    .await;
    assert_eq!(app.focus, cockpit::ui::pane::Pane::Playbook);
    (app, store)
}

/// Presses keys one after the other; the commands they ask for, in order.
fn keys(app: &mut App, events: Vec<Event>) -> Vec<Command> {
    events.into_iter().flat_map(|e| app.on_event(e)).collect()
}

fn status(app: &App, step: &str) -> StepStatus {
    app.incident().expect("open").status(step).clone()
}

fn selected(app: &App) -> String {
    app.selected_step()
        .map(|s| s.id.clone())
        .unwrap_or_default()
}

/// The one command on `web` a run asks for, after its journal records are settled.
async fn runs_on_web(app: &mut App, store: &mut JournalStore, commands: Vec<Command>) -> String {
    let others = settle(app, store, commands).await;
    match others.as_slice() {
        [Command::RunOnHost { host, command, .. }] if host == "web" => command.clone(),
        other => panic!("one command on web: {other:?}"),
    }
}

/// The running step's command on web exits 0; the run's records are settled.
async fn exits_ok(app: &mut App, store: &mut JournalStore) {
    let done = app.on_event(Event::StepExecuted {
        host: "web".into(),
        result: Ok(cockpit::io::ssh::ExecOutput {
            stdout: b"ok\n".to_vec(),
            exit_status: Some(0),
            ..Default::default()
        }),
    });
    assert!(settle(app, store, done).await.is_empty());
}

/// The kinds of the journal's entries, in order.
async fn journal_kinds(store: JournalStore, dir: &tempfile::TempDir) -> Vec<String> {
    store.close().await;
    cockpit::io::journal_store::read_stored(&dir.path().join("journal.db"))
        .await
        .expect("read")
        .iter()
        .map(|e| {
            let body: serde_json::Value = serde_json::from_str(&e.body).expect("json");
            body["type"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

#[tokio::test]
async fn a_tick_moves_to_the_next_pending_step_and_space_never_unticks() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, mut store) = steps_app(&dir).await;
    assert_eq!(selected(&app), "call");

    // The selection moves only once the journal holds the tick.
    let tick = keys(&mut app, vec![press(KeyCode::Char(' '))]);
    assert_eq!(selected(&app), "call");
    assert!(settle(&mut app, &mut store, tick).await.is_empty());
    assert!(matches!(status(&app, "call"), StepStatus::Done { .. }));
    assert_eq!(selected(&app), "look");

    // Back on the done step, Space (or x) changes nothing and says so.
    for k in ['k', ' ', 'x'] {
        assert!(keys(&mut app, vec![press(KeyCode::Char(k))]).is_empty());
    }
    assert!(matches!(status(&app, "call"), StepStatus::Done { .. }));
    assert_eq!(selected(&app), "call");
    let flash = app.flash.clone().expect("a message");
    assert!(
        !flash.error && flash.text.contains("already done") && flash.text.contains("u reopens"),
        "{flash:?}"
    );
    assert_eq!(app.pending_writes, 0);
    assert_eq!(
        journal_kinds(store, &dir).await,
        ["incident_opened", "step_completed"]
    );
}

#[tokio::test]
async fn a_skip_moves_on_so_the_next_r_runs_the_next_step() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, mut store) = steps_app(&dir).await;
    let tick = keys(&mut app, vec![press(KeyCode::Char(' '))]);
    settle(&mut app, &mut store, tick).await;
    assert_eq!(selected(&app), "look");

    let mut events = vec![press(KeyCode::Char('s'))];
    events.extend(chars("looked by hand"));
    events.push(press(KeyCode::Enter));
    let skip = keys(&mut app, events);
    assert!(settle(&mut app, &mut store, skip).await.is_empty());
    assert!(
        matches!(status(&app, "look"), StepStatus::Skipped { reason, .. } if reason == "looked by hand")
    );
    assert_eq!(selected(&app), "tail");

    // r runs `tail`, not the skipped `look` again; its pass moves on to `page`.
    let run = keys(&mut app, vec![press(KeyCode::Char('r'))]);
    let command = runs_on_web(&mut app, &mut store, run).await;
    assert_eq!(command, "tail -n 5 /var/log/app.log");
    exits_ok(&mut app, &mut store).await;
    assert!(matches!(status(&app, "tail"), StepStatus::Done { .. }));
    assert!(matches!(status(&app, "look"), StepStatus::Skipped { .. }));
    assert_eq!(selected(&app), "page");
}

#[tokio::test]
async fn u_reopens_a_finished_step_through_the_journal() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, mut store) = steps_app(&dir).await;
    // `u` is in the key table, so the help overlay lists it.
    assert!(
        app.keymap
            .help_rows()
            .iter()
            .any(|(_, keys, action)| keys == "u"
                && *action == cockpit::ui::action::Action::ReopenStep)
    );
    let tick = keys(&mut app, vec![press(KeyCode::Char(' '))]);
    settle(&mut app, &mut store, tick).await;
    // On a pending step there is nothing to reopen.
    assert!(keys(&mut app, vec![press(KeyCode::Char('u'))]).is_empty());

    let reopen = keys(
        &mut app,
        vec![press(KeyCode::Char('k')), press(KeyCode::Char('u'))],
    );
    assert!(
        matches!(reopen.as_slice(), [Command::Journal(Record::StepReopened { step, .. })] if step == "call"),
        "{reopen:?}"
    );
    assert!(
        matches!(status(&app, "call"), StepStatus::Done { .. }),
        "done until the journal holds the reopening"
    );
    settle(&mut app, &mut store, reopen).await;
    assert_eq!(status(&app, "call"), StepStatus::Pending);
    assert_eq!(selected(&app), "call", "a reopened step stays selected");
    assert_eq!(
        journal_kinds(store, &dir).await,
        ["incident_opened", "step_completed", "step_reopened"]
    );
}

#[tokio::test]
async fn keys_pressed_before_the_journal_answers_apply_in_order_after_it() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, mut store) = steps_app(&dir).await;

    // Space then r, both before the tick is stored (a busy machine).
    let sent = keys(
        &mut app,
        vec![press(KeyCode::Char(' ')), press(KeyCode::Char('r'))],
    );
    let [Command::Journal(tick @ Record::StepCompleted { step, .. })] = sent.as_slice() else {
        panic!("only the tick goes out: {sent:?}")
    };
    assert_eq!(step, "call");
    assert_eq!(app.held_keys(), 1, "r waits for the tick's answer");
    assert_eq!(status(&app, "call"), StepStatus::Pending);

    // The answer: the tick is folded, the selection moves on, then r runs the next step.
    let entry = store
        .append(app.now_ms, &app.operator.to_string(), tick)
        .await
        .expect("append");
    let after = app.on_event(Event::Journaled(entry));
    assert_eq!(app.held_keys(), 0);
    assert!(matches!(status(&app, "call"), StepStatus::Done { .. }));
    assert!(
        matches!(after.as_slice(), [Command::Journal(Record::StepStarted { step, .. })] if step == "look"),
        "r started `look` once the tick was stored: {after:?}"
    );
    let command = runs_on_web(&mut app, &mut store, after).await;
    assert_eq!(command, "echo look");

    // While the command runs nothing waits: keys move the selection at once.
    assert!(keys(&mut app, vec![press(KeyCode::Char('j'))]).is_empty());
    assert_eq!((selected(&app), app.held_keys()), ("tail".to_string(), 0));
    assert!(keys(&mut app, vec![press(KeyCode::Char('k'))]).is_empty());

    // Text typed into a dialog is never held, even while the run's records are unanswered.
    keys(&mut app, vec![press(KeyCode::Char('n'))]);
    let output = app.on_event(Event::StepExecuted {
        host: "web".into(),
        result: Ok(cockpit::io::ssh::ExecOutput {
            stdout: b"look\n".to_vec(),
            exit_status: Some(0),
            ..Default::default()
        }),
    });
    assert!(app.pending_writes > 0);
    let note = keys(&mut app, chars("seen"));
    assert!(note.is_empty());
    assert_eq!(app.held_keys(), 0, "typing goes into the note at once");
    let note = keys(&mut app, vec![press(KeyCode::Enter)]);
    assert!(
        matches!(note.as_slice(), [Command::Journal(Record::NoteAdded { text, .. })] if text == "seen"),
        "{note:?}"
    );
    // Once the dialog is closed, keys wait again behind the run's records: j would act on the
    // selection before the pass moved it.
    assert!(keys(&mut app, vec![press(KeyCode::Char('j'))]).is_empty());
    assert_eq!(app.held_keys(), 1);
    // Stored in the order asked: the run's output, then the note.
    let mut asked = output;
    asked.extend(note);
    assert!(settle(&mut app, &mut store, asked).await.is_empty());
    assert_eq!(app.held_keys(), 0);
    assert!(matches!(status(&app, "look"), StepStatus::Done { .. }));
    assert_eq!(
        selected(&app),
        "page",
        "the pass moved to `tail`, then the held j to `page`"
    );
}

#[tokio::test]
async fn enter_runs_or_ticks_the_next_pending_step() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, mut store) = steps_app(&dir).await;

    // A by-hand step: Enter ticks it.
    let enter = keys(&mut app, vec![press(KeyCode::Enter)]);
    assert!(
        matches!(enter.as_slice(), [Command::Journal(Record::StepCompleted { step, .. })] if step == "call"),
        "{enter:?}"
    );
    settle(&mut app, &mut store, enter).await;
    assert_eq!(selected(&app), "look");

    // A command: Enter runs it, like r.
    let enter = keys(&mut app, vec![press(KeyCode::Enter)]);
    assert_eq!(runs_on_web(&mut app, &mut store, enter).await, "echo look");
    exits_ok(&mut app, &mut store).await;
    assert!(matches!(status(&app, "look"), StepStatus::Done { .. }));
    assert_eq!(selected(&app), "tail");
    let enter = keys(&mut app, vec![press(KeyCode::Enter)]);
    assert_eq!(
        runs_on_web(&mut app, &mut store, enter).await,
        "tail -n 5 /var/log/app.log"
    );
    exits_ok(&mut app, &mut store).await;
    assert_eq!(selected(&app), "page");

    // On a finished step, Enter does nothing but select the next open one.
    let back = keys(
        &mut app,
        vec![press(KeyCode::Char('k')), press(KeyCode::Enter)],
    );
    assert!(back.is_empty(), "{back:?}");
    assert_eq!(selected(&app), "page");
    // A note: Enter ticks it; then every step is finished and Enter says so.
    let enter = keys(&mut app, vec![press(KeyCode::Enter)]);
    settle(&mut app, &mut store, enter).await;
    assert!(matches!(status(&app, "page"), StepStatus::Done { .. }));
    assert!(keys(&mut app, vec![press(KeyCode::Enter)]).is_empty());
    let flash = app.flash.clone().expect("a message");
    assert!(flash.text.contains("every step is done"), "{flash:?}");
    assert_eq!(
        journal_kinds(store, &dir).await,
        [
            "incident_opened",
            "step_completed",
            "step_started",
            "step_output",
            "step_finished",
            "step_started",
            "step_output",
            "step_finished",
            "step_completed",
        ]
    );
}

#[tokio::test]
async fn ctrl_c_gets_out_even_while_keys_wait_for_the_journal() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, _store) = steps_app(&dir).await;
    // The tick is never answered (a stuck disk): r waits behind it.
    let sent = keys(
        &mut app,
        vec![press(KeyCode::Char(' ')), press(KeyCode::Char('r'))],
    );
    assert_eq!((sent.len(), app.held_keys()), (1, 1));
    let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(app.on_event(ctrl_c).is_empty());
    assert_eq!(app.held_keys(), 0);
    assert!(matches!(app.overlay, Some(Overlay::ConfirmQuit)));
    assert!(
        app.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("1 key(s)"))
    );
    let quit = app.on_event(press(KeyCode::Char('y')));
    assert!(
        quit.iter().any(|c| matches!(c, Command::Quit(_))),
        "{quit:?}"
    );
}

/// The writer journals a head it could not sign on its own: the app counts no request for it,
/// keeps the resolve's message with its head and adds the warning once per session.
#[tokio::test]
async fn an_unsigned_head_is_said_once_after_the_resolve_message() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, mut store) = fresh_app(&path).await;
    let mut commands = app.on_event(press(KeyCode::Char('o')));
    commands.extend(app.on_event(press(KeyCode::Enter)));
    apply(&mut app, &mut store, commands).await;
    let mut commands = app.on_event(press(KeyCode::Char('R')));
    for e in chars("done") {
        commands.extend(app.on_event(e));
    }
    commands.extend(app.on_event(press(KeyCode::Enter)));
    assert_eq!(apply(&mut app, &mut store, commands).await, 1);
    let resolved = app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(resolved.contains("resolved; journal head"), "{resolved}");
    assert_eq!(app.pending_writes, 0);

    let unsigned = |seq: u64| Record::HeadNotSigned {
        seq,
        hash: "a".repeat(64),
        reason: "no SSH agent".into(),
    };
    let last = app.workspace.last_seq;
    let entry = store
        .append(app.now_ms, "op@b", &unsigned(last))
        .await
        .expect("append");
    assert!(app.on_event(Event::Journaled(entry)).is_empty());
    assert_eq!(app.pending_writes, 0, "no request of the app was answered");
    let flash = app.flash.clone().expect("flash");
    assert_eq!(
        flash.text,
        format!("{resolved} · journal head not signed: no SSH agent")
    );
    assert!(flash.error);
    assert_eq!(app.workspace.last_seq, last + 1);

    // Said once: the next unsigned head changes nothing on screen.
    app.flash = None;
    let entry = store
        .append(app.now_ms, "op@b", &unsigned(last + 1))
        .await
        .expect("append");
    app.on_event(Event::Journaled(entry));
    assert_eq!(app.flash, None);
}
