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
    /// What a playbook trigger reads of the host: state, failing checks, pressure by resource.
    pub fn signals(&self) -> crate::core::run::HostSignals {
        crate::core::run::HostSignals {
            name: self.name.clone(),
            role: self.role.clone(),
            state: self.tracker.state,
            checks: self.outcomes.len(),
            failing: self
                .outcomes
                .iter()
                .filter(|o| !o.ok)
                .map(|o| o.label.clone())
                .collect(),
            pressure: self
                .pressure
                .current
                .as_ref()
                .map(|a| a.levels.clone())
                .unwrap_or_default(),
        }
    }

    /// Latency of the slowest passing check of the last probe, in ms.
    pub fn latency_ms(&self) -> Option<u128> {
        self.outcomes
            .iter()
            .filter(|o| o.ok)
            .map(|o| o.latency.as_millis())
            .max()
    }
}
