//! The result grid's state: rows spooled to disk as they stream in, and the window of them
//! around what the screen shows, loaded when the operator scrolls (drawing never reads disk).

use crate::core::sql::{Cell, ColumnInfo};
use crate::io::sql::{ResultSpool, SpoolExport};
use std::ops::Range;

/// Rows kept in memory around the top of the screen: more than any terminal shows.
pub const VISIBLE_WINDOW: u64 = 200;

/// A result set being received or received.
pub struct ResultView {
    spool: ResultSpool,
    /// First row on screen.
    pub top: u64,
    /// First column on screen.
    pub left: usize,
    visible: Vec<Vec<Cell>>,
    visible_from: u64,
    /// Every row arrived.
    pub complete: bool,
    /// Why rows could not be kept (the spool file failed), if they could not.
    pub failure: Option<String>,
}

impl ResultView {
    /// An empty result with these columns.
    pub fn new(columns: Vec<ColumnInfo>) -> Result<Self, String> {
        let spool =
            ResultSpool::new(columns).map_err(|e| format!("cannot keep the result rows: {e}"))?;
        Ok(Self {
            spool,
            top: 0,
            left: 0,
            visible: Vec::new(),
            visible_from: 0,
            complete: false,
            failure: None,
        })
    }

    /// The columns.
    pub fn columns(&self) -> &[ColumnInfo] {
        self.spool.columns()
    }

    /// Rows received so far.
    pub fn len(&self) -> u64 {
        self.spool.len()
    }

    /// No rows (yet).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The widest display width seen per column, header included.
    pub fn natural_widths(&self) -> &[usize] {
        self.spool.natural_widths()
    }

    /// Rows arrived: spooled, and kept in the window when it reaches them.
    pub fn append(&mut self, rows: Vec<Vec<Cell>>) {
        let before = self.spool.len();
        if let Err(e) = self.spool.append(&rows) {
            self.failure = Some(format!("rows after {before} were not kept: {e}"));
            return;
        }
        let window_end = self.visible_from + self.visible.len() as u64;
        if window_end == before && window_end < self.top + VISIBLE_WINDOW {
            let room = (self.top + VISIBLE_WINDOW - window_end) as usize;
            self.visible.extend(rows.into_iter().take(room));
        }
    }

    /// The rows of `range` that are in memory (drawing takes what it can show).
    pub fn window(&self, range: Range<u64>) -> &[Vec<Cell>] {
        let start = range.start.saturating_sub(self.visible_from) as usize;
        let end = range.end.saturating_sub(self.visible_from) as usize;
        let end = end.min(self.visible.len());
        self.visible.get(start.min(end)..end).unwrap_or(&[])
    }

    /// Moves the first row on screen (clamped) and loads the rows around it.
    pub fn scroll_to(&mut self, top: u64, page: u64) {
        let last_top = self.len().saturating_sub(page.max(1));
        self.top = top.min(last_top);
        let window_end = self.visible_from + self.visible.len() as u64;
        let wanted_end = (self.top + page).min(self.len());
        if self.top >= self.visible_from && wanted_end <= window_end {
            return;
        }
        let from = self.top.saturating_sub(VISIBLE_WINDOW / 4);
        let to = (from + VISIBLE_WINDOW).min(self.len());
        match self.spool.read(from..to) {
            Ok(rows) => {
                self.visible = rows;
                self.visible_from = from;
            }
            Err(e) => self.failure = Some(format!("cannot read the result rows back: {e}")),
        }
    }

    /// Moves the first row on screen by `delta` rows.
    pub fn scroll_by(&mut self, delta: i64, page: u64) {
        let top = if delta < 0 {
            self.top.saturating_sub(delta.unsigned_abs())
        } else {
            self.top.saturating_add(delta.unsigned_abs())
        };
        self.scroll_to(top, page);
    }

    /// Moves the first column on screen by `delta`.
    pub fn scroll_columns(&mut self, delta: isize) {
        let last = self.columns().len().saturating_sub(1);
        self.left = self.left.saturating_add_signed(delta).min(last);
    }

    /// The rows received so far, for writing them out off the UI task.
    pub fn export(&mut self) -> Result<SpoolExport, String> {
        self.spool
            .export()
            .map_err(|e| format!("cannot read the result rows back: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(from: i64, to: i64) -> Vec<Vec<Cell>> {
        (from..to).map(|i| vec![Cell::Int(i), Cell::Null]).collect()
    }

    fn columns() -> Vec<ColumnInfo> {
        ["id", "note"]
            .iter()
            .map(|n| ColumnInfo {
                name: n.to_string(),
                type_name: "INT".into(),
            })
            .collect()
    }

    #[test]
    fn the_first_page_shows_while_rows_stream_and_scrolling_reads_them_back() {
        let mut view = ResultView::new(columns()).expect("spool");
        view.append(rows(0, 100));
        assert_eq!(view.window(0..5)[4][0], Cell::Int(4));
        for chunk in 1..100 {
            view.append(rows(chunk * 100, chunk * 100 + 100));
        }
        assert_eq!(
            view.window(0..VISIBLE_WINDOW).len(),
            VISIBLE_WINDOW as usize
        );
        view.scroll_to(5_000, 30);
        let shown = view.window(5_000..5_030);
        assert_eq!(shown.len(), 30);
        assert_eq!(shown[0][0], Cell::Int(5_000));
        view.scroll_by(-10_000, 30);
        assert_eq!(view.top, 0);
        assert_eq!(view.window(0..1)[0][0], Cell::Int(0));
        view.scroll_to(u64::MAX, 30);
        assert_eq!(view.top, view.len() - 30);
        let last = view.window(view.top..view.len());
        assert_eq!(last.last().map(|r| r[0].clone()), Some(Cell::Int(9_999)));
    }
}
