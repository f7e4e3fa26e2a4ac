//! MySQL text made runnable on the demo's SQLite stand-in for app-backup's MySQL: exactly the
//! MySQL-only parts that seed 001's statements (§4.3.3 `CREATE TABLE user_logs`, §4.3.4
//! `update speed.t_app_dns …`) and the demo's mysqldump files use are rewritten or dropped;
//! everything else goes through as written.

use crate::demo::mysql_lexer::{Kind, Token, string_value, tokenize};

/// The schema the demo stands in for: `speed.t_app_dns` is the demo database's `t_app_dns`.
const SCHEMA: &str = "speed";

/// `sql` (one or more MySQL statements) rewritten for SQLite:
///
/// - statements SQLite has no use for are dropped: `SET …`, `LOCK TABLES …`,
///   `UNLOCK TABLES`, `USE …`, `CREATE DATABASE …`, and mysqldump's `/*!… */` comments;
/// - the `speed.` schema qualifier is removed;
/// - in `CREATE TABLE`: the table options after the closing parenthesis (`ENGINE=…`,
///   `AUTO_INCREMENT=…`, `DEFAULT CHARSET=…`, `COLLATE=…`, `COMMENT='…'`) are dropped; in the
///   definitions `COMMENT '…'`, `CHARACTER SET x`, `COLLATE y`, `USING BTREE`,
///   `ON UPDATE CURRENT_TIMESTAMP` and `AUTO_INCREMENT` are, an `AUTO_INCREMENT` column's
///   type becomes `INTEGER` (so, as the primary key, it numbers rows itself), `UNIQUE KEY
///   name (cols)` becomes `UNIQUE (cols)` and a plain `KEY name (cols)` is dropped;
/// - strings are written the SQLite way (`'it''s'`, no backslash escapes).
pub fn mysql_to_sqlite(sql: &str) -> String {
    let tokens: Vec<Token> = tokenize(sql)
        .into_iter()
        .filter(|t| t.kind != Kind::MysqlOnly)
        .collect();
    let mut out = String::with_capacity(sql.len());
    for statement in statements(&tokens) {
        for token in rewrite_statement(statement) {
            out.push_str(&sqlite_text(&token));
        }
    }
    out
}

/// The statements of `tokens`, each with its `;` when it has one.
fn statements(tokens: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.is(";") {
            out.push(&tokens[start..=i]);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        out.push(&tokens[start..]);
    }
    out
}

/// The indices of `tokens` that are SQL (not space or comments).
fn code_positions(tokens: &[Token]) -> Vec<usize> {
    (0..tokens.len()).filter(|&i| tokens[i].is_code()).collect()
}

/// One statement for SQLite: its leading comments kept, its SQL rewritten or dropped.
fn rewrite_statement(statement: &[Token]) -> Vec<Token> {
    let code = code_positions(statement);
    let Some(&first) = code.first() else {
        return statement.to_vec();
    };
    let words: Vec<&Token> = code.iter().map(|&i| &statement[i]).take(3).collect();
    let lead = statement[..first].to_vec();
    let says = |w: &[&str]| w.iter().zip(&words).all(|(w, t)| t.is(w)) && words.len() >= w.len();
    let dropped = words[0].is(";")
        || says(&["SET"])
        || says(&["USE"])
        || says(&["LOCK", "TABLES"])
        || says(&["UNLOCK", "TABLES"])
        || says(&["CREATE", "DATABASE"])
        || says(&["CREATE", "SCHEMA"]);
    if dropped {
        return lead;
    }
    let body = unqualified(&statement[first..]);
    let body = if says(&["CREATE", "TABLE"]) || says(&["CREATE", "TEMPORARY", "TABLE"]) {
        create_table(&body)
    } else {
        body
    };
    lead.into_iter().chain(body).collect()
}

/// `tokens` without the `speed.` schema qualifier.
fn unqualified(tokens: &[Token]) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let schema = tokens[i]
            .ident()
            .is_some_and(|n| n.eq_ignore_ascii_case(SCHEMA));
        if schema && tokens.get(i + 1).is_some_and(|t| t.is(".")) {
            i += 2;
        } else {
            out.push(tokens[i].clone());
            i += 1;
        }
    }
    out
}

/// A `CREATE TABLE` statement for SQLite: its definitions rewritten, its table options gone.
fn create_table(tokens: &[Token]) -> Vec<Token> {
    let Some(open) = tokens.iter().position(|t| t.is("(")) else {
        return tokens.to_vec();
    };
    let mut depth = 0usize;
    let mut close = None;
    let mut commas = Vec::new();
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t.is("(") {
            depth += 1;
        } else if t.is(")") {
            depth -= 1;
            if depth == 0 {
                close = Some(i);
                break;
            }
        } else if t.is(",") && depth == 1 {
            commas.push(i);
        }
    }
    let Some(close) = close else {
        return tokens.to_vec();
    };
    let mut bounds = vec![open + 1];
    bounds.extend(commas.iter().map(|c| c + 1));
    let ends = commas.iter().copied().chain([close]);
    let definitions: Vec<Vec<Token>> = bounds
        .iter()
        .zip(ends)
        .filter_map(|(&s, e)| definition(&tokens[s..e]))
        .collect();
    let mut out = tokens[..=open].to_vec();
    for (n, d) in definitions.iter().enumerate() {
        if n > 0 {
            out.push(punct(","));
        }
        out.extend(d.iter().cloned());
    }
    // The space before `)` stays when the definition it ended was dropped.
    let closing_space = tokens[..close]
        .last()
        .filter(|t| t.kind == Kind::Space)
        .cloned();
    if let Some(space) = closing_space
        && definitions.last().is_some_and(|d| !ends_in_space(d))
    {
        out.push(space);
    }
    out.push(tokens[close].clone());
    out.extend(tokens.iter().skip(close + 1).filter(|t| t.is(";")).cloned());
    out
}

