//! `cockpit` and `cockpit demo`: load the files, open the journal, run the UI.

use crate::cli::log_file::RedactingLog;
use crate::cli::log_rotation;
use crate::cli::shared_run::{self, JournalChoice};
use crate::cli::{Cli, EXIT_INVALID, config_files};
use crate::core::diagnostic::Diagnostics;
use crate::core::drill::Drill;
use crate::core::incident::Workspace;
use crate::core::inventory::{DemoBorrowings, Inventory};
use crate::core::keys::KeysConfig;
use crate::core::operator::Operator;
use crate::core::playbook::Playbook;
use crate::core::redact::Redactor;
use crate::core::role::Role;
use crate::demo::{DemoFleet, create_speed_db, inventory_toml};
use crate::io::catalog::{load_catalog_from, load_inventory, read_source};
use crate::io::config_files::{ConfigFiles, InventoryOrigin};
use crate::io::identity::{resolve_operator, resolve_role};
use crate::io::journal_store::{JournalError, JournalStore};
use crate::io::paths;
use crate::io::shared::SyncStatus;
use crate::io::shared::sync::SyncSetup;
use crate::ui::app::{App, RunMode, SharedView, Team};
use crate::ui::keymap::Keymap;
use crate::ui::runtime::{AfterFirstFrame, Ended, Outcome, Session, now_ms, run};
use crate::ui::team_link::TeamLink;
use crate::ui::theme::Theme;
use std::future::Future;
use std::path::Path;

fn block_on(f: impl Future<Output = i32>) -> i32 {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(f),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            1
        }
    }
}

