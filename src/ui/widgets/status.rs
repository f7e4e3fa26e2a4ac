//! The status line (incident, severity, clocks against targets, operator and role) and the hint
//! line.

use crate::core::health::HostState;
use crate::core::role::Role;
use crate::ui::action::Action;
use crate::ui::app::{App, RunMode};
use crate::ui::keymap::Scope;
use crate::ui::pane::Pane;
use crate::ui::text::{clock, printable, short_duration, truncate};

/// Columns the incident id takes on the status line at most (a shared id is 22).
const ID_COLUMNS: usize = 24;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws the top status line.
pub fn draw_status(frame: &mut Frame<'_>, area: Rect, app: &App) {
    render_status(frame, area, status_line(app), app);
}

/// Draws `line`, made by [`status_line`], as the status line.
pub fn render_status(frame: &mut Frame<'_>, area: Rect, line: Line<'static>, app: &App) {
    frame.render_widget(Paragraph::new(line).style(app.theme.status_line()), area);
}

/// What the status line says, with its styles: two equal lines are drawn the same, so a
/// recording compares them to know whether the line changed without drawing it.
pub fn status_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    let base = t.status_line();
    let sep = || Span::styled(" │ ", base);
    let mut spans = Vec::new();
    match app.mode {
        RunMode::Demo => {
            spans.push(Span::styled(" DRILL ", t.text_warning().patch(base)));
            spans.push(sep());
        }
        RunMode::Replay => {
            spans.push(Span::styled(" REPLAY ", t.accent().patch(base)));
            spans.push(sep());
        }
        RunMode::Live => {}
    }
    if app.role == Role::Observer && app.mode != RunMode::Replay {
        // First on the line: whatever else is cut on a narrow terminal, this is not.
        spans.push(Span::styled(" READ-ONLY ", t.accent().patch(base)));
        spans.push(sep());
    }
    match app.incident() {
        Some(i) => {
            let end = i.resolved.as_ref().map_or(app.now_ms, |(at, _)| *at);
            let elapsed = end - i.opened_at_ms;
            // The id may come from the shared store: printable, and never the whole line.
            spans.push(Span::styled(
                format!(" {} ", truncate(&printable(&i.id), ID_COLUMNS)),
                base,
            ));
            spans.push(Span::styled(
                format!(" {} ", i.severity),
                t.severity(i.severity)
                    .patch(Style::default().bg(base.bg.unwrap_or_default())),
            ));
            spans.push(sep());
            spans.push(Span::styled(format!("⏱ {}", clock(elapsed)), base));
            if let Some(rto) = i.rto_minutes {
                spans.push(sep());
                spans.push(target_span(
                    "RTO",
                    i64::from(rto) * 60_000,
                    elapsed,
                    base,
                    app,
                ));
            }
            spans.push(sep());
            let resolve = i.severity.targets().resolve.as_millis() as i64;
            spans.push(target_span("resolve", resolve, elapsed, base, app));
        }
        None => spans.push(Span::styled(" no open incident ", base)),
    }
    // A broken shared journal comes first after the clocks: a long status line is cut at its
    // end, and what the team sees is no longer whole.
    let broken = app
        .shared
        .as_ref()
        .is_some_and(|v| matches!(v.status, crate::io::shared::SyncStatus::Broken(_)));
    if broken && let Some(mark) = super::shared_status::shared_span(app, base) {
        spans.push(sep());
        spans.push(mark);
    }
    // A channel that cannot tell people comes early too: nobody is being told.
    if let Some(mark) = notify_span(app, base) {
        spans.push(sep());
        spans.push(mark);
    }
    // Who else is on it comes early: a long status line is cut at its end.
    if let Some(others) = app.incident().and_then(|i| app.team.others_text(&i.id)) {
        spans.push(sep());
        spans.push(Span::styled(
            format!("with {others}"),
            t.accent()
                .patch(Style::default().bg(base.bg.unwrap_or_default())),
        ));
    }

    spans.push(sep());
    let down = app.count_in(HostState::Down);
    let degraded = app.count_in(HostState::Degraded);
    spans.push(Span::styled(format!("{} hosts", app.hosts.len()), base));
    if down > 0 {
        spans.push(Span::styled(
            format!(" {down} down"),
            t.text_danger()
                .patch(Style::default().bg(base.bg.unwrap_or_default())),
        ));
    }
    if degraded > 0 {
        spans.push(Span::styled(format!(" {degraded} degraded"), base));
    }
    spans.push(sep());
    spans.push(Span::styled(
        if app.mode == RunMode::Replay {
            "read-only".to_string()
        } else if app.journal_unconfirmed {
            "journal: verifying…".to_string()
        } else if app.pending_writes > 0 {
            "journal: writing…".to_string()
        } else {
            "journal ✓".to_string()
        },
        base,
    ));
    if let Some(mark) = super::shared_status::shared_span(app, base).filter(|_| !broken) {
        spans.push(sep());
        spans.push(mark);
    }
    if let Some((database, since)) = app.console.oldest_transaction() {
        spans.push(sep());
        let others = app.console.open_transactions().len() - 1;
        let more = if others > 0 {
            format!(" +{others}")
        } else {
            String::new()
        };
        spans.push(Span::styled(
            format!(
                "transaction open on {database} {}{more}",
                short_duration(app.now_ms - since)
            ),
            t.text_warning()
                .patch(Style::default().bg(base.bg.unwrap_or_default())),
        ));
    }
    let escalation = escalation_spans(app, base);
    if !escalation.is_empty() {
        spans.push(sep());
        spans.extend(escalation);
    }
    spans.push(sep());
    let who = if app.show_role {
        format!("{} · {} ", app.operator, app.role)
    } else {
        format!("{} ", app.operator)
    };
    spans.push(Span::styled(who, base));
    Line::from(spans)
}

