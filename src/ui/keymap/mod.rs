//! Key bindings: one table that both dispatch and every help screen read, so they cannot drift.
//! The panes, the dialogs, the SQL editor and the replay each have their scope in it; nothing
//! else in the UI looks at a key's code (a test holds it so). The operator's `[keys]` table
//! replaces an action's default keys in that action's scopes; [`Keymap::with_remaps`] refuses
//! what would leave a key ambiguous (docs/keys.md).

mod defaults;
mod help;
pub mod palette;
#[cfg(test)]
mod palette_tests;
mod remap;
#[cfg(test)]
mod tests;
mod text;

pub use help::key_label;
pub use remap::{config_spelling, to_terminal};
pub use text::{TextEdit, text_edit};

use crate::ui::action::Action;
use crate::ui::pane::Pane;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everywhere.
    Global,
    /// Only while this pane has focus.
    Pane(Pane),
    /// In dialogs (confirmations, prompts, pickers, forms, details): the panes' keys do not
    /// apply while one is open. In a dialog with a text field, keys typing a character type.
    Dialog,
    /// In the SQL editor, around its own editing keys (keys typing a character type).
    Editor,
    /// In `cockpit replay`, before the keys that only move the view (see [`VIEW_ACTIONS`]).
    Replay,
}

/// Actions of the live table that only move the view: the replay passes them on to its panes
/// (nothing else of the live table works there).
pub const VIEW_ACTIONS: [Action; 16] = [
    Action::FocusNext,
    Action::FocusPrev,
    Action::FocusHosts,
    Action::FocusLogs,
    Action::FocusPlaybook,
    Action::FocusSql,
    Action::ToggleZoom,
    Action::Up,
    Action::Down,
    Action::PageUp,
    Action::PageDown,
    Action::Top,
    Action::Bottom,
    Action::NextDatabase,
    Action::CycleLogHosts,
    Action::ToggleFollow,
];

/// What a key does in the SQL editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorKey {
    /// The editor's own editing key (typing, moving, selecting…): the text area takes it.
    Edit,
    /// A cockpit action.
    Act(Action),
    /// Not the editor's: the panes' table decides (Ctrl-C quits when nothing runs).
    Pass,
}

impl Scope {
    /// How docs/keys.md and messages name it.
    pub fn describe(self) -> String {
        match self {
            Scope::Global => "everywhere".to_string(),
            Scope::Pane(p) => format!("{} pane", p.title()),
            Scope::Dialog => "dialogs".to_string(),
            Scope::Editor => "SQL editor".to_string(),
            Scope::Replay => "replay".to_string(),
        }
    }

    /// How a help screen heads its keys.
    pub fn heading(self) -> String {
        match self {
            Scope::Global => "Everywhere".to_string(),
            Scope::Pane(p) => format!("In the {} pane", p.title()),
            Scope::Dialog => "In dialogs".to_string(),
            Scope::Editor => "In the SQL editor".to_string(),
            Scope::Replay => "Replay".to_string(),
        }
    }
}

/// One key bound to an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Where it applies.
    pub scope: Scope,
    /// The key.
    pub code: KeyCode,
    /// Modifiers that must be held (Shift is implied by upper-case characters).
    pub modifiers: KeyModifiers,
    /// What it does.
    pub action: Action,
    /// The `[keys]` line it comes from (index into the remaps), none for a default.
    pub origin: Option<usize>,
}

impl Binding {
    fn same_key(&self, other: &Binding) -> bool {
        self.code == other.code && self.modifiers == other.modifiers
    }
}

/// The key table.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

/// The key is Ctrl-C: the way out, which never waits for the journal.
pub fn is_escape_hatch(event: &KeyEvent) -> bool {
    event.code == KeyCode::Char('c') && event.modifiers.contains(KeyModifiers::CONTROL)
}

/// The key types a character (no Ctrl or Alt held): text, where a text field has the keys.
pub fn types_char(event: &KeyEvent) -> bool {
    matches!(event.code, KeyCode::Char(_))
        && !event
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

impl Keymap {
    /// The action for a key in the focused pane (pane bindings win over global ones).
    pub fn action_for(&self, focus: Pane, event: &KeyEvent) -> Option<Action> {
        let mods = event.modifiers - KeyModifiers::SHIFT;
        let matches = |b: &&Binding| b.code == event.code && b.modifiers == mods;
        self.bindings
            .iter()
            .filter(|b| b.scope == Scope::Pane(focus))
            .find(matches)
            .or_else(|| {
                self.bindings
                    .iter()
                    .filter(|b| b.scope == Scope::Global)
                    .find(matches)
            })
            .map(|b| b.action)
    }

    /// The action bound to a key in `scope` alone (no other scope looked at).
    pub fn action_in(&self, scope: Scope, event: &KeyEvent) -> Option<Action> {
        let mods = event.modifiers - KeyModifiers::SHIFT;
        self.bindings
            .iter()
            .find(|b| b.scope == scope && b.code == event.code && b.modifiers == mods)
            .map(|b| b.action)
    }

    /// A dialog's action for a key. In a dialog with a text field (`typing`), a key that
    /// types a character is text, whatever it is bound to.
    pub fn dialog_action(&self, event: &KeyEvent, typing: bool) -> Option<Action> {
        if typing && types_char(event) {
            return None;
        }
        self.action_in(Scope::Dialog, event)
    }

    /// What a key does in the SQL editor: a key typing a character types; then the editor's
    /// own scope (leave, Ctrl-Enter runs); then the SQL pane's keys of `run-sql` and
    /// `sql-history`; Ctrl-C cancels a running statement (else quits, as everywhere); any
    /// other key is the editor's.
    pub fn editor_key(&self, event: &KeyEvent, running: bool) -> EditorKey {
        if types_char(event) {
            return EditorKey::Edit;
        }
        if let Some(action) = self.action_in(Scope::Editor, event) {
            return EditorKey::Act(action);
        }
        let pane = self
            .action_in(Scope::Pane(Pane::Sql), event)
            .filter(|a| matches!(a, Action::RunSql | Action::SqlHistory));
        if let Some(action) = pane {
            return EditorKey::Act(action);
        }
        match (is_escape_hatch(event), running) {
            (true, true) => EditorKey::Act(Action::CancelSql),
            (true, false) => EditorKey::Pass,
            _ => EditorKey::Edit,
        }
    }

    /// The replay's action for a key: its own scope first, then the live keys that only move
    /// the view ([`VIEW_ACTIONS`]) in the focused pane.
    pub fn replay_action(&self, focus: Pane, event: &KeyEvent) -> Option<Action> {
        self.action_in(Scope::Replay, event).or_else(|| {
            self.action_for(focus, event)
                .filter(|a| VIEW_ACTIONS.contains(a))
        })
    }
}
