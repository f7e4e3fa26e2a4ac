//! The app driven headless by keys through the runtime's own executor and inbox (see
//! `tests/support/headless.rs`): its records are stored by the real journal writer and its
//! commands run on a real (local) host. Nothing is shown as done before the journal holds it,
//! and folding the stored journal (what a restart does) gives exactly the state the screen had.

use crate::support::app_driver;
use crate::support::headless::Headless;
use crate::support::journal_files::reopen;
use crate::support::journal_files::stored_kinds;

use app_driver::{inventory, live_app, playbook, press, screen};
use cockpit::core::incident::{StepStatus, Workspace};
use cockpit::core::inventory::Inventory;
use cockpit::core::journal::Record;
use cockpit::core::redact::Redactor;
use cockpit::core::severity::Severity;
use cockpit::io::catalog::load_playbooks;
use cockpit::io::fleet::FleetEvent;
use cockpit::io::journal_store::JournalStore;
use cockpit::io::tail::TailEvent;
use cockpit::ui::app::App;
use cockpit::ui::command::Command;
use cockpit::ui::event::Event;
use cockpit::ui::logs::HostView;
use cockpit::ui::overlay::Overlay;
use cockpit::ui::runtime::Ended;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn chars(text: &str) -> Vec<Event> {
    text.chars().map(|c| press(KeyCode::Char(c))).collect()
}

/// A session of a live-mode app with the shipped playbooks and no hosts, over a new journal
/// at `path`.
async fn fresh(path: &std::path::Path) -> Headless {
    let (store, entries) = reopen(|| JournalStore::open(path, true, Redactor::default()))
        .await
        .expect("open");
    let (playbooks, _) = load_playbooks(None, None);
    let app = live_app(Inventory::default(), playbooks, Workspace::fold(&entries));
    Headless::start(app, store).await
}

/// The kinds of the entries a session ended without a quit stored at `path`, between its start
/// and its end (with the unsigned head the writer journals after it), which are checked too.
async fn session_kinds(path: &std::path::Path) -> Vec<String> {
    let kinds = stored_kinds(path).await;
    match kinds.as_slice() {
        [start, inner @ .., end, unsigned]
            if start == "session_started"
                && end == "session_ended"
                && unsigned == "head_not_signed" =>
        {
            inner.to_vec()
        }
        _ => panic!("not one whole session: {kinds:?}"),
    }
}

/// The resolve's message on the status line, with the head shortened.
fn resolve_message(id: &str, head: &str) -> String {
    format!(
        "incident {id} resolved; journal head {}… (printed in full on exit)",
        &head[..16]
    )
}

