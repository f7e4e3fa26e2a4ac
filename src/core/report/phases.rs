//! Detection → response → mitigation → recovery: when each phase of an incident began, from the
//! journal alone. The report and `cockpit stats` share these definitions (README, "Phases"):
//!
//! - **Impact start**: the earliest evidence that something was wrong before the incident was
//!   opened: the moment cockpit's health checks first saw a host unhealthy (recorded with the
//!   opening), a `host_state_changed` to degraded/down/recovering of a host still unhealthy at
//!   opening, or a drill fault still active at opening. None of these: unknown.
//! - **Detected**: the incident was opened (someone declared it).
//! - **Responded**: the first act of an operator on the incident at or after opening (a note, a
//!   pinned line, a step started, ticked, skipped or confirmed, a severity change, a SQL
//!   statement…). Things cockpit records by itself (outputs, milestones, host states, captured
//!   variables) do not count.
//! - **Mitigated**: service restored, the earlier of: every host affected (unhealthy at opening
//!   or turned unhealthy since) healthy again for the first time; the last successful run of a
//!   `verify` step of the playbook before resolution. Neither: unknown.
//! - **Resolved**: the incident was resolved (recovery complete).

use crate::core::health::HostState;
use crate::core::journal::{Entry, Record};
use crate::core::report::scope::{Scope, healthy, operator_act, scope, unhealthy};
use std::collections::{BTreeMap, BTreeSet};

/// A moment of an incident and the journal evidence for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    /// When (unix ms).
    pub at_ms: i64,
    /// The entry that shows it (None when the opening entry recorded it).
    pub seq: Option<u64>,
    /// What the evidence is, in a few words.
    pub basis: String,
}

/// When each phase of one incident began; None where the journal holds no evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phases {
    /// The failure began.
    pub impact: Option<Moment>,
    /// The incident was opened.
    pub detected: Moment,
    /// An operator first acted on it.
    pub responded: Option<Moment>,
    /// Service was restored.
    pub mitigated: Option<Moment>,
    /// The incident was resolved.
    pub resolved: Option<Moment>,
}

impl Phases {
    /// Impact start → detection.
    pub fn time_to_detect(&self) -> Option<i64> {
        self.impact
            .as_ref()
            .map(|i| self.detected.at_ms.saturating_sub(i.at_ms))
    }

    /// Detection → first operator act.
    pub fn time_to_respond(&self) -> Option<i64> {
        self.since_detection(self.responded.as_ref())
    }

    /// Detection → service restored.
    pub fn time_to_mitigate(&self) -> Option<i64> {
        self.since_detection(self.mitigated.as_ref())
    }

    /// Detection → resolution.
    pub fn time_to_resolve(&self) -> Option<i64> {
        self.since_detection(self.resolved.as_ref())
    }

    /// Impact start → service restored (how long users were affected).
    pub fn impact_duration(&self) -> Option<i64> {
        Some(
            self.mitigated
                .as_ref()?
                .at_ms
                .saturating_sub(self.impact.as_ref()?.at_ms),
        )
    }

    fn since_detection(&self, m: Option<&Moment>) -> Option<i64> {
        m.map(|m| m.at_ms.saturating_sub(self.detected.at_ms))
    }
}

/// The phases of incident `id`; None when the entries do not open it.
pub fn phases(entries: &[Entry], id: &str) -> Option<Phases> {
    let open = entries.iter().position(
        |e| matches!(&e.record, Record::IncidentOpened { incident, .. } if incident == id),
    )?;
    let mut trouble = Trouble::default();
    entries[..open].iter().for_each(|e| trouble.observe(e));
    from_opening(entries, open, &trouble)
}

/// The phases of every incident, in the order they were opened, with the index of the entry
/// that opened each: one pass gathers the evidence before each opening.
pub fn all_phases(entries: &[Entry]) -> Vec<(usize, Phases)> {
    let mut trouble = Trouble::default();
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(p) = from_opening(entries, i, &trouble) {
            out.push((i, p));
        }
        trouble.observe(e);
    }
    out
}

/// The phases of the incident opened by `entries[open]`, given the trouble seen before it.
fn from_opening(entries: &[Entry], open: usize, trouble: &Trouble) -> Option<Phases> {
    let opening = entries.get(open)?;
    let Record::IncidentOpened {
        incident: id,
        fleet,
        steps,
        unhealthy_since_ms,
        ..
    } = &opening.record
    else {
        return None;
    };
    let resolved_at = entries[open..].iter().position(
        |e| matches!(&e.record, Record::IncidentResolved { incident, .. } if incident == id),
    );
    let during = match resolved_at {
        Some(r) => &entries[open + 1..open + r],
        None => &entries[open + 1..],
    };
    let resolved = resolved_at.map(|r| {
        let e = &entries[open + r];
        Moment {
            at_ms: e.at_ms,
            seq: Some(e.seq),
            basis: format!("resolved by {}", e.actor),
        }
    });
    let verify_steps: BTreeSet<&str> = steps
        .iter()
        .filter(|s| s.kind == "verify")
        .map(|s| s.id.as_str())
        .collect();
    Some(Phases {
        impact: trouble.impact(fleet, *unhealthy_since_ms, opening.at_ms),
        detected: Moment {
            at_ms: opening.at_ms,
            seq: Some(opening.seq),
            basis: format!("incident opened by {}", opening.actor),
        },
        responded: responded(during, id),
        mitigated: earliest([
            fleet_healthy_again(during, id, fleet),
            last_verify_passed(during, id, &verify_steps),
        ]),
        resolved,
    })
}

