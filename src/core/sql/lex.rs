//! The one SQL tokenizer behind statement splitting, classification, danger checks, reselects
//! and highlighting. It lexes the way the database at hand does, because a comment or string
//! boundary read differently from the server lets a write hide inside what looks like a read.
//! It never fails (an unterminated string or comment runs to the end of the text and is marked
//! [`Token::open`]), and every byte of the input is in exactly one token.
//!
//! Per driver:
//! - MySQL/MariaDB: `#` starts a line comment; `--` does only when followed by whitespace or a
//!   control character (`1--1` is arithmetic); `/* */` does not nest; `/*! … */`,
//!   `/*!50000 … */` and `/*M! … */` are *executable* comments: their content is lexed as code
//!   (their markers are [`Tok::ExecMark`]); backslash escapes count inside `'…'` and `"…"` (a
//!   string, not an identifier, by default). Whether they count depends on the server's
//!   `NO_BACKSLASH_ESCAPES`: [`tokenize_other_escapes`] lexes without them so callers can
//!   refuse text whose meaning hangs on that setting.
//! - PostgreSQL: no `#` comment (`#`, `#>` are operators); `--` always; `/* */` nests;
//!   `$$…$$` / `$tag$…$tag$` dollar quotes; `E'…'` honours backslash escapes, plain `'…'`
//!   does not (`standard_conforming_strings` on, the default since 9.1; a session can turn it
//!   off, which [`tokenize_other_escapes`] lexes).
//! - SQLite: no `#` comment; `--` always; `/* */` does not nest; no backslash escapes;
//!   `"…"`, `` `…` `` and `[…]` are identifiers.

use crate::core::inventory::Driver;
use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    /// Spaces, tabs, newlines.
    Space,
    /// `-- …`, `# …` (MySQL) or `/* … */`.
    Comment,
    /// The `/*!`, `/*!50000`, `/*M!` opening a MySQL executable comment, or its closing `*/`:
    /// not code itself, but what it wraps is.
    ExecMark,
    /// `'…'` (and PostgreSQL's `E'…'`).
    Str,
    /// `"…"`: an identifier in PostgreSQL/SQLite, a string in MySQL by default.
    DoubleQuoted,
    /// `` `…` `` (MySQL, SQLite) or `[…]` (SQLite): a quoted identifier.
    Backtick,
    /// `$$…$$` / `$tag$…$tag$` (PostgreSQL).
    Dollar,
    /// A number: `12`, `1.5`, `.5`, `1e-3`, `0x1F`.
    Number,
    /// `?` or `$1`.
    Placeholder,
    /// An unquoted identifier or keyword.
    Word,
    /// `;`.
    Semi,
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// Any other character.
    Punct,
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub range: Range<usize>,
    /// A string, quoted identifier, dollar quote or comment that the text ends inside of (or a
    /// MySQL executable comment left open): what the server makes of it cannot be judged.
    pub open: bool,
}

impl Token {
    /// Whitespace, a comment or an executable comment's marker: nothing the server acts on.
    pub fn is_trivia(&self) -> bool {
        matches!(self.kind, Tok::Space | Tok::Comment | Tok::ExecMark)
    }

    /// Its text in `src`.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.range.clone()]
    }

    /// Whether it is the word `word` (ASCII case-insensitive).
    pub fn is_word(&self, src: &str, word: &str) -> bool {
        self.kind == Tok::Word && self.text(src).eq_ignore_ascii_case(word)
    }
}

fn is_word_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || (!c.is_ascii() && !c.is_whitespace())
}

fn is_word_char(c: char) -> bool {
    is_word_start(c) || c.is_ascii_digit() || c == '$'
}

/// Every token of `src` as `driver`'s server reads it, in order, covering it entirely.
pub(crate) fn tokenize(src: &str, driver: Driver) -> Vec<Token> {
    lex(src, driver, false)
}

/// `src` lexed with the server's other setting for backslashes in strings: MySQL with
/// `NO_BACKSLASH_ESCAPES` (a backslash escapes nothing), PostgreSQL with
/// `standard_conforming_strings` off (a backslash escapes in plain `'…'` too). Where this
/// differs from [`tokenize`], the text means different things depending on a setting the
/// session may have changed. `None` for SQLite, which has no such setting.
pub(crate) fn tokenize_other_escapes(src: &str, driver: Driver) -> Option<Vec<Token>> {
    (driver != Driver::Sqlite).then(|| lex(src, driver, true))
}

