//! A notice: what one message says, platform-neutral. It is journaled with the notification
//! so a restart resends exactly what was queued; each platform's request is built from it at
//! every attempt (signatures carry the time of sending).

use crate::core::notify::NoticeKind;
use crate::core::severity::Severity;
use serde::{Deserialize, Serialize};

/// The words of one notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// What happened.
    pub kind: NoticeKind,
    /// The incident it is about (none for a test message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// The incident's severity when it was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The incident's title.
    pub title: String,
    /// What it is about in a few words, for the timeline: `incident opened`, `team lead`
    /// (an escalation level), `status at 15 min`, `broadcast note`, `incident resolved`.
    pub about: String,
    /// Whether the incident is a drill (`cockpit demo`): the headline starts `[DRILL]`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drill: bool,
    /// One line saying it all: a chat message's title, an e-mail's subject.
    pub headline: String,
    /// The facts, one per line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
    /// Who the message is for by name (an escalation level's contacts: e-mail addresses get
    /// the mail, chat platforms mention them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
    /// When what it tells happened (unix ms).
    pub at_ms: i64,
}

/// The mark a drill's headline starts with.
pub const DRILL_MARK: &str = "[DRILL]";

/// The text on one line: control characters (line breaks, escapes) become spaces. What a
/// notice's words, a chat title or an e-mail subject are made of, whatever was typed or pasted.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A phone number: digits with an optional leading `+`, at least five: what DingTalk and WeCom
/// robots can `@`.
pub fn is_phone(text: &str) -> bool {
    let digits = text.strip_prefix('+').unwrap_or(text);
    digits.len() >= 5 && digits.bytes().all(|b| b.is_ascii_digit())
}

impl Notice {
    /// The contacts that are e-mail addresses.
    pub fn mail_contacts(&self) -> impl Iterator<Item = &str> {
        self.contacts
            .iter()
            .map(String::as_str)
            .filter(|c| c.contains('@') && !c.starts_with('@'))
    }

    /// The contacts that are phone numbers (digits, an optional leading `+`): what DingTalk and
    /// WeCom robots can `@`.
    pub fn phone_contacts(&self) -> impl Iterator<Item = &str> {
        self.contacts
            .iter()
            .map(String::as_str)
            .filter(|c| is_phone(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(contacts: &[&str]) -> Notice {
        Notice {
            kind: NoticeKind::Escalation,
            incident: Some("INC-1".into()),
            severity: Some(Severity::P0),
            title: "API down".into(),
            about: "team lead".into(),
            drill: false,
            headline: "P0 INC-1 escalated to team lead: API down".into(),
            lines: vec!["Running for: 15 min".into(), "Steps: 2/9 done".into()],
            contacts: contacts.iter().map(|c| c.to_string()).collect(),
            at_ms: 0,
        }
    }

    #[test]
    fn contacts_are_told_apart_by_shape() {
        let n = notice(&[
            "ops-oncall@healthbutler.com",
            "+8613800000000",
            "lead",
            "@x",
            "12",
        ]);
        assert_eq!(
            n.mail_contacts().collect::<Vec<_>>(),
            ["ops-oncall@healthbutler.com"]
        );
        assert_eq!(n.phone_contacts().collect::<Vec<_>>(), ["+8613800000000"]);
    }
}
