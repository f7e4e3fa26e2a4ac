//! Drives the SQL console headless: keys go to a real `App`, and its commands are carried out
//! the way the runtime does — journal records stored in a real journal, statements run by real
//! `SqlSession`s with their rows streamed back as events.
#![allow(dead_code)]

use crate::support::journal_files::reopen;
use cockpit::core::incident::Workspace;
use cockpit::core::inventory::Inventory;
use cockpit::core::journal::Record;
use cockpit::core::operator::Operator;
use cockpit::core::redact::Redactor;
use cockpit::core::sql::Cell;
use cockpit::io::journal_store::JournalStore;
use cockpit::io::sql::{SqlSession, SqlSettings};
use cockpit::ui::app::{App, RunMode};
use cockpit::ui::command::Command;
use cockpit::ui::console::OpenTransaction;
use cockpit::ui::event::Event;
use cockpit::ui::overlay::Overlay;
use cockpit::ui::pane::Pane;
use cockpit::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// An app with a console, a journal and live sessions.
pub struct Driven {
    pub app: App,
    store: JournalStore,
    sessions: HashMap<String, SqlSession>,
    journal_path: std::path::PathBuf,
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

impl Driven {
    /// A live-mode app over `inventory`, its journal in `dir`, the SQL pane focused.
    pub async fn start(dir: &Path, inventory: Inventory) -> Self {
        let journal_path = dir.join("journal.db");
        let (store, entries) =
            reopen(|| JournalStore::open(&journal_path, true, Redactor::default()))
                .await
                .expect("journal");
        let mut app = App::new(
            RunMode::Live,
            Operator {
                user: "op".into(),
                host: "bastion".into(),
            },
            inventory,
            Vec::new(),
            Workspace::fold(&entries),
            Theme::load("dark", None, true).0,
            1_000_000,
        );
        app.focus = Pane::Sql;
        Self {
            app,
            store,
            sessions: HashMap::new(),
            journal_path,
        }
    }

    /// Sends an event and carries out everything it leads to.
    pub async fn send(&mut self, event: Event) {
        let mut queue = std::collections::VecDeque::from([event]);
        while let Some(event) = queue.pop_front() {
            for command in self.app.on_event(event) {
                queue.extend(self.carry_out(command).await);
            }
        }
    }

    async fn carry_out(&mut self, command: Command) -> Vec<Event> {
        match command {
            Command::Journal(record) => {
                let at = self.app.now_ms;
                let actor = self.app.operator.to_string();
                vec![match self.store.append(at, &actor, &record).await {
                    Ok(entry) => Event::Journaled(entry),
                    Err(e) => Event::JournalFailed(e.to_string()),
                }]
            }
            Command::RunStatement {
                database,
                run,
                statement,
            } => {
                let session = self.session(&database);
                let (rows, mut batches) = tokio::sync::mpsc::channel(4);
                let job = tokio::spawn(session.run(statement, Some(rows)));
                let mut events = Vec::new();
                while let Some(batch) = batches.recv().await {
                    events.push(Event::SqlRows {
                        database: database.clone(),
                        run,
                        batch,
                    });
                }
                let result = job.await.expect("statement task");
                events.push(Event::SqlDone {
                    database,
                    run,
                    result,
                });
                events
            }
            Command::FinishSql { database, commit } => {
                let session = self.session(&database);
                let result = if commit {
                    session.commit().await
                } else {
                    session.rollback().await
                };
                vec![Event::SqlFinished {
                    database,
                    committed: commit,
                    result,
                }]
            }
            Command::CancelSql { database } => {
                let _ = self.session(&database).cancel().await;
                Vec::new()
            }
            Command::ExportCsv {
                path,
                rows,
                complete,
            } => {
                let result = rows.save_csv(path.clone()).await;
                vec![Event::CsvExported {
                    path,
                    complete,
                    result,
                }]
            }
            Command::Quit(_) => {
                for session in self.sessions.values() {
                    session.close().await;
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn session(&mut self, database: &str) -> &SqlSession {
        let db = self
            .app
            .inventory
            .database(database)
            .cloned()
            .expect("database in the inventory");
        let settings = SqlSettings {
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
            lock_wait_timeout_secs: 2,
        };
        self.sessions
            .entry(database.to_string())
            .or_insert_with(|| SqlSession::open(&db, settings, None))
    }

    /// Replaces the editor's text (entering the editor) and leaves the cursor at its end.
    pub async fn edit(&mut self, text: &str) {
        self.app.console.editing = true;
        let db = self.app.console.current_mut().expect("a database");
        db.editor.set_text(text);
    }

    /// Clears the editor.
    pub fn clear(&mut self) {
        if let Some(db) = self.app.console.current_mut() {
            db.editor.set_text("");
        }
    }

    /// F5.
    pub async fn run(&mut self) {
        self.send(Event::Key(key(KeyCode::F(5)))).await;
    }

    /// A character key.
    pub async fn key(&mut self, c: char) {
        self.send(Event::Key(key(KeyCode::Char(c)))).await;
    }

    /// Types into whatever has the keys.
    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(c).await;
        }
    }

    /// Ctrl and a character key.
    pub async fn ctrl(&mut self, c: char) {
        self.send(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )))
        .await;
    }

