//! Statements a server (or file) setting refused, recognised from the error the session gives
//! (`ERROR <code>…` as `io::sql` formats MySQL and PostgreSQL errors, SQLite's own message),
//! with a hint that names the setting and says what to do. A step's `failure_hint` is written
//! for its expectation not being met; these are what the operator reads instead when the
//! server refused the statement before it could change anything.

/// A setting that refused a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusingSetting {
    /// MySQL/MariaDB `sql_safe_updates` (error 1175): an UPDATE or DELETE whose WHERE uses no
    /// key column and has no LIMIT.
    MySqlSafeUpdates,
    /// A MySQL/MariaDB READ ONLY transaction (error 1792).
    MySqlReadOnlyTransaction,
    /// A MySQL/MariaDB server running with `read_only` / `super_read_only` (errors 1290, 1836).
    MySqlReadOnlyServer,
    /// A PostgreSQL read-only transaction (SQLSTATE 25006: `SET TRANSACTION READ ONLY`,
    /// `default_transaction_read_only`, a hot standby).
    PgReadOnlyTransaction,
    /// A read-only SQLite database (SQLITE_READONLY: `mode=ro`, `PRAGMA query_only`, a file
    /// that is not writable).
    SqliteReadOnly,
}

impl RefusingSetting {
    /// The setting behind `error` (a statement's error message), if it is one of these.
    pub fn of(error: &str) -> Option<Self> {
        let lower = error.to_ascii_lowercase();
        if has_code(error, "1175") {
            Some(Self::MySqlSafeUpdates)
        } else if has_code(error, "1792") {
            Some(Self::MySqlReadOnlyTransaction)
        } else if has_code(error, "1836")
            || (has_code(error, "1290") && lower.contains("read-only"))
            || (has_code(error, "1290") && lower.contains("read_only"))
        {
            Some(Self::MySqlReadOnlyServer)
        } else if has_code(error, "25006") {
            Some(Self::PgReadOnlyTransaction)
        } else if lower.contains("attempt to write a readonly database") {
            Some(Self::SqliteReadOnly)
        } else {
            None
        }
    }

    /// What refused the statement and what to do, in one sentence or two.
    pub fn hint(self) -> &'static str {
        match self {
            Self::MySqlSafeUpdates => {
                "refused by the session setting sql_safe_updates = 1 (cockpit sets it for \
                 statements typed in the console): the WHERE uses no key (indexed) column and \
                 there is no LIMIT. Nothing ran. Add a condition on a key column such as the \
                 primary key, or a LIMIT; a playbook step's own statement runs with safe \
                 updates off under cockpit's guards."
            }
            Self::MySqlReadOnlyTransaction => {
                "refused because the transaction is READ ONLY (the inventory marks this \
                 database read_only, or the server's transaction_read_only is on). Nothing \
                 ran. Writes need a database entry that is not read-only."
            }
            Self::MySqlReadOnlyServer => {
                "refused by the server's read_only (or super_read_only) setting: this is a \
                 replica or a fenced-off primary. Nothing ran. Run it on the writable primary, \
                 or have read_only turned off there first."
            }
            Self::PgReadOnlyTransaction => {
                "refused because the PostgreSQL transaction is read-only \
                 (default_transaction_read_only, SET TRANSACTION READ ONLY, the inventory's \
                 read_only, or a hot standby). Nothing ran. Run it on the writable primary \
                 with a session that is not read-only."
            }
            Self::SqliteReadOnly => {
                "refused because the SQLite database is open read-only (mode=ro or immutable \
                 in its URL, the inventory's read_only, or a file or directory that is not \
                 writable). Nothing ran. Open it read-write."
            }
        }
    }
}

/// `error` holds `ERROR <code>` with the code not followed by another digit.
fn has_code(error: &str, code: &str) -> bool {
    let needle = format!("ERROR {code}");
    error.match_indices(&needle).any(|(at, _)| {
        !error[at + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_is_recognised_from_the_sessions_message() {
        let cases = [
            (
                "`speed`: ERROR 1175 (HY000): You are using safe update mode and you tried to \
                 update a table without a WHERE that uses a KEY column",
                Some(RefusingSetting::MySqlSafeUpdates),
            ),
            (
                "speed: ERROR 1792 (25006): Cannot execute statement in a READ ONLY transaction",
                Some(RefusingSetting::MySqlReadOnlyTransaction),
            ),
            (
                "ERROR 1290 (HY000): The MariaDB server is running with the --read-only option \
                 so it cannot execute this statement",
                Some(RefusingSetting::MySqlReadOnlyServer),
            ),
            (
                "`speed`: ERROR 25006: cannot execute UPDATE in a read-only transaction",
                Some(RefusingSetting::PgReadOnlyTransaction),
            ),
            (
                "`speed`: attempt to write a readonly database",
                Some(RefusingSetting::SqliteReadOnly),
            ),
            ("ERROR 1290 (HY000): --secure-file-priv option", None),
            ("ERROR 11750 (HY000): not a real code", None),
            ("ERROR 1054 (42S22): Unknown column 'x'", None),
            (
                "the statement was stopped after 60s (statement timeout)",
                None,
            ),
        ];
        for (error, want) in cases {
            assert_eq!(RefusingSetting::of(error), want, "{error}");
        }
    }

    #[test]
    fn each_hint_names_its_setting() {
        assert!(
            RefusingSetting::MySqlSafeUpdates
                .hint()
                .contains("sql_safe_updates")
        );
        assert!(
            RefusingSetting::PgReadOnlyTransaction
                .hint()
                .contains("read-only")
        );
        assert!(RefusingSetting::SqliteReadOnly.hint().contains("mode=ro"));
    }
}