/// `notify oncall-chat failing: HTTP 500 · retry 15s (+1)`: the first channel that cannot send,
/// why, when it tries again, and how many others fail too.
fn notify_span<'a>(app: &App, base: Style) -> Option<Span<'a>> {
    let failing = app.failing_channels();
    let first = failing.first()?;
    let error = first.last_error.as_deref().unwrap_or("failed");
    let more = match failing.len() - 1 {
        0 => String::new(),
        n => format!(" (+{n})"),
    };
    let retry = short_duration((first.retry_at_ms - app.now_ms).max(0));
    Some(Span::styled(
        format!(
            "notify {} failing: {} · retry {retry}{more}",
            truncate(&printable(&first.channel), 24),
            truncate(&printable(error), 40)
        ),
        app.theme
            .text_danger()
            .patch(Style::default().bg(base.bg.unwrap_or_default())),
    ))
}

/// `escalated CTO · team lead in 10m00s`: who the path calls now and next.
fn escalation_spans<'a>(app: &App, base: Style) -> Vec<Span<'a>> {
    let Some(d) = app.deadlines() else {
        return Vec::new();
    };
    let mut spans = Vec::new();
    if let Some(who) = d.escalated_to {
        let warn = app
            .theme
            .text_warning()
            .patch(Style::default().bg(base.bg.unwrap_or_default()));
        spans.push(Span::styled(format!("escalated {who}"), warn));
    }
    if let Some(next) = d.next_escalation
        && let crate::core::run::Milestone::Escalation { who } = next.milestone
    {
        let left = i64::try_from(next.left.as_millis()).unwrap_or(i64::MAX);
        let lead = if spans.is_empty() { "" } else { " · " };
        spans.push(Span::styled(
            format!("{lead}{who} in {}", short_duration(left)),
            base,
        ));
    }
    spans
}

