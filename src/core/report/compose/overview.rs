//! The overview (what, when, how long, how bad, which hosts, who) and the response and
//! recovery section (phase times, targets, clock milestones).

use super::phrase::plural;
use super::{rel, when};
use crate::core::journal::Integrity;
use crate::core::report::doc::{Block, Line, code, strong, text};
use crate::core::report::format;
use crate::core::report::model::{HostInvolvement, Report, TargetOutcome};
use crate::core::report::phases::Moment;
use crate::core::report::scope::unhealthy;

pub(super) fn overview<'a>(r: &'a Report, blocks: &mut Vec<Block<'a>>) {
    let i = &r.incident;
    blocks.push(Block::Heading(2, "Overview".into()));
    let mut fields: Vec<(String, Line)> = vec![
        (
            "Incident".into(),
            vec![code(i.id.as_str()), text(format!(" — {}", i.title))],
        ),
        (
            "Playbook".into(),
            vec![
                text(format!("{} (", i.playbook_title)),
                code(i.playbook.as_str()),
                text(")"),
            ],
        ),
        (
            "Opened".into(),
            vec![text(format!(
                "{} by {}",
                format::iso(i.opened_at_ms),
                i.opened_by
            ))],
        ),
    ];
    match &i.resolved {
        Some((at, summary)) => {
            let by = r.resolved_by.clone().unwrap_or_default();
            fields.push((
                "Resolved".into(),
                vec![text(format!("{} by {by}", format::iso(*at)))],
            ));
            fields.push(("Summary".into(), vec![text(summary.as_str())]));
            fields.push((
                "Duration".into(),
                vec![text(format!(
                    "{} (opened → resolved)",
                    format::duration(at.saturating_sub(i.opened_at_ms))
                ))],
            ));
        }
        None => fields.push((
            "Resolved".into(),
            vec![
                strong("not resolved"),
                text(format!(
                    ": still open at the journal's last entry, {} after opening",
                    format::duration(r.journal_end_ms.saturating_sub(i.opened_at_ms))
                )),
            ],
        )),
    }
    fields.push(("Severity".into(), severity_line(r)));
    let affected: Vec<String> = r
        .hosts
        .iter()
        .filter(|h| h.affected())
        .map(|h| {
            let turned = h.changes.iter().find(|c| unhealthy(c.2)).map(|c| c.2);
            match (h.at_open, turned) {
                (Some(s), _) if unhealthy(s) => format!("{} ({s} at opening)", h.host),
                (_, Some(to)) => format!("{} ({to} during the incident)", h.host),
                _ => h.host.clone(),
            }
        })
        .collect();
    fields.push(("Affected hosts".into(), vec![text(none_or(&affected))]));
    if let Some(host) = &r.incident.host {
        fields.push((
            "Incident host".into(),
            vec![text(format!(
                "{host} (matched the playbook's trigger when the incident opened)"
            ))],
        ));
    }
    let acted: Vec<String> = r
        .hosts
        .iter()
        .filter(|h| h.acted_on())
        .map(|h| match (h.steps.is_empty(), h.commands + h.shells > 0) {
            (true, true) => format!("{} (off-script)", h.host),
            (false, true) => format!("{} (steps and off-script)", h.host),
            _ => h.host.clone(),
        })
        .collect();
    fields.push(("Hosts acted on".into(), vec![text(none_or(&acted))]));
    fields.push(("Databases".into(), vec![text(none_or(&r.databases))]));
    let people: Vec<String> = r
        .participants
        .iter()
        .map(|(who, n)| format!("{who} ({n} {})", plural(*n, "entry", "entries")))
        .collect();
    fields.push(("Participants".into(), vec![text(none_or(&people))]));
    let (finished, total) = i.progress_counts();
    fields.push((
        "Playbook progress".into(),
        vec![text(format!("{finished} of {total} steps done or skipped"))],
    ));
    let verdict = match &r.journal.integrity {
        Integrity::Intact => "verified".to_string(),
        Integrity::TornTail(_) => "verified up to a torn last entry".to_string(),
        Integrity::Broken(_) => "UNVERIFIED (chain broken, forced)".to_string(),
    };
    fields.push((
        "Journal".into(),
        vec![
            text(format!(
                "{}, {verdict}, {} entries, head ",
                r.source, r.journal.verified
            )),
            code(short_hash(&r.journal.head)),
        ],
    ));
    if !r.other_incidents.is_empty() {
        fields.push((
            "Other incidents in the journal".into(),
            vec![text(r.other_incidents.join(", "))],
        ));
    }
    blocks.push(Block::Fields(fields));
    hosts(r, blocks);
}

