//! The Logs pane's data: per-host ring buffers merged by arrival, filters and the view state.

pub mod filter;
pub mod merge;
pub mod ring;
pub mod store;
pub mod view;

pub use filter::LineFilter;
pub use ring::{HostLog, LogLine};
pub use store::{HostView, Incoming, LogStore, Window};
pub use view::LogView;
