//! The command palette's side of the key table: an action the palette offers has a command
//! name here (and the kind of argument it takes), its description is the help's
//! ([`Action::describe`]) and its key the key table's, so the help and the palette cannot
//! drift. Parsing and completion of a typed line are pure: the live names (hosts, playbooks,
//! themes) come in as [`Sources`].

use crate::core::inventory::shown_name;
use crate::core::severity::Severity;
use crate::ui::action::Action;

/// Longest line the palette takes, in characters (a note longer than this is a note prompt's).
pub const MAX_INPUT: usize = 1000;

/// Most candidates listed at once.
pub const MAX_CANDIDATES: usize = 50;

/// What a palette command's argument is, and where completion takes it from. Every argument
/// is optional: without it the command does what its key does (opens the dialog).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// Takes none.
    None,
    /// A host of the inventory.
    Host,
    /// A playbook id of the catalogue.
    Playbook,
    /// A severity, P0–P3.
    Severity,
    /// A theme name.
    Theme,
    /// Free text (a note, a path): never completed.
    Text,
    /// An off-script command line: its first word completes to a target (`role:NAME`,
    /// `tag:NAME`, `host:NAME`), the rest is free.
    CommandLine,
}

/// A command of the palette: an action of the key table under a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verb {
    /// What the operator types.
    pub name: &'static str,
    /// The action it runs: the one its key runs.
    pub action: Action,
    /// Its argument.
    pub arg: ArgKind,
    /// How the help writes the argument (`NAME`, `P0–P3`), empty when there is none.
    pub arg_hint: &'static str,
}

/// The palette's name for an action, if the palette offers it.
pub fn verb_of(action: Action) -> Option<Verb> {
    use Action::*;
    let (name, arg, arg_hint) = match action {
        FocusHosts => ("host", ArgKind::Host, "NAME"),
        FocusLogs => ("logs", ArgKind::None, ""),
        FocusPlaybook => ("steps", ArgKind::None, ""),
        FocusSql => ("sql", ArgKind::None, ""),
        ToggleZoom => ("zoom", ArgKind::None, ""),
        ToggleHelp => ("help", ArgKind::None, ""),
        SwitchTheme => ("theme", ArgKind::Theme, "NAME"),
        Quit => ("quit", ArgKind::None, ""),
        OpenIncident => ("playbook", ArgKind::Playbook, "ID"),
        PickIncident => ("incidents", ArgKind::None, ""),
        ResolveIncident => ("resolve", ArgKind::Text, "SUMMARY"),
        AddNote => ("note", ArgKind::Text, "TEXT"),
        BroadcastNote => ("broadcast", ArgKind::Text, "TEXT"),
        ChangeSeverity => ("severity", ArgKind::Severity, "P0–P3"),
        InjectFault => ("fault", ArgKind::None, ""),
        AdvanceDrillClock => ("advance", ArgKind::Text, "MINUTES"),
        Diagnose => ("diagnose", ArgKind::None, ""),
        AdhocCommand => ("run", ArgKind::CommandLine, "[role:NAME] COMMAND"),
        OpenShell => ("shell", ArgKind::Host, "[HOST]"),
        ToggleFollow => ("follow", ArgKind::None, ""),
        ExportCsv => ("export", ArgKind::Text, "PATH"),
        SqlHistory => ("history", ArgKind::None, ""),
        _ => return None,
    };
    Some(Verb {
        name,
        action,
        arg,
        arg_hint,
    })
}

/// Every palette command, in the help's order.
pub fn verbs() -> Vec<Verb> {
    Action::ALL.into_iter().filter_map(verb_of).collect()
}

/// The live names arguments are completed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// Hosts of the inventory, in its order.
    pub hosts: Vec<String>,
    /// Playbook ids of the catalogue.
    pub playbooks: Vec<String>,
    /// Theme names.
    pub themes: Vec<String>,
    /// Where an off-script command can be aimed: `role:NAME`, `tag:NAME`, `host:NAME`.
    pub targets: Vec<String>,
}

impl Sources {
    /// The names an argument of `kind` is one of (none for free text).
    pub fn names(&self, kind: ArgKind) -> Vec<String> {
        match kind {
            ArgKind::Host => self.hosts.clone(),
            ArgKind::Playbook => self.playbooks.clone(),
            ArgKind::Theme => self.themes.clone(),
            ArgKind::Severity => Severity::ALL.iter().map(|s| format!("{s:?}")).collect(),
            ArgKind::CommandLine => self.targets.clone(),
            ArgKind::None | ArgKind::Text => Vec::new(),
        }
    }
}

/// An argument checked against the live names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// None given.
    Nothing,
    /// The index of the named item in its source (hosts, playbooks, themes, severities).
    Index(usize),
    /// Free text.
    Text(String),
}

/// A line the palette can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The command.
    pub verb: Verb,
    /// Its argument.
    pub arg: Arg,
}

/// Why a typed line is refused, in the operator's words (nothing is done).
fn check_text(line: &str) -> Result<(), String> {
    if line.chars().count() > MAX_INPUT {
        return Err(format!(
            "the command is too long (over {MAX_INPUT} characters): nothing done"
        ));
    }
    if line.chars().any(char::is_control) {
        return Err("control characters are not taken in a command: nothing done".into());
    }
    Ok(())
}

/// The verb a word names: its exact name, else the one command it begins.
fn find_verb(word: &str, table: &[Verb]) -> Result<Verb, String> {
    if let Some(v) = table.iter().find(|v| v.name == word) {
        return Ok(*v);
    }
    let lower = word.to_lowercase();
    let starting: Vec<&Verb> = table
        .iter()
        .filter(|v| v.name.starts_with(&lower))
        .collect();
    match starting.as_slice() {
        [one] => Ok(**one),
        [] => Err(format!(
            "unknown command {}: Tab lists the commands; nothing done",
            shown_name(word)
        )),
        many => {
            let names: Vec<&str> = many.iter().map(|v| v.name).collect();
            Err(format!(
                "{} could be {}: type more; nothing done",
                shown_name(word),
                names.join(", ")
            ))
        }
    }
}

