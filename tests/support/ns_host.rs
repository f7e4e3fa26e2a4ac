//! A host of a real test fleet: an OpenSSH `sshd` on a loopback address, started (as root)
//! inside a mount namespace of its own where chosen absolute paths (`/etc/rabbitmq`,
//! `/usr/local/bin`, …) hold that host's files.
//!
//! Each host is `unshare -m --propagation private sh -c 'mount --bind …; exec sshd -D …'`: the
//! bind mounts exist only in that namespace (sshd's sessions, and every process they start,
//! inherit it), so each host sees its own folders while the real ones are never written to. The
//! real root only gets the empty mount-point folders, made when missing.
//!
//! Use: [`FleetKeys::generate`] once, [`NsHost::prepare`] per host (then write its files under
//! [`NsHost::file`]), [`start_hosts`], then [`FleetKeys::ssh`] to look at a host from outside.
//! Include with `#[path = "support/sshd.rs"] mod sshd;` and
//! `#[path = "support/ns_host.rs"] mod ns_host;`.

#![allow(dead_code)]

use super::sshd::{
    SSHD, banner, current_user, ensure_privsep_dir, free_port, generate_key, kill_tree,
    public_key_line, require_sshd, sshd_version, write_known_hosts,
};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a starting sshd may take to say it listens.
const READY: Duration = Duration::from_secs(20);

/// Fails (never skips) unless this runs as root with `unshare`, `mount`, sshd and `ssh`, plus
/// every `(tool, why)` of `extra` on PATH.
pub fn require_namespace_tools(extra: &[(&str, &str)]) {
    // SAFETY: geteuid(2) has no preconditions.
    let euid = unsafe { libc::geteuid() };
    assert_eq!(
        euid, 0,
        "a real fleet starts sshd hosts in mount namespaces and must run as root (euid is {euid})"
    );
    require_sshd();
    let base = [
        ("unshare", "util-linux, for the hosts' mount namespaces"),
        ("mount", "util-linux, for the hosts' bind mounts"),
        (
            "ssh",
            "the OpenSSH client, to check each host's view (apt-get install openssh-client)",
        ),
    ];
    for (tool, why) in base.iter().chain(extra) {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(found, "`{tool}` is missing on PATH: needed for {why}");
    }
}

/// The client side of a fleet: one unencrypted ed25519 key every host authorizes, and the
/// known_hosts file with every host's key.
pub struct FleetKeys {
    /// The private key.
    pub client_key: PathBuf,
    /// `authorized_keys` every host's sshd reads.
    pub authorized_keys: PathBuf,
    /// known_hosts, written by [`start_hosts`].
    pub known_hosts: PathBuf,
}

impl FleetKeys {
    /// Generates the client key in `dir`.
    pub fn generate(dir: &Path) -> FleetKeys {
        let client_key = dir.join("id_ed25519");
        generate_key(&client_key, "ed25519", None, "");
        let authorized_keys = dir.join("authorized_keys");
        fs::write(
            &authorized_keys,
            format!(
                "{} cockpit-fleet\n",
                public_key_line(&dir.join("id_ed25519.pub"))
            ),
        )
        .expect("authorized_keys");
        FleetKeys {
            client_key,
            authorized_keys,
            known_hosts: dir.join("known_hosts"),
        }
    }

    /// The inventory's `[settings]` for a test fleet: fast probes, quick verdicts, these keys'
    /// known_hosts.
    pub fn inventory_settings(&self) -> String {
        format!(
            "[settings]\nprobe_interval_secs = 1\ncheck_timeout_secs = 3\ndown_after = 2\nup_after = 1\n\
             known_hosts = {}\n",
            toml_string(&self.known_hosts.display().to_string())
        )
    }

    /// The start of `host`'s `[[hosts]]` table: name, address, port, `login`, this client key
    /// and `role`; the fleet adds its checks and facts after it.
    pub fn inventory_host(&self, host: &NsHost, login: &str, role: &str) -> String {
        format!(
            "\n[[hosts]]\nname = {}\naddress = {}\nport = {}\nuser = {}\nidentity_files = [{}]\nrole = {}\n",
            toml_string(&host.name),
            toml_string(&host.address),
            host.port,
            toml_string(login),
            toml_string(&self.client_key.display().to_string()),
            toml_string(role),
        )
    }

