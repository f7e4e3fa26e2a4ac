use super::*;
use crate::core::diagnostic::SourceFile;
use crate::core::incident::adhoc_recall_line as recall_line;
use crate::core::journal::Record;
use crate::core::run::plan::Refusal;

/// nginx-1 and nginx-2 (role nginx, tag `edge`), app-primary and app-backup (tag `app`,
/// app-backup also `edge`).
fn inventory() -> Inventory {
    let text = r#"
[[hosts]]
name = "nginx-1"
address = "10.0.0.1"
role = "nginx"
tags = ["edge"]
[[hosts]]
name = "nginx-2"
address = "10.0.0.2"
role = "nginx"
tags = ["edge"]
[[hosts]]
name = "app-primary"
address = "10.0.0.3"
role = "app-primary"
tags = ["app"]
[[hosts]]
name = "app-backup"
address = "10.0.0.4"
role = "app-backup"
tags = ["app", "edge"]
"#;
    crate::core::inventory::parse(&SourceFile::new("inv.toml", text)).unwrap_or_default()
}

fn plan(line: &str, selected: Option<&str>) -> Result<AdhocPlan, AdhocError> {
    AdhocPlan::new(line, selected, &inventory(), &Redactor::default())
}

fn exited(exit: i32, stdout: &str, stderr: &str) -> ExecResult {
    ExecResult::Exited {
        exit: Some(exit),
        stdout: stdout.into(),
        stderr: stderr.into(),
    }
}

fn ended(host: &str, result: ExecResult) -> Outcome {
    Outcome::Exec {
        host: host.into(),
        result,
    }
}

