//! Figures across incidents (seed 004's recovery metrics): how many, how fast detected,
//! responded to, mitigated and resolved, by the severity declared at opening. The phase
//! definitions are [`phases`](crate::core::report::phases)'s, the same as the report's.

use crate::core::journal::{Entry, Record};
use crate::core::report::format;
use crate::core::report::phases::{Phases, all_phases};
use crate::core::severity::Severity;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// One incident's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFigures {
    /// The journal it came from (as named to the user).
    pub journal: String,
    /// Incident id.
    pub id: String,
    /// Severity at opening (what the statistics group by).
    pub initial: Severity,
    /// Severity at the end.
    pub last: Severity,
    /// Phase times.
    pub phases: Phases,
}

/// Every incident of a journal's entries, with its figures.
pub fn figures(entries: &[Entry], journal: &str) -> Vec<IncidentFigures> {
    let mut last: HashMap<&str, Severity> = HashMap::new();
    for e in entries {
        if let Record::SeverityChanged { incident, severity } = &e.record {
            last.insert(incident, *severity);
        }
    }
    all_phases(entries)
        .into_iter()
        .filter_map(|(open, phases)| {
            let Record::IncidentOpened {
                incident, severity, ..
            } = &entries[open].record
            else {
                return None;
            };
            Some(IncidentFigures {
                journal: journal.to_string(),
                id: incident.clone(),
                initial: *severity,
                last: last.get(incident.as_str()).copied().unwrap_or(*severity),
                phases,
            })
        })
        .collect()
}

/// Drops incidents already counted (the same id opened at the same moment, e.g. from a copy of
/// a journal); returns the kept ones and, for each dropped one, where it was counted first.
pub fn dedupe(all: Vec<IncidentFigures>) -> (Vec<IncidentFigures>, Vec<(IncidentFigures, String)>) {
    let mut seen: BTreeMap<(String, i64), String> = BTreeMap::new();
    let (mut kept, mut dropped) = (Vec::new(), Vec::new());
    for f in all {
        let key = (f.id.clone(), f.phases.detected.at_ms);
        match seen.get(&key) {
            Some(first) => {
                let first = first.clone();
                dropped.push((f, first));
            }
            None => {
                seen.insert(key, f.journal.clone());
                kept.push(f);
            }
        }
    }
    (kept, dropped)
}

/// The figures of one group of incidents.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFigures {
    /// `P0`…`P3`, or `all`.
    pub label: String,
    /// Incidents.
    pub count: usize,
    /// Not resolved.
    pub unresolved: usize,
    /// Opening → resolution (resolved incidents only).
    pub resolve: Summary,
    /// Impact start → opening (where the impact start is known).
    pub detect: Summary,
    /// Opening → first operator act.
    pub respond: Summary,
    /// Opening → service restored.
    pub mitigate: Summary,
}

/// Mean and median of the durations known, and how many were.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Incidents with a known value.
    pub known: usize,
    /// Mean (ms).
    pub mean_ms: Option<f64>,
    /// Median (ms).
    pub median_ms: Option<f64>,
}

impl Summary {
    fn of(values: impl Iterator<Item = Option<i64>>) -> Self {
        let mut v: Vec<i64> = values.flatten().collect();
        v.sort_unstable();
        let n = v.len();
        let mean_ms = (n > 0).then(|| v.iter().map(|&x| x as f64).sum::<f64>() / n as f64);
        let median_ms = (n > 0).then(|| {
            if n % 2 == 1 {
                v[n / 2] as f64
            } else {
                (v[n / 2 - 1] as f64 + v[n / 2] as f64) / 2.0
            }
        });
        Self {
            known: n,
            mean_ms,
            median_ms,
        }
    }
}

/// Figures per severity at opening (those that occur), then `all`.
pub fn by_severity(incidents: &[IncidentFigures]) -> Vec<GroupFigures> {
    let mut out: Vec<GroupFigures> = Severity::ALL
        .iter()
        .filter_map(|s| {
            let group: Vec<&IncidentFigures> =
                incidents.iter().filter(|f| f.initial == *s).collect();
            (!group.is_empty()).then(|| group_figures(s.to_string(), &group))
        })
        .collect();
    let all: Vec<&IncidentFigures> = incidents.iter().collect();
    out.push(group_figures("all".to_string(), &all));
    out
}

fn group_figures(label: String, group: &[&IncidentFigures]) -> GroupFigures {
    let of = |f: fn(&Phases) -> Option<i64>| Summary::of(group.iter().map(|g| f(&g.phases)));
    GroupFigures {
        label,
        count: group.len(),
        unresolved: group.iter().filter(|g| g.phases.resolved.is_none()).count(),
        resolve: of(Phases::time_to_resolve),
        detect: of(Phases::time_to_detect),
        respond: of(Phases::time_to_respond),
        mitigate: of(Phases::time_to_mitigate),
    }
}

/// How one journal given to `cockpit stats` went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalOutcome {
    /// The journal as named by the user.
    pub name: String,
    /// Read: the verdict (`verified`, …) and its incidents; else why it was not used.
    pub result: Result<(String, usize), String>,
}

