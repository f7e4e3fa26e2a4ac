//! Drawing a replay: the panes as they were, the timeline bar with its markers, and the
//! replay's keys (or the prompt being typed).

use crate::core::journal::Integrity;
use crate::core::replay::{MarkerKind, describe};
use crate::core::report::format::time_of_day;
use crate::ui::action::Action;
use crate::ui::draw::{draw_pane, too_small};
use crate::ui::keymap::Scope;
use crate::ui::replay::shell_panel::{BodyPart, body_parts, draw_shell};
use crate::ui::replay::{Replay, ReplayPrompt};
use crate::ui::text::clock;
use crate::ui::widgets::status::draw_status;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

/// Draws one replay frame.
pub fn draw(frame: &mut Frame<'_>, replay: &Replay) {
    draw_screen(frame, replay);
    crate::ui::screen_guard::guard(frame.buffer_mut());
}

fn draw_screen(frame: &mut Frame<'_>, replay: &Replay) {
    let app = &replay.app;
    if too_small(frame, app) {
        return;
    }
    let parts = Parts::of(frame.area());
    draw_status(frame, parts.status, app);
    let shell = replay.shell_screen().is_some();
    for (part, rect) in body_parts(parts.body, app.zoomed, app.focus, shell) {
        match part {
            BodyPart::Pane(pane) => draw_pane(frame, rect, app, pane),
            BodyPart::Shell => draw_shell(frame, rect, replay),
        }
    }
    crate::ui::widgets::overlays::draw_overlay(frame, parts.body, app);
    draw_track(frame, parts.track, replay);
    draw_detail(frame, parts.detail, replay);
    draw_hints(frame, parts.hints, replay);
    if replay.help {
        draw_help(frame, parts.body, replay);
    }
}

/// Where each part of a replay screen is drawn: the status line, the panes, the timeline bar
/// (its track and the line under it) and the hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Parts {
    pub status: Rect,
    pub body: Rect,
    pub track: Rect,
    pub detail: Rect,
    pub hints: Rect,
}

impl Parts {
    /// The parts of a screen of this size.
    pub fn of(area: Rect) -> Self {
        let [status, body, bar, hints] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(2),
            Constraint::Length(1),
        ])
        .areas(area);
        let [track, detail] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(bar);
        Self {
            status,
            body,
            track,
            detail,
            hints,
        }
    }
}

/// The playback state at the track's left.
fn state_label(replay: &Replay) -> String {
    let p = &replay.playback;
    format!(
        " {} {:>3} {} ",
        if p.playing { "▶" } else { "⏸" },
        p.speed.label(),
        if p.skip_idle {
            "skip-idle"
        } else {
            "real-gaps"
        }
    )
}

/// What the track row shows, in a form cheap to compare: the playback state and the column
/// the cursor stands in (the markers never move).
pub(super) fn track_look(replay: &Replay, area: Rect) -> (String, usize) {
    let state = state_label(replay);
    let width = usize::from(area.width).saturating_sub(state.chars().count() + 2);
    let cursor = cursor_column(replay, width);
    (state, cursor)
}

/// The playback state and the track with its markers and cursor.
pub(super) fn draw_track(frame: &mut Frame<'_>, track: Rect, replay: &Replay) {
    let t = &replay.app.theme;
    let state = state_label(replay);
    let width = usize::from(track.width).saturating_sub(state.chars().count() + 2);
    let mut spans = vec![
        Span::styled(state, t.accent()),
        Span::styled("├", t.text_dim()),
    ];
    spans.extend(track_spans(replay, width));
    spans.push(Span::styled("┤", t.text_dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), track);
}

/// The line under the track: integrity, position, time, and the entry (or a notice).
pub(super) fn draw_detail(frame: &mut Frame<'_>, detail: Rect, replay: &Replay) {
    frame.render_widget(Paragraph::new(detail_line(replay)), detail);
}

/// What the line under the track says, with its styles.
pub(super) fn detail_line(replay: &Replay) -> Line<'static> {
    let t = &replay.app.theme;
    let p = &replay.playback;
    let timeline = &replay.timeline;
    let (start, _) = timeline.span();
    let mut spans = Vec::new();
    match &replay.integrity {
        Integrity::Intact => {}
        Integrity::TornTail(brk) => spans.push(Span::styled(
            format!(" torn tail: {brk}; left out "),
            t.text_warning(),
        )),
        Integrity::Broken(brk) => spans.push(Span::styled(
            format!(" UNVERIFIED: chain broken at {brk} "),
            t.text_danger(),
        )),
    }
    spans.push(Span::styled(
        format!(
            " #{}/{} {} UTC +{} ",
            replay.position,
            timeline.len(),
            time_of_day(p.clock_ms),
            clock(p.clock_ms - start)
        ),
        t.title(),
    ));
    match &replay.notice {
        Some((text, error)) => spans.push(Span::styled(
            text.clone(),
            if *error { t.text_danger() } else { t.text_ok() },
        )),
        None => match timeline.entry_at(replay.position) {
            Some(e) => spans.push(Span::styled(
                crate::ui::text::printable(&describe(e)),
                t.text(),
            )),
            None => spans.push(Span::styled(
                match replay.app.keymap.key_for(Scope::Replay, Action::PlayPause) {
                    Some(play) => format!("start of {} — {play} plays", replay.source),
                    None => format!("start of {}", replay.source),
                },
                t.text_dim(),
            )),
        },
    }
    Line::from(spans)
}

