//! How a `{{placeholder}}` value goes into a shell command so the shell reads exactly the
//! value, as one literal word (or as literal here-document text), wherever it is written; and
//! where that cannot be done for every value, why the placeholder is refused.

use crate::core::template::shell_scan::scan;
pub use crate::core::template::shell_scan::{Refusal, ShellContext};
use crate::core::template::{Placeholder, placeholders};
use std::fmt;
use std::ops::Range;

/// Every placeholder of a command with the context it is written in, in order.
pub fn shell_placeholders(command: &str) -> Vec<(Placeholder, ShellContext)> {
    let found = placeholders(command);
    let holes: Vec<_> = found.iter().map(|p| p.range.clone()).collect();
    found
        .into_iter()
        .zip(scan(command, &holes).contexts)
        .collect()
}

/// Where the here-documents of a command end (the byte offset of each delimiter line), or
/// why the command cannot be read to its end.
pub fn heredoc_ends(command: &str) -> Result<Vec<usize>, String> {
    let s = scan(command, &[]);
    match s.error {
        Some(e) => Err(e),
        None => Ok(s.heredoc_ends),
    }
}

/// Why a value cannot go where its placeholder stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpliceError {
    /// The placeholder's place is refused for every value.
    Place(Refusal),
    /// A value with a newline or tab in a `<<-` here-document, whose lines lose leading tabs.
    TabStripped,
}

impl fmt::Display for SpliceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpliceError::Place(r) => r.fmt(f),
            SpliceError::TabStripped => f.write_str(
                "it is in a `<<-` here-document, which strips tabs after each newline, and the value has a newline or tab",
            ),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Arithmetic => f.write_str(
                "it is inside arithmetic ($((…)) or ((…))), where the shell evaluates a value as an expression, which can run commands",
            ),
            Refusal::Comment => f.write_str(
                "it is inside a # comment, which a value with a newline would end, running the rest",
            ),
            Refusal::ParameterExpansion => f.write_str(
                "it is inside ${…}, where dash and bash read quotes differently and the result is split into words",
            ),
            Refusal::Backticks => f.write_str(
                "it is inside backticks, where the shell reads backslashes and quotes a second time",
            ),
            Refusal::AnsiC => {
                f.write_str("it is inside $'…', which bash reads with escapes and dash does not")
            }
            Refusal::AfterDollar => {
                f.write_str("it comes right after `$`, which would join the value to an expansion")
            }
            Refusal::AfterBackslash => f.write_str(
                "it comes right after a backslash, which would escape the quote the value starts with",
            ),
            Refusal::HeredocDelimiter => f.write_str("it is a here-document delimiter"),
            Refusal::ArithmeticCommand => f.write_str(
                "it is in `let`, `[[ … ]]` or an array subscript, where bash evaluates a value as arithmetic (a value like `a[$(cmd)]` runs cmd, quoted or not)",
            ),
            Refusal::Eval => {
                f.write_str("it is an argument of `eval`, which runs its arguments as shell code")
            }
            Refusal::IntegerVariables => f.write_str(
                "it comes after an integer declaration (`declare -i`), and bash evaluates what is assigned to an integer variable as arithmetic",
            ),
            Refusal::CommandName => {
                f.write_str("it is (part of) the command name, so the value would choose what runs")
            }
            Refusal::DynamicCommand => f.write_str(
                "the command's name comes from an expansion (`$…`), so it could be `eval`, which would run the value as code",
            ),
            Refusal::Unreadable(why) => write!(
                f,
                "the command cannot be read as shell ({why}), so where the value would land is unclear"
            ),
        }
    }
}

