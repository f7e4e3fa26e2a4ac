//! The text of a first inventory, as `cockpit init` writes it: a commented header, default
//! settings, and one host per usable `Host` alias of the operator's ssh config (or a
//! commented-out example host when there is none). Every value taken from the ssh config is
//! written through the TOML serializer, never pasted: whatever the alias holds (quotes,
//! backslashes, `]]`, CJK), the file stays valid TOML and names exactly that alias.

use crate::core::inventory::Settings;

/// Longest alias offered as a host (in characters); DNS names stop at 253.
pub const MAX_ALIAS_CHARS: usize = 255;

/// The role written for an offered host, to be changed by the operator.
pub const PLACEHOLDER_ROLE: &str = "server";

/// One `Host` alias offered as an inventory host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    /// The alias exactly as the ssh config parser gave it (the `ssh = "…"` value).
    pub alias: String,
    /// The host's name in the inventory: the alias without surrounding whitespace.
    pub name: String,
    /// What the ssh config says about it (`10.0.0.5, user deploy, via bastion`), for a
    /// comment; already free of control characters.
    pub summary: String,
}

/// Why a `Host` pattern is not offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// `!pattern`: it excludes hosts, names none.
    Negated,
    /// Holds `*` or `?`: it matches many names, not one host.
    Wildcard,
    /// Nothing but whitespace.
    Empty,
    /// Holds control characters (escape sequences, line breaks).
    ControlCharacters,
    /// Longer than [`MAX_ALIAS_CHARS`].
    TooLong,
    /// Another alias already gave a host this name.
    Duplicate,
}

impl Skip {
    /// The reason, in words.
    pub fn reason(self) -> &'static str {
        match self {
            Skip::Negated => "a negated pattern",
            Skip::Wildcard => "a wildcard pattern",
            Skip::Empty => "empty",
            Skip::ControlCharacters => "holds control characters",
            Skip::TooLong => "longer than 255 characters",
            Skip::Duplicate => "a host of that name is already offered",
        }
    }
}

/// Whether a `Host` pattern names one host that can be offered; `taken` holds the names
/// already offered.
pub fn judge(pattern: &str, negated: bool, taken: &[Offered]) -> Result<String, Skip> {
    let name = pattern.trim();
    if negated {
        Err(Skip::Negated)
    } else if pattern.contains(['*', '?']) {
        Err(Skip::Wildcard)
    } else if name.is_empty() {
        Err(Skip::Empty)
    } else if pattern.chars().any(char::is_control) {
        Err(Skip::ControlCharacters)
    } else if pattern.chars().count() > MAX_ALIAS_CHARS {
        Err(Skip::TooLong)
    } else if taken.iter().any(|o| o.name == name) {
        Err(Skip::Duplicate)
    } else {
        Ok(name.to_string())
    }
}

