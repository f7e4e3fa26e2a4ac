//! The SQL console's behaviour: running the statement the operator means, refusing what the
//! guards refuse, spooling rows as they stream in, and never ending a transaction without an
//! explicit answer (or a timeout, a quit, a lost connection — each journaled).

use super::App;
use crate::core::inventory::Driver;
use crate::core::journal::Record;
use crate::core::run::SqlResult;
use crate::core::settings::dangerous_matches;
use crate::core::sql::RefusingSetting;
use crate::core::sql::statement::{
    StatementKind, Verdict, classify, counted_table, judge, reselect,
};
use crate::io::sql::{Reselect, RowBatch, SqlFailure, SqlStatement, StatementDone};
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::ui::console::{
    ExpectedRows, Handover, Link, OpenTransaction, ResultView, Running, SqlRequest, every_row_text,
    range_text,
};
use crate::ui::keymap::EditorKey;
use crate::ui::overlay::{
    LineInput, Overlay, PromptKind, SqlCommitTyped, SqlDanger, SqlHistoryPick,
};
use crate::ui::pane::Pane;
use crossterm::event::KeyEvent;
use std::path::Path;

/// Rows of the result grid a page moves.
const GRID_PAGE: u64 = 20;

/// How the result grid moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GridMove {
    /// By this many rows.
    Rows(i64),
    /// To the first row.
    First,
    /// To the last page.
    Last,
    /// By this many columns.
    Columns(isize),
}

impl App {
    /// F5 / Ctrl-E: runs the selection, or the statement under the cursor.
    pub(super) fn run_console_statement(&mut self) -> Vec<Command> {
        let Some(db) = self.console.current() else {
            self.flash("no databases in the inventory", true);
            return Vec::new();
        };
        let Some(picked) = db.editor.pick(db.driver) else {
            self.flash("nothing to run: the cursor is not on a statement", true);
            return Vec::new();
        };
        let handed = db
            .handover
            .as_ref()
            .filter(|h| h.statement.trim().trim_end_matches(';').trim_end() == picked.text);
        let request = SqlRequest {
            database: db.name.clone(),
            binds: handed.map(|h| h.binds.clone()).unwrap_or_default(),
            step: handed.map(|h| h.step.clone()),
            expected_rows: handed.and_then(|h| h.expected_rows),
            sql: picked.text,
            editor_offset: Some(picked.offset),
        };
        let confirmed = handed.is_some_and(|h| h.confirmed);
        self.guard_statement(request, confirmed)
    }

    /// A playbook step hands its statement over: it fills the editor (parameters bound) and
    /// runs as if the operator pressed run, guards and all.
    pub fn hand_over_sql(
        &mut self,
        database: String,
        sql: String,
        binds: Vec<String>,
        step: String,
        expected_rows: Option<ExpectedRows>,
        confirmed: bool,
    ) -> Vec<Command> {
        let shown = binds.iter().map(|b| self.redactor.redact(b)).collect();
        self.console.select(&database);
        let Some(db) = self.console.db_mut(&database) else {
            return self.step_sql_outcome(
                &database,
                Err(format!("no database `{database}` in the inventory")),
            );
        };
        db.editor.set_text(&sql);
        db.handover = Some(Handover {
            step: step.clone(),
            statement: sql.clone(),
            binds: binds.clone(),
            shown,
            expected_rows,
            confirmed,
        });
        self.focus = Pane::Sql;
        let request = SqlRequest {
            database,
            sql,
            binds,
            editor_offset: Some(0),
            step: Some(step),
            expected_rows,
        };
        self.guard_statement(request, confirmed)
    }