/// The verb and the rest of a line (trimmed), a leading `:` allowed.
fn split(line: &str) -> (&str, &str) {
    let line = line.trim_start().trim_start_matches(':').trim_start();
    match line.split_once(char::is_whitespace) {
        Some((verb, rest)) => (verb, rest.trim()),
        None => (line.trim_end(), ""),
    }
}

/// The item of `names` an argument names: exactly, else case-insensitively, else the one it
/// begins.
fn find_name(arg: &str, names: &[String]) -> Option<usize> {
    if let Some(i) = names.iter().position(|n| n == arg) {
        return Some(i);
    }
    let lower = arg.to_lowercase();
    if let Some(i) = names.iter().position(|n| n.to_lowercase() == lower) {
        return Some(i);
    }
    let starting: Vec<usize> = (0..names.len())
        .filter(|&i| names[i].to_lowercase().starts_with(&lower))
        .collect();
    match starting.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// What a source is called in a refusal.
fn source_name(kind: ArgKind) -> &'static str {
    match kind {
        ArgKind::Host => "host in the inventory",
        ArgKind::Playbook => "playbook",
        ArgKind::Theme => "theme",
        ArgKind::Severity => "severity (P0, P1, P2 or P3)",
        ArgKind::None | ArgKind::Text | ArgKind::CommandLine => "argument",
    }
}

/// Parses a typed line: `Ok(None)` for an empty one; a refusal says why and what to do.
pub fn parse(line: &str, table: &[Verb], sources: &Sources) -> Result<Option<Parsed>, String> {
    check_text(line)?;
    let (word, rest) = split(line);
    if word.is_empty() {
        return Ok(None);
    }
    let verb = find_verb(word, table)?;
    let arg = match (verb.arg, rest) {
        (_, "") => Arg::Nothing,
        (ArgKind::None, _) => {
            return Err(format!("`{}` takes no argument: nothing done", verb.name));
        }
        (ArgKind::Text | ArgKind::CommandLine, text) => Arg::Text(text.to_string()),
        (kind, name) => match find_name(name, &sources.names(kind)) {
            Some(i) => Arg::Index(i),
            None => {
                return Err(format!(
                    "no {} named {}: Tab lists them; nothing done",
                    source_name(kind),
                    shown_name(name)
                ));
            }
        },
    };
    Ok(Some(Parsed { verb, arg }))
}

/// A completion of the typed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The whole line once completed.
    pub line: String,
    /// What the list shows first (a command with its argument's hint, or a name).
    pub label: String,
    /// What it does (a command's description), empty for a name.
    pub detail: String,
    /// The command's action (its key is shown beside it), none for a name.
    pub action: Option<Action>,
}

/// `word` matched against `name` as an operator of k9s expects: 0 when `name` begins with
/// it, 1 when its letters come in order in `name` (fuzzy), none otherwise; case ignored.
fn rank(word: &str, name: &str) -> Option<u8> {
    let word = word.to_lowercase();
    let name = name.to_lowercase();
    if name.starts_with(&word) {
        return Some(0);
    }
    let mut letters = name.chars();
    word.chars().all(|c| letters.any(|n| n == c)).then_some(1)
}

/// Names matching `word`, those it begins first, each group in the source's order.
fn matching<'a>(word: &str, names: impl Iterator<Item = &'a str> + Clone) -> Vec<&'a str> {
    let mut out: Vec<&str> = names.clone().filter(|n| rank(word, n) == Some(0)).collect();
    out.extend(names.filter(|n| rank(word, n) == Some(1)));
    out.truncate(MAX_CANDIDATES);
    out
}

/// The completions of a typed line: commands while the first word is typed, then the
/// argument's names from the live state (none for free text, none for hostile input).
pub fn candidates(line: &str, table: &[Verb], sources: &Sources) -> Vec<Candidate> {
    if check_text(line).is_err() {
        return Vec::new();
    }
    let trimmed = line.trim_start().trim_start_matches(':').trim_start();
    let typing_verb = !trimmed.contains(char::is_whitespace);
    if typing_verb {
        return matching(trimmed, table.iter().map(|v| v.name))
            .into_iter()
            .filter_map(|name| table.iter().find(|v| v.name == name))
            .map(|v| Candidate {
                line: if v.arg == ArgKind::None {
                    v.name.to_string()
                } else {
                    format!("{} ", v.name)
                },
                label: if v.arg_hint.is_empty() {
                    v.name.to_string()
                } else {
                    format!("{} {}", v.name, v.arg_hint)
                },
                detail: v.action.describe().to_string(),
                action: Some(v.action),
            })
            .collect();
    }
    let (word, rest) = split(trimmed);
    let Ok(verb) = find_verb(word, table) else {
        return Vec::new();
    };
    // A command line completes its first word only (the target), and leaves room for the rest.
    let (after, word) = match verb.arg {
        ArgKind::CommandLine if rest.contains(char::is_whitespace) => return Vec::new(),
        ArgKind::CommandLine => (" ", rest),
        _ => ("", rest),
    };
    let names = sources.names(verb.arg);
    matching(word, names.iter().map(String::as_str))
        .into_iter()
        .map(|name| Candidate {
            line: format!("{} {name}{after}", verb.name),
            label: name.to_string(),
            detail: String::new(),
            action: None,
        })
        .collect()
}
