//! The SQL console's state: per inventory database an editor, the statement running, the
//! transaction waiting for commit or rollback, and the last result. `App` (in `app/sql.rs`)
//! changes it; the SQL pane draws it.

mod editor;
mod results;

pub use editor::{Editor, Picked};
pub use results::{ResultView, VISIBLE_WINDOW};

use crate::core::inventory::{Database, Driver};
use crate::io::sql::{History, StatementDone};
use std::path::PathBuf;

/// Rows a playbook step expects a statement to change, inclusive (`None`: no upper bound).
pub type ExpectedRows = (u64, Option<u64>);

/// A statement the operator asked for, before the guards answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlRequest {
    /// The database.
    pub database: String,
    /// The statement text.
    pub sql: String,
    /// Values for its placeholders.
    pub binds: Vec<String>,
    /// Where it starts in the editor buffer, if it came from there.
    pub editor_offset: Option<usize>,
    /// The step that handed it over.
    pub step: Option<String>,
    /// Rows that step expects it to change.
    pub expected_rows: Option<ExpectedRows>,
}

/// A statement a playbook step handed to the console, with its parameters bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    /// The step.
    pub step: String,
    /// The statement as the step rendered it (placeholders for its parameters).
    pub statement: String,
    /// The values of its placeholders, in order.
    pub binds: Vec<String>,
    /// The same values as the screen and the journal show them (secrets masked).
    pub shown: Vec<String>,
    /// Rows the step expects it to change.
    pub expected_rows: Option<ExpectedRows>,
    /// The step's own guard was already confirmed by the operator.
    pub confirmed: bool,
}

/// The statement running now on a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    /// This session's number for it.
    pub run: u64,
    /// When it was sent, unix ms.
    pub started_ms: i64,
    /// The byte offset in the editor where it starts (for error positions), if typed there.
    pub editor_offset: Option<usize>,
    /// The step that handed it over, if any.
    pub step: Option<String>,
    /// Rows that step expects it to change.
    pub expected_rows: Option<ExpectedRows>,
    /// Still waiting for the journal to hold its start.
    pub journaling: bool,
}

/// A transaction the console opened, waiting for the operator's commit or rollback.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenTransaction {
    /// When its first statement ran, unix ms.
    pub since_ms: i64,
    /// Rows its statements affected.
    pub rows_affected: u64,
    /// Statements run in it.
    pub statements: u32,
    /// The step whose statement opened it, if any.
    pub step: Option<String>,
    /// Rows that step expects to change.
    pub expected_rows: Option<ExpectedRows>,
    /// The last statement's report (rows affected, before and after).
    pub last: Option<StatementDone>,
    /// A statement in it failed: the server will not commit it (PostgreSQL aborts it).
    pub failed: bool,
    /// A commit or rollback was sent and has not come back.
    pub ending: Option<bool>,
    /// The error of the only statement it held: it changed nothing and is being rolled back
    /// by itself; the error stays on the message line.
    pub failed_alone: Option<String>,
    /// A statement in it changed every row of its table, said plainly ("this changes every
    /// row of t (1,204 of 1,204)"): the commit needs the database's name typed.
    pub every_row: Option<String>,
}

impl OpenTransaction {
    /// A transaction its first statement (run at `since_ms`) opened, nothing counted yet.
    pub fn new(since_ms: i64, step: Option<String>, expected_rows: Option<ExpectedRows>) -> Self {
        Self {
            since_ms,
            rows_affected: 0,
            statements: 0,
            step,
            expected_rows,
            last: None,
            failed: false,
            ending: None,
            failed_alone: None,
            every_row: None,
        }
    }

    /// Why committing is refused now, if it is.
    pub fn commit_refusal(&self) -> Option<String> {
        if self.failed {
            return Some(
                "a statement in this transaction failed: only a rollback is possible".into(),
            );
        }
        let (min, max) = self.expected_rows?;
        let rows = self.rows_affected;
        let inside = rows >= min && max.is_none_or(|m| rows <= m);
        (!inside).then(|| {
            format!(
                "{rows} row(s) affected, but step `{}` expects {}: commit refused, roll back",
                self.step.as_deref().unwrap_or("?"),
                range_text((min, max))
            )
        })
    }
}

/// "this changes every row of t (1,204 of 1,204)" when `affected` rows are all the `total`
/// rows `table` held before the statement (a table that was empty does not count).
pub fn every_row_text(table: &str, affected: u64, total: u64) -> Option<String> {
    (total > 0 && affected >= total).then(|| {
        format!(
            "this changes every row of {table} ({} of {})",
            thousands(affected),
            thousands(total)
        )
    })
}

/// `1204` as `1,204`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 to 4`, `2`, `at least 1`.
pub fn range_text((min, max): ExpectedRows) -> String {
    match max {
        Some(m) if m == min => format!("{min}"),
        Some(m) => format!("{min} to {m}"),
        None => format!("at least {min}"),
    }
}

