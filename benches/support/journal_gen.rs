//! Builds large, realistic journals for the journal-review benchmarks (report, stats, export,
//! replay): incidents of the primary-app-down kind with step runs on two hosts (command output
//! of 5–15 lines, some CJK), confirmations, SQL statements in committed transactions, notes,
//! pinned lines, host state changes and clock milestones, sealed into a valid hash chain.
//!
//! Include it with `#[path = "support/journal_gen.rs"] mod journal_gen;`. [`records`] gives the
//! records in memory; [`write`] stores them in a new journal file through the journal store's
//! own API, in one transaction (`JournalStore::append_all`: appending one by one through
//! `JournalStore::append` fsyncs each entry, minutes for 100,000), so the file is exactly what
//! the cockpit writes: its schema, sealing, redaction and hash rule.

#![allow(dead_code)]

use cockpit::core::health::HostState;
use cockpit::core::journal::{Record, StepSnapshot};
use cockpit::core::redact::Redactor;
use cockpit::core::run::clock::Milestone;
use cockpit::core::run::vars::Provenance;
use cockpit::core::severity::Severity;
use cockpit::io::journal_store::JournalStore;
use std::path::Path;

/// The size of a generated journal.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Entries in all.
    pub entries: usize,
    /// Incidents they are spread over (at least 1).
    pub incidents: usize,
}

/// 2026-11-21 03:00:00 UTC.
const START_MS: i64 = 1_795_834_800_000;
const ACTOR: &str = "oncall@bastion";
const HOSTS: usize = 50;

fn host(i: usize) -> String {
    format!("app-{:02}", i % HOSTS + 1)
}

/// The steps of the generated playbook: (id, title, kind, guarded).
const STEPS: [(&str, &str, &str, bool); 10] = [
    ("check-backup", "Backup app server healthy", "check", false),
    ("find-backup", "Find newest SQL backup", "command", false),
    ("import-db", "Import backup into MySQL", "command", true),
    ("dns-offline", "Take primary's domains offline", "sql", true),
    ("cfg-go-api", "go-api config → localhost", "command", true),
    (
        "restart-services",
        "Restart go-api, go-admin, go-fly",
        "command",
        true,
    ),
    (
        "check-services",
        "Backup app server serving",
        "verify",
        false,
    ),
    (
        "nginx-edit",
        "Remove it from nginx upstreams",
        "command",
        true,
    ),
    ("nginx-reload", "Test and reload nginx", "command", true),
    ("verify-service", "Business restored", "verify", false),
];

fn snapshots() -> Vec<StepSnapshot> {
    STEPS
        .iter()
        .map(|(id, title, kind, _)| StepSnapshot {
            id: id.to_string(),
            title: title.to_string(),
            kind: kind.to_string(),
        })
        .collect()
}

