//! Claims and presence against the real PostgreSQL the test command starts: of two cockpits
//! claiming a step at once exactly one gets it, a lease whose holder went away is taken over,
//! a released step is free, and a session shows up and goes.

use crate::support::dbservers;

use cockpit::core::team::{Claim, Present, others_on};
use cockpit::io::shared::claims::{self, LEASE, StepClaim};
use cockpit::io::shared::presence;
use cockpit::io::shared::schema::{CLAIMS_CHANNEL, CREATE_STATEMENTS, PRESENCE_CHANNEL};
use dbservers::{Kind, TestDb};
use sqlx::PgPool;
use std::time::{Duration, Instant};

/// Time limit of each store call here: generous, so a busy machine does not fail the tests
/// (the cockpit's own limits are 2 s).
const T: Duration = Duration::from_secs(30);

/// A fresh database with the shared schema, and a pool on it.
async fn shared_db() -> (TestDb, PgPool) {
    let db = TestDb::create(Kind::Postgres).await;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(8)
        .connect(db.url.as_str())
        .await
        .expect("pool on the test database");
    for statement in CREATE_STATEMENTS {
        sqlx::query(sqlx::AssertSqlSafe(*statement))
            .execute(&pool)
            .await
            .expect("schema");
    }
    (db, pool)
}

