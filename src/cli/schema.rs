//! `cockpit schema inventory|playbook|theme` (hidden): prints a file kind's JSON Schema, the text
//! committed as `docs/*.schema.json`.

use crate::core::schema::SchemaKind;

/// The file kinds on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaArg {
    /// `inventory.toml`.
    Inventory,
    /// A playbook file.
    Playbook,
    /// A theme file.
    Theme,
}

/// Prints the schema on stdout; exit status 0.
pub fn print(kind: SchemaArg) -> i32 {
    let text = match kind {
        SchemaArg::Inventory => SchemaKind::Inventory.json(),
        SchemaArg::Playbook => SchemaKind::Playbook.json(),
        SchemaArg::Theme => crate::ui::theme::theme_schema_json(),
    };
    print!("{text}");
    0
}
