//! End-to-end, a team on one incident: three real `cockpit demo` processes in tmux (alice the
//! commander, bob an operator, carol an observer), each with its own local journal, on one
//! shared journal in a private PostgreSQL 15 cluster the test owns (tests/support/private_pg.rs).
//!
//! Alice opens an incident and bob and carol see it; alice and bob press `r` on the same step
//! at the same moment and exactly one run of it reaches the shared journal, the other screen
//! saying who is running it; carol's acting keys are refused. Then PostgreSQL is stopped in the
//! middle of the incident: alice and bob keep working, their screens say the shared journal is
//! offline with entries waiting; PostgreSQL starts again and they catch up. At the end every
//! entry of every operator's local journal is in the shared journal exactly once and in that
//! operator's order, `cockpit journal verify postgres://…` passes, and so does each local
//! journal.
//!
//! Needs tmux and PostgreSQL 15's binaries (scripts/test.sh installs both); fails, never skips,
//! without them. Every wait polls the screen or the store with a generous deadline.

use crate::support::private_pg;
use crate::support::tmux;

use private_pg::PrivatePg;
use regex::Regex;
use std::process::Command;
use std::time::Duration;
use tmux::{COCKPIT, REACT, STARTUP, Sandbox, Session, read_journal};

const WIDTH: u16 = 250;
const HEIGHT: u16 = 50;
/// Catching up after PostgreSQL returns (the uploader backs off up to a few seconds).
const CATCH_UP: Duration = Duration::from_secs(60);
/// A step of the drill runs for 6 s: its end, on a busy machine.
const STEP_RUN: Duration = Duration::from_secs(90);
const REFUSAL: &str = "observer: read-only";
const ONLINE: &str = "shared ✓";

/// The drill's playbook, in each operator's config folder: its first step runs for seconds,
/// long enough for two operators to reach for it at the same time on a busy machine.
const PLAYBOOK: &str = r#"
id = "team-drill"
title = "Team drill: checkout workers"
severity = "P2"

[[steps]]
id = "drain"
title = "Drain the checkout workers"
kind = "command"
role = "app-primary"
run = "sleep 6; echo drained"
timeout_secs = 120
expect = { exit = 0 }
detail = "Stops new checkouts reaching the workers, then waits for the running ones."

[[steps]]
id = "tell-desk"
title = "Tell the customer desk"
kind = "manual"
detail = "Say checkout is degraded and when the next update comes."

[[steps]]
id = "confirm"
title = "Checkout answers again"
kind = "manual"
detail = "Watch the 502 rate fall."
"#;
const PLAYBOOK_TITLE: &str = "Team drill: checkout workers";

/// One operator: a sandbox of its own (HOME, local journal, log) and its cockpit in tmux.
struct Member {
    name: &'static str,
    sandbox: Sandbox,
    session: Session,
}

fn start_member(url: &str, name: &'static str, role: &str) -> Member {
    let sandbox = Sandbox::new(&format!("team-{name}")).with_shared_journal(url);
    let playbooks = sandbox.root.join("home/.config/cockpit/playbooks");
    std::fs::create_dir_all(&playbooks).expect("playbooks folder");
    std::fs::write(playbooks.join("team-drill.toml"), PLAYBOOK).expect("write the playbook");
    let session = sandbox.start_cockpit(
        WIDTH,
        HEIGHT,
        false,
        &["demo", "--operator", name, "--role", role],
    );
    session.wait_for(
        &format!("{name}'s cockpit online on the shared journal"),
        STARTUP,
        |sc| sc.contains(ONLINE) && sc.contains("1 Hosts"),
    );
    Member {
        name,
        sandbox,
        session,
    }
}

/// The incident id on the status line (first screen row).
fn incident_on_status_line(screen: &str) -> Option<String> {
    let first = screen.lines().next()?;
    Regex::new(r"INC-[0-9A-Za-z-]*[0-9A-Za-z]")
        .ok()?
        .find(first)
        .map(|m| m.as_str().to_string())
}

