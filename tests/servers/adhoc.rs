//! Off-script commands (`!` in the Hosts pane) on real OpenSSH `sshd` hosts, driven headless
//! through the runtime's own executor and journal writer: one host, a role at once, a
//! dangerous command refused without the typed name and run with it, a hostile corpus of
//! commands arriving byte for byte, and what the journal keeps: outputs and exit statuses,
//! secrets masked, the history the prompt recalls after a restart.

use crate::support::app_driver::{WEB_DOWN_PLAYBOOK, chars, live_app, open_incident, press};
use crate::support::headless::Headless;
use crate::support::journal_files::reopen;
use crate::support::sshd::{self, TestSshd, sshd_inventory, write_known_hosts};
use cockpit::core::incident::Workspace;
use cockpit::core::journal::{Entry, Record};
use cockpit::core::redact::Redactor;
use cockpit::io::journal_store::JournalStore;
use cockpit::ui::app::App;
use cockpit::ui::overlay::{AdhocPrompt, LineInput, Overlay};
use crossterm::event::KeyCode;
use std::path::Path;

/// web-1 and web-2 (role `web`, tag `edge`), probed over ssh every second.
fn inventory(hosts: &[(&str, &TestSshd)], known_hosts: &Path) -> String {
    sshd_inventory(hosts, known_hosts, |_| {
        "role = \"web\"\ntags = [\"edge\"]\n".to_string()
    })
}

/// Types `line` into the open prompt and presses Enter.
fn run_line(h: &mut Headless, line: &str) {
    h.keys(chars(line));
    h.send(press(KeyCode::Enter));
}

/// Waits for the running off-script command's end and every journal answer.
async fn finished(h: &mut Headless) {
    h.until("the off-script command's end", |app: &App| {
        !app.adhoc.is_running() && app.pending_writes == 0
    })
    .await;
}

fn started(e: &Entry) -> (&str, &[String], &str, bool, Option<&str>) {
    match &e.record {
        Record::AdhocStarted {
            target,
            targets,
            command,
            parallel,
            confirmation,
            ..
        } => (
            target.as_str(),
            targets.as_slice(),
            command.as_str(),
            *parallel,
            confirmation.as_deref(),
        ),
        other => panic!("not a start: {other:?}"),
    }
}

