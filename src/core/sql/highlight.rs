//! Syntax colouring for the SQL editor, from the same tokenizer that splits statements (so a
//! `;` that looks like a string on screen is one for the splitter too).

use super::lex::{Tok, tokenize};
use crate::core::inventory::Driver;
use std::ops::Range;

/// How a piece of SQL is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A keyword of [`KEYWORDS`].
    Keyword,
    /// A quoted string: `'…'`, `"…"`, `$$…$$`.
    String,
    /// A number literal.
    Number,
    /// A comment.
    Comment,
    /// A bind placeholder: `?`, `$1`.
    Placeholder,
    /// Identifiers (bare or backtick-quoted), operators, punctuation.
    Other,
}

/// The words coloured as keywords (upper case; matched case-insensitively).
pub const KEYWORDS: &[&str] = &[
    "ALL",
    "ALTER",
    "AND",
    "AS",
    "ASC",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CALL",
    "CASE",
    "CAST",
    "COMMIT",
    "CREATE",
    "CROSS",
    "DATABASE",
    "DEFAULT",
    "DELETE",
    "DESC",
    "DESCRIBE",
    "DISTINCT",
    "DROP",
    "ELSE",
    "END",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FOR",
    "FOREIGN",
    "FROM",
    "FULL",
    "GRANT",
    "GROUP",
    "HAVING",
    "IF",
    "IGNORE",
    "IN",
    "INDEX",
    "INNER",
    "INSERT",
    "INTERVAL",
    "INTO",
    "IS",
    "JOIN",
    "KEY",
    "LEFT",
    "LIKE",
    "LIMIT",
    "LOCK",
    "NOT",
    "NULL",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "PRIMARY",
    "REFERENCES",
    "RELEASE",
    "RENAME",
    "REPLACE",
    "RETURNING",
    "REVOKE",
    "RIGHT",
    "ROLLBACK",
    "SAVEPOINT",
    "SCHEMA",
    "SELECT",
    "SET",
    "SHOW",
    "START",
    "TABLE",
    "THEN",
    "TO",
    "TRANSACTION",
    "TRUE",
    "TRUNCATE",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USE",
    "USING",
    "VALUES",
    "VIEW",
    "WHEN",
    "WHERE",
    "WITH",
];

fn kind_of(text: &str, tok: Tok) -> Option<TokenKind> {
    Some(match tok {
        Tok::Space => return None,
        Tok::Comment | Tok::ExecMark => TokenKind::Comment,
        Tok::Str | Tok::DoubleQuoted | Tok::Dollar => TokenKind::String,
        Tok::Number => TokenKind::Number,
        Tok::Placeholder => TokenKind::Placeholder,
        Tok::Word if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(text)) => TokenKind::Keyword,
        Tok::Word | Tok::Backtick | Tok::Semi | Tok::Open | Tok::Close | Tok::Punct => {
            TokenKind::Other
        }
    })
}

/// The coloured pieces of `line_or_buffer` (byte ranges; whitespace is left out), in order.
///
/// Called on one line, a block comment or quoted string that began on an earlier line is not
/// known: the line is coloured as if it were code. [`highlight_lines`] gets that right for the
/// whole editor at once. Comments and quotes are read as `driver`'s server reads them.
pub fn highlight(line_or_buffer: &str, driver: Driver) -> Vec<(std::ops::Range<usize>, TokenKind)> {
    tokenize(line_or_buffer, driver)
        .into_iter()
        .filter_map(|t| Some((t.range.clone(), kind_of(t.text(line_or_buffer), t.kind)?)))
        .collect()
}

