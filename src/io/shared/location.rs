//! Where a journal lives: a local SQLite file, or a shared PostgreSQL store (`postgres://…`).

use crate::core::inventory::PasswordSource;
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
        match url::Url::parse(&self.url) {
            Ok(mut url) => {
                if url.password().is_some() {
                    let _ = url.set_password(None);
                }
                url.to_string()
            }
            // Not a URL: show only its scheme, never what could hold a password.
            Err(_) => match self.url.split_once("://") {
                Some((scheme, _)) => format!("{scheme}://(unreadable URL)"),
                None => "(unreadable URL)".to_string(),
            },
        }
    }

    /// The password, from the URL or from its separate source: the text to keep out of
    /// every message (and to hand to the redactor).
    pub fn secret(&self) -> Option<String> {
        let in_url = url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.password().map(percent_decoded));
        in_url
            .or_else(|| self.password.clone())
            .filter(|p| !p.is_empty())
    }
}

/// Reads the shared journal's password from the inventory's source (an environment variable
/// or a file); `Ok(None)` when there is no source.
pub fn password_from(source: &PasswordSource) -> Result<Option<String>, String> {
    crate::io::secret_source::read_secret(source, "the shared journal's password")
        .map(|p| p.map(|p| p.expose().to_string()))
}

/// A URL component with its %-escapes decoded (as the driver decodes the password).
fn percent_decoded(text: &str) -> String {
    url::form_urlencoded::parse(format!("p={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map_or_else(|| text.to_string(), |(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_has_no_password() {
        let t = SharedTarget {
            url: "postgres://alice:s3cr%40t@db.example:5432/team".into(),
            password: None,
        };
        assert_eq!(t.label(), "postgres://alice@db.example:5432/team");
        assert_eq!(t.secret().as_deref(), Some("s3cr@t"));
        let bad = SharedTarget {
            url: "postgres://alice:pw@[bad/x".into(),
            password: None,
        };
        assert!(!bad.label().contains("pw"), "{}", bad.label());
    }

    #[test]
    fn a_password_from_elsewhere_is_the_secret() {
        let t = SharedTarget {
            url: "postgres://alice@db/team".into(),
            password: Some("hunter2".into()),
        };
        assert_eq!(t.label(), "postgres://alice@db/team");
        assert_eq!(t.secret().as_deref(), Some("hunter2"));
    }
}
