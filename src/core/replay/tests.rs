use super::*;
use crate::core::health::HostState;
use crate::core::journal::{Entry, Record};
use crate::core::redact::Redactor;
use crate::core::severity::Severity;
use std::collections::BTreeMap;

fn seal_all(records: Vec<(i64, Record)>) -> Vec<Entry> {
    let redactor = Redactor::default();
    let mut out: Vec<Entry> = Vec::new();
    for (at_ms, record) in records {
        let prev = out.last().map(|e| (e.seq, e.hash.as_str()));
        let entry = Entry::seal(prev, at_ms, "alice@bastion", &record, &redactor)
            .expect("seal a test record");
        out.push(entry);
    }
    out
}

fn opened(at: i64) -> (i64, Record) {
    (
        at,
        Record::IncidentOpened {
            host: None,
            checkpoint_minutes: None,
            incident: "INC-1".into(),
            title: "主库宕机".into(),
            severity: Severity::P0,
            playbook: "primary-app-down".into(),
            playbook_title: "Primary down".into(),
            rto_minutes: Some(30),
            steps: Vec::new(),
            fleet: BTreeMap::from([("db-1".to_string(), HostState::Down)]),
            unhealthy_since_ms: None,
        },
    )
}

fn sql(at: i64, committed: bool) -> Vec<(i64, Record)> {
    vec![
        (
            at,
            Record::SqlStatementStarted {
                incident: Some("INC-1".into()),
                database: "speed".into(),
                run: 1,
                statement: "update t_app_dns set status=2 where ip=?".into(),
                params: vec!["198.51.100.86".into()],
                transaction: true,
                step: None,
                confirmation: None,
            },
        ),
        (
            at + 10,
            Record::SqlStatementEnded {
                incident: Some("INC-1".into()),
                database: "speed".into(),
                run: 1,
                duration_ms: 3,
                rows_affected: 2,
                rows_returned: 0,
                transaction_open: true,
                error: None,
            },
        ),
        (
            at + 20,
            Record::SqlTransactionEnding {
                incident: Some("INC-1".into()),
                database: "speed".into(),
                commit: committed,
                reason: "operator".into(),
                rows_affected: 2,
            },
        ),
        (
            at + 30,
            Record::SqlTransactionEnded {
                incident: Some("INC-1".into()),
                database: "speed".into(),
                committed,
                error: None,
            },
        ),
    ]
}

fn note(at: i64, text: &str) -> (i64, Record) {
    (
        at,
        Record::NoteAdded {
            broadcast: false,
            incident: "INC-1".into(),
            text: text.into(),
        },
    )
}

fn drill() -> Timeline {
    let mut records = vec![opened(1_000)];
    records.extend(sql(2_000, false));
    records.push(note(60_000, "waiting for the DBA"));
    records.extend(sql(61_000, true));
    records.push((
        62_000,
        Record::HostStateChanged {
            incident: Some("INC-1".into()),
            host: "db-1".into(),
            from: HostState::Down,
            to: HostState::Up,
            cause: "checks pass".into(),
        },
    ));
    Timeline::new(seal_all(records))
}

#[test]
fn markers_name_opening_commits_rollbacks_and_flips() {
    let t = drill();
    let kinds: Vec<MarkerKind> = t.markers().iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        vec![
            MarkerKind::Opened,
            MarkerKind::Rollback,
            MarkerKind::Commit,
            MarkerKind::HostUp
        ]
    );
    assert_eq!(t.marker_after(0, true), Some(1));
    assert_eq!(t.marker_after(1, true), Some(5));
    assert_eq!(t.marker_after(5, false), Some(1));
    assert_eq!(t.hosts(), ["db-1".to_string()]);
    assert_eq!(t.databases(), ["speed".to_string()]);
}

