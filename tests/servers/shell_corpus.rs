//! The hostile shell corpus (tests/fixtures/shell_corpus.toml): every value in every context,
//! rendered by cockpit's variable store and run under real `dash -c` and `bash -c`, here and
//! over a real sshd through the fleet worker. Each value must arrive byte for byte, with no
//! file created by an injected command; contexts that cannot be made safe must be refused by
//! the playbook check; a value that would end a here-document early must be refused when the
//! command is rendered (nothing runs).

use crate::support::sshd;

use cockpit::core::diagnostic::SourceFile;
use cockpit::core::inventory::Host;
use cockpit::core::playbook::{self, Playbook};
use cockpit::core::redact::Redactor;
use cockpit::core::run::{Provenance, RenderError, VariableStore};
use cockpit::core::template::shell_quote;
use cockpit::io::fleet::FleetWorker;
use futures::StreamExt;
use serde::Deserialize;
use sshd::{TestSshd, write_known_hosts};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

#[derive(Deserialize)]
struct Corpus {
    values: Vec<Value>,
    contexts: Vec<Context>,
    refused: Vec<Refused>,
}

#[derive(Deserialize)]
struct Value {
    text: String,
    repeat: Option<usize>,
}

#[derive(Deserialize)]
struct Context {
    name: String,
    run: String,
    expect: String,
    shells: Option<Vec<String>>,
    #[serde(default)]
    heredoc: bool,
}

#[derive(Deserialize)]
struct Refused {
    name: String,
    run: String,
    why: String,
}

impl Context {
    fn shells(&self) -> Vec<String> {
        self.shells
            .clone()
            .unwrap_or_else(|| vec!["dash".into(), "bash".into()])
    }
}

fn corpus() -> (Corpus, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shell_corpus.toml");
    let text = std::fs::read_to_string(&path).expect("the shell corpus fixture");
    let corpus: Corpus = toml::from_str(&text).expect("a valid corpus");
    let values = corpus
        .values
        .iter()
        .map(|v| v.text.repeat(v.repeat.unwrap_or(1)))
        .collect();
    (corpus, values)
}

/// A playbook with a prompted variable `v` and one command step running `run`.
fn playbook_text(run: &str) -> String {
    format!(
        "id = \"corpus\"\ntitle = \"Corpus\"\nseverity = \"P2\"\n\n[[variables]]\nname = \"v\"\nfrom = \"prompt\"\n\n[[steps]]\nid = \"run\"\ntitle = \"Run\"\nkind = \"command\"\nhost = \"web\"\nrun = {}\n",
        toml::Value::String(run.to_string())
    )
}

fn check(run: &str) -> Result<Playbook, String> {
    playbook::parse(&SourceFile::new("corpus.toml", playbook_text(run)), None)
        .map_err(|d| d.to_string())
}

/// How one value in one context went.
enum Rendered {
    /// The command to run.
    Command(String),
    /// Refused when rendered; nothing runs.
    Refused(RenderError),
}

/// Renders `run` with `v` (or `host.v`) set to `value`, through the real variable store.
fn render(playbook: &Playbook, run: &str, value: &str, host: Option<&Host>) -> Rendered {
    let mut store = VariableStore::new(&playbook.variables);
    store.set("v", value, Provenance::Prompt).expect("declared");
    match store.render_command(run, host) {
        Ok(c) => Rendered::Command(c),
        Err(e) => Rendered::Refused(e),
    }
}

/// A refusal at render time is right only where a value can end a here-document early (a
/// delimiter line, or a newline/tab in a `<<-` one): the check cannot know the value.
fn assert_refusal_is_for_a_heredoc(ctx: &Context, value: &str, e: &RenderError) {
    assert!(
        ctx.heredoc
            && (value.contains(['\n', '\t']) || value == "EOF")
            && matches!(
                e,
                RenderError::HeredocEnded { .. } | RenderError::UnsafeShellPlace { .. }
            ),
        "{}: {value:?} refused at run time: {e}",
        ctx.name
    );
}

