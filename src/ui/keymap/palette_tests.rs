//! The palette's parsing and completion, hostile input included.

use super::palette::{self, Arg, ArgKind, MAX_INPUT, Sources, verbs};
use crate::ui::action::Action;

fn sources() -> Sources {
    Sources {
        hosts: vec![
            "web-1".into(),
            "web-2".into(),
            "db-1".into(),
            "東京-app".into(),
        ],
        playbooks: vec!["primary-app-down".into(), "disk-full".into()],
        themes: vec!["dark".into(), "high-contrast".into(), "light".into()],
        targets: vec![
            "role:web".into(),
            "role:db".into(),
            "tag:edge".into(),
            "host:web-1".into(),
        ],
    }
}

fn parse(line: &str) -> Result<Option<palette::Parsed>, String> {
    palette::parse(line, &verbs(), &sources())
}

fn lines(line: &str) -> Vec<String> {
    palette::candidates(line, &verbs(), &sources())
        .into_iter()
        .map(|c| c.line)
        .collect()
}

#[test]
fn every_palette_command_is_an_action_of_the_key_table_with_one_name() {
    let table = verbs();
    let mut names: Vec<&str> = table.iter().map(|v| v.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), table.len(), "a palette name is used twice");
    let keys = super::Keymap::default();
    for verb in &table {
        assert!(Action::ALL.contains(&verb.action));
        assert!(
            keys.label_of(verb.action).is_some(),
            "`{}` has no key: the palette runs what keys run",
            verb.name
        );
        assert_eq!(verb.arg == ArgKind::None, verb.arg_hint.is_empty());
    }
    for wanted in [
        "playbook", "host", "run", "severity", "note", "export", "theme",
    ] {
        assert!(names.contains(&wanted), "no `{wanted}` command");
    }
}

#[test]
fn a_command_parses_to_its_action_and_argument() {
    let p = parse("severity P1").unwrap().unwrap();
    assert_eq!(p.verb.action, Action::ChangeSeverity);
    assert_eq!(p.arg, Arg::Index(1));
    let p = parse(":host db-1").unwrap().unwrap();
    assert_eq!((p.verb.action, p.arg), (Action::FocusHosts, Arg::Index(2)));
    let p = parse("  run role:web   uptime  ").unwrap().unwrap();
    assert_eq!(p.verb.action, Action::AdhocCommand);
    assert_eq!(p.arg, Arg::Text("role:web   uptime".into()));
    let p = parse("playbook disk").unwrap().unwrap();
    assert_eq!(
        p.arg,
        Arg::Index(1),
        "a unique beginning names the playbook"
    );
    let p = parse("sev p3").unwrap().unwrap();
    assert_eq!(
        (p.verb.action, p.arg),
        (Action::ChangeSeverity, Arg::Index(3))
    );
    let p = parse("theme LIGHT").unwrap().unwrap();
    assert_eq!((p.verb.action, p.arg), (Action::SwitchTheme, Arg::Index(2)));
    assert_eq!(parse("note").unwrap().unwrap().arg, Arg::Nothing);
    assert_eq!(parse("").unwrap(), None);
    assert_eq!(parse("   :  ").unwrap(), None);
}

#[test]
fn cjk_names_parse_and_complete() {
    let p = parse("host 東京-app").unwrap().unwrap();
    assert_eq!(p.arg, Arg::Index(3));
    assert_eq!(lines("host 東"), vec!["host 東京-app".to_string()]);
    let p = parse("note 東京のディスクが満杯").unwrap().unwrap();
    assert_eq!(p.arg, Arg::Text("東京のディスクが満杯".into()));
}

#[test]
fn refusals_say_why_and_name_what_was_typed() {
    let e = parse("frobnicate now").unwrap_err();
    assert!(e.contains("unknown command `frobnicate`"), "{e}");
    assert!(e.contains("nothing done"), "{e}");
    let e = parse("r").unwrap_err();
    assert!(
        e.contains("could be") && e.contains("run") && e.contains("resolve"),
        "{e}"
    );
    let e = parse("severity P9").unwrap_err();
    assert!(e.contains("no severity") && e.contains("`P9`"), "{e}");
    let e = parse("host nowhere").unwrap_err();
    assert!(
        e.contains("no host in the inventory named `nowhere`"),
        "{e}"
    );
    let e = parse("host web").unwrap_err();
    assert!(e.contains("no host"), "ambiguous beginning is refused: {e}");
    let e = parse("zoom in").unwrap_err();
    assert!(e.contains("takes no argument"), "{e}");
}

#[test]
fn hostile_input_is_refused_whole() {
    for line in [
        "note hi\u{1b}[2J",
        "run uptime\r\nrm -rf /",
        "sev\u{0}P1",
        "note \u{7f}",
        "host web-1\t",
    ] {
        let e = parse(line).unwrap_err();
        assert!(e.contains("control characters"), "{line:?}: {e}");
        assert!(lines(line).is_empty(), "{line:?} completed");
    }
    let long = format!("note {}", "x".repeat(MAX_INPUT));
    assert!(parse(&long).unwrap_err().contains("too long"));
    assert!(lines(&long).is_empty());
    let long_verb = "q".repeat(MAX_INPUT - 1);
    let e = parse(&long_verb).unwrap_err();
    assert!(
        e.chars().count() < 200,
        "the refusal quotes a cut name: {e}"
    );
    assert!(parse(&"é".repeat(MAX_INPUT)).is_err());
}

#[test]
fn completion_offers_commands_then_live_names_beginning_first_then_fuzzy() {
    assert_eq!(lines("sev"), vec!["severity ".to_string()]);
    assert_eq!(lines("q"), vec!["quit".to_string(), "sql".to_string()]);
    let all = lines("");
    assert_eq!(
        all.len(),
        verbs().len(),
        "nothing typed lists every command"
    );
    // Beginning first, then letters in order.
    let h = lines("h");
    assert_eq!(h[0], "host ");
    assert!(h.contains(&"history".to_string()));
    assert!(lines("svr").contains(&"severity ".to_string()), "fuzzy");
    assert_eq!(
        lines("host web"),
        vec!["host web-1".to_string(), "host web-2".to_string()]
    );
    assert_eq!(
        lines("severity "),
        vec!["severity P0", "severity P1", "severity P2", "severity P3"]
    );
    assert_eq!(
        lines("playbook "),
        vec!["playbook primary-app-down", "playbook disk-full"]
    );
    assert_eq!(lines("theme hc"), vec!["theme high-contrast"]);
    assert!(
        lines("note some text").is_empty(),
        "free text is not completed"
    );
    assert!(lines("nosuch arg").is_empty());
}
