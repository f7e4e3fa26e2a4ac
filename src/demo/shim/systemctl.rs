//! `systemctl` on a demo host: the units the host runs (seed 001 §3.2: the backup runs go-api,
//! go-admin and go-fly but not go-job or go-upload), restarted, started, stopped, reloaded and
//! queried. Every unit is running until a `stop` is recorded.

use super::state::{last_action, record};
use std::path::Path;

/// systemctl's exit status for a unit that does not exist.
const NO_SUCH_UNIT: i32 = 5;
/// `is-active`'s (and `status`'s) exit status for a unit that is not running.
const INACTIVE: i32 = 3;

/// The units of demo host `host`.
fn units(host: &str) -> &'static [&'static str] {
    match host {
        "app-primary" => &[
            "go-api",
            "go-admin",
            "go-fly",
            "go-job",
            "go-upload",
            "mysql",
            "redis-server",
            "cron",
        ],
        "app-backup" => &[
            "go-api",
            "go-admin",
            "go-fly",
            "mysql",
            "redis-server",
            "cron",
        ],
        "nginx-1" | "nginx-2" => &["nginx", "cron"],
        _ => &["cron"],
    }
}

/// `go-api.service` and `go-api` both name unit `go-api`.
fn unit_name(arg: &str) -> &str {
    arg.strip_suffix(".service").unwrap_or(arg)
}

/// Runs `systemctl ARGS` on `host`, whose folder is `root`.
pub(super) fn run(root: &Path, host: &str, args: &[String]) -> i32 {
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let Some((&verb, names)) = words.split_first() else {
        for unit in units(host) {
            println!("{unit}.service loaded active running {unit}");
        }
        return 0;
    };
    if names.is_empty() && verb != "daemon-reload" {
        eprintln!("Too few arguments.");
        return 1;
    }
    let known = |name: &str| units(host).contains(&unit_name(name));
    match verb {
        "daemon-reload" => 0,
        "start" | "stop" | "restart" | "reload" | "try-restart" | "reload-or-restart" => {
            change(root, verb, names, known)
        }
        "is-active" => {
            let mut code = 0;
            for name in names {
                let active = known(name) && is_running(root, name);
                println!("{}", if active { "active" } else { "inactive" });
                if !active {
                    code = INACTIVE;
                }
            }
            code
        }
        "status" => status(root, names, known),
        _ => {
            eprintln!("Unknown command verb '{verb}'.");
            1
        }
    }
}

fn is_running(root: &Path, name: &str) -> bool {
    last_action(root, unit_name(name)).is_none_or(|a| a != "stopped")
}

/// start/stop/restart/reload: every unit must exist, as with systemctl, which changes none
/// when one is missing.
fn change(root: &Path, verb: &str, names: &[&str], known: impl Fn(&str) -> bool) -> i32 {
    if let Some(missing) = names.iter().find(|n| !known(n)) {
        let unit = unit_name(missing);
        eprintln!("Failed to {verb} {unit}.service: Unit {unit}.service not found.");
        return NO_SUCH_UNIT;
    }
    let action = match verb {
        "start" => "started",
        "stop" => "stopped",
        "reload" => "reloaded",
        _ => "restarted",
    };
    if verb == "reload" && names.iter().any(|n| unit_name(n) == "nginx") {
        let code = super::nginx::run(root, &["-s".to_string(), "reload".to_string()]);
        if code != 0 {
            eprintln!(
                "Job for nginx.service failed because the control process exited with error code."
            );
            return 1;
        }
    }
    for name in names {
        let unit = unit_name(name);
        if verb == "reload" && unit == "nginx" {
            continue;
        }
        if let Err(e) = record(root, action, unit) {
            eprintln!("Failed to {verb} {unit}.service: {e}");
            return 1;
        }
    }
    0
}

fn status(root: &Path, names: &[&str], known: impl Fn(&str) -> bool) -> i32 {
    let mut code = 0;
    for name in names {
        let unit = unit_name(name);
        if !known(name) {
            eprintln!("Unit {unit}.service could not be found.");
            code = 4;
            continue;
        }
        let (state, since) = if is_running(root, name) {
            ("active (running)", "running")
        } else {
            code = code.max(INACTIVE);
            ("inactive (dead)", "dead")
        };
        println!(
            "● {unit}.service - {unit}\n     Loaded: loaded (/etc/systemd/system/{unit}.service; enabled)\n     Active: {state}\n       Note: cockpit demo, the service is {since}\n"
        );
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::shim::STATE_FILE;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn restarts_are_recorded_and_units_the_host_lacks_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path();
        assert_eq!(
            run(
                root,
                "app-backup",
                &args(&["restart", "go-api", "go-fly.service"])
            ),
            0
        );
        assert_eq!(run(root, "app-backup", &args(&["restart", "go-job"])), 5);
        assert_eq!(run(root, "app-backup", &args(&["stop", "go-admin"])), 0);
        assert_eq!(run(root, "app-backup", &args(&["is-active", "go-api"])), 0);
        assert_eq!(
            run(root, "app-backup", &args(&["is-active", "go-admin"])),
            3
        );
        assert_eq!(run(root, "app-backup", &args(&["frobnicate", "go-api"])), 1);
        assert_eq!(run(root, "app-primary", &args(&["restart", "go-job"])), 0);
        let text = std::fs::read_to_string(root.join(STATE_FILE)).expect("state");
        let actions: Vec<String> = text
            .lines()
            .map(|l| l.split_once(' ').map_or("", |(_, a)| a).to_string())
            .collect();
        assert_eq!(
            actions,
            [
                "restarted go-api",
                "restarted go-fly",
                "stopped go-admin",
                "restarted go-job"
            ]
        );
    }
}
