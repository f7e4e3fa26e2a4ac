use super::*;
use crate::core::health::HostState;
use crate::core::inventory::PasswordSource;
use crate::core::notify::DrillRoute;
use crate::core::redact::Redactor;
use crate::core::settings::default_escalation;

fn channel(name: &str, events: &[NoticeKind], drill: DrillRoute) -> Channel {
    Channel {
        name: name.into(),
        kind: ChannelKind::Feishu,
        url: PasswordSource::Env("U".into()),
        secret: PasswordSource::None,
        events: events.to_vec(),
        drill,
        mention: Vec::new(),
        email: None,
    }
}

fn entry(at_ms: i64, record: Record) -> Entry {
    Entry::seal(None, at_ms, "ann@bastion", &record, &Redactor::default()).expect("seal")
}

fn incident(title: &str) -> Incident {
    let opened = entry(
        0,
        Record::IncidentOpened {
            host: None,
            checkpoint_minutes: None,
            incident: "INC-7".into(),
            title: title.into(),
            severity: Severity::P1,
            playbook: "pb".into(),
            playbook_title: "Database down".into(),
            rto_minutes: None,
            steps: vec![crate::core::journal::StepSnapshot {
                id: "a".into(),
                title: "Check replication".into(),
                kind: "manual".into(),
            }],
            fleet: Default::default(),
            unhealthy_since_ms: None,
        },
    );
    let ws = crate::core::incident::Workspace::fold([&opened]);
    ws.incidents[0].clone()
}

fn context<'a>(
    channels: &'a [Channel],
    escalation: &'a [EscalationLevel],
    incident: Option<&'a Incident>,
    hosts: &'a BTreeMap<String, HostState>,
) -> RouteContext<'a> {
    RouteContext {
        channels,
        escalation,
        incident,
        drill: false,
        hosts,
        journal: "/var/lib/cockpit/my journal.db",
    }
}

#[test]
fn a_severity_change_names_both_levels_and_who_changed_it() {
    let i = incident("orders stuck");
    let channels = [channel("chat", &NoticeKind::ROUTED, DrillRoute::Never)];
    let hosts = BTreeMap::new();
    let path = default_escalation();
    let e = entry(
        90_000,
        Record::SeverityChanged {
            incident: "INC-7".into(),
            severity: Severity::P0,
        },
    );
    let routed = notices_for(&e, &context(&channels, &path, Some(&i), &hosts));
    assert_eq!(routed.len(), 1);
    let n = &routed[0].notice;
    assert_eq!(
        n.headline,
        "P0 incident INC-7 severity changed from P1: orders stuck"
    );
    assert_eq!(n.about, "severity P1 → P0");
    assert_eq!(n.lines[2], "Changed by: ann@bastion");
    // Setting the severity it already has tells nobody.
    let same = entry(
        90_000,
        Record::SeverityChanged {
            incident: "INC-7".into(),
            severity: Severity::P1,
        },
    );
    assert!(notices_for(&same, &context(&channels, &path, Some(&i), &hosts)).is_empty());
}

#[test]
fn a_checkpoint_says_how_it_stands_and_only_channels_routing_it_get_it() {
    let i = incident("orders stuck");
    let channels = [
        channel("chat", &[NoticeKind::Checkpoint], DrillRoute::Never),
        channel("quiet", &[NoticeKind::Opened], DrillRoute::Never),
        channel("drills", &NoticeKind::ROUTED, DrillRoute::Only),
    ];
    let hosts: BTreeMap<String, HostState> = [
        ("db-1".to_string(), HostState::Down),
        ("web-1".to_string(), HostState::Up),
        ("web-2".to_string(), HostState::Unknown),
    ]
    .into();
    let path = default_escalation();
    let e = entry(
        15 * 60_000 + 2_000,
        Record::MilestoneCrossed {
            incident: "INC-7".into(),
            milestone: Milestone::Checkpoint { minutes: 15 },
        },
    );
    let routed = notices_for(&e, &context(&channels, &path, Some(&i), &hosts));
    assert_eq!(routed.len(), 1, "{routed:?}");
    assert_eq!(routed[0].channel, "chat");
    assert_eq!(routed[0].id, format!("{}-chat", &e.hash[..12]));
    let n = &routed[0].notice;
    assert_eq!(
        n.headline,
        "P1 incident INC-7 status at 15 min: orders stuck"
    );
    assert_eq!(
        n.lines,
        [
            "Running for: 15 min 02 s",
            "Severity: P1 — severe: core function unavailable",
            "Steps: 0/1 done; next: Check replication (Database down)",
            "Hosts not up: db-1 (down)",
        ]
    );
}

#[test]
fn hostile_titles_stay_on_one_line_and_odd_journal_paths_are_quoted() {
    let i = incident("db down\r\nBcc: everyone@example.com\u{1b}[2J 数据库宕机");
    let channels = [channel("chat", &NoticeKind::ROUTED, DrillRoute::Never)];
    let hosts = BTreeMap::new();
    let path = default_escalation();
    let e = entry(
        60_000,
        Record::IncidentResolved {
            incident: "INC-7".into(),
            summary: "failed over".into(),
        },
    );
    let routed = notices_for(&e, &context(&channels, &path, Some(&i), &hosts));
    let n = &routed[0].notice;
    assert_eq!(
        n.headline,
        "P1 incident INC-7 resolved after 1 min 00 s: db down Bcc: everyone@example.com [2J 数据库宕机"
    );
    assert!(!n.headline.chars().any(char::is_control));
    assert!(n.lines.contains(
        &"Report: cockpit report '/var/lib/cockpit/my journal.db' --incident INC-7".to_string()
    ));
    assert_eq!(shell_word("it's.db"), r"'it'\''s.db'");
    assert_eq!(shell_word("/a/b.db"), "/a/b.db");
}

#[test]
fn entries_that_tell_nobody_and_incidents_unknown_send_nothing() {
    let channels = [channel("chat", &NoticeKind::ROUTED, DrillRoute::Also)];
    let hosts = BTreeMap::new();
    let path = default_escalation();
    let plain_note = entry(
        1,
        Record::NoteAdded {
            incident: "INC-7".into(),
            text: "just for me".into(),
            broadcast: false,
        },
    );
    let i = incident("t");
    assert!(notices_for(&plain_note, &context(&channels, &path, Some(&i), &hosts)).is_empty());
    let unknown = entry(
        1,
        Record::MilestoneCrossed {
            incident: "INC-404".into(),
            milestone: Milestone::Escalation { who: "CTO".into() },
        },
    );
    assert!(notices_for(&unknown, &context(&channels, &path, None, &hosts)).is_empty());
    let target = entry(
        1,
        Record::MilestoneCrossed {
            incident: "INC-7".into(),
            milestone: Milestone::Rto { minutes: 30 },
        },
    );
    assert!(notices_for(&target, &context(&channels, &path, Some(&i), &hosts)).is_empty());
}

#[test]
fn minutes_read_as_people_say_them() {
    let words: Vec<String> = [5, 60, 90, 1440].into_iter().map(minutes_words).collect();
    assert_eq!(words, ["5 min", "1 h", "1 h 30 min", "24 h"]);
    assert_eq!(
        target_line("RTO", 30 * 60_000, 42 * 60_000),
        "RTO 30 min: missed by 12 min 00 s"
    );
    assert_eq!(
        target_line("RTO", 30 * 60_000, 30 * 60_000),
        "RTO 30 min: met"
    );
}
