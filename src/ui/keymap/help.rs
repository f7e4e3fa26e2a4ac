//! What help screens and hint lines read from the key table: rows per action, the first key
//! of an action, how a key is written.

use super::{Binding, Keymap, Scope, VIEW_ACTIONS};
use crate::ui::action::Action;
use crate::ui::pane::Pane;
use crossterm::event::{KeyCode, KeyModifiers};

impl Keymap {
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
            .map(|(_, keys, action)| {
                let what = match action {
                    // The replay never asks: nothing there is left open.
                    Action::Quit => "quit",
                    other => other.describe(),
                };
                (keys, what.to_string())
            })
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
