//! Notes and evidence, refusals and skipped steps, the follow-ups left open, and the parts of
//! seed 002's report only the author can write.

use super::{rich, step_ref, when};
use crate::core::incident::StepStatus;
use crate::core::report::doc::{Block, Line, code, strong, text};
use crate::core::report::model::Report;

pub(super) fn notes<'a>(r: &'a Report, blocks: &mut Vec<Block<'a>>) {
    let i = &r.incident;
    blocks.push(Block::Heading(2, "Notes and evidence".into()));
    let mut any = false;
    if !i.notes.is_empty() {
        any = true;
        blocks.push(Block::Heading(3, "Notes".into()));
        let items = i
            .notes
            .iter()
            .map(|n| {
                let sent = if n.broadcast { " (broadcast)" } else { "" };
                vec![
                    strong(format!("{} {}{sent}:", when(r, n.at_ms), n.by)),
                    text(format!(" {}", n.text)),
                ]
            })
            .collect();
        blocks.push(Block::List(items));
    }
    if !i.pinned.is_empty() {
        any = true;
        blocks.push(Block::Heading(3, "Pinned log lines".into()));
        for p in &i.pinned {
            blocks.push(Block::Para(vec![strong(format!(
                "{} {}, pinned by {}:",
                when(r, p.at_ms),
                p.host,
                p.by
            ))]));
            blocks.push(Block::Code(p.text.as_str().into()));
        }
    }
    if !i.annotations.is_empty() {
        any = true;
        blocks.push(Block::Heading(3, "Remarks on steps".into()));
        let items = i
            .annotations
            .iter()
            .map(|a| {
                let mut line = vec![
                    strong(format!("{} {}", when(r, a.at_ms), a.by)),
                    text(" on "),
                ];
                line.extend(step_ref(r, &a.step));
                line.push(text(format!(": {}", a.text)));
                line
            })
            .collect();
        blocks.push(Block::List(items));
    }
    if !i.variables.is_empty() {
        any = true;
        blocks.push(Block::Heading(3, "Variables".into()));
        let rows = i
            .variables
            .iter()
            .map(|(name, v)| {
                vec![
                    vec![code(name.as_str())],
                    vec![code(v.value.as_str())],
                    rich(&v.provenance.to_string()),
                    vec![text(format!("{}, {}", v.by, when(r, v.at_ms)))],
                ]
            })
            .collect();
        blocks.push(Block::Table {
            head: vec![
                "Variable".into(),
                "Value".into(),
                "From".into(),
                "Set".into(),
            ],
            rows,
        });
    }
    if !any {
        blocks.push(Block::Para(vec![text(
            "No notes, pinned log lines, remarks or variables.",
        )]));
    }
}

pub(super) fn refusals_and_skips<'a>(r: &'a Report, blocks: &mut Vec<Block<'a>>) {
    blocks.push(Block::Heading(2, "Refusals and skipped steps".into()));
    if r.refusals.is_empty() {
        blocks.push(Block::Para(vec![text("Nothing was refused.")]));
    } else {
        let items = r
            .refusals
            .iter()
            .map(|f| {
                let mut line = vec![strong(format!("{} {}:", when(r, f.at_ms), f.by))];
                match &f.statement {
                    Some(command) if f.off_script => {
                        line.push(text(" dangerous "));
                        line.push(strong("off-script"));
                        line.push(text(" command "));
                        line.push(code(super::short(command, 80)));
                        line.push(text(format!(
                            " on {} not run (guarded because: {})",
                            f.subject,
                            f.guarded_because.join("; ")
                        )));
                    }
                    Some(statement) => {
                        line.push(text(" SQL on "));
                        line.push(code(f.subject.as_str()));
                        line.push(text(" refused, "));
                        line.push(code(super::short(statement, 80)));
                    }
                    None => {
                        line.push(text(" guarded step "));
                        line.extend(step_ref(r, &f.subject));
                        line.push(text(" not run"));
                        if !f.guarded_because.is_empty() {
                            line.push(text(format!(
                                " (guarded because: {})",
                                f.guarded_because.join("; ")
                            )));
                        }
                    }
                }
                line.push(text(": "));
                line.extend(rich(&f.refusal));
                line
            })
            .collect();
        blocks.push(Block::List(items));
    }
    let skipped: Vec<Line> = r
        .incident
        .steps
        .iter()
        .filter_map(|s| match r.incident.status(&s.id) {
            StepStatus::Skipped { by, at_ms, reason } => {
                let mut line = step_ref(r, &s.id);
                line.push(text(format!(": {reason} — {by}, {}", when(r, *at_ms))));
                Some(line)
            }
            _ => None,
        })
        .collect();
    blocks.push(Block::Heading(3, "Skipped steps".into()));
    if skipped.is_empty() {
        blocks.push(Block::Para(vec![text("No step was skipped.")]));
    } else {
        blocks.push(Block::List(skipped));
    }
}

pub(super) fn follow_ups<'a>(r: &'a Report, blocks: &mut Vec<Block<'a>>) {
    blocks.push(Block::Heading(2, "Follow-ups".into()));
    let open: Vec<Line> = r
        .incident
        .steps
        .iter()
        .filter_map(|s| {
            let why = match r.incident.status(&s.id) {
                StepStatus::Pending => "not done".to_string(),
                StepStatus::Failed { attempt, reason, .. } => {
                    format!("failed (attempt {attempt}): {reason}")
                }
                StepStatus::Interrupted { attempt, .. } => format!(
                    "interrupted (attempt {attempt}): cockpit stopped during the run; check what it did"
                ),
                StepStatus::Running { attempt, .. } => {
                    format!("still running at the end of the journal (attempt {attempt})")
                }
                StepStatus::Done { .. } | StepStatus::Skipped { .. } => return None,
            };
            let mut line = vec![text(s.title.as_str()), text(" (")];
            line.push(code(s.id.as_str()));
            line.push(text(format!(") — {why}")));
            Some(line)
        })
        .collect();
    if open.is_empty() {
        blocks.push(Block::Para(vec![text(
            "None left in the playbook: every step is done or skipped.",
        )]));
    } else {
        blocks.push(Block::Para(vec![text("Playbook steps left open:")]));
        blocks.push(Block::Checklist(open));
    }
}

/// Seed 002's sections the journal cannot fill, as prompts for the author.
pub(super) fn for_the_author(blocks: &mut Vec<Block<'_>>) {
    let prompt = |items: &[&str]| {
        Block::Fields(
            items
                .iter()
                .map(|i| (i.to_string(), vec![text("(to be written)")]))
                .collect(),
        )
    };
    blocks.push(Block::Heading(2, "Root cause analysis".into()));
    blocks.push(prompt(&["Direct cause", "Root cause", "Trigger"]));
    blocks.push(Block::Heading(2, "Impact assessment".into()));
    blocks.push(prompt(&["Users", "Data", "Business", "Reputation"]));
    blocks.push(Block::Heading(2, "Improvements".into()));
    blocks.push(Block::Para(vec![text(
        "Each with an owner and a deadline.",
    )]));
    blocks.push(prompt(&["Short term", "Long term", "Prevention"]));
}