fn step<'a>(incident: &'a str, step: &'a str, holder: &'a str, session: &'a str) -> StepClaim<'a> {
    StepClaim {
        incident,
        step,
        holder,
        session,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_sessions_claiming_at_once_exactly_one_runs_the_step() {
    let (_db, pool) = shared_db().await;
    for round in 0..60 {
        let name = format!("restart-{round}");
        let alice = step("INC-1", &name, "alice@b1", "session-alice");
        let bob = step("INC-1", &name, "bob@bastion-2", "session-bob");
        let (a, b) = tokio::join!(
            claims::claim(&pool, &alice, LEASE, T),
            claims::claim(&pool, &bob, LEASE, T),
        );
        let (a, b) = (a.expect("alice's claim"), b.expect("bob's claim"));
        match (&a, &b) {
            (Claim::Granted, Claim::HeldBy { holder, .. }) => assert_eq!(holder, "alice@b1"),
            (Claim::HeldBy { holder, .. }, Claim::Granted) => {
                assert_eq!(holder, "bob@bastion-2")
            }
            other => panic!("round {round}: not exactly one granted: {other:?}"),
        }
        // The same session claiming again keeps it; the other is still refused.
        let winner = if a == Claim::Granted { &alice } else { &bob };
        let loser = if a == Claim::Granted { &bob } else { &alice };
        assert_eq!(
            claims::claim(&pool, winner, LEASE, T).await.expect("again"),
            Claim::Granted
        );
        assert!(matches!(
            claims::claim(&pool, loser, LEASE, T).await.expect("again"),
            Claim::HeldBy { .. }
        ));
    }
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM cockpit.claims")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(rows, 60);
}

#[tokio::test]
async fn a_refusal_says_who_holds_the_step_and_for_how_long_on_the_database_clock() {
    let (_db, pool) = shared_db().await;
    let bob = step("INC-1", "failover", "bob@bastion-2", "session-bob");
    assert_eq!(
        claims::claim(&pool, &bob, LEASE, T).await.expect("claim"),
        Claim::Granted
    );
    // Bob has held it for 12 s as the database sees it.
    sqlx::query("UPDATE cockpit.claims SET claimed_at = now() - interval '12.4 seconds'")
        .execute(&pool)
        .await
        .expect("age");
    let alice = step("INC-1", "failover", "alice@b1", "session-alice");
    assert_eq!(
        claims::claim(&pool, &alice, LEASE, T).await.expect("claim"),
        Claim::HeldBy {
            holder: "bob@bastion-2".into(),
            for_secs: 12
        }
    );
    // Another step of the same incident, and the same step of another, are free.
    let other_step = step("INC-1", "verify", "alice@b1", "session-alice");
    let other_incident = step("INC-2", "failover", "alice@b1", "session-alice");
    for free in [other_step, other_incident] {
        assert_eq!(
            claims::claim(&pool, &free, LEASE, T).await.expect("claim"),
            Claim::Granted
        );
    }
}

#[tokio::test]
async fn a_lease_whose_holder_went_away_is_taken_over_and_a_renewal_keeps_it() {
    let (_db, pool) = shared_db().await;
    let bob = step("INC-1", "failover", "bob@bastion-2", "session-bob");
    let alice = step("INC-1", "failover", "alice@b1", "session-alice");
    // Bob holds it with a one-second lease and renews it: Alice is refused meanwhile.
    let short = Duration::from_secs(1);
    assert_eq!(
        claims::claim(&pool, &bob, short, T).await.expect("claim"),
        Claim::Granted
    );
    assert!(claims::renew(&pool, &bob, short, T).await.expect("renew"));
    assert!(matches!(
        claims::claim(&pool, &alice, LEASE, T).await.expect("claim"),
        Claim::HeldBy { .. }
    ));
    // Bob's cockpit is gone: no more renewals. Once the lease ends (database clock) Alice
    // gets the step.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match claims::claim(&pool, &alice, LEASE, T).await.expect("claim") {
            Claim::Granted => break,
            Claim::HeldBy { holder, .. } => {
                assert_eq!(holder, "bob@bastion-2");
                assert!(Instant::now() < deadline, "bob's lease never ended");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    // Bob comes back: his renewal says the step is not his any more, and he is refused.
    assert!(!claims::renew(&pool, &bob, LEASE, T).await.expect("renew"));
    assert!(matches!(
        claims::claim(&pool, &bob, LEASE, T).await.expect("claim"),
        Claim::HeldBy { holder, .. } if holder == "alice@b1"
    ));
}

#[tokio::test]
async fn a_released_step_is_free_and_only_its_holder_releases_it() {
    let (_db, pool) = shared_db().await;
    let mut listener = sqlx::postgres::PgListener::connect_with(&pool)
        .await
        .expect("listener");
    listener.listen(CLAIMS_CHANNEL).await.expect("listen");
    let bob = step("INC-1", "failover", "bob@bastion-2", "session-bob");
    let alice = step("INC-1", "failover", "alice@b1", "session-alice");
    assert_eq!(
        claims::claim(&pool, &bob, LEASE, T).await.expect("claim"),
        Claim::Granted
    );
    let note = tokio::time::timeout(Duration::from_secs(30), listener.recv())
        .await
        .expect("a claim is announced")
        .expect("notification");
    assert_eq!(note.payload(), "INC-1");
    // Alice's release of a step she does not hold changes nothing.
    claims::release(&pool, &alice, Duration::ZERO, T)
        .await
        .expect("release");
    assert!(matches!(
        claims::claim(&pool, &alice, LEASE, T).await.expect("claim"),
        Claim::HeldBy { .. }
    ));
    // Bob's run ends: the step stays his for the grace (his step's end is on its way to the
    // others), then it is free; Bob himself may run it again at once.
    claims::release(&pool, &bob, claims::RELEASE_GRACE, T)
        .await
        .expect("release");
    let note = tokio::time::timeout(Duration::from_secs(30), listener.recv())
        .await
        .expect("a release is announced")
        .expect("notification");
    assert_eq!(note.payload(), "INC-1");
    assert!(matches!(
        claims::claim(&pool, &alice, LEASE, T).await.expect("claim"),
        Claim::HeldBy { holder, .. } if holder == "bob@bastion-2"
    ));
    let deadline = Instant::now() + Duration::from_secs(30);
    while claims::claim(&pool, &alice, LEASE, T).await.expect("claim") != Claim::Granted {
        assert!(Instant::now() < deadline, "the grace never ended");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(matches!(
        claims::claim(&pool, &bob, LEASE, T).await.expect("claim"),
        Claim::HeldBy { holder, .. } if holder == "alice@b1"
    ));
    claims::release(&pool, &alice, Duration::ZERO, T)
        .await
        .expect("release");
    let note = tokio::time::timeout(Duration::from_secs(30), listener.recv())
        .await
        .expect("a release is announced")
        .expect("notification");
    assert_eq!(note.payload(), "INC-1");
    assert_eq!(
        claims::claim(&pool, &bob, LEASE, T).await.expect("claim"),
        Claim::Granted,
        "released without grace: free at once"
    );
    claims::release(&pool, &bob, Duration::ZERO, T)
        .await
        .expect("release");
    // At quit every claim of the session goes.
    let second = step("INC-2", "verify", "alice@b1", "session-alice");
    claims::claim(&pool, &alice, LEASE, T).await.expect("claim");
    claims::claim(&pool, &second, LEASE, T)
        .await
        .expect("claim");
    claims::release_all(&pool, "session-alice", T)
        .await
        .expect("release all");
    for free in [
        &bob,
        &step("INC-2", "verify", "bob@bastion-2", "session-bob"),
    ] {
        assert_eq!(
            claims::claim(&pool, free, LEASE, T).await.expect("claim"),
            Claim::Granted
        );
    }
}

fn me(session: &str, operator: &str, role: &str, incident: Option<&str>) -> Present {
    Present {
        session: session.into(),
        operator: operator.into(),
        role: role.into(),
        incident: incident.map(str::to_string),
    }
}

#[tokio::test]
async fn presence_appears_follows_the_incident_and_disappears() {
    let (_db, pool) = shared_db().await;
    let mut listener = sqlx::postgres::PgListener::connect_with(&pool)
        .await
        .expect("listener");
    listener.listen(PRESENCE_CHANNEL).await.expect("listen");
    let alice = me("s-alice", "alice@b1", "commander", Some("INC-1"));
    let bob = me("s-bob", "bob@bastion-2", "operator", Some("INC-1"));
    let carol = me("s-carol", "carol@b3", "observer", Some("INC-2"));
    for p in [&alice, &bob, &carol] {
        presence::heartbeat(&pool, p, T).await.expect("heartbeat");
        let note = tokio::time::timeout(Duration::from_secs(30), listener.recv())
            .await
            .expect("a new session is announced")
            .expect("notification");
        assert_eq!(note.payload(), p.session);
    }
    let seen = presence::present(&pool, T).await.expect("present");
    let on_one: Vec<&str> = others_on(&seen, "INC-1", "s-alice")
        .iter()
        .map(|p| p.operator.as_str())
        .collect();
    assert_eq!(on_one, ["bob@bastion-2"]);
    assert_eq!(others_on(&seen, "INC-2", "s-alice").len(), 1);

    // A heartbeat that changes nothing is not announced; moving to another incident is.
    presence::heartbeat(&pool, &bob, T)
        .await
        .expect("heartbeat");
    let moved = me("s-bob", "bob@bastion-2", "operator", Some("INC-2"));
    presence::heartbeat(&pool, &moved, T)
        .await
        .expect("heartbeat");
    let note = tokio::time::timeout(Duration::from_secs(30), listener.recv())
        .await
        .expect("a move is announced")
        .expect("notification");
    assert_eq!(note.payload(), "s-bob");
    // Nothing else was announced before a marker sent afterwards (notifications arrive in
    // commit order).
    sqlx::query("SELECT pg_notify($1, 'marker')")
        .bind(PRESENCE_CHANNEL)
        .execute(&pool)
        .await
        .expect("marker");
    let note = tokio::time::timeout(Duration::from_secs(30), listener.recv())
        .await
        .expect("the marker arrives")
        .expect("notification");
    assert_eq!(note.payload(), "marker");
    let seen = presence::present(&pool, T).await.expect("present");
    assert!(others_on(&seen, "INC-1", "s-alice").is_empty());
    assert_eq!(others_on(&seen, "INC-2", "s-alice").len(), 2);

    // Carol quits: her row goes at once. Bob's cockpit dies: he is gone once not seen for
    // 10 s (his last heartbeat aged on the database clock).
    presence::leave(&pool, "s-carol", T).await.expect("leave");
    sqlx::query("UPDATE cockpit.presence SET seen_at = now() - interval '11 seconds' WHERE session = 's-bob'")
        .execute(&pool)
        .await
        .expect("age");
    let seen = presence::present(&pool, T).await.expect("present");
    let sessions: Vec<&str> = seen.iter().map(|p| p.session.as_str()).collect();
    assert_eq!(sessions, ["s-alice"]);
}

#[tokio::test]
async fn an_unreachable_store_answers_within_the_timeout() {
    // Nothing listens on port 1: the claim gives up at its time limit, as unreachable.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(30))
        .connect_lazy("postgres://nobody:nothing@127.0.0.1:1/none")
        .expect("lazy pool");
    let answer = claims::claim(
        &pool,
        &step("INC-1", "failover", "alice@b1", "s"),
        LEASE,
        claims::CLAIM_TIMEOUT,
    )
    .await;
    assert!(
        matches!(
            answer,
            Err(cockpit::io::shared::SharedError::Unreachable(_))
        ),
        "{answer:?}"
    );
}
