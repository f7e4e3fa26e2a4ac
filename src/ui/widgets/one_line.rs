//! A one-line paragraph drawn at the cost of its text: the cells `Paragraph::new(line)
//! .style(style)` draws in a one-row area (left-aligned, not wrapped, cut at the area's edge),
//! without the paragraph's line composer. A recording draws the line under the replay's track
//! at every entry, and the status line whenever a clock ticks: through the paragraph, each
//! costs hundreds of instructions a cell.

use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// Draws `line` into the first row of `area` over `style`, exactly as a one-line
/// `Paragraph::new(line).style(style)` would: the area takes `style`, then each character
/// takes its place and its span's style, until the next would not fit.
pub fn render_line(buf: &mut Buffer, area: Rect, line: &Line<'_>, style: Style) {
    if line.alignment.is_some_and(|a| a != Alignment::Left) {
        Paragraph::new(line.clone()).style(style).render(area, buf);
        return;
    }
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    buf.set_style(area, style);
    let start = buf.index_of(area.x, area.y);
    let Some(row) = buf.content.get_mut(start..start + usize::from(area.width)) else {
        return;
    };
    let width = row.len();
    let mut x = 0;
    let base = Style::default().patch(line.style);
    for span in &line.spans {
        let style = base.patch(span.style);
        let text = span.content.as_ref();
        for (run, ascii) in runs(text) {
            if ascii {
                // Printable ASCII: each character is a grapheme one cell wide.
                for (cell, c) in row.iter_mut().skip(x).zip(run.chars()) {
                    cell.set_char(c).set_style(style);
                }
                x += run.len();
                if x >= width {
                    return;
                }
                continue;
            }
            for g in Span::styled(run, span.style).styled_graphemes(base) {
                let cells = usize::from(g.symbol.cell_width());
                if cells > width {
                    continue;
                }
                if x + cells > width {
                    return;
                }
                if cells == 0 {
                    continue;
                }
                let symbol = if g.symbol.is_empty() { " " } else { g.symbol };
                if let Some(cell) = row.get_mut(x) {
                    cell.set_symbol(symbol).set_style(g.style);
                }
                x += cells;
            }
        }
    }
}

/// `text` cut into runs of printable ASCII that stand alone (true) — each character a
/// grapheme of its own — and the rest (false), measured grapheme by grapheme. A printable
/// ASCII character next to anything else goes with the rest: a combining mark after it, or
/// a prepended mark before it, makes one grapheme of the two. The cuts fall between two
/// printable ASCII characters, where a grapheme always ends.
fn runs(text: &str) -> Vec<(&str, bool)> {
    let bytes = text.as_bytes();
    let printable = |i: usize| bytes.get(i).is_none_or(|b| (b' '..=b'~').contains(b));
    let alone = |i: usize| printable(i) && (i == 0 || printable(i - 1)) && printable(i + 1);
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=bytes.len() {
        if i == bytes.len() || alone(i) != alone(start) {
            if let Some(run) = text.get(start..i) {
                runs.push((run, alone(start)));
            }
            start = i;
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};

    /// Both ways of drawing `line` in `width` cells, over a buffer already holding text.
    fn both(line: Line<'_>, style: Style, width: u16) -> (Buffer, Buffer) {
        let area = Rect::new(2, 1, width, 1);
        let mut under = Buffer::empty(Rect::new(0, 0, width + 4, 3));
        for cell in &mut under.content {
            cell.set_symbol("x").set_bg(Color::Blue);
        }
        let (mut paragraph, mut fast) = (under.clone(), under);
        Paragraph::new(line.clone())
            .style(style)
            .render(area, &mut paragraph);
        render_line(&mut fast, area, &line, style);
        (paragraph, fast)
    }

    #[test]
    fn it_draws_the_cells_a_paragraph_draws() {
        let lines = [
            Line::from(vec![
                Span::styled(" #12/100 03:00:01 UTC +00:00:01 ", Style::new().bold()),
                Span::raw("step check-backup started on app-01"),
            ]),
            Line::from(vec![
                Span::styled(" ⏱ 00:01:02 ", Style::new().fg(Color::Red)),
                Span::raw(" │ "),
                Span::styled("主应用服务器宕机 #3", Style::new().italic()),
            ])
            .style(Style::new().bg(Color::Green)),
            Line::from("wide at the edge: 主应用"),
            Line::from("zero\u{200b}width, e\u{301}, tab\tand\u{1b}[31m escape"),
            Line::from("🧑‍🚒 fire, ok ✔️"),
            Line::from(vec![
                Span::raw("ab→cd 主 ef"),
                Span::styled("a\u{301}bc e\u{301}", Style::new().bold()),
                Span::raw("\u{600}abc x#\u{FE0F}\u{20E3}y \u{1F1EF}\u{1F1F5}z"),
                Span::raw("tail\r\nend\u{200d}"),
            ]),
            Line::from(""),
            Line::from("centered").centered(),
        ];
        let styles = [
            Style::default(),
            Style::new().bg(Color::Black).fg(Color::White),
            Style::new().add_modifier(Modifier::REVERSED),
        ];
        for line in lines {
            for style in styles {
                for width in [0, 1, 5, 20, 21, 22, 23, 80] {
                    let (paragraph, fast) = both(line.clone(), style, width);
                    assert_eq!(fast, paragraph, "{line:?} over {style:?} in {width} cells");
                }
            }
        }
    }
}