fn output(e: &Entry) -> (&str, Option<i32>, &str, Option<&str>) {
    match &e.record {
        Record::AdhocOutput {
            host,
            exit,
            output,
            reason,
            ..
        } => (host.as_str(), *exit, output.as_str(), reason.as_deref()),
        other => panic!("not an output: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn off_script_commands_run_on_a_host_and_a_role_guarded_and_journaled() {
    sshd::require_sshd();
    let web1 = TestSshd::start("127.0.0.2");
    let web2 = TestSshd::start_with_keys("127.0.0.3", &web1.keys);
    let dir = tempfile::tempdir().expect("dir");
    let known = dir.path().join("known_hosts");
    write_known_hosts(&known, &[web1.known_hosts_line(), web2.known_hosts_line()]);
    let path = dir.path().join("journal.db");
    let inv = inventory(&[("web-1", &web1), ("web-2", &web2)], &known);
    let (app, store) = open_incident(&path, &inv, WEB_DOWN_PLAYBOOK, "web is slow").await;
    let mut h = Headless::start(app, store).await;
    h.until("both hosts answering over ssh", |app: &App| {
        app.hosts
            .iter()
            .all(|r| !r.outcomes.is_empty() && r.outcomes.iter().all(|o| o.ok))
    })
    .await;

    // One host: the selected one. A secret in the command and its output is masked in the
    // journal; the output shows under the command.
    h.send(press(KeyCode::Char('1')));
    h.send(press(KeyCode::Char('!')));
    assert!(matches!(h.app.overlay, Some(Overlay::Adhoc(_))));
    run_line(
        &mut h,
        "echo on $SSH_CONNECTION; echo password=hunter2; echo \"it's; $(echo sub)\" 主机 >&2",
    );
    finished(&mut h).await;
    let starts = h.journaled_of("adhoc_started");
    let (target, targets, command, parallel, confirmation) = started(starts[0]);
    assert_eq!(
        (target, targets, parallel, confirmation),
        ("host web-1", &["web-1".to_string()][..], false, None)
    );
    assert_eq!(
        command,
        "echo on $SSH_CONNECTION; echo password=***; echo \"it's; $(echo sub)\" 主机 >&2"
    );
    let outs = h.journaled_of("adhoc_output");
    let (host, exit, text, reason) = output(outs[0]);
    assert_eq!((host, exit, reason), ("web-1", Some(0), None));
    assert!(text.contains(&format!("127.0.0.2 {}", web1.port)), "{text}");
    assert!(
        text.contains("password=***\n[stderr]\nit's; sub 主机"),
        "{text}"
    );
    let shown = h.app.adhoc.output().all_lines().join("\n");
    assert!(
        shown.contains("── web-1: exit 0 ──") && shown.contains("password=***"),
        "{shown}"
    );
    assert!(!shown.contains("hunter2"), "{shown}");

    // A role: read-only, so both hosts at once; each host's exit status journaled.
    run_line(
        &mut h,
        "role:web echo $SSH_CONNECTION | cut -d' ' -f3-4; exit 3",
    );
    finished(&mut h).await;
    let starts = h.journaled_of("adhoc_started");
    let (target, targets, _, parallel, _) = started(starts[1]);
    assert_eq!(
        (target, targets, parallel),
        (
            "role web",
            &["web-1".to_string(), "web-2".to_string()][..],
            true
        )
    );
    let outs = h.journaled_of("adhoc_output");
    let mut ends: Vec<(String, Option<i32>, String)> = outs[1..]
        .iter()
        .map(|e| {
            let (host, exit, text, _) = output(e);
            (host.to_string(), exit, text.to_string())
        })
        .collect();
    ends.sort();
    assert_eq!(
        ends,
        vec![
            ("web-1".into(), Some(3), format!("127.0.0.2 {}", web1.port)),
            ("web-2".into(), Some(3), format!("127.0.0.3 {}", web2.port)),
        ]
    );
    // Hosts running at once each get their own whole lines, named.
    let shown = h.app.adhoc.output().all_lines();
    for (name, s) in [("web-1", &web1), ("web-2", &web2)] {
        let line = format!("{name} │ {} {}", s.address, s.port);
        assert!(shown.contains(&line), "{line:?} not in {shown:#?}");
        assert!(
            shown.contains(&format!("── {name}: exit 3 ──")),
            "{shown:#?}"
        );
    }
    assert!(
        h.app
            .flash
            .as_ref()
            .is_some_and(|f| f.error && f.text.contains("web-1: exit 3")),
        "{:?}",
        h.app.flash
    );

    // A dangerous one: refused with the wrong name and when cancelled, run with the role's.
    let victim = dir.path().join("victim");
    std::fs::create_dir_all(victim.join("inner")).expect("victim");
    let wipe = format!("role:web rm -rf {}", victim.display());
    run_line(&mut h, &wipe);
    assert!(matches!(h.app.overlay, Some(Overlay::ConfirmAdhoc(_))));
    run_line(&mut h, "web-1");
    h.settle().await;
    assert!(h.app.overlay.is_none(), "{:?}", h.app.overlay);
    h.send(press(KeyCode::Char('!')));
    run_line(&mut h, &wipe);
    h.send(press(KeyCode::Esc));
    h.settle().await;
    assert!(victim.exists(), "a refused command ran");
    let refusals: Vec<String> = h
        .journaled_of("adhoc_refused")
        .iter()
        .map(|e| match &e.record {
            Record::AdhocRefused {
                refusal,
                reasons,
                targets,
                ..
            } => {
                assert_eq!(reasons, &["contains `rm -rf`"]);
                assert_eq!(targets, &["web-1", "web-2"]);
                refusal.clone()
            }
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        refusals,
        ["typed `web-1`, not `web`", "cancelled by the operator"]
    );
    assert_eq!(h.journaled_of("adhoc_started").len(), 2, "nothing ran");
    h.send(press(KeyCode::Char('!')));
    run_line(&mut h, &wipe);
    run_line(&mut h, "web");
    finished(&mut h).await;
    assert!(!victim.exists(), "the confirmed command did not run");
    let starts = h.journaled_of("adhoc_started");
    let (_, _, _, parallel, confirmation) = started(starts[2]);
    assert_eq!((parallel, confirmation), (false, Some("web")));

    // ↑ recalls the incident's commands, newest first, aimed as they were.
    h.send(press(KeyCode::Up));
    h.send(press(KeyCode::Up));
    let Some(Overlay::Adhoc(AdhocPrompt { input, .. })) = &h.app.overlay else {
        panic!("no prompt: {:?}", h.app.overlay)
    };
    assert_eq!(
        input.text,
        "role:web echo $SSH_CONNECTION | cut -d' ' -f3-4; exit 3"
    );
    h.send(press(KeyCode::Esc));
    h.end().await;

    // The journal never held the secret; after a restart the history is there again.
    let bytes = std::fs::read(&path).expect("journal file");
    assert!(
        !bytes.windows(7).any(|w| w == b"hunter2"),
        "the secret reached the journal file"
    );
    let (_store, entries) = reopen(|| JournalStore::open(&path, true, Redactor::default()))
        .await
        .expect("reopen");
    let app = live_app(
        cockpit::core::inventory::Inventory::default(),
        Vec::new(),
        Workspace::fold(&entries),
    );
    assert_eq!(app.adhoc_history().len(), 3);
    assert_eq!(
        app.adhoc_history().first().map(String::as_str),
        Some("echo on $SSH_CONNECTION; echo password=***; echo \"it's; $(echo sub)\" 主机 >&2")
    );
}

/// Commands an operator types, each run on a real host through the prompt: every one arrives
/// byte for byte (the output proves it), and the journal holds it with only secrets masked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_corpus_of_commands_arrives_as_typed() {
    sshd::require_sshd();
    let web1 = TestSshd::start("127.0.0.2");
    let dir = tempfile::tempdir().expect("dir");
    let known = dir.path().join("known_hosts");
    write_known_hosts(&known, &[web1.known_hosts_line()]);
    let path = dir.path().join("journal.db");
    let inv = inventory(&[("web-1", &web1)], &known);
    let (app, store) = open_incident(&path, &inv, WEB_DOWN_PLAYBOOK, "corpus").await;
    let mut h = Headless::start(app, store).await;
    h.until("web-1 answering over ssh", |app: &App| {
        app.hosts
            .iter()
            .all(|r| !r.outcomes.is_empty() && r.outcomes.iter().all(|o| o.ok))
    })
    .await;
    h.send(press(KeyCode::Char('1')));
    // (command, journaled command, journaled output)
    let corpus = [
        (
            r#"printf '%s|' "it's" 'say "hi"' `echo tick`"#,
            r#"printf '%s|' "it's" 'say "hi"' `echo tick`"#,
            r#"it's|say "hi"|tick|"#,
        ),
        (
            "echo a; echo b && false || echo c",
            "echo a; echo b && false || echo c",
            "a\nb\nc",
        ),
        (
            "echo $(echo sub) $((2+3)) ${HOME:+home}",
            "echo $(echo sub) $((2+3)) ${HOME:+home}",
            "sub 5 home",
        ),
        ("echo one\necho two", "echo one\necho two", "one\ntwo"),
        ("echo 主应用 备份 ✓", "echo 主应用 备份 ✓", "主应用 备份 ✓"),
        ("echo 'tab\there'", "echo 'tab\there'", "tab\there"),
        // Its stdin is empty, as a step's: a command reading it ends at once.
        ("cat; echo after-cat", "cat; echo after-cat", "after-cat"),
        (
            "echo password=hunter2 | tr a-z A-Z",
            "echo password=*** | tr a-z A-Z",
            "PASSWORD=***",
        ),
        (
            "mysql --password=s3cret-pw 2>/dev/null; echo token=abc123xyz",
            "mysql --password=*** 2>/dev/null; echo token=***",
            "token=***",
        ),
    ];
    for (n, (command, journaled, out)) in corpus.iter().enumerate() {
        // Typed into the prompt as it is (a newline cannot be typed: it is put there).
        h.app.overlay = Some(Overlay::Adhoc(AdhocPrompt {
            input: LineInput::with_text(*command),
            ..AdhocPrompt::default()
        }));
        h.send(press(KeyCode::Enter));
        finished(&mut h).await;
        let starts = h.journaled_of("adhoc_started");
        let (_, _, shown, _, _) = started(starts[n]);
        assert_eq!(shown, *journaled, "journaled command of {command:?}");
        let outs = h.journaled_of("adhoc_output");
        let (_, exit, text, reason) = output(outs[n]);
        assert_eq!(
            (exit, text, reason),
            (Some(0), *out, None),
            "output of {command:?}"
        );
    }
    h.end().await;
    let bytes = std::fs::read(&path).expect("journal file");
    for secret in ["hunter2", "s3cret-pw", "abc123xyz"] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} reached the journal file"
        );
    }
}
