//! Reading a file the user named (or a folder the cockpit scans) safely: only a regular file
//! (after following symlinks), only up to a size limit, and never blocking on a FIFO. A
//! symlink to `/dev/zero`, a FIFO named `x.toml` or a 4 GiB file gets a plain message
//! instead of exhausting memory or hanging the cockpit.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Largest TOML file read (inventory, playbook, theme, the ssh config, a lock file).
pub const TOML_LIMIT: u64 = 4 * 1024 * 1024;
/// Largest other text file read (password file, known_hosts, a private key).
pub const TEXT_LIMIT: u64 = 4 * 1024 * 1024;
/// Largest SQL history file read (2,000 statements, some of them long).
pub const HISTORY_LIMIT: u64 = 64 * 1024 * 1024;
/// Largest signatures sidecar or allowed-signers file read (thousands of signed heads).
pub const SIGNATURES_LIMIT: u64 = 16 * 1024 * 1024;

/// What kind of file was expected, for the message (`a TOML file`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An inventory, playbook or theme.
    Toml,
    /// A text file of another kind.
    Text,
    /// A SQL console history file.
    History,
    /// A journal's signatures sidecar or an allowed-signers file.
    Signatures,
}

impl Kind {
    fn limit(self) -> u64 {
        match self {
            Kind::Toml => TOML_LIMIT,
            Kind::Text => TEXT_LIMIT,
            Kind::History => HISTORY_LIMIT,
            Kind::Signatures => SIGNATURES_LIMIT,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Toml => "a TOML file",
            Kind::Text => "a text file",
            Kind::History => "a history file",
            Kind::Signatures => "a signatures file",
        }
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// A FIFO, device, socket or directory.
    NotRegular {
        /// The path as given.
        path: PathBuf,
        /// `a FIFO`, `a directory`…
        what: &'static str,
    },
    /// Larger than the limit for its kind.
    TooLarge {
        /// The path as given.
        path: PathBuf,
        /// Its size (at least this many bytes).
        size: u64,
        /// The limit.
        limit: u64,
        /// What it was read as.
        kind: Kind,
    },
    /// Missing, unreadable, or failed while reading.
    Io {
        /// The path as given.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

impl ReadError {
    /// The file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }

    /// What is wrong, without the path (`is a FIFO, not a regular file`).
    pub fn reason(&self) -> String {
        match self {
            ReadError::NotRegular { what, .. } => format!("is {what}, not a regular file"),
            ReadError::TooLarge {
                size, limit, kind, ..
            } => format!(
                "{} is over the {} limit for {}",
                human(*size),
                human(*limit),
                kind.name()
            ),
            ReadError::Io { source, .. } => source.to_string(),
        }
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::NotRegular { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::Io { path, .. } => path,
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path().display(), self.reason())
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// `4 MiB`, `4.1 GiB`, `512 bytes`.
fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// What a non-regular file is, for the message.
fn not_regular(meta: &Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_char_device() {
        Some("a character device")
    } else if t.is_block_device() {
        Some("a block device")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        Some("not a file")
    }
}

/// Requires `path` (after following symlinks) to be a regular file; returns its metadata.
/// Used alone for journals, which are SQLite files of any size.
pub fn require_regular(path: &Path) -> Result<Metadata, ReadError> {
    let meta = std::fs::metadata(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    match not_regular(&meta) {
        None => Ok(meta),
        Some(what) => Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            what,
        }),
    }
}

/// Requires a regular file within `kind`'s limit, without reading it: for a file a library
/// opens itself (known_hosts). [`read_bytes`] is safer where the bytes can be handed over.
pub fn check(path: &Path, kind: Kind) -> Result<Metadata, ReadError> {
    let meta = require_regular(path)?;
    if meta.len() > kind.limit() {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            limit: kind.limit(),
            kind,
        });
    }
    Ok(meta)
}

/// Reads a regular file of at most `kind`'s limit. The type and size are checked before
/// opening; the open never blocks (a FIFO swapped in after the check is caught by the
/// second check on the open file), and a file that grows past the limit meanwhile is cut
/// off at the limit and refused.
pub fn read_bytes(path: &Path, kind: Kind) -> Result<Vec<u8>, ReadError> {
    let limit = kind.limit();
    let too_large = |size| ReadError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit,
        kind,
    };
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    check(path, kind)?;
    let file: File = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if let Some(what) = not_regular(&meta) {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            what,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read_bytes`], as UTF-8 text (invalid sequences replaced).
pub fn read_text(path: &Path, kind: Kind) -> Result<String, ReadError> {
    read_bytes(path, kind).map(|b| match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_plainly() {
        assert_eq!(human(512), "512 bytes");
        assert_eq!(human(4 * 1024 * 1024), "4 MiB");
        assert_eq!(human(4_400_000_000), "4.1 GiB");
    }

    #[test]
    fn special_files_are_refused_by_kind() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("x.toml");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let e = read_bytes(&link, Kind::Toml).unwrap_err().to_string();
        assert!(
            e.ends_with("x.toml: is a character device, not a regular file"),
            "{e}"
        );
        let e = read_bytes(dir.path(), Kind::Toml).unwrap_err().to_string();
        assert!(e.contains("is a directory, not a regular file"), "{e}");
        let big = dir.path().join("big.toml");
        std::fs::File::create(&big)
            .and_then(|f| f.set_len(TOML_LIMIT + 1))
            .unwrap();
        let e = read_bytes(&big, Kind::Toml).unwrap_err().to_string();
        assert!(
            e.contains("big.toml: 4.0 MiB is over the 4 MiB limit for a TOML file"),
            "{e}"
        );
        let ok = dir.path().join("ok.toml");
        std::fs::write(&ok, "a = 1\n").unwrap();
        assert_eq!(read_text(&ok, Kind::Toml).unwrap(), "a = 1\n");
    }
}
