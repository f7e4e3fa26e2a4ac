//! Builds a live app for tests, and a stand-in for the runtime that only carries out journal
//! commands against a real journal store, reporting each stored entry back ([`settle`]) for
//! tests that answer every other command themselves. To drive the app through the runtime's
//! own executor and inbox, use [`super::headless::Headless`].
#![allow(dead_code)]

use crate::support::journal_files::reopen;
use cockpit::core::diagnostic::SourceFile;
use cockpit::core::incident::Workspace;
use cockpit::core::inventory::Inventory;
use cockpit::core::journal::Record;
use cockpit::core::operator::Operator;
use cockpit::core::playbook::Playbook;
use cockpit::core::redact::Redactor;
use cockpit::io::journal_store::JournalStore;
use cockpit::ui::app::{App, RunMode};
use cockpit::ui::command::Command;
use cockpit::ui::event::Event;
use cockpit::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key press without modifiers.
pub fn press(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The inventory in `toml`, or the test fails with `cockpit check`'s message.
pub fn inventory(toml: &str) -> Inventory {
    cockpit::core::inventory::parse(&SourceFile::new("inv.toml", toml))
        .unwrap_or_else(|d| panic!("{d}"))
}

/// The playbook in `toml` over `inventory`, or the test fails with `cockpit check`'s message.
pub fn playbook(toml: &str, inventory: &Inventory) -> Playbook {
    cockpit::core::playbook::parse(&SourceFile::new("pb.toml", toml), Some(inventory))
        .unwrap_or_else(|d| panic!("{d}"))
}

/// A live-mode app for op@bastion at 1,000,000 ms.
pub fn live_app(inventory: Inventory, playbooks: Vec<Playbook>, workspace: Workspace) -> App {
    let operator = Operator {
        user: "op".into(),
        host: "bastion".into(),
    };
    let theme = Theme::load("dark", None, true).0;
    App::new(
        RunMode::Live,
        operator,
        inventory,
        playbooks,
        workspace,
        theme,
        1_000_000,
    )
}

/// Stores every journal command (and those its acknowledgement asks for) in order, as the
/// runtime does; returns the other commands.
pub async fn settle(
    app: &mut App,
    store: &mut JournalStore,
    commands: Vec<Command>,
) -> Vec<Command> {
    let mut others = Vec::new();
    let mut queue: std::collections::VecDeque<Command> = commands.into();
    while let Some(command) = queue.pop_front() {
        match command {
            Command::Journal(record) => {
                let entry = store
                    .append(app.now_ms, &app.operator.to_string(), &record)
                    .await
                    .expect("append");
                queue.extend(app.on_event(Event::Journaled(entry)));
            }
            other => others.push(other),
        }
    }
    others
}

/// The whole screen as a 140×40 terminal shows it, one quoted line per row.
pub fn screen(app: &App) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 40)).expect("terminal");
    terminal
        .draw(|f| cockpit::ui::draw::draw(f, app))
        .expect("draw");
    format!("{:?}", terminal.backend())
}

/// A live app over a new journal at `path`, with the inventory and playbook given as TOML, and
/// incident INC-1 of that playbook (at its severity and RTO, titled `title`) opened and
/// acknowledged by the journal.
pub async fn open_incident(
    path: &std::path::Path,
    inventory: &str,
    playbook: &str,
    title: &str,
) -> (App, JournalStore) {
    let (mut store, entries) = reopen(|| JournalStore::open(path, true, Redactor::default()))
        .await
        .expect("open");
    let inventory = self::inventory(inventory);
    let playbook = self::playbook(playbook, &inventory);
    let mut app = live_app(inventory, vec![playbook.clone()], Workspace::fold(&entries));
    let open = Record::IncidentOpened {
        host: None,
        checkpoint_minutes: None,
        incident: "INC-1".into(),
        title: title.into(),
        severity: playbook.severity,
        playbook: playbook.id.clone(),
        playbook_title: playbook.title.clone(),
        rto_minutes: playbook.rto_minutes,
        steps: playbook.step_snapshots(),
        fleet: Default::default(),
        unhealthy_since_ms: None,
    };
    let others = settle(&mut app, &mut store, vec![Command::Journal(open)]).await;
    assert!(others.is_empty(), "opening asked for more: {others:?}");
    (app, store)
}

/// Two hosts that are this machine (`transport = "local"`), role `web`; web-1 tagged `edge`.
pub const LOCAL_WEB_HOSTS: &str = r#"
[[hosts]]
name = "web-1"
transport = "local"
role = "web"
tags = ["edge"]

[[hosts]]
name = "web-2"
transport = "local"
role = "web"
"#;

/// A one-step P2 playbook for the web hosts.
pub const WEB_DOWN_PLAYBOOK: &str = r#"
id = "web-down"
title = "Web down"
severity = "P2"

[[steps]]
id = "look"
title = "Look around"
kind = "manual"
"#;

/// Each character of `text` as a key press.
pub fn chars(text: &str) -> Vec<Event> {
    text.chars().map(|c| press(KeyCode::Char(c))).collect()
}
