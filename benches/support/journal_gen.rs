//! A large, realistic journal for the benchmarks: sessions, and incidents run through a
//! 20-step playbook — steps started with per-host output and finished, SQL statements with
//! commits, confirmations, skips, notes (some CJK), pinned log lines, variables, host state
//! changes, milestones, severity changes and resolutions. Every entry is sealed by
//! `Entry::seal`, so the chain verifies; all are inserted in one transaction, for speed.
//!
//! Use from a bench: `#[path = "support/journal_gen.rs"] mod journal_gen;`, then
//! `journal_gen::generate(path, entries)`, outside any async runtime (it runs its own).
#![allow(dead_code)]

use cockpit::core::health::HostState;
use cockpit::core::journal::{Entry, Record, StepSnapshot};
use cockpit::core::redact::Redactor;
use cockpit::core::run::clock::Milestone;
use cockpit::core::run::vars::Provenance;
use cockpit::core::severity::Severity;
use cockpit::io::journal_store::JournalStore;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::collections::{BTreeMap, VecDeque};
use std::path::Path;

/// Steps of every generated incident's playbook.
const STEPS: usize = 20;
const HOSTS: [&str; 8] = [
    "nginx-1",
    "nginx-2",
    "app-primary",
    "app-backup",
    "backup-store",
    "db-1",
    "db-2",
    "cache-1",
];
/// Time of the first entry (2026-11-18), unix ms.
const START_MS: i64 = 1_795_000_000_000;

/// Writes a new journal of exactly `entries` entries at `path` (which must not exist).
pub fn generate(path: &Path, entries: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        // The store creates the schema, as cockpit does.
        let (store, _) = JournalStore::open(path, true, Redactor::default())
            .await
            .expect("create the journal");
        store.close().await;
        let mut conn = SqliteConnectOptions::new()
            .filename(path)
            .connect()
            .await
            .expect("open the journal");
        let mut tx = conn.begin().await.expect("begin");
        let redactor = Redactor::default();
        let mut prev: Option<(u64, String)> = None;
        let mut at_ms = START_MS;
        for (i, record) in Script::default().take(entries).enumerate() {
            at_ms += 200 + (i % 7) as i64 * 150;
            let prev_ref = prev.as_ref().map(|(s, h)| (*s, h.as_str()));
            let e = Entry::seal(prev_ref, at_ms, "oncall@bastion", &record, &redactor)
                .expect("seal");
            sqlx::query(
                "INSERT INTO entries (seq, at_ms, actor, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(e.seq as i64)
            .bind(e.at_ms)
            .bind(&e.actor)
            .bind(e.record.kind())
            .bind(&e.body)
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .execute(&mut *tx)
            .await
            .expect("insert");
            prev = Some((e.seq, e.hash));
        }
        tx.commit().await.expect("commit");
        conn.close().await.expect("close");
    });
}

/// The endless stream of records: three incidents per session, one after the other.
#[derive(Default)]
struct Script {
    incidents: usize,
    queue: VecDeque<Record>,
}

impl Iterator for Script {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.queue.is_empty() {
            let n = self.incidents;
            self.incidents += 1;
            if n.is_multiple_of(3) {
                self.queue.push_back(Record::SessionStarted {
                    version: "0.1.0".into(),
                    mode: "live".into(),
                });
            }
            self.queue.push_back(Record::HostStateChanged {
                incident: None,
                host: HOSTS[n % HOSTS.len()].into(),
                from: HostState::Up,
                to: HostState::Down,
                cause: "tcp :443 connection refused".into(),
            });
            self.queue.extend(incident(n));
            if n % 3 == 2 {
                self.queue.push_back(Record::SessionEnded {
                    reason: "operator quit".into(),
                });
            }
        }
        self.queue.pop_front()
    }
}

