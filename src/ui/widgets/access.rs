//! The dialogs that unlock a host: trusting an unknown host key, typing a key passphrase.

use crate::io::ssh::HostKeyOffer;
use crate::ui::app::App;
use crate::ui::overlay::PassphrasePrompt;
use crate::ui::widgets::dialog_box::dialog_fitting;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// "Trust this key?", with what the operator needs to check it.
pub fn trust_host_key(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    host: &str,
    offer: &HostKeyOffer,
) {
    let t = &app.theme;
    let field = |name: &'static str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<13}"), t.text_dim()),
            Span::styled(value, t.text()),
        ])
    };
    let whose = match &offer.jump {
        Some(jump) => format!("{host}'s jump host {jump}"),
        None => host.to_string(),
    };
    let lines = vec![
        Line::from(format!(
            "{whose} ({}) offers a key cockpit has not seen.",
            offer.pattern()
        )),
        Line::from(""),
        field("Key type", offer.algorithm.clone()),
        field("Fingerprint", offer.fingerprint.clone()),
        field("known_hosts", offer.known_hosts.display().to_string()),
        Line::from(""),
        Line::styled(
            "Compare it with the host's own: ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub",
            t.text_dim(),
        ),
        Line::styled(
            "Trusting adds it to known_hosts and to the journal.",
            t.text_dim(),
        ),
        Line::from(""),
        Line::from(vec![
            Span::styled(
                app.dialog_key(crate::ui::action::Action::AnswerYes),
                t.accent(),
            ),
            Span::raw(" trust   "),
            Span::styled("any other key", t.accent()),
            Span::raw(" keep refusing"),
        ]),
    ];
    dialog_fitting(frame, area, app, "Unknown host key", lines);
}

/// The hidden passphrase field of a key file.
pub fn passphrase(frame: &mut Frame<'_>, area: Rect, app: &App, prompt: &PassphrasePrompt) {
    let t = &app.theme;
    let mut lines = vec![
        Line::from(format!("Key {} is encrypted.", prompt.key.display())),
        Line::from(format!("Waiting for it: {}", prompt.hosts.join(", "))),
        Line::from(""),
    ];
    if prompt.wrong {
        lines.push(Line::styled(
            "The last passphrase did not open it. Try again.",
            t.text_danger(),
        ));
    }
    lines.extend([
        Line::from(vec![
            Span::raw("> "),
            Span::styled("•".repeat(prompt.typed.char_count()), t.text()),
            Span::styled("▏", t.accent()),
        ]),
        Line::from(""),
        Line::styled(
            format!(
                "{} unlocks (kept in memory for this session, never written) · {} skips",
                app.dialog_key(crate::ui::action::Action::Confirm),
                app.dialog_key(crate::ui::action::Action::Cancel)
            ),
            t.text_dim(),
        ),
    ]);
    dialog_fitting(frame, area, app, "Key passphrase", lines);
}
