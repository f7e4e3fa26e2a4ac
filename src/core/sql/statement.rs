//! What the console needs to know about the SQL an operator typed, before it reaches a server:
//! where each statement of the editor buffer is, which one the cursor is on, what kind it is
//! (a read, a write that needs a guarded transaction, DDL …), whether it is one of the
//! dangerous shapes the console refuses without confirmation, and the `SELECT` that shows the
//! rows an `UPDATE`/`DELETE` touches. All of it rests on the one tokenizer in `lex`, which
//! lexes as the database's driver does: the guard judges the statements the server will see.

use super::lex::{Tok, Token, tokenize, tokenize_other_escapes};
use super::parsed;
use super::tautology::always_true;
use crate::core::inventory::Driver;
use std::ops::Range;

/// One statement of a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSpan {
    /// Its bytes in the buffer, without surrounding whitespace and without its `;`.
    pub range: std::ops::Range<usize>,
    /// Its text (`buffer[range]`).
    pub text: String,
}

/// A statement and how far it reaches: through its `;` when it has one.
struct Segment {
    span: StatementSpan,
    /// Just past its `;`, or its end when it has none.
    reach: usize,
}

fn segments(buffer: &str, driver: Driver) -> Vec<Segment> {
    let mut out = Vec::new();
    // Start and end of the statement being read, and whether it holds anything but comments.
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut has_code = false;
    // A comment on the line of the previous `;` belongs to that line, not to the next statement.
    let mut on_semi_line = false;
    for t in tokenize(buffer, driver) {
        match t.kind {
            Tok::Semi => {
                if let (Some(s), true) = (start, has_code) {
                    out.push(Segment {
                        span: span(buffer, s..end),
                        reach: t.range.end,
                    });
                }
                start = None;
                has_code = false;
                on_semi_line = true;
            }
            Tok::Space => {
                if t.text(buffer).contains('\n') {
                    on_semi_line = false;
                }
            }
            Tok::Comment if start.is_none() && on_semi_line => {}
            kind => {
                start.get_or_insert(t.range.start);
                // A trailing comment is left out: text appended to the statement must not
                // end up inside a `--` comment.
                // An executable comment's markers stay with what they wrap, so the server gets
                // the same code the guard judged.
                if kind != Tok::Comment {
                    end = t.range.end;
                    has_code |= kind != Tok::ExecMark;
                }
            }
        }
    }
    if let (Some(s), true) = (start, has_code) {
        out.push(Segment {
            span: span(buffer, s..end),
            reach: end,
        });
    }
    out
}

fn span(buffer: &str, range: Range<usize>) -> StatementSpan {
    StatementSpan {
        text: buffer[range.clone()].to_string(),
        range,
    }
}

/// The statements of a buffer, split on `;` outside quotes, comments and dollar quotes.
/// Statements holding only comments are dropped; the last statement needs no `;`. A comment
/// after a `;` on the same line belongs to no statement; comments on lines before a statement
/// are part of it (the server ignores them; the history keeps them); comments after its last
/// code are not.
pub fn split_statements(buffer: &str, driver: Driver) -> Vec<StatementSpan> {
    segments(buffer, driver)
        .into_iter()
        .map(|s| s.span)
        .collect()
}

/// The statement the cursor (a byte offset; the cursor sits *on* the character there) is on:
///
/// 1. on a character of a statement: that statement;
/// 2. at its end, on blanks before its `;`, on the `;` or just after it: that statement;
/// 3. elsewhere on the line where a statement ends (after `; -- note`): that statement;
/// 4. on the line where a statement starts (indentation before it): that statement;
/// 5. on a blank line after the last statement: the last one; before the first: the first;
/// 6. on a blank line between two statements: none — running either would be a guess.
///
/// `None` too when the buffer holds no statement.
pub fn statement_at(buffer: &str, cursor: usize, driver: Driver) -> Option<StatementSpan> {
    let cursor = cursor.min(buffer.len());
    let segs = segments(buffer, driver);
    if let Some(s) = segs
        .iter()
        .find(|s| s.span.range.start <= cursor && cursor < s.span.range.end)
    {
        return Some(s.span.clone());
    }
    if let Some(s) = segs
        .iter()
        .find(|s| s.span.range.end <= cursor && cursor <= s.reach)
    {
        return Some(s.span.clone());
    }
    let prev = segs.iter().rev().find(|s| s.reach < cursor);
    let next = segs.iter().find(|s| s.span.range.start > cursor);
    let same_line = |a: usize, b: usize| !buffer.get(a..b).unwrap_or("\n").contains('\n');
    let pick = match (prev, next) {
        (Some(p), _) if same_line(p.reach, cursor) => p,
        (_, Some(n)) if same_line(cursor, n.span.range.start) => n,
        (Some(p), None) => p,
        (None, Some(n)) => n,
        _ => return None,
    };
    Some(pick.span.clone())
}

/// The byte offset in the buffer `lines.join("\n")` of an editor cursor at line `row`,
/// character `col` (how text editors such as ratatui-textarea report it); a position past a
/// line's end or past the last line is clamped to it.
pub fn cursor_offset<S: AsRef<str>>(lines: &[S], row: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, line) in lines.iter().enumerate() {
        let line = line.as_ref();
        if i == row.min(lines.len().saturating_sub(1)) {
            let within = line.char_indices().nth(col).map_or(line.len(), |(b, _)| b);
            return offset + within;
        }
        offset += line.len() + 1;
    }
    0
}

/// What a statement does, for deciding how the console runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatementKind {
    /// Reads only: `SELECT`, `SHOW`, `EXPLAIN` …
    Read,
    /// Settings of the session and anything not recognised: `SET`, `USE` …
    Session,
    /// Transaction control: `BEGIN`, `COMMIT`, `ROLLBACK` …
    Transaction,
    /// Changes rows (or locks them): `INSERT`, `UPDATE`, `SELECT … FOR UPDATE` …
    Write,
    /// Changes the schema or privileges: `CREATE`, `DROP`, `ALTER`, `GRANT` …
    Ddl,
}

/// The code tokens (no whitespace, no comments) of `sql`.
fn code(sql: &str, driver: Driver) -> Vec<Token> {
    tokenize(sql, driver)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect()
}

/// The code tokens of each statement of `sql`.
fn statements(sql: &str, driver: Driver) -> Vec<Vec<Token>> {
    code(sql, driver)
        .split(|t| t.kind == Tok::Semi)
        .filter(|s| !s.is_empty())
        .map(<[Token]>::to_vec)
        .collect()
}

fn upper(sql: &str, t: &Token) -> Option<String> {
    (t.kind == Tok::Word).then(|| t.text(sql).to_ascii_uppercase())
}

/// Leading `(`s skipped: `(SELECT …) UNION …`.
fn skip_parens(toks: &[Token]) -> &[Token] {
    let n = toks.iter().take_while(|t| t.kind == Tok::Open).count();
    &toks[n..]
}

/// `ANALYZE`, or PostgreSQL's British `ANALYSE`: an `EXPLAIN` that runs its statement.
fn is_analyze(sql: &str, t: &Token) -> bool {
    t.is_word(sql, "ANALYZE") || t.is_word(sql, "ANALYSE")
}

/// Words that begin the main part of a statement.
const VERBS: &[&str] = &[
    "SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "VALUES", "TABLE", "WITH",
];

/// Index of the first word of `verbs` at parenthesis depth 0 of `toks`.
fn first_top_level(sql: &str, toks: &[Token], verbs: &[&str]) -> Option<usize> {
    let mut depth = 0i32;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Tok::Open => depth += 1,
            Tok::Close => depth -= 1,
            Tok::Word if depth == 0 && verbs.iter().any(|v| t.is_word(sql, v)) => return Some(i),
            _ => {}
        }
    }
    None
}

