//! `cockpit replay JOURNAL`: the journal played back on the four panes, read-only.

use crate::cli::{Cli, EXIT_INVALID};
use crate::core::journal::Integrity;
use crate::io::identity::current_operator;
use crate::io::journal_store::read_for_review;
use crate::ui::replay::Replay;
use crate::ui::theme::Theme;
use std::path::Path;

/// Replays a journal; 0 when the operator quits, 2 when the journal cannot be replayed.
pub fn replay(cli: &Cli, file: &Path, force: bool, incident: Option<&str>) -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return 1;
        }
    };
    let assessed = match runtime.block_on(read_for_review(file, force)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    match &assessed.integrity {
        Integrity::Intact => {}
        Integrity::TornTail(brk) => eprintln!(
            "warning: {}: the last entry is torn ({brk}), as a crash mid-write leaves it; replaying the {} entries before it",
            file.display(),
            assessed.entries.len()
        ),
        Integrity::Broken(brk) => eprintln!(
            "warning: {}: UNVERIFIED: chain broken at {brk}; replaying only the {} entries before it (--force)",
            file.display(),
            assessed.entries.len()
        ),
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (_, config_dir) = crate::cli::config_paths(cli.config.as_ref());
    let (theme, warning) = Theme::load(&cli.theme, Some(&config_dir.join("themes")), no_color);
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    let source = file.display().to_string();
    let replay = match Replay::new(assessed, source, current_operator(), theme, incident) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    crate::ui::terminal::install_panic_hook();
    match runtime.block_on(crate::ui::replay::run(replay)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: the terminal failed: {e}");
            1
        }
    }
}
