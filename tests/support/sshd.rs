//! Real OpenSSH `sshd` processes for the SSH transport tests.
//!
//! [`TestSshd::start`] starts one `/usr/sbin/sshd -D -e` on a loopback address of its own
//! (`127.0.0.2`, `127.0.0.3`, … — Linux routes all of 127.0.0.0/8 to `lo`) and a free port,
//! in a private temporary folder holding its config, its ed25519 host key, its log and an
//! `authorized_keys` file that authorizes the test client keys ([`ClientKeys`]: ed25519,
//! RSA, ECDSA and a passphrase-protected ed25519 key). The login user is the current user
//! (`id -un`; root in CI, hence `PermitRootLogin prohibit-password`).
//!
//! The tests never skip: without `/usr/sbin/sshd` they fail with a message saying how to get
//! it (`./scripts/test.sh` installs openssh-server).
//!
//! Include it from an integration test with
//! `#[path = "support/sshd.rs"] mod sshd;`.

#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The server binary the tests run.
pub const SSHD: &str = "/usr/sbin/sshd";

/// Passphrase of [`ClientKeys::ed25519_encrypted`].
pub const ENCRYPTED_KEY_PASSPHRASE: &str = "correct horse";

/// How long a starting (or restarting) sshd may take to answer with its banner.
pub const READY: Duration = Duration::from_secs(10);

const MISSING_SSHD: &str = "OpenSSH sshd is required for the SSH tests: run ./scripts/test.sh (it installs openssh-server) or apt-get install openssh-server";

/// Fails (never skips) when the OpenSSH server or `ssh-keygen` is missing.
pub fn require_sshd() {
    if !Path::new(SSHD).exists() {
        panic!("{MISSING_SSHD} ({SSHD} does not exist)");
    }
    match Command::new("ssh-keygen").arg("-?").output() {
        Ok(_) => {}
        Err(e) => panic!(
            "cannot run `ssh-keygen` ({e}): the SSH tests need the OpenSSH client tools; apt-get install openssh-client"
        ),
    }
}

/// The current user, the one every test sshd lets in (`id -un`).
pub fn current_user() -> String {
    static USER: OnceLock<String> = OnceLock::new();
    USER.get_or_init(|| {
        let out = Command::new("id")
            .arg("-un")
            .output()
            .expect("run `id -un`");
        assert!(out.status.success(), "`id -un` failed: {out:?}");
        String::from_utf8(out.stdout)
            .expect("user name is UTF-8")
            .trim()
            .to_string()
    })
    .clone()
}

/// `(major, minor)` of the installed sshd (`sshd -V` prints `OpenSSH_9.2p1 …` on stderr).
pub fn sshd_version() -> (u32, u32) {
    static VERSION: OnceLock<(u32, u32)> = OnceLock::new();
    *VERSION.get_or_init(|| {
        require_sshd();
        let out = Command::new(SSHD).arg("-V").output().expect("run sshd -V");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        let rest = text
            .split("OpenSSH_")
            .nth(1)
            .unwrap_or_else(|| panic!("cannot read the sshd version from {text:?}"));
        let mut parts = rest.split(|c: char| !c.is_ascii_digit());
        let major = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let minor = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        (major, minor)
    })
}

