//! The shared journal on the real PostgreSQL the test command starts: appends, reads,
//! concurrent appenders, tampering caught by `cockpit journal verify postgres://…`, and a local
//! journal imported and read back exactly as from its file. Each test has a database of its own.

use crate::support::dbservers;
use crate::support::journal_files;

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
    let redactor = Redactor::default();
    let mut out: Vec<Entry> = Vec::new();
    for i in 0..n {
        let record = Record::NoteAdded {
            broadcast: false,
            incident: "INC-1".into(),
            text: format!("{actor} note {i}"),
        };
        let prev = out.last().map(|e| (e.seq, e.hash.as_str()));
        let e = Entry::seal(prev, 1_000 + i as i64, actor, &record, &redactor).expect("seal");
        out.push(e);
    }
    out
}

#[tokio::test]
async fn appended_entries_read_back_verified_and_a_second_append_adds_nothing() {
    let db = TestDb::create(Kind::Postgres).await;
    let store = SharedStore::connect(&target(&db), TIMEOUT)
        .await
        .expect("connect");
    let local = local_journal(5, "alice@one");
    let origin = local[0].hash.clone();
    assert_eq!(store.uploaded_through(&origin).await.expect("through"), 0);

    let written = store
        .append_from(&origin, &local[..3])
        .await
        .expect("append");
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
            let store = SharedStore::connect(&target, TIMEOUT)
                .await
                .expect("connect");
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

/// Runs the real binary; (status, stdout, stderr).
fn cockpit(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(args)
        .current_dir(journal_files::root())
        .env("NO_COLOR", "1")
        .env_remove("PGPASSWORD")
        .output()
        .expect("run cockpit");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A store holding two operators' interleaved journals (6 entries each), returned with its URL.
async fn two_operators() -> (TestDb, String) {
    let db = TestDb::create(Kind::Postgres).await;
    let store = SharedStore::connect(&target(&db), TIMEOUT)
        .await
        .expect("connect");
    let a = local_journal(6, "alice@one");
    let b = local_journal(6, "bob@two");
    for i in 0..6 {
        store.append_from(&a[0].hash, &a[i..=i]).await.expect("a");
        store.append_from(&b[0].hash, &b[i..=i]).await.expect("b");
    }
    store.close().await;
    let url = db.url.to_string();
    (db, url)
}

/// The password of the test login, which must never be printed.
fn password(db: &TestDb) -> String {
    db.url
        .password()
        .expect("test URL has a password")
        .to_string()
}

/// Output without the login name (the test login's password is its name).
fn without_login(text: &str) -> String {
    text.replace("cockpit_test@", "USER@")
}

#[tokio::test]
async fn verify_of_an_intact_shared_journal_names_its_operators() {
    let (db, url) = two_operators().await;
    let (code, out, err) = cockpit(&["journal", "verify", &url]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(": OK, 12 entries, chain intact"), "{out}");
    assert!(
        out.contains("2 operator journal(s), 2 actor(s): alice@one, bob@two"),
        "{out}"
    );
    assert!(out.contains("head "), "{out}");
    assert!(
        !without_login(&format!("{out}{err}")).contains(&password(&db)),
        "{out}{err}"
    );
}

/// Each hostile change written straight into the table, and what verify must say about it.
#[tokio::test]
async fn hostile_rows_are_caught_by_verify() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "a changed body",
            "UPDATE cockpit.entries SET body = replace(body, 'note 2', 'note X') WHERE seq = 5",
            "entry #5: content does not match its hash",
        ),
        (
            "a changed actor",
            "UPDATE cockpit.entries SET actor = 'mallory@evil' WHERE seq = 4",
            "entry #4: content does not match its hash",
        ),
        (
            "a changed origin_seq",
            "UPDATE cockpit.entries SET origin_seq = origin_seq + 100 WHERE seq = 7",
            "entry #7 (entry #104 of journal",
        ),
        (
            "a deleted row",
            "DELETE FROM cockpit.entries WHERE seq = 6",
            "entry #7: expected entry #6 here",
        ),
        (
            "two rows swapped",
            "UPDATE cockpit.entries SET seq = -1 WHERE seq = 3; \
             UPDATE cockpit.entries SET seq = 3 WHERE seq = 4; \
             UPDATE cockpit.entries SET seq = 4 WHERE seq = -1",
            "entry #3: content does not match its hash",
        ),
        (
            "an inserted row",
            "UPDATE cockpit.entries SET seq = seq + 1000 WHERE seq >= 9; \
             UPDATE cockpit.entries SET seq = seq - 999 WHERE seq >= 1009; \
             INSERT INTO cockpit.entries SELECT 9, at_ms, actor, kind, body, prev_hash, hash, \
             origin, origin_seq + 50, origin_prev_hash, origin_hash FROM cockpit.entries WHERE seq = 8",
            "entry #9: content does not match its hash",
        ),
    ];
    for (what, sql, expected) in cases {
        let (db, url) = two_operators().await;
        db.exec(sql).await;
        let (code, out, err) = cockpit(&["journal", "verify", &url]);
        assert_eq!(code, 2, "{what}: {out}{err}");
        assert!(out.contains(": BROKEN: "), "{what}: {out}");
        assert!(
            out.contains(expected),
            "{what}: expected {expected:?} in {out}"
        );
        let (code, _, err) = cockpit(&["report", &url]);
        assert_eq!(code, 2, "{what}: report {err}");
        assert!(err.contains("refusing to use it"), "{what}: {err}");
    }
}