/// The track: played part, markers where they fall in time, and the cursor.
fn track_spans(replay: &Replay, width: usize) -> Vec<Span<'static>> {
    let t = &replay.app.theme;
    if width == 0 {
        return Vec::new();
    }
    let column = |at_ms: i64| column(replay, width, at_ms);
    let mut cells: Vec<(char, Style)> = (0..width).map(|_| ('─', t.text_dim())).collect();
    let cursor = cursor_column(replay, width);
    for cell in cells.iter_mut().take(cursor) {
        *cell = ('━', t.accent());
    }
    for m in replay.timeline.markers() {
        let style = match m.kind {
            MarkerKind::Severity(s) => t.severity(s),
            MarkerKind::Commit | MarkerKind::HostUp | MarkerKind::Resolved => t.text_ok(),
            MarkerKind::Rollback | MarkerKind::HostDown => t.text_danger(),
            MarkerKind::Opened => t.text_warning(),
            MarkerKind::OffScript => t.accent(),
        };
        if let Some(cell) = cells.get_mut(column(m.at_ms)) {
            *cell = (m.kind.glyph(), style);
        }
    }
    if let Some(cell) = cells.get_mut(cursor) {
        *cell = ('┃', t.title());
    }
    cells
        .into_iter()
        .map(|(c, style)| Span::styled(c.to_string(), style))
        .collect()
}

/// The column of a track `width` cells wide that the time `at_ms` falls in.
fn column(replay: &Replay, width: usize, at_ms: i64) -> usize {
    let (start, end) = replay.timeline.span();
    let span = (end - start).max(1);
    let offset = (at_ms - start).clamp(0, span) as i128;
    (offset * (width as i128 - 1) / span as i128) as usize
}

/// The column the track's cursor stands in.
fn cursor_column(replay: &Replay, width: usize) -> usize {
    column(replay, width, replay.playback.clock_ms)
}

pub(super) fn draw_hints(frame: &mut Frame<'_>, area: Rect, replay: &Replay) {
    let t = &replay.app.theme;
    let line = match &replay.prompt {
        Some((kind, input)) => {
            let label = match kind {
                ReplayPrompt::Search => " search entries: ",
                ReplayPrompt::Time => " jump to (+MM:SS from the start, or HH:MM[:SS] UTC): ",
            };
            Line::from(vec![
                Span::styled(label, t.accent()),
                Span::styled(format!("{}▏", input.text), t.text()),
                Span::styled(
                    format!(
                        "  {} jumps · {} cancels",
                        dialog_key(replay, Action::Confirm),
                        dialog_key(replay, Action::Cancel)
                    ),
                    t.text_dim(),
                ),
            ])
        }
        None => {
            let open = replay.open_transactions();
            let mut spans = vec![Span::raw(" ")];
            if open > 0 {
                spans.push(Span::styled(
                    format!("{open} transaction(s) open at this moment  "),
                    t.text_warning(),
                ));
            }
            let hints: [(&[Action], &str); 8] = [
                (&[Action::PlayPause], "play"),
                (&[Action::Faster, Action::Slower], "speed"),
                (&[Action::PreviousEntry, Action::NextEntry], "entry"),
                (&[Action::PreviousMarker, Action::NextMarker], "marker"),
                (&[Action::SearchJournal], "search"),
                (&[Action::JumpToTime], "time"),
                (&[Action::ToggleHelp], "keys"),
                (&[Action::Quit], "quit"),
            ];
            let keymap = &replay.app.keymap;
            for (actions, what) in hints {
                let Some(k) = keymap.keys_for(Scope::Replay, actions) else {
                    continue;
                };
                spans.push(Span::styled(k, t.accent()));
                spans.push(Span::styled(format!(" {what}  "), t.text_dim()));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// Width of the replay's help box.
const HELP_WIDTH: u16 = 72;

/// Width of its keys column.
const KEY_COLUMN: usize = 24;

/// How the first key of a dialog action is written (the prompt's hint).
fn dialog_key(replay: &Replay, action: Action) -> String {
    replay
        .app
        .keymap
        .key_for(Scope::Dialog, action)
        .unwrap_or_else(|| format!("[keys] {}", action.name()))
}

/// The replay's keys, generated from the key table (any key closes it).
fn draw_help(frame: &mut Frame<'_>, body: Rect, replay: &Replay) {
    let t = &replay.app.theme;
    let rows = replay.app.keymap.replay_help();
    let height = (u16::try_from(rows.len())
        .unwrap_or(u16::MAX)
        .saturating_add(4))
    .min(body.height);
    let width = HELP_WIDTH.min(body.width);
    let area = Rect {
        x: body.x + (body.width - width) / 2,
        y: body.y + (body.height - height) / 2,
        width,
        height,
    };
    let mut lines: Vec<Line<'_>> = rows
        .into_iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<KEY_COLUMN$}"), t.accent()),
                Span::styled(what, t.text()),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::styled(
        " Read-only: nothing here reaches a host, a database or the journal.",
        t.text_dim(),
    ));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_type(BorderType::Rounded)
                .border_style(t.border(true))
                .title(Span::styled(" Replay keys (any key closes) ", t.title())),
        ),
        area,
    );
}
