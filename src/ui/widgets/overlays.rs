//! Dialogs: help (generated from the keymap), the open-incident form, prompts, pickers,
//! the quit confirmation and host details.

use crate::core::metrics::Level;
use crate::core::severity::Severity;
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::keymap::Scope;
use crate::ui::overlay::{FormField, LineInput, Overlay, PromptKind};
use crate::ui::text::short_duration;
use crate::ui::theme::Theme;
use crate::ui::widgets::dialog_box::{centered, dialog, dialog_fitting, input_line};
use crate::ui::widgets::{access, adhoc_dialog, incident_picker, sql_dialogs, step_dialogs};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

/// Draws the dialog over the panes, if any.
pub fn draw_overlay(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let Some(overlay) = &app.overlay else { return };
    match overlay {
        Overlay::Help => help(frame, area, app),
        Overlay::ConfirmQuit => {
            let mut lines = Vec::new();
            if let Some(i) = app.incident() {
                lines.push(Line::from(format!("Incident {} is still open.", i.id)));
                lines.push(Line::from(
                    "It stays open in the journal; the next start resumes it.",
                ));
            }
            let waiting = app.notices_waiting();
            if waiting > 0 {
                lines.push(Line::styled(
                    format!(
                        "{waiting} notification{} not sent yet: the next start sends {}.",
                        if waiting == 1 { "" } else { "s" },
                        if waiting == 1 { "it" } else { "them" }
                    ),
                    app.theme.text_warning(),
                ));
            }
            let open = app.console.open_transactions();
            if !open.is_empty() {
                lines.push(Line::styled(
                    format!(
                        "Open transactions on {} will be ROLLED BACK.",
                        open.join(", ")
                    ),
                    app.theme.text_danger(),
                ));
            }
            lines.extend([
                Line::from(""),
                Line::from(vec![
                    Span::styled(app.dialog_key(Action::AnswerYes), app.theme.accent()),
                    Span::raw(" quit   "),
                    Span::styled("any other key", app.theme.accent()),
                    Span::raw(" stay"),
                ]),
            ]);
            let height = lines.len() as u16 + 2;
            dialog(frame, area, app, "Quit cockpit?", lines, 64, height);
        }
        Overlay::ConfirmTickWaiting { step, reasons } => {
            let mut lines = vec![Line::from(format!(
                "Step `{step}` waits: its conditions do not hold now."
            ))];
            lines.extend(
                reasons
                    .iter()
                    .map(|r| Line::styled(format!("  · {r}"), app.theme.text_warning())),
            );
            lines.extend([
                Line::from(""),
                Line::from("Ticked now, it is journaled done, with a note of why it waited."),
                Line::from(""),
                Line::from(vec![
                    Span::styled(app.dialog_key(Action::AnswerYes), app.theme.accent()),
                    Span::raw(" tick it done   "),
                    Span::styled("any other key", app.theme.accent()),
                    Span::raw(" leave it open"),
                ]),
            ]);
            dialog_fitting(frame, area, app, "Tick a step that waits?", lines);
        }
        Overlay::Prompt(kind, input) => {
            let (confirm, cancel) = (
                app.dialog_key(Action::Confirm),
                app.dialog_key(Action::Cancel),
            );
            let hint = match kind {
                PromptKind::ExportCsv(_) => format!("{confirm} writes the file · {cancel} cancels"),
                _ => format!("{confirm} saves to the journal · {cancel} cancels"),
            };
            let field = match kind {
                PromptKind::Variable { secret: true, .. } => hidden_line(input, app),
                _ => input_line(input, app, true),
            };
            let lines = vec![
                field,
                Line::from(""),
                Line::styled(hint, app.theme.text_dim()),
            ];
            dialog(frame, area, app, &kind.title(), lines, 70, 6);
        }
        Overlay::SeverityPicker(i) => {
            let lines = Severity::ALL
                .iter()
                .enumerate()
                .map(|(n, s)| {
                    let style = if n == *i {
                        app.theme.selection()
                    } else {
                        app.theme.text()
                    };
                    Line::from(vec![
                        Span::styled(format!(" {s} "), app.theme.severity(*s)),
                        Span::styled(format!(" {} ", s.meaning()), style),
                    ])
                })
                .collect();
            dialog(frame, area, app, "Severity", lines, 60, 7);
        }
        Overlay::FaultPicker(i) => {
            let mut lines: Vec<Line<'_>> = app
                .drill_hosts
                .iter()
                .enumerate()
                .map(|(n, (host, fault))| {
                    let style = if n == *i {
                        app.theme.selection()
                    } else {
                        app.theme.text()
                    };
                    let what = match fault {
                        Some(f) => format!("{host:<14} {f} — Enter restores it"),
                        None => format!("{host:<14} healthy — Enter kills it"),
                    };
                    Line::styled(what, style)
                })
                .collect();
            lines.push(Line::from(""));
            lines.push(Line::styled(
                "A killed host closes its ports and its logs stop, like a dead machine.",
                app.theme.text_dim(),
            ));
            let height = lines.len() as u16 + 2;
            dialog(frame, area, app, "Drill: inject a fault", lines, 86, height);
        }
        Overlay::HostDetail(i) => host_detail(frame, area, app, *i),
        Overlay::IncidentPicker(i) => incident_picker::incident_picker(frame, area, app, *i),
        Overlay::Report {
            title,
            text,
            scroll,
        } => report(frame, area, app, title, text, *scroll),
        Overlay::TrustHostKey { host, offer } => {
            access::trust_host_key(frame, area, app, host, offer)
        }
        Overlay::Passphrase(prompt) => access::passphrase(frame, area, app, prompt),
        Overlay::ConfirmStep(confirm) => step_dialogs::confirm_step(frame, area, app, confirm),
        Overlay::Adhoc(prompt) => adhoc_dialog::adhoc_prompt(frame, area, app, prompt),
        Overlay::Palette(prompt) => super::palette::palette(frame, area, app, prompt),
        Overlay::ConfirmAdhoc(confirm) => step_dialogs::confirm_adhoc(frame, area, app, confirm),
        Overlay::SqlDecision(database) => sql_dialogs::decision(frame, area, app, database),
        Overlay::SqlDanger(dialog) => sql_dialogs::danger(frame, area, app, dialog),
        Overlay::SqlCommitTyped(dialog) => sql_dialogs::commit_typed(frame, area, app, dialog),
        Overlay::SqlHistory(pick) => sql_dialogs::history(frame, area, app, pick),
        Overlay::LogPrompt(prompt) => {
            let t = &app.theme;
            let mut lines = vec![input_line(&prompt.input, app, true), Line::from("")];
            if let Some(error) = &prompt.error {
                lines.push(Line::styled(error.clone(), t.text_danger()));
            }
            lines.push(Line::styled(
                format!(
                    "{} applies · empty clears · (?i) ignores case · {} cancels",
                    app.dialog_key(Action::Confirm),
                    app.dialog_key(Action::Cancel)
                ),
                t.text_dim(),
            ));
            let height = lines.len() as u16 + 2;
            dialog(frame, area, app, prompt.kind.title(), lines, 70, height);
        }
        Overlay::OpenIncident(form) => {
            let t = &app.theme;
            let field_title = |f: FormField, name: &'static str| {
                Line::styled(
                    name,
                    if form.field == f {
                        t.title()
                    } else {
                        t.text_dim()
                    },
                )
            };
            let mut lines = vec![field_title(FormField::Playbook, "Playbook (↑/↓)")];
            let suggested: Vec<usize> = app.suggestions().iter().map(|(i, _)| *i).collect();
            for (n, p) in app.playbooks.iter().enumerate() {
                let style = if n == form.playbook {
                    t.selection()
                } else {
                    t.text()
                };
                let hint = if suggested.contains(&n) {
                    "  ← suggested"
                } else {
                    ""
                };
                lines.push(Line::from(vec![
                    Span::styled(format!(" {} ", p.severity), t.severity(p.severity)),
                    Span::styled(format!("{}{hint}", p.title), style),
                ]));
            }
            lines.push(Line::from(""));
            lines.push(field_title(FormField::Severity, "Severity (←/→)"));
            let sev: Vec<Span<'_>> = Severity::ALL
                .iter()
                .map(|s| {
                    Span::styled(
                        format!(" {s} "),
                        if *s == form.severity {
                            t.selection()
                        } else {
                            t.severity(*s)
                        },
                    )
                })
                .collect();
            lines.push(Line::from(sev));
            lines.push(Line::styled(
                format!(" {}", form.severity.meaning()),
                t.text_dim(),
            ));
            lines.push(Line::from(""));
            lines.push(field_title(
                FormField::Title,
                "Title (empty = playbook title)",
            ));
            lines.push(input_line(&form.title, app, form.field == FormField::Title));
            lines.push(Line::from(""));
            lines.push(Line::styled(
                format!(
                    "{} next field · {} opens the incident · {} cancels",
                    app.dialog_key(Action::NextField),
                    app.dialog_key(Action::Confirm),
                    app.dialog_key(Action::Cancel)
                ),
                t.text_dim(),
            ));
            let height = lines.len() as u16 + 2;
            dialog(frame, area, app, "Open an incident", lines, 76, height);
        }
    }
}

