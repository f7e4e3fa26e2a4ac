//! A private PostgreSQL 15 cluster a test owns, so that it can stop and start it in the middle
//! of the test (the shared journal going offline during an incident).
//!
//! [`PrivatePg::start`] runs `initdb` into a temporary folder owned by the `postgres` OS user
//! (the tests run as root, and `initdb`/`postgres` refuse root, so every server command runs
//! under `runuser -u postgres --`), on a free loopback TCP port with its own unix socket folder.
//! TCP logins need a password (`scram-sha-256`, never `trust`); the socket, reachable only by the
//! `postgres` OS user, uses `peer` for the harness's own admin statements. A test role
//! (`LOGIN CREATEDB`, random password) is what the code under test connects as: [`PrivatePg::url`].
//! [`PrivatePg::stop`] is `pg_ctl stop -m fast`, [`PrivatePg::start_again`] is `pg_ctl start -w`.
//! Dropping it stops the server and removes the folder.
//!
//! Missing binaries (PostgreSQL 15 in `/usr/lib/postgresql/15/bin`, `runuser`) fail the test
//! with a message saying to run `scripts/test.sh`: it never skips.
//!
//! Include it with `#[path = "support/private_pg.rs"] mod private_pg;`.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Where Debian's PostgreSQL 15 binaries are.
pub const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
/// The login the code under test uses.
pub const TEST_ROLE: &str = "cockpit_team";
/// How long `pg_ctl` may wait for the server to start or stop (a busy machine).
const PG_CTL_WAIT_S: &str = "120";

/// A PostgreSQL 15 cluster of this test's own.
pub struct PrivatePg {
    dir: Option<tempfile::TempDir>,
    /// Its folder (data, socket, log).
    pub root: PathBuf,
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
    password: String,
    running: bool,
}

fn fail_missing(what: &str) -> ! {
    panic!(
        "{what} is missing: the private PostgreSQL tests need PostgreSQL 15 \
         (apt-get install postgresql-15) and runuser (util-linux); run `scripts/test.sh` as root"
    )
}

/// Checks that everything the harness runs is installed; panics (never skips) when not.
pub fn require_binaries() {
    for bin in ["initdb", "pg_ctl", "postgres", "psql"] {
        if !Path::new(PG_BIN).join(bin).exists() {
            fail_missing(&format!("{PG_BIN}/{bin}"));
        }
    }
    let runuser = Command::new("runuser")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !runuser.is_ok_and(|s| s.success()) {
        fail_missing("runuser");
    }
    let user = Command::new("id").args(["-u", "postgres"]).output();
    if !user.is_ok_and(|o| o.status.success()) {
        fail_missing("the `postgres` OS user");
    }
}

/// `program` (a PostgreSQL binary) as the `postgres` OS user.
fn as_postgres(program: &str) -> Command {
    let mut c = Command::new("runuser");
    c.args(["-u", "postgres", "--"])
        .arg(Path::new(PG_BIN).join(program))
        .env("HOME", "/tmp")
        .env_remove("PGPASSWORD")
        .stdin(Stdio::null());
    c
}

fn run_ok(mut cmd: Command, what: &str) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run it: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A port nothing listens on right now (bound, then released).
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    l.local_addr().expect("its address").port()
}