/// Output of a command: `lines` log-like lines, one in three with CJK.
fn output(seed: usize, lines: usize) -> String {
    (0..lines)
        .map(|l| {
            let n = seed * 31 + l;
            if n.is_multiple_of(3) {
                format!("[{n:06}] 主应用服务器 Cannot connect to database: dial tcp 198.51.100.86:3306 (重试 {l})")
            } else {
                format!("/etc/nginx/conf.d/upstream.conf:{l}:    server 198.51.100.{}:808{} max_fails=3 fail_timeout=10s;", n % 250, l % 10)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The records of one step run (5 to 10 entries).
fn step_run(inc: &str, k: usize, attempt: u32) -> Vec<Record> {
    let (id, _, kind, guarded) = STEPS[k % STEPS.len()];
    let targets = if kind == "sql" {
        vec!["speed".to_string()]
    } else {
        vec![host(k), host(k + 1)]
    };
    let mut out = Vec::new();
    if guarded {
        out.push(Record::ConfirmationGiven {
            incident: inc.into(),
            step: id.into(),
            attempt,
            answer: "yes".into(),
        });
    }
    let command = match kind {
        "sql" => Some("update speed.t_app_dns set status=2 where ip='198.51.100.86'".to_string()),
        "command" => Some(format!(
            "f=/wwwroot/go/go-api/config.yaml && sed -i 's/198.51.100.86/localhost/g' $f && grep -n localhost $f # run {k}"
        )),
        _ => None,
    };
    out.push(Record::StepStarted {
        incident: inc.into(),
        step: id.into(),
        attempt,
        targets: targets.clone(),
        command,
    });
    if kind == "sql" {
        let run = k as u64;
        out.extend([
            Record::SqlStatementStarted {
                incident: Some(inc.into()),
                database: "speed".into(),
                run,
                statement: "update speed.t_app_dns set status=2 where ip=?".into(),
                params: vec!["198.51.100.86".into()],
                transaction: true,
                step: Some(id.into()),
                confirmation: None,
            },
            Record::SqlStatementEnded {
                incident: Some(inc.into()),
                database: "speed".into(),
                run,
                duration_ms: 3,
                rows_affected: 2,
                rows_returned: 0,
                transaction_open: true,
                error: None,
            },
            Record::SqlTransactionEnding {
                incident: Some(inc.into()),
                database: "speed".into(),
                commit: true,
                reason: "operator".into(),
                rows_affected: 2,
            },
            Record::SqlTransactionEnded {
                incident: Some(inc.into()),
                database: "speed".into(),
                committed: true,
                error: None,
            },
        ]);
    }
    for (t, target) in targets.iter().enumerate() {
        out.push(Record::StepOutput {
            incident: inc.into(),
            step: id.into(),
            attempt,
            target: target.clone(),
            exit: (kind == "command").then_some(0),
            rows: (kind == "sql").then_some(2),
            ok: true,
            output: if kind == "command" {
                output(k + t, 5 + (k + t) % 11)
            } else {
                "4 checks pass".into()
            },
            reason: None,
        });
    }
    out.push(Record::StepFinished {
        incident: inc.into(),
        step: id.into(),
        attempt,
        ok: true,
        reason: None,
    });
    out
}

/// Something that happens between step runs (one entry).
fn interlude(inc: &str, k: usize) -> Record {
    match k % 5 {
        0 => Record::NoteAdded {
            broadcast: false,
            incident: inc.into(),
            text: format!("checked upstream {k}; 主库无法连接，已联系 DBA"),
        },
        1 => Record::LogPinned {
            incident: Some(inc.into()),
            host: host(k),
            text: output(k, 1),
        },
        2 => Record::HostStateChanged {
            incident: Some(inc.into()),
            host: host(k + 7),
            from: HostState::Up,
            to: HostState::Degraded,
            cause: "http: 502 Bad Gateway".into(),
        },
        3 => Record::HostStateChanged {
            incident: Some(inc.into()),
            host: host(k + 6),
            from: HostState::Degraded,
            to: HostState::Up,
            cause: "all checks pass".into(),
        },
        _ => Record::MilestoneCrossed {
            incident: inc.into(),
            milestone: Milestone::Escalation {
                who: format!("level {k}"),
            },
        },
    }
}

/// One incident's records, exactly `budget` of them (at least 6).
fn incident(n: usize, budget: usize) -> Vec<Record> {
    let inc = format!("INC-20261121-{n:04}");
    let fleet = (0..HOSTS)
        .map(|i| {
            let state = if i == 0 {
                HostState::Down
            } else {
                HostState::Up
            };
            (host(i), state)
        })
        .collect();
    let mut out = vec![
        Record::FaultInjected {
            host: host(0),
            fault: "killed (ports closed, logs stopped)".into(),
        },
        Record::IncidentOpened {
            host: None,
            checkpoint_minutes: None,
            incident: inc.clone(),
            title: format!("主应用服务器宕机 #{n}"),
            severity: Severity::ALL[n % 4],
            playbook: "primary-app-down".into(),
            playbook_title: "Primary application server down".into(),
            rto_minutes: Some(30),
            steps: snapshots(),
            fleet,
            unhealthy_since_ms: None,
        },
        Record::VariableSet {
            incident: inc.clone(),
            name: "failed_ip".into(),
            value: "198.51.100.86".into(),
            provenance: Provenance::IncidentFact {
                host: host(0),
                fact: "public_ip".into(),
            },
            secret: false,
        },
    ];
    let closing = [
        Record::SeverityChanged {
            incident: inc.clone(),
            severity: Severity::P1,
        },
        Record::IncidentResolved {
            incident: inc.clone(),
            summary: "service back on app-backup; primary replaced later".into(),
        },
        Record::FaultCleared { host: host(0) },
    ];
    let room = budget.saturating_sub(out.len() + closing.len());
    let mut body = Vec::with_capacity(room + 10);
    let mut k = 0;
    while body.len() < room {
        let run = step_run(&inc, k, 1 + (k / STEPS.len()) as u32);
        if body.len() + run.len() + 1 > room {
            break;
        }
        body.extend(run);
        body.push(interlude(&inc, k));
        k += 1;
    }
    while body.len() < room {
        body.push(interlude(&inc, k));
        k += 1;
    }
    out.extend(body);
    out.extend(closing);
    out
}

/// The records of a journal of this shape: a session, then the incidents one after another.
pub fn records(shape: Shape) -> Vec<Record> {
    let incidents = shape.incidents.max(1);
    let mut out = vec![Record::SessionStarted {
        version: "0.1.0".into(),
        mode: "demo".into(),
        role: None,
    }];
    let per = (shape.entries.saturating_sub(1) / incidents).max(6);
    for n in 0..incidents {
        let budget = if n + 1 == incidents {
            shape.entries.saturating_sub(out.len()).max(6)
        } else {
            per
        };
        out.extend(incident(n + 1, budget));
    }
    out.truncate(shape.entries.max(1));
    out
}

/// A new journal at `path` holding the records of this shape, 250 ms apart, written through
/// the journal store itself (`JournalStore::append_all`: sealed, redacted and stored as the
/// cockpit stores them, in one transaction); returns the entries written.
pub async fn write(path: &Path, shape: Shape) -> usize {
    let (mut store, existing) = JournalStore::open(path, true, Redactor::default())
        .await
        .expect("create journal");
    assert!(
        existing.is_empty(),
        "{} is not a new journal",
        path.display()
    );
    let records = records(shape);
    let written = store
        .append_all(
            records
                .iter()
                .enumerate()
                .map(|(i, r)| (START_MS + i as i64 * 250, ACTOR, r)),
        )
        .await
        .expect("append the generated records");
    store.close().await;
    written
}

/// Writes a new journal of exactly `entries` entries at `path`, spread over incidents of
/// about 86 entries each (what a 20-step playbook run leaves); runs its own async runtime,
/// so call it outside one.
pub fn generate(path: &Path, entries: usize) {
    let shape = Shape {
        entries,
        incidents: (entries / ENTRIES_PER_INCIDENT).max(1),
    };
    let written = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(write(path, shape));
    assert_eq!(written, entries, "the generator keeps to the size asked");
}

/// Entries per incident in [`generate`]'s journals.
const ENTRIES_PER_INCIDENT: usize = 86;