impl Refusal {
    /// What to write instead, in the operator's words.
    pub fn hint(&self) -> &'static str {
        match self {
            Refusal::Arithmetic => {
                "pass the value as an argument instead, e.g. `expr {{n}} + 1` or `test {{n}} -gt 5`"
            }
            Refusal::Comment => "take the placeholder out of the comment",
            Refusal::ParameterExpansion => {
                "assign it first, then expand: `v={{x}}; echo \"${name:-$v}\"`"
            }
            Refusal::Backticks => "`$(…)` instead of backticks",
            Refusal::AnsiC => "'…' or \"…\" around the placeholder",
            Refusal::AfterDollar => "a space or quote between `$` and the placeholder",
            Refusal::AfterBackslash => "no backslash right before the placeholder",
            Refusal::HeredocDelimiter => "a fixed delimiter word, e.g. `<<EOF`",
            Refusal::ArithmeticCommand => {
                "`[ … ]` (test), which compares without evaluating, e.g. `[ {{n}} -gt 5 ]`"
            }
            Refusal::Eval => "the command written out, without `eval`",
            Refusal::IntegerVariables => "plain variables, without `-i`",
            Refusal::CommandName => "a fixed command name, with the value as an argument",
            Refusal::DynamicCommand => "the command's name written out",
            Refusal::Unreadable(_) => "balanced quotes, `$(…)`, `${…}` and here-documents",
        }
    }
}

/// A value as it must be written where `context` is, so the shell reads the literal value.
/// Bare, it is quoted unless it is plain; inside quotes, the quotes are closed around the
/// quoted value and reopened; in a here-document body it is the text itself, with `\`, `$`
/// and `` ` `` escaped where the body expands. Whether a here-document value ends the
/// here-document early is checked on the whole command after rendering.
pub fn splice(value: &str, context: &ShellContext) -> Result<String, SpliceError> {
    Ok(match context {
        ShellContext::Bare => word(value),
        ShellContext::Single if plain(value) => value.to_string(),
        ShellContext::Single => format!("'{}'", single_quoted(value)),
        ShellContext::Double if plain(value) => value.to_string(),
        ShellContext::Double => format!("\"{}\"", single_quoted(value)),
        ShellContext::Heredoc { strip_tabs, .. } if *strip_tabs && value.contains(['\n', '\t']) => {
            return Err(SpliceError::TabStripped);
        }
        ShellContext::Heredoc { expands: true, .. } => value
            .chars()
            .flat_map(|c| match c {
                '\\' | '$' | '`' => vec!['\\', c],
                c => vec![c],
            })
            .collect(),
        ShellContext::Heredoc { expands: false, .. } => value.to_string(),
        ShellContext::Refused(r) => return Err(SpliceError::Place(r.clone())),
    })
}

/// Like [`splice`] for the placeholder at `range` of `template`: a plain value still goes in
/// quoted where the text around would join it to something else (`$name{{v}}` would read a
/// longer name, `~{{v}}` a home folder, `{{v}}=1` an assignment); `-p{{v}}` stays as it is.
pub fn splice_at(
    template: &str,
    range: Range<usize>,
    value: &str,
    context: &ShellContext,
) -> Result<String, SpliceError> {
    let before = &template.as_bytes()[..range.start];
    let name = before
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    let after_name = name > 0 && before[..before.len() - name].last() == Some(&b'$');
    let after = template.as_bytes().get(range.end);
    let after_tilde = before.last() == Some(&b'~');
    let joins = after_name || after_tilde || after.is_some_and(|b| *b == b'=' || *b == b'(');
    match context {
        ShellContext::Bare if joins => Ok(single_quoted(value)),
        ShellContext::Double if joins => Ok(format!("\"{}\"", single_quoted(value))),
        _ => splice(value, context),
    }
}

/// Words the shell reads as keywords when they stand alone.
const RESERVED_WORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
    "in", "function", "select", "time", "coproc",
];

/// Letters, digits and `-_./:@+%` only: nothing the shell reads specially anywhere (a `,`
/// would split a bash brace expansion such as `{a,{{v}}}`).
fn plain(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@+%".contains(c))
}

/// The value as one unquoted-context word: as it is when plain, no keyword and not starting
/// with `-` (an operator inside bash's `[[ … ]]`), else in `'…'`.
fn word(value: &str) -> String {
    if plain(value) && !RESERVED_WORDS.contains(&value) && !value.starts_with('-') {
        value.to_string()
    } else {
        single_quoted(value)
    }
}

/// `'value'`, each `'` in it written `'\''`.
fn single_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
#[path = "shell_text_tests.rs"]
mod tests;
