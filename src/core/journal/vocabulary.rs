//! The journal's vocabulary: the words records are made of that the rest of the core also
//! speaks — where a variable's value came from, and the moments on the incident clock. They
//! live beside the records so the journal depends on nothing above it; `run` reads and writes
//! them.

use crate::core::severity::Severity;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// Where a variable's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Provenance {
    /// A fact of the host the incident is about.
    IncidentFact {
        /// The host.
        host: String,
        /// The fact (`vars` key), e.g. `public_ip`.
        fact: String,
    },
    /// Typed by the operator.
    Prompt,
    /// Captured from a step's output.
    Capture {
        /// The step that captured it.
        step: String,
    },
    /// The playbook's default for it.
    Default,
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provenance::IncidentFact { host, fact } => write!(f, "fact `{fact}` of {host}"),
            Provenance::Prompt => f.write_str("typed by the operator"),
            Provenance::Capture { step } => write!(f, "captured by step {step}"),
            Provenance::Default => f.write_str("the playbook's default"),
        }
    }
}

/// A moment on the incident clock that is journaled once when the clock passes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Milestone {
    /// The severity's response target passed with nobody responding.
    Respond {
        /// The severity whose target it is.
        severity: Severity,
    },
    /// The severity's resolution target passed.
    Resolve {
        /// The severity whose target it is.
        severity: Severity,
    },
    /// The playbook's recovery time objective passed.
    Rto {
        /// The RTO in minutes.
        minutes: u32,
    },
    /// The incident is escalated to the next level of the path.
    Escalation {
        /// Who is called.
        who: String,
    },
    /// A status checkpoint: the moment the people following the incident hear how it stands
    /// (by default 5 min, 15 min, 1 h and 24 h into a P0 or P1).
    Checkpoint {
        /// Minutes after detection.
        minutes: u32,
    },
}

impl fmt::Display for Milestone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Milestone::Respond { severity } => write!(
                f,
                "{severity} response target ({})",
                minutes(severity.targets().respond)
            ),
            Milestone::Resolve { severity } => write!(
                f,
                "{severity} resolution target ({})",
                minutes(severity.targets().resolve)
            ),
            Milestone::Rto { minutes } => write!(f, "RTO ({minutes} min)"),
            Milestone::Escalation { who } => write!(f, "escalate to {who}"),
            Milestone::Checkpoint { minutes: m } => write!(
                f,
                "status checkpoint ({})",
                minutes(Duration::from_secs(u64::from(*m) * 60))
            ),
        }
    }
}

fn minutes(d: Duration) -> String {
    match d.as_secs() / 60 {
        0 => "immediately".to_string(),
        m if m % 60 == 0 => format!("{} h", m / 60),
        m => format!("{m} min"),
    }
}
