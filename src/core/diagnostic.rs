//! Errors in user files, located as `file:line:column` with what was expected.

use std::fmt;
use std::ops::Range;

/// One problem found in a user-supplied file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in, as the user named it.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters (so CJK text counts one per character).
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What would have been accepted, when that can be said.
    pub expected: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.path, self.line, self.column, self.message
        )?;
        if let Some(expected) = &self.expected {
            write!(f, "\n  expected: {expected}")?;
        }
        Ok(())
    }
}

/// A file's text, kept to turn byte offsets into line and column.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user named it.
    pub path: String,
    /// Its full text.
    pub text: String,
}

impl SourceFile {
    /// Wraps a file's text for diagnostics.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }

    /// Line and column (both 1-based, column in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// A diagnostic at the start of a byte span (or at the top of the file when there is none).
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        expected: Option<String>,
    ) -> Diagnostic {
        let (line, column) = span.map_or((1, 1), |s| self.line_column(s.start));
        Diagnostic {
            path: self.path.clone(),
            line,
            column,
            message: message.into(),
            expected,
        }
    }

    /// Turns a TOML parse or shape error into a diagnostic.
    pub fn toml_error(&self, err: &toml::de::Error) -> Diagnostic {
        let (message, expected) = split_expected(err.message().trim());
        self.error(err.span(), message, expected)
    }
}

/// serde says "unknown field `x`, expected one of `a`, `b`": lift the expectation out so it is
/// printed on its own line like the rest of our diagnostics.
fn split_expected(message: &str) -> (String, Option<String>) {
    match message.split_once(", expected ") {
        Some((what, expected)) => (what.to_string(), Some(expected.to_string())),
        None => (message.to_string(), None),
    }
}

/// Collects every problem of one file, so a validation pass reports them all at once.
#[derive(Debug)]
pub struct Collector<'a> {
    src: &'a SourceFile,
    found: Vec<Diagnostic>,
}

impl<'a> Collector<'a> {
    /// An empty collector for `src`.
    pub fn new(src: &'a SourceFile) -> Self {
        Self {
            src,
            found: Vec::new(),
        }
    }

    /// Records a problem at a byte span.
    pub fn error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        expected: Option<&str>,
    ) {
        let diagnostic = self
            .src
            .error(Some(span), message, expected.map(str::to_string));
        self.found.push(diagnostic);
    }

    /// The value when nothing was found, or every problem in file order.
    pub fn finish<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.found.is_empty() {
            Ok(value)
        } else {
            Err(Diagnostics::sorted(self.found))
        }
    }
}

/// Several diagnostics from one validation pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl Diagnostics {
    /// Diagnostics in file order (line, then column).
    pub fn sorted(mut found: Vec<Diagnostic>) -> Self {
        found.sort_by_key(|d| (d.line, d.column));
        Self(found)
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Self(vec![d])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters_not_bytes() {
        let src = SourceFile::new("x.toml", "a = 1\ntitle = \"主应用\" x\n");
        let offset = src.text.find(" x").unwrap_or(0) + 1;
        assert_eq!(src.line_column(offset), (2, 15));
        assert_eq!(src.line_column(0), (1, 1));
        assert_eq!(src.line_column(10_000), (3, 1));
    }

    #[test]
    fn offset_inside_a_multibyte_char_does_not_panic() {
        let src = SourceFile::new("x.toml", "主");
        assert_eq!(src.line_column(1), (1, 1));
    }
}
