//! The command palette headless, over hosts that are this machine (`transport = "local"`):
//! `:` commands run the very actions their keys run, through the journal; an argument answers
//! the dialog the action opened; Tab and ↑/↓ complete from the live state; an unknown command
//! is refused in place and changes nothing; guards and roles apply as they do to the keys.

use crate::support::app_driver::{
    LOCAL_WEB_HOSTS, WEB_DOWN_PLAYBOOK, chars, open_incident, press, screen,
};
use crate::support::headless::Headless;
use cockpit::core::journal::Record;
use cockpit::core::role::{OBSERVER_REFUSAL, Role};
use cockpit::core::severity::Severity;
use cockpit::ui::app::App;
use cockpit::ui::event::Event;
use cockpit::ui::overlay::{Overlay, PromptKind};
use cockpit::ui::pane::Pane;
use crossterm::event::KeyCode;

/// `:`, the line typed, Enter.
fn command(h: &mut Headless, line: &str) {
    h.send(press(KeyCode::Char(':')));
    h.keys(chars(line));
    h.send(press(KeyCode::Enter));
}

fn palette_line(app: &App) -> String {
    match &app.overlay {
        Some(Overlay::Palette(p)) => p.input.text.clone(),
        other => panic!("no palette: {other:?}"),
    }
}

fn palette_error(app: &App) -> Option<String> {
    match &app.overlay {
        Some(Overlay::Palette(p)) => p.error.clone(),
        other => panic!("no palette: {other:?}"),
    }
}

fn entries(h: &Headless) -> usize {
    [
        "severity_changed",
        "note_added",
        "adhoc_started",
        "adhoc_refused",
    ]
    .iter()
    .map(|k| h.journaled_of(k).len())
    .sum()
}

