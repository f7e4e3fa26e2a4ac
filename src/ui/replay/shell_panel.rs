//! Where a replay standing inside a recorded shell shows the host's screen: in place of the
//! Playbook and SQL panes (the bottom half, where a live cockpit's work goes on), the Hosts and
//! Logs panes staying above it. Drawn from the replay's state alone, never changing it.

use crate::core::replay::Timeline;
use crate::ui::layout::pane_areas;
use crate::ui::pane::Pane;
use crate::ui::replay::Replay;
use crate::ui::replay::shell::ShellScreen;
use crate::ui::text::clock;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders};
use tui_term::widget::{Cursor, PseudoTerminal};
use unicode_width::UnicodeWidthStr;

/// What the replay's body is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyPart {
    /// A pane, as the live cockpit draws it.
    Pane(Pane),
    /// The recorded shell's screen.
    Shell,
}

/// The parts of a replay's body: the four panes, or with a shell's screen shown, the Hosts and
/// Logs panes over the shell. Zoomed, the shell takes the body in place of the Playbook or
/// SQL pane it covers, and the other panes show as zoomed.
pub(super) fn body_parts(
    body: Rect,
    zoomed: bool,
    focus: Pane,
    shell: bool,
) -> Vec<(BodyPart, Rect)> {
    let panes = pane_areas(body, zoomed, focus);
    if !shell {
        return panes
            .into_iter()
            .map(|(p, r)| (BodyPart::Pane(p), r))
            .collect();
    }
    let covered = |p: Pane| matches!(p, Pane::Playbook | Pane::Sql);
    let mut parts = Vec::new();
    let mut under: Option<Rect> = None;
    for (pane, rect) in panes {
        if covered(pane) {
            under = Some(under.map_or(rect, |u| u.union(rect)));
        } else {
            parts.push((BodyPart::Pane(pane), rect));
        }
    }
    if let Some(rect) = under {
        parts.push((BodyPart::Shell, rect));
    }
    parts
}

/// The panel's title: which shell, where, and the time its screen stands at.
pub(super) fn title(timeline: &Timeline, screen: &ShellScreen) -> String {
    let (start, _) = timeline.span();
    format!(
        " shell {} on {} — recorded (host's screen at +{}) ",
        screen.session(),
        crate::ui::text::printable(screen.host()),
        clock(screen.shown_ms() - start)
    )
}

/// Draws the shell's screen at this moment in `area`, border and title included.
pub(super) fn draw_shell(frame: &mut Frame<'_>, area: Rect, replay: &Replay) {
    let Some(screen) = replay.shell_screen() else {
        return;
    };
    let t = &replay.app.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(t.border(false))
        .title(Span::styled(title(&replay.timeline, screen), t.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let window = Window::of(screen.screen(), inner.height);
    frame.render_widget(
        PseudoTerminal::new(&window).cursor(Cursor::default()),
        inner,
    );
    let buf = frame.buffer_mut();
    // A wide character in the last column would spill over the border: a blank instead.
    if let Some(x) = inner.right().checked_sub(1).filter(|_| inner.width > 0) {
        for y in inner.top()..inner.bottom() {
            if let Some(cell) = buf.cell_mut((x, y))
                && cell.symbol().width() > 1
            {
                cell.set_symbol(" ");
            }
        }
    }
}

/// The rows of a screen taller than the panel that the panel shows: as many as fit, from the
/// top, or down to the cursor's row when it is below them.
struct Window<'a> {
    screen: &'a vt100::Screen,
    first: u16,
}

impl<'a> Window<'a> {
    fn of(screen: &'a vt100::Screen, height: u16) -> Self {
        let (rows, _) = screen.size();
        let (cursor, _) = screen.cursor_position();
        let first = (cursor.saturating_add(1))
            .saturating_sub(height)
            .min(rows.saturating_sub(height));
        Self { screen, first }
    }
}

impl tui_term::widget::Screen for Window<'_> {
    type C = vt100::Cell;

    fn cell(&self, row: u16, col: u16) -> Option<&Self::C> {
        self.screen.cell(row.checked_add(self.first)?, col)
    }

    fn hide_cursor(&self) -> bool {
        self.screen.hide_cursor()
    }

    fn cursor_position(&self) -> (u16, u16) {
        let (row, col) = self.screen.cursor_position();
        (row.saturating_sub(self.first), col)
    }
}