#[tokio::test]
async fn journal_first_then_screen_and_resume_is_exact() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let mut h = fresh(&path).await;

    // Open an incident through the form: pick the P0 primary-app-down, type a CJK title.
    let pick = h
        .app
        .playbooks
        .iter()
        .position(|p| p.id == "primary-app-down")
        .expect("shipped playbook primary-app-down");
    let mut events = vec![press(KeyCode::Char('o'))];
    events.extend((0..pick).map(|_| press(KeyCode::Down)));
    events.push(press(KeyCode::Tab));
    events.push(press(KeyCode::Tab));
    events.extend(chars("主库宕机"));
    let commands = h.keys(events);
    assert!(commands.is_empty(), "nothing is journaled before Enter");
    let open = h.send(press(KeyCode::Enter));
    assert_eq!(open.len(), 1);
    assert!(
        h.app.incident().is_none(),
        "the incident is shown only once journaled"
    );
    h.settle().await;
    let incident = h
        .app
        .incident()
        .expect("incident open after the journal confirmed it")
        .clone();
    assert_eq!(incident.title, "主库宕机");

    // Tick the first step: pending until the journal says it is stored.
    h.send(press(KeyCode::Char(' ')));
    let first = incident.steps[0].id.clone();
    assert_eq!(
        h.app.incident().map(|i| i.status(&first).clone()),
        Some(StepStatus::Pending)
    );
    assert_eq!(h.app.pending_writes, 1);
    h.settle().await;
    assert!(matches!(
        h.app.incident().map(|i| i.status(&first).clone()),
        Some(StepStatus::Done { .. })
    ));
    assert_eq!(h.app.pending_writes, 0);
    assert_eq!(
        h.app.step_cursor, 1,
        "the tick moved the selection to the next step"
    );

    // Skip the second with a reason, add a note: the note's keys wait for the skip's answer.
    let mut commands = h.send(press(KeyCode::Char('s')));
    commands.extend(h.keys(chars("done by phone")));
    commands.extend(h.send(press(KeyCode::Enter)));
    commands.extend(h.send(press(KeyCode::Char('n'))));
    commands.extend(h.keys(chars("DBA paged")));
    commands.extend(h.send(press(KeyCode::Enter)));
    assert_eq!(
        commands.len(),
        1,
        "only the skip goes out before its answer"
    );
    assert_eq!(h.app.held_keys(), 11);
    assert!(h.settle().await.is_empty());
    assert_eq!(h.app.held_keys(), 0);

    // An empty skip reason is refused, not journaled.
    let commands = h.keys([
        press(KeyCode::Down),
        press(KeyCode::Char('s')),
        press(KeyCode::Enter),
    ]);
    assert!(commands.is_empty(), "{commands:?}");
    h.send(press(KeyCode::Esc));

    // Raise to... lower to P1 through the picker.
    h.keys([
        press(KeyCode::Char('S')),
        press(KeyCode::Down),
        press(KeyCode::Enter),
    ]);
    h.settle().await;
    assert_eq!(h.app.incident().map(|i| i.severity), Some(Severity::P1));
    let (app, _) = h.end().await;

    // Restart: folding the stored journal gives the same workspace.
    let (_store, entries) = reopen(|| JournalStore::open(&path, true, Redactor::default()))
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
    let mut h = fresh(&path).await;

    // Nothing to resolve yet: a message, no journal entry.
    assert!(h.send(press(KeyCode::Char('R'))).is_empty());
    assert!(h.app.flash.as_ref().is_some_and(|f| f.error));

    h.keys([press(KeyCode::Char('o')), press(KeyCode::Enter)]);
    h.settle().await;
    let id = h.app.incident().map(|i| i.id.clone()).expect("open");

    let mut commands = h.send(press(KeyCode::Char('R')));
    commands.extend(h.keys(chars("failed over to app-backup")));
    commands.extend(h.send(press(KeyCode::Enter)));
    assert_eq!(commands.len(), 1, "{commands:?}");
    h.settle().await;
    assert!(h.app.incident().is_none());
    // The head at resolve, for the post-mortem: kept for the exit message, shortened on screen
    // (where the writer's word on signing it may follow).
    let [(resolved_id, head)] = h.app.resolved_heads.clone().try_into().unwrap_or_else(|h| {
        panic!("one resolve head kept: {h:?}");
    });
    assert_eq!(resolved_id, id);
    assert_eq!(head.len(), 64);
    let resolve = h.last_journaled("incident_resolved").expect("resolve").seq;
    let signature = h.signature(resolve).await;
    let flash = h
        .app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.starts_with(&resolve_message(&id, &head)), "{flash}");
    // Quitting no longer asks: nothing is open.
    assert_eq!(
        h.send(press(KeyCode::Char('q'))),
        vec![Command::Quit("operator quit".into())]
    );
    let (_, outcome) = h.end().await;
    assert_eq!(outcome.ended, Ended::Normally("operator quit".into()));
    assert_eq!(outcome.resolved_heads, [(id.clone(), head.clone())]);

    let (_store, entries) = reopen(|| JournalStore::open(&path, true, Redactor::default()))
        .await
        .expect("reopen");
    let ws = Workspace::fold(&entries);
    assert!(ws.open_incident().is_none());
    // The head is the resolve's own entry, and the writer's signature of it follows it.
    let at = entries
        .iter()
        .position(|e| e.record.kind() == "incident_resolved")
        .expect("the resolve is stored");
    assert_eq!(entries[at].hash, head);
    assert_eq!(
        entries.get(at + 1).map(|e| (e.seq, &e.record)),
        Some((signature.seq, &signature.record))
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

/// Hands log lines to the inbox as the fleet's tails do, and waits until the Logs pane has
/// them all.
async fn tail(h: &mut Headless, lines: &[(&str, &str)]) {
    for (host, text) in lines {
        h.report(log_line(host, text));
    }
    h.until("the log lines in the Logs pane", |app| {
        let shown = app.logs.window(HostView::All, None, 100);
        lines
            .iter()
            .all(|(_, text)| shown.rows.iter().any(|(_, l)| l.text == *text))
    })
    .await;
}

#[tokio::test]
async fn pinning_a_log_line_is_journaled_first_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let mut h = fresh(&path).await;

    // Following, with no incident open: the newest line is pinned, outside any incident.
    tail(&mut h, &[("nginx-2", "upstream timed out → 502")]).await;
    h.send(press(KeyCode::Char('2')));
    let loose = h.send(press(KeyCode::Char('p')));
    assert_eq!(loose.len(), 1, "{loose:?}");
    h.settle().await;
    assert_eq!(h.app.workspace.loose_pins.len(), 1);

    h.keys([press(KeyCode::Char('o')), press(KeyCode::Enter)]);
    h.settle().await;
    let id = h.app.incident().map(|i| i.id.clone()).expect("open");

    tail(
        &mut h,
        &[
            ("app-backup", "Cannot connect to database"),
            ("nginx-1", "GET /health 200"),
        ],
    )
    .await;
    // Pause on the newest line, then select the one before it.
    h.keys([
        press(KeyCode::Char('2')),
        press(KeyCode::Char('f')),
        press(KeyCode::Up),
    ]);
    let pin = h.send(press(KeyCode::Char('p')));
    assert_eq!(
        pin,
        vec![Command::Journal(Record::LogPinned {
            incident: Some(id.clone()),
            host: "app-backup".into(),
            text: "Cannot connect to database".into(),
        })]
    );
    assert!(
        h.app.incident().is_some_and(|i| i.pinned.is_empty()),
        "shown as pinned only once journaled"
    );
    assert_eq!(
        gutter(&screen(&h.app), "Cannot connect"),
        Some('>'),
        "selected, not yet marked pinned"
    );
    assert_eq!(gutter(&screen(&h.app), "502"), Some('*'), "the loose pin");
    h.settle().await;
    let pinned = h
        .app
        .incident()
        .map(|i| i.pinned.clone())
        .unwrap_or_default();
    assert_eq!(pinned.len(), 1);
    assert_eq!(
        (
            pinned[0].host.as_str(),
            pinned[0].text.as_str(),
            pinned[0].by.as_str()
        ),
        ("app-backup", "Cannot connect to database", "op@bastion")
    );
    assert_eq!(gutter(&screen(&h.app), "Cannot connect"), Some('*'));
    let (app, _) = h.end().await;

    // The journal on disk holds the record; a restart folds it back.
    let (_store, entries) = reopen(|| JournalStore::open(&path, true, Redactor::default()))
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
    let mut again = live_app(Inventory::default(), Vec::new(), resumed);
    again.on_event(log_line("app-backup", "Cannot connect to database"));
    assert_eq!(gutter(&screen(&again), "Cannot connect"), Some('*'));
}