/// A forger who reseals the shared chain after an edit is caught by the origin seals.
#[tokio::test]
async fn an_edit_resealed_in_the_shared_chain_is_caught_by_its_origin_seal() {
    let (db, url) = two_operators().await;
    db.exec("UPDATE cockpit.entries SET body = replace(body, 'note 2', 'note X') WHERE seq = 5")
        .await;
    // Reseal every shared hash from entry 5 on, as someone with write access could.
    let store = SharedStore::connect(&target(&db), TIMEOUT)
        .await
        .expect("connect");
    let rows: Vec<(i64, i64, String, String, String)> =
        sqlx::query_as("SELECT seq, at_ms, actor, kind, body FROM cockpit.entries ORDER BY seq")
            .fetch_all(store.pool())
            .await
            .expect("rows");
    let mut prev = cockpit::core::journal::GENESIS_HASH.to_string();
    for (seq, at_ms, actor, kind, body) in rows {
        let hash = cockpit::core::journal::HashRule::Full
            .hash(seq as u64, at_ms, &actor, &kind, &body, &prev);
        sqlx::query("UPDATE cockpit.entries SET prev_hash = $1, hash = $2 WHERE seq = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(seq)
            .execute(store.pool())
            .await
            .expect("reseal");
        prev = hash;
    }
    store.close().await;
    let (code, out, err) = cockpit(&["journal", "verify", &url]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("entry #5 (entry #3 of journal"), "{out}");
    assert!(
        out.contains("its origin seal does not match its content"),
        "{out}"
    );
}

#[tokio::test]
async fn an_imported_journal_reads_from_postgres_as_from_its_file() {
    let db = TestDb::create(Kind::Postgres).await;
    let url = db.url.to_string();
    let file = "tests/fixtures/journals/signed/drill.db";
    let (code, out, err) = cockpit(&["journal", "import", file, &url]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("89 entries verified; 89 copied"), "{out}");
    let (code, out, err) = cockpit(&["journal", "import", file, &url]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("0 copied") && out.contains("89 already there"),
        "{out}"
    );
    assert_eq!(db.scalar("SELECT count(*) FROM cockpit.entries").await, 89);

    let (code, out, err) = cockpit(&["journal", "verify", &url]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("OK, 89 entries, chain intact"), "{out}");
    assert!(out.contains("1 operator journal(s)"), "{out}");

    let label = without_login(&url.replace(&format!(":{}@", password(&db)), "@"));
    let same = |args: &[&str]| {
        let from_file: Vec<&str> = args
            .iter()
            .map(|a| if *a == "J" { file } else { a })
            .collect();
        let from_pg: Vec<&str> = args
            .iter()
            .map(|a| if *a == "J" { url.as_str() } else { a })
            .collect();
        let (fc, fo, fe) = cockpit(&from_file);
        let (pc, po, pe) = cockpit(&from_pg);
        assert_eq!(fc, 0, "{args:?} from the file: {fe}");
        assert_eq!(pc, 0, "{args:?} from PostgreSQL: {pe}");
        // The shared chain seals the same entries with hashes of its own.
        // Table columns are as wide as the journal's name.
        let hashes = regex::Regex::new("[0-9a-f]{16,64}").expect("regex");
        let padding = regex::Regex::new("[ ─-]{2,}").expect("regex");
        let shown = |t: &str| {
            let t = without_login(&t.replace("\\_", "_")).replace(&label, "JOURNAL");
            let t = hashes.replace_all(&t, "HASH");
            padding.replace_all(&t, " ").into_owned()
        };
        let file_name = std::path::Path::new(file)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(file);
        let fo = fo.replace(file, "JOURNAL").replace(file_name, "JOURNAL");
        let (fo, po) = (shown(&fo), shown(&po));
        for (f, p) in fo.lines().zip(po.lines()) {
            assert_eq!(f, p, "{args:?}");
        }
        assert_eq!(fo.lines().count(), po.lines().count(), "{args:?}");
        assert!(!without_login(&format!("{po}{pe}")).contains(&password(&db)));
    };
    same(&["report", "J"]);
    same(&["report", "J", "--format", "html"]);
    same(&["stats", "J"]);
    same(&["stats", "J", "--format", "json"]);
    same(&["journal", "export", "J", "--format", "jsonl"]);
    same(&["journal", "export", "J", "--format", "asciicast"]);

    // A journal of schema 1 (its hashes leave the kind column out) joins the same store and
    // keeps its own rule in its origin seals.
    let (code, out, err) = cockpit(&["journal", "import", journal_files::DRILL, &url]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = cockpit(&["journal", "verify", &url]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("OK, 176 entries, chain intact"), "{out}");
    assert!(out.contains("2 operator journal(s)"), "{out}");
}

#[tokio::test]
async fn an_append_notifies_the_new_head_at_commit() {
    let db = TestDb::create(Kind::Postgres).await;
    let store = SharedStore::connect(&target(&db), TIMEOUT)
        .await
        .expect("connect");
    let mut listener = sqlx::postgres::PgListener::connect_with(store.pool())
        .await
        .expect("listener");
    listener.listen("cockpit_journal").await.expect("listen");
    let local = local_journal(3, "alice@one");
    store
        .append_from(&local[0].hash, &local)
        .await
        .expect("append");
    let note = tokio::time::timeout(TIMEOUT, listener.recv())
        .await
        .expect("a notification in time")
        .expect("notification");
    assert_eq!(note.payload(), "3");
    // Nothing new: no notification (the next one carries the next head).
    store
        .append_from(&local[0].hash, &local)
        .await
        .expect("again");
    let more = local_journal(4, "alice@one");
    store
        .append_from(&more[0].hash, &more[3..])
        .await
        .expect("one more");
    let note = tokio::time::timeout(TIMEOUT, listener.recv())
        .await
        .expect("a notification in time")
        .expect("notification");
    assert_eq!(note.payload(), "4");
}

#[tokio::test]
async fn a_newer_schema_or_a_foreign_one_is_refused_and_a_reader_creates_nothing() {
    let db = TestDb::create(Kind::Postgres).await;
    let read = SharedStore::connect_existing(&target(&db), TIMEOUT).await;
    let Err(e) = read else {
        panic!("a reader found a journal in an empty database")
    };
    assert!(
        e.to_string().contains("no shared journal in this database"),
        "{e}"
    );
    assert_eq!(
        db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'cockpit'")
            .await,
        0
    );
    let (code, _, err) = cockpit(&["journal", "verify", db.url.as_str()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no shared journal in this database"), "{err}");

    SharedStore::connect(&target(&db), TIMEOUT)
        .await
        .expect("create")
        .close()
        .await;
    db.exec("UPDATE cockpit.meta SET value = '2' WHERE key = 'schema_version'")
        .await;
    let e = SharedStore::connect(&target(&db), TIMEOUT)
        .await
        .err()
        .map(|e| e.to_string());
    assert!(
        e.as_deref()
            .is_some_and(|e| e.contains("schema 2 is newer")),
        "{e:?}"
    );
    db.exec("UPDATE cockpit.meta SET value = 'something-else' WHERE key = 'format'")
        .await;
    let e = SharedStore::connect(&target(&db), TIMEOUT)
        .await
        .err()
        .map(|e| e.to_string());
    assert!(
        e.as_deref()
            .is_some_and(|e| e.contains("holds something else")),
        "{e:?}"
    );
}

#[tokio::test]
async fn the_password_comes_from_the_inventory_and_never_shows() {
    let (db, _) = two_operators().await;
    let secret = password(&db);
    let mut bare = db.url.clone();
    bare.set_password(None).expect("no password");
    let dir = tempfile::tempdir().expect("dir");
    let inventory = dir.path().join("inventory.toml");
    std::fs::write(
        &inventory,
        format!(
            "[settings]\njournal = \"{bare}\"\njournal_password_file = \"{}\"\n",
            db.password_file.path().display()
        ),
    )
    .expect("inventory");
    let config = inventory.display().to_string();
    let (code, out, err) = cockpit(&["--config", &config, "journal", "verify", bare.as_str()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("OK, 12 entries"), "{out}");

    // Without it, the server refuses; the message says so and shows no password.
    let (code, out, err) = cockpit(&["journal", "verify", bare.as_str()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.starts_with("error: shared journal"), "{err}");

    let mut wrong = db.url.clone();
    wrong
        .set_password(Some("not-the-Pa55word"))
        .expect("password");
    let (code, out, err) = cockpit(&["journal", "verify", wrong.as_str()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        !format!("{out}{err}").contains("not-the-Pa55word"),
        "{out}{err}"
    );

    let (code, out, err) = cockpit(&["journal", "verify", db.url.as_str()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !without_login(&format!("{out}{err}")).contains(&secret),
        "{out}{err}"
    );
}

#[tokio::test]
async fn an_unreachable_store_is_said_so_in_time() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let url = format!("postgres://someone:Secret-99@127.0.0.1:{port}/nothing");
    let e = SharedStore::connect(
        &SharedTarget {
            url: url.clone(),
            password: None,
        },
        Duration::from_secs(2),
    )
    .await
    .expect_err("no server there");
    assert!(
        matches!(e, cockpit::io::shared::SharedError::Unreachable(_)),
        "{e:?}"
    );
    assert!(!e.to_string().contains("Secret-99"), "{e}");
    let (code, _, err) = cockpit(&["journal", "import", journal_files::DRILL, &url]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("unreachable") && !err.contains("Secret-99"),
        "{err}"
    );
}
