//! Real database servers for the SQL tests.
//!
//! [`TestDb::create`] makes a uniquely named database on the shared MariaDB or PostgreSQL that
//! `scripts/test.sh` starts (URLs from `COCKPIT_TEST_MYSQL_URL` / `COCKPIT_TEST_PG_URL`, with
//! defaults matching the login test.sh creates) and drops it when dropped. A server that cannot
//! be reached fails the test with a message saying to run `scripts/test.sh`: the tests never
//! skip.
//!
//! [`PrivateServer`] starts a server of its own (a temporary data directory, a free port) for
//! tests that kill it; dropping it kills its whole process group.
//!
//! Include it with `#[path = "support/dbservers.rs"] mod dbservers;`.

#![allow(dead_code)]

use cockpit::core::inventory::{Database, Driver, PasswordSource};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The default URL of the MariaDB login `scripts/test.sh` creates.
pub const DEFAULT_MYSQL_URL: &str = "mysql://cockpit_test:cockpit_test@127.0.0.1:3306/mysql";
/// The default URL of the PostgreSQL login `scripts/test.sh` creates.
pub const DEFAULT_PG_URL: &str = "postgres://cockpit_test:cockpit_test@127.0.0.1:5432/postgres";

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// MariaDB (or MySQL).
    Mysql,
    /// PostgreSQL.
    Postgres,
}

impl Kind {
    /// The admin URL of the shared server.
    pub fn admin_url(self) -> url::Url {
        let (var, default) = match self {
            Kind::Mysql => ("COCKPIT_TEST_MYSQL_URL", DEFAULT_MYSQL_URL),
            Kind::Postgres => ("COCKPIT_TEST_PG_URL", DEFAULT_PG_URL),
        };
        let text = std::env::var(var).unwrap_or_else(|_| default.to_string());
        url::Url::parse(&text).unwrap_or_else(|e| panic!("{var} is not a URL: {e}"))
    }

    /// The inventory driver.
    pub fn driver(self) -> Driver {
        match self {
            Kind::Mysql => Driver::Mysql,
            Kind::Postgres => Driver::Postgres,
        }
    }