#[tokio::test]
async fn palette_commands_run_the_keys_actions_through_the_journal() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (app, store) = open_incident(&path, LOCAL_WEB_HOSTS, WEB_DOWN_PLAYBOOK, "slow").await;
    let mut h = Headless::start(app, store).await;
    assert_eq!(h.app.focus, Pane::Playbook);

    // Tab completes the command, then the host from the inventory; Enter jumps to it.
    h.send(press(KeyCode::Char(':')));
    h.keys(chars("ho"));
    h.send(press(KeyCode::Tab));
    assert_eq!(palette_line(&h.app), "host ");
    h.keys(chars("web"));
    h.send(press(KeyCode::Down));
    h.send(press(KeyCode::Down));
    h.send(press(KeyCode::Tab));
    assert_eq!(palette_line(&h.app), "host web-2");
    h.send(press(KeyCode::Enter));
    assert_eq!(h.app.overlay, None);
    assert_eq!((h.app.focus, h.app.host_cursor), (Pane::Hosts, 1));

    // An unknown command says so in the palette and changes nothing; Esc closes it.
    let before = entries(&h);
    command(&mut h, "frobnicate now");
    let error = palette_error(&h.app).expect("a reason");
    assert!(error.contains("unknown command `frobnicate`"), "{error}");
    assert!(screen(&h.app).contains("unknown command `frobnicate`"));
    // A known one missing its argument where one is needed to name something.
    h.send(press(KeyCode::Esc));
    assert_eq!(h.app.overlay, None);
    command(&mut h, "severity P7");
    assert!(palette_error(&h.app).is_some_and(|e| e.contains("no severity")));
    h.send(press(KeyCode::Esc));
    h.settle().await;
    assert_eq!(entries(&h), before, "refused lines journaled nothing");
    assert_eq!((h.app.focus, h.app.host_cursor), (Pane::Hosts, 1));

    // ↓ through the severities, Enter: journaled as the picker's choice is.
    h.send(press(KeyCode::Char(':')));
    h.keys(chars("severity "));
    h.send(press(KeyCode::Down));
    h.send(press(KeyCode::Down));
    h.send(press(KeyCode::Enter));
    h.settle().await;
    assert_eq!(h.app.incident().map(|i| i.severity), Some(Severity::P1));
    assert!(matches!(
        h.last_journaled("severity_changed").map(|e| &e.record),
        Some(Record::SeverityChanged {
            severity: Severity::P1,
            ..
        })
    ));

    // A note with its text: journaled, CJK kept.
    command(&mut h, "note 東京 disk full");
    h.settle().await;
    assert!(matches!(
        h.last_journaled("note_added").map(|e| &e.record),
        Some(Record::NoteAdded { text, .. }) if text == "東京 disk full"
    ));
    // Without its text the note opens the note prompt, as `n` does.
    command(&mut h, "note");
    assert!(matches!(
        h.app.overlay,
        Some(Overlay::Prompt(PromptKind::Note, _))
    ));
    h.send(press(KeyCode::Esc));

    // A theme by name.
    command(&mut h, "theme light");
    assert_eq!(h.app.theme.name, "light");

    // An off-script command goes through the `!` prompt's guard: the dangerous one asks the
    // typed name, and Esc refuses it (journaled); a plain one runs on the selected host.
    h.send(press(KeyCode::Char(':')));
    h.keys(chars("run ro"));
    h.send(press(KeyCode::Tab));
    assert_eq!(palette_line(&h.app), "run role:web ", "the role completes");
    h.send(press(KeyCode::Esc));
    command(&mut h, "run role:web killall -9 nginx");
    let drawn = screen(&h.app);
    assert!(
        drawn.contains("Dangerous off-script command: confirm")
            && drawn.contains("Type web and press Enter"),
        "{drawn}"
    );
    h.send(press(KeyCode::Esc));
    h.settle().await;
    assert_eq!(h.journaled_of("adhoc_refused").len(), 1);
    assert_eq!(h.journaled_of("adhoc_started").len(), 0);
    command(&mut h, "run echo palette-ok");
    h.until("the off-script command's end", |app: &App| {
        !app.adhoc.is_running() && app.pending_writes == 0
    })
    .await;
    assert!(
        matches!(
            h.last_journaled("adhoc_started").map(|e| &e.record),
            Some(Record::AdhocStarted { targets, .. }) if targets == &["web-2".to_string()]
        ),
        "{:?}",
        h.last_journaled("adhoc_started")
    );
    h.end().await;
}

#[tokio::test]
async fn an_observer_is_refused_through_the_palette_what_the_key_would_refuse() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, store) = open_incident(&path, LOCAL_WEB_HOSTS, WEB_DOWN_PLAYBOOK, "slow").await;
    app.role = Role::Observer;
    let mut h = Headless::start(app, store).await;
    for line in [
        "note hello",
        "severity P0",
        "run uptime",
        "resolve done",
        "playbook",
    ] {
        h.app.flash = None;
        command(&mut h, line);
        assert_eq!(h.app.overlay, None, "{line}");
        assert_eq!(
            h.app.flash.as_ref().map(|f| f.text.as_str()),
            Some(OBSERVER_REFUSAL),
            "{line}"
        );
    }
    h.settle().await;
    assert_eq!(entries(&h), 0);
    assert!(h.journaled_of("incident_resolved").is_empty());
    // Looking is allowed.
    command(&mut h, "host web-2");
    assert_eq!((h.app.focus, h.app.host_cursor), (Pane::Hosts, 1));
    h.end().await;
}

