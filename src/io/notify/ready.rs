//! A channel ready to send: its secrets (webhook URL, signing secret, SMTP password) read
//! from where the inventory says they live. A channel whose secret cannot be read still
//! exists, so routes to it are kept and journaled; every send through it fails saying which
//! variable or file is missing.

use crate::core::inventory::PasswordSource;
use crate::core::notify::{Channel, ChannelKind};
use crate::core::redact::MASK;
use crate::core::secret::Secret;
use crate::io::secret_source::read_secret;

/// Shortest query value or path segment of a webhook URL treated as a token on its own
/// (`access_token=…`, Slack's `/T…/B…/…`, Feishu's hook id); shorter parts are words like
/// `robot` or `send`.
const TOKEN_QUERY_CHARS: usize = 8;
const TOKEN_SEGMENT_CHARS: usize = 16;

/// A channel and its secrets, or why they could not be read.
#[derive(Debug, Clone)]
pub struct ReadyChannel {
    /// The channel as the inventory declares it.
    pub channel: Channel,
    url: Option<Secret>,
    signing: Option<Secret>,
    password: Option<Secret>,
    unreadable: Vec<String>,
    /// What [`ReadyChannel::secret_values`] gives, worked out once when the secrets are read.
    masked: Vec<String>,
}

/// Every channel of the inventory with its secrets read.
pub fn ready_channels(channels: &[Channel]) -> Vec<ReadyChannel> {
    channels.iter().cloned().map(ReadyChannel::new).collect()
}

impl ReadyChannel {
    /// Reads the channel's secrets now (environment variables and files).
    pub fn new(channel: Channel) -> ReadyChannel {
        let mut unreadable = Vec::new();
        let name = &channel.name;
        let mut read = |source: &PasswordSource, what: String| match read_secret(source, &what) {
            Ok(Some(value)) if value.expose().trim().is_empty() => {
                unreadable.push(format!("{what} is empty"));
                None
            }
            Ok(value) => value.map(|v| Secret::new(v.expose().trim())),
            Err(e) => {
                unreadable.push(e);
                None
            }
        };
        let url = if channel.kind == ChannelKind::Email {
            None
        } else {
            read(&channel.url, format!("the URL of channel `{name}`"))
        };
        let signing = if channel.kind.can_sign() {
            read(
                &channel.secret,
                format!("the signing secret of channel `{name}`"),
            )
        } else {
            None
        };
        let password = match &channel.email {
            Some(email) => read(
                &email.password,
                format!("the SMTP password of channel `{name}`"),
            ),
            None => None,
        };
        if channel.kind == ChannelKind::Email {
            match &channel.email {
                None => unreadable.push(format!("channel `{name}` has no e-mail settings")),
                Some(email) if email.username.is_some() && password.is_none() => {
                    if matches!(email.password, PasswordSource::None) {
                        unreadable.push(format!(
                            "channel `{name}` has an SMTP username but no password_env or password_file"
                        ));
                    }
                }
                Some(_) => {}
            }
        } else if url.is_none() && matches!(channel.url, PasswordSource::None) {
            unreadable.push(format!("channel `{name}` has no URL (url_env or url_file)"));
        }
        let masked = secret_values_of(url.as_ref(), [&signing, &password]);
        ReadyChannel {
            channel,
            url,
            signing,
            password,
            unreadable,
            masked,
        }
    }

    /// The channel's name.
    pub fn name(&self) -> &str {
        &self.channel.name
    }

    /// Why every send through this channel fails (a secret that could not be read), if so.
    pub fn problem(&self) -> Option<String> {
        (!self.unreadable.is_empty()).then(|| self.unreadable.join("; "))
    }

    /// The webhook URL (it holds the token).
    pub(super) fn url(&self) -> Option<&Secret> {
        self.url.as_ref()
    }

    /// The signing secret, when the channel signs.
    pub(super) fn signing_secret(&self) -> Option<&Secret> {
        self.signing.as_ref()
    }

    /// The SMTP password.
    pub(super) fn password(&self) -> Option<&Secret> {
        self.password.as_ref()
    }

    /// Every text to keep out of the screen, the journal and the log (for the redactor): the
    /// URL, the tokens inside it, the signing secret, the SMTP password, and their
    /// URL-encoded forms.
    pub fn secret_values(&self) -> &[String] {
        &self.masked
    }

    /// `text` with every secret value of the channel masked.
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for value in self.secret_values() {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), MASK);
            }
        }
        out
    }
}

/// The URL, the tokens inside it (long query values and path segments), the other secrets,
/// and their URL-encoded forms: longest first, each once.
fn secret_values_of(url: Option<&Secret>, others: [&Option<Secret>; 2]) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    if let Some(url) = url {
        values.push(url.expose().to_string());
        if let Ok(parsed) = url::Url::parse(url.expose()) {
            values.extend(
                parsed
                    .query_pairs()
                    .map(|(_, v)| v.into_owned())
                    .filter(|v| v.chars().count() >= TOKEN_QUERY_CHARS),
            );
            values.extend(
                parsed
                    .path_segments()
                    .into_iter()
                    .flatten()
                    .filter(|s| s.chars().count() >= TOKEN_SEGMENT_CHARS)
                    .map(str::to_string),
            );
            if let Some(password) = parsed.password() {
                values.push(password.to_string());
            }
        }
    }
    for secret in others.into_iter().flatten() {
        values.push(secret.expose().to_string());
    }
    let encoded: Vec<String> = values
        .iter()
        .map(|v| url::form_urlencoded::byte_serialize(v.as_bytes()).collect())
        .collect();
    values.extend(encoded);
    values.retain(|v| !v.is_empty());
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values.dedup();
    values
}
