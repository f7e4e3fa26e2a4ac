//! The outbox: every notification queued in the journal that its channel has not taken yet,
//! folded from `notification_queued` and `notification_attempt` records. It survives a restart
//! because the journal does: what is still here on the next start is sent again.
//!
//! Each channel sends its notices one at a time, oldest first, so people read "opened" before
//! "escalated" before "resolved" even when a channel was down in between. A failed attempt is
//! retried after a delay that grows with each failure; after [`MAX_ATTEMPTS`] the notice is
//! given up (and that is journaled too).

use crate::core::notify::{ChannelKind, Notice};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::time::Duration;

/// Attempts made at one notice before it is given up.
pub const MAX_ATTEMPTS: u32 = 10;

/// Notices one channel may hold waiting; a notice beyond this is given up at once rather than
/// let a dead channel grow the journal's outbox without end.
pub const MAX_WAITING_PER_CHANNEL: usize = 100;

/// How one attempt at sending a notice ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// The platform took it; its answer (status and body, trimmed, secrets masked).
    Delivered {
        /// What the platform said.
        answer: String,
    },
    /// It failed and is tried again after `retry_in_s` seconds.
    Failed {
        /// Why (secrets masked).
        error: String,
        /// Seconds until the next attempt.
        retry_in_s: u64,
    },
    /// It failed for good: too many attempts, the channel is gone, the outbox is full.
    GaveUp {
        /// Why.
        error: String,
    },
}

impl AttemptOutcome {
    /// Whether the notice is finished with (delivered or given up).
    pub fn is_final(&self) -> bool {
        !matches!(self, AttemptOutcome::Failed { .. })
    }
}

/// How long to wait after the `attempt`-th failure (from 1): 5 s, 15 s, 45 s, … at most 10 min.
pub fn retry_delay(attempt: u32) -> Duration {
    let factor = 3u64.saturating_pow(attempt.saturating_sub(1).min(10));
    Duration::from_secs(5u64.saturating_mul(factor).min(600))
}

/// What to do after attempt `attempt` failed with `error`: try again later, or give up.
pub fn after_failure(attempt: u32, error: String) -> AttemptOutcome {
    if attempt >= MAX_ATTEMPTS {
        AttemptOutcome::GaveUp {
            error: format!("{error} (gave up after {attempt} attempts)"),
        }
    } else {
        AttemptOutcome::Failed {
            error,
            retry_in_s: retry_delay(attempt).as_secs(),
        }
    }
}

/// A notice waiting for its channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The notification's id (unique in the journal; webhook receivers can use it to drop a
    /// repeat).
    pub id: String,
    /// The channel's name.
    pub channel: String,
    /// The channel's platform when it was queued.
    pub via: ChannelKind,
    /// What it says.
    pub notice: Notice,
    /// Who queued it (the entry's actor, `user@bastion`): only that cockpit sends it.
    pub queued_by: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// Not before this time (unix ms): the retry delay after the last failure.
    pub retry_at_ms: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// Every notification not yet delivered or given up, in the order queued.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    /// Oldest first.
    pub pending: Vec<Pending>,
}

impl Outbox {
    /// Folds a `notification_queued` entry written at `at_ms` by `actor` (a repeat of a
    /// queued id changes nothing).
    pub fn queue(
        &mut self,
        at_ms: i64,
        actor: &str,
        id: &str,
        channel: &str,
        via: ChannelKind,
        notice: &Notice,
    ) {
        if self.pending.iter().any(|p| p.id == id) {
            return;
        }
        self.pending.push(Pending {
            id: id.to_string(),
            channel: channel.to_string(),
            via,
            notice: notice.clone(),
            queued_by: actor.to_string(),
            attempts: 0,
            retry_at_ms: at_ms,
            last_error: None,
        });
    }

    /// Folds a `notification_attempt` entry written at `at_ms`: a final one removes the notice,
    /// a failure sets when it is tried again.
    pub fn attempted(&mut self, at_ms: i64, id: &str, attempt: u32, outcome: &AttemptOutcome) {
        match outcome {
            AttemptOutcome::Failed { error, retry_in_s } => {
                if let Some(p) = self.pending.iter_mut().find(|p| p.id == id) {
                    p.attempts = p.attempts.max(attempt);
                    let delay = i64::try_from(*retry_in_s).unwrap_or(i64::MAX / 1000);
                    p.retry_at_ms = at_ms.saturating_add(delay.saturating_mul(1000));
                    p.last_error = Some(error.clone());
                }
            }
            AttemptOutcome::Delivered { .. } | AttemptOutcome::GaveUp { .. } => {
                self.pending.retain(|p| p.id != id)
            }
        }
    }

