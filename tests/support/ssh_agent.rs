//! A real OpenSSH `ssh-agent` for the signing tests, on a socket in a temporary folder, with
//! keys made by `ssh-keygen` and added by `ssh-add`; stopped when dropped.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `ssh-agent -D`, its keys' folder and socket.
pub struct Agent {
    child: Child,
    /// The agent's socket (what `SSH_AUTH_SOCK` names).
    pub socket: PathBuf,
    /// Where the keys are.
    pub dir: tempfile::TempDir,
}

impl Agent {
    /// Starts an agent and waits (up to 30 s) until its socket exists.
    pub fn start() -> Agent {
        let dir = tempfile::tempdir().expect("dir");
        let socket = dir.path().join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh-agent is needed on PATH for this test");
        let start = Instant::now();
        while !socket.exists() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "ssh-agent did not create {}",
                socket.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Agent { child, socket, dir }
    }

    /// Makes a key of `kind` (`ed25519`, `rsa`) named `name` and adds it to the agent; returns
    /// the private key's path (the public key is beside it, `.pub`).
    pub fn add_key(&self, kind: &str, name: &str) -> PathBuf {
        let key = keygen(self.dir.path(), kind, name);
        let out = Command::new("ssh-add")
            .arg(&key)
            .env("SSH_AUTH_SOCK", &self.socket)
            .output()
            .expect("ssh-add is needed on PATH for this test");
        assert!(out.status.success(), "ssh-add: {out:?}");
        key
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes a key pair with `ssh-keygen` (no passphrase); the private key's path.
pub fn keygen(dir: &Path, kind: &str, name: &str) -> PathBuf {
    let key = dir.join(name);
    let mut cmd = Command::new("ssh-keygen");
    cmd.args(["-q", "-t", kind, "-N", "", "-C", name, "-f"])
        .arg(&key);
    if kind == "rsa" {
        cmd.args(["-b", "3072"]);
    }
    let out = cmd.output().expect("ssh-keygen is needed on PATH");
    assert!(out.status.success(), "ssh-keygen: {out:?}");
    key
}

/// The `keytype base64` part of a private key's `.pub` file.
pub fn public_key(key: &Path) -> String {
    let text = std::fs::read_to_string(key.with_extension("pub")).expect("public key");
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes an allowed-signers file: one line per (principal, private key).
pub fn allowed_signers(dir: &Path, signers: &[(&str, &Path)]) -> PathBuf {
    let path = dir.join("allowed_signers");
    let text: String = signers
        .iter()
        .map(|(who, key)| format!("{who} {}\n", public_key(key)))
        .collect();
    std::fs::write(&path, text).expect("write allowed signers");
    path
}