/// The coloured pieces of each line of the editor (ranges are byte ranges within each line):
/// the lines are lexed together, so a block comment or string spanning lines is coloured on
/// all of them.
pub fn highlight_lines<S: AsRef<str>>(
    lines: &[S],
    driver: Driver,
) -> Vec<Vec<(Range<usize>, TokenKind)>> {
    let mut buffer = String::new();
    let mut starts = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            buffer.push('\n');
        }
        starts.push(buffer.len());
        buffer.push_str(line.as_ref());
    }
    let mut out: Vec<Vec<(Range<usize>, TokenKind)>> = vec![Vec::new(); lines.len()];
    for (range, kind) in highlight(&buffer, driver) {
        // Each line the token touches gets its part of it.
        let first = starts
            .partition_point(|&s| s <= range.start)
            .saturating_sub(1);
        for (n, &start) in starts.iter().enumerate().skip(first) {
            if start >= range.end && n > first {
                break;
            }
            let end = start + lines[n].as_ref().len();
            let (a, b) = (range.start.max(start), range.end.min(end));
            if a < b {
                out[n].push((a - start..b - start, kind));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(src: &str) -> Vec<(&str, TokenKind)> {
        highlight(src, Driver::Mysql)
            .into_iter()
            .map(|(r, k)| (&src[r], k))
            .collect()
    }

    #[test]
    fn colours_each_kind() {
        use TokenKind::*;
        assert_eq!(
            pieces("SELECT a, 'x' FROM t where id = ? and n > 1.5 -- c"),
            vec![
                ("SELECT", Keyword),
                ("a", Other),
                (",", Other),
                ("'x'", String),
                ("FROM", Keyword),
                ("t", Other),
                ("where", Keyword),
                ("id", Other),
                ("=", Other),
                ("?", Placeholder),
                ("and", Keyword),
                ("n", Other),
                (">", Other),
                ("1.5", Number),
                ("-- c", Comment),
            ]
        );
    }

    #[test]
    fn keywords_need_whole_words() {
        use TokenKind::*;
        let src = "selected `select` \"from\" $1 $$x$$ /* where */";
        assert_eq!(
            highlight(src, Driver::Sqlite)
                .into_iter()
                .map(|(r, k)| (&src[r], k))
                .collect::<Vec<_>>()[1],
            ("`select`", Other),
            "a SQLite identifier"
        );
        let src = "selected \"from\" $1 $$x$$ /* where */";
        assert_eq!(
            highlight(src, Driver::Postgres)
                .into_iter()
                .map(|(r, k)| (&src[r], k))
                .collect::<Vec<_>>(),
            vec![
                ("selected", Other),
                ("\"from\"", String),
                ("$1", Placeholder),
                ("$$x$$", String),
                ("/* where */", Comment),
            ]
        );
    }

    #[test]
    fn every_listed_keyword_is_coloured() {
        for k in KEYWORDS {
            assert_eq!(pieces(k), vec![(*k, TokenKind::Keyword)], "{k}");
            let lower = k.to_lowercase();
            assert_eq!(
                highlight(&lower, Driver::Mysql)[0].1,
                TokenKind::Keyword,
                "{lower}"
            );
        }
    }

    #[test]
    fn a_line_alone_does_not_know_an_open_comment() {
        // Documented approximation of the per-line API …
        assert_eq!(
            highlight("still comment */ select", Driver::Mysql)[0].1,
            TokenKind::Other
        );
        // … which highlight_lines does not have.
        let lines = ["select /* a", "still comment */ select", "'x", "y' from"];
        let out = highlight_lines(&lines, Driver::Mysql);
        assert_eq!(out.len(), 4);
        assert_eq!(
            out[0],
            vec![(0..6, TokenKind::Keyword), (7..11, TokenKind::Comment)]
        );
        assert_eq!(
            out[1],
            vec![(0..16, TokenKind::Comment), (17..23, TokenKind::Keyword)]
        );
        assert_eq!(out[2], vec![(0..2, TokenKind::String)]);
        assert_eq!(
            out[3],
            vec![(0..2, TokenKind::String), (3..7, TokenKind::Keyword)]
        );
        assert_eq!(
            highlight_lines::<&str>(&[], Driver::Mysql),
            Vec::<Vec<_>>::new()
        );
        assert_eq!(
            highlight_lines(&["", "select"], Driver::Mysql)[1],
            vec![(0..6, TokenKind::Keyword)]
        );
    }

    #[test]
    fn ranges_are_char_boundaries_with_wide_text() {
        let src = "select '接口' from 表";
        for (r, _) in highlight(src, Driver::Mysql) {
            assert!(src.is_char_boundary(r.start) && src.is_char_boundary(r.end));
        }
        assert_eq!(pieces(src)[3], ("表", TokenKind::Other));
    }
}
