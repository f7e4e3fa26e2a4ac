use super::*;
use crate::core::health::{CheckFailure, HostState};
use crate::core::incident::{StepStatus, Workspace};
use crate::core::journal::{Entry, StepSnapshot};
use crate::core::playbook::{
    Capture, Confirm, Expectation, Gate, StepAction, Target, VariableSource,
};
use crate::core::redact::Redactor;
use crate::core::run::guard::tests::command_step;
use crate::core::run::plan::Refusal;
use crate::core::run::targets::tests::{fleet, inventory};
use crate::core::run::vars::tests::variable;
use crate::core::severity::Severity;

fn exited(exit: i32, stdout: &str) -> ExecResult {
    ExecResult::Exited {
        exit: Some(exit),
        stdout: stdout.into(),
        stderr: String::new(),
    }
}

fn exec(host: &str, result: ExecResult) -> Outcome {
    Outcome::Exec {
        host: host.into(),
        result,
    }
}

fn store() -> VariableStore {
    VariableStore::new(&[
        variable("backup_file", VariableSource::Capture, false),
        variable("api_token", VariableSource::Capture, true),
    ])
}

/// Plans and starts `step` with no confirmation needed.
fn started(step: &Step) -> (StepRun, Vec<Effect>) {
    let inv = inventory();
    let plan = StepRun::plan(step, &store(), &fleet(&[]), &inv);
    let Ok(plan) = plan else { panic!("{plan:?}") };
    let Ok(auth) = plan.authorize(None) else {
        panic!("not authorized")
    };
    StepRun::start(plan, auth, "INC-1", 1)
}

fn execs(effects: &[Effect]) -> Vec<&str> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Exec { host, .. } => Some(host.as_str()),
            _ => None,
        })
        .collect()
}

fn kinds(effects: &[Effect]) -> Vec<&'static str> {
    effects
        .iter()
        .map(|e| match e {
            Effect::Journal(r) => r.kind(),
            Effect::Exec { .. } => "exec",
            Effect::Sql { .. } => "sql",
            Effect::Check { .. } => "check",
            Effect::SetVariable { .. } => "set_variable",
        })
        .collect()
}

fn finished_reason(effects: &[Effect]) -> Option<Option<String>> {
    effects.iter().find_map(|e| match e {
        Effect::Journal(Record::StepFinished { reason, .. }) => Some(reason.clone()),
        _ => None,
    })
}

#[test]
fn sequential_run_stops_at_the_first_failure() {
    let step = command_step(Target::Role("nginx".into()), "nginx -t");
    let (mut run, effects) = started(&step);
    assert_eq!(kinds(&effects), ["step_started", "exec"]);
    assert_eq!(execs(&effects), ["nginx-1"]);
    assert_eq!(run.running_on(), ["nginx-1"]);
    let effects = run.on_outcome(exec("nginx-1", exited(1, "emerg: bad config")));
    assert_eq!(kinds(&effects), ["step_output", "step_finished"]);
    assert_eq!(
        finished_reason(&effects),
        Some(Some(
            "nginx-1: exit 1, expected 0; not run on nginx-2".into()
        ))
    );
    assert!(matches!(
        run.verdict(),
        Some(Verdict::Failed { stop: true, .. })
    ));
    assert!(run.on_outcome(exec("nginx-2", exited(0, ""))).is_empty());
}

#[test]
fn continue_goes_on_to_the_next_host_and_fails_without_stopping() {
    let mut step = command_step(Target::Role("nginx".into()), "grep -rn x /etc/nginx/");
    step.on_failure = OnFailure::Continue;
    let (mut run, _) = started(&step);
    let effects = run.on_outcome(exec("nginx-1", exited(1, "")));
    assert_eq!(kinds(&effects), ["step_output", "exec"]);
    assert_eq!(execs(&effects), ["nginx-2"]);
    let effects = run.on_outcome(exec("nginx-2", exited(0, "nginx.conf:12: x")));
    assert_eq!(kinds(&effects), ["step_output", "step_finished"]);
    assert_eq!(
        run.verdict(),
        Some(&Verdict::Failed {
            reason: "nginx-1: exit 1, expected 0".into(),
            stop: false,
            kind: FailureKind::Expectation,
        })
    );
}

