//! A value that must never be printed: passphrases and passwords held in memory.

use crate::core::redact::MASK;
use std::fmt;

/// Text that `Debug` and `Display` never show; read it with [`Secret::expose`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps the text.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// How many characters it has (for a masked input field).
    pub fn char_count(&self) -> usize {
        self.0.chars().count()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({MASK})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// Where a password or another secret (a webhook URL, a signing secret) comes from; the
/// inventory never holds one itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// None at all (SQLite, socket auth, an unsigned webhook).
    None,
    /// Read from this environment variable when it is needed.
    Env(String),
    /// Read from this file when it is needed.
    File(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neither_debug_nor_display_shows_the_text() {
        let s = Secret::new("correct horse");
        assert_eq!(format!("{s:?} {s}"), "Secret(***) ***");
        assert_eq!(s.expose(), "correct horse");
        assert_eq!(s.char_count(), 13);
    }
}
