//! A replay screen drawn for a recording, one frame per moment, at the cost of what changed:
//! the screen is kept as parts (status line, each pane, the track, the line under it, the
//! hints), a part is drawn again only when its look ([`looks`]) changed, and only the parts
//! drawn — only the cells drawn in them: a whole part, or a pane's rows or cells drawn again
//! alone — are compared with what the viewer's terminal already shows, guarded and kept as
//! what it shows. The bytes of a frame
//! are those a whole-frame ratatui draw would send (same cells, same order, same escape
//! codes); a moment that changes nothing visible sends nothing.

use crate::ui::draw::draw_pane;
use crate::ui::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::ui::pane::Pane;
use crate::ui::panes::{hosts, playbook};
use crate::ui::replay::cell_bytes::CellBytes;
use crate::ui::replay::cell_diff::diff_area;
use crate::ui::replay::draw::{Parts, detail_line, draw_hints, draw_track, track_look};
use crate::ui::replay::looks::{self, HostsLook, PlaybookLook, Revisions};
use crate::ui::replay::shell_panel::{BodyPart, body_parts, draw_shell};
use crate::ui::replay::{Replay, draw};
use crate::ui::screen_guard::guard_area;
use crate::ui::widgets::one_line::render_line;
use crate::ui::widgets::status::status_line;
use ratatui::backend::CrosstermBackend;
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders};
use ratatui::{Terminal, TerminalOptions, Viewport};

/// A part of the screen drawn on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The whole screen at once (help or a dialog over the panes, or too small a screen).
    Whole,
    Status,
    Pane(Pane),
    /// A recorded shell's screen, in place of the panes it covers.
    Shell,
    Track,
    Detail,
    Hints,
}

/// How the screen is cut into parts: when it changes, every part is laid out again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cut {
    whole: bool,
    zoomed: bool,
    focus: Pane,
    shell: bool,
}

impl Cut {
    fn of(replay: &Replay, area: Rect) -> Self {
        let app = &replay.app;
        Self {
            whole: area.width < MIN_WIDTH
                || area.height < MIN_HEIGHT
                || replay.help
                || app.overlay.is_some(),
            zoomed: app.zoomed,
            focus: app.focus,
            shell: replay.shell_screen().is_some(),
        }
    }

    fn parts(self, area: Rect) -> Vec<(Part, Rect)> {
        if self.whole {
            return vec![(Part::Whole, area)];
        }
        let parts = Parts::of(area);
        let mut all = vec![(Part::Status, parts.status)];
        all.extend(
            body_parts(parts.body, self.zoomed, self.focus, self.shell)
                .into_iter()
                .map(|(part, rect)| match part {
                    BodyPart::Pane(pane) => (Part::Pane(pane), rect),
                    BodyPart::Shell => (Part::Shell, rect),
                }),
        );
        all.extend([
            (Part::Track, parts.track),
            (Part::Detail, parts.detail),
            (Part::Hints, parts.hints),
        ]);
        all
    }
}

/// One part: where it is drawn, what the viewer shows there, and its look when last drawn.
struct Region {
    part: Part,
    /// Draws the part: its buffer covers the part's area only.
    canvas: Terminal<CrosstermBackend<std::io::Sink>>,
    /// What the viewer's terminal shows in the part's area.
    shown: Buffer,
    /// The look it was last drawn with (None: to be drawn).
    look: Option<u64>,
    /// A one-line part's text when last drawn (None: to be drawn).
    text: Option<Line<'static>>,
    /// The cells drawn for the frame being made (the part's whole area when drawn whole),
    /// disjoint: only they can differ from what the viewer shows.
    drawn: Vec<Rect>,
    /// A pane's look when last drawn, in the pieces it can be redrawn by.
    pieces: Option<Pieces>,
}

/// A pane's look in pieces that can be drawn again alone.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pieces {
    Hosts(HostsLook),
    Playbook(PlaybookLook),
}

impl Pieces {
    /// The pieces of `part` now; None for a part drawn whole only.
    fn of(part: Part, area: Rect, replay: &Replay) -> Option<Self> {
        match part {
            Part::Pane(Pane::Hosts) => Some(Self::Hosts(looks::hosts(replay, area))),
            Part::Pane(Pane::Playbook) => looks::playbook(replay, area).map(Self::Playbook),
            _ => None,
        }
    }
}

impl Region {
    fn new(part: Part, area: Rect, screen: &Buffer) -> std::io::Result<Self> {
        let canvas = Terminal::with_options(
            CrosstermBackend::new(std::io::sink()),
            TerminalOptions {
                viewport: Viewport::Fixed(area),
            },
        )?;
        let mut shown = Buffer::empty(area);
        for y in area.top()..area.bottom() {
            for x in area.left()..area.right() {
                if let (Some(to), Some(from)) = (shown.cell_mut((x, y)), screen.cell((x, y))) {
                    to.clone_from(from);
                }
            }
        }
        Ok(Self {
            part,
            canvas,
            shown,
            look: None,
            text: None,
            drawn: Vec::new(),
            pieces: None,
        })
    }
}

