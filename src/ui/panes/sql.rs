//! The SQL pane: the inventory's databases and the selected sql step's statement.

use crate::core::inventory::PasswordSource;
use crate::core::playbook::StepAction;
use crate::ui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Draws the databases and the pending statement.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let mut lines = Vec::new();
    if app.inventory.databases.is_empty() {
        lines.push(Line::styled("No databases in the inventory.", t.text_dim()));
    }
    for db in &app.inventory.databases {
        let password = match &db.password {
            PasswordSource::None => String::new(),
            PasswordSource::Env(v) => format!(" · password from ${v}"),
            PasswordSource::File(f) => format!(" · password from {f}"),
        };
        let mut spans = vec![
            Span::styled(format!("{} ", db.name), t.accent()),
            Span::styled(format!("{} ", db.driver.name()), t.text_dim()),
            Span::raw(app.redactor.redact(&db.url)),
            Span::styled(password, t.text_dim()),
        ];
        if db.read_only {
            spans.push(Span::styled(" read-only", t.text_warning()));
        }
        lines.push(Line::from(spans));
    }
    let playbook_step = app
        .incident()
        .and_then(|i| Some((app.playbook(&i.playbook)?, i.steps.get(app.step_cursor)?)))
        .and_then(|(p, s)| p.step(&s.id));
    if let Some(StepAction::Sql {
        database,
        statement,
    }) = playbook_step.map(|s| &s.action)
    {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            format!("Statement of the selected step, for {database}:"),
            t.title(),
        ));
        lines.extend(
            app.redactor
                .redact(statement)
                .lines()
                .map(|l| Line::raw(l.to_string()))
                .collect::<Vec<_>>(),
        );
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        "The interactive console (editor, guarded transactions) is not in this build yet: sql steps are shown here and ticked by hand.",
        t.text_dim(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
