//! What the simulated service tools did on a host, one line each, in a file under its folder.

use std::io::Write as _;
use std::path::Path;

/// The record of restarts, reloads, starts and stops, relative to the host's folder. Each line
/// is `TIMESTAMP ACTION SERVICE`, e.g. `2026-11-21T10:02:03+08:00 restarted go-api`.
pub const STATE_FILE: &str = ".cockpit-demo/services.log";

/// Appends `action service` with the current time.
pub(super) fn record(root: &Path, action: &str, service: &str) -> std::io::Result<()> {
    let path = root.join(STATE_FILE);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let now = chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(file, "{now} {action} {service}")
}

/// The last action recorded for `service`, if any.
pub(super) fn last_action(root: &Path, service: &str) -> Option<String> {
    let text = std::fs::read_to_string(root.join(STATE_FILE)).ok()?;
    text.lines().rev().find_map(|line| {
        let mut words = line.split_whitespace().skip(1);
        let action = words.next()?;
        (words.next()? == service).then(|| action.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_action_per_service_is_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(last_action(dir.path(), "go-api"), None);
        record(dir.path(), "stopped", "go-api").expect("record");
        record(dir.path(), "restarted", "go-fly").expect("record");
        assert_eq!(
            last_action(dir.path(), "go-api").as_deref(),
            Some("stopped")
        );
        record(dir.path(), "started", "go-api").expect("record");
        assert_eq!(
            last_action(dir.path(), "go-api").as_deref(),
            Some("started")
        );
        let text = std::fs::read_to_string(dir.path().join(STATE_FILE)).expect("file");
        assert!(
            text.lines()
                .nth(1)
                .is_some_and(|l| l.ends_with(" restarted go-fly"))
        );
    }
}
