//! Notification attempts in words, for the replay and the report.

use crate::core::notify::{AttemptOutcome, ChannelKind};

/// One attempt in words, for the replay and the report: `team lead notified via DingTalk
/// (oncall-dingtalk)`, or why it was not.
pub fn attempt_words(
    about: &str,
    channel: &str,
    via: ChannelKind,
    outcome: &AttemptOutcome,
) -> String {
    match outcome {
        AttemptOutcome::Delivered { .. } => format!("{about} notified via {via} ({channel})"),
        AttemptOutcome::Failed { error, retry_in_s } => {
            format!("{about}: {via} ({channel}) failed: {error}; retry in {retry_in_s} s")
        }
        AttemptOutcome::GaveUp { error } => {
            format!("{about}: {via} ({channel}) given up: {error}")
        }
    }
}
