//! Pieces drawn over or around the panes.

pub mod access;
pub mod adhoc_dialog;
pub mod dialog_box;
pub mod incident_picker;
pub mod one_line;
pub mod overlays;
pub mod palette;
pub mod result_grid;
pub mod shared_status;
pub mod sql_dialogs;
pub mod status;
pub mod step_dialogs;

use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

/// A paragraph of dim placeholder text (an empty pane says what would be there).
pub fn placeholder<'a>(lines: Vec<Line<'a>>, style: Style) -> Paragraph<'a> {
    Paragraph::new(lines)
        .style(style)
        .wrap(Wrap { trim: false })
}