    /// Runs `command` on `host` with the system OpenSSH client as the current user (root);
    /// (exit status, stdout, stderr).
    pub fn ssh(&self, host: &NsHost, command: &str) -> (i32, String, String) {
        let out = Command::new("ssh")
            .args(["-F", "/dev/null"])
            .args(["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"])
            .arg("-o")
            .arg(format!("UserKnownHostsFile={}", self.known_hosts.display()))
            .args([
                "-o",
                "GlobalKnownHostsFile=/dev/null",
                "-o",
                "IdentitiesOnly=yes",
            ])
            .args(["-o", "IdentityAgent=none", "-o", "LogLevel=ERROR"])
            .arg("-i")
            .arg(&self.client_key)
            .arg("-p")
            .arg(host.port.to_string())
            .arg(format!("{}@{}", current_user(), host.address))
            .arg(command)
            .stdin(Stdio::null())
            .output()
            .expect("run ssh");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// One host: its private folder, its mounts, and its sshd in a namespace of its own.
pub struct NsHost {
    /// Inventory name.
    pub name: String,
    /// Loopback address sshd listens on.
    pub address: String,
    /// sshd's port (0 until started).
    pub port: u16,
    /// The host's private folder: one sub-folder per mount, and `sshd/`.
    pub dir: PathBuf,
    /// (sub-folder of `dir`, absolute path it is mounted over), in mount order.
    pub mounts: Vec<(String, String)>,
    /// sshd's log.
    pub sshd_log: PathBuf,
    host_key: PathBuf,
    config: PathBuf,
    child: Option<Child>,
}

impl NsHost {
    /// Makes the host's folders under `dir` (one per mount, empty), its host key, and the
    /// mount points on the real root when missing. Nothing runs yet.
    pub fn prepare(dir: &Path, name: &str, address: &str, mounts: &[(&str, &str)]) -> NsHost {
        fs::create_dir_all(dir.join("sshd")).expect("sshd folder");
        for (sub, mount) in mounts {
            fs::create_dir_all(dir.join(sub)).expect("host folder");
            ensure_mount_point(Path::new(mount));
        }
        let host_key = dir.join("sshd/ssh_host_ed25519_key");
        generate_key(&host_key, "ed25519", None, "");
        NsHost {
            name: name.to_string(),
            address: address.to_string(),
            port: 0,
            dir: dir.to_path_buf(),
            mounts: mounts
                .iter()
                .map(|(s, m)| (s.to_string(), m.to_string()))
                .collect(),
            sshd_log: dir.join("sshd/sshd.log"),
            config: dir.join("sshd/sshd_config"),
            host_key,
            child: None,
        }
    }

    /// A file of this host, by its path as the host sees it (under one of its mounts).
    pub fn file(&self, path: &str) -> PathBuf {
        for (sub, mount) in &self.mounts {
            if let Some(rest) = path.strip_prefix(mount.as_str())
                && (rest.is_empty() || rest.starts_with('/'))
            {
                return self.dir.join(sub).join(rest.trim_start_matches('/'));
            }
        }
        panic!(
            "{path} is not under one of {}'s mounted folders {:?}",
            self.name, self.mounts
        );
    }

    /// A file's text, by its path as the host sees it.
    pub fn read(&self, path: &str) -> String {
        let file = self.file(path);
        fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{} on {}: {e} ({})", path, self.name, file.display()))
    }

    /// Writes a file, by its path as the host sees it (parents made).
    pub fn write(&self, path: &str, text: &str) {
        write(&self.file(path), text);
    }

    /// Writes an executable file (mode 755), by its path as the host sees it.
    pub fn write_exec(&self, path: &str, text: &str) {
        write_exec(&self.file(path), text);
    }

    /// `[127.0.x.y]:PORT ssh-ed25519 …`.
    pub fn known_hosts_line(&self) -> String {
        let mut pub_path = self.host_key.clone().into_os_string();
        pub_path.push(".pub");
        format!(
            "[{}]:{} {}",
            self.address,
            self.port,
            public_key_line(Path::new(&pub_path))
        )
    }

    /// Whether sshd is running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Kills the host like a crash: sshd and every session it forked (open connections drop,
    /// new ones are refused; daemons a session detached survive, as on a real machine whose
    /// sshd died). Idempotent.
    pub fn kill(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        kill_tree(child.id());
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Starts sshd on a free port (trying again when another process took it first).
    pub fn start(&mut self, authorized_keys: &Path) {
        ensure_privsep_dir();
        let mut last = String::new();
        for _ in 0..10 {
            self.port = free_port(&self.address);
            self.write_config(authorized_keys);
            match self.spawn() {
                Ok(()) => return,
                Err(log) if log.contains("Address already in use") => last = log,
                Err(msg) => panic!("{msg}"),
            }
        }
        panic!("{}: no free port in 10 tries:\n{last}", self.name);
    }

    fn write_config(&self, authorized_keys: &Path) {
        let d = self.dir.join("sshd");
        let mut config = format!(
            "ListenAddress {addr}:{port}\nPort {port}\nAddressFamily inet\nHostKey {key}\n\
             PidFile {d}/sshd.pid\nAuthorizedKeysFile {ak}\nPubkeyAuthentication yes\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
             StrictModes no\nPermitRootLogin prohibit-password\nAllowTcpForwarding yes\n\
             X11Forwarding no\nUseDNS no\nPrintMotd no\nPrintLastLog no\nLogLevel VERBOSE\n\
             MaxSessions 50\nMaxStartups 100\nMaxAuthTries 10\nLoginGraceTime 60\n\
             SetEnv SHLVL=1\n",
            addr = self.address,
            port = self.port,
            key = self.host_key.display(),
            d = d.display(),
            ak = authorized_keys.display(),
        );
        if sshd_version() >= (9, 8) {
            config.push_str("PerSourcePenalties no\n");
        }
        fs::write(&self.config, config).expect("write sshd_config");
    }

    /// `unshare -m --propagation private sh -c 'mount --bind …; exec sshd -D -e -f CONFIG'`.
    fn spawn(&mut self) -> Result<(), String> {
        let mut script = String::from("set -e\n");
        for (sub, mount) in &self.mounts {
            script.push_str(&format!(
                "mount --bind {} {}\n",
                shell_quote(&self.dir.join(sub).display().to_string()),
                shell_quote(mount)
            ));
        }
        script.push_str(&format!(
            "exec {SSHD} -D -e -f {}\n",
            shell_quote(&self.config.display().to_string())
        ));
        let log_start = fs::metadata(&self.sshd_log).map_or(0, |m| m.len()) as usize;
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.sshd_log)
            .expect("open the sshd log");
        let child = Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log fd"))
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run unshare: {e}"))?;
        self.child = Some(child);
        let log_path = self.sshd_log.clone();
        let new_log = move || {
            let all = fs::read(&log_path).unwrap_or_default();
            String::from_utf8_lossy(&all[log_start.min(all.len())..]).into_owned()
        };
        let deadline = Instant::now() + READY;
        loop {
            if let Ok(Some(status)) = self.child.as_mut().expect("child").try_wait() {
                self.child = None;
                return Err(format!(
                    "{}: sshd in its namespace exited early ({status}); log {}:\n{}",
                    self.name,
                    self.sshd_log.display(),
                    new_log()
                ));
            }
            let addr = format!("{}:{}", self.address, self.port)
                .parse()
                .expect("socket address");
            if new_log().contains("Server listening on")
                && banner(addr).is_some_and(|b| b.starts_with("SSH-2.0"))
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                self.kill();
                return Err(format!(
                    "{}: sshd did not answer within {READY:?}; log:\n{}",
                    self.name,
                    new_log()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for NsHost {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts every host's sshd and writes `keys.known_hosts` with their keys.
pub fn start_hosts<'a>(hosts: impl IntoIterator<Item = &'a mut NsHost>, keys: &FleetKeys) {
    let mut lines = Vec::new();
    for host in hosts {
        host.start(&keys.authorized_keys);
        lines.push(host.known_hosts_line());
    }
    write_known_hosts(&keys.known_hosts, &lines);
}

/// Makes an (empty) mount point on the real root when it is missing; an existing folder is left
/// as it is (the bind mounts cover it only inside the hosts' namespaces).
pub fn ensure_mount_point(path: &Path) {
    if !path.exists() {
        fs::create_dir_all(path)
            .unwrap_or_else(|e| panic!("cannot create the mount point {}: {e}", path.display()));
    }
    assert!(path.is_dir(), "{} is not a folder", path.display());
}

/// A TOML string literal of `s`.
pub fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `'…'` for sh, with embedded single quotes escaped.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Writes a file, making its parent folders.
pub fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("parent folder");
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Writes an executable file (mode 755), making its parent folders.
pub fn write_exec(path: &Path, text: &str) {
    write(path, text);
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod +x");
}
