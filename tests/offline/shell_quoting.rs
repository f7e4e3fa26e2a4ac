//! Rendered playbook commands under a real `sh -c`: every variable value, however hostile,
//! arrives as exactly one argument with exactly its text, bare or inside the template's quotes.

use cockpit::core::playbook::{Variable, VariableSource};
use cockpit::core::run::{Provenance, VariableStore};
use std::process::Command;

const HOSTILE: &[&str] = &[
    "'; rm -rf / #",
    "$(echo pwned)",
    "`echo pwned`",
    "a b  c",
    "x;echo pwned",
    "\"double\" and 'single'",
    "back\\slash\\",
    "new\nline",
    "",
    "*",
    "$HOME ${PATH}",
    "主应用 -n",
    "-e",
    "10.0.0.1",
];

/// `$#:$1` as the shell sees them after `set -- ARGS`.
fn argv_of(store: &VariableStore, args_template: &str) -> String {
    let command = store
        .render_command(
            &format!("set -- {args_template}; printf '%s:%s' \"$#\" \"$1\""),
            None,
        )
        .unwrap_or_else(|e| panic!("render: {e}"));
    let out = Command::new("sh")
        .arg("-c")
        .arg(&command)
        .output()
        .expect("run sh");
    assert!(out.status.success(), "{command}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn hostile_values_are_one_literal_word_under_sh() {
    let declared = [Variable {
        name: "v".into(),
        description: String::new(),
        source: VariableSource::Prompt,
        secret: false,
        default: None,
    }];
    for value in HOSTILE {
        let mut store = VariableStore::new(&declared);
        store
            .set("v", *value, Provenance::Prompt)
            .expect("declared");
        assert_eq!(
            argv_of(&store, "{{v}}"),
            format!("1:{value}"),
            "bare {value:?}"
        );
        assert_eq!(
            argv_of(&store, "'pre {{v}} post'"),
            format!("1:pre {value} post"),
            "in single quotes {value:?}"
        );
        assert_eq!(
            argv_of(&store, "\"pre {{v}} post\""),
            format!("1:pre {value} post"),
            "in double quotes {value:?}"
        );
    }
}
