//! ProxyJump parsing and chain resolution against ssh config text.

use super::*;
use crate::core::diagnostic::SourceFile;
use crate::core::inventory;

fn hop(user: Option<&str>, host: &str, port: Option<u16>) -> Hop {
    Hop {
        user: user.map(str::to_string),
        host: host.to_string(),
        port,
    }
}

#[test]
fn hops_as_openssh_writes_them() {
    assert_eq!(parse_hop("bastion"), Ok(hop(None, "bastion", None)));
    assert_eq!(
        parse_hop("ops@bastion:2222"),
        Ok(hop(Some("ops"), "bastion", Some(2222)))
    );
    assert_eq!(
        parse_hop("10.0.0.1:22"),
        Ok(hop(None, "10.0.0.1", Some(22)))
    );
    assert_eq!(parse_hop("[::1]:22"), Ok(hop(None, "::1", Some(22))));
    assert_eq!(
        parse_hop("ops@[fe80::1]:2200"),
        Ok(hop(Some("ops"), "fe80::1", Some(2200)))
    );
    assert_eq!(parse_hop("[::1]"), Ok(hop(None, "::1", None)));
    assert_eq!(parse_hop("::1"), Ok(hop(None, "::1", None)));
    assert_eq!(
        parse_hop("ssh://ops@jump.example.net:2022"),
        Ok(hop(Some("ops"), "jump.example.net", Some(2022)))
    );
    assert_eq!(
        parse_hop("first.last@corp@b"),
        Ok(hop(Some("first.last@corp"), "b", None))
    );
}

#[test]
fn hostile_hops_are_refused_with_the_value_shown() {
    let corpus = [
        "",
        "@b",
        "ops@",
        ":22",
        "b:",
        "b:0",
        "b:65536",
        "b:99999999999",
        "b:+22",
        "b:-1",
        "b:22x",
        "-oProxyCommand=sh",
        "ops@-b",
        "-l@b",
        "b c",
        "b\tc",
        "b\nc",
        "b\u{0}",
        "b;rm -rf /",
        "$(reboot)",
        "`id`",
        "b|nc",
        "b/../c",
        "[::1",
        "[::1]x",
        "[not-v6]:22",
        "[::1]:",
        "1:2:3",
        "b\u{1b}[31m",
        "ünïcødé",
        "b*",
        "ssh://",
    ];
    for text in corpus {
        let err = parse_hop(text).expect_err(text);
        assert!(err.starts_with("ProxyJump hop \""), "{text:?}: {err}");
        assert!(
            !err.chars().any(|c| c.is_control()),
            "{text:?}: control characters reach the message: {err:?}"
        );
    }
    let long = "a".repeat(5000);
    let err = parse_hop(&long).expect_err("long");
    assert!(err.len() < 300, "{err}");
}

fn config(text: &str) -> SshConfig {
    SshConfig::default()
        .parse(&mut text.as_bytes(), ParseRule::ALLOW_UNKNOWN_FIELDS)
        .expect("ssh config parses")
}

fn host(alias: &str) -> (Host, Settings) {
    let src = SourceFile::new(
        "inv.toml",
        format!(
            "[settings]\nknown_hosts = \"/kh\"\n[[hosts]]\nname = \"app\"\nssh = \"{alias}\"\nrole = \"app\"\nidentity_files = [\"/inv_key\"]\n"
        ),
    );
    let inv = inventory::parse(&src).expect("inventory parses");
    (inv.hosts[0].clone(), inv.settings)
}

fn resolved(alias: &str, text: &str) -> Result<SshTarget, String> {
    let (h, settings) = host(alias);
    resolve(&h, &settings, Some(&config(text)))
}

/// `name=user@host:port` for each hop, in connection order.
fn chain(t: &SshTarget) -> Vec<String> {
    t.jumps
        .iter()
        .map(|j| format!("{}={}", j.name, j.target.label()))
        .collect()
}

const TWO_HOPS: &str = "\
Host a
  HostName 10.0.0.1
  User alice
  IdentityFile /a_key
Host b
  HostName 10.0.0.2
  Port 2202
  User bob
Host app
  HostName 10.0.0.9
  User deploy
  ProxyJump a,b
";

#[test]
fn a_chain_goes_through_every_hop_in_order_with_each_hops_own_entry() {
    let t = resolved("app", TWO_HOPS).expect("resolves");
    assert_eq!(t.label(), "deploy@10.0.0.9:22");
    assert_eq!(chain(&t), ["a=alice@10.0.0.1:22", "b=bob@10.0.0.2:2202"]);
    assert_eq!(t.jumps[0].target.identity_files, [PathBuf::from("/a_key")]);
    // A hop without keys of its own offers the host's.
    assert_eq!(
        t.jumps[1].target.identity_files,
        [PathBuf::from("/inv_key")]
    );
    assert!(
        t.jumps
            .iter()
            .all(|j| j.target.known_hosts == Path::new("/kh"))
    );
}

#[test]
fn what_a_hop_says_wins_over_its_entry() {
    let text = TWO_HOPS.replace("ProxyJump a,b", "ProxyJump root@a:2222,b:22");
    let t = resolved("app", &text).expect("resolves");
    assert_eq!(chain(&t), ["a=root@10.0.0.1:2222", "b=bob@10.0.0.2:22"]);
}

