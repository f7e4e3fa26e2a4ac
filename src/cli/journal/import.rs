//! `cockpit journal import FILE postgres://…`: a local journal copied into a shared one,
//! verified first, with the file's journal id as the entries' origin. Entries already there
//! are left as they are, so running it again copies nothing twice.

use crate::cli::EXIT_INVALID;
use crate::core::journal::{Integrity, short_id};
use crate::io::journal_store::read_assessed;
use crate::io::shared::review::REVIEW_TIMEOUT;
use crate::io::shared::{JournalLocation, SharedStore};
use std::path::Path;
use tokio::runtime::Runtime;

/// Entries sent in one transaction.
const BATCH: usize = 500;

/// Imports `file` into the shared journal `target`; 0 when every verified entry is there,
/// 2 when the file or the store cannot be used.
pub fn import(runtime: &Runtime, file: &Path, target: &JournalLocation) -> i32 {
    let JournalLocation::Shared(target) = target else {
        eprintln!(
            "error: the import target must be a shared journal (postgres://user@host/db), not a file"
        );
        return EXIT_INVALID;
    };
    let shown = file.display();
    let assessed = match runtime.block_on(read_assessed(file)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    match &assessed.integrity {
        Integrity::Intact => {}
        Integrity::TornTail(brk) => eprintln!(
            "note: {shown}: the last entry is torn ({brk}), as a crash mid-write leaves it; importing the {} entries before it",
            assessed.entries.len()
        ),
        Integrity::Broken(brk) => {
            eprintln!(
                "error: {shown}: journal chain broken at {brk}; refusing to import a changed journal (`cockpit journal verify {shown}` tells more); nothing was copied"
            );
            return EXIT_INVALID;
        }
    }
    let Some(first) = assessed.entries.first() else {
        eprintln!("error: {shown}: the journal is empty (no entries to import)");
        return EXIT_INVALID;
    };
    let origin = first.hash.clone();
    let label = target.label();
    let copied = runtime.block_on(async {
        let store = SharedStore::connect(target, REVIEW_TIMEOUT).await?;
        let before = store.uploaded_through(&origin).await?;
        for chunk in assessed.entries.chunks(BATCH) {
            store.append_from(&origin, chunk).await?;
        }
        store.close().await;
        Ok::<u64, crate::io::shared::SharedError>(before)
    });
    let before = match copied {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    let total = assessed.entries.len() as u64;
    let already = before.min(total);
    println!(
        "{shown} (journal {}): {total} entries verified; {} copied to {label}, {already} already there",
        short_id(&origin),
        total - already
    );
    0
}
