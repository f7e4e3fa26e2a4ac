//! Phase times, report contents and statistics on hand-built journals.

use super::phases::phases;
use super::stats::{by_severity, dedupe, figures};
use super::{ReportError, build, to_html, to_markdown};
use crate::core::health::HostState;
use crate::core::journal::Milestone;
use crate::core::journal::{
    Assessed, ChainBreak, Entry, HashRule, Integrity, Record, StepSnapshot,
};
use crate::core::redact::Redactor;
use crate::core::severity::Severity;

const OP: &str = "op@bastion";

/// Seals records into a chain: (unix ms, actor, record).
fn journal(records: Vec<(i64, &str, Record)>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for (at, actor, r) in records {
        let prev = out.last().map(|e| (e.seq, e.hash.clone()));
        let e = Entry::seal(
            prev.as_ref().map(|(s, h)| (*s, h.as_str())),
            at,
            actor,
            &r,
            &Redactor::default(),
        );
        out.push(e.unwrap_or_else(|e| panic!("seal: {e}")));
    }
    out
}

fn intact(entries: Vec<Entry>) -> Assessed {
    let stored = entries.len();
    Assessed {
        entries,
        integrity: Integrity::Intact,
        stored,
        rule: HashRule::Full,
    }
}

fn step(id: &str, kind: &str) -> StepSnapshot {
    StepSnapshot {
        id: id.into(),
        title: format!("Title of {id}"),
        kind: kind.into(),
    }
}

fn opened(id: &str, severity: Severity, fleet: &[(&str, HostState)]) -> Record {
    Record::IncidentOpened {
        host: None,
        checkpoint_minutes: None,
        incident: id.into(),
        title: "主应用服务器宕机".into(),
        severity,
        playbook: "primary-app-down".into(),
        playbook_title: "Primary down".into(),
        rto_minutes: Some(30),
        steps: vec![
            step("notify", "manual"),
            step("restart", "command"),
            step("verify", "verify"),
            step("later", "manual"),
        ],
        fleet: fleet.iter().map(|(h, s)| (h.to_string(), *s)).collect(),
        unhealthy_since_ms: None,
    }
}

fn changed(incident: Option<&str>, host: &str, from: HostState, to: HostState) -> Record {
    Record::HostStateChanged {
        incident: incident.map(str::to_string),
        host: host.into(),
        from,
        to,
        cause: "tcp:80".into(),
    }
}

fn note(id: &str, text: &str) -> Record {
    Record::NoteAdded {
        broadcast: false,
        incident: id.into(),
        text: text.into(),
    }
}

fn run(id: &str, step: &str, ok: bool) -> [Record; 3] {
    [
        Record::StepStarted {
            incident: id.into(),
            step: step.into(),
            attempt: 1,
            targets: vec!["web-1".into()],
            command: Some("systemctl restart app".into()),
        },
        Record::StepOutput {
            incident: id.into(),
            step: step.into(),
            attempt: 1,
            target: "web-1".into(),
            exit: Some(if ok { 0 } else { 3 }),
            rows: None,
            ok,
            output: "ok".into(),
            reason: (!ok).then(|| "exit 3, expected 0".to_string()),
        },
        Record::StepFinished {
            incident: id.into(),
            step: step.into(),
            attempt: 1,
            ok,
            reason: (!ok).then(|| "web-1: exit 3, expected 0".to_string()),
        },
    ]
}

fn resolved(id: &str) -> Record {
    Record::IncidentResolved {
        incident: id.into(),
        summary: "back".into(),
    }
}

