//! Command-line interface: `cockpit`, `cockpit demo`, `cockpit check`, `cockpit replay`,
//! `cockpit report`, `cockpit stats`, `cockpit journal verify`, `cockpit journal export`,
//! `cockpit completions`, `cockpit man`, `cockpit notify test`.

mod check;
mod examples;
mod generate;
mod init;
mod journal;
mod log_file;
mod log_rotation;
mod notify;
mod progress;
mod replay;
mod report;
mod run;
mod schema;
mod shared_run;

use crate::io::shared::JournalLocation;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Exit status for invalid input (bad files, broken journal).
pub const EXIT_INVALID: i32 = 2;

/// An incident cockpit for self-hosted fleets.
#[derive(Debug, Parser)]
#[command(name = "cockpit", version, about, long_about = None)]
#[command(after_help = examples::COCKPIT)]
pub struct Cli {
    /// Inventory file, or a config folder holding inventory.toml, playbooks/ and themes/
    /// [default: ~/.config/cockpit, then the system-wide /etc/cockpit]
    #[arg(long, global = true, value_name = "PATH", env = "COCKPIT_CONFIG")]
    pub config: Option<PathBuf>,
    /// Incident journal: a file, or a shared journal `postgres://user@host/db`
    /// [default: ~/.local/state/cockpit/journal.db; demo: in its folder]
    #[arg(long, global = true, value_name = "FILE|URL", env = "COCKPIT_JOURNAL")]
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
    /// Log file, rotated daily: FILE links to today's FILE.YYYY-MM-DD (UTC), the last 7 days
    /// are kept [default: ~/.local/state/cockpit/cockpit.log]
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
    #[command(after_help = examples::DEMO)]
    Demo {
        /// Keep the demo folder (fleet, logs, journal) after exit.
        #[arg(long)]
        keep: bool,
    },
    /// Write a first inventory, offering the hosts of ~/.ssh/config
    /// [default: ~/.config/cockpit/inventory.toml, or --config].
    #[command(after_help = init::EXAMPLES)]
    Init {
        /// Replace an inventory that is already there.
        #[arg(long)]
        force: bool,
    },
    /// Validate inventory, playbook and theme files [default: your config].
    #[command(after_help = examples::CHECK)]
    Check {
        /// Files or folders to check.
        paths: Vec<PathBuf>,
    },
    /// Play a journal back on the cockpit's screen, read-only, for the post-mortem.
    #[command(after_help = examples::REPLAY)]
    Replay {
        /// The journal file or `postgres://…` URL [default: --journal, else
        /// ~/.local/state/cockpit/journal.db].
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
    #[command(after_help = examples::JOURNAL)]
    Journal {
        /// Journal subcommand.
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Write the post-mortem of an incident from its journal.
    ///
    /// Overview, response and recovery times, timeline, actions taken, SQL changes, notes and
    /// follow-ups, computed from the journal alone.
    #[command(after_help = examples::REPORT)]
    Report {
        /// The journal file or `postgres://…` URL.
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
    #[command(after_help = examples::STATS)]
    Stats {
        /// Journal files or `postgres://…` URLs.
        #[arg(value_name = "JOURNAL", required = true)]
        files: Vec<PathBuf>,
        /// Use journals whose hash chain is broken (the entries before the break).
        #[arg(long)]
        force: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: report::StatsFormat,
    },
    /// Check that notification channels work: send a test message through one.
    #[command(after_help = notify::EXAMPLES)]
    Notify {
        /// Notify subcommand.
        #[command(subcommand)]
        command: notify::NotifyCommand,
    },
    /// Print a shell completion script (bash, zsh or fish) on standard output.
    #[command(after_help = generate::COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: generate::CompletionShell,
    },
    /// Print the manual page (roff) on standard output, or write every page into a folder.
    #[command(after_help = generate::MAN_EXAMPLES)]
    Man {
        /// Write cockpit.1 and one page per command (cockpit-check.1, …) into this folder
        /// instead, and list the files written.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// A demo host's simulated tool (`mysql`, `systemctl`, `nginx`, `crontab`), called by the
    /// scripts `cockpit demo` puts on its hosts' PATH.
    #[command(name = "demo-shim", hide = true, disable_help_flag = true)]
    DemoShim {
        /// The tool and its arguments, passed on as they are.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Print the JSON Schema of an inventory, playbook or theme file (docs/*.schema.json are
    /// this output; editors read them through a `#:schema` first line).
    #[command(
        hide = true,
        after_help = "Examples:\n  cockpit schema inventory > docs/inventory.schema.json\n  cockpit schema playbook > docs/playbook.schema.json\n  cockpit schema theme > docs/theme.schema.json"
    )]
    Schema {
        /// Which file's schema.
        #[arg(value_enum)]
        kind: schema::SchemaArg,
    },
}

/// `cockpit journal …`
#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Check a journal's hash chain, sequence and head, and the SSH signatures of its heads;
    /// tell a crash's torn last entry from tampering. Exit status 0 intact (and, with
    /// --allowed-signers, signed to the end), 1 incomplete evidence (last entry torn by a crash,
    /// entries not covered by a signature, no sidecar), 2 changed, unreadable or badly signed.
    #[command(after_help = examples::VERIFY)]
    Verify {
        /// The journal file, or a shared journal `postgres://…` (both its chains are checked:
        /// the shared one and each operator's own).
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
    #[command(after_help = examples::EXPORT)]
    Export {
        /// The journal file or `postgres://…` URL.
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
        /// With --format asciicast: only recorded shell N (the number its `shell_started`
        /// entry has; an unknown one lists the shells the journal holds), as its own screen
        /// and size, for asciinema play.
        #[arg(long, value_name = "N", conflicts_with = "incident")]
        session: Option<u64>,
    },
    /// Copy a local journal into a shared one (verified first; entries already there are
    /// left as they are, so running it again copies nothing twice).
    #[command(after_help = examples::IMPORT)]
    Import {
        /// The local journal file.
        file: PathBuf,
        /// The shared journal, `postgres://user@host/db`.
        #[arg(value_name = "URL")]
        target: PathBuf,
    },
}

/// What `cockpit journal export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per line: a header, then every entry (docs/journal-jsonl.md).
    Jsonl,
    /// An asciinema v2 cast of the replay: the four panes at each entry, at its time; with
    /// --session N, recorded shell N as its terminal showed it.
    Asciicast,
}

impl Cli {
    /// Whether `--journal` names a shared store (`postgres://…`) rather than a file.
    pub fn journal_is_shared(&self) -> bool {
        self.journal.as_ref().is_some_and(|j| {
            matches!(
                crate::io::shared::JournalLocation::parse(
                    &std::path::Path::new(j).to_string_lossy()
                ),
                crate::io::shared::JournalLocation::Shared(_)
            )
        })
    }
}

/// Runs the command line; returns the process exit status.
pub fn main() -> i32 {
    let cli = parse_cli();
    if cli.command.as_ref().is_some_and(Commands::only_prints) {
        stop_quietly_when_the_reader_goes();
    }
    match &cli.command {
        Some(Commands::Init { force }) => init::run(&cli, *force),
        Some(Commands::Check { paths }) => check::run(&cli, paths),
        Some(Commands::Journal { command }) => journal::run(&cli, command),
        Some(Commands::Report {
            file,
            format,
            output,
            force,
            incident,
        }) => report::report(&report::ReportArgs {
            file: locate(&cli, file),
            format: *format,
            output: output.clone(),
            force: *force,
            incident: incident.clone(),
        }),
        Some(Commands::Stats {
            files,
            force,
            format,
        }) => {
            let files: Vec<_> = files.iter().map(|f| locate(&cli, f)).collect();
            report::stats(&files, *force, *format)
        }
        Some(Commands::Demo { keep }) => run::demo(&cli, *keep),
        Some(Commands::Replay {
            file,
            force,
            incident,
        }) => {
            let given = file.clone().or_else(|| cli.journal.clone());
            let file = match given.as_ref() {
                Some(text) => locate(&cli, text),
                None => JournalLocation::File(crate::io::paths::default_journal()),
            };
            replay::replay(&cli, &file, *force, incident.as_deref())
        }
        Some(Commands::Notify { command }) => notify::run(&cli, command),
        Some(Commands::Completions { shell }) => generate::completions(*shell),
        Some(Commands::Man { dir }) => generate::man(dir.as_deref()),
        Some(Commands::DemoShim { args }) => crate::demo::run_shim(args),
        Some(Commands::Schema { kind }) => schema::print(*kind),
        None => run::live(&cli),
    }
}

impl Commands {
    /// A command that reads local files and prints, with no terminal UI, child process,
    /// socket or pipe of its own: its output is often piped into `head` or `less`. (The
    /// journal's commands, report and stats may talk to PostgreSQL, whose sockets must keep
    /// failing with an error rather than a signal.)
    fn only_prints(&self) -> bool {
        matches!(
            self,
            Commands::Check { .. }
                | Commands::Completions { .. }
                | Commands::Man { .. }
                | Commands::Schema { .. }
        )
    }
}

/// Lets a closed pipe end the process as it ends `cat` or `grep` (`cockpit check | head`),
/// instead of a panic on the next line printed: Rust ignores SIGPIPE by default, and only the
/// commands of [`Commands::only_prints`] may die of it.
fn stop_quietly_when_the_reader_goes() {
    // SAFETY: called first thing on the main thread, before any other thread exists;
    // `SIG_DFL` is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// The command line, with `COCKPIT_CONFIG` and `COCKPIT_JOURNAL` standing in for `--config`
/// and `--journal` when those are not given; an empty variable counts as unset.
fn parse_cli() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let mut command = Cli::command();
    for (arg, var) in [("config", "COCKPIT_CONFIG"), ("journal", "COCKPIT_JOURNAL")] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            command = command.mut_arg(arg, |a| a.env(None));
        }
    }
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
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
pub(crate) fn warn_integrity(file: &JournalLocation, a: &crate::core::journal::Assessed) {
    use crate::core::journal::Integrity;
    let shown = crate::io::shared::review::shown(file);
    match &a.integrity {
        Integrity::Intact => {}
        Integrity::TornTail(brk) => eprintln!(
            "note: {shown}: the last entry is torn ({brk}), as a crash mid-write leaves it; using the {} entries before it",
            a.entries.len()
        ),
        Integrity::Broken(brk) => eprintln!(
            "warning: {shown}: UNVERIFIED: chain broken at {brk}; forced to use the {} entries before it",
            a.entries.len()
        ),
    }
}

