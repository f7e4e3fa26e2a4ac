//! What the servers' errors mean for a session: whether the connection survives one, and its
//! message as one paragraph.

use sqlx::mysql::MySqlDatabaseError;
use sqlx::postgres::{PgDatabaseError, PgErrorPosition};

/// Errors after which the connection cannot be used: I/O, TLS, protocol, a crashed worker, or
/// the server saying it is shutting down or killed the connection.
pub(super) fn is_connection_error(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() {
                // admin_shutdown, crash_shutdown, cannot_connect_now
                return matches!(pg.code(), "57P01" | "57P02" | "57P03");
            }
            if let Some(my) = db.try_downcast_ref::<MySqlDatabaseError>() {
                // server shutdown, connection killed, gone away, lost
                return matches!(my.number(), 1053 | 1927 | 2006 | 2013);
            }
            false
        }
        _ => false,
    }
}

/// The server's message as one paragraph, the position PostgreSQL gives, and whether the
/// server rolled the whole transaction back (a MySQL deadlock does).
pub(super) fn describe(e: &sqlx::Error) -> (String, Option<usize>, bool) {
    let sqlx::Error::Database(db) = e else {
        return (e.to_string(), None, false);
    };
    if let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() {
        let mut text = format!("ERROR {}: {}", pg.code(), pg.message());
        if let Some(detail) = pg.detail() {
            text.push_str(&format!(" — {detail}"));
        }
        if let Some(hint) = pg.hint() {
            text.push_str(&format!(" (hint: {hint})"));
        }
        let position = match pg.position() {
            Some(PgErrorPosition::Original(p)) => Some(p),
            _ => None,
        };
        return (text, position, false);
    }
    if let Some(my) = db.try_downcast_ref::<MySqlDatabaseError>() {
        let state = my.code().map(|c| format!(" ({c})")).unwrap_or_default();
        let text = format!("ERROR {}{state}: {}", my.number(), my.message());
        return (text, None, my.number() == 1213);
    }
    (db.message().to_string(), None, false)
}
