//! Whether a `WHERE` condition holds for every row whatever the data — `1=1`, `1`, `true`,
//! `'a'='a'`, `id = id`, `NOT 1 = 0`, `status = 1 OR 1 = 1` — so that the dangerous-statement
//! guard treats such a `WHERE` as missing. It only says yes when it is sure: a condition it
//! cannot evaluate (any column compared with a value, a function call, a placeholder) is not
//! constant, and neither is `1=1 AND id=3`.

use super::lex::{Tok, Token};

/// How deep parentheses and `NOT`s are followed before giving up (a condition nested deeper is
/// not judged constant).
const MAX_DEPTH: usize = 64;

/// What a condition is for every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    /// True whatever the row.
    True,
    /// False whatever the row.
    False,
    /// Depends on the row, NULL, or not understood.
    Unknown,
}

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// Whether the condition tokens `cond` (code only: no whitespace or comments) are true for
/// every row.
pub(crate) fn always_true(sql: &str, cond: &[Token]) -> bool {
    truth(sql, cond, 0) == Truth::True
}

fn truth(sql: &str, toks: &[Token], depth: usize) -> Truth {
    if toks.is_empty() || depth > MAX_DEPTH {
        return Truth::Unknown;
    }
    // OR binds loosest, then AND: a part that is True decides an OR, one that is False an AND.
    for (word, decides) in [("OR", Truth::True), ("AND", Truth::False)] {
        let parts = split_top(sql, toks, word);
        if parts.len() > 1 {
            let truths: Vec<Truth> = parts.iter().map(|p| truth(sql, p, depth + 1)).collect();
            return if truths.contains(&decides) {
                decides
            } else if truths.iter().all(|t| *t == decides.not()) {
                decides.not()
            } else {
                Truth::Unknown
            };
        }
    }
    if toks[0].is_word(sql, "NOT") {
        return truth(sql, &toks[1..], depth + 1).not();
    }
    if let Some(inner) = wrapped(toks) {
        return truth(sql, inner, depth + 1);
    }
    comparison(sql, toks)
}

/// The parts of `toks` between `word`s at parenthesis depth 0. Splitting on `AND`, the one
/// that belongs to a `BETWEEN` is not a separator.
fn split_top<'a>(sql: &str, toks: &'a [Token], word: &str) -> Vec<&'a [Token]> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut between = false;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Tok::Open => depth += 1,
            Tok::Close => depth -= 1,
            Tok::Word if depth == 0 && t.is_word(sql, "BETWEEN") => between = true,
            Tok::Word if depth == 0 && t.is_word(sql, word) => {
                if word.eq_ignore_ascii_case("AND") && between {
                    between = false;
                } else {
                    parts.push(&toks[start..i]);
                    start = i + 1;
                }
            }
            _ => {}
        }
    }
    parts.push(&toks[start..]);
    parts
}