/// `done/total` from the Playbook pane head (`· 3/20 done`).
fn progress(screen: &str) -> Option<(usize, usize)> {
    let c = Regex::new(r"(\d+)/(\d+) done").ok()?.captures(screen)?;
    Some((c[1].parse().ok()?, c[2].parse().ok()?))
}

/// `N entries waiting` (or `1 entry waiting`) on the offline mark.
fn waiting(screen: &str) -> Option<u64> {
    let c = Regex::new(r"shared journal offline, (\d+) entr(?:y|ies) waiting")
        .ok()?
        .captures(screen)?;
    c[1].parse().ok()
}

/// One row of the shared journal, as stored.
#[derive(Debug, Clone)]
struct SharedRow {
    seq: i64,
    actor: String,
    kind: String,
    body: String,
    origin: String,
    origin_seq: i64,
    origin_hash: String,
}

fn shared_rows(pg: &PrivatePg, db: &str) -> Vec<SharedRow> {
    let out = pg.sql_as_superuser(
        db,
        "SELECT json_agg(json_build_object('seq', seq, 'actor', actor, 'kind', kind, \
         'body', body, 'origin', origin, 'origin_seq', origin_seq, 'origin_hash', origin_hash) \
         ORDER BY seq) FROM cockpit.entries",
    );
    if out.is_empty() {
        return Vec::new();
    }
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("read cockpit.entries: {e}: {out}"));
    rows.iter()
        .map(|r| SharedRow {
            seq: r["seq"].as_i64().unwrap_or(-1),
            actor: r["actor"].as_str().unwrap_or_default().to_string(),
            kind: r["kind"].as_str().unwrap_or_default().to_string(),
            body: r["body"].as_str().unwrap_or_default().to_string(),
            origin: r["origin"].as_str().unwrap_or_default().to_string(),
            origin_seq: r["origin_seq"].as_i64().unwrap_or(-1),
            origin_hash: r["origin_hash"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

/// `cockpit journal verify <what>`: (exit status, stdout, stderr).
fn verify(what: &str) -> (i32, String, String) {
    let out = Command::new(COCKPIT)
        .args(["journal", "verify", what])
        .output()
        .expect("run cockpit journal verify");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `q` then `y` (an incident is open); waits for a clean exit.
fn quit(m: &Member) {
    m.session.keys(&["q"]);
    m.session
        .wait_for(&format!("{}'s quit question", m.name), REACT, |sc| {
            sc.contains("Quit cockpit?")
        });
    m.session.keys(&["y"]);
    let (status, screen) = m.session.wait_for_exit_status();
    assert_eq!(status, 0, "{} exited with {status}:\n{screen}", m.name);
}

/// Every entry of `m`'s local journal is in the shared journal exactly once, with the same
/// columns, in the local order.
fn assert_uploaded_once_in_order(m: &Member, shared: &[SharedRow]) {
    let local = read_journal(&m.sandbox.journal);
    assert!(!local.is_empty(), "{}'s local journal is empty", m.name);
    let origin = local[0].hash.clone();
    let mine: Vec<&SharedRow> = shared.iter().filter(|r| r.origin == origin).collect();
    let seqs: Vec<i64> = mine.iter().map(|r| r.origin_seq).collect();
    let want: Vec<i64> = local.iter().map(|r| r.seq).collect();
    assert_eq!(
        seqs, want,
        "{}'s entries in the shared journal (by shared order) against its local journal",
        m.name
    );
    for (l, s) in local.iter().zip(&mine) {
        assert_eq!(
            (&l.hash, &l.actor, &l.kind),
            (&s.origin_hash, &s.actor, &s.kind),
            "{}'s entry {} differs in the shared journal",
            m.name,
            l.seq
        );
        let body: serde_json::Value = serde_json::from_str(&s.body).unwrap_or_default();
        assert_eq!(l.body, body, "{}'s entry {} body", m.name, l.seq);
    }
}

/// Runs of `step` (its `step_started` entries) in the shared journal, by actor.
fn runs_of(shared: &[SharedRow], step: &str) -> Vec<String> {
    shared
        .iter()
        .filter(|r| r.kind == "step_started")
        .filter(|r| {
            serde_json::from_str::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|b| b.get("step").and_then(|s| s.as_str()).map(|s| s == step))
                .unwrap_or(false)
        })
        .map(|r| r.actor.clone())
        .collect()
}

#[test]
fn a_team_of_three_shares_one_incident_through_postgres_going_offline_and_back() {
    let mut pg = PrivatePg::start();
    let db = "team";
    let url = pg.create_database(db);

    let alice = start_member(&url, "alice", "commander");
    let bob = start_member(&url, "bob", "operator");
    let carol = start_member(&url, "carol", "observer");

    // Alice opens an incident on the drill's playbook; bob and carol see it.
    alice.session.keys(&["o"]);
    alice
        .session
        .wait_for("alice's open-incident form", REACT, |sc| {
            sc.contains("Open an incident") && sc.contains(PLAYBOOK_TITLE)
        });
    // The drill's playbook is the fifth of the form's list (the demo's four come first); the
    // Playbook pane shows its steps once opened, which is checked below.
    alice.session.keys(&["Down", "Down", "Down", "Down"]);
    alice.session.keys(&["Tab", "Tab"]);
    alice.session.type_text("Team drill: checkout 502s");
    alice.session.keys(&["Enter"]);
    let screen = alice
        .session
        .wait_for("alice's opened incident", REACT, |sc| {
            incident_on_status_line(sc).is_some()
                && matches!(progress(sc), Some((0, n)) if n > 0)
                && sc.contains("Drain the checkout workers")
        });
    let id = incident_on_status_line(&screen).unwrap_or_default();
    let (_, total) = progress(&screen).unwrap_or_default();
    for m in [&bob, &carol] {
        m.session
            .wait_for(&format!("{id} on {}'s screen", m.name), REACT, |sc| {
                incident_on_status_line(sc).as_deref() == Some(id.as_str())
                    && progress(sc) == Some((0, total))
            });
    }

    // Alice and bob press `r` on the first step at the same moment: one of them runs it, the
    // other is told who does.
    for m in [&alice, &bob] {
        m.session.keys(&["3"]);
    }
    std::thread::scope(|scope| {
        for m in [&alice, &bob] {
            scope.spawn(move || m.session.keys(&["r"]));
        }
    });
    let held = Regex::new(r"is running by (alice|bob)@\S+ for \d+ s").ok();
    let told = |sc: &str| {
        held.as_ref()
            .and_then(|re| re.captures(sc))
            .map(|c| c[1].to_string())
    };
    let mut refused: Option<(&str, String)> = None;
    let found = private_pg::wait_until(REACT, || {
        for m in [&alice, &bob] {
            if let Some(holder) = told(&m.session.screen()) {
                refused = Some((m.name, holder));
                return true;
            }
        }
        false
    });
    assert!(
        found,
        "neither screen says who runs the step:\n--- alice ---\n{}\n--- bob ---\n{}",
        alice.session.screen(),
        bob.session.screen()
    );
    let (refused, holder) = refused.unwrap_or_default();
    assert_ne!(refused, holder, "{refused} is told they run it themselves");
    for m in [&alice, &bob, &carol] {
        m.session.wait_for(
            &format!("the drain step done (1/{total}) on {}'s screen", m.name),
            STEP_RUN,
            |sc| progress(sc) == Some((1, total)),
        );
    }
    let runs = runs_of(&shared_rows(&pg, db), "drain");
    assert_eq!(
        runs.len(),
        1,
        "exactly one run of the step in the shared journal: {runs:?}"
    );
    assert!(
        runs[0].starts_with(&format!("{holder}@")),
        "the run is {holder}'s: {runs:?}"
    );

    // The observer's acting keys are refused; nothing changes.
    for key in ["Space", "r", "n", "s"] {
        carol.session.keys(&[key]);
        carol
            .session
            .wait_for(&format!("carol refused `{key}`"), REACT, |sc| {
                sc.contains(REFUSAL)
            });
        carol.session.keys(&["Escape"]);
    }

    // PostgreSQL stops in the middle of the incident. Alice ticks the next step, bob writes a
    // note: both are acknowledged locally and wait to go up.
    pg.stop();
    // Alice's selection may still be on the step bob ran: she moves to the next one.
    if !alice.session.screen().contains("step tell-desk") {
        alice.session.keys(&["Down"]);
    }
    alice
        .session
        .wait_for("alice on the step `tell-desk`", REACT, |sc| {
            sc.contains("step tell-desk")
        });
    alice.session.keys(&["Space"]);
    let screen = alice.session.wait_for(
        "alice's tick acknowledged locally while PostgreSQL is down, with entries waiting",
        REACT,
        |sc| progress(sc) == Some((2, total)) && waiting(sc).is_some_and(|n| n >= 1),
    );
    let alice_waiting = waiting(&screen).unwrap_or_default();
    bob.session.keys(&["n"]);
    let note = "Checkout 502s down to 1% after the tick";
    bob.session.type_text(note);
    bob.session
        .wait_for("bob's note typed", REACT, |sc| sc.contains(note));
    bob.session.keys(&["Enter"]);
    bob.session.wait_for(
        "bob's note acknowledged locally, with entries waiting",
        REACT,
        |sc| waiting(sc).is_some_and(|n| n >= 1),
    );
    // Bob's cockpit works on: it still shows the incident as it knew it.
    let screen = bob.session.screen();
    assert_eq!(
        progress(&screen),
        Some((1, total)),
        "bob cannot see alice's tick while the store is down:\n{screen}"
    );
    carol.session.wait_for(
        "carol's cockpit knowing the shared journal is offline",
        REACT,
        |sc| sc.contains("shared journal offline"),
    );

    // PostgreSQL returns: everyone catches up, nothing waits, everyone sees the tick.
    pg.start_again();
    for m in [&alice, &bob, &carol] {
        m.session.wait_for(
            &format!("{} online again with alice's tick (2/{total})", m.name),
            CATCH_UP,
            |sc| {
                sc.contains(ONLINE)
                    && !sc.contains("shared journal offline")
                    && progress(sc) == Some((2, total))
            },
        );
    }
    assert!(alice_waiting >= 1);

    for m in [&alice, &bob, &carol] {
        quit(m);
    }
    // Each cockpit uploads what it still holds as it quits; the store has it all soon after.
    let local_total: usize = [&alice, &bob, &carol]
        .iter()
        .map(|m| read_journal(&m.sandbox.journal).len())
        .sum();
    let caught_up = private_pg::wait_until(CATCH_UP, || shared_rows(&pg, db).len() >= local_total);
    let shared = shared_rows(&pg, db);
    assert!(
        caught_up,
        "the shared journal has {} entries, the local journals {local_total}",
        shared.len()
    );
    let seqs: Vec<i64> = shared.iter().map(|r| r.seq).collect();
    assert_eq!(
        seqs,
        (1..=shared.len() as i64).collect::<Vec<_>>(),
        "shared seqs"
    );
    for m in [&alice, &bob, &carol] {
        assert_uploaded_once_in_order(m, &shared);
    }
    assert!(
        shared.iter().any(|r| r.kind == "note_added"
            && r.actor.starts_with("bob@")
            && r.body.contains(note)),
        "bob's note written while PostgreSQL was down is in the shared journal"
    );
    assert_eq!(
        runs_of(&shared, "drain").len(),
        1,
        "one run of the step, in the end too"
    );
    // The password was in the URL each cockpit was given: it reaches no log, journal or store.
    for m in [&alice, &bob, &carol] {
        for file in [&m.sandbox.log, &m.sandbox.journal] {
            let bytes = std::fs::read(file).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(pg.password()),
                "the password is in {}",
                file.display()
            );
        }
    }
    assert!(
        !shared.iter().any(|r| r.body.contains(pg.password())),
        "the password is in the shared journal"
    );
    let (status, out, err) = verify(&url);
    assert!(
        !out.contains(pg.password()) && !err.contains(pg.password()),
        "verify shows the password"
    );
    assert_eq!(status, 0, "shared verify failed:\n{out}{err}");
    for m in [&alice, &bob, &carol] {
        let path = m.sandbox.journal.display().to_string();
        let (status, out, err) = verify(&path);
        assert_eq!(status, 0, "{}'s local journal:\n{out}{err}", m.name);
    }
}