#[test]
fn the_moment_shows_the_console_and_hosts_of_that_time() {
    let t = drill();
    let open = t.moment(None, 3);
    let speed = &open.sql["speed"];
    assert!(matches!(
        speed.transaction,
        TransactionState::Open {
            rows_affected: 2,
            ..
        }
    ));
    assert_eq!(
        speed.activity,
        Some(SqlActivity::Ran {
            duration_ms: 3,
            rows_affected: 2,
            rows_returned: 0
        })
    );
    assert_eq!(open.workspace.host_states["db-1"], HostState::Down);
    let rolled_back = t.moment(Some(open), 5);
    assert!(matches!(
        rolled_back.sql["speed"].transaction,
        TransactionState::Ended {
            committed: false,
            ..
        }
    ));
    let end = t.moment(None, t.len());
    assert!(matches!(
        end.sql["speed"].transaction,
        TransactionState::Ended {
            committed: true,
            ..
        }
    ));
    assert_eq!(end.workspace.host_states["db-1"], HostState::Up);
    assert_eq!(end.host_since["db-1"], 62_000);
}

#[test]
fn moments_reached_any_way_are_the_same() {
    let mut records = vec![opened(0)];
    for i in 0..5_000 {
        if i % 700 == 0 {
            records.extend(sql(i * 10 + 1, i % 1400 == 0));
        } else {
            records.push(note(i * 10 + 1, &format!("note {i}")));
        }
    }
    let t = Timeline::new(seal_all(records));
    let mut previous: Option<Moment> = None;
    for position in [0, 1, 4_000, 2_049, 2_048, 5_020, 3, t.len(), 100] {
        let fresh = Moment::default();
        let mut expected = fresh;
        for e in &t.entries()[..position.min(t.len())] {
            expected.apply(e);
        }
        let got = t.moment(previous.take(), position);
        assert_eq!(got, expected, "position {position}");
        previous = Some(got);
    }
}

#[test]
fn times_never_go_back_even_when_the_clock_did() {
    let t = Timeline::new(seal_all(vec![
        note(5_000, "a"),
        note(4_000, "clock stepped back"),
        note(6_000, "c"),
    ]));
    assert_eq!(t.time_at(0), 5_000);
    assert_eq!(t.time_at(2), 5_000);
    assert_eq!(t.position_at(4_999), 0);
    assert_eq!(t.position_at(5_000), 2);
    assert_eq!(t.position_at(6_000), 3);
}

#[test]
fn search_finds_commits_hosts_and_commands_both_ways() {
    let t = drill();
    // The commit asked (9), then done (10).
    assert_eq!(t.search(0, "COMMIT", true), Some(9));
    assert_eq!(t.search(9, "COMMIT", true), Some(10));
    assert_eq!(t.search(0, "rollback", true), Some(4));
    assert_eq!(t.search(0, "198.51.100.86", true), Some(2));
    assert_eq!(t.search(2, "198.51.100.86", true), Some(7));
    assert_eq!(t.search(7, "198.51.100.86", false), Some(2));
    assert_eq!(t.search(0, "db-1", true), Some(1));
    assert_eq!(t.search(0, "DBA", true), Some(6));
    assert_eq!(t.search(0, "nothing like this", true), None);
    assert_eq!(t.search(0, "  ", true), None);
}

#[test]
fn playback_follows_real_time_at_its_speed_and_skips_idle_time() {
    let t = drill();
    let mut p = Playback::new(t.time_at(1));
    assert_eq!(p.advance(&t, 1, 10_000), 1, "paused: nothing moves");
    p.playing = true;
    p.skip_idle = false;
    // 1×: 0.5 s real is 0.5 s of journal time; the statement at 2.0 s is not there yet.
    assert_eq!(p.advance(&t, 1, 500), 1);
    // 10×: 0.1 s real is one more journal second: the statement and its end arrive.
    p.speed = Speed::X10;
    let at = p.advance(&t, 1, 100);
    assert_eq!((at, p.clock_ms), (5, 2_500));
    // Without skipping, the wait until the note at 60 s takes 57.5 s of journal time.
    assert_eq!(p.advance(&t, at, 100), 5);
    // Skipping: the long wait is jumped over, the note arrives on the next frame.
    p.skip_idle = true;
    let at = p.advance(&t, 5, 10);
    assert_eq!(at, 5, "the jump lands just before the note");
    assert_eq!(p.clock_ms, 59_000);
    let at = p.advance(&t, at, 100);
    assert_eq!(at, 6);
    // As fast as possible: entry after entry, then it stops at the end.
    p.speed = Speed::Max;
    let mut at = at;
    while p.playing {
        at = p.advance(&t, at, 0);
    }
    assert_eq!(at, t.len());
    assert_eq!(p.clock_ms, t.time_at(t.len()));
}

