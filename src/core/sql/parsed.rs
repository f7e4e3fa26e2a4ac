//! The guard's second opinion: each text is also parsed by a real SQL parser (sqlparser-rs)
//! with the database's own dialect. The guard compares what the parser reads with what its
//! own lexer-based judgement says (how many statements, which of them only read); where they
//! differ, or the parser cannot read the text at all, the console treats the text as
//! dangerous rather than guess which of the two is right. The parser's tree also finds
//! function calls a read must not make (a function not known to be pure may write, sleep,
//! lock, read server files or kill sessions) and `WHERE` conditions that hold for every row.

use super::tautology::expr_always_true;
use crate::core::inventory::Driver;
use sqlparser::ast::{
    Expr, ObjectName, ObjectNamePart, Query, Select, SetExpr, Statement, TableFactor, Visit,
    Visitor,
};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// What the parser reads in one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reading {
    /// Its kind in a few words ("SELECT", "UPDATE", "PRAGMA" …), for messages.
    pub what: String,
    /// It only reads: a query with no `INTO`, no locking clause and no data-modifying part, a
    /// `SHOW`, a `DESCRIBE`, an `EXPLAIN` that does not run its statement (or runs a read), a
    /// PRAGMA on the read-only list.
    pub read: bool,
    /// It sets something for the session (`SET`, `USE`).
    pub session: bool,
    /// The first function it calls that is not on the list of known-pure functions.
    pub impure: Option<String>,
    /// An `UPDATE`/`DELETE` in it (itself or nested) whose `WHERE` holds for every row.
    pub always_true: Option<&'static str>,
}

fn dialect(driver: Driver) -> Box<dyn Dialect> {
    match driver {
        Driver::Mysql => Box::new(MySqlDialect {}),
        Driver::Postgres => Box::new(PostgreSqlDialect {}),
        Driver::Sqlite => Box::new(SQLiteDialect {}),
    }
}

/// Each statement of `sql` as the parser reads it with `driver`'s dialect, or why it could not.
pub(crate) fn read(sql: &str, driver: Driver) -> Result<Vec<Reading>, String> {
    let statements = Parser::parse_sql(dialect(driver).as_ref(), sql).map_err(|e| e.to_string())?;
    Ok(statements.iter().map(reading).collect())
}

fn reading(stmt: &Statement) -> Reading {
    let mut scan = Scan::default();
    let _ = stmt.visit(&mut scan);
    Reading {
        what: what(stmt),
        read: reads(stmt),
        session: matches!(stmt, Statement::Set(_) | Statement::Use(_)),
        impure: scan.impure,
        always_true: scan.always_true,
    }
}

/// The statement's first words, for messages: "SELECT", "EXPLAIN ANALYZE", "VACUUM" …
fn what(stmt: &Statement) -> String {
    let text = stmt.to_string();
    let words: Vec<&str> = text.split_whitespace().take(2).collect();
    match words.as_slice() {
        [first, second]
            if ["EXPLAIN", "DESCRIBE", "DESC"].contains(first)
                || second.chars().all(|c| c.is_ascii_uppercase()) =>
        {
            format!("{first} {second}")
        }
        [first, ..] => first.to_string(),
        [] => "an empty statement".to_string(),
    }
}

/// Whether the statement only reads (see [`Reading::read`]).
fn reads(stmt: &Statement) -> bool {
    match stmt {
        Statement::Query(q) => query_reads(q),
        Statement::ShowFunctions { .. }
        | Statement::ShowVariable { .. }
        | Statement::ShowStatus { .. }
        | Statement::ShowVariables { .. }
        | Statement::ShowCreate { .. }
        | Statement::ShowColumns { .. }
        | Statement::ShowCatalogs { .. }
        | Statement::ShowDatabases { .. }
        | Statement::ShowProcessList { .. }
        | Statement::ShowSchemas { .. }
        | Statement::ShowCharset(_)
        | Statement::ShowObjects(_)
        | Statement::ShowTables { .. }
        | Statement::ShowViews { .. }
        | Statement::ShowCollation { .. }
        | Statement::ExplainTable { .. } => true,
        Statement::Explain {
            analyze,
            options,
            statement,
            ..
        } => {
            let runs = *analyze
                || options.iter().flatten().any(|o| {
                    let name = o.name.value.to_ascii_lowercase();
                    name == "analyze" || name == "analyse"
                });
            !runs || reads(statement)
        }
        Statement::Pragma { name, value, .. } => pragma_reads(name, value.is_some()),
        _ => false,
    }
}

