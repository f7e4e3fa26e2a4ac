//! Incident severity levels P0–P3 and their response/resolution targets (seed 002).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How bad an incident is, as the Health Butler recovery guide grades it: P0 system down … P3 minor
/// or degraded performance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    /// Emergency: the system is completely unavailable.
    P0,
    /// Severe: core functions are unavailable.
    P1,
    /// Important: some functions are unavailable.
    P2,
    /// Minor: degraded performance or small functional issues.
    P3,
}

/// Time targets attached to a severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeverityTargets {
    /// Time by which someone must be working the incident (zero = immediately).
    pub respond: Duration,
    /// Time by which the incident must be resolved.
    pub resolve: Duration,
}

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;

impl Severity {
    /// Every level, most severe first.
    pub const ALL: [Severity; 4] = [Severity::P0, Severity::P1, Severity::P2, Severity::P3];

    /// The recovery guide's table: P0 immediately / < 1 h; P1 < 15 min / < 4 h; P2 < 1 h / < 24 h;
    /// P3 < 4 h / < 72 h.
    pub fn targets(self) -> SeverityTargets {
        let (respond, resolve) = match self {
            Severity::P0 => (0, HOUR),
            Severity::P1 => (15 * MINUTE, 4 * HOUR),
            Severity::P2 => (HOUR, 24 * HOUR),
            Severity::P3 => (4 * HOUR, 72 * HOUR),
        };
        SeverityTargets {
            respond: Duration::from_secs(respond),
            resolve: Duration::from_secs(resolve),
        }
    }

    /// A one-line description for pickers.
    pub fn meaning(self) -> &'static str {
        match self {
            Severity::P0 => "emergency: system completely unavailable",
            Severity::P1 => "severe: core function unavailable",
            Severity::P2 => "important: part of the system unavailable",
            Severity::P3 => "minor: degraded performance or small issue",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Severity::P0 => "P0",
            Severity::P1 => "P1",
            Severity::P2 => "P2",
            Severity::P3 => "P3",
        };
        f.write_str(s)
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "P0" => Ok(Severity::P0),
            "P1" => Ok(Severity::P1),
            "P2" => Ok(Severity::P2),
            "P3" => Ok(Severity::P3),
            _ => Err(format!("unknown severity `{s}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_follow_seed_002() {
        assert_eq!(Severity::P0.targets().respond, Duration::ZERO);
        assert_eq!(Severity::P0.targets().resolve, Duration::from_secs(3600));
        assert_eq!(Severity::P1.targets().respond, Duration::from_secs(900));
        assert_eq!(
            Severity::P3.targets().resolve,
            Duration::from_secs(72 * 3600)
        );
    }

    #[test]
    fn parses_case_insensitively() {
        assert_eq!("p2".parse::<Severity>(), Ok(Severity::P2));
        assert!("P4".parse::<Severity>().is_err());
    }
}