fn assert_arrived(ctx: &Context, shell: &str, value: &str, command: &str, out: &[u8], dir: &Path) {
    let expected = ctx.expect.replace("{v}", value);
    assert!(
        out == expected.as_bytes(),
        "{} under {shell}: value {value:?}\ncommand: {command:?}\nexpected {expected:?}\ngot      {:?}",
        ctx.name,
        String::from_utf8_lossy(out)
    );
    assert_no_side_effect(ctx, shell, value, dir);
}

fn assert_no_side_effect(ctx: &Context, shell: &str, value: &str, dir: &Path) {
    let made: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the run folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert!(
        made.is_empty(),
        "{} under {shell}: value {value:?} created {made:?}",
        ctx.name
    );
}

#[test]
fn corpus_is_big_enough() {
    let (corpus, values) = corpus();
    assert!(values.len() >= 50, "{} values", values.len());
    assert!(
        corpus.contexts.len() >= 12,
        "{} contexts",
        corpus.contexts.len()
    );
    assert!(
        corpus.refused.len() >= 12,
        "{} refused",
        corpus.refused.len()
    );
}

#[test]
fn check_refuses_every_unsafe_context_and_accepts_the_rest() {
    let (corpus, _) = corpus();
    for ctx in &corpus.contexts {
        if let Err(e) = check(&ctx.run) {
            panic!("{} refused:\n{e}", ctx.name);
        }
    }
    for r in &corpus.refused {
        let e = check(&r.run)
            .err()
            .unwrap_or_else(|| panic!("{} accepted", r.name));
        assert!(
            e.contains("`{{v}}` cannot be filled in here") && e.contains(&r.why),
            "{}: {e}",
            r.name
        );
        // Rendering refuses too: nothing would run.
        let pb = check("echo {{v}}").expect("valid");
        assert!(
            matches!(
                render(&pb, &r.run, "x", None),
                Rendered::Refused(RenderError::UnsafeShellPlace { .. })
            ),
            "{} rendered",
            r.name
        );
    }
}

#[test]
fn every_value_arrives_literally_under_dash_and_bash() {
    let (corpus, values) = corpus();
    let (mut ran, mut refused) = (0, 0);
    for ctx in &corpus.contexts {
        let pb = check(&ctx.run).unwrap_or_else(|e| panic!("{e}"));
        for value in &values {
            let command = match render(&pb, &ctx.run, value, None) {
                Rendered::Command(c) => c,
                Rendered::Refused(e) => {
                    assert_refusal_is_for_a_heredoc(ctx, value, &e);
                    refused += 1;
                    continue;
                }
            };
            for shell in ctx.shells() {
                let dir = tempfile::tempdir().expect("run folder");
                let out = Command::new(&shell)
                    .arg("-c")
                    .arg(&command)
                    .current_dir(dir.path())
                    .output()
                    .unwrap_or_else(|e| panic!("run {shell}: {e}"));
                assert!(
                    out.status.success() && out.stderr.is_empty(),
                    "{} under {shell}: value {value:?}\ncommand: {command:?}\n{out:?}",
                    ctx.name
                );
                assert_arrived(ctx, &shell, value, &command, &out.stdout, dir.path());
                ran += 1;
            }
        }
    }
    println!("{ran} runs, {refused} values refused at render time");
    assert!(ran > 50 * 12, "{ran}");
}

