//! The incident clock: deadlines and escalation as pure functions of the time elapsed since
//! detection. Nothing here reads a clock; the caller passes durations.

use crate::core::settings::EscalationLevel;
use crate::core::severity::Severity;
use std::time::Duration;

/// Kept at its old path for callers outside the core; it is the journal's word.
pub use crate::core::journal::Milestone;

/// What the clock measures an incident against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockTargets<'a> {
    /// The incident's current severity (its response and resolution targets).
    pub severity: Severity,
    /// The playbook's RTO in minutes.
    pub rto_minutes: Option<u32>,
    /// The escalation path of the inventory settings.
    pub escalation: &'a [EscalationLevel],
    /// Whether someone is working the incident (an incident opened in cockpit is); the
    /// response target is only a milestone while nobody is.
    pub responded: bool,
    /// Minutes of the status checkpoints (empty when the severity has none).
    pub checkpoints: &'a [u32],
}

impl ClockTargets<'_> {
    /// Every milestone with the elapsed time at which it is reached, earliest first.
    pub fn schedule(&self) -> Vec<(Milestone, Duration)> {
        let targets = self.severity.targets();
        let mut out = Vec::new();
        if !self.responded {
            out.push((
                Milestone::Respond {
                    severity: self.severity,
                },
                targets.respond,
            ));
        }
        out.push((
            Milestone::Resolve {
                severity: self.severity,
            },
            targets.resolve,
        ));
        if let Some(m) = self.rto_minutes {
            out.push((Milestone::Rto { minutes: m }, mins(m)));
        }
        for level in self.escalation {
            let at = if level.immediately_for.contains(&self.severity) {
                Duration::ZERO
            } else {
                mins(level.after_minutes)
            };
            out.push((
                Milestone::Escalation {
                    who: level.who.clone(),
                },
                at,
            ));
        }
        for &m in self.checkpoints {
            out.push((Milestone::Checkpoint { minutes: m }, mins(m)));
        }
        out.sort_by_key(|(_, at)| *at);
        out
    }

    /// Milestones reached at `now` that were not reached at `prev` (None: the clock was not
    /// looked at before, so milestones at zero count).
    pub fn crossed(&self, prev: Option<Duration>, now: Duration) -> Vec<Milestone> {
        self.schedule()
            .into_iter()
            .filter(|(_, at)| *at <= now && prev.is_none_or(|p| *at > p))
            .map(|(m, _)| m)
            .collect()
    }

    /// Milestones reached at `now` that the journal does not hold yet: journal each returned
    /// one, and it is never returned again, also after a resume or a severity change.
    pub fn due(&self, now: Duration, journaled: &[Milestone]) -> Vec<Milestone> {
        self.crossed(None, now)
            .into_iter()
            .filter(|m| !journaled.contains(m))
            .collect()
    }

    /// What the status line shows at `elapsed`.
    pub fn deadlines(&self, elapsed: Duration) -> Deadlines {
        let schedule = self.schedule();
        let upcoming = |(m, at): &(Milestone, Duration)| Upcoming {
            milestone: m.clone(),
            at: *at,
            left: at.saturating_sub(elapsed),
        };
        let is_escalation = |m: &Milestone| matches!(m, Milestone::Escalation { .. });
        let is_target = |m: &Milestone| {
            !matches!(
                m,
                Milestone::Escalation { .. } | Milestone::Checkpoint { .. }
            )
        };
        Deadlines {
            elapsed,
            next_target: schedule
                .iter()
                .find(|(m, at)| *at > elapsed && is_target(m))
                .map(upcoming),
            overdue: schedule
                .iter()
                .filter(|(m, at)| *at <= elapsed && is_target(m))
                .map(|(m, at)| (m.clone(), elapsed - *at))
                .collect(),
            escalated_to: schedule
                .iter()
                .rev()
                .find(|(m, at)| *at <= elapsed && is_escalation(m))
                .and_then(|(m, _)| match m {
                    Milestone::Escalation { who } => Some(who.clone()),
                    _ => None,
                }),
            next_escalation: schedule
                .iter()
                .find(|(m, at)| *at > elapsed && is_escalation(m))
                .map(upcoming),
        }
    }
}

fn mins(m: u32) -> Duration {
    Duration::from_secs(u64::from(m) * 60)
}

/// A milestone still ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upcoming {
    /// Which.
    pub milestone: Milestone,
    /// Elapsed time at which it is reached.
    pub at: Duration,
    /// Time left until then.
    pub left: Duration,
}

/// The clock as the status line shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlines {
    /// Time since detection.
    pub elapsed: Duration,
    /// The nearest response/resolution/RTO target still ahead.
    pub next_target: Option<Upcoming>,
    /// Targets already passed, with how long ago.
    pub overdue: Vec<(Milestone, Duration)>,
    /// The highest escalation level reached (who is called now).
    pub escalated_to: Option<String>,
    /// The next escalation level and when.
    pub next_escalation: Option<Upcoming>,
}

