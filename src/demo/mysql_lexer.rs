//! Splits MySQL text into the tokens [`crate::demo::mysql_to_sqlite`] rewrites: enough of
//! MySQL's lexical rules to never mistake a quote, comment or `;` inside a string for SQL.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Spaces, tabs, newlines.
    Space,
    /// `-- …` to the end of the line, or `/* … */`.
    Comment,
    /// `/*! … */`: SQL only MySQL runs (mysqldump's version-gated settings).
    MysqlOnly,
    /// `'…'` or `"…"` (a string in MySQL's default mode), as written.
    Str,
    /// `` `…` ``: a quoted identifier.
    Quoted,
    /// A keyword, bare identifier or number.
    Word,
    /// Any other single character: `(`, `)`, `,`, `;`, `.`, `=`…
    Punct,
}

/// One token: its kind and its text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub text: String,
}

impl Token {
    /// Whether it is the word `word` (any case) or the punctuation `word`.
    pub fn is(&self, word: &str) -> bool {
        matches!(self.kind, Kind::Word | Kind::Punct) && self.text.eq_ignore_ascii_case(word)
    }

    /// Whether it is SQL rather than space or a comment.
    pub fn is_code(&self) -> bool {
        !matches!(self.kind, Kind::Space | Kind::Comment)
    }

    /// The identifier it names, unquoted (`` `speed` `` and `speed` both give `speed`).
    pub fn ident(&self) -> Option<&str> {
        match self.kind {
            Kind::Word => Some(&self.text),
            Kind::Quoted => Some(self.text.trim_matches('`')),
            _ => None,
        }
    }
}

/// The tokens of `sql`, in order; concatenating their texts gives `sql` back.
pub(crate) fn tokenize(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (kind, end) = token_at(&chars, i);
        tokens.push(Token {
            kind,
            text: chars[i..end].iter().collect(),
        });
        i = end;
    }
    tokens
}

/// The kind of the token starting at `i` and where it ends (exclusive).
fn token_at(chars: &[char], i: usize) -> (Kind, usize) {
    let c = chars[i];
    let next = chars.get(i + 1).copied();
    match c {
        _ if c.is_whitespace() => (Kind::Space, run_end(chars, i, char::is_whitespace)),
        '-' if next == Some('-') => (Kind::Comment, run_end(chars, i, |c| c != '\n')),
        '/' if next == Some('*') => {
            let end = block_comment_end(chars, i + 2);
            let kind = if chars.get(i + 2) == Some(&'!') {
                Kind::MysqlOnly
            } else {
                Kind::Comment
            };
            (kind, end)
        }
        '\'' | '"' => (Kind::Str, quoted_end(chars, i, c, true)),
        '`' => (Kind::Quoted, quoted_end(chars, i, '`', false)),
        _ if is_word_char(c) => (Kind::Word, run_end(chars, i, is_word_char)),
        _ => (Kind::Punct, i + 1),
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// The end of the run of characters from `i` that satisfy `keep`.
fn run_end(chars: &[char], i: usize, keep: impl Fn(char) -> bool) -> usize {
    chars[i..]
        .iter()
        .position(|&c| !keep(c))
        .map_or(chars.len(), |n| i + n)
}

/// The end of a `/* … */` comment whose text starts at `from`; an unclosed one runs to the end.
fn block_comment_end(chars: &[char], from: usize) -> usize {
    (from..chars.len().saturating_sub(1))
        .find(|&j| chars[j] == '*' && chars[j + 1] == '/')
        .map_or(chars.len(), |j| j + 2)
}

/// The end of the quoted token opening at `i` with `quote`: a doubled quote stays inside, and
/// so does a backslash-escaped character when `backslash` (MySQL strings).
fn quoted_end(chars: &[char], i: usize, quote: char, backslash: bool) -> usize {
    let mut j = i + 1;
    while j < chars.len() {
        match chars[j] {
            '\\' if backslash => j += 2,
            c if c == quote && chars.get(j + 1) == Some(&quote) => j += 2,
            c if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    chars.len()
}

/// The value of a MySQL string token (`'it''s'`, `'it\'s'` and `"it's"` all give `it's`).
pub(crate) fn string_value(token: &str) -> String {
    let mut chars = token.chars();
    let quote = chars.next().unwrap_or('\'');
    let inner: Vec<char> = chars.collect();
    let inner = match inner.split_last() {
        Some((&last, rest)) if last == quote => rest,
        _ => &inner[..],
    };
    let mut out = String::with_capacity(inner.len());
    let mut k = 0;
    while k < inner.len() {
        match (inner[k], inner.get(k + 1).copied()) {
            ('\\', Some(e)) => {
                match e {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'b' => out.push('\u{8}'),
                    'Z' => out.push('\u{1a}'),
                    '0' => out.push('\0'),
                    '%' | '_' => {
                        out.push('\\');
                        out.push(e);
                    }
                    other => out.push(other),
                }
                k += 2;
            }
            (c, Some(n)) if c == quote && n == quote => {
                out.push(quote);
                k += 2;
            }
            (c, _) => {
                out.push(c);
                k += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<(Kind, String)> {
        tokenize(sql)
            .into_iter()
            .filter(|t| t.kind != Kind::Space)
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn strings_comments_and_quoted_names_hide_their_semicolons() {
        let sql = "INSERT INTO `a;b` VALUES ('x;\\'y', \"z\"\"\"); -- c;d\n/*!40101 SET x=1 */;";
        let tokens = kinds(sql);
        let semicolons = tokens.iter().filter(|(k, t)| *k == Kind::Punct && t == ";");
        assert_eq!(semicolons.count(), 2);
        assert!(tokens.contains(&(Kind::Quoted, "`a;b`".into())));
        assert!(tokens.contains(&(Kind::Str, "'x;\\'y'".into())));
        assert!(tokens.contains(&(Kind::Str, "\"z\"\"\"".into())));
        assert!(tokens.contains(&(Kind::Comment, "-- c;d".into())));
        assert!(tokens.contains(&(Kind::MysqlOnly, "/*!40101 SET x=1 */".into())));
        let text: String = tokenize(sql).into_iter().map(|t| t.text).collect();
        assert_eq!(text, sql);
    }

    #[test]
    fn string_values_undo_mysql_escapes() {
        assert_eq!(string_value("'it''s'"), "it's");
        assert_eq!(string_value("'it\\'s'"), "it's");
        assert_eq!(string_value("\"it's\""), "it's");
        assert_eq!(string_value("'a\\nb\\\\c\\%'"), "a\nb\\c\\%");
        assert_eq!(
            string_value("'用户日志表（仅记录第一次事件)'"),
            "用户日志表（仅记录第一次事件)"
        );
    }

    #[test]
    fn unclosed_tokens_run_to_the_end() {
        assert_eq!(kinds("'abc"), [(Kind::Str, "'abc".to_string())]);
        assert_eq!(kinds("/* abc"), [(Kind::Comment, "/* abc".to_string())]);
    }
}