#[tokio::test]
async fn nothing_to_pin_is_said_not_journaled() {
    let dir = tempfile::tempdir().expect("dir");
    let mut h = fresh(&dir.path().join("journal.db")).await;
    h.send(press(KeyCode::Char('2')));
    assert!(h.send(press(KeyCode::Char('p'))).is_empty());
    assert!(h.app.flash.as_ref().is_some_and(|f| f.error));
    assert_eq!(h.app.pending_writes, 0);
}

#[tokio::test]
async fn highlight_patterns_come_from_the_inventory() {
    let mut inventory = Inventory::default();
    inventory.settings.highlight_patterns = vec!["(?i)panic".into()];
    let mut app = live_app(inventory, Vec::new(), Workspace::default());
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
    // `web` is this machine; its log has an error with a password in it.
    let log = dir.path().join("error.log");
    std::fs::write(&log, "GET / 200\n[error] mysql -p'hunter2' failed\n").expect("log");
    let log = log.display().to_string();
    let inv = inventory(&format!(
        "[[hosts]]\nname = \"web\"\ntransport = \"local\"\nrole = \"nginx\"\nlogs = [\"{log}\"]\n"
    ));
    let (store, _) = reopen(|| JournalStore::open(&path, true, Redactor::default()))
        .await
        .expect("open");
    let mut h = Headless::start(
        live_app(inv.clone(), Vec::new(), Workspace::default()),
        store,
    )
    .await;

    // `d` in the Hosts pane asks for the bundle of the selected host, with its logs.
    let asked = h.send(press(KeyCode::Char('d')));
    let bundle = cockpit::core::diagnose::diagnose_command(
        inv.host("web").expect("web"),
        &inv.settings.dangerous_patterns,
    );
    assert!(bundle.contains(&cockpit::core::template::shell_quote(&log)));
    assert_eq!(
        asked,
        vec![Command::Diagnose {
            host: "web".into(),
            bundle
        }]
    );

    // The report comes back: journaled first (secrets redacted on the way), shown after.
    h.until("the report, sent to the journal", |app| {
        app.pending_writes > 0
    })
    .await;
    assert!(h.app.overlay.is_none(), "shown before the journal has it");
    h.settle().await;
    let Some(Overlay::Report { title, text, .. }) = &h.app.overlay else {
        panic!("no report shown: {:?}", h.app.overlay)
    };
    assert_eq!(title, "Diagnose web (journaled)");
    assert!(
        text.contains(&format!("errors in {log}"))
            && text.contains("[error] mysql -p")
            && !text.contains("hunter2"),
        "{text}"
    );

    // A bundle that could not run (the fleet's answer for a host it cannot reach) is
    // journaled too, with the reason.
    h.send(press(KeyCode::Esc));
    h.report(Event::Diagnosed {
        host: "web".into(),
        result: Err("not connected: connection refused".into()),
    });
    h.until("the failed bundle, sent to the journal", |app| {
        app.pending_writes > 0
    })
    .await;
    h.settle().await;
    assert!(
        h.app
            .flash
            .as_ref()
            .is_some_and(|f| f.error && f.text.contains("connection refused"))
    );
    h.end().await;
    assert_eq!(
        session_kinds(&path).await,
        ["host_diagnosed", "host_diagnosed"]
    );
}

/// `web` is this machine (its commands run with `sh -c`), with a fact for the playbooks.
const RUN_INVENTORY: &str = r#"
[[hosts]]
name = "web"
transport = "local"
role = "app"
vars = { public_ip = "10.0.0.5" }
"#;

/// `look` prints the host's address on stderr with a screen-clearing escape after it, and on
/// stdout a word with a quote and a semicolon, which it captures; `wipe` is dangerous, uses
/// that word and runs out of time before it would remove anything.
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
run = '''printf '%s\033[2J\n' {{failed_ip}} >&2; echo "it's; then more #"'''
capture = { variable = "marker", regex = '(\S+)' }

