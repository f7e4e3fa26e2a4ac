//! The default key table: every scope's keys as cockpit ships them (docs/keys.md).

use super::{Binding, Keymap, Scope};
use crate::ui::action::Action;
use crate::ui::pane::Pane;
use crossterm::event::{KeyCode, KeyModifiers};

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
            ch(Global, ':', OpenPalette),
            ctrl(Global, 't', SwitchTheme),
            ch(Global, 'q', Quit),
            ctrl(Global, 'c', Quit),
            ch(Global, 'o', OpenIncident),
            ch(Global, 'I', PickIncident),
            ch(Global, 'R', ResolveIncident),
            ch(Global, 'n', AddNote),
            ch(Global, 'B', BroadcastNote),
            ch(Global, 'S', ChangeSeverity),
            ch(Global, 'F', InjectFault),
            ch(Global, '+', AdvanceDrillClock),
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
        bindings.push(ch(Scope::Pane(Pane::Hosts), '!', AdhocCommand));
        bindings.push(ch(Scope::Pane(Pane::Hosts), 's', OpenShell));
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
