//! Where the log goes: `FILE.YYYY-MM-DD` (the UTC date), a new file each day, with `FILE` a
//! symbolic link to today's so `tail -F FILE` follows it; the newest [`KEPT_LOG_FILES`] are
//! kept and older ones removed when a file is started. A `FILE` that is neither a regular
//! file nor that link (`/dev/null`, a FIFO, a link of the operator's) is written as it is.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::fmt::writer::BoxMakeWriter;

/// How many daily log files are kept: today's and the six days before.
pub const KEPT_LOG_FILES: usize = 7;

/// Opens the log at `file`, rotating it daily unless it is something else than a log file.
pub fn open(file: &Path) -> io::Result<BoxMakeWriter> {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string);
    let Some(name) = name else {
        // No name the appender can put a date after (non-UTF-8, or `..`): written as it is.
        return plain(file);
    };
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)?;
    // The link to today's file is made from this folder's path: make it absolute so the
    // link resolves wherever it is read from.
    let dir = fs::canonicalize(&dir)?;
    let file = dir.join(&name);
    match fs::symlink_metadata(&file) {
        Ok(m) if m.file_type().is_symlink() => {
            if links_to_own_day(&file, &name) {
                rotating(&dir, &name)
            } else {
                plain(&file)
            }
        }
        Ok(m) if m.is_file() => {
            keep_unrotated(&file, &name, &m)?;
            rotating(&dir, &name)
        }
        Ok(_) => plain(&file),
        Err(e) if e.kind() == io::ErrorKind::NotFound => rotating(&dir, &name),
        Err(e) => Err(e),
    }
}

/// The daily files `NAME.YYYY-MM-DD` in `dir`, `NAME` linking to today's.
fn rotating(dir: &Path, name: &str) -> io::Result<BoxMakeWriter> {
    prune_by_date(dir, name);
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(name)
        .latest_symlink(name)
        .max_log_files(KEPT_LOG_FILES)
        .build(dir)
        .map_err(io::Error::other)?;
    Ok(BoxMakeWriter::new(appender))
}

/// Removes the oldest `NAME.YYYY-MM-DD` files, by the date in their names, until one fewer
/// than [`KEPT_LOG_FILES`] remain (today's is then added). The appender prunes by creation
/// time, which tells nothing apart for files copied or restored together; this runs first so
/// it finds nothing left to do when a log starts, and only prunes itself at midnight.
fn prune_by_date(dir: &Path, name: &str) {
    let prefix = format!("{name}.");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut dated: Vec<(chrono::NaiveDate, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let file_name = e.file_name();
            let date = file_name.to_str()?.strip_prefix(&prefix)?;
            let date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
            Some((date, e.path()))
        })
        .collect();
    dated.sort();
    let excess = dated.len().saturating_sub(KEPT_LOG_FILES - 1);
    for (_, path) in dated.iter().take(excess) {
        // One left behind is removed at the next start or midnight; it is no reason to stop.
        let _ = fs::remove_file(path);
    }
}

/// `file` appended to as it is.
fn plain(file: &Path) -> io::Result<BoxMakeWriter> {
    let f: File = OpenOptions::new().append(true).create(true).open(file)?;
    Ok(BoxMakeWriter::new(Mutex::new(f)))
}

/// Whether the link at `file` is the one this module keeps (to a `NAME.…` file).
fn links_to_own_day(file: &Path, name: &str) -> bool {
    fs::read_link(file).is_ok_and(|target| {
        target
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(&format!("{name}.")))
    })
}

