//! The app headless on a shared journal, its journal commands carried out against a real
//! journal file: a step is claimed before it runs — held by someone else it does not run and
//! nothing is journaled, granted it runs (its claim renewed while it runs and given back once
//! its end is journaled), and with the store offline it runs with a warning. Several open
//! incidents: the picker chooses the one in front of the operator. Who else is on the
//! incident, who ran each step and who confirmed it are on the screen.

use crate::support::app_driver;
use crate::support::journal_files::stored_kinds;

use app_driver::{live_app, open_incident, press, screen, settle};
use cockpit::core::incident::{StepStatus, Workspace};
use cockpit::core::inventory::Inventory;
use cockpit::core::journal::{Entry, Record};
use cockpit::core::redact::Redactor;
use cockpit::core::severity::Severity;
use cockpit::core::team::{Claim, Present};
use cockpit::io::journal_store::JournalStore;
use cockpit::io::ssh::ExecOutput;
use cockpit::ui::app::{App, Team};
use cockpit::ui::command::Command;
use cockpit::ui::event::Event;
use cockpit::ui::overlay::Overlay;
use crossterm::event::KeyCode;

/// One host, `web`, for the team tests.
const INVENTORY: &str = include_str!("../fixtures/team/inventory.toml");

/// A plain step and a dangerous one on `web`.
const PLAYBOOK: &str = include_str!("../fixtures/team/web-down.toml");

/// A shared-mode app (session `s-alice`, operator op@bastion) with INC-1 open.
async fn shared_app(dir: &tempfile::TempDir) -> (App, JournalStore) {
    let (mut app, store) = open_incident(
        &dir.path().join("journal.db"),
        INVENTORY,
        PLAYBOOK,
        "web down",
    )
    .await;
    app.team = Team::shared("s-alice");
    (app, store)
}

fn keys(app: &mut App, events: Vec<Event>) -> Vec<Command> {
    events.into_iter().flat_map(|e| app.on_event(e)).collect()
}

fn chars(text: &str) -> Vec<Event> {
    text.chars().map(|c| press(KeyCode::Char(c))).collect()
}

fn claimed(step: &str, result: Result<Claim, String>) -> Event {
    Event::Claimed {
        incident: "INC-1".into(),
        step: step.into(),
        result,
    }
}

fn exits_ok() -> Event {
    Event::StepExecuted {
        host: "web".into(),
        result: Ok(ExecOutput {
            stdout: b"ok\n".to_vec(),
            exit_status: Some(0),
            ..Default::default()
        }),
    }
}

async fn kinds(store: JournalStore, dir: &tempfile::TempDir) -> Vec<String> {
    store.close().await;
    stored_kinds(&dir.path().join("journal.db")).await
}

fn flash(app: &App) -> String {
    app.flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_step_held_by_another_operator_runs_nothing_and_journals_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, store) = shared_app(&dir).await;
    let asked = app.on_event(press(KeyCode::Char('r')));
    assert_eq!(
        asked,
        [Command::ClaimStep {
            incident: "INC-1".into(),
            step: "restart".into()
        }],
        "the claim goes first, alone"
    );
    // `r` again while the claim is unanswered asks nothing more.
    assert!(app.on_event(press(KeyCode::Char('r'))).is_empty());
    let answer = app.on_event(claimed(
        "restart",
        Ok(Claim::HeldBy {
            holder: "bob@bastion-2".into(),
            for_secs: 12,
        }),
    ));
    assert!(answer.is_empty(), "{answer:?}");
    assert_eq!(
        flash(&app),
        "step Restart the app is running by bob@bastion-2 for 12 s"
    );
    assert!(app.steps.running_step().is_none());
    assert_eq!(
        app.incident().map(|i| i.status("restart").clone()),
        Some(StepStatus::Pending)
    );
    assert!(screen(&app).contains("running by bob@bastion-2 for 12 s"));
    assert_eq!(kinds(store, &dir).await, ["incident_opened"]);
}