#[test]
fn parallel_sends_every_host_at_once_and_waits_for_all() {
    let mut step = command_step(Target::Role("nginx".into()), "uptime");
    step.parallel = true;
    let (mut run, effects) = started(&step);
    assert_eq!(execs(&effects), ["nginx-1", "nginx-2"]);
    let effects = run.on_outcome(exec("nginx-2", exited(0, "up 3 days")));
    assert_eq!(kinds(&effects), ["step_output"]);
    assert_eq!(run.verdict(), None);
    let effects = run.on_outcome(exec("nginx-1", exited(0, "up 9 days")));
    assert_eq!(kinds(&effects), ["step_output", "step_finished"]);
    assert_eq!(run.verdict(), Some(&Verdict::Passed));
}

#[test]
fn expected_exit_status_other_than_zero() {
    let mut step = command_step(Target::Host("app-primary".into()), "! pgrep go-job");
    step.expect = Some(Expectation {
        exit: Some(1),
        ..Expectation::default()
    });
    let (mut run, _) = started(&step);
    run.on_outcome(exec("app-primary", exited(1, "")));
    assert_eq!(run.verdict(), Some(&Verdict::Passed));
}

fn find_backup() -> Step {
    let mut step = command_step(
        Target::Role("app-backup".into()),
        "ls -1t /shell/sql_backup/speed-*.sql | head -n 1",
    );
    step.id = "find-backup".into();
    step.action = StepAction::Command {
        target: Target::Role("app-backup".into()),
        run: "ls -1t /shell/sql_backup/speed-*.sql".into(),
        capture: Some(Capture {
            variable: "backup_file".into(),
            regex: r"(\S+\.sql)".into(),
        }),
    };
    step
}

#[test]
fn capture_journals_and_sets_the_variable() {
    let (mut run, _) = started(&find_backup());
    let effects = run.on_outcome(exec(
        "app-backup",
        exited(
            0,
            "/shell/sql_backup/speed-2.sql\n/shell/sql_backup/speed-1.sql\n",
        ),
    ));
    assert_eq!(
        kinds(&effects),
        [
            "step_output",
            "variable_set",
            "set_variable",
            "step_finished"
        ]
    );
    assert!(effects.contains(&Effect::SetVariable {
        name: "backup_file".into(),
        value: "/shell/sql_backup/speed-2.sql".into(),
        provenance: Provenance::Capture {
            step: "find-backup".into()
        },
    }));
    assert_eq!(run.verdict(), Some(&Verdict::Passed));
}

#[test]
fn capture_that_matches_nothing_fails_the_step() {
    let (mut run, _) = started(&find_backup());
    let effects = run.on_outcome(exec("app-backup", exited(0, "total 0\n")));
    assert_eq!(kinds(&effects), ["step_output", "step_finished"]);
    assert_eq!(
        finished_reason(&effects),
        Some(Some(
            "app-backup: capture `backup_file` matched nothing in 1 lines of output".into()
        ))
    );
}

#[test]
fn secret_capture_is_masked_in_the_journal() {
    let mut step = find_backup();
    step.action = StepAction::Command {
        target: Target::Host("app-backup".into()),
        run: "cat /etc/token".into(),
        capture: Some(Capture {
            variable: "api_token".into(),
            regex: r"token=(\S+)".into(),
        }),
    };
    let (mut run, _) = started(&step);
    let effects = run.on_outcome(exec("app-backup", exited(0, "token=abc123xyz\n")));
    let journaled: Vec<&Record> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Journal(r) => Some(r),
            _ => None,
        })
        .collect();
    let text = format!("{journaled:?}");
    assert!(!text.contains("abc123xyz"), "{text}");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SetVariable { value, .. } if value == "abc123xyz"))
    );
}

