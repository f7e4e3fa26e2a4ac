//! The statements run against each database, kept on disk so the console can recall them
//! across sessions: one JSON Lines file per database, `{"at": RFC 3339, "sql": …}` a line,
//! oldest first.
//!
//! History stores exactly what it is given. The console redacts secrets it knows about before
//! pushing; a password the operator typed into a statement and the console did not recognise
//! ends up here, so the file is created readable by its owner only.

use crate::io::bounded_read::{Kind, read_bytes};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Entries kept when the file is compacted.
pub const KEEP_ENTRIES: usize = 1000;

/// Lines the file may grow to before it is compacted to [`KEEP_ENTRIES`].
pub const MAX_LINES: usize = 2000;

/// One statement of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// When it ran.
    pub at: DateTime<Utc>,
    /// What ran.
    pub sql: String,
}

/// A line of the file.
#[derive(Serialize, Deserialize)]
struct Line {
    at: String,
    sql: String,
}

/// The history of one database.
#[derive(Debug)]
pub struct History {
    path: PathBuf,
    entries: Vec<HistoryEntry>,
    /// Lines in the file, corrupt ones included.
    lines: usize,
    skipped: usize,
    /// The file's last line has no newline yet (written by something else, or cut short).
    unterminated: bool,
}

/// A file name for a database name: letters, digits, `-`, `_` and `.` kept, anything else
/// `_`, never hidden or empty; when anything was changed a short hash of the real name is
/// added, so `a/b` and `a_b` keep apart.
fn file_name(database: &str) -> String {
    let mut name: String = database
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with('.') || name.is_empty() {
        name.insert(0, '_');
    }
    if name != database {
        let hash = Sha256::digest(database.as_bytes());
        name.push('-');
        name.push_str(&hex::encode(&hash[..4]));
    }
    name.push_str(".jsonl");
    name
}

fn parse(line: &str) -> Option<HistoryEntry> {
    let line: Line = serde_json::from_str(line).ok()?;
    let at = DateTime::parse_from_rfc3339(&line.at)
        .ok()?
        .with_timezone(&Utc);
    Some(HistoryEntry { at, sql: line.sql })
}

fn render(entry: &HistoryEntry) -> Result<String, String> {
    let line = Line {
        at: entry.at.to_rfc3339(),
        sql: entry.sql.clone(),
    };
    serde_json::to_string(&line).map_err(|e| format!("cannot encode a history entry: {e}"))
}

/// Opens for appending (or creating), owner-only.
fn open_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    o.create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

impl History {
    /// The history of `database`, kept in `dir` (read now; a missing or unreadable file is an
    /// empty history, and corrupt lines are skipped and counted).
    pub fn open(dir: &Path, database: &str) -> Self {
        let path = dir.join(file_name(database));
        let mut history = History {
            path,
            entries: Vec::new(),
            lines: 0,
            skipped: 0,
            unterminated: false,
        };
        if let Ok(bytes) = read_bytes(&history.path, Kind::History) {
            history.unterminated = !bytes.is_empty() && !bytes.ends_with(b"\n");
            for line in bytes.split(|&b| b == b'\n') {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                history.lines += 1;
                match std::str::from_utf8(line).ok().and_then(parse) {
                    Some(entry) => history.entries.push(entry),
                    None => history.skipped += 1,
                }
            }
        }
        history
    }

