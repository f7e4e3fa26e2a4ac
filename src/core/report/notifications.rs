//! The incident's notifications as the journal tells them: each one queued, its attempts, and
//! how it ended. A leaf of the report: the builder hands it the incident's entries.

use crate::core::journal::{Entry, Record};
use crate::core::notify::AttemptOutcome;
use crate::core::report::model::{Notification, NotificationEnd};
use std::collections::HashSet;

/// Every notification of the entries (the incident's), in the order first seen.
pub(crate) fn fold<'a>(entries: impl Iterator<Item = &'a Entry>) -> Vec<Notification> {
    let mut out: Vec<Notification> = Vec::new();
    for e in entries {
        match &e.record {
            Record::NotificationQueued {
                id,
                channel,
                via,
                notice,
                ..
            } => {
                if out.iter().any(|n| n.id == *id) {
                    continue;
                }
                out.push(Notification {
                    id: id.clone(),
                    queued_at_ms: Some(e.at_ms),
                    channel: channel.clone(),
                    via: *via,
                    kind: Some(notice.kind),
                    about: notice.about.clone(),
                    headline: Some(notice.headline.clone()),
                    attempts: 0,
                    last_error: None,
                    end: NotificationEnd::Pending,
                });
            }
            Record::NotificationAttempt {
                id,
                channel,
                via,
                about,
                attempt,
                outcome,
                ..
            } => {
                let at = match out.iter().position(|n| n.id == *id) {
                    Some(at) => at,
                    None => {
                        out.push(Notification {
                            id: id.clone(),
                            queued_at_ms: None,
                            channel: channel.clone(),
                            via: *via,
                            kind: None,
                            about: about.clone(),
                            headline: None,
                            attempts: 0,
                            last_error: None,
                            end: NotificationEnd::Pending,
                        });
                        out.len() - 1
                    }
                };
                let n = &mut out[at];
                n.attempts = n.attempts.max(*attempt);
                match outcome {
                    AttemptOutcome::Delivered { .. } => {
                        n.end = NotificationEnd::Delivered { at_ms: e.at_ms };
                    }
                    AttemptOutcome::Failed { error, .. } => n.last_error = Some(error.clone()),
                    AttemptOutcome::GaveUp { error } => {
                        n.end = NotificationEnd::GaveUp {
                            at_ms: e.at_ms,
                            error: error.clone(),
                        };
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Which attempts make a timeline row: a delivery, a giving up, and the first failure of each
/// notification (the retries after it are counted under Notifications, not listed).
#[derive(Debug, Default)]
pub(crate) struct AttemptRows<'a> {
    failed_once: HashSet<&'a str>,
}

impl<'a> AttemptRows<'a> {
    /// Whether the attempt at notification `id` that ended with `outcome` makes a row.
    pub(crate) fn shows(&mut self, id: &'a str, outcome: &AttemptOutcome) -> bool {
        match outcome {
            AttemptOutcome::Failed { .. } => self.failed_once.insert(id),
            AttemptOutcome::Delivered { .. } | AttemptOutcome::GaveUp { .. } => true,
        }
    }
}
