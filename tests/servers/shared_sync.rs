//! The live link to the shared journal, against the real PostgreSQL the test command starts
//! (a fresh database per test): cockpits uploading their local journals at once see each
//! other's entries, and a cockpit cut off from PostgreSQL (through a proxy the test cuts and
//! restores) keeps its entries waiting and catches up with nothing lost, duplicated or
//! reordered.

use crate::support::dbservers;
use crate::support::journal_files::reopen;
use crate::support::sync_peer;

use cockpit::core::journal::{Integrity, Record};
use cockpit::core::redact::Redactor;
use cockpit::io::journal_store::JournalStore;
use cockpit::io::shared::{SharedStore, SharedTarget, SyncStatus};
use dbservers::{Kind, TestDb};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use sync_peer::Peer;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The whole shared journal, read and verified.
async fn read_store(url: &str) -> cockpit::core::shared_chain::SharedAssessed {
    let target = SharedTarget {
        url: url.to_string(),
        password: None,
    };
    let store = SharedStore::connect(&target, Duration::from_secs(30))
        .await
        .expect("connect");
    let all = store.read_all().await.expect("read all");
    store.close().await;
    all
}

/// Every origin's entries are there once, numbered 1, 2, 3… in the shared order, and the
/// shared chain verifies; returns the count per origin.
fn check_store(all: &cockpit::core::shared_chain::SharedAssessed) -> BTreeMap<String, u64> {
    assert_eq!(
        all.integrity,
        Integrity::Intact,
        "the shared chain verifies"
    );
    assert_eq!(all.entries.len(), all.stored, "every row verified");
    let mut next: BTreeMap<String, u64> = BTreeMap::new();
    for (i, s) in all.entries.iter().enumerate() {
        assert_eq!(s.entry.seq, i as u64 + 1, "shared seq without gaps");
        let n = next.entry(s.origin.journal.clone()).or_insert(0);
        *n += 1;
        assert_eq!(
            s.origin.seq, *n,
            "origin {} in its own order, each entry once",
            s.origin.journal
        );
    }
    next
}

