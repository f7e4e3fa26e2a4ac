//! The signed-heads part of `cockpit journal verify`: without `--allowed-signers` it counts
//! the signatures it did not check; with it, it checks every signature of the journal and of
//! its sidecar file and says what they show (see `core::head_seal::Finding`).

use crate::cli::EXIT_INVALID;
use crate::core::head_seal::{Finding, judge, parse_allowed_signers, parse_sidecar};
use crate::core::journal::{Assessed, HashRule, Integrity, Record};
use crate::io::head_sign::{check_all, read_small, sidecar_path};
use std::path::Path;

/// Exit status of evidence that is incomplete but not of tampering.
const EXIT_INCOMPLETE: i32 = 1;

/// Prints the signatures' findings; returns the exit status they call for.
pub fn report(file: &Path, a: &Assessed, allowed_signers: Option<&Path>) -> i32 {
    let sidecar_file = sidecar_path(file);
    let sidecar = match read_small(&sidecar_file) {
        Ok(s) => s,
        Err(e) => {
            println!("signatures: the sidecar file cannot be read: {e}");
            return EXIT_INVALID;
        }
    };
    let in_journal = a
        .entries
        .iter()
        .filter(|e| matches!(e.record, Record::HeadSigned { .. }))
        .count();
    let (blocks, stray) = sidecar.as_deref().map(parse_sidecar).unwrap_or_default();
    let shown = sidecar_file.display();
    let Some(allowed_path) = allowed_signers else {
        if in_journal + blocks.len() > 0 {
            println!(
                "signatures: {in_journal} in the journal, {} in {shown}; not checked (pass --allowed-signers FILE)",
                blocks.len()
            );
        }
        return 0;
    };
    let allowed_text = match read_small(allowed_path) {
        Ok(Some(t)) => t,
        Ok(None) => {
            eprintln!(
                "error: {}: no such allowed-signers file",
                allowed_path.display()
            );
            return EXIT_INVALID;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    let (allowed, notes) = parse_allowed_signers(&allowed_text);
    for note in &notes {
        println!("allowed signers {}: {note}", allowed_path.display());
    }
    let mut code = 0;
    match &sidecar {
        None => {
            println!(
                "signatures: no sidecar file {shown}: a journal cut before its last signature cannot be told from a whole one"
            );
            code = EXIT_INCOMPLETE;
        }
        Some(_) => println!(
            "signatures: {in_journal} in the journal, {} in {shown}",
            blocks.len()
        ),
    }
    for line in stray {
        println!("BAD SIDECAR: {shown} line {line}: not a whole signature block");
        code = EXIT_INVALID;
    }
    let checked = check_all(&a.entries, sidecar.as_deref(), &allowed);
    let whole = a.integrity == Integrity::Intact;
    let signs = a.rule == HashRule::Full;
    let findings = judge(&a.entries, whole, signs, &checked);
    if findings.is_empty() {
        println!("NOT SIGNED: no entry is covered by a signature");
        return code.max(EXIT_INCOMPLETE);
    }
    for f in &findings {
        println!("{f}");
        if f.is_tampering() {
            code = EXIT_INVALID;
        } else if f.is_gap() {
            code = code.max(EXIT_INCOMPLETE);
        }
    }
    let last_signed = findings
        .iter()
        .filter_map(|f| match f {
            Finding::Signed { seq, .. } => Some(*seq),
            _ => None,
        })
        .max();
    match (code, last_signed) {
        (0, Some(seq)) => println!(
            "signatures: OK, every entry up to #{seq} is vouched for by a valid signature and nothing but signatures follows it"
        ),
        (_, None) => println!("signatures: no valid signature covers any entry"),
        _ => {}
    }
    code
}