/// The frames of a replay, each the bytes that bring the viewer's terminal from the previous
/// moment to this one.
pub struct CastFrames {
    area: Rect,
    cut: Option<Cut>,
    regions: Vec<Region>,
    /// Writes the escape codes.
    cell_bytes: CellBytes,
    /// The position of the moment last drawn, and how often the state changed since the start.
    position: Option<usize>,
    revisions: Revisions,
}

impl CastFrames {
    /// Frames of `width`×`height` cells, starting from an empty screen.
    pub fn new(width: u16, height: u16) -> Self {
        Self {
            area: Rect::new(0, 0, width, height),
            cut: None,
            regions: Vec::new(),
            cell_bytes: CellBytes::default(),
            position: None,
            revisions: Revisions::default(),
        }
    }

    /// The bytes that show `replay`'s moment, or None when nothing visible changed.
    pub fn draw(&mut self, replay: &Replay) -> std::io::Result<Option<Vec<u8>>> {
        self.count_changes(replay);
        let cut = Cut::of(replay, self.area);
        if self.cut != Some(cut) {
            self.lay_out(cut)?;
        }
        for region in &mut self.regions {
            region.drawn.clear();
            if redraw_pieces(region, replay) {
                continue;
            }
            // A one-line part is drawn from its text: built once, drawn only when it changed.
            let line = match region.part {
                Part::Status => Some(status_line(&replay.app)),
                Part::Detail => Some(detail_line(replay)),
                _ => None,
            };
            let look = match &line {
                Some(_) => None,
                None => look(
                    region.part,
                    region.canvas.get_frame().area(),
                    replay,
                    self.revisions,
                ),
            };
            let unchanged = match &line {
                Some(line) => region.text.as_ref() == Some(line),
                None => look.is_some() && look == region.look,
            };
            if unchanged {
                continue;
            }
            region.canvas.current_buffer_mut().reset();
            let mut frame = region.canvas.get_frame();
            let area = frame.area();
            match region.part {
                Part::Whole => draw(&mut frame, replay),
                Part::Status | Part::Detail => {
                    let style = match region.part {
                        Part::Status => replay.app.theme.status_line(),
                        _ => Style::default(),
                    };
                    if let Some(line) = &line {
                        render_line(frame.buffer_mut(), area, line, style);
                    }
                }
                Part::Pane(pane) => draw_pane(&mut frame, area, &replay.app, pane),
                Part::Shell => draw_shell(&mut frame, area, replay),
                Part::Track => draw_track(&mut frame, area, replay),
                Part::Hints => draw_hints(&mut frame, area, replay),
            }
            guard_area(frame.buffer_mut(), area);
            region.drawn.push(area);
            region.look = look;
            region.text = line;
            region.pieces = Pieces::of(region.part, area, replay);
        }
        self.send()
    }

    /// Counts what the entries applied since the last frame changed.
    fn count_changes(&mut self, replay: &Replay) {
        let now = replay.position;
        match self.position {
            Some(before) if before <= now => {
                let entries = replay.timeline.entries();
                for e in entries.get(before..now).unwrap_or_default() {
                    self.revisions.count(&e.record);
                }
            }
            _ => self.revisions.all(),
        }
        self.position = Some(now);
    }

    /// Cuts the screen anew, each part starting from what the viewer shows.
    fn lay_out(&mut self, cut: Cut) -> std::io::Result<()> {
        let mut screen = Buffer::empty(self.area);
        for region in &self.regions {
            screen.merge(&region.shown);
        }
        self.regions = cut
            .parts(self.area)
            .into_iter()
            .map(|(part, area)| Region::new(part, area, &screen))
            .collect::<std::io::Result<_>>()?;
        self.cut = Some(cut);
        Ok(())
    }

    /// Compares the cells drawn with what the viewer shows, in screen order, and writes the
    /// difference as a whole-frame draw would; then the viewer shows the cells drawn.
    ///
    /// Each area drawn is compared in place as a comparison of two buffers of that area
    /// would ([`diff_area`]). Ratatui never draws a character across the edge of the area it
    /// draws in, so no wide character straddles an area's edge and the comparison of an area
    /// alone finds what the comparison of its whole part would.
    fn send(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut changes: Vec<(u16, u16, &Cell)> = Vec::new();
        for region in &mut self.regions {
            let Region {
                canvas,
                shown,
                drawn: areas,
                ..
            } = region;
            let drawn: &Buffer = canvas.current_buffer_mut();
            for &area in areas.iter() {
                diff_area(shown, drawn, area, &mut changes);
            }
        }
        if changes.is_empty() {
            // Cells the comparison passes over (under a wide character, skipped) may still
            // differ: what the viewer shows is, as after a whole-frame draw, what was drawn.
            self.keep();
            return Ok(None);
        }
        // In screen order, as a whole-frame draw sends them (parts side by side interleave).
        if !changes.is_sorted_by_key(|&(x, y, _)| (y, x)) {
            changes.sort_unstable_by_key(|&(x, y, _)| (y, x));
        }
        let mut bytes = Vec::with_capacity(changes.len() * 4 + 64);
        self.cell_bytes.draw(&mut bytes, changes)?;
        self.keep();
        Ok(Some(bytes))
    }