/// Time elapsed between two unix-ms instants (zero if `now` is before `since`).
pub fn elapsed_between(since_ms: i64, now_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(now_ms.saturating_sub(since_ms)).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::settings::default_escalation;

    fn m(minutes: u64) -> Duration {
        Duration::from_secs(minutes * 60)
    }

    fn esc(who: &str) -> Milestone {
        Milestone::Escalation { who: who.into() }
    }

    fn targets(severity: Severity, path: &[EscalationLevel]) -> ClockTargets<'_> {
        ClockTargets {
            severity,
            rto_minutes: Some(30),
            escalation: path,
            responded: true,
            checkpoints: &[],
        }
    }

    #[test]
    fn checkpoints_are_milestones_but_not_targets() {
        let path = default_escalation();
        let clock = ClockTargets {
            checkpoints: &[5, 15],
            ..targets(Severity::P1, &path)
        };
        assert_eq!(
            clock.due(m(16), &[]),
            [
                esc("on-call engineer"),
                Milestone::Checkpoint { minutes: 5 },
                esc("team lead"),
                Milestone::Checkpoint { minutes: 15 },
            ]
        );
        let d = clock.deadlines(m(16));
        assert!(d.overdue.is_empty(), "{:?}", d.overdue);
        assert_eq!(
            d.next_target.map(|u| u.milestone),
            Some(Milestone::Rto { minutes: 30 })
        );
        assert_eq!(
            Milestone::Checkpoint { minutes: 60 }.to_string(),
            "status checkpoint (1 h)"
        );
    }

    #[test]
    fn p1_deadlines_over_time() {
        let path = default_escalation();
        let t = targets(Severity::P1, &path);
        let at_10 = t.deadlines(m(10));
        assert_eq!(at_10.escalated_to.as_deref(), Some("on-call engineer"));
        assert_eq!(
            at_10.next_target.as_ref().map(|u| (&u.milestone, u.left)),
            Some((&Milestone::Rto { minutes: 30 }, m(20)))
        );
        assert_eq!(
            at_10.next_escalation.map(|u| (u.milestone, u.left)),
            Some((esc("team lead"), m(5)))
        );
        assert!(at_10.overdue.is_empty());
        let at_45 = t.deadlines(m(45));
        assert_eq!(at_45.escalated_to.as_deref(), Some("director"));
        assert_eq!(at_45.overdue, [(Milestone::Rto { minutes: 30 }, m(15))]);
        assert_eq!(
            at_45.next_target.map(|u| (u.milestone, u.left)),
            Some((
                Milestone::Resolve {
                    severity: Severity::P1
                },
                m(195)
            ))
        );
        assert_eq!(t.deadlines(m(61)).escalated_to.as_deref(), Some("CTO"));
    }

    #[test]
    fn p0_reaches_the_cto_at_once() {
        let path = default_escalation();
        let t = targets(Severity::P0, &path);
        assert_eq!(t.deadlines(m(1)).escalated_to.as_deref(), Some("CTO"));
        assert_eq!(
            t.crossed(None, Duration::ZERO),
            [esc("on-call engineer"), esc("CTO")]
        );
    }

    #[test]
    fn each_crossing_is_reported_once_between_ticks() {
        let path = default_escalation();
        let t = targets(Severity::P1, &path);
        assert_eq!(t.crossed(None, m(1)), [esc("on-call engineer")]);
        assert!(t.crossed(Some(m(1)), m(14)).is_empty());
        assert_eq!(t.crossed(Some(m(14)), m(15)), [esc("team lead")]);
        assert!(t.crossed(Some(m(15)), m(16)).is_empty());
        assert_eq!(
            t.crossed(Some(m(16)), m(31)),
            [Milestone::Rto { minutes: 30 }, esc("director")]
        );
    }

    #[test]
    fn due_skips_what_the_journal_holds_across_a_resume() {
        let path = default_escalation();
        let t = targets(Severity::P1, &path);
        let journaled = vec![esc("on-call engineer"), esc("team lead")];
        // cockpit was down from minute 16 to minute 40: what it missed is due now, once.
        assert_eq!(
            t.due(m(40), &journaled),
            [Milestone::Rto { minutes: 30 }, esc("director")]
        );
        let mut all = journaled.clone();
        all.extend(t.due(m(40), &journaled));
        assert!(t.due(m(41), &all).is_empty());
        // Raised to P0 later: its own resolution target and the CTO become due.
        let p0 = targets(Severity::P0, &path);
        assert_eq!(
            p0.due(m(61), &all),
            [
                esc("CTO"),
                Milestone::Resolve {
                    severity: Severity::P0
                }
            ]
        );
    }

    #[test]
    fn response_target_only_while_nobody_responded() {
        let path = [];
        let mut t = targets(Severity::P2, &path);
        t.rto_minutes = None;
        t.responded = false;
        assert_eq!(
            t.crossed(None, m(61)),
            [Milestone::Respond {
                severity: Severity::P2
            }]
        );
        t.responded = true;
        assert!(t.crossed(None, m(61)).is_empty());
    }

    #[test]
    fn milestones_read_well_and_survive_json() {
        assert_eq!(
            Milestone::Resolve {
                severity: Severity::P0
            }
            .to_string(),
            "P0 resolution target (1 h)"
        );
        assert_eq!(
            Milestone::Respond {
                severity: Severity::P0
            }
            .to_string(),
            "P0 response target (immediately)"
        );
        assert_eq!(esc("CTO").to_string(), "escalate to CTO");
        let json = serde_json::to_string(&esc("team lead")).unwrap_or_default();
        assert_eq!(json, r#"{"kind":"escalation","who":"team lead"}"#);
        assert_eq!(
            serde_json::from_str::<Milestone>(&json).ok(),
            Some(esc("team lead"))
        );
        assert_eq!(elapsed_between(1_000, 61_000), Duration::from_secs(60));
        assert_eq!(elapsed_between(5_000, 1_000), Duration::ZERO);
    }
}
