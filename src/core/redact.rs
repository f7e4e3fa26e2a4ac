//! Secret redaction, applied before text reaches the journal, the screen or the log file.

use regex::Regex;

/// What redacted text shows in place of a secret.
pub const MASK: &str = "***";

/// Replaces secrets in text: passwords in URLs, `-p'…'` and `--password=…` in commands,
/// `PASSWORD=…` assignments, known secret values, and configured patterns.
#[derive(Debug, Clone)]
pub struct Redactor {
    /// Patterns whose capture group 1 (or whole match) is a secret.
    patterns: Vec<Regex>,
    /// Exact secret values (e.g. variables marked secret).
    values: Vec<String>,
}

/// Built-in patterns; group `s` is the secret part.
const BUILT_IN: &[&str] = &[
    // scheme://user:PASSWORD@host
    r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:(?P<s>[^@\s/]+)@",
    // mysql -p'secret' / -p"secret" / -psecret
    r#"(?:^|\s)-p(?P<s>'[^']*'|"[^"]*"|[^\s'"]+)"#,
    // --password=secret / --password secret
    r#"--password(?:=|\s+)(?P<s>'[^']*'|"[^"]*"|\S+)"#,
    // PASSWORD=secret, MYSQL_PWD=secret, api_token: secret
    r#"(?i)\b[a-z0-9_]*(?:password|passwd|pwd|secret|token)[a-z0-9_]*\s*[=:]\s*(?P<s>'[^']*'|"[^"]*"|[^\s'",;]+)"#,
];

impl Default for Redactor {
    fn default() -> Self {
        Self::new(&[]).unwrap_or(Self {
            patterns: Vec::new(),
            values: Vec::new(),
        })
    }
}

impl Redactor {
    /// The built-in patterns plus extra ones; fails on an invalid extra pattern.
    pub fn new(extra: &[String]) -> Result<Self, regex::Error> {
        let mut patterns = Vec::new();
        for p in BUILT_IN
            .iter()
            .copied()
            .chain(extra.iter().map(String::as_str))
        {
            patterns.push(Regex::new(p)?);
        }
        Ok(Self {
            patterns,
            values: Vec::new(),
        })
    }

    /// Also redact this exact value wherever it appears (ignored when empty or very short,
    /// which would mask ordinary text).
    pub fn add_secret_value(&mut self, value: &str) {
        if value.chars().count() >= 3 && !self.values.iter().any(|v| v == value) {
            self.values.push(value.to_string());
        }
    }

    /// The text with every secret replaced by [`MASK`].
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), MASK);
            }
        }
        for pattern in &self.patterns {
            if !pattern.is_match(&out) {
                continue;
            }
            out = pattern
                .replace_all(&out, |caps: &regex::Captures<'_>| {
                    let whole = caps.get(0).map_or("", |m| m.as_str());
                    let secret = caps
                        .name("s")
                        .or_else(|| caps.get(1))
                        .or_else(|| caps.get(0));
                    match (secret, caps.get(0)) {
                        (Some(s), Some(m)) => {
                            let (start, end) = (s.start() - m.start(), s.end() - m.start());
                            format!("{}{MASK}{}", &whole[..start], &whole[end..])
                        }
                        _ => whole.to_string(),
                    }
                })
                .into_owned();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn secret_values_and_extra_patterns() {
        let mut r = Redactor::new(&[r"AKIA[0-9A-Z]{16}".to_string()]).unwrap_or_default();
        r.add_secret_value("correct horse");
        assert_eq!(
            r.redact("key AKIAABCDEFGHIJKLMNOP and correct horse"),
            "key *** and ***"
        );
    }
}