[[steps]]
id = "wipe"
title = "Wipe"
kind = "command"
host = "web"
run = "sleep 30 && rm -rf /tmp/cockpit-{{marker}}"
timeout_secs = 1
"#;

/// A session over a new journal at `path` with an incident of `playbook` on `inventory`
/// opened through the form and stored.
async fn open_incident(path: &std::path::Path, inventory: &str, playbook: &str) -> Headless {
    let (store, entries) = reopen(|| JournalStore::open(path, true, Redactor::default()))
        .await
        .expect("open");
    let inventory = self::inventory(inventory);
    let playbook = self::playbook(playbook, &inventory);
    let app = live_app(inventory, vec![playbook.clone()], Workspace::fold(&entries));
    let mut h = Headless::start(app, store).await;
    let open = h.keys([press(KeyCode::Char('o')), press(KeyCode::Enter)]);
    assert!(
        matches!(open.as_slice(), [Command::Journal(Record::IncidentOpened { playbook: p, .. })] if *p == playbook.id),
        "{open:?}"
    );
    assert!(h.settle().await.is_empty(), "opening asked for more");
    h
}

/// Waits until `step`'s run has ended and its records are stored.
async fn run_ends(h: &mut Headless, step: &str) {
    assert!(
        matches!(status(&h.app, step), StepStatus::Running { .. }),
        "{step} is not running: {:?}",
        status(&h.app, step)
    );
    h.until(&format!("the end of {step}'s run"), |app| {
        !matches!(status(app, step), StepStatus::Running { .. }) && app.pending_writes == 0
    })
    .await;
}

