//! `cockpit completions SHELL` and `cockpit man`: shell completion scripts and manual pages,
//! generated from the same command-line definition that parses the arguments.

use crate::cli::Cli;
use clap::CommandFactory;
use std::io::Write;
use std::path::Path;

/// The shells `cockpit completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    /// GNU bash (bash-completion).
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
}

/// Help text shown after `cockpit completions --help`.
pub const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  cockpit completions bash > ~/.local/share/bash-completion/completions/cockpit
  cockpit completions zsh > ~/.zfunc/_cockpit     # with fpath+=~/.zfunc before compinit
  cockpit completions fish > ~/.config/fish/completions/cockpit.fish
  source <(cockpit completions bash)              # this shell only";

/// Help text shown after `cockpit man --help`.
pub const MAN_EXAMPLES: &str = "\
Examples:
  cockpit man | man -l -
  cockpit man > ~/.local/share/man/man1/cockpit.1
  cockpit man --dir ~/.local/share/man/man1      # also one page per command";

/// `cmd` without its hidden arguments and commands (the demo's tool shim, the test-only
/// flags): clap_complete offers everything it is given.
fn without_hidden(cmd: &clap::Command) -> clap::Command {
    let mut out = clap::Command::new(cmd.get_name().to_owned())
        .args(cmd.get_arguments().filter(|a| !a.is_hide_set()).cloned())
        .subcommands(
            cmd.get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(without_hidden),
        );
    if let Some(version) = cmd.get_version() {
        out = out.version(version.to_owned());
    }
    if let Some(about) = cmd.get_about() {
        out = out.about(about.clone());
    }
    if let Some(about) = cmd.get_long_about() {
        out = out.long_about(about.clone());
    }
    out
}

/// The completion script for `shell`, as bytes.
pub fn completion_script(shell: CompletionShell) -> Vec<u8> {
    let mut cmd = without_hidden(&Cli::command());
    let mut out = Vec::new();
    match shell {
        CompletionShell::Bash => {
            clap_complete::generate(clap_complete::Shell::Bash, &mut cmd, "cockpit", &mut out)
        }
        CompletionShell::Zsh => {
            clap_complete::generate(clap_complete::Shell::Zsh, &mut cmd, "cockpit", &mut out)
        }
        CompletionShell::Fish => {
            clap_complete::generate(clap_complete::Shell::Fish, &mut cmd, "cockpit", &mut out)
        }
    }
    out
}

/// Every visible command below `cmd`, depth first, each with its full name (`journal verify`).
fn visible_commands(cmd: &clap::Command, prefix: &str, out: &mut Vec<(String, clap::Command)>) {
    // clap's own `help` subcommand is left out: `cockpit help X` is `cockpit X --help`.
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("{prefix}{}", sub.get_name());
        out.push((name.clone(), sub.clone()));
        visible_commands(sub, &format!("{name} "), out);
    }
}