/// The inside of `( … )` when the first `(` closes at the last token.
fn wrapped(toks: &[Token]) -> Option<&[Token]> {
    if toks.first()?.kind != Tok::Open || toks.last()?.kind != Tok::Close {
        return None;
    }
    let mut depth = 0i32;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth -= 1;
                if depth == 0 {
                    return (i == toks.len() - 1).then(|| &toks[1..i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// A constant the condition compares.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Number(f64),
    Text(String),
    Null,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
enum Operand {
    /// A literal.
    Value(Value),
    /// A column (`id`, `t.id`, `` `id` ``, `"id"`), as written, case folded for bare words.
    Column(String),
}

fn comparison(sql: &str, toks: &[Token]) -> Truth {
    // `x IS [NOT] NULL|TRUE|FALSE`
    if let Some(is) = toks.iter().position(|t| t.is_word(sql, "IS")) {
        let Some(Operand::Value(left)) = operand(sql, &toks[..is]) else {
            return Truth::Unknown;
        };
        let (negated, rest) = match toks.get(is + 1) {
            Some(t) if t.is_word(sql, "NOT") => (true, &toks[is + 2..]),
            _ => (false, &toks[is + 1..]),
        };
        let [what] = rest else {
            return Truth::Unknown;
        };
        let holds = if what.is_word(sql, "NULL") {
            left == Value::Null
        } else if what.is_word(sql, "TRUE") {
            matches!(left, Value::Number(n) if n != 0.0)
        } else if what.is_word(sql, "FALSE") {
            matches!(left, Value::Number(n) if n == 0.0)
        } else {
            return Truth::Unknown;
        };
        return if holds != negated {
            Truth::True
        } else {
            Truth::False
        };
    }
    let Some((op, at, len)) = operator(sql, toks) else {
        // A lone value: MySQL's `WHERE 1`, `WHERE true`.
        return match operand(sql, toks) {
            Some(Operand::Value(Value::Number(n))) if n != 0.0 => Truth::True,
            Some(Operand::Value(Value::Number(_))) => Truth::False,
            _ => Truth::Unknown,
        };
    };
    let (Some(left), Some(right)) = (operand(sql, &toks[..at]), operand(sql, &toks[at + len..]))
    else {
        return Truth::Unknown;
    };
    let ordering = match (&left, &right) {
        (Operand::Column(a), Operand::Column(b)) if a == b => std::cmp::Ordering::Equal,
        (Operand::Value(a), Operand::Value(b)) => match compare(a, b, &op) {
            Some(o) => o,
            None => return Truth::Unknown,
        },
        _ => return Truth::Unknown,
    };
    use std::cmp::Ordering::*;
    let holds = match op.as_str() {
        "=" | "==" | "<=>" => ordering == Equal,
        "<>" | "!=" => ordering != Equal,
        "<" => ordering == Less,
        ">" => ordering == Greater,
        "<=" => ordering != Greater,
        ">=" => ordering != Less,
        _ => return Truth::Unknown,
    };
    if holds { Truth::True } else { Truth::False }
}

/// The comparison operator at depth 0 (adjacent `<`, `>`, `=`, `!` characters): its text,
/// index and token count. None when there is none, or more than one.
fn operator(sql: &str, toks: &[Token]) -> Option<(String, usize, usize)> {
    let is_op = |t: &Token| t.kind == Tok::Punct && matches!(t.text(sql), "<" | ">" | "=" | "!");
    let mut found = None;
    let mut i = 0;
    while i < toks.len() {
        if !is_op(&toks[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < toks.len() && is_op(&toks[j]) && toks[j].range.start == toks[j - 1].range.end {
            j += 1;
        }
        if found.is_some() {
            return None;
        }
        let text = sql[toks[i].range.start..toks[j - 1].range.end].to_string();
        found = Some((text, i, j - i));
        i = j;
    }
    found
}

/// Two constants in order (NULL compares to nothing; text with a number as a number, as
/// MySQL does; text with text ignoring ASCII case, as MySQL's default collations do, and only
/// for equality).
fn compare(a: &Value, b: &Value, op: &str) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Null, Value::Null) if op == "<=>" => Some(std::cmp::Ordering::Equal),
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(y),
        (Value::Text(s), Value::Number(y)) => s.trim().parse::<f64>().ok()?.partial_cmp(y),
        (Value::Number(x), Value::Text(s)) => x.partial_cmp(&s.trim().parse::<f64>().ok()?),
        (Value::Text(s), Value::Text(t)) if matches!(op, "=" | "==" | "<=>" | "<>" | "!=") => {
            Some(if s.eq_ignore_ascii_case(t) {
                std::cmp::Ordering::Equal
            } else {
                std::cmp::Ordering::Less
            })
        }
        _ => None,
    }
}

/// A literal or a plain column reference; None for anything else.
fn operand(sql: &str, toks: &[Token]) -> Option<Operand> {
    match toks {
        [t] if t.kind == Tok::Number => {
            number(t.text(sql)).map(|n| Operand::Value(Value::Number(n)))
        }
        [sign, t]
            if t.kind == Tok::Number
                && sign.kind == Tok::Punct
                && matches!(sign.text(sql), "-" | "+") =>
        {
            let n = number(t.text(sql))?;
            Some(Operand::Value(Value::Number(if sign.text(sql) == "-" {
                -n
            } else {
                n
            })))
        }
        [t] if t.kind == Tok::Str => text(t.text(sql)).map(|s| Operand::Value(Value::Text(s))),
        [t] if t.is_word(sql, "TRUE") => Some(Operand::Value(Value::Number(1.0))),
        [t] if t.is_word(sql, "FALSE") => Some(Operand::Value(Value::Number(0.0))),
        [t] if t.is_word(sql, "NULL") => Some(Operand::Value(Value::Null)),
        _ => column(sql, toks).map(Operand::Column),
    }
}

/// `a`, `t.a`, `` `t`.`a` ``, `"a"`: identifiers joined by `.`.
fn column(sql: &str, toks: &[Token]) -> Option<String> {
    let mut name = String::new();
    for (i, t) in toks.iter().enumerate() {
        let fits = if i % 2 == 1 {
            t.kind == Tok::Punct && t.text(sql) == "."
        } else {
            matches!(t.kind, Tok::Word | Tok::Backtick | Tok::DoubleQuoted)
                && !["NULL", "TRUE", "FALSE", "NOT", "IS"]
                    .iter()
                    .any(|k| t.is_word(sql, k))
        };
        if !fits {
            return None;
        }
        match t.kind {
            Tok::Word => name.push_str(&t.text(sql).to_ascii_lowercase()),
            _ => name.push_str(t.text(sql)),
        }
    }
    (!toks.is_empty() && toks.len() % 2 == 1).then_some(name)
}

fn number(text: &str) -> Option<f64> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok().map(|n| n as f64),
        None => text.parse().ok(),
    }
}

/// The value of a `'…'` literal without escapes; None when it has backslashes (their meaning
/// depends on the server's settings) or is unterminated.
fn text(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('\'')?.strip_suffix('\'')?;
    if inner.contains('\\') {
        return None;
    }
    Some(inner.replace("''", "'"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sql::lex::tokenize;

    fn judge(cond: &str) -> bool {
        let toks: Vec<Token> = tokenize(cond, crate::core::inventory::Driver::Mysql)
            .into_iter()
            .filter(|t| !t.is_trivia())
            .collect();
        always_true(cond, &toks)
    }

    #[test]
    fn constant_true_conditions() {
        for cond in [
            "1=1",
            "1",
            "true",
            "TRUE",
            "'a'='a'",
            "'a' = 'A'",
            "(1=1)",
            "((1 = 1))",
            "1 = 1 -- always",
            "NOT 1 = 0",
            "NOT (1=0)",
            "1 <> 2",
            "1 != 2",
            "2 > 1",
            "1 >= 1",
            "-1 < 0",
            "0x10 = 16",
            "'1' = 1",
            "id = id",
            "t.id = T.ID",
            "`id` = `id`",
            "1=1 AND 2=2",
            "1=1 AND (true)",
            "id = 3 OR 1=1",
            "1=1 OR id = 3",
            "(id = 3 AND name = 'x') OR 'a'='a'",
            "NULL IS NULL",
            "1 IS NOT NULL",
            "1 IS TRUE",
            "NULL <=> NULL",
            "x BETWEEN 1 AND 5 OR 1",
            "'it''s' = 'it''s'",
        ] {
            assert!(judge(cond), "{cond} is always true");
        }
    }

    #[test]
    fn conditions_that_depend_on_the_row_or_are_never_true() {
        for cond in [
            "1=1 AND id=3",
            "id=3 AND 1=1",
            "id = 3",
            "ip = '198.51.100.86'",
            "0",
            "false",
            "1 = 0",
            "NOT 1 = 1",
            "NOT (1=1)",
            "'a' = 'b'",
            "NULL = NULL",
            "NOT (NULL = 1)",
            "id = id2",
            "? = ?",
            "$1 = $1",
            "rand() = rand()",
            "'a' < 'b'",
            "'a\\'' = 'a\\''",
            "1 = 1 = 1",
            "1=1 XOR 1=1",
            "x BETWEEN 1 AND 5",
            "CURRENT OF c",
            "",
            "(",
            "()",
            ") OR (",
            "OR",
            "1 IS",
            "NOT",
        ] {
            assert!(!judge(cond), "{cond:?} is not always true");
        }
    }

    #[test]
    fn deep_nesting_gives_up_instead_of_overflowing() {
        let cond = format!("{}1=1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(!judge(&cond));
        let cond = format!("{}1=0", "NOT ".repeat(10_000));
        assert!(!judge(&cond));
    }
}