#[tokio::test]
async fn a_step_runs_only_after_the_journal_holds_its_start_and_a_refusal_is_journaled() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let mut h = open_incident(&path, RUN_INVENTORY, RUN_PLAYBOOK).await;

    // `r` asks for the journal first; the command goes out only once the start is stored.
    let asked = h.send(press(KeyCode::Char('r')));
    assert!(
        asked.iter().all(|c| matches!(c, Command::Journal(_))),
        "something ran before the journal held the start: {asked:?}"
    );
    let run = h.settle().await;
    let [Command::RunOnHost { host, command, .. }] = run.as_slice() else {
        panic!("one command on web: {run:?}")
    };
    assert_eq!(
        (host.as_str(), command.as_str()),
        (
            "web",
            r#"printf '%s\033[2J\n' 10.0.0.5 >&2; echo "it's; then more #""#
        )
    );
    run_ends(&mut h, "look").await;
    // The live output was shown with the escape made harmless.
    let out = h.app.steps.output("look").expect("live output");
    assert!(
        out.lines.iter().any(|l| l == "10.0.0.5\u{FFFD}[2J"),
        "{out:?}"
    );
    let incident = h.app.incident().expect("open").clone();
    assert!(matches!(incident.status("look"), StepStatus::Done { .. }));
    assert_eq!(incident.variables["marker"].value, "it's;");

    // The dangerous step: a wrong name is refused and journaled, and nothing runs.
    h.send(press(KeyCode::Down));
    let asked = h.send(press(KeyCode::Char('r')));
    assert!(asked.is_empty(), "{asked:?}");
    assert!(matches!(h.app.overlay, Some(Overlay::ConfirmStep(_))));
    h.keys(chars("wbe"));
    let refused = h.send(press(KeyCode::Enter));
    assert!(
        matches!(
            refused.as_slice(),
            [Command::Journal(Record::DangerousRefused { .. })]
        ),
        "{refused:?}"
    );
    assert!(h.settle().await.is_empty());
    // The right name: the captured value reaches the shell as one quoted word.
    h.send(press(KeyCode::Char('r')));
    h.keys(chars("web"));
    h.send(press(KeyCode::Enter));
    let run = h.settle().await;
    let [Command::RunOnHost { command, .. }] = run.as_slice() else {
        panic!("the confirmed step runs: {run:?}")
    };
    assert_eq!(command, r#"sleep 30 && rm -rf /tmp/cockpit-'it'\''s;'"#);
    // A timeout fails the step visibly; the incident goes on.
    run_ends(&mut h, "wipe").await;
    let incident = h.app.incident().expect("still open").clone();
    let StepStatus::Failed { reason, .. } = incident.status("wipe") else {
        panic!("{:?}", incident.status("wipe"))
    };
    assert!(reason.contains("timed out"), "{reason}");

    h.end().await;
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
    assert_eq!(session_kinds(&path).await, wanted);
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

/// A live app on the demo's inventory and the shipped playbooks, no host probed yet.
fn demo_app() -> App {
    use cockpit::core::diagnostic::SourceFile;
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
    live_app(inventory, playbooks, Workspace::default())
}

#[tokio::test]
async fn opening_records_when_the_first_unhealthy_host_turned_unhealthy() {
    use cockpit::core::health::HostState;
    use cockpit::demo::DEMO_HOSTS;
    let mut app = demo_app();
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
run = "tail -n 5 /dev/null"

[[steps]]
id = "page"
title = "Page the DBA"
kind = "note"
"#;

/// A session over a new journal in `dir` with an incident of [`STEPS_PLAYBOOK`] open and the
/// Playbook focused.
async fn steps_session(dir: &tempfile::TempDir) -> Headless {
    let h = open_incident(
        &dir.path().join("journal.db"),
        RUN_INVENTORY,
        STEPS_PLAYBOOK,
    )
    .await;
    assert_eq!(h.app.focus, cockpit::ui::pane::Pane::Playbook);
    h
}

fn status(app: &App, step: &str) -> StepStatus {
    app.incident().expect("open").status(step).clone()
}

fn selected(app: &App) -> String {
    app.selected_step()
        .map(|s| s.id.clone())
        .unwrap_or_default()
}

/// The one command on `web` a run asks for, once its journal records are stored.
async fn runs_on_web(h: &mut Headless) -> String {
    let others = h.settle().await;
    match others.as_slice() {
        [Command::RunOnHost { host, command, .. }] if host == "web" => command.clone(),
        other => panic!("one command on web: {other:?}"),
    }
}

/// The running `step`'s command on web ends, it exited 0 and the run's records are stored.
async fn exits_ok(h: &mut Headless, step: &str) {
    run_ends(h, step).await;
    assert!(
        matches!(status(&h.app, step), StepStatus::Done { .. }),
        "{:?}",
        status(&h.app, step)
    );
}

#[tokio::test]
async fn a_tick_moves_to_the_next_pending_step_and_space_never_unticks() {
    let dir = tempfile::tempdir().expect("dir");
    let mut h = steps_session(&dir).await;
    assert_eq!(selected(&h.app), "call");

    // The selection moves only once the journal holds the tick.
    h.send(press(KeyCode::Char(' ')));
    assert_eq!(selected(&h.app), "call");
    assert!(h.settle().await.is_empty());
    assert!(matches!(status(&h.app, "call"), StepStatus::Done { .. }));
    assert_eq!(selected(&h.app), "look");

    // Back on the done step, Space (or x) changes nothing and says so.
    for k in ['k', ' ', 'x'] {
        assert!(h.send(press(KeyCode::Char(k))).is_empty());
    }
    assert!(matches!(status(&h.app, "call"), StepStatus::Done { .. }));
    assert_eq!(selected(&h.app), "call");
    let flash = h.app.flash.clone().expect("a message");
    assert!(
        !flash.error && flash.text.contains("already done") && flash.text.contains("u reopens"),
        "{flash:?}"
    );
    assert_eq!(h.app.pending_writes, 0);
    h.end().await;
    assert_eq!(
        session_kinds(&dir.path().join("journal.db")).await,
        ["incident_opened", "step_completed"]
    );
}

#[tokio::test]
async fn a_skip_moves_on_so_the_next_r_runs_the_next_step() {
    let dir = tempfile::tempdir().expect("dir");
    let mut h = steps_session(&dir).await;
    h.send(press(KeyCode::Char(' ')));
    h.settle().await;
    assert_eq!(selected(&h.app), "look");

    let mut events = vec![press(KeyCode::Char('s'))];
    events.extend(chars("looked by hand"));
    events.push(press(KeyCode::Enter));
    h.keys(events);
    assert!(h.settle().await.is_empty());
    assert!(
        matches!(status(&h.app, "look"), StepStatus::Skipped { reason, .. } if reason == "looked by hand")
    );
    assert_eq!(selected(&h.app), "tail");

    // r runs `tail`, not the skipped `look` again; its pass moves on to `page`.
    h.send(press(KeyCode::Char('r')));
    let command = runs_on_web(&mut h).await;
    assert_eq!(command, "tail -n 5 /dev/null");
    exits_ok(&mut h, "tail").await;
    assert!(matches!(status(&h.app, "look"), StepStatus::Skipped { .. }));
    assert_eq!(selected(&h.app), "page");
}

#[tokio::test]
async fn u_reopens_a_finished_step_through_the_journal() {
    let dir = tempfile::tempdir().expect("dir");
    let mut h = steps_session(&dir).await;
    // `u` is in the key table, so the help overlay lists it.
    assert!(
        h.app
            .keymap
            .help_rows()
            .iter()
            .any(|(_, keys, action)| keys == "u"
                && *action == cockpit::ui::action::Action::ReopenStep)
    );
    h.send(press(KeyCode::Char(' ')));
    h.settle().await;
    // On a pending step there is nothing to reopen.
    assert!(h.send(press(KeyCode::Char('u'))).is_empty());

    let reopen = h.keys([press(KeyCode::Char('k')), press(KeyCode::Char('u'))]);
    assert!(
        matches!(reopen.as_slice(), [Command::Journal(Record::StepReopened { step, .. })] if step == "call"),
        "{reopen:?}"
    );
    assert!(
        matches!(status(&h.app, "call"), StepStatus::Done { .. }),
        "done until the journal holds the reopening"
    );
    h.settle().await;
    assert_eq!(status(&h.app, "call"), StepStatus::Pending);
    assert_eq!(selected(&h.app), "call", "a reopened step stays selected");
    h.end().await;
    assert_eq!(
        session_kinds(&dir.path().join("journal.db")).await,
        ["incident_opened", "step_completed", "step_reopened"]
    );
}

#[tokio::test]
async fn keys_pressed_before_the_journal_answers_apply_in_order_after_it() {
    let dir = tempfile::tempdir().expect("dir");
    let mut h = steps_session(&dir).await;

    // Space then r, both before the tick is stored (a busy machine): the tick is on its way
    // to the journal, its answer not read yet.
    let sent = h.keys([press(KeyCode::Char(' ')), press(KeyCode::Char('r'))]);
    let [Command::Journal(Record::StepCompleted { step, .. })] = sent.as_slice() else {
        panic!("only the tick goes out: {sent:?}")
    };
    assert_eq!(step, "call");
    assert_eq!(h.app.held_keys(), 1, "r waits for the tick's answer");
    assert_eq!(status(&h.app, "call"), StepStatus::Pending);

    // The answer: the tick is folded, the selection moves on, then r runs the next step.
    let after = h
        .until("the tick's answer", |app| app.held_keys() == 0)
        .await;
    assert!(matches!(status(&h.app, "call"), StepStatus::Done { .. }));
    assert!(
        matches!(after.as_slice(), [Command::Journal(Record::StepStarted { step, .. })] if step == "look"),
        "r started `look` once the tick was stored: {after:?}"
    );
    let command = runs_on_web(&mut h).await;
    assert_eq!(command, "echo look");

    // While the command runs (its end not read yet) nothing waits: keys move the selection
    // at once.
    assert!(h.send(press(KeyCode::Char('j'))).is_empty());
    assert_eq!(
        (selected(&h.app), h.app.held_keys()),
        ("tail".to_string(), 0)
    );
    assert!(h.send(press(KeyCode::Char('k'))).is_empty());

    // Text typed into a dialog is never held, even while the run's records are unanswered.
    h.send(press(KeyCode::Char('n')));
    h.until("look's end, sent to the journal", |app| {
        app.pending_writes > 0
    })
    .await;
    assert!(h.app.pending_writes > 0);
    let note = h.keys(chars("seen"));
    assert!(note.is_empty());
    assert_eq!(h.app.held_keys(), 0, "typing goes into the note at once");
    let note = h.send(press(KeyCode::Enter));
    assert!(
        matches!(note.as_slice(), [Command::Journal(Record::NoteAdded { text, .. })] if text == "seen"),
        "{note:?}"
    );
    // Once the dialog is closed, keys wait again behind the run's records: j would act on the
    // selection before the pass moved it.
    assert!(h.send(press(KeyCode::Char('j'))).is_empty());
    assert_eq!(h.app.held_keys(), 1);
    // Stored in the order asked: the run's output, then the note, then the run's end (asked
    // once its output was stored).
    assert!(h.settle().await.is_empty());
    assert_eq!(h.app.held_keys(), 0);
    assert!(matches!(status(&h.app, "look"), StepStatus::Done { .. }));
    assert_eq!(
        selected(&h.app),
        "page",
        "the pass moved to `tail`, then the held j to `page`"
    );
    h.end().await;
    assert_eq!(
        session_kinds(&dir.path().join("journal.db")).await,
        [
            "incident_opened",
            "step_completed",
            "step_started",
            "step_output",
            "note_added",
            "step_finished",
        ]
    );
}

#[tokio::test]
async fn enter_runs_or_ticks_the_next_pending_step() {
    let dir = tempfile::tempdir().expect("dir");
    let mut h = steps_session(&dir).await;

    // A by-hand step: Enter ticks it.
    let enter = h.send(press(KeyCode::Enter));
    assert!(
        matches!(enter.as_slice(), [Command::Journal(Record::StepCompleted { step, .. })] if step == "call"),
        "{enter:?}"
    );
    h.settle().await;
    assert_eq!(selected(&h.app), "look");

    // A command: Enter runs it, like r.
    h.send(press(KeyCode::Enter));
    assert_eq!(runs_on_web(&mut h).await, "echo look");
    exits_ok(&mut h, "look").await;
    assert_eq!(selected(&h.app), "tail");
    h.send(press(KeyCode::Enter));
    assert_eq!(runs_on_web(&mut h).await, "tail -n 5 /dev/null");
    exits_ok(&mut h, "tail").await;
    assert_eq!(selected(&h.app), "page");

    // On a finished step, Enter does nothing but select the next open one.
    let back = h.keys([press(KeyCode::Char('k')), press(KeyCode::Enter)]);
    assert!(back.is_empty(), "{back:?}");
    assert_eq!(selected(&h.app), "page");
    // A note: Enter ticks it; then every step is finished and Enter says so.
    h.send(press(KeyCode::Enter));
    h.settle().await;
    assert!(matches!(status(&h.app, "page"), StepStatus::Done { .. }));
    assert!(h.send(press(KeyCode::Enter)).is_empty());
    let flash = h.app.flash.clone().expect("a message");
    assert!(flash.text.contains("every step is done"), "{flash:?}");
    h.end().await;
    assert_eq!(
        session_kinds(&dir.path().join("journal.db")).await,
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
    let mut h = steps_session(&dir).await;
    // The tick's answer is never read (a stuck disk, as far as the app can tell): r waits
    // behind it.
    let sent = h.keys([press(KeyCode::Char(' ')), press(KeyCode::Char('r'))]);
    assert_eq!((sent.len(), h.app.held_keys()), (1, 1));
    let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(h.send(ctrl_c).is_empty());
    assert_eq!(h.app.held_keys(), 0);
    assert!(matches!(h.app.overlay, Some(Overlay::ConfirmQuit)));
    assert!(
        h.app
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("1 key(s)"))
    );
    let quit = h.send(press(KeyCode::Char('y')));
    assert!(
        quit.iter().any(|c| matches!(c, Command::Quit(_))),
        "{quit:?}"
    );
    // The executor took it as the session's end.
    let (_, outcome) = h.end().await;
    assert!(
        matches!(&outcome.ended, Ended::Normally(reason) if reason.starts_with("operator quit")),
        "{outcome:?}"
    );
}

/// The writer journals the head at a resolve on its own, signed when an SSH agent can sign
/// it and otherwise that it is not: the app counts no request for it, keeps the resolve's
/// message with its head and adds the warning once per session. (Where no agent answers, as
/// in CI, every head is unsigned; with one, the test checks the signed head instead.)
#[tokio::test]
async fn an_unsigned_head_is_said_once_after_the_resolve_message() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let mut h = fresh(&path).await;
    for reason in ["done", "done again"] {
        h.keys([press(KeyCode::Char('o')), press(KeyCode::Enter)]);
        h.settle().await;
        let id = h.app.incident().map(|i| i.id.clone()).expect("open");
        let mut commands = h.send(press(KeyCode::Char('R')));
        commands.extend(h.keys(chars(reason)));
        commands.extend(h.send(press(KeyCode::Enter)));
        assert_eq!(commands.len(), 1, "{commands:?}");
        h.settle().await;
        let (_, head) = h.app.resolved_heads.last().cloned().expect("resolve head");
        let resolved = resolve_message(&id, &head);
        let last = h.last_journaled("incident_resolved").expect("resolve").seq;

        let signature = h.signature(last).await;
        assert_eq!(
            h.app.pending_writes, 0,
            "no request of the app was answered"
        );
        assert_eq!(h.app.workspace.last_seq, last + 1);
        let flash = h.app.flash.clone().expect("flash");
        match (&signature.record, reason) {
            (Record::HeadNotSigned { seq, reason, .. }, "done") => {
                assert_eq!(*seq, last);
                assert_eq!(
                    flash.text,
                    format!("{resolved} · journal head not signed: {reason}")
                );
                assert!(flash.error);
            }
            // Said once: the next unsigned head leaves the resolve's message alone.
            (Record::HeadNotSigned { seq, .. } | Record::HeadSigned { seq, .. }, _) => {
                assert_eq!(*seq, last);
                assert_eq!((flash.text, flash.error), (resolved, false));
            }
            (other, _) => panic!("not a signature: {other:?}"),
        }
    }
}

/// One nginx machine of two going down: the suggestion names it, and the incident opened from
/// it is about that machine (journaled), not the first host of the role.
#[tokio::test]
async fn the_incident_is_about_the_host_that_matched_the_trigger() {
    use cockpit::demo::DEMO_HOSTS;
    let mut app = demo_app();
    for round in 0..4 {
        app.now_ms = 1_000_000 + round * 1_000;
        for h in DEMO_HOSTS {
            app.on_event(probed(h.name, h.name != "nginx-2"));
        }
    }
    let suggestions = app.suggestions();
    let (index, reason) = suggestions.first().expect("a suggestion").clone();
    assert_eq!(app.playbooks[index].id, "nginx-down");
    assert_eq!(reason, "nginx-2 is down");
    let mut commands = app.on_event(press(KeyCode::Char('o')));
    commands.extend(app.on_event(press(KeyCode::Enter)));
    let [Command::Journal(Record::IncidentOpened { playbook, host, .. })] = commands.as_slice()
    else {
        panic!("one incident_opened: {commands:?}")
    };
    assert_eq!(playbook, "nginx-down");
    assert_eq!(
        host.as_deref(),
        Some("nginx-2"),
        "not nginx-1, the first of the role"
    );
}

/// Two manual steps with `when` conditions: `restore` waits for web down, `announce` for web
/// up.
const GATED_MANUAL_PLAYBOOK: &str = r#"
id = "web-gated"
title = "Web gated"
severity = "P2"

[[steps]]
id = "restore"
title = "Restore by hand"
kind = "manual"
when = [{ host = "web", state = "down" }]

[[steps]]
id = "announce"
title = "Announce the recovery"
kind = "manual"
when = [{ host = "web", state = "up" }]
"#;

#[tokio::test]
async fn ticking_a_step_that_waits_asks_first_and_notes_why() {
    use cockpit::ui::overlay::Overlay;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let mut h = open_incident(&path, RUN_INVENTORY, GATED_MANUAL_PLAYBOOK).await;
    h.send(probed("web", true));
    assert_eq!(selected(&h.app), "restore");

    // web is up and `restore` needs it down: Space asks, and any key but `y` leaves it open.
    assert!(h.send(press(KeyCode::Char(' '))).is_empty());
    let Some(Overlay::ConfirmTickWaiting { step, reasons }) = h.app.overlay.clone() else {
        panic!("no question: {:?}", h.app.overlay)
    };
    assert_eq!(step, "restore");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("web") && r.contains("down")),
        "{reasons:?}"
    );
    assert!(
        screen(&h.app).contains("Tick a step that waits?"),
        "{}",
        screen(&h.app)
    );
    assert!(h.send(press(KeyCode::Char('n'))).is_empty());
    assert!(h.app.overlay.is_none());
    h.settle().await;
    assert_eq!(status(&h.app, "restore"), StepStatus::Pending);

    // Enter on it asks the same; `y` ticks it, with a note of why it waited.
    assert!(h.send(press(KeyCode::Enter)).is_empty());
    assert!(matches!(
        h.app.overlay,
        Some(Overlay::ConfirmTickWaiting { .. })
    ));
    let sent = h.send(press(KeyCode::Char('y')));
    let [
        Command::Journal(Record::NoteAdded { text, .. }),
        Command::Journal(Record::StepCompleted { step, .. }),
    ] = sent.as_slice()
    else {
        panic!("a note, then the tick: {sent:?}")
    };
    assert_eq!(step, "restore");
    assert!(
        text.contains("`restore` ticked done by hand while it waited") && text.contains("web"),
        "{text}"
    );
    h.settle().await;
    assert!(matches!(status(&h.app, "restore"), StepStatus::Done { .. }));

    // `announce` needs web up, which it is: Space ticks it at once.
    assert_eq!(selected(&h.app), "announce");
    let sent = h.send(press(KeyCode::Char(' ')));
    assert!(
        matches!(sent.as_slice(), [Command::Journal(Record::StepCompleted { step, .. })] if step == "announce"),
        "{sent:?}"
    );
    assert!(h.app.overlay.is_none());
    h.settle().await;
    h.end().await;
    assert_eq!(
        session_kinds(&path).await,
        [
            "incident_opened",
            "host_state_changed",
            "note_added",
            "step_completed",
            "step_completed"
        ]
    );
}

