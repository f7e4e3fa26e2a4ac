//! Actions taken: every step run with its command, targets, exit statuses and trimmed output;
//! every SQL statement with its parameters, rows and how its transaction ended.

use super::phrase::{outcome, plural, rows};
use super::{step_ref, when, when_into};
use crate::core::report::doc::{Block, Line, code, strong, text};
use crate::core::report::format;
use crate::core::report::model::{Report, RunEnd, StepRun};
use std::borrow::Cow;
use std::fmt::Write;

/// Output lines shown per target; the rest stays in the journal.
const OUTPUT_LINES: usize = 30;
/// Output bytes shown per target.
const OUTPUT_BYTES: usize = 4096;
/// Output shown inline, not as a block, when it is one line this short.
const INLINE_OUTPUT: usize = 100;

pub(super) fn step_runs<'a>(r: &'a Report, blocks: &mut Vec<Block<'a>>) {
    blocks.push(Block::Heading(2, "Actions taken".into()));
    if r.runs.is_empty() {
        blocks.push(Block::Para(vec![text("No step was run.")]));
        return;
    }
    blocks.push(Block::Para(vec![text(format!(
        "{} step {}, in the order they started. Output is the end of what each target printed, \
         secrets masked, as the journal keeps it (at most {OUTPUT_LINES} lines shown here).",
        r.runs.len(),
        plural(r.runs.len(), "run", "runs")
    ))]));
    for run in &r.runs {
        step_run(r, run, blocks);
    }
}

fn step_run<'a>(r: &'a Report, run: &'a StepRun, blocks: &mut Vec<Block<'a>>) {
    let attempt = if run.attempt > 1 {
        format!(", attempt {}", run.attempt)
    } else {
        String::new()
    };
    blocks.push(Block::Heading(
        3,
        format!("{} — {} ({}{attempt})", run.step, run.title, run.kind),
    ));
    // `+00:03 (20:26:19) by op, on a, b`, written in one piece.
    let mut started = String::with_capacity(64);
    when_into(&mut started, r, run.at_ms);
    started.push_str(" by ");
    started.push_str(&run.by);
    for (n, target) in run.targets.iter().enumerate() {
        started.push_str(if n == 0 { ", on " } else { ", " });
        started.push_str(target);
    }
    let mut fields: Vec<(String, Line)> = vec![("Started".into(), vec![text(started)])];
    if let Some((answer, by)) = &run.confirmation {
        fields.push((
            "Confirmed".into(),
            vec![text(format!("by {by}, typing ")), code(answer.as_str())],
        ));
    }
    let end = match &run.end {
        RunEnd::Finished { at_ms, ok, reason } => {
            let took = format::duration(at_ms.saturating_sub(run.at_ms));
            if *ok {
                vec![strong("passed"), text(format!(" in {took}"))]
            } else {
                vec![
                    strong("failed"),
                    text(format!(
                        " after {took}: {}",
                        reason.as_deref().unwrap_or("no reason given")
                    )),
                ]
            }
        }
        RunEnd::Interrupted => vec![
            strong("interrupted"),
            text(": cockpit stopped before the run finished; what it did is unknown"),
        ],
        RunEnd::Unfinished => vec![strong("no end in the journal")],
    };
    fields.push(("Result".into(), end));
    blocks.push(Block::Fields(fields));
    if let Some(command) = &run.command {
        blocks.push(Block::Code(command.as_str().into()));
    }
    for (_, result) in &run.results {
        let mut status = vec![strong(result.target.as_str()), text(": ")];
        // `exit 0, 3 rows, ok, reason`, written in one piece.
        let mut facts = String::new();
        if let Some(exit) = result.exit {
            let _ = write!(facts, "exit {exit}, ");
        }
        if let Some(n) = result.rows {
            facts.push_str(&rows(n));
            facts.push_str(", ");
        }
        facts.push_str(if result.ok { "ok" } else { "failed" });
        if let Some(reason) = &result.reason {
            facts.push_str(", ");
            facts.push_str(reason);
        }
        status.push(text(facts));
        let output = result.output.trim_end();
        if !output.is_empty() && !output.contains('\n') && output.chars().count() <= INLINE_OUTPUT {
            status.push(text(" — "));
            status.push(code(output));
            blocks.push(Block::Para(status));
        } else {
            blocks.push(Block::Para(status));
            if !output.is_empty() {
                blocks.push(Block::Code(trim_output(output)));
            }
        }
    }
}

