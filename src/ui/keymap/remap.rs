//! The operator's `[keys]` table applied to the defaults, and what it refuses: unknown
//! actions, `quit` left without a key, `ctrl-c` taken, and keys made ambiguous.

use super::{Binding, Keymap, Scope, VIEW_ACTIONS};
use crate::core::diagnostic::{Diagnostic, Diagnostics};
use crate::core::inventory::shown_name;
use crate::core::keys::{KeyChord, KeyName, KeyRemap, closest, quoted};
use crate::ui::action::Action;
use crossterm::event::{KeyCode, KeyModifiers};

/// Ctrl-C always quits, whatever `[keys]` says: the way out can never be remapped away.
fn is_ctrl_c(b: &Binding) -> bool {
    b.code == KeyCode::Char('c') && b.modifiers == KeyModifiers::CONTROL
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
        let mut out = String::from(
            "| action | where | default keys | palette | what it does |\n|---|---|---|---|---|\n",
        );
        for action in Action::ALL {
            let scopes = defaults.scopes_of(action);
            let keys: Vec<String> = defaults
                .bindings
                .iter()
                .filter(|b| b.action == action)
                .map(|b| format!("`{}`", config_spelling(b)))
                .collect();
            let scopes: Vec<String> = scopes.iter().map(|s| s.describe()).collect();
            let palette = super::palette::verb_of(action).map_or(String::new(), |v| {
                if v.arg_hint.is_empty() {
                    format!("`:{}`", v.name)
                } else {
                    format!("`:{} [{}]`", v.name, v.arg_hint)
                }
            });
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                action.name(),
                scopes.join(", "),
                keys.join(" "),
                palette,
                action.describe().replace('|', "\\|")
            ));
        }
        out
    }
}
