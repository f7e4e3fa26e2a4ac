//! Key bindings: one table that both dispatch and every help screen read, so they cannot drift.
//! The panes, the dialogs, the SQL editor and the replay each have their scope in it; nothing
//! else in the UI looks at a key's code (a test holds it so). The operator's `[keys]` table
//! replaces an action's default keys in that action's scopes; [`Keymap::with_remaps`] refuses
//! what would leave a key ambiguous (docs/keys.md).

mod text;
pub use text::{TextEdit, text_edit};

use crate::core::diagnostic::{Diagnostic, Diagnostics};
use crate::core::inventory::shown_name;
use crate::core::keys::{KeyChord, KeyName, KeyRemap, closest, quoted};
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

fn key(scope: Scope, code: KeyCode, action: Action) -> Binding {
    Binding {
        scope,
        code,
        modifiers: KeyModifiers::NONE,
        action,
        origin: None,
    }
}

fn ch(scope: Scope, c: char, action: Action) -> Binding {
    key(scope, KeyCode::Char(c), action)
}

fn ctrl(scope: Scope, c: char, action: Action) -> Binding {
    Binding {
        modifiers: KeyModifiers::CONTROL,
        ..ch(scope, c, action)
    }
}

/// Ctrl-C always quits, whatever `[keys]` says: the way out can never be remapped away.
fn is_ctrl_c(b: &Binding) -> bool {
    b.code == KeyCode::Char('c') && b.modifiers == KeyModifiers::CONTROL
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

/// The terminal key a `[keys]` chord stands for.
pub fn to_terminal(chord: KeyChord) -> (KeyCode, KeyModifiers) {
    let code = match chord.key {
        KeyName::Char(c) => KeyCode::Char(c),
        KeyName::F(n) => KeyCode::F(n),
        KeyName::Enter => KeyCode::Enter,
        KeyName::Tab => KeyCode::Tab,
        KeyName::BackTab => KeyCode::BackTab,
        KeyName::Esc => KeyCode::Esc,
        KeyName::Backspace => KeyCode::Backspace,
        KeyName::Delete => KeyCode::Delete,
        KeyName::Insert => KeyCode::Insert,
        KeyName::Home => KeyCode::Home,
        KeyName::End => KeyCode::End,
        KeyName::PageUp => KeyCode::PageUp,
        KeyName::PageDown => KeyCode::PageDown,
        KeyName::Up => KeyCode::Up,
        KeyName::Down => KeyCode::Down,
        KeyName::Left => KeyCode::Left,
        KeyName::Right => KeyCode::Right,
    };
    let mut modifiers = KeyModifiers::NONE;
    if chord.ctrl {
        modifiers |= KeyModifiers::CONTROL;
    }
    if chord.alt {
        modifiers |= KeyModifiers::ALT;
    }
    (code, modifiers)
}

/// How the `[keys]` table writes a binding's key (`ctrl-f`, `F5`, `shift-tab`).
pub fn config_spelling(b: &Binding) -> String {
    let key = match b.code {
        KeyCode::Char(c) => KeyName::Char(c),
        KeyCode::F(n) => KeyName::F(n),
        KeyCode::Enter => KeyName::Enter,
        KeyCode::Tab => KeyName::Tab,
        KeyCode::BackTab => KeyName::BackTab,
        KeyCode::Esc => KeyName::Esc,
        KeyCode::Backspace => KeyName::Backspace,
        KeyCode::Delete => KeyName::Delete,
        KeyCode::Insert => KeyName::Insert,
        KeyCode::Home => KeyName::Home,
        KeyCode::End => KeyName::End,
        KeyCode::PageUp => KeyName::PageUp,
        KeyCode::PageDown => KeyName::PageDown,
        KeyCode::Up => KeyName::Up,
        KeyCode::Down => KeyName::Down,
        KeyCode::Left => KeyName::Left,
        KeyCode::Right => KeyName::Right,
        other => return format!("{other:?}"),
    };
    KeyChord {
        key,
        ctrl: b.modifiers.contains(KeyModifiers::CONTROL),
        alt: b.modifiers.contains(KeyModifiers::ALT),
    }
    .to_string()
}

impl Default for Keymap {
    fn default() -> Self {
        use Action::*;
        use Scope::Global;
        let mut bindings = vec![
            key(Global, KeyCode::Tab, FocusNext),
            key(Global, KeyCode::BackTab, FocusPrev),
            ch(Global, '1', FocusHosts),
            ch(Global, '2', FocusLogs),
            ch(Global, '3', FocusPlaybook),
            ch(Global, '4', FocusSql),
            ch(Global, 'z', ToggleZoom),
            ch(Global, '?', ToggleHelp),
            ch(Global, 'q', Quit),
            ctrl(Global, 'c', Quit),
            ch(Global, 'o', OpenIncident),
            ch(Global, 'I', PickIncident),
            ch(Global, 'R', ResolveIncident),
            ch(Global, 'n', AddNote),
            ch(Global, 'S', ChangeSeverity),
            ch(Global, 'F', InjectFault),
            key(Global, KeyCode::Up, Up),
            ch(Global, 'k', Up),
            key(Global, KeyCode::Down, Down),
            ch(Global, 'j', Down),
            key(Global, KeyCode::PageUp, PageUp),
            key(Global, KeyCode::PageDown, PageDown),
            key(Global, KeyCode::Home, Top),
            ch(Global, 'g', Top),
            key(Global, KeyCode::End, Bottom),
            ch(Global, 'G', Bottom),
            key(Global, KeyCode::Enter, Select),
        ];
        let playbook = Scope::Pane(Pane::Playbook);
        bindings.push(key(playbook, KeyCode::Enter, RunNextStep));
        bindings.push(ch(playbook, ' ', TickStep));
        bindings.push(ch(playbook, 'x', TickStep));
        bindings.push(ch(playbook, 'u', ReopenStep));
        bindings.push(ch(playbook, 's', SkipStep));
        bindings.push(ch(playbook, 'r', RunStep));
        bindings.push(ch(playbook, 'a', AnnotateStep));
        bindings.push(ch(Scope::Pane(Pane::Hosts), 'd', Diagnose));
        bindings.push(ch(Scope::Pane(Pane::Hosts), 't', AnswerAccess));
        let logs = Scope::Pane(Pane::Logs);
        bindings.extend([
            ch(logs, 'f', ToggleFollow),
            ch(logs, 'h', CycleLogHosts),
            ch(logs, '/', FilterInclude),
            ch(logs, '\\', FilterExclude),
            ctrl(logs, 'f', SearchLogs),
            ch(logs, ']', SearchNewer),
            ch(logs, '[', SearchOlder),
            ch(logs, 'p', PinLine),
        ]);
        let sql = Scope::Pane(Pane::Sql);
        bindings.extend([
            key(sql, KeyCode::Enter, EditSql),
            ch(sql, 'e', EditSql),
            ch(sql, 'i', EditSql),
            key(sql, KeyCode::F(5), RunSql),
            ctrl(sql, 'e', RunSql),
            ch(sql, 'x', CancelSql),
            ch(sql, 'c', DecideSql),
            ch(sql, 'd', NextDatabase),
            ch(sql, 'E', ExportCsv),
            ctrl(sql, 'r', SqlHistory),
            key(sql, KeyCode::Left, ScrollLeft),
            ch(sql, 'h', ScrollLeft),
            key(sql, KeyCode::Right, ScrollRight),
            ch(sql, 'l', ScrollRight),
        ]);
        bindings.extend(dialog_defaults());
        bindings.extend([
            key(Scope::Editor, KeyCode::Esc, LeaveEditor),
            Binding {
                modifiers: KeyModifiers::CONTROL,
                ..key(Scope::Editor, KeyCode::Enter, RunSql)
            },
        ]);
        bindings.extend(replay_defaults());
        Self { bindings }
    }
}

/// Keys of every dialog; each dialog acts on those it has a use for.
fn dialog_defaults() -> Vec<Binding> {
    use Action::*;
    let d = Scope::Dialog;
    vec![
        key(d, KeyCode::Enter, Confirm),
        key(d, KeyCode::Esc, Cancel),
        ch(d, 'q', Close),
        ch(d, 'y', AnswerYes),
        ch(d, 'Y', AnswerYes),
        ch(d, 'n', AnswerNo),
        ch(d, 'c', Commit),
        ch(d, 'r', RollBack),
        key(d, KeyCode::Up, Up),
        ch(d, 'k', Up),
        key(d, KeyCode::Down, Down),
        ch(d, 'j', Down),
        key(d, KeyCode::PageUp, PageUp),
        key(d, KeyCode::PageDown, PageDown),
        key(d, KeyCode::Home, Top),
        ch(d, 'g', Top),
        key(d, KeyCode::End, Bottom),
        ch(d, 'G', Bottom),
        key(d, KeyCode::Left, PreviousChoice),
        ch(d, 'h', PreviousChoice),
        key(d, KeyCode::Right, NextChoice),
        ch(d, 'l', NextChoice),
        key(d, KeyCode::Tab, NextField),
        key(d, KeyCode::BackTab, PreviousField),
    ]
}

/// Keys of `cockpit replay`: playback, stepping, markers, search and jumps.
fn replay_defaults() -> Vec<Binding> {
    use Action::*;
    let r = Scope::Replay;
    vec![
        ch(r, 'q', Quit),
        key(r, KeyCode::Esc, Quit),
        ctrl(r, 'c', Quit),
        ch(r, '?', ToggleHelp),
        ch(r, ' ', PlayPause),
        ch(r, '+', Faster),
        ch(r, '=', Faster),
        ch(r, '>', Faster),
        ch(r, '-', Slower),
        ch(r, '<', Slower),
        ch(r, 'i', SkipIdle),
        ch(r, '.', NextEntry),
        key(r, KeyCode::Right, NextEntry),
        ch(r, ',', PreviousEntry),
        key(r, KeyCode::Left, PreviousEntry),
        ch(r, ']', NextMarker),
        ch(r, '[', PreviousMarker),
        key(r, KeyCode::Home, ToStart),
        key(r, KeyCode::End, ToEnd),
        ch(r, '/', SearchJournal),
        ch(r, 'n', SearchNext),
        ch(r, 'N', SearchPrevious),
        ch(r, 't', JumpToTime),
        key(r, KeyCode::Enter, JumpToStep),
    ]
}

impl Keymap {
    /// The default table with the operator's `[keys]` lines applied: each names an action and
    /// replaces its default keys in that action's scope. Refused, each problem located: an
    /// unknown action (the closest name suggested), `quit` left without a key, `ctrl-c` taken
    /// (it always quits), two actions on one key in one scope, and a pane key hiding a global
    /// one where the defaults do not already do so.
    pub fn with_remaps(remaps: &[KeyRemap]) -> Result<Keymap, Diagnostics> {
        let defaults = Keymap::default();
        let mut bindings = defaults.bindings.clone();
        let mut found = Vec::new();
        let names = || Action::ALL.iter().map(|a| a.name());
        for (index, remap) in remaps.iter().enumerate() {
            let here = |message: String, expected: Option<String>| Diagnostic {
                path: remap.path.clone(),
                line: remap.at.0,
                column: remap.at.1,
                message,
                expected,
            };
            let Some(action) = Action::from_name(&remap.action) else {
                let hint = closest(&remap.action, names())
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                found.push(here(
                    format!("[keys]: unknown action {}{hint}", shown_name(&remap.action)),
                    Some(
                        "an action name from docs/keys.md, e.g. `run-step`, `focus-hosts`, `quit`"
                            .into(),
                    ),
                ));
                continue;
            };
            if action == Action::Quit && remap.keys.is_empty() && remap.refused == 0 {
                found.push(here(
                    "[keys]: `quit` cannot be left without a key (ctrl-c quits as well, always)"
                        .into(),
                    Some("at least one key for `quit`, e.g. quit = \"q\"".into()),
                ));
                continue;
            }
            let scopes: Vec<Scope> = defaults.scopes_of(action);
            // The new keys take the place of the old ones, so the help keeps its order.
            let place = |bindings: &[Binding], scope: Scope| {
                bindings
                    .iter()
                    .position(|b| b.action == action && b.scope == scope)
                    .or_else(|| bindings.iter().rposition(|b| b.scope == scope))
                    .map_or(bindings.len(), |at| at + 1)
            };
            let places: Vec<(Scope, usize)> = scopes
                .iter()
                .map(|&scope| {
                    let before = bindings
                        .iter()
                        .position(|b| b.action == action && b.scope == scope);
                    (scope, before.unwrap_or_else(|| place(&bindings, scope)))
                })
                .collect();
            let mut kept = Vec::with_capacity(bindings.len());
            let mut insert_at: Vec<(Scope, usize)> = Vec::new();
            for (i, b) in bindings.drain(..).enumerate() {
                if let Some(&(scope, _)) = places.iter().find(|(_, at)| *at == i) {
                    insert_at.push((scope, kept.len()));
                }
                if b.action != action || (action == Action::Quit && is_ctrl_c(&b)) {
                    kept.push(b);
                }
            }
            for &(scope, _) in &places {
                if !insert_at.iter().any(|(s, _)| *s == scope) {
                    insert_at.push((scope, kept.len()));
                }
            }
            bindings = kept;
            // Later insertions first, so earlier positions stay right.
            insert_at.sort_by_key(|place| std::cmp::Reverse(place.1));
            for (scope, at) in insert_at {
                let mut fresh = Vec::new();
                for (_, chord) in &remap.keys {
                    let (code, modifiers) = to_terminal(*chord);
                    let b = Binding {
                        scope,
                        code,
                        modifiers,
                        action,
                        origin: Some(index),
                    };
                    if is_ctrl_c(&b) {
                        if action != Action::Quit {
                            found.push(here(
                                format!("[keys] `{}`: ctrl-c always quits; it cannot be given to another action", action.name()),
                                Some("another key".into()),
                            ));
                        }
                        continue;
                    }
                    let twice = fresh.iter().any(|o: &Binding| {
                        o.scope == scope && o.action == action && o.same_key(&b)
                    });
                    if !twice {
                        fresh.push(b);
                    }
                }
                let at = at.min(bindings.len());
                bindings.splice(at..at, fresh);
            }
        }
        let map = Keymap { bindings };
        found.extend(map.clashes(&defaults, remaps));
        if found.is_empty() {
            Ok(map)
        } else {
            Err(Diagnostics::sorted(found))
        }
    }

    /// The scopes an action's default keys are in (where a remap puts its new keys).
    fn scopes_of(&self, action: Action) -> Vec<Scope> {
        let mut scopes = Vec::new();
        for b in self.bindings.iter().filter(|b| b.action == action) {
            if !scopes.contains(&b.scope) {
                scopes.push(b.scope);
            }
        }
        if scopes.is_empty() {
            scopes.push(Scope::Global);
        }
        scopes
    }

    /// Keys the remaps made ambiguous: two actions on one key in one scope, or a pane key
    /// hiding a global one (a pair the defaults have on purpose, such as Enter running the next
    /// step in the Playbook pane, stays allowed).
    fn clashes(&self, defaults: &Keymap, remaps: &[KeyRemap]) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        let at = |b: &Binding, other: &Binding, message: String| {
            let remap = b.origin.or(other.origin).and_then(|i| remaps.get(i))?;
            Some(Diagnostic {
                path: remap.path.clone(),
                line: remap.at.0,
                column: remap.at.1,
                message,
                expected: Some(
                    "another key, or remap the other action too (docs/keys.md: clashes)".into(),
                ),
            })
        };
        for (i, a) in self.bindings.iter().enumerate() {
            for b in &self.bindings[i + 1..] {
                if (a.origin.is_none() && b.origin.is_none())
                    || !a.same_key(b)
                    || a.action == b.action
                {
                    continue;
                }
                let (later, earlier) = if b.origin >= a.origin { (b, a) } else { (a, b) };
                let key = quoted(&config_spelling(a));
                if a.scope == b.scope {
                    found.extend(at(
                        later,
                        earlier,
                        format!(
                            "[keys]: {key} is both `{}` and `{}` ({})",
                            earlier.action.name(),
                            later.action.name(),
                            a.scope.describe()
                        ),
                    ));
                    continue;
                }
                // Pane keys are looked up before the global ones, and the replay's before
                // the live keys that move its view: the first of a pair hides the second.
                let view = |x: &Binding| VIEW_ACTIONS.contains(&x.action);
                let (hiding, hidden) = match (a.scope, b.scope) {
                    (Scope::Pane(_), Scope::Global) => (a, b),
                    (Scope::Global, Scope::Pane(_)) => (b, a),
                    (Scope::Replay, Scope::Global | Scope::Pane(_)) if view(b) => (a, b),
                    (Scope::Global | Scope::Pane(_), Scope::Replay) if view(a) => (b, a),
                    _ => continue,
                };
                let on_purpose = defaults.bindings.iter().any(|d| {
                    d.scope == hiding.scope && d.action == hiding.action && d.same_key(hiding)
                }) && defaults.bindings.iter().any(|d| {
                    d.scope == hidden.scope && d.action == hidden.action && d.same_key(hidden)
                });
                if !on_purpose {
                    found.extend(at(
                        hiding,
                        hidden,
                        format!(
                            "[keys]: {key} is `{}` in the {} and would hide `{}` ({}) there",
                            hiding.action.name(),
                            hiding.scope.describe(),
                            hidden.action.name(),
                            hidden.scope.describe()
                        ),
                    ));
                }
            }
        }
        found
    }

    /// The markdown table of every action, its scope and default keys (docs/keys.md).
    pub fn docs_table() -> String {
        let defaults = Keymap::default();
        let mut out =
            String::from("| action | where | default keys | what it does |\n|---|---|---|---|\n");
        for action in Action::ALL {
            let scopes = defaults.scopes_of(action);
            let keys: Vec<String> = defaults
                .bindings
                .iter()
                .filter(|b| b.action == action)
                .map(|b| format!("`{}`", config_spelling(b)))
                .collect();
            let scopes: Vec<String> = scopes.iter().map(|s| s.describe()).collect();
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                action.name(),
                scopes.join(", "),
                keys.join(" "),
                action.describe().replace('|', "\\|")
            ));
        }
        out
    }

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

    /// The SQL pane's keys of `run-sql` that type no character, as the empty editor names
    /// them (`F5 or Ctrl-E`; `[keys] run-sql` when there is none).
    pub fn editor_run_keys(&self) -> String {
        let keys: Vec<String> = self
            .bindings
            .iter()
            .filter(|b| b.action == Action::RunSql && b.scope == Scope::Pane(Pane::Sql))
            .filter(|b| {
                !matches!(b.code, KeyCode::Char(_))
                    || b.modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
            })
            .map(|b| match b.code {
                // Written as the editor's own hint always wrote it: `Ctrl-E`.
                KeyCode::Char(c) if b.modifiers == KeyModifiers::CONTROL => {
                    format!("Ctrl-{}", c.to_ascii_uppercase())
                }
                _ => key_label(b),
            })
            .collect();
        if keys.is_empty() {
            "[keys] run-sql".to_string()
        } else {
            keys.join(" or ")
        }
    }

    /// The replay's help, one row per action: its own keys, then the live keys that move its
    /// view (those its own keys do not hide), focus and movement folded into a row each.
    pub fn replay_help(&self) -> Vec<(String, String)> {
        let mut rows: Vec<(String, String)> = self
            .help_rows()
            .into_iter()
            .filter(|(scope, _, _)| *scope == Scope::Replay)
            .map(|(_, keys, action)| (keys, action.describe().to_string()))
            .collect();
        let hidden = |b: &Binding| {
            self.bindings
                .iter()
                .any(|r| r.scope == Scope::Replay && r.same_key(b))
        };
        let view_keys = |scope: Scope, actions: &[Action]| -> String {
            let mut out: Vec<String> = Vec::new();
            for action in actions {
                for b in self
                    .bindings
                    .iter()
                    .filter(|b| b.scope == scope && b.action == *action && !hidden(b))
                {
                    out.push(key_label(b));
                }
            }
            out.join(" ")
        };
        use Action::*;
        let groups: [(&[Action], &str); 2] = [
            (
                &[
                    FocusNext,
                    FocusPrev,
                    FocusHosts,
                    FocusLogs,
                    FocusPlaybook,
                    FocusSql,
                    ToggleZoom,
                ],
                "focus and zoom panes",
            ),
            (
                &[Up, Down, PageUp, PageDown, Top, Bottom],
                "move in the focused pane",
            ),
        ];
        for (actions, what) in groups {
            let keys = view_keys(Scope::Global, actions);
            if !keys.is_empty() {
                rows.push((keys, what.to_string()));
            }
        }
        for action in VIEW_ACTIONS {
            for pane in Pane::ALL {
                let keys = view_keys(Scope::Pane(pane), &[action]);
                if !keys.is_empty() {
                    rows.push((keys, format!("{} ({})", action.describe(), pane.title())));
                }
            }
        }
        rows
    }

    /// The first keys of `actions` in `scope`, joined by `/` (`+/-`), for hint lines; none
    /// when an action has no key there.
    pub fn keys_for(&self, scope: Scope, actions: &[Action]) -> Option<String> {
        let keys: Option<Vec<String>> = actions.iter().map(|a| self.key_for(scope, *a)).collect();
        keys.map(|k| k.join("/"))
    }

    /// How the first key bound to `action` in `scope` is written (for hint lines).
    pub fn key_for(&self, scope: Scope, action: Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| b.scope == scope && b.action == action)
            .map(key_label)
    }

    /// How the first key bound to `action` is written, wherever it applies.
    pub fn label_of(&self, action: Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .map(key_label)
    }

    /// Every binding, in table order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// Help rows: keys joined per action and scope, in table order.
    pub fn help_rows(&self) -> Vec<(Scope, String, Action)> {
        let mut rows: Vec<(Scope, String, Action)> = Vec::new();
        for b in &self.bindings {
            let label = key_label(b);
            match rows
                .iter_mut()
                .find(|(s, _, a)| *s == b.scope && *a == b.action)
            {
                Some(row) => {
                    row.1.push_str(" / ");
                    row.1.push_str(&label);
                }
                None => rows.push((b.scope, label, b.action)),
            }
        }
        rows
    }
}

