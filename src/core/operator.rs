//! Who is at the keyboard.

use std::fmt;

/// The operator, shown in the status line and recorded with every journal entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// Login name.
    pub user: String,
    /// Machine name (the bastion).
    pub host: String,
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.user, self.host)
    }
}