/// A host goes degraded then down before the opening, comes back during the incident; a
/// verify step passes later; then resolution.
fn recovered_by_health() -> Vec<Entry> {
    use HostState::*;
    let [s1, s2, s3] = run("I", "verify", true);
    journal(vec![
        (1_000, OP, changed(None, "web-1", Up, Degraded)),
        (5_000, OP, changed(None, "web-1", Degraded, Down)),
        (
            10_000,
            OP,
            opened("I", Severity::P1, &[("web-1", Down), ("web-2", Up)]),
        ),
        (
            11_000,
            OP,
            Record::MilestoneCrossed {
                incident: "I".into(),
                milestone: Milestone::Escalation { who: "lead".into() },
            },
        ),
        (12_000, "alice@b", note("I", "looking")),
        (20_000, OP, changed(Some("I"), "web-1", Down, Recovering)),
        (
            25_000,
            OP,
            changed(Some("I"), "web-1", Recovering, Recovered),
        ),
        (30_000, OP, s1),
        (31_000, OP, s2),
        (32_000, OP, s3),
        (40_000, "bob@b", resolved("I")),
    ])
}

#[test]
fn phases_come_from_the_evidence() {
    let p = phases(&recovered_by_health(), "I").unwrap_or_else(|| panic!("no phases"));
    let at = |m: &Option<super::phases::Moment>| m.as_ref().map(|m| (m.at_ms, m.basis.clone()));
    assert_eq!(at(&p.impact), Some((1_000, "web-1 turned degraded".into())));
    assert_eq!(p.detected.at_ms, 10_000);
    assert_eq!(
        at(&p.responded),
        Some((12_000, "alice@b wrote a note".into())),
        "the milestone is cockpit's, not an operator's"
    );
    assert_eq!(
        at(&p.mitigated),
        Some((25_000, "every affected host healthy again (web-1)".into())),
        "host health came back before the verify step passed"
    );
    assert_eq!(at(&p.resolved), Some((40_000, "resolved by bob@b".into())));
    assert_eq!(p.time_to_detect(), Some(9_000));
    assert_eq!(p.time_to_respond(), Some(2_000));
    assert_eq!(p.time_to_mitigate(), Some(15_000));
    assert_eq!(p.time_to_resolve(), Some(30_000));
    assert_eq!(p.impact_duration(), Some(24_000));
}

#[test]
fn a_verify_step_marks_mitigation_when_hosts_stay_down() {
    use HostState::*;
    let [a1, a2, a3] = run("I", "verify", true);
    let [b1, b2, b3] = run("I", "verify", true);
    let mut entries = journal(vec![
        (10_000, OP, opened("I", Severity::P0, &[("web-1", Down)])),
        (11_000, OP, a1),
        (12_000, OP, a2),
        (13_000, OP, a3),
        (14_000, OP, changed(Some("I"), "web-2", Up, Degraded)),
        (20_000, OP, b1),
        (21_000, OP, b2),
        (22_000, OP, b3),
        (30_000, OP, resolved("I")),
    ]);
    let p = phases(&entries, "I").unwrap_or_else(|| panic!("no phases"));
    assert_eq!(
        p.mitigated.clone().map(|m| (m.at_ms, m.basis)),
        Some((22_000, "verify step verify passed".into())),
        "the last verify run counts"
    );
    assert_eq!(p.impact, None, "no evidence before the opening");
    assert_eq!(p.time_to_detect(), None);

    // Without the verify step's success, mitigation is unknown.
    entries.truncate(2);
    let p = phases(&entries, "I").unwrap_or_else(|| panic!("no phases"));
    assert_eq!(p.time_to_resolve(), None);
    assert_eq!((p.mitigated, p.resolved), (None, None));
}

