//! Where a journal lives: a local SQLite file, or a shared PostgreSQL store (`postgres://…`).

use std::path::PathBuf;

/// A journal argument: a file, or a shared store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalLocation {
    /// A local SQLite journal file.
    File(PathBuf),
    /// A shared journal on PostgreSQL.
    Shared(SharedTarget),
}

impl JournalLocation {
    /// Reads a `--journal` value: `postgres://` or `postgresql://` is a shared store, anything
    /// else a file path.
    pub fn parse(text: &str) -> JournalLocation {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            JournalLocation::Shared(SharedTarget {
                url: text.to_string(),
                password: None,
            })
        } else {
            JournalLocation::File(PathBuf::from(text))
        }
    }
}

/// A shared store to connect to. (Skeleton: the shared-store work fills in password sources
/// and the label shown without the password.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedTarget {
    /// The URL as given (may hold a password: never show or log it; use [`SharedTarget::label`]).
    pub url: String,
    /// A password from an env var or file, when the URL has none.
    pub password: Option<String>,
}

impl SharedTarget {
    /// The URL without its password, for screens, logs and the journal.
    pub fn label(&self) -> String {
        self.url.clone()
    }
}
