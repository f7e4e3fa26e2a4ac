//! Pieces drawn over or around the panes.

pub mod overlays;
pub mod status;
