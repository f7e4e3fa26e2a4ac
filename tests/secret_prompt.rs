//! A secret variable's prompt draws a bullet per typed character and never the value; a
//! paste into it is hidden the same way (ratatui TestBackend over the real draw code).

#[path = "support/app_driver.rs"]
mod app_driver;

use app_driver::{live_app, press, screen};
use cockpit::core::diagnostic::SourceFile;
use cockpit::core::incident::Workspace;
use cockpit::ui::event::Event;
use cockpit::ui::overlay::{LineInput, Overlay, PromptKind};
use crossterm::event::KeyCode;

fn prompt(secret: bool) -> cockpit::ui::app::App {
    let inventory = cockpit::core::inventory::parse(&SourceFile::new("inv.toml", ""))
        .unwrap_or_else(|d| panic!("{d}"));
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
