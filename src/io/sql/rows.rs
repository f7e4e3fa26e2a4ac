//! What a statement returned, as text for the screen and the journal.

use sqlx::any::AnyRow;
use sqlx::{Column, Row, ValueRef};

/// Rows kept of one result; the rest are counted.
pub const MAX_ROWS: usize = 500;

/// The result of one statement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SqlOutcome {
    /// Rows the statement changed (MySQL: rows matched, as sqlx counts them).
    pub rows_affected: u64,
    /// Column names of the rows returned.
    pub columns: Vec<String>,
    /// Rows returned, each value as text (`None` = NULL), at most [`MAX_ROWS`].
    pub rows: Vec<Vec<Option<String>>>,
    /// Rows returned beyond [`MAX_ROWS`].
    pub rows_dropped: u64,
}

impl SqlOutcome {
    /// Keeps a returned row (or counts it when the cap is reached).
    pub(super) fn add_row(&mut self, row: &AnyRow) {
        if self.columns.is_empty() {
            self.columns = row.columns().iter().map(|c| c.name().to_string()).collect();
        }
        if self.rows.len() >= MAX_ROWS {
            self.rows_dropped += 1;
            return;
        }
        self.rows
            .push((0..row.columns().len()).map(|i| text_of(row, i)).collect());
    }
}

/// A value as text: whatever type the driver reports, NULL as `None`, bytes that are not
/// UTF-8 as hex.
fn text_of(row: &AnyRow, i: usize) -> Option<String> {
    if row.try_get_raw(i).map_or(true, |v| v.is_null()) {
        return None;
    }
    if let Ok(v) = row.try_get::<String, _>(i) {
        return Some(v);
    }
    if let Ok(v) = row.try_get::<i64, _>(i) {
        return Some(v.to_string());
    }
    if let Ok(v) = row.try_get::<f64, _>(i) {
        return Some(v.to_string());
    }
    if let Ok(v) = row.try_get::<bool, _>(i) {
        return Some(v.to_string());
    }
    match row.try_get::<Vec<u8>, _>(i) {
        Ok(bytes) => Some(match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => e.into_bytes().iter().map(|b| format!("{b:02x}")).collect(),
        }),
        Err(e) => Some(format!("<{e}>")),
    }
}
