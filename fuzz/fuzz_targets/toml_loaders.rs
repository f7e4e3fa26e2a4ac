//! The TOML loaders: inventory (with its `[settings]`), playbook (alone and checked against an
//! inventory) and theme. Any text must give a value or diagnostics, never a panic, and every
//! diagnostic must point inside the file.
#![no_main]

use cockpit::core::diagnostic::{Diagnostics, SourceFile};
use cockpit::core::inventory::{self, Inventory};
use cockpit::core::playbook;
use cockpit::ui::theme::Theme;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The documented example inventory, which playbooks are checked against.
fn example_inventory() -> &'static Inventory {
    static INVENTORY: OnceLock<Inventory> = OnceLock::new();
    INVENTORY.get_or_init(|| {
        let src = SourceFile::new(
            "inventory.example.toml",
            include_str!("../../docs/inventory.example.toml"),
        );
        inventory::parse(&src).expect("the example inventory parses")
    })
}

/// Every diagnostic names the file and a line and column that exist in it.
fn located<T>(src: &SourceFile, result: Result<T, Diagnostics>) {
    let Err(Diagnostics(found)) = result else {
        return;
    };
    assert!(!found.is_empty(), "an error without a diagnostic");
    let lines = src.text.split('\n').count();
    for d in found {
        assert_eq!(d.path, src.path);
        assert!(d.line >= 1 && d.line <= lines, "line {} of {lines}", d.line);
        let line = src.text.split('\n').nth(d.line - 1).unwrap_or("");
        let columns = line.chars().count() + 1;
        assert!(
            d.column >= 1 && d.column <= columns,
            "column {} of {columns} on line {}",
            d.column,
            d.line
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let src = SourceFile::new("fuzz.toml", text);
    match selector % 4 {
        0 => located(&src, inventory::parse(&src)),
        1 => located(&src, playbook::parse(&src, None)),
        2 => located(&src, playbook::parse(&src, Some(example_inventory()))),
        _ => located(&src, Theme::parse(&src, None)),
    }
});