    /// How many notices `by` queued wait, on `channel` or on any channel.
    pub fn waiting(&self, by: &str, channel: Option<&str>) -> usize {
        self.pending
            .iter()
            .filter(|p| p.queued_by == by && channel.is_none_or(|c| p.channel == c))
            .count()
    }

    /// The next notice to send on each channel: the oldest `by` queued there, when its retry
    /// time has come and no attempt of that channel is under way (`busy` names the channels
    /// with one).
    pub fn due(&self, by: &str, now_ms: i64, busy: &BTreeSet<String>) -> Vec<&Pending> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for p in self.pending.iter().filter(|p| p.queued_by == by) {
            if !seen.insert(p.channel.as_str()) {
                continue;
            }
            if p.retry_at_ms <= now_ms && !busy.contains(&p.channel) {
                out.push(p);
            }
        }
        out
    }

    /// The channels whose oldest notice from `by` has failed at least once, with why and when
    /// it is tried again: what the status line warns about.
    pub fn failing(&self, by: &str) -> Vec<&Pending> {
        let mut seen = BTreeSet::new();
        self.pending
            .iter()
            .filter(|p| p.queued_by == by && seen.insert(p.channel.as_str()))
            .filter(|p| p.last_error.is_some())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::notify::NoticeKind;

    fn notice(kind: NoticeKind) -> Notice {
        Notice {
            kind,
            incident: Some("INC-1".into()),
            severity: None,
            title: "t".into(),
            about: kind.word().into(),
            drill: false,
            headline: kind.word().into(),
            lines: Vec::new(),
            contacts: Vec::new(),
            at_ms: 0,
        }
    }

    fn queued(outbox: &mut Outbox, at_ms: i64, id: &str, channel: &str, kind: NoticeKind) {
        outbox.queue(
            at_ms,
            "a@b",
            id,
            channel,
            ChannelKind::Webhook,
            &notice(kind),
        );
    }

    fn ids(due: Vec<&Pending>) -> Vec<&str> {
        due.into_iter().map(|p| p.id.as_str()).collect()
    }

    #[test]
    fn each_channel_sends_its_oldest_first_and_one_at_a_time() {
        let mut outbox = Outbox::default();
        queued(&mut outbox, 1_000, "1", "chat", NoticeKind::Opened);
        queued(&mut outbox, 1_000, "2", "chat", NoticeKind::Escalation);
        queued(&mut outbox, 1_000, "3", "mail", NoticeKind::Opened);
        let none = BTreeSet::new();
        assert_eq!(ids(outbox.due("a@b", 1_000, &none)), ["1", "3"]);
        let busy = BTreeSet::from(["chat".to_string()]);
        assert_eq!(ids(outbox.due("a@b", 1_000, &busy)), ["3"]);
        // Another bastion's notices are its own to send.
        assert!(outbox.due("c@d", 1_000, &none).is_empty());

        let failed = after_failure(1, "HTTP 500".into());
        outbox.attempted(2_000, "1", 1, &failed);
        // The failed one holds its channel back until its retry time: order is kept.
        assert_eq!(ids(outbox.due("a@b", 2_000, &none)), ["3"]);
        assert_eq!(ids(outbox.due("a@b", 7_000, &none)), ["1", "3"]);
        assert_eq!(
            outbox.failing("a@b")[0].last_error.as_deref(),
            Some("HTTP 500")
        );

        let ok = AttemptOutcome::Delivered {
            answer: "HTTP 200".into(),
        };
        outbox.attempted(8_000, "1", 2, &ok);
        assert_eq!(ids(outbox.due("a@b", 8_000, &none)), ["2", "3"]);
        assert!(outbox.failing("a@b").is_empty());
    }

    #[test]
    fn a_notice_queued_twice_is_kept_once_and_a_given_up_one_leaves() {
        let mut outbox = Outbox::default();
        queued(&mut outbox, 0, "1", "chat", NoticeKind::Opened);
        queued(&mut outbox, 0, "1", "chat", NoticeKind::Opened);
        assert_eq!(outbox.pending.len(), 1);
        let gave_up = after_failure(MAX_ATTEMPTS, "HTTP 500".into());
        assert!(
            matches!(&gave_up, AttemptOutcome::GaveUp { error } if error.contains("gave up after 10"))
        );
        outbox.attempted(0, "1", MAX_ATTEMPTS, &gave_up);
        assert!(outbox.pending.is_empty());
    }

    #[test]
    fn retries_back_off_and_are_capped() {
        let delays: Vec<u64> = (1..=7).map(|a| retry_delay(a).as_secs()).collect();
        assert_eq!(delays, [5, 15, 45, 135, 405, 600, 600]);
        assert_eq!(retry_delay(u32::MAX).as_secs(), 600);
    }
}
