//! The `[keys]` table through the real binary: `cockpit check` refuses a bad table with the
//! file, the line and what is wrong, and `cockpit` and `cockpit demo` refuse to start on it
//! with the same message (nothing is drawn, the exit status is 2).

use std::path::Path;
use std::process::{Command, Output};

/// Runs `cockpit ARGS` with an empty home, so no user config leaks in.
fn cockpit(args: &[&str], home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("COCKPIT_CONFIG")
        .output()
        .expect("run cockpit")
}

const HOST: &str = "\n[[hosts]]\nname = \"web\"\naddress = \"127.0.0.1\"\nrole = \"app\"\n";

/// Writes an inventory holding `keys` (then one host) and checks it.
fn check(keys: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("inventory.toml");
    std::fs::write(&path, format!("{keys}{HOST}")).expect("write inventory");
    let out = cockpit(&["check", path.to_str().unwrap_or_default()], dir.path());
    let err = String::from_utf8_lossy(&out.stderr).replace(path.to_str().unwrap_or("?"), "INV");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    (out.status.code(), text, err)
}

fn refused(keys: &str, expected: &[&str]) -> String {
    let (code, out, err) = check(keys);
    assert_eq!(code, Some(2), "{keys:?} was accepted:\n{out}\n{err}");
    for e in expected {
        assert!(err.contains(e), "missing {e:?} for {keys:?} in:\n{err}");
    }
    err
}

#[test]
fn a_good_table_passes() {
    let (code, out, err) = check(
        "[settings]\nmouse = false\n\n[keys]\nrun-step = \"F6\"\nfocus-hosts = [\"alt-h\", \"1\"]\nquit = \"ctrl-q\"\nadd-note = \"N\"\n",
    );
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("inventory, 1 hosts"), "{out}");
}

#[test]
fn unknown_actions_unreadable_keys_and_clashes_are_located() {
    refused(
        "[keys]\nquit = \"q\"\nrun-stpe = \"F5\"\n",
        &[
            "INV:3:1: error: [keys]: unknown action `run-stpe` (did you mean `run-step`?)",
            "expected: an action name from docs/keys.md",
        ],
    );
    refused(
        "[keys]\n\n  add-note = \"o\"\n",
        &["INV:3:3: error: [keys]: \"o\" is both `open-incident` and `add-note` (everywhere)"],
    );
    refused(
        "[keys]\nadd-note = \"a\"\n",
        &[
            "INV:2:1:",
            "is `annotate-step` in the Playbook pane and would hide `add-note`",
        ],
    );
    refused(
        "[keys]\nquit = []\n",
        &["INV:2:1:", "`quit` cannot be left without a key"],
    );
    refused(
        "[keys]\npin-line = \"ctrl-c\"\n",
        &["INV:2:", "ctrl-c always quits"],
    );
    refused(
        "[keys]\nrun-step = 5\n",
        &[
            "INV:2:",
            "a key string such as \"ctrl-e\", or a list of them",
        ],
    );
}

#[test]
fn one_run_says_everything_wrong_with_the_table() {
    refused(
        "[keys]\nrun-stpe = \"F5\"\nadd-note = \"o\"\ntick-step = [\"x\", \"ctrl-ctrl-x\"]\n",
        &[
            "INV:2:1: error: [keys]: unknown action `run-stpe`",
            "INV:3:1: error: [keys]: \"o\" is both",
            "INV:4:13: error: [keys] `tick-step`: key \"ctrl-ctrl-x\" names `ctrl` twice",
        ],
    );
}

#[test]
fn hostile_key_strings_are_refused_without_echoing_them() {
    for (key, said) in [
        ("", "empty key string"),
        ("ctrl-", "names a modifier but no key after it"),
        ("ctrl-ctrl-x", "names `ctrl` twice"),
        ("\\u001b[2J", "control or invisible character"),
        ("\\u202e", "control or invisible character"),
        ("主应用", "unknown key"),
        ("ctrl-i", "a terminal sends it as tab"),
    ] {
        let err = refused(
            &format!("[keys]\nrun-step = \"{key}\"\n"),
            &["INV:2:", said],
        );
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{202e}'),
            "{err:?}"
        );
    }
    let huge = "x".repeat(1_000_000);
    let err = refused(&format!("[keys]\nrun-step = \"{huge}\"\n"), &["too long"]);
    assert!(
        err.len() < 2_000,
        "the huge key was echoed: {} bytes",
        err.len()
    );
    let err = refused(&format!("[keys]\n{huge} = \"q\"\n"), &["unknown action"]);
    assert!(
        err.len() < 2_000,
        "the huge name was echoed: {} bytes",
        err.len()
    );
}

#[test]
fn cockpit_and_the_demo_refuse_to_start_on_a_bad_table_with_the_same_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("inventory.toml");
    std::fs::write(&path, format!("[keys]\nqiut = \"x\"\n{HOST}")).expect("write");
    let config = path.to_str().unwrap_or_default();
    for args in [vec!["--config", config], vec!["--config", config, "demo"]] {
        let out = cockpit(&args, dir.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!(
                "{config}:2:1: error: [keys]: unknown action `qiut` (did you mean `quit`?)"
            )),
            "{args:?}: {err}"
        );
        assert!(err.contains("nothing was started"), "{args:?}: {err}");
        // Nothing was drawn: no alternate screen, no mouse capture asked for.
        let out_text = String::from_utf8_lossy(&out.stdout);
        assert!(!out_text.contains("\u{1b}[?1049h"), "{out_text:?}");
        assert!(!out_text.contains("\u{1b}[?1000h"), "{out_text:?}");
    }
}
