//! The dialog of confirming a guarded run: a playbook step, or an off-script command (the same
//! dialog, so a dangerous command asks the same way wherever it comes from).

use crate::core::run::Guard;
use crate::ui::app::App;
use crate::ui::overlay::{ConfirmAdhoc, ConfirmStep, LineInput};
use crate::ui::widgets::dialog_box::dialog_fitting;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// What a guarded run's confirmation shows.
struct Guarded<'a> {
    /// What runs, in a few words (the step's title).
    heading: String,
    /// Where.
    targets: Vec<String>,
    /// The command or statement, secrets masked.
    display: Option<String>,
    /// Why it is guarded.
    reasons: Vec<String>,
    /// The answer it needs.
    guard: &'a Guard,
    /// The name typed so far.
    input: &'a LineInput,
    /// The dialog's title when it is dangerous, and otherwise.
    titles: (&'a str, &'a str),
}

/// What the step will run, where, why it is guarded, and the answer it needs.
pub fn confirm_step(frame: &mut Frame<'_>, area: Rect, app: &App, confirm: &ConfirmStep) {
    let plan = &confirm.plan;
    let guarded = Guarded {
        heading: plan.step.title.clone(),
        targets: plan.targets(),
        display: plan.display(),
        reasons: plan.guard_reasons(),
        guard: &plan.guard,
        input: &confirm.input,
        titles: ("Dangerous step: confirm", "Run this step?"),
    };
    draw(frame, area, app, guarded);
}

/// The same for a dangerous off-script command.
pub fn confirm_adhoc(frame: &mut Frame<'_>, area: Rect, app: &App, confirm: &ConfirmAdhoc) {
    let plan = &confirm.plan;
    let guarded = Guarded {
        heading: format!("Off-script command on {}", plan.target),
        targets: plan.hosts.clone(),
        display: Some(plan.display.clone()),
        reasons: plan.guard_reasons(),
        guard: &plan.guard,
        input: &confirm.input,
        titles: (
            "Dangerous off-script command: confirm",
            "Run this off-script command?",
        ),
    };
    draw(frame, area, app, guarded);
}

fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, guarded: Guarded<'_>) {
    let t = &app.theme;
    let mut lines = vec![
        Line::styled(guarded.heading, t.title()),
        Line::from(vec![
            Span::styled("on  ", t.text_dim()),
            Span::styled(guarded.targets.join(", "), t.text()),
        ]),
    ];
    if let Some(display) = guarded.display {
        lines.push(Line::from(""));
        lines.extend(
            app.redactor
                .redact(&display)
                .lines()
                .map(|l| Line::styled(format!("  {l}"), t.accent())),
        );
    }
    if !guarded.reasons.is_empty() {
        lines.push(Line::from(""));
        lines.extend(
            guarded
                .reasons
                .into_iter()
                .map(|r| Line::styled(format!("⚠ {r}"), t.text_danger())),
        );
    }
    lines.push(Line::from(""));
    match guarded.guard {
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
                Span::styled(guarded.input.text.clone(), t.text()),
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
    let (dangerous, otherwise) = guarded.titles;
    let title = if guarded.guard.is_dangerous() {
        dangerous
    } else {
        otherwise
    };
    dialog_fitting(frame, area, app, title, lines);
}
