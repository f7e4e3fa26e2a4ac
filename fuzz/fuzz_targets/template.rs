//! The template engine: `{{name}}` placeholders found and filled, and rendered as SQL binds or
//! display text. Placeholders are in bounds, in order and apart; filling nothing gives the text
//! back; filling every one replaces exactly the placeholders.
#![no_main]

use cockpit::core::inventory::Driver;
use cockpit::core::playbook::{Variable, VariableSource};
use cockpit::core::run::{Provenance, VariableStore};
use cockpit::core::template::{fill, placeholders};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let found = placeholders(text);
    let mut rebuilt = String::new();
    let mut last = 0;
    for p in &found {
        assert!(last <= p.range.start && p.range.start < p.range.end);
        let whole = &text[p.range.clone()];
        assert!(whole.starts_with("{{") && whole.ends_with("}}") && whole.len() >= 4);
        assert_eq!(p.name, whole[2..whole.len() - 2].trim());
        rebuilt.push_str(&text[last..p.range.start]);
        rebuilt.push('<');
        rebuilt.push_str(&p.name);
        rebuilt.push('>');
        last = p.range.end;
    }
    rebuilt.push_str(&text[last..]);
    assert_eq!(fill(text, |_| None), text);
    assert_eq!(fill(text, |name| Some(format!("<{name}>"))), rebuilt);

    // Each name found declared, with a value of its own name: rendering never panics, and a
    // statement's binds are one per placeholder.
    let declared: Vec<Variable> = found
        .iter()
        .map(|p| Variable {
            name: p.name.clone(),
            description: String::new(),
            source: VariableSource::Prompt,
            secret: p.name.len() % 2 == 1,
            default: None,
        })
        .collect();
    let mut store = VariableStore::new(&declared);
    for p in &found {
        let _ = store.set(&p.name, p.name.clone(), Provenance::Prompt);
    }
    let _ = store.display_text(text, None);
    let _ = store.display_sql(text);
    for driver in [Driver::Mysql, Driver::Postgres, Driver::Sqlite] {
        if let Ok(bound) = store.render_sql(text, driver) {
            assert_eq!(bound.binds.len(), found.len());
        }
    }
});