#[test]
fn speeds_step_up_and_down_and_stop_at_the_ends() {
    assert_eq!(Speed::X1.slower(), Speed::X1);
    assert_eq!(Speed::X1.faster(), Speed::X10);
    assert_eq!(Speed::X60.faster(), Speed::Max);
    assert_eq!(Speed::Max.faster(), Speed::Max);
    assert_eq!(Speed::Max.slower().label(), "60×");
}

#[test]
fn every_entry_is_described_on_one_line_with_its_actor() {
    for e in drill().entries() {
        let text = describe(e);
        assert!(text.ends_with("— alice@bastion"), "{text}");
        assert!(!text.contains('\n'), "{text}");
    }
}

#[test]
fn off_script_commands_are_described_and_kept_as_the_incidents_history() {
    let started = |run: u64, command: &str, incident: Option<&str>| Record::AdhocStarted {
        incident: incident.map(str::to_string),
        run,
        target: if run == 2 { "role web" } else { "host web-1" }.into(),
        targets: vec!["web-1".into()],
        command: command.into(),
        parallel: false,
        confirmation: None,
    };
    let entries = seal_all(vec![
        opened(1_000),
        (2_000, started(1, "uptime", Some("INC-1"))),
        (
            3_000,
            Record::AdhocOutput {
                incident: Some("INC-1".into()),
                run: 1,
                host: "web-1".into(),
                exit: Some(0),
                output: " 03:12 up 1 day".into(),
                reason: None,
            },
        ),
        (
            4_000,
            started(2, "echo password=***\nwhoami", Some("INC-1")),
        ),
        (5_000, started(1, "df -h", None)),
    ]);
    let lines: Vec<String> = entries.iter().map(crate::core::replay::describe).collect();
    assert_eq!(
        lines[1],
        "off-script command on host web-1: uptime — alice@bastion"
    );
    assert_eq!(
        lines[2],
        "off-script command on web-1: exit 0 — alice@bastion"
    );
    assert_eq!(
        lines[3],
        "off-script command on role web: echo password=*** … — alice@bastion"
    );
    let ws = crate::core::incident::Workspace::fold(&entries);
    assert_eq!(
        ws.adhoc_history(Some("INC-1")),
        ["uptime", "role:web echo password=***\nwhoami"]
    );
    assert_eq!(ws.adhoc_history(None), ["df -h"]);
    assert!(ws.adhoc_history(Some("INC-9")).is_empty());
    // A host acted on off-script has its row in the replay, even when nothing else named it.
    let t = Timeline::new(entries);
    assert_eq!(t.hosts(), ["db-1".to_string(), "web-1".to_string()]);
}