#[test]
fn timeout_and_lost_host_fail_with_the_reason() {
    let mut step = command_step(Target::Role("nginx".into()), "sleep 100");
    step.timeout_secs = Some(30);
    step.on_failure = OnFailure::Continue;
    let (mut run, _) = started(&step);
    let effects = run.on_outcome(exec("nginx-1", ExecResult::TimedOut));
    assert!(matches!(
        &effects[0],
        Effect::Journal(Record::StepOutput { ok: false, reason: Some(r), exit: None, .. })
            if r == "timed out after 30 s"
    ));
    run.on_outcome(exec(
        "nginx-2",
        ExecResult::Lost {
            reason: "connection reset".into(),
        },
    ));
    assert_eq!(
        run.verdict(),
        Some(&Verdict::Failed {
            reason: "nginx-1: timed out after 30 s; nginx-2: host lost: connection reset".into(),
            stop: false,
            kind: FailureKind::Error,
        })
    );
}

#[test]
fn killed_command_and_outputs_for_strangers_are_handled() {
    let step = command_step(Target::Host("app-primary".into()), "x");
    let (mut run, _) = started(&step);
    assert!(run.on_outcome(exec("nginx-1", exited(0, ""))).is_empty());
    let effects = run.on_outcome(exec(
        "app-primary",
        ExecResult::Exited {
            exit: None,
            stdout: String::new(),
            stderr: "Killed".into(),
        },
    ));
    assert!(matches!(
        &effects[0],
        Effect::Journal(Record::StepOutput { output, reason: Some(r), .. })
            if output == "[stderr]\nKilled" && r == "killed by a signal"
    ));
}

#[test]
fn typed_confirmation_flow_for_a_dangerous_import() {
    let inv = inventory();
    let mut s = store();
    let _ = s.set(
        "backup_file",
        "/shell/sql_backup/speed 2.sql",
        Provenance::Capture {
            step: "find-backup".into(),
        },
    );
    let mut step = command_step(Target::Role("app-backup".into()), "mysql < {{backup_file}}");
    step.id = "import-db".into();
    step.dangerous = true;
    step.confirm = Confirm::Typed;
    step.timeout_secs = Some(1800);
    step.when = vec![Gate {
        hosts: crate::core::playbook::HostCount::All,
        target: Target::Role("app-primary".into()),
        state: HostState::Down,
    }];
    let f = fleet(&[("app-primary", HostState::Down)]);
    let Ok(plan) = StepRun::plan(&step, &s, &f, &inv) else {
        panic!("no plan")
    };
    assert_eq!(
        plan.guard,
        crate::core::run::guard::Guard::Typed {
            expected: "app-backup".into(),
            reasons: vec!["marked dangerous".into()]
        }
    );
    assert_eq!(plan.authorize(None), Err(Refusal::NeedsAnswer));
    let Ok(auth) = plan.authorize(Some("app-backup")) else {
        panic!("refused")
    };
    let (mut run, effects) = StepRun::start(plan, auth, "INC-1", 2);
    assert_eq!(
        effects,
        [
            Effect::Journal(Record::ConfirmationGiven {
                incident: "INC-1".into(),
                step: "import-db".into(),
                attempt: 2,
                answer: "app-backup".into(),
            }),
            Effect::Journal(Record::StepStarted {
                incident: "INC-1".into(),
                step: "import-db".into(),
                attempt: 2,
                targets: vec!["app-backup".into()],
                command: Some("mysql < '/shell/sql_backup/speed 2.sql'".into()),
            }),
            Effect::Exec {
                host: "app-backup".into(),
                command: "mysql < '/shell/sql_backup/speed 2.sql'".into(),
                timeout: Duration::from_secs(1800),
            },
        ]
    );
    run.on_outcome(exec("app-backup", exited(0, "")));
    assert_eq!(run.verdict(), Some(&Verdict::Passed));
    assert_eq!(run.attempt(), 2);
    assert_eq!(run.step().id, "import-db");
}

