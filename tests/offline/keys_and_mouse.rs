//! The `[keys]` table and the mouse, driven headless through the app's one update path: a
//! remapped key does its action (and the old key no longer does), the help overlay and the
//! hint line show the new key, and a click or the wheel lands on the row drawn under it.

use crate::support::app_driver;

use app_driver::{open_incident, press, screen, settle};
use cockpit::core::incident::StepStatus;
use cockpit::ui::app::App;
use cockpit::ui::command::Command;
use cockpit::ui::event::Event;
use cockpit::ui::overlay::Overlay;
use cockpit::ui::pane::Pane;
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

const INVENTORY: &str = r#"
[keys]
tick-step = "T"
toggle-help = "F1"
focus-hosts = "alt-h"

[[hosts]]
name = "web-1"
address = "127.0.0.1"
role = "app"
[[hosts]]
name = "web-2"
address = "127.0.0.1"
role = "app"
[[hosts]]
name = "web-3"
address = "127.0.0.1"
role = "app"
"#;

const PLAYBOOK: &str = r#"
id = "web-down"
title = "Web down"
severity = "P1"

[[steps]]
id = "look"
title = "Look at the graphs"
kind = "manual"

[[steps]]
id = "call"
title = "Call the vendor"
kind = "manual"

[[steps]]
id = "write"
title = "Write it down"
kind = "manual"
"#;

fn status(app: &cockpit::ui::app::App, step: &str) -> StepStatus {
    app.incident()
        .map(|i| i.status(step).clone())
        .unwrap_or(StepStatus::Pending)
}

/// The screen's row `y` (from the TestBackend's quoted rows).
fn row(screen: &str, y: usize) -> String {
    screen
        .lines()
        .filter(|l| l.trim_start().starts_with('"'))
        .nth(y)
        .unwrap_or_default()
        .to_string()
}

/// The row (0-based) where `text` is first drawn.
fn row_of(screen: &str, text: &str) -> Option<u16> {
    screen
        .lines()
        .filter(|l| l.trim_start().starts_with('"'))
        .position(|l| l.contains(text))
        .and_then(|y| u16::try_from(y).ok())
}

/// A mouse event as the runtime takes it: hit-tested against the screen, then the action.
fn mouse(app: &mut App, event: MouseEvent) -> Vec<Command> {
    match cockpit::ui::mouse::action_for(app, &event) {
        Some(action) => app.on_event(Event::Mouse(action)),
        None => Vec::new(),
    }
}

fn click(column: u16, row: u16) -> MouseEvent {
    MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

fn wheel(down: bool, column: u16, row: u16) -> MouseEvent {
    MouseEvent {
        kind: if down {
            MouseEventKind::ScrollDown
        } else {
            MouseEventKind::ScrollUp
        },
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

#[tokio::test]
async fn a_remapped_key_dispatches_and_the_help_and_hints_show_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut app, mut store) =
        open_incident(&dir.path().join("j.db"), INVENTORY, PLAYBOOK, "web down").await;
    assert_eq!(app.focus, Pane::Playbook);

    // The old key does nothing now; the new one ticks the step, journal first.
    let none = app.on_event(press(KeyCode::Char(' ')));
    assert!(none.is_empty(), "space still bound: {none:?}");
    assert_eq!(status(&app, "look"), StepStatus::Pending);
    let commands = app.on_event(Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('T'),
        KeyModifiers::SHIFT,
    )));
    settle(&mut app, &mut store, commands).await;
    assert!(
        matches!(status(&app, "look"), StepStatus::Done { .. }),
        "T did not tick: {:?}",
        status(&app, "look")
    );

    // The hint line (shown once the status message is gone) names the new keys.
    app.flash = None;
    let shown = screen(&app);
    let hints = shown
        .lines()
        .find(|l| l.contains(" help"))
        .unwrap_or_default()
        .to_string();
    assert!(hints.contains("F1 help"), "hint line: {hints}\n{shown}");
    assert!(hints.contains("T tick"), "hint line: {hints}");
    assert!(!hints.contains("? help"), "hint line: {hints}");

    // `?` opens nothing any more; F1 opens the help, which lists the effective keys.
    app.on_event(press(KeyCode::Char('?')));
    assert_eq!(app.overlay, None);
    app.on_event(press(KeyCode::F(1)));
    assert_eq!(app.overlay, Some(Overlay::Help));
    let help = screen(&app);
    let help_line = help
        .lines()
        .find(|l| l.contains("this help"))
        .unwrap_or_default();
    assert!(help_line.contains("F1"), "{help_line}");
    let tick_line = help
        .lines()
        .find(|l| l.contains("tick step done"))
        .unwrap_or_default();
    assert!(
        tick_line.contains(" T ") && !tick_line.contains("Space"),
        "{tick_line}"
    );
    assert!(help.contains("Alt-h"), "{help}");
    // The key that opened it closes it.
    app.on_event(press(KeyCode::F(1)));
    assert_eq!(app.overlay, None);

    // A modifier key works from any pane; `1` no longer focuses the hosts.
    app.on_event(press(KeyCode::Char('1')));
    assert_eq!(app.focus, Pane::Playbook);
    app.on_event(Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('h'),
        KeyModifiers::ALT,
    )));
    assert_eq!(app.focus, Pane::Hosts);
}