/// A secret being typed: a bullet per character, never the characters.
fn hidden_line<'a>(input: &LineInput, app: &App) -> Line<'a> {
    let count = input.text.chars().count();
    let cut = input.cursor.min(count);
    Line::from(vec![
        Span::raw("> "),
        Span::styled("•".repeat(cut), app.theme.text()),
        Span::styled("▏", app.theme.accent()),
        Span::styled("•".repeat(count - cut), app.theme.text()),
    ])
}

/// Width of one column of the help.
const HELP_COLUMN: u16 = 59;

/// Every binding of the live cockpit from the keymap: global keys, then each pane's, the SQL
/// editor's and the dialogs' (packed, as they are many and short). On a wide terminal the
/// pane keys go in a second column so everything fits without scrolling.
fn help(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let mut global = Vec::new();
    let mut panes = Vec::new();
    let mut dialog_keys = Vec::new();
    let mut last_scope = None;
    for (scope, keys, action) in app.keymap.help_rows() {
        let lines = match scope {
            Scope::Replay => continue,
            Scope::Dialog => {
                dialog_keys.push((keys, action.describe()));
                continue;
            }
            Scope::Global => &mut global,
            Scope::Pane(_) | Scope::Editor => &mut panes,
        };
        if last_scope != Some(scope) {
            if !lines.is_empty() {
                lines.push(Line::from(""));
            }
            lines.push(Line::styled(scope.heading(), t.title()));
            last_scope = Some(scope);
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<18}"), t.accent()),
            Span::styled(action.describe(), t.text()),
        ]));
    }
    if !dialog_keys.is_empty() {
        panes.push(Line::from(""));
        panes.push(Line::styled(Scope::Dialog.heading(), t.title()));
        panes.extend(packed(&dialog_keys, usize::from(HELP_COLUMN), t));
    }
    let two_columns = area.width >= 2 * HELP_COLUMN + 2;
    global.push(Line::from(""));
    global.extend(panes);
    let (columns, rows) = if two_columns {
        // Break at the blank line between sections nearest the middle.
        let half = global.len() / 2;
        let cut = (0..global.len())
            .filter(|&i| global[i].width() == 0)
            .min_by_key(|&i| i.abs_diff(half))
            .unwrap_or(global.len());
        let mut second = global.split_off(cut);
        if !second.is_empty() {
            second.remove(0);
        }
        let rows = global.len().max(second.len()) + 1;
        (vec![global, second], rows)
    } else {
        let rows = global.len() + 1;
        (vec![global], rows)
    };
    let width = HELP_COLUMN * columns.len() as u16 + 2;
    let height = (u16::try_from(rows).unwrap_or(u16::MAX) + 2).min(area.height);
    dialog(
        frame,
        area,
        app,
        &format!(
            "Keys ({} or {} closes)",
            app.keymap
                .label_of(Action::ToggleHelp)
                .unwrap_or_else(|| "?".into()),
            app.keymap
                .key_for(Scope::Dialog, Action::Cancel)
                .unwrap_or_else(|| "Esc".into())
        ),
        Vec::new(),
        width,
        height,
    );
    let body = centered(area, width, height).inner(ratatui::layout::Margin::new(1, 1));
    let cells =
        Layout::horizontal(vec![Constraint::Length(HELP_COLUMN); columns.len()]).split(body);
    for (lines, cell) in columns.into_iter().zip(cells.iter()) {
        frame.render_widget(Paragraph::new(lines), *cell);
    }
}

