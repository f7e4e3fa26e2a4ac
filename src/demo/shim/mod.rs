//! The tools seed 001's procedure runs on a demo host — `mysql`, `systemctl`, `nginx`,
//! `crontab` — as small scripts on the demo commands' PATH that call the cockpit binary's
//! hidden `demo-shim` subcommand. Each acts on the host's own folder (its virtual root) and the
//! demo databases, prints what the real tool prints, and leaves a trace a test can read:
//! restarts and reloads are appended to [`STATE_FILE`] under the host's folder.
//!
//! A script runs `cockpit demo-shim TOOL --root HOST_DIR --host NAME [--db FILE] -- ARGS…`.

mod crontab;
mod mysql;
mod nginx;
mod state;
mod systemctl;

pub use state::STATE_FILE;

use crate::core::template::shell_quote;
use crate::demo::hosts::DemoHostSpec;
use crate::demo::world::host_dir;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

/// The tools a host of `role` has: only the machines running MySQL have `mysql`, only the
/// nginx machines `nginx`.
fn tools(role: &str) -> &'static [&'static str] {
    match role {
        "app-primary" | "app-backup" => &["mysql", "systemctl", "crontab"],
        "nginx" => &["nginx", "systemctl", "crontab"],
        _ => &["systemctl", "crontab"],
    }
}

/// Writes `spec`'s simulated tools into `dir/bin/NAME`, returning that folder. The MySQL of
/// app-backup is the inventory's `speed` (`dir/speed.db`); the primary's is `primary_db`.
pub(crate) fn install_tools(
    dir: &Path,
    spec: DemoHostSpec,
    cockpit: &Path,
    primary_db: &Path,
) -> std::io::Result<PathBuf> {
    let bin_dir = dir.join("bin").join(spec.name);
    let speed_db = dir.join("speed.db");
    let db = match spec.role {
        "app-backup" => Some(speed_db.as_path()),
        "app-primary" => Some(primary_db),
        _ => None,
    };
    let root = host_dir(dir, spec);
    install(
        &bin_dir,
        &ShimHost {
            spec,
            root: &root,
            db,
        },
        cockpit,
    )?;
    Ok(bin_dir)
}

/// What a host's shims need to know.
struct ShimHost<'a> {
    /// The host.
    spec: DemoHostSpec,
    /// Its folder (virtual root).
    root: &'a Path,
    /// Its MySQL data (SQLite), for hosts with `mysql`.
    db: Option<&'a Path>,
}

/// Writes `host`'s shim scripts into `bin_dir`, each calling `cockpit`.
fn install(bin_dir: &Path, host: &ShimHost<'_>, cockpit: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(bin_dir)?;
    let path = |p: &Path| shell_quote(&p.display().to_string());
    for tool in tools(host.spec.role) {
        let db = match (tool, host.db) {
            (&"mysql", Some(db)) => format!(" --db {}", path(db)),
            _ => String::new(),
        };
        let script = format!(
            "#!/bin/sh\n# cockpit demo: `{tool}` on {name}, simulated by cockpit (src/demo/shim).\n\
             exec {cockpit} demo-shim {tool} --root {root} --host {name}{db} -- \"$@\"\n",
            cockpit = path(cockpit),
            root = path(host.root),
            name = shell_quote(host.spec.name),
        );
        write_script(&bin_dir.join(tool), &script)?;
    }
    // A tool this host does not have is missing here even when the machine running the demo
    // has it (a bastion with a mysql client): the shell's own "not found", status 127.
    for tool in ALL_TOOLS
        .iter()
        .filter(|t| !tools(host.spec.role).contains(t))
    {
        let script = format!(
            "#!/bin/sh\n# cockpit demo: {name} has no `{tool}`.\n\
             echo \"sh: 1: {tool}: not found\" >&2\nexit 127\n",
            name = host.spec.name,
        );
        write_script(&bin_dir.join(tool), &script)?;
    }
    Ok(())
}

/// Every tool some demo host simulates.
const ALL_TOOLS: &[&str] = &["mysql", "nginx", "systemctl", "crontab"];

fn write_script(file: &Path, script: &str) -> std::io::Result<()> {
    std::fs::write(file, script)?;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755))
}

/// One shim call, as its script passes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ShimCall {
    tool: String,
    root: PathBuf,
    host: String,
    db: Option<PathBuf>,
    args: Vec<String>,
}

fn parse_call(args: &[String]) -> Result<ShimCall, String> {
    let (tool, rest) = args.split_first().ok_or("no tool named")?;
    let split = rest.iter().position(|a| a == "--").unwrap_or(rest.len());
    let (options, user_args) = rest.split_at(split);
    let mut call = ShimCall {
        tool: tool.clone(),
        root: PathBuf::new(),
        host: String::new(),
        db: None,
        args: user_args.iter().skip(1).cloned().collect(),
    };
    let mut options = options.iter();
    while let Some(option) = options.next() {
        let value = options
            .next()
            .ok_or_else(|| format!("{option} needs a value"))?;
        match option.as_str() {
            "--root" => call.root = PathBuf::from(value),
            "--host" => call.host.clone_from(value),
            "--db" => call.db = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown option {option}")),
        }
    }
    if call.root.as_os_str().is_empty() || call.host.is_empty() {
        return Err("--root and --host are required".into());
    }
    Ok(call)
}

/// Runs the shim call `args` (what follows `cockpit demo-shim`); returns its exit status.
pub fn run_shim(args: &[String]) -> i32 {
    let call = match parse_call(args) {
        Ok(call) => call,
        Err(e) => {
            eprintln!("cockpit demo-shim: {e}");
            return 2;
        }
    };
    let root = call.root.as_path();
    match call.tool.as_str() {
        "mysql" => mysql::run(call.db.as_deref(), &call.args),
        "systemctl" => systemctl::run(root, &call.host, &call.args),
        "nginx" => nginx::run(root, &call.args),
        "crontab" => crontab::run(root, &call.args),
        other => {
            eprintln!("cockpit demo-shim: no simulated tool `{other}`");
            2
        }
    }
}

/// `path` (under `root`) as the host shows it: `/etc/nginx/…`.
fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).map_or_else(
        |_| path.display().to_string(),
        |p| format!("/{}", p.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn a_call_splits_the_demos_options_from_the_tools_own() {
        let call = parse_call(&strings(&[
            "mysql",
            "--root",
            "/r",
            "--host",
            "app-backup",
            "--db",
            "/d.db",
            "--",
            "-e",
            "--",
        ]))
        .expect("call");
        assert_eq!(call.tool, "mysql");
        assert_eq!(call.root, Path::new("/r"));
        assert_eq!(call.host, "app-backup");
        assert_eq!(call.db.as_deref(), Some(Path::new("/d.db")));
        assert_eq!(call.args, ["-e", "--"]);
        assert!(parse_call(&strings(&["nginx", "--root", "/r", "--", "-t"])).is_err());
        assert!(parse_call(&strings(&["nginx", "--root"])).is_err());
        assert!(parse_call(&[]).is_err());
    }

    #[test]
    fn paths_are_shown_from_the_virtual_root() {
        let root = Path::new("/tmp/d/hosts/nginx-1");
        assert_eq!(
            shown(root, &root.join("etc/nginx/nginx.conf")),
            "/etc/nginx/nginx.conf"
        );
        assert_eq!(shown(root, Path::new("/elsewhere")), "/elsewhere");
    }
}
