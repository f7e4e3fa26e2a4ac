//! The off-script prompt headless, over hosts that are this machine (`transport = "local"`):
//! it runs on the selected host and draws its output under the command, ↑/↓ walk the
//! incident's history and give back what was being typed, a line naming nothing is refused
//! with the reason (the prompt stays), and a dangerous command cancelled runs nothing.

use crate::support::app_driver::{
    LOCAL_WEB_HOSTS, WEB_DOWN_PLAYBOOK, chars, open_incident, press, screen,
};
use crate::support::headless::Headless;
use cockpit::core::journal::Record;
use cockpit::ui::app::App;
use cockpit::ui::overlay::Overlay;
use crossterm::event::KeyCode;

fn typed(app: &App) -> String {
    match &app.overlay {
        Some(Overlay::Adhoc(prompt)) => prompt.input.text.clone(),
        other => panic!("no prompt: {other:?}"),
    }
}

async fn finished(h: &mut Headless) {
    h.until("the off-script command's end", |app: &App| {
        !app.adhoc.is_running() && app.pending_writes == 0
    })
    .await;
}

#[tokio::test]
async fn the_prompt_runs_recalls_and_refuses() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (app, store) = open_incident(&path, LOCAL_WEB_HOSTS, WEB_DOWN_PLAYBOOK, "slow").await;
    let mut h = Headless::start(app, store).await;
    h.send(press(KeyCode::Char('1')));
    h.send(press(KeyCode::Down));
    h.send(press(KeyCode::Char('!')));
    assert!(screen(&h.app).contains("runs it on web-2"));

    // Nothing named: refused with the reason, the line kept to be fixed.
    h.keys(chars("tag:nope uptime"));
    h.send(press(KeyCode::Enter));
    assert_eq!(typed(&h.app), "tag:nope uptime");
    assert!(
        h.app.flash.as_ref().is_some_and(
            |f| f.error && f.text == "not run: no host of the inventory has tag `nope`"
        ),
        "{:?}",
        h.app.flash
    );
    h.send(press(KeyCode::Char('u')));
    for _ in 0.."tag:nope uptimeu".len() {
        h.send(press(KeyCode::Backspace));
    }

    h.keys(chars("echo first-run"));
    h.send(press(KeyCode::Enter));
    finished(&mut h).await;
    let drawn = screen(&h.app);
    assert!(
        drawn.contains("$ echo first-run")
            && drawn.contains("first-run")
            && drawn.contains("── web-2: exit 0 ──"),
        "{drawn}"
    );
    h.keys(chars("tag:edge echo second"));
    h.send(press(KeyCode::Enter));
    finished(&mut h).await;

    // ↑ walks back, ↓ forward, and past the newest gives back the draft.
    h.keys(chars("draft"));
    h.send(press(KeyCode::Up));
    assert_eq!(typed(&h.app), "tag:edge echo second");
    h.send(press(KeyCode::Up));
    assert_eq!(typed(&h.app), "echo first-run");
    h.send(press(KeyCode::Up));
    assert_eq!(typed(&h.app), "echo first-run", "the oldest stays");
    h.send(press(KeyCode::Down));
    h.send(press(KeyCode::Down));
    assert_eq!(typed(&h.app), "draft");

    // A dangerous one asks for the name; Esc refuses it, journaled, and nothing runs.
    for _ in 0.."draft".len() {
        h.send(press(KeyCode::Backspace));
    }
    h.keys(chars("role:web killall -9 nginx"));
    h.send(press(KeyCode::Enter));
    let drawn = screen(&h.app);
    assert!(
        drawn.contains("Dangerous off-script command: confirm")
            && drawn.contains("Type web and press Enter"),
        "{drawn}"
    );
    h.send(press(KeyCode::Esc));
    h.settle().await;
    assert!(matches!(
        &h.last_journaled("adhoc_refused").map(|e| &e.record),
        Some(Record::AdhocRefused { refusal, .. }) if refusal == "cancelled by the operator"
    ));
    assert_eq!(h.journaled_of("adhoc_started").len(), 2);
    h.end().await;
}

#[tokio::test]
async fn quitting_mid_command_journals_how_it_ended_on_each_host() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (app, store) = open_incident(&path, LOCAL_WEB_HOSTS, WEB_DOWN_PLAYBOOK, "slow").await;
    let mut h = Headless::start(app, store).await;
    h.send(press(KeyCode::Char('1')));
    h.send(press(KeyCode::Char('!')));
    // Read-only: both hosts at once, both still running when cockpit quits.
    h.keys(chars("role:web sleep 30"));
    h.send(press(KeyCode::Enter));
    h.until("the command running on both hosts", |app: &App| {
        app.adhoc.running_on().len() == 2 && app.pending_writes == 0
    })
    .await;
    h.send(press(KeyCode::Esc));
    h.send(press(KeyCode::Char('q')));
    h.send(press(KeyCode::Char('y')));
    h.settle().await;
    let ended: Vec<(String, Option<String>)> = h
        .journaled_of("adhoc_output")
        .iter()
        .map(|e| match &e.record {
            Record::AdhocOutput { host, reason, .. } => (host.clone(), reason.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    let why = Some("cockpit quit before it ended".to_string());
    assert_eq!(
        ended,
        [
            ("web-1".to_string(), why.clone()),
            ("web-2".to_string(), why)
        ]
    );
    assert!(!h.app.adhoc.is_running());
    h.end().await;
}
