//! The execution model against the real shell, `runuser` and `sudo`: a `service` command runs
//! as the service's user, in its home, with its folders first on PATH; a `privileged` one runs
//! as root under `sudo -n` on a `sudo` host; hostile commands and folders arrive unchanged and
//! exit statuses come back. Runs as root (what a root SSH login runs), as `nobody` for the
//! service user.

use cockpit::core::inventory::{Host, Privilege, ServiceAccess};
use cockpit::core::run::exec_as::run_as;
use std::process::Command;

/// A host whose `user` decides which form `run_as` writes (root: runuser; other: sudo).
fn host(login: &str, privilege: Privilege, path: &[&str]) -> Host {
    let text = format!(
        "[[hosts]]\nname = \"h\"\naddress = \"127.0.0.1\"\nrole = \"r\"\nuser = \"{login}\"\n"
    );
    let inv = cockpit::core::inventory::parse(&cockpit::core::diagnostic::SourceFile::new(
        "inv.toml", &text,
    ))
    .unwrap();
    let mut h = inv.hosts[0].clone();
    h.privilege = privilege;
    h.services.insert(
        "svc".into(),
        ServiceAccess {
            user: Some("nobody".into()),
            path: path.iter().map(|p| p.to_string()).collect(),
        },
    );
    h
}

/// Runs `command` under `sh -c` as this process (root), as the executor's SSH session would.
fn sh(command: &str) -> (i32, String, String) {
    let out = Command::new("sh").args(["-c", command]).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn require_root_and_tools() {
    // SAFETY: geteuid(2) has no preconditions.
    let euid = unsafe { libc::geteuid() };
    assert_eq!(
        euid, 0,
        "the execution-model tests switch users and must run as root"
    );
    for tool in ["runuser", "sudo"] {
        assert!(
            sh(&format!("command -v {tool}")).0 == 0,
            "`{tool}` is missing (scripts/test.sh installs sudo; runuser is util-linux)"
        );
    }
}

const HOSTILE: [&str; 8] = [
    "it's",
    "a \"quoted\" word",
    "$(touch /tmp/cockpit-exec-as-pwned)",
    "`id`",
    "semi; colon && amp",
    "新 年 快 乐",
    "back\\slash",
    "tab\there",
];

#[test]
fn a_service_command_runs_as_its_user_in_its_home_with_its_path_first_from_root_and_sudo() {
    require_root_and_tools();
    let _ = std::fs::remove_file("/tmp/cockpit-exec-as-pwned");
    let folder = "/opt/it's a \"dir\" $(x)";
    for login in ["root", "ops"] {
        let h = host(login, Privilege::Sudo, &[folder, "/opt/second"]);
        for word in HOSTILE {
            let cmd = format!(
                "printf '%s\\n' \"$(id -un)\" \"$PWD\" \"${{PATH%%:*}}\"; printf '%s\\n' {}",
                cockpit::core::template::shell_quote(word)
            );
            let wrapped = run_as(&cmd, &h, false, Some("svc")).unwrap();
            if login == "root" {
                assert!(wrapped.starts_with("runuser -s /bin/sh -c "), "{wrapped}");
            } else {
                assert!(
                    wrapped.starts_with("sudo -n -H -u nobody -- sh -c "),
                    "{wrapped}"
                );
            }
            let (code, out, err) = sh(&wrapped);
            assert_eq!(code, 0, "{login} {word:?}: {err}");
            let lines: Vec<&str> = out.lines().collect();
            assert_eq!(lines[0], "nobody", "{login}: {out}");
            let home = sh("getent passwd nobody | cut -d: -f6")
                .1
                .trim()
                .to_string();
            let expected_dir = if std::path::Path::new(&home).is_dir() {
                home.as_str()
            } else {
                "/"
            };
            assert_eq!(lines[1], expected_dir, "{login}: starts in the user's home");
            assert_eq!(
                lines[2], folder,
                "{login}: the service's folder first on PATH"
            );
            assert_eq!(
                lines[3..].join("\n"),
                word,
                "{login}: the word arrives unchanged"
            );
        }
    }
    assert!(
        !std::path::Path::new("/tmp/cockpit-exec-as-pwned").exists(),
        "a hostile word ran"
    );
}

#[test]
fn privileged_commands_run_as_root_under_sudo_n_and_exit_statuses_come_back() {
    require_root_and_tools();
    let sudo_host = host("ops", Privilege::Sudo, &[]);
    let wrapped = run_as("id -u; exit 7", &sudo_host, true, None).unwrap();
    assert_eq!(wrapped, "sudo -n -- sh -c 'id -u; exit 7'");
    let (code, out, _) = sh(&wrapped);
    assert_eq!((code, out.trim()), (7, "0"));
    let root_host = host("root", Privilege::Root, &[]);
    assert_eq!(run_as("id -u", &root_host, true, None).unwrap(), "id -u");
    let (code, _, _) = sh(&run_as("exit 3", &sudo_host, false, Some("svc")).unwrap());
    assert_eq!(
        code, 3,
        "a service command's status comes back through sudo"
    );
    let (code, _, _) = sh(&run_as("exit 4", &root_host, false, Some("svc")).unwrap());
    assert_eq!(code, 4, "and through runuser");
}
