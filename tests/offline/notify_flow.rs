//! Notifications as the app sends them, headless over a real journal: what an entry sends is
//! journaled as queued before any attempt; each channel sends one notice at a time, oldest
//! first; a failure is journaled and retried after its delay; what is still waiting when
//! cockpit stops is sent on the next start; a drill pages nobody unless the channel says so;
//! a broadcast note goes out; a channel that is gone is given up, never retried forever.

use crate::support::app_driver::{LOCAL_WEB_HOSTS, inventory, live_app, playbook, screen, settle};
use crate::support::journal_files::reopen;
use cockpit::core::incident::Workspace;
use cockpit::core::inventory::{Inventory, PasswordSource};
use cockpit::core::journal::{Entry, Record};
use cockpit::core::notify::outbox::MAX_ATTEMPTS;
use cockpit::core::notify::{AttemptOutcome, Channel, ChannelKind, DrillRoute, NoticeKind};
use cockpit::core::redact::Redactor;
use cockpit::io::journal_store::{JournalStore, read_stored};
use cockpit::ui::app::{App, RunMode};
use cockpit::ui::command::Command;
use cockpit::ui::event::Event;
use std::path::Path;

const P0_PLAYBOOK: &str = r#"
id = "site-down"
title = "Site down"
severity = "P0"
rto_minutes = 30

[[steps]]
id = "look"
title = "Look around"
kind = "manual"
"#;

fn channel(name: &str, kind: ChannelKind, events: &[NoticeKind], drill: DrillRoute) -> Channel {
    Channel {
        name: name.into(),
        kind,
        url: PasswordSource::Env("NOTIFY_TEST_URL".into()),
        secret: PasswordSource::None,
        events: events.to_vec(),
        drill,
        mention: Vec::new(),
        email: None,
    }
}

/// The web hosts with one chat channel for every event, and the team lead's own mail channel.
fn fleet() -> Inventory {
    let mut inv = inventory(LOCAL_WEB_HOSTS);
    inv.notify = vec![
        channel(
            "chat",
            ChannelKind::DingTalk,
            &NoticeKind::ROUTED,
            DrillRoute::Never,
        ),
        channel("lead-mail", ChannelKind::Email, &[], DrillRoute::Never),
    ];
    let lead = inv
        .settings
        .escalation
        .iter_mut()
        .find(|l| l.who == "team lead")
        .expect("team lead");
    lead.notify = vec!["lead-mail".into()];
    lead.contacts = vec!["lead@example.com".into()];
    inv
}

async fn store(path: &Path) -> (JournalStore, Vec<Entry>) {
    reopen(|| JournalStore::open(path, true, Redactor::default()))
        .await
        .expect("open")
}

async fn app_over(path: &Path, inv: Inventory, mode: RunMode) -> (App, JournalStore) {
    let (store, entries) = store(path).await;
    let pb = playbook(P0_PLAYBOOK, &inv);
    let mut app = live_app(inv, vec![pb], Workspace::fold(&entries));
    app.mode = mode;
    app.journal_label = path.display().to_string();
    (app, store)
}

fn opened() -> Record {
    Record::IncidentOpened {
        host: None,
        checkpoint_minutes: None,
        incident: "INC-1".into(),
        title: "checkout 502 for everyone".into(),
        severity: cockpit::core::severity::Severity::P0,
        playbook: "site-down".into(),
        playbook_title: "Site down".into(),
        rto_minutes: Some(30),
        steps: Vec::new(),
        fleet: [("web-1".to_string(), cockpit::core::health::HostState::Down)].into(),
        unhealthy_since_ms: None,
    }
}

/// The sends among `commands`: (id, channel, attempt, headline).
fn sends(commands: &[Command]) -> Vec<(String, String, u32, String)> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::Notify {
                id,
                channel,
                notice,
                attempt,
            } => Some((
                id.clone(),
                channel.clone(),
                *attempt,
                notice.headline.clone(),
            )),
            _ => None,
        })
        .collect()
}

async fn tick(app: &mut App, store: &mut JournalStore, at_ms: i64) -> Vec<Command> {
    app.now_ms = at_ms;
    let commands = app.on_event(Event::Tick);
    settle(app, store, commands).await
}

