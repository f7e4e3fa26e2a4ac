//! The recorded shell as the app sees it, headless over hosts that are this machine: `s`
//! journals the shell's start and only then asks for it to open; `:shell NAME` picks the host
//! first; what the running shell reports is journaled as it comes; its end is journaled and
//! said; an observer is refused and nothing is journaled.

use crate::support::app_driver::{LOCAL_WEB_HOSTS, WEB_DOWN_PLAYBOOK, chars, open_incident, press};
use crate::support::headless::Headless;
use cockpit::core::journal::Record;
use cockpit::core::role::{OBSERVER_REFUSAL, Role};
use cockpit::core::shell::{CastCode, CastEvent};
use cockpit::io::shell::ShellReport;
use cockpit::ui::command::Command;
use cockpit::ui::event::Event;
use cockpit::ui::pane::Pane;
use crossterm::event::KeyCode;

fn opened(commands: &[Command]) -> Vec<(String, u64)> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::OpenShell { host, session, .. } => Some((host.clone(), *session)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_shell_opens_only_once_its_start_is_journaled_and_its_record_follows() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (app, store) = open_incident(&path, LOCAL_WEB_HOSTS, WEB_DOWN_PLAYBOOK, "slow").await;
    let incident = app.incident().map(|i| i.id.clone());
    let mut h = Headless::start(app, store).await;
    h.send(press(KeyCode::Char('1')));
    assert_eq!(h.app.focus, Pane::Hosts);

    // `s`: the start goes to the journal; nothing opens before it is stored.
    let asked = h.send(press(KeyCode::Char('s')));
    assert!(opened(&asked).is_empty(), "{asked:?}");
    assert!(asked.iter().any(|c| matches!(
        c,
        Command::Journal(Record::ShellStarted { session: 1, host, .. }) if host == "web-1"
    )));
    // A second `s` while it opens is refused, not a second shell.
    let again = h.send(press(KeyCode::Char('s')));
    assert!(again.is_empty(), "{again:?}");
    let after = h.settle().await;
    assert_eq!(opened(&after), vec![("web-1".to_string(), 1)]);
    let start = h.last_journaled("shell_started").expect("journaled");
    assert!(matches!(
        &start.record,
        Record::ShellStarted { incident: i, .. } if *i == incident
    ));

    // What it records is journaled as it comes, then its end, which is said.
    let events = vec![
        CastEvent(0.5, CastCode::Output, "shell-ok\r\n".into()),
        CastEvent(0.9, CastCode::Resize, "100x30".into()),
    ];
    h.report(Event::Shell(ShellReport::Recorded {
        session: 1,
        events: events.clone(),
    }));
    h.report(Event::Shell(ShellReport::Ended {
        session: 1,
        exit: Some(0),
        reason: None,
        duration_ms: 1200,
        unrecorded_input: 7,
    }));
    h.until("the shell's end", |app| app.shell.is_none()).await;
    h.settle().await;
    let output = h.last_journaled("shell_output").expect("output journaled");
    assert!(
        matches!(&output.record, Record::ShellOutput { session: 1, events: e, .. } if *e == events)
    );
    let end = h.last_journaled("shell_ended").expect("end journaled");
    assert!(matches!(
        &end.record,
        Record::ShellEnded { session: 1, exit: Some(0), unrecorded_input: 7, host, .. } if host == "web-1"
    ));
    let said = h
        .app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(said.contains("shell 1 on web-1 ended: exit 0"), "{said}");

    // The next one is number 2; `:shell web-2` picks that host first.
    h.send(press(KeyCode::Char(':')));
    h.keys(chars("shell web-2"));
    let asked = h.send(press(KeyCode::Enter));
    assert!(asked.iter().any(|c| matches!(
        c,
        Command::Journal(Record::ShellStarted { session: 2, host, .. }) if host == "web-2"
    )));
    let after = h.settle().await;
    assert_eq!(opened(&after), vec![("web-2".to_string(), 2)]);
    // A shell that never opened is journaled as ended, saying why.
    h.report(Event::Shell(ShellReport::Ended {
        session: 2,
        exit: None,
        reason: Some("not opened: not connected: connection refused".into()),
        duration_ms: 0,
        unrecorded_input: 0,
    }));
    h.until("the second shell's end", |app| app.shell.is_none())
        .await;
    h.settle().await;
    let end = h.last_journaled("shell_ended").expect("end journaled");
    assert!(matches!(
        &end.record,
        Record::ShellEnded { session: 2, exit: None, reason: Some(r), .. } if r.contains("not opened")
    ));
    assert!(h.app.flash.as_ref().is_some_and(|f| f.error));
    h.end().await;
}

#[tokio::test]
async fn an_observer_opens_no_shell_and_nothing_is_journaled() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, store) = open_incident(&path, LOCAL_WEB_HOSTS, WEB_DOWN_PLAYBOOK, "slow").await;
    app.role = Role::Observer;
    let mut h = Headless::start(app, store).await;
    h.send(press(KeyCode::Char('1')));
    let asked = h.send(press(KeyCode::Char('s')));
    assert!(asked.is_empty(), "{asked:?}");
    assert_eq!(
        h.app.flash.as_ref().map(|f| f.text.as_str()),
        Some(OBSERVER_REFUSAL)
    );
    h.app.flash = None;
    h.send(press(KeyCode::Char(':')));
    h.keys(chars("shell web-2"));
    let asked = h.send(press(KeyCode::Enter));
    assert!(opened(&asked).is_empty(), "{asked:?}");
    h.settle().await;
    assert!(h.journaled_of("shell_started").is_empty());
    assert!(h.app.shell.is_none());
    h.end().await;
}

#[tokio::test]
async fn a_shell_whose_record_the_journal_refuses_is_stopped() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (app, store) = open_incident(&path, LOCAL_WEB_HOSTS, WEB_DOWN_PLAYBOOK, "slow").await;
    let mut h = Headless::start(app, store).await;
    h.send(press(KeyCode::Char('1')));
    h.send(press(KeyCode::Char('s')));
    let after = h.settle().await;
    assert_eq!(opened(&after), vec![("web-1".to_string(), 1)]);
    // The app asks for a stretch to be journaled; the journal answers that it failed.
    let asked = h.app.on_event(Event::Shell(ShellReport::Recorded {
        session: 1,
        events: vec![CastEvent(0.1, CastCode::Output, "x\r\n".into())],
    }));
    assert!(matches!(
        asked.as_slice(),
        [Command::Journal(Record::ShellOutput { .. })]
    ));
    let asked = h.app.on_event(Event::JournalFailed("disk full".into()));
    assert!(
        matches!(
            asked.as_slice(),
            [Command::StopShell { session: 1, reason }] if reason.contains("journal could not record")
        ),
        "{asked:?}"
    );
}