/// Runs `ssh-keygen` with `args`, panicking with its output when it fails.
fn ssh_keygen(args: &[&str]) -> Output {
    let out = Command::new("ssh-keygen")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run ssh-keygen {args:?}: {e}"));
    assert!(
        out.status.success(),
        "ssh-keygen {args:?} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Generates a key pair at `path` / `path.pub` (`type_` and optional `bits` as for
/// `ssh-keygen -t`/`-b`), protected by `passphrase` (empty: unencrypted).
pub fn generate_key(path: &Path, type_: &str, bits: Option<u32>, passphrase: &str) {
    let path_s = path.to_str().expect("UTF-8 key path");
    let bits_s = bits.map(|b| b.to_string());
    let mut args = vec!["-q", "-t", type_, "-N", passphrase, "-C", "cockpit-test"];
    if let Some(b) = &bits_s {
        args.extend(["-b", b.as_str()]);
    }
    args.extend(["-f", path_s]);
    ssh_keygen(&args);
}

/// The `type base64` part of an OpenSSH public key file (the comment dropped).
pub fn public_key_line(pub_path: &Path) -> String {
    let text =
        fs::read_to_string(pub_path).unwrap_or_else(|e| panic!("read {}: {e}", pub_path.display()));
    let mut fields = text.split_whitespace();
    let (Some(kind), Some(b64)) = (fields.next(), fields.next()) else {
        panic!(
            "{} is not an OpenSSH public key: {text:?}",
            pub_path.display()
        );
    };
    format!("{kind} {b64}")
}

fn pub_path(key: &Path) -> PathBuf {
    let mut p = key.as_os_str().to_owned();
    p.push(".pub");
    PathBuf::from(p)
}

/// Writes a known_hosts file with `lines` (one entry each).
pub fn write_known_hosts(path: &Path, lines: &[String]) {
    let mut text = String::new();
    for line in lines {
        text.push_str(line.trim_end());
        text.push('\n');
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Hashes `line` (a plain known_hosts entry) the way `HashKnownHosts yes` does:
/// `|1|salt|hash ssh-ed25519 AAAA…`. Uses `ssh-keygen -H` on a scratch file.
pub fn hash_known_hosts_line(line: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("known_hosts");
    write_known_hosts(&file, &[line.to_string()]);
    // Hashes the file in place and keeps the original as `known_hosts.old`.
    ssh_keygen(&["-H", "-f", file.to_str().expect("UTF-8 path")]);
    let hashed = fs::read_to_string(&file).expect("read hashed known_hosts");
    let hashed = hashed.trim().to_string();
    assert!(
        hashed.starts_with("|1|") && !hashed.contains('\n'),
        "ssh-keygen -H produced {hashed:?} from {line:?}"
    );
    hashed
}

/// The client key pairs a test sshd authorizes. Cheap to clone: several servers can share
/// one set (RSA generation is the slow part), see [`TestSshd::start_with_keys`].
#[derive(Clone)]
pub struct ClientKeys {
    _dir: Arc<tempfile::TempDir>,
    /// Unencrypted ed25519 private key (the public key is next to it, `.pub`).
    pub ed25519: PathBuf,
    /// Unencrypted RSA private key (2048 bits).
    pub rsa: PathBuf,
    /// Unencrypted ECDSA private key (nistp256).
    pub ecdsa: PathBuf,
    /// ed25519 private key encrypted with [`ENCRYPTED_KEY_PASSPHRASE`].
    pub ed25519_encrypted: PathBuf,
}

impl ClientKeys {
    /// Generates the four key pairs in a temporary folder of their own.
    pub fn generate() -> ClientKeys {
        require_sshd();
        let dir = tempfile::Builder::new()
            .prefix("cockpit-client-keys-")
            .tempdir()
            .expect("temp dir for client keys");
        let p = dir.path();
        let keys = ClientKeys {
            ed25519: p.join("id_ed25519"),
            rsa: p.join("id_rsa"),
            ecdsa: p.join("id_ecdsa"),
            ed25519_encrypted: p.join("id_ed25519_encrypted"),
            _dir: Arc::new(dir),
        };
        generate_key(&keys.ed25519, "ed25519", None, "");
        generate_key(&keys.rsa, "rsa", Some(2048), "");
        generate_key(&keys.ecdsa, "ecdsa", Some(256), "");
        generate_key(
            &keys.ed25519_encrypted,
            "ed25519",
            None,
            ENCRYPTED_KEY_PASSPHRASE,
        );
        keys
    }

    /// All private keys, unencrypted ones first.
    pub fn all(&self) -> [&Path; 4] {
        [
            &self.ed25519,
            &self.rsa,
            &self.ecdsa,
            &self.ed25519_encrypted,
        ]
    }

    /// The `authorized_keys` text for all four keys.
    pub fn authorized_keys(&self) -> String {
        self.all()
            .iter()
            .map(|k| format!("{} cockpit-test\n", public_key_line(&pub_path(k))))
            .collect()
    }
}

/// One running OpenSSH server on `address:port`, killed (with every session it forked) on drop.
pub struct TestSshd {
    /// The loopback address it listens on, e.g. `127.0.0.2`.
    pub address: String,
    /// Its port (picked free at start; kept across [`TestSshd::restart`]).
    pub port: u16,
    /// The user to log in as (the current user).
    pub user: String,
    /// Its private folder: config, host key, authorized_keys, pid file, log.
    pub dir: PathBuf,
    /// Unencrypted ed25519 client key authorized here (= `keys.ed25519`).
    pub client_key: PathBuf,
    /// Every client key authorized here.
    pub keys: ClientKeys,
    /// Its ed25519 host private key (`.pub` next to it).
    pub host_key: PathBuf,
    /// Its sshd_config.
    pub config: PathBuf,
    /// sshd's stderr (`-e`, LogLevel VERBOSE); appended to across restarts.
    pub log: PathBuf,
    child: Option<Child>,
    _tmp: tempfile::TempDir,
}

/// Why one attempt to start sshd failed.
enum StartError {
    /// The port was taken (another process, or TIME_WAIT without SO_REUSEADDR).
    AddressInUse(String),
    /// Anything else: the message to panic with.
    Fatal(String),
}

impl TestSshd {
    /// Starts an sshd on `address` (e.g. `"127.0.0.2"`) and a free port, with its own host key
    /// and freshly generated client keys; returns once it answers with its `SSH-2.0` banner.
    pub fn start(address: &str) -> TestSshd {
        TestSshd::start_with_keys(address, &ClientKeys::generate())
    }

    /// Like [`TestSshd::start`], authorizing the given (shared) client keys.
    pub fn start_with_keys(address: &str, keys: &ClientKeys) -> TestSshd {
        require_sshd();
        ensure_privsep_dir();
        let tmp = tempfile::Builder::new()
            .prefix(&format!("cockpit-sshd-{address}-"))
            .tempdir()
            .expect("temp dir for sshd");
        let dir = tmp.path().to_path_buf();
        let host_key = dir.join("ssh_host_ed25519_key");
        generate_key(&host_key, "ed25519", None, "");
        fs::write(dir.join("authorized_keys"), keys.authorized_keys()).expect("authorized_keys");
        let mut sshd = TestSshd {
            address: address.to_string(),
            port: 0,
            user: current_user(),
            config: dir.join("sshd_config"),
            log: dir.join("sshd.log"),
            host_key,
            client_key: keys.ed25519.clone(),
            keys: keys.clone(),
            dir,
            child: None,
            _tmp: tmp,
        };
        // Another test may grab the port between our probe and sshd's bind: pick another.
        let mut last = String::new();
        for _ in 0..10 {
            sshd.port = free_port(address);
            sshd.write_config();
            match sshd.spawn_and_wait() {
                Ok(()) => return sshd,
                Err(StartError::AddressInUse(log)) => last = log,
                Err(StartError::Fatal(msg)) => panic!("{msg}"),
            }
        }
        panic!("sshd on {address} could not bind a free port in 10 tries; last log:\n{last}");
    }

    /// `address:port`.
    pub fn socket_addr(&self) -> SocketAddr {
        format!("{}:{}", self.address, self.port)
            .parse()
            .expect("socket address")
    }

    /// `ssh-ed25519 AAAA…` (the host public key, no comment).
    pub fn host_public_key_line(&self) -> String {
        public_key_line(&pub_path(&self.host_key))
    }

    /// This host's known_hosts entry: `[127.0.0.2]:PORT ssh-ed25519 AAAA…`.
    pub fn known_hosts_line(&self) -> String {
        format!(
            "[{}]:{} {}",
            self.address,
            self.port,
            self.host_public_key_line()
        )
    }

    /// This host's entry hashed: `|1|salt|hash ssh-ed25519 AAAA…`.
    pub fn hashed_known_hosts_line(&self) -> String {
        hash_known_hosts_line(&self.known_hosts_line())
    }

    /// Writes a known_hosts file holding this host's (plain) entry, in its folder; returns it.
    pub fn known_hosts_file(&self) -> PathBuf {
        let path = self.dir.join("known_hosts");
        write_known_hosts(&path, &[self.known_hosts_line()]);
        path
    }

    /// The listener's process id, while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    /// Whether the listener process is running (it has not exited and was not stopped).
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// The log so far.
    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills the server like a crashing host: the listener and every session it forked
    /// (open connections drop, new ones are refused). Idempotent.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        kill_tree(child.id());
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Starts the server again on the same address, port, host key and keys (after
    /// [`TestSshd::stop`], or running: stops it first). Retries while the port is still busy.
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + READY;
        loop {
            match self.spawn_and_wait() {
                Ok(()) => return,
                Err(StartError::AddressInUse(log)) if Instant::now() < deadline => {
                    let _ = log;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(StartError::AddressInUse(log)) => panic!(
                    "sshd could not bind {}:{} again within {READY:?}; log:\n{log}",
                    self.address, self.port
                ),
                Err(StartError::Fatal(msg)) => panic!("{msg}"),
            }
        }
    }

    /// Puts `lines` (sshd_config options, e.g. `PermitOpen 127.0.0.3:2222` or `LogLevel
    /// DEBUG1`) at the top of the config, where they win over the harness's own (sshd keeps
    /// the first value of an option), and restarts the server with them.
    pub fn configure(&mut self, lines: &str) {
        let current = fs::read_to_string(&self.config).expect("read sshd_config");
        fs::write(&self.config, format!("{}\n{current}", lines.trim_end()))
            .expect("write sshd_config");
        self.restart();
    }

    /// Stops (SIGSTOP) the listener: the kernel still completes TCP handshakes on its
    /// listening socket, but no connection gets a banner — a host that accepts and never
    /// answers. Sessions already open are not affected.
    pub fn freeze(&self) {
        self.signal_listener(libc::SIGSTOP);
    }

    /// Resumes (SIGCONT) a [`TestSshd::freeze`]d listener; it then serves the queued
    /// connections that have not given up.
    pub fn thaw(&self) {
        self.signal_listener(libc::SIGCONT);
    }

    fn signal_listener(&self, sig: libc::c_int) {
        let pid = self.pid().expect("sshd is not running");
        // SAFETY: kill(2) on our own child's pid; no memory involved.
        let rc = unsafe { libc::kill(pid as libc::pid_t, sig) };
        assert_eq!(
            rc,
            0,
            "kill({pid}, {sig}): {}",
            std::io::Error::last_os_error()
        );
    }

    /// Runs `command` on this host with the system OpenSSH client (`ssh -F /dev/null
    /// -o BatchMode=yes … -i key -p PORT user@address command`), strict host key checking
    /// against `known_hosts` only.
    pub fn exec_with_openssh(&self, key: &Path, known_hosts: &Path, command: &str) -> Output {
        self.exec_with_openssh_opts(key, known_hosts, &[], command)
    }

    /// [`TestSshd::exec_with_openssh`] with extra `-o` options, e.g. `["ConnectTimeout=2"]`.
    pub fn exec_with_openssh_opts(
        &self,
        key: &Path,
        known_hosts: &Path,
        options: &[&str],
        command: &str,
    ) -> Output {
        self.openssh_command(key, known_hosts, options, command)
            .output()
            .expect("run the ssh client")
    }

    /// The system OpenSSH client set up to run `command` here (stdin closed), for callers that
    /// need to spawn it themselves (e.g. to time it or redirect its output).
    pub fn openssh_command(
        &self,
        key: &Path,
        known_hosts: &Path,
        options: &[&str],
        command: &str,
    ) -> Command {
        let mut cmd = Command::new("ssh");
        cmd.arg("-F").arg("/dev/null");
        for opt in [
            "BatchMode=yes".to_string(),
            format!("UserKnownHostsFile={}", known_hosts.display()),
            "GlobalKnownHostsFile=/dev/null".to_string(),
            "StrictHostKeyChecking=yes".to_string(),
            "UpdateHostKeys=no".to_string(),
            "IdentitiesOnly=yes".to_string(),
            "IdentityAgent=none".to_string(),
            "LogLevel=ERROR".to_string(),
        ] {
            cmd.arg("-o").arg(opt);
        }
        for opt in options {
            cmd.arg("-o").arg(opt);
        }
        cmd.arg("-i")
            .arg(key)
            .arg("-p")
            .arg(self.port.to_string())
            .arg(format!("{}@{}", self.user, self.address))
            .arg(command)
            .stdin(Stdio::null());
        cmd
    }

    fn write_config(&self) {
        let d = self.dir.display();
        let mut config = format!(
            "\
ListenAddress {addr}:{port}
Port {port}
AddressFamily inet
HostKey {host_key}
PidFile {d}/sshd.pid
AuthorizedKeysFile {d}/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
X11Forwarding no
UseDNS no
PrintMotd no
PrintLastLog no
LogLevel VERBOSE
MaxSessions 50
MaxStartups 100
MaxAuthTries 10
LoginGraceTime 60
Subsystem sftp internal-sftp
# bash reads ~/.bashrc for commands sshd runs unless SHLVL is set: the test user's rc files
# (pyenv's rehash lock, for one) must not slow down or hang the commands under test.
SetEnv SHLVL=1
",
            addr = self.address,
            port = self.port,
            host_key = self.host_key.display(),
        );
        // OpenSSH 9.8+ penalizes sources with failed or aborted connections: the tests make
        // many of those from 127.0.0.1 on purpose.
        if sshd_version() >= (9, 8) {
            config.push_str("PerSourcePenalties no\n");
        }
        fs::write(&self.config, config).expect("write sshd_config");
    }

    /// One attempt: spawn sshd and wait for its banner.
    fn spawn_and_wait(&mut self) -> Result<(), StartError> {
        let log_start = fs::metadata(&self.log).map(|m| m.len()).unwrap_or(0);
        let log_file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("open sshd log");
        let child = Command::new(SSHD)
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log fd"))
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot spawn {SSHD}: {e}\n{MISSING_SSHD}"));
        self.child = Some(child);
        let new_log = |me: &TestSshd| {
            let all = fs::read(&me.log).unwrap_or_default();
            String::from_utf8_lossy(&all[(log_start as usize).min(all.len())..]).into_owned()
        };
        let deadline = Instant::now() + READY;
        loop {
            let exited = self
                .child
                .as_mut()
                .expect("child")
                .try_wait()
                .expect("try_wait sshd");
            if let Some(status) = exited {
                self.child = None;
                let log = new_log(self);
                if log.contains("Address already in use") {
                    return Err(StartError::AddressInUse(log));
                }
                return Err(StartError::Fatal(format!(
                    "sshd on {}:{} exited early ({status}); config {}; log {}:\n{log}",
                    self.address,
                    self.port,
                    self.config.display(),
                    self.log.display()
                )));
            }
            // Our own sshd must say it listens (a banner alone could come from another
            // process that won a race for the port), and then answer.
            if new_log(self).contains("Server listening on")
                && banner(self.socket_addr()).is_some_and(|b| b.starts_with("SSH-2.0"))
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                self.stop();
                return Err(StartError::Fatal(format!(
                    "sshd on {}:{} did not answer with an SSH-2.0 banner within {READY:?}; log:\n{}",
                    self.address,
                    self.port,
                    new_log(self)
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for TestSshd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The first line a server sends, if it connects and sends one within a second.
pub fn banner(addr: SocketAddr) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while buf.len() < 255 {
        match stream.read(&mut byte) {
            Ok(1) if byte[0] == b'\n' => break,
            Ok(1) => buf.push(byte[0]),
            _ => return None,
        }
    }
    // Say goodbye politely so sshd logs no protocol error.
    let _ = stream.write_all(b"SSH-2.0-cockpit-harness-probe\r\n");
    Some(String::from_utf8_lossy(&buf).trim_end().to_string())
}

/// A port free on `address` right now (bound to port 0, read, released).
pub fn free_port(address: &str) -> u16 {
    let listener = TcpListener::bind((address, 0))
        .unwrap_or_else(|e| panic!("cannot bind {address}:0 ({e}); is it a loopback address?"));
    listener.local_addr().expect("local addr").port()
}

/// sshd refuses to run without its privilege separation directory (`/run/sshd` on Debian);
/// the package's service unit usually creates it, and we never start that service.
pub fn ensure_privsep_dir() {
    let dir = Path::new("/run/sshd");
    if !dir.exists() {
        // Fails unless root; sshd's log then says what is missing.
        let _ = fs::create_dir_all(dir);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o755));
        }
    }
}

/// Parent pid of `pid` from `/proc/PID/stat`.
fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`; comm may contain spaces and parentheses.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(1)?.parse().ok()
}

/// Every live descendant of `root`.
fn descendants(root: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let pairs: Vec<(u32, u32)> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| Some((pid, parent_of(pid)?)))
        .collect();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        for &(pid, ppid) in &pairs {
            if ppid == parent && !found.contains(&pid) {
                found.push(pid);
            }
        }
        i += 1;
    }
    found.remove(0);
    found
}

/// SIGKILLs `root`'s descendants (sshd sessions call setsid, so no process group covers
/// them): first SIGSTOPs the whole tree until it stops growing (a stopped process cannot
/// fork, and a killed one's children would be re-parented out of sight), then kills it.
pub fn kill_tree(root: u32) {
    let signal = |pid: u32, sig: libc::c_int| {
        // SAFETY: kill(2) with a pid we just read from /proc; no memory involved.
        unsafe { libc::kill(pid as libc::pid_t, sig) };
    };
    signal(root, libc::SIGSTOP);
    let mut stopped: Vec<u32> = Vec::new();
    for _ in 0..50 {
        let tree = descendants(root);
        let new: Vec<u32> = tree.into_iter().filter(|p| !stopped.contains(p)).collect();
        if new.is_empty() {
            break;
        }
        for &pid in &new {
            signal(pid, libc::SIGSTOP);
        }
        stopped.extend(new);
    }
    for &pid in &stopped {
        signal(pid, libc::SIGKILL);
    }
    signal(root, libc::SIGKILL);
}

/// Short timeouts for sessions to the test sshd on loopback: a failure shows in seconds, and
/// auth keeps room for a busy machine.
pub fn quick() -> cockpit::io::ssh::Timeouts {
    cockpit::io::ssh::Timeouts {
        connect: Duration::from_secs(3),
        auth: Duration::from_secs(10),
        keepalive: Duration::from_secs(1),
    }
}

/// An inventory of `hosts` (name, server), each reached over ssh with the test's key and
/// probed every second; `extra` gives a host's own lines (role, tags, logs).
pub fn sshd_inventory(
    hosts: &[(&str, &TestSshd)],
    known_hosts: &Path,
    extra: impl Fn(&TestSshd) -> String,
) -> String {
    let mut text = format!(
        "[settings]\nprobe_interval_secs = 1\ncheck_timeout_secs = 3\nknown_hosts = {}\n",
        quoted(&known_hosts.display().to_string())
    );
    for (name, s) in hosts {
        text.push_str(&format!(
            "\n[[hosts]]\nname = {}\naddress = {}\nport = {}\nuser = {}\nidentity_files = [{}]\nchecks = [{{ kind = \"ssh\" }}]\n{}",
            quoted(name),
            quoted(&s.address),
            s.port,
            quoted(&s.user),
            quoted(&s.client_key.display().to_string()),
            extra(s),
        ));
    }
    text
}

/// `s` as a TOML string literal.
pub fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
