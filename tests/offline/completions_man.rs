//! `cockpit completions` and `cockpit man` through the real binary: the bash script completes
//! commands when sourced in a real bash, the zsh and fish scripts name every command, and the
//! manual page renders with groff without a warning and documents every command. The list of
//! commands is read from `cockpit --help`, so a new command is covered without touching this.

use std::path::Path;
use std::process::{Command, Output};

fn cockpit(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("temp home");
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .output()
        .expect("run cockpit");
    assert!(
        out.status.success(),
        "cockpit {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(args: &[&str]) -> String {
    String::from_utf8(cockpit(args).stdout).expect("UTF-8 output")
}

/// The command names listed under `Commands:` in `cockpit [PREFIX] --help`, without `help`.
fn commands_in_help(prefix: &[&str]) -> Vec<String> {
    let mut args = prefix.to_vec();
    args.push("--help");
    let help = stdout(&args);
    let listed: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    assert!(!listed.is_empty(), "no commands in {args:?}:\n{help}");
    listed
}

/// Every visible command, nested ones as `journal verify`.
fn every_command() -> Vec<String> {
    let mut all = Vec::new();
    for top in commands_in_help(&[]) {
        let sub_help = stdout(&[top.as_str(), "--help"]);
        all.push(top.clone());
        if sub_help.contains("\nCommands:") {
            for sub in commands_in_help(&[top.as_str()]) {
                all.push(format!("{top} {sub}"));
            }
        }
    }
    all
}

/// Sources the bash script in a fresh non-interactive bash and asks `_cockpit` to complete
/// `words` (the last one being the word under the cursor); returns the candidates.
fn bash_complete(script: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        r#"source '{script}' || exit 3
complete -p cockpit >/dev/null || exit 4
COMP_WORDS=({words})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
prev=""
[ "$COMP_CWORD" -gt 0 ] && prev="${{COMP_WORDS[COMP_CWORD-1]}}"
_cockpit cockpit "${{COMP_WORDS[COMP_CWORD]}}" "$prev"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script = script.display(),
        words = quoted.join(" "),
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "bash completion of {words:?} failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_commands_subcommands_and_values_when_sourced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("cockpit.bash");
    std::fs::write(&script, cockpit(&["completions", "bash"]).stdout).expect("write script");

    let top = bash_complete(&script, &["cockpit", ""]);
    for command in commands_in_help(&[]) {
        assert!(
            top.contains(&command),
            "`cockpit <TAB>` does not offer {command}: {top:?}"
        );
    }
    assert!(
        !top.iter().any(|c| c == "demo-shim"),
        "the hidden demo-shim is offered: {top:?}"
    );

    let journal = bash_complete(&script, &["cockpit", "journal", "v"]);
    assert_eq!(journal, ["verify"], "`cockpit journal v<TAB>`");

    let formats = bash_complete(&script, &["cockpit", "report", "--format", ""]);
    assert!(
        formats.contains(&"md".to_owned()) && formats.contains(&"html".to_owned()),
        "`cockpit report --format <TAB>`: {formats:?}"
    );

    let shells = bash_complete(&script, &["cockpit", "completions", ""]);
    for shell in ["bash", "zsh", "fish"] {
        assert!(
            shells.contains(&shell.to_owned()),
            "`cockpit completions <TAB>`: {shells:?}"
        );
    }
}

#[test]
fn zsh_and_fish_scripts_name_every_command() {
    let commands = every_command();
    for shell in ["zsh", "fish"] {
        let script = stdout(&["completions", shell]);
        assert!(script.len() > 1000, "{shell} script is nearly empty");
        for command in &commands {
            let last = command.rsplit(' ').next().expect("a word");
            assert!(
                script.contains(last),
                "{shell} script does not mention {command}"
            );
        }
        assert!(
            !script.contains("demo-shim"),
            "{shell} script offers the hidden demo-shim"
        );
    }
    assert!(stdout(&["completions", "zsh"]).starts_with("#compdef cockpit"));
}

#[test]
fn completions_refuses_an_unknown_shell() {
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["completions", "tcsh"])
        .output()
        .expect("run cockpit");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bash") && err.contains("zsh") && err.contains("fish"),
        "{err}"
    );
}

/// Renders a roff page with groff as `man` would; fails on any groff warning.
fn render(page: &[u8], name: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-P", "-c"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("groff is needed (Debian package groff-base; scripts/test.sh installs it)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(page)
        .expect("feed groff");
    let out = child.wait_with_output().expect("groff output");
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && warnings.trim().is_empty(),
        "groff on {name}: {warnings}"
    );
    // Remove overstrike bold/underline a terminal formatter may still emit.
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut plain = String::new();
    for c in text.chars() {
        if c == '\u{8}' {
            plain.pop();
        } else {
            plain.push(c);
        }
    }
    plain
}

#[test]
fn the_man_page_renders_and_documents_every_command() {
    let page = cockpit(&["man"]).stdout;
    assert!(page.is_ascii(), "non-ASCII left in the roff source");
    let text = render(&page, "cockpit.1");
    for section in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "COMMANDS",
        "FILES",
        "ENVIRONMENT",
        "SEE ALSO",
    ] {
        assert!(text.contains(section), "no {section} section:\n{text}");
    }
    for command in every_command() {
        assert!(
            text.contains(&format!("cockpit {command}")),
            "the page does not document `cockpit {command}`:\n{text}"
        );
        assert!(
            text.contains(&format!("cockpit-{}(1)", command.replace(' ', "-"))),
            "SEE ALSO does not name cockpit-{command}(1)"
        );
    }
    // Options of nested commands are documented with their values and defaults.
    for detail in [
        "--allowed-signers <FILE>",
        "[possible values: md, html]",
        "[default: md]",
    ] {
        assert!(text.contains(detail), "missing {detail:?}:\n{text}");
    }
    assert!(
        !text.contains("demo-shim"),
        "the hidden demo-shim is documented"
    );
}

#[test]
fn man_dir_writes_one_page_per_command_that_renders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let listed = stdout(&["man", "--dir", &dir.path().to_string_lossy()]);
    let mut expected = vec!["cockpit.1".to_owned()];
    expected.extend(
        every_command()
            .iter()
            .map(|c| format!("cockpit-{}.1", c.replace(' ', "-"))),
    );
    let mut written: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    expected.sort();
    assert_eq!(written, expected, "pages written");
    assert_eq!(
        listed.lines().count(),
        expected.len(),
        "files listed: {listed}"
    );
    for name in &written {
        let page = std::fs::read(dir.path().join(name)).expect("read page");
        let text = render(&page, name);
        assert!(text.contains("SYNOPSIS"), "{name}:\n{text}");
    }
    let verify = render(
        &std::fs::read(dir.path().join("cockpit-journal-verify.1")).expect("verify page"),
        "cockpit-journal-verify.1",
    );
    assert!(
        verify.contains("cockpit journal verify") && verify.contains("--expect-head"),
        "{verify}"
    );
}

#[test]
fn completions_and_man_help_show_examples() {
    for command in ["completions", "man"] {
        let help = stdout(&[command, "--help"]);
        assert!(
            help.contains("Examples:") && help.contains(&format!("cockpit {command} ")),
            "`cockpit {command} --help` has no example:\n{help}"
        );
    }
}
