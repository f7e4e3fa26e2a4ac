//! The last word before a frame reaches the terminal: no cell may hold anything the terminal
//! would act on instead of show. Ratatui drops control characters when it writes text, but a
//! zero-width character it cannot measure (a bidirectional override such as U+202E) is kept
//! and appended to the previous cell, and text drawn by other means could bypass it. Whatever
//! a widget forgot — a name from the shared store, a note, an incident title — is caught here,
//! in one place, once per frame.

use crate::ui::text::acts_on_terminal;
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;

/// Replaces in every cell of `buf` what a terminal would act on (see
/// [`acts_on_terminal`]) by `�`; a cell left empty becomes a space.
pub fn guard(buf: &mut Buffer) {
    buf.content.iter_mut().for_each(guard_cell);
}

/// [`guard`] for the cells of `area` alone (a recording that redrew only them).
pub fn guard_area(buf: &mut Buffer, area: Rect) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        let start = buf.index_of(area.x, y);
        if let Some(row) = buf.content.get_mut(start..start + usize::from(area.width)) {
            row.iter_mut().for_each(guard_cell);
        }
    }
}

fn guard_cell(cell: &mut Cell) {
    let symbol = cell.symbol();
    if let [b' '..=b'~'] = symbol.as_bytes() {
        // Printable ASCII, as most cells are.
        return;
    }
    if !symbol.chars().any(acts_on_terminal) {
        return;
    }
    let clean: String = symbol
        .chars()
        .map(|c| if acts_on_terminal(c) { '\u{FFFD}' } else { c })
        .collect();
    cell.set_symbol(if clean.is_empty() { " " } else { &clean });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn an_override_appended_to_a_cell_is_replaced() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        buf.content[0].set_symbol("a\u{202E}");
        buf.content[1].set_symbol("\u{1b}");
        guard(&mut buf);
        assert_eq!(buf.content[0].symbol(), "a\u{FFFD}");
        assert_eq!(buf.content[1].symbol(), "\u{FFFD}");
    }
}
