//! What comes from the shared store is hostile until shown otherwise: anyone who can write to
//! the `cockpit` schema can put any row in `cockpit.entries`, `cockpit.presence` and
//! `cockpit.claims`. Escape sequences, bidirectional overrides and huge names never reach the
//! terminal nor push the status line off the screen; absurd rows are bounded (a 50 MB entry is
//! a break, never read; a 1 MB name is cut; a presence row from the future and a claim running
//! out in a century count for nothing); a tampered row appearing while cockpits are live shows
//! as "shared journal broken at entry #N: …; working locally", nothing after it is applied, and
//! local work still goes up. Against the real PostgreSQL the test command starts (a fresh
//! database per test).

use crate::support::app_driver;
use crate::support::dbservers;
use crate::support::sync_peer;

use app_driver::open_incident;
use cockpit::core::journal::{Entry, Record};
use cockpit::core::redact::Redactor;
use cockpit::core::severity::Severity;
use cockpit::core::shared_chain::{Origin, SharedEntry};
use cockpit::core::team::{Claim, Present};
use cockpit::io::shared::claims::{self, LEASE, StepClaim};
use cockpit::io::shared::presence;
use cockpit::io::shared::{SharedError, SharedStore, SharedTarget, SyncReport, SyncStatus};
use cockpit::ui::app::{App, SharedView, Team};
use cockpit::ui::event::Event;
use cockpit::ui::overlay::Overlay;
use dbservers::{Kind, TestDb};
use std::time::Duration;
use sync_peer::{DEADLINE, Peer};

const T: Duration = Duration::from_secs(30);

/// One host, `web`, for the team tests.
const INVENTORY: &str = include_str!("../fixtures/team/inventory.toml");

/// A plain step and a dangerous one on `web`.
const PLAYBOOK: &str = include_str!("../fixtures/team/web-down.toml");

/// Clears the screen, writes the clipboard (OSC 52), returns the carriage, reverses the line.
const NASTY: &str = "\x1b[2J\x1b]52;c;cm0gLXJmIH4K\x07\r\u{202E}gnp.exe\u{2066}\u{9b}31m";

/// Whether a terminal would act on `c` instead of showing it (written out here, not taken
/// from the cockpit, so the test checks the cockpit's rule rather than repeating it).
fn acted_on(c: char) -> bool {
    c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}'
        )
}

/// Draws the app on a `w`×`h` test terminal: its rows as text, and every cell checked.
fn draw(app: &App, w: u16, h: u16) -> Vec<String> {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| cockpit::ui::draw::draw(f, app))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    for (n, cell) in buffer.content.iter().enumerate() {
        assert!(
            !cell.symbol().chars().any(acted_on),
            "cell {n} ({}, {}) holds {:?}",
            n % usize::from(w),
            n / usize::from(w),
            cell.symbol()
        );
    }
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

fn sealed(actor: &str, record: Record, at_ms: i64) -> Entry {
    Entry::seal(None, at_ms, actor, &record, &Redactor::default()).expect("seal")
}

