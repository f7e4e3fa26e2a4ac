//! The playbook checklist of the open incident, and the selected step's details.

use crate::core::incident::{Incident, StepStatus};
use crate::core::playbook::{Confirm, HostCount, Step, StepAction, Target};
use crate::ui::app::{App, RunMode};
use crate::ui::layout;
use crate::ui::text::{fit, local_time, printable};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Clear, List, ListItem, ListState, Paragraph, StatefulWidget, Widget, Wrap,
};

/// Draws the checklist, or what to do when no incident is open.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    match app.incident() {
        Some(incident) => draw_incident(frame, area, app, incident),
        None => draw_idle(frame, area, app),
    }
}

fn draw_idle(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    if app.mode == RunMode::Replay {
        let lines = vec![Line::styled(
            "No incident opened yet at this point of the journal. ] jumps to the next marker.",
            t.text_dim(),
        )];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    }
    let mut lines = vec![Line::from(vec![
        Span::styled("No open incident. ", t.text()),
        Span::styled(app.key(crate::ui::action::Action::OpenIncident), t.accent()),
        Span::styled(" opens one.", t.text()),
    ])];
    let suggestions = app.suggestions();
    if !suggestions.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            "Suggested by the fleet's state:",
            t.text_warning(),
        ));
        for (i, why) in suggestions {
            let p = &app.playbooks[i];
            lines.push(Line::from(vec![
                Span::styled(format!("  {} ", p.severity), t.severity(p.severity)),
                Span::raw(format!("{} — {why}", p.title)),
            ]));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        format!("{} playbooks loaded:", app.playbooks.len()),
        t.text_dim(),
    ));
    for p in &app.playbooks {
        lines.push(Line::from(vec![
            Span::styled(format!("  {} ", p.severity), t.severity(p.severity)),
            Span::styled(p.title.clone(), t.text_dim()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn marker(status: &StepStatus) -> &'static str {
    match status {
        StepStatus::Pending => "[ ]",
        StepStatus::Done { .. } => "[x]",
        StepStatus::Skipped { .. } => "[-]",
        StepStatus::Running { .. } => "[>]",
        StepStatus::Failed { .. } => "[!]",
        StepStatus::Interrupted { .. } => "[?]",
    }
}

/// The checklist names who did each step when that tells something: on a shared journal, or
/// when more than one operator has worked on the incident.
pub fn shows_who(app: &App, incident: &Incident) -> bool {
    if app.team.session().is_some() {
        return true;
    }
    let mut actors = incident
        .progress
        .values()
        .filter_map(StepStatus::by)
        .chain([incident.opened_by.as_str()]);
    let first = actors.next();
    actors.any(|a| Some(a) != first)
}

/// Columns an actor takes in the checklist.
const ACTOR_COLUMNS: usize = 12;

/// Columns a full actor (`bob@bastion-2`) takes in a step's detail.
const FULL_ACTOR_COLUMNS: usize = 40;
/// Columns a reason (skipped, failed) takes in a step's detail at most.
const REASON_COLUMNS: usize = 240;

/// An actor as the step's detail says it: printable, cut to [`FULL_ACTOR_COLUMNS`] (on a
/// shared journal it comes from the store, which may hold anything).
fn full_actor(actor: &str) -> String {
    shown(actor, FULL_ACTOR_COLUMNS)
}

/// A reason, printable and cut to [`REASON_COLUMNS`]: the step's detail stays readable.
fn reason_text(reason: &str) -> String {
    shown(reason, REASON_COLUMNS)
}

/// Text from the journal (maybe another cockpit's, through the shared store), printable and
/// cut to `cols` columns.
fn shown(text: &str, cols: usize) -> String {
    crate::ui::text::truncate(&printable(text), cols)
}

/// `bob` for `bob@bastion-2`: the login is what a team calls each other, cut to
/// [`ACTOR_COLUMNS`] (a wide character never split).
fn short_actor(actor: &str) -> String {
    let user = actor.split('@').next().unwrap_or(actor);
    shown(user, ACTOR_COLUMNS)
}

fn draw_incident(frame: &mut Frame<'_>, area: Rect, app: &App, incident: &Incident) {
    let [head, list_area, detail_area] = layout::playbook_areas(area);
    let buf = frame.buffer_mut();
    draw_head(buf, head, app, incident);
    let playbook = app.playbook(&incident.playbook);
    let show_by = shows_who(app, incident);
    let items: Vec<ListItem<'_>> = incident
        .steps
        .iter()
        .enumerate()
        .map(|(n, s)| item(app, incident, playbook, show_by, n, s))
        .collect();
    let list = List::new(items).highlight_style(app.theme.selection());
    let mut state = ListState::default()
        .with_offset(app.step_scroll)
        .with_selected(Some(app.step_cursor));
    StatefulWidget::render(list, list_area, buf, &mut state);
    draw_step_detail(buf, detail_area, app, incident);
}

/// Draws again, into `buf`, parts of the checklist of the open incident exactly as [`draw`]
/// draws them in the pane's inside `area`: the head line if `head`, the rows of the steps
/// `steps` that are in view (a list's rows are laid out by the pane alone, so a row drawn as a
/// one-row list is the same cells), and the selected step's detail if `detail`. A recording
/// redraws what changed instead of the pane. Does nothing without an open incident. Adds to
/// `drawn` the area of each part drawn.
pub fn draw_parts(
    buf: &mut Buffer,
    area: Rect,
    app: &App,
    head: bool,
    steps: impl Iterator<Item = usize>,
    detail: bool,
    drawn: &mut Vec<Rect>,
) {
    let Some(incident) = app.incident() else {
        return;
    };
    let [head_area, list_area, detail_area] = layout::playbook_areas(area);
    if head {
        Clear.render(head_area, buf);
        draw_head(buf, head_area, app, incident);
        drawn.push(head_area);
    }
    let playbook = app.playbook(&incident.playbook);
    let show_by = shows_who(app, incident);
    let rows = usize::from(list_area.height);
    let first = layout::in_view(app.step_scroll, app.step_cursor, rows);
    for n in steps {
        let (Some(step), Some(line)) =
            (incident.steps.get(n), layout::line_in_view(n, first, rows))
        else {
            continue;
        };
        let row_area = Rect {
            y: list_area.y + line,
            height: 1,
            ..list_area
        };
        Clear.render(row_area, buf);
        let list = List::new([item(app, incident, playbook, show_by, n, step)])
            .highlight_style(app.theme.selection());
        let mut state = ListState::default().with_selected((n == app.step_cursor).then_some(0));
        StatefulWidget::render(list, row_area, buf, &mut state);
        drawn.push(row_area);
    }
    if detail {
        Clear.render(detail_area, buf);
        draw_step_detail(buf, detail_area, app, incident);
        drawn.push(detail_area);
    }
}

/// The head line: the incident's title, its playbook's, and the steps done.
fn draw_head(buf: &mut Buffer, head: Rect, app: &App, incident: &Incident) {
    let t = &app.theme;
    let (finished, total) = incident.progress_counts();
    let mut head_spans = vec![Span::styled(
        format!("{} ", printable(&incident.title)),
        t.title(),
    )];
    // An incident opened from its playbook is named after it: say the title once.
    if incident.playbook_title.trim() != incident.title.trim() {
        head_spans.push(Span::styled(
            format!("· {} ", incident.playbook_title),
            t.text_dim(),
        ));
    }
    head_spans.push(Span::styled(
        format!("· {finished}/{total} done"),
        if finished == total {
            t.text_ok()
        } else {
            t.text_dim()
        },
    ));
    Widget::render(Paragraph::new(Line::from(head_spans)), head, buf);
}

/// The checklist's row of step `n`: its status, number, kind, title and who did it.
fn item<'a>(
    app: &App,
    incident: &Incident,
    playbook: Option<&crate::core::playbook::Playbook>,
    show_by: bool,
    n: usize,
    s: &crate::core::journal::StepSnapshot,
) -> ListItem<'a> {
    let t = &app.theme;
    let status = incident.status(&s.id);
    let style = match status {
        StepStatus::Pending | StepStatus::Running { .. } => t.text(),
        StepStatus::Done { .. } => t.text_ok(),
        StepStatus::Skipped { .. } => t.text_dim(),
        StepStatus::Failed { .. } | StepStatus::Interrupted { .. } => t.text_danger(),
    };
    let dangerous = playbook
        .and_then(|p| p.step(&s.id))
        .is_some_and(|st| st.dangerous);
    let mut spans = vec![
        Span::styled(format!("{} ", marker(status)), style),
        Span::styled(format!("{:>2}. ", n + 1), t.text_dim()),
        Span::styled(format!("{} ", fit(&printable(&s.kind), 7)), t.text_dim()),
    ];
    if dangerous {
        spans.push(Span::styled("⚠ ", t.text_danger()));
    }
    spans.push(Span::styled(printable(&s.title), style));
    if let Some(by) = StepStatus::by(status).filter(|_| show_by) {
        spans.push(Span::styled(
            format!(" · {}", short_actor(by)),
            t.text_dim(),
        ));
    }
    ListItem::new(Line::from(spans))
}

/// The selected step's detail: its status, confirmation, the playbook's step and its
/// latest results.
fn draw_step_detail(buf: &mut Buffer, detail_area: Rect, app: &App, incident: &Incident) {
    let t = &app.theme;
    let playbook = app.playbook(&incident.playbook);
    let Some(snapshot) = incident.steps.get(app.step_cursor) else {
        return;
    };
    let mut lines = vec![];
    match incident.status(&snapshot.id) {
        StepStatus::Pending => {}
        StepStatus::Done { by, at_ms } => lines.push(Line::styled(
            format!("done by {} at {}", full_actor(by), local_time(*at_ms)),
            t.text_ok(),
        )),
        StepStatus::Skipped { by, at_ms, reason } => lines.push(Line::styled(
            format!(
                "skipped by {} at {}: {}",
                full_actor(by),
                local_time(*at_ms),
                reason_text(reason)
            ),
            t.text_warning(),
        )),
        StepStatus::Running {
            attempt,
            by,
            since_ms,
        } => lines.push(Line::styled(
            format!(
                "run {attempt} started by {} at {}",
                full_actor(by),
                local_time(*since_ms)
            ),
            t.text(),
        )),
        StepStatus::Failed {
            attempt,
            by,
            at_ms,
            reason,
        } => lines.push(Line::styled(
            format!(
                "run {attempt} by {} failed at {}: {}",
                full_actor(by),
                local_time(*at_ms),
                reason_text(reason)
            ),
            t.text_danger(),
        )),
        StepStatus::Interrupted { attempt, since_ms } => lines.push(Line::styled(
            format!(
                "run {attempt} started at {} was interrupted: check what it did",
                local_time(*since_ms)
            ),
            t.text_danger(),
        )),
    }
    if let Some(c) = incident.confirmations.get(&snapshot.id) {
        lines.push(Line::styled(
            format!(
                "run {} confirmed by {} at {}",
                c.attempt,
                full_actor(&c.by),
                local_time(c.at_ms)
            ),
            t.text_warning(),
        ));
    }
    match playbook.and_then(|p| p.step(&snapshot.id)) {
        Some(step) => lines.extend(step_detail(step, app)),
        None if app.mode == RunMode::Replay => {}
        None => lines.push(Line::styled(
            "(this playbook is not loaded now; only the journal's copy of the step list is shown)",
            t.text_dim(),
        )),
    }
    if app.steps.output(&snapshot.id).is_none() {
        lines.extend(journaled_results(app, incident, &snapshot.id));
    }
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.border(false))
        .title(Line::styled(
            format!(" step {} ", shown(&snapshot.id, FULL_ACTOR_COLUMNS)),
            t.text_dim(),
        ));
    Widget::render(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        detail_area,
        buf,
    );
}

/// What the journal holds of a step's latest run, when this session has not run it: after a
/// restart, and in a replay.
fn journaled_results<'a>(app: &'a App, incident: &'a Incident, step: &str) -> Vec<Line<'a>> {
    let t = &app.theme;
    let Some(results) = incident.results.get(step).filter(|r| !r.is_empty()) else {
        return Vec::new();
    };
    let mut lines = vec![
        Line::from(""),
        Line::styled("journaled results of the latest run:", t.text_dim()),
    ];
    for r in results {
        let outcome = match (r.exit, r.rows) {
            (Some(code), _) => format!("exit {code}"),
            (None, Some(rows)) => format!("{rows} rows"),
            (None, None) => String::new(),
        };
        let verdict = if r.ok { "ok" } else { "failed" };
        let mut head = format!("  {} · {verdict}", r.target);
        if !outcome.is_empty() {
            head.push_str(&format!(" · {outcome}"));
        }
        if let Some(reason) = &r.reason {
            head.push_str(&format!(" · {reason}"));
        }
        lines.push(Line::styled(
            head,
            if r.ok { t.text_ok() } else { t.text_danger() },
        ));
        let output: Vec<&str> = r.output.lines().collect();
        let tail = &output[output.len().saturating_sub(OUTPUT_TAIL)..];
        lines.extend(
            tail.iter()
                .map(|l| Line::styled(format!("    {}", crate::ui::text::printable(l)), t.text())),
        );
    }
    lines
}

/// A step's target as the pane names it: the incident's host says which host it is.
fn target_text(target: &Target, app: &App) -> String {
    match (target, app.incident().and_then(|i| i.host.as_deref())) {
        (Target::Incident, Some(host)) => format!("{target} ({host})"),
        _ => target.to_string(),
    }
}

/// Output lines of a step's latest run shown under its details.
const OUTPUT_TAIL: usize = 14;

fn step_detail<'a>(step: &'a Step, app: &'a App) -> Vec<Line<'a>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    let label = |k: &'a str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<8}"), t.text_dim()),
            Span::raw(v),
        ])
    };
    match &step.action {
        StepAction::Command {
            target,
            run,
            capture,
        } => {
            lines.push(label("on", target_text(target, app)));
            match (&step.service, step.privileged) {
                (Some(service), _) => lines.push(label("as", format!("service {service}'s user"))),
                (None, true) => lines.push(label("as", "root (privileged)".into())),
                (None, false) => {}
            }
            for (i, l) in app.redactor.redact(run).lines().enumerate() {
                lines.push(label(if i == 0 { "run" } else { "" }, l.to_string()));
            }
            if let Some(c) = capture {
                lines.push(label("capture", format!("{} ← /{}/", c.variable, c.regex)));
            }
        }
        StepAction::Sql {
            database,
            statement,
        } => {
            lines.push(label("db", database.clone()));
            for (i, l) in app.redactor.redact(statement).lines().enumerate() {
                lines.push(label(if i == 0 { "sql" } else { "" }, l.to_string()));
            }
        }
        StepAction::Check { target } => lines.push(label("check", target_text(target, app))),
        StepAction::Verify {
            target: Some(target),
        } => lines.push(label("verify", target_text(target, app))),
        StepAction::Verify { target: None } | StepAction::Manual | StepAction::Note => {}
    }
    if let Some(e) = &step.expect {
        let mut parts = Vec::new();
        if let Some(x) = e.exit {
            parts.push(format!("exit {x}"));
        }
        if let Some((min, max)) = e.rows {
            parts.push(max.map_or(format!("≥ {min} rows"), |m| format!("{min}..{m} rows")));
        }
        if let Some(s) = e.http_status {
            parts.push(format!("HTTP {s}"));
        }
        lines.push(label("expect", parts.join(", ")));
    }
    if step.dangerous || step.confirm != Confirm::None {
        let c = match step.confirm {
            Confirm::Typed => "type the target's name to confirm",
            Confirm::Yes => "confirm before running",
            Confirm::None => "",
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:<8}", "guard"), t.text_dim()),
            Span::styled(
                if step.dangerous {
                    format!("DANGEROUS · {c}")
                } else {
                    c.to_string()
                },
                t.text_danger(),
            ),
        ]));
    }
    for g in &step.when {
        let who = match (&g.target, g.hosts) {
            (Target::Role(_), HostCount::AtLeast(_)) => format!("{} of {}", g.hosts, g.target),
            (target, _) => target_text(target, app),
        };
        lines.push(label("when", format!("{who} is {}", g.state)));
    }
    for reason in app.gate_reasons(&step.id) {
        lines.push(Line::styled(format!("waits   {reason}"), t.text_warning()));
    }
    if app.steps.running_step() == Some(step.id.as_str()) {
        let on = app.steps.running_on();
        lines.push(Line::styled(
            if on.is_empty() {
                "running…".to_string()
            } else {
                format!("running on {}…", on.join(", "))
            },
            t.accent(),
        ));
    }
    if let Some(output) = app.steps.output(&step.id) {
        // Redacted as one text, so a secret spread over lines (a PEM key) is seen whole.
        let text = app.redactor.redact(&output.all_lines().join("\n"));
        let all: Vec<&str> = text.lines().collect();
        let skipped = all.len().saturating_sub(OUTPUT_TAIL) + output.dropped;
        lines.push(Line::from(""));
        lines.push(Line::styled(
            if skipped > 0 {
                format!("output of the latest run ({skipped} earlier lines not shown):")
            } else {
                "output of the latest run:".to_string()
            },
            t.text_dim(),
        ));
        let tail = &all[all.len().saturating_sub(OUTPUT_TAIL)..];
        lines.extend(
            tail.iter()
                .map(|l| Line::styled(format!("  {l}"), t.text())),
        );
    }
    if let Some(d) = &step.detail {
        lines.push(Line::from(""));
        lines.extend(
            app.redactor
                .redact(d)
                .lines()
                .map(|l| Line::styled(l.to_string(), t.text()))
                .collect::<Vec<_>>(),
        );
    }
    if let Some(h) = &step.failure_hint {
        lines.push(Line::styled(
            format!("if it fails: {}", app.redactor.redact(h)),
            t.text_warning(),
        ));
    }
    lines
}

/// The step drawn at line `y` of the pane's inside `area`, as [`draw_incident`] lays the list
/// out: the selected step kept in view from the top.
pub fn row_at(app: &App, area: Rect, y: u16) -> Option<usize> {
    let steps = app.incident()?.steps.len();
    let list = layout::playbook_areas(area)[1];
    if list.height == 0 || y < list.y || y >= list.y + list.height {
        return None;
    }
    let offset = layout::in_view(app.step_scroll, app.step_cursor, usize::from(list.height));
    let index = offset + usize::from(y - list.y);
    (index < steps).then_some(index)
}
