//! A result set as a grid: column names over rows, widths that fit, numbers right-aligned,
//! NULL dim and apart from the text 'NULL', CJK aligned by display width, secrets masked.

use crate::core::sql::layout::{display_width, fit_cell, fit_widths};
use crate::core::sql::{Cell, ColumnInfo};
use crate::io::sql::MAX_CELL_CHARS;
use crate::ui::app::App;
use ratatui::text::{Line, Span};

/// Between two columns.
const SEPARATOR: &str = " │ ";

/// The widest display width per column over the header and `rows`.
pub fn natural_widths(columns: &[ColumnInfo], rows: &[Vec<Cell>]) -> Vec<usize> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|cell| display_width(&cell.display(MAX_CELL_CHARS)))
                .chain([display_width(&c.name)])
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// Header and row lines of a grid `width` columns wide, starting at column `left`.
pub fn grid_lines(
    app: &App,
    columns: &[ColumnInfo],
    natural: &[usize],
    rows: &[Vec<Cell>],
    left: usize,
    width: usize,
) -> Vec<Line<'static>> {
    let t = &app.theme;
    let shown = columns.get(left..).unwrap_or(&[]);
    let natural = natural.get(left..).unwrap_or(&[]);
    let widths = fit_widths(natural, width, display_width(SEPARATOR));
    let mut lines = Vec::with_capacity(rows.len() + 1);
    let header: Vec<Span<'static>> = shown
        .iter()
        .zip(&widths)
        .enumerate()
        .flat_map(|(i, (c, w))| {
            let sep = (i > 0).then(|| Span::styled(SEPARATOR, t.text_dim()));
            sep.into_iter()
                .chain([Span::styled(fit_cell(&c.name, *w, false), t.title())])
        })
        .collect();
    lines.push(Line::from(header));
    for row in rows {
        let spans: Vec<Span<'static>> = row
            .get(left..)
            .unwrap_or(&[])
            .iter()
            .zip(&widths)
            .enumerate()
            .flat_map(|(i, (cell, w))| {
                let sep = (i > 0).then(|| Span::styled(SEPARATOR, t.text_dim()));
                let text = app.redactor.redact(&cell.display_in(*w, MAX_CELL_CHARS));
                let style = if *cell == Cell::Null {
                    t.text_dim()
                } else {
                    t.text()
                };
                sep.into_iter()
                    .chain([Span::styled(fit_cell(&text, *w, cell.is_numeric()), style)])
            })
            .collect();
        lines.push(Line::from(spans));
    }
    lines
}
