//! The dialog of running a step: confirming a guarded step.

use crate::core::run::Guard;
use crate::ui::app::App;
use crate::ui::overlay::ConfirmStep;
use crate::ui::widgets::dialog_box::dialog_fitting;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

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
            app.redactor
                .redact(&display)
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
                Span::raw(format!(
                    " and press {} to run it; {} cancels (journaled).",
                    app.dialog_key(crate::ui::action::Action::Confirm),
                    app.dialog_key(crate::ui::action::Action::Cancel)
                )),
            ]));
            lines.push(Line::from(vec![
                Span::raw("> "),
                Span::styled(confirm.input.text.clone(), t.text()),
                Span::styled("▏", t.accent()),
            ]));
        }
        _ => lines.push(Line::from(vec![
            Span::styled(
                app.dialog_key(crate::ui::action::Action::AnswerYes),
                t.accent(),
            ),
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
