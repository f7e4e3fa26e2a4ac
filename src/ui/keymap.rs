//! Key bindings: one table that both dispatch and the help overlay read, so they cannot drift.

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
        Self { bindings }
    }
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

    /// How the first key bound to `action` in `scope` is written (for hint lines).
    pub fn key_for(&self, scope: Scope, action: Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| b.scope == scope && b.action == action)
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
    if b.modifiers.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{base}")
    } else {
        base
    }
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
}
