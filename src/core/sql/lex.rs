//! The one SQL tokenizer behind statement splitting, classification, danger checks, reselects
//! and highlighting: dialect-agnostic, never fails (an unterminated string or comment runs to
//! the end of the text), every byte of the input is in exactly one token.
//!
//! Choices where the dialects disagree:
//! - `--` starts a comment even without a following space (PostgreSQL; MySQL needs the space,
//!   so MySQL's `1--1` lexes differently — nobody types that at an incident).
//! - `#` starts a comment (MySQL) unless followed by `>` or `-` (PostgreSQL's `#>`, `#>>`, `#-`
//!   JSON operators).
//! - Backslash escapes inside quotes are honoured (MySQL, PostgreSQL `E'…'`), as is doubling.
//! - `/* */` comments do not nest (MySQL).
//! - `$$…$$` and `$tag$…$tag$` are PostgreSQL dollar quotes; `$1` is a placeholder.

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    /// Spaces, tabs, newlines.
    Space,
    /// `-- …`, `# …` or `/* … */`.
    Comment,
    /// `'…'`.
    Str,
    /// `"…"`: an identifier in PostgreSQL/SQLite, a string in MySQL by default.
    DoubleQuoted,
    /// `` `…` ``: a MySQL identifier.
    Backtick,
    /// `$$…$$` / `$tag$…$tag$`.
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
}

impl Token {
    /// Whitespace or a comment: nothing the server acts on.
    pub fn is_trivia(&self) -> bool {
        matches!(self.kind, Tok::Space | Tok::Comment)
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

/// Every token of `src`, in order, covering it entirely.
pub(crate) fn tokenize(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        let kind = match b {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => {
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                Tok::Space
            }
            b'-' if next == Some(b'-') => {
                i = line_end(bytes, i);
                Tok::Comment
            }
            b'#' if !matches!(next, Some(b'>' | b'-')) => {
                i = line_end(bytes, i);
                Tok::Comment
            }
            b'/' if next == Some(b'*') => {
                i = find(bytes, i + 2, b"*/").map_or(bytes.len(), |e| e + 2);
                Tok::Comment
            }
            b'\'' => {
                i = quoted_end(bytes, i, b'\'', true);
                Tok::Str
            }
            b'"' => {
                i = quoted_end(bytes, i, b'"', true);
                Tok::DoubleQuoted
            }
            b'`' => {
                i = quoted_end(bytes, i, b'`', false);
                Tok::Backtick
            }
            b'$' => match dollar_tag(src, i) {
                Some(tag_end) => {
                    let tag = &bytes[i..tag_end];
                    i = find(bytes, tag_end, tag).map_or(bytes.len(), |e| e + tag.len());
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
        });
    }
    out
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

/// Just past the closing `quote` of the quoted text starting at `i`; a doubled quote is part
/// of the text, and so is a backslash-escaped character when `backslash`.
fn quoted_end(bytes: &[u8], i: usize, quote: u8, backslash: bool) -> usize {
    let mut j = i + 1;
    while j < bytes.len() {
        let b = bytes[j];
        if backslash && b == b'\\' {
            j += 2;
        } else if b == quote {
            if bytes.get(j + 1) == Some(&quote) {
                j += 2;
            } else {
                return j + 1;
            }
        } else {
            j += 1;
        }
    }
    bytes.len()
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

    fn kinds(src: &str) -> Vec<(Tok, &str)> {
        tokenize(src)
            .into_iter()
            .filter(|t| t.kind != Tok::Space)
            .map(|t| (t.kind, &src[t.range]))
            .collect()
    }

    #[test]
    fn tokens_cover_the_whole_input() {
        let src =
            "select 'a;''b', \"x\\\"y\", `c``d` -- c;\n/* ; */ $tag$ ; $tag$ $1 ? 1.5e3 接口;";
        let toks = tokenize(src);
        let mut at = 0;
        for t in &toks {
            assert_eq!(t.range.start, at);
            at = t.range.end;
        }
        assert_eq!(at, src.len());
        let semis = toks.iter().filter(|t| t.kind == Tok::Semi).count();
        assert_eq!(semis, 1, "{:?}", kinds(src));
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(
            kinds(r"'it''s' 'a\'b' x"),
            vec![
                (Tok::Str, "'it''s'"),
                (Tok::Str, r"'a\'b'"),
                (Tok::Word, "x")
            ]
        );
        assert_eq!(kinds("`a``b`")[0], (Tok::Backtick, "`a``b`"));
        assert_eq!(kinds("'open")[0], (Tok::Str, "'open"));
    }

    #[test]
    fn dollar_quotes_and_placeholders() {
        assert_eq!(
            kinds("$$a;b$$ $fn$ x $$ y $fn$ $12 $"),
            vec![
                (Tok::Dollar, "$$a;b$$"),
                (Tok::Dollar, "$fn$ x $$ y $fn$"),
                (Tok::Placeholder, "$12"),
                (Tok::Punct, "$"),
            ]
        );
        assert_eq!(kinds("a$b")[0], (Tok::Word, "a$b"));
    }

    #[test]
    fn comments() {
        assert_eq!(
            kinds("a # x;\nb -- y;\nc /* z; */ d data #> e"),
            vec![
                (Tok::Word, "a"),
                (Tok::Comment, "# x;"),
                (Tok::Word, "b"),
                (Tok::Comment, "-- y;"),
                (Tok::Word, "c"),
                (Tok::Comment, "/* z; */"),
                (Tok::Word, "d"),
                (Tok::Word, "data"),
                (Tok::Punct, "#"),
                (Tok::Punct, ">"),
                (Tok::Word, "e"),
            ]
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(
            kinds("1 2.5 .5 1e-3 0xFF 3e"),
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