/// Keys and what they do, packed into lines at most `width` wide: `keys what · keys what`.
fn packed(entries: &[(String, &'static str)], width: usize, t: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut spans: Vec<Span<'static>> = vec![Span::raw("  ")];
    let mut used = 2;
    for (keys, what) in entries {
        let wide = keys.chars().count() + 1 + what.chars().count();
        if used > 2 && used + 3 + wide > width {
            lines.push(Line::from(std::mem::replace(
                &mut spans,
                vec![Span::raw("  ")],
            )));
            used = 2;
        }
        if used > 2 {
            spans.push(Span::styled(" · ", t.text_dim()));
            used += 3;
        }
        spans.push(Span::styled(keys.clone(), t.accent()));
        spans.push(Span::styled(format!(" {what}"), t.text()));
        used += wide;
    }
    if used > 2 {
        lines.push(Line::from(spans));
    }
    lines
}

fn host_detail(frame: &mut Frame<'_>, area: Rect, app: &App, index: usize) {
    let t = &app.theme;
    let Some(row) = app.hosts.get(index) else {
        return;
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("address ", t.text_dim()),
            Span::raw(row.address.clone()),
        ]),
        Line::from(vec![
            Span::styled("role    ", t.text_dim()),
            Span::raw(row.role.clone()),
        ]),
        Line::from(vec![
            Span::styled("state   ", t.text_dim()),
            Span::styled(row.tracker.state.name(), t.host_state(row.tracker.state)),
            Span::styled(
                format!(" for {}", short_duration(app.now_ms - row.tracker.since_ms)),
                t.text_dim(),
            ),
        ]),
        Line::from(""),
        Line::styled("Last probe", t.title()),
    ];
    if row.outcomes.is_empty() {
        lines.push(Line::styled(
            "  not probed yet (or no checks configured)",
            t.text_dim(),
        ));
    }
    for o in &row.outcomes {
        let (mark, style) = if o.ok {
            ("✔", t.text_ok())
        } else {
            ("✖", t.text_danger())
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {mark} "), style),
            Span::raw(format!("{:<28} ", o.label)),
            Span::styled(app.redactor.redact(&o.detail), style),
            Span::styled(format!("  {}ms", o.latency.as_millis()), t.text_dim()),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        "Pressure (never makes a host down)",
        t.title(),
    ));
    lines.push(match (&row.pressure.current, &row.pressure.unreadable) {
        (_, Some(why)) => Line::styled(
            format!("  metrics unreadable: {}", app.redactor.redact(why)),
            t.text_warning(),
        ),
        (Some(p), None) => Line::from(vec![
            Span::styled(
                format!("  {:<9}", p.level.name()),
                pressure_style(t, p.level),
            ),
            Span::raw(p.summary.clone()),
        ]),
        (None, None) => Line::styled("  no metrics yet (read over SSH)", t.text_dim()),
    });
    if let Some(host) = app.inventory.host(&row.name)
        && !host.logs.is_empty()
    {
        lines.push(Line::from(""));
        lines.push(Line::styled("Logs", t.title()));
        lines.extend(host.logs.iter().map(|l| Line::raw(format!("  {l}"))));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled(app.key(crate::ui::action::Action::Diagnose), t.accent()),
        Span::styled(" diagnose (read-only bundle, journaled)   ", t.text_dim()),
        Span::styled("Esc", t.accent()),
        Span::styled(" close", t.text_dim()),
    ]));
    let height = lines.len() as u16 + 2;
    dialog(
        frame,
        area,
        app,
        &format!("Host {}", row.name),
        lines,
        90,
        height,
    );
}