#[tokio::test]
async fn remapped_dialog_keys_answer_dialogs_and_the_help_lists_them() {
    let inventory = INVENTORY.replace(
        "[keys]\n",
        "[keys]\ncancel = \"ctrl-g\"\nanswer-yes = \"Y\"\nconfirm = [\"enter\", \"F9\"]\n",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut app, mut store) =
        open_incident(&dir.path().join("j.db"), &inventory, PLAYBOOK, "web down").await;
    let ctrl_g = Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('g'),
        KeyModifiers::CONTROL,
    ));

    // A note prompt: Esc is text-field territory now (nothing), Ctrl-G cancels.
    app.on_event(press(KeyCode::Char('n')));
    assert!(matches!(app.overlay, Some(Overlay::Prompt(..))));
    app.on_event(press(KeyCode::Esc));
    assert!(
        matches!(app.overlay, Some(Overlay::Prompt(..))),
        "Esc still cancels"
    );
    app.on_event(ctrl_g.clone());
    assert_eq!(app.overlay, None);

    // The note typed and sent with the second `confirm` key; a `g` typed is a letter.
    app.on_event(press(KeyCode::Char('n')));
    for c in "go".chars() {
        app.on_event(press(KeyCode::Char(c)));
    }
    let commands = app.on_event(press(KeyCode::F(9)));
    assert_eq!(commands.len(), 1, "{commands:?}");
    settle(&mut app, &mut store, commands).await;
    assert_eq!(app.overlay, None);

    // Quitting with the incident open asks; `y` is no longer yes (it closes), `Y` is.
    app.on_event(press(KeyCode::Char('q')));
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    let commands = app.on_event(press(KeyCode::Char('y')));
    assert!(commands.is_empty(), "{commands:?}");
    assert_eq!(app.overlay, None);

    // The help lists the dialogs' keys as remapped, and their cancel key in its title.
    app.flash = None;
    app.on_event(press(KeyCode::F(1)));
    let help = screen(&app);
    assert!(help.contains("In dialogs"), "{help}");
    assert!(help.contains("Ctrl-g cancel"), "{help}");
    assert!(help.contains("Y yes"), "{help}");
    assert!(help.contains("Enter / F9 confirm"), "{help}");
    assert!(help.contains("F1 or Ctrl-g closes"), "{help}");
    app.on_event(ctrl_g);
    assert_eq!(app.overlay, None);

    app.on_event(press(KeyCode::Char('q')));
    let commands = app.on_event(Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('Y'),
        KeyModifiers::SHIFT,
    )));
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, cockpit::ui::command::Command::Quit(_))),
        "{commands:?}"
    );
}

