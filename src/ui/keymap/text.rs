//! The editing keys of one-line text fields (prompts, searches, typed confirmations,
//! passphrases), read as edits. Like a terminal's line editing, they are not remappable: the
//! dialog's own keys (`confirm`, `cancel`…) are in the key table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One edit of a text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEdit {
    /// Type a character at the cursor.
    Insert(char),
    /// Ctrl-U: clear the field.
    Clear,
    /// Delete the character before the cursor.
    Backspace,
    /// Delete the character under the cursor.
    Delete,
    /// Cursor one character left.
    Left,
    /// Cursor one character right.
    Right,
    /// Cursor to the start.
    Home,
    /// Cursor to the end.
    End,
}

/// The edit a key stands for in a text field, if any.
pub fn text_edit(key: &KeyEvent) -> Option<TextEdit> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('u') if ctrl => TextEdit::Clear,
        KeyCode::Char(c) if !ctrl => TextEdit::Insert(c),
        KeyCode::Backspace => TextEdit::Backspace,
        KeyCode::Delete => TextEdit::Delete,
        KeyCode::Left => TextEdit::Left,
        KeyCode::Right => TextEdit::Right,
        KeyCode::Home => TextEdit::Home,
        KeyCode::End => TextEdit::End,
        _ => return None,
    })
}
