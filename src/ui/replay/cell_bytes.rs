//! Cells as the bytes ratatui's crossterm backend sends for them, byte for byte, at the cost of
//! the cells: the cursor moves and the text written straight into the output, the colour and
//! attribute changes (rare within a frame) through crossterm's own commands, each pair's bytes
//! made once and kept.

use crossterm::queue;
use crossterm::style::{Attribute, Color as CrosstermColor, Colors, SetAttribute, SetColors};
use crossterm::style::{SetBackgroundColor, SetForegroundColor, SetUnderlineColor};
use ratatui::backend::IntoCrossterm;
use ratatui::buffer::Cell;
use ratatui::style::{Color, Modifier};

/// Writes frames of cells; keeps the bytes of each colour pair and attribute change it met.
#[derive(Default)]
pub(super) struct CellBytes {
    colors: Vec<((Color, Color), Vec<u8>)>,
    modifiers: Vec<((Modifier, Modifier), Vec<u8>)>,
}

impl CellBytes {
    /// Appends to `out` what `CrosstermBackend::draw` writes for `cells`, then what
    /// `hide_cursor` writes.
    pub fn draw<'a>(
        &mut self,
        out: &mut Vec<u8>,
        cells: impl IntoIterator<Item = (u16, u16, &'a Cell)>,
    ) -> std::io::Result<()> {
        let mut fg = Color::Reset;
        let mut bg = Color::Reset;
        let mut underline = Color::Reset;
        let mut modifier = Modifier::empty();
        let mut last: Option<(u16, u16)> = None;
        for (x, y, cell) in cells {
            if !matches!(last, Some((lx, ly)) if x == lx.wrapping_add(1) && y == ly) {
                move_to(out, x, y);
            }
            last = Some((x, y));
            if cell.modifier != modifier {
                out.extend_from_slice(self.modifier_change(modifier, cell.modifier)?);
                modifier = cell.modifier;
            }
            if cell.fg != fg || cell.bg != bg {
                out.extend_from_slice(self.colors(cell.fg, cell.bg)?);
                fg = cell.fg;
                bg = cell.bg;
            }
            if cell.underline_color != underline {
                queue!(
                    out,
                    SetUnderlineColor(cell.underline_color.into_crossterm())
                )?;
                underline = cell.underline_color;
            }
            out.extend_from_slice(cell.symbol().as_bytes());
        }
        queue!(
            out,
            SetForegroundColor(CrosstermColor::Reset),
            SetBackgroundColor(CrosstermColor::Reset),
            SetUnderlineColor(CrosstermColor::Reset),
            SetAttribute(Attribute::Reset),
            crossterm::cursor::Hide,
        )
    }

    fn colors(&mut self, fg: Color, bg: Color) -> std::io::Result<&[u8]> {
        let at = match self.colors.iter().position(|(pair, _)| *pair == (fg, bg)) {
            Some(at) => at,
            None => {
                let mut bytes = Vec::new();
                queue!(
                    bytes,
                    SetColors(Colors::new(fg.into_crossterm(), bg.into_crossterm()))
                )?;
                self.colors.push(((fg, bg), bytes));
                self.colors.len() - 1
            }
        };
        Ok(self.colors.get(at).map_or(&[][..], |(_, b)| b))
    }

    fn modifier_change(&mut self, from: Modifier, to: Modifier) -> std::io::Result<&[u8]> {
        let at = match self
            .modifiers
            .iter()
            .position(|(pair, _)| *pair == (from, to))
        {
            Some(at) => at,
            None => {
                let mut bytes = Vec::new();
                modifier_diff(&mut bytes, from, to)?;
                self.modifiers.push(((from, to), bytes));
                self.modifiers.len() - 1
            }
        };
        Ok(self.modifiers.get(at).map_or(&[][..], |(_, b)| b))
    }
}

/// `MoveTo(x, y)`: `ESC [ row ; column H`, both counted from 1.
fn move_to(out: &mut Vec<u8>, x: u16, y: u16) {
    out.extend_from_slice(b"\x1b[");
    decimal(out, u32::from(y) + 1);
    out.push(b';');
    decimal(out, u32::from(x) + 1);
    out.push(b'H');
}

