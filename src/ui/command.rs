//! Work `App::update` asks the runtime to do; results come back as events.

use crate::core::journal::Record;

/// A request from the app state to the outside world.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Append to the journal; the app changes when the entry comes back.
    Journal(Record),
    /// Inject a drill fault into a host of the demo fleet.
    InjectFault(String),
    /// Clear a drill fault.
    ClearFault(String),
    /// Run the read-only diagnose bundle on a host; the report comes back as an event.
    Diagnose {
        /// The host.
        host: String,
        /// Its log files, whose recent errors the bundle includes.
        logs: Vec<String>,
    },
    /// Stop cockpit (after journaling the end of the session).
    Quit(String),
}