async fn answer(
    app: &mut App,
    store: &mut JournalStore,
    send: &(String, String, u32, String),
    result: Result<&str, &str>,
) -> Vec<Command> {
    let commands = app.on_event(Event::Notified {
        id: send.0.clone(),
        attempt: send.2,
        result: result.map(str::to_string).map_err(str::to_string),
    });
    settle(app, store, commands).await
}

async fn records(path: &Path, kind: &str) -> Vec<Record> {
    read_stored(path)
        .await
        .expect("read")
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| serde_json::from_str(&e.body).expect("record"))
        .collect()
}

#[tokio::test]
async fn a_p0_tells_the_chat_in_order_retries_a_failure_and_resends_after_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let (mut app, mut store) = app_over(&path, fleet(), RunMode::Live).await;
    let t0 = app.now_ms;

    // Opening: journaled as queued, then the first attempt goes out.
    let first = sends(&settle(&mut app, &mut store, vec![Command::Journal(opened())]).await);
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].1, "chat");
    assert_eq!(
        first[0].3,
        "P0 incident INC-1 opened: checkout 502 for everyone"
    );
    let queued = records(&path, "notification_queued").await;
    assert!(
        matches!(&queued[..], [Record::NotificationQueued { notice, .. }]
        if notice.lines.iter().any(|l| l == "Hosts affected: web-1 (down)")
            && notice.lines.iter().any(|l| l == "On it: op@bastion"))
    );

    // The clock reaches the P0's levels at once (on-call engineer, CTO): queued, but the chat
    // sends nothing more while its first notice is unanswered.
    let held = sends(&tick(&mut app, &mut store, t0 + 1_000).await);
    assert!(held.is_empty(), "{held:?}");
    assert_eq!(records(&path, "notification_queued").await.len(), 3);

    // The platform fails: journaled with its retry, and nothing goes out before the delay.
    let after_fail = sends(&answer(&mut app, &mut store, &first[0], Err("HTTP 500")).await);
    assert!(after_fail.is_empty(), "{after_fail:?}");
    assert!(matches!(
        records(&path, "notification_attempt").await.last(),
        Some(Record::NotificationAttempt {
            attempt: 1,
            outcome: AttemptOutcome::Failed { retry_in_s: 5, .. },
            ..
        })
    ));
    assert_eq!(app.failing_channels().len(), 1);
    let on_screen = screen(&app);
    assert!(
        on_screen.contains("notify chat failing: HTTP 500 · retry 5s"),
        "{on_screen}"
    );
    assert!(sends(&tick(&mut app, &mut store, t0 + 4_000).await).is_empty());
    let retry = sends(&tick(&mut app, &mut store, t0 + 7_000).await);
    assert_eq!(retry.len(), 1);
    assert_eq!((retry[0].0.as_str(), retry[0].2), (first[0].0.as_str(), 2));

    // Delivered: the next in line (the on-call engineer's escalation) goes out.
    let next = sends(&answer(&mut app, &mut store, &retry[0], Ok("HTTP 200 errcode 0")).await);
    assert!(app.failing_channels().is_empty());
    assert_eq!(next.len(), 1);
    assert!(
        next[0].3.contains("escalated to on-call engineer"),
        "{next:?}"
    );

    // It fails and cockpit stops, its retry not yet due; the next start sends it at once
    // (the channel may have been fixed in between), then the CTO's.
    app.now_ms = t0 + 10_000;
    let _ = answer(&mut app, &mut store, &next[0], Err("connection refused")).await;
    store.close().await;
    drop(app);
    let (mut app, mut store) = app_over(&path, fleet(), RunMode::Live).await;
    assert_eq!(app.notices_waiting(), 2);
    let resent = sends(&tick(&mut app, &mut store, t0 + 11_000).await);
    assert_eq!(resent.len(), 1);
    assert_eq!((resent[0].0.as_str(), resent[0].2), (next[0].0.as_str(), 2));
    let cto = sends(&answer(&mut app, &mut store, &resent[0], Ok("ok")).await);
    assert!(cto[0].3.contains("escalated to CTO"), "{cto:?}");
    assert!(sends(&answer(&mut app, &mut store, &cto[0], Ok("ok")).await).is_empty());

    // 15 minutes in: the team lead's level goes to the chat and to the lead's own mail, with
    // the lead's address as its contact.
    let fifteen = sends(&tick(&mut app, &mut store, t0 + 15 * 60_000).await);
    let channels: Vec<&str> = fifteen.iter().map(|s| s.1.as_str()).collect();
    // The 5-minute status checkpoint came first on the chat; the mail has only the lead's.
    assert_eq!(channels, ["chat", "lead-mail"], "{fifteen:?}");
    assert!(fifteen[0].3.contains("status at 5 min"), "{fifteen:?}");
    assert!(
        fifteen[1].3.contains("escalated to team lead"),
        "{fifteen:?}"
    );
    let Some(Record::NotificationQueued { notice, .. }) = records(&path, "notification_queued")
        .await
        .into_iter()
        .find(
            |r| matches!(r, Record::NotificationQueued { channel, .. } if channel == "lead-mail"),
        )
    else {
        panic!("the lead's mail was not queued");
    };
    assert_eq!(notice.contacts, ["lead@example.com"]);
    assert!(
        notice
            .lines
            .iter()
            .any(|l| l == "Next level: director at 30 min"),
        "{:?}",
        notice.lines
    );
}

