//! Which log lines a view shows: an include and an exclude regular expression.

use crate::ui::logs::ring::LogLine;
use regex::Regex;

/// The include and exclude patterns of the Logs pane. Markers (a tail that ended, a gap)
/// always pass: a filter must never hide that lines are missing.
#[derive(Debug, Clone, Default)]
pub struct LineFilter {
    /// Only lines matching this are shown.
    pub include: Option<Regex>,
    /// Lines matching this are hidden.
    pub exclude: Option<Regex>,
}

impl LineFilter {
    /// Whether any pattern is set.
    pub fn is_active(&self) -> bool {
        self.include.is_some() || self.exclude.is_some()
    }

    /// Whether the line is shown.
    pub fn accepts(&self, line: &LogLine) -> bool {
        line.marker
            || (self.include.as_ref().is_none_or(|r| r.is_match(&line.text))
                && self
                    .exclude
                    .as_ref()
                    .is_none_or(|r| !r.is_match(&line.text)))
    }

    /// `/include/ · not /exclude/`, or empty when no pattern is set.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(r) = &self.include {
            parts.push(format!("/{}/", r.as_str()));
        }
        if let Some(r) = &self.exclude {
            parts.push(format!("not /{}/", r.as_str()));
        }
        parts.join(" · ")
    }
}

/// Compiles a pattern typed by the operator; the error is one readable line.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| {
        let text = e.to_string();
        let reason = text
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error: "))
            .unwrap_or(text.trim())
            .to_string();
        format!("invalid regular expression: {reason}")
    })
}

/// One regex matching any of `patterns` (None when there are none); patterns that do not
/// compile are left out.
pub fn any_of(patterns: &[String]) -> Option<Regex> {
    let valid: Vec<String> = patterns
        .iter()
        .filter(|p| Regex::new(p).is_ok())
        .map(|p| format!("(?:{p})"))
        .collect();
    if valid.is_empty() {
        return None;
    }
    Regex::new(&valid.join("|")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, marker: bool) -> LogLine {
        LogLine {
            seq: 0,
            at_ms: 0,
            text: text.into(),
            highlighted: false,
            marker,
        }
    }

    #[test]
    fn include_exclude_and_markers() {
        let filter = LineFilter {
            include: compile("50[23]").ok(),
            exclude: compile("health").ok(),
        };
        assert!(filter.accepts(&line("GET / 502", false)));
        assert!(!filter.accepts(&line("GET /health 502", false)));
        assert!(!filter.accepts(&line("GET / 200", false)));
        assert!(filter.accepts(&line("── tail ended ──", true)));
        assert_eq!(filter.describe(), "/50[23]/ · not /health/");
        assert!(!LineFilter::default().is_active());
    }

    #[test]
    fn compile_errors_are_one_line() {
        let err = compile("(unclosed").err().unwrap_or_default();
        assert_eq!(err, "invalid regular expression: unclosed group");
    }

    #[test]
    fn any_of_keeps_each_pattern_flags_to_itself() {
        let r = any_of(&["(?i)error".into(), "OOM".into(), "(bad".into()]);
        let r = r.map(|r| (r.is_match("ERROR x"), r.is_match("oom"), r.is_match("OOM")));
        assert_eq!(r, Some((true, false, true)));
        assert!(any_of(&[]).is_none());
    }
}