/// How a key is written in the help overlay.
pub fn key_label(b: &Binding) -> String {
    let base = match b.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Tab => "Tab".to_string(),
        KeyCode::BackTab => "Shift-Tab".to_string(),
        KeyCode::Up => "↑".to_string(),
        KeyCode::Down => "↓".to_string(),
        KeyCode::PageUp => "PgUp".to_string(),
        KeyCode::PageDown => "PgDn".to_string(),
        KeyCode::Home => "Home".to_string(),
        KeyCode::End => "End".to_string(),
        KeyCode::Enter => "Enter".to_string(),
        KeyCode::Esc => "Esc".to_string(),
        KeyCode::Left => "←".to_string(),
        KeyCode::Right => "→".to_string(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    let alt = if b.modifiers.contains(KeyModifiers::ALT) {
        "Alt-"
    } else {
        ""
    };
    let ctrl = if b.modifiers.contains(KeyModifiers::CONTROL) {
        "Ctrl-"
    } else {
        ""
    };
    format!("{ctrl}{alt}{base}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pane_bindings_win_and_shift_is_implied() {
        let km = Keymap::default();
        let space = KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE);
        assert_eq!(
            km.action_for(Pane::Playbook, &space),
            Some(Action::TickStep)
        );
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(
            km.action_for(Pane::Playbook, &enter),
            Some(Action::RunNextStep)
        );
        assert_eq!(km.action_for(Pane::Hosts, &enter), Some(Action::Select));
        assert_eq!(km.action_for(Pane::Hosts, &space), None);
        let big_r = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT);
        assert_eq!(
            km.action_for(Pane::Hosts, &big_r),
            Some(Action::ResolveIncident)
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(km.action_for(Pane::Sql, &ctrl_c), Some(Action::Quit));
    }

    #[test]
    fn log_keys_do_not_shadow_global_ones() {
        let km = Keymap::default();
        let logs = Scope::Pane(Pane::Logs);
        for b in km.bindings().iter().filter(|b| b.scope == logs) {
            let shadowed = km.bindings().iter().find(|g| {
                g.scope == Scope::Global && g.code == b.code && g.modifiers == b.modifiers
            });
            assert!(shadowed.is_none(), "{b:?} hides {shadowed:?}");
        }
        let ctrl_f = KeyEvent::new(KeyCode::Char('f'), KeyModifiers::CONTROL);
        assert_eq!(km.action_for(Pane::Logs, &ctrl_f), Some(Action::SearchLogs));
        assert_eq!(
            km.key_for(logs, Action::SearchLogs).as_deref(),
            Some("Ctrl-f")
        );
        let backslash = KeyEvent::new(KeyCode::Char('\\'), KeyModifiers::NONE);
        assert_eq!(
            km.action_for(Pane::Logs, &backslash),
            Some(Action::FilterExclude)
        );
        assert_eq!(km.action_for(Pane::Hosts, &backslash), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        let km = Keymap::default();
        for (i, a) in km.bindings().iter().enumerate() {
            for b in &km.bindings()[i + 1..] {
                assert!(
                    !(a.scope == b.scope && a.code == b.code && a.modifiers == b.modifiers),
                    "{a:?} / {b:?}"
                );
            }
        }
    }

    use crate::core::diagnostic::SourceFile;
    use crate::core::inventory::parse_keys;

    fn remapped(toml: &str) -> Result<Keymap, String> {
        let src = SourceFile::new("inventory.toml", toml);
        let keys = parse_keys(&src).map_err(|d| d.to_string())?;
        Keymap::with_remaps(&keys.remaps).map_err(|d| d.to_string())
    }

    fn press(km: &Keymap, focus: Pane, code: KeyCode, modifiers: KeyModifiers) -> Option<Action> {
        km.action_for(focus, &KeyEvent::new(code, modifiers))
    }

    #[test]
    fn a_remapped_action_keeps_its_place_in_the_help() {
        let km = match remapped("[keys]\ntoggle-help = \"F1\"\nskip-step = [\"F8\", \"F9\"]\n") {
            Ok(km) => km,
            Err(e) => panic!("{e}"),
        };
        let order = |km: &Keymap| -> Vec<(Scope, Action)> {
            km.help_rows().into_iter().map(|(s, _, a)| (s, a)).collect()
        };
        assert_eq!(order(&km), order(&Keymap::default()));
        let help = km
            .help_rows()
            .into_iter()
            .find(|(_, _, a)| *a == Action::ToggleHelp)
            .map(|(_, keys, _)| keys);
        assert_eq!(help.as_deref(), Some("F1"));
    }

    #[test]
    fn a_remap_replaces_the_default_keys_in_the_action_scope() {
        let km =
            match remapped("[keys]\nrun-step = \"F6\"\nfocus-hosts = [\"alt-h\", \"ctrl-up\"]\n") {
                Ok(km) => km,
                Err(e) => panic!("{e}"),
            };
        let none = KeyModifiers::NONE;
        assert_eq!(
            press(&km, Pane::Playbook, KeyCode::F(6), none),
            Some(Action::RunStep)
        );
        assert_eq!(press(&km, Pane::Playbook, KeyCode::Char('r'), none), None);
        assert_eq!(
            press(&km, Pane::Hosts, KeyCode::F(6), none),
            None,
            "scope kept"
        );
        assert_eq!(
            press(&km, Pane::Sql, KeyCode::Char('h'), KeyModifiers::ALT),
            Some(Action::FocusHosts)
        );
        assert_eq!(
            press(&km, Pane::Logs, KeyCode::Up, KeyModifiers::CONTROL),
            Some(Action::FocusHosts)
        );
        assert_eq!(press(&km, Pane::Logs, KeyCode::Char('1'), none), None);
        assert_eq!(
            km.key_for(Scope::Pane(Pane::Playbook), Action::RunStep)
                .as_deref(),
            Some("F6")
        );
        let help = km.help_rows();
        assert!(
            help.iter()
                .any(|(_, keys, a)| *a == Action::FocusHosts && keys == "Alt-h / Ctrl-↑")
        );
    }

    #[test]
    fn quit_keeps_ctrl_c_and_cannot_be_unbound() {
        let km = match remapped("[keys]\nquit = \"ctrl-q\"\n") {
            Ok(km) => km,
            Err(e) => panic!("{e}"),
        };
        let ctrl = KeyModifiers::CONTROL;
        assert_eq!(
            press(&km, Pane::Hosts, KeyCode::Char('q'), ctrl),
            Some(Action::Quit)
        );
        assert_eq!(
            press(&km, Pane::Hosts, KeyCode::Char('c'), ctrl),
            Some(Action::Quit)
        );
        assert_eq!(
            press(&km, Pane::Hosts, KeyCode::Char('q'), KeyModifiers::NONE),
            None
        );
        let said = remapped("[keys]\nquit = []\n").err().unwrap_or_default();
        assert!(
            said.contains("inventory.toml:2:1")
                && said.contains("`quit` cannot be left without a key"),
            "{said}"
        );
        let said = remapped("[keys]\nadd-note = \"ctrl-c\"\n")
            .err()
            .unwrap_or_default();
        assert!(said.contains("ctrl-c always quits"), "{said}");
        assert!(remapped("[keys]\nquit = [\"q\", \"ctrl-c\"]\n").is_ok());
    }

    #[test]
    fn an_unknown_action_is_located_and_the_closest_name_suggested() {
        let said = remapped("[keys]\nquit = \"q\"\n  run-stpe = \"F5\"\n")
            .err()
            .unwrap_or_default();
        assert!(said.contains("inventory.toml:3:3"), "{said}");
        assert!(
            said.contains("unknown action `run-stpe` (did you mean `run-step`?)"),
            "{said}"
        );
        let said = remapped("[keys]\n\"\\u001b[2J\" = \"q\"\n")
            .err()
            .unwrap_or_default();
        assert!(
            said.contains("unknown action") && !said.contains('\u{1b}'),
            "{said:?}"
        );
        let said = remapped(&format!("[keys]\n{} = \"q\"\n", "x".repeat(5000)))
            .err()
            .unwrap_or_default();
        assert!(said.len() < 400, "{said}");
    }

    #[test]
    fn unreadable_keys_are_located() {
        let said = remapped("[keys]\nrun-step = [\"F5\", \"ctrl-ctrl-x\"]\nquit = 5\n")
            .err()
            .unwrap_or_default();
        assert!(said.contains("inventory.toml:"), "{said}");
        for bad in ["", "ctrl-", "ctrl-ctrl-x", "\\u0007", "主应用", "hyper-q"] {
            let toml = format!("[keys]\nrun-step = \"{bad}\"\n");
            let said = remapped(&toml).err().unwrap_or_default();
            assert!(said.starts_with("inventory.toml:2:"), "{bad:?}: {said}");
        }
    }

    #[test]
    fn two_actions_on_one_key_in_one_scope_clash() {
        let said = remapped("[keys]\nadd-note = \"o\"\n")
            .err()
            .unwrap_or_default();
        assert!(
            said.contains("\"o\" is both `open-incident` and `add-note` (everywhere)"),
            "{said}"
        );
        let said = remapped("[keys]\nrun-step = \"x\"\n")
            .err()
            .unwrap_or_default();
        assert!(said.contains("`tick-step` and `run-step`"), "{said}");
        // Moving both apart is fine.
        assert!(remapped("[keys]\nadd-note = \"o\"\nopen-incident = \"O\"\n").is_ok());
        // Swapping two keys is fine.
        assert!(remapped("[keys]\ntick-step = \"r\"\nrun-step = [\"x\", \"space\"]\n").is_ok());
    }

    #[test]
    fn a_pane_key_hiding_a_remapped_global_one_is_refused() {
        let said = remapped("[keys]\nadd-note = \"a\"\n")
            .err()
            .unwrap_or_default();
        assert!(
            said.contains("\"a\" is `annotate-step` in the Playbook pane and would hide `add-note` (everywhere) there"),
            "{said}"
        );
        let said = remapped("[keys]\npin-line = \"q\"\n")
            .err()
            .unwrap_or_default();
        assert!(said.contains("would hide `quit`"), "{said}");
        // The defaults' own overlap (Enter runs the next step in the Playbook pane) stays.
        assert!(remapped("[keys]\nselect = \"enter\"\n").is_ok());
        // Different panes may share a key.
        assert!(remapped("[keys]\ndiagnose = \"f\"\n").is_ok());
    }

    #[test]
    fn docs_keys_md_lists_every_action_with_its_default_keys() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/keys.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        let table = Keymap::docs_table();
        assert!(
            doc.contains(&table),
            "docs/keys.md is out of date: put this table between its markers\n\n{table}"
        );
        for action in Action::ALL {
            assert!(doc.contains(&format!("| `{}` |", action.name())));
        }
    }
}
