//! The shell scanner and splicing. Any command: the placeholders it reports are the template
//! engine's, in order, and rendering never panics. A value spliced into a bare, '…' or "…"
//! position must come out of the shell as exactly one word with exactly the value's text,
//! with nothing expanded: checked with a small POSIX `sh` word reader below.
#![no_main]

use cockpit::core::playbook::{Variable, VariableSource};
use cockpit::core::template::shell_text::shell_placeholders;
use cockpit::core::run::{Provenance, VariableStore};
use cockpit::core::template::placeholders;
use libfuzzer_sys::fuzz_target;

/// Commands whose `{{v}}` sits bare, in single and in double quotes, with text around it
/// inside the same word; `(prefix, suffix)` is the rest of that word as the shell reads it.
const CONTEXTS: &[(&str, &str, &str)] = &[
    ("set -- {{v}}", "", ""),
    ("set -- '{{v}}'", "", ""),
    ("set -- \"{{v}}\"", "", ""),
    ("set -- a{{v}}b", "a", "b"),
    ("set -- 'a {{v}} b'", "a ", " b"),
    ("set -- \"a {{v}} b\"", "a ", " b"),
    ("set -- x\"y\"'{{v}}'z", "xy", "z"),
    ("set -- 'it''s'\"{{v}}\"\\'", "its", "'"),
];

/// The words of `command` as POSIX `sh` splits them, quotes removed; `None` when anything in
/// it would be expanded or treated as an operator (`$`, backquote, globs, `;`, `|`, …).
fn sh_words(command: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\\' => match chars.next()? {
                '\n' => {}
                e => {
                    word.push(e);
                    in_word = true;
                }
            },
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        q => word.push(q),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '$' | '`' => return None,
                        '\\' => match chars.peek() {
                            Some('$' | '`' | '"' | '\\') => word.extend(chars.next()),
                            Some('\n') => {
                                chars.next();
                            }
                            _ => word.push('\\'),
                        },
                        q => word.push(q),
                    }
                }
            }
            '$' | '`' | '*' | '?' | '[' | ';' | '&' | '|' | '<' | '>' | '(' | ')' => return None,
            '~' | '#' if !in_word => return None,
            _ => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    // A free command: the scanner sees the template engine's placeholders, in order.
    let scanned: Vec<_> = shell_placeholders(text)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(scanned, placeholders(text));

    let declared = [Variable {
        name: "v".into(),
        description: String::new(),
        source: VariableSource::Prompt,
        secret: false,
        default: None,
    }];
    let mut store = VariableStore::new(&declared);
    if store.set("v", text, Provenance::Prompt).is_err() {
        return;
    }
    let _ = store.render_command(text, None);
    let _ = store.display_command(text, None);

    // The text as a value: one literal word wherever it sits (values with a NUL cannot reach
    // a shell's argv at all).
    if text.contains('\0') {
        return;
    }
    let (template, prefix, suffix) = CONTEXTS[usize::from(selector) % CONTEXTS.len()];
    let Ok(command) = store.render_command(template, None) else {
        return;
    };
    let expected = vec![
        "set".to_string(),
        "--".to_string(),
        format!("{prefix}{text}{suffix}"),
    ];
    assert_eq!(
        sh_words(&command),
        Some(expected),
        "template {template:?} rendered as {command:?}"
    );
});
