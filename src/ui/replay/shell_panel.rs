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
use ratatui::buffer::Buffer;
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
    let damaged = if screen.damaged() {
        "; some output could not be shown"
    } else {
        ""
    };
    format!(
        " shell {} on {} — recorded (host's screen at +{}{damaged}) ",
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
    blank_spilling_wide(frame.buffer_mut(), inner);
}

/// A wide character in the last column of `area` would spill over its border (a shell wider
/// than the panel): a blank in its place.
fn blank_spilling_wide(buf: &mut Buffer, area: Rect) {
    let Some(x) = area.right().checked_sub(1).filter(|_| area.width > 0) else {
        return;
    };
    for y in area.top()..area.bottom() {
        if let Some(cell) = buf.cell_mut((x, y))
            && cell.symbol().width() > 1
        {
            cell.set_symbol(" ");
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

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::widgets::Widget;

    fn drawn(screen: &vt100::Screen, area: Rect) -> Vec<String> {
        let mut buf = Buffer::empty(area);
        PseudoTerminal::new(&Window::of(screen, area.height)).render(area, &mut buf);
        blank_spilling_wide(&mut buf, area);
        (area.top()..area.bottom())
            .map(|y| {
                (area.left()..area.right())
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn a_screen_taller_than_the_panel_shows_down_to_the_cursor() {
        let mut parser = vt100::Parser::new(30, 20, 0);
        for n in 0..30 {
            parser.process(format!("\x1b[{};1Hline {n}", n + 1).as_bytes());
        }
        let rows = drawn(parser.screen(), Rect::new(0, 0, 20, 10));
        assert_eq!(rows.first().map(String::as_str), Some("line 20"));
        assert_eq!(rows.last().map(String::as_str), Some("line 29█"));
        // The cursor near the top: the top rows.
        parser.process(b"\x1b[3;1H");
        let rows = drawn(parser.screen(), Rect::new(0, 0, 20, 10));
        assert_eq!(rows.first().map(String::as_str), Some("line 0"));
    }

    #[test]
    fn a_wide_character_cut_by_the_panel_edge_is_blanked() {
        let mut parser = vt100::Parser::new(2, 10, 0);
        parser.process("ab磁盘\x1b[2;1H".as_bytes());
        // Three columns: `磁` would stand in the last one and spill over the border.
        let rows = drawn(parser.screen(), Rect::new(0, 0, 3, 2));
        assert_eq!(rows.first().map(String::as_str), Some("ab"));
        let rows = drawn(parser.screen(), Rect::new(0, 0, 4, 2));
        assert_eq!(rows.first().map(String::as_str), Some("ab磁"));
    }

    #[test]
    fn the_shell_takes_the_place_of_the_playbook_and_sql_panes() {
        let body = Rect::new(0, 1, 150, 40);
        let parts = body_parts(body, false, Pane::Hosts, true);
        let panes = pane_areas(body, false, Pane::Hosts);
        assert_eq!(parts.len(), 3);
        assert_eq!(
            parts[..2],
            [
                (BodyPart::Pane(Pane::Hosts), panes[0].1),
                (BodyPart::Pane(Pane::Logs), panes[1].1)
            ]
        );
        assert_eq!(parts[2], (BodyPart::Shell, panes[2].1.union(panes[3].1)));
        assert_eq!(
            body_parts(body, true, Pane::Sql, true),
            [(BodyPart::Shell, body)]
        );
        assert_eq!(
            body_parts(body, true, Pane::Logs, true),
            [(BodyPart::Pane(Pane::Logs), body)]
        );
        assert_eq!(body_parts(body, false, Pane::Hosts, false).len(), 4);
    }
}