fn sql_step(expect_rows: Option<(u64, Option<u64>)>) -> Step {
    let mut step = command_step(Target::Host("x".into()), "");
    step.id = "dns-offline".into();
    step.action = StepAction::Sql {
        database: "speed".into(),
        statement: "update speed.t_app_dns set status=2 where ip={{backup_file}}".into(),
    };
    step.expect = Some(Expectation {
        rows: expect_rows,
        ..Expectation::default()
    });
    step
}

#[test]
fn sql_step_hands_over_bound_sql_and_checks_rows() {
    let inv = inventory();
    let mut s = store();
    let _ = s.set("backup_file", "198.51.100.86", Provenance::Prompt);
    let Ok(plan) = StepRun::plan(&sql_step(Some((1, Some(4)))), &s, &fleet(&[]), &inv) else {
        panic!("no plan")
    };
    let Ok(auth) = plan.authorize(None) else {
        panic!("refused")
    };
    let (mut run, effects) = StepRun::start(plan.clone(), auth.clone(), "INC-1", 1);
    assert_eq!(
        effects.last(),
        Some(&Effect::Sql {
            database: "speed".into(),
            sql: "update speed.t_app_dns set status=2 where ip=?".into(),
            binds: vec!["198.51.100.86".into()],
            dialect: Driver::Mysql,
        })
    );
    assert!(matches!(
        &effects[0],
        Effect::Journal(Record::StepStarted { command: Some(c), .. })
            if c == "update speed.t_app_dns set status=2 where ip='198.51.100.86'"
    ));
    let ok = |rows, committed| Outcome::Sql {
        database: "speed".into(),
        result: Ok(SqlResult { rows, committed }),
    };
    run.on_outcome(ok(2, true));
    assert_eq!(run.verdict(), Some(&Verdict::Passed));

    let (mut run, _) = StepRun::start(plan.clone(), auth.clone(), "INC-1", 2);
    let effects = run.on_outcome(ok(7, true));
    assert_eq!(
        finished_reason(&effects),
        Some(Some("speed: 7 rows affected, expected 1..4".into()))
    );
    // Rows outside the expectation: the step's failure_hint is what applies.
    let verdict = run.verdict().cloned();
    assert!(matches!(
        verdict,
        Some(Verdict::Failed {
            kind: FailureKind::Expectation,
            ..
        })
    ));
    assert_eq!(
        verdict.and_then(|v| v.hint(Some("0 rows: the IP does not match"))),
        Some("0 rows: the IP does not match".into())
    );
    let (mut run, _) = StepRun::start(plan.clone(), auth.clone(), "INC-1", 3);
    run.on_outcome(ok(2, false));
    assert!(matches!(run.verdict(),
        Some(Verdict::Failed { reason, kind: FailureKind::Expectation, .. })
            if reason == "speed: rolled back"));
    let (mut run, _) = StepRun::start(plan, auth, "INC-1", 4);
    run.on_outcome(Outcome::Sql {
        database: "speed".into(),
        result: Err("Table 'speed.t_app_dns' doesn't exist".into()),
    });
    assert!(matches!(
        run.verdict(),
        Some(Verdict::Failed {
            kind: FailureKind::Error,
            ..
        })
    ));
    // An error no setting explains: the reason alone, not the failure_hint.
    assert_eq!(run.verdict().and_then(|v| v.hint(Some("0 rows"))), None);
}

