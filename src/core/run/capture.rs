//! Taking a value out of a command's output into a variable (`capture = { variable, regex }`).
//!
//! The output is read line by line, top to bottom, and the **first** line that matches wins:
//! listings such as `ls -t` put the newest file first, so the first match is the newest. The
//! value is the regex's first group that took part in the match, else the whole match; a
//! match that yields an empty value does not count.

use crate::core::playbook::Capture;
use regex::Regex;

/// Why nothing was captured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// No line of the output gave a value.
    #[error("capture `{variable}` matched nothing in {lines} lines of output")]
    NoMatch {
        /// The variable that was to receive the value.
        variable: String,
        /// How many lines were read.
        lines: usize,
    },
    /// The regex does not compile (validation normally stops this earlier).
    #[error("capture `{variable}`: invalid regex: {reason}")]
    InvalidRegex {
        /// The variable.
        variable: String,
        /// The compiler's message.
        reason: String,
    },
}

/// The value `capture` takes from `output` (see the module notes for which one).
pub fn capture(capture: &Capture, output: &str) -> Result<String, CaptureError> {
    let regex = Regex::new(&capture.regex).map_err(|e| CaptureError::InvalidRegex {
        variable: capture.variable.clone(),
        reason: e.to_string(),
    })?;
    let mut lines = 0;
    for line in output.lines() {
        lines += 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some(caps) = regex.captures(line) else {
            continue;
        };
        let value = caps
            .iter()
            .skip(1)
            .flatten()
            .next()
            .or_else(|| caps.get(0))
            .map_or("", |m| m.as_str());
        if !value.is_empty() {
            return Ok(value.to_string());
        }
    }
    Err(CaptureError::NoMatch {
        variable: capture.variable.clone(),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(regex: &str) -> Capture {
        Capture {
            variable: "backup_file".into(),
            regex: regex.into(),
        }
    }

    #[test]
    fn first_line_of_ls_t_is_the_newest_file() {
        let output =
            "/shell/sql_backup/speed-20261121.sql\r\n/shell/sql_backup/speed-20261120.sql\n";
        assert_eq!(
            capture(&cap(r"(\S+\.sql)"), output),
            Ok("/shell/sql_backup/speed-20261121.sql".into())
        );
    }

    #[test]
    fn whole_match_without_a_group_and_optional_groups() {
        assert_eq!(capture(&cap(r"\d+"), "pid 4242\n"), Ok("4242".into()));
        assert_eq!(
            capture(&cap(r"(a)?(b+)"), "xbbx"),
            Ok("bb".into()),
            "the first group that took part"
        );
    }

    #[test]
    fn no_match_says_how_much_was_read() {
        let err = capture(&cap(r"(\S+\.sql)"), "ls: cannot access\nnothing\n\n");
        assert_eq!(
            err.map_err(|e| e.to_string()),
            Err("capture `backup_file` matched nothing in 3 lines of output".into())
        );
        assert!(matches!(
            capture(&cap(r"(x*)"), "abc"),
            Err(CaptureError::NoMatch { lines: 1, .. })
        ));
        assert!(matches!(
            capture(&cap(r"(unclosed"), "abc"),
            Err(CaptureError::InvalidRegex { .. })
        ));
    }
}