    /// Refuses what must not run, asks for the database's name where a statement is
    /// dangerous, and starts the rest.
    fn guard_statement(&mut self, request: SqlRequest, confirmed: bool) -> Vec<Command> {
        let Some(db) = self.console.db(&request.database) else {
            return Vec::new();
        };
        if let Some(running) = &db.running {
            let text = format!(
                "statement {} is still running on `{}`: {} cancels it",
                running.run,
                db.name,
                self.key(Action::CancelSql)
            );
            self.flash(text, true);
            return Vec::new();
        }
        if db.transaction.as_ref().is_some_and(|t| t.ending.is_some()) {
            self.flash(
                "the transaction is ending: wait for its commit or rollback",
                true,
            );
            return Vec::new();
        }
        // Everything below judges the text as this database's server reads it, and what is
        // sent is exactly the judged text: all of its statements were judged.
        let driver = db.driver;
        let verdict = judge(&request.sql, driver);
        let writes = matches!(
            classify(&request.sql, driver),
            StatementKind::Write | StatementKind::Ddl
        );
        let refusal = match &verdict {
            Verdict::Refused(reason) => Some(reason.clone()),
            _ if writes && db.read_only => {
                Some(format!("`{}` is read-only in the inventory", db.name))
            }
            _ => None,
        };
        if let Some(reason) = refusal {
            return self.refuse_statement(request, reason);
        }
        let mut reasons: Vec<String> = match verdict {
            Verdict::NeedsTyped(d) => vec![d.describe().to_string()],
            _ => Vec::new(),
        };
        reasons.extend(
            dangerous_matches(&request.sql, &self.inventory.settings.dangerous_patterns)
                .into_iter()
                .map(|m| format!("contains `{m}`")),
        );
        if !reasons.is_empty() && !confirmed {
            self.overlay = Some(Overlay::SqlDanger(SqlDanger {
                request: Box::new(request),
                reasons,
                input: LineInput::default(),
            }));
            return Vec::new();
        }
        self.start_statement(request, writes, None)
    }

    /// Keys of the dangerous-statement dialog: the database's name, Enter to run, Esc.
    pub(super) fn on_sql_danger_key(
        &mut self,
        mut dialog: SqlDanger,
        key: KeyEvent,
    ) -> Vec<Command> {
        match self.keymap.dialog_action(&key, true) {
            Some(Action::Cancel) => {
                let reason = format!("{}: cancelled", dialog.reasons.join(", "));
                self.refuse_statement(*dialog.request, reason)
            }
            Some(Action::Confirm) => {
                let typed = dialog.input.text.trim().to_string();
                if typed != dialog.request.database {
                    let reason = format!(
                        "{}: `{typed}` typed, not the database name",
                        dialog.reasons.join(", ")
                    );
                    return self.refuse_statement(*dialog.request, reason);
                }
                let Some(driver) = self.console.db(&dialog.request.database).map(|d| d.driver)
                else {
                    return Vec::new();
                };
                let writes = matches!(
                    classify(&dialog.request.sql, driver),
                    StatementKind::Write | StatementKind::Ddl
                );
                self.start_statement(*dialog.request, writes, Some(typed))
            }
            _ => {
                dialog.input.edit(&key);
                self.overlay = Some(Overlay::SqlDanger(dialog));
                Vec::new()
            }
        }
    }

    /// Journals a refusal; nothing runs. A handed-over statement fails its step.
    fn refuse_statement(&mut self, request: SqlRequest, reason: String) -> Vec<Command> {
        let statement = self.redactor.redact(&request.sql);
        if let Some(db) = self.console.db_mut(&request.database) {
            db.say(format!("refused, nothing ran: {reason}"), true);
        }
        self.flash(format!("statement refused: {reason}"), true);
        let mut commands = vec![self.journal(Record::SqlRefused {
            incident: self.incident().map(|i| i.id.clone()),
            database: request.database.clone(),
            statement,
            reason: reason.clone(),
        })];
        if request.step.is_some() {
            commands.extend(
                self.step_sql_outcome(&request.database, Err(format!("refused: {reason}"))),
            );
        }
        commands
    }

