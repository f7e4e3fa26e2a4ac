//! Pieces drawn over or around the panes.

pub mod access;
pub mod incident_picker;
pub mod overlays;
pub mod result_grid;
pub mod shared_status;
pub mod sql_dialogs;
pub mod status;
pub mod step_dialogs;