    /// The cells drawn are now what the viewer shows.
    fn keep(&mut self) {
        for region in &mut self.regions {
            let Region {
                canvas,
                shown,
                drawn,
                pieces,
                ..
            } = region;
            let canvas = canvas.current_buffer_mut();
            if pieces.is_none() && drawn.contains(&shown.area) {
                // Drawn whole and never drawn again in pieces: the next frame draws it from
                // an empty canvas, so the two can trade places.
                std::mem::swap(canvas, shown);
                continue;
            }
            for &area in drawn.iter() {
                copy_cells(canvas, shown, area);
            }
        }
    }
}

/// Copies the cells of `area` from `from` to `to` (both hold it).
fn copy_cells(from: &Buffer, to: &mut Buffer, area: Rect) {
    let width = usize::from(area.width);
    for y in area.top()..area.bottom() {
        let (start, end) = (from.index_of(area.x, y), to.index_of(area.x, y));
        if let (Some(from), Some(to)) = (
            from.content.get(start..start + width),
            to.content.get_mut(end..end + width),
        ) {
            to.clone_from_slice(from);
        }
    }
}

/// Brings a pane up to date by drawing again only the pieces that changed (a host's row: its
/// `since` ticks every second; a step's row; the Playbook's head or detail), when nothing
/// else in it did: false when the whole part is to be drawn. The canvas still holds the
/// pane as last drawn, and its look stays that of the pane.
fn redraw_pieces(region: &mut Region, replay: &Replay) -> bool {
    let Part::Pane(pane) = region.part else {
        return false;
    };
    let area = region.canvas.get_frame().area();
    let Some(now) = Pieces::of(region.part, area, replay) else {
        return false;
    };
    let Some(before) = region.pieces.as_ref().filter(|_| region.look.is_some()) else {
        return false;
    };
    let inside = Block::default().borders(Borders::ALL).inner(area);
    let app = &replay.app;
    let buffer = region.canvas.current_buffer_mut();
    let drawn = &mut region.drawn;
    match (before, &now) {
        (Pieces::Hosts(before), Pieces::Hosts(now)) => {
            let rows = before.rows.iter().zip(&now.rows);
            if before.frame != now.frame
                || before.rows.len() != now.rows.len()
                || rows.clone().any(|(b, n)| b.index != n.index)
            {
                return false;
            }
            let changed = rows.filter(|(b, n)| b != n);
            let (whole, since): (Vec<_>, Vec<_>) = changed.partition(|(b, n)| b.rest != n.rest);
            let index = |(_, n): (_, &looks::HostRowLook)| n.index;
            hosts::draw_rows(buffer, inside, app, whole.into_iter().map(index), drawn);
            hosts::draw_since(buffer, inside, app, since.into_iter().map(index), drawn);
        }
        (Pieces::Playbook(before), Pieces::Playbook(now)) => {
            if before.frame != now.frame || before.steps.len() != now.steps.len() {
                return false;
            }
            let steps = changed(&before.steps, &now.steps);
            let (head, detail) = (before.head != now.head, before.detail != now.detail);
            playbook::draw_parts(buffer, inside, app, head, steps.into_iter(), detail, drawn);
        }
        _ => return false,
    }
    if !region.drawn.is_empty() {
        for &area in &region.drawn {
            guard_area(buffer, area);
        }
        region.look = Some(match &now {
            Pieces::Hosts(look) => looks::hosts_pane(replay, look),
            Pieces::Playbook(_) => looks::pane(replay, pane, area, Revisions::default()),
        });
    }
    region.pieces = Some(now);
    true
}

/// The positions at which two lists of looks differ.
fn changed<T: PartialEq>(before: &[T], now: &[T]) -> Vec<usize> {
    (0..now.len())
        .filter(|&n| before.get(n) != now.get(n))
        .collect()
}

/// A part's look now; None for the whole screen, drawn at every moment, and for the one-line
/// parts, compared by their text (see `draw`).
fn look(part: Part, area: Rect, replay: &Replay, revisions: Revisions) -> Option<u64> {
    match part {
        Part::Pane(pane) => Some(looks::pane(replay, pane, area, revisions)),
        Part::Shell => Some(looks::shell(replay, area)),
        Part::Track => Some(looks::track(track_look(replay, area))),
        Part::Hints => Some(looks::hints(replay)),
        Part::Whole | Part::Status | Part::Detail => None,
    }
}
