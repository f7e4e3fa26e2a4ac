//! The `[[notify]]` tables of the inventory: where incident notifications go. Each channel is
//! checked here and reported where it is written; the secrets (webhook URL, signing secret,
//! SMTP password) are only ever named by environment variable or file, and a message about
//! one never quotes the value it is about.

use crate::core::choices::{NotifyDrillWord, NotifyEventWord, NotifyKindWord, SmtpTlsWord};
use crate::core::diagnostic::Collector;
use crate::core::inventory::PasswordSource;
use crate::core::notify::{Channel, ChannelKind, DrillRoute, NoticeKind};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::HashSet;
use std::ops::Range;
use toml::Spanned;

mod email;

use email::{EmailFields, email_from};

/// One `[[notify]]` table: a channel incident notifications are sent through (a chat robot,
/// a webhook, or e-mail). Secrets come from environment variables or files, never this file.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "NotifyChannel")]
pub(crate) struct RawChannel {
    /// String, required, unique. The channel's name: what escalation levels' `notify` and
    /// `cockpit notify test` name, and what the timeline shows (`via DingTalk (oncall)`).
    #[schemars(with = "String", regex(pattern = r"\S"))]
    name: Spanned<String>,
    /// `webhook`, `slack`, `dingtalk`, `feishu`, `wecom` or `email`, required. The platform.
    #[schemars(with = "NotifyKindWord")]
    kind: Spanned<String>,
    /// Environment variable name. The webhook URL (it holds the platform's token) is read
    /// from it at start. One of `url_env` and `url_file` is required for every kind but
    /// `email`.
    #[schemars(with = "Option<String>")]
    url_env: Option<Spanned<String>>,
    /// Path. The webhook URL is read from this file at start (instead of `url_env`).
    #[schemars(with = "Option<String>")]
    url_file: Option<Spanned<String>>,
    /// Refused: the URL holds the token. Only here to say so clearly.
    #[schemars(skip)]
    url: Option<Spanned<toml::Value>>,
    /// Environment variable name. The signing secret (DingTalk's and Feishu's "sign" secret,
    /// the webhook's HMAC key) is read from it at start; `webhook`, `dingtalk` and `feishu`
    /// only.
    #[schemars(with = "Option<String>")]
    secret_env: Option<Spanned<String>>,
    /// Path. The signing secret is read from this file at start (instead of `secret_env`).
    #[schemars(with = "Option<String>")]
    secret_file: Option<Spanned<String>>,
    /// Refused: a secret never goes in the inventory. Only here to say so clearly.
    #[schemars(skip)]
    secret: Option<Spanned<toml::Value>>,
    /// List of `opened`, `severity`, `escalation`, `checkpoint`, `broadcast`, `resolved`;
    /// default all six. What the channel carries; an escalation level also reaches the
    /// channels its `notify` names.
    #[schemars(with = "Option<Vec<NotifyEventWord>>")]
    events: Option<Vec<Spanned<String>>>,
    /// `never` (default), `also` or `only`. Whether drill incidents (`cockpit demo`) use the
    /// channel: never, as well as real ones, or only drills (a drill channel).
    #[schemars(with = "Option<NotifyDrillWord>")]
    drill: Option<Spanned<String>>,
    /// List of strings, default none. Who every message mentions in chat (a phone number for
    /// DingTalk and WeCom, a user id), besides an escalation level's contacts.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    mention: Vec<Spanned<String>>,
    /// Host name, required for `email`. The SMTP server.
    #[schemars(with = "Option<String>")]
    server: Option<Spanned<String>>,
    /// Port 1–65535, `email` only; default 587 (`starttls`), 465 (`tls`) or 25 (`none`).
    #[schemars(with = "Option<u16>", range(min = 1))]
    port: Option<Spanned<u16>>,
    /// `starttls` (default), `tls` or `none`, `email` only. How the SMTP connection is
    /// secured; `starttls` must succeed or nothing is sent.
    #[schemars(with = "Option<SmtpTlsWord>")]
    tls: Option<Spanned<String>>,
    /// Path to a PEM file, `email` only. CA certificates trusted for the server besides the
    /// system's (an internal relay's own CA).
    #[schemars(with = "Option<String>")]
    ca_file: Option<Spanned<String>>,
    /// Address, required for `email`, e.g. `cockpit <cockpit@example.com>`. The sender.
    #[schemars(with = "Option<String>")]
    from: Option<Spanned<String>>,
    /// List of addresses, at least one, required for `email`. Who gets every message
    /// (an escalation level's e-mail contacts get its messages too).
    #[schemars(with = "Option<Vec<String>>")]
    to: Option<Vec<Spanned<String>>>,
    /// String, `email` only. The SMTP login, if the server wants one.
    #[schemars(with = "Option<String>")]
    username: Option<Spanned<String>>,
    /// Environment variable name, `email` with `username` only. The SMTP password is read
    /// from it at start.
    #[schemars(with = "Option<String>")]
    password_env: Option<Spanned<String>>,
    /// Path, `email` with `username` only. The SMTP password is read from this file at start
    /// (instead of `password_env`).
    #[schemars(with = "Option<String>")]
    password_file: Option<Spanned<String>>,
    /// Refused: a password never goes in the inventory. Only here to say so clearly.
    #[schemars(skip)]
    password: Option<Spanned<toml::Value>>,
}