#[tokio::test]
async fn resolved_says_how_long_which_targets_and_the_head_and_a_gone_channel_is_given_up() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let mut inv = fleet();
    inv.notify[0].events = vec![NoticeKind::Resolved];
    let (mut app, mut store) = app_over(&path, inv.clone(), RunMode::Live).await;
    let t0 = app.now_ms;
    assert!(
        sends(&settle(&mut app, &mut store, vec![Command::Journal(opened())]).await).is_empty()
    );
    app.now_ms = t0 + 42 * 60_000;
    let resolved = Record::IncidentResolved {
        incident: "INC-1".into(),
        summary: "rolled back the release".into(),
    };
    let sent = sends(&settle(&mut app, &mut store, vec![Command::Journal(resolved)]).await);
    assert_eq!(sent.len(), 1);
    let head = read_stored(&path)
        .await
        .expect("read")
        .into_iter()
        .find(|e| e.kind == "incident_resolved")
        .expect("resolved")
        .hash;
    let Some(Record::NotificationQueued { notice, .. }) =
        records(&path, "notification_queued").await.pop()
    else {
        panic!("nothing queued");
    };
    assert_eq!(
        notice.headline,
        "P0 incident INC-1 resolved after 42 min 00 s: checkout 502 for everyone"
    );
    for line in [
        "Summary: rolled back the release".to_string(),
        "Resolution target (P0) 1 h: met".to_string(),
        "RTO 30 min: missed by 12 min 00 s".to_string(),
        format!("Journal head at resolve: {head}"),
        format!("Report: cockpit report {} --incident INC-1", path.display()),
    ] {
        assert!(
            notice.lines.contains(&line),
            "{line} not in {:?}",
            notice.lines
        );
    }

    // The next start's inventory no longer has the channel: given up at once, not retried.
    store.close().await;
    drop(app);
    inv.notify.retain(|c| c.name != "chat");
    let (mut app, mut store) = app_over(&path, inv, RunMode::Live).await;
    assert!(sends(&tick(&mut app, &mut store, t0 + 43 * 60_000).await).is_empty());
    assert!(matches!(
        records(&path, "notification_attempt").await.last(),
        Some(Record::NotificationAttempt { outcome: AttemptOutcome::GaveUp { error }, .. })
            if error.contains("no channel named chat")
    ));
    assert_eq!(app.notices_waiting(), 0);
}

#[tokio::test]
async fn a_channel_that_keeps_failing_is_given_up_after_its_last_attempt() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let mut inv = fleet();
    inv.notify.truncate(1);
    inv.notify[0].events = vec![NoticeKind::Opened];
    let (mut app, mut store) = app_over(&path, inv, RunMode::Live).await;
    let mut now = app.now_ms;
    let mut send = sends(&settle(&mut app, &mut store, vec![Command::Journal(opened())]).await);
    for attempt in 1..=MAX_ATTEMPTS {
        assert_eq!(send.len(), 1, "attempt {attempt}: {send:?}");
        assert_eq!(send[0].2, attempt);
        let after = answer(&mut app, &mut store, &send[0], Err("connection refused")).await;
        assert!(sends(&after).is_empty());
        now += 11 * 60_000;
        send = sends(&tick(&mut app, &mut store, now).await);
    }
    assert!(send.is_empty(), "{send:?}");
    assert!(matches!(
        records(&path, "notification_attempt").await.last(),
        Some(Record::NotificationAttempt { outcome: AttemptOutcome::GaveUp { error }, .. })
            if error.contains("gave up after 10 attempts")
    ));
    assert!(app.failing_channels().is_empty());
}