/// MariaDB's safe updates refusing the statement is not the step's expectation failing: the
/// operator reads the setting's hint, not the step's failure_hint (issue 11).
#[test]
fn a_statement_refused_by_safe_updates_gets_the_settings_hint_not_the_failure_hint() {
    let inv = inventory();
    let mut s = store();
    let _ = s.set("backup_file", "198.51.100.86", Provenance::Prompt);
    let Ok(plan) = StepRun::plan(&sql_step(Some((1, Some(4)))), &s, &fleet(&[]), &inv) else {
        panic!("no plan")
    };
    let Ok(auth) = plan.authorize(None) else {
        panic!("refused")
    };
    let (mut run, _) = StepRun::start(plan, auth, "INC-1", 1);
    run.on_outcome(Outcome::Sql {
        database: "speed".into(),
        result: Err(
            "`speed`: ERROR 1175 (HY000): You are using safe update mode and you tried \
                     to update a table without a WHERE that uses a KEY column"
                .into(),
        ),
    });
    let verdict = run.verdict().cloned().expect("finished");
    assert!(matches!(
        verdict,
        Verdict::Failed {
            kind: FailureKind::Error,
            ..
        }
    ));
    let hint = verdict
        .hint(Some("0 rows: the IP does not match t_app_dns.ip"))
        .expect("a hint");
    assert!(hint.contains("sql_safe_updates"), "{hint}");
    assert!(!hint.contains("0 rows"), "{hint}");
}

fn check(host: &str, failure: Option<CheckFailure>, detail: &str) -> Outcome {
    Outcome::Check {
        host: host.into(),
        failure,
        detail: detail.into(),
    }
}

fn check_step(hint: Option<&str>, hint_for: Vec<CheckFailure>) -> Step {
    let mut step = command_step(Target::Role("nginx".into()), "");
    step.action = StepAction::Check {
        target: Target::Role("nginx".into()),
    };
    step.failure_hint = hint.map(str::to_string);
    step.failure_hint_for = hint_for;
    step
}

#[test]
fn check_step_passes_or_fails_by_itself() {
    let step = check_step(None, Vec::new());
    let (mut run, effects) = started(&step);
    assert_eq!(
        effects.last(),
        Some(&Effect::Check {
            hosts: vec!["nginx-1".into(), "nginx-2".into()]
        })
    );
    run.on_outcome(check("nginx-1", None, "all checks pass"));
    run.on_outcome(check(
        "nginx-2",
        Some(CheckFailure::Service),
        "tcp:80 refused",
    ));
    assert_eq!(
        run.verdict(),
        Some(&Verdict::Failed {
            reason: "nginx-2: service — tcp:80 refused".into(),
            stop: true,
            kind: FailureKind::Expectation,
        })
    );
}

#[test]
fn a_check_hint_shows_only_for_the_failure_it_was_written_for() {
    let both_down = "this is the both-app-down case";
    let outcome_of = |hint_for: Vec<CheckFailure>, failure: CheckFailure| {
        let (mut run, _) = started(&check_step(Some(both_down), hint_for));
        run.on_outcome(check("nginx-1", None, "2 checks pass"));
        run.on_outcome(check("nginx-2", Some(failure), "what failed"));
        run.verdict().and_then(|v| v.hint(Some(both_down)))
    };
    use CheckFailure::*;
    // By default a hint is for an unreachable host or a failing service check, never pressure.
    assert_eq!(
        outcome_of(Vec::new(), Unreachable).as_deref(),
        Some(both_down)
    );
    assert_eq!(outcome_of(Vec::new(), Service).as_deref(), Some(both_down));
    assert_eq!(outcome_of(Vec::new(), Pressure), None);
    assert_eq!(outcome_of(vec![Unreachable], Service), None);
    assert_eq!(
        outcome_of(vec![Pressure], Pressure).as_deref(),
        Some(both_down)
    );

    let (mut passed, _) = started(&check_step(Some(both_down), Vec::new()));
    passed.on_outcome(check("nginx-1", None, "ok"));
    passed.on_outcome(check("nginx-2", None, "ok"));
    assert_eq!(passed.verdict(), Some(&Verdict::Passed));
    let hint = passed.verdict().and_then(|v| v.hint(Some(both_down)));
    assert_eq!(hint, None, "no hint for a pass");
}

