//! Bounded input, against the real binary: a TOML file that is a symlink to `/dev/zero`, a
//! FIFO, a directory or over 4 MiB, and a journal that is a FIFO or a directory, each get a
//! plain message and a prompt non-zero exit from `check`, `replay`, `report`, `journal
//! verify/export` and a cockpit start, instead of a hang, a memory blow-up or a raw SQLite
//! error. A FIFO among the playbooks does not stop the cockpit from starting: it says a
//! playbook file is invalid.
//!
//! Every command runs with a 60 s limit, so a hang fails the test instead of blocking it.

use crate::support::tmux;

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tmux::{COCKPIT, STARTUP, Sandbox};

const LIMIT: Duration = Duration::from_secs(60);

/// Runs cockpit with no terminal; panics if it has not exited within [`LIMIT`].
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let child = Command::new(COCKPIT)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start cockpit");
    let pid = child.id() as i32;
    let waiter = std::thread::spawn(move || child.wait_with_output());
    let start = Instant::now();
    while !waiter.is_finished() {
        if start.elapsed() > LIMIT {
            // SAFETY: kill(2) on the child this test started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("cockpit {args:?} did not return within {LIMIT:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out: Output = waiter.join().expect("waiter").expect("cockpit output");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn mkfifo(path: &Path) {
    let c = CString::new(path.to_str().expect("utf-8 path")).expect("path");
    // SAFETY: mkfifo with a valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    assert_eq!(rc, 0, "mkfifo {}", path.display());
}

/// A folder with every kind of bad `*.toml`, and a good one.
fn bad_toml_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    std::os::unix::fs::symlink("/dev/zero", root.join("zero.toml")).expect("symlink");
    mkfifo(&root.join("fifo.toml"));
    std::fs::File::create(root.join("huge.toml"))
        .and_then(|f| f.set_len(5 * 1024 * 1024))
        .expect("sparse 5 MiB file");
    std::fs::write(
        root.join("theme.toml"),
        "name = \"mine\"\n[colors]\ndanger = \"#ff0000\"\n",
    )
    .expect("theme");
    // A symlink loop among the folders must not recurse forever.
    std::os::unix::fs::symlink(".", root.join("loop")).expect("loop");
    (dir, root)
}

#[test]
fn check_refuses_special_and_oversize_toml_files_promptly() {
    let (_dir, root) = bad_toml_folder();
    let (code, out, err) = run(&["check", root.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{out}{err}");
    let r = root.display();
    for wanted in [
        format!("{r}/zero.toml:1:1: error: is a character device, not a regular file"),
        format!("{r}/fifo.toml:1:1: error: is a FIFO, not a regular file"),
        format!("{r}/huge.toml:1:1: error: 5 MiB is over the 4 MiB limit for a TOML file"),
    ] {
        assert!(err.contains(&wanted), "missing {wanted:?} in:\n{err}");
    }
    assert!(out.contains("theme.toml: theme `mine`"), "{out}");
    assert!(err.contains("4 files checked, 3 invalid"), "{err}");
    // Named one by one, too.
    let (code, _, err) = run(&["check", &format!("{r}/fifo.toml")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("is a FIFO, not a regular file"), "{err}");
}

#[test]
fn a_fifo_or_a_folder_as_journal_gets_a_plain_message_from_every_reader() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo.db");
    mkfifo(&fifo);
    let folder = dir.path().join("folder.db");
    std::fs::create_dir(&folder).expect("mkdir");
    for (journal, what) in [(&fifo, "is a FIFO"), (&folder, "is a directory")] {
        let j = journal.to_str().unwrap();
        for args in [
            vec!["replay", j],
            vec!["report", j],
            vec!["journal", "verify", j],
            vec!["journal", "export", j, "--format", "jsonl"],
            vec!["stats", j],
        ] {
            let (code, out, err) = run(&args);
            assert_eq!(code, Some(2), "{args:?}: {out}{err}");
            assert!(
                err.contains(&format!("{j}: {what}, not a regular file")),
                "{args:?}: {err}"
            );
            assert!(!err.contains("code 266"), "raw SQLite error: {err}");
        }
    }
}

#[test]
fn cockpit_refuses_to_start_on_a_bad_inventory_or_journal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let config = home.join("config");
    std::fs::create_dir(&config).expect("mkdir");
    std::os::unix::fs::symlink("/dev/zero", config.join("inventory.toml")).expect("symlink");
    let journal = home.join("journal.db");
    let (code, out, err) = run(&[
        "--config",
        config.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("inventory.toml:1:1: error: is a character device, not a regular file"),
        "{err}"
    );
    assert!(!journal.exists(), "nothing started, no journal created");

    // A good inventory, a FIFO as journal: refused before any terminal is touched.
    let inventory = home.join("good.toml");
    std::fs::write(
        &inventory,
        "[[hosts]]\nname = \"web-1\"\naddress = \"127.0.0.1\"\nport = 1\nrole = \"web\"\n",
    )
    .expect("inventory");
    let fifo = home.join("fifo.db");
    mkfifo(&fifo);
    let (code, out, err) = run(&[
        "--config",
        inventory.to_str().unwrap(),
        "--journal",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains(&format!(
            "{}: is a FIFO, not a regular file",
            fifo.display()
        )),
        "{err}"
    );
}

#[test]
fn the_cockpit_starts_with_a_fifo_among_its_playbooks_and_says_so() {
    let sb = Sandbox::new("fifo-playbook");
    let config = sb.root.join("config");
    std::fs::create_dir_all(config.join("playbooks")).expect("mkdir");
    std::fs::write(
        config.join("inventory.toml"),
        "[[hosts]]\nname = \"web-1\"\naddress = \"127.0.0.1\"\nport = 1\nrole = \"web\"\n",
    )
    .expect("inventory");
    mkfifo(&config.join("playbooks/stuck.toml"));
    std::os::unix::fs::symlink("/dev/zero", config.join("playbooks/zero.toml")).expect("symlink");
    let s = sb.start_cockpit(160, 45, false, &["--config", config.to_str().unwrap()]);
    s.wait_for(
        "the main screen saying two playbook files are invalid",
        STARTUP,
        |sc| sc.contains("1 Hosts") && sc.contains("2 playbook file(s) invalid"),
    );
    let log = std::fs::read_to_string(&sb.log).unwrap_or_default();
    assert!(
        log.contains("stuck.toml:1:1: error: is a FIFO, not a regular file"),
        "{log}"
    );
}
