//! Drawing the main screen: reads the app, never changes it.

use crate::ui::app::App;
use crate::ui::layout::{MIN_HEIGHT, MIN_WIDTH, pane_areas, screen_areas};
use crate::ui::pane::Pane;
use crate::ui::{panes, widgets};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

/// Draws one frame.
/// Whatever it drew, nothing in it is left for the terminal to act on
/// ([`crate::ui::screen_guard`]).
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    draw_screen(frame, app);
    crate::ui::screen_guard::guard(frame.buffer_mut());
}

fn draw_screen(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    if too_small(frame, app) {
        return;
    }
    let [status, body, hints] = screen_areas(area);
    widgets::status::draw_status(frame, status, app);
    widgets::status::draw_hints(frame, hints, app);
    draw_body(frame, body, app);
}

/// Shows the too-small notice instead of the panes when the terminal cannot hold them.
pub fn too_small(frame: &mut Frame<'_>, app: &App) -> bool {
    let area = frame.area();
    if area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT {
        return false;
    }
    let text = format!(
        "terminal too small: {}×{}\nneeds at least {MIN_WIDTH}×{MIN_HEIGHT}\n({} quits)",
        area.width,
        area.height,
        app.key(crate::ui::action::Action::Quit)
    );
    frame.render_widget(
        Paragraph::new(text)
            .style(app.theme.text_warning())
            .wrap(Wrap { trim: true }),
        area,
    );
    true
}

/// The four panes (or the zoomed one) and any dialog over them.
pub fn draw_body(frame: &mut Frame<'_>, body: Rect, app: &App) {
    for (pane, rect) in pane_areas(body, app.zoomed, app.focus) {
        draw_pane(frame, rect, app, pane);
    }
    widgets::overlays::draw_overlay(frame, body, app);
}

/// Draws one pane, border and title included, in `area` (and nowhere else).
pub fn draw_pane(frame: &mut Frame<'_>, area: Rect, app: &App, pane: Pane) {
    let focused = app.focus == pane;
    let number = crate::ui::pane::Pane::ALL
        .iter()
        .position(|p| *p == pane)
        .map_or(0, |i| i + 1);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(app.theme.border(focused))
        .title(Line::styled(
            match pane {
                Pane::Logs => format!(
                    " {number} {} · {} ",
                    pane.title(),
                    panes::logs::title_detail(app)
                ),
                _ => format!(" {number} {} ", pane.title()),
            },
            if focused {
                app.theme.title()
            } else {
                app.theme.text_dim()
            },
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match pane {
        Pane::Hosts => panes::hosts::draw(frame, inner, app),
        Pane::Logs => panes::logs::draw(frame, inner, app),
        Pane::Playbook => panes::playbook::draw(frame, inner, app),
        Pane::Sql => panes::sql::draw(frame, inner, app),
    }
}