#[tokio::test]
async fn a_drill_pages_only_drill_channels_marked_as_such_and_broadcasts_notes() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let mut inv = fleet();
    inv.notify.push(channel(
        "drill-room",
        ChannelKind::Webhook,
        &[NoticeKind::Opened, NoticeKind::Broadcast],
        DrillRoute::Only,
    ));
    let (mut app, mut store) = app_over(&path, inv, RunMode::Demo).await;
    let sent = sends(&settle(&mut app, &mut store, vec![Command::Journal(opened())]).await);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].1, "drill-room");
    assert_eq!(
        sent[0].3,
        "[DRILL] P0 incident INC-1 opened: checkout 502 for everyone"
    );
    // The real chat (drill = never) and the lead's mail heard nothing, the CTO level neither.
    let later = app.now_ms + 1_000;
    let _ = tick(&mut app, &mut store, later).await;
    let channels: Vec<String> = records(&path, "notification_queued")
        .await
        .into_iter()
        .filter_map(|r| match r {
            Record::NotificationQueued { channel, .. } => Some(channel),
            _ => None,
        })
        .collect();
    assert_eq!(channels, ["drill-room"]);

    let _ = answer(&mut app, &mut store, &sent[0], Ok("ok")).await;
    let note = Record::NoteAdded {
        incident: "INC-1".into(),
        text: "rollback started\n回滚已开始".into(),
        broadcast: true,
    };
    let out = sends(&settle(&mut app, &mut store, vec![Command::Journal(note)]).await);
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].3,
        "[DRILL] P0 incident INC-1 update from op@bastion: checkout 502 for everyone"
    );
    let Some(Record::NotificationQueued { notice, .. }) =
        records(&path, "notification_queued").await.pop()
    else {
        panic!("nothing queued");
    };
    assert_eq!(notice.lines[..2], ["rollback started", "回滚已开始"]);
}

#[tokio::test]
async fn a_playbook_with_its_own_rhythm_has_checkpoints_at_any_severity() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("journal.db");
    let mut inv = fleet();
    inv.notify.truncate(1);
    inv.notify[0].events = vec![NoticeKind::Checkpoint];
    let (store, entries) = store(&path).await;
    let mut store = store;
    let own = P0_PLAYBOOK.replace(
        "severity = \"P0\"",
        "severity = \"P2\"\ncheckpoint_minutes = [5, 60]",
    );
    let pb = playbook(&own, &inv);
    assert_eq!(pb.checkpoint_minutes, Some(vec![5, 60]));
    let mut app = live_app(inv, vec![pb.clone()], Workspace::fold(&entries));
    let t0 = app.now_ms;
    let open = Record::IncidentOpened {
        host: None,
        incident: "INC-1".into(),
        title: "slow".into(),
        severity: cockpit::core::severity::Severity::P2,
        playbook: pb.id.clone(),
        playbook_title: pb.title.clone(),
        rto_minutes: pb.rto_minutes,
        checkpoint_minutes: pb.checkpoint_minutes.clone(),
        steps: Vec::new(),
        fleet: Default::default(),
        unhealthy_since_ms: None,
    };
    let _ = settle(&mut app, &mut store, vec![Command::Journal(open)]).await;
    let at_five = sends(&tick(&mut app, &mut store, t0 + 5 * 60_000).await);
    assert_eq!(at_five.len(), 1, "{at_five:?}");
    assert_eq!(at_five[0].3, "P2 incident INC-1 status at 5 min: slow");

    // Minutes out of order or at zero are refused where they are written.
    let bad = cockpit::core::playbook::parse(
        &cockpit::core::diagnostic::SourceFile::new(
            "pb.toml",
            P0_PLAYBOOK.replace(
                "rto_minutes = 30",
                "rto_minutes = 30\ncheckpoint_minutes = [15, 5, 0]",
            ),
        ),
        None,
    )
    .expect_err("falling and zero minutes are refused")
    .to_string();
    assert!(
        bad.contains("status checkpoint at 5 min comes after one at 15 min"),
        "{bad}"
    );
    assert!(bad.contains("a status checkpoint at 0 min"), "{bad}");
}