    /// Journals the statement, then (once the journal holds it) sends it.
    fn start_statement(
        &mut self,
        request: SqlRequest,
        writes: bool,
        confirmation: Option<String>,
    ) -> Vec<Command> {
        let run = self.console.next_run();
        let shown = self.redactor.redact(&request.sql);
        let params: Vec<String> = request
            .binds
            .iter()
            .map(|b| self.redactor.redact(b))
            .collect();
        let now = self.now_ms;
        let Some(db) = self.console.db_mut(&request.database) else {
            return Vec::new();
        };
        let in_transaction = db.transaction.is_some();
        if let Some(history) = db.history.as_mut()
            && let Err(e) = history.push(&shown, chrono::Utc::now())
        {
            tracing::warn!("sql history of {} not kept: {e}", db.name);
        }
        let count_table = writes
            .then(|| counted_table(&request.sql, db.driver))
            .flatten();
        let reselect = writes
            .then(|| reselect(&request.sql, db.driver))
            .flatten()
            .and_then(|(sql, skip)| {
                Some(Reselect {
                    sql,
                    binds: request.binds.get(skip..)?.to_vec(),
                })
            });
        // The grid shows this statement's result, not the one before.
        db.result = None;
        db.no_result = None;
        db.running = Some(Running {
            run,
            started_ms: now,
            editor_offset: request.editor_offset,
            step: request.step.clone(),
            expected_rows: request.expected_rows,
            journaling: true,
        });
        if let Some(t) = db.transaction.as_mut()
            && request.step.is_some()
            && t.step.is_none()
        {
            t.step = request.step.clone();
            t.expected_rows = request.expected_rows;
        }
        db.say(format!("running statement {run}…"), false);
        let record = Record::SqlStatementStarted {
            incident: self.incident().map(|i| i.id.clone()),
            database: request.database.clone(),
            run,
            statement: shown,
            params,
            transaction: writes || in_transaction,
            step: request.step.clone(),
            confirmation,
        };
        let command = Command::RunStatement {
            database: request.database.clone(),
            run,
            statement: SqlStatement {
                sql: request.sql,
                binds: request.binds,
                transaction: writes,
                reselect,
                // The step's own statement, unedited (a handover stops when it is edited).
                from_playbook: request.step.is_some(),
                count_table,
            },
        };
        vec![self.journal_then(record, request.database, command)]
    }

    /// The journal held (or failed to hold) a record a console command waited on.
    pub(super) fn on_console_journal_answer(
        &mut self,
        database: &str,
        command: Command,
        stored: bool,
    ) -> Vec<Command> {
        if stored {
            if let (Command::RunStatement { run, .. }, Some(db)) =
                (&command, self.console.db_mut(database))
                && let Some(running) = db.running.as_mut().filter(|r| r.run == *run)
            {
                running.journaling = false;
            }
            return vec![command];
        }
        let Some(db) = self.console.db_mut(database) else {
            return Vec::new();
        };
        match command {
            Command::RunStatement { .. } => db.running = None,
            Command::FinishSql { .. } => {
                if let Some(t) = db.transaction.as_mut() {
                    t.ending = None;
                }
            }
            _ => {}
        }
        db.say("the journal could not record it, so nothing was sent", true);
        Vec::new()
    }

    /// Rows or columns of a running statement arrived.
    pub(super) fn on_sql_rows(&mut self, database: &str, run: u64, batch: RowBatch) {
        let Some(db) = self.console.db_mut(database) else {
            return;
        };
        if db.running.as_ref().is_none_or(|r| r.run != run) {
            return;
        }
        match batch {
            RowBatch::Columns(columns) => match ResultView::new(columns) {
                Ok(view) => db.result = Some(view),
                Err(e) => db.say(e, true),
            },
            RowBatch::Rows(rows) => {
                if let Some(view) = db.result.as_mut() {
                    view.append(rows);
                }
            }
        }
    }