fn shell_records(at: i64) -> Vec<(i64, Record)> {
    use crate::core::shell::{CastCode, CastEvent};
    vec![
        (
            at,
            Record::AdhocStarted {
                incident: Some("INC-1".into()),
                run: 1,
                target: "host app-1".into(),
                targets: vec!["app-1".into()],
                command: "uptime".into(),
                parallel: true,
                confirmation: None,
            },
        ),
        (
            at + 1_000,
            Record::ShellStarted {
                incident: Some("INC-1".into()),
                session: 2,
                host: "app-1".into(),
                term: "xterm-256color".into(),
                cols: 80,
                rows: 24,
            },
        ),
        (
            at + 2_000,
            Record::ShellOutput {
                incident: Some("INC-1".into()),
                session: 2,
                events: vec![
                    CastEvent(0.2, CastCode::Input, "df -h\r".into()),
                    CastEvent(
                        0.3,
                        CastCode::Output,
                        "df -h\r\n/ 78%\r\nshell-ok\r\n$ ".into(),
                    ),
                ],
            },
        ),
        note(at + 3_000, "disk is fine"),
        (
            at + 4_000,
            Record::ShellEnded {
                incident: Some("INC-1".into()),
                session: 2,
                host: "app-1".into(),
                exit: None,
                reason: Some("closed with ~.".into()),
                duration_ms: 3_000,
                unrecorded_input: 12,
            },
        ),
    ]
}

#[test]
fn shells_lie_on_the_timeline_from_their_opening_to_their_end() {
    let mut records = vec![opened(1_000)];
    records.extend(shell_records(2_000));
    records.push(note(9_000, "after"));
    let t = Timeline::new(seal_all(records));
    let [shell] = t.shells() else {
        panic!("one shell: {:?}", t.shells());
    };
    assert_eq!(
        (
            shell.session,
            shell.started,
            shell.outputs.as_slice(),
            shell.ended
        ),
        (2, 3, &[4][..], Some(6))
    );
    assert_eq!(shell.opened_ms, 3_000);
    let at = |p| t.shell_at(p).map(|s| s.session);
    assert_eq!(
        [at(2), at(3), at(5), at(6), at(7)],
        [None, Some(2), Some(2), Some(2), None]
    );
    assert_eq!(shell.outputs_at(3), 0);
    assert_eq!(shell.outputs_at(5), 1);
    // Off-script acts have their marker; the host has its row.
    let off_script: Vec<usize> = t
        .markers()
        .iter()
        .filter(|m| m.kind == MarkerKind::OffScript)
        .map(|m| m.position)
        .collect();
    assert_eq!(off_script, [2, 3]);
    assert_eq!(MarkerKind::OffScript.glyph(), '$');
    assert!(t.hosts().contains(&"app-1".to_string()));
}

#[test]
fn shell_entries_say_what_happened_and_off_script_finds_them() {
    let mut records = vec![opened(1_000)];
    records.extend(shell_records(2_000));
    let t = Timeline::new(seal_all(records));
    let said: Vec<String> = t.entries()[2..].iter().map(describe).collect();
    assert_eq!(
        said,
        [
            "off-script shell 2 opened on app-1 (xterm-256color, 80×24) — alice@bastion",
            "off-script shell 2: shell-ok · 6 keys typed — alice@bastion",
            "note: disk is fine — alice@bastion",
            "off-script shell 2 on app-1 ended after 3.0 s: closed with ~. — 12 bytes typed while echo was off were not recorded — alice@bastion",
        ]
    );
    assert_eq!(t.search(0, "off-script", true), Some(2));
    assert_eq!(
        t.search(2, "/off-script", true),
        None,
        "the slash is the prompt's"
    );
    assert_eq!(t.search(2, "off-script", true), Some(3));
    assert_eq!(t.search(3, "off-script", true), Some(4));
    assert_eq!(t.search(4, "OFF-SCRIPT", true), Some(6));
    assert_eq!(
        t.search(6, "shell-ok", false),
        Some(4),
        "the output's text too"
    );
}

