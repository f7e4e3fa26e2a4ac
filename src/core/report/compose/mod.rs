//! Composes a [`Report`] into a [`Doc`]: seed 002's incident report (overview, response and
//! recovery, timeline, actions, follow-ups, the parts only the author can write) in English,
//! journal text kept as it was written.

mod actions;
mod evidence;
mod notifications;
mod overview;
mod phrase;
mod timeline;

use crate::core::journal::Integrity;
use crate::core::report::doc::{Block, Doc, Line, code, strong, text};
use crate::core::report::format;
use crate::core::report::model::Report;
use std::borrow::Cow;

/// The report as a document.
pub fn compose(r: &Report) -> Doc<'_> {
    let mut blocks = Vec::new();
    if let Some(notice) = integrity_notice(r) {
        blocks.push(notice);
    }
    overview::overview(r, &mut blocks);
    overview::response(r, &mut blocks);
    timeline::timeline(r, &mut blocks);
    notifications::section(r, &mut blocks);
    actions::step_runs(r, &mut blocks);
    actions::sql(r, &mut blocks);
    evidence::notes(r, &mut blocks);
    evidence::refusals_and_skips(r, &mut blocks);
    evidence::follow_ups(r, &mut blocks);
    evidence::for_the_author(&mut blocks);
    integrity(r, &mut blocks);
    Doc {
        title: format!("Post-mortem: {}", r.incident.title),
        blocks,
    }
}

/// Offset from the opening, e.g. `+00:03`.
fn rel(r: &Report, at_ms: i64) -> String {
    format::offset(at_ms.saturating_sub(r.incident.opened_at_ms))
}

/// `+00:03 (20:26:19)`: offset from opening and UTC time.
fn when(r: &Report, at_ms: i64) -> String {
    let mut out = String::with_capacity(48);
    when_into(&mut out, r, at_ms);
    out
}

/// Appends [`when`]`(r, at_ms)`.
fn when_into(out: &mut String, r: &Report, at_ms: i64) {
    format::offset_into(out, at_ms.saturating_sub(r.incident.opened_at_ms));
    out.push_str(" (");
    format::clock_on_into(out, at_ms, r.incident.opened_at_ms);
    out.push(')');
}

/// A step's title by id (the id when unknown).
fn step_title<'a>(r: &'a Report, id: &'a str) -> &'a str {
    r.incident
        .steps
        .iter()
        .find(|s| s.id == id)
        .map_or(id, |s| s.title.as_str())
}

/// `` `id` (title) `` for a step.
fn step_ref<'a>(r: &'a Report, id: &'a str) -> Line<'a> {
    let mut line = Vec::with_capacity(2);
    push_step_ref(&mut line, r, id);
    line
}

/// Appends [`step_ref`]`(r, id)` to `line`.
fn push_step_ref<'a>(line: &mut Line<'a>, r: &'a Report, id: &'a str) {
    let title = step_title(r, id);
    line.push(code(id));
    if title != id {
        line.push(text(format!(" ({title})")));
    }
}

/// Text cockpit wrote with `backticked` names (refusals, provenances, reasons): the backticked
/// parts become code. Text with an odd number of backticks stays plain.
fn rich<'a>(s: &str) -> Line<'a> {
    if s.matches('`').count() % 2 == 1 {
        return vec![text(s.to_string())];
    }
    s.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| {
            let part = part.to_string();
            if i % 2 == 1 { code(part) } else { text(part) }
        })
        .collect()
}

/// The first line of a text, cut to `max` characters with an ellipsis (borrowed when nothing
/// is cut).
fn short(s: &str, max: usize) -> Cow<'_, str> {
    let first = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let long = first.char_indices().nth(max).map(|(at, _)| at);
    let cut = long.map_or(first, |at| &first[..at]);
    if long.is_some() || s.trim().lines().nth(1).is_some() {
        Cow::Owned(format!("{cut}…"))
    } else {
        Cow::Borrowed(cut)
    }
}

fn integrity_notice(r: &Report) -> Option<Block<'_>> {
    let j = &r.journal;
    match &j.integrity {
        Integrity::Intact => None,
        Integrity::TornTail(brk) => Some(Block::Notice {
            alarm: false,
            text: vec![
                strong("Torn last entry."),
                text(format!(
                    " The journal's last entry was cut short when cockpit stopped (a crash or \
                     power loss): {brk}. This report uses the {} entries before it, which verify; \
                     what the torn entry recorded is unknown.",
                    j.verified
                )),
            ],
        }),
        Integrity::Broken(brk) => Some(Block::Notice {
            alarm: true,
            text: vec![
                strong("UNVERIFIED."),
                text(format!(
                    " This journal's hash chain is broken at {brk}: it was changed after it was \
                     written. The report was forced (--force) from the {} entries before the \
                     break; {} of the {} stored entries are left out. Do not rely on it as the \
                     record of what happened.",
                    j.verified,
                    j.stored.saturating_sub(j.verified),
                    j.stored
                )),
            ],
        }),
    }
}

fn integrity<'a>(r: &'a Report, blocks: &mut Vec<Block<'a>>) {
    let j = &r.journal;
    blocks.push(Block::Heading(2, "Journal integrity".into()));
    let status: Line<'a> = match &j.integrity {
        Integrity::Intact => vec![
            strong("Verified."),
            text(format!(
                " All {} entries of {} chain from the first to the head.",
                j.verified, r.source
            )),
        ],
        Integrity::TornTail(brk) => vec![
            strong("Verified up to a torn last entry."),
            text(format!(
                " {} of {} entries of {} verify; the last is torn: {brk}.",
                j.verified, j.stored, r.source
            )),
        ],
        Integrity::Broken(brk) => vec![
            strong("UNVERIFIED (forced past a broken chain)."),
            text(format!(
                " {} of {} entries of {} verify; the chain breaks at {brk}.",
                j.verified, j.stored, r.source
            )),
        ],
    };
    blocks.push(Block::Para(status));
    blocks.push(Block::Fields(vec![(
        "Head hash (last verified entry)".into(),
        vec![code(j.head.as_str())],
    )]));
    blocks.push(Block::Para(vec![
        text("Quote the head hash in the post-mortem: "),
        code("cockpit journal verify"),
        text(
            " on any later copy of the journal must print the same head. Entries removed from \
             the end of a journal cannot be told from a journal that ended there, except by that \
             comparison.",
        ),
    ]));
}