    /// A statement ended: journal it, show it, and ask for commit or rollback when a
    /// transaction is open.
    pub(super) fn on_sql_done(
        &mut self,
        database: String,
        run: u64,
        result: Result<StatementDone, SqlFailure>,
    ) -> Vec<Command> {
        let now = self.now_ms;
        let incident = self.incident().map(|i| i.id.clone());
        let Some(db) = self.console.db_mut(&database) else {
            return Vec::new();
        };
        if db.running.as_ref().is_none_or(|r| r.run != run) {
            return Vec::new();
        }
        let Some(running) = db.running.take() else {
            return Vec::new();
        };
        let (step, expected_rows) = (running.step.clone(), running.expected_rows);
        let mut commands = Vec::new();
        let record = match &result {
            Ok(done) => {
                db.link = Link::Up;
                if let Some(view) = db.result.as_mut() {
                    view.complete = true;
                }
                let result_set = db.result.is_some();
                let said = summary(done, result_set, db.driver);
                if !result_set {
                    db.no_result = Some(said.clone());
                }
                if !done.in_transaction {
                    db.say(said, false);
                } else {
                    let t = db.transaction.get_or_insert_with(|| {
                        OpenTransaction::new(running.started_ms, step.clone(), expected_rows)
                    });
                    t.rows_affected += done.rows_affected;
                    t.statements += 1;
                    t.last = Some(done.clone());
                    if let Some(counted) = &done.table_rows
                        && let Some(every) =
                            every_row_text(&counted.table, done.rows_affected, counted.rows)
                    {
                        t.every_row = Some(every);
                    }
                    db.say(
                        format!("{said} — transaction open: c commits or rolls back"),
                        false,
                    );
                }
                Record::SqlStatementEnded {
                    incident: incident.clone(),
                    database: database.clone(),
                    run,
                    duration_ms: u64::try_from(done.elapsed.as_millis()).unwrap_or(u64::MAX),
                    rows_affected: done.rows_affected,
                    rows_returned: done.rows_returned,
                    transaction_open: done.in_transaction,
                    error: None,
                }
            }
            Err(failure) => {
                let mut text = failure.message.clone();
                if let Some(setting) = RefusingSetting::of(&failure.message) {
                    text.push_str(&format!(" — {}", setting.hint()));
                }
                if let (Some(position), Some(offset)) = (failure.position, running.editor_offset) {
                    let buffer = db.editor.text();
                    let at = buffer
                        .get(offset..)
                        .and_then(|s| s.char_indices().nth(position.saturating_sub(1)))
                        .map_or(offset, |(b, _)| offset + b);
                    db.editor.jump_to(at);
                    text.push_str(" (the cursor is where the server points)");
                }
                // The log file's writer redacts it: a server's error quotes the statement.
                tracing::info!("statement {run} on {database} failed: {}", failure.message);
                if failure.connection_lost {
                    db.link = Link::Down(failure.message.clone());
                }
                if let Some(view) = db.result.as_mut() {
                    view.complete = true;
                }
                let lost = failure.connection_lost && db.transaction.take().is_some();
                if lost {
                    text.push_str(" — the open transaction was lost: nothing of it was committed");
                    commands.push(Record::SqlTransactionEnded {
                        incident: incident.clone(),
                        database: database.clone(),
                        committed: false,
                        error: Some("connection lost: the server rolled it back".into()),
                    });
                } else if failure.in_transaction {
                    let alone = db.transaction.is_none();
                    let t = db.transaction.get_or_insert_with(|| {
                        OpenTransaction::new(running.started_ms, step.clone(), expected_rows)
                    });
                    t.failed = true;
                    t.statements += 1;
                    if alone {
                        // Opened for this statement alone, which changed nothing: no reason
                        // to make the operator roll it back by hand.
                        t.failed_alone = Some(text.clone());
                    } else {
                        text.push_str(" — the transaction is still open: c, then r rolls it back");
                    }
                }
                db.say(text, true);
                Record::SqlStatementEnded {
                    incident: incident.clone(),
                    database: database.clone(),
                    run,
                    duration_ms: u64::try_from((now - running.started_ms).max(0)).unwrap_or(0),
                    rows_affected: 0,
                    rows_returned: 0,
                    transaction_open: failure.in_transaction && !failure.connection_lost,
                    error: Some(self.redactor.redact(&failure.message)),
                }
            }
        };
        let mut out = vec![self.journal(record)];
        for extra in commands {
            out.push(self.journal(extra));
        }
        let failed_alone = self
            .console
            .db(&database)
            .and_then(|d| d.transaction.as_ref())
            .is_some_and(|t| t.failed_alone.is_some());
        if failed_alone {
            out.extend(self.end_transaction(&database, false, "its only statement failed"));
            if let Some(db) = self.console.db_mut(&database)
                && let Some(error) = db.transaction.as_ref().and_then(|t| t.failed_alone.clone())
            {
                db.say(format!("{error} — rolling back: nothing changed"), true);
            }
        }
        let open = self
            .console
            .db(&database)
            .and_then(|d| d.transaction.as_ref())
            .is_some();
        match result {
            Ok(done) if done.in_transaction || open => {
                self.overlay
                    .get_or_insert_with(|| Overlay::SqlDecision(database.clone()));
            }
            Ok(done) if step.is_some() => out.extend(self.step_sql_outcome(
                &database,
                Ok(SqlResult {
                    rows: done.rows_affected.max(done.rows_returned),
                    committed: true,
                }),
            )),
            Err(failure) if step.is_some() => {
                out.extend(self.step_sql_outcome(&database, Err(failure.message)));
            }
            _ => {}
        }
        out
    }

