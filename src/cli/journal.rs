//! `cockpit journal verify FILE`.

use crate::cli::EXIT_INVALID;
use crate::core::journal::verify_chain;
use crate::io::journal_store::read_stored;
use std::path::Path;

/// Verifies a journal's chain; 0 when intact, 2 when broken or unreadable.
pub fn verify(file: &Path) -> i32 {
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
    let stored = match runtime.block_on(read_stored(file)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    match verify_chain(&stored) {
        Ok(entries) => {
            let head = entries
                .last()
                .map_or("(empty)".to_string(), |e| e.hash.clone());
            println!(
                "{}: OK, {} entries, chain intact",
                file.display(),
                entries.len()
            );
            println!("head {head}");
            0
        }
        Err((brk, intact)) => {
            eprintln!("{}: BROKEN: {brk}", file.display());
            eprintln!(
                "{} entries before it verify; the last good head is {}",
                intact.len(),
                intact.last().map_or("(none)", |e| e.hash.as_str())
            );
            EXIT_INVALID
        }
    }
}
