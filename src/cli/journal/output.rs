//! Where an export goes when `--output` names a file: written to a temporary file in the same
//! folder and renamed over the target once complete and on disk, so a reader never sees half
//! an export; never over the journal itself or any other SQLite database. A device or pipe
//! (`/dev/null`, `/dev/stdout`) is written directly.

use crate::core::export::jsonl::ExportError;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// Refuses an output path that is the journal (or its `-wal`/`-shm` file, by any name or
/// link), a folder, or an existing SQLite database.
pub fn check_target(journal: &Path, target: &Path) -> Result<(), String> {
    let Ok(meta) = std::fs::metadata(target) else {
        return Ok(());
    };
    let shown = target.display();
    if meta.is_dir() {
        return Err(format!("--output {shown} is a folder; name a file"));
    }
    let same = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| (m.dev(), m.ino()) == (meta.dev(), meta.ino()))
    };
    let sidecar = |suffix: &str| {
        let mut name = journal.as_os_str().to_os_string();
        name.push(suffix);
        same(Path::new(&name))
    };
    if same(journal) || sidecar("-wal") || sidecar("-shm") {
        return Err(format!(
            "--output {shown} is the journal itself; refusing to overwrite it. Name another file"
        ));
    }
    let mut head = [0u8; 16];
    // Only a regular file is read: opening a pipe for reading would wait for a writer.
    let is_sqlite = meta.is_file()
        && File::open(target)
            .and_then(|mut f| f.read_exact(&mut head))
            .is_ok()
        && head == SQLITE_MAGIC;
    if is_sqlite {
        return Err(format!(
            "--output {shown} is a SQLite database (a journal?); refusing to overwrite it. Name another file"
        ));
    }
    Ok(())
}

/// Runs `write` on a temporary file next to `target`, then moves it into place; on any
/// failure the target is left as it was and the temporary file removed. A target that is not
/// a regular file (`/dev/null`, a pipe) is written directly: renaming over it would replace it.
pub fn atomically<T>(
    target: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> Result<T, ExportError>,
) -> Result<T, ExportError> {
    let in_target = |e: io::Error| {
        ExportError::Io(io::Error::new(
            e.kind(),
            format!("{}: {e}", target.display()),
        ))
    };
    if std::fs::metadata(target).is_ok_and(|m| !m.is_file()) {
        let file = OpenOptions::new()
            .write(true)
            .open(target)
            .map_err(in_target)?;
        let mut out = BufWriter::new(&file);
        let value = write(&mut out)?;
        out.flush().map_err(in_target)?;
        return Ok(value);
    }
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".cockpit-export-")
        .tempfile_in(folder)
        .map_err(in_target)?;
    let mut out = BufWriter::new(temp.as_file());
    let value = write(&mut out)?;
    out.flush().map_err(in_target)?;
    drop(out);
    temp.as_file().sync_all().map_err(in_target)?;
    temp.persist(target).map_err(|e| in_target(e.error))?;
    Ok(value)
}