/// The channels, checked: names unique, every rule of each kind, each problem reported where
/// it is written. With them, every name written (even of a channel with a problem), so that a
/// reference to one is not reported again.
pub(crate) fn channels_from(
    raw: Vec<Spanned<RawChannel>>,
    checker: &mut Collector<'_>,
) -> (Vec<Channel>, HashSet<String>) {
    let mut names = HashSet::new();
    let mut channels = Vec::new();
    for raw_channel in raw {
        let span = raw_channel.span();
        let raw_channel = raw_channel.into_inner();
        let name = raw_channel.name.get_ref().trim().to_string();
        if !name.is_empty() && !names.insert(name.clone()) {
            checker.error(
                raw_channel.name.span(),
                format!("notify channel {} is defined twice", shown(&name)),
                Some("a unique channel name"),
            );
            continue;
        }
        if let Some(channel) = channel_from(raw_channel, span, checker) {
            channels.push(channel);
        }
    }
    (channels, names)
}

/// A word or name from the file as a message quotes it: short, one line, escaped.
fn shown(text: &str) -> String {
    crate::core::inventory::shown_name(text)
}

fn channel_from(
    raw: RawChannel,
    span: Range<usize>,
    checker: &mut Collector<'_>,
) -> Option<Channel> {
    let name = raw.name.get_ref().trim().to_string();
    if name.is_empty() {
        checker.error(
            raw.name.span(),
            "notify channel name is empty",
            Some("a name such as `oncall-dingtalk`"),
        );
    } else if has_control(&name) {
        checker.error(
            raw.name.span(),
            "notify channel name holds a control character (a newline, a tab…)",
            Some("a name on one line, such as `oncall-dingtalk`"),
        );
    }
    let kind = ChannelKind::from_word(raw.kind.get_ref().trim());
    if kind.is_none() {
        checker.error(
            raw.kind.span(),
            format!("unknown notify kind {}", shown(raw.kind.get_ref())),
            Some("`webhook`, `slack`, `dingtalk`, `feishu`, `wecom` or `email`"),
        );
    }
    refuse_literal(raw.url.as_ref(), "url", "url_env", "url_file", checker);
    refuse_literal(
        raw.secret.as_ref(),
        "secret",
        "secret_env",
        "secret_file",
        checker,
    );
    refuse_literal(
        raw.password.as_ref(),
        "password",
        "password_env",
        "password_file",
        checker,
    );
    let url = source_from(raw.url_env, raw.url_file, "url", checker);
    let secret = source_from(raw.secret_env, raw.secret_file, "secret", checker);
    let events = events_from(raw.events, checker);
    let drill = drill_from(raw.drill, checker);
    let mention = plain_texts(raw.mention, "mention", checker);
    let email_fields = EmailFields {
        server: raw.server,
        port: raw.port,
        tls: raw.tls,
        ca_file: raw.ca_file,
        from: raw.from,
        to: raw.to,
        username: raw.username,
        password: source_from(raw.password_env, raw.password_file, "password", checker),
    };
    let kind = kind?;
    let email =
        if kind == ChannelKind::Email {
            if let Some(at) = url.1 {
                checker.error(
                    at,
                    "an email channel has no webhook URL",
                    Some("`server`, `from` and `to` instead of `url_env`/`url_file`"),
                );
            }
            if let Some(first) = mention.first() {
                checker.error(
                    first.1.clone(),
                    "an email channel mentions nobody",
                    Some("the recipients in `to`"),
                );
            }
            email_from(email_fields, span, checker)
        } else {
            if url.1.is_none() {
                checker.error(
                span,
                format!("{} channel {} has no webhook URL", kind.word(), shown(&name)),
                Some(
                    "`url_env = \"VARIABLE\"` or `url_file = \"/path\"` (the URL holds the token)",
                ),
            );
            }
            email_fields.refuse_all(kind, checker);
            None
        };
    if let Some(at) = secret.1
        && !kind.can_sign()
    {
        checker.error(
            at,
            format!("a {} channel is not signed", kind.word()),
            Some("`secret_env`/`secret_file` only for `webhook`, `dingtalk` and `feishu`"),
        );
    }
    Some(Channel {
        name,
        kind,
        url: url.0,
        secret: secret.0,
        events,
        drill,
        mention: mention.into_iter().map(|(m, _)| m).collect(),
        email,
    })
}

