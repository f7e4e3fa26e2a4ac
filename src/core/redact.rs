//! Secret redaction: the one function every path to the screen, the journal, the log file,
//! reports, exports and history goes through.
//!
//! The built-in rules know secrets by their context (`--password=…`, `IDENTIFIED BY '…'`,
//! `Authorization: Bearer …`, `"token": "…"`, a URL's password, `curl -u user:pass`,
//! `sshpass -p …`, a PEM private key) or by their shape (AWS, GitHub, GitLab, Slack, Google and
//! Stripe keys, JSON Web Tokens). They mask the secret only, so the text stays readable, and
//! they leave placeholders (`{{db_password}}`, `$DB_PASS`) and settings *about* secrets
//! (`password_expired`, `--password-file=…`, `token_type`) alone.

use regex::{Captures, Regex, RegexSet};
use std::borrow::Cow;
use std::sync::{Arc, LazyLock, RwLock};

/// What redacted text shows in place of a secret.
pub const MASK: &str = "***";

/// A value in a `key=value` position: quoted, or up to a space or separator.
const VALUE: &str = r#""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s'",;&}\]]+"#;

/// A single-quoted SQL string (`''` is an escaped quote), or a PostgreSQL `E'…'` one.
const SQL_STRING: &str = r#"[Ee]?'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*""#;

/// A shell word as a command-line option value: quoted, or up to a space.
const WORD: &str = r#"'[^']*'|"[^"]*"|[^\s'"]+"#;

/// Words naming a secret in `key = value` and `"key": "value"` forms.
const SECRET_KEY: &str = r"password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|auth[_-]?key";

/// MySQL and MariaDB clients, where `-pVALUE` (no space) is the password.
const MYSQL_CLIENTS: &str = r"mysql|mysqldump|mysqladmin|mysqlcheck|mysqlimport|mysqlshow|mysqlpump|mysqlbinlog|mysqlsh|mariadb|mariadb-dump|mariadb-admin|mariadb-check|mariadb-import";

