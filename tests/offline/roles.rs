//! Roles, headless over the real app and a real journal: an observer's every acting key (the
//! list is generated from the key table) is refused and journals nothing while looking around
//! works; an operator may not change severity nor resolve someone else's incident; a commander
//! and the incident's opener may.

use crate::support::app_driver;
use crate::support::journal_files::reopen;

use app_driver::{live_app, press, screen, settle};
use cockpit::core::incident::Workspace;
use cockpit::core::journal::Record;
use cockpit::core::redact::Redactor;
use cockpit::core::role::{Authority, OBSERVER_REFUSAL, Role};
use cockpit::core::severity::Severity;
use cockpit::io::fleet::FleetEvent;
use cockpit::io::journal_store::JournalStore;
use cockpit::io::tail::TailEvent;
use cockpit::ui::action::Action;
use cockpit::ui::app::App;
use cockpit::ui::command::Command;
use cockpit::ui::event::Event;
use cockpit::ui::keymap::{Binding, Scope, key_label};
use cockpit::ui::overlay::Overlay;
use cockpit::ui::pane::Pane;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

const INVENTORY: &str = r#"
[[hosts]]
name = "web"
address = "127.0.0.1"
role = "app"

[[databases]]
name = "speed"
driver = "sqlite"
url = "sqlite:///tmp/cockpit-roles-test-never-opened.db"
"#;

const PLAYBOOK: &str = r#"
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
"#;

/// Who opened INC-1 in these tests.
const ALICE: &str = "alice@bastion-1";

/// A journal at `path` where `opener` opened INC-1, and an app for op@bastion over it with
/// `role`, a log line to pin and a drill host to break.
async fn app_on_incident(path: &Path, opener: &str, role: Role) -> (App, JournalStore) {
    let (mut store, _) = reopen(|| JournalStore::open(path, true, Redactor::default()))
        .await
        .expect("open the journal");
    let inventory = app_driver::inventory(INVENTORY);
    let playbook = app_driver::playbook(PLAYBOOK, &inventory);
    let open = Record::IncidentOpened {
        host: None,
        checkpoint_minutes: None,
        incident: "INC-1".into(),
        title: "web is slow".into(),
        severity: playbook.severity,
        playbook: playbook.id.clone(),
        playbook_title: playbook.title.clone(),
        rto_minutes: playbook.rto_minutes,
        steps: playbook.step_snapshots(),
        fleet: Default::default(),
        unhealthy_since_ms: None,
    };
    let entry = store
        .append(999_000, opener, &open)
        .await
        .expect("append the opening");
    let mut app = live_app(inventory, vec![playbook], Workspace::fold(&[entry]));
    app.role = role;
    app.show_role = true;
    app.drill_hosts = vec![("web".into(), None)];
    app.on_event(Event::Fleet(FleetEvent::Tail(TailEvent::line(
        "web",
        "/var/log/app.log",
        "upstream timed out",
    ))));
    assert!(app.incident().is_some(), "INC-1 is open");
    (app, store)
}

/// How many entries the journal at `path` holds (read from disk after `store` is closed).
async fn entries_on_disk(store: JournalStore, path: &Path) -> Vec<String> {
    store.close().await;
    let (_store, entries) = reopen(|| JournalStore::open(path, true, Redactor::default()))
        .await
        .expect("reopen the journal");
    entries
        .iter()
        .map(|e| e.record.kind().to_string())
        .collect()
}

fn event_of(b: &Binding) -> KeyEvent {
    KeyEvent::new(b.code, b.modifiers)
}

/// Puts the app back on its main screen with focus where `b` means its action (the pane of
/// a pane binding; for a global one, a pane no pane binding of that key shadows).
fn ready_for(app: &mut App, b: &Binding) {
    app.overlay = None;
    app.console.editing = false;
    app.flash = None;
    app.focus = match b.scope {
        Scope::Pane(p) => p,
        Scope::Global => [Pane::Hosts, Pane::Logs, Pane::Playbook, Pane::Sql]
            .into_iter()
            .find(|p| app.keymap.action_for(*p, &event_of(b)) == Some(b.action))
            .unwrap_or_else(|| panic!("{b:?} is shadowed in every pane")),
        Scope::Editor => {
            app.console.editing = true;
            Pane::Sql
        }
        // A dialog's keys are tried in a list dialog (choosing an incident is looking).
        Scope::Dialog => {
            app.overlay = Some(Overlay::IncidentPicker(0));
            app.focus
        }
        Scope::Replay => panic!("{b:?}: the replay's keys are tried in tests/replay.rs"),
    };
    app.step_cursor = 0;
    app.host_cursor = 0;
}

