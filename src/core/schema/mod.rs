//! JSON Schemas of the inventory and playbook files, derived from the very types that parse
//! them. Committed as `docs/inventory.schema.json` and `docs/playbook.schema.json` (a test keeps
//! them current; `cockpit schema inventory|playbook` prints them), and read by editors through
//! the `#:schema` line at the top of a file (taplo, VS Code's Even Better TOML).
//!
//! The words these schemas offer for closed sets (step kinds, drivers…) are in
//! [`crate::core::choices`], below the file types that use them.

mod toml_shape;

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;

/// Which file a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// `inventory.toml`: hosts, databases, settings.
    Inventory,
    /// A playbook file.
    Playbook,
}

impl SchemaKind {
    /// Every kind, in the order the docs list them.
    pub const ALL: [SchemaKind; 2] = [SchemaKind::Inventory, SchemaKind::Playbook];

    /// The name used on the command line and in the file name, e.g. `inventory`.
    pub fn name(self) -> &'static str {
        match self {
            SchemaKind::Inventory => "inventory",
            SchemaKind::Playbook => "playbook",
        }
    }

    /// Where the schema is committed, relative to the repository root.
    pub fn committed_path(self) -> &'static str {
        match self {
            SchemaKind::Inventory => "docs/inventory.schema.json",
            SchemaKind::Playbook => "docs/playbook.schema.json",
        }
    }

    /// The schema as pretty JSON text ending with a newline.
    pub fn json(self) -> String {
        match self {
            SchemaKind::Inventory => inventory_schema_json(),
            SchemaKind::Playbook => playbook_schema_json(),
        }
    }
}

/// The JSON Schema of `inventory.toml`, as pretty JSON text ending with a newline: what
/// `cockpit init` writes beside the inventory it creates, and `docs/inventory.schema.json`.
pub fn inventory_schema_json() -> String {
    schema_json::<crate::core::inventory::RawInventory>()
}

/// The JSON Schema of a playbook file, as pretty JSON text ending with a newline
/// (`docs/playbook.schema.json`).
pub fn playbook_schema_json() -> String {
    schema_json::<crate::core::playbook::RawPlaybook>()
}

/// The schema of a file type as pretty JSON text ending with a newline: draft 7 (what taplo and
/// most editors validate against), without the `null` that `Option` fields bring in (TOML has
/// no null).
pub fn schema_json<T: JsonSchema>() -> String {
    let schema = SchemaSettings::draft07()
        .with_transform(toml_shape::NoNull)
        .into_generator()
        .into_root_schema_for::<T>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