#[test]
fn impact_evidence_must_still_hold_at_opening() {
    use HostState::*;
    let with_recorded = |since: Option<i64>| {
        let mut open = opened("I", Severity::P1, &[("db-1", Down), ("web-1", Up)]);
        if let Record::IncidentOpened {
            unhealthy_since_ms, ..
        } = &mut open
        {
            *unhealthy_since_ms = since;
        }
        journal(vec![
            (
                1_000,
                OP,
                Record::FaultInjected {
                    host: "web-1".into(),
                    fault: "killed".into(),
                },
            ),
            (
                2_000,
                OP,
                Record::FaultCleared {
                    host: "web-1".into(),
                },
            ),
            (3_000, OP, changed(None, "web-1", Up, Down)),
            (4_000, OP, changed(None, "web-1", Down, Recovered)),
            (
                6_000,
                OP,
                Record::FaultInjected {
                    host: "db-1".into(),
                    fault: "killed".into(),
                },
            ),
            (10_000, OP, open),
        ])
    };
    let p = phases(&with_recorded(None), "I").and_then(|p| p.impact);
    assert_eq!(
        p.map(|m| (m.at_ms, m.basis, m.seq)),
        Some((6_000, "drill fault injected on db-1".into(), Some(5))),
        "a cleared fault and a host healthy again at opening are not this incident's impact"
    );
    let p = phases(&with_recorded(Some(5_500)), "I").and_then(|p| p.impact);
    assert_eq!(
        p.map(|m| (m.at_ms, m.seq)),
        Some((5_500, None)),
        "cockpit's own record of the first unhealthy probe is the earliest evidence"
    );
}

#[test]
fn old_journals_without_the_recorded_moment_still_read() {
    let body = r#"{"type":"incident_opened","incident":"I","title":"t","severity":"P2","playbook":"p","playbook_title":"P","rto_minutes":null,"steps":[]}"#;
    let parsed: Result<Record, _> = serde_json::from_str(body);
    assert!(
        matches!(
            parsed,
            Ok(Record::IncidentOpened {
                unhealthy_since_ms: None,
                ..
            })
        ),
        "{parsed:?}"
    );
    let written = serde_json::to_string(&opened("I", Severity::P2, &[])).unwrap_or_default();
    assert!(
        !written.contains("unhealthy_since_ms"),
        "None is not written: {written}"
    );
}

/// Two incidents; the second opens while a host the first saw go down is still down.
fn two_incidents() -> Vec<Entry> {
    use HostState::*;
    let [r1, r2, r3] = run("B", "restart", false);
    journal(vec![
        (10_000, OP, opened("A", Severity::P2, &[("web-1", Up)])),
        (12_000, OP, note("A", "first")),
        (15_000, OP, changed(Some("A"), "web-1", Up, Down)),
        (20_000, OP, resolved("A")),
        (30_000, OP, opened("B", Severity::P2, &[("web-1", Down)])),
        (
            31_000,
            OP,
            Record::SeverityChanged {
                incident: "B".into(),
                severity: Severity::P1,
            },
        ),
        (
            32_000,
            OP,
            Record::SeverityChanged {
                incident: "B".into(),
                severity: Severity::P0,
            },
        ),
        (33_000, OP, note("A", "late note on A")),
        (40_000, OP, r1),
        (41_000, OP, r2),
        (42_000, OP, r3),
    ])
}

#[test]
fn each_incident_has_its_own_phases() {
    let entries = two_incidents();
    let a = phases(&entries, "A").unwrap_or_else(|| panic!("A"));
    let b = phases(&entries, "B").unwrap_or_else(|| panic!("B"));
    assert_eq!(a.impact, None);
    assert_eq!(a.time_to_resolve(), Some(10_000));
    assert_eq!(a.responded.map(|m| m.at_ms), Some(12_000));
    assert_eq!(
        b.impact.map(|m| (m.at_ms, m.basis)),
        Some((15_000, "web-1 turned down".into())),
        "web-1 has been down since the first incident"
    );
    assert_eq!(
        b.responded.map(|m| m.at_ms),
        Some(31_000),
        "A's late note is not B's response"
    );
    assert_eq!((b.mitigated, b.resolved), (None, None));
    assert!(phases(&entries, "C").is_none());
}

