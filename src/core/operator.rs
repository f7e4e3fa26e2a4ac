//! Who is at the keyboard: the operator's name and machine, and where the name comes from.
//!
//! The name is taken from the first of: `--operator NAME`, `COCKPIT_OPERATOR`, `SUDO_USER`, the
//! login (`$USER`, `$LOGNAME`, the passwd entry of the process's uid). Reading those is I/O
//! (`crate::io::identity`); choosing among them and checking the name is here.

use std::fmt;

/// Longest operator name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 64;

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

/// Where the operator's name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSource {
    /// `--operator NAME`.
    Flag,
    /// `COCKPIT_OPERATOR`.
    Env,
    /// `SUDO_USER` (who ran `sudo`).
    SudoUser,
    /// The login: `$USER`, `$LOGNAME` or the passwd entry.
    Login,
    /// Typed at the start-up question.
    Asked,
}

impl NameSource {
    /// How the source is written in messages.
    pub fn label(self) -> &'static str {
        match self {
            NameSource::Flag => "--operator",
            NameSource::Env => "COCKPIT_OPERATOR",
            NameSource::SudoUser => "SUDO_USER",
            NameSource::Login => "the login name",
            NameSource::Asked => "the name typed",
        }
    }
}

/// The candidate names, as found (empty environment variables count as unset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameSources {
    /// `--operator NAME`, when given (even empty: an explicit empty name is an error).
    pub flag: Option<String>,
    /// `COCKPIT_OPERATOR`.
    pub env: Option<String>,
    /// `SUDO_USER`.
    pub sudo_user: Option<String>,
    /// The login name.
    pub login: Option<String>,
}

/// A chosen, checked name and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedName {
    /// The name.
    pub name: String,
    /// Its source.
    pub source: NameSource,
}

/// Picks the operator's name: `--operator`, then `COCKPIT_OPERATOR`, then `SUDO_USER`, then the
/// login. The first one present decides (an invalid one is an error, not skipped: a name the
/// operator set must not be silently replaced by another). With none at all the name is
/// `unknown`.
pub fn resolve_name(sources: &NameSources) -> Result<ResolvedName, String> {
    let present = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let chosen = match &sources.flag {
        Some(flag) => Some((flag.clone(), NameSource::Flag)),
        None => [
            (present(&sources.env), NameSource::Env),
            (present(&sources.sudo_user), NameSource::SudoUser),
            (present(&sources.login), NameSource::Login),
        ]
        .into_iter()
        .find_map(|(v, s)| v.map(|v| (v, s))),
    };
    let (raw, source) = chosen.unwrap_or_else(|| ("unknown".to_string(), NameSource::Login));
    let name = validate_name(&raw).map_err(|e| format!("{} {e}", source.label()))?;
    Ok(ResolvedName { name, source })
}

/// Checks an operator name: surrounding spaces are dropped; it must not be empty, hold a
/// control character or `@` (the actor is written `name@host`), nor be longer than
/// [`MAX_NAME_CHARS`]. The error says what is wrong, for the operator.
pub fn validate_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("is empty: give a name, such as alice".into());
    }
    if name.chars().any(char::is_control) {
        return Err("holds a control character: use letters, digits, '.', '-' or '_'".into());
    }
    if name.contains('@') {
        return Err(format!(
            "{name:?} holds '@': give the name alone (the machine is added: name@host)"
        ));
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(format!(
            "is {chars} characters long: at most {MAX_NAME_CHARS}"
        ));
    }
    Ok(name.to_string())
}

/// Whether cockpit must ask who is at the keyboard: the name is only the login (or
/// `SUDO_USER`) `root`, which several people may share, and the journal is shared, so entries
/// would not tell them apart. A name given with `--operator` or `COCKPIT_OPERATOR` is trusted.
pub fn must_ask_name(resolved: &ResolvedName, shared_journal: bool) -> bool {
    shared_journal
        && resolved.name == "root"
        && matches!(resolved.source, NameSource::Login | NameSource::SudoUser)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(
        flag: Option<&str>,
        env: Option<&str>,
        sudo: Option<&str>,
        login: Option<&str>,
    ) -> NameSources {
        NameSources {
            flag: flag.map(String::from),
            env: env.map(String::from),
            sudo_user: sudo.map(String::from),
            login: login.map(String::from),
        }
    }

    fn resolved(s: &NameSources) -> (String, NameSource) {
        let r = resolve_name(s).unwrap_or_else(|e| panic!("{e}"));
        (r.name, r.source)
    }

    #[test]
    fn the_flag_wins_then_the_env_then_sudo_then_the_login() {
        let all = sources(Some("alice"), Some("bob"), Some("carol"), Some("root"));
        assert_eq!(resolved(&all), ("alice".into(), NameSource::Flag));
        let no_flag = NameSources {
            flag: None,
            ..all.clone()
        };
        assert_eq!(resolved(&no_flag), ("bob".into(), NameSource::Env));
        let sudo = NameSources {
            env: None,
            ..no_flag.clone()
        };
        assert_eq!(resolved(&sudo), ("carol".into(), NameSource::SudoUser));
        let login = NameSources {
            sudo_user: None,
            ..sudo
        };
        assert_eq!(resolved(&login), ("root".into(), NameSource::Login));
        let nothing = NameSources::default();
        assert_eq!(resolved(&nothing), ("unknown".into(), NameSource::Login));
    }

    #[test]
    fn empty_variables_count_as_unset_but_an_empty_flag_is_an_error() {
        let s = sources(None, Some(""), Some(""), Some("dave"));
        assert_eq!(resolved(&s), ("dave".into(), NameSource::Login));
        let err = resolve_name(&sources(Some(""), Some("bob"), None, None)).unwrap_err();
        assert!(err.starts_with("--operator is empty"), "{err}");
    }

    #[test]
    fn an_invalid_name_is_refused_with_its_source_not_skipped() {
        let err = resolve_name(&sources(None, Some("bob@laptop"), None, Some("root"))).unwrap_err();
        assert!(
            err.starts_with("COCKPIT_OPERATOR \"bob@laptop\" holds '@'"),
            "{err}"
        );
        let err = resolve_name(&sources(Some("a\u{1b}[2J"), None, None, None)).unwrap_err();
        assert!(err.contains("control character"), "{err}");
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_name("  alice  ").as_deref(), Ok("alice"));
        assert_eq!(validate_name("Ana María").as_deref(), Ok("Ana María"));
        assert!(validate_name("   ").is_err());
        assert!(validate_name("a\tb").is_err());
        assert!(validate_name("line\nbreak").is_err());
        let longest = "é".repeat(MAX_NAME_CHARS);
        assert_eq!(validate_name(&longest), Ok(longest.clone()));
        let err = validate_name(&format!("{longest}x")).unwrap_err();
        assert!(err.contains("at most 64"), "{err}");
    }

    #[test]
    fn only_a_shared_root_login_is_asked() {
        let login_root = ResolvedName {
            name: "root".into(),
            source: NameSource::Login,
        };
        assert!(must_ask_name(&login_root, true));
        assert!(!must_ask_name(&login_root, false));
        let sudo_root = ResolvedName {
            source: NameSource::SudoUser,
            ..login_root.clone()
        };
        assert!(must_ask_name(&sudo_root, true));
        for source in [NameSource::Flag, NameSource::Env, NameSource::Asked] {
            let given = ResolvedName {
                source,
                ..login_root.clone()
            };
            assert!(!must_ask_name(&given, true), "{source:?}");
        }
        let alice = ResolvedName {
            name: "alice".into(),
            source: NameSource::Login,
        };
        assert!(!must_ask_name(&alice, true));
    }
}