fn severity_line(r: &Report) -> Line<'_> {
    let mut s = format!(
        "{} at opening ({})",
        r.initial_severity,
        r.initial_severity.meaning()
    );
    for c in &r.severity_changes {
        s.push_str(&format!(
            "; {} → {} at {} by {}",
            c.from,
            c.to,
            rel(r, c.at_ms),
            c.by
        ));
    }
    if !r.severity_changes.is_empty() {
        s.push_str(&format!("; final {}", r.incident.severity));
    }
    vec![text(s)]
}

fn hosts<'a>(r: &'a Report, blocks: &mut Vec<Block<'a>>) {
    if r.hosts.is_empty() {
        return;
    }
    blocks.push(Block::Heading(3, "Hosts involved".into()));
    let rows = r
        .hosts
        .iter()
        .map(|h| {
            let changes: Vec<String> = h
                .changes
                .iter()
                .map(|(at, from, to, cause)| format!("{} {from} → {to} ({cause})", rel(r, *at)))
                .collect();
            vec![
                vec![strong(h.host.as_str())],
                vec![text(
                    h.at_open
                        .map_or("not in snapshot".to_string(), |s| s.to_string()),
                )],
                vec![text(if changes.is_empty() {
                    "—".to_string()
                } else {
                    changes.join("\n")
                })],
                vec![text(acts(h))],
            ]
        })
        .collect();
    blocks.push(Block::Table {
        head: vec![
            "Host".into(),
            "At opening".into(),
            "State changes during the incident".into(),
            "Steps run on it".into(),
        ],
        rows,
    });
    if r.uninvolved_hosts > 0 {
        blocks.push(Block::Para(vec![text(format!(
            "{} other {} up at opening and not involved.",
            r.uninvolved_hosts,
            plural(r.uninvolved_hosts, "host was", "hosts were")
        ))]));
    }
}

pub(super) fn response<'a>(r: &'a Report, blocks: &mut Vec<Block<'a>>) {
    let p = &r.phases;
    blocks.push(Block::Heading(2, "Response and recovery".into()));
    let phase = |name: &'static str, m: Option<&Moment>| -> Vec<Line<'a>> {
        match m {
            Some(m) => vec![
                vec![strong(name)],
                vec![text(format::clock_on(m.at_ms, r.incident.opened_at_ms))],
                vec![text(rel(r, m.at_ms))],
                vec![text(match m.seq {
                    Some(seq) => format!("{} (entry #{seq})", m.basis),
                    None => format!("{} (recorded with the opening)", m.basis),
                })],
            ],
            None => vec![
                vec![strong(name)],
                vec![text("unknown")],
                vec![text("—")],
                vec![text("no evidence in the journal")],
            ],
        }
    };
    blocks.push(Block::Table {
        head: vec![
            "Phase".into(),
            "UTC".into(),
            "From opening".into(),
            "Evidence".into(),
        ],
        rows: vec![
            phase("Impact started", p.impact.as_ref()),
            phase("Detected (incident opened)", Some(&p.detected)),
            phase("Responded (first operator act)", p.responded.as_ref()),
            phase("Mitigated (service restored)", p.mitigated.as_ref()),
            phase("Resolved", p.resolved.as_ref()),
        ],
    });
    let d = |v: Option<i64>| v.map_or("unknown".to_string(), format::duration);
    blocks.push(Block::Fields(vec![
        (
            "Time to detect (impact → opened)".into(),
            vec![text(d(p.time_to_detect()))],
        ),
        (
            "Time to respond (opened → first act)".into(),
            vec![text(d(p.time_to_respond()))],
        ),
        (
            "Time to mitigate (opened → restored)".into(),
            vec![text(d(p.time_to_mitigate()))],
        ),
        (
            "Time to resolve (opened → resolved)".into(),
            vec![text(d(p.time_to_resolve()))],
        ),
        (
            "Impact duration (impact → restored)".into(),
            vec![text(d(p.impact_duration()))],
        ),
    ]));
    blocks.push(Block::Para(vec![text(
        "Impact start is the earliest evidence before the opening: a host first seen unhealthy \
         by cockpit's checks, a host turning degraded or down, or a drill fault. The response is \
         the first act of an operator on the incident (outputs, milestones and host states \
         cockpit records by itself do not count). Service counts as restored at the earlier of: \
         every affected host healthy again, or the last passing verify step of the playbook. \
         Unknown means the journal holds no evidence for it.",
    )]));
    targets(r, blocks);
}

