//! `cockpit journal export FILE --format jsonl|asciicast [--output FILE] [--force]
//! [--incident ID | --session N]`.

use super::output;
use crate::cli::progress::Progress;
use crate::cli::{EXIT_INVALID, ExportFormat};
use crate::core::export::jsonl::{self, ExportError};
use crate::core::export::shell_cast::shell_cast;
use crate::core::journal::{Assessed, Integrity};
use crate::io::identity::current_operator;
use crate::io::shared::JournalLocation;
use crate::io::shared::review::{read_for_review, shown};
use crate::ui::replay::{Replay, write_cast};
use crate::ui::theme::Theme;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use tokio::runtime::Runtime;

/// What to export, as the command line asked.
pub struct Request<'a> {
    /// The journal.
    pub file: &'a JournalLocation,
    /// The format.
    pub format: ExportFormat,
    /// The output file (None: standard output).
    pub output: Option<&'a Path>,
    /// Export the verified entries of a broken or torn journal.
    pub force: bool,
    /// Only this incident.
    pub incident: Option<&'a str>,
    /// Only this recorded shell (asciicast).
    pub session: Option<u64>,
}

/// Exports a journal; 0 when written, 2 when the journal is refused or the output fails.
pub fn export(runtime: &Runtime, req: &Request) -> i32 {
    if req.session.is_some() && req.format == ExportFormat::Jsonl {
        eprintln!(
            "error: --session picks one recorded shell for --format asciicast; a jsonl export holds every entry (limit it with --incident ID)"
        );
        return EXIT_INVALID;
    }
    if let Some(target) = req.output
        && let JournalLocation::File(file) = req.file
        && let Err(e) = output::check_target(file, target)
    {
        eprintln!("error: {e}");
        return EXIT_INVALID;
    }
    let assessed = match runtime.block_on(read_for_review(req.file, req.force)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    if let Integrity::TornTail(brk) = &assessed.integrity
        && !req.force
    {
        let intact = assessed.entries.len();
        eprintln!(
            "error: {}: the last entry is torn ({brk}); a crash in the middle of a write leaves a journal like this. The {intact} entries before it verify. Refusing to export an incomplete journal; pass --force to export those {intact} entries (the output says the last entry is torn)",
            shown(req.file)
        );
        return EXIT_INVALID;
    }
    let written = match req.output {
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            emit(&mut out, req, &assessed).and_then(|n| Ok(out.flush().map(|()| n)?))
        }
        Some(target) => output::atomically(target, |out| emit(out, req, &assessed)),
    };
    match written {
        Ok(count) => {
            report(req, &assessed, count);
            0
        }
        // A reader that stopped early (`| head`) is not an error of the export.
        Err(ExportError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_INVALID
        }
    }
}

fn emit<W: Write>(out: &mut W, req: &Request, assessed: &Assessed) -> Result<usize, ExportError> {
    let source = shown(req.file);
    match req.format {
        ExportFormat::Jsonl => jsonl::write(out, assessed, &source, req.incident),
        ExportFormat::Asciicast if let Some(session) = req.session => {
            let cast = shell_cast(&assessed.entries, session)?;
            out.write_all(cast.as_bytes())?;
            Ok(cast.lines().count().saturating_sub(1))
        }
        ExportFormat::Asciicast => {
            let no_color = crate::cli::no_color();
            let (theme, _) = Theme::load("dark", None, no_color);
            let replay = Replay::new(
                assessed.clone(),
                source.to_string(),
                current_operator(),
                theme,
                req.incident,
            )
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            let title = match req.incident {
                Some(id) => format!("{id} — {source}"),
                None => source.to_string(),
            };
            // Entries that change nothing on the screen add no frame: the count is of entries.
            let entries = replay.timeline.len().saturating_sub(replay.position.max(1)) + 1;
            let bar = Progress::on_stderr(entries as u64, "asciicast", "entries");
            write_cast(replay, &title, CAST_WIDTH, CAST_HEIGHT, out, |done, _| {
                bar.set(done as u64)
            })?;
            Ok(entries)
        }
    }
}

/// The cast's terminal size: the four panes with room for a CJK title.
const CAST_WIDTH: u16 = 150;
const CAST_HEIGHT: u16 = 45;

/// What was written, on standard error (standard output may be the export itself): always
/// when the journal was not intact, else only for `--output`.
fn report(req: &Request, assessed: &Assessed, count: usize) {
    let whole = match &assessed.integrity {
        Integrity::Intact => String::new(),
        Integrity::TornTail(brk) => {
            format!(" UNVERIFIED: the last entry is torn ({brk}) and left out; the output says so")
        }
        Integrity::Broken(brk) => format!(
            " UNVERIFIED: the chain is broken ({brk}); only the entries before the break were exported and the output says so"
        ),
    };
    let target = match req.output {
        Some(p) => p.display().to_string(),
        None if whole.is_empty() => return,
        None => "standard output".to_string(),
    };
    let level = if whole.is_empty() { "" } else { "warning: " };
    let what = match req.session {
        Some(n) => format!("shell {n} ({count} events)"),
        None => format!("{count} entries"),
    };
    eprintln!(
        "{level}exported {what} of {} to {target}.{whole}",
        shown(req.file)
    );
}