/// A long text over most of the screen, scrolled by the app.
fn report(frame: &mut Frame<'_>, area: Rect, app: &App, title: &str, text: &str, scroll: u16) {
    let t = &app.theme;
    let width = area.width.saturating_sub(4).max(20);
    let height = area.height.saturating_sub(2).max(5);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let text = app.redactor.redact(text);
    let lines: Vec<Line<'_>> = text
        .lines()
        .map(|l| match l.strip_prefix("=== cockpit: ") {
            Some(section) => Line::styled(format!("── {section} ──"), t.title()),
            None => Line::styled(l.to_string(), t.text()),
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(t.border(true))
        .title(Line::styled(format!(" {title} "), t.title()))
        .title_bottom(Line::styled(
            format!(
                " {}/{} {}/{} scroll · {} close ",
                app.dialog_key(Action::Up),
                app.dialog_key(Action::Down),
                app.dialog_key(Action::PageUp),
                app.dialog_key(Action::PageDown),
                app.dialog_key(Action::Cancel)
            ),
            t.text_dim(),
        ));
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), rect);
}

fn pressure_style(t: &Theme, level: Level) -> Style {
    match level {
        Level::Normal => t.text_ok(),
        Level::Warning => t.text_warning(),
        Level::Critical => t.text_danger(),
    }
}