    /// Enter.
    pub async fn enter(&mut self) {
        self.send(Event::Key(key(KeyCode::Enter))).await;
    }

    /// Esc.
    pub async fn esc(&mut self) {
        self.send(Event::Key(key(KeyCode::Esc))).await;
    }

    /// Moves the app's clock and ticks.
    pub async fn advance_secs(&mut self, secs: i64) {
        self.app.now_ms += secs * 1000;
        self.send(Event::Tick).await;
    }

    /// Leaves the editor and quits, answering yes when asked.
    pub async fn focus_away_and_quit(&mut self) {
        self.app.console.editing = false;
        self.key('q').await;
        assert!(
            matches!(self.app.overlay, Some(Overlay::ConfirmQuit)),
            "quitting with a transaction open asks first"
        );
        self.key('y').await;
    }

    /// A statement a playbook step hands over, with its expectation.
    pub async fn hand_over(&mut self, sql: &str, binds: &[&str], expected: (u64, Option<u64>)) {
        let commands = self.app.hand_over_sql(
            "speed".into(),
            sql.into(),
            binds.iter().map(|b| b.to_string()).collect(),
            "flip-dns".into(),
            Some(expected),
            false,
        );
        let mut queue: std::collections::VecDeque<Event> = Default::default();
        for c in commands {
            queue.extend(self.carry_out(c).await);
        }
        while let Some(e) = queue.pop_front() {
            self.send(e).await;
        }
    }

    /// The open transaction of the shown database.
    pub fn transaction(&self) -> Option<OpenTransaction> {
        self.app.console.current()?.transaction.clone()
    }

    /// The line under the grid.
    pub fn message(&self) -> String {
        self.app
            .console
            .current()
            .and_then(|d| d.message.as_ref())
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }

    /// The rows of the last result (first window).
    pub fn result_rows(&self) -> Vec<Vec<Cell>> {
        self.app
            .console
            .current()
            .and_then(|d| d.result.as_ref())
            .map(|v| v.window(0..v.len()).to_vec())
            .unwrap_or_default()
    }

    /// The dialog shown, by name.
    pub fn overlay_name(&self) -> Option<&'static str> {
        Some(match self.app.overlay.as_ref()? {
            Overlay::SqlDecision(_) => "SqlDecision",
            Overlay::SqlDanger(_) => "SqlDanger",
            Overlay::SqlCommitTyped(_) => "SqlCommitTyped",
            Overlay::SqlHistory(_) => "SqlHistory",
            Overlay::ConfirmQuit => "ConfirmQuit",
            _ => "other",
        })
    }

    /// Every record of the journal file, read back.
    pub async fn journal_records(&self) -> Vec<Record> {
        // Read-only, as replay reads it: the console under test holds the writer's lock.
        cockpit::io::journal_store::read_assessed(&self.journal_path)
            .await
            .expect("read journal")
            .entries
            .into_iter()
            .map(|e| e.record)
            .collect()
    }

    /// The kinds of every record, in order.
    pub async fn journal_kinds(&self) -> Vec<String> {
        self.journal_records()
            .await
            .iter()
            .map(|r| r.kind().to_string())
            .collect()
    }

    /// The journal's chain holds.
    pub async fn verify_journal(&self) {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cockpit"))
            .args(["journal", "verify"])
            .arg(&self.journal_path)
            .output()
            .expect("cockpit journal verify");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