    /// `c` in the SQL pane: the decision dialog of the shown database's open transaction.
    pub(super) fn decide_sql(&mut self) {
        match self.console.current() {
            Some(db) if db.transaction.is_some() => {
                self.overlay = Some(Overlay::SqlDecision(db.name.clone()));
            }
            Some(db) => {
                let text = format!("no transaction is open on `{}`", db.name);
                self.flash(text, false);
            }
            None => {}
        }
    }

    /// Keys of the commit-or-rollback dialog: `commit` or `answer-yes` (`c`, `y`) commits
    /// (unless refused), `roll-back` or `answer-no` (`r`, `n`) rolls back, Esc decides later (the transaction stays open, the status line counts its age).
    pub(super) fn on_sql_decision_key(&mut self, database: String, key: KeyEvent) -> Vec<Command> {
        let Some(t) = self
            .console
            .db(&database)
            .and_then(|d| d.transaction.as_ref())
        else {
            return Vec::new();
        };
        match self.keymap.dialog_action(&key, false) {
            Some(Action::Commit | Action::AnswerYes) => {
                if let Some(refusal) = t.commit_refusal() {
                    self.flash(refusal, true);
                    self.overlay = Some(Overlay::SqlDecision(database));
                    return Vec::new();
                }
                if t.every_row.is_some() {
                    self.overlay = Some(Overlay::SqlCommitTyped(SqlCommitTyped {
                        database,
                        input: LineInput::default(),
                    }));
                    return Vec::new();
                }
                self.end_transaction(&database, true, "operator")
            }
            Some(Action::RollBack | Action::AnswerNo) => {
                self.end_transaction(&database, false, "operator")
            }
            Some(Action::Cancel) => {
                self.flash(
                    format!(
                        "transaction on `{database}` left open: {} in the SQL pane decides",
                        self.key(Action::DecideSql)
                    ),
                    false,
                );
                Vec::new()
            }
            _ => {
                self.overlay = Some(Overlay::SqlDecision(database));
                Vec::new()
            }
        }
    }

    /// Keys of the typed commit of a transaction that changed every row of a table: the
    /// database's name and Enter commit; a wrong name commits nothing; Esc goes back.
    pub(super) fn on_sql_commit_typed_key(
        &mut self,
        mut dialog: SqlCommitTyped,
        key: KeyEvent,
    ) -> Vec<Command> {
        match self.keymap.dialog_action(&key, true) {
            Some(Action::Cancel) => {
                self.overlay = Some(Overlay::SqlDecision(dialog.database));
                Vec::new()
            }
            Some(Action::Confirm) => {
                let typed = dialog.input.text.trim().to_string();
                if typed != dialog.database {
                    let text =
                        format!("`{typed}` typed, not the database name: nothing was committed");
                    if let Some(db) = self.console.db_mut(&dialog.database) {
                        db.say(text.clone(), true);
                    }
                    self.flash(text, true);
                    self.overlay = Some(Overlay::SqlDecision(dialog.database));
                    return Vec::new();
                }
                self.end_transaction(
                    &dialog.database,
                    true,
                    "operator, every row confirmed by name",
                )
            }
            _ => {
                dialog.input.edit(&key);
                self.overlay = Some(Overlay::SqlCommitTyped(dialog));
                Vec::new()
            }
        }
    }

