//! Command-line interface: `cockpit`, `cockpit demo`, `cockpit check`, `cockpit replay`,
//! `cockpit report`, `cockpit stats`, `cockpit journal verify`, `cockpit journal export`.

mod check;
mod journal;
mod log_file;
mod replay;
mod report;
mod run;
mod shared_run;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Exit status for invalid input (bad files, broken journal).
pub const EXIT_INVALID: i32 = 2;

/// An incident cockpit for self-hosted fleets.
#[derive(Debug, Parser)]
#[command(name = "cockpit", version, about, long_about = None)]
pub struct Cli {
    /// Inventory file, or a config folder holding inventory.toml, playbooks/ and themes/
    /// [default: ~/.config/cockpit]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Incident journal file, or a shared journal `postgres://…`
    /// [default: ~/.local/state/cockpit/journal.db; demo: in its folder]
    #[arg(long, global = true, value_name = "FILE|URL")]
    pub journal: Option<PathBuf>,
    /// With a shared journal: this cockpit's local write-ahead journal
    /// [default: ~/.local/state/cockpit/shared/<store>.db]
    #[arg(long, global = true, value_name = "FILE")]
    pub local_journal: Option<PathBuf>,
    /// Colour theme: dark, light, high-contrast, or a name in the config folder's themes/
    #[arg(long, global = true, default_value = "dark")]
    pub theme: String,
    /// Your name on the record (shown as NAME@host). Without it: COCKPIT_OPERATOR, then
    /// SUDO_USER, then the login ($USER, $LOGNAME, the passwd entry); a shared root login on
    /// a shared journal is asked for a name at start.
    #[arg(long, global = true, value_name = "NAME")]
    pub operator: Option<String>,
    /// Your role: commander (everything), operator (everything but severity and resolve on
    /// incidents others opened), observer (read-only) [env: COCKPIT_ROLE; default: commander
    /// on a local journal, operator on a shared one]
    #[arg(long, global = true, value_name = "ROLE")]
    pub role: Option<String>,
    /// Log file [default: ~/.local/state/cockpit/cockpit.log]
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
    /// Quit after drawing the first frame (start-up benchmark).
    #[arg(long, hide = true, global = true)]
    pub exit_after_first_frame: bool,
    /// Panic after drawing the first frame (tests that a panic restores the terminal).
    #[arg(long, hide = true, global = true)]
    pub panic_after_first_frame: bool,
    /// What to do (default: open the cockpit on your inventory).
    #[command(subcommand)]
    pub command: Option<Commands>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Run the cockpit on a simulated fleet (no setup needed; also the drill mode).
    Demo {
        /// Keep the demo folder (fleet, logs, journal) after exit.
        #[arg(long)]
        keep: bool,
    },
    /// Validate inventory, playbook and theme files [default: your config].
    Check {
        /// Files or folders to check.
        paths: Vec<PathBuf>,
    },
    /// Play a journal back on the cockpit's screen, read-only, for the post-mortem.
    Replay {
        /// The journal file [default: --journal, else ~/.local/state/cockpit/journal.db].
        #[arg(value_name = "JOURNAL")]
        file: Option<PathBuf>,
        /// Replay a journal whose chain is broken (only the entries before the break; marked
        /// UNVERIFIED).
        #[arg(long)]
        force: bool,
        /// Start at this incident's opening [default: the journal's start].
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
    },
    /// Work with incident journals.
    Journal {
        /// Journal subcommand.
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Write the post-mortem of an incident from its journal (seed 002's incident report).
    Report {
        /// The journal file.
        #[arg(value_name = "JOURNAL")]
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: report::ReportFormat,
        /// Write to this file instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Use a journal whose hash chain is broken: only the entries before the break, and
        /// the report is marked UNVERIFIED.
        #[arg(long)]
        force: bool,
        /// The incident [default: the last one opened in the journal].
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
    },
    /// Count incidents and their detect, respond, mitigate and resolve times across journals.
    Stats {
        /// Journal files.
        #[arg(value_name = "JOURNAL", required = true)]
        files: Vec<PathBuf>,
        /// Use journals whose hash chain is broken (the entries before the break).
        #[arg(long)]
        force: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: report::StatsFormat,
    },
    /// A demo host's simulated tool (`mysql`, `systemctl`, `nginx`, `crontab`), called by the
    /// scripts `cockpit demo` puts on its hosts' PATH.
    #[command(name = "demo-shim", hide = true, disable_help_flag = true)]
    DemoShim {
        /// The tool and its arguments, passed on as they are.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// `cockpit journal …`
#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Check a journal's hash chain, sequence and head, and the SSH signatures of its heads;
    /// tell a crash's torn last entry from tampering. Exit status 0 intact (and, with
    /// --allowed-signers, signed to the end), 1 incomplete evidence (last entry torn by a crash,
    /// entries not covered by a signature, no sidecar), 2 changed, unreadable or badly signed.
    Verify {
        /// The journal file.
        file: PathBuf,
        /// Check the signatures of journal heads (in the journal and in its `.sigs` sidecar
        /// file) against this allowed-signers file (the `ssh-keygen -Y verify` format).
        #[arg(long, value_name = "FILE")]
        allowed_signers: Option<PathBuf>,
        /// A head hash recorded earlier (printed when an incident is resolved): require it to
        /// be the hash of an entry of the verified chain, so any later edit before it fails.
        /// At least 16 hex digits.
        #[arg(long, value_name = "HASH")]
        expect_head: Option<String>,
    },
    /// Export a verified journal for other tools (schema: docs/journal-jsonl.md).
    Export {
        /// The journal file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write to this file (atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Export the entries that verify even when the chain is broken or the last entry
        /// torn; the output says so.
        #[arg(long)]
        force: bool,
        /// Only this incident's entries (and the session and drill entries while it was open).
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
    },
}

/// What `cockpit journal export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per line: a header, then every entry (docs/journal-jsonl.md).
    Jsonl,
    /// An asciinema v2 cast of the replay: the four panes at each entry, at its time.
    Asciicast,
}

impl Cli {
    /// Whether `--journal` names a shared store (`postgres://…`) rather than a file.
    pub fn journal_is_shared(&self) -> bool {
        self.journal.as_ref().is_some_and(|j| {
            matches!(
                crate::io::shared::JournalLocation::parse(&j.to_string_lossy()),
                crate::io::shared::JournalLocation::Shared(_)
            )
        })
    }
}

/// Runs the command line; returns the process exit status.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match &cli.command {
        Some(Commands::Check { paths }) => check::run(&cli, paths),
        Some(Commands::Journal { command }) => journal::run(command),
        Some(Commands::Report {
            file,
            format,
            output,
            force,
            incident,
        }) => report::report(&report::ReportArgs {
            file: file.clone(),
            format: *format,
            output: output.clone(),
            force: *force,
            incident: incident.clone(),
        }),
        Some(Commands::Stats {
            files,
            force,
            format,
        }) => report::stats(files, *force, *format),
        Some(Commands::Demo { keep }) => run::demo(&cli, *keep),
        Some(Commands::Replay {
            file,
            force,
            incident,
        }) => {
            let file = file
                .clone()
                .or_else(|| cli.journal.clone())
                .unwrap_or_else(crate::io::paths::default_journal);
            replay::replay(&cli, &file, *force, incident.as_deref())
        }
        Some(Commands::DemoShim { args }) => crate::demo::run_shim(args),
        None => run::live(&cli),
    }
}

