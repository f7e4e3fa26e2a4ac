//! What the cockpit showed after a given journal entry: the folded incident state, each host's
//! state since when, and each database's console.

use crate::core::health::HostState;
use crate::core::incident::Workspace;
use crate::core::journal::{Entry, Record};
use std::collections::BTreeMap;

/// A database's console as the journal leaves it at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SqlMoment {
    /// The last statement sent (secrets masked as journaled).
    pub statement: Option<String>,
    /// Its bind parameters, as journaled.
    pub params: Vec<String>,
    /// The playbook step that handed it over.
    pub step: Option<String>,
    /// Whether it is still running.
    pub running: bool,
    /// How the last statement (or refusal) ended.
    pub activity: Option<SqlActivity>,
    /// The transaction the console opened, if any, and how it ended.
    pub transaction: TransactionState,
}

/// How a statement ended, as the message line shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlActivity {
    /// It ran.
    Ran {
        /// Milliseconds.
        duration_ms: u64,
        /// Rows changed.
        rows_affected: u64,
        /// Rows returned.
        rows_returned: u64,
    },
    /// The database refused it.
    Failed(String),
    /// The console refused it; nothing ran.
    Refused(String),
}

/// The console's transaction on a database.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TransactionState {
    /// None was ever opened, or the last one ended long ago.
    #[default]
    None,
    /// Open, waiting for commit or rollback.
    Open {
        /// Since when (unix ms).
        since_ms: i64,
        /// Rows its statements changed.
        rows_affected: u64,
    },
    /// A commit or rollback was asked and is on its way.
    Ending {
        /// Commit (else rollback).
        commit: bool,
        /// Why (`operator`, `timeout`, `quit`…).
        reason: String,
    },
    /// It ended.
    Ended {
        /// Committed (else rolled back).
        committed: bool,
        /// Who answered.
        by: String,
        /// When (unix ms).
        at_ms: i64,
    },
}

/// The state after a number of entries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Moment {
    /// Entries applied.
    pub position: usize,
    /// Incidents, steps, notes, pinned lines, host states.
    pub workspace: Workspace,
    /// Since when each host has been in its state (unix ms).
    pub host_since: BTreeMap<String, i64>,
    /// Why each host is in its state (the failing check), when the journal says.
    pub host_cause: BTreeMap<String, String>,
    /// Each database's console.
    pub sql: BTreeMap<String, SqlMoment>,
}

impl Moment {
    /// Applies the next entry.
    pub fn apply(&mut self, entry: &Entry) {
        self.workspace.apply(entry);
        self.position += 1;
        match &entry.record {
            Record::IncidentOpened { fleet, .. } => {
                for host in fleet.keys() {
                    self.host_since.entry(host.clone()).or_insert(entry.at_ms);
                }
            }
            Record::HostStateChanged {
                host, to, cause, ..
            } => {
                self.host_since.insert(host.clone(), entry.at_ms);
                if matches!(to, HostState::Up | HostState::Recovered) {
                    self.host_cause.remove(host);
                } else {
                    self.host_cause.insert(host.clone(), cause.clone());
                }
            }
            Record::SqlStatementStarted {
                database,
                statement,
                params,
                step,
                ..
            } => {
                let db = self.sql.entry(database.clone()).or_default();
                db.statement = Some(statement.clone());
                db.params = params.clone();
                db.step = step.clone();
                db.running = true;
                db.activity = None;
            }
            Record::SqlStatementEnded {
                database,
                duration_ms,
                rows_affected,
                rows_returned,
                transaction_open,
                error,
                ..
            } => {
                let db = self.sql.entry(database.clone()).or_default();
                db.running = false;
                db.activity = Some(match error {
                    Some(e) => SqlActivity::Failed(e.clone()),
                    None => SqlActivity::Ran {
                        duration_ms: *duration_ms,
                        rows_affected: *rows_affected,
                        rows_returned: *rows_returned,
                    },
                });
                db.transaction = match (&db.transaction, transaction_open) {
                    (TransactionState::Open { since_ms, .. }, true) => TransactionState::Open {
                        since_ms: *since_ms,
                        rows_affected: *rows_affected,
                    },
                    (_, true) => TransactionState::Open {
                        since_ms: entry.at_ms,
                        rows_affected: *rows_affected,
                    },
                    (state, false) => state.clone(),
                };
            }
            Record::SqlTransactionEnding {
                database,
                commit,
                reason,
                ..
            } => {
                self.sql.entry(database.clone()).or_default().transaction =
                    TransactionState::Ending {
                        commit: *commit,
                        reason: reason.clone(),
                    };
            }
            Record::SqlTransactionEnded {
                database,
                committed,
                ..
            } => {
                self.sql.entry(database.clone()).or_default().transaction =
                    TransactionState::Ended {
                        committed: *committed,
                        by: entry.actor.clone(),
                        at_ms: entry.at_ms,
                    };
            }
            Record::SqlRefused {
                database,
                statement,
                reason,
                ..
            } => {
                let db = self.sql.entry(database.clone()).or_default();
                db.statement = Some(statement.clone());
                db.params.clear();
                db.running = false;
                db.activity = Some(SqlActivity::Refused(reason.clone()));
            }
            Record::SessionStarted { .. } | Record::SessionEnded { .. } => {
                // A statement in flight when cockpit stopped never reports; the server rolled
                // its transaction back with the connection.
                for db in self.sql.values_mut() {
                    db.running = false;
                    if matches!(
                        db.transaction,
                        TransactionState::Open { .. } | TransactionState::Ending { .. }
                    ) {
                        db.transaction = TransactionState::Ended {
                            committed: false,
                            by: entry.actor.clone(),
                            at_ms: entry.at_ms,
                        };
                    }
                }
            }
            _ => {}
        }
    }
}