#[test]
fn the_shell_at_a_position_is_found_as_a_search_of_them_all_finds_it() {
    let started = |session: u64| Record::ShellStarted {
        incident: None,
        session,
        host: format!("h{session}"),
        term: "xterm".into(),
        cols: 80,
        rows: 24,
    };
    let ended = |session: u64| Record::ShellEnded {
        incident: None,
        session,
        host: format!("h{session}"),
        exit: Some(0),
        reason: None,
        duration_ms: 1,
        unrecorded_input: 0,
    };
    // Shells opening and ending interleaved, long ones over short ones, one never ended.
    let mut records = Vec::new();
    let mut open: Vec<u64> = Vec::new();
    for n in 0..60u64 {
        records.push((n as i64, started(n)));
        open.push(n);
        records.push(note(n as i64, "x"));
        if n % 3 != 0 && n != 7 {
            let at = (n as usize * 7) % open.len();
            if open[at] != 7 {
                let session = open.remove(at);
                records.push((n as i64, ended(session)));
            }
        }
    }
    let t = Timeline::new(seal_all(records));
    for position in 0..=t.len() {
        let about = t.entry_at(position).and_then(|e| match &e.record {
            Record::ShellStarted { session, .. } | Record::ShellEnded { session, .. } => {
                Some(*session)
            }
            _ => None,
        });
        let mut all = t.shells().iter().rev().filter(|s| s.covers(position));
        let expected = match about {
            Some(n) => all.find(|s| s.session == n),
            None => all.next(),
        };
        assert_eq!(
            t.shell_at(position).map(|s| s.session),
            expected.map(|s| s.session),
            "at {position}"
        );
    }
}

#[test]
fn notifications_and_broadcast_notes_are_described_on_one_line() {
    use crate::core::notify::{AttemptOutcome, ChannelKind, Notice, NoticeKind};
    let attempt = |n: u32, outcome: AttemptOutcome| Record::NotificationAttempt {
        incident: Some("INC-1".into()),
        id: "n1".into(),
        channel: "oncall-dingtalk".into(),
        via: ChannelKind::DingTalk,
        about: "team lead".into(),
        attempt: n,
        outcome,
    };
    let entries = seal_all(vec![
        opened(1_000),
        (
            2_000,
            Record::NotificationQueued {
                incident: Some("INC-1".into()),
                id: "n1".into(),
                channel: "oncall-dingtalk".into(),
                via: ChannelKind::DingTalk,
                notice: Notice {
                    kind: NoticeKind::Escalation,
                    incident: Some("INC-1".into()),
                    severity: Some(Severity::P0),
                    title: "主库宕机".into(),
                    about: "team lead".into(),
                    drill: true,
                    headline: "[DRILL] P0 INC-1 escalated to team lead: 主库宕机".into(),
                    lines: vec!["Running for: 15 min".into()],
                    contacts: Vec::new(),
                    at_ms: 2_000,
                },
            },
        ),
        (
            3_000,
            attempt(
                1,
                AttemptOutcome::Failed {
                    error: "HTTP 500\n<html>oops</html>".into(),
                    retry_in_s: 5,
                },
            ),
        ),
        (
            8_000,
            attempt(
                2,
                AttemptOutcome::Delivered {
                    answer: "HTTP 200 {\"errcode\":0,\"errmsg\":\"ok\"}".into(),
                },
            ),
        ),
        (
            9_000,
            attempt(
                10,
                AttemptOutcome::GaveUp {
                    error: "gave up after 10 attempts".into(),
                },
            ),
        ),
        (
            10_000,
            Record::NoteAdded {
                incident: "INC-1".into(),
                text: "DNS switched".into(),
                broadcast: true,
            },
        ),
    ]);
    let lines: Vec<String> = entries.iter().skip(1).map(describe).collect();
    assert_eq!(
        lines,
        [
            "team lead queued for DingTalk (oncall-dingtalk): [DRILL] P0 INC-1 escalated to team lead: 主库宕机 — alice@bastion",
            "team lead: DingTalk (oncall-dingtalk) failed, attempt 1: HTTP 500 …; retry in 5 s — alice@bastion",
            "team lead: delivered via DingTalk (oncall-dingtalk), attempt 2: HTTP 200 {\"errcode\":0,\"errmsg\":\"ok\"} — alice@bastion",
            "team lead: DingTalk (oncall-dingtalk) given up: gave up after 10 attempts — alice@bastion",
            "broadcast note: DNS switched — alice@bastion",
        ]
    );
}
