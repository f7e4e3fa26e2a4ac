//! One writer per journal: the cockpit that writes a journal holds an exclusive OS lock
//! (`flock`) on `<journal>.lock` for as long as it runs, and writes who it is into that file.
//! A second writer is refused with the holder's details; readers (replay, report, export,
//! verify) never take the lock. The OS drops the lock when its holder dies, even by `kill -9`,
//! so a crash never leaves the journal locked: the stale details are simply overwritten.

use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Who holds a journal's write lock, as written into the lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// Login name.
    pub user: String,
    /// Machine name.
    pub host: String,
    /// Process id.
    pub pid: u32,
    /// When it took the lock, UTC (`2026-12-06 03:12:05 UTC`).
    pub since_utc: String,
    /// The same moment in the holder's local time, with its offset.
    pub since_local: String,
    /// The command line it runs (`cockpit demo --keep`).
    pub command: String,
}

/// Why the write lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another cockpit writes this journal.
    #[error(
        "journal {} is open for writing by {}; open it read-only with `cockpit replay {}`, or wait until it quits",
        journal.display(),
        describe(holder.as_deref()),
        journal.display()
    )]
    Held {
        /// The journal.
        journal: PathBuf,
        /// Its holder, when the lock file could be read.
        holder: Option<Box<Holder>>,
    },
    /// The lock file could not be created, opened or locked.
    #[error("journal {}: cannot take the write lock {}: {reason}", journal.display(), lock.display())]
    Unusable {
        /// The journal.
        journal: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

fn describe(holder: Option<&Holder>) -> String {
    match holder {
        Some(h) => format!(
            "{}@{} (pid {}, `{}`) since {} ({} local)",
            h.user, h.host, h.pid, h.command, h.since_utc, h.since_local
        ),
        None => "another cockpit (its details are not readable yet)".to_string(),
    }
}

/// The held write lock of one journal; dropping it (or the process dying) releases it.
#[derive(Debug)]
pub struct JournalLock {
    _file: File,
    /// The lock file.
    pub path: PathBuf,
}

/// The lock file of a journal: `<journal>.lock` beside the real file, so two paths to the
/// same journal (a symlink, `./x` and `x`) share one lock.
pub fn lock_path(journal: &Path) -> PathBuf {
    let real = std::fs::canonicalize(journal).unwrap_or_else(|_| {
        let parent = journal
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let parent = std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
        journal
            .file_name()
            .map_or_else(|| journal.to_path_buf(), |name| parent.join(name))
    });
    let mut name = real.into_os_string();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the write lock of `journal` for this process, recording `holder` in the lock file.
/// Fails at once (never waits) when another process holds it.
pub fn acquire(journal: &Path, holder: &Holder) -> Result<JournalLock, LockError> {
    let path = lock_path(journal);
    let unusable = |reason: String| LockError::Unusable {
        journal: journal.to_path_buf(),
        lock: path.clone(),
        reason,
    };
    let mut file = open_lock_file(&path).map_err(|e| unusable(e.to_string()))?;
    let meta = file.metadata().map_err(|e| unusable(e.to_string()))?;
    if !meta.is_file() {
        return Err(unusable("it is not a regular file".into()));
    }
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(LockError::Held {
                journal: journal.to_path_buf(),
                holder: read_holder(&mut file),
            });
        }
        Err(TryLockError::Error(e)) => return Err(unusable(e.to_string())),
    }
    let text = toml::to_string(holder).map_err(|e| unusable(e.to_string()))?;
    file.set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| file.write_all(text.as_bytes()))
        .and_then(|()| file.sync_data())
        .map_err(|e| unusable(format!("cannot record who holds it: {e}")))?;
    Ok(JournalLock { _file: file, path })
}

/// Tells, without keeping it, whether the write lock is free now: for a command that would
/// otherwise do slow work (start the demo fleet) before opening the journal. The lock itself
/// is taken by [`acquire`] when the journal is opened; this is only an early, friendly refusal.
pub fn probe(journal: &Path) -> Result<(), LockError> {
    let path = lock_path(journal);
    if !path.exists() {
        return Ok(());
    }
    let mut file = open_lock_file(&path).map_err(|e| LockError::Unusable {
        journal: journal.to_path_buf(),
        lock: path.clone(),
        reason: e.to_string(),
    })?;
    match file.try_lock() {
        Err(TryLockError::WouldBlock) => Err(LockError::Held {
            journal: journal.to_path_buf(),
            holder: read_holder(&mut file),
        }),
        _ => Ok(()),
    }
}

/// Opens (creating, owner-only) without following a symlink and without blocking on a FIFO.
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

/// The holder's details from a lock file someone else holds (at most 4 KiB of it).
fn read_holder(file: &mut File) -> Option<Box<Holder>> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(4096).read_to_string(&mut text).ok()?;
    toml::from_str(&text).ok().map(Box::new)
}

/// This process as a lock holder: the operator, the pid, now, and the command line.
pub fn this_process() -> Holder {
    let operator = crate::io::identity::current_operator();
    let now = chrono::Utc::now();
    let command = std::env::args()
        .enumerate()
        .map(|(i, a)| {
            if i == 0 {
                Path::new(&a)
                    .file_name()
                    .map_or(a.clone(), |n| n.to_string_lossy().into_owned())
            } else {
                a
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    Holder {
        user: operator.user,
        host: operator.host,
        pid: std::process::id(),
        since_utc: now.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        since_local: now
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M:%S %:z")
            .to_string(),
        command,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(pid: u32) -> Holder {
        Holder {
            user: "alice".into(),
            host: "bastion1".into(),
            pid,
            since_utc: "2026-12-06 03:12:05 UTC".into(),
            since_local: "2026-12-06 04:12:05 +01:00".into(),
            command: "cockpit demo --keep".into(),
        }
    }

    #[test]
    fn a_second_lock_is_refused_with_the_holders_details_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.db");
        let first = acquire(&journal, &holder(4242)).unwrap();
        let Err(e) = acquire(&journal, &holder(7)) else {
            panic!("a second writer got the lock")
        };
        let text = e.to_string();
        assert!(
            text.contains("open for writing by alice@bastion1 (pid 4242, `cockpit demo --keep`) since 2026-12-06 03:12:05 UTC"),
            "{text}"
        );
        assert!(text.contains("cockpit replay"), "{text}");
        drop(first);
        let again = acquire(&journal, &holder(7)).unwrap();
        let written = std::fs::read_to_string(&again.path).unwrap();
        assert!(written.contains("pid = 7"), "{written}");
        assert!(!written.contains("4242"), "stale details left: {written}");
    }

    #[test]
    fn a_symlink_to_the_journal_shares_its_lock() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.db");
        std::fs::write(&journal, b"").unwrap();
        let link = dir.path().join("other-name.db");
        std::os::unix::fs::symlink(&journal, &link).unwrap();
        let _held = acquire(&journal, &holder(1)).unwrap();
        assert!(matches!(
            acquire(&link, &holder(2)),
            Err(LockError::Held { .. })
        ));
    }

    #[test]
    fn a_fifo_as_lock_file_is_refused_without_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.db");
        let fifo = lock_path(&journal);
        let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let Err(e) = acquire(&journal, &holder(1)) else {
            panic!("locked a FIFO")
        };
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }
}
