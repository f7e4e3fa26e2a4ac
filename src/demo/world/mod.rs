//! The files seed 001 §4.3 works on, laid out in each demo host's folder (its virtual root, see
//! `virtual_root`) when the demo starts: SQL dumps in `/shell/sql_backup/`, the Go services'
//! configuration under `/wwwroot/go/`, nginx's under `/etc/nginx/`, the `/shell` tasks and
//! root crontabs.

mod configs;
mod cron;
mod dumps;
mod nginx;

pub(crate) use cron::CRONTAB;
pub(crate) use dumps::{backup_times, dump_name, dump_text};

use crate::demo::hosts::{DEMO_HOSTS, DemoHostSpec};
use crate::demo::speed_db::run_mysql;
use chrono::{DateTime, Local};
use std::fs::File;
use std::path::{Path, PathBuf};

/// Where a host keeps its MySQL data under its root: the demo's SQLite stand-in for it.
pub(crate) const MYSQL_DATA: &str = "var/lib/mysql/speed.db";

/// A host's folder in the fleet's (`fleet_dir/hosts/NAME`): its virtual root.
pub(crate) fn host_dir(fleet_dir: &Path, spec: DemoHostSpec) -> PathBuf {
    fleet_dir.join("hosts").join(spec.name)
}

/// Writes every host's files under its folder, dated as of `now`.
pub(crate) fn build(fleet_dir: &Path, now: DateTime<Local>) -> std::io::Result<()> {
    for spec in DEMO_HOSTS {
        let root = host_dir(fleet_dir, spec);
        for (path, text) in host_files(spec) {
            write(&root, &path, &text)?;
        }
        if matches!(spec.role, "app-primary" | "app-backup" | "backup-store") {
            write_dumps(&root, now)?;
        }
    }
    Ok(())
}

/// Fills the primary's MySQL stand-in ([`MYSQL_DATA`]) with the newest dump as of `now`: the
/// primary is the machine the metadata database lives on. Returns its path.
pub(crate) async fn seed_primary_mysql(
    dir: &Path,
    now: DateTime<Local>,
) -> std::io::Result<PathBuf> {
    let primary = DEMO_HOSTS
        .iter()
        .find(|h| h.role == "app-primary")
        .copied()
        .ok_or_else(|| std::io::Error::other("no app-primary in the demo fleet"))?;
    let db = host_dir(dir, primary).join(MYSQL_DATA);
    if let Some(parent) = db.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let newest = backup_times(now)[0];
    run_mysql(&db, &dump_text(newest, 0))
        .await
        .map_err(|e| std::io::Error::other(format!("the primary's MySQL: {e}")))?;
    Ok(db)
}

/// The files of one host but its dumps: relative path and text.
fn host_files(spec: DemoHostSpec) -> Vec<(String, String)> {
    let primary_ip = DEMO_HOSTS
        .iter()
        .find(|h| h.role == "app-primary")
        .map_or("", |h| h.public_ip);
    let owned = |files: &[(&str, String)]| {
        files
            .iter()
            .map(|(p, t)| ((*p).to_string(), t.clone()))
            .collect::<Vec<_>>()
    };
    match spec.role {
        "nginx" => owned(&nginx::nginx_files(spec.name)),
        "app-primary" | "app-backup" => {
            let db_host = if spec.role == "app-primary" {
                "127.0.0.1"
            } else {
                primary_ip
            };
            let mut files = owned(&configs::go_configs(spec.name, db_host));
            files.extend(cron::cron_files(spec.name));
            files
        }
        _ => Vec::new(),
    }
}

/// The nightly dumps kept in `/shell/sql_backup/`, each dated when mysqldump finished it.
fn write_dumps(root: &Path, now: DateTime<Local>) -> std::io::Result<()> {
    for (age, at) in backup_times(now).into_iter().enumerate() {
        let path = format!("shell/sql_backup/{}", dump_name(at));
        write(root, &path, &dump_text(at, age))?;
        File::options()
            .write(true)
            .open(root.join(&path))?
            .set_modified(dumps::finished(at))?;
    }
    Ok(())
}

fn write(root: &Path, relative: &str, text: &str) -> std::io::Result<()> {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}