/// The hint line of a drawn screen (the row offering `? help`).
fn hint_line(screen: &str) -> &str {
    screen
        .lines()
        .find(|l| l.contains("? help"))
        .unwrap_or_else(|| panic!("no hint line:\n{screen}"))
}

fn flash_text(app: &App) -> String {
    app.flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default()
}

fn acting_bindings(app: &App) -> Vec<Binding> {
    app.keymap
        .bindings()
        .iter()
        .filter(|b| b.action.authority() != Authority::Look)
        .cloned()
        .collect()
}

#[tokio::test]
async fn an_observer_is_refused_every_acting_key_and_nothing_is_journaled() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, store) = app_on_incident(&path, ALICE, Role::Observer).await;

    let hostile = acting_bindings(&app);
    let acting: Vec<Action> = hostile.iter().map(|b| b.action).collect();
    // What the issue names as acting is among them (the list itself comes from the table).
    for named in [
        Action::TickStep,
        Action::SkipStep,
        Action::RunStep,
        Action::RunNextStep,
        Action::ReopenStep,
        Action::AddNote,
        Action::AnnotateStep,
        Action::ChangeSeverity,
        Action::ResolveIncident,
        Action::OpenIncident,
        Action::RunSql,
        Action::DecideSql,
        Action::CancelSql,
        Action::PinLine,
        Action::Diagnose,
        Action::InjectFault,
        Action::AnswerAccess,
    ] {
        assert!(acting.contains(&named), "{named:?} is not bound as acting");
    }

    for b in &hostile {
        ready_for(&mut app, b);
        let commands = app.on_event(Event::Key(event_of(b)));
        let key = key_label(b);
        assert!(
            commands.is_empty(),
            "{key} ({:?}) asked for {commands:?}",
            b.action
        );
        assert!(app.overlay.is_none(), "{key} opened {:?}", app.overlay);
        assert_eq!(flash_text(&app), OBSERVER_REFUSAL, "{key} ({:?})", b.action);
    }

    // The ways in that are not the key table: the SQL editor's run keys, `d` in a host's
    // details, `y` in a trust dialog that opened by itself.
    ready_for(&mut app, &hostile[0]);
    app.focus = Pane::Sql;
    app.on_event(press(KeyCode::Char('e')));
    assert!(app.console.editing, "an observer may type in the editor");
    for c in "select 1".chars() {
        app.on_event(press(KeyCode::Char(c)));
    }
    for run in [
        KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('e'), KeyModifiers::CONTROL),
        KeyEvent::new(KeyCode::Enter, KeyModifiers::CONTROL),
    ] {
        app.flash = None;
        assert!(app.on_event(Event::Key(run)).is_empty(), "{run:?} ran");
        assert_eq!(flash_text(&app), OBSERVER_REFUSAL, "{run:?}");
    }
    app.console.editing = false;
    app.focus = Pane::Hosts;
    app.on_event(press(KeyCode::Enter));
    assert!(matches!(app.overlay, Some(Overlay::HostDetail(0))));
    app.flash = None;
    assert!(app.on_event(press(KeyCode::Char('d'))).is_empty());
    assert_eq!(flash_text(&app), OBSERVER_REFUSAL);

    assert_eq!(
        entries_on_disk(store, &path).await,
        ["incident_opened"],
        "an observer's keys journaled something"
    );
}

