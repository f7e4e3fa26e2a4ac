//! The mouse: a click focuses the pane under the pointer and selects the row clicked, the wheel
//! scrolls the pane under the pointer. A mouse event is hit-tested here, against the layout
//! the screen is drawn with ([`crate::ui::layout`]) and the rows the panes show, when it
//! arrives: it becomes the action it means on the screen the operator saw, and goes through
//! the app's one path for actions, as keys do.

use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::layout::pane_insides;
use crate::ui::pane::Pane;
use crate::ui::panes;
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

/// Lines one notch of the wheel scrolls.
pub const WHEEL_LINES: i8 = 3;

/// The action a mouse event asks for, if any: nothing while a dialog is open, nor outside
/// the panes.
pub fn action_for(app: &App, event: &MouseEvent) -> Option<Action> {
    if app.overlay.is_some() {
        return None;
    }
    let (x, y) = (event.column, event.row);
    let (pane, _, inside) = pane_insides(app.screen, app.zoomed, app.focus)
        .into_iter()
        .find(|(_, outer, _)| contains(*outer, x, y))?;
    match event.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            let item = contains(inside, x, y)
                .then(|| match pane {
                    Pane::Hosts => panes::hosts::row_at(app, inside, y).map(|i| i as u64),
                    Pane::Playbook => panes::playbook::row_at(app, inside, y).map(|i| i as u64),
                    Pane::Logs => panes::logs::line_at(app, inside, y),
                    Pane::Sql => None,
                })
                .flatten();
            Some(Action::Click { pane, item })
        }
        MouseEventKind::ScrollUp => Some(Action::Wheel {
            pane,
            lines: -WHEEL_LINES,
        }),
        MouseEventKind::ScrollDown => Some(Action::Wheel {
            pane,
            lines: WHEEL_LINES,
        }),
        _ => None,
    }
}

fn contains(area: Rect, x: u16, y: u16) -> bool {
    x >= area.x && x < area.x + area.width && y >= area.y && y < area.y + area.height
}
