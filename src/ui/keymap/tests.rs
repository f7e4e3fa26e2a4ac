//! The key table's own tests: lookups, remaps and their refusals, docs/keys.md.

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
        let shadowed = km
            .bindings()
            .iter()
            .find(|g| g.scope == Scope::Global && g.code == b.code && g.modifiers == b.modifiers);
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
    let km = match remapped("[keys]\nrun-step = \"F6\"\nfocus-hosts = [\"alt-h\", \"ctrl-up\"]\n") {
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
        said.contains("inventory.toml:2:1") && said.contains("`quit` cannot be left without a key"),
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

fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

#[test]
fn dialog_keys_are_actions_and_text_fields_take_the_typing_keys() {
    let km = Keymap::default();
    let none = KeyModifiers::NONE;
    let dialog = |code, typing| km.dialog_action(&ev(code, none), typing);
    assert_eq!(dialog(KeyCode::Enter, false), Some(Action::Confirm));
    assert_eq!(dialog(KeyCode::Esc, true), Some(Action::Cancel));
    assert_eq!(dialog(KeyCode::Char('q'), false), Some(Action::Close));
    assert_eq!(dialog(KeyCode::Char('j'), false), Some(Action::Down));
    assert_eq!(dialog(KeyCode::Up, true), Some(Action::Up));
    assert_eq!(dialog(KeyCode::Tab, true), Some(Action::NextField));
    assert_eq!(dialog(KeyCode::Char('l'), false), Some(Action::NextChoice));
    // In a text field, `j` and `y` are letters.
    assert_eq!(dialog(KeyCode::Char('j'), true), None);
    assert_eq!(dialog(KeyCode::Char('y'), true), None);
    let big_y = km.dialog_action(&ev(KeyCode::Char('Y'), KeyModifiers::SHIFT), false);
    assert_eq!(big_y, Some(Action::AnswerYes));
    assert_eq!(dialog(KeyCode::Char('c'), false), Some(Action::Commit));
    assert_eq!(dialog(KeyCode::Char('r'), false), Some(Action::RollBack));
    // The panes' keys are not the dialogs'.
    assert_eq!(dialog(KeyCode::Char('o'), false), None);
}

#[test]
fn the_editor_types_characters_and_routes_its_own_keys() {
    let km = Keymap::default();
    let none = KeyModifiers::NONE;
    let ctrl = KeyModifiers::CONTROL;
    let editor = |code, modifiers, running| km.editor_key(&ev(code, modifiers), running);
    assert_eq!(
        editor(KeyCode::Esc, none, false),
        EditorKey::Act(Action::LeaveEditor)
    );
    assert_eq!(
        editor(KeyCode::Enter, ctrl, false),
        EditorKey::Act(Action::RunSql)
    );
    // The SQL pane's run and history keys work there, unless they type.
    assert_eq!(
        editor(KeyCode::F(5), none, false),
        EditorKey::Act(Action::RunSql)
    );
    assert_eq!(
        editor(KeyCode::Char('e'), ctrl, false),
        EditorKey::Act(Action::RunSql)
    );
    assert_eq!(
        editor(KeyCode::Char('r'), ctrl, false),
        EditorKey::Act(Action::SqlHistory)
    );
    assert_eq!(editor(KeyCode::Char('x'), none, false), EditorKey::Edit);
    assert_eq!(editor(KeyCode::Enter, none, false), EditorKey::Edit);
    assert_eq!(editor(KeyCode::Left, none, false), EditorKey::Edit);
    // Ctrl-C cancels a running statement, and quits (the panes' table) otherwise.
    assert_eq!(
        editor(KeyCode::Char('c'), ctrl, true),
        EditorKey::Act(Action::CancelSql)
    );
    assert_eq!(editor(KeyCode::Char('c'), ctrl, false), EditorKey::Pass);
}

#[test]
fn replay_keys_come_first_then_the_keys_that_move_the_view() {
    let km = Keymap::default();
    let none = KeyModifiers::NONE;
    let replay = |focus, code| km.replay_action(focus, &ev(code, none));
    assert_eq!(
        replay(Pane::Hosts, KeyCode::Char(' ')),
        Some(Action::PlayPause)
    );
    assert_eq!(replay(Pane::Hosts, KeyCode::Esc), Some(Action::Quit));
    assert_eq!(replay(Pane::Hosts, KeyCode::Home), Some(Action::ToStart));
    assert_eq!(replay(Pane::Hosts, KeyCode::Char('g')), Some(Action::Top));
    assert_eq!(
        replay(Pane::Hosts, KeyCode::Char('z')),
        Some(Action::ToggleZoom)
    );
    assert_eq!(
        replay(Pane::Logs, KeyCode::Char('n')),
        Some(Action::SearchNext)
    );
    assert_eq!(
        replay(Pane::Sql, KeyCode::Char('d')),
        Some(Action::NextDatabase)
    );
    // Nothing that acts: no incident, no step, no diagnose.
    assert_eq!(replay(Pane::Hosts, KeyCode::Char('o')), None);
    assert_eq!(replay(Pane::Playbook, KeyCode::Char('x')), None);
    assert_eq!(replay(Pane::Hosts, KeyCode::Char('d')), None);
    let ctrl_c = km.replay_action(Pane::Hosts, &ev(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(ctrl_c, Some(Action::Quit));
}

#[test]
fn remaps_reach_dialogs_the_editor_and_the_replay() {
    let toml = "[keys]\nplay-pause = \"p\"\ncancel = [\"esc\", \"ctrl-g\"]\nquit = \"ctrl-q\"\nleave-editor = \"F2\"\nup = [\"up\", \"w\"]\n";
    let km = match remapped(toml) {
        Ok(km) => km,
        Err(e) => panic!("{e}"),
    };
    let none = KeyModifiers::NONE;
    let ctrl = KeyModifiers::CONTROL;
    let replay = |code, modifiers| km.replay_action(Pane::Hosts, &ev(code, modifiers));
    assert_eq!(replay(KeyCode::Char('p'), none), Some(Action::PlayPause));
    assert_eq!(replay(KeyCode::Char(' '), none), None);
    // `quit` is remapped in the cockpit and the replay alike; Ctrl-C stays.
    assert_eq!(replay(KeyCode::Char('q'), ctrl), Some(Action::Quit));
    assert_eq!(replay(KeyCode::Char('c'), ctrl), Some(Action::Quit));
    assert_eq!(replay(KeyCode::Esc, none), None);
    assert_eq!(replay(KeyCode::Char('w'), none), Some(Action::Up));
    assert_eq!(
        km.dialog_action(&ev(KeyCode::Char('g'), ctrl), true),
        Some(Action::Cancel)
    );
    assert_eq!(
        km.dialog_action(&ev(KeyCode::Char('w'), none), false),
        Some(Action::Up)
    );
    assert_eq!(km.dialog_action(&ev(KeyCode::Char('w'), none), true), None);
    assert_eq!(
        km.editor_key(&ev(KeyCode::F(2), none), false),
        EditorKey::Act(Action::LeaveEditor)
    );
    assert_eq!(
        km.editor_key(&ev(KeyCode::Esc, none), false),
        EditorKey::Edit
    );
    let help = km.replay_help();
    assert!(
        help.iter()
            .any(|(k, what)| k == "p" && what == "play / pause"),
        "{help:?}"
    );
    assert!(
        help.iter()
            .any(|(k, what)| k == "Ctrl-q / Ctrl-c" && what.starts_with("quit")),
        "{help:?}"
    );
}

#[test]
fn remaps_in_the_new_scopes_keep_the_rules() {
    // Two actions on one key in the dialogs.
    let said = remapped("[keys]\ncancel = \"q\"\n")
        .err()
        .unwrap_or_default();
    assert!(
        said.contains("\"q\" is both `close` and `cancel` (dialogs)"),
        "{said}"
    );
    // A replay key hiding a key that moves the view.
    let said = remapped("[keys]\ntoggle-zoom = \"i\"\n")
        .err()
        .unwrap_or_default();
    assert!(
        said.contains("\"i\" is `skip-idle` in the replay and would hide `toggle-zoom`"),
        "{said}"
    );
    let said = remapped("[keys]\nnext-database = \"t\"\n")
        .err()
        .unwrap_or_default();
    assert!(
        said.contains("would hide `next-database` (SQL pane)"),
        "{said}"
    );
    // Ctrl-C is nobody else's in the new scopes either.
    let said = remapped("[keys]\nplay-pause = \"ctrl-c\"\n")
        .err()
        .unwrap_or_default();
    assert!(said.contains("ctrl-c always quits"), "{said}");
    // A pane key may share a key with a replay key that hides nothing it moves.
    assert!(remapped("[keys]\nadd-note = \"N\"\n").is_ok());
    assert!(remapped("[keys]\nanswer-yes = \"o\"\n").is_ok());
}

#[test]
fn the_replay_help_is_generated_from_the_table() {
    let km = Keymap::default();
    let help = km.replay_help();
    let row = |what: &str| {
        help.iter()
            .find(|(_, w)| w == what)
            .map(|(k, _)| k.as_str())
    };
    assert_eq!(row("play / pause"), Some("Space"));
    assert_eq!(row("quit"), Some("q / Esc / Ctrl-c"));
    assert_eq!(row("faster (1× 10× 60× max)"), Some("+ / = / >"));
    assert_eq!(row("next entry"), Some(". / →"));
    assert_eq!(row("focus and zoom panes"), Some("Tab Shift-Tab 1 2 3 4 z"));
    // Home and End jump to the start and the end there: not listed as moves.
    assert_eq!(
        row("move in the focused pane"),
        Some("↑ k ↓ j PgUp PgDn g G")
    );
    assert_eq!(row("next database (SQL)"), Some("d"));
    for action in Action::ALL {
        let replays = km
            .bindings()
            .iter()
            .any(|b| b.scope == Scope::Replay && b.action == action);
        if replays && action != Action::Quit {
            assert!(
                help.iter().any(|(_, w)| w == action.describe()),
                "{} missing from the replay's help",
                action.name()
            );
        }
    }
}

/// Where a key's code may be read: the keymap module only (test modules aside).
#[test]
fn no_key_code_is_read_outside_the_keymap() {
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    let keymap = ui.join("keymap");
    let mut files = Vec::new();
    rust_files(&ui, &mut files);
    assert!(files.len() > 20, "no sources under {}", ui.display());
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&keymap)) {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            let code = line.split("//").next().unwrap_or_default();
            if code.contains("KeyCode") {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "keys are read in ui/keymap only (bind them to an action there):\n{}",
        found.join("\n")
    );
}
