//! The report of an incident whose people were told: the timeline's words, the retries kept
//! out of it, and the Notifications section.

use crate::core::health::HostState;
use crate::core::journal::{Assessed, Entry, HashRule, Integrity, Record};
use crate::core::notify::{AttemptOutcome, ChannelKind, Notice, NoticeKind};
use crate::core::redact::Redactor;
use crate::core::report::model::NotificationEnd;
use crate::core::report::{build, to_html, to_markdown};
use crate::core::severity::Severity;

const OP: &str = "op@bastion";

fn sealed(records: Vec<(i64, Record)>) -> Assessed {
    let mut entries: Vec<Entry> = Vec::new();
    for (at, r) in records {
        let prev = entries.last().map(|e| (e.seq, e.hash.clone()));
        let e = Entry::seal(
            prev.as_ref().map(|(s, h)| (*s, h.as_str())),
            at,
            OP,
            &r,
            &Redactor::default(),
        );
        entries.push(e.unwrap_or_else(|e| panic!("seal: {e}")));
    }
    let stored = entries.len();
    Assessed {
        entries,
        integrity: Integrity::Intact,
        stored,
        rule: HashRule::Full,
    }
}

fn queued(id: &str, channel: &str, via: ChannelKind, kind: NoticeKind, about: &str) -> Record {
    Record::NotificationQueued {
        incident: Some("I".into()),
        id: id.into(),
        channel: channel.into(),
        via,
        notice: Notice {
            kind,
            incident: Some("I".into()),
            severity: Some(Severity::P0),
            title: "API down".into(),
            about: about.into(),
            drill: false,
            headline: format!("P0 I {about}: API down"),
            lines: vec!["Running for: 15 min".into()],
            contacts: vec!["ops-oncall@healthbutler.com".into()],
            at_ms: 0,
        },
    }
}

fn attempt(
    id: &str,
    channel: &str,
    via: ChannelKind,
    about: &str,
    n: u32,
    outcome: AttemptOutcome,
) -> Record {
    Record::NotificationAttempt {
        incident: Some("I".into()),
        id: id.into(),
        channel: channel.into(),
        via,
        about: about.into(),
        attempt: n,
        outcome,
    }
}

fn delivered() -> AttemptOutcome {
    AttemptOutcome::Delivered {
        answer: "HTTP 200 {\"errcode\":0,\"errmsg\":\"ok\"}".into(),
    }
}

fn failed(error: &str) -> AttemptOutcome {
    AttemptOutcome::Failed {
        error: error.into(),
        retry_in_s: 5,
    }
}

/// A P0 whose opening reached DingTalk at once, whose team lead was told on the third try,
/// whose checkpoint mail was given up, whose broadcast note is still waiting.
fn told() -> Assessed {
    use ChannelKind::{DingTalk, Email};
    use NoticeKind::*;
    let d = "oncall-dingtalk";
    sealed(vec![
        (
            0,
            Record::IncidentOpened {
                host: None,
                checkpoint_minutes: None,
                incident: "I".into(),
                title: "API down".into(),
                severity: crate::core::severity::Severity::P0,
                playbook: "p".into(),
                playbook_title: "P".into(),
                rto_minutes: None,
                steps: Vec::new(),
                fleet: [("web-1".to_string(), HostState::Down)].into(),
                unhealthy_since_ms: None,
            },
        ),
        (100, queued("n1", d, DingTalk, Opened, "incident opened")),
        (
            1_100,
            attempt("n1", d, DingTalk, "incident opened", 1, delivered()),
        ),
        (900_000, queued("n2", d, DingTalk, Escalation, "team lead")),
        (
            900_500,
            attempt("n2", d, DingTalk, "team lead", 1, failed("HTTP 500 first")),
        ),
        (
            906_000,
            attempt("n2", d, DingTalk, "team lead", 2, failed("HTTP 500 second")),
        ),
        (
            922_000,
            attempt("n2", d, DingTalk, "team lead", 3, delivered()),
        ),
        (
            900_000,
            queued("n3", "ops-mail", Email, Checkpoint, "status at 15 min"),
        ),
        (
            930_000,
            attempt(
                "n3",
                "ops-mail",
                Email,
                "status at 15 min",
                10,
                AttemptOutcome::GaveUp {
                    error: "the server refused STARTTLS (gave up after 10 attempts)".into(),
                },
            ),
        ),
        (
            940_000,
            Record::NoteAdded {
                incident: "I".into(),
                text: "DNS switched to the backup; 用户可以登录".into(),
                broadcast: true,
            },
        ),
        (
            940_100,
            queued("n4", d, DingTalk, Broadcast, "broadcast note"),
        ),
        (
            941_000,
            attempt(
                "n4",
                d,
                DingTalk,
                "broadcast note",
                1,
                failed("timed out after 10 s"),
            ),
        ),
    ])
}