fn exec_hosts(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Exec { host, .. } => Some(host.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_first_word_names_the_target_else_the_selected_host() {
    let parse = |line: &str, sel: Option<&str>| parse_request(line, sel);
    assert_eq!(
        parse("  uptime ", Some("nginx-1")),
        Ok((AdhocTarget::Host("nginx-1".into()), "uptime".into()))
    );
    assert_eq!(
        parse("role:nginx systemctl status nginx", None),
        Ok((
            AdhocTarget::Role("nginx".into()),
            "systemctl status nginx".into()
        ))
    );
    assert_eq!(
        parse("tag:edge   df -h /", Some("x")),
        Ok((AdhocTarget::Tag("edge".into()), "df -h /".into()))
    );
    assert_eq!(
        parse("host:app-backup tail -n 5 /var/log/x", Some("nginx-1")),
        Ok((
            AdhocTarget::Host("app-backup".into()),
            "tail -n 5 /var/log/x".into()
        ))
    );
    assert_eq!(parse("uptime", None), Err(AdhocError::NoHost));
    assert_eq!(parse("   ", Some("nginx-1")), Err(AdhocError::Empty));
    assert_eq!(parse("role:nginx", None), Err(AdhocError::Empty));
    assert_eq!(
        parse("role: uptime", None).map_err(|e| e.to_string()),
        Err("`role:` names nothing: write role:NAME, a space, then the command".into())
    );
    // A word that only looks like a prefix is the command itself.
    assert_eq!(
        parse("roles:x ls", Some("nginx-1")),
        Ok((AdhocTarget::Host("nginx-1".into()), "roles:x ls".into()))
    );
}

#[test]
fn roles_and_tags_resolve_in_inventory_order_and_unknown_ones_are_refused() {
    let hosts = |line: &str| plan(line, None).map(|p| p.hosts);
    assert_eq!(
        hosts("role:nginx uptime"),
        Ok(vec!["nginx-1".into(), "nginx-2".into()])
    );
    assert_eq!(
        hosts("tag:edge uptime"),
        Ok(vec![
            "nginx-1".into(),
            "nginx-2".into(),
            "app-backup".into()
        ])
    );
    assert_eq!(
        plan("role:db uptime", None).map_err(|e| e.to_string()),
        Err("no host of the inventory has role `db`".into())
    );
    assert_eq!(
        plan("tag:nope uptime", None).map_err(|e| e.to_string()),
        Err("no host of the inventory has tag `nope`".into())
    );
    assert_eq!(
        plan("uptime", Some("ghost")).map_err(|e| e.to_string()),
        Err("unknown host `ghost`: not in the inventory".into())
    );
}

#[test]
fn read_only_commands_run_everywhere_at_once_dangerous_ones_one_by_one_after_the_name() {
    let Ok(status) = plan("role:nginx systemctl status nginx", None) else {
        panic!("no plan")
    };
    assert_eq!((status.guard.clone(), status.parallel), (Guard::None, true));
    assert!(status.authorize(None).is_ok());

    let Ok(stop) = plan("role:nginx sudo systemctl stop nginx", None) else {
        panic!("no plan")
    };
    assert!(!stop.parallel, "a dangerous command never runs in parallel");
    assert_eq!(
        stop.guard,
        Guard::Typed {
            expected: "nginx".into(),
            reasons: vec!["contains `systemctl stop`".into()],
        }
    );
    assert_eq!(stop.authorize(None), Err(Refusal::NeedsAnswer));
    let wrong = stop.authorize(Some("nginx-1"));
    assert_eq!(
        wrong,
        Err(Refusal::Wrong {
            given: "nginx-1".into()
        })
    );
    assert_eq!(
        stop.refusal_record(Some("INC-1"), wrong.as_ref().err()),
        Some(Record::AdhocRefused {
            incident: Some("INC-1".into()),
            command: "sudo systemctl stop nginx".into(),
            targets: vec!["nginx-1".into(), "nginx-2".into()],
            reasons: vec!["contains `systemctl stop`".into()],
            refusal: "typed `nginx-1`, not `nginx`".into(),
        })
    );
    assert!(matches!(
        stop.refusal_record(None, None),
        Some(Record::AdhocRefused { refusal, incident: None, .. }) if refusal == "cancelled by the operator"
    ));
    assert!(stop.authorize(Some(" nginx ")).is_ok());
    assert_eq!(status.refusal_record(None, None), None);

    // One host: its own name is typed, whatever picked it.
    let Ok(one) = plan("role:app-backup rm -rf /tmp/x", None) else {
        panic!("no plan")
    };
    assert!(matches!(one.guard, Guard::Typed { ref expected, .. } if expected == "app-backup"));
    assert!(!one.parallel);
}

#[test]
fn the_inventory_patterns_decide_what_is_dangerous() {
    let mut inv = inventory();
    inv.settings.dangerous_patterns = vec![r"\bnginx\s+-s\s+stop\b".into()];
    let plan = |line: &str| AdhocPlan::new(line, Some("nginx-1"), &inv, &Redactor::default());
    assert!(plan("rm -rf /tmp/x").is_ok_and(|p| p.guard == Guard::None));
    assert!(plan("NGINX -s STOP").is_ok_and(|p| p.guard.is_dangerous()));
}

#[test]
fn a_run_journals_its_start_before_any_host_then_each_hosts_end() {
    let Ok(p) = plan("role:nginx cat /etc/hostname", None) else {
        panic!("no plan")
    };
    let Ok(auth) = p.authorize(None) else {
        panic!("refused")
    };
    let (mut run, effects) = AdhocRun::start(p, auth, Some("INC-1"), 3, &Redactor::default());
    assert_eq!(
        effects.first(),
        Some(&Effect::Journal(Record::AdhocStarted {
            incident: Some("INC-1".into()),
            run: 3,
            target: "role nginx".into(),
            targets: vec!["nginx-1".into(), "nginx-2".into()],
            command: "cat /etc/hostname".into(),
            parallel: true,
            confirmation: None,
        }))
    );
    assert_eq!(exec_hosts(&effects), ["nginx-1", "nginx-2"]);
    assert_eq!(run.running_on(), ["nginx-1", "nginx-2"]);
    let after = run.on_outcome(ended("nginx-2", exited(0, "nginx-2\n", "")));
    assert_eq!(
        after,
        vec![Effect::Journal(Record::AdhocOutput {
            incident: Some("INC-1".into()),
            run: 3,
            host: "nginx-2".into(),
            exit: Some(0),
            output: "nginx-2".into(),
            reason: None,
        })]
    );
    assert!(
        run.on_outcome(ended("nginx-2", exited(0, "", "")))
            .is_empty()
    );
    let last = run.on_outcome(ended("nginx-1", ExecResult::TimedOut));
    assert!(matches!(
        last.as_slice(),
        [Effect::Journal(Record::AdhocOutput { exit: None, reason: Some(r), .. })] if r == "timed out after 120 s"
    ));
    assert!(run.is_finished());
    assert_eq!(run.failures(), ["nginx-1: timed out after 120 s"]);
}

#[test]
fn one_host_after_another_and_a_failed_dangerous_command_goes_no_further() {
    let Ok(p) = plan("tag:edge sudo reboot", None) else {
        panic!("no plan")
    };
    let Ok(auth) = p.authorize(Some("edge")) else {
        panic!("refused")
    };
    let (mut run, effects) = AdhocRun::start(p, auth, None, 1, &Redactor::default());
    assert!(matches!(
        effects.first(),
        Some(Effect::Journal(Record::AdhocStarted { confirmation: Some(c), parallel: false, incident: None, .. })) if c == "edge"
    ));
    assert_eq!(exec_hosts(&effects), ["nginx-1"]);
    let next = run.on_outcome(ended("nginx-1", exited(0, "", "")));
    assert_eq!(exec_hosts(&next), ["nginx-2"]);
    let stopped = run.on_outcome(ended(
        "nginx-2",
        ExecResult::Lost {
            reason: "connection reset".into(),
        },
    ));
    assert!(exec_hosts(&stopped).is_empty());
    assert!(matches!(
        stopped.as_slice(),
        [
            Effect::Journal(Record::AdhocOutput { host: a, reason: Some(lost), .. }),
            Effect::Journal(Record::AdhocOutput { host: b, reason: Some(skipped), .. }),
        ] if a == "nginx-2" && lost == "host lost: connection reset"
            && b == "app-backup" && skipped == "not run: the command failed on nginx-2"
    ));
    assert!(run.is_finished());

    // A read-only command goes on past a host where it failed.
    let Ok(p) = plan("role:nginx systemctl is-active nginx", None) else {
        panic!("no plan")
    };
    let mut p = p;
    p.parallel = false;
    let (mut run, _) = AdhocRun::start(
        p,
        Authorization { answer: None },
        None,
        2,
        &Redactor::default(),
    );
    let next = run.on_outcome(ended("nginx-1", exited(3, "inactive\n", "")));
    assert_eq!(exec_hosts(&next), ["nginx-2"]);
}

#[test]
fn abandoned_hosts_are_journaled_with_the_reason() {
    let Ok(mut p) = plan("role:nginx uptime", None) else {
        panic!("no plan")
    };
    p.parallel = false;
    let (mut run, _) = AdhocRun::start(
        p,
        Authorization { answer: None },
        None,
        1,
        &Redactor::default(),
    );
    let effects = run.abandon("cockpit quit");
    let hosts: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Journal(Record::AdhocOutput {
                host,
                reason: Some(r),
                ..
            }) if r == "cockpit quit" => Some(host.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(hosts, ["nginx-1", "nginx-2"]);
    assert!(run.is_finished());
}

/// Commands an operator may type: each is sent byte for byte, and only secrets are masked in
/// what the journal and the screen get.
#[test]
fn hostile_commands_are_sent_as_typed_and_journaled_masked() {
    let corpus = [
        ("echo 'single' \"double\" `date`", None),
        ("echo a; echo b && false || true", None),
        ("echo $(id -u) ${HOME} $((1+2))", None),
        ("printf 'line1\\nline2\\n'", None),
        ("echo one\necho two", None),
        ("echo 主应用 备份 ✓ — done", None),
        (
            "mysql -uops --password=hunter2 -e 'select 1'",
            Some("hunter2"),
        ),
        ("echo password=s3cr3t-value; env", Some("s3cr3t-value")),
        (
            "curl -H 'Authorization: Bearer abcdef1234567890' http://x/",
            Some("abcdef1234567890"),
        ),
    ];
    for (command, secret) in corpus {
        let line = format!("role:nginx {command}");
        let Ok(p) = plan(&line, None) else {
            panic!("no plan for {command:?}")
        };
        assert_eq!(p.command, command, "sent as typed");
        let (_, effects) = AdhocRun::start(
            p.clone(),
            Authorization { answer: None },
            None,
            1,
            &Redactor::default(),
        );
        for e in &effects {
            match e {
                Effect::Exec { command: sent, .. } => assert_eq!(sent, command),
                Effect::Journal(Record::AdhocStarted { command: shown, .. }) => match secret {
                    Some(s) => assert!(
                        !shown.contains(s) && shown.contains(crate::core::redact::MASK),
                        "{shown:?}"
                    ),
                    None => assert_eq!(shown, command),
                },
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn secrets_in_the_output_are_masked_even_when_the_output_is_cut() {
    let Ok(p) = plan("cat /etc/app.env", Some("app-backup")) else {
        panic!("no plan")
    };
    let (mut run, _) = AdhocRun::start(
        p,
        Authorization { answer: None },
        None,
        1,
        &Redactor::default(),
    );
    let long = format!(
        "{}\npassword=hunter2-the-secret\n",
        "filler line\n".repeat(10_000)
    );
    let effects = run.on_outcome(ended(
        "app-backup",
        exited(1, &long, "token = \"tok-very-secret\"\n"),
    ));
    let [Effect::Journal(Record::AdhocOutput { output, exit, .. })] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(*exit, Some(1));
    assert!(output.len() <= crate::core::run::output::OUTPUT_TAIL_BYTES + 8);
    assert!(output.contains("password=***"), "{output}");
    assert!(!output.contains("hunter2") && !output.contains("tok-very-secret"));
    assert!(output.ends_with("[stderr]\ntoken = ***"), "{output}");
}

#[test]
fn the_recalled_line_aims_at_the_same_role_or_tag() {
    assert_eq!(recall_line("role nginx", "uptime"), "role:nginx uptime");
    assert_eq!(recall_line("tag edge", "df -h"), "tag:edge df -h");
    assert_eq!(recall_line("host nginx-1", "uptime"), "uptime");
    // What it recalls plans the same run again.
    let line = recall_line("tag edge", "df -h");
    assert_eq!(plan(&line, None).map(|p| p.hosts.len()), Ok(3));
}