    /// The `n`th placeholder in this dialect.
    pub fn ph(self, n: usize) -> String {
        match self {
            Kind::Mysql => "?".into(),
            Kind::Postgres => format!("${n}"),
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database of its own on a shared test server, dropped at the end.
pub struct TestDb {
    /// Which server.
    pub kind: Kind,
    /// Its name.
    pub name: String,
    /// URL of the database, with the password.
    pub url: url::Url,
    /// The password, in a file (the inventory's `password_file`).
    pub password_file: tempfile::NamedTempFile,
}

fn unreachable_message(kind: Kind, url: &url::Url, e: impl std::fmt::Display) -> String {
    format!(
        "the test {kind:?} server at {}:{} is not reachable ({e}); run `scripts/test.sh` \
         (as root) to install and start the test databases, or point {} at one",
        url.host_str().unwrap_or("?"),
        url.port().unwrap_or(0),
        match kind {
            Kind::Mysql => "COCKPIT_TEST_MYSQL_URL",
            Kind::Postgres => "COCKPIT_TEST_PG_URL",
        }
    )
}

impl TestDb {
    /// Creates a uniquely named database; fails (never skips) when the server is unreachable.
    pub async fn create(kind: Kind) -> TestDb {
        let admin = kind.admin_url();
        let name = format!(
            "cockpit_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        admin_exec(kind, &admin, &format!("CREATE DATABASE {name}")).await;
        let mut url = admin.clone();
        url.set_path(&format!("/{name}"));
        let mut password_file = tempfile::NamedTempFile::new().expect("password file");
        std::io::Write::write_all(
            &mut password_file,
            admin.password().unwrap_or("").as_bytes(),
        )
        .expect("write password");
        TestDb {
            kind,
            name,
            url,
            password_file,
        }
    }

    /// The inventory entry of this database (URL without the password, password from a file).
    pub fn database(&self) -> Database {
        let mut url = self.url.clone();
        let _ = url.set_password(None);
        Database {
            name: format!("test-{:?}", self.kind).to_lowercase(),
            driver: self.kind.driver(),
            url: url.to_string(),
            password: PasswordSource::File(self.password_file.path().display().to_string()),
            via_host: None,
            read_only: false,
        }
    }

    /// Runs statements on a connection of its own (another client, for visibility checks).
    pub async fn exec(&self, sql: &str) {
        admin_exec(self.kind, &self.url, sql).await;
    }

    /// A single integer another connection reads.
    pub async fn scalar(&self, sql: &str) -> i64 {
        scalar(self.kind, &self.url, sql).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin = self.kind.admin_url();
        let host = admin.host_str().unwrap_or("127.0.0.1").to_string();
        let port = admin.port().unwrap_or(0).to_string();
        let user = admin.username().to_string();
        let password = admin.password().unwrap_or("").to_string();
        let _ = match self.kind {
            Kind::Mysql => Command::new("mariadb")
                .args(["--protocol=tcp", "-h", &host, "-P", &port, "-u", &user])
                .env("MYSQL_PWD", &password)
                .args(["-e", &format!("DROP DATABASE IF EXISTS {}", self.name)])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status(),
            Kind::Postgres => Command::new("psql")
                .args([
                    "-h", &host, "-p", &port, "-U", &user, "-d", "postgres", "-qc",
                ])
                .arg(format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
                .env("PGPASSWORD", &password)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status(),
        };
    }
}

/// Runs `sql` (text protocol, several statements allowed) on a fresh connection to `url`.
pub async fn admin_exec(kind: Kind, url: &url::Url, sql: &str) {
    use sqlx::{AssertSqlSafe, Connection, Executor};
    let sql = AssertSqlSafe(sql.to_string());
    match kind {
        Kind::Mysql => {
            let mut c = sqlx::MySqlConnection::connect(url.as_str())
                .await
                .unwrap_or_else(|e| panic!("{}", unreachable_message(kind, url, e)));
            c.execute(sqlx::raw_sql(sql)).await.expect("admin sql");
            let _ = c.close().await;
        }
        Kind::Postgres => {
            let mut c = sqlx::PgConnection::connect(url.as_str())
                .await
                .unwrap_or_else(|e| panic!("{}", unreachable_message(kind, url, e)));
            c.execute(sqlx::raw_sql(sql)).await.expect("admin sql");
            let _ = c.close().await;
        }
    }
}

/// One integer (a count) read on a fresh connection.
pub async fn scalar(kind: Kind, url: &url::Url, sql: &str) -> i64 {
    use sqlx::{AssertSqlSafe, Connection};
    let sql = AssertSqlSafe(sql.to_string());
    match kind {
        Kind::Mysql => {
            let mut c = sqlx::MySqlConnection::connect(url.as_str())
                .await
                .unwrap_or_else(|e| panic!("{}", unreachable_message(kind, url, e)));
            let v: i64 = sqlx::query_scalar(sql)
                .fetch_one(&mut c)
                .await
                .expect("scalar");
            let _ = c.close().await;
            v
        }
        Kind::Postgres => {
            let mut c = sqlx::PgConnection::connect(url.as_str())
                .await
                .unwrap_or_else(|e| panic!("{}", unreachable_message(kind, url, e)));
            let v: i64 = sqlx::query_scalar(sql)
                .fetch_one(&mut c)
                .await
                .expect("scalar");
            let _ = c.close().await;
            v
        }
    }
}

/// A port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A server of its own, in a temporary directory, killed (with its process group) on drop.
pub struct PrivateServer {
    /// Which server.
    pub kind: Kind,
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// Runs `program` as the `postgres` user (PostgreSQL refuses to run as root), as a direct
/// child so that it is reaped here when killed.
fn as_postgres(program: &str) -> Command {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .expect("id postgres");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("the postgres user exists (PostgreSQL 15 is installed)")
    };
    let mut c = Command::new(program);
    c.uid(id("-u")).gid(id("-g")).env("HOME", "/tmp");
    c
}

impl PrivateServer {
    /// Initialises a data directory and starts the server on a free port.
    pub fn start(kind: Kind) -> PrivateServer {
        let dir = tempfile::Builder::new()
            .prefix("cockpit-db-")
            .tempdir_in("/tmp")
            .expect("tempdir");
        let data = dir.path().join("data");
        match kind {
            Kind::Postgres => {
                assert!(
                    Path::new(PG_BIN).join("initdb").exists(),
                    "PostgreSQL 15 binaries are missing in {PG_BIN}; run `scripts/test.sh`"
                );
                let owner = Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(dir.path())
                    .status()
                    .expect("chown");
                assert!(owner.success(), "chown the data dir to postgres");
                let out = as_postgres(&format!("{PG_BIN}/initdb"))
                    .args(["-D"])
                    .arg(&data)
                    .args(["-U", "postgres", "--auth=trust", "-E", "UTF8"])
                    .output()
                    .expect("initdb");
                assert!(
                    out.status.success(),
                    "initdb failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            Kind::Mysql => {
                let out = Command::new("mariadb-install-db")
                    .arg(format!("--datadir={}", data.display()))
                    .args([
                        "--user=root",
                        "--skip-test-db",
                        "--auth-root-authentication-method=normal",
                    ])
                    .output()
                    .expect("mariadb-install-db (run scripts/test.sh to install MariaDB)");
                assert!(
                    out.status.success(),
                    "mariadb-install-db failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        let mut server = PrivateServer {
            kind,
            port: free_port(),
            dir,
            child: None,
        };
        server.launch();
        server
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Starts the server process (again) and waits until it accepts connections.
    pub fn launch(&mut self) {
        // After a kill -9 the lock file of the dead server is stale.
        let _ = std::fs::remove_file(self.data().join("postmaster.pid"));
        let log = std::fs::File::create(self.dir.path().join("server.log")).expect("log");
        let mut cmd = match self.kind {
            Kind::Postgres => {
                let mut c = as_postgres(&format!("{PG_BIN}/postgres"));
                c.arg("-D")
                    .arg(self.data())
                    .args(["-p", &self.port.to_string(), "-k"])
                    .arg(self.dir.path())
                    .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]);
                c
            }
            Kind::Mysql => {
                let mut c = Command::new("mariadbd");
                c.arg("--no-defaults")
                    .arg(format!("--datadir={}", self.data().display()))
                    .arg(format!("--port={}", self.port))
                    .arg(format!(
                        "--socket={}",
                        self.dir.path().join("sock").display()
                    ))
                    .arg(format!(
                        "--pid-file={}",
                        self.dir.path().join("mariadbd.pid").display()
                    ))
                    .args([
                        "--user=root",
                        "--bind-address=127.0.0.1",
                        "--skip-grant-tables",
                        "--skip-log-bin",
                        "--innodb-buffer-pool-size=32M",
                    ]);
                c
            }
        };
        let err = log.try_clone().expect("log");
        let child = cmd
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .process_group(0)
            .spawn()
            .expect("start the private server");
        self.child = Some(child);
        let started = Instant::now();
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                // Accepting TCP; give it a moment to accept logins too.
                if self.login_works() {
                    return;
                }
            }
            if started.elapsed() > Duration::from_secs(60) {
                let log =
                    std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
                panic!("the private {:?} server did not come up:\n{log}", self.kind);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn login_works(&self) -> bool {
        let status = match self.kind {
            Kind::Postgres => Command::new("psql")
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
                .args(["-U", "postgres", "-d", "postgres", "-qtAc", "SELECT 1"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status(),
            Kind::Mysql => Command::new("mariadb")
                .args([
                    "--protocol=tcp",
                    "-h",
                    "127.0.0.1",
                    "-P",
                    &self.port.to_string(),
                ])
                .args(["-uroot", "-e", "SELECT 1"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status(),
        };
        status.is_ok_and(|s| s.success())
    }

    /// Its URL (database `postgres` / `mysql`, no password: trust / skip-grant-tables).
    pub fn url(&self) -> url::Url {
        let text = match self.kind {
            Kind::Postgres => format!("postgres://postgres@127.0.0.1:{}/postgres", self.port),
            Kind::Mysql => format!("mysql://root@127.0.0.1:{}/mysql", self.port),
        };
        url::Url::parse(&text).expect("url")
    }

    /// The inventory entry of this server.
    pub fn database(&self) -> Database {
        Database {
            name: format!("private-{:?}", self.kind).to_lowercase(),
            driver: self.kind.driver(),
            url: self.url().to_string(),
            password: PasswordSource::None,
            via_host: None,
            read_only: false,
        }
    }

    /// `kill -9` the server and everything in its process group, and reap it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pgid = child.id() as i32;
            // SAFETY: killpg only sends a signal to the group this test started.
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
            let _ = child.wait();
            // Backends of PostgreSQL share the group; give the kernel a moment to reap them
            // and release the port.
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        self.kill();
    }
}