/// A query reads when no part of it writes or locks: no `SELECT … INTO`, no `FOR UPDATE`/`FOR
/// SHARE`, no `INSERT`/`UPDATE`/`DELETE`/`MERGE` inside (PostgreSQL's data-modifying `WITH`).
fn query_reads(q: &Query) -> bool {
    let mut scan = Scan::default();
    let _ = q.visit(&mut scan);
    !scan.writes
}

/// PRAGMAs that only read. With an argument, only those whose argument names what to read
/// (`table_info(t)`); the others read without an argument and *set* with one.
const PRAGMAS_WITH_ARGUMENT: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "foreign_key_check",
    "integrity_check",
    "quick_check",
];
const PRAGMAS_WITHOUT_ARGUMENT: &[&str] = &[
    "application_id",
    "auto_vacuum",
    "busy_timeout",
    "cache_size",
    "collation_list",
    "compile_options",
    "data_version",
    "database_list",
    "encoding",
    "foreign_keys",
    "freelist_count",
    "function_list",
    "journal_mode",
    "module_list",
    "page_count",
    "page_size",
    "pragma_list",
    "schema_version",
    "synchronous",
    "user_version",
];

/// Whether `PRAGMA name[(value)]` only reads (see the two lists above).
pub(crate) fn pragma_reads(name: &ObjectName, has_value: bool) -> bool {
    let Some(last) = name.0.last().and_then(ObjectNamePart::as_ident) else {
        return false;
    };
    pragma_name_reads(&last.value.to_ascii_lowercase(), has_value)
}

/// Whether `PRAGMA name` (lower case), with or without a value, only reads.
pub(crate) fn pragma_name_reads(name: &str, has_value: bool) -> bool {
    PRAGMAS_WITH_ARGUMENT.contains(&name)
        || (!has_value && PRAGMAS_WITHOUT_ARGUMENT.contains(&name))
}

