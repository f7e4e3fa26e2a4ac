//! `cockpit replay JOURNAL`: the journal played back on the four panes, read-only.

use crate::cli::{Cli, EXIT_INVALID};
use crate::io::identity::current_operator;
use crate::io::shared::JournalLocation;
use crate::io::shared::review::{read_for_review, shown};
use crate::ui::replay::Replay;
use crate::ui::theme::Theme;

/// Replays a journal; 0 when the operator quits, 2 when the journal cannot be replayed.
pub fn replay(cli: &Cli, file: &JournalLocation, force: bool, incident: Option<&str>) -> i32 {
    let runtime = match crate::cli::journal_runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let assessed = match runtime.block_on(read_for_review(file, force)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    crate::cli::warn_integrity(file, &assessed);
    let no_color = crate::cli::no_color();
    let files = crate::cli::config_files(cli.config.as_ref());
    let (theme, warning) = Theme::load(&cli.theme, Some(&files.theme_dir(&cli.theme)), no_color);
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    // The operator's `[keys]` reach the replay's keys too (refused as `cockpit demo` does).
    let keymap = match crate::cli::run::operator_keys(cli)
        .and_then(|keys| crate::ui::keymap::Keymap::with_remaps(&keys.remaps))
    {
        Ok(keymap) => keymap,
        Err(d) => {
            eprintln!(
                "{d}\nerror: the [keys] table of the inventory is invalid; nothing was started"
            );
            return EXIT_INVALID;
        }
    };
    let source = shown(file);
    let mut replay = match Replay::new(assessed, source, current_operator(), theme, incident) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    replay.app.keymap = keymap;
    match runtime.block_on(crate::ui::replay::run(replay)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: the terminal failed: {e}");
            1
        }
    }
}