/// Says that a secret written into the inventory is refused, never quoting it.
fn refuse_literal(
    value: Option<&Spanned<toml::Value>>,
    field: &str,
    env: &str,
    file: &str,
    checker: &mut Collector<'_>,
) {
    if let Some(value) = value {
        checker.error(
            value.span(),
            format!(
                "`{field}` is written into the inventory; it holds a secret (a token), so the inventory must not"
            ),
            Some(&format!(
                "`{env} = \"VARIABLE\"` or `{file} = \"/path\"`, the value kept there"
            )),
        );
    }
}

/// A secret's source from its `_env` and `_file` fields (one at most), and where the one
/// given is written.
fn source_from(
    env: Option<Spanned<String>>,
    file: Option<Spanned<String>>,
    what: &str,
    checker: &mut Collector<'_>,
) -> (PasswordSource, Option<Range<usize>>) {
    match (env, file) {
        (Some(env), Some(_)) => {
            checker.error(
                env.span(),
                format!("both {what}_env and {what}_file are set"),
                Some("one of them"),
            );
            (PasswordSource::None, Some(env.span()))
        }
        (Some(env), None) => {
            let at = env.span();
            if !is_env_name(env.get_ref()) {
                // It may be the secret itself, pasted in the wrong place: never echo it.
                checker.error(
                    at.clone(),
                    format!("{what}_env is not an environment variable name"),
                    Some(&format!(
                        "the name of the variable holding the {}, e.g. `COCKPIT_ONCALL_{}`",
                        secret_name(what),
                        what.to_uppercase()
                    )),
                );
            }
            (PasswordSource::Env(env.into_inner()), Some(at))
        }
        (None, Some(file)) => {
            let at = file.span();
            let path = file.get_ref().trim();
            if path.is_empty() || has_control(path) || path.contains("://") {
                checker.error(
                    at.clone(),
                    format!("{what}_file is not a file path"),
                    Some(&format!(
                        "the path of a file holding the {}, e.g. `/etc/cockpit/oncall.{what}`",
                        secret_name(what)
                    )),
                );
            }
            (PasswordSource::File(file.into_inner()), Some(at))
        }
        (None, None) => (PasswordSource::None, None),
    }
}

/// The secret a `{what}_env`/`{what}_file` pair names, in words.
fn secret_name(what: &str) -> &'static str {
    match what {
        "url" => "webhook URL",
        "secret" => "signing secret",
        _ => "SMTP password",
    }
}

/// A portable environment variable name: a letter or `_`, then letters, digits and `_`.
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether text holds a control character: a newline in an address or a name would let it
/// write a mail header or a second line of a message.
fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

fn events_from(raw: Option<Vec<Spanned<String>>>, checker: &mut Collector<'_>) -> Vec<NoticeKind> {
    let Some(raw) = raw else {
        return NoticeKind::ROUTED.to_vec();
    };
    let mut events = Vec::new();
    for word in raw {
        match NoticeKind::from_word(word.get_ref().trim()) {
            Some(kind) if events.contains(&kind) => checker.error(
                word.span(),
                format!("event `{}` is listed twice", kind.word()),
                Some("each event once"),
            ),
            Some(kind) => events.push(kind),
            None => checker.error(
                word.span(),
                format!("unknown notify event {}", shown(word.get_ref())),
                Some("`opened`, `severity`, `escalation`, `checkpoint`, `broadcast` or `resolved`"),
            ),
        }
    }
    events
}

fn drill_from(raw: Option<Spanned<String>>, checker: &mut Collector<'_>) -> DrillRoute {
    let Some(word) = raw else {
        return DrillRoute::Never;
    };
    match word.get_ref().trim() {
        "never" => DrillRoute::Never,
        "also" => DrillRoute::Also,
        "only" => DrillRoute::Only,
        other => {
            checker.error(
                word.span(),
                format!("unknown drill setting {}", shown(other)),
                Some("`never` (the default), `also` or `only`"),
            );
            DrillRoute::Never
        }
    }
}

/// Texts that must be non-empty and on one line (mentions, contacts, recipients), with where
/// each is written; each one that is not is reported.
pub(crate) fn plain_texts(
    raw: Vec<Spanned<String>>,
    field: &str,
    checker: &mut Collector<'_>,
) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    for text in raw {
        let trimmed = text.get_ref().trim();
        if trimmed.is_empty() {
            checker.error(
                text.span(),
                format!("an empty entry in `{field}`"),
                Some("a non-empty text"),
            );
        } else if has_control(trimmed) {
            checker.error(
                text.span(),
                format!("an entry of `{field}` holds a control character (a newline, a tab…)"),
                Some("one line of text"),
            );
        } else {
            out.push((trimmed.to_string(), text.span()));
        }
    }
    out
}

#[cfg(test)]
mod tests;