/// On a shared journal a teammate may finish the step while "tick a step that waits?" is open
/// here: `y` then ticks nothing (no second "done", no note) and says why.
#[tokio::test]
async fn a_step_a_teammate_finished_while_asking_is_not_ticked_again() {
    use cockpit::core::journal::Entry;
    use cockpit::core::shared_chain::{Origin, SharedEntry};
    use cockpit::io::shared::SyncReport;
    use cockpit::ui::app::SharedView;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let mut h = open_incident(&path, RUN_INVENTORY, GATED_MANUAL_PLAYBOOK).await;
    h.settle().await;
    let local = cockpit::io::journal_store::read_assessed(&path)
        .await
        .expect("read")
        .entries;
    h.app.shared = Some(SharedView::new("postgres://team@db/ops".into(), local));
    // The store holds nothing yet: joining keeps the local incident.
    h.send(Event::Shared(SyncReport::Entries(Vec::new())));
    let incident = h.app.incident().expect("the incident").id.clone();
    h.send(probed("web", true));
    assert_eq!(selected(&h.app), "restore");
    assert!(h.send(press(KeyCode::Char(' '))).is_empty());
    assert!(matches!(
        h.app.overlay,
        Some(Overlay::ConfirmTickWaiting { .. })
    ));

    // Bob ticks `restore` on his bastion; his entry arrives while the question is open.
    let record = Record::StepCompleted {
        incident,
        step: "restore".into(),
    };
    let entry = Entry::seal(
        None,
        900_000,
        "bob@bastion-2",
        &record,
        &Redactor::default(),
    )
    .expect("seal");
    let bobs = SharedEntry {
        origin: Origin {
            journal: "bobs-journal".into(),
            seq: entry.seq,
            prev_hash: entry.prev_hash.clone(),
            hash: entry.hash.clone(),
        },
        entry,
    };
    h.send(Event::Shared(SyncReport::Entries(vec![bobs])));
    assert!(matches!(status(&h.app, "restore"), StepStatus::Done { .. }));

    let sent = h.send(press(KeyCode::Char('y')));
    assert!(sent.is_empty(), "nothing is journaled: {sent:?}");
    assert!(h.app.overlay.is_none());
    let flash = h.app.flash.as_ref().expect("a message");
    assert!(
        flash.error
            && flash
                .text
                .contains("`restore` is no longer open here: not ticked"),
        "{}",
        flash.text
    );
    h.settle().await;
    h.end().await;
    let kinds = session_kinds(&path).await;
    assert!(
        !kinds
            .iter()
            .any(|k| k == "step_completed" || k == "note_added"),
        "{kinds:?}"
    );
}