/// A journal argument: a file, or a shared journal (`postgres://…`) whose password, when the
/// URL has none, comes from the inventory's `[settings]` (`journal_password_env` or
/// `journal_password_file`) when they describe the same store; else PostgreSQL's own
/// `PGPASSWORD` or `~/.pgpass`.
pub(crate) fn locate(cli: &Cli, arg: &std::path::Path) -> JournalLocation {
    // A file name that is not UTF-8 stays the file it names.
    let Some(text) = arg.to_str() else {
        return JournalLocation::File(arg.to_path_buf());
    };
    match JournalLocation::parse(text) {
        JournalLocation::Shared(mut target) => {
            if target.secret().is_none() {
                target.password = settings_password(cli, &target);
            }
            JournalLocation::Shared(target)
        }
        JournalLocation::File(_) => JournalLocation::File(arg.to_path_buf()),
    }
}

/// The shared journal's password from the inventory's settings, when the inventory names the
/// same store and says where its password is.
fn settings_password(cli: &Cli, target: &crate::io::shared::SharedTarget) -> Option<String> {
    let (inventory, _) = config_paths(cli.config.as_ref());
    let settings = crate::io::catalog::load_inventory(&inventory)
        .ok()?
        .settings;
    let configured = settings.journal.as_deref().map(JournalLocation::parse)?;
    match configured {
        JournalLocation::Shared(c) if c.label() == target.label() => {
            match crate::io::shared::location::password_from(&settings.journal_password) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("warning: {e}");
                    None
                }
            }
        }
        _ => None,
    }
}

/// Where the user's files are: (inventory file in use, the user's config folder). Without
/// `--config`, the inventory is the user's own, else the system-wide one (see
/// [`crate::io::config_files`]).
pub fn config_paths(config: Option<&PathBuf>) -> (PathBuf, PathBuf) {
    let files = config_files(config);
    (files.inventory, files.user_dir)
}

/// The files a session or a check reads: the user's and the system-wide ones.
pub fn config_files(config: Option<&PathBuf>) -> crate::io::config_files::ConfigFiles {
    crate::io::config_files::ConfigFiles::locate(config.map(PathBuf::as_path))
}