#[tokio::test]
async fn an_observer_moves_views_and_quits_freely() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, store) = app_on_incident(&path, ALICE, Role::Observer).await;
    let looking: Vec<Binding> = app
        .keymap
        .bindings()
        .iter()
        .filter(|b| b.action.authority() == Authority::Look && b.scope != Scope::Replay)
        .cloned()
        .collect();
    assert!(looking.len() > 20, "{looking:?}");
    for b in &looking {
        ready_for(&mut app, b);
        let commands = app.on_event(Event::Key(event_of(b)));
        assert_ne!(
            flash_text(&app),
            OBSERVER_REFUSAL,
            "{} refused",
            key_label(b)
        );
        assert!(
            !commands.iter().any(|c| matches!(c, Command::Journal(_))),
            "{} journaled {commands:?}",
            key_label(b)
        );
    }
    // Moving really moves, help really opens, quitting asks (an incident is open) and quits.
    ready_for(&mut app, &looking[0]);
    app.focus = Pane::Playbook;
    app.on_event(press(KeyCode::Down));
    assert_eq!(app.step_cursor, 1);
    app.on_event(press(KeyCode::Char('?')));
    assert!(matches!(app.overlay, Some(Overlay::Help)));
    app.on_event(press(KeyCode::Esc));
    app.on_event(press(KeyCode::Char('q')));
    assert!(matches!(app.overlay, Some(Overlay::ConfirmQuit)));
    let quit = app.on_event(press(KeyCode::Char('y')));
    assert!(
        quit.iter().any(|c| matches!(c, Command::Quit(_))),
        "{quit:?}"
    );
    app.overlay = None;
    app.flash = None;
    let shown = screen(&app);
    let hints = hint_line(&shown);
    for refused in ["tick", "skip", "note", "resolve", "drill fault"] {
        assert!(!hints.contains(refused), "{refused} offered: {hints}");
    }
    let status = shown.lines().nth(3).unwrap_or_default();
    assert!(status.starts_with("        \" READ-ONLY "), "{shown}");
    let mut wide =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(220, 30)).expect("terminal");
    wide.draw(|f| cockpit::ui::draw::draw(f, &app))
        .expect("draw");
    let wide = format!("{:?}", wide.backend());
    assert!(wide.contains("op@bastion · observer"), "{wide}");
    assert_eq!(entries_on_disk(store, &path).await, ["incident_opened"]);
}

/// Presses `S`, Down, Enter: the severity picker's next severity.
fn change_severity(app: &mut App) -> Vec<Command> {
    let mut commands = app.on_event(press(KeyCode::Char('S')));
    commands.extend(app.on_event(press(KeyCode::Down)));
    commands.extend(app.on_event(press(KeyCode::Enter)));
    commands
}

/// Presses `R`, types a summary, Enter.
fn resolve(app: &mut App) -> Vec<Command> {
    let mut commands = app.on_event(press(KeyCode::Char('R')));
    for c in "fixed".chars() {
        commands.extend(app.on_event(press(KeyCode::Char(c))));
    }
    commands.extend(app.on_event(press(KeyCode::Enter)));
    commands
}

#[tokio::test]
async fn an_operator_may_act_but_not_change_severity_nor_resolve_someone_elses_incident() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, mut store) = app_on_incident(&path, ALICE, Role::Operator).await;
    app.focus = Pane::Playbook;

    let refusal = "only the incident commander (alice@bastion-1) may change severity/resolve";
    for key in ['S', 'R'] {
        app.flash = None;
        assert!(app.on_event(press(KeyCode::Char(key))).is_empty());
        assert_eq!(flash_text(&app), refusal, "{key}");
        assert!(app.overlay.is_none(), "{key} opened {:?}", app.overlay);
    }
    assert_eq!(app.incident().map(|i| i.severity), Some(Severity::P2));
    app.flash = None;
    let shown = screen(&app);
    let hints = hint_line(&shown);
    assert!(
        hints.contains("tick") && !hints.contains("resolve"),
        "{hints}"
    );

    // Everything else an operator does: tick the manual step, add a note.
    app.focus = Pane::Playbook;
    let tick = app.on_event(press(KeyCode::Char(' ')));
    assert_eq!(tick.len(), 1, "{tick:?}");
    settle(&mut app, &mut store, tick).await;
    let mut note = app.on_event(press(KeyCode::Char('n')));
    for c in "looking at web".chars() {
        note.extend(app.on_event(press(KeyCode::Char(c))));
    }
    note.extend(app.on_event(press(KeyCode::Enter)));
    settle(&mut app, &mut store, note).await;
    assert_eq!(
        entries_on_disk(store, &path).await,
        ["incident_opened", "step_completed", "note_added"]
    );
}