/// `RTO 12m05s left` or `RTO missed +3m`.
fn target_span<'a>(
    name: &str,
    target_ms: i64,
    elapsed_ms: i64,
    base: Style,
    app: &App,
) -> Span<'a> {
    if elapsed_ms <= target_ms {
        Span::styled(
            format!("{name} {} left", short_duration(target_ms - elapsed_ms)),
            base,
        )
    } else {
        let style = app
            .theme
            .text_danger()
            .patch(Style::default().bg(base.bg.unwrap_or_default()));
        Span::styled(
            format!("{name} missed +{}", short_duration(elapsed_ms - target_ms)),
            style,
        )
    }
}

/// Draws the bottom line: the last message, or the main keys.
pub fn draw_hints(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let line = match &app.flash {
        Some(f) => Line::styled(
            format!(" {}", app.redactor.redact(&f.text)),
            if f.error {
                t.text_danger()
            } else {
                t.text_ok()
            },
        ),
        None => {
            let keys = if app.focus == Pane::Logs {
                log_hints(app)
            } else {
                main_hints(app)
            };
            let mut spans = vec![Span::raw(" ")];
            for (k, what) in keys {
                spans.push(Span::styled(k, t.accent()));
                spans.push(Span::styled(format!(" {what}  "), t.text_dim()));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The main keys, read from the key table: with an incident open and the Playbook pane
/// focused, the keys that step through it. Keys the person's role may not use are left out.
fn main_hints(app: &App) -> Vec<(String, &'static str)> {
    let global = Scope::Global;
    let playbook = Scope::Pane(Pane::Playbook);
    let mut wanted = vec![
        (global, Action::ToggleHelp, "help"),
        (global, Action::FocusNext, "focus"),
        (global, Action::ToggleZoom, "zoom"),
    ];
    if app.focus == Pane::Hosts {
        let hosts = Scope::Pane(Pane::Hosts);
        wanted.extend([
            (hosts, Action::AdhocCommand, "run"),
            (hosts, Action::OpenShell, "shell"),
            (hosts, Action::Diagnose, "diagnose"),
        ]);
    }
    if app.incident().is_some() {
        if app.focus == Pane::Playbook {
            wanted.extend([
                (playbook, Action::RunNextStep, "next step"),
                (playbook, Action::TickStep, "tick"),
                (playbook, Action::SkipStep, "skip"),
                (playbook, Action::ReopenStep, "reopen"),
            ]);
        } else {
            wanted.push((global, Action::FocusPlaybook, "steps"));
        }
        wanted.extend([
            (global, Action::AddNote, "note"),
            (global, Action::ResolveIncident, "resolve"),
        ]);
    } else {
        wanted.push((global, Action::OpenIncident, "open incident"));
        if !app.open_incidents().is_empty() {
            wanted.push((global, Action::PickIncident, "pick incident"));
        }
    }
    if app.mode == RunMode::Demo {
        wanted.push((global, Action::InjectFault, "drill fault"));
    }
    wanted.push((global, Action::Quit, "quit"));
    wanted
        .into_iter()
        .filter(|(_, action, _)| app.permit(*action).is_ok())
        .filter_map(|(scope, action, what)| Some((app.keymap.key_for(scope, action)?, what)))
        .collect()
}

/// The Logs pane's keys, read from the key table (those the role allows).
fn log_hints(app: &App) -> Vec<(String, &'static str)> {
    let logs = Scope::Pane(Pane::Logs);
    [
        (Scope::Global, Action::ToggleHelp, "help"),
        (Scope::Global, Action::FocusNext, "focus"),
        (logs, Action::ToggleFollow, "pause/follow"),
        (logs, Action::CycleLogHosts, "host"),
        (logs, Action::FilterInclude, "filter"),
        (logs, Action::FilterExclude, "exclude"),
        (logs, Action::SearchLogs, "search"),
        (logs, Action::PinLine, "pin line"),
        (Scope::Global, Action::ToggleZoom, "zoom"),
        (Scope::Global, Action::Quit, "quit"),
    ]
    .into_iter()
    .filter(|(_, action, _)| app.permit(*action).is_ok())
    .filter_map(|(scope, action, what)| Some((app.keymap.key_for(scope, action)?, what)))
    .collect()
}