#[test]
fn each_notice_ends_delivered_given_up_or_pending() {
    let r = build(&told(), "j.db", None).unwrap_or_else(|e| panic!("{e}"));
    let ends: Vec<(&str, u32, &NotificationEnd)> = r
        .notifications
        .iter()
        .map(|n| (n.id.as_str(), n.attempts, &n.end))
        .collect();
    assert_eq!(
        ends,
        [
            ("n1", 1, &NotificationEnd::Delivered { at_ms: 1_100 }),
            ("n2", 3, &NotificationEnd::Delivered { at_ms: 922_000 }),
            (
                "n3",
                10,
                &NotificationEnd::GaveUp {
                    at_ms: 930_000,
                    error: "the server refused STARTTLS (gave up after 10 attempts)".into()
                }
            ),
            ("n4", 1, &NotificationEnd::Pending),
        ]
    );
    assert_eq!(
        r.notifications[3].last_error.as_deref(),
        Some("timed out after 10 s")
    );
}

#[test]
fn the_timeline_says_who_was_told_via_what_and_when() {
    let md = to_markdown(&build(&told(), "j.db", None).unwrap_or_else(|e| panic!("{e}")));
    for row in [
        "| +00:01 | 00:00:01 | op@bastion | incident opened: sent via DingTalk (oncall-dingtalk) |",
        "| +15:00 | 00:15:00 | op@bastion | **team lead: DingTalk (oncall-dingtalk) failed: HTTP 500 first; retrying** |",
        "| +15:22 | 00:15:22 | op@bastion | team lead notified via DingTalk (oncall-dingtalk) |",
        "| +15:30 | 00:15:30 | op@bastion | **status at 15 min: e-mail (ops-mail) given up: the server refused STARTTLS (gave up after 10 attempts)** |",
        "| +15:40 | 00:15:40 | op@bastion | **broadcast note:** DNS switched to the backup; 用户可以登录 |",
    ] {
        assert!(md.contains(row), "missing {row}\n{md}");
    }
    // The Notes list says which note went out to the channels.
    assert!(
        md.contains(
            "**+15:40 (00:15:40) op@bastion (broadcast):** DNS switched to the backup; 用户可以登录"
        ),
        "{md}"
    );
    // A retry after the first failure and the queuing itself are not rows of their own.
    assert!(!md.contains("HTTP 500 second"), "{md}");
    assert!(!md.contains("queued"), "{md}");
}

#[test]
fn the_notifications_section_lists_every_notice_and_how_it_ended() {
    let r = build(&told(), "j.db", None).unwrap_or_else(|e| panic!("{e}"));
    let md = to_markdown(&r);
    assert!(md.contains("## Notifications"), "{md}");
    assert!(md.contains("2 of 4 delivered"), "{md}");
    for row in [
        "| +00:00 | **incident opened**: P0 I incident opened: API down | DingTalk (oncall-dingtalk) | 1 | delivered at +00:01 |",
        "| +15:00 | **team lead**: P0 I team lead: API down | DingTalk (oncall-dingtalk) | 3 | delivered at +15:22 |",
        "| +15:00 | **status at 15 min**: P0 I status at 15 min: API down | e-mail (ops-mail) | 10 | **given up at +15:30: the server refused STARTTLS (gave up after 10 attempts)** |",
        "| +15:40 | **broadcast note**: P0 I broadcast note: API down | DingTalk (oncall-dingtalk) | 1 | **still pending; last error: timed out after 10 s** |",
    ] {
        assert!(md.contains(row), "missing {row}\n{md}");
    }
    let html = to_html(&r);
    assert!(html.contains("Notifications"), "{html}");
    assert!(html.contains("team lead notified via DingTalk (oncall-dingtalk)"));
}

#[test]
fn an_incident_nobody_was_told_about_has_no_notifications_section() {
    let mut quiet = told();
    quiet.entries.truncate(1);
    quiet.stored = 1;
    let md = to_markdown(&build(&quiet, "j.db", None).unwrap_or_else(|e| panic!("{e}")));
    assert!(!md.contains("Notifications"), "{md}");
}

#[test]
fn attempts_whose_notice_is_not_in_the_journal_still_count() {
    let mut entries = told();
    entries
        .entries
        .retain(|e| !matches!(&e.record, Record::NotificationQueued { id, .. } if id == "n2"));
    let journal = sealed(
        entries
            .entries
            .iter()
            .map(|e| (e.at_ms, e.record.clone()))
            .collect(),
    );
    let r = build(&journal, "j.db", None).unwrap_or_else(|e| panic!("{e}"));
    let lead = r
        .notifications
        .iter()
        .find(|n| n.id == "n2")
        .unwrap_or_else(|| panic!("n2 missing"));
    assert_eq!(
        (lead.queued_at_ms, lead.kind, lead.attempts),
        (None, None, 3)
    );
    let md = to_markdown(&r);
    assert!(
        md.contains("| — | **team lead** | DingTalk (oncall-dingtalk) | 3 | delivered at +15:22 |"),
        "{md}"
    );
    // Without the notice, what it told is unknown: the plain words.
    assert!(
        md.contains("team lead: sent via DingTalk (oncall-dingtalk)"),
        "{md}"
    );
}
