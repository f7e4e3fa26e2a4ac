//! Seed 001 §4.3 end to end, as an operator runs it: the real binary in tmux against the demo
//! fleet. The primary dies, the suggested P0 playbook is opened, and every step is run from
//! the Playbook pane — the newest backup captured, a dangerous import first refused (wrong
//! name typed) then confirmed, both SQL steps committed after their row counts are shown,
//! configs edited, services restarted, nginx upstreams cut — and then the demo hosts' files and
//! database are checked, and the journal is checked to hold every step in order.

use crate::support::tmux;

use regex::Regex;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tmux::{Sandbox, Session, assert_verifies, dump, read_journal};

const REACT: Duration = Duration::from_secs(20);
const DEAD_IP: &str = "198.51.100.86";

/// Steps of `primary-app-down`, in order, and how each is answered.
enum Answer {
    /// Nothing to confirm.
    Run,
    /// `y` to the confirmation.
    Yes,
    /// The name typed.
    Typed(&'static str),
    /// `y`, then the database's name typed in the console's dangerous-statement dialog (the
    /// SQL guard's parser cannot read the statement: it fails closed), then `c` to commit.
    YesThenSqlTypedThenCommit(&'static str),
    /// The name typed, then `c` to commit.
    TypedThenCommit(&'static str),
    /// Skipped with this reason.
    Skip(&'static str),
}

const STEPS: [(&str, Answer); 20] = [
    ("priorities", Answer::Run),
    ("check-backup", Answer::Run),
    ("check-nginx", Answer::Run),
    ("find-backup", Answer::Run),
    ("import-db", Answer::Typed("app-backup")),
    // MySQL's column COMMENTs on the demo's SQLite: the parser cannot read them.
    (
        "create-user-logs",
        Answer::YesThenSqlTypedThenCommit("speed"),
    ),
    ("dns-offline", Answer::TypedThenCommit("speed")),
    ("cfg-go-api", Answer::Yes),
    ("cfg-go-admin", Answer::Yes),
    ("cfg-go-fly", Answer::Yes),
    ("restart-services", Answer::Yes),
    ("check-services", Answer::Run),
    ("nginx-find", Answer::Run),
    ("nginx-edit", Answer::Typed("nginx")),
    ("nginx-reload", Answer::Yes),
    ("verify-service", Answer::Run),
    (
        "new-machine",
        Answer::Skip("replacement machine ordered separately"),
    ),
    ("show-crontab", Answer::Run),
    ("align-shell", Answer::Run),
    ("restore-others", Answer::Run),
];

fn done(s: &Session, n: usize, step: &str) -> String {
    let needle = format!("· {n}/20 done");
    s.wait_for(&format!("step {n} `{step}` done"), REACT, |sc| {
        sc.contains(&needle)
    })
}

fn run_step(s: &Session, n: usize, step: &str, answer: &Answer) {
    if let Answer::Skip(reason) = answer {
        s.keys(&["s"]);
        s.wait_for(&format!("the skip prompt of `{step}`"), REACT, |sc| {
            sc.contains(&format!("Why skip step `{step}`?"))
        });
        s.type_text(reason);
        s.keys(&["Enter"]);
        // The skip moves the selection to the next step by itself.
        done(s, n, step);
        return;
    }
    // Enter does the selected step: runs it, or ticks the by-hand ones (note, manual).
    s.keys(&["Enter"]);
    match answer {
        Answer::Skip(_) => unreachable!("handled above"),
        Answer::Run => {}
        Answer::Yes | Answer::YesThenSqlTypedThenCommit(_) => {
            s.wait_for(&format!("the confirmation of `{step}`"), REACT, |sc| {
                sc.contains("Run this step?")
            });
            s.keys(&["y"]);
            if let Answer::YesThenSqlTypedThenCommit(name) = answer {
                s.wait_for(
                    &format!("the SQL guard's question on `{step}`"),
                    REACT,
                    |sc| {
                        sc.contains("Dangerous statement: confirm")
                            && sc.contains("the parser reads this differently")
                    },
                );
                s.type_text(name);
                s.keys(&["Enter"]);
            }
        }
        Answer::Typed(name) | Answer::TypedThenCommit(name) => {
            s.wait_for(
                &format!("the typed confirmation of `{step}`"),
                REACT,
                |sc| sc.contains("Dangerous step: confirm") && sc.contains(&format!("Type {name}")),
            );
            s.type_text(name);
            s.keys(&["Enter"]);
        }
    }
    if matches!(
        answer,
        Answer::TypedThenCommit(_) | Answer::YesThenSqlTypedThenCommit(_)
    ) {
        let screen = s.wait_for(&format!("the commit dialog of `{step}`"), REACT, |sc| {
            sc.contains("Commit or roll back?")
        });
        assert!(
            !screen.contains("commit refused"),
            "`{step}` changed an unexpected number of rows:\n{screen}"
        );
        s.keys(&["c"]);
    }
    done(s, n, step);
}

/// The demo's folder (kept with `--keep`): the one `cockpit-demo-*` in the sandbox's TMPDIR.
fn demo_dir(sandbox: &Sandbox) -> PathBuf {
    let tmp = sandbox.root.join("tmp");
    let found: Vec<PathBuf> = std::fs::read_dir(&tmp)
        .unwrap_or_else(|e| panic!("{}: {e}", tmp.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("cockpit-demo-"))
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one demo folder in {}: {found:?}",
        tmp.display()
    );
    found[0].clone()
}

fn read(dir: &Path, host: &str, path: &str) -> String {
    let file = dir
        .join("hosts")
        .join(host)
        .join(path.trim_start_matches('/'));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

#[test]
fn the_primary_app_down_playbook_runs_end_to_end_on_the_demo_fleet() {
    let sandbox = Sandbox::new("playbook-run");
    let s = sandbox.start_cockpit(160, 50, false, &["demo", "--keep"]);
    s.wait_until_fleet_up();
    let dir = demo_dir(&sandbox);

    s.keys(&["F"]);
    s.wait_for("the drill picker", REACT, |sc| sc.contains("Drill"));
    s.keys(&["Down", "Down", "Enter"]);
    s.wait_for_re(r"✖ app-primary +app-primary +down", Duration::from_secs(40));
    s.wait_for("the suggestion", REACT, |sc| {
        sc.contains("Suggested by the fleet's state")
    });
    s.keys(&["o"]);
    s.wait_for("the open-incident form", REACT, |sc| {
        sc.contains("Playbook (↑/↓)")
    });
    s.keys(&["Enter"]);
    s.wait_for("the incident", REACT, |sc| sc.contains("· 0/20 done"));
    // What an operator adds besides steps: a note, and a log line pinned as evidence.
    s.keys(&["n"]);
    s.wait_for("the note prompt", REACT, |sc| sc.contains("Add a note"));
    s.type_text(NOTE);
    s.keys(&["Enter"]);
    s.keys(&["2", "p"]);
    s.wait_for("the pinned line", REACT, |sc| sc.contains("pinned"));
    s.keys(&["3", "z"]);

    for (i, (step, answer)) in STEPS.iter().enumerate() {
        if *step == "import-db" {
            // A dangerous command refused: the wrong name typed.
            s.keys(&["r"]);
            s.wait_for("the typed confirmation", REACT, |sc| {
                sc.contains("Dangerous step: confirm")
            });
            s.type_text("app-primary");
            s.keys(&["Enter"]);
            s.wait_for("the refusal", REACT, |sc| {
                sc.contains("not run: `app-primary` is not the name asked for")
            });
        }
        run_step(&s, i + 1, step, answer);
    }

    // Service is back: the incident goes down to P1 before it is resolved.
    s.keys(&["S"]);
    s.wait_for("the severity picker", REACT, |sc| sc.contains("P1"));
    s.keys(&["Down", "Enter"]);
    s.wait_for("P1", REACT, |sc| sc.contains("P1 "));
    s.keys(&["R"]);
    s.wait_for("the resolve prompt", REACT, |sc| sc.contains("summary"));
    s.type_text("service back on app-backup; primary replaced later");
    s.keys(&["Enter"]);
    s.wait_for("no open incident", REACT, |sc| {
        sc.contains("no open incident")
    });
    s.keys(&["q"]);
    let (status, exit_screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{exit_screen}");

    // The fleet really changed.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (offline, user_logs): (i64, i64) = rt.block_on(async {
        let mut db = SqliteConnectOptions::new()
            .filename(dir.join("speed.db"))
            .connect()
            .await
            .expect("open speed.db");
        let offline: (i64,) =
            sqlx::query_as("select count(*) from t_app_dns where ip = ? and status = 2")
                .bind(DEAD_IP)
                .fetch_one(&mut db)
                .await
                .expect("t_app_dns");
        let tables: (i64,) = sqlx::query_as(
            "select count(*) from sqlite_master where type = 'table' and name = 'user_logs'",
        )
        .fetch_one(&mut db)
        .await
        .expect("sqlite_master");
        db.close().await.expect("close");
        (offline.0, tables.0)
    });
    assert!(
        (1..=4).contains(&offline),
        "{offline} rows of the dead IP offline"
    );
    assert_eq!(user_logs, 1, "user_logs was created");
    for config in [
        "/wwwroot/go/go-api/config.yaml",
        "/wwwroot/go/go-admin/config.yaml",
        "/wwwroot/go/go-fly/config/mysql.json",
    ] {
        let text = read(&dir, "app-backup", config);
        assert!(
            !text.contains(DEAD_IP) && text.contains("localhost"),
            "{config}:\n{text}"
        );
        let backup = read(&dir, "app-backup", &format!("{config}.bak-cockpit"));
        assert!(
            backup.contains(DEAD_IP),
            "{config}.bak-cockpit keeps the original"
        );
    }
    let services = read(&dir, "app-backup", cockpit::demo::STATE_FILE);
    for svc in ["go-api", "go-admin", "go-fly"] {
        assert!(services.contains(&format!("restarted {svc}")), "{services}");
    }
    for nginx in ["nginx-1", "nginx-2"] {
        let upstreams = read(&dir, nginx, "/etc/nginx/conf.d/upstream.conf");
        assert!(!upstreams.contains(DEAD_IP), "{nginx}:\n{upstreams}");
        let state = read(&dir, nginx, cockpit::demo::STATE_FILE);
        assert!(state.contains("reloaded nginx"), "{nginx}: {state}");
    }

    // The journal holds every step, in order, and nothing half-done.
    let rows = read_journal(&sandbox.journal);
    let all = dump(&rows);
    let mut last_seq = 0;
    for (step, _) in STEPS {
        let finished = rows.iter().find(|r| {
            (r.kind == "step_finished" && r.body["step"] == step && r.body["ok"] == true)
                || (matches!(r.kind.as_str(), "step_completed" | "step_skipped")
                    && r.body["step"] == step)
        });
        let row = finished.unwrap_or_else(|| panic!("`{step}` did not finish well:\n{all}"));
        assert!(row.seq > last_seq, "`{step}` out of order:\n{all}");
        last_seq = row.seq;
    }
    let started = rows.iter().filter(|r| r.kind == "step_started").count();
    let finished = rows.iter().filter(|r| r.kind == "step_finished").count();
    assert_eq!(
        started, finished,
        "a step started without finishing:\n{all}"
    );
    let refused = rows
        .iter()
        .find(|r| r.kind == "dangerous_refused")
        .unwrap_or_else(|| panic!("the refusal is journaled:\n{all}"));
    assert_eq!(refused.body["step"], "import-db");
    let import_started = rows
        .iter()
        .find(|r| r.kind == "step_started" && r.body["step"] == "import-db")
        .expect("import started");
    assert!(refused.seq < import_started.seq, "refused before it ran");
    let capture = rows
        .iter()
        .find(|r| r.kind == "variable_set" && r.body["name"] == "backup_file")
        .unwrap_or_else(|| panic!("the capture is journaled:\n{all}"));
    let file = capture.body["value"].as_str().unwrap_or_default();
    assert!(
        Regex::new(r"^/shell/sql_backup/speed-\S+\.sql$")
            .unwrap()
            .is_match(file),
        "captured {file:?}"
    );
    let import = rows
        .iter()
        .find(|r| r.kind == "step_started" && r.body["step"] == "import-db")
        .map(|r| r.body["command"].to_string())
        .unwrap_or_default();
    assert!(
        import.contains(file),
        "the import used the captured file: {import}"
    );
    assert!(rows.iter().any(|r| r.kind == "incident_resolved"), "{all}");
    assert!(
        rows.iter()
            .any(|r| r.kind == "note_added" && r.body["text"] == NOTE),
        "{all}"
    );
    assert!(rows.iter().any(|r| r.kind == "log_pinned"), "{all}");
    assert!(
        rows.iter()
            .any(|r| r.kind == "severity_changed" && r.body["severity"] == "P1"),
        "{all}"
    );
    assert!(
        rows.iter()
            .any(|r| r.kind == "step_skipped" && r.body["step"] == "new-machine"),
        "{all}"
    );
    assert_verifies(&sandbox.journal, rows.len());
    assert_exit_names_the_resolve_head(&exit_screen, &rows, &sandbox.journal);
    // `scripts/record-drill-journal.sh` keeps this run's journal as the fixture of the
    // report, export and replay golden tests.
    if let Some(dest) = std::env::var_os("COCKPIT_SAVE_JOURNAL") {
        std::fs::copy(&sandbox.journal, &dest)
            .unwrap_or_else(|e| panic!("copy the journal to {dest:?}: {e}"));
        // Run with an SSH agent, the heads' signatures are in the sidecar beside it.
        let sigs = cockpit::io::head_sign::sidecar_path(&sandbox.journal);
        if sigs.exists() {
            let dest = cockpit::io::head_sign::sidecar_path(Path::new(&dest));
            std::fs::copy(&sigs, &dest)
                .unwrap_or_else(|e| panic!("copy the signatures to {dest:?}: {e}"));
        }
    }
}

/// The exit message prints the hash of the resolve entry, and `verify --expect-head` with it
/// accepts this journal.
fn assert_exit_names_the_resolve_head(screen: &str, rows: &[tmux::Row], journal: &Path) {
    let resolved = rows
        .iter()
        .find(|r| r.kind == "incident_resolved")
        .expect("resolved");
    let printed = Regex::new(r"journal head at resolve: ([0-9a-f]{64})")
        .unwrap()
        .captures(screen)
        .unwrap_or_else(|| panic!("no head hash in the exit message:\n{screen}"))[1]
        .to_string();
    assert_eq!(printed, resolved.hash, "{screen}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["journal", "verify", "--expect-head", &printed])
        .arg(journal)
        .output()
        .expect("run verify");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let found = format!(
        "expected head {printed}: FOUND, entry #{} (incident_resolved of {}",
        resolved.seq,
        resolved.body["incident"].as_str().unwrap_or_default()
    );
    assert!(text.contains(&found), "{text}");
}

const NOTE: &str = "primary unreachable, DBA paged; 主库无法连接";
