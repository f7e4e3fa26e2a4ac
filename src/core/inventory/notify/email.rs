//! The fields only an `email` channel has: the SMTP server, how the connection is secured,
//! the sender and recipients, the login. Checked here so that no header can be written through
//! an address and no password crosses the network in clear.

use super::{has_control, plain_texts, shown};
use crate::core::diagnostic::Collector;
use crate::core::inventory::PasswordSource;
use crate::core::notify::{ChannelKind, EmailSettings, SmtpTls};
use std::ops::Range;
use toml::Spanned;

/// The fields only an e-mail channel has.
pub(super) struct EmailFields {
    pub(super) server: Option<Spanned<String>>,
    pub(super) port: Option<Spanned<u16>>,
    pub(super) tls: Option<Spanned<String>>,
    pub(super) ca_file: Option<Spanned<String>>,
    pub(super) from: Option<Spanned<String>>,
    pub(super) to: Option<Vec<Spanned<String>>>,
    pub(super) username: Option<Spanned<String>>,
    pub(super) password: (PasswordSource, Option<Range<usize>>),
}

impl EmailFields {
    /// Reports each e-mail field set on a channel of another kind.
    pub(super) fn refuse_all(self, kind: ChannelKind, checker: &mut Collector<'_>) {
        let spans = [
            ("server", self.server.map(|s| s.span())),
            ("port", self.port.map(|s| s.span())),
            ("tls", self.tls.map(|s| s.span())),
            ("ca_file", self.ca_file.map(|s| s.span())),
            ("from", self.from.map(|s| s.span())),
            (
                "to",
                self.to.and_then(|t| t.into_iter().next().map(|s| s.span())),
            ),
            ("username", self.username.map(|s| s.span())),
            ("password_env/password_file", self.password.1),
        ];
        for (field, span) in spans {
            if let Some(span) = span {
                checker.error(
                    span,
                    format!("`{field}` is for email channels, not {}", kind.word()),
                    Some("no e-mail fields on a chat or webhook channel"),
                );
            }
        }
    }
}

pub(super) fn email_from(
    fields: EmailFields,
    span: Range<usize>,
    checker: &mut Collector<'_>,
) -> Option<EmailSettings> {
    let tls = match fields.tls.as_ref().map(|t| t.get_ref().trim()) {
        None | Some("starttls") => SmtpTls::Starttls,
        Some("tls") => SmtpTls::Tls,
        Some("none") => SmtpTls::None,
        Some(other) => {
            let at = fields.tls.as_ref().map_or(span.clone(), Spanned::span);
            checker.error(
                at,
                format!("unknown tls setting {}", shown(other)),
                Some("`starttls` (the default), `tls` or `none`"),
            );
            SmtpTls::Starttls
        }
    };
    let port = match fields.port {
        Some(port) if *port.get_ref() == 0 => {
            checker.error(port.span(), "port 0", Some("a port from 1 to 65535"));
            0
        }
        Some(port) => *port.get_ref(),
        None => match tls {
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        },
    };
    let server = one_line(fields.server, "server", &span, checker);
    let from = one_line(fields.from, "from", &span, checker);
    if let Some((from, at)) = &from
        && !looks_like_address(from)
    {
        checker.error(
            at.clone(),
            "`from` is not an e-mail address",
            Some("`cockpit@example.com` or `cockpit <cockpit@example.com>`"),
        );
    }
    let to = match fields.to {
        None => {
            checker.error(
                span.clone(),
                "an email channel without recipients",
                Some("`to = [\"ops-oncall@example.com\"]`"),
            );
            Vec::new()
        }
        Some(list) if list.is_empty() => {
            checker.error(
                span.clone(),
                "an email channel without recipients",
                Some("at least one address in `to`"),
            );
            Vec::new()
        }
        Some(list) => plain_texts(list, "to", checker),
    };
    for (address, at) in &to {
        if !looks_like_address(address) {
            checker.error(
                at.clone(),
                format!("{} in `to` is not an e-mail address", shown(address)),
                Some("`ops-oncall@example.com`"),
            );
        }
    }
    let username = match fields.username {
        Some(user) if user.get_ref().trim().is_empty() || has_control(user.get_ref()) => {
            checker.error(
                user.span(),
                "`username` is empty or holds a control character",
                Some("the SMTP login on one line"),
            );
            None
        }
        other => other.map(|u| u.into_inner()),
    };
    let (password, password_at) = fields.password;
    if let Some(at) = password_at {
        if username.is_none() {
            checker.error(
                at.clone(),
                "an SMTP password without a `username`",
                Some("`username = \"login\"` with it, or no password"),
            );
        }
        if tls == SmtpTls::None {
            checker.error(
                at,
                "an SMTP password over a connection without TLS would cross the network in clear",
                Some("`tls = \"starttls\"` (the default) or `tls = \"tls\"`"),
            );
        }
    }
    let ca_file = match fields.ca_file {
        Some(file) if file.get_ref().trim().is_empty() || has_control(file.get_ref()) => {
            checker.error(
                file.span(),
                "`ca_file` is not a file path",
                Some("a PEM file"),
            );
            None
        }
        Some(file) if tls == SmtpTls::None => {
            checker.error(
                file.span(),
                "`ca_file` with `tls = \"none\"`: no certificate is checked",
                Some("`tls = \"starttls\"` or `tls = \"tls\"`, or no ca_file"),
            );
            None
        }
        other => other.map(|f| f.into_inner()),
    };
    Some(EmailSettings {
        server: server?.0,
        port,
        tls,
        ca_file,
        from: from?.0,
        to: to.into_iter().map(|(t, _)| t).collect(),
        username,
        password,
    })
}

/// A required one-line text field of an e-mail channel, with where it is written.
fn one_line(
    value: Option<Spanned<String>>,
    field: &str,
    channel: &Range<usize>,
    checker: &mut Collector<'_>,
) -> Option<(String, Range<usize>)> {
    let Some(value) = value else {
        checker.error(
            channel.clone(),
            format!("an email channel without `{field}`"),
            Some(match field {
                "server" => "`server = \"smtp.example.com\"`",
                _ => "`from = \"cockpit <cockpit@example.com>\"`",
            }),
        );
        return None;
    };
    let text = value.get_ref().trim();
    if text.is_empty() || has_control(text) {
        checker.error(
            value.span(),
            format!("`{field}` is empty or holds a control character"),
            Some("one line of text"),
        );
        return None;
    }
    Some((text.to_string(), value.span()))
}

/// Whether a text has the shape of an address: `a@b.c` or `Name <a@b.c>`, no blanks in the
/// address itself.
fn looks_like_address(text: &str) -> bool {
    let address = match (text.rfind('<'), text.strip_suffix('>')) {
        (Some(open), Some(inner)) => inner.get(open + 1..).unwrap_or_default(),
        _ => text,
    };
    match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !address.contains(char::is_whitespace)
                && !address.contains(['<', '>'])
        }
        None => false,
    }
}
