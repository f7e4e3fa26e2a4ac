//! A statement's work on the open connection: BEGIN when asked, the table's rows counted, the
//! reselect before and after, safe updates relaxed for a playbook's statement alone, the text
//! sent statement by statement, and the transaction followed through what the operator typed.

use crate::core::inventory::Driver;
use crate::core::sql::{Cell, ColumnInfo, split_statements};
use crate::io::sql::connect::{CancelTarget, Conn};
use crate::io::sql::pump::{Keep, Pumped, pump_on};
use crate::io::sql::statement::{
    Reselect, RowBatch, RowSink, SNAPSHOT_ROWS, Snapshot, SqlStatement, StatementDone, TableRows,
};
use crate::io::sql::tunnel::LocalForward;
use sqlx::{AssertSqlSafe, Executor};
use std::time::Instant;

/// The connection and what is open on it.
pub(super) struct Open {
    pub(super) conn: Conn,
    pub(super) in_transaction: bool,
    /// `sql_safe_updates` was turned off for a playbook statement and could not be turned back
    /// on: the connection must not serve another statement.
    pub(super) safe_updates_off: bool,
    /// Characters of the text before the statement being sent (a text is sent statement by
    /// statement): where the server's error position counts from.
    pub(super) piece_chars: usize,
    pub(super) cancel: CancelTarget,
    pub(super) _forward: Option<LocalForward>,
}

/// The statement that opens a transaction, read-only where the inventory says so.
pub(super) fn begin_statement(driver: Driver, read_only: bool) -> &'static str {
    match (driver, read_only) {
        (Driver::Mysql, true) => "START TRANSACTION READ ONLY",
        (Driver::Mysql, false) => "START TRANSACTION",
        (Driver::Postgres, true) => "BEGIN READ ONLY",
        _ => "BEGIN",
    }
}

/// BEGIN if asked, the reselect before, the statement (rows into the sink), the reselect after.
pub(super) async fn statement_work(
    open: &mut Open,
    driver: Driver,
    begin: &'static str,
    statement: &SqlStatement,
    sink: &mut Option<RowSink>,
) -> Result<StatementDone, sqlx::Error> {
    if statement.transaction && !open.in_transaction {
        execute(&mut open.conn, begin).await?;
        open.in_transaction = true;
    }
    let table_rows = match &statement.count_table {
        Some(table) if open.in_transaction => count_rows(&mut open.conn, table).await?,
        _ => None,
    };
    let before = match &statement.reselect {
        Some(r) => Some(snapshot(&mut open.conn, r).await?),
        None => None,
    };
    let relax = statement.from_playbook && driver == Driver::Mysql;
    if relax {
        execute(&mut open.conn, "SET SESSION sql_safe_updates = 0").await?;
        open.safe_updates_off = true;
    }
    let started = Instant::now();
    let keep = if sink.is_some() {
        Some(Keep::Sink(sink))
    } else {
        None
    };
    let pumped = pump_judged(open, driver, statement, keep).await;
    let elapsed = started.elapsed();
    let restored = if relax {
        // Back on whether the statement worked or not; the statement's own error comes first.
        let restored = execute(&mut open.conn, "SET SESSION sql_safe_updates = 1").await;
        if restored.is_ok() {
            open.safe_updates_off = false;
        }
        restored
    } else {
        Ok(())
    };
    let pumped = pumped?;
    restored?;
    if pumped.rows_returned == 0
        && let Some(rows) = sink.as_ref()
    {
        // No row carried the columns: ask the server for them, so the grid still has a header.
        let columns = describe_columns(&mut open.conn, &statement.sql).await;
        if !columns.is_empty() && rows.send(RowBatch::Columns(columns)).await.is_err() {
            *sink = None;
        }
    }
    track_transaction(open, driver, &statement.sql);
    let after = match &statement.reselect {
        Some(r) => Some(snapshot(&mut open.conn, r).await?),
        None => None,
    };
    Ok(StatementDone {
        rows_affected: pumped.rows_affected,
        rows_returned: pumped.rows_returned,
        elapsed,
        in_transaction: open.in_transaction,
        before,
        after,
        table_rows,
    })
}

/// `SELECT COUNT(*)` of `table` on the open connection (inside the statement's transaction,
/// within its timeout like the rest of the statement's work).
async fn count_rows(conn: &mut Conn, table: &str) -> Result<Option<TableRows>, sqlx::Error> {
    let mut kept = Vec::new();
    let sql = format!("SELECT COUNT(*) FROM {table}");
    pump_on(conn, &sql, &[], Some(Keep::First(&mut kept)), Some(1)).await?;
    let rows = match kept.first().and_then(|r| r.first()) {
        Some(Cell::Int(n)) => u64::try_from(*n).ok(),
        Some(Cell::UInt(n)) => Some(*n),
        Some(Cell::Decimal(d)) | Some(Cell::Text(d)) => d.parse().ok(),
        _ => None,
    };
    Ok(rows.map(|rows| TableRows {
        table: table.to_string(),
        rows,
    }))
}