#[tokio::test]
async fn hostile_names_notes_and_titles_never_reach_the_terminal_nor_break_the_layout() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, _store) = open_incident(
        &dir.path().join("journal.db"),
        INVENTORY,
        PLAYBOOK,
        "web down",
    )
    .await;
    app.team = Team::shared("s-alice");
    app.shared = Some(SharedView::new("team".into(), Vec::new()));
    let huge = format!("{NASTY}{}", "x".repeat(10_000));
    let cjk = format!("{NASTY}{}", "主库宕机".repeat(2_500));
    let evil_actor = format!("{NASTY}@{huge}");
    // A claim answered with a hostile holder: the flash line.
    app.on_event(app_driver::press(crossterm::event::KeyCode::Char('r')));
    assert_eq!(app.team.claiming(), Some("restart"));
    app.on_event(Event::Claimed {
        incident: "INC-1".into(),
        step: "restart".into(),
        result: Ok(Claim::HeldBy {
            holder: evil_actor.clone(),
            for_secs: 12,
        }),
    });
    // What the shared journal brings: a step done, a step skipped, a note, all by someone
    // whose name is an attack; another incident whose id and title are.
    for entry in [
        sealed(
            &evil_actor,
            Record::StepCompleted {
                incident: "INC-1".into(),
                step: "restart".into(),
            },
            app.now_ms,
        ),
        sealed(
            &evil_actor,
            Record::StepSkipped {
                incident: "INC-1".into(),
                step: "wipe".into(),
                reason: cjk.clone(),
            },
            app.now_ms,
        ),
        sealed(
            &evil_actor,
            Record::NoteAdded {
                broadcast: false,
                incident: "INC-1".into(),
                text: huge.clone(),
            },
            app.now_ms,
        ),
        sealed(
            &evil_actor,
            Record::IncidentOpened {
                host: None,
                checkpoint_minutes: None,
                incident: format!("INC-{NASTY}"),
                title: cjk.clone(),
                severity: Severity::P0,
                playbook: "web-down".into(),
                playbook_title: huge.clone(),
                rto_minutes: None,
                steps: vec![cockpit::core::journal::StepSnapshot {
                    id: huge.clone(),
                    title: format!("{NASTY}{cjk}"),
                    kind: huge.clone(),
                }],
                fleet: Default::default(),
                unhealthy_since_ms: None,
            },
            app.now_ms,
        ),
    ] {
        app.workspace.apply(&entry);
    }
    let present = |session: &str, operator: &str, role: &str, incident: &str| Present {
        session: session.into(),
        operator: operator.into(),
        role: role.into(),
        incident: Some(incident.into()),
    };
    app.on_event(Event::Presence(vec![
        present("s-alice", "op@bastion", "operator", "INC-1"),
        present("s-evil", &huge, NASTY, "INC-1"),
        present("s-cjk", &cjk, "operator", "INC-1"),
        present("s-elsewhere", &huge, "operator", &format!("INC-{NASTY}")),
    ]));
    app.on_event(Event::Shared(SyncReport::Status(SyncStatus::Broken(
        format!("shared journal broken at entry #7: {NASTY}"),
    ))));

    for (w, h) in [(220, 50), (140, 40), (80, 20)] {
        let rows = draw(&app, w, h);
        let text = rows.join("\n");
        let status = &rows[0];
        // The line keeps what matters after who else is on it: the hosts, the journals.
        assert!(
            status.starts_with(" INC-1  P1"),
            "{w}×{h} status line: {status}"
        );
        if w >= 140 {
            assert!(
                status.contains("shared journal broken at entry #7: "),
                "{status}"
            );
        }
        if w >= 220 {
            assert!(status.contains("1 hosts"), "{w}×{h} status line: {status}");
            assert!(status.contains("journal ✓"), "{w}×{h}: {status}");
            assert!(status.contains("with "), "{status}");
        }
        assert!(text.contains("Restart the app"), "{text}");
        assert!(text.contains("Wipe the cache"), "{text}");
        let hints = &rows[rows.len() - 1];
        assert!(hints.contains("is running by"), "{hints}");
        if w >= 140 {
            assert!(hints.contains("for 12 s"), "{hints}");
        }
        assert!(!text.contains("gnp.exe\u{2066}"), "{text}");
    }

    // The step's detail: who and why, cut, and the step's own detail still there.
    app.step_cursor = 1;
    let text = draw(&app, 140, 40).join("\n");
    assert!(text.contains("skipped by"), "{text}");
    assert!(text.contains("rm -rf /tmp/cockpit-cache"), "{text}");

    // The hostile incident in front of the operator: its steps' ids, titles and kinds.
    app.active = Some(format!("INC-{NASTY}"));
    app.step_cursor = 0;
    let rows = draw(&app, 220, 40);
    assert!(
        rows.iter().any(|r| r.contains(" 1. ")),
        "{}",
        rows.join("\n")
    );
    assert!(
        rows.iter().any(|r| r.contains(" step ")),
        "{}",
        rows.join("\n")
    );
    assert!(rows[0].contains("; working locally"), "{}", rows[0]);
    app.active = Some("INC-1".into());

    // The store brings another operator's entry live, the earlier answer read by now: the
    // message says who, cut.
    app.now_ms += cockpit::ui::app::ANSWER_HOLD_MS;
    let path = dir.path().join("journal.db");
    let local = cockpit::io::journal_store::read_assessed(&path)
        .await
        .expect("read")
        .entries;
    app.shared = Some(SharedView::new("team".into(), local));
    app.on_event(Event::Shared(SyncReport::Entries(Vec::new())));
    let raised = sealed(
        &evil_actor,
        Record::SeverityChanged {
            incident: "INC-1".into(),
            severity: Severity::P0,
        },
        app.now_ms,
    );
    app.on_event(Event::Shared(SyncReport::Entries(vec![SharedEntry {
        origin: Origin {
            journal: "evil".into(),
            seq: 1,
            prev_hash: raised.prev_hash.clone(),
            hash: raised.hash.clone(),
        },
        entry: raised,
    }])));
    let rows = draw(&app, 140, 40);
    let hints = &rows[rows.len() - 1];
    assert!(hints.contains("set INC-1 to P0"), "{hints}");

    // The incident picker, with the hostile incident and who is on it.
    app.overlay = Some(Overlay::IncidentPicker(0));
    let rows = draw(&app, 140, 40);
    let text = rows.join("\n");
    assert!(text.contains("Open incidents"), "{text}");
    assert!(text.contains("Esc keeps the current one"), "{text}");
}