/// `other_escapes`: see [`tokenize_other_escapes`].
fn lex(src: &str, driver: Driver, other_escapes: bool) -> Vec<Token> {
    let mysql = driver == Driver::Mysql;
    let postgres = driver == Driver::Postgres;
    // Whether a backslash escapes in `'…'` (and, on MySQL, `"…"`).
    let backslash = (mysql && !other_escapes) || (postgres && other_escapes);
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    // Inside a MySQL executable comment: its `*/` closes it.
    let mut exec = false;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        let mut open = false;
        let kind = match b {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => {
                // Not `is_ascii_whitespace`, which leaves out the vertical tab (0x0b): the token
                // would stay empty and the lexer would never move on.
                while i < bytes.len()
                    && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
                {
                    i += 1;
                }
                Tok::Space
            }
            b'-' if next == Some(b'-')
                && (!mysql || bytes.get(i + 2).is_some_and(|&c| c <= b' ' || c == 0x7f)) =>
            {
                i = line_end(bytes, i);
                Tok::Comment
            }
            b'#' if mysql => {
                i = line_end(bytes, i);
                Tok::Comment
            }
            b'*' if exec && next == Some(b'/') => {
                exec = false;
                i += 2;
                Tok::ExecMark
            }
            b'/' if next == Some(b'*') && mysql && !exec && exec_marker(bytes, i).is_some() => {
                i = exec_marker(bytes, i).unwrap_or(i + 2);
                exec = true;
                Tok::ExecMark
            }
            b'/' if next == Some(b'*') && exec => {
                // A comment inside an executable comment: which `*/` closes which depends on
                // the server's version (nesting is deprecated and read differently over time),
                // and a `;` inside it may or may not be code. Not judged.
                let (end, _) = block_comment_end(bytes, i, postgres);
                i = end;
                open = true;
                Tok::Comment
            }
            b'/' if next == Some(b'*') => {
                let (end, closed) = block_comment_end(bytes, i, postgres);
                i = end;
                open = !closed;
                Tok::Comment
            }
            b'\'' => {
                let (end, closed) = quoted_end(bytes, i, b'\'', backslash);
                i = end;
                open = !closed;
                Tok::Str
            }
            b'"' => {
                let (end, closed) = quoted_end(bytes, i, b'"', mysql && backslash);
                i = end;
                open = !closed;
                Tok::DoubleQuoted
            }
            b'`' if !postgres => {
                let (end, closed) = quoted_end(bytes, i, b'`', false);
                i = end;
                open = !closed;
                Tok::Backtick
            }
            b'[' if driver == Driver::Sqlite => {
                match bytes[i..].iter().position(|&c| c == b']') {
                    Some(p) => i += p + 1,
                    None => {
                        i = bytes.len();
                        open = true;
                    }
                }
                Tok::Backtick
            }
            b'$' => match dollar_tag(src, i).filter(|_| postgres) {
                Some(tag_end) => {
                    let tag = &bytes[i..tag_end];
                    match find(bytes, tag_end, tag) {
                        Some(e) => i = e + tag.len(),
                        None => {
                            i = bytes.len();
                            open = true;
                        }
                    }
                    Tok::Dollar
                }
                None if next.is_some_and(|n| n.is_ascii_digit()) => {
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                    Tok::Placeholder
                }
                None => {
                    i += 1;
                    Tok::Punct
                }
            },
            b'?' => {
                i += 1;
                Tok::Placeholder
            }
            b';' => {
                i += 1;
                Tok::Semi
            }
            b'(' => {
                i += 1;
                Tok::Open
            }
            b')' => {
                i += 1;
                Tok::Close
            }
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                Tok::Number
            }
            b'.' if next.is_some_and(|n| n.is_ascii_digit()) => {
                i = number_end(bytes, i);
                Tok::Number
            }
            // PostgreSQL's escape string: `E'…'` honours backslashes.
            b'E' | b'e' if postgres && next == Some(b'\'') => {
                let (end, closed) = quoted_end(bytes, i + 1, b'\'', true);
                i = end;
                open = !closed;
                Tok::Str
            }
            _ => {
                // Not ASCII-special: a word or one (possibly multi-byte) character.
                let c = src[i..].chars().next().unwrap_or('\0');
                if is_word_start(c) {
                    i += c.len_utf8();
                    while let Some(c) = src[i..].chars().next() {
                        if !is_word_char(c) {
                            break;
                        }
                        i += c.len_utf8();
                    }
                    Tok::Word
                } else {
                    i += c.len_utf8().max(1);
                    Tok::Punct
                }
            }
        };
        out.push(Token {
            kind,
            range: start..i,
            open,
        });
    }
    if exec && let Some(last) = out.last_mut() {
        // The executable comment never closed: the server's reading is anyone's guess.
        last.open = true;
    }
    out
}

