//! A notification channel as the inventory declares it: where messages go, which events they
//! carry, and whether drill incidents may use it. Its secrets (webhook URL, signing secret,
//! SMTP password) are only named here, by environment variable or file: the inventory text
//! never holds one.

use crate::core::secret::PasswordSource;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The platform a channel posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// A generic JSON webhook (cockpit's own JSON, optionally HMAC-signed).
    Webhook,
    /// A Slack incoming webhook.
    Slack,
    /// A DingTalk group robot (`oapi.dingtalk.com/robot/send`), optionally signed.
    #[serde(rename = "dingtalk")]
    DingTalk,
    /// A Feishu / Lark custom bot, optionally signed.
    Feishu,
    /// A WeCom (WeChat Work) group robot.
    #[serde(rename = "wecom")]
    WeCom,
    /// E-mail over SMTP.
    Email,
}

impl ChannelKind {
    /// Every kind, in the order the docs list them.
    pub const ALL: [ChannelKind; 6] = [
        ChannelKind::Webhook,
        ChannelKind::Slack,
        ChannelKind::DingTalk,
        ChannelKind::Feishu,
        ChannelKind::WeCom,
        ChannelKind::Email,
    ];

    /// The word the inventory uses (`kind = "dingtalk"`).
    pub fn word(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "webhook",
            ChannelKind::Slack => "slack",
            ChannelKind::DingTalk => "dingtalk",
            ChannelKind::Feishu => "feishu",
            ChannelKind::WeCom => "wecom",
            ChannelKind::Email => "email",
        }
    }

    /// The platform's own name, for people: "team lead notified via DingTalk".
    pub fn label(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "webhook",
            ChannelKind::Slack => "Slack",
            ChannelKind::DingTalk => "DingTalk",
            ChannelKind::Feishu => "Feishu",
            ChannelKind::WeCom => "WeCom",
            ChannelKind::Email => "e-mail",
        }
    }

    /// Whether the platform signs requests with a secret of its own (besides the URL).
    pub fn can_sign(self) -> bool {
        matches!(
            self,
            ChannelKind::Webhook | ChannelKind::DingTalk | ChannelKind::Feishu
        )
    }

    /// The kind named by an inventory word.
    pub fn from_word(word: &str) -> Option<ChannelKind> {
        ChannelKind::ALL.into_iter().find(|k| k.word() == word)
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What happened that people are told about: the routes of a channel list these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// An incident was opened.
    Opened,
    /// Its severity changed.
    Severity,
    /// The incident clock reached an escalation level.
    Escalation,
    /// A status checkpoint of the incident's rhythm (5 min, 15 min, 1 h, 24 h for P0/P1).
    Checkpoint,
    /// The operator broadcast a note.
    Broadcast,
    /// The incident was resolved.
    Resolved,
    /// `cockpit notify test`: no incident, never routed.
    Test,
}

impl NoticeKind {
    /// The kinds a route can name, in incident order.
    pub const ROUTED: [NoticeKind; 6] = [
        NoticeKind::Opened,
        NoticeKind::Severity,
        NoticeKind::Escalation,
        NoticeKind::Checkpoint,
        NoticeKind::Broadcast,
        NoticeKind::Resolved,
    ];

    /// The word the inventory and the journal use.
    pub fn word(self) -> &'static str {
        match self {
            NoticeKind::Opened => "opened",
            NoticeKind::Severity => "severity",
            NoticeKind::Escalation => "escalation",
            NoticeKind::Checkpoint => "checkpoint",
            NoticeKind::Broadcast => "broadcast",
            NoticeKind::Resolved => "resolved",
            NoticeKind::Test => "test",
        }
    }

    /// The routed kind named by an inventory word.
    pub fn from_word(word: &str) -> Option<NoticeKind> {
        NoticeKind::ROUTED.into_iter().find(|k| k.word() == word)
    }
}

/// Whether a channel carries drill incidents (`cockpit demo`), real ones, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrillRoute {
    /// Real incidents only: a drill never pages real people (the default).
    #[default]
    Never,
    /// Real and drill incidents (drill messages are marked `[DRILL]`).
    Also,
    /// Drill incidents only: the drill channel.
    Only,
}

impl DrillRoute {
    /// Whether an incident (a drill one or not) goes to a channel with this setting.
    pub fn carries(self, drill: bool) -> bool {
        match self {
            DrillRoute::Never => !drill,
            DrillRoute::Also => true,
            DrillRoute::Only => drill,
        }
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587; the default).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS at all: only for a relay on the bastion itself, and never with a password.
    None,
}

/// Where and how an e-mail channel sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSettings {
    /// SMTP server host name.
    pub server: String,
    /// SMTP port (587 for STARTTLS, 465 for TLS, 25 for a local relay by default).
    pub port: u16,
    /// How the connection is secured.
    pub tls: SmtpTls,
    /// A PEM file of CA certificates to trust for the server besides the system's (an internal
    /// relay's own CA).
    pub ca_file: Option<String>,
    /// The sender, e.g. `cockpit <cockpit@example.com>`.
    pub from: String,
    /// Recipients of every message sent through the channel.
    pub to: Vec<String>,
    /// SMTP login, if the server wants one.
    pub username: Option<String>,
    /// Where the SMTP password comes from.
    pub password: PasswordSource,
}

/// One `[[notify]]` channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// Its name, e.g. `oncall-dingtalk`: what routes, escalation levels and
    /// `cockpit notify test` name.
    pub name: String,
    /// The platform.
    pub kind: ChannelKind,
    /// Where the webhook URL comes from (chat and webhook kinds; the URL holds the token).
    pub url: PasswordSource,
    /// Where the signing secret comes from, for the kinds that sign.
    pub secret: PasswordSource,
    /// The events it carries. Escalation levels reached go to the channels the level names
    /// besides these.
    pub events: Vec<NoticeKind>,
    /// Whether drill incidents use it.
    pub drill: DrillRoute,
    /// Who to mention in every message (chat: a phone number or user id the platform can
    /// `@`), besides the contacts of an escalation level.
    pub mention: Vec<String>,
    /// The e-mail settings (kind `email` only).
    pub email: Option<EmailSettings>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_name_each_kind_once() {
        for kind in ChannelKind::ALL {
            assert_eq!(ChannelKind::from_word(kind.word()), Some(kind));
        }
        for kind in NoticeKind::ROUTED {
            assert_eq!(NoticeKind::from_word(kind.word()), Some(kind));
        }
        assert_eq!(NoticeKind::from_word("test"), None);
    }

    #[test]
    fn drills_page_nobody_unless_the_channel_says_so() {
        assert!(!DrillRoute::Never.carries(true));
        assert!(DrillRoute::Never.carries(false));
        assert!(DrillRoute::Also.carries(true) && DrillRoute::Also.carries(false));
        assert!(DrillRoute::Only.carries(true) && !DrillRoute::Only.carries(false));
    }
}