    /// Where it is kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Adds a statement (not when it is blank or the same as the last one): appended to the
    /// file and flushed; the directory is created when missing. When the file passes
    /// [`MAX_LINES`] it is rewritten with the newest [`KEEP_ENTRIES`] (through a temporary
    /// file renamed over it, so a crash leaves the old or the new file, never half of one).
    pub fn push(&mut self, sql: &str, at: DateTime<Utc>) -> Result<(), String> {
        if sql.trim().is_empty() || self.entries.last().is_some_and(|e| e.sql == sql) {
            return Ok(());
        }
        let entry = HistoryEntry {
            at,
            sql: sql.to_string(),
        };
        let line = render(&entry)?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut file = open_options()
            .append(true)
            .open(&self.path)
            .map_err(|e| format!("cannot open {}: {e}", self.path.display()))?;
        let lead = if self.unterminated { "\n" } else { "" };
        file.write_all(format!("{lead}{line}\n").as_bytes())
            .and_then(|()| file.flush())
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))?;
        self.unterminated = false;
        self.entries.push(entry);
        self.lines += 1;
        if self.lines > MAX_LINES {
            self.compact()?;
        }
        Ok(())
    }

    fn compact(&mut self) -> Result<(), String> {
        let drop = self.entries.len().saturating_sub(KEEP_ENTRIES);
        self.entries.drain(..drop);
        let mut text = String::new();
        for entry in &self.entries {
            text.push_str(&render(entry)?);
            text.push('\n');
        }
        let tmp = self.path.with_extension("jsonl.tmp");
        let written = open_options()
            .write(true)
            .truncate(true)
            .open(&tmp)
            .and_then(|mut f| {
                f.write_all(text.as_bytes())?;
                f.sync_all()
            })
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(format!("cannot rewrite {}: {e}", self.path.display()));
        }
        self.lines = self.entries.len();
        self.skipped = 0;
        Ok(())
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> &[HistoryEntry] {
        &self.entries
    }

    /// Entries holding every whitespace-separated word of `needle` (ignoring case), newest
    /// first; all of them for a blank needle.
    pub fn search(&self, needle: &str) -> Vec<&HistoryEntry> {
        let words: Vec<String> = needle.split_whitespace().map(str::to_lowercase).collect();
        self.entries
            .iter()
            .rev()
            .filter(|e| {
                let sql = e.sql.to_lowercase();
                words.iter().all(|w| sql.contains(w.as_str()))
            })
            .collect()
    }

    /// Lines of the file that could not be read as entries (they stay until a compaction).
    pub fn skipped(&self) -> usize {
        self.skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_790_000_000 + secs, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn pushes_persist_and_reload_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dir = dir.path().join("not/yet/there");
        let mut h = History::open(&dir, "speed");
        assert!(h.entries().is_empty());
        h.push("select 1", t(1)).expect("push");
        h.push("update t set a='x\ny' where id=\"3\"", t(2))
            .expect("push");
        assert_eq!(h.path(), dir.join("speed.jsonl"));
        let again = History::open(&dir, "speed");
        assert_eq!(again.entries(), h.entries());
        assert_eq!(again.entries()[0].sql, "select 1");
        assert_eq!(again.entries()[1].at, t(2));
        assert_eq!(again.skipped(), 0);
        let text = std::fs::read_to_string(dir.join("speed.jsonl")).expect("read");
        assert_eq!(text.lines().count(), 2);
        let first: serde_json::Value =
            serde_json::from_str(text.lines().next().expect("line")).expect("json");
        assert_eq!(first["sql"], "select 1");
        assert!(
            DateTime::parse_from_rfc3339(first["at"].as_str().expect("at")).is_ok(),
            "{first}"
        );
    }

    #[test]
    fn repeats_and_blanks_are_not_pushed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut h = History::open(dir.path(), "db");
        h.push("select 1", t(1)).expect("push");
        h.push("select 1", t(2)).expect("push");
        h.push("   \n", t(3)).expect("push");
        h.push("select 2", t(4)).expect("push");
        h.push("select 1", t(5)).expect("push");
        let sqls: Vec<&str> = h.entries().iter().map(|e| e.sql.as_str()).collect();
        assert_eq!(sqls, vec!["select 1", "select 2", "select 1"]);
        assert_eq!(History::open(dir.path(), "db").entries().len(), 3);
    }

    #[test]
    fn corrupt_lines_are_skipped_and_counted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let good = r#"{"at":"2026-11-21T10:00:00+00:00","sql":"select 1"}"#;
        let bad_time = r#"{"at":"yesterday","sql":"select 2"}"#;
        let mut bytes = format!("{good}\nnot json\n{bad_time}\n\n{{\"at\":1}}\n").into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\n");
        bytes.extend_from_slice(br#"{"at":"2026-11-21T11:00:00Z","sql":"select 3"}"#);
        std::fs::write(dir.path().join("db.jsonl"), bytes).expect("write");
        let mut h = History::open(dir.path(), "db");
        assert_eq!(h.skipped(), 4);
        let sqls: Vec<&str> = h.entries().iter().map(|e| e.sql.as_str()).collect();
        assert_eq!(sqls, vec!["select 1", "select 3"]);
        // Appending after a last line without a newline still gives whole lines.
        h.push("select 4", t(1)).expect("push");
        let again = History::open(dir.path(), "db");
        assert_eq!(again.entries().len(), 2 + 1, "{:?}", again.entries());
    }

    #[test]
    fn the_file_is_capped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut h = History::open(dir.path(), "db");
        for i in 0..=MAX_LINES {
            h.push(&format!("select {i}"), t(i as i64)).expect("push");
        }
        assert_eq!(h.entries().len(), KEEP_ENTRIES);
        assert_eq!(
            h.entries()[0].sql,
            format!("select {}", MAX_LINES + 1 - KEEP_ENTRIES)
        );
        assert_eq!(
            h.entries().last().map(|e| e.sql.clone()),
            Some(format!("select {MAX_LINES}"))
        );
        let again = History::open(dir.path(), "db");
        assert_eq!(again.entries(), h.entries());
        let text = std::fs::read_to_string(dir.path().join("db.jsonl")).expect("read");
        assert_eq!(text.lines().count(), KEEP_ENTRIES);
        assert!(!dir.path().join("db.jsonl.tmp").exists());
    }

    #[test]
    fn search_is_newest_first_and_needs_every_word() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut h = History::open(dir.path(), "db");
        h.push("SELECT * FROM t_app_dns WHERE ip = '10.0.0.7'", t(1))
            .expect("push");
        h.push("update t_app_dns set status=2 where ip='10.0.0.7'", t(2))
            .expect("push");
        h.push("select count(*) from orders", t(3)).expect("push");
        let found: Vec<&str> = h
            .search("  APP_dns   10.0.0.7 ")
            .iter()
            .map(|e| e.sql.as_str())
            .collect();
        assert_eq!(
            found,
            vec![
                "update t_app_dns set status=2 where ip='10.0.0.7'",
                "SELECT * FROM t_app_dns WHERE ip = '10.0.0.7'",
            ]
        );
        assert_eq!(h.search("select dns").len(), 1);
        assert_eq!(h.search("orders status").len(), 0);
        assert_eq!(h.search("").len(), 3);
        assert_eq!(h.search("")[0].sql, "select count(*) from orders");
    }

    #[test]
    fn database_names_make_safe_distinct_file_names() {
        assert_eq!(file_name("speed"), "speed.jsonl");
        assert_eq!(file_name("prod-db_2.main"), "prod-db_2.main.jsonl");
        let slash = file_name("a/b");
        let under = file_name("a_b");
        assert_ne!(slash, under);
        assert!(
            slash.starts_with("a_b-") && slash.ends_with(".jsonl"),
            "{slash}"
        );
        for hostile in ["../../etc/passwd", "..", "", ".hidden", "接口", "a\0b"] {
            let name = file_name(hostile);
            assert!(!name.contains('/') && !name.starts_with('.'), "{name}");
            assert!(name.len() > ".jsonl".len(), "{name}");
        }
        assert_ne!(file_name(""), file_name("_"));
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut h = History::open(dir.path(), "db");
        h.push("select 1", t(1)).expect("push");
        let mode = std::fs::metadata(h.path())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
