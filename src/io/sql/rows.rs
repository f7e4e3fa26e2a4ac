//! What a statement returned, as text for the step dialogs (the console itself streams
//! [`RowBatch`]es of cells).

use crate::io::sql::session::RowBatch;

/// Rows kept of one result; the rest are counted.
pub const MAX_ROWS: usize = 500;

/// The result of one statement, collected from its row batches.
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
    /// Keeps the rows of a batch (or counts them when the cap is reached).
    pub fn add_batch(&mut self, batch: RowBatch) {
        match batch {
            RowBatch::Columns(columns) => {
                if self.columns.is_empty() {
                    self.columns = columns.into_iter().map(|c| c.name).collect();
                }
            }
            RowBatch::Rows(rows) => {
                for row in rows {
                    if self.rows.len() >= MAX_ROWS {
                        self.rows_dropped += 1;
                        continue;
                    }
                    self.rows.push(
                        row.iter()
                            .map(|cell| match cell {
                                crate::core::sql::Cell::Null => None,
                                other => Some(other.display(usize::MAX).into_owned()),
                            })
                            .collect(),
                    );
                }
            }
        }
    }
}