#[tokio::test]
async fn a_granted_step_runs_renews_its_claim_and_gives_it_back_once_its_end_is_journaled() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, mut store) = shared_app(&dir).await;
    let asked = app.on_event(press(KeyCode::Char('r')));
    assert!(matches!(asked.as_slice(), [Command::ClaimStep { .. }]));
    let granted = app.on_event(claimed("restart", Ok(Claim::Granted)));
    assert!(
        granted.iter().all(|c| matches!(c, Command::Journal(_))),
        "the start is journaled before anything runs: {granted:?}"
    );
    let run = settle(&mut app, &mut store, granted).await;
    assert!(
        matches!(run.as_slice(), [Command::RunOnHost { host, .. }] if host == "web"),
        "{run:?}"
    );
    // Every 5 s (on the clock's tick) the claim is renewed while the step runs.
    app.now_ms += 2_000;
    let tick = app.on_event(Event::Tick);
    assert!(settle(&mut app, &mut store, tick).await.is_empty());
    app.now_ms += 3_000;
    let tick = app.on_event(Event::Tick);
    let renew = settle(&mut app, &mut store, tick).await;
    assert_eq!(
        renew,
        [Command::RenewClaim {
            incident: "INC-1".into(),
            step: "restart".into()
        }]
    );
    app.on_event(Event::ClaimRenewed {
        incident: "INC-1".into(),
        step: "restart".into(),
        result: Ok(true),
    });
    // It ends: the claim goes back only once its end is journaled.
    let done = app.on_event(exits_ok());
    assert!(
        !done
            .iter()
            .any(|c| matches!(c, Command::ReleaseClaim { .. })),
        "released before the end was journaled: {done:?}"
    );
    let after = settle(&mut app, &mut store, done).await;
    assert_eq!(
        after,
        [Command::ReleaseClaim {
            incident: "INC-1".into(),
            step: "restart".into()
        }]
    );
    assert!(matches!(
        app.incident().map(|i| i.status("restart").clone()),
        Some(StepStatus::Done { .. })
    ));
    app.now_ms += 10_000;
    let tick = app.on_event(Event::Tick);
    assert!(
        settle(&mut app, &mut store, tick).await.is_empty(),
        "nothing left to renew"
    );
    let run: Vec<String> = kinds(store, &dir)
        .await
        .into_iter()
        .filter(|k| k != "milestone_crossed")
        .collect();
    assert_eq!(
        run,
        [
            "incident_opened",
            "step_started",
            "step_output",
            "step_finished"
        ]
    );
}

#[tokio::test]
async fn with_the_store_offline_the_step_runs_with_a_warning_that_it_was_not_claimed() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, mut store) = shared_app(&dir).await;
    app.on_event(press(KeyCode::Char('r')));
    let answer = app.on_event(claimed(
        "restart",
        Err("step claim did not answer within 2.0s".into()),
    ));
    let run = settle(&mut app, &mut store, answer).await;
    assert!(
        matches!(run.as_slice(), [Command::RunOnHost { .. }]),
        "{run:?}"
    );
    assert_eq!(flash(&app), "shared journal offline: step not claimed");
    let output = app.steps.output("restart").expect("output");
    assert!(
        output
            .lines
            .iter()
            .any(|l| l.contains("shared journal offline: step not claimed")),
        "{output:?}"
    );
    let done = app.on_event(exits_ok());
    let after = settle(&mut app, &mut store, done).await;
    assert!(
        after.is_empty(),
        "nothing claimed, nothing to give back: {after:?}"
    );
    assert_eq!(
        flash(&app),
        "step `restart` passed · shared journal offline: step not claimed",
        "its end says it too"
    );
}

#[tokio::test]
async fn a_dangerous_step_is_claimed_after_its_confirmation_and_says_who_confirmed() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, mut store) = shared_app(&dir).await;
    app.on_event(press(KeyCode::Down));
    assert!(app.on_event(press(KeyCode::Char('r'))).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::ConfirmStep(_))));
    keys(&mut app, chars("web"));
    let asked = app.on_event(press(KeyCode::Enter));
    assert!(
        matches!(asked.as_slice(), [Command::ClaimStep { step, .. }] if step == "wipe"),
        "{asked:?}"
    );
    let granted = app.on_event(claimed("wipe", Ok(Claim::Granted)));
    let run = settle(&mut app, &mut store, granted).await;
    assert!(matches!(run.as_slice(), [Command::RunOnHost { .. }]));
    let text = screen(&app);
    assert!(text.contains("run 1 confirmed by op@bastion at"), "{text}");
    let incident = app.incident().expect("open");
    assert_eq!(incident.confirmations["wipe"].by, "op@bastion");
}

#[tokio::test]
async fn without_a_shared_journal_nothing_is_claimed() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, _store) = open_incident(
        &dir.path().join("journal.db"),
        INVENTORY,
        PLAYBOOK,
        "web down",
    )
    .await;
    let asked = app.on_event(press(KeyCode::Char('r')));
    assert!(
        asked.iter().all(|c| matches!(c, Command::Journal(_))) && !asked.is_empty(),
        "{asked:?}"
    );
}

fn present(session: &str, operator: &str, role: &str, incident: &str) -> Present {
    Present {
        session: session.into(),
        operator: operator.into(),
        role: role.into(),
        incident: Some(incident.into()),
    }
}