#[test]
fn the_report_picks_the_last_incident_and_names_the_others() {
    let a = intact(two_incidents());
    let r = build(&a, "j.db", None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.incident.id, "B");
    assert_eq!(r.other_incidents, vec!["A".to_string()]);
    assert_eq!(r.initial_severity, Severity::P2);
    let changes: Vec<_> = r.severity_changes.iter().map(|c| (c.from, c.to)).collect();
    assert_eq!(
        changes,
        vec![(Severity::P2, Severity::P1), (Severity::P1, Severity::P0)]
    );
    let names: Vec<&str> = r.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "RTO (playbook)",
            "P2 resolution target (at opening)",
            "P0 resolution target (final severity)"
        ]
    );
    let md = to_markdown(&r);
    assert!(md.contains("P2 at opening (important: part of the system unavailable); P2 → P1 at +00:01 by op@bastion; P1 → P0 at +00:02 by op@bastion; final P0"), "{md}");
    assert!(
        md.contains(
            "**not resolved**: still open at the journal's last entry, 12.0 s after opening"
        ),
        "{md}"
    );
    assert!(md.contains("| RTO (playbook) | 30 min 00 s | open for 12.0 s | not resolved yet, 29 min 48 s left |"), "{md}");
    assert!(
        !md.contains("late note on A"),
        "A's entries stay out of B's report"
    );
    assert!(
        md.contains(
            "| **Mitigated (service restored)** | unknown | — | no evidence in the journal |"
        ),
        "{md}"
    );
    assert!(
        md.contains("- **Time to mitigate (opened → restored):** unknown"),
        "{md}"
    );

    let first = build(&a, "j.db", Some("A")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.incident.id, "A");
    assert_eq!(
        first.timeline.len(),
        5,
        "a note written after resolution still belongs to A"
    );
    assert_eq!(
        build(&a, "j.db", Some("Z")).err(),
        Some(ReportError::UnknownIncident {
            asked: "Z".into(),
            known: vec!["A".into(), "B".into()]
        })
    );
    assert_eq!(
        build(
            &intact(journal(vec![(1, OP, note("A", "x"))])),
            "j.db",
            None
        )
        .err(),
        Some(ReportError::NoIncident { entries: 1 })
    );
}

#[test]
fn open_steps_become_a_checklist_of_follow_ups() {
    let [r1, r2, r3] = run("I", "restart", false);
    let a = intact(journal(vec![
        (10_000, OP, opened("I", Severity::P1, &[])),
        (11_000, OP, r1),
        (12_000, OP, r2),
        (13_000, OP, r3),
        (
            14_000,
            OP,
            Record::StepStarted {
                incident: "I".into(),
                step: "verify".into(),
                attempt: 1,
                targets: vec![],
                command: None,
            },
        ),
        (
            15_000,
            OP,
            Record::SessionEnded {
                reason: "signal".into(),
            },
        ),
        (
            16_000,
            OP,
            Record::SessionStarted {
                version: "0.1.0".into(),
                mode: "live".into(),
                role: None,
            },
        ),
        (
            17_000,
            OP,
            Record::StepSkipped {
                incident: "I".into(),
                step: "later".into(),
                reason: "next week".into(),
            },
        ),
    ]));
    let r = build(&a, "j.db", None).unwrap_or_else(|e| panic!("{e}"));
    let md = to_markdown(&r);
    for expected in [
        "- [ ] Title of notify (`notify`) — not done\n",
        "- [ ] Title of restart (`restart`) — failed (attempt 1): web-1: exit 3, expected 0\n",
        "- [ ] Title of verify (`verify`) — interrupted (attempt 1): cockpit stopped during the run; check what it did\n",
        "- `later` (Title of later): next week — op@bastion, +00:07 (00:00:17)\n",
        "**web-1**: exit 3, failed, exit 3, expected 0 — `ok`",
        "→ **interrupted: cockpit stopped before it finished**",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in:\n{md}");
    }
    assert!(!md.contains("- [ ] Title of later"), "skipped is not open");
}