#[tokio::test]
async fn a_palette_command_waits_for_the_journal_as_its_key_would() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (app, store) = open_incident(&path, LOCAL_WEB_HOSTS, WEB_DOWN_PLAYBOOK, "slow").await;
    let mut h = Headless::start(app, store).await;
    // A tick not answered yet: the whole command waits behind it, then applies in order.
    h.send(press(KeyCode::Char(' ')));
    assert_eq!(h.app.pending_writes, 1);
    command(&mut h, "note after the tick");
    assert!(h.app.held_keys() > 0);
    assert!(h.journaled_of("note_added").is_empty());
    h.settle().await;
    assert_eq!(h.app.held_keys(), 0);
    assert_eq!(h.journaled_of("step_completed").len(), 1);
    assert_eq!(h.journaled_of("note_added").len(), 1);

    // The journal unconfirmed while the palette is open: typing goes on, Enter waits.
    h.send(press(KeyCode::Char(':')));
    h.keys(chars("note while unconfirmed"));
    h.app.journal_unconfirmed = true;
    h.send(press(KeyCode::Char('!')));
    assert_eq!(palette_line(&h.app), "note while unconfirmed!");
    h.send(press(KeyCode::Enter));
    assert_eq!(h.app.held_keys(), 1, "only the Enter waits");
    assert!(matches!(h.app.overlay, Some(Overlay::Palette(_))));
    h.send(Event::JournalConfirmed(None));
    h.settle().await;
    assert_eq!(h.app.held_keys(), 0);
    assert!(matches!(
        h.last_journaled("note_added").map(|e| &e.record),
        Some(Record::NoteAdded { text, .. }) if text == "while unconfirmed!"
    ));
    h.end().await;
}

#[tokio::test]
async fn hostile_lines_are_refused_in_the_palette_and_change_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (app, store) = open_incident(&path, LOCAL_WEB_HOSTS, WEB_DOWN_PLAYBOOK, "slow").await;
    let mut h = Headless::start(app, store).await;
    let before = (h.app.focus, h.app.host_cursor, h.app.theme.name.clone());

    // A paste longer than a command can be is refused whole, said in the palette.
    h.send(press(KeyCode::Char(':')));
    h.keys(chars("note "));
    h.send(Event::Paste("东".repeat(5000)));
    assert_eq!(palette_line(&h.app), "note ");
    assert!(palette_error(&h.app).is_some_and(|e| e.contains("at most 1000")));
    // Typing stops at the limit.
    h.send(Event::Paste("x".repeat(995)));
    assert_eq!(palette_line(&h.app).chars().count(), 1000);
    h.send(press(KeyCode::Char('y')));
    assert_eq!(palette_line(&h.app).chars().count(), 1000);
    assert!(palette_error(&h.app).is_some());
    let drawn = screen(&h.app);
    assert!(drawn.contains("at most 1000"), "{drawn}");
    h.send(press(KeyCode::Esc));

    // Terminal escapes pasted in are dropped, as in every field; what is left names nothing.
    h.send(press(KeyCode::Char(':')));
    h.send(Event::Paste("severity P1\u{1b}[2J\u{7}\nrm -rf /".into()));
    assert_eq!(palette_line(&h.app), "severity P1[2J");
    h.send(press(KeyCode::Enter));
    assert!(
        palette_error(&h.app).is_some_and(|e| e.contains("no severity")),
        "{:?}",
        h.app.overlay
    );
    h.send(press(KeyCode::Esc));

    // A verb with its argument missing where a name is needed, and nonsense.
    for line in ["host ", "theme", "东京", "severity P0 P1", "quit now"] {
        h.send(press(KeyCode::Char(':')));
        h.keys(chars(line));
        h.send(press(KeyCode::Enter));
        match line {
            // Without a name: what the key does (focus the Hosts pane / cycle the theme).
            "host " | "theme" => assert_eq!(h.app.overlay, None, "{line}"),
            _ => {
                assert!(palette_error(&h.app).is_some(), "{line}");
                h.send(press(KeyCode::Esc));
            }
        }
    }
    h.settle().await;
    assert_eq!(entries(&h), 0);
    assert!(h.journaled_of("note_added").is_empty());
    assert_eq!(h.app.host_cursor, before.1);
    assert_ne!(
        h.app.theme.name, before.2,
        "`theme` alone switched to the next"
    );
    h.end().await;
}