/// Whether a `(` of `toks` opens a data-modifying statement (PostgreSQL's `WITH d AS (DELETE …)`).
fn writes_in_parens(sql: &str, toks: &[Token]) -> bool {
    toks.windows(2).any(|w| {
        w[0].kind == Tok::Open
            && ["INSERT", "UPDATE", "DELETE", "MERGE"]
                .iter()
                .any(|v| w[1].is_word(sql, v))
    })
}

/// What the statement does; for text holding several statements, the most consequential of
/// them (DDL over writes over transaction control over session settings over reads).
/// Leading comments and parentheses are skipped, case does not matter, and an empty text is
/// [`StatementKind::Session`].
///
/// Beyond the first word: `SELECT … INTO` and locking reads (`FOR UPDATE`, `FOR SHARE`,
/// `LOCK IN SHARE MODE`) are writes; a `WITH` is what its main statement is, and a write when
/// one of its parts is (`WITH d AS (DELETE …) SELECT …`); `EXPLAIN ANALYZE` runs its statement,
/// so it is a write when that statement is.
pub fn classify(sql: &str, driver: Driver) -> StatementKind {
    statements(sql, driver)
        .iter()
        .map(|toks| classify_tokens(sql, toks))
        .max()
        .unwrap_or(StatementKind::Session)
}

fn classify_tokens(sql: &str, toks: &[Token]) -> StatementKind {
    use StatementKind::*;
    let toks = skip_parens(toks);
    let Some(first) = toks.first().and_then(|t| upper(sql, t)) else {
        return Session;
    };
    match first.as_str() {
        "SELECT" => {
            let locks = toks.windows(2).any(|w| {
                w[0].is_word(sql, "FOR")
                    && ["UPDATE", "SHARE", "NO", "KEY"]
                        .iter()
                        .any(|v| w[1].is_word(sql, v))
            }) || toks.windows(3).any(|w| {
                w[0].is_word(sql, "LOCK") && w[1].is_word(sql, "IN") && w[2].is_word(sql, "SHARE")
            });
            let into = toks.iter().any(|t| t.is_word(sql, "INTO"));
            if locks || into { Write } else { Read }
        }
        "WITH" => {
            let main = first_top_level(sql, &toks[1..], VERBS);
            match main {
                Some(i) => {
                    let kind = classify_tokens(sql, &toks[1 + i..]);
                    if writes_in_parens(sql, &toks[..1 + i]) {
                        kind.max(Write)
                    } else {
                        kind
                    }
                }
                None => Session,
            }
        }
        "EXPLAIN" | "DESCRIBE" | "DESC" => {
            let analyze = toks.iter().any(|t| is_analyze(sql, t));
            match first_top_level(sql, &toks[1..], VERBS) {
                Some(i) if analyze && classify_tokens(sql, &toks[1 + i..]) >= Write => Write,
                _ => Read,
            }
        }
        "SHOW" | "VALUES" | "TABLE" => Read,
        "INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "MERGE" | "UPSERT" | "LOAD" | "COPY"
        | "CALL" | "DO" | "EXECUTE" | "EXEC" => Write,
        "CREATE" | "DROP" | "ALTER" | "TRUNCATE" | "RENAME" | "GRANT" | "REVOKE" | "COMMENT" => Ddl,
        "START" => match toks.get(1) {
            None => Transaction,
            Some(t) if t.is_word(sql, "TRANSACTION") => Transaction,
            Some(_) => Session,
        },
        "BEGIN" | "COMMIT" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" | "END" | "ABORT" | "XA" => {
            Transaction
        }
        _ => Session,
    }
}

/// Why `sql` cannot be judged at all, if it cannot: it ends inside a string, quoted
/// identifier, dollar quote or comment (the server would read what follows differently, or
/// fail), or a backslash before a quote changes where a string ends depending on a setting
/// the session can change (MySQL's `NO_BACKSLASH_ESCAPES`, PostgreSQL's
/// `standard_conforming_strings`). The console refuses such text: guessing would
/// let a write pass for a read.
pub fn unjudgeable(sql: &str, driver: Driver) -> Option<&'static str> {
    let toks = tokenize(sql, driver);
    if toks.iter().any(|t| t.open) {
        return Some(
            "the text ends inside a string, quoted name or comment, so the guard cannot tell \
             what the server would run",
        );
    }
    if let Some(other) = tokenize_other_escapes(sql, driver) {
        let bounds = |ts: &[Token]| -> Vec<(Tok, std::ops::Range<usize>)> {
            ts.iter().map(|t| (t.kind, t.range.clone())).collect()
        };
        if bounds(&other) != bounds(&toks) {
            return Some(if driver == Driver::Mysql {
                "a backslash before a quote means different things with and without \
                 NO_BACKSLASH_ESCAPES: double the quote ('') instead"
            } else {
                "a backslash before a quote means different things with \
                 standard_conforming_strings on and off: double the quote ('') or use E'…'"
            });
        }
    }
    None
}

/// What the console does with a text before anything reaches the server (the inventory's
/// `read_only` flag and dangerous patterns aside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Runs as it is, outside a transaction, with no question asked: a read or a session
    /// setting.
    Runs,
    /// Runs inside a transaction the operator commits or rolls back.
    Guarded,
    /// Runs only once the operator types the database's name.
    NeedsTyped(Danger),
    /// Never runs, for this reason.
    Refused(String),
}

/// The console's verdict on `sql` for a database of `driver`: unjudgeable text and
/// transaction control are refused, a dangerous shape needs the typed name, writes and DDL
/// run in a transaction, and the rest runs.
pub fn judge(sql: &str, driver: Driver) -> Verdict {
    if let Some(reason) = unjudgeable(sql, driver) {
        return Verdict::Refused(reason.to_string());
    }
    let kind = classify(sql, driver);
    if kind == StatementKind::Transaction {
        return Verdict::Refused(
            "transactions are the console's: it opens one for each write, and c commits or \
             rolls it back"
                .to_string(),
        );
    }
    if let Some(d) = danger(sql, driver) {
        return Verdict::NeedsTyped(d);
    }
    if let Some(d) = second_opinion(sql, driver) {
        return Verdict::NeedsTyped(d);
    }
    match kind {
        StatementKind::Write | StatementKind::Ddl => Verdict::Guarded,
        _ => Verdict::Runs,
    }
}

/// Failing closed: each statement that is not a write must be one the guard positively knows
/// to change nothing ([`harmless`]), and the parser must read the text as the guard does —
/// as many statements, the same ones reading — and find no call of a function that may
/// change something, and no `WHERE` true for every row. Anything else needs the typed name.
fn second_opinion(sql: &str, driver: Driver) -> Option<Danger> {
    let stmts = statements(sql, driver);
    let mut free = Vec::with_capacity(stmts.len());
    for toks in &stmts {
        let kind = classify_tokens(sql, toks);
        if matches!(kind, StatementKind::Read | StatementKind::Session) {
            if let Err(why) = harmless(sql, toks, driver) {
                return Some(Danger::Unsafe(why));
            }
            free.push(true);
        } else {
            free.push(false);
        }
    }
    let readings = match parsed::read(sql, driver) {
        Ok(r) => r,
        Err(e) => {
            return Some(Danger::ParserDisagrees(format!(
                "it cannot parse the text as {} ({e})",
                driver.name()
            )));
        }
    };
    if readings.len() != stmts.len() {
        return Some(Danger::ParserDisagrees(format!(
            "it reads {} statement(s) where the guard reads {}",
            readings.len(),
            stmts.len()
        )));
    }
    for (i, (free, r)) in free.iter().zip(&readings).enumerate() {
        let n = i + 1;
        let parser_free = r.read || r.session;
        if *free && !parser_free {
            return Some(Danger::ParserDisagrees(format!(
                "statement {n} is a {} that may change something to the parser, a read to the guard",
                r.what
            )));
        }
        if !*free && parser_free {
            return Some(Danger::ParserDisagrees(format!(
                "statement {n} is a read ({}) to the parser, a write to the guard",
                r.what
            )));
        }
        if let Some(f) = &r.impure {
            return Some(Danger::Unsafe(format!(
                "calls {f}(), which is not on the list of functions known to change nothing"
            )));
        }
        match r.always_true {
            Some("UPDATE") => return Some(Danger::UpdateWhereAlwaysTrue),
            Some(_) => return Some(Danger::DeleteWhereAlwaysTrue),
            None => {}
        }
    }
    None
}