/// One host `web` on a real sshd, and the fleet worker connected to it.
fn fleet_on(sshd: &TestSshd, known: &Path) -> (FleetWorker, Host) {
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let text = format!(
        "[settings]\nknown_hosts = {}\n\n[[hosts]]\nname = \"web\"\naddress = {}\nport = {}\nuser = {}\nrole = \"app\"\nidentity_files = [{}]\n",
        q(&known.display().to_string()),
        q(&sshd.address),
        sshd.port,
        q(&sshd.user),
        q(&sshd.client_key.display().to_string()),
    );
    let inv =
        cockpit::core::inventory::parse(&SourceFile::new("inv.toml", text)).expect("inventory");
    let host = inv.host("web").expect("web").clone();
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    (FleetWorker::start(&inv, &Redactor::default(), tx), host)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_value_arrives_literally_over_ssh() {
    let sshd = TestSshd::start("127.0.0.5");
    let tmp = tempfile::tempdir().expect("dir");
    let known = tmp.path().join("known_hosts");
    write_known_hosts(&known, &[sshd.known_hosts_line()]);
    let (fleet, host) = fleet_on(&sshd, &known);
    let (corpus, values) = corpus();

    let mut jobs = Vec::new();
    let mut refused = 0;
    for (c, ctx) in corpus.contexts.iter().enumerate() {
        // The value comes from a fact of the host this time.
        let run = ctx.run.replace("{{v}}", "{{host.v}}");
        let pb = check(&run).unwrap_or_else(|e| panic!("{e}"));
        for value in &values {
            let mut h = host.clone();
            h.vars.insert("v".into(), value.clone());
            for shell in ctx.shells() {
                let dir = tempfile::tempdir().expect("run folder");
                let template = format!(
                    "cd {} || exit 97\n{run}",
                    shell_quote(&dir.path().display().to_string())
                );
                let command = match render(&pb, &template, value, Some(&h)) {
                    Rendered::Command(command) => command,
                    Rendered::Refused(e) => {
                        assert_refusal_is_for_a_heredoc(ctx, value, &e);
                        refused += 1;
                        continue;
                    }
                };
                // The real path runs `sh -c` (dash here); bash is asked for by name.
                let sent = match shell.as_str() {
                    "dash" => command,
                    _ => format!("exec {shell} -c {}", shell_quote(&command)),
                };
                jobs.push((c, value.clone(), shell, sent, dir));
            }
        }
    }
    let total = jobs.len();
    let results: Vec<_> =
        futures::stream::iter(jobs.into_iter().map(|(c, value, shell, sent, dir)| {
            let run = fleet.exec("web", sent.clone(), Duration::from_secs(60));
            async move { (c, value, shell, sent, dir, run.await) }
        }))
        .buffer_unordered(8)
        .collect()
        .await;
    for (c, value, shell, sent, dir, out) in results {
        let ctx = &corpus.contexts[c];
        let out = out.unwrap_or_else(|e| panic!("{} over ssh: {e}", ctx.name));
        assert!(
            out.exit_status == Some(0) && out.stderr.is_empty(),
            "{} under {shell} over ssh: value {value:?}\ncommand: {sent:?}\nstatus {:?}, stderr {:?}",
            ctx.name,
            out.exit_status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_arrived(ctx, &shell, &value, &sent, &out.stdout, dir.path());
    }
    println!("{total} runs over ssh, {refused} values refused at render time");
    assert!(total > 50 * 12, "{total}");
}

/// Line and column of the first `{{` after `run = ` in a playbook's text.
fn placeholder_position(text: &str) -> (usize, usize) {
    let run = text.find("run = ").expect("a run line");
    let at = run + text[run..].find("{{").expect("a placeholder");
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

#[test]
fn the_check_command_refuses_each_unsafe_context_at_its_place() {
    let (corpus, _) = corpus();
    let dir = tempfile::tempdir().expect("dir");
    let home = tempfile::tempdir().expect("home");
    let mut expected = Vec::new();
    for (k, r) in corpus.refused.iter().enumerate() {
        let path = dir.path().join(format!("refused-{k:02}.toml"));
        let text = playbook_text(&r.run);
        std::fs::write(&path, &text).expect("write playbook");
        let (line, col) = placeholder_position(&text);
        expected.push((
            r,
            format!(
                "{}:{line}:{col}: error: `{{{{v}}}}` cannot be filled in here: ",
                path.display()
            ),
        ));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .arg("check")
        .arg(dir.path())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .output()
        .expect("run cockpit check");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for (r, head) in expected {
        let line = err
            .lines()
            .find(|l| l.starts_with(&head))
            .unwrap_or_else(|| panic!("{}: no {head:?} in\n{err}", r.name));
        assert!(line.contains(&r.why), "{}: {line}", r.name);
    }
    assert!(
        err.contains(&format!(
            "{} files checked, {} invalid",
            corpus.refused.len(),
            corpus.refused.len()
        )),
        "{err}"
    );
}
