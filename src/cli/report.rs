//! `cockpit report JOURNAL` (the post-mortem of one incident) and `cockpit stats JOURNAL…`
//! (figures across incidents).

use crate::cli::EXIT_INVALID;
use crate::core::journal::{Assessed, Integrity};
use crate::core::report::stats::{self, JournalOutcome};
use crate::core::report::{build, to_html, to_markdown};
use crate::io::shared::JournalLocation;
use crate::io::shared::review::{ReviewError, read_for_review, shown};
use clap::ValueEnum;
use std::path::PathBuf;

/// What `cockpit report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown (GitHub-flavoured).
    Md,
    /// One self-contained HTML file.
    Html,
}

/// What `cockpit stats` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    /// Plain-text tables.
    Table,
    /// JSON (durations in milliseconds).
    Json,
}

/// `cockpit report` options.
#[derive(Debug, Clone)]
pub struct ReportArgs {
    /// The journal.
    pub file: JournalLocation,
    /// Output format.
    pub format: ReportFormat,
    /// Write here instead of stdout.
    pub output: Option<PathBuf>,
    /// Use the verified part of a journal whose chain is broken.
    pub force: bool,
    /// The incident (default: the last one opened).
    pub incident: Option<String>,
}

/// Writes the post-mortem; 0 on success, 2 for an unusable journal or unknown incident.
pub fn report(args: &ReportArgs) -> i32 {
    let assessed = match read(&args.file, args.force) {
        Ok(a) => a,
        Err((code, _)) => return code,
    };
    let report = match build(
        &assessed,
        &display_name(&args.file),
        args.incident.as_deref(),
    ) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}: {e}", shown(&args.file));
            return EXIT_INVALID;
        }
    };
    crate::cli::warn_integrity(&args.file, &assessed);
    let text = match args.format {
        ReportFormat::Md => to_markdown(&report),
        ReportFormat::Html => to_html(&report),
    };
    match &args.output {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => {
                eprintln!(
                    "wrote the post-mortem of {} to {}",
                    report.incident.id,
                    path.display()
                );
                0
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                1
            }
        },
        None => {
            print!("{text}");
            0
        }
    }
}

/// Prints figures across the incidents of every journal given; 2 only when none is usable.
pub fn stats(files: &[JournalLocation], force: bool, format: StatsFormat) -> i32 {
    let mut outcomes = Vec::new();
    let mut all = Vec::new();
    for file in files {
        let name = shown(file);
        let result = match read(file, force) {
            Ok(assessed) => {
                crate::cli::warn_integrity(file, &assessed);
                let found = stats::figures(&assessed.entries, &name);
                let verdict = verdict(&assessed);
                let n = found.len();
                all.extend(found);
                Ok((verdict, n))
            }
            Err((_, why)) => Err(why),
        };
        outcomes.push(JournalOutcome { name, result });
    }
    if outcomes.iter().all(|o| o.result.is_err()) {
        eprintln!(
            "error: none of the {} journal(s) given could be used",
            outcomes.len()
        );
        return EXIT_INVALID;
    }
    let (incidents, duplicates) = stats::dedupe(all);
    let text = match format {
        StatsFormat::Table => stats::render_text(&outcomes, &incidents, &duplicates),
        StatsFormat::Json => stats::render_json(&outcomes, &incidents, &duplicates),
    };
    print!("{text}");
    0
}

/// Reads a journal for review, printing why it cannot be used; the error is its exit status
/// and a short reason for the stats table.
fn read(file: &JournalLocation, force: bool) -> Result<Assessed, (i32, String)> {
    let runtime =
        crate::cli::journal_runtime().map_err(|code| (code, "cannot start".to_string()))?;
    runtime.block_on(read_for_review(file, force)).map_err(|e| {
        eprintln!("error: {e}");
        (EXIT_INVALID, short_reason(&e))
    })
}

/// Why a journal was not used, short (the full message goes to stderr).
fn short_reason(e: &ReviewError) -> String {
    e.short()
}

fn verdict(a: &Assessed) -> String {
    match &a.integrity {
        Integrity::Intact => "verified".to_string(),
        Integrity::TornTail(_) => format!(
            "verified, torn last entry left out ({} of {} used)",
            a.entries.len(),
            a.stored
        ),
        Integrity::Broken(brk) => format!(
            "UNVERIFIED (forced): chain broken at {brk}; {} of {} used",
            a.entries.len(),
            a.stored
        ),
    }
}

/// The journal's file name (the path when it has none; a shared journal's URL).
fn display_name(file: &JournalLocation) -> String {
    match file {
        JournalLocation::File(file) => file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        JournalLocation::Shared(_) => shown(file),
    }
}
