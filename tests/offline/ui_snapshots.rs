//! ratatui `TestBackend` snapshots of the main screen, each pane and the dialogs, on a fixed
//! fleet, clock and journal, so any change to what the operator sees shows up in review.

use cockpit::core::diagnostic::SourceFile;
use cockpit::core::incident::Workspace;
use cockpit::core::journal::{Entry, Record};
use cockpit::core::operator::Operator;
use cockpit::core::redact::Redactor;
use cockpit::demo::{DEMO_HOSTS, inventory_toml};
use cockpit::io::catalog::load_playbooks;
use cockpit::io::fleet::FleetEvent;
use cockpit::io::probe::CheckOutcome;
use cockpit::io::ssh::HostKeyOffer;
use cockpit::io::tail::TailEvent;
use cockpit::ui::action::Action;
use cockpit::ui::app::{App, RunMode};
use cockpit::ui::command::Command;
use cockpit::ui::event::Event;
use cockpit::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use std::path::Path;
use std::time::Duration;

/// 2026-11-21 03:12:00 UTC: the moment that matters.
const NOW: i64 = 1_795_835_520_000;

fn utc() {
    // SAFETY: every test sets the same value before any time is formatted.
    unsafe { std::env::set_var("TZ", "UTC") };
}

fn sealed(records: Vec<(i64, Record)>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for (at, r) in records {
        let prev = out.last().map(|e| (e.seq, e.hash.clone()));
        let e = Entry::seal(
            prev.as_ref().map(|(s, h)| (*s, h.as_str())),
            at,
            "op@bastion",
            &r,
            &Redactor::default(),
        )
        .expect("seal");
        out.push(e);
    }
    out
}

fn outcome(label: &str, ok: bool, detail: &str, ms: u64) -> CheckOutcome {
    CheckOutcome {
        label: label.into(),
        ok,
        detail: detail.into(),
        latency: Duration::from_millis(ms),
    }
}

/// The demo fleet with app-primary down, the logs showing it, and optionally the P0 incident.
fn app(with_incident: bool) -> App {
    app_titled(with_incident, Some("主应用服务器宕机 — site down"))
}

/// As [`app`], the incident titled `title` (None: the playbook's title, as when it was opened
/// from the playbook without a title of its own).
fn app_titled(with_incident: bool, title: Option<&str>) -> App {
    utc();
    let ports: Vec<_> = DEMO_HOSTS
        .iter()
        .enumerate()
        .map(|(i, h)| (*h, 40_000 + i as u16))
        .collect();
    let src = SourceFile::new("inventory.toml", inventory_toml(Path::new("/demo"), &ports));
    let inventory = cockpit::core::inventory::parse(&src).expect("demo inventory");
    let (playbooks, problems) = load_playbooks(None, Some(&inventory));
    assert!(problems.is_empty(), "{problems:?}");
    let mut records = Vec::new();
    if with_incident {
        let p = playbooks
            .iter()
            .find(|p| p.id == "primary-app-down")
            .expect("playbook");
        let steps = p.step_snapshots();
        let id = "INC-20261121-0307".to_string();
        records.push((
            NOW - 300_000,
            Record::IncidentOpened {
                host: None,
                checkpoint_minutes: None,
                incident: id.clone(),
                title: title.unwrap_or(&p.title).into(),
                severity: p.severity,
                playbook: p.id.clone(),
                playbook_title: p.title.clone(),
                rto_minutes: p.rto_minutes,
                steps,
                fleet: Default::default(),
                unhealthy_since_ms: None,
            },
        ));
        records.push((
            NOW - 240_000,
            Record::StepCompleted {
                incident: id.clone(),
                step: p.steps[0].id.clone(),
            },
        ));
        records.push((
            NOW - 200_000,
            Record::StepCompleted {
                incident: id.clone(),
                step: p.steps[1].id.clone(),
            },
        ));
        records.push((
            NOW - 100_000,
            Record::StepSkipped {
                incident: id,
                step: p.steps[2].id.clone(),
                reason: "nginx checked by phone".into(),
            },
        ));
    }
    let workspace = Workspace::fold(&sealed(records));
    let (theme, _) = Theme::load("dark", None, false);
    let operator = Operator {
        user: "op".into(),
        host: "bastion".into(),
    };
    let mut app = App::new(
        RunMode::Demo,
        operator,
        inventory,
        playbooks,
        workspace,
        theme,
        NOW - 60_000,
    );
    for round in 0..4 {
        app.now_ms = NOW - 60_000 + round * 1_000;
        for (i, h) in DEMO_HOSTS.iter().enumerate() {
            let outcomes = if h.name == "app-primary" && round > 0 {
                vec![
                    outcome("tcp:40002", false, "Connection refused (os error 111)", 0),
                    outcome(
                        "http http://127.0.0.1:40002/health",
                        false,
                        "connection failed",
                        1,
                    ),
                ]
            } else {
                vec![
                    outcome(&format!("tcp:{}", 40_000 + i), true, "open", 1),
                    outcome("http", true, "200 OK", 2 + i as u64),
                ]
            };
            app.on_event(Event::Fleet(FleetEvent::Probed {
                host: h.name.into(),
                report: cockpit::io::probe::ProbeReport {
                    outcomes,
                    metrics: None,
                },
            }));
        }
    }
    let lines = [
        (
            "nginx-1",
            "192.0.2.10 - - \"GET /api/v1/nodes HTTP/1.1\" 200 512 \"-\" \"okhttp/4.9.3\"",
        ),
        (
            "app-backup",
            "[ERROR] go-api: Cannot connect to database: dial tcp 198.51.100.86:3306: connect: connection refused",
        ),
        (
            "nginx-2",
            "[error] connect() failed (111: Connection refused) while connecting to upstream → 502",
        ),
        (
            "backup-store",
            "备份完成 /shell/sql_backup/speed-20261121-0300.sql 上传成功",
        ),
        ("app-backup", "mysql -uroot -p'S3cret' speed < dump.sql"),
    ];
    // Log lines are stamped with their arrival time: a fixed one keeps snapshots stable.
    app.now_ms = NOW - 5_000;
    for (host, text) in lines {
        let text = app.redactor.redact(text);
        app.on_event(Event::Fleet(FleetEvent::Tail(TailEvent::line(
            host,
            "/var/log/x.log",
            &text,
        ))));
    }
    app.drill_hosts = DEMO_HOSTS
        .iter()
        .map(|h| (h.name.to_string(), None))
        .collect();
    app.now_ms = NOW;
    app
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| cockpit::ui::draw::draw(f, app))
        .expect("draw");
    terminal
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

