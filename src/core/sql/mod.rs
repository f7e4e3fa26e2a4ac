//! The SQL console's pure side: result values as the grid shows them.

pub mod cell;

pub use cell::{Cell, ColumnInfo};
mod lex;
mod parsed;
pub mod setting;
pub mod statement;
mod tautology;

pub use setting::RefusingSetting;
pub use statement::{
    Danger, StatementKind, StatementSpan, Verdict, classify, counted_table, cursor_offset, danger,
    judge, reselect, split_statements, statement_at, unjudgeable,
};
pub mod highlight;
pub mod layout;

pub use highlight::{TokenKind, highlight, highlight_lines};
pub use layout::{display_width, fit_cell, fit_widths};