    /// Journals the decision, then sends the commit or rollback.
    pub(super) fn end_transaction(
        &mut self,
        database: &str,
        commit: bool,
        reason: &str,
    ) -> Vec<Command> {
        let incident = self.incident().map(|i| i.id.clone());
        let Some(t) = self
            .console
            .db_mut(database)
            .and_then(|d| d.transaction.as_mut())
            .filter(|t| t.ending.is_none())
        else {
            return Vec::new();
        };
        t.ending = Some(commit);
        let rows_affected = t.rows_affected;
        let record = Record::SqlTransactionEnding {
            incident,
            database: database.to_string(),
            commit,
            reason: reason.to_string(),
            rows_affected,
        };
        let verb = if commit { "committing" } else { "rolling back" };
        if let Some(db) = self.console.db_mut(database) {
            db.say(format!("{verb} ({reason})…"), false);
        }
        let command = Command::FinishSql {
            database: database.to_string(),
            commit,
        };
        vec![self.journal_then(record, database.to_string(), command)]
    }

    /// The commit or rollback came back.
    pub(super) fn on_sql_finished(
        &mut self,
        database: String,
        committed: bool,
        result: Result<(), String>,
    ) -> Vec<Command> {
        let incident = self.incident().map(|i| i.id.clone());
        let Some(db) = self.console.db_mut(&database) else {
            return Vec::new();
        };
        let Some(t) = db.transaction.take() else {
            return Vec::new();
        };
        let done = match (&result, &t.failed_alone) {
            (Ok(()), _) if committed => format!("committed ({} row(s))", t.rows_affected),
            (Ok(()), Some(error)) => format!("{error} — rolled back: nothing changed"),
            (Ok(()), None) => "rolled back: nothing of it was kept".to_string(),
            (Err(e), _) => format!("{e} — nothing was committed"),
        };
        db.say(done, result.is_err() || t.failed_alone.is_some());
        let record = Record::SqlTransactionEnded {
            incident,
            database: database.clone(),
            committed: committed && result.is_ok(),
            error: result.as_ref().err().map(|e| self.redactor.redact(e)),
        };
        let mut commands = vec![self.journal(record)];
        // A step whose statement failed has had its outcome already.
        if t.step.is_some() && t.failed_alone.is_none() {
            let outcome = result.map(|()| SqlResult {
                rows: t.rows_affected,
                committed,
            });
            commands.extend(self.step_sql_outcome(&database, outcome));
        }
        commands
    }