/// Sends the text exactly as the guard split and judged it: each statement of it on its own,
/// in order, never the raw text around them (a comment after the last statement, or text the
/// server might split differently, is not sent). A text with parameters is sent whole, as one
/// prepared statement, which the servers refuse to hold more than one statement.
async fn pump_judged(
    open: &mut Open,
    driver: Driver,
    statement: &SqlStatement,
    mut keep: Option<Keep<'_>>,
) -> Result<Pumped, sqlx::Error> {
    open.piece_chars = 0;
    if !statement.binds.is_empty() {
        return pump_on(&mut open.conn, &statement.sql, &statement.binds, keep, None).await;
    }
    let mut total = Pumped::default();
    for piece in split_statements(&statement.sql, driver) {
        open.piece_chars = statement.sql[..piece.range.start].chars().count();
        let kept = match &mut keep {
            Some(Keep::Sink(sink)) => Some(Keep::Sink(sink)),
            Some(Keep::First(rows)) => Some(Keep::First(rows)),
            None => None,
        };
        let pumped = pump_on(&mut open.conn, &piece.text, &[], kept, None).await?;
        total.rows_affected += pumped.rows_affected;
        total.rows_returned += pumped.rows_returned;
        if !pumped.columns.is_empty() {
            total.columns = pumped.columns;
        }
    }
    open.piece_chars = 0;
    Ok(total)
}

/// Follows transaction statements the operator typed (BEGIN, COMMIT, …) and MySQL's implicit
/// commits (DDL), so the session knows whether to ask for a commit.
fn track_transaction(open: &mut Open, driver: Driver, sql: &str) {
    let mut words = sql
        .trim_start()
        .split(|c: char| c.is_whitespace() || c == ';')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase);
    let first = words.next().unwrap_or_default();
    let second = words.next().unwrap_or_default();
    match first.as_str() {
        "BEGIN" | "START" => open.in_transaction = true,
        "COMMIT" | "END" => open.in_transaction = false,
        "ROLLBACK" | "ABORT" if second != "TO" => open.in_transaction = false,
        "CREATE" | "ALTER" | "DROP" | "TRUNCATE" | "RENAME" | "GRANT" | "REVOKE"
            if driver == Driver::Mysql =>
        {
            open.in_transaction = false
        }
        _ => {}
    }
}

/// The columns of a query that returned no row, when the server can describe it. Only a single
/// SELECT-like statement is prepared (a failed prepare would abort a PostgreSQL transaction).
async fn describe_columns(conn: &mut Conn, sql: &str) -> Vec<ColumnInfo> {
    use sqlx::{SqlSafeStr, Statement};
    let sql = sql.trim().trim_end_matches(';').trim_end();
    let first = sql
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if sql.contains(';') || !matches!(first.as_str(), "SELECT" | "WITH" | "VALUES" | "TABLE") {
        return Vec::new();
    }
    fn infos<C: sqlx::Column>(columns: &[C]) -> Vec<ColumnInfo> {
        use sqlx::TypeInfo;
        columns
            .iter()
            .map(|c| ColumnInfo {
                name: c.name().to_string(),
                type_name: c.type_info().name().to_string(),
            })
            .collect()
    }
    let sql = AssertSqlSafe(sql.to_string()).into_sql_str();
    match conn {
        Conn::My(c) => c.prepare(sql).await.map(|s| infos(s.columns())),
        Conn::Pg(c) => c.prepare(sql).await.map(|s| infos(s.columns())),
        Conn::Lite(c) => c.prepare(sql).await.map(|s| infos(s.columns())),
    }
    .unwrap_or_default()
}

pub(super) async fn execute(conn: &mut Conn, sql: &'static str) -> Result<(), sqlx::Error> {
    match conn {
        Conn::My(c) => c.execute(sql).await.map(drop),
        Conn::Pg(c) => c.execute(sql).await.map(drop),
        Conn::Lite(c) => c.execute(sql).await.map(drop),
    }
}

async fn snapshot(conn: &mut Conn, reselect: &Reselect) -> Result<Snapshot, sqlx::Error> {
    let mut kept = Vec::new();
    let pumped = pump_on(
        conn,
        &reselect.sql,
        &reselect.binds,
        Some(Keep::First(&mut kept)),
        Some(SNAPSHOT_ROWS + 1),
    )
    .await?;
    let more = kept.len() > SNAPSHOT_ROWS || pumped.rows_returned > SNAPSHOT_ROWS as u64;
    kept.truncate(SNAPSHOT_ROWS);
    Ok(Snapshot {
        columns: pumped.columns,
        rows: kept,
        more,
    })
}
