//! The real binary on a shared journal, in tmux: two `cockpit demo --journal postgres://…`
//! (each with its own `--local-journal`) on a fresh database see each other's incident and
//! step live; a cockpit whose PostgreSQL cannot be reached starts at once, works offline and
//! says so, on screen and at exit. The password never reaches the screen.

use crate::support::dbservers;
use crate::support::tmux;

use dbservers::{Kind, TestDb};
use tmux::{REACT, STARTUP, Sandbox, Session};

const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;

/// A fresh database on the test PostgreSQL (the runtime is kept so its drop can clean up).
fn fresh_db() -> (tokio::runtime::Runtime, TestDb) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let db = rt.block_on(TestDb::create(Kind::Postgres));
    (rt, db)
}

/// `cockpit demo` on the shared journal `url`, with its local journal in its sandbox.
fn start_on(sb: &mut Sandbox, url: &str) -> Session {
    let local = sb.root.join("local.db").display().to_string();
    sb.journal = url.into();
    sb.start_cockpit(WIDTH, HEIGHT, false, &["demo", "--local-journal", &local])
}

fn status_line(screen: &str) -> &str {
    screen.lines().next().unwrap_or("")
}

/// `q`, then `y` when an incident is open; returns the last screen.
fn quit(s: &Session, incident_open: bool) -> String {
    s.keys(&["q"]);
    if incident_open {
        s.wait_for_re(r"Quit cockpit\?", REACT);
        s.keys(&["y"]);
    }
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "cockpit exited with {status}:\n{screen}");
    screen
}

#[test]
fn two_cockpits_on_one_shared_journal_see_each_others_incident_live() {
    let (_rt, db) = fresh_db();
    let url = db.url.to_string();
    let password = db.url.password().unwrap_or("").to_string();
    let mut alice_box = Sandbox::new("shared-alice");
    let mut bob_box = Sandbox::new("shared-bob");
    let alice = start_on(&mut alice_box, &url);
    let bob = start_on(&mut bob_box, &url);
    for s in [&alice, &bob] {
        s.wait_for("the `shared ✓` mark on the status line", STARTUP, |sc| {
            status_line(sc).contains("shared ✓")
        });
    }

    alice.keys(&["o"]);
    alice.wait_for_re("Open an incident", REACT);
    alice.keys(&["Enter"]);
    let screen = alice.wait_for_re(r"INC-\d{8}-\d{4}", REACT);
    let id = regex::Regex::new(r"INC-\d{8}-\d{4}(-\d+)?")
        .expect("regex")
        .find(status_line(&screen))
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| panic!("no incident on alice's status line:\n{screen}"));
    bob.wait_for(
        &format!("alice's incident {id} on bob's screen"),
        REACT,
        |sc| status_line(sc).contains(&id) && sc.contains("0/"),
    );

    // Bob ticks the first step; alice sees it done.
    bob.keys(&["Space"]);
    bob.wait_for("bob's tick", REACT, |sc| sc.contains("[x]"));
    alice.wait_for("bob's tick on alice's screen", REACT, |sc| {
        sc.contains("[x]") && sc.contains("1/")
    });

    let alice_end = quit(&alice, true);
    let bob_end = quit(&bob, true);
    for (who, end) in [("alice", &alice_end), ("bob", &bob_end)] {
        assert!(
            end.contains("local.db") && end.contains("shared journal postgres://"),
            "{who}'s exit names the local file and the shared journal:\n{end}"
        );
        assert!(
            password.is_empty() || !end.contains(&format!(":{password}@")),
            "{who}'s exit shows the password:\n{end}"
        );
    }

    for (who, sb) in [("alice", &alice_box), ("bob", &bob_box)] {
        let log = std::fs::read_to_string(&sb.log).unwrap_or_default();
        assert!(!log.is_empty(), "{who} wrote no log");
        assert!(
            password.is_empty() || !log.contains(&password),
            "{who}'s log shows the shared journal's password"
        );
    }

    let verify = std::process::Command::new(tmux::COCKPIT)
        .args(["journal", "verify", &url])
        .output()
        .expect("run cockpit journal verify");
    assert_eq!(
        verify.status.code(),
        Some(0),
        "the shared journal verifies:\n{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
}

#[test]
fn a_cockpit_whose_postgres_is_unreachable_starts_offline_and_says_so() {
    let port = dbservers::free_port();
    let url = format!("postgres://cockpit_test:cockpit_test@127.0.0.1:{port}/nowhere");
    let mut sb = Sandbox::new("shared-offline");
    let s = start_on(&mut sb, &url);
    s.wait_until_fleet_up();
    s.wait_for("the offline mark with entries waiting", REACT, |sc| {
        status_line(sc).contains("shared journal offline, ") && status_line(sc).contains("waiting")
    });
    s.keys(&["o"]);
    s.wait_for_re("Open an incident", REACT);
    s.keys(&["Enter"]);
    s.wait_for_re(r"INC-\d{8}-\d{4}", REACT);
    let end = quit(&s, true);
    assert!(
        end.contains("not reachable at exit") && end.contains("local.db"),
        "the exit says the entries wait in the local journal:\n{end}"
    );
    assert!(!end.contains(":cockpit_test@"), "password shown:\n{end}");
}
