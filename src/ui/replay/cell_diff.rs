//! The cells of one area a terminal must be sent to go from one buffer to the next: what
//! ratatui's `Buffer::diff` finds, found in place — on an area inside two buffers, without
//! copying it out into buffers of its own first — and with each cell's width worked out only
//! when it is needed (ratatui measures every cell, even the ones that did not change).

use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

/// Modifiers a blank cell still shows (as ratatui's diff counts them).
const VISIBLE_ON_BLANK: Modifier = Modifier::REVERSED
    .union(Modifier::UNDERLINED)
    .union(Modifier::SLOW_BLINK)
    .union(Modifier::RAPID_BLINK)
    .union(Modifier::CROSSED_OUT);

/// The cells of `area`, read in order as one run (as a buffer of exactly that area holds them).
struct AreaCells<'b> {
    content: &'b [Cell],
    /// Where the area starts in `content`.
    start: usize,
    width: usize,
    /// Cells from one row of `content` to the next.
    stride: usize,
}

impl<'b> AreaCells<'b> {
    fn of(buffer: &'b Buffer, area: Rect) -> Self {
        Self {
            content: &buffer.content,
            start: buffer.index_of(area.x, area.y),
            width: usize::from(area.width).max(1),
            stride: usize::from(buffer.area.width),
        }
    }

    fn get(&self, i: usize) -> Option<&'b Cell> {
        let at = if self.width == self.stride {
            self.start + i
        } else {
            self.start + i / self.width * self.stride + i % self.width
        };
        self.content.get(at)
    }
}

/// Appends to `out` the cells of `area` (inside both buffers) that differ from `prev` to
/// `next`, with their positions, exactly as `Buffer::diff` between two buffers of that area
/// holding those cells gives them.
pub(super) fn diff_area<'a>(
    prev: &Buffer,
    next: &'a Buffer,
    area: Rect,
    out: &mut Vec<(u16, u16, &'a Cell)>,
) {
    let area = area.intersection(prev.area).intersection(next.area);
    if area.is_empty() {
        return;
    }
    let (before, now) = (AreaCells::of(prev, area), AreaCells::of(next, area));
    let len = usize::from(area.width) * usize::from(area.height);
    let width = usize::from(area.width);
    let position = |i: usize| ((i % width) as u16 + area.x, (i / width) as u16 + area.y);
    let mut push = |i: usize, cell: &'a Cell| {
        let (x, y) = position(i);
        out.push((x, y, cell));
    };
    let mut pos = 0;
    while pos < len {
        let i = pos;
        pos += 1;
        let (Some(current), Some(previous)) = (now.get(i), before.get(i)) else {
            return;
        };
        match current.diff_option {
            CellDiffOption::Skip => {}
            _ if is_skip(current) => {}
            CellDiffOption::ForcedWidth(forced) => {
                pos = pos.saturating_add(usize::from(forced.get().saturating_sub(1)));
                if !same(current, previous) {
                    push(i, current);
                }
            }
            CellDiffOption::None | CellDiffOption::AlwaysUpdate => {
                let unchanged =
                    matches!(current.diff_option, CellDiffOption::None) && same(current, previous);
                if unchanged {
                    if current.symbol().len() > 1 {
                        pos += usize::from(current.cell_width()).saturating_sub(1);
                    }
                    continue;
                }
                let cell_width = usize::from(current.cell_width());
                let previous_width = usize::from(previous.cell_width());
                push(i, current);
                if cell_width > 1 && current.symbol().contains('\u{FE0F}') {
                    // The cells a wide emoji covers are sent too where they changed.
                    let mut next_index = i + 1;
                    let mut end = (i + cell_width).min(len);
                    while next_index < end {
                        let j = next_index;
                        let Some(cell) = now.get(j) else { break };
                        next_index += usize::from(cell.cell_width()).max(1);
                        end = end.max(next_index).min(len);
                        let changed = before.get(j).is_none_or(|p| p.symbol() != cell.symbol());
                        if !is_skip(cell) && changed {
                            push(j, cell);
                        }
                    }
                    pos = end;
                } else if cell_width > 1 {
                    pos += cell_width - 1;
                } else if previous_width > cell_width
                    && (previous.bg != Color::Reset
                        || previous.modifier.intersects(VISIBLE_ON_BLANK))
                {
                    // A wide character replaced by a narrow one over a visible background:
                    // the cells it covered are sent again.
                    let mut next_index = i + 1;
                    let mut end = i + previous_width;
                    while next_index < end {
                        let j = next_index;
                        let Some(cell) = now.get(j).filter(|_| j < len) else {
                            break;
                        };
                        next_index += usize::from(cell.cell_width()).max(1);
                        end = end.max(next_index).min(len);
                        if !is_skip(cell) {
                            push(j, cell);
                        }
                    }
                    pos = end;
                }
            }
        }
    }
}

/// `a == b` as `Cell`'s own `PartialEq` says, one-byte symbols compared as bytes.
#[allow(deprecated)]
fn same(a: &Cell, b: &Cell) -> bool {
    let symbols = match (a.symbol().as_bytes(), b.symbol().as_bytes()) {
        ([x], [y]) => x == y,
        (x, y) => x == y,
    };
    symbols
        && a.fg == b.fg
        && a.bg == b.bg
        && a.modifier == b.modifier
        && a.underline_color == b.underline_color
        && a.skip == b.skip
        && a.diff_option == b.diff_option
}

