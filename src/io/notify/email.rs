//! One e-mail through SMTP: STARTTLS required by default (a server that does not offer it is
//! refused, never written to in clear), TLS from the first byte, or plain for a relay on the
//! bastion itself; the channel's `ca_file` is trusted besides the system's roots.

use crate::core::notify::{EmailSettings, Notice, SmtpTls, mail};
use crate::io::bounded_read::{Kind, read_bytes};
use crate::io::notify::ReadyChannel;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// Sends `notice` once through the e-mail channel `ready`: to the channel's `to` and the
/// notice's e-mail contacts.
pub(super) async fn send(
    ready: &ReadyChannel,
    notice: &Notice,
    timeout: Duration,
) -> Result<String, String> {
    let name = ready.name();
    let settings = ready
        .channel
        .email
        .as_ref()
        .ok_or_else(|| format!("channel `{name}` has no e-mail settings"))?;
    let message = message(settings, notice)?;
    let transport = transport(ready, settings, timeout)?;
    let sent = tokio::time::timeout(timeout, transport.send(message)).await;
    match sent {
        Err(_) => Err(format!("no answer within {} s", timeout.as_secs_f64())),
        Ok(Err(e)) => Err(format!(
            "the SMTP server {}:{}: {}",
            settings.server,
            settings.port,
            without_repeats(&e.to_string())
        )),
        Ok(Ok(response)) => {
            let text: Vec<&str> = response.message().collect();
            Ok(format!("{} {}", response.code(), text.join(" ")))
        }
    }
}

/// The message: from the channel's sender, to its recipients and the notice's e-mail
/// contacts (each once), the headline as subject, the text as body.
fn message(settings: &EmailSettings, notice: &Notice) -> Result<Message, String> {
    let mailbox = |text: &str, what: &str| -> Result<Mailbox, String> {
        text.trim()
            .parse::<Mailbox>()
            .map_err(|e| format!("{what} `{text}` is not an e-mail address ({e})"))
    };
    let (subject, body) = mail(notice);
    let mut builder = Message::builder()
        .from(mailbox(&settings.from, "the sender")?)
        .subject(subject);
    let mut seen: Vec<String> = Vec::new();
    for to in &settings.to {
        let to = mailbox(to, "the recipient")?;
        seen.push(to.email.to_string().to_lowercase());
        builder = builder.to(to);
    }
    for contact in notice.mail_contacts() {
        // A contact the escalation level names that is not an address is left out: the
        // channel's own recipients still get the message.
        if let Ok(to) = contact.trim().parse::<Mailbox>() {
            let key = to.email.to_string().to_lowercase();
            if !seen.contains(&key) {
                seen.push(key);
                builder = builder.to(to);
            }
        }
    }
    if seen.is_empty() {
        return Err("the channel has no recipient".into());
    }
    builder
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| format!("the message cannot be built: {e}"))
}

/// The SMTP connection the channel asks for.
fn transport(
    ready: &ReadyChannel,
    settings: &EmailSettings,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.server)
        .port(settings.port)
        .timeout(Some(timeout));
    if settings.tls != SmtpTls::None {
        let mut parameters = TlsParameters::builder(settings.server.clone());
        if let Some(ca_file) = &settings.ca_file {
            let path = crate::io::ssh::expand_home(ca_file);
            let pem = read_bytes(&path, Kind::Text)
                .map_err(|e| format!("the CA file of the SMTP server: {e}"))?;
            let certificate = Certificate::from_pem(&pem)
                .map_err(|e| format!("the CA file {}: {e}", path.display()))?;
            parameters = parameters.add_root_certificate(certificate);
        }
        let parameters = parameters
            .build_rustls()
            .map_err(|e| format!("TLS for the SMTP server: {e}"))?;
        builder = builder.tls(match settings.tls {
            SmtpTls::Tls => Tls::Wrapper(parameters),
            _ => Tls::Required(parameters),
        });
    }
    if let (Some(username), Some(password)) = (&settings.username, ready.password()) {
        if settings.tls == SmtpTls::None {
            return Err("the SMTP password is never sent without TLS (tls = \"none\")".into());
        }
        builder = builder.credentials(Credentials::new(
            username.clone(),
            password.expose().to_string(),
        ));
    }
    Ok(builder.build())
}

/// lettre's error with a cause said twice in a row (`Connection error: Connection error: …`)
/// said once.
fn without_repeats(text: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in text.split(": ") {
        if parts.last() != Some(&part) {
            parts.push(part);
        }
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_cause_is_said_once() {
        assert_eq!(
            without_repeats(
                "Connection error: Connection error: invalid peer certificate: UnknownIssuer"
            ),
            "Connection error: invalid peer certificate: UnknownIssuer"
        );
        assert_eq!(without_repeats("a: b: a"), "a: b: a");
    }
}
