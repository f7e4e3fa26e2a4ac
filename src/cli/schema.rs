//! `cockpit schema inventory|playbook` (hidden): prints a file kind's JSON Schema, the text
//! committed as `docs/*.schema.json`.

use crate::core::schema::SchemaKind;

/// The file kinds on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaArg {
    /// `inventory.toml`.
    Inventory,
    /// A playbook file.
    Playbook,
}

/// Prints the schema on stdout; exit status 0.
pub fn print(kind: SchemaArg) -> i32 {
    let kind = match kind {
        SchemaArg::Inventory => SchemaKind::Inventory,
        SchemaArg::Playbook => SchemaKind::Playbook,
    };
    print!("{}", kind.json());
    0
}