/// One incident from opening to resolution (about 90 entries).
fn incident(n: usize) -> Vec<Record> {
    let id = format!("INC-BENCH-{n:05}");
    let host = HOSTS[n % HOSTS.len()].to_string();
    let severity = [Severity::P0, Severity::P1, Severity::P2][n % 3];
    let steps: Vec<StepSnapshot> = (0..STEPS)
        .map(|s| StepSnapshot {
            id: format!("step-{s:02}"),
            title: format!("步骤 {s}: check and restore {host}"),
            kind: ["manual", "command", "command", "sql", "manual"][s % 5].into(),
        })
        .collect();
    let fleet: BTreeMap<String, HostState> = HOSTS
        .iter()
        .map(|h| {
            let state = if *h == host {
                HostState::Down
            } else {
                HostState::Up
            };
            (h.to_string(), state)
        })
        .collect();
    let mut out = vec![
        Record::IncidentOpened {
            incident: id.clone(),
            title: format!("{host} down — 主应用服务器宕机 #{n}"),
            severity,
            playbook: "primary-app-down".into(),
            playbook_title: "Primary application server down".into(),
            rto_minutes: Some(30),
            steps,
            fleet,
        },
        Record::NoteAdded {
            incident: id.clone(),
            text: format!("{host} unreachable, DBA paged; 主库无法连接 ({n})"),
        },
        Record::LogPinned {
            incident: Some(id.clone()),
            host: "nginx-1".into(),
            text: format!(
                "192.0.2.35 - - [21/Nov/2026:16:03:07 +0000] \"GET /api/v1/orders HTTP/1.1\" 502 157 upstream {host} refused"
            ),
        },
        Record::VariableSet {
            incident: id.clone(),
            name: "failed_ip".into(),
            value: format!("198.51.100.{}", n % 250),
            provenance: Provenance::IncidentFact {
                host: host.clone(),
                fact: "public_ip".into(),
            },
            secret: false,
        },
    ];
    for s in 0..STEPS {
        out.extend(step(&id, s));
    }
    out.extend([
        Record::MilestoneCrossed {
            incident: id.clone(),
            milestone: Milestone::Escalation {
                who: "on-call lead".into(),
            },
        },
        Record::HostStateChanged {
            incident: Some(id.clone()),
            host: host.clone(),
            from: HostState::Down,
            to: HostState::Up,
            cause: "all checks pass".into(),
        },
        Record::SeverityChanged {
            incident: id.clone(),
            severity: Severity::P2,
        },
        Record::IncidentResolved {
            incident: id,
            summary: format!("service back on app-backup; {host} replaced later"),
        },
    ]);
    out
}

/// The entries of step `s`: ticked, run as a command on two hosts, run as SQL, or skipped.
fn step(id: &str, s: usize) -> Vec<Record> {
    let incident = id.to_string();
    let step = format!("step-{s:02}");
    let output = "/etc/nginx/conf.d/upstream.conf:4:    server 198.51.100.86:8080 max_fails=3;\n\
                  /etc/nginx/conf.d/upstream.conf:9:    server 198.51.100.86:8081 max_fails=3;\n\
                  nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n";
    match s % 5 {
        0 => vec![Record::StepCompleted { incident, step }],
        1 | 2 => {
            let targets = vec!["nginx-1".to_string(), "nginx-2".to_string()];
            let mut out = vec![Record::StepStarted {
                incident: incident.clone(),
                step: step.clone(),
                attempt: 1,
                targets: targets.clone(),
                command: Some("grep -rn -F '198.51.100.86' /etc/nginx/ && nginx -t".into()),
            }];
            out.extend(targets.into_iter().map(|target| Record::StepOutput {
                incident: incident.clone(),
                step: step.clone(),
                attempt: 1,
                target,
                exit: Some(0),
                rows: None,
                ok: true,
                output: output.into(),
                reason: None,
            }));
            out.push(Record::StepFinished {
                incident,
                step,
                attempt: 1,
                ok: true,
                reason: None,
            });
            out
        }
        3 => sql_step(incident, step),
        _ => vec![
            Record::StepAnnotated {
                incident: incident.clone(),
                step: step.clone(),
                text: "新机器另行采购 — replacement ordered".into(),
            },
            Record::StepSkipped {
                incident,
                step,
                reason: "replacement machine ordered separately".into(),
            },
        ],
    }
}

/// A guarded SQL step: confirmed, the statement run and committed.
fn sql_step(incident: String, step: String) -> Vec<Record> {
    let statement = "update speed.t_app_dns set status=2 where ip='198.51.100.86'".to_string();
    let opt = Some(incident.clone());
    vec![
        Record::ConfirmationGiven {
            incident: incident.clone(),
            step: step.clone(),
            attempt: 1,
            answer: "speed".into(),
        },
        Record::StepStarted {
            incident: incident.clone(),
            step: step.clone(),
            attempt: 1,
            targets: vec!["speed".into()],
            command: Some(statement.clone()),
        },
        Record::SqlStatementStarted {
            incident: opt.clone(),
            database: "speed".into(),
            run: 1,
            statement,
            params: Vec::new(),
            transaction: true,
            step: Some(step.clone()),
            confirmation: None,
        },
        Record::SqlStatementEnded {
            incident: opt.clone(),
            database: "speed".into(),
            run: 1,
            duration_ms: 3,
            rows_affected: 4,
            rows_returned: 0,
            transaction_open: true,
            error: None,
        },
        Record::SqlTransactionEnding {
            incident: opt.clone(),
            database: "speed".into(),
            commit: true,
            reason: "operator".into(),
            rows_affected: 4,
        },
        Record::SqlTransactionEnded {
            incident: opt,
            database: "speed".into(),
            committed: true,
            error: None,
        },
        Record::StepOutput {
            incident: incident.clone(),
            step: step.clone(),
            attempt: 1,
            target: "speed".into(),
            exit: None,
            rows: Some(4),
            ok: true,
            output: String::new(),
            reason: None,
        },
        Record::StepFinished {
            incident,
            step,
            attempt: 1,
            ok: true,
            reason: None,
        },
    ]
}