/// When a MySQL executable comment opens at `i` (`/*!`, `/*!50000`, `/*M!`, `/*M!100100`),
/// the end of its opening marker.
fn exec_marker(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 2;
    if bytes.get(j) == Some(&b'M') {
        j += 1;
    }
    if bytes.get(j) != Some(&b'!') {
        return None;
    }
    j += 1;
    while j < bytes.len() && bytes[j].is_ascii_digit() {
        j += 1;
    }
    Some(j)
}

/// Just past the `*/` closing the block comment at `i` (nesting counted when `nests`), and
/// whether it closed at all.
fn block_comment_end(bytes: &[u8], i: usize, nests: bool) -> (usize, bool) {
    let mut depth = 1;
    let mut j = i + 2;
    while j + 1 < bytes.len() {
        if bytes[j] == b'*' && bytes[j + 1] == b'/' {
            depth -= 1;
            j += 2;
            if depth == 0 {
                return (j, true);
            }
        } else if nests && bytes[j] == b'/' && bytes[j + 1] == b'*' {
            depth += 1;
            j += 2;
        } else {
            j += 1;
        }
    }
    (bytes.len(), false)
}

/// The index of the newline ending the line that holds `i` (or the end).
fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from > bytes.len() || needle.is_empty() {
        return None;
    }
    bytes[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// Just past the closing `quote` of the quoted text starting at `i`, and whether it closed; a
/// doubled quote is part of the text, and so is a backslash-escaped character when
/// `backslash`.
fn quoted_end(bytes: &[u8], i: usize, quote: u8, backslash: bool) -> (usize, bool) {
    let mut j = i + 1;
    while j < bytes.len() {
        let b = bytes[j];
        if backslash && b == b'\\' {
            j += 2;
        } else if b == quote {
            if bytes.get(j + 1) == Some(&quote) {
                j += 2;
            } else {
                return (j + 1, true);
            }
        } else {
            j += 1;
        }
    }
    (bytes.len(), false)
}

/// When a dollar quote opens at `i` (`$$` or `$tag$`), the end of its opening tag.
fn dollar_tag(src: &str, i: usize) -> Option<usize> {
    let rest = &src[i + 1..];
    for (k, c) in rest.char_indices() {
        if c == '$' {
            return Some(i + 1 + k + 1);
        }
        let ok = if k == 0 {
            c.is_alphabetic() || c == '_'
        } else {
            c.is_alphanumeric() || c == '_'
        };
        if !ok {
            return None;
        }
    }
    None
}

fn number_end(bytes: &[u8], i: usize) -> usize {
    let mut j = i;
    if bytes[j] == b'0' && matches!(bytes.get(j + 1), Some(b'x' | b'X')) {
        j += 2;
        while j < bytes.len() && bytes[j].is_ascii_hexdigit() {
            j += 1;
        }
        return j;
    }
    while j < bytes.len() && bytes[j].is_ascii_digit() {
        j += 1;
    }
    if bytes.get(j) == Some(&b'.') {
        j += 1;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
    }
    if matches!(bytes.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(bytes.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        if bytes.get(k).is_some_and(u8::is_ascii_digit) {
            j = k;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
        }
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;
    use Driver::{Mysql, Postgres, Sqlite};

    fn kinds(src: &str, driver: Driver) -> Vec<(Tok, &str)> {
        tokenize(src, driver)
            .into_iter()
            .filter(|t| t.kind != Tok::Space)
            .map(|t| (t.kind, &src[t.range]))
            .collect()
    }

    fn open(src: &str, driver: Driver) -> bool {
        tokenize(src, driver).iter().any(|t| t.open)
    }

    #[test]
    fn tokens_cover_the_whole_input() {
        let src =
            "select 'a;''b', \"x\\\"y\", `c``d` -- c;\n/* ; */ $tag$ ; $tag$ $1 ? 1.5e3 接口;";
        for driver in [Mysql, Postgres, Sqlite] {
            let toks = tokenize(src, driver);
            let mut at = 0;
            for t in &toks {
                assert_eq!(t.range.start, at);
                at = t.range.end;
            }
            assert_eq!(at, src.len());
        }
        let src = "select 'a;''b', `c``d` -- c;\n/* ; */ $tag$ ; $tag$ $1;";
        let semis = |d| {
            tokenize(src, d)
                .iter()
                .filter(|t| t.kind == Tok::Semi)
                .count()
        };
        assert_eq!(semis(Postgres), 1, "{:?}", kinds(src, Postgres));
        // No dollar quotes outside PostgreSQL.
        assert_eq!(semis(Mysql), 2, "{:?}", kinds(src, Mysql));
    }

    /// Found by the `sql_guard` fuzz target: a vertical tab made an empty token the lexer never
    /// moved past, and memory ran out.
    #[test]
    fn a_vertical_tab_is_whitespace_and_the_lexer_moves_on() {
        for driver in [Mysql, Postgres, Sqlite] {
            let toks = tokenize("TRUNCATE\0\x0b t", driver);
            assert!(toks.iter().all(|t| !t.range.is_empty()));
            assert_eq!(
                kinds("TRUNCATE\x0b\x0b t", driver),
                vec![(Tok::Word, "TRUNCATE"), (Tok::Word, "t")]
            );
        }
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(
            kinds(r"'it''s' 'a\'b' x", Mysql),
            vec![
                (Tok::Str, "'it''s'"),
                (Tok::Str, r"'a\'b'"),
                (Tok::Word, "x")
            ]
        );
        // Standard strings: a backslash is just a character.
        for d in [Postgres, Sqlite] {
            assert_eq!(
                kinds(r"'\' x", d),
                vec![(Tok::Str, r"'\'"), (Tok::Word, "x")]
            );
        }
        assert_eq!(
            kinds(r"E'a\'b' e'\\' x", Postgres),
            vec![
                (Tok::Str, r"E'a\'b'"),
                (Tok::Str, r"e'\\'"),
                (Tok::Word, "x")
            ]
        );
        assert_eq!(kinds("`a``b`", Mysql)[0], (Tok::Backtick, "`a``b`"));
        assert_eq!(kinds("[a;b] x", Sqlite)[0], (Tok::Backtick, "[a;b]"));
        assert_eq!(kinds("a[1]", Postgres)[1], (Tok::Punct, "["));
        assert_eq!(kinds("'open", Mysql)[0], (Tok::Str, "'open"));
        assert_eq!(
            kinds(r"'a\'b'", Mysql),
            vec![(Tok::Str, r"'a\'b'")],
            "default MySQL"
        );
        let strict: Vec<_> = tokenize_other_escapes(r"'a\'b'", Mysql)
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.kind, t.open))
            .collect();
        assert_eq!(
            strict,
            vec![(Tok::Str, false), (Tok::Word, false), (Tok::Str, true)],
            "NO_BACKSLASH_ESCAPES"
        );
        let off = tokenize_other_escapes(r"'\' x", Postgres).unwrap_or_default();
        assert!(
            off.iter().any(|t| t.open),
            "standard_conforming_strings off"
        );
        assert!(tokenize_other_escapes("'a'", Sqlite).is_none());
    }

    #[test]
    fn unterminated_tokens_are_open() {
        for d in [Mysql, Postgres, Sqlite] {
            assert!(open("select 'a", d));
            assert!(open("select \"a", d));
            assert!(open("select 1 /* x", d));
            assert!(!open("select 'a' /* b */ \"c\"", d));
        }
        assert!(open("select $x$ a", Postgres));
        assert!(open("select /* /* */ x", Postgres));
        assert!(!open("select /* /* */ x", Mysql));
        assert!(open("select /*! 1", Mysql));
        assert!(open("select /*! 1 /* x */ */", Mysql));
        assert!(open("select /*! 1 /*! 2 */ */", Mysql));
        assert!(open("select [a", Sqlite));
        assert!(open("select `a", Sqlite));
        assert!(open(r"select 'a\'", Mysql));
        assert!(!open(r"select 'a\'", Sqlite));
        assert!(!open(r"select 'a\'", Postgres));
        assert!(open(r"select E'a\'", Postgres));
    }

    #[test]
    fn dollar_quotes_and_placeholders() {
        assert_eq!(
            kinds("$$a;b$$ $fn$ x $$ y $fn$ $12 $", Postgres),
            vec![
                (Tok::Dollar, "$$a;b$$"),
                (Tok::Dollar, "$fn$ x $$ y $fn$"),
                (Tok::Placeholder, "$12"),
                (Tok::Punct, "$"),
            ]
        );
        assert_eq!(kinds("a$b", Postgres)[0], (Tok::Word, "a$b"));
        assert_eq!(kinds("$$;", Sqlite)[2], (Tok::Semi, ";"));
    }

    #[test]
    fn comments_by_dialect() {
        assert_eq!(
            kinds("a # x;\nb -- y;\nc /* z; */ d", Mysql),
            vec![
                (Tok::Word, "a"),
                (Tok::Comment, "# x;"),
                (Tok::Word, "b"),
                (Tok::Comment, "-- y;"),
                (Tok::Word, "c"),
                (Tok::Comment, "/* z; */"),
                (Tok::Word, "d"),
            ]
        );
        for d in [Postgres, Sqlite] {
            assert_eq!(
                kinds("a #x; b", d),
                vec![
                    (Tok::Word, "a"),
                    (Tok::Punct, "#"),
                    (Tok::Word, "x"),
                    (Tok::Semi, ";"),
                    (Tok::Word, "b"),
                ]
            );
            assert_eq!(kinds("a--x;", d)[1], (Tok::Comment, "--x;"));
        }
        // MySQL: `--` needs whitespace or a control character after it.
        assert_eq!(
            kinds("id<id--1;", Mysql),
            vec![
                (Tok::Word, "id"),
                (Tok::Punct, "<"),
                (Tok::Word, "id"),
                (Tok::Punct, "-"),
                (Tok::Punct, "-"),
                (Tok::Number, "1"),
                (Tok::Semi, ";"),
            ]
        );
        assert_eq!(kinds("a --\tb", Mysql)[1], (Tok::Comment, "--\tb"));
        // PostgreSQL block comments nest; MySQL's and SQLite's end at the first `*/`.
        assert_eq!(
            kinds("/* /* */ x */ y", Postgres),
            vec![(Tok::Comment, "/* /* */ x */"), (Tok::Word, "y")]
        );
        assert_eq!(kinds("/* /* */ x */ y", Sqlite)[1], (Tok::Word, "x"));
    }

    #[test]
    fn mysql_executable_comments_are_code() {
        assert_eq!(
            kinds(
                "select /*!50000 1; drop table t */ /*M! 2 */ /*+ hint */",
                Mysql
            ),
            vec![
                (Tok::Word, "select"),
                (Tok::ExecMark, "/*!50000"),
                (Tok::Number, "1"),
                (Tok::Semi, ";"),
                (Tok::Word, "drop"),
                (Tok::Word, "table"),
                (Tok::Word, "t"),
                (Tok::ExecMark, "*/"),
                (Tok::ExecMark, "/*M!"),
                (Tok::Number, "2"),
                (Tok::ExecMark, "*/"),
                (Tok::Comment, "/*+ hint */"),
            ]
        );
        assert_eq!(kinds("/*! x */", Postgres)[0], (Tok::Comment, "/*! x */"));
    }

    #[test]
    fn numbers() {
        assert_eq!(
            kinds("1 2.5 .5 1e-3 0xFF 3e", Mysql),
            vec![
                (Tok::Number, "1"),
                (Tok::Number, "2.5"),
                (Tok::Number, ".5"),
                (Tok::Number, "1e-3"),
                (Tok::Number, "0xFF"),
                (Tok::Number, "3"),
                (Tok::Word, "e"),
            ]
        );
    }
}