/// A log written before rotation (one growing `FILE`) becomes the file of the day it was last
/// written, so the link can take its place and nothing in it is lost.
fn keep_unrotated(file: &Path, name: &str, meta: &fs::Metadata) -> io::Result<()> {
    let when: chrono::DateTime<chrono::Utc> = meta.modified()?.into();
    let dated = file.with_file_name(format!("{name}.{}", when.format("%Y-%m-%d")));
    if !dated.exists() {
        return fs::rename(file, dated);
    }
    let mut from = File::open(file)?;
    let mut to = OpenOptions::new().append(true).open(&dated)?;
    io::copy(&mut from, &mut to)?;
    fs::remove_file(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::log_file::RedactingLog;
    use crate::core::redact::Redactor;
    use std::io::Write;
    use tracing_subscriber::fmt::MakeWriter;

    fn today(name: &str) -> String {
        format!("{name}.{}", chrono::Utc::now().format("%Y-%m-%d"))
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    fn write_line(w: &BoxMakeWriter, line: &str) {
        let mut out = w.make_writer();
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
    }

    #[test]
    fn old_days_beyond_the_bound_are_removed_when_a_log_starts() {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let dir = tmp.path();
        // Ten old days, created oldest first as days pass, and files that are not this log.
        for day in 1..=10 {
            let _ = fs::write(dir.join(format!("cockpit.log.2026-10-{day:02}")), "old\n");
        }
        let _ = fs::write(dir.join("journal.db"), "x");
        let _ = fs::write(dir.join("other.log.2026-10-01"), "x");
        let w = open(&dir.join("cockpit.log")).expect("the log opens");
        write_line(&w, "started\n");
        let mut wanted: Vec<String> = (5..=10)
            .map(|d| format!("cockpit.log.2026-10-{d:02}"))
            .collect();
        wanted.extend([
            "cockpit.log".to_string(),
            today("cockpit.log"),
            "journal.db".to_string(),
            "other.log.2026-10-01".to_string(),
        ]);
        wanted.sort();
        assert_eq!(names(dir), wanted);
        let link = fs::read_link(dir.join("cockpit.log")).unwrap_or_default();
        assert_eq!(link, dir.join(today("cockpit.log")));
        let text = fs::read_to_string(dir.join("cockpit.log")).unwrap_or_default();
        assert_eq!(text, "started\n");
    }

    #[test]
    fn a_log_from_before_rotation_becomes_its_day_and_is_kept() {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let dir = tmp.path();
        let _ = fs::write(dir.join("cockpit.log"), "written before\n");
        let w = open(&dir.join("cockpit.log")).expect("the log opens");
        write_line(&w, "written after\n");
        let link =
            fs::symlink_metadata(dir.join("cockpit.log")).map(|m| m.file_type().is_symlink());
        assert!(matches!(link, Ok(true)), "{link:?}");
        let text = fs::read_to_string(dir.join(today("cockpit.log"))).unwrap_or_default();
        assert_eq!(text, "written before\nwritten after\n");
    }

    #[test]
    fn a_device_or_a_foreign_link_is_written_as_it_is() {
        open(Path::new("/dev/null")).expect("/dev/null opens");
        assert!(
            !names(Path::new("/dev"))
                .iter()
                .any(|n| n.starts_with("null."))
        );

        let tmp = tempfile::tempdir().expect("a temporary folder");
        let dir = tmp.path();
        let _ = fs::write(dir.join("elsewhere"), "");
        std::os::unix::fs::symlink(dir.join("elsewhere"), dir.join("cockpit.log")).expect("link");
        let w = open(&dir.join("cockpit.log")).expect("the link opens");
        write_line(&w, "through the link\n");
        assert_eq!(names(dir), ["cockpit.log", "elsewhere"]);
        let text = fs::read_to_string(dir.join("elsewhere")).unwrap_or_default();
        assert_eq!(text, "through the link\n");
    }

    #[test]
    fn the_rotated_file_is_written_through_the_redactor() {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let dir = tmp.path();
        let w = open(&dir.join("cockpit.log")).expect("the log opens");
        let log = RedactingLog::new(w, Redactor::default());
        {
            let mut event = log.make_writer();
            let _ = event.write_all(b"ssh db: mysql -uroot -phun");
            let _ = event.write_all(b"ter2 speed failed\n");
        }
        let text = fs::read_to_string(dir.join(today("cockpit.log"))).unwrap_or_default();
        assert_eq!(text, "ssh db: mysql -uroot -p*** speed failed\n");
    }
}