fn targets<'a>(r: &'a Report, blocks: &mut Vec<Block<'a>>) {
    blocks.push(Block::Heading(3, "Targets".into()));
    let rows = r
        .targets
        .iter()
        .map(|t| {
            let limit = format::duration(t.limit_ms);
            let (took, verdict) = match t.outcome {
                TargetOutcome::Met { took_ms } => (
                    format::duration(took_ms),
                    vec![
                        strong("met"),
                        text(format!(
                            ", {} to spare",
                            format::duration(t.limit_ms.saturating_sub(took_ms))
                        )),
                    ],
                ),
                TargetOutcome::Missed { took_ms } => (
                    format::duration(took_ms),
                    vec![
                        strong("missed"),
                        text(format!(
                            " by {}",
                            format::duration(took_ms.saturating_sub(t.limit_ms))
                        )),
                    ],
                ),
                TargetOutcome::Open { open_ms } if open_ms > t.limit_ms => (
                    format!("open for {}", format::duration(open_ms)),
                    vec![
                        strong("missed"),
                        text(format!(
                            " (still open, {} over)",
                            format::duration(open_ms.saturating_sub(t.limit_ms))
                        )),
                    ],
                ),
                TargetOutcome::Open { open_ms } => (
                    format!("open for {}", format::duration(open_ms)),
                    vec![text(format!(
                        "not resolved yet, {} left",
                        format::duration(t.limit_ms.saturating_sub(open_ms))
                    ))],
                ),
            };
            vec![
                vec![text(t.name.as_str())],
                vec![text(limit)],
                vec![text(took)],
                verdict,
            ]
        })
        .collect();
    blocks.push(Block::Table {
        head: vec![
            "Target".into(),
            "Limit".into(),
            "Took".into(),
            "Verdict".into(),
        ],
        rows,
    });
    blocks.push(Block::Para(vec![text(
        "Measured from opening to resolution, as cockpit's incident clock counts them.",
    )]));
    if !r.incident.milestones.is_empty() {
        let items = r
            .incident
            .milestones
            .iter()
            .map(|(m, at)| vec![text(format!("{}: {m}", when(r, *at)))])
            .collect();
        blocks.push(Block::Para(vec![text("Clock milestones crossed:")]));
        blocks.push(Block::List(items));
    }
}

/// What was done on a host: its steps, then what was done off-script (`—` for nothing).
fn acts(h: &HostInvolvement) -> String {
    let mut parts = Vec::new();
    if !h.steps.is_empty() {
        parts.push(h.steps.join(", "));
    }
    let mut off_script = Vec::new();
    if h.commands > 0 {
        off_script.push(format!(
            "{} {}",
            h.commands,
            plural(h.commands, "command", "commands")
        ));
    }
    if h.shells > 0 {
        off_script.push(format!(
            "{} {}",
            h.shells,
            plural(h.shells, "shell", "shells")
        ));
    }
    if !off_script.is_empty() {
        parts.push(format!("off-script: {}", off_script.join(", ")));
    }
    if parts.is_empty() {
        "—".to_string()
    } else {
        parts.join("; ")
    }
}

fn none_or(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// The first 16 hex digits of a hash.
fn short_hash(h: &str) -> String {
    h.chars().take(16).collect()
}