    /// Rolls back transactions nobody answered within the inventory's timeout.
    pub(super) fn roll_back_stale_transactions(&mut self) -> Vec<Command> {
        let limit = i64::try_from(self.inventory.settings.sql_transaction_timeout_secs)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000);
        let now = self.now_ms;
        let stale: Vec<String> = self
            .console
            .dbs
            .iter()
            .filter(|d| d.running.is_none())
            .filter(|d| {
                d.transaction
                    .as_ref()
                    .is_some_and(|t| t.ending.is_none() && now - t.since_ms >= limit)
            })
            .map(|d| d.name.clone())
            .collect();
        let mut commands = Vec::new();
        for database in stale {
            let asking = match &self.overlay {
                Some(Overlay::SqlDecision(d)) => d == &database,
                Some(Overlay::SqlCommitTyped(c)) => c.database == database,
                _ => false,
            };
            if asking {
                self.overlay = None;
            }
            self.flash(
                format!("transaction on `{database}` unanswered too long: rolled back"),
                true,
            );
            commands.extend(self.end_transaction(&database, false, "timeout"));
        }
        commands
    }

    /// Before quitting: every open transaction is rolled back (journaled as such); the
    /// runtime closes the sessions, which rolls them back on the server.
    pub(super) fn roll_back_on_quit(&mut self) -> Vec<Command> {
        let incident = self.incident().map(|i| i.id.clone());
        let open: Vec<(String, u64)> = self
            .console
            .dbs
            .iter()
            .filter_map(|d| Some((d.name.clone(), d.transaction.as_ref()?.rows_affected)))
            .collect();
        open.into_iter()
            .map(|(database, rows_affected)| {
                self.journal(Record::SqlTransactionEnding {
                    incident: incident.clone(),
                    database,
                    commit: false,
                    reason: "quit".into(),
                    rows_affected,
                })
            })
            .collect()
    }

    /// `x`, or Ctrl-C while a statement runs: asks the server to cancel it.
    pub(super) fn cancel_sql(&mut self) -> Vec<Command> {
        let Some(db) = self.console.current_mut() else {
            return Vec::new();
        };
        let Some(running) = db.running.as_mut() else {
            let text = format!("nothing is running on `{}`", db.name);
            self.flash(text, false);
            return Vec::new();
        };
        if running.journaling {
            return Vec::new();
        }
        let text = format!("cancelling statement {}…", running.run);
        let database = db.name.clone();
        db.say(text, false);
        vec![Command::CancelSql { database }]
    }

    /// Keys while the editor has them: run, history, cancel and leave are the console's;
    /// everything else edits. `None`: not handled here.
    pub(super) fn on_editor_key(&mut self, key: KeyEvent) -> Option<Vec<Command>> {
        if self.focus != Pane::Sql || !self.console.editing {
            return None;
        }
        let running = self.console.current().is_some_and(|d| d.running.is_some());
        Some(match self.keymap.editor_key(&key, running) {
            EditorKey::Act(Action::LeaveEditor) => {
                self.console.editing = false;
                Vec::new()
            }
            EditorKey::Act(Action::SqlHistory) => {
                self.open_sql_history();
                Vec::new()
            }
            EditorKey::Act(action) => self.update(action),
            EditorKey::Pass => return None,
            EditorKey::Edit => {
                if let Some(db) = self.console.current_mut()
                    && db.editor.input(key)
                    && db
                        .handover
                        .as_ref()
                        .is_some_and(|h| !db.editor.text().contains(h.statement.trim()))
                {
                    db.handover = None;
                }
                Vec::new()
            }
        })
    }

    /// Ctrl-R: search the shown database's history.
    pub(super) fn open_sql_history(&mut self) {
        if let Some(db) = self.console.current() {
            self.overlay = Some(Overlay::SqlHistory(SqlHistoryPick {
                database: db.name.clone(),
                query: LineInput::default(),
                selected: 0,
            }));
        }
    }

    /// Keys of the history search: type to filter, ↑/↓ to choose, Enter puts it in the editor.
    pub(super) fn on_sql_history_key(&mut self, mut pick: SqlHistoryPick, key: KeyEvent) {
        match self.keymap.dialog_action(&key, true) {
            Some(Action::Cancel) => {}
            Some(Action::Confirm) => {
                let chosen = self.history_matches(&pick).get(pick.selected).cloned();
                if let (Some(sql), Some(db)) = (chosen, self.console.db_mut(&pick.database)) {
                    db.editor.set_text(&sql);
                    db.handover = None;
                    self.console.editing = true;
                }
            }
            Some(Action::Up) => {
                pick.selected = pick.selected.saturating_sub(1);
                self.overlay = Some(Overlay::SqlHistory(pick));
            }
            Some(Action::Down) => {
                let last = self.history_matches(&pick).len().saturating_sub(1);
                pick.selected = (pick.selected + 1).min(last);
                self.overlay = Some(Overlay::SqlHistory(pick));
            }
            _ => {
                if pick.query.edit(&key) {
                    pick.selected = 0;
                }
                self.overlay = Some(Overlay::SqlHistory(pick));
            }
        }
    }

    /// Statements of the history matching the search, newest first.
    pub fn history_matches(&self, pick: &SqlHistoryPick) -> Vec<String> {
        self.console
            .db(&pick.database)
            .and_then(|d| d.history.as_ref())
            .map(|h| {
                h.search(&pick.query.text)
                    .into_iter()
                    .map(|e| e.sql.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Moves the result grid of the shown database.
    pub(super) fn scroll_grid(&mut self, how: GridMove) {
        let page = GRID_PAGE;
        if let Some(view) = self.console.current_mut().and_then(|d| d.result.as_mut()) {
            match how {
                GridMove::Rows(delta) => view.scroll_by(delta, page),
                GridMove::First => view.scroll_to(0, page),
                GridMove::Last => view.scroll_to(u64::MAX, page),
                GridMove::Columns(delta) => view.scroll_columns(delta),
            }
        }
    }

    /// `E`: asks where to write the shown result as CSV.
    pub(super) fn ask_export_csv(&mut self) {
        let Some(db) = self.console.current() else {
            return;
        };
        if db.result.is_none() {
            self.flash("no result to export yet", true);
            return;
        }
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
        let path = format!("{}-{stamp}.csv", db.name);
        self.overlay = Some(Overlay::Prompt(
            PromptKind::ExportCsv(db.name.clone()),
            LineInput::with_text(path),
        ));
    }

    /// Asks the runtime to write the shown result as CSV to `path` (a million rows take a
    /// while: the screen must not wait for the disk).
    pub(super) fn export_csv(&mut self, database: &str, path: &str) -> Vec<Command> {
        let Some(view) = self
            .console
            .db_mut(database)
            .and_then(|d| d.result.as_mut())
        else {
            return Vec::new();
        };
        let complete = view.complete;
        match view.export() {
            Ok(rows) => {
                self.flash(
                    format!("exporting {} row(s) to {path}…", rows.rows()),
                    false,
                );
                vec![Command::ExportCsv {
                    path: path.into(),
                    rows,
                    complete,
                }]
            }
            Err(e) => {
                self.flash(format!("cannot export to {path}: {e}"), true);
                Vec::new()
            }
        }
    }

    /// The CSV export finished (or failed).
    pub(super) fn on_csv_exported(
        &mut self,
        path: &Path,
        complete: bool,
        result: Result<u64, String>,
    ) {
        match result {
            Ok(rows) => {
                let more = if complete {
                    ""
                } else {
                    " (rows still arriving were not included)"
                };
                let text = format!("exported {rows} row(s) to {}{more}", path.display());
                self.flash(text, false);
            }
            Err(e) => self.flash(e, true),
        }
    }

    /// The console reports a handed-over statement's end to the step that handed it over.
    fn step_sql_outcome(
        &mut self,
        database: &str,
        result: Result<SqlResult, String>,
    ) -> Vec<Command> {
        if let Some(db) = self.console.db_mut(database) {
            db.handover = None;
        }
        // Back to the procedure the statement came from.
        if self.focus == Pane::Sql && !self.console.editing {
            self.focus = Pane::Playbook;
        }
        self.feed_sql_outcome(database.to_string(), result)
    }
}

/// What a statement did, in one line: rows *returned* when it had a result set, rows
/// *affected* when it had none (a SET, an UPDATE).
fn summary(done: &StatementDone, result_set: bool, driver: Driver) -> String {
    let ms = done.elapsed.as_millis();
    if result_set || done.rows_returned > 0 {
        format!("{} row(s) returned in {ms} ms", done.rows_returned)
    } else {
        let matched = if driver == Driver::Mysql && done.rows_affected > 0 {
            " (MySQL counts rows matched)"
        } else {
            ""
        };
        format!(
            "Statement ran: no result set · {} row(s) affected in {ms} ms{matched}",
            done.rows_affected
        )
    }
}

/// The expectation line of the decision dialog.
pub fn expectation_text(t: &OpenTransaction) -> Option<(String, bool)> {
    let range = t.expected_rows?;
    let rows = t.rows_affected;
    Some(match t.commit_refusal() {
        None => (
            format!(
                "{rows} row(s) affected, as expected ({})",
                range_text(range)
            ),
            true,
        ),
        Some(refusal) => (refusal, false),
    })
}