/// The statistics as plain-text tables.
pub fn render_text(
    journals: &[JournalOutcome],
    incidents: &[IncidentFigures],
    duplicates: &[(IncidentFigures, String)],
) -> String {
    let mut out = String::new();
    let rows: Vec<Vec<String>> = journals
        .iter()
        .map(|j| match &j.result {
            Ok((verdict, n)) => vec![
                j.name.clone(),
                format!("{n} {}", if *n == 1 { "incident" } else { "incidents" }),
                verdict.clone(),
            ],
            Err(e) => vec![j.name.clone(), "not used".to_string(), e.clone()],
        })
        .collect();
    out.push_str("Journals\n");
    out.push_str(&table(&["Journal", "Incidents", "State"], &rows));
    for (f, first) in duplicates {
        let _ = writeln!(
            out,
            "(incident {} of {} already counted from {first}; counted once)",
            f.id, f.journal
        );
    }
    if incidents.is_empty() {
        out.push_str("\nNo incidents.\n");
        return out;
    }
    let d = |v: Option<i64>| v.map_or("unknown".to_string(), format::duration);
    let rows: Vec<Vec<String>> = incidents
        .iter()
        .map(|f| {
            let p = &f.phases;
            vec![
                f.id.clone(),
                f.journal.clone(),
                if f.initial == f.last {
                    f.initial.to_string()
                } else {
                    format!("{} → {}", f.initial, f.last)
                },
                format::iso(p.detected.at_ms),
                d(p.time_to_detect()),
                d(p.time_to_respond()),
                d(p.time_to_mitigate()),
                p.time_to_resolve()
                    .map_or("unresolved".to_string(), format::duration),
            ]
        })
        .collect();
    out.push_str("\nIncidents\n");
    out.push_str(&table(
        &[
            "Incident",
            "Journal",
            "Severity",
            "Opened (UTC)",
            "Detect",
            "Respond",
            "Mitigate",
            "Resolve",
        ],
        &rows,
    ));
    let rows: Vec<Vec<String>> = by_severity(incidents)
        .iter()
        .map(|g| {
            let (count, resolved) = (g.count, g.count - g.unresolved);
            vec![
                g.label.clone(),
                count.to_string(),
                g.unresolved.to_string(),
                mean_of(&g.resolve, resolved),
                g.resolve
                    .median_ms
                    .map_or("—".to_string(), |m| format::duration(m as i64)),
                mean_of(&g.detect, count),
                mean_of(&g.respond, count),
                mean_of(&g.mitigate, count),
            ]
        })
        .collect();
    out.push_str("\nBy severity at opening (means; (k/n) where only k of n incidents are known)\n");
    out.push_str(&table(
        &[
            "Severity",
            "Incidents",
            "Unresolved",
            "MTTR",
            "MTTR median",
            "MTTD",
            "Respond",
            "Mitigate",
        ],
        &rows,
    ));
    out.push_str(
        "\nMTTR: opening → resolution; MTTD: impact start → opening; Respond: opening → first \
         operator act; Mitigate: opening → service restored (see README, \"Phases\").\n",
    );
    out
}

fn mean_of(s: &Summary, of: usize) -> String {
    match s.mean_ms {
        None => "—".to_string(),
        Some(m) if s.known < of => format!("{} ({}/{of})", format::duration(m as i64), s.known),
        Some(m) => format::duration(m as i64),
    }
}

/// Left-aligned columns, two spaces apart.
fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let mut widths: Vec<usize> = head.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::from("  ");
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            s.push_str(cell);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w - width(cell) + 2));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(head.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// The statistics as JSON: journals, incidents and groups, durations in milliseconds.
pub fn render_json(
    journals: &[JournalOutcome],
    incidents: &[IncidentFigures],
    duplicates: &[(IncidentFigures, String)],
) -> String {
    let summary =
        |s: &Summary| json!({"known": s.known, "mean_ms": s.mean_ms, "median_ms": s.median_ms});
    let value = json!({
        "journals": journals.iter().map(|j| match &j.result {
            Ok((verdict, n)) => json!({"journal": j.name, "state": verdict, "incidents": n}),
            Err(e) => json!({"journal": j.name, "error": e}),
        }).collect::<Vec<Value>>(),
        "duplicates": duplicates.iter().map(|(f, first)| json!({
            "incident": f.id, "journal": f.journal, "counted_from": first,
        })).collect::<Vec<Value>>(),
        "incidents": incidents.iter().map(|f| {
            let p = &f.phases;
            json!({
                "incident": f.id,
                "journal": f.journal,
                "severity_at_opening": f.initial.to_string(),
                "severity_final": f.last.to_string(),
                "opened_at": format::iso(p.detected.at_ms),
                "opened_at_ms": p.detected.at_ms,
                "resolved": p.resolved.is_some(),
                "time_to_detect_ms": p.time_to_detect(),
                "time_to_respond_ms": p.time_to_respond(),
                "time_to_mitigate_ms": p.time_to_mitigate(),
                "time_to_resolve_ms": p.time_to_resolve(),
            })
        }).collect::<Vec<Value>>(),
        "by_severity_at_opening": by_severity(incidents).iter().map(|g| json!({
            "severity": g.label,
            "incidents": g.count,
            "unresolved": g.unresolved,
            "time_to_resolve": summary(&g.resolve),
            "time_to_detect": summary(&g.detect),
            "time_to_respond": summary(&g.respond),
            "time_to_mitigate": summary(&g.mitigate),
        })).collect::<Vec<Value>>(),
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}