#[test]
fn journal_text_cannot_inject_markup() {
    let a = intact(journal(vec![
        (10_000, OP, opened("I", Severity::P1, &[])),
        (
            11_000,
            OP,
            note("I", "<script>alert(1)</script> ```\n# not a heading"),
        ),
    ]));
    let r = build(&a, "j.db", None).unwrap_or_else(|e| panic!("{e}"));
    let html = to_html(&r);
    assert!(!html.contains("<script"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    let md = to_markdown(&r);
    assert!(md.contains(r"\<script>alert(1)\</script> \`\`\`  "), "{md}");
    assert!(md.contains("  \\# not a heading"), "{md}");
}

#[test]
fn integrity_problems_are_stated_up_front() {
    let entries = journal(vec![
        (10_000, OP, opened("I", Severity::P1, &[])),
        (11_000, OP, note("I", "x")),
    ]);
    let torn = Assessed {
        entries: entries.clone(),
        integrity: Integrity::TornTail(ChainBreak::Incomplete {
            seq: 3,
            what: "its record text stops before its end",
        }),
        stored: 3,
        rule: HashRule::Full,
    };
    let md = to_markdown(&build(&torn, "j.db", None).unwrap_or_else(|e| panic!("{e}")));
    assert!(
        md.contains("\n> **Torn last entry.** The journal's last entry was cut short"),
        "{md}"
    );
    assert!(
        md.contains("entry #3: incomplete (its record text stops before its end)"),
        "{md}"
    );

    let broken = Assessed {
        entries,
        integrity: Integrity::Broken(ChainBreak::LinkMismatch { seq: 3 }),
        stored: 9,
        rule: HashRule::Full,
    };
    let r = build(&broken, "j.db", None).unwrap_or_else(|e| panic!("{e}"));
    let md = to_markdown(&r);
    let first_block = md.lines().nth(2).unwrap_or_default();
    assert!(
        first_block
            .starts_with("> **UNVERIFIED.** This journal's hash chain is broken at entry #3"),
        "{md}"
    );
    assert!(
        md.contains("7 of the 9 stored entries are left out"),
        "{md}"
    );
    let html = to_html(&r);
    assert!(
        html.contains("<div class=\"notice alarm\"><strong>UNVERIFIED.</strong>"),
        "{html}"
    );
}

#[test]
fn stats_group_by_the_severity_at_opening() {
    let mut all = figures(&recovered_by_health(), "one.db");
    all.extend(figures(&two_incidents(), "two.db"));
    all.extend(figures(&two_incidents(), "copy.db"));
    let (kept, dropped) = dedupe(all);
    assert_eq!(kept.len(), 3);
    assert_eq!(dropped.len(), 2, "the copy's incidents are counted once");
    assert_eq!(dropped[0].1, "two.db");
    let groups = by_severity(&kept);
    let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(
        labels,
        ["P1", "P2", "all"],
        "B counts as P2, its severity at opening"
    );
    let all = &groups[2];
    assert_eq!((all.count, all.unresolved), (3, 1));
    assert_eq!(all.resolve.known, 2);
    assert_eq!(all.resolve.mean_ms, Some(20_000.0), "(30 s + 10 s) / 2");
    assert_eq!(all.resolve.median_ms, Some(20_000.0));
    assert_eq!(all.detect.known, 2, "A has no impact evidence");
    assert_eq!(all.detect.mean_ms, Some(12_000.0), "(9 s + 15 s) / 2");
    assert_eq!(all.respond.median_ms, Some(2_000.0), "1 s, 2 s, 2 s");
    let p2 = &groups[1];
    assert_eq!(
        (p2.count, p2.unresolved, p2.resolve.median_ms),
        (2, 1, Some(10_000.0))
    );
}

#[test]
fn absurd_times_do_not_panic() {
    let [r1, r2, r3] = run("I", "verify", true);
    let a = intact(journal(vec![
        (
            i64::MIN,
            OP,
            Record::FaultInjected {
                host: "web-1".into(),
                fault: "x".into(),
            },
        ),
        (
            i64::MAX,
            OP,
            opened("I", Severity::P3, &[("web-1", HostState::Down)]),
        ),
        (i64::MIN, OP, r1),
        (0, OP, r2),
        (i64::MAX, OP, r3),
        (i64::MIN, OP, resolved("I")),
    ]));
    let r = build(&a, "j.db", None).unwrap_or_else(|e| panic!("{e}"));
    assert!(to_markdown(&r).contains("# Post-mortem"));
    assert!(to_html(&r).contains("<h1>Post-mortem"));
    let all = figures(&a.entries, "j.db");
    assert_eq!(all.len(), 1);
    assert!(super::stats::render_text(&[], &all, &[]).contains("Incidents"));
}

#[test]
fn pressure_changes_are_in_the_timeline_apart_from_state() {
    use crate::core::metrics::Level;
    let [s1, s2, s3] = run("I", "verify", true);
    let entries = journal(vec![
        (
            10_000,
            OP,
            opened("I", Severity::P0, &[("web-1", HostState::Down)]),
        ),
        (
            12_000,
            OP,
            Record::HostPressureChanged {
                incident: Some("I".into()),
                host: "web-2".into(),
                from: Level::Normal,
                to: Level::Critical,
                summary: "cpu 97% (critical) · load 3.10/2 · mem 41%".into(),
            },
        ),
        (30_000, OP, s1),
        (31_000, OP, s2),
        (32_000, OP, s3),
        (40_000, OP, resolved("I")),
    ]);
    let r = build(&intact(entries), "j.db", None).unwrap_or_else(|e| panic!("{e}"));
    let md = to_markdown(&r);
    assert!(
        md.contains("pressure normal → critical (cpu 97% (critical) · load 3.10/2 · mem 41%)"),
        "{md}"
    );
    assert!(to_html(&r).contains("pressure normal → critical"));
}

#[test]
fn off_script_commands_are_in_the_timeline_marked_so() {
    let entries = journal(vec![
        (
            10_000,
            OP,
            opened("I", Severity::P1, &[("web-1", HostState::Down)]),
        ),
        (
            20_000,
            OP,
            Record::AdhocStarted {
                incident: Some("I".into()),
                run: 1,
                target: "role web".into(),
                targets: vec!["web-1".into(), "web-2".into()],
                command: "systemctl status nginx".into(),
                parallel: true,
                confirmation: None,
            },
        ),
        (
            21_000,
            OP,
            Record::AdhocOutput {
                incident: Some("I".into()),
                run: 1,
                host: "web-1".into(),
                exit: Some(3),
                output: "inactive".into(),
                reason: None,
            },
        ),
        (
            22_000,
            OP,
            Record::AdhocRefused {
                incident: Some("I".into()),
                command: "sudo reboot".into(),
                targets: vec!["web-1".into()],
                reasons: vec!["contains `reboot`".into()],
                refusal: "cancelled by the operator".into(),
            },
        ),
        (40_000, OP, resolved("I")),
    ]);
    let r = build(&intact(entries), "j.db", None).unwrap_or_else(|e| panic!("{e}"));
    let md = to_markdown(&r);
    // One row per run, each host's end folded in; a host the journal has no end for says so.
    assert!(
        md.contains(
            "**off-script** command on role web (web-1, web-2): `systemctl status nginx` → **web-1 exit 3; web-2 no end in the journal**"
        ),
        "{md}"
    );
    assert!(!md.contains("ended: exit 3"), "{md}");
    assert!(
        md.contains("refused to run a dangerous **off-script** command `sudo reboot`"),
        "{md}"
    );
    assert!(
        md.contains(
            "dangerous **off-script** command `sudo reboot` on web-1 not run (guarded because: contains \\`reboot\\`): cancelled by the operator"
        ),
        "{md}"
    );
    assert!(to_html(&r).contains("off-script"));
}

fn shell_output(id: &str, session: u64, data: &str) -> Record {
    use crate::core::shell::{CastCode, CastEvent};
    Record::ShellOutput {
        incident: Some(id.into()),
        session,
        events: vec![CastEvent(0.5, CastCode::Output, data.into())],
    }
}

#[test]
fn each_shell_is_one_timeline_row_and_off_script_hosts_count_as_acted_on() {
    let shell = |session: u64, host: &str| Record::ShellStarted {
        incident: Some("I".into()),
        session,
        host: host.into(),
        term: "xterm-256color".into(),
        cols: 80,
        rows: 24,
    };
    let entries = journal(vec![
        (
            10_000,
            OP,
            opened("I", Severity::P1, &[("web-1", HostState::Down)]),
        ),
        (
            11_000,
            OP,
            Record::AdhocStarted {
                incident: Some("I".into()),
                run: 1,
                target: "host web-2".into(),
                targets: vec!["web-2".into()],
                command: "uptime".into(),
                parallel: true,
                confirmation: None,
            },
        ),
        (20_000, OP, shell(1, "db-9")),
        (21_000, OP, shell_output("I", 1, "shell-ok\r\n")),
        (22_000, OP, shell_output("I", 1, "主库 ok\r\n")),
        (
            200_000,
            OP,
            Record::ShellEnded {
                incident: Some("I".into()),
                session: 1,
                host: "db-9".into(),
                exit: Some(0),
                reason: None,
                duration_ms: 180_000,
                unrecorded_input: 14,
            },
        ),
        (210_000, "bob@bastion", shell(2, "web-1")),
        (211_000, "bob@bastion", shell_output("I", 2, "top\r\n")),
        (400_000, OP, resolved("I")),
    ]);
    let r = build(&intact(entries), "j.db", None).unwrap_or_else(|e| panic!("{e}"));
    let md = to_markdown(&r);
    assert!(
        md.contains(
            "**off-script** shell 1 on `db-9` → open 3 min 00 s, **exit 0**; 14 bytes typed while echo was off not recorded"
        ),
        "{md}"
    );
    assert!(
        md.contains("**off-script** shell 2 on `web-1` → **no end in the journal**"),
        "{md}"
    );
    // One row per shell: the output batches and the end are folded in, no row left empty.
    let timeline = md
        .split("## Timeline")
        .nth(1)
        .and_then(|t| t.split("\n## ").next())
        .unwrap_or_default();
    assert_eq!(timeline.matches("shell 1").count(), 1, "{timeline}");
    assert_eq!(timeline.matches("shell 2").count(), 1, "{timeline}");
    assert!(!timeline.contains("| |"), "an empty row: {timeline}");
    assert!(!timeline.contains("|  |\n"), "an empty row: {timeline}");
    // Hosts acted on off-script are acted on; a host with steps and a shell says both.
    let acted = md
        .lines()
        .find(|l| l.contains("Hosts acted on"))
        .unwrap_or_default();
    for host in [
        "db-9 (off-script)",
        "web-1 (off-script)",
        "web-2 (off-script)",
    ] {
        assert!(acted.contains(host), "{host} in {acted}");
    }
    assert!(md.contains("off-script: 1 shell"), "{md}");
    assert!(md.contains("off-script: 1 command"), "{md}");
    let html = to_html(&r);
    assert!(html.contains("shell 1 on"), "{html}");
    assert!(html.contains("14 bytes typed while echo was off not recorded"));
    // Opening a shell is an operator's act on the incident.
    assert_eq!(
        super::scope::operator_act(&Record::ShellStarted {
            incident: None,
            session: 1,
            host: "h".into(),
            term: "xterm".into(),
            cols: 1,
            rows: 1,
        }),
        Some("opened an off-script shell")
    );
}
