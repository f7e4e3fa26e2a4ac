//! The notification tests' receivers, real processes on loopback: `notify_receiver.py` (an
//! HTTP server answering as DingTalk, WeCom, Feishu, Slack or a generic webhook would, and
//! checking their signatures itself) and `smtp_receiver.py` (aiosmtpd with STARTTLS and
//! AUTH, under a test CA made with openssl). Both record every request as a JSON line.
//!
//! The tests never skip: without Debian's python3 and python3-aiosmtpd, or openssl, they fail
//! saying how to get them (`./scripts/test.sh` installs them).
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's Python: the one python3-aiosmtpd installs into.
pub const PYTHON: &str = "/usr/bin/python3";

/// How long a receiver may take to start, or a request to be recorded, on a busy machine.
pub const DEADLINE: Duration = Duration::from_secs(30);

fn support_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name)
}

fn require_python(module: &str) {
    let ok = Command::new(PYTHON)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{PYTHON} with the `{module}` module is required for the notification tests: run ./scripts/test.sh (it installs python3-aiosmtpd) or apt-get install python3 python3-aiosmtpd"
    );
}

/// Waits for the port file a receiver writes once listening.
fn wait_port(child: &mut Child, port_file: &Path, what: &str) -> u16 {
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(port_file)
            && let Ok(port) = text.trim().parse()
        {
            return port;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} ended before listening: {status}");
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{what} did not listen within {DEADLINE:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads a receiver's JSON-lines log.
fn read_log(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a receiver log line is JSON"))
        .collect()
}

/// Waits until the log holds at least `count` lines, then returns them.
fn wait_log(log: &Path, count: usize) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let lines = read_log(log);
        if lines.len() >= count {
            return lines;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{} has {} lines, not {count}, after {DEADLINE:?}",
            log.display(),
            lines.len()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The signing secrets the HTTP receiver checks.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    /// DingTalk's `--dingtalk-secret`.
    pub dingtalk: Option<String>,
    /// Feishu's `--feishu-secret`.
    pub feishu: Option<String>,
    /// The generic webhook's `--webhook-secret`.
    pub webhook: Option<String>,
}

/// A running `notify_receiver.py`.
pub struct HttpReceiver {
    child: Child,
    /// Its folder (port file, log, mode file).
    pub dir: tempfile::TempDir,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl HttpReceiver {
    /// Starts one that checks `secrets`.
    pub fn start(secrets: &Secrets) -> HttpReceiver {
        require_python("json");
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new(PYTHON);
        command
            .arg(support_file("notify_receiver.py"))
            .arg("--port-file")
            .arg(dir.path().join("port"))
            .arg("--log")
            .arg(dir.path().join("log.jsonl"))
            .arg("--mode-file")
            .arg(dir.path().join("mode"));
        for (flag, value) in [
            ("--dingtalk-secret", &secrets.dingtalk),
            ("--feishu-secret", &secrets.feishu),
            ("--webhook-secret", &secrets.webhook),
        ] {
            if let Some(value) = value {
                command.arg(flag).arg(value);
            }
        }
        let mut child = command
            .stdin(Stdio::null())
            .spawn()
            .expect("start notify_receiver.py");
        let port = wait_port(&mut child, &dir.path().join("port"), "notify_receiver.py");
        HttpReceiver { child, dir, port }
    }

    /// `http://127.0.0.1:PORT` + `path` (which names the platform: `/dingtalk/…`).
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// How it answers from now on: `ok`, `fail`, `hang`, `reject`, `echo`.
    pub fn set_mode(&self, mode: &str) {
        std::fs::write(self.dir.path().join("mode"), mode).unwrap();
    }

    /// The requests recorded so far.
    pub fn requests(&self) -> Vec<Value> {
        read_log(&self.dir.path().join("log.jsonl"))
    }

    /// Waits for at least `count` requests.
    pub fn wait_requests(&self, count: usize) -> Vec<Value> {
        wait_log(&self.dir.path().join("log.jsonl"), count)
    }
}

impl Drop for HttpReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A test CA and a server certificate it signed for 127.0.0.1 and localhost.
pub struct TestCerts {
    /// The CA certificate (what a channel's `ca_file` names).
    pub ca: PathBuf,
    /// The server's certificate.
    pub cert: PathBuf,
    /// The server's key.
    pub key: PathBuf,
}

impl TestCerts {
    /// Makes them with openssl in `dir`.
    pub fn make(dir: &Path) -> TestCerts {
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .output()
                .expect("openssl is required for the e-mail tests (apt-get install openssl)");
            assert!(out.status.success(), "openssl {args:?}: {out:?}");
        };
        run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=cockpit test CA",
        ]);
        run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ]);
        std::fs::write(
            dir.join("server.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ]);
        TestCerts {
            ca: dir.join("ca.pem"),
            cert: dir.join("server.pem"),
            key: dir.join("server.key"),
        }
    }
}

/// How the SMTP receiver is set up.
pub struct SmtpSetup<'a> {
    /// Certificate and key for STARTTLS (none: no STARTTLS offered).
    pub certs: Option<&'a TestCerts>,
    /// The login it requires, with its password.
    pub login: Option<(&'a str, &'a str)>,
}

/// A running `smtp_receiver.py`.
pub struct SmtpReceiver {
    child: Child,
    /// Its folder (port file, log).
    pub dir: tempfile::TempDir,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl SmtpReceiver {
    /// Starts one as `setup` says.
    pub fn start(setup: &SmtpSetup<'_>) -> SmtpReceiver {
        require_python("aiosmtpd");
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new(PYTHON);
        command
            .arg(support_file("smtp_receiver.py"))
            .arg("--port-file")
            .arg(dir.path().join("port"))
            .arg("--log")
            .arg(dir.path().join("log.jsonl"));
        match setup.certs {
            Some(certs) => {
                command
                    .arg("--cert")
                    .arg(&certs.cert)
                    .arg("--key")
                    .arg(&certs.key);
            }
            None => {
                command.arg("--no-starttls");
            }
        }
        if let Some((user, password)) = setup.login {
            command.args(["--user", user, "--password", password]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .spawn()
            .expect("start smtp_receiver.py");
        let port = wait_port(&mut child, &dir.path().join("port"), "smtp_receiver.py");
        SmtpReceiver { child, dir, port }
    }

    /// The events recorded so far (`auth`, `message`).
    pub fn events(&self) -> Vec<Value> {
        read_log(&self.dir.path().join("log.jsonl"))
    }

    /// Waits for at least `count` events.
    pub fn wait_events(&self, count: usize) -> Vec<Value> {
        wait_log(&self.dir.path().join("log.jsonl"), count)
    }
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
