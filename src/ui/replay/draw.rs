//! Drawing a replay: the panes as they were, the timeline bar with its markers, and the
//! replay's keys (or the prompt being typed).

use crate::core::journal::Integrity;
use crate::core::replay::{MarkerKind, describe};
use crate::core::report::format::time_of_day;
use crate::ui::action::Action;
use crate::ui::draw::{draw_body, too_small};
use crate::ui::keymap::Scope;
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
    let [status, body, bar, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    draw_status(frame, status, app);
    draw_body(frame, body, app);
    draw_bar(frame, bar, replay);
    draw_hints(frame, hints, replay);
    if replay.help {
        draw_help(frame, body, replay);
    }
}

fn draw_bar(frame: &mut Frame<'_>, area: Rect, replay: &Replay) {
    let t = &replay.app.theme;
    let [track, detail] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let p = &replay.playback;
    let state = format!(
        " {} {:>3} {} ",
        if p.playing { "▶" } else { "⏸" },
        p.speed.label(),
        if p.skip_idle {
            "skip-idle"
        } else {
            "real-gaps"
        }
    );
    let width = usize::from(track.width).saturating_sub(state.chars().count() + 2);
    let mut spans = vec![
        Span::styled(state, t.accent()),
        Span::styled("├", t.text_dim()),
    ];
    spans.extend(track_spans(replay, width));
    spans.push(Span::styled("┤", t.text_dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), track);

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
    frame.render_widget(Paragraph::new(Line::from(spans)), detail);
}

/// The track: played part, markers where they fall in time, and the cursor.
fn track_spans(replay: &Replay, width: usize) -> Vec<Span<'static>> {
    let t = &replay.app.theme;
    if width == 0 {
        return Vec::new();
    }
    let (start, end) = replay.timeline.span();
    let span = (end - start).max(1);
    let column = |at_ms: i64| -> usize {
        let offset = (at_ms - start).clamp(0, span) as i128;
        (offset * (width as i128 - 1) / span as i128) as usize
    };
    let mut cells: Vec<(char, Style)> = (0..width).map(|_| ('─', t.text_dim())).collect();
    let cursor = column(replay.playback.clock_ms);
    for cell in cells.iter_mut().take(cursor) {
        *cell = ('━', t.accent());
    }
    for m in replay.timeline.markers() {
        let style = match m.kind {
            MarkerKind::Severity(s) => t.severity(s),
            MarkerKind::Commit | MarkerKind::HostUp | MarkerKind::Resolved => t.text_ok(),
            MarkerKind::Rollback | MarkerKind::HostDown => t.text_danger(),
            MarkerKind::Opened => t.text_warning(),
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

fn draw_hints(frame: &mut Frame<'_>, area: Rect, replay: &Replay) {
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
