//! Dialogs drawn over the panes: help, forms, prompts, pickers, confirmations.

use crate::core::run::{AdhocPlan, Plan};
use crate::core::secret::Secret;
use crate::core::severity::Severity;
use crate::io::ssh::HostKeyOffer;
use crate::ui::keymap::{TextEdit, text_edit};
use crossterm::event::KeyEvent;
use std::path::PathBuf;

/// A one-line text field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    /// The text.
    pub text: String,
    /// Cursor position in characters.
    pub cursor: usize,
}

impl LineInput {
    /// A field holding `text`, the cursor at its end.
    pub fn with_text(text: impl Into<String>) -> Self {
        let text = text.into();
        let cursor = text.chars().count();
        Self { text, cursor }
    }

    /// Inserts text (one line, no control characters) at the cursor; true: the field took it.
    pub fn insert_str(&mut self, text: &str) -> bool {
        let at = self
            .text
            .char_indices()
            .nth(self.cursor)
            .map_or(self.text.len(), |(b, _)| b);
        self.text.insert_str(at, text);
        self.cursor += text.chars().count();
        true
    }

    /// Edits the field with a key; returns false when the key is not an edit.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        let byte = |s: &str, i: usize| s.char_indices().nth(i).map_or(s.len(), |(b, _)| b);
        match text_edit(key) {
            Some(TextEdit::Clear) => {
                self.text.clear();
                self.cursor = 0;
            }
            Some(TextEdit::Insert(c)) => {
                let at = byte(&self.text, self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            Some(TextEdit::Backspace) if self.cursor > 0 => {
                self.cursor -= 1;
                let at = byte(&self.text, self.cursor);
                self.text.remove(at);
            }
            Some(TextEdit::Delete) if self.cursor < self.text.chars().count() => {
                let at = byte(&self.text, self.cursor);
                self.text.remove(at);
            }
            Some(TextEdit::Left) => self.cursor = self.cursor.saturating_sub(1),
            Some(TextEdit::Right) => self.cursor = (self.cursor + 1).min(self.text.chars().count()),
            Some(TextEdit::Home) => self.cursor = 0,
            Some(TextEdit::End) => self.cursor = self.text.chars().count(),
            _ => return false,
        }
        true
    }
}

/// Which field of the open-incident form has focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// The playbook list.
    Playbook,
    /// The severity.
    Severity,
    /// The title.
    Title,
}

/// The open-incident form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenForm {
    /// Index into the app's playbooks.
    pub playbook: usize,
    /// Chosen severity (starts at the playbook's).
    pub severity: Severity,
    /// Title typed by the operator (empty = the playbook's title).
    pub title: LineInput,
    /// Focused field.
    pub field: FormField,
}

/// What a text prompt is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    /// A note for the journal.
    Note,
    /// Drill only: minutes to move the incident clock ahead.
    AdvanceClock,
    /// A note for the journal that is also sent to the incident's notification channels.
    Broadcast,
    /// The reason for skipping this step.
    SkipReason(String),
    /// The closing summary of the incident.
    ResolveSummary,
    /// A value for a playbook variable, then the step that needs it runs.
    Variable {
        /// The variable.
        name: String,
        /// Typed hidden and journaled masked.
        secret: bool,
        /// The step waiting for it.
        step: String,
    },
    /// A remark on a step, for the journal.
    Annotation(String),
    /// Where to write this database's result as CSV.
    ExportCsv(String),
}

impl PromptKind {
    /// The dialog title.
    pub fn title(&self) -> String {
        match self {
            PromptKind::Note => "Add a note to the journal".to_string(),
            PromptKind::AdvanceClock => {
                "Drill: move the clock ahead by how many minutes? (e.g. 15, 90, 2h)".to_string()
            }
            PromptKind::Broadcast => {
                "Broadcast a note: journaled and sent to the incident's channels".to_string()
            }
            PromptKind::SkipReason(step) => format!("Why skip step `{step}`?"),
            PromptKind::ResolveSummary => "Resolve the incident: summary".to_string(),
            PromptKind::Variable {
                name,
                step,
                secret: true,
            } => format!("Step `{step}` needs `{name}` (secret, not shown)"),
            PromptKind::Variable { name, step, .. } => {
                format!("Step `{step}` needs `{name}`: its value")
            }
            PromptKind::Annotation(step) => format!("A remark on step `{step}`"),
            PromptKind::ExportCsv(database) => {
                format!("Export the result of `{database}` as CSV to")
            }
        }
    }
}

/// What a Logs-pane prompt sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogPromptKind {
    /// The include filter.
    Include,
    /// The exclude filter.
    Exclude,
    /// The search.
    Search,
}

impl LogPromptKind {
    /// The dialog title.
    pub fn title(self) -> &'static str {
        match self {
            LogPromptKind::Include => "Logs: show only lines matching (regex)",
            LogPromptKind::Exclude => "Logs: hide lines matching (regex)",
            LogPromptKind::Search => "Logs: search (regex)",
        }
    }
}

/// A regular expression for the Logs pane, with why the last attempt was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogPrompt {
    /// What it sets.
    pub kind: LogPromptKind,
    /// The pattern typed (starts with the current one).
    pub input: LineInput,
    /// The error of the last Enter, shown in the dialog.
    pub error: Option<String>,
}

