//! A long journal in the real binary, in tmux: the first start reads it whole and saves its
//! resume point; an entry changed behind cockpit's back before that point is then not read at
//! the next start, but the journal writer's check finds it before anything is written, and
//! cockpit stops with the same error a start on a broken journal gives.
//!
//! Needs `tmux` on PATH (the tests fail, never skip, without it).

use crate::support::journal_files::{rt, write_records};
use crate::support::tmux;

use cockpit::core::journal::{Record, StepSnapshot};
use cockpit::core::severity::Severity;
use cockpit::io::resume_point::SAVE_EVERY;
use std::path::Path;
use tmux::{REACT, STARTUP, Sandbox, read_journal, tamper_body};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;

/// An open incident with more notes than [`SAVE_EVERY`], written in one transaction.
fn long_journal(path: &Path) -> usize {
    let mut records = vec![Record::IncidentOpened {
        host: None,
        checkpoint_minutes: None,
        incident: "INC-LONG".into(),
        title: "主库宕机 long night".into(),
        severity: Severity::P1,
        playbook: "not-in-this-catalogue".into(),
        playbook_title: "Primary down".into(),
        rto_minutes: Some(30),
        steps: vec![StepSnapshot {
            id: "check".into(),
            title: "Check the backup".into(),
            kind: "manual".into(),
        }],
        fleet: Default::default(),
        unhealthy_since_ms: None,
    }];
    records.extend((0..SAVE_EVERY as usize + 100).map(|i| Record::NoteAdded {
        broadcast: false,
        incident: "INC-LONG".into(),
        text: format!("note {i}"),
    }));
    rt().block_on(write_records(path, 1_795_834_800_000, &records));
    records.len()
}

#[test]
fn a_change_before_the_resume_point_stops_cockpit_before_it_writes() {
    let sb = Sandbox::new("resume");
    let written = long_journal(&sb.journal);
    let inventory = tmux::offline_inventory(&sb.root);
    let config = inventory.display().to_string();

    // First start: the whole journal is read, and the writer saves the resume point.
    let s = sb.start_cockpit(WIDTH, HEIGHT, false, &["--config", &config]);
    s.wait_for("the long incident on screen", STARTUP, |sc| {
        sc.contains("主库宕机 long night")
    });
    // The incident is open: quitting asks first.
    s.keys(&["q"]);
    s.wait_for("the quit question", REACT, |sc| {
        sc.contains("is still open.")
    });
    s.keys(&["y"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
    let log = std::fs::read_to_string(&sb.log).unwrap_or_default();
    assert!(
        log.contains(&format!("resume point saved at entry #{written}")),
        "{log}"
    );
    let before = read_journal(&sb.journal).len();
    assert!(before > written, "the session journaled its start and end");

    // Someone edits a note long before the resume point.
    tamper_body(
        &sb.journal,
        5,
        r#"{"type":"note_added","incident":"INC-LONG","text":"nothing happened"}"#,
    );
    let s = sb.start_cockpit(WIDTH, HEIGHT, false, &["--config", &config]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 2, "{screen}");
    // The error is one long line, wrapped by the terminal.
    let unwrapped = screen.replace('\n', "");
    assert!(
        unwrapped.contains("chain broken at entry #5") && unwrapped.contains("nothing was changed"),
        "{screen}"
    );
    let log = std::fs::read_to_string(&sb.log).unwrap_or_default();
    assert!(log.contains("journal resumed at entry #"), "{log}");
    assert_eq!(
        read_journal(&sb.journal).len(),
        before,
        "nothing was written to the changed journal"
    );
}