#[tokio::test]
async fn the_status_line_says_who_else_is_on_the_incident_and_the_checklist_who_ran_each_step() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, mut store) = shared_app(&dir).await;
    app.on_event(Event::Presence(vec![
        present("s-alice", "op@bastion", "operator", "INC-1"),
        present("s-bob", "bob@bastion-2", "operator", "INC-1"),
        present("s-carol", "carol@b3", "observer", "INC-1"),
        present("s-dave", "dave@b4", "operator", "INC-2"),
    ]));
    // Bob ticked the first step (his entry, as the shared journal brings it).
    let tick = store
        .append(
            app.now_ms,
            "bob@bastion-2",
            &Record::StepCompleted {
                incident: "INC-1".into(),
                step: "restart".into(),
            },
        )
        .await
        .expect("append");
    app.workspace.apply(&tick);
    let text = screen(&app);
    assert!(
        text.contains("with bob@bastion-2 (operator), carol@b3 (observer)"),
        "{text}"
    );
    // A terminal wide enough for the whole status line: who else is on it is said once.
    let mut wide =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(400, 40)).expect("terminal");
    wide.draw(|f| cockpit::ui::draw::draw(f, &app))
        .expect("draw");
    let wide = format!("{:?}", wide.backend());
    assert_eq!(wide.matches("with bob@bastion-2").count(), 1, "{wide}");
    assert!(!text.contains("dave@b4"), "{text}");
    assert!(text.contains("Restart the app · bob"), "{text}");
}

/// An entry opening `id` at `at_ms`, as its opener's journal sealed it.
fn opened(id: &str, title: &str, severity: Severity, at_ms: i64, seq: u64) -> Entry {
    let record = Record::IncidentOpened {
        host: None,
        checkpoint_minutes: None,
        incident: id.into(),
        title: title.into(),
        severity,
        playbook: "web-down".into(),
        playbook_title: "Web down".into(),
        rto_minutes: None,
        steps: Vec::new(),
        fleet: Default::default(),
        unhealthy_since_ms: None,
    };
    let mut entry =
        Entry::seal(None, at_ms, "bob@bastion-2", &record, &Redactor::default()).expect("seal");
    entry.seq = seq;
    entry
}

/// A shared-mode app over a workspace with three open incidents (the newest last).
fn three_open() -> App {
    let ws = Workspace::fold(&[
        opened(
            "INC-20261206-0650-k3vq",
            "主库宕机 primary down",
            Severity::P0,
            0,
            1,
        ),
        opened(
            "INC-20261206-0655-a7x2",
            "cache slow",
            Severity::P2,
            300_000,
            2,
        ),
        opened(
            "INC-20261206-0658-mm4d",
            "nginx 502s",
            Severity::P1,
            480_000,
            3,
        ),
    ]);
    let mut app = live_app(Inventory::default(), Vec::new(), ws);
    app.now_ms = 600_000;
    app.team = Team::shared("s-alice");
    app.on_event(Event::Presence(vec![
        present(
            "s-alice",
            "op@bastion",
            "operator",
            "INC-20261206-0658-mm4d",
        ),
        present(
            "s-bob",
            "bob@bastion-2",
            "commander",
            "INC-20261206-0650-k3vq",
        ),
        present("s-carol", "carol@b3", "observer", "INC-20261206-0650-k3vq"),
    ]));
    app
}

#[test]
fn the_picker_shows_at_start_when_several_incidents_are_open_and_enter_chooses() {
    let mut app = three_open();
    assert_eq!(app.overlay, Some(Overlay::IncidentPicker(0)));
    assert_eq!(
        app.incident().map(|i| i.id.as_str()),
        Some("INC-20261206-0658-mm4d"),
        "until the operator chooses, the newest"
    );
    keys(&mut app, vec![press(KeyCode::Down), press(KeyCode::Down)]);
    assert_eq!(app.overlay, Some(Overlay::IncidentPicker(2)));
    app.on_event(press(KeyCode::Enter));
    assert!(app.overlay.is_none());
    assert_eq!(app.active.as_deref(), Some("INC-20261206-0650-k3vq"));
    assert_eq!(
        app.incident().map(|i| i.title.as_str()),
        Some("主库宕机 primary down")
    );
    // `I` opens it again on the active one; Esc keeps it.
    app.on_event(press(KeyCode::Char('I')));
    assert_eq!(app.overlay, Some(Overlay::IncidentPicker(2)));
    app.on_event(press(KeyCode::Esc));
    assert_eq!(app.active.as_deref(), Some("INC-20261206-0650-k3vq"));
}

