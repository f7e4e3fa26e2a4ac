//! Whether a `WHERE` condition holds for every row whatever the data — `1=1`, `1`, `true`,
//! `'a'='a'`, `id = id`, `NOT 1 = 0`, `status = 1 OR 1 = 1` — so that the dangerous-statement
//! guard treats such a `WHERE` as missing. It only says yes when it is sure: a condition it
//! cannot evaluate (any column compared with a value, a function call, a placeholder) is not
//! constant, and neither is `1=1 AND id=3`.

use super::lex::{Tok, Token};
use sqlparser::ast::{
    BinaryOperator, Expr, GroupByExpr, Ident, InTarget, Query, SetExpr, UnaryOperator,
    Value as SqlValue,
};

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
/// MySQL does; text with text only for equality, and not when they differ only in case).
fn compare(a: &Value, b: &Value, op: &str) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Null, Value::Null) if op == "<=>" => Some(std::cmp::Ordering::Equal),
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(y),
        (Value::Text(s), Value::Number(y)) => s.trim().parse::<f64>().ok()?.partial_cmp(y),
        (Value::Number(x), Value::Text(s)) => x.partial_cmp(&s.trim().parse::<f64>().ok()?),
        // `'a' = 'A'` depends on the collation: neither equal nor unequal for sure.
        (Value::Text(s), Value::Text(t)) if matches!(op, "=" | "==" | "<=>" | "<>" | "!=") => {
            if s == t {
                Some(std::cmp::Ordering::Equal)
            } else if s.eq_ignore_ascii_case(t) {
                None
            } else {
                Some(std::cmp::Ordering::Less)
            }
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

/// Whether the parsed condition `e` holds for every row whatever the data, by evaluating it:
/// literals, arithmetic, comparisons, `AND`/`OR`/`XOR`/`NOT`, `IS [NOT] NULL|TRUE|FALSE`,
/// `IN (…)`, `BETWEEN`, `LIKE`, `EXISTS (SELECT …)` with no `FROM`, and a column compared with
/// itself. Anything it cannot evaluate (a function, a placeholder, a column against a value, a
/// subquery reading a table) is not constant. It only claims "true" when it is sure, and
/// claims "false" only when no row can make it true.
pub(crate) fn expr_always_true(e: &Expr) -> bool {
    ast_truth(e, 0) == Truth::True
}

/// A value the parsed condition computes.
#[derive(Debug, Clone, PartialEq)]
enum Const {
    Value(Value),
    /// A column, by its name as written (bare names case folded).
    Column(String),
    /// Depends on the row, or not understood.
    Unknown,
}

fn ast_truth(e: &Expr, depth: usize) -> Truth {
    if depth > MAX_DEPTH {
        return Truth::Unknown;
    }
    let d = depth + 1;
    match e {
        Expr::Nested(inner) => ast_truth(inner, d),
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr,
        } => ast_truth(expr, d).not(),
        Expr::BinaryOp { left, op, right } => match op {
            BinaryOperator::And => combine(ast_truth(left, d), ast_truth(right, d), Truth::False),
            BinaryOperator::Or => combine(ast_truth(left, d), ast_truth(right, d), Truth::True),
            BinaryOperator::Xor => match (ast_truth(left, d), ast_truth(right, d)) {
                (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
                (a, b) => truth_of(a != b),
            },
            _ => truthy(&eval(e, d)),
        },
        Expr::IsNull(x) | Expr::IsNotNull(x) => {
            let negated = matches!(e, Expr::IsNotNull(_));
            match eval(x, d) {
                Const::Value(Value::Null) => truth_of(!negated),
                Const::Value(_) => truth_of(negated),
                _ => Truth::Unknown,
            }
        }
        Expr::IsTrue(x) | Expr::IsNotTrue(x) | Expr::IsFalse(x) | Expr::IsNotFalse(x) => {
            let want = if matches!(e, Expr::IsTrue(_) | Expr::IsNotTrue(_)) {
                Truth::True
            } else {
                Truth::False
            };
            let negated = matches!(e, Expr::IsNotTrue(_) | Expr::IsNotFalse(_));
            match (ast_truth(x, d), eval(x, d)) {
                // NULL is neither true nor false.
                (_, Const::Value(Value::Null)) => truth_of(negated),
                (Truth::Unknown, _) => Truth::Unknown,
                (t, _) => truth_of((t == want) != negated),
            }
        }
        Expr::IsNotDistinctFrom(a, b) | Expr::IsDistinctFrom(a, b) => {
            let negated = matches!(e, Expr::IsDistinctFrom(..));
            match (eval(a, d), eval(b, d)) {
                (Const::Value(Value::Null), Const::Value(Value::Null)) => truth_of(!negated),
                (Const::Value(Value::Null), Const::Value(_))
                | (Const::Value(_), Const::Value(Value::Null)) => truth_of(negated),
                (Const::Value(x), Const::Value(y)) => match compare(&x, &y, "=") {
                    Some(o) => truth_of((o == std::cmp::Ordering::Equal) != negated),
                    None => Truth::Unknown,
                },
                _ => Truth::Unknown,
            }
        }
        Expr::In {
            expr,
            target: InTarget::List(list),
            negated,
            ..
        } => {
            let x = eval(expr, d);
            let mut all_unequal = true;
            for item in list {
                match equal(&x, &eval(item, d)) {
                    Truth::True => return truth_of(!negated),
                    Truth::False => {}
                    Truth::Unknown => all_unequal = false,
                }
            }
            if all_unequal && !list.is_empty() {
                truth_of(*negated)
            } else {
                Truth::Unknown
            }
        }
        Expr::Between {
            expr,
            negated,
            low,
            high,
        } => {
            let (x, lo, hi) = (eval(expr, d), eval(low, d), eval(high, d));
            match (ordered(&lo, &x), ordered(&x, &hi)) {
                (Some(a), Some(b)) => truth_of((a && b) != *negated),
                (Some(false), _) | (_, Some(false)) => truth_of(*negated),
                _ => Truth::Unknown,
            }
        }
        Expr::Like {
            negated,
            any: false,
            expr,
            pattern,
            escape_char: None,
        } => match (eval(expr, d), eval(pattern, d)) {
            (Const::Value(Value::Text(s)), Const::Value(Value::Text(p))) => {
                let exact = like(&s, &p);
                let folded = like(&s.to_ascii_lowercase(), &p.to_ascii_lowercase());
                // Whether case counts depends on the database and collation.
                match (exact, folded) {
                    (Some(a), Some(b)) if a == b => truth_of(a != *negated),
                    _ => Truth::Unknown,
                }
            }
            _ => Truth::Unknown,
        },
        Expr::Exists { subquery, negated } => {
            if constant_row(subquery) {
                truth_of(!negated)
            } else {
                Truth::Unknown
            }
        }
        _ => truthy(&eval(e, d)),
    }
}

fn truth_of(b: bool) -> Truth {
    if b { Truth::True } else { Truth::False }
}

/// `a AND b` (`decides` False) or `a OR b` (`decides` True).
fn combine(a: Truth, b: Truth, decides: Truth) -> Truth {
    if a == decides || b == decides {
        decides
    } else if a == decides.not() && b == decides.not() {
        decides.not()
    } else {
        Truth::Unknown
    }
}

/// A value used as a condition: a number is true unless 0; text as the number it reads as, or
/// a boolean word (`'t'`, `'yes'` …).
fn truthy(c: &Const) -> Truth {
    match c {
        Const::Value(Value::Number(n)) => truth_of(*n != 0.0),
        Const::Value(Value::Text(t)) => {
            let t = t.trim().to_ascii_lowercase();
            if let Ok(n) = t.parse::<f64>() {
                return truth_of(n != 0.0);
            }
            match t.as_str() {
                "t" | "true" | "y" | "yes" | "on" => Truth::True,
                "f" | "false" | "n" | "no" | "off" => Truth::False,
                _ => Truth::Unknown,
            }
        }
        _ => Truth::Unknown,
    }
}

/// `a = b` for every row: True, False, or Unknown (a NULL, a column, text differing in case).
fn equal(a: &Const, b: &Const) -> Truth {
    match (a, b) {
        (Const::Column(x), Const::Column(y)) if x == y => Truth::True,
        (Const::Value(x), Const::Value(y)) => match compare(x, y, "=") {
            Some(o) => truth_of(o == std::cmp::Ordering::Equal),
            None => Truth::Unknown,
        },
        _ => Truth::Unknown,
    }
}

/// `a <= b` for two numbers (or text reading as numbers); None when not known.
fn ordered(a: &Const, b: &Const) -> Option<bool> {
    let (Const::Value(x), Const::Value(y)) = (a, b) else {
        return None;
    };
    compare(x, y, "<=").map(|o| o != std::cmp::Ordering::Greater)
}

/// The value `e` computes for every row, when it is a constant (or a column).
fn eval(e: &Expr, depth: usize) -> Const {
    if depth > MAX_DEPTH {
        return Const::Unknown;
    }
    let d = depth + 1;
    match e {
        Expr::Nested(inner) => eval(inner, d),
        Expr::Value(v) => match &v.value {
            SqlValue::Number(n, _) => {
                number(n).map_or(Const::Unknown, |n| Const::Value(Value::Number(n)))
            }
            SqlValue::SingleQuotedString(t) => Const::Value(Value::Text(t.clone())),
            SqlValue::Boolean(b) => Const::Value(Value::Number(if *b { 1.0 } else { 0.0 })),
            SqlValue::Null => Const::Value(Value::Null),
            _ => Const::Unknown,
        },
        Expr::Identifier(i) => Const::Column(ident(i)),
        Expr::CompoundIdentifier(parts) => {
            Const::Column(parts.iter().map(ident).collect::<Vec<_>>().join("."))
        }
        Expr::UnaryOp { op, expr } => match (op, eval(expr, d)) {
            (UnaryOperator::Minus, Const::Value(Value::Number(n))) => {
                Const::Value(Value::Number(-n))
            }
            (UnaryOperator::Plus, c @ Const::Value(Value::Number(_))) => c,
            (UnaryOperator::Not, Const::Value(Value::Null)) => Const::Value(Value::Null),
            (UnaryOperator::Not, _) => as_const(ast_truth(e, d)),
            _ => Const::Unknown,
        },
        Expr::BinaryOp { left, op, right } => {
            let (a, b) = (eval(left, d), eval(right, d));
            let num = |c: &Const| match c {
                Const::Value(Value::Number(n)) => Some(*n),
                Const::Value(Value::Text(t)) => t.trim().parse::<f64>().ok(),
                _ => None,
            };
            let null =
                matches!(a, Const::Value(Value::Null)) || matches!(b, Const::Value(Value::Null));
            let arith = |f: fn(f64, f64) -> Option<f64>| match (num(&a), num(&b)) {
                _ if null => Const::Value(Value::Null),
                (Some(x), Some(y)) => {
                    f(x, y).map_or(Const::Unknown, |n| Const::Value(Value::Number(n)))
                }
                _ => Const::Unknown,
            };
            let cmp = |pick: fn(std::cmp::Ordering) -> bool| {
                if null && !matches!(op, BinaryOperator::Spaceship) {
                    return Const::Value(Value::Null);
                }
                let o = match (&a, &b) {
                    (Const::Column(x), Const::Column(y)) if x == y => {
                        Some(std::cmp::Ordering::Equal)
                    }
                    (Const::Value(x), Const::Value(y)) => {
                        let sign = if matches!(op, BinaryOperator::Spaceship) {
                            "<=>"
                        } else {
                            "="
                        };
                        let equality = matches!(
                            op,
                            BinaryOperator::Eq | BinaryOperator::NotEq | BinaryOperator::Spaceship
                        );
                        compare(x, y, if equality { sign } else { "<" })
                    }
                    _ => None,
                };
                o.map_or(Const::Unknown, |o| as_const(truth_of(pick(o))))
            };
            use std::cmp::Ordering::*;
            match op {
                BinaryOperator::Plus => arith(|x, y| Some(x + y)),
                BinaryOperator::Minus => arith(|x, y| Some(x - y)),
                BinaryOperator::Multiply => arith(|x, y| Some(x * y)),
                BinaryOperator::Divide => arith(|x, y| (y != 0.0).then(|| x / y)),
                BinaryOperator::Modulo => arith(|x, y| (y != 0.0).then(|| x % y)),
                BinaryOperator::Eq | BinaryOperator::Spaceship => cmp(|o| o == Equal),
                BinaryOperator::NotEq => cmp(|o| o != Equal),
                BinaryOperator::Lt => cmp(|o| o == Less),
                BinaryOperator::Gt => cmp(|o| o == Greater),
                BinaryOperator::LtEq => cmp(|o| o != Greater),
                BinaryOperator::GtEq => cmp(|o| o != Less),
                BinaryOperator::And | BinaryOperator::Or | BinaryOperator::Xor => {
                    as_const(ast_truth(e, d))
                }
                _ => Const::Unknown,
            }
        }
        Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsTrue(_)
        | Expr::IsNotTrue(_)
        | Expr::IsFalse(_)
        | Expr::IsNotFalse(_)
        | Expr::In { .. }
        | Expr::Between { .. }
        | Expr::Like { .. }
        | Expr::Exists { .. } => as_const(ast_truth(e, d)),
        _ => Const::Unknown,
    }
}

/// A condition's truth as a value (true is 1, false is 0); Unknown may be NULL.
fn as_const(t: Truth) -> Const {
    match t {
        Truth::True => Const::Value(Value::Number(1.0)),
        Truth::False => Const::Value(Value::Number(0.0)),
        Truth::Unknown => Const::Unknown,
    }
}

fn ident(i: &Ident) -> String {
    match i.quote_style {
        None => i.value.to_ascii_lowercase(),
        Some(_) => i.value.clone(),
    }
}

/// Whether the query returns a row whatever the data: a plain `SELECT` with no `FROM`, no
/// `WHERE` (or one always true), no `GROUP BY`, `HAVING`, `LIMIT` or `OFFSET`.
fn constant_row(q: &Query) -> bool {
    let SetExpr::Select(s) = q.body.as_ref() else {
        return false;
    };
    q.with.is_none()
        && q.limit_clause.is_none()
        && q.fetch.is_none()
        && s.from.is_empty()
        && s.having.is_none()
        && matches!(&s.group_by, GroupByExpr::Expressions(g, m) if g.is_empty() && m.is_empty())
        && s.selection.as_ref().is_none_or(expr_always_true)
}

/// `s LIKE p` with `%` and `_` (no escapes: a backslash makes it unknown).
fn like(s: &str, p: &str) -> Option<bool> {
    if p.contains('\\') {
        return None;
    }
    let s: Vec<char> = s.chars().collect();
    let p: Vec<char> = p.chars().collect();
    // Classic two-pointer wildcard match with backtracking to the last `%`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if j < p.len() && (p[j] == '_' || p[j] == s[i]) {
            i += 1;
            j += 1;
        } else if j < p.len() && p[j] == '%' {
            star = Some((j, i));
            j += 1;
        } else if let Some((sj, si)) = star {
            j = sj + 1;
            i = si + 1;
            star = Some((sj, si + 1));
        } else {
            return Some(false);
        }
    }
    while j < p.len() && p[j] == '%' {
        j += 1;
    }
    Some(j == p.len())
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

    /// The WHERE of `DELETE FROM t WHERE cond`, parsed with each dialect, evaluated.
    fn parsed(cond: &str) -> Vec<bool> {
        use sqlparser::ast::Statement;
        use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
        let sql = format!("DELETE FROM t WHERE {cond}");
        let dialects: [&dyn sqlparser::dialect::Dialect; 3] =
            [&MySqlDialect {}, &PostgreSqlDialect {}, &SQLiteDialect {}];
        dialects
            .iter()
            .filter_map(|d| sqlparser::parser::Parser::parse_sql(*d, &sql).ok())
            .map(|stmts| match stmts.as_slice() {
                [Statement::Delete(del)] => del.selection.as_ref().is_some_and(expr_always_true),
                _ => panic!("{sql} is not one DELETE"),
            })
            .collect()
    }

    #[test]
    fn parsed_conditions_evaluated() {
        for cond in [
            "'1'",
            "1+1",
            "(1)=(1)",
            "1 IN (1)",
            "1 IN (3, 2, 1)",
            "'a' LIKE 'a'",
            "'abc' LIKE 'a%'",
            "'abc' LIKE '_b_'",
            "EXISTS(SELECT 1)",
            "NOT EXISTS(SELECT 1 FROM t WHERE 1=0) OR 1",
            "2>1",
            "'1'='1'",
            "1 BETWEEN 0 AND 2",
            "id IS NOT NULL OR 1",
            "NOT (NULL IS NOT NULL)",
            "(NOT NULL) IS NULL",
            "1 = 1 AND 2 - 1",
            "3 % 2 = 1",
            "10 / 4 > 2",
            "NULL IS NULL",
            "1 IS NOT DISTINCT FROM 1",
            "NULL IS NOT DISTINCT FROM NULL",
            "(1 = 1) IS TRUE",
            "(1 = 0) IS FALSE",
            "NULL IS NOT TRUE",
            "1 NOT IN (2, 3)",
            "5 NOT BETWEEN 6 AND 9",
            "'abc' NOT LIKE 'x%'",
            "id = id",
            "true",
            "id = 3 OR 'y'",
            "(id = 3) OR ((2 * 3) = 6)",
        ] {
            let got = parsed(cond);
            assert!(!got.is_empty(), "{cond} parses in some dialect");
            assert!(got.iter().all(|t| *t), "{cond} is always true: {got:?}");
        }
    }

    #[test]
    fn parsed_conditions_that_are_not_always_true() {
        for cond in [
            // `NOT` binds looser than `IS`: NOT (NULL IS NULL), false on every server.
            "NOT NULL IS NULL",
            "id = 3",
            "1 = 1 AND id = 3",
            "1 IN (2, 3)",
            "1 IN (NULL, 2)",
            "id IN (1)",
            "'a' LIKE 'A'",
            "'A' NOT LIKE 'a'",
            "'a' = 'A'",
            "'a' <> 'A'",
            "EXISTS(SELECT 1 FROM t)",
            "EXISTS(SELECT 1 LIMIT 0)",
            "EXISTS(SELECT 1 WHERE id = 3)",
            "NULL = NULL",
            "1 / 0",
            "NULL + 1",
            "0",
            "'0'",
            "'abc'",
            "rand() = rand()",
            "? = ?",
            "1 BETWEEN 2 AND 3",
            "id BETWEEN 0 AND 2",
            "1 IS NULL",
            "NULL IS TRUE",
            "1 XOR 1",
        ] {
            assert!(
                parsed(cond).iter().all(|t| !*t),
                "{cond} is not always true"
            );
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
