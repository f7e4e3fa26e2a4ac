//! First run, through the real binary in a private HOME: `cockpit init` writes an inventory
//! that `cockpit check` accepts (offering the hosts of `~/.ssh/config`, hostile ones
//! included), never over an existing file without `--force`; `COCKPIT_CONFIG` and
//! `COCKPIT_JOURNAL` stand in for `--config` and `--journal`; the system-wide folder
//! (`/etc/cockpit`, here `$COCKPIT_SYSTEM_CONFIG_DIR`) is read after the user's own.

use crate::support::tmux;

use cockpit::core::diagnostic::SourceFile;
use cockpit::core::inventory::{self, Inventory};
use cockpit::io::catalog::load_catalog_from;
use cockpit::io::config_files::Folder;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A private machine: HOME, the XDG folders and a system-wide folder, all in a temp folder.
struct Machine {
    _dir: tempfile::TempDir,
    home: PathBuf,
    system: PathBuf,
}

impl Machine {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp folder");
        let home = dir.path().join("home");
        let system = dir.path().join("etc-cockpit");
        std::fs::create_dir_all(home.join(".ssh")).expect("create ~/.ssh");
        Self {
            home,
            system,
            _dir: dir,
        }
    }

    fn config_dir(&self) -> PathBuf {
        self.home.join(".config/cockpit")
    }

    fn inventory(&self) -> PathBuf {
        self.config_dir().join("inventory.toml")
    }

    fn ssh_config(&self, text: &[u8]) {
        std::fs::write(self.home.join(".ssh/config"), text).expect("write the ssh config");
    }

    /// Runs `cockpit ARGS` with this machine's folders and the extra environment `env`.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cockpit"));
        cmd.args(args)
            .current_dir(&self.home)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_STATE_HOME", self.home.join(".local/state"))
            .env("COCKPIT_SYSTEM_CONFIG_DIR", &self.system)
            .env_remove("COCKPIT_CONFIG")
            .env_remove("COCKPIT_JOURNAL")
            .env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run cockpit")
    }

    /// `cockpit init`, which must succeed; its standard output.
    fn init(&self, args: &[&str]) -> String {
        let out = self.run(&[&["init"], args].concat(), &[]);
        assert_eq!(out.status.code(), Some(0), "{}", both(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `cockpit check` with no arguments, which must pass; its standard output.
    fn check_passes(&self, env: &[(&str, &str)]) -> String {
        let out = self.run(&["check"], env);
        assert_eq!(out.status.code(), Some(0), "{}", both(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

fn both(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn parse(path: &Path) -> Inventory {
    let text = std::fs::read_to_string(path).expect("read the inventory");
    inventory::parse(&SourceFile::new(path.display().to_string(), text.clone()))
        .unwrap_or_else(|d| panic!("{d}\n{text}"))
}

/// (name, ssh alias) of every host.
fn hosts(inv: &Inventory) -> Vec<(String, String)> {
    inv.hosts
        .iter()
        .map(|h| (h.name.clone(), h.ssh_alias.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn init_without_ssh_config_writes_a_commented_inventory_that_check_accepts() {
    let m = Machine::new();
    let said = m.init(&[]);
    let written = m.inventory();
    assert!(
        said.contains(&format!("wrote {}", written.display())),
        "{said}"
    );
    let lines: Vec<&str> = said.lines().collect();
    let next = lines.iter().position(|l| *l == "next:").expect("next:");
    assert!(
        lines[next + 1].trim_start().starts_with("cockpit check"),
        "{said}"
    );
    assert!(lines[next + 2].trim().starts_with("cockpit "), "{said}");
    assert!(lines[next + 2].contains("opens the cockpit"), "{said}");

    let text = std::fs::read_to_string(&written).expect("written");
    assert!(
        text.starts_with("#:schema ./schemas/inventory.schema.json\n# "),
        "the schema line for editors, then a comment header:\n{text}"
    );
    let schema = m.config_dir().join("schemas/inventory.schema.json");
    let schema = std::fs::read_to_string(&schema).expect("the schema beside the inventory");
    let printed = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["schema", "inventory"])
        .output()
        .expect("cockpit schema");
    assert_eq!(
        schema,
        String::from_utf8_lossy(&printed.stdout),
        "the schema written is the one the parser's types give"
    );
    assert!(
        text.contains("# [[hosts]]"),
        "a commented example host:\n{text}"
    );
    assert!(parse(&written).hosts.is_empty());
    let mode = std::fs::metadata(&written)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    let leftovers: Vec<_> = std::fs::read_dir(m.config_dir())
        .expect("folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| n != "inventory.toml" && n != "schemas")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    let checked = m.check_passes(&[]);
    assert!(
        checked.contains(&format!("ok: {}: inventory, 0 hosts", written.display())),
        "{checked}"
    );
}

#[test]
fn init_never_overwrites_without_force() {
    let m = Machine::new();
    std::fs::create_dir_all(m.config_dir()).expect("folder");
    let mine = "# my own, hand-written\n[[hosts]]\nname = \"keep\"\naddress = \"192.0.2.1\"\nrole = \"db\"\n";
    std::fs::write(m.inventory(), mine).expect("write");
    let out = m.run(&["init"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{} already exists", m.inventory().display()))
            && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(m.inventory()).expect("read"), mine);

    // A dangling symlink is something there too: it is not written through.
    let link = m.home.join("linked.toml");
    std::os::unix::fs::symlink(m.home.join("nowhere.toml"), &link).expect("symlink");
    let out = m.run(&["--config", &link.display().to_string(), "init"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(!m.home.join("nowhere.toml").exists());

    m.ssh_config(b"Host fresh\n  HostName 192.0.2.7\n");
    let said = m.init(&["--force"]);
    assert!(said.contains("1 host from ~/.ssh/config"), "{said}");
    let inv = parse(&m.inventory());
    assert_eq!(hosts(&inv), vec![("fresh".into(), "fresh".into())]);
    m.check_passes(&[]);
}

#[test]
fn init_offers_the_hosts_of_the_ssh_config_and_ssh_config_still_supplies_them() {
    let m = Machine::new();
    let included = m.home.join(".ssh/work.conf");
    std::fs::write(
        &included,
        "Host db-1\n  HostName 10.1.0.5\n  User postgres\n  Port 2200\n",
    )
    .expect("write the included file");
    let config = format!(
        "# the operator's ssh config\n\
         ServerAliveInterval 30\n\
         Include {included}\n\
         Host bastion\n  HostName 203.0.113.5\n  User ops\n\n\
         Host web-1 web-2\n  HostName %h.internal\n  ProxyJump bastion\n\n\
         Host *.corp !secret db-? web-[12]\n  User x\n\n\
         Host *\n  IdentitiesOnly yes\n",
        included = included.display()
    );
    m.ssh_config(config.as_bytes());
    let said = m.init(&[]);
    assert!(said.contains("5 hosts from ~/.ssh/config"), "{said}");
    for skipped in [
        "skipped Host \"*.corp\": a wildcard pattern",
        "skipped Host \"secret\": a negated pattern",
        "skipped Host \"db-?\": a wildcard pattern",
    ] {
        assert!(said.contains(skipped), "{said}");
    }
    assert!(!said.contains("skipped Host \"*\""), "{said}");
    let inv = parse(&m.inventory());
    let names: Vec<(String, String)> = ["db-1", "bastion", "web-1", "web-2", "web-[12]"]
        .iter()
        .map(|n| (n.to_string(), n.to_string()))
        .collect();
    assert_eq!(hosts(&inv), names);
    let text = std::fs::read_to_string(m.inventory()).expect("read");
    assert!(text.contains("# web-1.internal, via bastion"), "{text}");
    m.check_passes(&[]);

    // Each host's `ssh` alias finds its entry in the ssh config as cockpit reads it at run
    // time (`ssh = "alias"` is looked up with this parser's query).
    let ssh = cockpit::io::ssh::load_ssh_config(&m.home.join(".ssh/config"))
        .expect("parse")
        .expect("present");
    let entry = |name: &str| {
        let alias = inv
            .host(name)
            .and_then(|h| h.ssh_alias.clone())
            .expect("alias");
        ssh.query(alias)
    };
    let db = entry("db-1");
    assert_eq!(
        (db.host_name.as_deref(), db.port, db.user.as_deref()),
        (Some("10.1.0.5"), Some(2200), Some("postgres"))
    );
    let web = entry("web-1");
    assert_eq!(web.host_name.as_deref(), Some("%h.internal"));
    assert_eq!(web.proxy_jump, Some(vec!["bastion".to_string()]));
    let bastion = entry("bastion");
    assert_eq!(
        (bastion.host_name.as_deref(), bastion.user.as_deref()),
        (Some("203.0.113.5"), Some("ops"))
    );
}

#[test]
fn hostile_ssh_config_hosts_make_a_valid_inventory_naming_exactly_them() {
    let m = Machine::new();
    let long_ok = "l".repeat(255);
    let too_long = "x".repeat(5000);
    // (line after `Host `, what the inventory must hold as name and alias)
    let kept: Vec<(String, &str)> = vec![
        ("\"quo\\\"ted\"".into(), "quo\"ted"),
        ("it's".into(), "it's"),
        ("back\\slash".into(), "back\\slash"),
        ("]]".into(), "]]"),
        ("[[hosts]]".into(), "[[hosts]]"),
        ("name=evil".into(), "name=evil"),
        ("x\"y\"z".into(), "x\"y\"z"),
        ("'''".into(), "'''"),
        ("日本語サーバー".into(), "日本語サーバー"),
        ("\u{202e}txt.exe".into(), "\u{202e}txt.exe"),
        ("\u{feff}bom".into(), "\u{feff}bom"),
        ("emoji-🚀".into(), "emoji-🚀"),
        ("trailing-cr".into(), "trailing-cr"),
        (long_ok.clone(), long_ok.as_str()),
        ("dup".into(), "dup"),
    ];
    let mut config = String::new();
    for (line, _) in &kept {
        config.push_str(&format!("Host {line}\n  HostName 127.0.0.1\n"));
    }
    config = config.replace("Host trailing-cr\n", "Host trailing-cr\r\n");
    config.push_str("Host dup\n  Port 2022\n");
    config.push_str(&format!("Host {too_long}\n"));
    config.push_str("Host esc\u{1b}[31mred\n");
    config.push_str("Host bell\u{7}\n");
    config.push_str("Host del\u{7f}x c1\u{9b}31m\n");
    config.push_str("Host !neg * ? a*b\n");
    m.ssh_config(config.as_bytes());

    let said = m.init(&[]);
    assert!(
        said.contains(&format!("{} hosts from ~/.ssh/config", kept.len())),
        "{said}"
    );
    assert!(said.contains("longer than 255 characters"), "{said}");
    assert!(said.contains("holds control characters"), "{said}");
    assert!(
        !said.contains('\u{1b}') && !said.contains('\u{7}') && !said.contains(&too_long),
        "what init says is printable and short:\n{said:?}"
    );
    let inv = parse(&m.inventory());
    let wanted: Vec<(String, String)> = kept
        .iter()
        .map(|(_, v)| (v.to_string(), v.to_string()))
        .collect();
    assert_eq!(hosts(&inv), wanted);
    let checked = m.check_passes(&[]);
    assert!(
        checked.contains(&format!("inventory, {} hosts", kept.len())),
        "{checked}"
    );
}

#[test]
fn an_ssh_config_cockpit_cannot_read_still_gives_a_valid_inventory() {
    let huge = {
        let mut t = b"Host a\n".to_vec();
        t.resize(5 * 1024 * 1024, b'#');
        t
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("unbalanced quote", b"Host ok\nHost \"\"\"\n".to_vec()),
        (
            "Host without a name",
            b"Host ok\nHost #only a comment\n".to_vec(),
        ),
        ("invalid UTF-8", b"Host ok\nHost \xff\xfe\n".to_vec()),
        ("larger than the limit", huge),
        ("not a number", b"Host ok\n  Port eleventy\n".to_vec()),
    ];
    for (what, bytes) in cases {
        let m = Machine::new();
        m.ssh_config(&bytes);
        let out = m.run(&["init"], &[]);
        assert_eq!(out.status.code(), Some(0), "{what}: {}", both(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("warning: cannot read ~/.ssh/config"),
            "{what}: {err}"
        );
        assert!(parse(&m.inventory()).hosts.is_empty(), "{what}");
        m.check_passes(&[]);
    }
    // A FIFO is never opened for reading (that would wait for a writer forever).
    let m = Machine::new();
    let fifo = m.home.join(".ssh/config");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let out = m.run(&["init"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    m.check_passes(&[]);
}

#[test]
fn init_writes_where_config_points_and_says_to_pass_it_again() {
    let m = Machine::new();
    let folder = m.home.join("fleets/prod");
    let said = m.init(&["--config", &folder.display().to_string()]);
    let written = folder.join("inventory.toml");
    assert!(written.is_file(), "{said}");
    assert!(!m.inventory().exists());
    assert!(
        said.contains(&format!("cockpit --config {} check", written.display())),
        "{said}"
    );
    let out = m.run(&["--config", &folder.display().to_string(), "check"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));

    // Named by COCKPIT_CONFIG, the next commands need no flag: the variable stays set.
    let file = m.home.join("staging.toml");
    let shown = file.display().to_string();
    let out = m.run(&["init"], &[("COCKPIT_CONFIG", &shown)]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(file.is_file() && said.contains("  cockpit check"), "{said}");
}

/// Which inventory `cockpit check` read.
fn checked_inventory(m: &Machine, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = m.run(&[args, &["check"]].concat(), env);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("ok: ")?.split_once(": inventory,"))
        .map(|(path, _)| path.to_string())
        .unwrap_or_else(|| panic!("no inventory checked:\n{text}"))
}

#[test]
fn config_and_journal_come_from_the_flag_then_the_environment_then_the_default() {
    let m = Machine::new();
    let default = m.inventory();
    let from_env = m.home.join("env/inventory.toml");
    let from_flag = m.home.join("flag.toml");
    for path in [&default, &from_env, &from_flag] {
        let out = m.run(&["--config", &path.display().to_string(), "init"], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    }
    let env_dir = from_env.parent().expect("folder").display().to_string();
    let flag = from_flag.display().to_string();
    let shown = |p: &Path| p.display().to_string();
    assert_eq!(checked_inventory(&m, &[], &[]), shown(&default));
    assert_eq!(
        checked_inventory(&m, &[], &[("COCKPIT_CONFIG", &env_dir)]),
        shown(&from_env)
    );
    assert_eq!(
        checked_inventory(&m, &["--config", &flag], &[("COCKPIT_CONFIG", &env_dir)]),
        shown(&from_flag)
    );
    // Set but empty counts as unset, as for NO_COLOR.
    assert_eq!(
        checked_inventory(&m, &[], &[("COCKPIT_CONFIG", "")]),
        shown(&default)
    );

    // `cockpit replay` opens the journal in use: it names the one it did not find.
    let replayed = |args: &[&str], env: &[(&str, &str)]| {
        let out = m.run(&[args, &["replay"]].concat(), env);
        assert_eq!(out.status.code(), Some(2), "{}", both(&out));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let env_journal = m.home.join("env.db").display().to_string();
    let flag_journal = m.home.join("flag.db").display().to_string();
    let default_journal = m.home.join(".local/state/cockpit/journal.db");
    assert!(replayed(&[], &[]).contains(&shown(&default_journal)));
    assert!(replayed(&[], &[("COCKPIT_JOURNAL", &env_journal)]).contains(&env_journal));
    let both_given = replayed(
        &["--journal", &flag_journal],
        &[("COCKPIT_JOURNAL", &env_journal)],
    );
    assert!(
        both_given.contains(&flag_journal) && !both_given.contains(&env_journal),
        "{both_given}"
    );
    assert!(replayed(&[], &[("COCKPIT_JOURNAL", "")]).contains(&shown(&default_journal)));

    let help = m.run(&["--help"], &[]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("env: COCKPIT_CONFIG") && help.contains("env: COCKPIT_JOURNAL"),
        "{help}"
    );
}

const TEAM_INVENTORY: &str =
    "[[hosts]]\nname = \"edge\"\naddress = \"192.0.2.10\"\nrole = \"haproxy\"\n";

fn team_playbook(title: &str) -> String {
    format!(
        "id = \"edge-down\"\ntitle = \"{title}\"\nseverity = \"P1\"\n\n[[steps]]\nid = \"look\"\ntitle = \"Look\"\nkind = \"command\"\nhost = \"edge\"\nrun = \"uptime\"\n"
    )
}

/// A system-wide folder holding the team's inventory, playbook and theme.
fn system_folder(m: &Machine) {
    for sub in ["playbooks", "themes"] {
        std::fs::create_dir_all(m.system.join(sub)).expect("system folder");
    }
    std::fs::write(m.system.join("inventory.toml"), TEAM_INVENTORY).expect("write");
    std::fs::write(
        m.system.join("playbooks/edge.toml"),
        team_playbook("Team edge"),
    )
    .expect("write");
    std::fs::write(
        m.system.join("themes/team.toml"),
        "name = \"team\"\n[colors]\ndanger = \"red\"\n",
    )
    .expect("write");
}

#[test]
fn the_system_wide_folder_serves_who_has_no_inventory_and_yields_to_who_has_one() {
    let m = Machine::new();
    system_folder(&m);
    let system_inventory = m.system.join("inventory.toml");
    let said = m.check_passes(&[]);
    assert!(
        said.contains(&format!(
            "reading {}, then the system-wide {}",
            m.config_dir().display(),
            m.system.display()
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "note: no inventory at {}; using the system-wide {}",
            m.inventory().display(),
            system_inventory.display()
        )),
        "{said}"
    );
    assert_eq!(
        checked_inventory(&m, &[], &[]),
        system_inventory.display().to_string()
    );
    let playbook = m.system.join("playbooks/edge.toml");
    assert!(
        said.contains(&format!(
            "ok: {}: playbook `edge-down`, 1 steps",
            playbook.display()
        )),
        "{said}"
    );
    assert!(said.contains("themes/team.toml: theme `team`"), "{said}");

    // The operator's own inventory wins; the team's playbook, naming a host it lacks, is
    // set aside (not an error), as a built-in one would be.
    m.ssh_config(b"Host mine\n");
    m.init(&[]);
    let said = m.check_passes(&[]);
    assert_eq!(
        checked_inventory(&m, &[], &[]),
        m.inventory().display().to_string()
    );
    assert!(!said.contains("using the system-wide"), "{said}");
    assert!(
        said.contains("playbook `edge-down` not applicable to this fleet"),
        "{said}"
    );

    // A playbook of the user's with the same file name replaces the system-wide one.
    std::fs::create_dir_all(m.config_dir().join("playbooks")).expect("folder");
    let mine = m.config_dir().join("playbooks/edge.toml");
    std::fs::write(
        &mine,
        team_playbook("My edge").replace("\"edge\"", "\"mine\""),
    )
    .expect("w");
    let said = m.check_passes(&[]);
    assert!(
        said.contains(&format!(
            "note: {} is replaced by your {}",
            playbook.display(),
            mine.display()
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!("ok: {}: playbook", mine.display())),
        "{said}"
    );

    // --config names the inventory; the system-wide playbooks and themes still apply.
    let out = m.run(
        &["--config", &m.inventory().display().to_string(), "check"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
}

#[test]
fn user_playbooks_replace_system_wide_ones_by_id_and_by_file_name() {
    let m = Machine::new();
    system_folder(&m);
    std::fs::write(
        m.system.join("playbooks/other-name.toml"),
        team_playbook("Team edge, second file").replace("edge-down", "edge-two"),
    )
    .expect("write");
    let user = m.home.join("playbooks");
    std::fs::create_dir_all(&user).expect("folder");
    // Same id, another file name: replaced by id.
    std::fs::write(user.join("mine.toml"), team_playbook("My edge")).expect("write");
    // Same file name, broken: the system-wide file stays hidden, the problem is the user's.
    std::fs::write(user.join("other-name.toml"), "id = ").expect("write");
    let inventory = inventory::parse(&SourceFile::new("team.toml", TEAM_INVENTORY)).expect("valid");
    let folders = [
        Folder {
            path: user.clone(),
            system: false,
        },
        Folder {
            path: m.system.join("playbooks"),
            system: true,
        },
    ];
    let catalog = load_catalog_from(&folders, Some(&inventory));
    let titles: Vec<&str> = catalog
        .playbooks
        .iter()
        .filter(|p| p.id.starts_with("edge"))
        .map(|p| p.title.as_str())
        .collect();
    assert_eq!(titles, vec!["My edge"]);
    assert_eq!(catalog.problems.len(), 1, "{:?}", catalog.problems);
    assert!(
        catalog.problems[0].to_string().contains("other-name.toml"),
        "{}",
        catalog.problems[0]
    );
}

/// The first run as an operator does it, in a real terminal: `cockpit init`, `cockpit check`,
/// then `cockpit` opens on the hosts of the ssh config (unreachable here: they are shown, and
/// said not to answer).
#[test]
fn first_run_in_a_terminal_init_check_then_cockpit() {
    let sandbox = tmux::Sandbox::new("first-run");
    let home = sandbox.root.join("home");
    std::fs::create_dir_all(home.join(".ssh")).expect("~/.ssh");
    std::fs::write(
        home.join(".ssh/config"),
        "Host bastion\n  HostName 127.0.0.1\n  Port 1\n\
         Host web-1 日本語サーバー\n  HostName 127.0.0.2\n  Port 1\n  ProxyJump bastion\n",
    )
    .expect("write the ssh config");
    let run = |args: &[&str]| {
        let out = Command::new(tmux::COCKPIT)
            .args(args)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("COCKPIT_SYSTEM_CONFIG_DIR", sandbox.root.join("system"))
            .env_remove("COCKPIT_CONFIG")
            .env_remove("COCKPIT_JOURNAL")
            .output()
            .expect("run cockpit");
        assert_eq!(out.status.code(), Some(0), "{}", both(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = run(&["init"]);
    assert!(said.contains("3 hosts from ~/.ssh/config"), "{said}");
    let checked = run(&["check"]);
    assert!(checked.contains("inventory, 3 hosts"), "{checked}");

    let session = sandbox.start_cockpit(140, 40, false, &[]);
    let screen = session.wait_for(
        "the three hosts of the ssh config in the grid, probed",
        tmux::STARTUP,
        |s| {
            s.contains("3 hosts")
                && ["bastion", "web-1", "日本語"]
                    .iter()
                    .all(|h| s.lines().any(|l| l.contains(h) && l.contains("server")))
                && s.contains("cannot connect")
        },
    );
    assert!(!screen.contains("invalid"), "{screen}");
    session.keys(&["q"]);
    let (status, _) = session.wait_for_exit_status();
    assert_eq!(status, 0);
}

#[test]
fn hosts_whose_proxy_jump_cockpit_refuses_are_skipped_so_check_passes() {
    let m = Machine::new();
    m.ssh_config(
        b"Host a\n HostName 10.0.0.1\n ProxyJump b\nHost b\n HostName 10.0.0.2\n ProxyJump a\n\
          Host bad-hop\n HostName 10.0.0.4\n ProxyJump ops@:x\nHost ok\n HostName 10.0.0.3\n",
    );
    let said = m.init(&[]);
    assert!(said.contains("1 host from ~/.ssh/config"), "{said}");
    assert!(
        said.contains("skipped Host \"a\": ProxyJump loop"),
        "{said}"
    );
    assert_eq!(
        hosts(&parse(&m.inventory())),
        vec![("ok".into(), "ok".into())]
    );
    m.check_passes(&[]);
}