/// The last [`OUTPUT_LINES`] lines (and at most [`OUTPUT_BYTES`]) of an output, saying what was
/// left out.
pub(super) fn trim_output(output: &str) -> Cow<'_, str> {
    let lines: Vec<&str> = output.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    let mut bytes = 0;
    for line in lines.iter().rev() {
        if kept.len() == OUTPUT_LINES || bytes + line.len() > OUTPUT_BYTES {
            break;
        }
        bytes += line.len() + 1;
        kept.push(line);
    }
    if kept.is_empty() {
        // One line longer than the whole budget: keep its end.
        let last = lines.last().copied().unwrap_or_default();
        let mut cut = last.len().saturating_sub(OUTPUT_BYTES);
        while !last.is_char_boundary(cut) {
            cut += 1;
        }
        return format!("… ({cut} bytes not shown)\n{}", &last[cut..]).into();
    }
    let dropped = lines.len() - kept.len();
    if dropped == 0 {
        return Cow::Borrowed(output);
    }
    kept.reverse();
    format!(
        "… ({dropped} earlier {} not shown)\n{}",
        plural(dropped, "line", "lines"),
        kept.join("\n")
    )
    .into()
}

pub(super) fn sql<'a>(r: &'a Report, blocks: &mut Vec<Block<'a>>) {
    blocks.push(Block::Heading(2, "SQL changes".into()));
    if r.statements.is_empty() && r.transactions.is_empty() {
        blocks.push(Block::Para(vec![text("No SQL statement was run.")]));
        return;
    }
    for s in &r.statements {
        let mut title = format!("{} · statement {}", s.database, s.run);
        if let Some(step) = &s.step {
            title.push_str(&format!(" (step {step})"));
        }
        blocks.push(Block::Heading(3, title));
        let mut fields: Vec<(String, Line)> = vec![(
            "Sent".into(),
            vec![text(format!(
                "{} by {}, {}",
                when(r, s.at_ms),
                s.by,
                if s.transaction {
                    "in a transaction"
                } else {
                    "outside a transaction (committed by the database as it ran)"
                }
            ))],
        )];
        if let Some(step) = &s.step {
            let mut from = vec![text("step ")];
            from.extend(step_ref(r, step));
            fields.push(("From".into(), from));
        }
        if let Some(answer) = &s.confirmation {
            fields.push((
                "Confirmed".into(),
                vec![text("typing "), code(answer.as_str())],
            ));
        }
        if !s.params.is_empty() {
            let mut params = Vec::new();
            for (n, p) in s.params.iter().enumerate() {
                if n > 0 {
                    params.push(text(", "));
                }
                params.push(code(p.as_str()));
            }
            fields.push(("Parameters".into(), params));
        }
        let result = match &s.ended {
            Some(end) => match &end.error {
                Some(e) => vec![strong("error"), text(format!(": {e}"))],
                None => vec![text(format!(
                    "{} affected, {} returned, in {}",
                    rows(end.rows_affected),
                    rows(end.rows_returned),
                    format::duration(end.duration_ms as i64)
                ))],
            },
            None => vec![strong("no end in the journal")],
        };
        fields.push(("Result".into(), result));
        if s.transaction {
            let settled = match s.settled_by.and_then(|t| r.transactions.get(t)) {
                Some(t) => {
                    vec![
                        strong(outcome(t)),
                        text(format!(
                            " — {} asked by {} ({}) at {}",
                            if t.commit { "commit" } else { "rollback" },
                            t.by,
                            t.reason,
                            when(r, t.at_ms)
                        )),
                    ]
                }
                None => vec![strong("the transaction's end is not in the journal")],
            };
            fields.push(("Transaction".into(), settled));
        }
        blocks.push(Block::Fields(fields));
        blocks.push(Block::Code(s.statement.as_str().into()));
    }
    if !r.transactions.is_empty() {
        blocks.push(Block::Heading(3, "Transactions ended".into()));
        let table = r
            .transactions
            .iter()
            .map(|t| {
                vec![
                    vec![text(when(r, t.at_ms))],
                    vec![code(t.database.as_str())],
                    vec![text(if t.commit { "commit" } else { "rollback" })],
                    vec![text(format!("{} ({})", t.by, t.reason))],
                    vec![text(rows(t.rows_affected))],
                    vec![strong(outcome(t))],
                ]
            })
            .collect();
        blocks.push(Block::Table {
            head: vec![
                "When".into(),
                "Database".into(),
                "Asked".into(),
                "By (why)".into(),
                "Rows".into(),
                "Outcome".into(),
            ],
            rows: table,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_output_keeps_its_end_and_says_what_was_cut() {
        let many: Vec<String> = (1..=40).map(|i| format!("line {i}")).collect();
        let joined = many.join("\n");
        let trimmed = trim_output(&joined);
        assert!(
            trimmed.starts_with("… (10 earlier lines not shown)\nline 11\n"),
            "{trimmed}"
        );
        assert!(trimmed.ends_with("line 40"));
        let wide = "日".repeat(3000);
        let trimmed = trim_output(&wide);
        assert!(
            trimmed.starts_with("… (4905 bytes not shown)\n日"),
            "cut on a character boundary"
        );
        assert!(
            matches!(trim_output("a\nb"), Cow::Borrowed("a\nb")),
            "short output is not copied"
        );
    }
}