/// A store on a fresh database, with its schema.
async fn store(db: &TestDb) -> SharedStore {
    SharedStore::connect(
        &SharedTarget {
            url: db.url.to_string(),
            password: None,
        },
        T,
    )
    .await
    .expect("connect")
}

#[tokio::test]
async fn a_50_mb_entry_is_a_break_that_is_never_read() {
    let db = TestDb::create(Kind::Postgres).await;
    let store = store(&db).await;
    db.exec(
        "INSERT INTO cockpit.entries (seq, at_ms, actor, kind, body, prev_hash, hash, origin, \
         origin_seq, origin_prev_hash, origin_hash) VALUES \
         (1, 0, 'mallory', 'note_added', repeat('x', 50 * 1024 * 1024), 'p', 'h', 'o', 1, 'op', 'oh')",
    )
    .await;
    for result in [
        store.read_after(0, 1000).await.map(|_| ()),
        store.read_all().await.map(|_| ()),
    ] {
        match result {
            Err(SharedError::Broken(why)) => {
                assert!(why.starts_with("entry #1: 52428"), "{why}");
                assert!(why.contains("more than cockpit ever writes"), "{why}");
            }
            other => panic!("a 50 MB entry was read: {other:?}"),
        }
    }
    let text = SharedError::Broken("entry #1: x".into()).to_string();
    assert_eq!(text, "shared journal broken at entry #1: x");
    store.close().await;
}

#[tokio::test]
async fn a_huge_name_is_cut_and_presence_from_the_future_or_a_century_long_claim_count_for_nothing()
{
    let db = TestDb::create(Kind::Postgres).await;
    let store = store(&db).await;
    let pool = store.pool();
    db.exec(
        "INSERT INTO cockpit.presence (session, operator, role, incident, started_at, seen_at) VALUES
         ('s-huge', repeat('é', 1000000), repeat('r', 1000000), 'INC-1', now(), now()),
         ('s-future', 'ghost@nowhere', 'operator', 'INC-1', now(), now() + interval '100 years')",
    )
    .await;
    let present = presence::present(pool, T).await.expect("present");
    assert_eq!(
        present.len(),
        1,
        "{:?}",
        present.iter().map(|p| &p.session).collect::<Vec<_>>()
    );
    assert_eq!(present[0].session, "s-huge");
    assert_eq!(
        present[0].operator.chars().count(),
        presence::MAX_PRESENCE_CHARS as usize
    );
    assert_eq!(
        present[0].role.chars().count(),
        presence::MAX_PRESENCE_CHARS as usize
    );

    // A claim no cockpit could have written (running out in a century, by a session that is
    // not there) does not hold the step: the lease is at most LEASE from now.
    db.exec(
        "INSERT INTO cockpit.claims (incident, step, holder, session, claimed_at, expires_at) VALUES
         ('INC-1', 'restart', 'ghost@nowhere', 'no-such-session', now(), now() + interval '100 years'),
         ('INC-1', 'wipe', repeat('b', 1000000), 's-huge', now(), now() + interval '10 seconds')",
    )
    .await;
    let alice = |step| StepClaim {
        incident: "INC-1",
        step,
        holder: "alice@one",
        session: "s-alice",
    };
    assert_eq!(
        claims::claim(pool, &alice("restart"), LEASE, T)
            .await
            .expect("claim"),
        Claim::Granted
    );
    // A live claim with a huge holder still holds, and says who, cut.
    match claims::claim(pool, &alice("wipe"), LEASE, T)
        .await
        .expect("claim")
    {
        Claim::HeldBy { holder, .. } => {
            assert_eq!(holder, "b".repeat(claims::MAX_HOLDER_CHARS as usize));
        }
        other => panic!("a live claim was taken over: {other:?}"),
    }
    store.close().await;
}

