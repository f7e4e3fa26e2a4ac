//! Host health states (seed 004: normal, degraded, failed, recovering, recovered) and the
//! hysteresis that moves a host between them without flapping.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A host's health as the grid shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostState {
    /// Not probed yet.
    Unknown,
    /// Every check passes.
    Up,
    /// Reachable, but some check fails or a threshold is crossed.
    Degraded,
    /// Failed `down_after` probes in a row.
    Down,
    /// Was down and answers again, not yet `up_after` times in a row.
    Recovering,
    /// Came back from down and has stayed healthy.
    Recovered,
}

impl HostState {
    /// The name used in files and on screen.
    pub fn name(self) -> &'static str {
        match self {
            HostState::Unknown => "unknown",
            HostState::Up => "up",
            HostState::Degraded => "degraded",
            HostState::Down => "down",
            HostState::Recovering => "recovering",
            HostState::Recovered => "recovered",
        }
    }

    /// Whether the host is hurt now: degraded, down or still recovering (not merely unknown).
    pub fn is_impaired(self) -> bool {
        matches!(
            self,
            HostState::Degraded | HostState::Down | HostState::Recovering
        )
    }
}

impl fmt::Display for HostState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HostState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "up" => Ok(HostState::Up),
            "degraded" => Ok(HostState::Degraded),
            "down" => Ok(HostState::Down),
            "recovering" => Ok(HostState::Recovering),
            "recovered" => Ok(HostState::Recovered),
            _ => Err(format!("unknown host state `{s}`")),
        }
    }
}

/// Why a host failed a `check` or `verify` step: the failure a step's `failure_hint` may be
/// written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckFailure {
    /// The host does not answer: down, or every check fails.
    Unreachable,
    /// The host answers but a service check (ssh, tcp, http) fails.
    Service,
    /// The host is under resource pressure at or above the limit the step asked for.
    Pressure,
}

impl CheckFailure {
    /// Every kind, in the order documentation lists them.
    pub const ALL: [CheckFailure; 3] = [
        CheckFailure::Unreachable,
        CheckFailure::Service,
        CheckFailure::Pressure,
    ];

    /// The name used in files and on screen.
    pub fn name(self) -> &'static str {
        match self {
            CheckFailure::Unreachable => "unreachable",
            CheckFailure::Service => "service",
            CheckFailure::Pressure => "pressure",
        }
    }
}

impl FromStr for CheckFailure {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown failure `{s}`"))
    }
}

/// What one probe round of a host found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeVerdict {
    /// Every check passed.
    Healthy,
    /// Reachable, but this check failed.
    Degraded(String),
    /// The host did not answer: this check failed.
    Failed(String),
}

/// Hysteresis settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hysteresis {
    /// Consecutive failed probes before down.
    pub down_after: u32,
    /// Consecutive healthy probes before a down host is recovered.
    pub up_after: u32,
}

/// A host's state with the counters that decide its next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthTracker {
    /// Current state.
    pub state: HostState,
    /// When the current state began (unix ms).
    pub since_ms: i64,
    /// The check that failed last, while one does.
    pub failing: Option<String>,
    /// When the host last went from healthy (or not yet probed) to degraded, down or
    /// recovering (unix ms); None while it is healthy. Unlike `since_ms`, a host going from
    /// degraded to down keeps the moment the trouble began.
    pub unhealthy_since_ms: Option<i64>,
    failures_in_row: u32,
    successes_in_row: u32,
}

/// A change of state, for the grid and the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// State before.
    pub from: HostState,
    /// State after.
    pub to: HostState,
    /// Why (the failing check, or "checks pass").
    pub cause: String,
}

impl HealthTracker {
    /// A host not probed yet.
    pub fn new(now_ms: i64) -> Self {
        Self {
            state: HostState::Unknown,
            since_ms: now_ms,
            failing: None,
            unhealthy_since_ms: None,
            failures_in_row: 0,
            successes_in_row: 0,
        }
    }

