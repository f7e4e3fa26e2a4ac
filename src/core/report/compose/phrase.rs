//! Small phrases the report's sections share: counts in words and a transaction's outcome. A
//! leaf of `compose`: the sections read it, it reads none of them.

use crate::core::report::model::TransactionEnd;

/// The singular or plural form.
pub(super) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// "1 row", "2 rows".
pub(super) fn rows(n: u64) -> String {
    format!("{n} {}", if n == 1 { "row" } else { "rows" })
}

/// What became of a transaction: committed, rolled back (and why), or unknown.
pub(super) fn outcome(t: &TransactionEnd) -> String {
    match &t.outcome {
        Some((true, _)) => "committed".to_string(),
        Some((false, None)) => "rolled back".to_string(),
        Some((false, Some(e))) => format!("rolled back: {e}"),
        None => "no outcome in the journal".to_string(),
    }
}