#[test]
fn the_picker_lists_each_open_incident_with_who_is_on_it() {
    let app = three_open();
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(110, 22)).expect("terminal");
    terminal
        .draw(|f| cockpit::ui::draw::draw(f, &app))
        .expect("draw");
    insta::assert_snapshot!(terminal.backend());
}

#[tokio::test]
async fn a_shared_incident_id_has_a_suffix_and_a_second_incident_can_be_opened() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, mut store) = shared_app(&dir).await;
    let mut commands = keys(&mut app, vec![press(KeyCode::Char('o'))]);
    commands.extend(app.on_event(press(KeyCode::Enter)));
    let [Command::Journal(Record::IncidentOpened { incident, .. })] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    let id = incident.clone();
    let (base, suffix) = id.rsplit_once('-').expect("suffix");
    assert!(base.starts_with("INC-"), "{id}");
    assert_eq!(suffix.len(), 4, "{id}");
    settle(&mut app, &mut store, commands).await;
    assert_eq!(app.active.as_deref(), Some(id.as_str()));
    assert!(
        flash(&app).contains("INC-1 is still open: I switches"),
        "{}",
        flash(&app)
    );
    assert_eq!(app.open_incidents().len(), 2);
}

#[tokio::test]
async fn a_step_another_operator_finished_while_the_claim_was_on_its_way_does_not_run_again() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, mut store) = shared_app(&dir).await;
    let asked = app.on_event(press(KeyCode::Char('r')));
    assert!(matches!(asked.as_slice(), [Command::ClaimStep { .. }]));
    // Bob's run of it arrives from the shared journal before the answer.
    for record in [
        Record::StepStarted {
            incident: "INC-1".into(),
            step: "restart".into(),
            attempt: 1,
            targets: vec!["web".into()],
            command: None,
        },
        Record::StepFinished {
            incident: "INC-1".into(),
            step: "restart".into(),
            attempt: 1,
            ok: true,
            reason: None,
        },
    ] {
        let entry = store
            .append(app.now_ms, "bob@bastion-2", &record)
            .await
            .expect("append");
        app.workspace.apply(&entry);
    }
    let answer = app.on_event(claimed("restart", Ok(Claim::Granted)));
    assert_eq!(
        answer,
        [Command::ReleaseClaim {
            incident: "INC-1".into(),
            step: "restart".into()
        }]
    );
    assert!(app.steps.running_step().is_none());
    assert_eq!(
        flash(&app),
        "step Restart the app was just done by bob@bastion-2: nothing ran (r runs it again)"
    );
}

/// The milestones a tick at `at_ms` asks to journal.
fn milestones_at(app: &mut App, at_ms: i64) -> Vec<String> {
    app.now_ms = at_ms;
    app.on_event(Event::Tick)
        .into_iter()
        .filter_map(|c| match c {
            Command::Journal(Record::MilestoneCrossed { milestone, .. }) => {
                Some(milestone.to_string())
            }
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn on_a_shared_journal_the_opener_journals_a_milestone_and_another_operator_only_stands_in_late()
 {
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().expect("dir")).collect();
    let mut apps = Vec::new();
    for dir in &dirs {
        let (mut app, store) = shared_app(dir).await;
        app.shared = Some(cockpit::ui::app::SharedView::new("team".into(), Vec::new()));
        apps.push((app, store));
    }
    let mut apps = apps.into_iter();
    let (Some((mut opener, _s1)), Some((mut other, _s2)), Some((mut observer, _s3))) =
        (apps.next(), apps.next(), apps.next())
    else {
        panic!("three apps");
    };
    // The same incident, opened by the first operator, as the others' stores bring it.
    let opened_at = opener.incident().expect("incident").opened_at_ms;
    for app in [&mut other, &mut observer] {
        app.operator.user = "bob".into();
        app.workspace = opener.workspace.clone();
    }
    observer.role = cockpit::core::role::Role::Observer;
    // The first moment (to 5 s) the opener's clock passes a milestone.
    let (due, at_once) = (1..=24 * 720)
        .map(|n| opened_at + n * 5_000)
        .find_map(|t| {
            let crossed = milestones_at(&mut opener, t);
            (!crossed.is_empty()).then_some((t, crossed))
        })
        .expect("a P1 passes a milestone within a day");
    assert!(
        milestones_at(&mut other, due).is_empty(),
        "another operator's cockpit leaves it to the opener's"
    );
    let late = milestones_at(
        &mut other,
        due + cockpit::ui::app::MILESTONE_STANDIN_DELAY.as_millis() as i64 + 1_000,
    );
    assert_eq!(late, at_once, "missing after the delay, it stands in");
    assert!(
        milestones_at(&mut observer, due + 3_600_000).is_empty(),
        "an observer journals nothing"
    );
}
