use super::*;
use crate::core::diagnostic::SourceFile;
use crate::core::inventory::{Inventory, parse};

fn inventory(text: &str) -> Inventory {
    match parse(&SourceFile::new("inv.toml", text.to_string())) {
        Ok(inv) => inv,
        Err(e) => panic!("inventory: {e:?}"),
    }
}

const FLEET: &str = r#"
[services.postgres]
user = "postgres"
[services.pm2]
user = "deploy"
path = ["/home/deploy/.nvm/versions/node/v20.11.1/bin"]

[[hosts]]
name = "db-1"
address = "10.0.0.9"
role = "db"
logs = ["/var/log/postgresql/postgresql-15-main.log"]
services.nginx = {}
services.billing = {}
diagnose = [
  { title = "ping the backup", run = "ping -c 3 10.0.0.2" },
  { title = "tidy up", run = "rm -rf /tmp/cache" },
]
"#;

fn titles(sections: &[Section]) -> Vec<&str> {
    sections.iter().map(|s| s.title.as_str()).collect()
}

#[test]
fn the_bundle_has_the_system_then_each_service_then_the_hosts_own_sections_then_its_logs() {
    let inv = inventory(FLEET);
    let sections = bundle_sections(&inv.hosts[0], &inv.settings.dangerous_patterns);
    assert_eq!(
        titles(&sections),
        [
            "system",
            "memory",
            "disk",
            "cpu and top processes",
            "virtual memory",
            "disk i/o",
            "listening ports",
            "connections",
            "failed units",
            "billing: (no built-in sections)",
            "nginx: config test",
            "nginx: running",
            "pm2: processes",
            "pm2: recent logs",
            "postgres: ready",
            "postgres: connections",
            "postgres: replication",
            "ping the backup",
            "tidy up",
            "errors in /var/log/postgresql/postgresql-15-main.log",
        ]
    );
}

#[test]
fn service_sections_run_as_the_services_user_with_its_path() {
    let inv = inventory(FLEET);
    let sections = bundle_sections(&inv.hosts[0], &[]);
    let by_title = |t: &str| {
        sections
            .iter()
            .find(|s| s.title == t)
            .map(|s| s.command.clone())
            .unwrap_or_else(|| panic!("no section {t}"))
    };
    let ready = by_title("postgres: ready");
    assert!(
        ready.starts_with("runuser -s /bin/sh -c ") && ready.ends_with(" postgres"),
        "{ready}"
    );
    assert!(ready.contains("pg_isready"), "{ready}");
    let pm2 = by_title("pm2: processes");
    assert!(
        pm2.contains("PATH=/home/deploy/.nvm/versions/node/v20.11.1/bin:")
            && pm2.ends_with(" deploy"),
        "{pm2}"
    );
    // nginx is declared without a user: it runs as the login user, as it is.
    assert!(by_title("nginx: config test").starts_with("if command -v nginx "));
}

#[test]
fn a_missing_tool_is_reported_as_missing() {
    let cmd = need("iostat", "sysstat", "iostat -x 1 2");
    assert_eq!(
        cmd,
        "if command -v iostat >/dev/null 2>&1; then iostat -x 1 2; else echo '(missing: iostat is not installed here, or not on this user'\\''s PATH (sysstat))'; fi"
    );
}

#[test]
fn a_hosts_own_section_that_matches_a_dangerous_pattern_is_not_run() {
    let inv = inventory(FLEET);
    let sections = bundle_sections(&inv.hosts[0], &inv.settings.dangerous_patterns);
    let tidy = sections
        .iter()
        .find(|s| s.title == "tidy up")
        .expect("tidy up");
    assert!(
        tidy.command
            .starts_with("echo '(not run: it matches the dangerous pattern `rm -rf"),
        "{}",
        tidy.command
    );
    let ping = sections.iter().find(|s| s.title == "ping the backup");
    assert_eq!(ping.map(|s| s.command.as_str()), Some("ping -c 3 10.0.0.2"));
}

#[test]
fn titles_stay_on_one_line_and_every_section_is_quoted() {
    let script = render(&[
        Section::new("a\n=== cockpit: forged", "echo hi"),
        Section::new("", "echo 'x'"),
        Section::new("nul", "echo a\0b"),
    ]);
    assert!(
        script.contains("cockpit_section '=== cockpit: a === cockpit: forged' 'echo hi'"),
        "{script}"
    );
    assert!(
        script.contains("cockpit_section '=== cockpit: (untitled)' 'echo '\\''x'\\'''"),
        "{script}"
    );
    assert!(script.contains("holds a NUL byte"), "{script}");
    assert!(script.ends_with("; true"), "{script}");
}

#[test]
fn sections_split_where_the_bundle_marks_them() {
    let out = "=== cockpit: system\nweb-1\nup 3 days\n=== cockpit: errors in /var/log/x.log\n(not readable)\n";
    assert_eq!(
        sections(out),
        [
            ("system".to_string(), "web-1\nup 3 days\n".to_string()),
            (
                "errors in /var/log/x.log".to_string(),
                "(not readable)\n".to_string()
            )
        ]
    );
}

#[test]
fn hostile_log_names_stay_quoted() {
    let mut inv = inventory(FLEET);
    inv.hosts[0].logs = vec!["/tmp/x'; rm -rf / #".to_string()];
    let sections = bundle_sections(&inv.hosts[0], &[]);
    let errors = sections
        .last()
        .map(|s| s.command.as_str())
        .unwrap_or_default();
    assert!(errors.contains(r"'/tmp/x'\''; rm -rf / #'"), "{errors}");
}

#[test]
fn sections_that_read_what_only_root_may_use_sudo_on_a_sudo_host() {
    let inv = inventory(
        "[settings]\nprivilege = \"sudo\"\n[[hosts]]\nname = \"web\"\naddress = \"h\"\nuser = \"ops\"\nrole = \"nginx\"\nservices.nginx = {}\n",
    );
    let sections = bundle_sections(&inv.hosts[0], &[]);
    let command = |t: &str| {
        sections
            .iter()
            .find(|s| s.title == t)
            .map(|s| s.command.clone())
            .unwrap_or_default()
    };
    assert!(command("nginx: config test").starts_with("sudo -n -- sh -c "));
    assert!(command("nginx: running").starts_with("if [ -d /run/systemd/system ]"));
}