/// A dialog over the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// Key bindings.
    Help,
    /// Open an incident.
    OpenIncident(OpenForm),
    /// Pick the incident to work on (index into `App::open_incidents`).
    IncidentPicker(usize),
    /// Quit while an incident is open?
    ConfirmQuit,
    /// Tick done by hand a step whose `when` conditions do not hold?
    ConfirmTickWaiting {
        /// The step's id.
        step: String,
        /// Why it waits, one condition each (`mq-2 is up; needs degraded`).
        reasons: Vec<String>,
    },
    /// Ask for a line of text.
    Prompt(PromptKind, LineInput),
    /// Pick a severity (index into `Severity::ALL`).
    SeverityPicker(usize),
    /// Pick a drill host (index into the drill's hosts).
    FaultPicker(usize),
    /// Details of a host (index into the grid).
    HostDetail(usize),
    /// A long text to read (a diagnose report), scrolled by lines.
    Report {
        /// The dialog title.
        title: String,
        /// The text.
        text: String,
        /// Lines scrolled past.
        scroll: u16,
    },
    /// A filter or search pattern for the Logs pane.
    LogPrompt(LogPrompt),
    /// Trust a host key known_hosts does not hold?
    TrustHostKey {
        /// The inventory host.
        host: String,
        /// The key offered.
        offer: HostKeyOffer,
    },
    /// Type the passphrase of an encrypted key (never shown, never journaled).
    Passphrase(PassphrasePrompt),
    /// Confirm a guarded step before it runs.
    ConfirmStep(ConfirmStep),
    /// Type an off-script command; the latest one's output shows under it.
    Adhoc(AdhocPrompt),
    /// Confirm a dangerous off-script command before it runs (the guarded step's dialog).
    ConfirmAdhoc(ConfirmAdhoc),
    /// Commit or roll back the open transaction of this database.
    SqlDecision(String),
    /// The open transaction changed every row of a table: its commit needs the database's
    /// name typed.
    SqlCommitTyped(SqlCommitTyped),
    /// A dangerous statement: type the database's name to run it.
    SqlDanger(SqlDanger),
    /// Search a database's statement history.
    SqlHistory(SqlHistoryPick),
    /// The command palette (`:`).
    Palette(PalettePrompt),
}

/// The command palette: the line typed, the candidate ↑/↓ chose, why the last Enter did
/// nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PalettePrompt {
    /// The line typed (`severity P1`).
    pub input: LineInput,
    /// The candidate chosen with ↑/↓ (index into the completions), none before.
    pub selected: Option<usize>,
    /// Why the last Enter did nothing, shown in the palette.
    pub error: Option<String>,
}

/// A statement the guards hold back until the operator types the database's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlDanger {
    /// The statement asked for.
    pub request: Box<crate::ui::console::SqlRequest>,
    /// Why it is dangerous (`UPDATE without WHERE`, ``contains `drop table` ``).
    pub reasons: Vec<String>,
    /// What is typed so far.
    pub input: LineInput,
}

/// The typed confirmation of a commit that changes every row of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlCommitTyped {
    /// The database whose transaction it is.
    pub database: String,
    /// What is typed so far.
    pub input: LineInput,
}

/// The history search dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlHistoryPick {
    /// Whose history.
    pub database: String,
    /// Words every match contains.
    pub query: LineInput,
    /// Index into the matches, newest first.
    pub selected: usize,
}

/// The confirmation a guarded step needs: `y`, or the target's name typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmStep {
    /// The planned run.
    pub plan: Box<Plan>,
    /// What is typed so far.
    pub input: LineInput,
}

/// The off-script command prompt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdhocPrompt {
    /// The line typed: a command, optionally after `role:NAME`, `tag:NAME` or `host:NAME`.
    pub input: LineInput,
    /// The history entry ↑/↓ recalled (index, oldest first), if any.
    pub recall: Option<usize>,
    /// What was typed before the history was recalled, given back past its newest entry.
    pub draft: String,
}

/// The typed confirmation a dangerous off-script command needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmAdhoc {
    /// The planned command.
    pub plan: Box<AdhocPlan>,
    /// What is typed so far.
    pub input: LineInput,
}

/// The passphrase dialog of one key file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassphrasePrompt {
    /// The key file.
    pub key: PathBuf,
    /// Hosts waiting for it.
    pub hosts: Vec<String>,
    /// The last passphrase given did not open the key.
    pub wrong: bool,
    /// What is typed so far.
    pub typed: Secret,
}

impl PassphrasePrompt {
    /// Adds pasted text (one line) to the hidden text.
    pub fn paste(&mut self, text: &str) {
        let mut typed = self.typed.expose().to_string();
        typed.push_str(text);
        self.typed = Secret::new(typed);
    }

    /// Edits the hidden text: characters, Backspace and Ctrl-U; false for other keys.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        let mut text = self.typed.expose().to_string();
        match text_edit(key) {
            Some(TextEdit::Clear) => text.clear(),
            Some(TextEdit::Insert(c)) => text.push(c),
            Some(TextEdit::Backspace) => {
                text.pop();
            }
            _ => return false,
        }
        self.typed = Secret::new(text);
        true
    }
}
