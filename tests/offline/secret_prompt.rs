//! A secret variable's prompt draws a bullet per typed character and never the value; a
//! paste into it is hidden the same way (ratatui TestBackend over the real draw code).

use crate::support::app_driver;

use app_driver::{live_app, press, screen};
use cockpit::core::incident::Workspace;
use cockpit::ui::event::Event;
use cockpit::ui::overlay::{LineInput, Overlay, PromptKind};
use crossterm::event::KeyCode;

fn prompt(secret: bool) -> cockpit::ui::app::App {
    let inventory = app_driver::inventory("");
    let mut app = live_app(inventory, Vec::new(), Workspace::default());
    app.overlay = Some(Overlay::Prompt(
        PromptKind::Variable {
            name: "db_password".into(),
            secret,
            step: "create-user".into(),
        },
        LineInput::default(),
    ));
    app
}

#[test]
fn a_secret_prompt_shows_bullets_never_the_value() {
    let mut app = prompt(true);
    for c in "hunter2".chars() {
        app.on_event(press(KeyCode::Char(c)));
    }
    app.on_event(Event::Paste("XyZ\n".into()));
    let shown = screen(&app);
    assert!(shown.contains("> ••••••••••▏"), "{shown}");
    assert!(shown.contains("secret, not shown"), "{shown}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("XyZ"),
        "{shown}"
    );
    // The value itself is kept for the variable store.
    match &app.overlay {
        Some(Overlay::Prompt(_, input)) => assert_eq!(input.text, "hunter2XyZ"),
        other => panic!("the prompt closed: {other:?}"),
    }
}

#[test]
fn an_ordinary_prompt_shows_what_is_typed() {
    let mut app = prompt(false);
    for c in "speed".chars() {
        app.on_event(press(KeyCode::Char(c)));
    }
    let shown = screen(&app);
    assert!(shown.contains("> speed▏"), "{shown}");
}

/// A secret typed at its prompt is journaled as given, never as typed, and from then on the
/// one redactor (shared by the screen and the journal writer) masks it everywhere: a note
/// quoting it reaches the journal file masked.
#[tokio::test]
async fn a_typed_secret_is_journaled_as_given_and_masked_from_then_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = dir.path().join("journal.db");
    let db = dir.path().join("vault.db");
    let inventory = format!(
        "[[databases]]\nname = \"vault\"\ndriver = \"sqlite\"\nurl = \"sqlite://{}\"\n",
        db.display()
    );
    let playbook = "id = \"rotate\"\ntitle = \"Rotate\"\nseverity = \"P2\"\nrto_minutes = 30\n\n\
        [[variables]]\nname = \"db_password\"\nfrom = \"prompt\"\nsecret = true\n\n\
        [[steps]]\nid = \"create-user\"\ntitle = \"Create the user\"\nkind = \"sql\"\n\
        database = \"vault\"\nsql = \"SELECT {{db_password}} AS pw\"\n";
    let (mut app, mut store) =
        app_driver::open_incident(&journal, &inventory, playbook, "rotate").await;
    // The screen and the journal writer hold one redactor, as the binary wires them.
    app.redactor = store.redactor_mut().clone();
    let commands = app.on_event(press(KeyCode::Char('r')));
    app_driver::settle(&mut app, &mut store, commands).await;
    assert!(
        matches!(
            &app.overlay,
            Some(Overlay::Prompt(
                PromptKind::Variable { secret: true, .. },
                _
            ))
        ),
        "no secret prompt: {:?}",
        app.overlay
    );
    app.on_event(Event::Paste("Ultra-Secret-42".into()));
    assert!(!screen(&app).contains("Ultra-Secret-42"));
    let commands = app.on_event(press(KeyCode::Enter));
    app_driver::settle(&mut app, &mut store, commands).await;
    // The note goes through the prompt like an operator's.
    app.overlay = None;
    let commands = app.on_event(press(KeyCode::Char('n')));
    app_driver::settle(&mut app, &mut store, commands).await;
    app.on_event(Event::Paste("rotated to Ultra-Secret-42 at 10:02".into()));
    let commands = app.on_event(press(KeyCode::Enter));
    app_driver::settle(&mut app, &mut store, commands).await;
    store.close().await;
    let mut bytes = std::fs::read(&journal).expect("journal");
    if let Ok(wal) = std::fs::read(dir.path().join("journal.db-wal")) {
        bytes.extend(wal);
    }
    let raw = String::from_utf8_lossy(&bytes);
    assert!(
        raw.contains("variable_set"),
        "the variable was not journaled"
    );
    assert!(
        raw.contains("rotated to ***"),
        "the note was not journaled masked"
    );
    assert!(
        !raw.contains("Ultra-Secret-42"),
        "the secret is in the journal file"
    );
}