/// Escapes text for roff: backslashes and hyphens escaped, a line starting with `.` or `'`
/// (a roff request) guarded.
fn roff_text(text: &str) -> String {
    text.lines()
        .map(|line| {
            let escaped = line.replace('\\', "\\e").replace('-', "\\-");
            if escaped.starts_with('.') || escaped.starts_with('\'') {
                format!("\\&{escaped}")
            } else {
                escaped
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Spells every non-ASCII character as a roff escape (`…` as `\[u2026]`), so the page reads the
/// same whatever input encoding the formatter assumes.
fn ascii_roff(page: &[u8]) -> Vec<u8> {
    let mut out = String::new();
    for c in String::from_utf8_lossy(page).chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", u32::from(c)));
        }
    }
    out.into_bytes()
}

/// The FILES and ENVIRONMENT sections of `cockpit(1)` (src/io/paths.rs, src/cli/run.rs).
const FILES_AND_ENVIRONMENT: &str = r#".SH FILES
.TP
\fI~/.config/cockpit/inventory.toml\fR
The inventory: hosts, databases, settings (\fB$XDG_CONFIG_HOME\fR is used when set).
.TP
\fI~/.config/cockpit/playbooks/\fR, \fI~/.config/cockpit/themes/\fR
Your own playbooks and colour themes, beside the ones built into the binary.
.TP
\fI/etc/cockpit/\fR
The system-wide folder for shared bastions, read after your own: its \fIinventory.toml\fR serves
whoever has none; its \fIplaybooks/\fR and \fIthemes/\fR yield to yours of the same name.
.TP
\fI~/.local/state/cockpit/journal.db\fR
The incident journal (\fB$XDG_STATE_HOME\fR is used when set).
.TP
\fI~/.local/state/cockpit/cockpit.log\fR
The log file: a link to today's \fIcockpit.log.YYYY\-MM\-DD\fR (UTC); seven days are kept.
.TP
\fI~/.local/state/cockpit/sql\-history/\fR
The SQL console's statements, one file per database.
.SH ENVIRONMENT
.TP
\fBCOCKPIT_CONFIG\fR
The inventory file or config folder when \fB\-\-config\fR is not given.
.TP
\fBCOCKPIT_JOURNAL\fR
The journal file or \fIpostgres://\fR URL when \fB\-\-journal\fR is not given.
.TP
\fBCOCKPIT_SYSTEM_CONFIG_DIR\fR
An absolute path used instead of \fI/etc/cockpit\fR (for packagers and tests).
.TP
\fBCOCKPIT_OPERATOR\fR
Your name on the record when \fB\-\-operator\fR is not given.
.TP
\fBCOCKPIT_ROLE\fR
Your role when \fB\-\-role\fR is not given.
.TP
\fBCOCKPIT_LOG\fR
What the log file records, as a tracing filter (for example \fIcockpit=debug\fR).
.TP
\fBNO_COLOR\fR
Set to anything but empty: no colour.
.TP
\fBSSH_AUTH_SOCK\fR
The SSH agent, for keys and for signing journal heads.
.TP
\fBPGPASSWORD\fR
The shared journal's password when neither the URL nor the inventory's settings give one.
"#;

/// The `cockpit(1)` page: the top-level page clap_mangen renders, then a COMMANDS section
/// documenting every visible command (nested ones included) with its arguments, and SEE ALSO
/// naming the per-command pages that `cockpit man --dir` writes.
pub fn main_page() -> Result<Vec<u8>, std::io::Error> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    let mut commands = Vec::new();
    visible_commands(&cmd, "", &mut commands);
    writeln!(out, ".SH COMMANDS")?;
    for (name, sub) in &commands {
        writeln!(out, ".SS \"cockpit {}\"", roff_text(name))?;
        if let Some(about) = sub.get_long_about().or_else(|| sub.get_about()) {
            writeln!(out, "{}", roff_text(&about.to_string()))?;
        }
        for arg in sub
            .get_arguments()
            .filter(|a| !a.is_hide_set() && !a.is_global_set())
        {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            let label = match (arg.get_long(), arg.get_short()) {
                (Some(long), Some(short)) => format!("\\-{short}, \\-\\-{}", roff_text(long)),
                (Some(long), None) => format!("\\-\\-{}", roff_text(long)),
                (None, Some(short)) => format!("\\-{short}"),
                (None, None) => {
                    let names = arg
                        .get_value_names()
                        .and_then(|v| v.first())
                        .map_or_else(|| id.to_uppercase(), |v| v.to_string());
                    format!("<{}>", roff_text(&names))
                }
            };
            let takes_value = arg.get_action().takes_values();
            let value = match arg.get_value_names() {
                Some(names)
                    if takes_value && (arg.get_long().is_some() || arg.get_short().is_some()) =>
                {
                    names
                        .iter()
                        .map(|n| format!(" <{}>", roff_text(n)))
                        .collect::<String>()
                }
                _ => String::new(),
            };
            writeln!(out, ".TP\n{label}{value}")?;
            if let Some(help) = arg.get_long_help().or_else(|| arg.get_help()) {
                writeln!(out, "{}", roff_text(&help.to_string()))?;
            }
            let possible: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_owned())
                .collect();
            if takes_value && !possible.is_empty() {
                writeln!(
                    out,
                    "[possible values: {}]",
                    roff_text(&possible.join(", "))
                )?;
            }
            let defaults: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if takes_value && !defaults.is_empty() {
                writeln!(out, "[default: {}]", roff_text(&defaults.join(", ")))?;
            }
        }
        if let Some(after) = sub.get_after_long_help().or_else(|| sub.get_after_help()) {
            writeln!(out, ".PP\n.nf\n{}\n.fi", roff_text(&after.to_string()))?;
        }
    }
    out.extend_from_slice(FILES_AND_ENVIRONMENT.as_bytes());
    writeln!(out, ".SH \"SEE ALSO\"")?;
    let pages: Vec<String> = commands
        .iter()
        .map(|(name, _)| {
            format!(
                "\\fBcockpit\\-{}\\fR(1)",
                roff_text(&name.replace(' ', "-"))
            )
        })
        .collect();
    writeln!(out, "{}", pages.join(",\n.br\n"))?;
    Ok(ascii_roff(&out))
}

/// Writes `cockpit.1` and one page per visible command (`cockpit-journal-verify.1`, …) into
/// `dir`, creating it; returns the files written.
pub fn write_pages(dir: &Path) -> Result<Vec<std::path::PathBuf>, std::io::Error> {
    std::fs::create_dir_all(dir)?;
    let main = dir.join("cockpit.1");
    std::fs::write(&main, main_page()?)?;
    let mut written = vec![main];
    let mut cmd = Cli::command();
    cmd.build();
    let mut commands = Vec::new();
    visible_commands(&cmd, "", &mut commands);
    for (_, sub) in commands {
        let man = clap_mangen::Man::new(sub);
        let mut page = Vec::new();
        man.render(&mut page)?;
        let file = dir.join(man.get_filename());
        std::fs::write(&file, ascii_roff(&page))?;
        written.push(file);
    }
    Ok(written)
}

/// Writes bytes to standard output; a closed pipe or full disk is said, not a panic.
fn print(bytes: &[u8]) -> i32 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            1
        }
    }
}

/// `cockpit completions SHELL`: the script on standard output.
pub fn completions(shell: CompletionShell) -> i32 {
    print(&completion_script(shell))
}

/// `cockpit man [--dir DIR]`: the `cockpit(1)` page on standard output, or every page in DIR.
pub fn man(dir: Option<&Path>) -> i32 {
    match dir {
        None => match main_page() {
            Ok(page) => print(&page),
            Err(e) => {
                eprintln!("error: cannot render the manual page: {e}");
                1
            }
        },
        Some(dir) => match write_pages(dir) {
            Ok(files) => {
                for f in files {
                    println!("{}", f.display());
                }
                0
            }
            Err(e) => {
                eprintln!(
                    "error: cannot write the manual pages to {}: {e}",
                    dir.display()
                );
                1
            }
        },
    }
}