#[tokio::test]
async fn the_incidents_opener_and_a_commander_may_change_severity_and_resolve() {
    for (opener, role) in [("op@bastion", Role::Operator), (ALICE, Role::Commander)] {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("journal.db");
        let (mut app, mut store) = app_on_incident(&path, opener, role).await;
        let severity = change_severity(&mut app);
        assert!(
            matches!(
                severity.as_slice(),
                [Command::Journal(Record::SeverityChanged {
                    severity: Severity::P3,
                    ..
                })]
            ),
            "{role}: {severity:?}"
        );
        settle(&mut app, &mut store, severity).await;
        let resolved = resolve(&mut app);
        settle(&mut app, &mut store, resolved).await;
        assert!(app.incident().is_none(), "{role} on {opener}'s incident");
        assert_eq!(
            entries_on_disk(store, &path).await,
            ["incident_opened", "severity_changed", "incident_resolved"],
            "{role}"
        );
    }
}

#[tokio::test]
async fn an_observer_cannot_trust_a_host_key_from_the_dialog_that_opens_by_itself() {
    use cockpit::io::ssh::HostKeyOffer;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, store) = app_on_incident(&path, ALICE, Role::Observer).await;
    let offer = HostKeyOffer {
        host: "127.0.0.1".into(),
        port: 22,
        algorithm: "ssh-ed25519".into(),
        fingerprint: "SHA256:abc".into(),
        public_key: "ssh-ed25519 AAAA".into(),
        known_hosts: dir.path().join("known_hosts"),
        jump: None,
    };
    app.on_event(Event::Fleet(FleetEvent::HostKeyUnknown {
        host: "web".into(),
        offer,
    }));
    assert!(matches!(app.overlay, Some(Overlay::TrustHostKey { .. })));
    assert!(app.on_event(press(KeyCode::Char('y'))).is_empty());
    assert_eq!(flash_text(&app), OBSERVER_REFUSAL);
    assert!(app.overlay.is_none());
    assert_eq!(entries_on_disk(store, &path).await, ["incident_opened"]);
}

/// A refusal is the answer to the key just pressed: a milestone falling due in the same second
/// (journaled by the clock, shown by itself) goes after it instead of wiping it before it is
/// read — what a tired observer would otherwise see as a key that did nothing.
#[tokio::test]
async fn a_refusal_stays_on_screen_when_a_milestone_falls_due_with_it() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, _store) = app_on_incident(&path, ALICE, Role::Observer).await;
    app.focus = Pane::Playbook;
    app.now_ms = 1_000_000;
    app.on_event(press(KeyCode::Char(' ')));
    assert_eq!(flash_text(&app), OBSERVER_REFUSAL);
    let commands = app.on_event(Event::Tick);
    let milestones = commands
        .iter()
        .filter(|c| matches!(c, Command::Journal(Record::MilestoneCrossed { .. })))
        .count();
    assert!(milestones > 0, "no milestone fell due: {commands:?}");
    let shown = flash_text(&app);
    assert!(
        shown.starts_with(&format!("{OBSERVER_REFUSAL} · INC-1: ")),
        "{shown}"
    );
    assert!(screen(&app).contains(OBSERVER_REFUSAL), "{shown}");

    // A notice with no answer showing stands alone; the next answer replaces it.
    app.now_ms += 60_000;
    app.on_event(Event::Tick);
    app.now_ms += 3_600_000;
    app.on_event(Event::Tick);
    let alone = flash_text(&app);
    assert!(alone.starts_with("INC-1: "), "{alone}");
    app.on_event(press(KeyCode::Char(' ')));
    assert_eq!(flash_text(&app), OBSERVER_REFUSAL);
}
