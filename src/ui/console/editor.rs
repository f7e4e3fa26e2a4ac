//! The statement buffer: a ratatui-textarea editor, and the statement an operator means when
//! they press run — the selection, else the statement under the cursor.

use crate::core::inventory::Driver;
use crate::core::sql::statement::{cursor_offset, statement_at};
use crossterm::event::KeyEvent;
use ratatui::style::{Modifier, Style};
use ratatui_textarea::{CursorMove, TextArea};

/// The editor of one database's console.
pub struct Editor {
    area: TextArea<'static>,
    /// What an empty editor shows.
    placeholder: String,
}

impl Default for Editor {
    fn default() -> Self {
        let mut editor = Self {
            area: TextArea::default(),
            placeholder: String::new(),
        };
        editor.area.set_cursor_line_style(Style::default());
        editor.say_run_keys("F5 or Ctrl-E");
        editor
    }
}

/// A statement picked from the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    /// Its text.
    pub text: String,
    /// Byte offset of its first character in the buffer.
    pub offset: usize,
}

impl Editor {
    /// The ratatui-textarea widget, for drawing.
    pub fn area(&self) -> &TextArea<'static> {
        &self.area
    }

    /// The buffer as one string.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// The empty editor names the keys that run a statement (from the key table).
    pub fn say_run_keys(&mut self, keys: &str) {
        self.placeholder = format!("-- type SQL; {keys} runs the statement under the cursor");
        self.show_placeholder();
    }

    fn show_placeholder(&mut self) {
        // Dim without a colour, so NO_COLOR holds.
        self.area
            .set_placeholder_style(Style::default().add_modifier(Modifier::DIM));
        self.area.set_placeholder_text(self.placeholder.clone());
    }

    /// Replaces the buffer, the cursor at its end.
    pub fn set_text(&mut self, text: &str) {
        let mut area = TextArea::new(text.lines().map(str::to_string).collect());
        area.set_cursor_line_style(Style::default());
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        self.area = area;
        self.show_placeholder();
    }

    /// Shows a journaled statement (the replay): an empty one shows nothing, not the hint to
    /// type, since nothing can be typed there.
    pub fn show_recorded(&mut self, text: &str) {
        self.set_text(text);
        self.area.set_placeholder_text(String::new());
    }

    /// Inserts pasted text at the cursor, line breaks kept (replacing a selection).
    pub fn paste(&mut self, text: &str) -> bool {
        self.area.insert_str(text)
    }

    /// Feeds a key to the editor; whether it changed anything.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        self.area.input(key)
    }

    /// The selection if there is one, else the statement under the cursor.
    pub fn pick(&self, driver: Driver) -> Option<Picked> {
        let lines = self.area.lines();
        let buffer = lines.join("\n");
        if let Some(((r1, c1), (r2, c2))) = self.area.selection_range() {
            let (start, end) = (cursor_offset(lines, r1, c1), cursor_offset(lines, r2, c2));
            let text = buffer.get(start..end)?;
            let trimmed = text.trim_start();
            let offset = start + (text.len() - trimmed.len());
            let trimmed = trimmed.trim_end().trim_end_matches(';').trim_end();
            return (!trimmed.is_empty()).then(|| Picked {
                text: trimmed.to_string(),
                offset,
            });
        }
        let ratatui_textarea::DataCursor(row, col) = self.area.cursor();
        let span = statement_at(&buffer, cursor_offset(lines, row, col), driver)?;
        let text = span
            .text
            .trim()
            .trim_end_matches(';')
            .trim_end()
            .to_string();
        (!text.is_empty()).then_some(Picked {
            text,
            offset: span.range.start,
        })
    }

    /// Puts the cursor on the character at byte `offset` of the buffer.
    pub fn jump_to(&mut self, offset: usize) {
        let mut rest = offset;
        for (row, line) in self.area.lines().iter().enumerate() {
            if rest <= line.len() {
                let col = line.char_indices().take_while(|(b, _)| *b < rest).count();
                let (row, col) = (
                    u16::try_from(row).unwrap_or(u16::MAX),
                    u16::try_from(col).unwrap_or(u16::MAX),
                );
                self.area.move_cursor(CursorMove::Jump(row, col));
                return;
            }
            rest -= line.len() + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_under_the_cursor_is_picked() {
        let mut e = Editor::default();
        e.set_text("select 1;\nupdate t set a=1 where b=2;\nselect 3");
        e.area.move_cursor(CursorMove::Jump(1, 4));
        let picked = e.pick(Driver::Mysql).expect("a statement");
        assert_eq!(picked.text, "update t set a=1 where b=2");
        assert_eq!(picked.offset, 10);
        e.jump_to(picked.offset + 7);
        assert_eq!(e.area.cursor(), (1, 7));
    }
}