    /// Takes one probe result; returns the transition when the state changes.
    pub fn observe(
        &mut self,
        verdict: &ProbeVerdict,
        rules: Hysteresis,
        now_ms: i64,
    ) -> Option<Transition> {
        use HostState::*;
        let next = match verdict {
            ProbeVerdict::Failed(check) => {
                self.failing = Some(check.clone());
                self.successes_in_row = 0;
                self.failures_in_row = self.failures_in_row.saturating_add(1);
                let down = self.failures_in_row >= rules.down_after;
                match self.state {
                    _ if down => Down,
                    Recovering => Down,
                    Unknown => Unknown,
                    Down => Down,
                    _ => Degraded,
                }
            }
            ProbeVerdict::Degraded(check) => {
                self.failing = Some(check.clone());
                self.failures_in_row = 0;
                self.successes_in_row = 0;
                match self.state {
                    Down => Recovering,
                    Recovering => Recovering,
                    _ => Degraded,
                }
            }
            ProbeVerdict::Healthy => {
                self.failing = None;
                self.failures_in_row = 0;
                self.successes_in_row = self.successes_in_row.saturating_add(1);
                let settled = self.successes_in_row >= rules.up_after;
                match self.state {
                    Down | Recovering if settled => Recovered,
                    Down | Recovering => Recovering,
                    Recovered => Recovered,
                    _ => Up,
                }
            }
        };
        if next == self.state {
            return None;
        }
        let transition = Transition {
            from: self.state,
            to: next,
            cause: self
                .failing
                .clone()
                .unwrap_or_else(|| "all checks pass".to_string()),
        };
        let troubled = matches!(next, Degraded | Down | Recovering);
        match (troubled, self.unhealthy_since_ms) {
            (true, None) => self.unhealthy_since_ms = Some(now_ms),
            (false, _) => self.unhealthy_since_ms = None,
            (true, Some(_)) => {}
        }
        self.state = next;
        self.since_ms = now_ms;
        Some(transition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: Hysteresis = Hysteresis {
        down_after: 3,
        up_after: 2,
    };

    fn fail() -> ProbeVerdict {
        ProbeVerdict::Failed("tcp:80".into())
    }

    #[test]
    fn down_only_after_n_failures_and_back_through_recovering() {
        let mut t = HealthTracker::new(0);
        assert_eq!(
            t.observe(&ProbeVerdict::Healthy, RULES, 1).map(|t| t.to),
            Some(HostState::Up)
        );
        assert_eq!(
            t.observe(&fail(), RULES, 2).map(|t| t.to),
            Some(HostState::Degraded)
        );
        assert_eq!(t.observe(&fail(), RULES, 3), None);
        let down = t.observe(&fail(), RULES, 4);
        assert_eq!(down.as_ref().map(|t| t.to), Some(HostState::Down));
        assert_eq!(down.map(|t| t.cause), Some("tcp:80".to_string()));
        assert_eq!(t.since_ms, 4);
        assert_eq!(
            t.observe(&ProbeVerdict::Healthy, RULES, 5).map(|t| t.to),
            Some(HostState::Recovering)
        );
        assert_eq!(
            t.observe(&fail(), RULES, 6).map(|t| t.to),
            Some(HostState::Down)
        );
        t.observe(&ProbeVerdict::Healthy, RULES, 7);
        assert_eq!(
            t.observe(&ProbeVerdict::Healthy, RULES, 8).map(|t| t.to),
            Some(HostState::Recovered)
        );
    }

    #[test]
    fn trouble_keeps_the_moment_it_began_until_the_host_is_healthy() {
        let mut t = HealthTracker::new(0);
        t.observe(&ProbeVerdict::Healthy, RULES, 1);
        assert_eq!(t.unhealthy_since_ms, None);
        t.observe(&fail(), RULES, 2);
        t.observe(&fail(), RULES, 3);
        t.observe(&fail(), RULES, 4);
        assert_eq!((t.state, t.since_ms), (HostState::Down, 4));
        assert_eq!(t.unhealthy_since_ms, Some(2), "degraded at 2, then down");
        t.observe(&ProbeVerdict::Healthy, RULES, 5);
        assert_eq!(t.state, HostState::Recovering);
        assert_eq!(t.unhealthy_since_ms, Some(2));
        t.observe(&ProbeVerdict::Healthy, RULES, 6);
        assert_eq!(t.state, HostState::Recovered);
        assert_eq!(t.unhealthy_since_ms, None);

        let mut never_up = HealthTracker::new(0);
        for at in 10..13 {
            never_up.observe(&fail(), RULES, at);
        }
        assert_eq!(never_up.state, HostState::Down);
        assert_eq!(never_up.unhealthy_since_ms, Some(12), "unknown until down");
    }

    #[test]
    fn one_good_probe_between_failures_prevents_down() {
        let mut t = HealthTracker::new(0);
        t.observe(&ProbeVerdict::Healthy, RULES, 0);
        for _ in 0..5 {
            t.observe(&fail(), RULES, 1);
            t.observe(&fail(), RULES, 1);
            t.observe(&ProbeVerdict::Healthy, RULES, 1);
        }
        assert_eq!(t.state, HostState::Up);
    }
}
