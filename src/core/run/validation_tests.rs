//! What `cockpit check` says about playbooks the engine could not run safely.

use crate::core::diagnostic::SourceFile;
use crate::core::playbook::parse;
use crate::core::run::targets::tests::inventory;

fn check(text: &str) -> String {
    parse(&SourceFile::new("pb.toml", text), Some(&inventory()))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

const HEAD: &str = r#"id = "p"
title = "t"
severity = "P0"
[[variables]]
name = "failed_ip"
from = "incident"
fact = "public_ip"
"#;

#[test]
fn quoted_sql_placeholder_is_located() {
    let err = check(&format!(
        "{HEAD}[[steps]]\nid = \"s\"\ntitle = \"s\"\nkind = \"sql\"\ndatabase = \"speed\"\nsql = \"update t set status=2 where ip='{{{{failed_ip}}}}'\"\n"
    ));
    assert!(err.contains("pb.toml:13:40"), "{err}");
    assert!(
        err.contains("`{{failed_ip}}` is inside a quoted SQL string literal"),
        "{err}"
    );
}

#[test]
fn placeholder_in_a_multi_line_sql_string_is_located_on_its_line() {
    let err = check(&format!(
        "{HEAD}[[steps]]\nid = \"s\"\ntitle = \"s\"\nkind = \"sql\"\ndatabase = \"speed\"\nsql = '''\nupdate t\nset note = \"{{{{failed_ip}}}}\"\n'''\n"
    ));
    assert!(err.contains("pb.toml:15:13"), "{err}");
    assert!(err.contains("double-quoted"), "{err}");
}

#[test]
fn bare_sql_placeholder_is_fine() {
    let err = check(&format!(
        "{HEAD}[[steps]]\nid = \"s\"\ntitle = \"s\"\nkind = \"sql\"\ndatabase = \"speed\"\nsql = \"update t set status=2 where ip={{{{failed_ip}}}}\"\n"
    ));
    assert_eq!(err, "");
}

#[test]
fn parallel_is_refused_on_dangerous_steps() {
    let marked = check(&format!(
        "{HEAD}[[steps]]\nid = \"s\"\ntitle = \"s\"\nkind = \"command\"\nrole = \"nginx\"\nrun = \"nginx -s reload\"\ndangerous = true\nparallel = true\n"
    ));
    assert!(marked.contains("pb.toml:15:12"), "{marked}");
    assert!(
        marked.contains("`parallel` is only for read-only steps, and the step is marked dangerous"),
        "{marked}"
    );
    let matched = check(&format!(
        "{HEAD}[[steps]]\nid = \"s\"\ntitle = \"s\"\nkind = \"command\"\nrole = \"nginx\"\nrun = \"rm -rf /var/cache/nginx/*\"\nparallel = true\n"
    ));
    assert!(
        matched.contains("its command contains `rm -rf`, a dangerous pattern"),
        "{matched}"
    );
    let read_only = check(&format!(
        "{HEAD}[[steps]]\nid = \"s\"\ntitle = \"s\"\nkind = \"command\"\nrole = \"nginx\"\nrun = \"grep -rn -F '{{{{failed_ip}}}}' /etc/nginx/\"\nparallel = true\n"
    ));
    assert_eq!(read_only, "");
}

#[test]
fn shipped_playbooks_pass_the_new_checks() {
    for text in [
        include_str!("../../../playbooks/primary-app-down.toml"),
        include_str!("../../../playbooks/backup-app-down.toml"),
        include_str!("../../../playbooks/both-app-down.toml"),
        include_str!("../../../playbooks/nginx-down.toml"),
    ] {
        let result = parse(&SourceFile::new("shipped.toml", text), None);
        assert!(result.is_ok(), "{:?}", result.err().map(|e| e.to_string()));
    }
}
