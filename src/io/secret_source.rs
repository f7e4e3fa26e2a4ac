//! The one reader of a secret the inventory names by where it lives (`PasswordSource`): an
//! environment variable or a file. Database passwords, the shared journal's password and the
//! notification channels' URLs, signing secrets and SMTP passwords all come through here, so
//! every one is read, trimmed and explained the same way.

use crate::core::inventory::PasswordSource;
use crate::core::secret::Secret;
use crate::io::bounded_read::{Kind, read_text};

/// Reads the secret `source` names; `Ok(None)` when there is no source. `what` names it for
/// the error (`the password of \`db\``), which says which variable or file failed and never
/// holds the secret. A file's trailing line break is not part of the secret.
pub fn read_secret(source: &PasswordSource, what: &str) -> Result<Option<Secret>, String> {
    match source {
        PasswordSource::None => Ok(None),
        PasswordSource::Env(var) => std::env::var(var)
            .map(|value| Some(Secret::new(value)))
            .map_err(|e| match e {
                std::env::VarError::NotPresent => {
                    format!("{what} is read from ${var}, which is not set")
                }
                std::env::VarError::NotUnicode(_) => {
                    format!("{what} is read from ${var}, which is not valid UTF-8")
                }
            }),
        PasswordSource::File(path) => {
            let path = crate::io::ssh::expand_home(path);
            read_text(&path, Kind::Text)
                .map(|text| Some(Secret::new(text.trim_end_matches(['\r', '\n']))))
                .map_err(|e| format!("{what} is read from {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_is_read_or_named_in_the_error() {
        assert_eq!(read_secret(&PasswordSource::None, "it"), Ok(None));
        let unset = PasswordSource::Env("COCKPIT_TEST_SECRET_SURELY_UNSET".into());
        assert_eq!(
            read_secret(&unset, "the URL of `ops`"),
            Err(
                "the URL of `ops` is read from $COCKPIT_TEST_SECRET_SURELY_UNSET, which is not set"
                    .into()
            )
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cr\"t 界\r\n").unwrap();
        let source = PasswordSource::File(file.display().to_string());
        let read = read_secret(&source, "it").unwrap().unwrap();
        assert_eq!(read.expose(), "s3cr\"t 界");
        let missing = PasswordSource::File(dir.path().join("nope").display().to_string());
        let e = read_secret(&missing, "the secret of `x`").unwrap_err();
        assert!(
            e.starts_with("the secret of `x` is read from ") && e.contains("nope"),
            "{e}"
        );
    }
}
