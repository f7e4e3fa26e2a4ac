//! The URL a session connects with: the inventory's URL plus the password from where the
//! inventory says it lives. The password never appears in an error message.

use crate::core::inventory::{Database, Driver, PasswordSource};
use crate::core::secret::Secret;

/// Reads the database's password from its environment variable or file, if it has one.
pub fn password_of(db: &Database) -> Result<Option<Secret>, String> {
    match &db.password {
        PasswordSource::None => Ok(None),
        PasswordSource::Env(var) => {
            std::env::var(var)
                .map(|p| Some(Secret::new(p)))
                .map_err(|_| {
                    format!(
                        "the password of `{}` is read from ${var}, which is not set",
                        db.name
                    )
                })
        }
        PasswordSource::File(path) => {
            let path = crate::io::ssh::expand_home(path);
            std::fs::read_to_string(&path)
                .map(|p| Some(Secret::new(p.trim_end_matches(['\r', '\n']))))
                .map_err(|e| {
                    format!(
                        "the password of `{}` is read from {}: {e}",
                        db.name,
                        path.display()
                    )
                })
        }
    }
}

/// The URL to hand to sqlx, with the password put in; a SQLite file is opened read-write
/// but never created (a typo in the path must not create an empty database).
pub fn connection_url(db: &Database, password: Option<&Secret>) -> Result<Secret, String> {
    let bad = |e: String| format!("the URL of database `{}` is not usable: {e}", db.name);
    if db.driver == Driver::Sqlite {
        let url = if db.url.contains('?') {
            db.url.clone()
        } else {
            format!("{}?mode=rw", db.url)
        };
        return Ok(Secret::new(url));
    }
    let mut url = url::Url::parse(&db.url).map_err(|e| bad(e.to_string()))?;
    if let Some(password) = password {
        url.set_password(Some(password.expose()))
            .map_err(|()| bad("it cannot carry a password".into()))?;
    }
    Ok(Secret::new(url.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(driver: Driver, url: &str, password: PasswordSource) -> Database {
        Database {
            name: "speed".into(),
            driver,
            url: url.into(),
            password,
            via_host: None,
            read_only: false,
        }
    }

    #[test]
    fn the_password_goes_into_the_url_percent_encoded() {
        let d = db(
            Driver::Mysql,
            "mysql://ops@10.0.0.5:3306/speed",
            PasswordSource::None,
        );
        let url = connection_url(&d, Some(&Secret::new("p@ss:w/rd"))).expect("url");
        assert_eq!(
            url.expose(),
            "mysql://ops:p%40ss%3Aw%2Frd@10.0.0.5:3306/speed"
        );
        assert_eq!(format!("{url:?}"), "Secret(***)");
    }

    #[test]
    fn a_sqlite_file_is_never_created() {
        let d = db(
            Driver::Sqlite,
            "sqlite:///srv/speed.db",
            PasswordSource::None,
        );
        let url = connection_url(&d, None).expect("url");
        assert_eq!(url.expose(), "sqlite:///srv/speed.db?mode=rw");
    }

    #[test]
    fn a_missing_password_source_says_where_it_looked() {
        let d = db(
            Driver::Postgres,
            "postgres://ops@db/app",
            PasswordSource::Env("COCKPIT_TEST_SURELY_UNSET".into()),
        );
        let e = password_of(&d).expect_err("unset");
        assert!(e.contains("$COCKPIT_TEST_SURELY_UNSET"), "{e}");
    }
}
