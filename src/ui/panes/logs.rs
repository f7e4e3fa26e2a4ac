//! Live logs, newest at the bottom: every host merged in arrival order with a host column, or
//! one host alone; filtered, searched, following or paused on a selected line. Only the
//! visible rows are built.

use crate::ui::action::Action;
use crate::ui::app::{App, RunMode};
use crate::ui::keymap::Scope;
use crate::ui::logs::{HostView, LogLine};
use crate::ui::pane::Pane;
use crate::ui::text::{fit, width};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use regex::Regex;

/// The widest host column, in terminal columns.
const HOST_COLUMN_MAX: usize = 14;

/// What the pane title adds after "Logs": the hosts shown and the active filters.
pub fn title_detail(app: &App) -> String {
    let hosts = match app.log_view.hosts {
        HostView::All => "all hosts".to_string(),
        HostView::One(i) => app
            .logs
            .hosts()
            .get(i)
            .map_or_else(String::new, |h| h.name.clone()),
    };
    match app.logs.filter().describe() {
        filters if filters.is_empty() => hosts,
        filters => format!("{hosts} · {filters}"),
    }
}

/// Draws the log view.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    if app.logs.is_empty() {
        let lines = if app.mode == RunMode::Replay {
            vec![
                Line::from("No log line pinned yet at this point."),
                Line::from(format!(
                    "The journal keeps the lines pinned as evidence ({}), not the whole logs.",
                    app.key(Action::PinLine)
                )),
            ]
        } else {
            vec![
                Line::from("Waiting for log lines…"),
                Line::from("Hosts list their log files in the inventory (`logs = [...]`)."),
            ]
        };
        frame.render_widget(crate::ui::widgets::placeholder(lines, t.text_dim()), area);
        return;
    }
    let rows = area.height.saturating_sub(1) as usize;
    let view = &app.log_view;
    let window = app.logs.window(view.hosts, view.anchor(), rows);
    let host_cols = match view.hosts {
        HostView::All => app
            .logs
            .hosts()
            .iter()
            .map(|h| width(&h.name))
            .max()
            .unwrap_or(8)
            .min(HOST_COLUMN_MAX),
        HostView::One(_) => 0,
    };
    let mut lines: Vec<Line<'_>> = window
        .rows
        .iter()
        .enumerate()
        .map(|(i, (host, line))| {
            let name = app.logs.hosts().get(*host).map_or("", |h| h.name.as_str());
            let selected = !view.follow && window.selected == Some(i);
            row(app, name, line, host_cols, selected)
        })
        .collect();
    if lines.is_empty() {
        let why = if app.logs.filter().is_active() {
            format!(
                "No line matches the filter ({} and {} change it; an empty pattern clears it).",
                app.key(Action::FilterInclude),
                app.key(Action::FilterExclude)
            )
        } else {
            format!(
                "No lines from this host yet ({} shows the next host).",
                app.key(Action::CycleLogHosts)
            )
        };
        lines.push(Line::styled(why, t.text_dim()));
    }
    while lines.len() < rows {
        lines.insert(0, Line::from(""));
    }
    lines.push(footer(app));
    frame.render_widget(Paragraph::new(lines), area);
}

/// One log row: pin/selection gutter, time, host (merged view), text with search matches.
fn row<'a>(
    app: &'a App,
    host: &str,
    line: &'a LogLine,
    host_cols: usize,
    selected: bool,
) -> Line<'a> {
    let t = &app.theme;
    let gutter = if app.is_pinned(host, &line.text) {
        "*"
    } else if selected {
        ">"
    } else {
        " "
    };
    let time = crate::ui::text::local_time(line.at_ms);
    let style = if line.marker {
        t.text_warning()
    } else if line.highlighted {
        t.log_highlight()
    } else {
        t.text()
    };
    let mut spans = vec![
        Span::styled(gutter, t.accent()),
        Span::styled(format!("{time} "), t.text_dim()),
    ];
    if host_cols > 0 {
        spans.push(Span::styled(
            format!("{} ", fit(host, host_cols)),
            t.accent(),
        ));
    }
    spans.extend(with_matches(
        &line.text,
        style,
        app.log_view.search.as_ref(),
        t.search_match(),
    ));
    let drawn = Line::from(spans);
    if selected {
        drawn.style(t.selection())
    } else {
        drawn
    }
}

/// The text as spans, the search's matches in `hit` style over the line's own.
fn with_matches<'a>(
    text: &'a str,
    style: Style,
    search: Option<&Regex>,
    hit: Style,
) -> Vec<Span<'a>> {
    let Some(search) = search else {
        return vec![Span::styled(text, style)];
    };
    let mut spans = Vec::new();
    let mut done = 0;
    for m in search.find_iter(text).filter(|m| !m.is_empty()) {
        if m.start() > done {
            spans.push(Span::styled(&text[done..m.start()], style));
        }
        spans.push(Span::styled(m.as_str(), style.patch(hit)));
        done = m.end();
    }
    if done < text.len() {
        spans.push(Span::styled(&text[done..], style));
    }
    spans
}

/// Follow state, counts, search, pins and per-host skipped counts.
fn footer(app: &App) -> Line<'_> {
    let t = &app.theme;
    let view = &app.log_view;
    let key = |action| {
        app.keymap
            .key_for(Scope::Pane(Pane::Logs), action)
            .unwrap_or_default()
    };
    let mut spans = vec![if view.follow {
        Span::styled("following", t.text_ok())
    } else {
        Span::styled(
            format!("paused ({}: follow)", key(Action::ToggleFollow)),
            t.text_warning(),
        )
    }];
    let (shown, held) = app.logs.counts(view.hosts);
    let noun = if held == 1 { "line" } else { "lines" };
    let count = if app.logs.filter().is_active() {
        format!(" · {shown} of {held} {noun}")
    } else {
        format!(" · {held} {noun}")
    };
    spans.push(Span::styled(count, t.text_dim()));
    if let Some(search) = &view.search {
        spans.push(Span::styled(
            format!(
                " · search /{}/ ({} newer, {} older)",
                search.as_str(),
                key(Action::SearchNewer),
                key(Action::SearchOlder)
            ),
            t.accent(),
        ));
    }
    let pins = app.incident().map_or(0, |i| i.pinned.len());
    if pins > 0 {
        spans.push(Span::styled(format!(" · {pins} pinned"), t.text_dim()));
    }
    let skipped: Vec<String> = app
        .logs
        .hosts()
        .iter()
        .enumerate()
        .filter(|(i, h)| {
            h.dropped > 0 && (view.hosts == HostView::All || view.hosts == HostView::One(*i))
        })
        .map(|(_, h)| format!("{} {}", h.name, h.dropped))
        .collect();
    if !skipped.is_empty() {
        spans.push(Span::styled(
            format!(" · skipped (buffer full): {}", skipped.join(", ")),
            t.text_warning(),
        ));
    }
    Line::from(spans)
}

/// The arrival number of the log line drawn at line `y` of the pane's inside `area`, as
/// [`draw`] lays the window out (newest at the bottom, above the footer).
pub fn line_at(app: &App, area: Rect, y: u16) -> Option<u64> {
    let rows = usize::from(area.height.saturating_sub(1));
    if app.logs.is_empty() || y < area.y {
        return None;
    }
    let view = &app.log_view;
    let window = app.logs.window(view.hosts, view.anchor(), rows);
    let blank = rows.checked_sub(window.rows.len())?;
    let index = usize::from(y - area.y).checked_sub(blank)?;
    window.rows.get(index).map(|(_, line)| line.seq)
}
