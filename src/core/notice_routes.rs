//! Which notices a journal entry sends, and through which channels: the routes. An incident
//! opened, its severity changed, an escalation level or status checkpoint reached, a note
//! broadcast, the incident resolved — each becomes one notice per channel that carries it.
//! Pure: the app queues what this returns.

use crate::core::incident::Incident;
use crate::core::journal::{Entry, Milestone, Record};
use crate::core::notify::{Channel, ChannelKind, DRILL_MARK, Notice, NoticeKind};
use crate::core::report::format::{duration, iso};
use crate::core::settings::EscalationLevel;
use crate::core::severity::Severity;
use std::collections::BTreeMap;

/// What the routes read besides the entry.
#[derive(Debug, Clone, Copy)]
pub struct RouteContext<'a> {
    /// The inventory's channels.
    pub channels: &'a [Channel],
    /// The escalation path (which channels and contacts each level has).
    pub escalation: &'a [EscalationLevel],
    /// The incident the entry is about, as it stood before the entry (none for an opening).
    pub incident: Option<&'a Incident>,
    /// Whether this is a drill (`cockpit demo`).
    pub drill: bool,
    /// Each host's state as journaled (at the opening, then each change while an incident is
    /// open), for the hosts a status checkpoint names.
    pub hosts: &'a BTreeMap<String, crate::core::health::HostState>,
    /// The journal, as `cockpit report` is given it.
    pub journal: &'a str,
}

/// One notice for one channel, ready to be journaled as `notification_queued`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routed {
    /// The notification's id: the entry's hash prefix and the channel.
    pub id: String,
    /// The channel's name.
    pub channel: String,
    /// The channel's platform.
    pub via: ChannelKind,
    /// What it says.
    pub notice: Notice,
}

/// The notices `entry` sends, one per channel that carries them.
pub fn notices_for(entry: &Entry, ctx: &RouteContext<'_>) -> Vec<Routed> {
    let Some((notice, extra_channels)) = notice_for(entry, ctx) else {
        return Vec::new();
    };
    let key = entry.hash.get(..12).unwrap_or(&entry.hash);
    ctx.channels
        .iter()
        .filter(|c| {
            c.drill.carries(ctx.drill)
                && (c.events.contains(&notice.kind) || extra_channels.contains(&c.name))
        })
        .map(|c| Routed {
            id: format!("{key}-{}", c.name),
            channel: c.name.clone(),
            via: c.kind,
            notice: notice.clone(),
        })
        .collect()
}