/// Forty notes, letting the other cockpit write in between.
async fn write_many(peer: &mut Peer) {
    let actor = peer.actor.clone();
    for i in 0..40 {
        peer.note(format!("{actor} note {i}")).await;
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_cockpits_appending_at_once_see_each_other_and_the_store_holds_each_entry_once() {
    let db = TestDb::create(Kind::Postgres).await;
    let url = db.url.to_string();
    let dir = tempfile::tempdir().expect("dir");
    let mut alice = Peer::start_session("alice@one", &url, dir.path()).await;
    let mut bob = Peer::start_session("bob@two", &url, dir.path()).await;
    alice
        .until("online", |p| p.status == SyncStatus::Online)
        .await;
    bob.until("online", |p| p.status == SyncStatus::Online)
        .await;

    tokio::join!(write_many(&mut alice), write_many(&mut bob));

    let (a, b) = (alice.origin(), bob.origin());
    let (a_total, b_total) = (alice.written, bob.written);
    alice
        .until("seeing all of bob's entries and its own", |p| {
            p.seen_from(&b) == b_total && p.seen_from(&a) == a_total
        })
        .await;
    bob.until("seeing all of alice's entries and its own", |p| {
        p.seen_from(&a) == a_total && p.seen_from(&b) == b_total
    })
    .await;
    assert_eq!(
        alice.order(),
        bob.order(),
        "both see the same shared journal, in the same order"
    );
    alice.stop().await;
    bob.stop().await;

    let counts = check_store(&read_store(&url).await);
    assert_eq!(counts.get(&a), Some(&(a_total as u64)));
    assert_eq!(counts.get(&b), Some(&(b_total as u64)));
}

/// A TCP proxy on loopback to PostgreSQL that the test can cut (every connection dropped, new
/// ones refused) and restore.
struct Proxy {
    port: u16,
    up: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(to: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let (up, up_rx) = watch::channel(true);
        let up_rx = Arc::new(up_rx);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if !*up_rx.borrow() {
                    drop(client);
                    continue;
                }
                let mut cut = (*up_rx).clone();
                let to = to.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&to).await else {
                        return;
                    };
                    let mut client = client;
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Proxy { port, up, task }
    }

    fn cut(&self) {
        self.up.send_replace(false);
    }

    fn restore(&self) {
        self.up.send_replace(true);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cockpit_cut_off_keeps_its_entries_waiting_and_catches_up_when_postgres_returns() {
    let db = TestDb::create(Kind::Postgres).await;
    let direct = db.url.to_string();
    let pg = format!(
        "{}:{}",
        db.url.host_str().unwrap_or("127.0.0.1"),
        db.url.port().unwrap_or(5432)
    );
    let proxy = Proxy::start(pg).await;
    let mut via_proxy = db.url.clone();
    via_proxy.set_host(Some("127.0.0.1")).expect("host");
    via_proxy.set_port(Some(proxy.port)).expect("port");
    let dir = tempfile::tempdir().expect("dir");
    let mut alice = Peer::start_session("alice@one", via_proxy.as_str(), dir.path()).await;
    let mut bob = Peer::start_session("bob@two", &direct, dir.path()).await;
    for i in 0..5 {
        alice.note(format!("alice before {i}")).await;
        bob.note(format!("bob before {i}")).await;
    }
    let (a, b) = (alice.origin(), bob.origin());
    let (a_total, b_total) = (alice.written, bob.written);
    alice
        .until("online with everything seen", |p| {
            p.status == SyncStatus::Online
                && p.seen_from(&b) == b_total
                && p.seen_from(&a) == a_total
        })
        .await;
    bob.until("seeing alice's first entries", |p| {
        p.seen_from(&a) == a_total
    })
    .await;

    // PostgreSQL goes away for alice: she keeps working; her entries wait.
    proxy.cut();
    for i in 0..10 {
        alice.note(format!("alice offline {i}")).await;
        bob.note(format!("bob meanwhile {i}")).await;
    }
    alice
        .until("offline with 10 entries waiting", |p| {
            matches!(p.status, SyncStatus::Offline { waiting: 10, .. })
        })
        .await;
    assert_eq!(alice.seen_from(&a), a_total, "nothing of hers went up");

    // It comes back: she catches up, and each sees all of the other's entries.
    proxy.restore();
    let (a_total, b_total) = (alice.written, bob.written);
    alice
        .until("online again with bob's entries", |p| {
            p.status == SyncStatus::Online
                && p.seen_from(&b) == b_total
                && p.seen_from(&a) == a_total
        })
        .await;
    bob.until("seeing alice's waiting entries and all its own", |p| {
        p.seen_from(&a) == a_total && p.seen_from(&b) == b_total
    })
    .await;
    assert!(
        alice
            .statuses
            .iter()
            .any(|s| matches!(s, SyncStatus::Offline { .. })),
        "the outage was reported"
    );
    assert_eq!(alice.order(), bob.order(), "both see one shared order");
    alice.stop().await;
    bob.stop().await;

    let counts = check_store(&read_store(&direct).await);
    assert_eq!(counts.get(&a), Some(&(a_total as u64)));
    assert_eq!(counts.get(&b), Some(&(b_total as u64)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_written_before_the_link_started_are_caught_up_from_the_local_journal() {
    let db = TestDb::create(Kind::Postgres).await;
    let url = db.url.to_string();
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("carol.db");
    // A session that never reached the store (it was down the whole time).
    {
        let (mut journal, _) = reopen(|| JournalStore::open(&path, true, Redactor::default()))
            .await
            .expect("open");
        for i in 0..7 {
            journal
                .append(
                    1_000 + i,
                    "carol@three",
                    &Record::NoteAdded {
                        broadcast: false,
                        incident: "INC-1".into(),
                        text: format!("while offline {i}"),
                    },
                )
                .await
                .expect("append");
        }
        journal.close().await;
    }
    // The next start uploads them before (and with) the new ones.
    let (journal, _) = reopen(|| JournalStore::open(&path, true, Redactor::default()))
        .await
        .expect("reopen");
    let mut carol = Peer::link("carol@three", &url, path, journal, 7);
    carol.note("back online").await;
    let origin = carol.origin();
    carol
        .until("all 8 entries in the store", |p| p.seen_from(&origin) == 8)
        .await;
    carol.stop().await;
    let counts = check_store(&read_store(&url).await);
    assert_eq!(counts.get(&origin), Some(&8));
}