/// Functions a read may call freely: they compute from their arguments (and the clock, the
/// session, the catalog), and change nothing. Anything else — `sleep`, `pg_terminate_backend`,
/// `load_file`, `nextval`, `set_config`, `lo_export`, `dblink`, `load_extension`, a user's own
/// function — makes the statement need the typed confirmation.
const PURE_FUNCTIONS: &[&str] = &[
    "abs",
    "acos",
    "age",
    "any_value",
    "array_agg",
    "array_length",
    "array_position",
    "array_to_string",
    "ascii",
    "asin",
    "atan",
    "atan2",
    "avg",
    "bin",
    "bit_and",
    "bit_length",
    "bit_or",
    "bit_xor",
    "bool_and",
    "bool_or",
    "btrim",
    "cardinality",
    "cast",
    "cbrt",
    "ceil",
    "ceiling",
    "char",
    "char_length",
    "character_length",
    "chr",
    "coalesce",
    "concat",
    "concat_ws",
    "conv",
    "convert",
    "cos",
    "cot",
    "count",
    "cume_dist",
    "curdate",
    "current_date",
    "current_schema",
    "current_setting",
    "current_time",
    "current_timestamp",
    "current_user",
    "curtime",
    "database",
    "date",
    "date_add",
    "date_bin",
    "date_format",
    "date_part",
    "date_sub",
    "date_trunc",
    "datediff",
    "datetime",
    "day",
    "dayname",
    "dayofmonth",
    "dayofweek",
    "dayofyear",
    "decode",
    "degrees",
    "dense_rank",
    "div",
    "elt",
    "encode",
    "every",
    "exp",
    "extract",
    "field",
    "find_in_set",
    "first_value",
    "floor",
    "format",
    "format_type",
    "from_unixtime",
    "gen_random_uuid",
    "generate_series",
    "glob",
    "greatest",
    "group_concat",
    "hex",
    "hour",
    "if",
    "ifnull",
    "iif",
    "inet_aton",
    "inet_ntoa",
    "initcap",
    "instr",
    "isnull",
    "json_agg",
    "json_array",
    "json_array_elements",
    "json_array_length",
    "json_build_array",
    "json_build_object",
    "json_contains",
    "json_each",
    "json_extract",
    "json_keys",
    "json_length",
    "json_object",
    "json_object_agg",
    "json_type",
    "json_unquote",
    "json_valid",
    "jsonb_agg",
    "jsonb_array_elements",
    "jsonb_build_array",
    "jsonb_build_object",
    "jsonb_each",
    "jsonb_extract_path",
    "jsonb_pretty",
    "jsonb_typeof",
    "julianday",
    "lag",
    "last_day",
    "last_value",
    "lead",
    "least",
    "left",
    "length",
    "like",
    "ln",
    "localtime",
    "localtimestamp",
    "locate",
    "log",
    "log10",
    "log2",
    "lower",
    "lpad",
    "ltrim",
    "make_date",
    "make_interval",
    "max",
    "md5",
    "min",
    "minute",
    "mod",
    "month",
    "monthname",
    "now",
    "nth_value",
    "ntile",
    "nullif",
    "num_nonnulls",
    "num_nulls",
    "nvl",
    "octet_length",
    "ord",
    "percent_rank",
    "percentile_cont",
    "percentile_disc",
    "pg_database_size",
    "pg_indexes_size",
    "pg_relation_size",
    "pg_size_pretty",
    "pg_table_size",
    "pg_total_relation_size",
    "pg_typeof",
    "pi",
    "position",
    "pow",
    "power",
    "printf",
    "quarter",
    "quote",
    "quote_ident",
    "quote_literal",
    "radians",
    "rand",
    "random",
    "rank",
    "regexp_like",
    "regexp_replace",
    "regexp_substr",
    "repeat",
    "replace",
    "reverse",
    "right",
    "round",
    "row_number",
    "rpad",
    "rtrim",
    "second",
    "session_user",
    "sha1",
    "sha2",
    "sign",
    "sin",
    "space",
    "split_part",
    "sqlite_version",
    "sqrt",
    "std",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "str_to_date",
    "strftime",
    "string_agg",
    "string_to_array",
    "strpos",
    "substr",
    "substring",
    "substring_index",
    "sum",
    "tan",
    "time",
    "timestamp",
    "timestampdiff",
    "to_char",
    "to_date",
    "to_hex",
    "to_json",
    "to_jsonb",
    "to_number",
    "to_timestamp",
    "total",
    "translate",
    "trim",
    "trunc",
    "truncate",
    "typeof",
    "unhex",
    "unicode",
    "unix_timestamp",
    "unnest",
    "upper",
    "user",
    "utc_date",
    "utc_time",
    "utc_timestamp",
    "uuid",
    "var_pop",
    "var_samp",
    "variance",
    "version",
    "week",
    "weekday",
    "year",
    "yearweek",
    "zeroblob",
];

/// Whether a call of `name` is a known-pure function: one part, or `pg_catalog.` and one part.
fn pure(name: &ObjectName) -> bool {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| p.as_ident().map(|i| i.value.to_ascii_lowercase()))
        .collect::<Option<_>>()
        .unwrap_or_default();
    match parts.as_slice() {
        [f] => PURE_FUNCTIONS.contains(&f.as_str()),
        [schema, f] if schema == "pg_catalog" => PURE_FUNCTIONS.contains(&f.as_str()),
        _ => false,
    }
}

/// What a walk of a statement's tree found.
#[derive(Default)]
struct Scan {
    /// A write or lock inside a query (see [`query_reads`]).
    writes: bool,
    impure: Option<String>,
    always_true: Option<&'static str>,
}

impl Scan {
    fn call(&mut self, name: &ObjectName) {
        if self.impure.is_none() && !pure(name) {
            self.impure = Some(name.to_string());
        }
    }
}

