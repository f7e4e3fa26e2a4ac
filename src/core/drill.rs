//! Drill faults: what the cockpit may do to a simulated fleet (`cockpit demo`).

/// A fleet that accepts injected faults. The demo fleet implements it; real fleets do not.
pub trait Drill: Send {
    /// Hosts that can take a fault, with the fault active on each, if any.
    fn hosts(&self) -> Vec<(String, Option<String>)>;
    /// Kills a host: its ports close and its logs stop. Returns what was done.
    fn inject(&mut self, host: &str) -> Result<String, String>;
    /// Brings a killed host back.
    fn clear(&mut self, host: &str) -> Result<(), String>;
}
