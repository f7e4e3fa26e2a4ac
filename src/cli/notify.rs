//! `cockpit notify test CHANNEL`: sends a test message through one `[[notify]]` channel of
//! the inventory and prints what the platform answered, so a channel is known to work before
//! an incident needs it.

use crate::cli::{Cli, EXIT_INVALID, config_files};
use crate::core::notify::{Notice, NoticeKind};
use crate::io::catalog::load_inventory;
use crate::io::config_files::InventoryOrigin;
use crate::io::identity::current_operator;
use crate::io::notify::{ReadyChannel, deliver};
use clap::Subcommand;
use std::time::Duration;

/// The examples of `cockpit notify --help` and `cockpit notify test --help`.
pub const EXAMPLES: &str = "\
Examples:
  cockpit notify test oncall-dingtalk
                               Send a test message through the channel oncall-dingtalk
  cockpit notify test ops-mail --config ./ops
                               A channel of another config folder's inventory";

/// How long the platform has to answer a test message.
const TEST_TIMEOUT: Duration = Duration::from_secs(20);

/// `cockpit notify …`
#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send a test message through a channel and print the platform's answer.
    ///
    /// The channel is one of the inventory's [[notify]]. Exit status 0 delivered, 1 not
    /// delivered (the reason is printed), 2 no such channel or an invalid inventory.
    #[command(after_help = EXAMPLES)]
    Test {
        /// The channel's name (an unknown one lists the inventory's channels).
        channel: String,
    },
}

/// Runs `cockpit notify …`; returns the exit status.
pub fn run(cli: &Cli, command: &NotifyCommand) -> i32 {
    match command {
        NotifyCommand::Test { channel } => test(cli, channel),
    }
}

fn test(cli: &Cli, name: &str) -> i32 {
    let files = config_files(cli.config.as_ref());
    let path = files.inventory.clone();
    if files.origin == InventoryOrigin::Missing || !path.exists() {
        eprintln!(
            "error: no inventory at {}; --config names another",
            path.display()
        );
        return EXIT_INVALID;
    }
    let inventory = match load_inventory(&path) {
        Ok(inventory) => inventory,
        Err(d) => {
            eprintln!("{d}\nerror: the inventory is invalid; nothing was sent");
            return EXIT_INVALID;
        }
    };
    let Some(channel) = inventory.notify.iter().find(|c| c.name == name) else {
        eprintln!("error: {}", unknown_channel(name, &inventory.notify, &path));
        return EXIT_INVALID;
    };
    let ready = ReadyChannel::new(channel.clone());
    let runtime = match crate::cli::journal_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let now_ms = chrono::Utc::now().timestamp_millis();
    let notice = test_notice(now_ms);
    let id = format!("test-{now_ms}");
    let via = format!("{name} ({})", channel.kind);
    match runtime.block_on(deliver(&ready, &id, &notice, TEST_TIMEOUT)) {
        Ok(answer) => {
            println!("{via}: delivered; the platform answered: {answer}");
            0
        }
        Err(error) => {
            eprintln!("error: {via}: not delivered: {error}");
            1
        }
    }
}

/// What an unknown channel name gets: the channels there are.
fn unknown_channel(
    name: &str,
    channels: &[crate::core::notify::Channel],
    path: &std::path::Path,
) -> String {
    let shown = crate::core::notify::one_line(name);
    if channels.is_empty() {
        return format!(
            "no channel `{shown}`: {} has no [[notify]] channels",
            path.display()
        );
    }
    let names: Vec<String> = channels
        .iter()
        .map(|c| format!("{} ({})", c.name, c.kind.word()))
        .collect();
    format!(
        "no channel `{shown}` in {}; its channels: {}",
        path.display(),
        names.join(", ")
    )
}

/// The test message: no incident, saying who sent it from where.
fn test_notice(now_ms: i64) -> Notice {
    let who = current_operator();
    Notice {
        kind: NoticeKind::Test,
        incident: None,
        severity: None,
        title: "test message".into(),
        about: "test message".into(),
        drill: false,
        headline: "cockpit test message: this channel works".into(),
        lines: vec![
            format!("Sent by `cockpit notify test` as {who}"),
            "No incident is open: nothing to do.".into(),
        ],
        contacts: Vec::new(),
        at_ms: now_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::inventory::PasswordSource;
    use crate::core::notify::{Channel, ChannelKind, DrillRoute};

    #[test]
    fn an_unknown_name_lists_the_channels() {
        let path = std::path::Path::new("/etc/cockpit/inventory.toml");
        assert_eq!(
            unknown_channel("ops\n", &[], path),
            "no channel `ops `: /etc/cockpit/inventory.toml has no [[notify]] channels"
        );
        let channel = |name: &str, kind| Channel {
            name: name.into(),
            kind,
            url: PasswordSource::None,
            secret: PasswordSource::None,
            events: vec![],
            drill: DrillRoute::Never,
            mention: vec![],
            email: None,
        };
        let channels = [
            channel("oncall-dingtalk", ChannelKind::DingTalk),
            channel("ops-mail", ChannelKind::Email),
        ];
        assert_eq!(
            unknown_channel("oncall", &channels, path),
            "no channel `oncall` in /etc/cockpit/inventory.toml; its channels: oncall-dingtalk (dingtalk), ops-mail (email)"
        );
    }

    #[test]
    fn the_test_notice_belongs_to_no_incident() {
        let n = test_notice(5);
        assert_eq!((n.kind, n.incident, n.at_ms), (NoticeKind::Test, None, 5));
        assert!(n.lines[0].starts_with("Sent by `cockpit notify test` as "));
    }
}