fn earliest<const N: usize>(candidates: [Option<Moment>; N]) -> Option<Moment> {
    candidates.into_iter().flatten().min_by_key(|m| m.at_ms)
}

/// Evidence of trouble seen so far: drill faults still active, and when each host's current
/// unhealthy stretch began.
#[derive(Default)]
struct Trouble<'a> {
    faults: BTreeMap<&'a str, &'a Entry>,
    stretches: BTreeMap<&'a str, (&'a Entry, HostState)>,
}

impl<'a> Trouble<'a> {
    fn observe(&mut self, e: &'a Entry) {
        match &e.record {
            Record::FaultInjected { host, .. } => {
                self.faults.insert(host, e);
            }
            Record::FaultCleared { host } => {
                self.faults.remove(host.as_str());
            }
            Record::HostStateChanged { host, from, to, .. } => {
                if !unhealthy(*to) {
                    self.stretches.remove(host.as_str());
                } else if !unhealthy(*from) || !self.stretches.contains_key(host.as_str()) {
                    self.stretches.insert(host, (e, *to));
                }
            }
            _ => {}
        }
    }

    /// The earliest evidence of trouble at an opening (see the module doc).
    fn impact(
        &self,
        fleet: &BTreeMap<String, HostState>,
        unhealthy_since_ms: Option<i64>,
        opened_ms: i64,
    ) -> Option<Moment> {
        // A host healthy at opening had recovered: its earlier trouble is not this incident's.
        let still_unhealthy =
            |host: &str| fleet.is_empty() || fleet.get(host).is_some_and(|s| unhealthy(*s));
        let recorded = unhealthy_since_ms.map(|at_ms| Moment {
            at_ms,
            seq: None,
            basis: "cockpit's health checks first saw a host unhealthy".to_string(),
        });
        let changes = self
            .stretches
            .iter()
            .filter(|(host, _)| still_unhealthy(host))
            .map(|(host, (e, to))| Moment {
                at_ms: e.at_ms,
                seq: Some(e.seq),
                basis: format!("{host} turned {to}"),
            });
        let injected = self.faults.iter().map(|(host, e)| Moment {
            at_ms: e.at_ms,
            seq: Some(e.seq),
            basis: format!("drill fault injected on {host}"),
        });
        recorded
            .into_iter()
            .chain(changes)
            .chain(injected)
            .filter(|m| m.at_ms <= opened_ms)
            .min_by_key(|m| m.at_ms)
    }
}

fn responded(during: &[Entry], id: &str) -> Option<Moment> {
    during.iter().find_map(|e| {
        if scope(&e.record) != Scope::Incident(id) {
            return None;
        }
        operator_act(&e.record).map(|act| Moment {
            at_ms: e.at_ms,
            seq: Some(e.seq),
            basis: format!("{} {act}", e.actor),
        })
    })
}

/// The first moment every host affected so far is healthy again.
fn fleet_healthy_again(
    during: &[Entry],
    id: &str,
    fleet: &BTreeMap<String, HostState>,
) -> Option<Moment> {
    let mut states: BTreeMap<&str, HostState> =
        fleet.iter().map(|(h, s)| (h.as_str(), *s)).collect();
    let mut affected: BTreeSet<&str> = fleet
        .iter()
        .filter(|(_, s)| unhealthy(**s))
        .map(|(h, _)| h.as_str())
        .collect();
    for e in during {
        let Record::HostStateChanged { host, to, .. } = &e.record else {
            continue;
        };
        if matches!(scope(&e.record), Scope::Incident(other) if other != id) {
            continue;
        }
        states.insert(host, *to);
        if unhealthy(*to) {
            affected.insert(host);
        }
        let all_back = affected
            .iter()
            .all(|h| states.get(h).is_some_and(|s| healthy(*s)));
        if !affected.is_empty() && all_back {
            let hosts: Vec<&str> = affected.iter().copied().collect();
            return Some(Moment {
                at_ms: e.at_ms,
                seq: Some(e.seq),
                basis: format!("every affected host healthy again ({})", hosts.join(", ")),
            });
        }
    }
    None
}

fn last_verify_passed(during: &[Entry], id: &str, verify: &BTreeSet<&str>) -> Option<Moment> {
    during.iter().rev().find_map(|e| match &e.record {
        Record::StepFinished {
            incident,
            step,
            ok: true,
            ..
        } if incident == id && verify.contains(step.as_str()) => Some(Moment {
            at_ms: e.at_ms,
            seq: Some(e.seq),
            basis: format!("verify step {step} passed"),
        }),
        _ => None,
    })
}
