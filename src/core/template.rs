//! `{{name}}` placeholders in playbook commands and SQL: finding them and filling them in, and
//! (in [`shell_text`] and [`sql_text`]) what a placeholder stands in for where it sits in a
//! shell command or an SQL statement. A leaf of the core: the playbook check and the step
//! runner both read it.

pub mod shell_scan;
pub mod shell_text;
pub mod sql_text;

use std::ops::Range;

/// One `{{name}}` placeholder: the variable name and its byte range in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// The variable name, trimmed (`host.public_ip` for host facts).
    pub name: String,
    /// Byte range of the whole `{{ … }}` in the text.
    pub range: Range<usize>,
}

/// Every placeholder in `text`, in order. An unclosed `{{` is not a placeholder.
pub fn placeholders(text: &str) -> Vec<Placeholder> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| i + from) {
        let Some(close) = text[open + 2..].find("}}").map(|i| i + open + 2) else {
            break;
        };
        found.push(Placeholder {
            name: text[open + 2..close].trim().to_string(),
            range: open..close + 2,
        });
        from = close + 2;
    }
    found
}

/// The byte offset of a `{{` that no `}}` closes, if there is one.
pub fn unclosed(text: &str) -> Option<usize> {
    let from = placeholders(text).last().map_or(0, |p| p.range.end);
    text[from..].find("{{").map(|i| i + from)
}

/// Replaces each placeholder by what `value` returns for its name; names it has no value for
/// are left as written, so the operator sees what is still missing.
pub fn fill(text: &str, mut value: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for p in placeholders(text) {
        out.push_str(&text[last..p.range.start]);
        match value(&p.name) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&text[p.range.clone()]),
        }
        last = p.range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// Quotes a value for a POSIX shell so it is always one literal word.
pub fn shell_quote(value: &str) -> String {
    let safe = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
    if safe {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders_with_spaces() {
        let found = placeholders("ip='{{ failed_ip }}' and {{host.public_ip}} {{unclosed");
        let names: Vec<_> = found.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["failed_ip", "host.public_ip"]);
    }

    #[test]
    fn unclosed_braces_are_found() {
        assert_eq!(unclosed("a {{x}} b {{y"), Some(10));
        assert_eq!(unclosed("{{x}} }} {"), None);
        assert_eq!(
            unclosed("{{ {{x}}"),
            None,
            "the first `{{` is closed by the `}}`"
        );
        assert_eq!(unclosed("{{x}}{{"), Some(5));
    }

    #[test]
    fn fill_leaves_unknown_names_visible() {
        let out = fill("mysql < {{file}} # {{other}}", |n| {
            (n == "file").then(|| "/shell/sql_backup/speed-1.sql".to_string())
        });
        assert_eq!(out, "mysql < /shell/sql_backup/speed-1.sql # {{other}}");
    }

    #[test]
    fn hostile_value_stays_one_shell_word() {
        let quoted = shell_quote("'; rm -rf / #");
        assert_eq!(quoted, r"''\''; rm -rf / #'");
        assert_eq!(shell_quote("10.0.0.1"), "10.0.0.1");
        assert_eq!(shell_quote(""), "''");
    }
}
