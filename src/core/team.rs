//! Working as a team on a shared journal: who is on which incident (presence), who runs which
//! step (claims), and incident ids that stay unique when several cockpits open incidents in the
//! same minute. Pure: the queries are in `io::shared::{presence, claims}`.

use crate::core::incident::Incident;
use sha2::{Digest, Sha256};

/// A cockpit session seen on the shared store recently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Present {
    /// The session's id (one per running cockpit).
    pub session: String,
    /// Who (`user@host`).
    pub operator: String,
    /// Their role (`commander`, `operator`, `observer`).
    pub role: String,
    /// The incident they have in front of them, if any.
    pub incident: Option<String>,
}

/// The answer to a claim on a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The step is ours to run until the lease ends (renewed while it runs).
    Granted,
    /// Someone else runs it.
    HeldBy {
        /// Who (`user@host`).
        holder: String,
        /// For how long they have held it, in seconds (database clock).
        for_secs: u64,
    },
}

/// The others (not session `me`) present on `incident`, in a stable order.
pub fn others_on<'a>(present: &'a [Present], incident: &str, me: &str) -> Vec<&'a Present> {
    let mut others: Vec<&Present> = present
        .iter()
        .filter(|p| p.session != me && p.incident.as_deref() == Some(incident))
        .collect();
    others.sort_by(|a, b| (&a.operator, &a.session).cmp(&(&b.operator, &b.session)));
    others
}

/// `bob@bastion-2 (operator), carol@b3 (observer)`: who else is on an incident.
pub fn describe_others(others: &[&Present]) -> String {
    others
        .iter()
        .map(|p| format!("{} ({})", p.operator, p.role))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Letters of the id suffix: no `0/o`, `1/l/i` to misread when said over the phone.
const SUFFIX_ALPHABET: &[u8; 31] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// A new incident id for a shared journal: `INC-YYYYMMDD-HHMM-xxxx`.
///
/// Why the suffix: on a shared journal two operators on different bastions can open an
/// incident in the same minute, and neither may have seen the other's yet (entries reach the
/// store in the background, and not at all while it is offline). The plain minute id would
/// then name two incidents, and their entries would fold into one. Four characters drawn from
/// `salt` (the session's random id) make that about one chance in a million per minute,
/// without asking the store anything, so opening an incident never waits on the network.
pub fn shared_incident_id(now_ms: i64, existing: &[Incident], salt: &str) -> String {
    let base = crate::core::incident::new_incident_id(now_ms, &[]);
    let taken = |id: &str| existing.iter().any(|i| i.id == id);
    (0u32..)
        .map(|n| {
            let digest = Sha256::new()
                .chain_update(salt.as_bytes())
                .chain_update(now_ms.to_be_bytes())
                .chain_update(n.to_be_bytes())
                .finalize();
            let suffix: String = digest
                .iter()
                .take(4)
                .map(|b| char::from(SUFFIX_ALPHABET[usize::from(b % 31)]))
                .collect();
            format!("{base}-{suffix}")
        })
        .find(|id| !taken(id))
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn present(session: &str, operator: &str, role: &str, incident: Option<&str>) -> Present {
        Present {
            session: session.into(),
            operator: operator.into(),
            role: role.into(),
            incident: incident.map(str::to_string),
        }
    }

    #[test]
    fn others_are_the_rest_of_this_incident() {
        let all = vec![
            present("s3", "carol@b3", "observer", Some("INC-1")),
            present("s1", "alice@b1", "operator", Some("INC-1")),
            present("s2", "bob@bastion-2", "operator", Some("INC-1")),
            present("s4", "dave@b4", "operator", Some("INC-2")),
            present("s5", "erin@b5", "operator", None),
        ];
        let others = others_on(&all, "INC-1", "s1");
        assert_eq!(
            describe_others(&others),
            "bob@bastion-2 (operator), carol@b3 (observer)"
        );
    }

    #[test]
    fn shared_ids_keep_the_minute_and_differ_by_session() {
        let at = 1_764_990_000_000;
        let a = shared_incident_id(at, &[], "session-a");
        let b = shared_incident_id(at, &[], "session-b");
        let base = crate::core::incident::new_incident_id(at, &[]);
        assert!(a.starts_with(&format!("{base}-")), "{a}");
        assert_eq!(a.len(), base.len() + 5, "{a}");
        assert_ne!(a, b);
        assert_eq!(a, shared_incident_id(at, &[], "session-a"));
        assert!(
            a[base.len() + 1..]
                .bytes()
                .all(|c| SUFFIX_ALPHABET.contains(&c)),
            "{a}"
        );
    }
}
