//! One module per pane.

pub mod hosts;
pub mod logs;
pub mod playbook;
pub mod sql;
