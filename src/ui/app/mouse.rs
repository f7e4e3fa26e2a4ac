//! The mouse: a click focuses the pane under the pointer and selects the row clicked, the wheel
//! scrolls the pane under the pointer. Both become actions hit-tested against the layout the
//! screen is drawn with ([`crate::ui::draw::pane_insides`]), for the terminal's size now.

use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::command::Command;
use crate::ui::pane::Pane;
use crate::ui::panes;
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

/// Lines one notch of the wheel scrolls.
pub const WHEEL_LINES: i8 = 3;

impl App {
    /// The action a mouse event asks for, if any: nothing while a dialog is open, nor outside
    /// the panes.
    pub fn mouse_action(&self, event: &MouseEvent) -> Option<Action> {
        if self.overlay.is_some() {
            return None;
        }
        let (x, y) = (event.column, event.row);
        let (pane, _, inside) = crate::ui::draw::pane_insides(self.screen, self.zoomed, self.focus)
            .into_iter()
            .find(|(_, outer, _)| {
                x >= outer.x
                    && x < outer.x + outer.width
                    && y >= outer.y
                    && y < outer.y + outer.height
            })?;
        match event.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                let within = x >= inside.x
                    && x < inside.x + inside.width
                    && y >= inside.y
                    && y < inside.y + inside.height;
                let item = within
                    .then(|| match pane {
                        Pane::Hosts => panes::hosts::row_at(self, inside, y).map(|i| i as u64),
                        Pane::Playbook => {
                            panes::playbook::row_at(self, inside, y).map(|i| i as u64)
                        }
                        Pane::Logs => panes::logs::line_at(self, inside, y),
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

    /// Handles a mouse event through the same path as keys.
    pub(super) fn on_mouse(&mut self, event: &MouseEvent) -> Vec<Command> {
        match self.mouse_action(event) {
            Some(action) => self.update(action),
            None => Vec::new(),
        }
    }

    /// Focuses `pane` and selects the item clicked in it.
    pub(super) fn click(&mut self, pane: Pane, item: Option<u64>) {
        self.focus = pane;
        let Some(item) = item else {
            return;
        };
        let index = usize::try_from(item).unwrap_or(usize::MAX);
        match pane {
            Pane::Hosts if index < self.hosts.len() => self.host_cursor = index,
            Pane::Playbook if self.incident().is_some_and(|i| index < i.steps.len()) => {
                self.step_cursor = index
            }
            Pane::Logs => self.log_view.pause_at(item),
            _ => {}
        }
    }

    /// Scrolls the Hosts pane and the checklist as little as keeps their selection in view, for
    /// the screen's size now (a click then selects without scrolling anything).
    pub(super) fn keep_rows_in_view(&mut self) {
        for (pane, _, inside) in crate::ui::draw::pane_insides(self.screen, self.zoomed, self.focus)
        {
            match pane {
                Pane::Hosts => {
                    let rows = panes::hosts::visible_rows(inside);
                    self.host_scroll = in_view(self.host_scroll, self.host_cursor, rows);
                }
                Pane::Playbook => {
                    let rows = panes::playbook::visible_rows(inside);
                    self.step_scroll = in_view(self.step_scroll, self.step_cursor, rows);
                }
                Pane::Logs | Pane::Sql => {}
            }
        }
    }

    /// Scrolls `pane` by `lines` without moving focus.
    pub(super) fn wheel(&mut self, pane: Pane, lines: i8) {
        let step = if lines < 0 { Action::Up } else { Action::Down };
        for _ in 0..lines.unsigned_abs() {
            self.move_in(pane, step);
        }
    }
}

/// The first row shown so `cursor` is among `rows` rows shown from `offset` on, moving
/// `offset` as little as possible (as ratatui's lists and tables do when drawn).
pub fn in_view(offset: usize, cursor: usize, rows: usize) -> usize {
    if rows == 0 || cursor < offset {
        cursor
    } else if cursor >= offset + rows {
        cursor + 1 - rows
    } else {
        offset
    }
}