/// A password nobody guesses (no crate needed: the kernel's random bytes, as hex).
fn random_password() -> String {
    let mut bytes = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
    read.expect("read /dev/urandom");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl PrivatePg {
    /// Initialises a cluster, starts it on a free port and creates the test role.
    pub fn start() -> PrivatePg {
        require_binaries();
        let dir = tempfile::Builder::new()
            .prefix("cockpit-pg-")
            .tempdir_in("/tmp")
            .expect("a temporary folder for the private PostgreSQL");
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("socket")).expect("socket folder");
        let mut chown = Command::new("chown");
        chown.args(["-R", "postgres:postgres"]).arg(&root);
        run_ok(chown, "chown the private PostgreSQL folder to postgres");
        let mut initdb = as_postgres("initdb");
        initdb
            .arg("-D")
            .arg(root.join("data"))
            .args(["-U", "postgres", "-E", "UTF8", "--locale=C"])
            .args(["--auth-local=peer", "--auth-host=scram-sha-256"]);
        run_ok(initdb, "initdb");
        let mut pg = PrivatePg {
            dir: Some(dir),
            root,
            port: 0,
            password: random_password(),
            running: false,
        };
        pg.start_on_a_free_port();
        pg.admin_sql(&format!(
            "CREATE ROLE {TEST_ROLE} LOGIN CREATEDB PASSWORD '{}'",
            pg.password
        ));
        pg
    }

    /// The port can be taken between choosing and binding it: try a few.
    fn start_on_a_free_port(&mut self) {
        let mut last = String::new();
        for _ in 0..5 {
            self.port = free_port();
            match self.pg_ctl_start() {
                Ok(()) => return,
                Err(e) => last = e,
            }
        }
        panic!("the private PostgreSQL did not start:\n{last}");
    }

    fn data(&self) -> PathBuf {
        self.root.join("data")
    }

    /// The unix socket folder (only the `postgres` OS user's admin statements use it).
    pub fn socket_dir(&self) -> PathBuf {
        self.root.join("socket")
    }

    /// The server's log file.
    pub fn log_path(&self) -> PathBuf {
        self.root.join("server.log")
    }

    /// The server log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn pg_ctl_start(&mut self) -> Result<(), String> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            self.socket_dir().display()
        );
        let out = as_postgres("pg_ctl")
            .arg("start")
            .args(["-w", "-t", PG_CTL_WAIT_S, "-D"])
            .arg(self.data())
            .arg("-l")
            .arg(self.log_path())
            .args(["-o", &options])
            .output()
            .map_err(|e| format!("cannot run pg_ctl: {e}"))?;
        if out.status.success() {
            self.running = true;
            Ok(())
        } else {
            Err(format!(
                "pg_ctl start failed ({}): {}{}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                self.log()
            ))
        }
    }

    /// Whether the server is up (as far as this harness started or stopped it).
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Stops the server (`pg_ctl stop -m fast`: clients are disconnected, nothing is lost).
    pub fn stop(&mut self) {
        let mut cmd = as_postgres("pg_ctl");
        cmd.arg("stop")
            .args(["-w", "-t", PG_CTL_WAIT_S, "-m", "fast", "-D"])
            .arg(self.data());
        run_ok(cmd, "pg_ctl stop");
        self.running = false;
    }

    /// Starts the stopped server again on the same port (`pg_ctl start -w`).
    pub fn start_again(&mut self) {
        if let Err(e) = self.pg_ctl_start() {
            panic!("{e}");
        }
    }

    /// Stops and starts the server.
    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// The test role's password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// URL of database `db` for the test role, with its password.
    pub fn url_for(&self, db: &str) -> String {
        format!(
            "postgres://{TEST_ROLE}:{}@127.0.0.1:{}/{db}",
            self.password, self.port
        )
    }

    /// URL of the `postgres` database for the test role, with its password.
    pub fn url(&self) -> String {
        self.url_for("postgres")
    }

    /// URL of database `db` without the password (give the password separately).
    pub fn url_without_password(&self, db: &str) -> String {
        format!("postgres://{TEST_ROLE}@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates database `name`, owned by the test role; returns its URL (with the password).
    pub fn create_database(&self, name: &str) -> String {
        self.admin_sql(&format!("CREATE DATABASE {name} OWNER {TEST_ROLE}"));
        self.url_for(name)
    }

    /// Runs `sql` as the superuser over the private socket; panics when it fails.
    pub fn admin_sql(&self, sql: &str) -> String {
        self.sql_as_superuser("postgres", sql)
    }

    /// Runs `sql` as the superuser in database `db`, returns psql's unaligned output.
    pub fn sql_as_superuser(&self, db: &str, sql: &str) -> String {
        let mut cmd = as_postgres("psql");
        cmd.arg("-h")
            .arg(self.socket_dir())
            .args(["-p", &self.port.to_string(), "-U", "postgres", "-d", db])
            .args(["-v", "ON_ERROR_STOP=1", "-qtAc", sql]);
        let out = run_ok(cmd, "psql (private PostgreSQL, superuser)");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        if self.running {
            let _ = as_postgres("pg_ctl")
                .arg("stop")
                .args(["-w", "-t", PG_CTL_WAIT_S, "-m", "fast", "-D"])
                .arg(self.data())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        drop(self.dir.take());
    }
}

/// Polls `check` every 50 ms until it returns true or `deadline` passes.
pub fn wait_until(deadline: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if check() {
            return true;
        }
        if started.elapsed() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
