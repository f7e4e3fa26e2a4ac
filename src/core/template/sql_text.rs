//! Where a `{{placeholder}}` sits in a SQL statement: only where a value goes (outside quotes
//! and comments) can it become a bind parameter.

use crate::core::template::{Placeholder, placeholders};
use std::fmt;

/// What surrounds a placeholder in SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlContext {
    /// Where a value may stand: it becomes a bind parameter.
    Code,
    /// Inside a `'…'` string literal.
    SingleQuoted,
    /// Inside `"…"` (a string in MySQL, an identifier in PostgreSQL).
    DoubleQuoted,
    /// Inside a `` `…` `` identifier.
    Backticked,
    /// Inside a `-- …` or `/* … */` comment.
    Comment,
}

impl fmt::Display for SqlContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SqlContext::Code => "SQL code",
            SqlContext::SingleQuoted => "a quoted SQL string literal",
            SqlContext::DoubleQuoted => "a double-quoted SQL string or identifier",
            SqlContext::Backticked => "a backquoted SQL identifier",
            SqlContext::Comment => "a SQL comment",
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    Single,
    Double,
    Backtick,
    LineComment,
    BlockComment,
}

impl State {
    fn context(self) -> SqlContext {
        match self {
            State::Code => SqlContext::Code,
            State::Single => SqlContext::SingleQuoted,
            State::Double => SqlContext::DoubleQuoted,
            State::Backtick => SqlContext::Backticked,
            State::LineComment | State::BlockComment => SqlContext::Comment,
        }
    }
}

/// Every placeholder of a statement with what surrounds it, in order. Quotes are closed by the
/// same quote; a doubled quote (`''`) and a backslash escape stay inside the string.
pub fn sql_placeholders(sql: &str) -> Vec<(Placeholder, SqlContext)> {
    let bytes = sql.as_bytes();
    let mut state = State::Code;
    let mut pos = 0;
    let mut out = Vec::new();
    for p in placeholders(sql) {
        state = scan(bytes, pos, p.range.start, state);
        pos = p.range.end;
        out.push((p, state.context()));
    }
    out
}

/// The placeholders that are not where a value goes (the ones that cannot be bound).
pub fn misplaced_sql_placeholders(sql: &str) -> Vec<(Placeholder, SqlContext)> {
    sql_placeholders(sql)
        .into_iter()
        .filter(|(_, context)| *context != SqlContext::Code)
        .collect()
}

fn scan(bytes: &[u8], from: usize, to: usize, mut state: State) -> State {
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let mut i = from;
    while i < to {
        let (b, next) = (at(i), at(i + 1));
        match state {
            State::Code => match (b, next) {
                (b'\'', _) => state = State::Single,
                (b'"', _) => state = State::Double,
                (b'`', _) => state = State::Backtick,
                (b'-', b'-') => state = State::LineComment,
                (b'/', b'*') => {
                    state = State::BlockComment;
                    i += 1;
                }
                _ => {}
            },
            State::Single | State::Double => {
                let quote = if state == State::Single { b'\'' } else { b'"' };
                if b == b'\\' || (b == quote && next == quote) {
                    i += 1;
                } else if b == quote {
                    state = State::Code;
                }
            }
            State::Backtick => match (b, next) {
                (b'`', b'`') => i += 1,
                (b'`', _) => state = State::Code,
                _ => {}
            },
            State::LineComment => {
                if b == b'\n' {
                    state = State::Code;
                }
            }
            State::BlockComment => {
                if b == b'*' && next == b'/' {
                    state = State::Code;
                    i += 1;
                }
            }
        }
        i += 1;
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contexts(sql: &str) -> Vec<SqlContext> {
        sql_placeholders(sql).into_iter().map(|(_, c)| c).collect()
    }

    #[test]
    fn bare_placeholders_are_code() {
        assert_eq!(
            contexts("update t set status=2 where ip={{ip}} and n > {{n}}"),
            [SqlContext::Code, SqlContext::Code]
        );
    }

    #[test]
    fn quoted_and_commented_placeholders_are_found() {
        use SqlContext::*;
        assert_eq!(
            contexts("select '{{a}}', \"{{b}}\", `{{c}}` -- {{d}}\n, {{e}} /* {{f}} */ {{g}}"),
            [
                SingleQuoted,
                DoubleQuoted,
                Backticked,
                Comment,
                Code,
                Comment,
                Code
            ]
        );
    }

    #[test]
    fn escaped_quotes_stay_inside_the_string() {
        use SqlContext::*;
        assert_eq!(
            contexts(r"select 'it''s {{a}}', 'a\'{{b}}', 'done' = {{c}}"),
            [SingleQuoted, SingleQuoted, Code]
        );
        assert_eq!(
            contexts("COMMENT '用户日志表（仅记录第一次事件)' where x = {{x}}"),
            [Code]
        );
    }

    #[test]
    fn only_misplaced_ones_are_reported() {
        let found = misplaced_sql_placeholders("where ip = '{{ip}}' and id = {{id}}");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0.name, "ip");
        assert_eq!(found[0].0.range.start, 12);
    }
}