#[test]
fn main_screen_without_incident_suggests_the_playbook() {
    let app = app(false);
    insta::assert_snapshot!(render(&app, 140, 40).backend());
}

#[test]
fn main_screen_with_open_incident() {
    let app = app(true);
    let terminal = render(&app, 140, 40);
    insta::assert_snapshot!(terminal.backend());
    let buffer = terminal.backend().buffer();
    // The down host's state is drawn in the danger colour, not just as text.
    let row = (0..40)
        .find(|y| {
            (0..70)
                .map(|x| buffer[(x, *y)].symbol())
                .collect::<String>()
                .contains("app-primary")
        })
        .expect("row");
    let down_cell = (0..70)
        .find(|x| buffer[(*x, row)].symbol() == "d")
        .expect("down");
    assert_eq!(buffer[(down_cell, row)].fg, Color::LightRed);
}

/// Issue 11 item 4: an incident titled like its playbook shows the title once in the header.
#[test]
fn the_playbook_header_says_a_shared_title_once() {
    let app = app_titled(true, None);
    let terminal = render(&app, 140, 40);
    let buffer = terminal.backend().buffer();
    let header = (0..40u16)
        .map(|y| {
            (0..140u16)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .find(|line| line.contains("/20 done"))
        .expect("the playbook header");
    assert_eq!(
        header.matches("Primary application server down").count(),
        1,
        "{header}"
    );
    assert!(
        header.contains("Primary application server down · 3/20 done"),
        "{header}"
    );
}

#[test]
fn each_pane_zoomed() {
    let mut app = app(true);
    for (action, name) in [
        (Action::FocusHosts, "hosts"),
        (Action::FocusLogs, "logs"),
        (Action::FocusPlaybook, "playbook"),
        (Action::FocusSql, "sql"),
    ] {
        app.update(action);
        app.zoomed = true;
        insta::assert_snapshot!(format!("zoomed_{name}"), render(&app, 120, 30).backend());
    }
}

#[test]
fn sql_step_selected_shows_its_statement() {
    let mut app = app(true);
    let index = app
        .incident()
        .and_then(|i| i.steps.iter().position(|s| s.kind == "sql"))
        .expect("sql step");
    app.update(Action::FocusPlaybook);
    // A resumed incident selects its first open step; count from the top.
    app.update(Action::Top);
    for _ in 0..index {
        app.update(Action::Down);
    }
    insta::assert_snapshot!(render(&app, 140, 40).backend());
}

#[test]
fn help_overlay_lists_every_binding() {
    let mut app = app(false);
    app.update(Action::ToggleHelp);
    let terminal = render(&app, 120, 50);
    insta::assert_snapshot!(terminal.backend());
    let screen = format!("{:?}", terminal.backend());
    // Every key of the live cockpit (the replay's are in the replay's own help).
    for (_, keys, action) in app
        .keymap
        .help_rows()
        .into_iter()
        .filter(|(scope, _, _)| *scope != cockpit::ui::keymap::Scope::Replay)
    {
        assert!(screen.contains(action.describe()), "help lacks {action:?}");
        assert!(
            screen.contains(keys.split(" / ").next().unwrap_or_default()),
            "help lacks keys of {action:?}"
        );
    }
}

#[test]
fn open_incident_dialog_preselects_the_suggestion() {
    let mut app = app(false);
    app.on_event(key('o'));
    insta::assert_snapshot!(render(&app, 120, 40).backend());
}

#[test]
fn quit_with_open_incident_asks_first() {
    let mut app = app(true);
    let commands = app.on_event(key('q'));
    assert!(commands.is_empty(), "quit without asking: {commands:?}");
    insta::assert_snapshot!(render(&app, 120, 30).backend());
}

#[test]
fn terminal_too_small_shows_a_notice() {
    let app = app(true);
    insta::assert_snapshot!(render(&app, 50, 12).backend());
}

#[test]
fn no_color_draws_without_colours() {
    let mut app = app(true);
    app.theme = Theme::load("dark", None, true).0;
    let terminal = render(&app, 140, 40);
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert!(
            matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
            "a colour under NO_COLOR: {cell:?}"
        );
    }
}

fn press(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn type_line(app: &mut App, text: &str) {
    for c in text.chars() {
        app.on_event(key(c));
    }
    app.on_event(press(KeyCode::Enter));
}

/// The incident fixture with the Logs pane focused and zoomed.
fn logs_zoomed() -> App {
    let mut app = app(true);
    app.on_event(key('2'));
    app.on_event(key('z'));
    app
}

#[test]
fn logs_filtered_include_and_exclude() {
    let mut app = logs_zoomed();
    app.on_event(key('/'));
    type_line(&mut app, "(?i)error");
    app.on_event(key('\\'));
    type_line(&mut app, "upstream");
    assert!(app.overlay.is_none());
    insta::assert_snapshot!(render(&app, 120, 30).backend());
    // The prompt starts with the current pattern; emptying it clears that filter only.
    app.on_event(key('/'));
    app.on_event(Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    app.on_event(press(KeyCode::Enter));
    assert_eq!(app.logs.filter().describe(), "not /upstream/");
    assert_eq!(app.logs.counts(app.log_view.hosts), (4, 5));
}

#[test]
fn logs_invalid_filter_is_refused_with_a_reason() {
    let mut app = logs_zoomed();
    app.on_event(key('/'));
    type_line(&mut app, "(unclosed");
    assert!(app.overlay.is_some(), "the prompt stays open");
    assert!(!app.logs.filter().is_active(), "nothing applied");
    insta::assert_snapshot!(render(&app, 120, 30).backend());
}

#[test]
fn logs_single_host_view_with_gap_marker() {
    let mut app = logs_zoomed();
    app.now_ms = NOW - 4_000;
    app.on_event(Event::Fleet(FleetEvent::Tail(TailEvent::Ended {
        host: "app-primary".into(),
        file: "/wwwroot/go/go-api/logs/go-api.log".into(),
        reason: "host stopped responding".into(),
    })));
    app.now_ms = NOW;
    let merged = format!("{:?}", render(&app, 120, 30).backend());
    assert!(
        merged.contains("app-primary  ── /wwwroot/go/go-api/logs/go-api.log: host stopped"),
        "{merged}"
    );
    // nginx-1, nginx-2, then app-primary: the host that only sent a marker.
    for _ in 0..3 {
        app.on_event(key('h'));
    }
    insta::assert_snapshot!(render(&app, 120, 30).backend());
}

#[test]
fn logs_search_highlights_matches_and_jumps() {
    let mut app = logs_zoomed();
    app.on_event(Event::Key(KeyEvent::new(
        KeyCode::Char('f'),
        KeyModifiers::CONTROL,
    )));
    type_line(&mut app, "onnect");
    assert!(!app.log_view.follow, "jumping to a match pauses");
    app.on_event(key('['));
    let terminal = render(&app, 120, 30);
    insta::assert_snapshot!(terminal.backend());
    let buffer = terminal.backend().buffer();
    let row = (0..30)
        .find(|y| {
            (0..120)
                .map(|x| buffer[(x, *y)].symbol())
                .collect::<String>()
                .contains("Cannot connect")
        })
        .expect("the older match is shown");
    let text: String = (0..120).map(|x| buffer[(x, row)].symbol()).collect();
    let at = text.find("onnect").expect("match") as u16;
    let cell = &buffer[(at, row)];
    assert!(
        cell.modifier.contains(Modifier::REVERSED),
        "a match is drawn reversed: {cell:?}"
    );
}

#[test]
fn logs_pinned_line_is_marked() {
    let mut app = logs_zoomed();
    app.on_event(key('k'));
    app.on_event(key('k'));
    let commands = app.on_event(key('p'));
    let [Command::Journal(record)] = commands.as_slice() else {
        panic!("pinning journals one record: {commands:?}")
    };
    assert_eq!(record.kind(), "log_pinned");
    let entry = Entry::seal(
        Some((app.workspace.last_seq, "0")),
        NOW,
        "op@bastion",
        record,
        &Redactor::default(),
    )
    .expect("seal");
    app.on_event(Event::Journaled(entry));
    insta::assert_snapshot!(render(&app, 120, 30).backend());
}

fn offer() -> HostKeyOffer {
    HostKeyOffer {
        host: "10.0.0.12".into(),
        port: 22,
        algorithm: "ssh-ed25519".into(),
        fingerprint: "SHA256:thRKgKfhCTbtnteINgbq3xZHIjESPdFtP57PdPgIBLI".into(),
        public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKPdS9+X3ZT9JnxEXySi/137dw".into(),
        known_hosts: "/home/op/.ssh/known_hosts".into(),
        jump: None,
    }
}

#[test]
fn an_unknown_host_key_asks_to_be_trusted_and_a_declined_one_waits_for_t() {
    let mut app = app(false);
    let unknown = || {
        Event::Fleet(FleetEvent::HostKeyUnknown {
            host: "app-primary".into(),
            offer: offer(),
        })
    };
    app.on_event(unknown());
    insta::assert_snapshot!(render(&app, 120, 30).backend());

    assert!(app.on_event(key('n')).is_empty());
    assert!(app.overlay.is_none(), "declining closes the dialog");
    app.on_event(unknown());
    assert!(
        app.overlay.is_none(),
        "a declined key is not asked again unprompted"
    );

    let row = app.hosts.iter().position(|h| h.name == "app-primary");
    app.host_cursor = row.expect("app-primary in the grid");
    app.on_event(key('t'));
    let commands = app.on_event(key('y'));
    assert_eq!(
        commands,
        vec![Command::TrustHostKey {
            host: "app-primary".into(),
            offer: offer()
        }]
    );
    let commands = app.on_event(Event::HostKeyTrusted {
        host: "app-primary".into(),
        offer: offer(),
        result: Ok(()),
    });
    let [Command::Journal(record)] = commands.as_slice() else {
        panic!("a trusted key is journaled: {commands:?}")
    };
    assert_eq!(record.kind(), "host_key_trusted");
}

#[test]
fn a_passphrase_is_typed_hidden_and_handed_over_once() {
    let mut app = app(false);
    for host in ["app-primary", "app-backup"] {
        app.on_event(Event::Fleet(FleetEvent::PassphraseNeeded {
            host: host.into(),
            key: "/home/op/.ssh/id_ed25519".into(),
            wrong: false,
        }));
    }
    for c in "s3cret pass".chars() {
        app.on_event(key(c));
    }
    let terminal = render(&app, 120, 30);
    insta::assert_snapshot!(terminal.backend());
    assert!(
        !format!("{:?}", app.overlay).contains("s3cret"),
        "Debug shows it"
    );
    let commands = app.on_event(press(KeyCode::Enter));
    let [Command::SupplyPassphrase { key, passphrase }] = commands.as_slice() else {
        panic!("Enter hands the passphrase over: {commands:?}")
    };
    assert_eq!(key, Path::new("/home/op/.ssh/id_ed25519"));
    assert_eq!(passphrase.expose(), "s3cret pass");
    assert!(app.overlay.is_none());
}

#[test]
fn the_command_palette_lists_commands_then_live_names() {
    let mut app = app(true);
    app.on_event(key(':'));
    for c in "se".chars() {
        app.on_event(key(c));
    }
    app.on_event(Event::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)));
    insta::assert_snapshot!("palette_commands", render(&app, 120, 30).backend());
    // Tab completes the chosen command; its argument is completed from the inventory.
    app.on_event(Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    app.on_event(key(':'));
    for c in "host ".chars() {
        app.on_event(key(c));
    }
    insta::assert_snapshot!("palette_hosts", render(&app, 120, 30).backend());
}