/// Whether the connection works, as far as the console knows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Link {
    /// Nothing sent yet.
    #[default]
    Idle,
    /// The last statement reached the server.
    Up,
    /// The last attempt failed to reach it (the next statement tries again).
    Down(String),
}

/// A line under the grid: what the last action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// Shown as an error.
    pub error: bool,
}

/// The console of one database.
pub struct DbConsole {
    /// Inventory name.
    pub name: String,
    /// Its kind.
    pub driver: Driver,
    /// Writes are refused.
    pub read_only: bool,
    /// Reached through this host's SSH connection.
    pub via_host: Option<String>,
    /// The statement buffer.
    pub editor: Editor,
    /// What a playbook step handed over, while the buffer still holds it.
    pub handover: Option<Handover>,
    /// Statements run before, on disk (none in tests).
    pub history: Option<History>,
    /// The statement running now.
    pub running: Option<Running>,
    /// The transaction waiting for an answer.
    pub transaction: Option<OpenTransaction>,
    /// The last result set (cleared when a statement starts).
    pub result: Option<ResultView>,
    /// What the last statement did when it returned no result set (a SET, an UPDATE), shown
    /// where the grid would be.
    pub no_result: Option<String>,
    /// What the last action did.
    pub message: Option<Message>,
    /// The connection as far as known.
    pub link: Link,
}

impl DbConsole {
    fn new(db: &Database) -> Self {
        Self {
            name: db.name.clone(),
            driver: db.driver,
            read_only: db.read_only,
            via_host: db.via_host.clone(),
            editor: Editor::default(),
            handover: None,
            history: None,
            running: None,
            transaction: None,
            result: None,
            no_result: None,
            message: None,
            link: Link::Idle,
        }
    }

    /// Shows a line under the grid.
    pub fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message {
            text: text.into(),
            error,
        });
    }
}

/// The SQL console: one [`DbConsole`] per inventory database.
pub struct Console {
    /// Per database, in inventory order.
    pub dbs: Vec<DbConsole>,
    /// The one shown.
    pub selected: usize,
    /// Keys go to the editor.
    pub editing: bool,
    next_run: u64,
}

impl Console {
    /// A console over the inventory's databases.
    pub fn new(databases: &[Database]) -> Self {
        Self {
            dbs: databases.iter().map(DbConsole::new).collect(),
            selected: 0,
            editing: false,
            next_run: 1,
        }
    }

    /// Keeps each database's statement history in `dir` from now on.
    pub fn keep_history(&mut self, dir: PathBuf) {
        for db in &mut self.dbs {
            db.history = Some(History::open(&dir, &db.name));
        }
    }

    /// The database shown.
    pub fn current(&self) -> Option<&DbConsole> {
        self.dbs.get(self.selected)
    }

    /// The database shown, to change.
    pub fn current_mut(&mut self) -> Option<&mut DbConsole> {
        self.dbs.get_mut(self.selected)
    }

    /// A database by name.
    pub fn db_mut(&mut self, name: &str) -> Option<&mut DbConsole> {
        self.dbs.iter_mut().find(|d| d.name == name)
    }

    /// A database by name.
    pub fn db(&self, name: &str) -> Option<&DbConsole> {
        self.dbs.iter().find(|d| d.name == name)
    }

    /// Shows the database called `name`.
    pub fn select(&mut self, name: &str) {
        if let Some(i) = self.dbs.iter().position(|d| d.name == name) {
            self.selected = i;
        }
    }

    /// A new statement number.
    pub fn next_run(&mut self) -> u64 {
        let run = self.next_run;
        self.next_run += 1;
        run
    }

    /// Databases with a transaction open.
    pub fn open_transactions(&self) -> Vec<String> {
        self.dbs
            .iter()
            .filter(|d| d.transaction.is_some())
            .map(|d| d.name.clone())
            .collect()
    }

    /// The oldest open transaction: (database, since unix ms), for the status line.
    pub fn oldest_transaction(&self) -> Option<(&str, i64)> {
        self.dbs
            .iter()
            .filter_map(|d| Some((d.name.as_str(), d.transaction.as_ref()?.since_ms)))
            .min_by_key(|(_, since)| *since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(rows: u64, expected: Option<ExpectedRows>) -> OpenTransaction {
        OpenTransaction {
            rows_affected: rows,
            statements: 1,
            ..OpenTransaction::new(0, Some("flip-dns".into()), expected)
        }
    }

    #[test]
    fn commit_is_refused_outside_the_expected_rows() {
        assert_eq!(open(4, Some((1, Some(4)))).commit_refusal(), None);
        assert_eq!(open(7, None).commit_refusal(), None);
        let refusal = open(5, Some((1, Some(4))))
            .commit_refusal()
            .unwrap_or_default();
        assert!(
            refusal.contains("5 row(s)") && refusal.contains("1 to 4"),
            "{refusal}"
        );
        assert!(open(0, Some((1, None))).commit_refusal().is_some());
        let mut failed = open(1, None);
        failed.failed = true;
        assert!(failed.commit_refusal().is_some());
    }
}