fn punct(text: &str) -> Token {
    Token {
        kind: Kind::Punct,
        text: text.into(),
    }
}

fn ends_in_space(tokens: &[Token]) -> bool {
    tokens.last().is_some_and(|t| t.kind == Kind::Space)
}

/// What becomes of one token of a definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Keep,
    /// Dropped, with the space before it.
    Drop,
    /// Replaced by the word `INTEGER`.
    Integer,
}

/// One column or key definition of a `CREATE TABLE` for SQLite; `None` when SQLite has no use
/// for it (a plain index).
fn definition(tokens: &[Token]) -> Option<Vec<Token>> {
    let code = code_positions(tokens);
    let first = &tokens[*code.first()?];
    if ["KEY", "INDEX", "FULLTEXT", "SPATIAL"]
        .iter()
        .any(|w| first.is(w))
    {
        return None;
    }
    let mut fates = vec![Fate::Keep; tokens.len()];
    let is = |k: usize, w: &str| code.get(k).is_some_and(|&i| tokens[i].is(w));
    let mut auto_increment = false;
    let mut k = 0;
    while k < code.len() {
        let (skip, span) = if k == 0 && is(0, "UNIQUE") && (is(1, "KEY") || is(1, "INDEX")) {
            // UNIQUE KEY name (cols) → UNIQUE (cols): the KEY and the name go.
            (1, if is(2, "(") { 1 } else { 2 })
        } else if k == 0 {
            // The column's name, whatever word it is.
            (0, 0)
        } else if ["USING", "COMMENT", "COLLATE", "CHARSET"]
            .iter()
            .any(|w| is(k, w))
        {
            (0, 2)
        } else if is(k, "CHARACTER") && is(k + 1, "SET") {
            (0, 3)
        } else if is(k, "ON") && is(k + 1, "UPDATE") {
            (
                0,
                if is(k + 3, "(") && is(k + 5, ")") {
                    6
                } else {
                    3
                },
            )
        } else if is(k, "AUTO_INCREMENT") {
            auto_increment = true;
            (0, 1)
        } else {
            (0, 0)
        };
        for &i in code.iter().skip(k + skip).take(span) {
            fates[i] = Fate::Drop;
        }
        k += skip + span.max(1);
    }
    if auto_increment && is_column(first) {
        integer_type(tokens, &code, &mut fates);
    }
    Some(apply(tokens, &fates))
}

/// Whether a definition starting with `first` defines a column (not a key or constraint).
fn is_column(first: &Token) -> bool {
    first.kind == Kind::Quoted
        || (first.kind == Kind::Word
            && !["PRIMARY", "UNIQUE", "CONSTRAINT", "FOREIGN", "CHECK"]
                .iter()
                .any(|w| first.is(w)))
}

/// Makes the column type (the token after the name, with its `(n)`, `unsigned` and
/// `zerofill`) `INTEGER`.
fn integer_type(tokens: &[Token], code: &[usize], fates: &mut [Fate]) {
    let Some(&type_at) = code.get(1) else {
        return;
    };
    fates[type_at] = Fate::Integer;
    let is = |k: usize, w: &str| code.get(k).is_some_and(|&i| tokens[i].is(w));
    let mut k = 2;
    if is(k, "(") {
        while k < code.len() {
            fates[code[k]] = Fate::Drop;
            k += 1;
            if is(k - 1, ")") {
                break;
            }
        }
    }
    while ["unsigned", "signed", "zerofill"].iter().any(|w| is(k, w)) {
        fates[code[k]] = Fate::Drop;
        k += 1;
    }
}

/// The tokens as their fates say.
fn apply(tokens: &[Token], fates: &[Fate]) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for (t, fate) in tokens.iter().zip(fates) {
        match fate {
            Fate::Keep => out.push(t.clone()),
            Fate::Integer => out.push(Token {
                kind: Kind::Word,
                text: "INTEGER".into(),
            }),
            Fate::Drop => {
                if out.last().is_some_and(|l| l.kind == Kind::Space) {
                    out.pop();
                }
            }
        }
    }
    out
}

/// A token as SQLite must read it: strings re-quoted without backslash escapes.
fn sqlite_text(token: &Token) -> String {
    match token.kind {
        Kind::Str => format!("'{}'", string_value(&token.text).replace('\'', "''")),
        _ => token.text.clone(),
    }
}

#[cfg(test)]
#[path = "mysql_dialect_tests.rs"]
mod tests;
