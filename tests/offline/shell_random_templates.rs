//! Random command templates, built from pieces of shell grammar (quotes, `$(…)`, `${…}`,
//! arithmetic, comments, here-documents, `case`, `[[`, `let`, `eval` …), each with a
//! placeholder whose value tries seven ways to create a file. Whatever the scan makes of a
//! template, one the variable store renders must not run any of them under dash or bash: the
//! promise holds for templates nobody thought of, not just the corpus.

use cockpit::core::playbook::{Variable, VariableSource};
use cockpit::core::run::{Provenance, VariableStore};
use std::path::Path;
use std::process::{Command, Stdio};

const PIECES: &[&str] = &[
    "echo ",
    "printf '%s\\n' ",
    "{{v}}",
    "{{v}}",
    "{{v}}",
    " ",
    "'",
    "\"",
    "$(",
    ")",
    "`",
    "${x:-",
    "${#",
    "}",
    "$((",
    "))",
    "((",
    "#",
    "\n",
    "cat <<EOF\n",
    "\nEOF\n",
    "cat <<'EOF'\n",
    "cat <<-EOF\n",
    "\tEOF\n",
    "\\\n",
    ";",
    "&&",
    "|",
    "case x in x) ",
    ";; esac",
    "\\",
    "$",
    "x=",
    "a",
    "[[ ",
    " ]]",
    " -eq 1",
    "let ",
    "eval ",
    "arr[",
    "]=1",
    "declare -i n; n=",
    "cat <<< ",
    "$'",
    "$[",
    "]",
    "(",
    ")",
    "{ ",
    "; }",
    ": ",
];

/// Try `$(…)`, backticks, `;`, breaking out of '…' and "…", ending a here-document, `${…}`
/// and bash's arithmetic subscripts, each creating its own file; the second stays on one line,
/// so here-documents take it.
const VALUES: [&str; 2] = [
    "$(touch PWN1)`touch PWN2`;touch PWN3;'\"$(touch PWN4)\"'\nEOF\ntouch PWN5\n${x:-$(touch PWN6)}a[$(touch PWN7)]\\",
    "$(touch PWN1)`touch PWN2`;touch PWN3;'\"$(touch PWN4)\"' ${x:-$(touch PWN6)}a[$(touch PWN7)]\\",
];

fn markers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read run folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("PWN"))
        .collect()
}

#[test]
fn no_rendered_random_template_runs_an_injected_command() {
    let declared = [Variable {
        name: "v".into(),
        description: String::new(),
        source: VariableSource::Prompt,
        secret: false,
        default: None,
    }];
    let stores: Vec<VariableStore> = VALUES
        .iter()
        .map(|value| {
            let mut store = VariableStore::new(&declared);
            store
                .set("v", *value, Provenance::Prompt)
                .expect("declared");
            store
        })
        .collect();
    let (mut rendered, mut refused, mut bash_syntax_errors) = (0, 0, 0);
    // SHELL_FUZZ_ROUNDS=40000 for a longer search than the default.
    let rounds: usize = std::env::var("SHELL_FUZZ_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(4000);
    let mut seed: u64 = std::env::var("SHELL_FUZZ_SEED")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0x2545_f491_4f6c_dd1d);
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..rounds {
        let store = &stores[round % 2];
        // Half the templates start with a command, so placeholders land in arguments more.
        let mut template = String::from(if round % 4 < 2 { "echo " } else { "" });
        for _ in 0..(3 + next() % 10) {
            template.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
        }
        if !template.contains("{{v}}") {
            template.push_str(" {{v}}");
        }
        let Ok(command) = store.render_command(&template, None) else {
            refused += 1;
            continue;
        };
        rendered += 1;
        // Playbook commands run under `sh -c`: dash, or bash in POSIX mode where sh is bash.
        // Plain `bash -c` goes on at the next line after a syntax error (even inside a quoted
        // value), so it is run only on commands `bash -n` finds no syntax error in.
        let mut shells = vec![vec!["dash"], vec!["bash", "--posix"]];
        let parses = Command::new("bash")
            .args(["-n", "-c", &command])
            .stderr(Stdio::null())
            .status()
            .expect("bash -n");
        if parses.success() {
            shells.push(vec!["bash"]);
        } else {
            bash_syntax_errors += 1;
        }
        for shell in shells {
            let dir = tempfile::tempdir().expect("run folder");
            let status = Command::new("timeout")
                .arg("10")
                .args(&shell)
                .args(["-c", &command])
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("run the shell");
            assert_ne!(
                status.code(),
                Some(124),
                "{shell:?} timed out on {command:?}"
            );
            let made = markers(dir.path());
            assert!(
                made.is_empty(),
                "{shell:?} ran an injected command ({made:?})\ntemplate: {template:?}\ncommand: {command:?}"
            );
        }
    }
    println!(
        "{rendered} templates rendered and run ({bash_syntax_errors} with a syntax error, not run by plain bash), {refused} refused"
    );
    assert!(
        rendered > rounds / 20 && refused > rounds / 20,
        "{rendered} rendered, {refused} refused"
    );
}