/// Session settings that run freely: they change how this session reads, not data or the
/// server (`SET search_path`, `SET time_zone` …). `SET GLOBAL`, `SET sql_safe_updates`,
/// `SET standard_conforming_strings` and the rest need the typed name.
const FREE_SETTINGS: &[&str] = &[
    "application_name",
    "datestyle",
    "extra_float_digits",
    "intervalstyle",
    "lock_timeout",
    "max_execution_time",
    "search_path",
    "statement_timeout",
    "time_zone",
    "timezone",
];

/// Whether a statement the lexer classifies as a read or a session setting is one the guard
/// positively knows to change nothing; if not, why. Known: `SELECT` with no `INTO` and no
/// locking clause, `WITH … SELECT`, `VALUES`, `TABLE`, `SHOW`, `DESCRIBE`/`DESC`, `EXPLAIN`
/// without `ANALYZE`/`ANALYSE` (or of a read), SQLite PRAGMAs on the read-only list, `USE`,
/// MySQL `SET @variable = …` and `SET NAMES`, and `SET` of the settings in [`FREE_SETTINGS`].
fn harmless(sql: &str, toks: &[Token], driver: Driver) -> Result<(), String> {
    let toks = skip_parens(toks);
    let word = |i: usize| toks.get(i).and_then(|t| upper(sql, t)).unwrap_or_default();
    let first = word(0);
    let unknown = || {
        Err(format!(
            "{} is not a statement the guard knows to change nothing",
            if first.is_empty() {
                "this".to_string()
            } else {
                format!("`{first}`")
            }
        ))
    };
    match first.as_str() {
        "SELECT" | "WITH" | "VALUES" | "TABLE" => {
            if toks.iter().any(|t| t.is_word(sql, "INTO")) {
                return Err(
                    "SELECT … INTO writes (a table, a file on the server, a variable)".into(),
                );
            }
            Ok(())
        }
        "SHOW" => Ok(()),
        "DESCRIBE" | "DESC" if driver == Driver::Mysql => Ok(()),
        "EXPLAIN" => Ok(()),
        "USE" if driver == Driver::Mysql && toks.len() == 2 => Ok(()),
        "PRAGMA" if driver == Driver::Sqlite => {
            // PRAGMA [schema.]name [= value | (value)]
            let mut i = 1;
            if toks.get(2).is_some_and(|t| t.text(sql) == ".") {
                i = 3;
            }
            let name = word(i).to_ascii_lowercase();
            let has_value = toks.len() > i + 1;
            if parsed::pragma_name_reads(&name, has_value) {
                Ok(())
            } else {
                Err(format!(
                    "PRAGMA {name} is not on the list of PRAGMAs that only read"
                ))
            }
        }
        "SET" => {
            let rest = &toks[1..];
            if driver == Driver::Mysql {
                let targets_user_variables = !rest.is_empty()
                    && rest
                        .split(|t| t.kind == Tok::Punct && t.text(sql) == ",")
                        .all(|a| {
                            a.first().is_some_and(|t| t.text(sql) == "@")
                                && a.get(1).is_some_and(|t| t.kind == Tok::Word)
                        });
                if targets_user_variables || word(1) == "NAMES" {
                    return Ok(());
                }
            }
            let i = if matches!(word(1).as_str(), "SESSION" | "LOCAL") {
                2
            } else {
                1
            };
            let name = word(i).to_ascii_lowercase();
            let assigned = toks
                .get(i + 1)
                .is_some_and(|t| t.text(sql) == "=" || t.is_word(sql, "TO"));
            if assigned && FREE_SETTINGS.contains(&name.as_str()) {
                return Ok(());
            }
            Err(format!(
                "SET {} changes more than how this session reads",
                if name.is_empty() {
                    "…".to_string()
                } else {
                    name
                }
            ))
        }
        _ => unknown(),
    }
}

/// A statement shape the console refuses unless the operator confirms it by typing the
/// database's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Danger {
    /// `UPDATE` with no `WHERE` of its own: every row.
    UpdateWithoutWhere,
    /// `DELETE` with no `WHERE` of its own: every row.
    DeleteWithoutWhere,
    /// `UPDATE` whose `WHERE` is true for every row (`WHERE 1=1`): as good as none.
    UpdateWhereAlwaysTrue,
    /// `DELETE` whose `WHERE` is true for every row (`WHERE 1=1`): as good as none.
    DeleteWhereAlwaysTrue,
    /// `DROP` of anything.
    Drop,
    /// `TRUNCATE`.
    Truncate,
    /// `ALTER` of anything.
    Alter,
    /// `EXECUTE` (a prepared statement, or MariaDB's `EXECUTE IMMEDIATE`), `CALL` (a stored
    /// procedure) or `DO`: runs code whose text the guard never sees, and DDL in it commits on
    /// MySQL whatever the console's transaction.
    HiddenCode,
    /// Not a statement the guard knows to change nothing (`VACUUM INTO`, `SET GLOBAL`,
    /// `FLUSH`, a writing PRAGMA, a function with side effects …), for this reason.
    Unsafe(String),
    /// The parser reads the text differently from the guard, or cannot read it: this is how.
    ParserDisagrees(String),
}

impl Danger {
    /// A short name for the confirmation prompt, e.g. "UPDATE without WHERE".
    pub fn describe(&self) -> String {
        match self {
            Danger::Unsafe(why) => why.clone(),
            Danger::ParserDisagrees(how) => format!("the parser reads this differently: {how}"),
            d => d.shape().to_string(),
        }
    }

    fn shape(&self) -> &'static str {
        match self {
            Danger::UpdateWithoutWhere => "UPDATE without WHERE",
            Danger::DeleteWithoutWhere => "DELETE without WHERE",
            Danger::UpdateWhereAlwaysTrue => "UPDATE whose WHERE is always true",
            Danger::DeleteWhereAlwaysTrue => "DELETE whose WHERE is always true",
            Danger::Drop => "DROP",
            Danger::Truncate => "TRUNCATE",
            Danger::Alter => "ALTER",
            Danger::HiddenCode => "EXECUTE, CALL or DO: runs code the guard cannot see",
            Danger::Unsafe(_) | Danger::ParserDisagrees(_) => "",
        }
    }
}

/// The first dangerous shape in `sql` (every statement of it is checked). Only a `WHERE` of
/// the statement itself counts: one in a subquery, a string or a comment does not, and one
/// whose condition is true for every row (`WHERE 1=1`, `WHERE true`, `WHERE id = 3 OR 1=1`)
/// is as good as none; `WHERE 1=1 AND id = 3` is a real condition. Also
/// checked: the parts and main statement of a `WITH`, and the statement an `EXPLAIN ANALYZE`
/// runs.
pub fn danger(sql: &str, driver: Driver) -> Option<Danger> {
    statements(sql, driver)
        .iter()
        .find_map(|toks| danger_tokens(sql, toks))
}

