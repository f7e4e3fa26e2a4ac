//! Journal files for the journal tests: real SQLite journals written through the store, copies
//! of the recorded drill, tampering behind cockpit's back, files that are not journals, and the
//! real `cockpit journal …` binary run on them.
#![allow(dead_code)]

use cockpit::core::journal::Record;
use cockpit::core::redact::Redactor;
use cockpit::io::journal_lock::LockError;
use cockpit::io::journal_store::{JournalError, JournalStore};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The journal of a real demo drill (scripts/record-drill-journal.sh).
pub const DRILL: &str = "tests/fixtures/journals/drill-seed001.db";

/// The crate root, where the tests run the binary so paths it prints are stable.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A single-threaded runtime for one block of async work.
pub use super::runtime::current_thread_rt as rt;

/// Note number `i` of incident INC-1.
pub fn note(i: usize) -> Record {
    Record::NoteAdded {
        broadcast: false,
        incident: "INC-1".into(),
        text: format!("note {i}"),
    }
}

/// Writes a journal with `n` notes through the store.
pub async fn journal_with(path: &Path, n: usize) {
    let (mut store, _) = JournalStore::open(path, true, Redactor::default())
        .await
        .expect("open");
    for i in 0..n {
        store
            .append(1_000 + i as i64, "op@bastion", &note(i))
            .await
            .expect("append");
    }
    store.close().await;
}

/// Opens again a journal this test process has just closed. Its write lock is an `flock`, and
/// a child that another test of this binary forks meanwhile (to run cockpit, sqlite3, tmux)
/// holds a copy of it until it execs: a lock held by this very process is waited out, for at
/// most 10 s; any other answer is returned at once.
pub async fn reopen<T, Open, Opening>(mut open: Open) -> Result<T, JournalError>
where
    Open: FnMut() -> Opening,
    Opening: std::future::Future<Output = Result<T, JournalError>>,
{
    let start = std::time::Instant::now();
    loop {
        match open().await {
            Err(JournalError::Locked(LockError::Held {
                holder: Some(holder),
                ..
            })) if holder.pid == std::process::id()
                && start.elapsed() < std::time::Duration::from_secs(10) =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            other => return other,
        }
    }
}

/// Writes `records` to a new journal through the store in one transaction (one fsync),
/// 1 ms apart from `start_ms`, all by `op@bastion`.
pub async fn write_records(path: &Path, start_ms: i64, records: &[Record]) {
    let (mut store, _) = JournalStore::open(path, true, Redactor::default())
        .await
        .expect("open");
    store
        .append_all(
            records
                .iter()
                .enumerate()
                .map(|(i, r)| (start_ms + i as i64, "op@bastion", r)),
        )
        .await
        .expect("write");
    store.close().await;
}

/// Runs SQL against the journal behind cockpit's back (the tamperer).
pub async fn tamper(path: &Path, sql: &str) {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .expect("tamper");
    conn.close().await.expect("close");
}

/// A journal of `n` notes in a new folder, then changed by `sql`.
pub fn tampered(n: usize, sql: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("j.db");
    rt().block_on(async {
        journal_with(&path, n).await;
        tamper(&path, sql).await;
    });
    (dir, path)
}

/// A copy of the drill journal in `dir`, changed by `sql` when given. Tests read copies, not
/// the fixture: reading a WAL journal creates files beside it.
pub fn drill_copy(dir: &Path, sql: Option<&str>) -> PathBuf {
    drill_copy_named(dir, "drill.db", sql)
}

/// Like [`drill_copy`], named `name`, for several copies in one folder.
pub fn drill_copy_named(dir: &Path, name: &str, sql: Option<&str>) -> PathBuf {
    let path = dir.join(name);
    std::fs::copy(root().join(DRILL), &path).expect("copy the drill journal");
    if let Some(sql) = sql {
        rt().block_on(tamper(&path, sql));
    }
    path
}

/// A SQLite database that is not a journal (one table `t`).
pub fn foreign_sqlite(path: &Path) {
    rt().block_on(async {
        let mut conn = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .connect()
            .await
            .expect("create");
        sqlx::raw_sql("CREATE TABLE t (x)")
            .execute(&mut conn)
            .await
            .expect("create table");
        conn.close().await.expect("close");
    });
}

/// A journal with its schema and no entries, as cockpit leaves one it never appended to.
pub fn empty_journal(path: &Path) {
    rt().block_on(async {
        let (store, _) = JournalStore::open(path, true, Redactor::default())
            .await
            .expect("create");
        store.close().await;
    });
}

/// `cockpit ARGS` run from the crate root: (exit status, stdout, stderr).
pub fn cockpit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run cockpit");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `cockpit journal verify PATH`: (exit status, stdout and stderr together).
pub fn verify(path: &Path) -> (i32, String) {
    let (code, out, err) = cockpit(&["journal", "verify", &path.to_string_lossy()]);
    (code, format!("{out}{err}"))
}

/// The record kinds of the entries stored at `path`, in order (`incident_opened`, …).
pub async fn stored_kinds(path: &Path) -> Vec<String> {
    cockpit::io::journal_store::read_stored(path)
        .await
        .expect("read")
        .iter()
        .map(|e| {
            let body: serde_json::Value = serde_json::from_str(&e.body).expect("json");
            body["type"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

/// The password typed at a prompt that did not echo it, in [`shell_records`]: never in a cast.
pub const UNECHOED_PASSWORD: &str = "hunter2-never-echoed";

/// Two recorded shells as cockpit journals them, their events made by the real recorder:
/// shell 1 on web-1 runs `echo shell-ok`, reads a password without echo and resizes; shell 2
/// on db-1 runs in between.
pub fn shell_records() -> Vec<Record> {
    use cockpit::core::shell::ShellRecorder;
    let mut web = ShellRecorder::new(Redactor::default());
    web.output(0, b"web-1:~$ ");
    for (i, key) in b"echo shell-ok".chunks(1).enumerate() {
        web.input(100 + 10 * i as u64, key);
        web.output(105 + 10 * i as u64, key);
    }
    web.input(300, b"\r");
    web.output(310, b"\r\nshell-ok\r\nweb-1:~$ ");
    let first = web.take();
    web.input(400, b"read -s pw\r");
    web.output(410, b"read -s pw\r\n");
    web.input(500, format!("{UNECHOED_PASSWORD}\r").as_bytes());
    web.output(600, b"\r\nweb-1:~$ ");
    web.resize(700, 100, 30);
    web.input(800, b"exit\r");
    web.output(810, b"exit\r\nlogout\r\n");
    let second = web.finish(900);
    let mut db = ShellRecorder::new(Redactor::default());
    db.output(0, "db-1 ready: 日本語\r\n".as_bytes());
    let started = |session: u64, host: &str| Record::ShellStarted {
        incident: None,
        session,
        host: host.into(),
        term: "xterm-256color".into(),
        cols: 120,
        rows: 40,
    };
    let output = |session: u64, events| Record::ShellOutput {
        incident: None,
        session,
        events,
    };
    let ended = |session: u64, host: &str, unrecorded_input| Record::ShellEnded {
        incident: None,
        session,
        host: host.into(),
        exit: Some(0),
        reason: None,
        duration_ms: 900,
        unrecorded_input,
    };
    vec![
        started(1, "web-1"),
        output(1, first),
        started(2, "db-1"),
        output(2, db.finish(50)),
        output(1, second),
        ended(1, "web-1", web.unrecorded_input()),
        ended(2, "db-1", db.unrecorded_input()),
    ]
}