#[tokio::test]
async fn a_click_focuses_the_pane_and_selects_the_row_drawn_under_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut app, _store) =
        open_incident(&dir.path().join("j.db"), INVENTORY, PLAYBOOK, "web down").await;
    // The screen the test draws: 140×40, as `screen` does.
    app.screen = ratatui::layout::Rect::new(0, 0, 140, 40);
    let shown = screen(&app);

    // A click on the third host's row: the Hosts pane gets focus and that host is selected.
    let y = row_of(&shown, "web-3").expect("web-3 drawn");
    let x = row(&shown, usize::from(y)).find("web-3").unwrap_or(0) as u16;
    mouse(&mut app, click(x, y));
    assert_eq!(app.focus, Pane::Hosts);
    assert_eq!(app.host_cursor, 2);

    // A click on the second step: focus back on the Playbook, that step selected.
    let y = row_of(&shown, "Call the vendor").expect("step drawn");
    let x = row(&shown, usize::from(y)).find("Call").unwrap_or(0) as u16;
    mouse(&mut app, click(x, y));
    assert_eq!(app.focus, Pane::Playbook);
    assert_eq!(app.step_cursor, 1);
    // What is drawn agrees: the selected step's detail names it.
    let after = screen(&app);
    assert!(after.contains("Call the vendor"));

    // The wheel over the Hosts pane scrolls its selection without taking focus.
    let host_y = row_of(&shown, "web-1").expect("web-1 drawn");
    mouse(&mut app, wheel(false, 2, host_y));
    assert_eq!(app.host_cursor, 0);
    assert_eq!(app.focus, Pane::Playbook);
    mouse(&mut app, wheel(true, 2, host_y));
    assert_eq!(app.host_cursor, 2, "three rows down, kept in range");

    // A click on a border or the status line selects nothing; on a pane's empty part it
    // only focuses.
    let before = (app.host_cursor, app.step_cursor);
    mouse(&mut app, click(0, 0));
    assert_eq!((app.host_cursor, app.step_cursor), before);
    mouse(&mut app, click(139, 39));
    assert_eq!((app.host_cursor, app.step_cursor), before);

    // With a dialog open the mouse does nothing.
    app.on_event(press(KeyCode::F(1)));
    mouse(&mut app, click(x, host_y));
    assert_eq!(app.focus, Pane::Playbook);
    assert_eq!(app.overlay, Some(Overlay::Help));
}

#[tokio::test]
async fn every_row_clicked_is_the_row_selected_even_when_the_list_scrolls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut inventory = String::from("[keys]\nquit = \"q\"\n");
    for i in 0..60 {
        inventory.push_str(&format!(
            "[[hosts]]\nname = \"host-{i:02}\"\naddress = \"127.0.0.1\"\nrole = \"app\"\n"
        ));
    }
    let (mut app, _store) =
        open_incident(&dir.path().join("j.db"), &inventory, PLAYBOOK, "many").await;
    app.screen = ratatui::layout::Rect::new(0, 0, 140, 40);
    // Scroll far down with the keys, then click every host row drawn: the row clicked is the
    // row the next frame shows selected.
    app.on_event(press(KeyCode::Char('1')));
    for _ in 0..45 {
        app.on_event(press(KeyCode::Down));
    }
    let shown = screen(&app);
    let drawn: Vec<(u16, String)> = (0..60)
        .filter_map(|i| {
            let name = format!("host-{i:02}");
            row_of(&shown, &name).map(|y| (y, name))
        })
        .collect();
    assert!(drawn.len() > 5, "too few hosts drawn: {drawn:?}");
    for (y, name) in drawn {
        mouse(&mut app, click(5, y));
        let selected = app.hosts.get(app.host_cursor).map(|h| h.name.clone());
        assert_eq!(selected.as_deref(), Some(name.as_str()), "clicked row {y}");
        // Clicking does not scroll what is drawn: the row keeps its place.
        let again = screen(&app);
        assert_eq!(
            row_of(&again, &name),
            Some(y),
            "{name} moved after the click"
        );
    }
}
