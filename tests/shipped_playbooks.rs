//! The playbooks shipped in `playbooks/` parse and validate, and the seed 001 primary-failure
//! playbook keeps the parts that matter.

use cockpit::core::diagnostic::SourceFile;
use cockpit::core::playbook::{self, Playbook, StepAction};
use cockpit::core::severity::Severity;
use std::path::{Path, PathBuf};

fn playbook_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *.toml in {}", dir.display());
    files
}

fn load_all() -> Vec<Playbook> {
    let mut parsed = Vec::new();
    let mut failures = Vec::new();
    for path in playbook_files() {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let src = SourceFile::new(path.display().to_string(), text);
        match playbook::parse(&src, None) {
            Ok(p) => parsed.push(p),
            Err(diagnostics) => failures.push(diagnostics.to_string()),
        }
    }
    assert!(
        failures.is_empty(),
        "shipped playbooks do not parse:\n{}",
        failures.join("\n")
    );
    parsed
}

#[test]
fn every_shipped_playbook_parses() {
    let playbooks = load_all();
    let mut ids: Vec<&str> = playbooks.iter().map(|p| p.id.as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "duplicate playbook ids: {ids:?}");
    for id in [
        "nginx-down",
        "backup-app-down",
        "primary-app-down",
        "both-app-down",
    ] {
        assert!(ids.contains(&id), "missing playbook `{id}` in {ids:?}");
    }
}

#[test]
fn primary_app_down_follows_seed_001() {
    let playbooks = load_all();
    let p = playbooks
        .iter()
        .find(|p| p.id == "primary-app-down")
        .expect("playbook primary-app-down");
    assert_eq!(p.severity, Severity::P0);
    assert_eq!(p.rto_minutes, Some(30));

    let dns = p
        .steps
        .iter()
        .find(|s| matches!(&s.action, StepAction::Sql { statement, .. } if statement.contains("t_app_dns")))
        .expect("a sql step on t_app_dns");
    let rows = dns.expect.as_ref().and_then(|e| e.rows);
    assert_eq!(rows, Some((1, Some(4))), "step `{}`", dns.id);
    assert!(dns.dangerous, "step `{}` should be dangerous", dns.id);

    let capture = p
        .steps
        .iter()
        .find_map(|s| match &s.action {
            StepAction::Command {
                capture: Some(c), ..
            } => Some(c),
            _ => None,
        })
        .expect("a command step with a capture");
    assert_eq!(capture.variable, "backup_file");
}