/// `NO_COLOR` set to anything but empty turns colour off (<https://no-color.org>).
pub(crate) fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// A single-threaded runtime for the commands that read a journal; prints why when there is
/// none (the error is the exit status).
pub(crate) fn journal_runtime() -> Result<tokio::runtime::Runtime, i32> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start: {e}");
            1
        })
}

/// Says on stderr when a journal read for review is not whole: a torn last entry is left out,
/// a broken chain was forced past.
pub(crate) fn warn_integrity(file: &std::path::Path, a: &crate::core::journal::Assessed) {
    use crate::core::journal::Integrity;
    match &a.integrity {
        Integrity::Intact => {}
        Integrity::TornTail(brk) => eprintln!(
            "note: {}: the last entry is torn ({brk}), as a crash mid-write leaves it; using the {} entries before it",
            file.display(),
            a.entries.len()
        ),
        Integrity::Broken(brk) => eprintln!(
            "warning: {}: UNVERIFIED: chain broken at {brk}; forced to use the {} entries before it",
            file.display(),
            a.entries.len()
        ),
    }
}

/// Where the user's files are: (inventory file, config folder).
pub fn config_paths(config: Option<&PathBuf>) -> (PathBuf, PathBuf) {
    match config {
        Some(p) if p.is_dir() => (p.join("inventory.toml"), p.clone()),
        Some(p) => (
            p.clone(),
            p.parent().map_or_else(|| PathBuf::from("."), PathBuf::from),
        ),
        None => (
            crate::io::paths::default_inventory(),
            crate::io::paths::config_dir(),
        ),
    }
}
