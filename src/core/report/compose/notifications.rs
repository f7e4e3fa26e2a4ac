//! Telling people: each notification's line in the timeline ("team lead notified via DingTalk
//! (oncall-dingtalk)") and the Notifications section, one row per notice with its channel, its
//! attempts and how it ended.

use super::rel;
use crate::core::notify::{AttemptOutcome, ChannelKind, NoticeKind};
use crate::core::report::doc::{Block, Line, strong, text};
use crate::core::report::model::{NotificationEnd, Report};

/// Longest headline or error shown in a row.
const PREVIEW: usize = 100;

/// One attempt in words, knowing what the notice told when the journal says: an escalation
/// level is people (`team lead notified via DingTalk (oncall-dingtalk)`), anything else is
/// news (`incident opened: sent via DingTalk (oncall-dingtalk)`).
pub(super) fn attempt_words(
    kind: Option<NoticeKind>,
    about: &str,
    channel: &str,
    via: ChannelKind,
    outcome: &AttemptOutcome,
) -> String {
    match outcome {
        AttemptOutcome::Delivered { .. } if kind == Some(NoticeKind::Escalation) => {
            format!("{about} notified via {via} ({channel})")
        }
        AttemptOutcome::Delivered { .. } => format!("{about}: sent via {via} ({channel})"),
        AttemptOutcome::Failed { error, .. } => {
            format!(
                "{about}: {via} ({channel}) failed: {}; retrying",
                cut(error)
            )
        }
        AttemptOutcome::GaveUp { error } => {
            format!("{about}: {via} ({channel}) given up: {}", cut(error))
        }
    }
}

/// The timeline line of one attempt at notification `id`.
pub(super) fn attempt_line<'a>(
    r: &Report,
    id: &str,
    about: &str,
    channel: &str,
    via: ChannelKind,
    outcome: &AttemptOutcome,
) -> Line<'a> {
    let kind = r
        .notifications
        .iter()
        .find(|n| n.id == id)
        .and_then(|n| n.kind);
    let words = attempt_words(kind, about, channel, via, outcome);
    match outcome {
        AttemptOutcome::Delivered { .. } => vec![text(words)],
        AttemptOutcome::Failed { .. } | AttemptOutcome::GaveUp { .. } => vec![strong(words)],
    }
}

/// The Notifications section, when cockpit queued any about the incident.
pub(super) fn section<'a>(r: &'a Report, blocks: &mut Vec<Block<'a>>) {
    if r.notifications.is_empty() {
        return;
    }
    blocks.push(Block::Heading(2, "Notifications".into()));
    let delivered = r
        .notifications
        .iter()
        .filter(|n| matches!(n.end, NotificationEnd::Delivered { .. }))
        .count();
    blocks.push(Block::Para(vec![text(format!(
        "Who cockpit told, through which channel, and whether it got there: {delivered} of {} \
         delivered. Every attempt is in the journal.",
        r.notifications.len()
    ))]));
    let rows = r
        .notifications
        .iter()
        .map(|n| {
            let queued = n
                .queued_at_ms
                .map_or_else(|| "—".to_string(), |at| rel(r, at));
            let mut notice = vec![strong(n.about.as_str())];
            if let Some(headline) = &n.headline {
                notice.push(text(format!(": {}", cut(headline))));
            }
            let result = match &n.end {
                NotificationEnd::Delivered { at_ms } => {
                    vec![text(format!("delivered at {}", rel(r, *at_ms)))]
                }
                NotificationEnd::GaveUp { at_ms, error } => vec![strong(format!(
                    "given up at {}: {}",
                    rel(r, *at_ms),
                    cut(error)
                ))],
                NotificationEnd::Pending => vec![strong(match &n.last_error {
                    Some(error) => format!("still pending; last error: {}", cut(error)),
                    None if n.attempts == 0 => "still pending, not tried yet".to_string(),
                    None => "still pending".to_string(),
                })],
            };
            vec![
                vec![text(queued)],
                notice,
                vec![text(format!("{} ({})", n.via, n.channel))],
                vec![text(n.attempts.to_string())],
                result,
            ]
        })
        .collect();
    blocks.push(Block::Table {
        head: vec![
            "Queued".into(),
            "Notice".into(),
            "Channel".into(),
            "Attempts".into(),
            "Result".into(),
        ],
        rows,
    });
}

/// The first line of a text, at most [`PREVIEW`] characters.
fn cut(s: &str) -> String {
    super::short(s, PREVIEW).into_owned()
}
