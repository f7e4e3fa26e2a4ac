//! Embeds every file of `playbooks/` and `themes/` into the binary, so the shipped set is
//! exactly what the folders hold and `cockpit demo` works from any directory.

use std::fmt::Write as _;
use std::path::Path;

fn embed(dir: &str, konst: &str, out: &mut String) {
    println!("cargo:rerun-if-changed={dir}");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let _ = writeln!(out, "/// Files of `{dir}/` compiled in: (path, contents).");
    let _ = writeln!(out, "pub const {konst}: &[(&str, &str)] = &[");
    for f in files {
        let abs = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).join(&f);
        println!("cargo:rerun-if-changed={}", abs.display());
        let _ = writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            format!("{dir}/{f}"),
            abs.display().to_string()
        );
    }
    let _ = writeln!(out, "];");
}

fn main() {
    let mut out = String::new();
    embed("playbooks", "SHIPPED_PLAYBOOKS", &mut out);
    embed("themes", "SHIPPED_THEMES", &mut out);
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("embedded.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=could not write {}: {e}", dest.display());
    }
}