fn danger_tokens(sql: &str, toks: &[Token]) -> Option<Danger> {
    let toks = skip_parens(toks);
    let first = upper(sql, toks.first()?)?;
    match first.as_str() {
        "UPDATE" | "DELETE" => {
            let update = first == "UPDATE";
            match where_condition(sql, &toks[1..]) {
                Some(cond) if !always_true(sql, cond) => None,
                Some(_) if update => Some(Danger::UpdateWhereAlwaysTrue),
                Some(_) => Some(Danger::DeleteWhereAlwaysTrue),
                None if update => Some(Danger::UpdateWithoutWhere),
                None => Some(Danger::DeleteWithoutWhere),
            }
        }
        "DROP" => Some(Danger::Drop),
        "TRUNCATE" => Some(Danger::Truncate),
        "ALTER" => Some(Danger::Alter),
        "EXECUTE" | "EXEC" | "CALL" | "DO" => Some(Danger::HiddenCode),
        "GRANT" | "REVOKE" => Some(Danger::Unsafe(
            "GRANT and REVOKE change who may do what (MySQL commits them at once)".into(),
        )),
        "LOAD" | "COPY" => Some(Danger::Unsafe(format!(
            "{first} moves data between the database and files or programs a rollback cannot \
             reach"
        ))),
        "WITH" => {
            let main = first_top_level(sql, &toks[1..], VERBS).map_or(toks.len(), |i| i + 1);
            // Only the parts' own parentheses (depth 0): a part's nested WITH looks into its
            // own, so each `(` is looked into once. Looking into every `(` at every level
            // took exponential time on nested WITHs.
            let mut depth = 0i32;
            let parts = toks[..main].windows(2).enumerate().find_map(|(i, w)| {
                let top = depth == 0;
                match w[0].kind {
                    Tok::Open => depth += 1,
                    Tok::Close => depth -= 1,
                    _ => {}
                }
                (top && w[0].kind == Tok::Open)
                    .then(|| danger_tokens(sql, &toks[i + 1..]))
                    .flatten()
            });
            parts.or_else(|| danger_tokens(sql, toks.get(main..)?))
        }
        "EXPLAIN" | "DESCRIBE" | "DESC" => {
            if !toks.iter().any(|t| is_analyze(sql, t)) {
                return None;
            }
            let i = first_top_level(sql, &toks[1..], VERBS)?;
            danger_tokens(sql, &toks[1 + i..])
        }
        _ => None,
    }
}

/// The condition of the statement's own `WHERE` in `toks` (the tokens after `UPDATE` or
/// `DELETE`): up to its `ORDER BY`, `LIMIT` or `RETURNING`, or the `)` closing the statement
/// when it sits in parentheses. None when it has no `WHERE` (one in a subquery does not count).
fn where_condition<'a>(sql: &str, toks: &'a [Token]) -> Option<&'a [Token]> {
    let mut depth = 0i32;
    let mut start = None;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Tok::Open => depth += 1,
            Tok::Close if depth == 0 => return start.map(|s| &toks[s..i]),
            Tok::Close => depth -= 1,
            Tok::Word if depth == 0 && start.is_none() && t.is_word(sql, "WHERE") => {
                start = Some(i + 1);
            }
            Tok::Word
                if depth == 0
                    && start.is_some()
                    && ["ORDER", "LIMIT", "RETURNING"]
                        .iter()
                        .any(|w| t.is_word(sql, w)) =>
            {
                return start.map(|s| &toks[s..i]);
            }
            _ => {}
        }
    }
    start.map(|s| &toks[s..])
}

/// A table name at `toks[i..]`: identifiers (bare, backtick- or double-quoted) joined by `.`.
/// Returns its text and the index after it.
fn qualified_name<'a>(sql: &'a str, toks: &[Token], i: usize) -> Option<(&'a str, usize)> {
    let is_ident = |t: &Token| {
        matches!(t.kind, Tok::Backtick | Tok::DoubleQuoted)
            || (t.kind == Tok::Word
                && !["SET", "WHERE", "FROM", "USING", "AS"]
                    .iter()
                    .any(|k| t.is_word(sql, k)))
    };
    let first = toks.get(i).filter(|t| is_ident(t))?;
    let mut j = i + 1;
    while toks
        .get(j)
        .is_some_and(|t| t.kind == Tok::Punct && t.text(sql) == ".")
        && toks.get(j + 1).is_some_and(is_ident)
    {
        j += 2;
    }
    Some((&sql[first.range.start..toks[j - 1].range.end], j))
}

/// An alias after a table name: `[AS] name`, unless the next word is `stop`.
fn alias<'a>(sql: &'a str, toks: &[Token], i: usize, stop: &str) -> (Option<&'a str>, usize) {
    let ident = |t: &Token| matches!(t.kind, Tok::Word | Tok::Backtick | Tok::DoubleQuoted);
    match toks.get(i) {
        Some(t) if t.is_word(sql, "AS") => match toks.get(i + 1).filter(|t| ident(t)) {
            Some(a) => (Some(a.text(sql)), i + 2),
            None => (None, i),
        },
        Some(t) if ident(t) && !t.is_word(sql, stop) => (Some(t.text(sql)), i + 1),
        _ => (None, i),
    }
}

/// The code tokens of a text holding exactly one statement (trailing `;`s dropped), with the
/// keyword lookups the single-table `UPDATE`/`DELETE` readers share.
struct OneStatement<'a> {
    sql: &'a str,
    toks: Vec<Token>,
}

impl<'a> OneStatement<'a> {
    /// `None` when the text holds several statements.
    fn new(sql: &'a str, driver: Driver) -> Option<Self> {
        let mut toks = code(sql, driver);
        while toks.last().is_some_and(|t| t.kind == Tok::Semi) {
            toks.pop();
        }
        (!toks.iter().any(|t| t.kind == Tok::Semi)).then_some(Self { sql, toks })
    }

    /// Whether token `i` is the keyword `w`.
    fn word(&self, i: usize, w: &str) -> bool {
        self.toks.get(i).is_some_and(|t| t.is_word(self.sql, w))
    }

    /// The first token from `i` that is none of `words`.
    fn skip(&self, mut i: usize, words: &[&str]) -> usize {
        while words.iter().any(|w| self.word(i, w)) {
            i += 1;
        }
        i
    }
}

/// The table a single-table `UPDATE`/`DELETE` (one statement) changes, as written
/// (`speed.t_app_dns`), with or without a `WHERE`: the console counts its rows in the same
/// transaction before the statement, to tell the operator when it changed every one of them.
/// `None` for anything else: joins and other multi-table forms, several statements.
pub fn counted_table(sql: &str, driver: Driver) -> Option<String> {
    let stmt = OneStatement::new(sql, driver)?;
    let toks = &stmt.toks;
    if stmt.word(0, "UPDATE") {
        let i = stmt.skip(1, &["LOW_PRIORITY", "IGNORE", "ONLY"]);
        let (table, i) = qualified_name(sql, toks, i)?;
        let (_, i) = alias(sql, toks, i, "SET");
        if !stmt.word(i, "SET") || first_top_level(sql, &toks[i + 1..], &["FROM"]).is_some() {
            return None;
        }
        Some(table.to_string())
    } else if stmt.word(0, "DELETE") {
        let i = stmt.skip(1, &["LOW_PRIORITY", "QUICK", "IGNORE"]);
        if !stmt.word(i, "FROM") {
            return None;
        }
        let i = stmt.skip(i + 1, &["ONLY"]);
        let (table, mut i) = qualified_name(sql, toks, i)?;
        if !["ORDER", "LIMIT", "RETURNING"]
            .iter()
            .any(|w| stmt.word(i, w))
        {
            i = alias(sql, toks, i, "WHERE").1;
        }
        let ends = i == toks.len()
            || ["WHERE", "ORDER", "LIMIT", "RETURNING"]
                .iter()
                .any(|w| stmt.word(i, w));
        ends.then(|| table.to_string())
    } else {
        None
    }
}