/// A cell the diff never sends (ratatui's rule).
#[allow(deprecated)]
fn is_skip(cell: &Cell) -> bool {
    matches!(cell.diff_option, CellDiffOption::Skip)
        || (cell.skip && matches!(cell.diff_option, CellDiffOption::None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::replay::test_rng::Rng;
    use std::num::NonZeroU16;

    const SYMBOLS: [&str; 10] = [
        "a",
        "b",
        " ",
        "─",
        "主",
        "应",
        "✔\u{FE0F}",
        "🧑",
        "e\u{301}",
        "",
    ];

    /// A buffer of random cells, wide characters written as ratatui writes them (the cells
    /// they cover reset), with some skipped, forced-width and always-updated cells.
    fn random_buffer(rng: &mut Rng, area: Rect) -> Buffer {
        let mut buffer = Buffer::empty(area);
        for y in area.top()..area.bottom() {
            let x = area.left();
            let mut x = x;
            while x < area.right() {
                let symbol = SYMBOLS[rng.below(SYMBOLS.len())];
                let text: String = symbol.to_string();
                let written = buffer.set_stringn(
                    x,
                    y,
                    &text,
                    usize::from(area.right() - x),
                    ratatui::style::Style::default(),
                );
                let colors = [Color::Reset, Color::Red, Color::Indexed(42)];
                if let Some(cell) = buffer.cell_mut((x, y)) {
                    cell.bg = colors[rng.below(colors.len())];
                    if rng.below(8) == 0 {
                        cell.modifier = Modifier::REVERSED;
                    }
                    match rng.below(40) {
                        0 => {
                            cell.set_diff_option(CellDiffOption::Skip);
                        }
                        1 => {
                            cell.set_diff_option(CellDiffOption::AlwaysUpdate);
                        }
                        2 => {
                            if let Some(w) = NonZeroU16::new(2) {
                                cell.set_diff_option(CellDiffOption::ForcedWidth(w));
                            }
                        }
                        _ => {}
                    }
                }
                x = written.0.max(x + 1);
            }
        }
        buffer
    }

    #[test]
    fn cells_are_the_same_when_ratatui_says_they_are_equal() {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03);
        let whole = Rect::new(0, 0, 24, 6);
        let (a, b) = (
            random_buffer(&mut rng, whole),
            random_buffer(&mut rng, whole),
        );
        let mut cells: Vec<&Cell> = a.content.iter().chain(&b.content).collect();
        let mut spaced = Cell::EMPTY;
        spaced.set_symbol(" ");
        cells.push(&spaced);
        cells.push(&Cell::EMPTY);
        for x in &cells {
            for y in &cells {
                assert_eq!(same(x, y), x == y, "{x:?} and {y:?}");
            }
        }
    }

    /// The area's cells copied out into buffers of their own and diffed by ratatui.
    fn ratatui_diff(prev: &Buffer, next: &Buffer, area: Rect) -> Vec<(u16, u16, Cell)> {
        let copy = |from: &Buffer| {
            let mut to = Buffer::empty(area);
            for y in area.top()..area.bottom() {
                for x in area.left()..area.right() {
                    if let (Some(to), Some(from)) = (to.cell_mut((x, y)), from.cell((x, y))) {
                        *to = from.clone();
                    }
                }
            }
            to
        };
        let (prev, next) = (copy(prev), copy(next));
        prev.diff(&next)
            .into_iter()
            .map(|(x, y, c)| (x, y, c.clone()))
            .collect()
    }

    #[test]
    fn it_finds_what_ratatuis_diff_finds_on_random_areas() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let whole = Rect::new(0, 0, 24, 6);
        let mut compared = 0;
        for round in 0..3000 {
            let prev = random_buffer(&mut rng, whole);
            let mut next = prev.clone();
            // Change some cells, or the whole buffer.
            if rng.below(4) == 0 {
                next = random_buffer(&mut rng, whole);
            } else {
                let part = random_buffer(&mut rng, whole);
                for _ in 0..rng.below(12) {
                    let (x, y) = (rng.below(24) as u16, rng.below(6) as u16);
                    if let (Some(to), Some(from)) = (next.cell_mut((x, y)), part.cell((x, y))) {
                        *to = from.clone();
                    }
                }
            }
            let area = if rng.below(3) == 0 {
                whole
            } else {
                let (x, y) = (rng.below(24) as u16, rng.below(6) as u16);
                let w = 1 + rng.below(usize::from(24 - x)) as u16;
                let h = 1 + rng.below(usize::from(6 - y)) as u16;
                Rect::new(x, y, w, h)
            };
            let mut found = Vec::new();
            diff_area(&prev, &next, area, &mut found);
            // Ratatui's diff reads past the end when the area's last cell held a wide
            // character (it cannot, drawn by ratatui): compare where it does not.
            let last = prev.cell((area.right() - 1, area.bottom() - 1));
            if last.is_some_and(|c| c.cell_width() > 1) {
                continue;
            }
            compared += 1;
            let found: Vec<_> = found
                .into_iter()
                .map(|(x, y, c)| (x, y, c.clone()))
                .collect();
            assert_eq!(
                found,
                ratatui_diff(&prev, &next, area),
                "round {round}, {area:?}"
            );
        }
        assert!(compared > 2000, "only {compared} rounds compared");
    }
}
