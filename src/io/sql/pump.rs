//! The rows' way from the server to the caller: a statement's result stream read to its end,
//! rows decoded into [`Cell`]s only when something keeps them, and sent on in batches (full, or
//! old enough that the first page shows at once).

use crate::core::sql::{Cell, ColumnInfo};
use crate::io::sql::connect::Conn;
use crate::io::sql::decode::{ByValue, MySqlReader, RowReader, columns_of};
use crate::io::sql::statement::{RowBatch, RowSink};
use futures::{FutureExt, Stream, TryStreamExt};
use sqlx::{AssertSqlSafe, Either, Executor, Row};
use std::time::Duration;

/// Rows in one [`RowBatch::Rows`] at most.
const BATCH_ROWS: usize = 256;

/// A batch goes out once its first row is this old, full or not (so the first page shows at
/// once even when the server sends slowly).
const BATCH_AGE: Duration = Duration::from_millis(20);

/// Where pumped rows go.
pub(super) enum Keep<'a> {
    /// Batches into the caller's sink.
    Sink(&'a mut Option<RowSink>),
    /// The first rows into a vector (up to the limit given with it).
    First(&'a mut Vec<Vec<Cell>>),
}

/// What a pumped statement did.
#[derive(Default)]
pub(super) struct Pumped {
    pub(super) rows_affected: u64,
    pub(super) rows_returned: u64,
    pub(super) columns: Vec<ColumnInfo>,
}

/// Runs `sql` (text protocol without binds, prepared with them) and pumps its results.
pub(super) async fn pump_on(
    conn: &mut Conn,
    sql: &str,
    binds: &[String],
    keep: Option<Keep<'_>>,
    limit: Option<usize>,
) -> Result<Pumped, sqlx::Error> {
    macro_rules! fetch {
        ($c:expr) => {{
            let stream = if binds.is_empty() {
                $c.fetch_many(sqlx::raw_sql(AssertSqlSafe(sql.to_string())))
            } else {
                let mut query = sqlx::query(AssertSqlSafe(sql.to_string()));
                for value in binds {
                    query = query.bind(value.clone());
                }
                $c.fetch_many(query)
            };
            stream.map_ok(|item| item.map_left(|done| done.rows_affected()))
        }};
    }
    match conn {
        Conn::My(c) => {
            let reader = MySqlReader::new(!binds.is_empty());
            pump(fetch!(c), reader, keep, limit).await
        }
        Conn::Pg(c) => pump(fetch!(c), ByValue, keep, limit).await,
        Conn::Lite(c) => pump(fetch!(c), ByValue, keep, limit).await,
    }
}

/// Reads a result stream to its end: counts rows and affected rows, and hands rows to `keep`
/// (in batches of at most [`BATCH_ROWS`] rows or [`BATCH_AGE`] old, columns first). Rows are
/// decoded only when something keeps them.
async fn pump<R: Row>(
    mut results: impl Stream<Item = Result<Either<u64, R>, sqlx::Error>> + Unpin,
    mut reader: impl RowReader<R>,
    mut keep: Option<Keep<'_>>,
    limit: Option<usize>,
) -> Result<Pumped, sqlx::Error> {
    let mut pumped = Pumped::default();
    let mut batch: Vec<Vec<Cell>> = Vec::new();
    let mut batch_due = tokio::time::Instant::now();
    // Whether the columns of the current result set have been taken.
    let mut columns_taken = false;
    loop {
        let next = match results.try_next().now_or_never() {
            Some(next) => next?,
            None if batch.is_empty() => results.try_next().await?,
            None => {
                tokio::select! {
                    next = results.try_next() => next?,
                    () = tokio::time::sleep_until(batch_due) => {
                        send_batch(&mut keep, &mut batch).await;
                        continue;
                    }
                }
            }
        };
        match next {
            None => break,
            Some(Either::Left(affected)) => {
                pumped.rows_affected += affected;
                columns_taken = false;
            }
            Some(Either::Right(row)) => {
                pumped.rows_returned += 1;
                if !columns_taken {
                    columns_taken = true;
                    reader.columns(&row);
                    let columns = columns_of(&row);
                    if columns != pumped.columns {
                        pumped.columns = columns.clone();
                        if matches!(keep, Some(Keep::Sink(_))) {
                            send_batch(&mut keep, &mut batch).await;
                            send(&mut keep, RowBatch::Columns(columns)).await;
                        }
                    }
                }
                match &mut keep {
                    Some(Keep::First(rows)) if limit.is_none_or(|n| rows.len() < n) => {
                        rows.push(reader.row(&row));
                    }
                    Some(Keep::Sink(sink)) if sink.is_some() => {
                        if batch.is_empty() {
                            batch_due = tokio::time::Instant::now() + BATCH_AGE;
                        }
                        batch.push(reader.row(&row));
                        if batch.len() >= BATCH_ROWS || tokio::time::Instant::now() >= batch_due {
                            send_batch(&mut keep, &mut batch).await;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    send_batch(&mut keep, &mut batch).await;
    Ok(pumped)
}

async fn send_batch(keep: &mut Option<Keep<'_>>, batch: &mut Vec<Vec<Cell>>) {
    if batch.is_empty() {
        return;
    }
    let rows = std::mem::take(batch);
    send(keep, RowBatch::Rows(rows)).await;
}

/// Sends into the sink; a sink whose receiver is gone is forgotten (rows are then only counted).
async fn send(keep: &mut Option<Keep<'_>>, batch: RowBatch) {
    if let Some(Keep::Sink(slot)) = keep
        && let Some(sink) = slot.as_ref()
        && sink.send(batch).await.is_err()
    {
        **slot = None;
    }
}