/// Text fit for a TOML comment: control characters dropped, at most `max` characters (an
/// ellipsis marks a cut).
pub fn comment_text(text: &str, max: usize) -> String {
    let clean: Vec<char> = text.chars().filter(|c| !c.is_control()).collect();
    if clean.len() <= max {
        clean.into_iter().collect()
    } else {
        let mut cut: String = clean.into_iter().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// A TOML string holding exactly `value`, quoted and escaped by the TOML serializer.
pub fn toml_string(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}

/// Where `cockpit init` writes the inventory's JSON Schema, relative to the inventory: the
/// file's first line (`#:schema`) points editors (taplo, VS Code's Even Better TOML) at it, so
/// they complete and check the file offline.
pub const SCHEMA_FILE: &str = "schemas/inventory.schema.json";

/// The whole inventory file. `ssh_config` is where the hosts came from, as shown to the
/// operator (`~/.ssh/config`); `hosts` may be empty, and then a commented-out example host is
/// written instead.
pub fn inventory_text(hosts: &[Offered], ssh_config: &str) -> String {
    let defaults = Settings::default();
    let mut out = String::new();
    out.push_str(&format!(
        "#:schema ./{SCHEMA_FILE}\n\
         # cockpit inventory: the hosts cockpit watches, written by `cockpit init`.\n\
         # `cockpit check` validates it; `cockpit` opens the cockpit on it.\n\
         # Every field is described in docs/inventory.md, and docs/inventory.example.toml is a\n\
         # complete example.\n\
         \n\
         [settings]\n\
         down_after = {down}            # consecutive failed probes before a host is down\n\
         up_after = {up}              # consecutive good probes before it counts as recovered\n\
         probe_interval_secs = {interval}   # seconds between two probes of a host\n\
         check_timeout_secs = {timeout}    # seconds a single check may take\n\
         # known_hosts = \"~/.ssh/known_hosts\"   # host keys are checked against this file\n\
         # A team's shared journal (docs/shared-journal.md), its password never in this file:\n\
         # journal = \"postgres://alice@db.example/incidents\"\n\
         # journal_password_env = \"COCKPIT_JOURNAL_PASSWORD\"\n",
        SCHEMA_FILE = SCHEMA_FILE,
        down = defaults.down_after,
        up = defaults.up_after,
        interval = defaults.probe_interval_secs,
        timeout = defaults.check_timeout_secs,
    ));
    if hosts.is_empty() {
        out.push_str(&format!(
            "\n\
             # No host was found in {shown}. Add one [[hosts]] table per machine, e.g.:\n\
             #\n\
             # [[hosts]]\n\
             # name = \"web-1\"              # unique; shown in the grid, used by playbooks\n\
             # address = \"203.0.113.10\"    # or ssh = \"alias\" to take it from ~/.ssh/config\n\
             # user = \"root\"\n\
             # role = \"nginx\"              # what it does; playbooks target roles\n\
             # logs = [\"/var/log/nginx/error.log\"]\n\
             # checks = [{{ kind = \"ssh\" }}, {{ kind = \"tcp\", port = 443 }}]\n",
            shown = comment_text(ssh_config, 120),
        ));
        return out;
    }
    out.push_str(&format!(
        "\n\
         # The hosts of {shown}. Each takes HostName, User, Port, IdentityFile and ProxyJump\n\
         # from its `Host` entry there (ssh = \"alias\"). Give each its role (what it does:\n\
         # nginx, mysql, app-primary…): playbooks target roles. Remove the hosts cockpit should\n\
         # not watch; add logs to tail and checks to run (docs/inventory.md).\n",
        shown = comment_text(ssh_config, 120),
    ));
    for host in hosts {
        out.push_str("\n[[hosts]]\n");
        out.push_str(&format!("name = {}\n", toml_string(&host.name)));
        out.push_str(&format!("ssh = {}", toml_string(&host.alias)));
        if host.summary.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("   # {}\n", comment_text(&host.summary, 100)));
        }
        out.push_str(&format!(
            "role = {}   # what it does; playbooks target roles\n",
            toml_string(PLACEHOLDER_ROLE)
        ));
        out.push_str("checks = [{ kind = \"ssh\" }]\n");
        out.push_str("# logs = [\"/var/log/syslog\"]\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diagnostic::SourceFile;
    use crate::core::inventory;

    fn offer(alias: &str) -> Offered {
        Offered {
            alias: alias.to_string(),
            name: alias.trim().to_string(),
            summary: format!("{alias} \u{1b}[31m\n, user x"),
        }
    }

    #[test]
    fn patterns_that_name_no_single_host_are_skipped() {
        let taken = vec![offer("web-1")];
        assert_eq!(judge("*", false, &[]), Err(Skip::Wildcard));
        assert_eq!(judge("web-?", false, &[]), Err(Skip::Wildcard));
        assert_eq!(judge("bad", true, &[]), Err(Skip::Negated));
        assert_eq!(judge("  ", false, &[]), Err(Skip::Empty));
        assert_eq!(judge("a\u{1b}b", false, &[]), Err(Skip::ControlCharacters));
        assert_eq!(judge(&"x".repeat(256), false, &[]), Err(Skip::TooLong));
        assert_eq!(judge(" web-1", false, &taken), Err(Skip::Duplicate));
        assert_eq!(judge(&"x".repeat(255), false, &[]), Ok("x".repeat(255)));
        assert_eq!(judge("日本語", false, &taken), Ok("日本語".into()));
    }

    #[test]
    fn hostile_aliases_round_trip_through_a_valid_inventory() {
        let aliases = [
            "plain",
            "\"quoted\"",
            "it's",
            "back\\slash",
            "]]\n[[hosts]]",
            "# not a comment",
            "key = \"value\"",
            "日本語サーバー",
            "\u{202e}rtl",
            "'''",
            "\"\"\"",
        ];
        let hosts: Vec<Offered> = aliases.iter().map(|a| offer(a)).collect();
        let text = inventory_text(&hosts, "/home/x/.ssh/config\nnewline");
        let parsed = inventory::parse(&SourceFile::new("init.toml", text.clone()));
        let parsed = parsed.unwrap_or_else(|d| panic!("{d}\n{text}"));
        let names: Vec<&str> = parsed.hosts.iter().map(|h| h.name.as_str()).collect();
        let wanted: Vec<&str> = aliases.iter().map(|a| a.trim()).collect();
        assert_eq!(names, wanted, "{text}");
        for (host, alias) in parsed.hosts.iter().zip(aliases) {
            assert_eq!(host.ssh_alias.as_deref(), Some(alias));
        }
        assert!(text.starts_with('#'));
    }

    #[test]
    fn no_hosts_gives_a_valid_inventory_with_a_commented_example() {
        let text = inventory_text(&[], "~/.ssh/config");
        let parsed = inventory::parse(&SourceFile::new("init.toml", text.clone()));
        let parsed = parsed.unwrap_or_else(|d| panic!("{d}\n{text}"));
        assert!(parsed.hosts.is_empty());
        assert_eq!(parsed.settings, Settings::default());
        assert!(text.contains("# [[hosts]]"), "{text}");
    }
}
