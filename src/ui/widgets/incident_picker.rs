//! The incident picker: each open incident with its severity, age, title and who is on it.

use crate::ui::app::App;
use crate::ui::text::{fit, printable, short_duration, truncate};
use crate::ui::widgets::dialog_box::dialog;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Width of the dialog.
const WIDTH: u16 = 100;
/// Columns of the title.
const TITLE: usize = 30;

/// Draws the picker with the `selected`th open incident highlighted.
pub fn incident_picker(frame: &mut Frame<'_>, area: Rect, app: &App, selected: usize) {
    let t = &app.theme;
    let mut lines = Vec::new();
    for (n, incident) in app.open_incidents().into_iter().enumerate() {
        let style = if n == selected {
            t.selection()
        } else {
            t.text()
        };
        let here = if app.active.as_deref() == Some(incident.id.as_str()) {
            "▸ "
        } else {
            "  "
        };
        let who: Vec<String> = app
            .team
            .on(&incident.id)
            .iter()
            .map(|p| {
                if Some(p.session.as_str()) == app.team.session() {
                    "you".to_string()
                } else {
                    printable(&p.operator)
                }
            })
            .collect();
        let who = if who.is_empty() {
            "nobody else".to_string()
        } else {
            who.join(", ")
        };
        let room = usize::from(WIDTH).saturating_sub(2 + 2 + 24 + 4 + 8 + TITLE + 2);
        lines.push(Line::from(vec![
            Span::styled(here, style),
            Span::styled(fit(&printable(&incident.id), 24), style),
            Span::styled(
                format!(" {} ", incident.severity),
                t.severity(incident.severity),
            ),
            Span::styled(
                format!(
                    " {:>6} ",
                    short_duration(app.now_ms - incident.opened_at_ms)
                ),
                style,
            ),
            Span::styled(fit(&printable(&incident.title), TITLE), style),
            Span::styled(format!("  {}", truncate(&who, room)), t.text_dim()),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        format!(
            "{}/{} choose · {} works on it · {} keeps the current one · {} opens another",
            app.dialog_key(crate::ui::action::Action::Up),
            app.dialog_key(crate::ui::action::Action::Down),
            app.dialog_key(crate::ui::action::Action::Confirm),
            app.dialog_key(crate::ui::action::Action::Cancel),
            app.key(crate::ui::action::Action::OpenIncident)
        ),
        t.text_dim(),
    ));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    dialog(frame, area, app, "Open incidents", lines, WIDTH, height);
}
