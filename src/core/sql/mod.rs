//! The SQL console's pure side: result values as the grid shows them.

pub mod cell;

pub use cell::{Cell, ColumnInfo};