/// When a match is not a secret after all.
type Keep = fn(&Captures<'_>) -> bool;

/// Patterns as one set (which apply) and each alone (what to mask).
type Compiled = (RegexSet, Vec<(Regex, Keep)>);

/// The built-in rules: a pattern whose group `s` (or whole match) is the secret, and when to
/// leave a match alone.
fn built_in() -> Vec<(String, Keep)> {
    let never: Keep = |_| false;
    vec![
        // A PEM private key block: its body, up to its END line (or the end of the text).
        (
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?P<s>[\s\S]*?)(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\z)".into(),
            never,
        ),
        // scheme://user:PASSWORD@host
        (
            r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:(?P<s>[^@\s/]+)@".into(),
            never,
        ),
        // mysql … -pSECRET (glued; `-p` then a space asks for it instead)
        (
            format!(r"\b(?i:{MYSQL_CLIENTS})\b[^|;&\n]*?\s-p(?P<s>{WORD})"),
            never,
        ),
        // -p'secret' / -p"secret" with any command
        (r#"(?:^|\s)-p(?P<s>'[^']*'|"[^"]*")"#.into(), never),
        // --password=secret / --token secret
        (
            format!(
                r"(?i)--(?:password|passwd|pass|pwd|token|secret|api-key|apikey|access-token|auth-token|client-secret|secret-key|access-key)(?:=|[ \t]+)(?P<s>{WORD})"
            ),
            |c| c.name("s").is_some_and(|s| s.as_str().starts_with('-')),
        ),
        // PASSWORD=…, "password": "…", api_key: …, aws_secret_access_key = …, ?token=…
        (
            format!(
                r#"(?i)(?P<k>[a-z0-9_.-]*(?:{SECRET_KEY})[a-z0-9_.-]*)["']?[ \t]*(?:=>|=|:)[ \t]*(?P<s>{VALUE})"#
            ),
            |c| c.name("k").is_some_and(|k| names_a_setting(k.as_str())),
        ),
        // Authorization: Bearer …, Proxy-Authorization: Basic …
        (
            r#"(?i)\bauthorization[ \t]*[:=][ \t]*(?:(?:bearer|basic|token|digest|negotiate|ntlm|apikey|key)[ \t]+)?(?P<s>[^\s'",;]+)"#.into(),
            never,
        ),
        // Bearer … anywhere (a token, not a word: "bearer authentication" stays)
        (
            r"(?i)\bbearer[ \t]+(?P<s>[A-Za-z0-9._~+/=-]{8,})".into(),
            |c| {
                c.name("s")
                    .is_some_and(|s| s.as_str().chars().all(|ch| ch.is_ascii_alphabetic()))
            },
        ),
        // curl -u user:pass, --user user:pass, --proxy-user user:pass (not docker's -u 1000:1000)
        (
            r#"(?:^|\s)(?:-u|--user|--proxy-user)(?:[ \t]*|=)['"]?(?P<u>[^\s:'"]*):(?P<s>[^\s'"]+)"#.into(),
            |c| {
                let digits = |g: &str| {
                    c.name(g).is_some_and(|m| {
                        !m.as_str().is_empty() && m.as_str().bytes().all(|b| b.is_ascii_digit())
                    })
                };
                digits("u") && digits("s")
            },
        ),
        // sshpass -p secret / -psecret
        (
            format!(r"\bsshpass\b[^|;&\n]*?\s-p[ \t]*(?P<s>{WORD})"),
            never,
        ),
        // redis-cli -a secret
        (
            format!(r"\bredis-cli\b[^|;&\n]*?\s-a[ \t]*(?P<s>{WORD})"),
            never,
        ),
        // IDENTIFIED BY 'secret', IDENTIFIED WITH plugin BY 'secret', IDENTIFIED BY PASSWORD '…'
        (
            format!(
                r"(?i)\bidentified[ \t]+(?:with[ \t]+\S+[ \t]+)?(?:by|as)[ \t]+(?:password[ \t]+)?(?P<s>{SQL_STRING}|[^\s;,)]+)"
            ),
            never,
        ),
        // ALTER USER … IDENTIFIED BY '…' REPLACE 'old secret'
        (
            format!(r"(?i)\bidentified\b[^;\n]*?\breplace[ \t]+(?P<s>{SQL_STRING})"),
            never,
        ),
        // PostgreSQL [ENCRYPTED] PASSWORD 'secret', MySQL PASSWORD('secret')
        (
            format!(r"(?i)\bpassword[ \t]*(?:\([ \t]*)?(?P<s>{SQL_STRING})"),
            never,
        ),
        // SET PASSWORD FOR 'u'@'h' = 'secret'
        (
            format!(r"(?i)\bset[ \t]+password\b[^=;\n]*=[ \t]*(?P<s>{SQL_STRING})"),
            never,
        ),
        // .netrc: machine h login u password secret
        (
            r"(?i)\bmachine[ \t]+\S+[ \t]+login[ \t]+\S+[ \t]+password[ \t]+(?P<s>\S+)".into(),
            never,
        ),
        // AWS access key ids
        (
            r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b".into(),
            never,
        ),
        // GitHub tokens
        (
            r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b|\bgithub_pat_[A-Za-z0-9_]{22,255}\b"
                .into(),
            never,
        ),
        // GitLab personal access tokens
        (r"\bglpat-[A-Za-z0-9_-]{20,}".into(), never),
        // Slack tokens and webhooks
        (r"\bxox[abposr]-[A-Za-z0-9-]{10,}".into(), never),
        (
            r"hooks\.slack\.com/services/(?P<s>[A-Za-z0-9/_-]+)".into(),
            never,
        ),
        // Google API keys, Stripe secret keys, npm tokens
        (r"\bAIza[0-9A-Za-z_-]{35}\b".into(), never),
        (r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b".into(), never),
        (r"\bnpm_[A-Za-z0-9]{36}\b".into(), never),
        // JSON Web Tokens
        (
            r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*".into(),
            never,
        ),
    ]
}

/// Last words of a key that is about a secret rather than one (`password_expired`,
/// `password-file`, `token_type`, `password_env`).
const SETTING_TAILS: &[&str] = &[
    "file",
    "path",
    "dir",
    "env",
    "expired",
    "expires",
    "expiry",
    "expiration",
    "lifetime",
    "changed",
    "time",
    "history",
    "policy",
    "length",
    "ttl",
    "type",
    "name",
    "url",
    "endpoint",
    "required",
    "require",
    "current",
    "min",
    "max",
    "count",
    "hint",
    "prompt",
    "strength",
    "algorithm",
];

/// Whether a `key` matched by the key/value rule names a setting about a secret.
fn names_a_setting(key: &str) -> bool {
    let last = key
        .rsplit(['_', '-', '.'])
        .next()
        .unwrap_or(key)
        .to_ascii_lowercase();
    SETTING_TAILS.contains(&last.as_str())
}

/// A placeholder or a reference, not a value: `{{name}}`, `$NAME`, `${NAME}`, or masked.
fn is_reference(value: &str) -> bool {
    let v = value.trim_matches(|c| c == '\'' || c == '"');
    v.starts_with("{{")
        || v == MASK
        || v.strip_prefix('$').is_some_and(|rest| {
            rest.starts_with('{')
                || rest
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        })
}

/// Replaces secrets in text: the built-in rules, configured patterns, and known secret values.
///
/// Clones share the secret values learned later ([`Redactor::add_secret_value`]): the screen,
/// the journal writer, the fleet worker and the log file hold clones of one redactor, so a
/// secret typed at a prompt is masked by all of them from then on.
///
/// The built-in patterns are compiled once per process, on the first text redacted, not when a
/// redactor is made: compiling them is a large part of a start's work, and the path to the
/// first frame makes redactors but redacts nothing the cockpit must wait for (the journal
/// writer's first entry is sealed on a worker thread while the frame is drawn).
#[derive(Debug, Clone)]
pub struct Redactor {
    /// The inventory's extra patterns as one set, to find in one pass which ones apply.
    extra_set: RegexSet,
    /// The inventory's extra patterns each alone (the whole match is the secret).
    extra: Vec<Regex>,
    /// Exact secret values (e.g. variables marked secret), shared by clones.
    values: Arc<RwLock<Vec<String>>>,
}

impl Default for Redactor {
    fn default() -> Self {
        Self {
            extra_set: RegexSet::empty(),
            extra: Vec::new(),
            values: Arc::default(),
        }
    }
}

/// The built-in patterns, compiled on first use. They are constants the tests compile, so
/// failing is a bug; should it happen, only the built-in rules are missing (as a redactor
/// that could not be made used to fall back to).
fn compiled_built_in() -> Option<&'static Compiled> {
    static BUILT_IN: LazyLock<Result<Compiled, regex::Error>> = LazyLock::new(compile_built_in);
    BUILT_IN.as_ref().ok()
}

impl Redactor {
    /// Compiles the built-in patterns now, if nothing has been redacted yet: for a thread of
    /// its own to call at start-up, so the first text redacted does not wait for them.
    pub fn prepare_built_in() {
        let _ = compiled_built_in();
    }

    /// The built-in patterns plus extra ones; fails on an invalid extra pattern. Only the
    /// extra patterns are compiled here (the built-in ones on first use, once per process).
    pub fn new(extra: &[String]) -> Result<Self, regex::Error> {
        Ok(Self {
            extra_set: RegexSet::new(extra)?,
            extra: extra
                .iter()
                .map(|p| Regex::new(p))
                .collect::<Result<_, _>>()?,
            values: Arc::default(),
        })
    }

    /// Also redact this exact value wherever it appears (ignored when empty or very short,
    /// which would mask ordinary text).
    pub fn add_secret_value(&mut self, value: &str) {
        if value.chars().count() < 3 {
            return;
        }
        let mut values = self.values.write().unwrap_or_else(|e| e.into_inner());
        if !values.iter().any(|v| v == value) {
            values.push(value.to_string());
            // Longest first, so a secret containing another is masked whole.
            values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        }
    }

    /// The text with every secret replaced by [`MASK`].
    pub fn redact(&self, text: &str) -> String {
        self.redact_cow(text).into_owned()
    }

    /// Like [`Redactor::redact`], borrowing `text` when it holds no secret (the log tails'
    /// path: no copy of a line that needs no mask).
    pub fn redact_cow<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for value in self.values.read().unwrap_or_else(|e| e.into_inner()).iter() {
            if out.contains(value.as_str()) {
                out = Cow::Owned(out.replace(value.as_str(), MASK));
            }
        }
        let never: Keep = |_| false;
        let (set, built_in) = match compiled_built_in() {
            Some((set, patterns)) => (set.matches(&out), patterns.as_slice()),
            None => (RegexSet::empty().matches(&out), &[][..]),
        };
        let extra = self.extra_set.matches(&out);
        if !set.matched_any() && !extra.matched_any() {
            return out;
        }
        let matched = set
            .into_iter()
            .filter_map(|i| built_in.get(i).map(|(p, keep)| (p, *keep)))
            .chain(
                extra
                    .into_iter()
                    .filter_map(|i| self.extra.get(i).map(|p| (p, never))),
            );
        for (pattern, keep) in matched {
            out = Cow::Owned(
                pattern
                    .replace_all(&out, |caps: &Captures<'_>| mask(caps, keep))
                    .into_owned(),
            );
        }
        out
    }
}

/// The built-in patterns, each alone and as one set.
fn compile_built_in() -> Result<Compiled, regex::Error> {
    let sources = built_in();
    let mut patterns = Vec::new();
    for (p, keep) in &sources {
        patterns.push((Regex::new(p)?, *keep));
    }
    let set = RegexSet::new(sources.iter().map(|(p, _)| p.as_str()))?;
    Ok((set, patterns))
}

/// The match with its secret part masked, or unchanged when it is not a secret.
fn mask(caps: &Captures<'_>, keep: Keep) -> String {
    let Some(whole) = caps.get(0) else {
        return String::new();
    };
    let secret = caps.name("s").unwrap_or(whole);
    if secret.as_str().is_empty() || is_reference(secret.as_str()) || keep(caps) {
        return whole.as_str().to_string();
    }
    let text = whole.as_str();
    let (start, end) = (secret.start() - whole.start(), secret.end() - whole.start());
    format!("{}{MASK}{}", &text[..start], &text[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_pattern_compiles() {
        // Compiled lazily on first use, where a failure would silently drop the built-in rules.
        assert!(compile_built_in().is_ok());
    }

    #[test]
    fn built_in_patterns() {
        let r = Redactor::default();
        assert_eq!(
            r.redact("mysql://root:hunter2@db:3306/speed"),
            "mysql://root:***@db:3306/speed"
        );
        assert_eq!(
            r.redact("mysql -uroot -p'S3cr3t!' speed"),
            "mysql -uroot -p*** speed"
        );
        assert_eq!(
            r.redact("mysqldump -psecret speed"),
            "mysqldump -p*** speed"
        );
        assert_eq!(r.redact("export MYSQL_PWD=abc123"), "export MYSQL_PWD=***");
        assert_eq!(
            r.redact("redis-cli --password=xyz ping"),
            "redis-cli --password=*** ping"
        );
        assert_eq!(
            r.redact("tail -F /var/log/nginx/error.log"),
            "tail -F /var/log/nginx/error.log"
        );
    }

    #[test]
    fn secrets_by_context() {
        let r = Redactor::default();
        for (text, want) in [
            (
                "CREATE USER 'a'@'%' IDENTIFIED BY 'it''s x';",
                "CREATE USER 'a'@'%' IDENTIFIED BY ***;",
            ),
            (
                "ALTER ROLE app WITH LOGIN PASSWORD 'pg secret'",
                "ALTER ROLE app WITH LOGIN PASSWORD ***",
            ),
            (
                "curl -H 'Authorization: Bearer abc.def.ghi' https://x",
                "curl -H 'Authorization: Bearer ***' https://x",
            ),
            (
                "curl -u admin:pa55 https://x",
                "curl -u admin:*** https://x",
            ),
            ("sshpass -p hunter2 ssh db", "sshpass -p *** ssh db"),
            (r#"{"password": "hunter2"}"#, r#"{"password": ***}"#),
        ] {
            assert_eq!(r.redact(text), want, "{text}");
        }
    }

    #[test]
    fn settings_about_secrets_and_placeholders_stay() {
        let r = Redactor::default();
        for text in [
            "SELECT user FROM mysql.user WHERE password_expired = 'Y'",
            "mysql --password-file=/etc/mysql/pw speed",
            "mysql -uroot -p speed",
            "mysql --password={{db_password}} speed",
            "PGPASSWORD=$PGPASS psql",
            "find /var -name '*.log' -print",
            "docker run -u 1000:1000 app",
            "ssh -p 2222 db",
        ] {
            assert_eq!(r.redact(text), text);
        }
    }

    #[test]
    fn clones_share_secrets_learned_later() {
        let screen = Redactor::default();
        let journal = screen.clone();
        screen.clone().add_secret_value("typed-at-a-prompt");
        assert_eq!(journal.redact("echo typed-at-a-prompt"), "echo ***");
    }

    #[test]
    fn secret_values_and_extra_patterns() {
        let mut r = Redactor::new(&[r"TKN-[0-9]{6}".to_string()]).unwrap_or_default();
        r.add_secret_value("correct horse");
        assert_eq!(
            r.redact("key TKN-123456 and correct horse"),
            "key *** and ***"
        );
    }
}