#[test]
fn manual_step_is_ticked_at_once() {
    let mut step = command_step(Target::Host("x".into()), "");
    step.action = StepAction::Manual;
    let (run, effects) = started(&step);
    assert_eq!(kinds(&effects), ["step_completed"]);
    assert_eq!(run.verdict(), Some(&Verdict::Passed));
}

#[test]
fn abandon_journals_what_was_running() {
    let step = command_step(Target::Role("nginx".into()), "sleep 1000");
    let (mut run, _) = started(&step);
    let effects = run.abandon("stopped by the operator");
    assert_eq!(kinds(&effects), ["step_output", "step_finished"]);
    assert_eq!(
        finished_reason(&effects),
        Some(Some("nginx-1: stopped by the operator".into()))
    );
    assert!(run.abandon("again").is_empty());
}

/// The records a run emits, sealed and folded: status, attempts, variables and outputs.
#[test]
fn run_records_fold_into_the_incident_and_resume_as_interrupted() {
    let opened = Record::IncidentOpened {
        host: None,
        checkpoint_minutes: None,
        incident: "INC-1".into(),
        title: "t".into(),
        severity: Severity::P0,
        playbook: "p".into(),
        playbook_title: "p".into(),
        rto_minutes: Some(30),
        steps: vec![
            StepSnapshot {
                id: "find-backup".into(),
                title: "f".into(),
                kind: "command".into(),
            },
            StepSnapshot {
                id: "s".into(),
                title: "s".into(),
                kind: "command".into(),
            },
        ],
        fleet: Default::default(),
        unhealthy_since_ms: None,
    };
    let mut records = vec![opened];
    let (mut run, effects) = started(&find_backup());
    let mut effects = effects;
    effects.extend(run.on_outcome(exec("app-backup", exited(0, "/b/speed-9.sql\n"))));
    // A second step is started, then cockpit dies before it finishes.
    let (_, half) = started(&command_step(Target::Host("app-primary".into()), "sleep 9"));
    effects.extend(half);
    records.extend(effects.into_iter().filter_map(|e| match e {
        Effect::Journal(r) => Some(r),
        _ => None,
    }));
    records.push(Record::SessionStarted {
        version: "x".into(),
        mode: "live".into(),
        role: None,
    });
    let mut entries: Vec<Entry> = Vec::new();
    for r in &records {
        let prev = entries.last().map(|e| (e.seq, e.hash.clone()));
        let sealed = Entry::seal(
            prev.as_ref().map(|(s, h)| (*s, h.as_str())),
            1000 * entries.len() as i64,
            "op@bastion",
            r,
            &Redactor::default(),
        );
        entries.extend(sealed.ok());
    }
    let ws = Workspace::fold(&entries);
    let Some(i) = ws.open_incident() else {
        panic!("no incident")
    };
    assert!(matches!(i.status("find-backup"), StepStatus::Done { .. }));
    assert_eq!(
        i.variables.get("backup_file").map(|v| v.value.as_str()),
        Some("/b/speed-9.sql")
    );
    assert_eq!(
        i.results.get("find-backup").map(|r| r[0].output.as_str()),
        Some("/b/speed-9.sql")
    );
    assert!(matches!(
        i.status("s"),
        StepStatus::Interrupted { attempt: 1, .. }
    ));
    assert_eq!(i.next_attempt("s"), 2);
    // The resumed store knows the captured value again.
    let resumed = VariableStore::resume(
        &[variable("backup_file", VariableSource::Capture, false)],
        &i.variables,
    );
    assert_eq!(
        resumed
            .render_command("mysql < {{backup_file}}", None)
            .as_deref(),
        Ok("mysql < /b/speed-9.sql")
    );
}