/// The notice an entry sends, if any, and the channels it goes to besides those routing its
/// kind (an escalation level's own).
fn notice_for(entry: &Entry, ctx: &RouteContext<'_>) -> Option<(Notice, Vec<String>)> {
    let drill = if ctx.drill {
        format!("{DRILL_MARK} ")
    } else {
        String::new()
    };
    let at = entry.at_ms;
    match &entry.record {
        Record::IncidentOpened {
            incident,
            title,
            severity,
            playbook_title,
            fleet,
            ..
        } => {
            let affected = impaired(fleet);
            let targets = severity.targets();
            let lines = vec![
                format!("Severity: {severity} — {}", severity.meaning()),
                format!("Playbook: {playbook_title}"),
                format!("Hosts affected: {}", listed(&affected, "none reported")),
                format!("On it: {}", entry.actor),
                format!(
                    "Targets: respond {}, resolve within {}",
                    within(targets.respond),
                    duration(ms(targets.resolve))
                ),
                format!("Opened: {}", iso(at)),
            ];
            let notice = Notice {
                kind: NoticeKind::Opened,
                incident: Some(incident.clone()),
                severity: Some(*severity),
                title: title.clone(),
                about: "incident opened".into(),
                drill: ctx.drill,
                headline: format!(
                    "{drill}{severity} incident {incident} opened: {}",
                    one_line(title)
                ),
                lines,
                contacts: Vec::new(),
                at_ms: at,
            };
            Some((notice, Vec::new()))
        }
        Record::SeverityChanged { incident, severity } => {
            let i = ctx.incident?;
            if i.severity == *severity {
                return None;
            }
            let lines = vec![
                format!(
                    "Severity: {} → {severity} — {}",
                    i.severity,
                    severity.meaning()
                ),
                format!("Running for: {}", duration(at - i.opened_at_ms)),
                format!("Changed by: {}", entry.actor),
            ];
            let notice = Notice {
                about: format!("severity {} → {severity}", i.severity),
                headline: format!(
                    "{drill}{severity} incident {incident} severity changed from {}: {}",
                    i.severity,
                    one_line(&i.title)
                ),
                ..about_incident(i, NoticeKind::Severity, *severity, ctx.drill, lines, at)
            };
            Some((notice, Vec::new()))
        }
        Record::MilestoneCrossed {
            milestone: Milestone::Escalation { who },
            ..
        } => {
            let i = ctx.incident?;
            let level = ctx.escalation.iter().find(|l| l.who == *who);
            let contacts = level.map(|l| l.contacts.clone()).unwrap_or_default();
            let mut lines = vec![format!(
                "Escalated to: {who}{}",
                if contacts.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", contacts.join(", "))
                }
            )];
            lines.extend(standing(i, at));
            if let Some(next) = next_level(ctx.escalation, who, i.severity) {
                lines.push(next);
            }
            let notice = Notice {
                about: who.clone(),
                headline: format!(
                    "{drill}{} incident {} escalated to {who}: {}",
                    i.severity,
                    i.id,
                    one_line(&i.title)
                ),
                contacts,
                ..about_incident(i, NoticeKind::Escalation, i.severity, ctx.drill, lines, at)
            };
            let extra = level.map(|l| l.notify.clone()).unwrap_or_default();
            Some((notice, extra))
        }
        Record::MilestoneCrossed {
            milestone: Milestone::Checkpoint { minutes },
            ..
        } => {
            let i = ctx.incident?;
            let mark = minutes_words(*minutes);
            let mut lines = standing(i, at);
            let not_up = impaired(ctx.hosts);
            lines.push(format!("Hosts not up: {}", listed(&not_up, "none")));
            if let Some(note) = i.notes.last() {
                lines.push(format!("Latest note ({}): {}", note.by, note.text));
            }
            let notice = Notice {
                about: format!("status at {mark}"),
                headline: format!(
                    "{drill}{} incident {} status at {mark}: {}",
                    i.severity,
                    i.id,
                    one_line(&i.title)
                ),
                ..about_incident(i, NoticeKind::Checkpoint, i.severity, ctx.drill, lines, at)
            };
            Some((notice, Vec::new()))
        }
        Record::NoteAdded {
            text,
            broadcast: true,
            ..
        } => {
            let i = ctx.incident?;
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            lines.push(format!(
                "— {}, {} into the incident",
                entry.actor,
                duration(at - i.opened_at_ms)
            ));
            let notice = Notice {
                about: "broadcast note".into(),
                headline: format!(
                    "{drill}{} incident {} update from {}: {}",
                    i.severity,
                    i.id,
                    entry.actor,
                    one_line(&i.title)
                ),
                ..about_incident(i, NoticeKind::Broadcast, i.severity, ctx.drill, lines, at)
            };
            Some((notice, Vec::new()))
        }
        Record::IncidentResolved { incident, summary } => {
            let i = ctx.incident?;
            let took = at - i.opened_at_ms;
            let mut lines = vec![
                format!("Summary: {summary}"),
                format!(
                    "Duration: {} (opened {}, resolved {})",
                    duration(took),
                    iso(i.opened_at_ms),
                    iso(at)
                ),
                target_line(
                    &format!("Resolution target ({})", i.severity),
                    ms(i.severity.targets().resolve),
                    took,
                ),
            ];
            if let Some(rto) = i.rto_minutes {
                lines.push(target_line("RTO", i64::from(rto) * 60_000, took));
            }
            lines.push(format!("Journal head at resolve: {}", entry.hash));
            lines.push(format!(
                "Report: cockpit report {} --incident {incident}",
                shell_word(ctx.journal)
            ));
            let notice = Notice {
                about: "incident resolved".into(),
                headline: format!(
                    "{drill}{} incident {incident} resolved after {}: {}",
                    i.severity,
                    duration(took),
                    one_line(&i.title)
                ),
                ..about_incident(i, NoticeKind::Resolved, i.severity, ctx.drill, lines, at)
            };
            Some((notice, Vec::new()))
        }
        _ => None,
    }
}