#[test]
fn a_hop_with_no_entry_is_reached_as_written() {
    let t = resolved(
        "app",
        "Host app\n  HostName 10.0.0.9\n  ProxyJump ops@[::1]:2222,10.0.0.2\n",
    )
    .expect("resolves");
    assert_eq!(
        chain(&t),
        ["::1=ops@[::1]:2222", "10.0.0.2=root@10.0.0.2:22"]
    );
}

#[test]
fn the_first_hop_follows_its_own_jump_and_later_hops_do_not() {
    let text = format!("{TWO_HOPS}Host z\n  HostName 10.0.0.26\nHost a b\n  ProxyJump z\n");
    let t = resolved("app", &text).expect("resolves");
    // OpenSSH: `-J a,b` is `-J a b`, so b's own ProxyJump gives way; a's applies.
    assert_eq!(
        chain(&t),
        [
            "z=deploy@10.0.0.26:22",
            "a=alice@10.0.0.1:22",
            "b=bob@10.0.0.2:2202"
        ]
    );
}

#[test]
fn proxy_jump_none_disables_even_under_a_broad_block() {
    let text = "Host app\n  HostName 10.0.0.9\n  ProxyJump none\nHost *\n  ProxyJump a\n";
    let t = resolved("app", text).expect("resolves");
    assert!(t.jumps.is_empty(), "{t:?}");
    let t = resolved("app", "Host app\n  ProxyJump NONE\n").expect("resolves");
    assert!(t.jumps.is_empty(), "{t:?}");
}

#[test]
fn loops_are_refused_naming_the_hops() {
    // Through the hops' own entries.
    let text = "Host app\n  ProxyJump a\nHost a\n  HostName 10.0.0.1\n  ProxyJump b\nHost b\n  HostName 10.0.0.2\n  ProxyJump a\n";
    let err = resolved("app", text).expect_err("a loop");
    assert!(err.contains("loop") && err.contains("a → b → a"), "{err}");
    // Written out in one list.
    let text = TWO_HOPS.replace("ProxyJump a,b", "ProxyJump a,b,a");
    let err = resolved("app", &text).expect_err("a loop");
    assert!(err.contains("loop") && err.contains("10.0.0.1:22"), "{err}");
    // A `Host *` block lending the bastion a jump through itself.
    let text = "Host bastion\n  HostName 10.0.0.1\nHost *\n  ProxyJump bastion\n";
    let err = resolved("app", text).expect_err("a loop");
    assert!(
        err.contains("bastion → bastion") && err.contains("ProxyJump none"),
        "{err}"
    );
    // The host itself as a hop.
    let text = "Host app\n  HostName 10.0.0.9\n  ProxyJump 10.0.0.9\n";
    let err = resolved("app", text).expect_err("a loop");
    assert!(err.contains("loop"), "{err}");
}

#[test]
fn more_than_eight_hops_is_refused_not_cut() {
    let list: Vec<String> = (1..=9).map(|i| format!("10.0.0.{i}")).collect();
    let text = format!(
        "Host app\n  HostName 10.0.1.1\n  ProxyJump {}\n",
        list.join(",")
    );
    let err = resolved("app", &text).expect_err("nine hops");
    assert!(err.contains("more than 8"), "{err}");
    let text = format!(
        "Host app\n  HostName 10.0.1.1\n  ProxyJump {}\n",
        list[..8].join(",")
    );
    assert_eq!(resolved("app", &text).expect("eight hops").jumps.len(), 8);
    // Nested through the hops' own entries, each a different alias.
    let mut nested = String::from("Host app\n  HostName 10.0.1.1\n  ProxyJump h0\n");
    for i in 0..200 {
        nested.push_str(&format!(
            "Host h{i}\n  HostName 10.0.2.{}\n  ProxyJump h{}\n",
            i % 250,
            i + 1
        ));
    }
    let err = resolved("app", &nested).expect_err("deep nesting");
    assert!(err.contains("8 jump hosts"), "{err}");
}

#[test]
fn a_hostile_hop_in_the_config_is_refused_not_truncated() {
    for value in ["a,,b", "a,-oProxyCommand=x", "a,b:0", "a,[zz]:22"] {
        let text = format!("{TWO_HOPS}Host evil\n  ProxyJump {value}\n");
        let err = resolved("evil", &text).expect_err(value);
        assert!(err.starts_with("ProxyJump hop"), "{value}: {err}");
    }
}

#[test]
fn a_host_given_by_address_takes_no_jump_from_a_broad_block() {
    let src = SourceFile::new(
        "inv.toml",
        "[[hosts]]\nname = \"app\"\naddress = \"10.0.0.9\"\nrole = \"app\"\n",
    );
    let inv = inventory::parse(&src).expect("inventory parses");
    let t = resolve(
        &inv.hosts[0],
        &inv.settings,
        Some(&config("Host *\n  ProxyJump a,b\n")),
    )
    .expect("resolves");
    assert!(t.jumps.is_empty());
}
