//! What a click and the wheel do once hit-tested ([`crate::ui::mouse`]): focus and select,
//! scroll; and the scrolling that keeps the selected rows in view for the screen's size now.

use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::layout::{self, in_view};
use crate::ui::pane::Pane;

impl App {
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
        for (pane, _, inside) in layout::pane_insides(self.screen, self.zoomed, self.focus) {
            match pane {
                Pane::Hosts => {
                    let rows = layout::host_rows(inside);
                    self.host_scroll = in_view(self.host_scroll, self.host_cursor, rows);
                }
                Pane::Playbook => {
                    let rows = layout::checklist_rows(inside);
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
