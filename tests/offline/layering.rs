//! Dependencies point one way, `ui → io → core`: this test reads the sources and fails when a
//! layer reaches a crate or a layer it must not, or when sibling modules (anywhere in the tree)
//! import each other in a circle.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("source folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Lines of `layer` that mention any forbidden path, ignoring comments.
fn violations(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(!files.is_empty(), "no sources under {}", root.display());
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for f in forbidden {
                let hit = code
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .any(|word| word == *f || word.starts_with(&format!("{f}::")));
                if hit {
                    found.push(format!(
                        "{}:{}: uses `{f}`: {}",
                        file.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn core_is_pure() {
    let found = violations(
        "core",
        &[
            "ratatui",
            "crossterm",
            "ratatui_textarea",
            "vt100",
            "tui_term",
            "tokio",
            "russh",
            "sqlx",
            "reqwest",
            "crate::io",
            "crate::ui",
            "crate::demo",
            "crate::cli",
            "std::fs",
            "std::net",
            "std::process",
        ],
    );
    assert!(
        found.is_empty(),
        "src/core must stay pure:\n{}",
        found.join("\n")
    );
}

#[test]
fn io_does_not_know_the_ui() {
    let found = violations(
        "io",
        &[
            "ratatui",
            "crossterm",
            "ratatui_textarea",
            "vt100",
            "tui_term",
            "crate::ui",
            "crate::demo",
            "crate::cli",
        ],
    );
    assert!(
        found.is_empty(),
        "src/io must not import UI crates:\n{}",
        found.join("\n")
    );
}

#[test]
fn only_the_ui_draws() {
    for layer in ["demo", "cli"] {
        let found = violations(
            layer,
            &[
                "ratatui",
                "crossterm",
                "ratatui_textarea",
                "vt100",
                "tui_term",
            ],
        );
        assert!(
            found.is_empty(),
            "src/{layer} must not import UI crates:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_checker_catches_a_violation() {
    // Guard against a checker that can never fail: the ui layer does use ratatui.
    assert!(!violations("ui", &["ratatui"]).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Module import cycles.
//
// The layer tests above say which *layer* may use which. Inside a layer the same rule holds one
// level down: sibling modules (the files and folders of one folder) must not import each other
// in a circle, or neither can be read, tested or moved without the other. The graph below is
// computed from the sources: every `crate::…`, `super::…`, `self::…` path (in `use` trees, in
// code and in attribute strings such as `#[schemars(with = "crate::…")]`), with re-exports
// followed to the module that defines the item. Comments are ignored.
// ---------------------------------------------------------------------------------------------

use std::collections::{BTreeMap, BTreeSet};

/// A token of Rust source, enough to follow paths: comments dropped, char literals and
/// lifetimes skipped.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
    Str(String),
}

/// Tokens of `text`, each with its 1-based line.
fn tokens(text: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let count_lines =
        |from: usize, to: usize| chars[from..to].iter().filter(|c| **c == '\n').count();
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let (start, mut depth) = (i, 0);
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            line += count_lines(start, i);
        } else if c == '"'
            || ((c == 'r' || c == 'b' || c == 'c')
                && matches!(next, Some('"') | Some('#'))
                && raw_or_byte_string_start(&chars, i))
        {
            let start = i;
            let (value, end) = string_literal(&chars, i);
            out.push((Tok::Str(value), line));
            line += count_lines(start, end);
            i = end;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a): skip either.
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push((Tok::Ident(word), line));
        } else if c == ':' && next == Some(':') {
            out.push((Tok::PathSep, line));
            i += 2;
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else {
            out.push((Tok::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// Whether `r"`, `r#"`, `b"`, `br"`, `c"` … starts at `i` (and not an identifier such as `r#type`).
fn raw_or_byte_string_start(chars: &[char], i: usize) -> bool {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return false;
    }
    let mut j = i;
    while j < chars.len() && matches!(chars[j], 'r' | 'b' | 'c') && j - i < 2 {
        j += 1;
    }
    while j < chars.len() && chars[j] == '#' {
        j += 1;
    }
    chars.get(j) == Some(&'"')
}

/// The contents of the string literal at `i` and the index just past it.
fn string_literal(chars: &[char], mut i: usize) -> (String, usize) {
    let mut raw = false;
    while chars[i] != '"' && chars[i] != '#' {
        raw |= chars[i] == 'r';
        i += 1;
    }
    let mut hashes = 0;
    while chars[i] == '#' {
        hashes += 1;
        i += 1;
    }
    raw |= hashes > 0;
    i += 1; // the opening quote
    let start = i;
    loop {
        if i >= chars.len() {
            return (chars[start..].iter().collect(), i);
        }
        if !raw && chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i] == '"'
            && chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == '#')
                .count()
                == hashes
        {
            let value = chars[start..i].iter().collect();
            return (value, i + 1 + hashes);
        }
        i += 1;
    }
}

/// A module path below the crate root, e.g. `["core", "run", "vars"]`.
type ModPath = Vec<String>;

/// One module defined in its own file.
struct ModFile {
    path: ModPath,
    file: PathBuf,
    toks: Vec<(Tok, usize)>,
}

/// Every file module of the crate's library, found by following `mod name;` (and
/// `#[path = "…"] mod name;`) from `src/lib.rs`.
fn module_files() -> Vec<ModFile> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut queue = vec![(Vec::new(), src.join("lib.rs"))];
    while let Some((path, file)) = queue.pop() {
        let text = std::fs::read_to_string(&file).expect("read source");
        let toks = tokens(&text);
        // Where children of this file live: `a/mod.rs` and `lib.rs` → `a/`, `a/b.rs` → `a/b/`.
        let dir = file.parent().expect("file in a folder").to_path_buf();
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let child_dir = if stem == "mod" || stem == "lib" {
            dir.clone()
        } else {
            dir.join(stem)
        };
        let mut depth_inline = 0usize; // `mod x { … }` blocks we are in: children there are inline
        let mut braces: Vec<bool> = Vec::new(); // for each open brace: does it open an inline mod?
        let mut path_attr: Option<String> = None;
        for (k, (tok, _)) in toks.iter().enumerate() {
            match tok {
                Tok::Punct('{') => {
                    let opens_mod = k >= 2
                        && matches!(&toks[k - 2].0, Tok::Ident(w) if w == "mod")
                        && matches!(&toks[k - 1].0, Tok::Ident(_));
                    depth_inline += usize::from(opens_mod);
                    braces.push(opens_mod);
                }
                Tok::Punct('}') => depth_inline -= usize::from(braces.pop() == Some(true)),
                Tok::Ident(w) if w == "path" => {
                    if let (Some((Tok::Punct('='), _)), Some((Tok::Str(p), _))) =
                        (toks.get(k + 1), toks.get(k + 2))
                    {
                        path_attr = Some(p.clone());
                    }
                }
                Tok::Punct(';') => {
                    let declares = k >= 2
                        && matches!(&toks[k - 2].0, Tok::Ident(w) if w == "mod")
                        && matches!(&toks[k - 1].0, Tok::Ident(_));
                    if declares && depth_inline == 0 {
                        let Tok::Ident(name) = &toks[k - 1].0 else {
                            unreachable!()
                        };
                        let child_file = match path_attr.take() {
                            Some(p) => dir.join(p),
                            None if child_dir.join(format!("{name}.rs")).exists() => {
                                child_dir.join(format!("{name}.rs"))
                            }
                            None => child_dir.join(name).join("mod.rs"),
                        };
                        let mut child = path.clone();
                        child.push(name.clone());
                        queue.push((child, child_file));
                    } else {
                        path_attr = None;
                    }
                }
                _ => {}
            }
        }
        out.push(ModFile { path, file, toks });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// A path one module names: the absolute path (from the crate root), where it is written, and
/// whether it is a name this module imports with `use` (which its descendants may then name as
/// `super::…`).
struct Mention {
    target: ModPath,
    line: usize,
    imported_as: Option<String>,
}

/// One leaf of a `use` tree: its path segments and the name it is imported `as`, if renamed.
type UseLeaf = (Vec<String>, Option<String>);

/// The leaves of the use tree starting at `toks[k]`, each as (segments, rename), and the index
/// of the token ending it.
fn use_tree(toks: &[(Tok, usize)], mut k: usize, prefix: &[String]) -> (Vec<UseLeaf>, usize) {
    let mut segs = prefix.to_vec();
    let mut leaves = Vec::new();
    loop {
        match toks.get(k).map(|t| &t.0) {
            Some(Tok::Ident(w)) if w == "as" => {
                if let Some((Tok::Ident(alias), _)) = toks.get(k + 1) {
                    leaves.push((segs.clone(), Some(alias.clone())));
                }
                return (leaves, k + 2);
            }
            Some(Tok::Ident(w)) => {
                segs.push(w.clone());
                k += 1;
            }
            Some(Tok::PathSep) => k += 1,
            Some(Tok::Punct('*')) => {
                segs.push("*".into());
                leaves.push((segs, None));
                return (leaves, k + 1);
            }
            Some(Tok::Punct('{')) => {
                k += 1;
                loop {
                    match toks.get(k).map(|t| &t.0) {
                        Some(Tok::Punct('}')) => return (leaves, k + 1),
                        Some(Tok::Punct(',')) => k += 1,
                        None => return (leaves, k),
                        _ => {
                            let (inner, end) = use_tree(toks, k, &segs);
                            leaves.extend(inner);
                            k = end;
                        }
                    }
                }
            }
            _ => {
                if !segs.is_empty() {
                    leaves.push((segs, None));
                }
                return (leaves, k);
            }
        }
    }
}

/// `segs` made absolute as seen from module `here` (which may be an inline module inside a
/// file), or `None` for a path into another crate.
fn absolute(segs: &[String], here: &[String], children: &BTreeSet<String>) -> Option<ModPath> {
    let first = segs.first()?;
    let mut base: ModPath = match first.as_str() {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => here.to_vec(),
        name if children.contains(name) => here.to_vec(),
        _ => return None,
    };
    let mut rest = segs;
    if first == "crate" || first == "self" {
        rest = &segs[1..];
    }
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    base.extend(rest.iter().filter(|s| *s != "self").cloned());
    Some(base)
}

/// What module `file` names, in order.
fn mentions(file: &ModFile, known: &BTreeSet<ModPath>) -> Vec<Mention> {
    let children: BTreeSet<String> = known
        .iter()
        .filter(|m| m.len() == file.path.len() + 1 && m.starts_with(&file.path))
        .map(|m| m[m.len() - 1].clone())
        .collect();
    let toks = &file.toks;
    let mut out = Vec::new();
    let mut inline: Vec<String> = Vec::new();
    let mut braces: Vec<bool> = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        let (tok, line) = (&toks[k].0, toks[k].1);
        let here = || -> ModPath { file.path.iter().chain(inline.iter()).cloned().collect() };
        // Children are only in scope by bare name in the file module itself.
        let no_children = BTreeSet::new();
        let scope = if inline.is_empty() {
            &children
        } else {
            &no_children
        };
        match tok {
            Tok::Punct('{') => {
                let name = match (k >= 2).then(|| (&toks[k - 2].0, &toks[k - 1].0)) {
                    Some((Tok::Ident(m), Tok::Ident(n))) if m == "mod" => Some(n.clone()),
                    _ => None,
                };
                braces.push(name.is_some());
                inline.extend(name);
                k += 1;
            }
            Tok::Punct('}') => {
                if braces.pop() == Some(true) {
                    inline.pop();
                }
                k += 1;
            }
            Tok::Ident(w) if w == "use" => {
                let (leaves, end) = use_tree(toks, k + 1, &[]);
                for (segs, rename) in leaves {
                    if let Some(target) = absolute(&segs, &here(), scope) {
                        let name = rename.or_else(|| segs.last().cloned());
                        out.push(Mention {
                            target,
                            line,
                            imported_as: if inline.is_empty() { name } else { None },
                        });
                    }
                }
                k = end;
            }
            Tok::Ident(w) if k == 0 || toks[k - 1].0 != Tok::PathSep => {
                let mut segs = vec![w.clone()];
                let mut j = k + 1;
                while toks.get(j).map(|t| &t.0) == Some(&Tok::PathSep) {
                    match toks.get(j + 1).map(|t| &t.0) {
                        Some(Tok::Ident(n)) => segs.push(n.clone()),
                        _ => break,
                    }
                    j += 2;
                }
                if segs.len() > 1
                    && let Some(target) = absolute(&segs, &here(), scope)
                {
                    out.push(Mention {
                        target,
                        line,
                        imported_as: None,
                    });
                }
                k = j;
            }
            Tok::Str(s) if s.starts_with("crate::") => {
                let segs: Vec<String> = s.split("::").map(str::to_string).collect();
                if let Some(target) = absolute(&segs, &here(), scope) {
                    out.push(Mention {
                        target,
                        line,
                        imported_as: None,
                    });
                }
                k += 1;
            }
            _ => k += 1,
        }
    }
    out
}

/// One edge of the module graph: `from` names something defined in `to`, first at `at`.
#[derive(Debug, Clone)]
struct Edge {
    from: ModPath,
    to: ModPath,
    at: String,
}

/// Every edge between two different file modules of the library.
fn module_graph() -> Vec<Edge> {
    let files = module_files();
    let known: BTreeSet<ModPath> = files.iter().map(|f| f.path.clone()).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Names each module imports (and so lets its descendants and, if public, everyone name).
    let mut names: BTreeMap<ModPath, BTreeMap<String, ModPath>> = BTreeMap::new();
    let mut all: Vec<(ModPath, Mention, String)> = Vec::new();
    for f in &files {
        for m in mentions(f, &known) {
            if let Some(name) = &m.imported_as
                && name != "*"
            {
                names
                    .entry(f.path.clone())
                    .or_default()
                    .insert(name.clone(), m.target.clone());
            }
            let at = format!(
                "{}:{}",
                f.file.strip_prefix(root).unwrap_or(&f.file).display(),
                m.line
            );
            all.push((f.path.clone(), m, at));
        }
    }
    // The file module that defines what `target` names, following imports and re-exports.
    let resolve = |target: &ModPath| -> ModPath {
        let mut t = target.clone();
        for _ in 0..16 {
            let module = (0..=t.len())
                .rev()
                .map(|n| t[..n].to_vec())
                .find(|p| known.contains(p))
                .unwrap_or_default();
            let Some(next) = t.get(module.len()) else {
                return module;
            };
            match names.get(&module).and_then(|n| n.get(next)) {
                Some(via) if via != &t[..=module.len()] => {
                    let mut redirected = via.clone();
                    redirected.extend(t[module.len() + 1..].iter().cloned());
                    t = redirected;
                }
                _ => return module,
            }
        }
        t
    };
    let mut edges = Vec::new();
    let mut seen = BTreeSet::new();
    for (from, m, at) in all {
        let to = resolve(&m.target);
        if to != from && seen.insert((from.clone(), to.clone())) {
            edges.push(Edge { from, to, at });
        }
    }
    edges
}

/// Cycles between the children of one module: for each group of siblings that reach each other,
/// the edges inside it. An edge from anywhere under sibling A to anywhere under sibling B counts
/// as A → B.
fn sibling_cycles(edges: &[Edge]) -> Vec<(ModPath, Vec<Edge>)> {
    let mut by_parent: BTreeMap<ModPath, Vec<Edge>> = BTreeMap::new();
    for e in edges {
        let common = e.from.iter().zip(&e.to).take_while(|(a, b)| a == b).count();
        if common < e.from.len() && common < e.to.len() {
            let parent = e.from[..common].to_vec();
            by_parent.entry(parent).or_default().push(Edge {
                from: e.from[..=common].to_vec(),
                to: e.to[..=common].to_vec(),
                at: format!("{} ({} → {})", e.at, e.from.join("::"), e.to.join("::")),
            });
        }
    }
    let mut out = Vec::new();
    for (parent, sib) in by_parent {
        let nodes: BTreeSet<ModPath> = sib
            .iter()
            .flat_map(|e| [e.from.clone(), e.to.clone()])
            .collect();
        let reach = |start: &ModPath| -> BTreeSet<ModPath> {
            let mut seen = BTreeSet::new();
            let mut stack = vec![start.clone()];
            while let Some(n) = stack.pop() {
                for e in sib.iter().filter(|e| e.from == n) {
                    if seen.insert(e.to.clone()) {
                        stack.push(e.to.clone());
                    }
                }
            }
            seen
        };
        let reaches: BTreeMap<ModPath, BTreeSet<ModPath>> =
            nodes.iter().map(|n| (n.clone(), reach(n))).collect();
        let mut done = BTreeSet::new();
        for n in &nodes {
            if done.contains(n) || !reaches[n].contains(n) {
                continue;
            }
            let group: BTreeSet<ModPath> = nodes
                .iter()
                .filter(|m| reaches[n].contains(*m) && reaches[*m].contains(n))
                .cloned()
                .collect();
            done.extend(group.iter().cloned());
            let mut inside: Vec<Edge> = Vec::new();
            for e in &sib {
                if group.contains(&e.from)
                    && group.contains(&e.to)
                    && !inside.iter().any(|i| i.from == e.from && i.to == e.to)
                {
                    inside.push(e.clone());
                }
            }
            out.push((parent.clone(), inside));
        }
    }
    out
}

/// A module path as written in this file, `a::b` (the crate root as `crate`).
fn shown(path: &[String]) -> String {
    if path.is_empty() {
        "crate".into()
    } else {
        path.join("::")
    }
}

#[test]
fn sibling_modules_do_not_import_each_other_in_a_circle() {
    let cycles = sibling_cycles(&module_graph());
    let mut problems = Vec::new();
    for (parent, edges) in &cycles {
        let members: BTreeSet<&str> = edges
            .iter()
            .flat_map(|e| [e.from.last(), e.to.last()])
            .flatten()
            .map(String::as_str)
            .collect();
        let mut text = format!(
            "modules under `{}` import each other in a circle: {}",
            shown(parent),
            members.iter().copied().collect::<Vec<_>>().join(", ")
        );
        for e in edges {
            text.push_str(&format!(
                "\n    {} → {}   {}",
                e.from.last().map_or("", String::as_str),
                e.to.last().map_or("", String::as_str),
                e.at
            ));
        }
        problems.push(text);
    }
    assert!(
        problems.is_empty(),
        "break the cycle by moving what both sides need into a module below them both \
         (see tests/layering.rs):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_graph_follows_uses_groups_relative_paths_and_re_exports() {
    let edges = module_graph();
    let has = |from: &str, to: &str| {
        edges
            .iter()
            .any(|e| shown(&e.from) == from && shown(&e.to) == to)
    };
    // `use crate::core::playbook::{Capture, Step, StepAction};`, re-exported from its model.
    assert!(has("core::run::plan", "core::playbook::model"));
    // `pub use crate::core::journal::Provenance;`, itself `pub use vocabulary::{…}` in journal.rs.
    assert!(has("core::run::vars", "core::journal::vocabulary"));
    // `use super::phrase::{outcome, rows};`
    assert!(has(
        "core::report::compose::timeline",
        "core::report::compose::phrase"
    ));
    // `#[path = "step_run_tests.rs"] mod tests;` is a child of step_run, not a sibling file.
    assert!(has("core::run::step_run::tests", "core::incident"));
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let edge = |from: &str, to: &str| Edge {
        from: from.split("::").map(str::to_string).collect(),
        to: to.split("::").map(str::to_string).collect(),
        at: String::new(),
    };
    let edges = [
        edge("a::x::deep", "a::y"),
        edge("a::y", "a::z"),
        edge("a::z", "a::x"),
        edge("a::z", "b"),
        edge("b", "a::w"),
    ];
    // x, y, z under a go round (x through its child); and a ↔ b at the root, through a::z and
    // a::w.
    let found: Vec<(String, usize)> = sibling_cycles(&edges)
        .iter()
        .map(|(parent, inside)| (shown(parent), inside.len()))
        .collect();
    assert_eq!(found, [("crate".to_string(), 2), ("a".to_string(), 3)]);
}
