//! A host as the grid shows it: its tracker and its last probe.

use crate::core::health::HealthTracker;
use crate::core::metrics::PressureTracker;
use crate::io::probe::CheckOutcome;

/// A row of the host grid.
#[derive(Debug, Clone)]
pub struct HostRow {
    /// Host name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Address.
    pub address: String,
    /// State and its counters.
    pub tracker: HealthTracker,
    /// The last probe's outcomes.
    pub outcomes: Vec<CheckOutcome>,
    /// When it was last probed (unix ms).
    pub probed_at_ms: Option<i64>,
    /// Its resource pressure, apart from its state.
    pub pressure: PressureTracker,
}

impl HostRow {
    /// Latency of the slowest passing check of the last probe, in ms.
    pub fn latency_ms(&self) -> Option<u128> {
        self.outcomes
            .iter()
            .filter(|o| o.ok)
            .map(|o| o.latency.as_millis())
            .max()
    }
}