/// Text on one line with its runs of spaces made one: what a headline (an e-mail's subject, a
/// chat title) holds of a title typed or pasted with line breaks or control characters in it.
fn one_line(text: &str) -> String {
    crate::core::notify::one_line(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A notice about an open incident, its headline and `about` still to be set.
fn about_incident(
    i: &Incident,
    kind: NoticeKind,
    severity: Severity,
    drill: bool,
    lines: Vec<String>,
    at_ms: i64,
) -> Notice {
    Notice {
        kind,
        incident: Some(i.id.clone()),
        severity: Some(severity),
        title: i.title.clone(),
        about: String::new(),
        drill,
        headline: String::new(),
        lines,
        contacts: Vec::new(),
        at_ms,
    }
}

/// How the incident stands: how long it runs, its steps.
fn standing(i: &Incident, at_ms: i64) -> Vec<String> {
    let (done, total) = i.progress_counts();
    let mut lines = vec![
        format!("Running for: {}", duration(at_ms - i.opened_at_ms)),
        format!("Severity: {} — {}", i.severity, i.severity.meaning()),
    ];
    if total > 0 {
        let now = i
            .steps
            .iter()
            .find(|s| !i.status(&s.id).is_finished())
            .map(|s| format!("; next: {}", s.title))
            .unwrap_or_default();
        lines.push(format!(
            "Steps: {done}/{total} done{now} ({})",
            i.playbook_title
        ));
    }
    lines
}

/// The level after `who` on the path, when one is still ahead.
fn next_level(path: &[EscalationLevel], who: &str, severity: Severity) -> Option<String> {
    let position = path.iter().position(|l| l.who == who)?;
    path[position + 1..]
        .iter()
        .find(|l| !l.immediately_for.contains(&severity))
        .map(|l| {
            format!(
                "Next level: {} at {}",
                l.who,
                minutes_words(l.after_minutes)
            )
        })
}

/// `RTO 30 min: met` or `… missed by 12 min 03 s`.
fn target_line(name: &str, target_ms: i64, took_ms: i64) -> String {
    let target = if target_ms % 60_000 == 0 {
        u32::try_from(target_ms / 60_000).map_or_else(|_| duration(target_ms), minutes_words)
    } else {
        duration(target_ms)
    };
    if took_ms <= target_ms {
        format!("{name} {target}: met")
    } else {
        format!(
            "{name} {target}: missed by {}",
            duration(took_ms - target_ms)
        )
    }
}

/// Whole minutes as people say them: `5 min`, `1 h`, `1 h 30 min`, `24 h`.
fn minutes_words(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn within(d: std::time::Duration) -> String {
    if d.is_zero() {
        "immediately".into()
    } else {
        format!("within {}", duration(ms(d)))
    }
}

fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The hosts that are hurt, each with its state: `db-1 (down)`.
fn impaired(hosts: &BTreeMap<String, crate::core::health::HostState>) -> Vec<String> {
    hosts
        .iter()
        .filter(|(_, s)| s.is_impaired())
        .map(|(h, s)| format!("{h} ({s})"))
        .collect()
}

fn listed(items: &[String], none: &str) -> String {
    if items.is_empty() {
        none.to_string()
    } else {
        items.join(", ")
    }
}

/// The journal path as a shell word: quoted when it holds anything but plain characters.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%,=".contains(&b));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
#[path = "notice_routes_tests.rs"]
mod tests;