fn decimal(out: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// The attribute changes ratatui's crossterm backend sends between two modifiers (its
/// `ModifierDiff`, in the same order).
fn modifier_diff(w: &mut Vec<u8>, from: Modifier, to: Modifier) -> std::io::Result<()> {
    let removed = from - to;
    if removed.contains(Modifier::REVERSED) {
        queue!(w, SetAttribute(Attribute::NoReverse))?;
    }
    let reset_intensity = removed.contains(Modifier::BOLD) || removed.contains(Modifier::DIM);
    if reset_intensity {
        queue!(w, SetAttribute(Attribute::NormalIntensity))?;
        if to.contains(Modifier::DIM) {
            queue!(w, SetAttribute(Attribute::Dim))?;
        }
        if to.contains(Modifier::BOLD) {
            queue!(w, SetAttribute(Attribute::Bold))?;
        }
    }
    if removed.contains(Modifier::ITALIC) {
        queue!(w, SetAttribute(Attribute::NoItalic))?;
    }
    if removed.contains(Modifier::UNDERLINED) {
        queue!(w, SetAttribute(Attribute::NoUnderline))?;
    }
    if removed.contains(Modifier::CROSSED_OUT) {
        queue!(w, SetAttribute(Attribute::NotCrossedOut))?;
    }
    if removed.contains(Modifier::HIDDEN) {
        queue!(w, SetAttribute(Attribute::NoHidden))?;
    }
    if removed.contains(Modifier::SLOW_BLINK) || removed.contains(Modifier::RAPID_BLINK) {
        queue!(w, SetAttribute(Attribute::NoBlink))?;
    }
    let added = to - from;
    if added.contains(Modifier::REVERSED) {
        queue!(w, SetAttribute(Attribute::Reverse))?;
    }
    if added.contains(Modifier::BOLD) && !reset_intensity {
        queue!(w, SetAttribute(Attribute::Bold))?;
    }
    if added.contains(Modifier::ITALIC) {
        queue!(w, SetAttribute(Attribute::Italic))?;
    }
    if added.contains(Modifier::UNDERLINED) {
        queue!(w, SetAttribute(Attribute::Underlined))?;
    }
    if added.contains(Modifier::DIM) && !reset_intensity {
        queue!(w, SetAttribute(Attribute::Dim))?;
    }
    if added.contains(Modifier::CROSSED_OUT) {
        queue!(w, SetAttribute(Attribute::CrossedOut))?;
    }
    if added.contains(Modifier::HIDDEN) {
        queue!(w, SetAttribute(Attribute::Hidden))?;
    }
    if added.contains(Modifier::SLOW_BLINK) {
        queue!(w, SetAttribute(Attribute::SlowBlink))?;
    }
    if added.contains(Modifier::RAPID_BLINK) {
        queue!(w, SetAttribute(Attribute::RapidBlink))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::replay::test_rng::Rng;
    use ratatui::backend::{Backend, CrosstermBackend};

    fn color(rng: &mut Rng) -> Color {
        match rng.below(6) {
            0 => Color::Reset,
            1 => Color::Red,
            2 => Color::LightCyan,
            3 => Color::Indexed(rng.below(256) as u8),
            4 => Color::Rgb(rng.below(256) as u8, 7, rng.below(256) as u8),
            _ => Color::DarkGray,
        }
    }

    #[test]
    fn it_writes_what_the_crossterm_backend_writes() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut bytes = CellBytes::default();
        let symbols = ["a", " ", "─", "主", "✔\u{FE0F}", "\u{1b}", "9"];
        for round in 0..2000 {
            let mut cells: Vec<(u16, u16, Cell)> = Vec::new();
            let (mut x, mut y) = (0u16, 0u16);
            for _ in 0..rng.below(40) {
                let mut cell = Cell::new(symbols[rng.below(symbols.len())]);
                if rng.below(3) == 0 {
                    cell.fg = color(&mut rng);
                    cell.bg = color(&mut rng);
                }
                if rng.below(5) == 0 {
                    cell.underline_color = color(&mut rng);
                }
                if rng.below(3) == 0 {
                    cell.modifier = Modifier::from_bits_truncate(rng.below(512) as u16);
                }
                // Mostly the next cell on the row, as a frame's changes run.
                (x, y) = match rng.below(4) {
                    0 => (rng.below(300) as u16, rng.below(120) as u16),
                    _ => (x + 1, y),
                };
                cells.push((x, y, cell));
            }
            let mut theirs = Vec::new();
            {
                let mut backend = CrosstermBackend::new(&mut theirs);
                backend
                    .draw(cells.iter().map(|(x, y, c)| (*x, *y, c)))
                    .expect("draw");
                backend.hide_cursor().expect("hide");
            }
            let mut ours = Vec::new();
            bytes
                .draw(&mut ours, cells.iter().map(|(x, y, c)| (*x, *y, c)))
                .expect("draw");
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
                "round {round}"
            );
        }
    }
}
