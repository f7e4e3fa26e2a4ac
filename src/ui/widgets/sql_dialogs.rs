//! The SQL console's dialogs: commit or roll back (rows affected, before and after, the
//! step's expectation), the typed confirmation of a dangerous statement, history search.

use crate::io::sql::Snapshot;
use crate::ui::app::{App, expectation_text};
use crate::ui::overlay::{SqlCommitTyped, SqlDanger, SqlHistoryPick};
use crate::ui::text::short_duration;
use crate::ui::widgets::dialog_box::dialog_fitting;
use crate::ui::widgets::result_grid::{grid_lines, natural_widths};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Rows of a before/after snapshot shown.
const SNAPSHOT_ROWS: usize = 6;

/// Width of the grids inside a dialog.
const DIALOG_GRID: usize = 80;

/// Commit or roll back: what the transaction did, and whether committing is allowed.
pub fn decision(frame: &mut Frame<'_>, area: Rect, app: &App, database: &str) {
    let t = &app.theme;
    let Some(tx) = app
        .console
        .db(database)
        .and_then(|d| d.transaction.as_ref())
    else {
        return;
    };
    let age = short_duration(app.now_ms - tx.since_ms);
    let mut lines = vec![Line::from(format!(
        "`{database}`: {} statement(s), {} row(s) affected (MySQL/MariaDB count rows matched). \
         Open for {age}; nothing is committed until you say so.",
        tx.statements, tx.rows_affected
    ))];
    if let Some((text, ok)) = expectation_text(tx) {
        lines.push(Line::styled(
            text,
            if ok { t.text_ok() } else { t.text_danger() },
        ));
    }
    if let Some(every) = &tx.every_row {
        lines.push(Line::styled(
            format!("Careful: {every}. Committing needs the database's name typed."),
            t.text_danger(),
        ));
    }
    if let Some(last) = &tx.last {
        for (label, snap) in [("Before", &last.before), ("After", &last.after)] {
            if let Some(snap) = snap {
                lines.push(Line::from(""));
                lines.push(Line::styled(
                    format!("{label} (the rows the statement's WHERE matches):"),
                    t.title(),
                ));
                lines.extend(snapshot_lines(app, snap));
            }
        }
    }
    let timeout = app.inventory.settings.sql_transaction_timeout_secs;
    lines.push(Line::from(""));
    let mut keys = Vec::new();
    if tx.commit_refusal().is_none() {
        keys.push(Span::styled("c", t.accent()));
        keys.push(Span::raw(if tx.every_row.is_some() {
            " commit (type the name)   "
        } else {
            " commit   "
        }));
    }
    keys.extend([
        Span::styled("r", t.accent()),
        Span::raw(" roll back   "),
        Span::styled("Esc", t.accent()),
        Span::raw(format!(
            " decide later (rolled back after {timeout}s unanswered)"
        )),
    ]);
    lines.push(Line::from(keys));
    dialog_fitting(frame, area, app, "Commit or roll back?", lines);
}

fn snapshot_lines(app: &App, snap: &Snapshot) -> Vec<Line<'static>> {
    let rows = &snap.rows[..snap.rows.len().min(SNAPSHOT_ROWS)];
    let natural = natural_widths(&snap.columns, rows);
    let mut lines = grid_lines(app, &snap.columns, &natural, rows, 0, DIALOG_GRID);
    let hidden = snap.rows.len() - rows.len();
    if hidden > 0 || snap.more {
        let more = if snap.more { "+" } else { "" };
        lines.push(Line::styled(
            format!("… {hidden}{more} more row(s)"),
            app.theme.text_dim(),
        ));
    }
    if snap.rows.is_empty() {
        lines.push(Line::styled("(no rows)", app.theme.text_dim()));
    }
    lines
}

/// A dangerous statement: what it is, why, and the name to type.
pub fn danger(frame: &mut Frame<'_>, area: Rect, app: &App, dialog: &SqlDanger) {
    let t = &app.theme;
    let request = &dialog.request;
    let mut lines = vec![
        Line::styled(
            format!(
                "This statement is dangerous: {}.",
                dialog.reasons.join(", ")
            ),
            t.text_danger(),
        ),
        Line::from(""),
    ];
    lines.extend(
        app.redactor
            .redact(&request.sql)
            .lines()
            .map(|l| Line::styled(crate::ui::text::printable(l), t.text())),
    );
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::raw("Type "),
        Span::styled(request.database.clone(), t.accent()),
        Span::raw(" + Enter runs it; anything else refuses (journaled)."),
    ]));
    lines.push(Line::from(vec![
        Span::raw("> "),
        Span::styled(dialog.input.text.clone(), t.text()),
        Span::styled("▏", t.accent()),
    ]));
    dialog_fitting(frame, area, app, "Dangerous statement: confirm", lines);
}

/// The typed confirmation of a commit that changes every row of a table.
pub fn commit_typed(frame: &mut Frame<'_>, area: Rect, app: &App, dialog: &SqlCommitTyped) {
    let t = &app.theme;
    let every = app
        .console
        .db(&dialog.database)
        .and_then(|d| d.transaction.as_ref())
        .and_then(|tx| tx.every_row.clone())
        .unwrap_or_default();
    let lines = vec![
        Line::styled(format!("Careful: {every}."), t.text_danger()),
        Line::from(""),
        Line::from(vec![
            Span::raw("Type "),
            Span::styled(dialog.database.clone(), t.accent()),
            Span::raw(format!(
                " + {} commits; {} goes back to commit or roll back.",
                app.dialog_key(crate::ui::action::Action::Confirm),
                app.dialog_key(crate::ui::action::Action::Cancel)
            )),
        ]),
        Line::from(vec![
            Span::raw("> "),
            Span::styled(dialog.input.text.clone(), t.text()),
            Span::styled("▏", t.accent()),
        ]),
    ];
    dialog_fitting(frame, area, app, "Commit every row: confirm", lines);
}

/// The history search: the query and the matches, newest first.
pub fn history(frame: &mut Frame<'_>, area: Rect, app: &App, pick: &SqlHistoryPick) {
    let t = &app.theme;
    let matches = app.history_matches(pick);
    let mut lines = vec![Line::from(vec![
        Span::raw("search: "),
        Span::styled(pick.query.text.clone(), t.text()),
        Span::styled("▏", t.accent()),
    ])];
    lines.push(Line::from(""));
    if matches.is_empty() {
        lines.push(Line::styled("no statement matches", t.text_dim()));
    }
    let first = pick.selected.saturating_sub(9);
    for (i, sql) in matches.iter().enumerate().skip(first).take(10) {
        let one_line: String = crate::ui::text::printable(
            &app.redactor
                .redact(sql)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        );
        let shown: String = one_line.chars().take(78).collect();
        let style = if i == pick.selected {
            t.selection()
        } else {
            t.text()
        };
        lines.push(Line::styled(shown, style));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        format!(
            "{} match(es) · {}/{} choose · {} puts it in the editor · {}",
            matches.len(),
            app.dialog_key(crate::ui::action::Action::Up),
            app.dialog_key(crate::ui::action::Action::Down),
            app.dialog_key(crate::ui::action::Action::Confirm),
            app.dialog_key(crate::ui::action::Action::Cancel)
        ),
        t.text_dim(),
    ));
    let title = format!("History of `{}`", pick.database);
    dialog_fitting(frame, area, app, &title, lines);
}