impl Visitor for Scan {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if !q.locks.is_empty() {
            self.writes = true;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, s: &Select) -> ControlFlow<()> {
        if s.into.is_some() {
            self.writes = true;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_statement(&mut self, stmt: &Statement) -> ControlFlow<()> {
        let (condition, what) = match stmt {
            Statement::Update(u) => (&u.selection, "UPDATE"),
            Statement::Delete(d) => (&d.selection, "DELETE"),
            _ => (&None, ""),
        };
        if let Some(cond) = condition
            && self.always_true.is_none()
            && expr_always_true(cond)
        {
            self.always_true = Some(what);
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, tf: &TableFactor) -> ControlFlow<()> {
        match tf {
            TableFactor::Table {
                name,
                args: Some(_),
                ..
            }
            | TableFactor::Function { name, .. } => self.call(name),
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        match e {
            Expr::Function(f) => self.call(&f.name),
            Expr::Subquery(q) | Expr::Exists { subquery: q, .. } => {
                if matches!(
                    q.body.as_ref(),
                    SetExpr::Insert(_)
                        | SetExpr::Update(_)
                        | SetExpr::Delete(_)
                        | SetExpr::Merge(_)
                ) {
                    self.writes = true;
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        let mut bodies = vec![q.body.as_ref()];
        if let Some(with) = &q.with {
            bodies.extend(with.cte_tables.iter().map(|c| c.query.body.as_ref()));
        }
        if bodies.iter().any(|b| {
            matches!(
                b,
                SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_)
            )
        }) {
            self.writes = true;
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &str, driver: Driver) -> Reading {
        let mut r = read(sql, driver).unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(r.len(), 1, "{sql}");
        r.remove(0)
    }

    #[test]
    fn reads_and_writes() {
        for (sql, d, want) in [
            ("SELECT * FROM t", Driver::Mysql, true),
            ("SELECT * FROM t FOR UPDATE", Driver::Postgres, false),
            ("SELECT * INTO x FROM t", Driver::Postgres, false),
            (
                "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
                Driver::Postgres,
                false,
            ),
            ("SHOW TABLES", Driver::Mysql, true),
            ("EXPLAIN DELETE FROM t", Driver::Postgres, true),
            ("EXPLAIN ANALYZE DELETE FROM t", Driver::Postgres, false),
            ("EXPLAIN (ANALYZE) DELETE FROM t", Driver::Postgres, false),
            ("EXPLAIN ANALYZE SELECT 1", Driver::Postgres, true),
            ("PRAGMA table_info('t')", Driver::Sqlite, true),
            ("PRAGMA user_version", Driver::Sqlite, true),
            ("PRAGMA user_version = 3", Driver::Sqlite, false),
            ("PRAGMA optimize", Driver::Sqlite, false),
            ("VACUUM", Driver::Sqlite, false),
            ("DELETE FROM t WHERE id = 1", Driver::Mysql, false),
        ] {
            assert_eq!(one(sql, d).read, want, "{sql}");
        }
    }

    #[test]
    fn impure_functions_are_named() {
        let r = one("SELECT count(*), lower(a), now() FROM t", Driver::Mysql);
        assert_eq!(r.impure, None);
        let r = one(
            "SELECT table_name, pg_size_pretty(pg_total_relation_size(quote_ident(table_name))) FROM information_schema.tables",
            Driver::Postgres,
        );
        assert_eq!(r.impure, None, "sizes of the catalog are a read");
        let r = one("SELECT pg_terminate_backend(12)", Driver::Postgres);
        assert_eq!(r.impure.as_deref(), Some("pg_terminate_backend"));
        let r = one(
            "SELECT * FROM pg_read_file('/etc/passwd')",
            Driver::Postgres,
        );
        assert_eq!(r.impure.as_deref(), Some("pg_read_file"));
        let r = one(
            "SELECT a FROM t WHERE a IN (SELECT sleep(5))",
            Driver::Mysql,
        );
        assert_eq!(r.impure.as_deref(), Some("sleep"));
        let r = one("SELECT myschema.lower(a) FROM t", Driver::Postgres);
        assert_eq!(r.impure.as_deref(), Some("myschema.lower"));
    }

    #[test]
    fn nothing_parses_is_an_error() {
        assert!(read("SELEC 1", Driver::Mysql).is_err());
        assert!(read("SELECT 1; DELETE", Driver::Sqlite).is_err());
    }
}