/// Waits until the store holds `n` entries of `origin`.
async fn uploaded(store: &SharedStore, origin: &str, n: u64) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let got = store.uploaded_through(origin).await.expect("uploaded");
        if got >= n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {got} of {n} entries of {origin} uploaded within {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_tampered_row_appearing_live_is_shown_nothing_after_it_is_applied_and_local_work_goes_on()
{
    let db = TestDb::create(Kind::Postgres).await;
    let url = db.url.to_string();
    let store = store(&db).await;
    let dir = tempfile::tempdir().expect("dir");
    let mut alice = Peer::start("alice@one", &url, dir.path()).await;
    let mut bob = Peer::start("bob@two", &url, dir.path()).await;
    for n in 0..3 {
        alice.note(&format!("alice {n}")).await;
    }
    bob.note("bob 0").await;
    bob.until("seeing the four entries, online", |p| {
        p.seen.len() == 4 && p.status == SyncStatus::Online
    })
    .await;

    // Someone writes a row of their own at the head: its hash is not its content's.
    let head = db.scalar("SELECT max(seq) FROM cockpit.entries").await;
    let bad = head + 1;
    db.exec(&format!(
        "INSERT INTO cockpit.entries (seq, at_ms, actor, kind, body, prev_hash, hash, origin, \
         origin_seq, origin_prev_hash, origin_hash) \
         SELECT {bad}, 0, 'mallory', 'note_added', '{{}}', hash, repeat('0', 64), 'evil', 1, \
                'GENESIS', repeat('0', 64) FROM cockpit.entries WHERE seq = {head}; \
         SELECT pg_notify('cockpit_journal', '{bad}')"
    ))
    .await;
    let expected = format!("shared journal broken at entry #{bad}: ");
    bob.until(
        "seeing the break",
        |p| matches!(&p.status, SyncStatus::Broken(why) if why.starts_with(&expected)),
    )
    .await;
    alice
        .until(
            "seeing the break",
            |p| matches!(&p.status, SyncStatus::Broken(why) if why.starts_with(&expected)),
        )
        .await;

    // Both go on working: their entries are acknowledged locally and still go up.
    for n in 3..6 {
        alice.note(&format!("alice {n}")).await;
    }
    bob.note("bob 1").await;
    uploaded(&store, &alice.origin(), alice.written as u64).await;
    uploaded(&store, &bob.origin(), bob.written as u64).await;

    // Nothing from the break on was applied: not the row, not what came after it.
    bob.drain();
    alice.drain();
    for peer in [&bob, &alice] {
        assert!(
            peer.seen.iter().all(|s| s.entry.seq < bad as u64),
            "{}: applied from the break on: {:?}",
            peer.actor,
            peer.seen.iter().map(|s| s.entry.seq).collect::<Vec<_>>()
        );
        assert_eq!(peer.seen.len(), 4, "{}", peer.actor);
        assert!(
            matches!(&peer.status, SyncStatus::Broken(why) if why.starts_with(&expected)),
            "{}: {:?}",
            peer.actor,
            peer.status
        );
    }

    // The operator sees it on the status line.
    let (mut app, _journal) = open_incident(
        &dir.path().join("screen.db"),
        INVENTORY,
        PLAYBOOK,
        "web down",
    )
    .await;
    app.shared = Some(SharedView::new("team".into(), Vec::new()));
    app.on_event(Event::Shared(SyncReport::Status(bob.status.clone())));
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 30)).expect("terminal");
    terminal
        .draw(|f| cockpit::ui::draw::draw(f, &app))
        .expect("draw");
    let status: String = (0..200)
        .map(|x| terminal.backend().buffer()[(x, 0)].symbol().to_string())
        .collect();
    assert!(status.contains(&expected), "{status}");
    assert!(status.contains("; working locally"), "{status}");

    alice.stop().await;
    bob.stop().await;
    store.close().await;
}