/// The `SELECT` showing the rows a single-table `UPDATE t [alias] SET … WHERE cond [ORDER BY …]
/// [LIMIT n]` or `DELETE FROM t [alias] WHERE cond [ORDER BY …] [LIMIT n]` touches:
/// `SELECT * FROM t [alias] WHERE cond [ORDER BY …] [LIMIT n]` (the `ORDER BY` is kept so a
/// `LIMIT` picks the same rows), and how many placeholders come before the `WHERE` — the
/// caller drops that many binds from the front and gives the rest to the reselect.
///
/// `None` for anything else or anything unsure: joins and other multi-table forms
/// (`UPDATE … FROM`, `DELETE … USING`), no `WHERE`, `WHERE CURRENT OF`, several statements,
/// a `RETURNING` holding placeholders, and PostgreSQL `$n` placeholders in the `WHERE` when
/// some come before it (they would need renumbering).
pub fn reselect(sql: &str, driver: Driver) -> Option<(String, usize)> {
    let stmt = OneStatement::new(sql, driver)?;
    let toks = &stmt.toks;
    let (table, alias_name, where_at) = if stmt.word(0, "UPDATE") {
        let i = stmt.skip(1, &["LOW_PRIORITY", "IGNORE", "ONLY"]);
        let (table, i) = qualified_name(sql, toks, i)?;
        let (alias_name, i) = alias(sql, toks, i, "SET");
        if !stmt.word(i, "SET") {
            return None;
        }
        let w = i + 1 + first_top_level(sql, &toks[i + 1..], &["WHERE", "FROM"])?;
        if !stmt.word(w, "WHERE") {
            return None;
        }
        (table, alias_name, w)
    } else if stmt.word(0, "DELETE") {
        let i = stmt.skip(1, &["LOW_PRIORITY", "QUICK", "IGNORE"]);
        if !stmt.word(i, "FROM") {
            return None;
        }
        let i = stmt.skip(i + 1, &["ONLY"]);
        let (table, i) = qualified_name(sql, toks, i)?;
        let (alias_name, i) = alias(sql, toks, i, "WHERE");
        if !stmt.word(i, "WHERE") {
            return None;
        }
        (table, alias_name, i)
    } else {
        return None;
    };
    let rest = &toks[where_at + 1..];
    let returning = first_top_level(sql, rest, &["RETURNING"]).unwrap_or(rest.len());
    if rest[returning..].iter().any(|t| t.kind == Tok::Placeholder) {
        return None;
    }
    let clause = &rest[..returning];
    let cond_len = first_top_level(sql, clause, &["ORDER", "LIMIT"]).unwrap_or(clause.len());
    if cond_len == 0 {
        return None;
    }
    // Parentheses must balance inside the condition, or it is not what it seems.
    let mut depth = 0i32;
    for t in clause {
        depth += match t.kind {
            Tok::Open => 1,
            Tok::Close => -1,
            _ => 0,
        };
        if depth < 0 {
            return None;
        }
    }
    if depth != 0 {
        return None;
    }
    let before = toks[..where_at]
        .iter()
        .filter(|t| t.kind == Tok::Placeholder)
        .count();
    let dollar_after = clause
        .iter()
        .any(|t| t.kind == Tok::Placeholder && t.text(sql).starts_with('$'));
    if before > 0 && dollar_after {
        return None;
    }
    // `WHERE CURRENT OF cursor` means nothing to a SELECT.
    if clause
        .windows(2)
        .any(|w| w[0].is_word(sql, "CURRENT") && w[1].is_word(sql, "OF"))
    {
        return None;
    }
    let cond = &sql[clause[0].range.start..clause[cond_len - 1].range.end];
    let mut select = format!("SELECT * FROM {table}");
    if let Some(a) = alias_name {
        select.push(' ');
        select.push_str(a);
    }
    select.push_str(" WHERE ");
    select.push_str(cond);
    if cond_len < clause.len() {
        select.push(' ');
        select.push_str(&sql[clause[cond_len].range.start..clause[clause.len() - 1].range.end]);
    }
    Some((select, before))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The dialect-neutral cases below read as MySQL; dialect differences have their own tests.
    fn split_statements(buffer: &str) -> Vec<StatementSpan> {
        super::split_statements(buffer, Driver::Mysql)
    }
    fn statement_at(buffer: &str, cursor: usize) -> Option<StatementSpan> {
        super::statement_at(buffer, cursor, Driver::Mysql)
    }
    fn classify(sql: &str) -> StatementKind {
        super::classify(sql, Driver::Mysql)
    }
    fn danger(sql: &str) -> Option<Danger> {
        super::danger(sql, Driver::Mysql)
    }
    fn reselect(sql: &str) -> Option<(String, usize)> {
        super::reselect(sql, Driver::Mysql)
    }

    fn texts(buffer: &str) -> Vec<String> {
        split_statements(buffer)
            .into_iter()
            .map(|s| s.text)
            .collect()
    }

    /// Found by the `sql_guard` fuzz target: every `(` of a `WITH` was looked into at every
    /// level, so nested WITHs took exponential time (280 bytes ran past 10 s) and froze the
    /// console. Each part is still looked into.
    #[test]
    fn nested_withs_are_judged_in_reasonable_time() {
        let deep = format!(
            "{}DELETE FROM t{}",
            "WITH d AS ((((( ".repeat(30),
            ") SELECT 1".repeat(30)
        );
        assert_eq!(danger(&deep), Some(Danger::DeleteWithoutWhere));
        assert_eq!(
            danger("WITH a AS (SELECT 1), b AS (WITH c AS (DELETE FROM t) SELECT 1) SELECT 1"),
            Some(Danger::DeleteWithoutWhere)
        );
        assert_eq!(
            danger("WITH a(x) AS (SELECT (1)), b AS ((UPDATE t SET x = 1)) SELECT 1"),
            Some(Danger::UpdateWithoutWhere)
        );
    }

    #[test]
    fn splits_on_semicolons_outside_quotes_and_comments() {
        let buffer = "select 'a;b', \"c;d\", `e;f` from t; -- x;y\nupdate t set a='it''s;' /* ; */ where b = 'q\\';'  ;\n\n  select 1";
        assert_eq!(
            texts(buffer),
            vec![
                "select 'a;b', \"c;d\", `e;f` from t",
                "update t set a='it''s;' /* ; */ where b = 'q\\';'",
                "select 1",
            ]
        );
    }

    #[test]
    fn ranges_point_into_the_buffer_trimmed() {
        let buffer = "  select 1 ;\n\tselect 2\n";
        let spans = split_statements(buffer);
        assert_eq!(spans.len(), 2);
        for s in &spans {
            assert_eq!(&buffer[s.range.clone()], s.text);
            assert_eq!(s.text.trim(), s.text);
        }
        assert_eq!(spans[0].range, 2..10);
    }

    #[test]
    fn dollar_quotes_hold_semicolons() {
        let buffer = "create function f() returns int as $$ begin; return 1; end $$ language plpgsql;\
                      do $body$ begin perform 1; end $body$; select $1";
        assert_eq!(
            super::split_statements(buffer, Driver::Postgres)
                .into_iter()
                .map(|s| s.text)
                .collect::<Vec<_>>(),
            vec![
                "create function f() returns int as $$ begin; return 1; end $$ language plpgsql",
                "do $body$ begin perform 1; end $body$",
                "select $1",
            ]
        );
    }

    #[test]
    fn comment_only_and_empty_statements_are_dropped() {
        assert!(split_statements("").is_empty());
        assert!(split_statements(" ;; -- nothing\n/* here */ ; # either").is_empty());
        assert_eq!(texts(";;select 1;;"), vec!["select 1"]);
        assert_eq!(
            texts("select 1 -- trailing\n; select /* inner */ 2 /* after */"),
            vec!["select 1", "select /* inner */ 2"]
        );
        // A comment on its own line before a statement is part of it; one after a `;` is not.
        assert_eq!(
            texts("select 1; -- done\n-- ticket 42\nselect 2"),
            vec!["select 1", "-- ticket 42\nselect 2"]
        );
    }

    #[test]
    fn hash_and_dash_comments_hide_semicolons() {
        assert_eq!(texts("select 1 # a;b\n, 2"), vec!["select 1 # a;b\n, 2"]);
        let pg = |b: &str| -> Vec<String> {
            super::split_statements(b, Driver::Postgres)
                .into_iter()
                .map(|s| s.text)
                .collect()
        };
        assert_eq!(pg("select 1 --a;b\n, 2"), vec!["select 1 --a;b\n, 2"]);
        assert_eq!(texts("select 1 -- a;b\n, 2"), vec!["select 1 -- a;b\n, 2"]);
        assert_eq!(
            pg("select data #> '{a}' from t; select 2"),
            vec!["select data #> '{a}' from t", "select 2"]
        );
    }

    fn at(buffer: &str, marker_at: &str) -> Option<String> {
        // `marker_at` is the buffer with a `|` where the cursor is.
        let cursor = marker_at.find('|').expect("marker");
        assert_eq!(marker_at.replacen('|', "", 1), buffer);
        statement_at(buffer, cursor).map(|s| s.text)
    }

    #[test]
    fn statement_under_the_cursor() {
        let b = "select 1;\nselect 2;";
        assert_eq!(at(b, "sel|ect 1;\nselect 2;").as_deref(), Some("select 1"));
        assert_eq!(at(b, "|select 1;\nselect 2;").as_deref(), Some("select 1"));
        assert_eq!(at(b, "select 1|;\nselect 2;").as_deref(), Some("select 1"));
        assert_eq!(at(b, "select 1;|\nselect 2;").as_deref(), Some("select 1"));
        assert_eq!(at(b, "select 1;\n|select 2;").as_deref(), Some("select 2"));
        assert_eq!(at(b, "select 1;\nselect 2;|").as_deref(), Some("select 2"));
    }

    #[test]
    fn cursor_just_after_a_semicolon_with_a_statement_right_behind_it() {
        let b = "select 1;select 2";
        assert_eq!(at(b, "select 1;|select 2").as_deref(), Some("select 2"));
        assert_eq!(at(b, "select 1|;select 2").as_deref(), Some("select 1"));
    }

    #[test]
    fn cursor_on_blank_lines() {
        let b = "\n\nselect 1;\n\n\nselect 2;\n\n";
        // Before the first: the first. After the last: the last. Between: none.
        assert_eq!(
            at(b, "|\n\nselect 1;\n\n\nselect 2;\n\n").as_deref(),
            Some("select 1")
        );
        assert_eq!(
            at(b, "\n\nselect 1;\n\n\nselect 2;\n\n|").as_deref(),
            Some("select 2")
        );
        assert_eq!(
            at(b, "\n\nselect 1;\n\n\nselect 2;\n|\n").as_deref(),
            Some("select 2")
        );
        assert_eq!(at(b, "\n\nselect 1;\n\n|\nselect 2;\n\n"), None);
        // A statement without `;` followed by blank lines.
        assert_eq!(
            at("select 1\n\n", "select 1\n\n|").as_deref(),
            Some("select 1")
        );
    }

    #[test]
    fn cursor_on_the_line_of_a_statement() {
        let b = "select 1; -- note\n    select 2";
        assert_eq!(
            at(b, "select 1; -- no|te\n    select 2").as_deref(),
            Some("select 1")
        );
        assert_eq!(
            at(b, "select 1; -- note\n  |  select 2").as_deref(),
            Some("select 2")
        );
        assert_eq!(at("", "|"), None);
        assert_eq!(at("-- only\n", "-- only\n|"), None);
        // Past the end is the end.
        assert_eq!(
            statement_at("select 1", 99).map(|s| s.text).as_deref(),
            Some("select 1")
        );
    }

    #[test]
    fn editor_cursors_become_byte_offsets() {
        let lines = ["select '接口';", "", "update t"];
        let buffer = lines.join("\n");
        assert_eq!(cursor_offset(&lines, 0, 0), 0);
        assert_eq!(cursor_offset(&lines, 0, 9), "select '接".len());
        assert_eq!(cursor_offset(&lines, 0, 10), "select '接口".len());
        assert_eq!(cursor_offset(&lines, 0, 99), "select '接口';".len());
        assert_eq!(cursor_offset(&lines, 1, 0), "select '接口';\n".len());
        assert_eq!(
            cursor_offset(&lines, 2, 3),
            buffer.find("ate").expect("ate")
        );
        assert_eq!(
            cursor_offset(&lines, 9, 0),
            buffer.find("update").expect("u")
        );
        assert_eq!(cursor_offset::<&str>(&[], 3, 3), 0);
        let at = statement_at(&buffer, cursor_offset(&lines, 2, 8));
        assert_eq!(at.map(|s| s.text).as_deref(), Some("update t"));
    }

    #[test]
    fn classify_first_words() {
        use StatementKind::*;
        for (sql, kind) in [
            ("select 1", Read),
            ("  -- why\n/* c */ SeLeCt 1", Read),
            ("(select 1) union (select 2)", Read),
            ("show tables", Read),
            ("explain select * from t", Read),
            ("describe t", Read),
            ("desc t", Read),
            ("values (1)", Read),
            ("table t", Read),
            ("insert into t values (1)", Write),
            ("update t set a=1", Write),
            ("delete from t", Write),
            ("replace into t values (1)", Write),
            ("merge into t using s on (1=1)", Write),
            ("upsert into t values (1)", Write),
            ("load data infile 'x' into table t", Write),
            ("copy t from stdin", Write),
            ("call p()", Write),
            ("create table t (a int)", Ddl),
            ("drop table t", Ddl),
            ("alter table t add b int", Ddl),
            ("truncate t", Ddl),
            ("rename table a to b", Ddl),
            ("grant select on t to u", Ddl),
            ("revoke select on t from u", Ddl),
            ("begin", Transaction),
            ("start transaction read only", Transaction),
            ("commit", Transaction),
            ("rollback to savepoint a", Transaction),
            ("savepoint a", Transaction),
            ("release savepoint a", Transaction),
            ("set names utf8mb4", Session),
            ("use speed", Session),
            ("start slave", Session),
            ("vacuum", Session),
            ("", Session),
            ("-- just a comment", Session),
        ] {
            assert_eq!(classify(sql), kind, "{sql}");
        }
    }

    #[test]
    fn classify_looks_past_the_first_word() {
        use StatementKind::*;
        assert_eq!(classify("select * from t where id=1 for update"), Write);
        assert_eq!(classify("SELECT * FROM t FOR SHARE"), Write);
        assert_eq!(classify("select * from t lock in share mode"), Write);
        assert_eq!(classify("select * into outfile '/tmp/x' from t"), Write);
        assert_eq!(classify("select 'for update', `into` from t"), Read);
        assert_eq!(classify("select 1 -- for update"), Read);
        assert_eq!(
            classify("with x as (select 1) select * from x"),
            Read,
            "a WITH reading"
        );
        assert_eq!(
            classify("WITH RECURSIVE x(n) AS (select 1 union select n+1 from x) UPDATE t SET a=1"),
            Write
        );
        assert_eq!(classify("with x as (select 1) delete from t"), Write);
        assert_eq!(
            classify("with d as (delete from t returning *) select * from d"),
            Write
        );
        assert_eq!(classify("explain analyze delete from t"), Write);
        assert_eq!(
            classify("explain (analyze, buffers) update t set a=1"),
            Write
        );
        assert_eq!(classify("explain analyze select 1"), Read);
        assert_eq!(classify("explain delete from t"), Read);
        // Several statements: the most consequential.
        assert_eq!(classify("select 1; drop table t"), Ddl);
        assert_eq!(classify("select 1; update t set a=1 where b=2;"), Write);
    }

    #[test]
    fn danger_at_the_top_level_only() {
        use Danger::*;
        for (sql, d) in [
            ("update t set a=1", Some(UpdateWithoutWhere)),
            ("UPDATE t SET a=1 -- where x", Some(UpdateWithoutWhere)),
            ("update t set a='where'", Some(UpdateWithoutWhere)),
            ("update t set a=1 /* where b=2 */", Some(UpdateWithoutWhere)),
            (
                "update t set a=(select max(x) from u where u.id=3)",
                Some(UpdateWithoutWhere),
            ),
            ("update t set a=1 where b=2", None),
            ("update t set a=1\nWHERE b in (select 1)", None),
            ("delete from t", Some(DeleteWithoutWhere)),
            ("delete from t limit 10", Some(DeleteWithoutWhere)),
            ("DELETE FROM t WHERE id = 7", None),
            (
                "delete t1 from t1 join t2 on t1.a=t2.a",
                Some(DeleteWithoutWhere),
            ),
            ("drop table t", Some(Drop)),
            ("  /* c */ DROP DATABASE speed", Some(Drop)),
            ("truncate table t", Some(Truncate)),
            ("alter table t drop column c", Some(Alter)),
            ("select * from t", None),
            ("insert into t values (1) on duplicate key update a=1", None),
            ("select 'drop table t'", None),
            ("-- drop table t\nselect 1", None),
            (
                "with x as (select 1) delete from t",
                Some(DeleteWithoutWhere),
            ),
            (
                "with x as (select 1) delete from t where a in (select * from x)",
                None,
            ),
            (
                "with d as (delete from t returning *) select * from d",
                Some(DeleteWithoutWhere),
            ),
            (
                "with d as (delete from t where a=1 returning *) select * from d",
                None,
            ),
            ("explain analyze delete from t", Some(DeleteWithoutWhere)),
            ("explain delete from t", None),
            ("select 1; truncate t", Some(Truncate)),
            ("update t set a=1 where 1=1", Some(UpdateWhereAlwaysTrue)),
            ("update t set a=1 where 1", Some(UpdateWhereAlwaysTrue)),
            ("update t set a=1 WHERE true", Some(UpdateWhereAlwaysTrue)),
            (
                "update t set a=1 where 'a'='a'",
                Some(UpdateWhereAlwaysTrue),
            ),
            (
                "update t set a=1 where id=3 or 1=1",
                Some(UpdateWhereAlwaysTrue),
            ),
            (
                "update t set a=1 where 1=1 order by id limit 5",
                Some(UpdateWhereAlwaysTrue),
            ),
            ("update t set a=1 where 1=1 and id=3", None),
            ("update t set a=1 where 1=1 and id=3 limit 1", None),
            (
                "update t set a=(select 1 from u where 1=1) where id=3",
                None,
            ),
            ("delete from t where 1=1", Some(DeleteWhereAlwaysTrue)),
            (
                "DELETE FROM t WHERE NOT (1 = 0) -- all",
                Some(DeleteWhereAlwaysTrue),
            ),
            ("delete from t where 1=0", None),
            (
                "with d as (delete from t where 1=1 returning *) select * from d",
                Some(DeleteWhereAlwaysTrue),
            ),
            (
                "with d as (delete from t where id=1 returning *) select * from d",
                None,
            ),
            (
                "explain analyze update t set a=1 where true",
                Some(UpdateWhereAlwaysTrue),
            ),
        ] {
            assert_eq!(danger(sql), d, "{sql}");
        }
        assert_eq!(UpdateWithoutWhere.describe(), "UPDATE without WHERE");
        assert_eq!(DeleteWithoutWhere.describe(), "DELETE without WHERE");
        assert_eq!(
            UpdateWhereAlwaysTrue.describe(),
            "UPDATE whose WHERE is always true"
        );
        assert_eq!(Truncate.describe(), "TRUNCATE");
    }

    #[test]
    fn arbitrary_text_never_panics() {
        // Pieces that open and close every kind of token, mixed at random.
        let pieces = [
            "'", "\"", "`", "\\", "$", "$$", "$a$", "--", "#", "/*", "*/", ";", "(", ")", "?",
            "$1", " ", "\n", "接", "é", "update", "where", "select", "from", "t", ".", "=", "with",
            "delete", "explain", "analyze", "1", "0x", "e", "set",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            for d in [Driver::Mysql, Driver::Postgres, Driver::Sqlite] {
                for span in super::split_statements(&text, d) {
                    assert_eq!(text[span.range.clone()], span.text);
                }
                for cursor in 0..=text.len() + 1 {
                    if let Some(span) = super::statement_at(&text, cursor, d) {
                        assert_eq!(text.get(span.range.clone()), Some(span.text.as_str()));
                    }
                }
                let _ = (
                    super::classify(&text, d),
                    super::danger(&text, d),
                    super::reselect(&text, d),
                    unjudgeable(&text, d),
                    judge(&text, d),
                );
                let mut at = 0;
                for t in tokenize(&text, d) {
                    assert_eq!(t.range.start, at, "{text:?}");
                    assert!(text.is_char_boundary(t.range.end), "{text:?}");
                    at = t.range.end;
                }
                assert_eq!(at, text.len());
            }
        }
    }

    fn re(sql: &str) -> Option<(String, usize)> {
        reselect(sql)
    }

    #[test]
    fn the_table_counted_before_an_update_or_delete() {
        let counted = |sql: &str| super::counted_table(sql, Driver::Mysql);
        for (sql, want) in [
            (
                "update speed.t_app_dns set status=2 where ip='x'",
                Some("speed.t_app_dns"),
            ),
            ("UPDATE `t` AS x SET a = 1", Some("`t`")),
            ("delete from t", Some("t")),
            ("DELETE FROM t a WHERE a.id = 1;", Some("t")),
            ("delete from t limit 3", Some("t")),
            (
                "delete from \"public\".\"t\" returning *",
                Some("\"public\".\"t\""),
            ),
            ("update t1 join t2 on t1.a = t2.a set t1.b = 1", None),
            ("update t1, t2 set t1.b = 1 where t1.a = t2.a", None),
            ("update t set a = u.a from u where u.id = t.id", None),
            ("delete from t using u where u.id = t.id", None),
            ("delete t1 from t1 join t2 on 1", None),
            ("update t set a=1; delete from t", None),
            ("select * from t", None),
            ("insert into t values (1)", None),
        ] {
            assert_eq!(counted(sql).as_deref(), want, "{sql}");
        }
    }

    #[test]
    fn reselect_the_seed_examples() {
        assert_eq!(
            re("update speed.t_app_dns set status=2 where ip='10.0.0.7'"),
            Some((
                "SELECT * FROM speed.t_app_dns WHERE ip='10.0.0.7'".into(),
                0
            ))
        );
        assert_eq!(
            re("UPDATE t_app_dns SET status = 2 WHERE ip = ?"),
            Some(("SELECT * FROM t_app_dns WHERE ip = ?".into(), 0))
        );
        assert_eq!(
            re("UPDATE t SET a=? WHERE b=?"),
            Some(("SELECT * FROM t WHERE b=?".into(), 1))
        );
    }

    #[test]
    fn reselect_shapes() {
        for (sql, want) in [
            (
                "update `speed`.`t` as x set x.a = ?, b = '?' where x.c = ? and d = 'where' limit 5;",
                Some((
                    "SELECT * FROM `speed`.`t` x WHERE x.c = ? and d = 'where' limit 5",
                    1,
                )),
            ),
            (
                "UPDATE \"public\".\"t\" t SET a = (select 1 where true) WHERE t.id IN (select id from u where z = ?) ORDER BY id LIMIT 3",
                Some((
                    "SELECT * FROM \"public\".\"t\" t WHERE t.id IN (select id from u where z = ?) ORDER BY id LIMIT 3",
                    0,
                )),
            ),
            (
                "delete from speed.t_app_dns where ip = ? limit 1",
                Some(("SELECT * FROM speed.t_app_dns WHERE ip = ? limit 1", 0)),
            ),
            (
                "DELETE LOW_PRIORITY FROM t a WHERE a.x=1",
                Some(("SELECT * FROM t a WHERE a.x=1", 0)),
            ),
            (
                "update t set a=1 where b=2 -- why\n",
                Some(("SELECT * FROM t WHERE b=2", 0)),
            ),
            (
                "delete from t where id = $1 returning *",
                Some(("SELECT * FROM t WHERE id = $1", 0)),
            ),
            (
                "update t set a = $1 where b = 3",
                Some(("SELECT * FROM t WHERE b = 3", 1)),
            ),
            ("update t set a = $2 where b = $1", None),
            ("update t set a = 1 where current of c", None),
            ("update t set a = 1", None),
            ("delete from t", None),
            ("delete from t where", None),
            ("insert into t values (1)", None),
            ("select * from t where a = 1", None),
            (
                "update t1 join t2 on t1.a = t2.a set t1.b = 1 where t2.c = 2",
                None,
            ),
            ("update t1, t2 set t1.b = 1 where t1.a = t2.a", None),
            ("update t set a = u.a from u where u.id = t.id", None),
            ("delete from t using u where u.id = t.id", None),
            ("delete t1 from t1 join t2 on 1 where t2.a = 1", None),
            ("update t set a=1 where b=2; delete from t where c=3", None),
            ("update t set a=1 where b=2 returning ?", None),
            ("with x as (select 1) update t set a=1 where b=2", None),
        ] {
            let want = want.map(|(s, n): (&str, usize)| (s.to_string(), n));
            assert_eq!(re(sql), want, "{sql}");
        }
    }

    include!("../../../tests/fixtures/sql_guard_corpus.rs");

    fn driver_named(name: &str) -> Option<Driver> {
        [Driver::Mysql, Driver::Postgres, Driver::Sqlite]
            .into_iter()
            .find(|d| d.name() == name)
    }

    #[test]
    fn hostile_corpus_per_dialect() {
        let mut wrong = Vec::new();
        for (name, want, sql) in SQL_GUARD_CORPUS {
            let driver = driver_named(name).expect("a driver");
            let verdict = judge(sql, driver);
            let (got, why) = match &verdict {
                Verdict::Runs => ("runs", String::new()),
                Verdict::Guarded => ("guarded", String::new()),
                Verdict::NeedsTyped(d) => ("typed", d.describe()),
                Verdict::Refused(r) => ("refused", r.clone()),
            };
            if got != *want {
                wrong.push(format!("{name}: {sql:?}: want {want}, got {got} {why}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        for d in ["mysql", "postgres", "sqlite"] {
            let n = SQL_GUARD_CORPUS.iter().filter(|c| c.0 == d).count();
            assert!(n >= 100, "{d}: {n} texts");
        }
    }

    fn typed_because(sql: &str, driver: Driver) -> String {
        match judge(sql, driver) {
            Verdict::NeedsTyped(d) => d.describe(),
            other => panic!("{sql}: {other:?}"),
        }
    }

    #[test]
    fn the_shipped_create_table_is_guarded_on_mysql() {
        let toml = include_str!("../../../playbooks/primary-app-down.toml");
        let start = toml
            .find("CREATE TABLE `user_logs`")
            .expect("the statement");
        let end = start + toml[start..].find("'''").expect("its end");
        let sql = &toml[start..end];
        assert_eq!(judge(sql, Driver::Mysql), Verdict::Guarded, "{sql}");
    }

    #[test]
    fn failing_closed_says_why() {
        let why = typed_because("VACUUM INTO '/tmp/x.db'", Driver::Sqlite);
        assert!(why.contains("`VACUUM` is not a statement"), "{why}");
        let why = typed_because("SELECT pg_sleep(1)", Driver::Postgres);
        assert!(why.contains("calls pg_sleep()"), "{why}");
        let why = typed_because("SET GLOBAL max_connections = 1", Driver::Mysql);
        assert!(why.contains("SET global"), "{why}");
        let why = typed_because("PRAGMA user_version = 3", Driver::Sqlite);
        assert!(why.contains("PRAGMA user_version"), "{why}");
        // The parser cannot read it, or reads it otherwise: never a read.
        let why = typed_because("TABLE t", Driver::Postgres);
        assert!(
            why.starts_with("the parser reads this differently: it cannot parse"),
            "{why}"
        );
        let why = typed_because("SELECT 1 # 2", Driver::Sqlite);
        assert!(
            why.starts_with("the parser reads this differently"),
            "{why}"
        );
        let why = typed_because(
            "EXPLAIN ANALYSE DELETE FROM t WHERE id = 1",
            Driver::Postgres,
        );
        assert!(
            why.starts_with("the parser reads this differently"),
            "{why}"
        );
        assert_eq!(
            judge("DELETE FROM t WHERE 1 IN (1)", Driver::Postgres),
            Verdict::NeedsTyped(Danger::DeleteWhereAlwaysTrue)
        );
        assert_eq!(
            judge("UPDATE t SET a = 1 WHERE EXISTS(SELECT 1)", Driver::Mysql),
            Verdict::NeedsTyped(Danger::UpdateWhereAlwaysTrue)
        );
        for (sql, d) in [
            ("SELECT count(*), lower(a), now() FROM t", Driver::Mysql),
            ("SHOW TABLES", Driver::Mysql),
            ("SET search_path = public", Driver::Postgres),
            ("PRAGMA table_info('t')", Driver::Sqlite),
            ("EXPLAIN ANALYZE SELECT * FROM t", Driver::Postgres),
        ] {
            assert_eq!(judge(sql, d), Verdict::Runs, "{sql}");
        }
    }

    #[test]
    fn what_the_editor_picks_is_what_is_judged() {
        // The adversary's SQLite text: the cursor on the first line picks `SELECT #a` alone,
        // and the statement below it is a DELETE with an always-true WHERE.
        let b = "SELECT #a; DELETE FROM t\nWHERE true";
        let first = super::statement_at(b, 3, Driver::Sqlite).map(|s| s.text);
        assert_eq!(first.as_deref(), Some("SELECT #a"));
        let second = super::statement_at(b, 15, Driver::Sqlite).map(|s| s.text);
        assert_eq!(second.as_deref(), Some("DELETE FROM t\nWHERE true"));
        assert_eq!(
            judge("DELETE FROM t\nWHERE true", Driver::Sqlite),
            Verdict::NeedsTyped(Danger::DeleteWhereAlwaysTrue)
        );
        // An executable comment keeps its markers with the code it wraps.
        let spans: Vec<String> =
            super::split_statements("SELECT /*! 1 */; /*!DROP TABLE u*/", Driver::Mysql)
                .into_iter()
                .map(|s| s.text)
                .collect();
        assert_eq!(spans, vec!["SELECT /*! 1 */", "/*!DROP TABLE u*/"]);
        // A trailing unterminated comment is left out of the statement; the text as a whole
        // (a playbook step hands over all of it) is refused.
        let b = "DELETE FROM t WHERE id = 1 /* ; DELETE FROM t";
        assert_eq!(
            super::split_statements(b, Driver::Postgres)[0].text,
            "DELETE FROM t WHERE id = 1"
        );
        assert!(matches!(judge(b, Driver::Postgres), Verdict::Refused(_)));
    }
}
