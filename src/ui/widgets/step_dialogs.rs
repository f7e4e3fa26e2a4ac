//! The dialogs of running a step: confirming a guarded step, committing what a sql step did.

use crate::core::run::Guard;
use crate::ui::app::App;
use crate::ui::overlay::{CommitSql, ConfirmStep};
use crate::ui::widgets::overlays::dialog_fitting;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Rows of a result shown in the commit dialog.
const PREVIEW_ROWS: usize = 8;

/// What the step will run, where, why it is guarded, and the answer it needs.
pub fn confirm_step(frame: &mut Frame<'_>, area: Rect, app: &App, confirm: &ConfirmStep) {
    let t = &app.theme;
    let plan = &confirm.plan;
    let mut lines = vec![
        Line::styled(plan.step.title.clone(), t.title()),
        Line::from(vec![
            Span::styled("on  ", t.text_dim()),
            Span::styled(plan.targets().join(", "), t.text()),
        ]),
    ];
    if let Some(display) = plan.display() {
        lines.push(Line::from(""));
        lines.extend(
            display
                .lines()
                .map(|l| Line::styled(format!("  {l}"), t.accent())),
        );
    }
    let reasons = plan.guard_reasons();
    if !reasons.is_empty() {
        lines.push(Line::from(""));
        lines.extend(
            reasons
                .into_iter()
                .map(|r| Line::styled(format!("⚠ {r}"), t.text_danger())),
        );
    }
    lines.push(Line::from(""));
    match &plan.guard {
        Guard::Typed { expected, .. } => {
            lines.push(Line::from(vec![
                Span::raw("Type "),
                Span::styled(expected.clone(), t.accent()),
                Span::raw(" and press Enter to run it; Esc cancels (journaled)."),
            ]));
            lines.push(Line::from(vec![
                Span::raw("> "),
                Span::styled(confirm.input.text.clone(), t.text()),
                Span::styled("▏", t.accent()),
            ]));
        }
        _ => lines.push(Line::from(vec![
            Span::styled("y", t.accent()),
            Span::raw(" run it   "),
            Span::styled("any other key", t.accent()),
            Span::raw(" cancel (journaled)"),
        ])),
    }
    let title = if plan.guard.is_dangerous() {
        "Dangerous step: confirm"
    } else {
        "Run this step?"
    };
    dialog_fitting(frame, area, app, title, lines);
}

/// What the statement did, against what the step expects, before anything is final.
pub fn commit_sql(frame: &mut Frame<'_>, area: Rect, app: &App, commit: &CommitSql) {
    let t = &app.theme;
    let rows = commit.outcome.rows_affected;
    let mut lines = vec![Line::from(format!(
        "Step `{}` on `{}`: {rows} row(s) affected; the transaction is still open.",
        commit.step, commit.database
    ))];
    if let Some((min, max)) = commit.expected_rows {
        let ok = rows >= min && max.is_none_or(|m| rows <= m);
        let range = match max {
            Some(m) if m == min => format!("{min}"),
            Some(m) => format!("{min} to {m}"),
            None => format!("at least {min}"),
        };
        let style = if ok { t.text_ok() } else { t.text_danger() };
        let verdict = if ok {
            format!("as expected ({range})")
        } else {
            format!("NOT as expected: the step expects {range}; roll back unless you know why")
        };
        lines.push(Line::styled(verdict, style));
    }
    let outcome = &commit.outcome;
    if !outcome.columns.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled(outcome.columns.join(" │ "), t.title()));
        for row in outcome.rows.iter().take(PREVIEW_ROWS) {
            let cells: Vec<String> = row
                .iter()
                .map(|v| v.clone().unwrap_or_else(|| "NULL".into()))
                .collect();
            lines.push(Line::styled(
                app.redactor.redact(&cells.join(" │ ")),
                t.text(),
            ));
        }
        let more = outcome.rows.len().saturating_sub(PREVIEW_ROWS) as u64 + outcome.rows_dropped;
        if more > 0 {
            lines.push(Line::styled(format!("… {more} more row(s)"), t.text_dim()));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled("y", t.accent()),
        Span::raw(" commit   "),
        Span::styled("any other key", t.accent()),
        Span::raw(" roll back"),
    ]));
    dialog_fitting(frame, area, app, "Commit?", lines);
}