/// Sends tracing output to a file, rotated daily, never to the terminal the UI draws on.
fn init_logging(file: &Path, redactor: Redactor) {
    let appender = match log_rotation::open(file) {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "warning: cannot open the log file {}: {e}; nothing is logged",
                file.display()
            );
            return;
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("COCKPIT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(RedactingLog::new(appender, redactor))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}

/// Who is at the keyboard and their role; an invalid name or role, or no name typed when asked,
/// is said and is the exit status (nothing has been started yet).
fn identity(cli: &Cli, shared: bool) -> Result<(Operator, Role), i32> {
    let said = |e: String| {
        eprintln!("error: {e}");
        EXIT_INVALID
    };
    let role = resolve_role(cli.role.as_deref(), shared).map_err(said)?;
    let operator = resolve_operator(cli.operator.as_deref(), shared).map_err(said)?;
    Ok((operator, role))
}

/// Compiles, on a thread of its own, the regular expressions every start needs soon and
/// would otherwise compile on the path to the first frame: the dangerous-command patterns the
/// playbook checks match `parallel` steps against, then the built-in redaction patterns the
/// first log line needs. Each is compiled once per process, so whoever needs one first either
/// finds it ready or waits for it: nothing is compiled twice. Without a thread it is all done
/// on first use, as before.
fn prepare_patterns(dangerous: &[String]) {
    let dangerous = dangerous.to_vec();
    let spawned = std::thread::Builder::new()
        .name("prepare-patterns".into())
        .spawn(move || {
            for pattern in &dangerous {
                let _ = crate::core::settings::compile_dangerous_pattern(pattern);
            }
            Redactor::prepare_built_in();
        });
    if let Err(e) = spawned {
        tracing::debug!("patterns compiled on first use: no thread ({e})");
    }
}

/// `cockpit`: the operator's own inventory.
pub fn live(cli: &Cli) -> i32 {
    let files = config_files(cli.config.as_ref());
    let inventory_path = files.inventory.clone();
    if files.origin == InventoryOrigin::Missing || !inventory_path.exists() {
        eprintln!(
            "error: no inventory at {}\n  `cockpit init` writes one (offering the hosts of ~/.ssh/config), --config names another, or try `cockpit demo` with no setup",
            inventory_path.display()
        );
        return EXIT_INVALID;
    }
    let inventory = match load_inventory(&inventory_path)
        .and_then(|i| Keymap::with_remaps(&i.keys.remaps).map(|_| i))
    {
        Ok(i) => i,
        Err(d) => {
            eprintln!("{d}\nerror: the inventory is invalid; nothing was started");
            return EXIT_INVALID;
        }
    };
    prepare_patterns(&inventory.settings.dangerous_patterns);
    let mut redactor = Redactor::new(&inventory.settings.redact_patterns).unwrap_or_default();
    let journal = shared_run::choose(
        cli,
        inventory.settings.journal.as_deref(),
        paths::default_journal,
    );
    journal.teach(&mut redactor);
    // The inventory can make the journal shared: who is who depends on it.
    let who = match identity(cli, journal.shared.is_some()) {
        Ok(who) => who,
        Err(code) => return code,
    };
    init_logging(
        &cli.log_file
            .clone()
            .unwrap_or_else(|| paths::state_dir().join("cockpit.log")),
        redactor.clone(),
    );
    if files.origin == InventoryOrigin::System {
        tracing::info!(
            "no inventory of your own; using the system-wide {}",
            inventory_path.display()
        );
    }
    block_on(session(cli, who, inventory, files, journal, None, redactor))
}

/// `cockpit demo`: the simulated fleet in a temporary folder.
pub fn demo(cli: &Cli, keep: bool) -> i32 {
    let who = match identity(cli, cli.journal_is_shared()) {
        Ok(who) => who,
        Err(code) => return code,
    };
    // The demo's inventory keeps the default dangerous patterns.
    prepare_patterns(&crate::core::inventory::Settings::default().dangerous_patterns);
    let borrowed = match operator_borrowings(cli) {
        Ok(borrowed) => borrowed,
        Err(d) => {
            eprintln!(
                "{d}\nerror: the [keys], [[notify]] or escalation settings of the inventory are invalid; nothing was started"
            );
            return EXIT_INVALID;
        }
    };
    block_on(async {
        let dir = match tempfile::Builder::new().prefix("cockpit-demo-").tempdir() {
            Ok(d) => d,
            Err(e) => {
                eprintln!("error: cannot create the demo folder: {e}");
                return 1;
            }
        };
        let mut redactor = Redactor::default();
        let journal = shared_run::choose(cli, None, || dir.path().join("journal.db"));
        journal.teach(&mut redactor);
        init_logging(
            &cli.log_file
                .clone()
                .unwrap_or_else(|| dir.path().join("cockpit.log")),
            redactor.clone(),
        );
        if (cli.journal.is_some() || cli.local_journal.is_some())
            && let Err(e) = crate::io::journal_lock::probe(&journal.local)
        {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
        let fleet = match start_demo_fleet(dir.path()).await {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: cannot start the demo fleet: {e}");
                return 1;
            }
        };
        let inventory_path = dir.path().join("inventory.toml");
        let mut inventory = match load_inventory(&inventory_path) {
            Ok(i) => i,
            Err(d) => {
                eprintln!("{d}\nerror: the demo inventory is invalid (a bug: please report it)");
                return 1;
            }
        };
        borrowed.lend_to(&mut inventory);
        let code = session(
            cli,
            who,
            inventory,
            config_files(cli.config.as_ref()),
            journal,
            Some(Box::new(fleet)),
            redactor,
        )
        .await;
        if keep {
            let kept = dir.keep();
            println!("demo folder kept: {}", kept.display());
        } else {
            match dir.close() {
                Ok(()) if cli.journal.is_none() => println!(
                    "demo folder removed, its journal with it (--keep or --journal FILE keeps it)"
                ),
                Ok(()) => {}
                Err(e) => eprintln!("warning: could not remove the demo folder: {e}"),
            }
        }
        code
    })
}

/// The operator's keys and mouse setting for the demo and the replay (which run on their own
/// inventory): the `[keys]` table and `[settings] mouse` of their inventory when there is one,
/// checked.
pub(crate) fn operator_keys(cli: &Cli) -> Result<KeysConfig, Diagnostics> {
    let inventory_path = config_files(cli.config.as_ref()).inventory;
    if !inventory_path.exists() {
        return Ok(KeysConfig::default());
    }
    let keys = crate::core::inventory::parse_keys(&read_source(&inventory_path)?)?;
    Keymap::with_remaps(&keys.remaps)?;
    Ok(keys)
}

/// What the demo takes from the operator's inventory when there is one, checked: their keys
/// and how they tell people (channels, escalation, checkpoints), so a drill can reach a drill
/// channel.
fn operator_borrowings(cli: &Cli) -> Result<DemoBorrowings, Diagnostics> {
    let inventory_path = config_files(cli.config.as_ref()).inventory;
    if !inventory_path.exists() {
        return Ok(DemoBorrowings::default());
    }
    let borrowed = crate::core::inventory::parse_for_demo(&read_source(&inventory_path)?)?;
    Keymap::with_remaps(&borrowed.keys.remaps)?;
    Ok(borrowed)
}

async fn start_demo_fleet(dir: &Path) -> Result<DemoFleet, String> {
    let fleet = DemoFleet::start(dir).await.map_err(|e| e.to_string())?;
    create_speed_db(&dir.join("speed.db"))
        .await
        .map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("inventory.toml"),
        inventory_toml(dir, &fleet.ports()),
    )
    .map_err(|e| e.to_string())?;
    Ok(fleet)
}

/// Teaches the session's one redactor the secrets known before anything runs: secret variable
/// defaults (the inventory's patterns are in it already).
fn learn_default_secrets(redactor: &mut Redactor, playbooks: &[Playbook]) {
    for var in playbooks
        .iter()
        .flat_map(|p| &p.variables)
        .filter(|v| v.secret)
    {
        if let Some(value) = &var.default {
            redactor.add_secret_value(value);
        }
    }
}

async fn session(
    cli: &Cli,
    (operator, role): (Operator, Role),
    inventory: Inventory,
    files: ConfigFiles,
    journal: JournalChoice,
    drill: Option<Box<dyn Drill>>,
    redactor: Redactor,
) -> i32 {
    // The demo's simulated fleet is the drill; a live session has none.
    let mode = if drill.is_some() {
        RunMode::Demo
    } else {
        RunMode::Live
    };
    let store = match &journal.shared {
        Some(target) => match shared_run::connect_at_start(target).await {
            Ok(store) => store,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_INVALID;
            }
        },
        None => None,
    };
    let journal_path = journal.local.clone();
    if let Some(parent) = journal_path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    // The journal opens (SQLite on its own thread, waiting on the disk for the schema and
    // WAL) while this thread reads and checks the playbooks. Secrets learnt from them below
    // still reach the store: clones of a redactor share the values learnt later.
    // A local journal resumes from its resume point (only the entries after it are read before
    // the first frame; the writer verifies the rest before it stores anything). A shared
    // journal's view needs every local entry, so it reads them all.
    let opening = tokio::spawn({
        let (path, redactor) = (journal_path.clone(), redactor.clone());
        let shared = journal.shared.is_some();
        async move {
            if shared {
                let (store, entries) = JournalStore::open(&path, true, redactor).await?;
                Ok((store, Workspace::fold(&entries), Some(entries)))
            } else {
                let (store, workspace) = JournalStore::open_resuming(&path, true, redactor).await?;
                Ok::<_, JournalError>((store, workspace, None))
            }
        }
    });
    let catalog = load_catalog_from(&files.playbook_folders(), Some(&inventory));
    for n in &catalog.not_applicable {
        tracing::info!("{n}");
    }
    let (playbooks, problems) = (catalog.playbooks, catalog.problems);
    for p in &problems {
        tracing::warn!("playbook not loaded: {p}");
    }
    let mut redactor = redactor;
    learn_default_secrets(&mut redactor, &playbooks);
    let channels = crate::io::notify::ready_channels(&inventory.notify);
    for value in channels.iter().flat_map(|c| c.secret_values()) {
        redactor.add_secret_value(value);
    }
    let unready: Vec<String> = channels.iter().filter_map(|c| c.problem()).collect();
    for problem in &unready {
        tracing::warn!("notification channel cannot send: {problem}");
    }
    let (local, workspace, entries) = match opening.await {
        Ok(Ok(j)) => j,
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
        // Opening a journal does not panic on its content; a panic there is a bug.
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    let no_color = crate::cli::no_color();
    let (theme, theme_warning) =
        Theme::load(&cli.theme, Some(&files.theme_dir(&cli.theme)), no_color);
    let mut app = App::new(
        mode,
        operator,
        inventory,
        playbooks,
        workspace,
        theme,
        now_ms(),
    );
    app.role = role;
    app.journal_unconfirmed = local.is_unconfirmed();
    app.show_role = journal.shared.is_some() || role != Role::Commander;
    app.redactor = redactor;
    app.journal_label = journal_path.display().to_string();
    if let (Some(target), Some(entries)) = (&journal.shared, entries) {
        app.shared = Some(SharedView::new(target.label(), entries));
    }
    // On a shared journal steps are claimed before they run and presence is shown.
    let operator = app.operator.to_string();
    let team = journal.shared.as_ref().and_then(|target| {
        let session = crate::io::shared::presence::new_session_id(&operator);
        TeamLink::lazy(target, session, operator.clone(), role.as_str().to_string())
    });
    if let Some(link) = &team {
        app.team = Team::shared(link.session.clone());
    }
    if let Some(dir) = journal_path.parent() {
        app.console.keep_history(dir.join("sql-history"));
    }
    let warning = match (problems.len(), theme_warning, unready.first()) {
        (0, None, None) => None,
        (0, Some(w), None) => Some(w),
        (0, _, Some(problem)) => Some(format!(
            "notifications will fail: {problem} (`cockpit notify test` checks a channel)"
        )),
        (n, _, _) => Some(format!(
            "{n} playbook file(s) invalid and not loaded: run `cockpit check`"
        )),
    };
    if let Some(w) = warning {
        app.flash = Some(crate::ui::app::Flash::answer(w, true, app.now_ms, 10_000));
    }
    let session = Session {
        journal: local,
        drill,
        mode: if mode == RunMode::Demo {
            "demo"
        } else {
            "live"
        }
        .to_string(),
        after_first_frame: match (cli.exit_after_first_frame, cli.panic_after_first_frame) {
            (_, true) => AfterFirstFrame::Panic,
            (true, false) => AfterFirstFrame::Exit,
            (false, false) => AfterFirstFrame::Continue,
        },
        sql_dialect: (mode == RunMode::Demo)
            .then_some(crate::demo::mysql_to_sqlite as fn(&str) -> String),
        shared: journal.shared.clone().map(|target| SyncSetup {
            target,
            store,
            local_journal: journal_path.clone(),
        }),
        team,
        notify: channels,
    };
    match run(app, session).await {
        Ok(Outcome {
            journal_refused: Some(reason),
            ..
        }) => {
            eprintln!("error: {reason}");
            EXIT_INVALID
        }
        Ok(outcome) => {
            if let Ended::Normally(reason) = &outcome.ended {
                println!(
                    "cockpit: {reason}; journal {} ({} entries){}",
                    journal_path.display(),
                    outcome.entries,
                    journal
                        .shared
                        .as_ref()
                        .map(|t| format!(", shared journal {}", t.label()))
                        .unwrap_or_default()
                );
                if let Some(note) = shared_note(outcome.shared.as_ref(), &journal_path) {
                    println!("{note}");
                }
                for (id, head) in &outcome.resolved_heads {
                    println!(
                        "incident {id} resolved; journal head at resolve: {head}\n  put it in the post-mortem: `cockpit journal verify --expect-head {head} {}` detects any later edit",
                        journal_path.display()
                    );
                }
                if let Some(id) = &outcome.open_incident {
                    println!(
                        "incident {id} is still open; starting cockpit again on this journal resumes it"
                    );
                }
            }
            0
        }
        Err(e) => {
            eprintln!("error: terminal: {e}");
            1
        }
    }
}

/// What the exit says of the shared journal when not everything reached it.
fn shared_note(status: Option<&SyncStatus>, local: &Path) -> Option<String> {
    let waiting = match status? {
        SyncStatus::Online => return None,
        SyncStatus::Offline { waiting: 0, .. } => return None,
        SyncStatus::Offline { waiting, .. } => format!("{waiting} entries"),
        SyncStatus::Connecting | SyncStatus::Error(_) | SyncStatus::Broken(_) => {
            "entries".to_string()
        }
    };
    Some(format!(
        "the shared journal was not reachable at exit: {waiting} of this session may not be in it yet; they are safe in {} and go up the next time cockpit starts on it",
        local.display()
    ))
}
