//! A real Health Butler host for the recovery guide's playbooks: one OpenSSH host in a mount
//! namespace of its own ([`super::ns_host`]) running a real Node.js application under real PM2
//! as a non-root user, on a real PostgreSQL 15 cluster and a real Redis.
//!
//! The host (`hb-app`, 127.0.9.1) sees, in its namespace:
//! - `/home/cockpit-deploy`: the application user's home. Node and PM2 are installed the nvm
//!   way, in `~/.nvm/versions/node/vX/bin` only: `node` (a hard link of Debian's binary), `npm`,
//!   `npx`, and `pm2` from the npm package `scripts/test.sh` installs under `target/test-npm`.
//!   `/usr/bin/node` is covered by a stub that says node is not installed system-wide, so a plain
//!   `sh -c` finds neither node nor pm2 — only the inventory's `[services.pm2]` path does. PM2's
//!   daemon lives in `~/.pm2`, per user, as on a real machine. `~/.node_modules` holds the `pg`
//!   driver (node's own global folder), so the application's `npm ci` needs no registry.
//! - `/app`: the application, a git checkout (tags `v1.0` and `v1.1`): `server.js` answers
//!   `/health` from PostgreSQL (`SELECT count(*) FROM users`; 500 "Cannot connect to database"
//!   when it cannot) and `/report?mb=N` by building N MB of objects on its heap; `.env` holds
//!   `HOST`, `PORT` (3000), `DATABASE_URL`; `prisma/schema.prisma` and `test-query.sql`;
//!   `ecosystem.config.js` starts it under PM2 as `npm start`, a run shorter than 30 s counting
//!   as a crash and PM2 giving up after 3 of them. PM2 counts crashes only within
//!   `min_uptime × max_restarts` (here 90 s) of the last `pm2 start`/`restart`: the window is
//!   wide so that a crash loop ends "errored" however slow the machine is.
//! - PostgreSQL 15 as Debian runs it: `/etc/postgresql/15/main` (data in the host's folder,
//!   `listen_addresses = 127.0.9.1`, port 5432), `/var/run/postgresql` (its socket),
//!   `/var/log/postgresql`; started and stopped with Debian's own `pg_ctlcluster`, so
//!   `pg_lsclusters`, `pg_isready` and `psql` as `postgres` work unchanged.
//! - `/var/backups/health_butler`: two nightly `pg_dump -Fc` dumps of `health_butler`, `uploads/`
//!   and a copy of `.env`.
//! - `/usr/local/bin`: honest stand-ins, each logging its calls: `systemctl` (no systemd here:
//!   `restart|start|stop postgresql` run `pg_ctlcluster 15 main …`; `status postgresql` answers
//!   like Debian's placeholder unit, active whatever the cluster does).
//! - `/app/node_modules/prisma`: a stand-in for the project's Prisma CLI (Prisma's engines are
//!   downloaded from Prisma's servers at first use, which this machine cannot reach): it does
//!   `db execute` only — refusing, as Prisma does, without `--schema`/`--url` — by running the
//!   SQL with psql on `DATABASE_URL` from the folder's `.env`, and logs its calls too.
//! - `/etc/sudoers.d`: a rule letting `cockpit-ops` (the login of inventories that do not log in
//!   as root) run anything with `sudo -n`, so the playbooks' sudo execution model runs for real.
//! - `/proc/meminfo`, only while a test sets [`NodeFleet::memory_gauge`]: a copy saying the
//!   machine's memory is that full. This shared machine cannot be filled for real; cockpit's
//!   probe and `free` read the copy, while the application's heap exhaustion stays real.
//!
//! Redis (`redis-server` from Debian) listens on 127.0.9.1:6379 with a few cached keys.
//! [`NodeFleet::start`] checks from outside that all of it holds; dropping it stops PostgreSQL,
//! kills every process left in the host's namespace (PM2's daemon and the application included;
//! never another test's, see `namespace_processes`), Redis and sshd, and removes the folder
//! (kept when the test failed). Node.js 20 comes from the machine (`/usr/bin/node`), the system
//! users `cockpit-deploy` and `cockpit-ops` are created when missing.
//!
//! Include with `#[path = "support/sshd.rs"] mod sshd;`, `#[path = "support/ns_host.rs"] mod
//! ns_host;` and `#[path = "support/node_fleet.rs"] mod node_fleet;`.

#![allow(dead_code)]

use super::ns_host::{
    FleetKeys, NsHost, require_namespace_tools, shell_quote, start_hosts, toml_string,
};
use super::sshd::current_user;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The host's name and role in the inventory.
pub const HOST: &str = "hb-app";
/// Its loopback address (sshd, the application, PostgreSQL and Redis listen there).
pub const ADDRESS: &str = "127.0.9.1";
/// The application user (created when missing, as a system user without a home of its own on
/// the real root).
pub const APP_USER: &str = "cockpit-deploy";
/// The on-call engineers' login when the inventory does not log in as root: sudo without a
/// password (its rule in the host's own `/etc/sudoers.d`).
pub const OPS_USER: &str = "cockpit-ops";
/// Its home, as the host sees it.
pub const HOME: &str = "/home/cockpit-deploy";
/// The nvm-style folder holding node, npm and pm2.
pub const NVM_BIN: &str = "/home/cockpit-deploy/.nvm/versions/node/v20/bin";
/// The application's port (the recovery guide's).
pub const APP_PORT: u16 = 3000;
/// The health URL, as cockpit and the host reach it.
pub const HEALTH_URL: &str = "http://127.0.9.1:3000/health";
/// The application's database login.
pub const DB_ROLE: &str = "hb_app";
/// The users the newest dump holds.
pub const USERS: i64 = 3;
/// The newest dump, as the host sees it.
pub const NEWEST_DUMP: &str = "/var/backups/health_butler/health_butler-20261206.dump";
/// PostgreSQL's binaries.
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
/// Generous deadline for a server to come up on a busy machine.
const BOOT: Duration = Duration::from_secs(120);

/// (host sub-folder, path it covers in the namespace).
const MOUNTS: [(&str, &str); 9] = [
    ("home", HOME),
    ("app", "/app"),
    ("backups", "/var/backups/health_butler"),
    ("pg-etc", "/etc/postgresql"),
    ("pg-run", "/var/run/postgresql"),
    ("pg-log", "/var/log/postgresql"),
    ("bin", "/usr/local/bin"),
    ("sudoers", "/etc/sudoers.d"),
    ("node-stub", "/usr/bin/node"),
];

/// The npm packages (pinned) that `scripts/test.sh` installs under `target/test-npm`.
pub fn npm_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-npm/node_modules")
}

/// Fails (never skips) unless everything the host needs is installed.
pub fn require_node_host_tools() {
    require_namespace_tools(&[
        (
            "runuser",
            "util-linux, to run as the application user and postgres",
        ),
        ("useradd", "passwd, to create the application user"),
        (
            "pg_ctlcluster",
            "postgresql-common (apt-get install postgresql-15)",
        ),
        (
            "redis-server",
            "Redis for the cache (apt-get install redis-server)",
        ),
        ("redis-cli", "Redis's client (apt-get install redis-tools)"),
        ("curl", "curl, which the playbooks' health checks run"),
        ("rsync", "rsync, which the file restore runs"),
        ("git", "git, which the rollback runs"),
    ]);
    for bin in ["initdb", "pg_dump", "pg_restore", "psql"] {
        assert!(
            Path::new(PG_BIN).join(bin).exists(),
            "{PG_BIN}/{bin} is missing: apt-get install postgresql-15 (scripts/test.sh)"
        );
    }
    assert!(
        Path::new("/usr/bin/node").exists(),
        "/usr/bin/node is missing: apt-get install nodejs (Node 20)"
    );
    for pkg in ["pm2/bin/pm2", "pg/package.json"] {
        assert!(
            npm_dir().join(pkg).exists(),
            "{} is missing: scripts/test.sh installs the pinned npm packages there",
            npm_dir().join(pkg).display()
        );
    }
}

/// Polls `check` every 200 ms until it holds or `deadline` passes.
pub fn wait(deadline: Duration, mut check: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + deadline;
    loop {
        if check() {
            return true;
        }
        if Instant::now() > end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Runs `sh -c SCRIPT` here (outside the host); panics with its output when it fails.
pub fn sh(script: &str) -> String {
    let out = Command::new("sh")
        .args(["-c", script])
        .stdin(Stdio::null())
        .output()
        .expect("run sh");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "`{script}` failed:\n{text}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The file `tool` on PATH resolves to (symbolic links followed).
fn real_tool(tool: &str) -> PathBuf {
    let found = sh(&format!("command -v {tool}"));
    fs::canonicalize(found.trim()).unwrap_or_else(|e| panic!("{tool} ({}): {e}", found.trim()))
}

/// Creates the system user `user` (no home on the real root) when missing.
fn ensure_user(user: &str, home: &str) {
    let known = Command::new("id")
        .arg(user)
        .output()
        .is_ok_and(|o| o.status.success());
    if !known {
        sh(&format!(
            "useradd --system --no-create-home --home-dir {home} --shell /bin/sh {user}"
        ));
    }
}

fn chown_r(path: &Path, user: &str) {
    sh(&format!(
        "chown -R {user}: {}",
        shell_quote(&path.display().to_string())
    ));
}

/// The running host, its keys, its Redis, and the database password.
pub struct NodeFleet {
    /// The sshd host.
    pub host: NsHost,
    /// Client key and known_hosts.
    pub keys: FleetKeys,
    /// The application's database password (the inventory's `password_env`).
    pub db_password: String,
    /// The temporary folder (kept when the test fails).
    pub dir: PathBuf,
    tmp: Option<tempfile::TempDir>,
    redis: Option<Child>,
    mnt_ns: Option<u64>,
}

/// The application's code at release `version`; `broken` answers 503 on `/health`.
fn server_js(version: &str, broken: bool) -> String {
    let health = if broken {
        "  res.writeHead(503, { 'content-type': 'application/json' });\n  res.end(JSON.stringify({ status: 'broken', version: VERSION }));\n  console.error('release ' + VERSION + ': /health is broken');\n  return;\n"
    } else {
        ""
    };
    format!(
        r#"// Health Butler (test build {version}): /health reads PostgreSQL, /report builds a report in memory.
const http = require('http');
const fs = require('fs');
const v8 = require('v8');
const {{ Client }} = require('pg');
const VERSION = '{version}';
for (const line of fs.readFileSync('.env', 'utf8').split('\n')) {{
  const m = line.match(/^([A-Z_]+)=(.*)$/);
  if (m) process.env[m[1]] = m[2];
}}
for (const key of ['HOST', 'PORT', 'DATABASE_URL']) {{
  if (!process.env[key]) {{
    console.error('configuration error: ' + key + ' is not set in .env');
    process.exit(1);
  }}
}}
const reports = [];
async function health(res) {{
{health}  const client = new Client({{ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 3000 }});
  try {{
    await client.connect();
    const r = await client.query('SELECT count(*)::int AS users FROM users');
    const limit = Math.round(v8.getHeapStatistics().heap_size_limit / 1048576);
    res.writeHead(200, {{ 'content-type': 'application/json' }});
    res.end(JSON.stringify({{ status: 'ok', version: VERSION, users: r.rows[0].users, heap_limit_mb: limit }}));
  }} catch (e) {{
    console.error('Cannot connect to database: ' + e.message);
    res.writeHead(500, {{ 'content-type': 'application/json' }});
    res.end(JSON.stringify({{ status: 'error', error: 'Cannot connect to database' }}));
  }} finally {{
    client.end().catch(() => {{}});
  }}
}}
function report(res, mb) {{
  const rows = [];
  for (let i = 0; i < mb; i++) {{
    rows.push(Array.from({{ length: 32768 }}, (_, j) => ({{ i, j }})));
  }}
  reports.push(rows);
  const used = Math.round(v8.getHeapStatistics().used_heap_size / 1048576);
  res.writeHead(200, {{ 'content-type': 'application/json' }});
  res.end(JSON.stringify({{ status: 'ok', heap_used_mb: used }}));
  reports.length = 0;
}}
http.createServer((req, res) => {{
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/health') return health(res);
  if (url.pathname === '/report') return report(res, Number(url.searchParams.get('mb') || 1));
  res.writeHead(404);
  res.end();
}}).listen(Number(process.env.PORT), process.env.HOST, () => {{
  console.log('health-butler ' + VERSION + ' listening on ' + process.env.HOST + ':' + process.env.PORT);
}});
"#
    )
}

const PACKAGE_JSON: &str = r#"{
  "name": "health-butler",
  "version": "1.0.0",
  "private": true,
  "scripts": {
    "start": "node server.js",
    "build": "node -e \"require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/BUILD',require('fs').readFileSync('server.js','utf8').match(/VERSION = '([^']+)'/)[1]+'\\n')\""
  }
}
"#;

const PACKAGE_LOCK: &str = r#"{
  "name": "health-butler",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "health-butler",
      "version": "1.0.0"
    }
  }
}
"#;

const SCHEMA_PRISMA: &str = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel users {\n  id   Int    @id\n  name String\n}\n";

impl NodeFleet {
    /// Builds and starts the host: PostgreSQL with `health_butler` and its dumps, Redis, and
    /// the application under PM2 (with `NODE_OPTIONS=--max-old-space-size=LIMIT` when
    /// `heap_limit_mb` is given, as a too-tight deployment would). Returns once the health URL
    /// answers 200.
    pub fn start(heap_limit_mb: Option<u32>) -> NodeFleet {
        require_node_host_tools();
        ensure_user(APP_USER, HOME);
        ensure_user(OPS_USER, "/nonexistent");
        // A system account is locked ("!"), and sshd refuses a locked account even with a key:
        // "*" is no password, not locked.
        sh(&format!("usermod -p '*' {OPS_USER}"));
        let tmp = tempfile::Builder::new()
            .prefix("cockpit-node-fleet-")
            .tempdir()
            .expect("temp dir for the node fleet");
        let dir = tmp.path().to_path_buf();
        // The users of the host (postgres, the application user) must reach their folders.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod");
        let keys = FleetKeys::generate(&dir);
        let hdir = dir.join(HOST);
        let dir_mounts: Vec<(&str, &str)> = MOUNTS
            .iter()
            .copied()
            .filter(|(s, _)| *s != "node-stub")
            .collect();
        let mut host = NsHost::prepare(&hdir, HOST, ADDRESS, &dir_mounts);
        // A file mount: covers Debian's node for the host's sessions.
        host.mounts
            .push(("node-stub".into(), "/usr/bin/node".into()));
        let mut fleet = NodeFleet {
            host,
            keys,
            db_password: format!("hb-{}", std::process::id()),
            dir,
            tmp: Some(tmp),
            redis: None,
            mnt_ns: None,
        };
        fleet.write_files();
        start_hosts([&mut fleet.host], &fleet.keys);
        fleet.mnt_ns = fleet.host_mnt_ns();
        fleet.setup_postgres();
        fleet.start_redis();
        fleet.start_app(heap_limit_mb);
        fleet.check_the_host();
        fleet
    }

    fn hfile(&self, path: &str) -> PathBuf {
        self.host.file(path)
    }

    fn write_files(&self) {
        let h = &self.host;
        // Node the nvm way, and a stub where Debian's node was.
        let nvm = h.file(NVM_BIN);
        fs::create_dir_all(&nvm).expect("nvm folder");
        if fs::hard_link("/usr/bin/node", nvm.join("node")).is_err() {
            fs::copy("/usr/bin/node", nvm.join("node")).expect("copy node");
        }
        let link = |target: &Path, name: &str| {
            std::os::unix::fs::symlink(target, nvm.join(name)).expect("symlink");
        };
        // npm and npx where this machine has them (their scripts run `node` from PATH).
        link(&real_tool("npm"), "npm");
        link(&real_tool("npx"), "npx");
        // A copy in the user's home, not a link into the checkout: the application user may
        // not be able to reach the checkout (a clone in a 0700 temporary folder, say).
        let copied = Command::new("cp")
            .arg("-a")
            .arg(npm_dir())
            .arg(h.file(&format!("{HOME}/.node_modules")))
            .status()
            .expect("run cp");
        assert!(copied.success(), "copying the npm packages failed");
        link(
            Path::new(&format!("{HOME}/.node_modules/pm2/bin/pm2")),
            "pm2",
        );
        super::ns_host::write_exec(
            &h.dir.join("node-stub"),
            "#!/bin/sh\necho 'node: not installed system-wide on this host (it comes from nvm)' >&2\nexit 127\n",
        );
        h.write("/usr/local/bin/.host", &format!("{HOST}\n"));
        let sudoers = h.file("/etc/sudoers.d/cockpit-ops");
        super::ns_host::write(
            &sudoers,
            &format!("{OPS_USER} ALL=(ALL:ALL) NOPASSWD: ALL\n"),
        );
        fs::set_permissions(&sudoers, fs::Permissions::from_mode(0o440)).expect("chmod");
        // The stand-ins log here; prisma's runs as the application user.
        let calls_log = h.dir.join("calls.log");
        fs::write(&calls_log, "").expect("calls.log");
        fs::set_permissions(&calls_log, fs::Permissions::from_mode(0o666)).expect("chmod");
        let calls = shell_quote(&calls_log.display().to_string());
        let record = format!("printf '%s\\n' \"$(basename \"$0\") $*\" >> {calls}\n");
        h.write_exec(
            "/usr/local/bin/systemctl",
            &format!(
                "#!/bin/sh\n# stand-in for systemctl (no systemd here): postgresql goes to Debian's pg_ctlcluster\n{record}\
                 case \"$1 $2\" in\n  'restart postgresql'|'start postgresql'|'stop postgresql') exec pg_ctlcluster 15 main \"$1\" ;;\n  \
                 'status postgresql') echo '● postgresql.service - PostgreSQL RDBMS'; echo '     Active: active (exited)'; exit 0 ;;\n  \
                 *) echo \"systemctl stand-in: $* not simulated\" >&2; exit 1 ;;\nesac\n"
            ),
        );
        // The project's own Prisma (a dev dependency in node_modules), as npx finds it.
        h.write(
            "/app/node_modules/prisma/package.json",
            "{\"name\": \"prisma\", \"version\": \"6.19.0\", \"bin\": {\"prisma\": \"prisma.sh\"}}\n",
        );
        fs::create_dir_all(h.file("/app/node_modules/.bin")).expect("bin folder");
        std::os::unix::fs::symlink(
            "../prisma/prisma.sh",
            h.file("/app/node_modules/.bin/prisma"),
        )
        .expect("symlink the prisma bin");
        h.write_exec(
            "/app/node_modules/prisma/prisma.sh",
            &format!(
                "#!/bin/sh\n# stand-in for Prisma's CLI (its engines cannot be downloaded here): db execute only\n{record}\
                 [ \"$1 $2\" = 'db execute' ] || {{ echo \"prisma stand-in: $* not simulated\" >&2; exit 1; }}\nshift 2\n\
                 source=; stdin=\nwhile [ $# -gt 0 ]; do case \"$1\" in\n  --schema) source=schema; [ -f \"$2\" ] || {{ echo \"Error: Could not load --schema from provided path $2: file or directory not found\" >&2; exit 1; }}; shift 2 ;;\n  \
                 --url) source=\"$2\"; shift 2 ;;\n  --stdin) stdin=1; shift ;;\n  *) echo \"prisma stand-in: $1 not simulated\" >&2; exit 1 ;;\nesac; done\n\
                 [ -n \"$source\" ] || {{ echo 'Error: Either --url or --schema must be provided.' >&2; exit 1; }}\n\
                 [ -n \"$stdin\" ] || {{ echo 'Error: Either --stdin or --file must be provided.' >&2; exit 1; }}\n\
                 if [ \"$source\" = schema ]; then url=$(sed -n 's/^DATABASE_URL=//p' .env); else url=$source; fi\n\
                 psql -X -q -v ON_ERROR_STOP=1 \"$url\" -f - >/dev/null && echo 'Script executed successfully.'\n"
            ),
        );
        // The application, a git checkout with two releases.
        let env = format!(
            "# Health Butler\nNODE_ENV=production\nHOST={ADDRESS}\nPORT={APP_PORT}\nDATABASE_URL=postgres://{DB_ROLE}:{}@{ADDRESS}:5432/health_butler\n",
            self.db_password
        );
        h.write("/app/.env", &env);
        h.write("/app/package.json", PACKAGE_JSON);
        h.write("/app/package-lock.json", PACKAGE_LOCK);
        h.write("/app/prisma/schema.prisma", SCHEMA_PRISMA);
        h.write("/app/test-query.sql", "SELECT 1;\n");
        // PM2 counts a run shorter than 30 s as a crash and gives up after 3 (see the module doc).
        h.write(
            "/app/ecosystem.config.js",
            "module.exports = {\n  apps: [{ name: 'health-butler', script: 'npm', args: 'start', min_uptime: 30000, max_restarts: 3 }],\n};\n",
        );
        h.write("/app/.gitignore", ".env\nnode_modules/\ndist/\n.next/\n");
        h.write(
            "/app/.next/cache/webpack/chunk.pack",
            "cached build output\n",
        );
        h.write("/app/uploads/avatar-1.png", "png bytes of user 1\n");
        h.write("/app/server.js", &server_js("1.0", false));
        let app = h.file("/app");
        let git = |args: &str| {
            sh(&format!(
                "cd {} && git -c user.name=release -c user.email=release@example.com {args}",
                shell_quote(&app.display().to_string())
            ))
        };
        git("init -q -b main");
        git("add -A && git commit -q -m 'release 1.0' && git tag v1.0");
        h.write("/app/server.js", &server_js("1.1", true));
        git("commit -q -am 'release 1.1' && git tag v1.1");
        git("checkout -q v1.0");
        chown_r(&h.file(HOME), APP_USER);
        chown_r(&app, APP_USER);
        // Backups: the uploads and .env as they were; the dumps come once the database exists.
        h.write(
            "/var/backups/health_butler/uploads/avatar-1.png",
            "png bytes of user 1\n",
        );
        h.write(
            "/var/backups/health_butler/uploads/avatar-2.png",
            "png bytes of user 2\n",
        );
        h.write("/var/backups/health_butler/.env", &env);
        chown_r(&h.file("/var/backups/health_butler"), "postgres");
        // PostgreSQL 15 the Debian way.
        let data = h.dir.join("pg-data");
        fs::create_dir_all(&data).expect("pg data");
        chown_r(&data, "postgres");
        fs::set_permissions(&data, fs::Permissions::from_mode(0o700)).expect("chmod data");
        sh(&format!(
            "runuser -u postgres -- {PG_BIN}/initdb -D {} -U postgres -E UTF8 --locale=C --auth-local=peer --auth-host=scram-sha-256 >/dev/null",
            shell_quote(&data.display().to_string())
        ));
        let conf = format!(
            "data_directory = '{data}'\nhba_file = '/etc/postgresql/15/main/pg_hba.conf'\n\
             ident_file = '/etc/postgresql/15/main/pg_ident.conf'\nexternal_pid_file = '/var/run/postgresql/15-main.pid'\n\
             listen_addresses = '{ADDRESS}'\nport = 5432\nunix_socket_directories = '/var/run/postgresql'\n\
             max_connections = 50\nshared_buffers = 16MB\nfsync = off\ncluster_name = '15/main'\n\
             shared_preload_libraries = 'pg_stat_statements'\n",
            data = data.display()
        );
        h.write("/etc/postgresql/15/main/postgresql.conf", &conf);
        h.write(
            "/etc/postgresql/15/main/pg_hba.conf",
            "local all all peer\nhost all all 127.0.0.0/8 scram-sha-256\n",
        );
        h.write("/etc/postgresql/15/main/pg_ident.conf", "");
        h.write("/etc/postgresql/15/main/start.conf", "auto\n");
        h.write(
            "/etc/postgresql/15/main/pg_ctl.conf",
            "pg_ctl_options = ''\n",
        );
        h.write("/etc/postgresql/15/main/environment", "");
        chown_r(&h.file("/etc/postgresql"), "postgres");
        chown_r(&h.file("/var/run/postgresql"), "postgres");
        fs::set_permissions(
            h.file("/var/run/postgresql"),
            fs::Permissions::from_mode(0o2775),
        )
        .expect("chmod run");
        chown_r(&h.file("/var/log/postgresql"), "postgres");
    }

    /// Runs `command` on the host as root over SSH; (status, stdout, stderr).
    pub fn ssh(&self, command: &str) -> (i32, String, String) {
        self.keys.ssh(&self.host, command)
    }

    /// Runs `command` on the host as root; panics with its output when it fails.
    pub fn ssh_ok(&self, command: &str) -> String {
        let (code, out, err) = self.ssh(command);
        assert_eq!(
            code, 0,
            "on {HOST}: `{command}` failed ({code}):\n{out}{err}"
        );
        out
    }

    /// Runs `command` on the host as the application user with the nvm PATH (as cockpit's
    /// `service = "pm2"` does).
    pub fn as_app_user(&self, command: &str) -> (i32, String, String) {
        self.ssh(&format!(
            "runuser -s /bin/sh -c {} {APP_USER}",
            shell_quote(&format!(
                "cd ~; PATH={NVM_BIN}:$PATH; export PATH; {command}"
            ))
        ))
    }

    /// Runs SQL as postgres over the host's socket in `health_butler`; psql's unaligned output.
    pub fn sql(&self, sql: &str) -> String {
        self.ssh_ok(&format!(
            "runuser -u postgres -- psql -X -qtA -v ON_ERROR_STOP=1 -d health_butler -c {}",
            shell_quote(sql)
        ))
        .trim()
        .to_string()
    }

    fn setup_postgres(&self) {
        self.pg_ctlcluster("start");
        let role = format!(
            "CREATE ROLE {DB_ROLE} LOGIN PASSWORD '{}'",
            self.db_password
        );
        self.ssh_ok(&format!(
            "runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -c {} -c {}",
            shell_quote(&role),
            shell_quote(&format!("CREATE DATABASE health_butler OWNER {DB_ROLE}"))
        ));
        self.sql("CREATE EXTENSION pg_stat_statements");
        self.sql(&format!(
            "SET ROLE {DB_ROLE};
             CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);
             CREATE TABLE health_data (id serial PRIMARY KEY, user_id int REFERENCES users, steps int,
               created_at timestamptz NOT NULL DEFAULT now());
             INSERT INTO users VALUES (1, 'alice'), (2, '张三');
             INSERT INTO health_data (user_id, steps, created_at) VALUES (1, 8000, '2026-12-05 08:00+00');"
        ));
        let dump = |name: &str| {
            self.ssh_ok(&format!(
                "runuser -u postgres -- pg_dump -Fc -d health_butler -f /var/backups/health_butler/{name}"
            ));
        };
        dump("health_butler-20261205.dump");
        self.sql(&format!(
            "SET ROLE {DB_ROLE};
             INSERT INTO users VALUES (3, 'bob');
             INSERT INTO health_data (user_id, steps, created_at) VALUES (3, 12000, '2026-12-06 02:00+00');"
        ));
        dump("health_butler-20261206.dump");
        // The older dump is older on disk too (ls -t picks the newest by time).
        self.ssh_ok("touch -d '2026-12-05 03:00' /var/backups/health_butler/health_butler-20261205.dump && touch -d '2026-12-06 03:00' /var/backups/health_butler/health_butler-20261206.dump");
    }

    /// Debian's `pg_ctlcluster 15 main ACTION` on the host (start, stop, restart).
    pub fn pg_ctlcluster(&self, action: &str) {
        self.ssh_ok(&format!("pg_ctlcluster 15 main {action}"));
    }

    /// Whether PostgreSQL accepts connections on the host's socket.
    pub fn pg_ready(&self) -> bool {
        self.ssh("runuser -u postgres -- pg_isready -q").0 == 0
    }

    fn start_redis(&mut self) {
        let rdir = self.dir.join("redis");
        fs::create_dir_all(&rdir).expect("redis folder");
        let child = Command::new("redis-server")
            .args([
                "--bind",
                ADDRESS,
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&rdir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.redis = Some(child);
        let deadline = Instant::now() + BOOT;
        while self.redis_cli("PING").trim() != "PONG" {
            assert!(
                Instant::now() < deadline,
                "Redis did not answer on {ADDRESS}:6379"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        for (k, v) in [("session:alice", "1"), ("cache:report:1", "big")] {
            self.redis_cli(&format!("SET {k} {v}"));
        }
    }

    /// `redis-cli -h ADDRESS ARGS` from outside; its output (empty when it fails).
    pub fn redis_cli(&self, args: &str) -> String {
        Command::new("sh")
            .args(["-c", &format!("redis-cli -h {ADDRESS} -p 6379 {args}")])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    fn start_app(&self, heap_limit_mb: Option<u32>) {
        let options = heap_limit_mb
            .map(|mb| format!("NODE_OPTIONS=--max-old-space-size={mb} "))
            .unwrap_or_default();
        let (code, out, err) = self.as_app_user(&format!(
            "cd /app && {options}pm2 start ecosystem.config.js && pm2 save"
        ));
        assert_eq!(code, 0, "pm2 start failed:\n{out}{err}");
        assert!(
            self.wait_health(200, BOOT),
            "the application did not answer 200 on {HEALTH_URL}: {}",
            self.pm2_logs()
        );
    }

    /// The health URL's status code (0 when nothing answers), from outside.
    pub fn health_status(&self) -> u16 {
        let out = Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--max-time",
                "5",
            ])
            .arg(HEALTH_URL)
            .output();
        out.ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(0)
    }

    /// The health URL's body, from outside.
    pub fn health_body(&self) -> String {
        Command::new("curl")
            .args(["-s", "--max-time", "5"])
            .arg(HEALTH_URL)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// Waits until the health URL answers `status`.
    pub fn wait_health(&self, status: u16, deadline: Duration) -> bool {
        let end = Instant::now() + deadline;
        loop {
            if self.health_status() == status {
                return true;
            }
            if Instant::now() > end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Sets the host's memory gauge: `Some(percent)` covers `/proc/meminfo` in the host's
    /// namespace with a copy whose available memory is `100 - percent`% of the total (this shared
    /// test machine cannot be filled for real; what reads it — cockpit's probe, `free` — sees a
    /// machine that full); `None` uncovers the real one.
    pub fn memory_gauge(&self, used_percent: Option<u32>) {
        let Some(percent) = used_percent else {
            self.ssh_ok("umount /proc/meminfo");
            return;
        };
        let real = fs::read_to_string("/proc/meminfo").expect("/proc/meminfo");
        let total: u64 = real
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("MemTotal");
        let available = total * u64::from(100 - percent) / 100;
        let text: String = real
            .lines()
            .map(|l| {
                let key = l.split(':').next().unwrap_or_default();
                match key {
                    "MemFree" | "MemAvailable" => format!("{key}:{available:>15} kB\n"),
                    "Buffers" | "Cached" | "SReclaimable" => format!("{key}:{:>15} kB\n", 0),
                    _ => format!("{l}\n"),
                }
            })
            .collect();
        let file = self.dir.join("meminfo");
        fs::write(&file, text).expect("write meminfo");
        self.ssh_ok(&format!(
            "mount --bind {} /proc/meminfo",
            shell_quote(&file.display().to_string())
        ));
    }

    /// `/report?mb=MB`'s status code (0 when the application died answering it).
    pub fn report(&self, mb: u32) -> u16 {
        let out = Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--max-time",
                "60",
            ])
            .arg(format!("http://{ADDRESS}:{APP_PORT}/report?mb={mb}"))
            .output();
        out.ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(0)
    }

    /// The heap limit the application reports on `/health` (MB; 0 when it does not answer).
    pub fn heap_limit_mb(&self) -> u64 {
        let body = self.health_body();
        body.split("\"heap_limit_mb\":")
            .nth(1)
            .and_then(|r| r.trim_end_matches('}').trim().parse().ok())
            .unwrap_or(0)
    }

    /// `pm2 jlist`'s view of the application: (status, restarts).
    pub fn pm2_state(&self) -> (String, u64) {
        let (code, out, err) = self.as_app_user(
            "pm2 jlist | node -e 'const l=JSON.parse(require(\"fs\").readFileSync(0,\"utf8\")).filter(p=>p.name===\"health-butler\");console.log(l.length?l[0].pm2_env.status+\" \"+l[0].pm2_env.restart_time:\"absent 0\")'",
        );
        assert_eq!(code, 0, "pm2 jlist failed:\n{out}{err}");
        let line = out.lines().last().unwrap_or_default().to_string();
        let mut parts = line.split_whitespace();
        let status = parts.next().unwrap_or("?").to_string();
        let restarts = parts.next().and_then(|r| r.parse().ok()).unwrap_or(0);
        (status, restarts)
    }

    /// The application's last log lines (for failure messages).
    pub fn pm2_logs(&self) -> String {
        let (_, out, err) = self.as_app_user("pm2 logs health-butler --lines 40 --nostream 2>&1");
        format!("{out}{err}")
    }

    /// The stand-ins' calls so far.
    pub fn calls(&self) -> Vec<String> {
        fs::read_to_string(self.host.dir.join("calls.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The mount namespace of the host's sshd (every session and daemon it starts shares it).
    fn host_mnt_ns(&self) -> Option<u64> {
        let pid = fs::read_to_string(self.host.dir.join("sshd/sshd.pid")).ok()?;
        fs::metadata(format!("/proc/{}/ns/mnt", pid.trim()))
            .ok()
            .map(|m| m.ino())
    }

    /// The processes of the host's namespace to kill now: on the first pass (`killed` empty,
    /// sshd still holding the namespace) every one of them; later only those forked meanwhile
    /// by one already killed — by then the namespace may be gone and its id given to another
    /// one, another test's perhaps, whose processes are not ours.
    fn namespace_processes(&self, killed: &[i32]) -> Vec<i32> {
        let Some(ns) = self.mnt_ns else {
            return Vec::new();
        };
        let mine = fs::metadata("/proc/self/ns/mnt").map(|m| m.ino()).ok();
        if mine == Some(ns) {
            return Vec::new();
        }
        let Ok(entries) = fs::read_dir("/proc") else {
            return Vec::new();
        };
        let parent = |pid: i32| -> i32 {
            fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| stat.rsplit_once(") ")?.1.split(' ').nth(1)?.parse().ok())
                .unwrap_or(0)
        };
        entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| !killed.contains(pid))
            .filter(|pid| fs::metadata(format!("/proc/{pid}/ns/mnt")).is_ok_and(|m| m.ino() == ns))
            .filter(|pid| killed.is_empty() || killed.contains(&parent(*pid)))
            .collect()
    }

    /// Checks from outside what the tests rely on: the user's plain PATH has neither node nor
    /// pm2, the nvm PATH has both; PM2 runs the application as that user; PostgreSQL answers
    /// `pg_lsclusters` and `psql` as postgres; the dumps exist.
    fn check_the_host(&self) {
        let (_, out, _) = self.ssh(&format!(
            "runuser -s /bin/sh -c 'command -v pm2 || echo no-pm2; node -v 2>&1; echo exit=$?' {APP_USER}"
        ));
        assert!(
            out.contains("no-pm2") && out.contains("not installed system-wide"),
            "the application user's plain PATH should have neither pm2 nor node:\n{out}"
        );
        let (code, out, err) = self.as_app_user("command -v node pm2 && node -v && pm2 -v");
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains(NVM_BIN) && out.contains("v20."), "{out}");
        let listener = self.ssh_ok(&format!("ss -Hltnp 'sport = :{APP_PORT}'"));
        let pid = listener
            .split("pid=")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .unwrap_or_else(|| panic!("nothing listens on {APP_PORT}: {listener}"));
        let owner = self.ssh_ok(&format!("ps -o user= -p {pid}"));
        assert_eq!(owner.trim(), APP_USER, "the application runs as {APP_USER}");
        let clusters = self.ssh_ok("pg_lsclusters");
        assert!(
            clusters.contains("online")
                && clusters.contains("/var/log/postgresql/postgresql-15-main.log"),
            "pg_lsclusters:\n{clusters}"
        );
        assert_eq!(self.sql("SELECT count(*) FROM users"), USERS.to_string());
        self.ssh_ok(&format!("test -s {NEWEST_DUMP}"));
    }

    /// The inventory for this host (login as root; the pm2 and postgres services declared),
    /// with the `health_butler` database (password from `password_env`).
    pub fn inventory(&self, password_env: &str) -> String {
        self.inventory_as(password_env, &current_user())
    }

    /// [`Self::inventory`], logging in as `login` (root, or [`OPS_USER`]: privilege "sudo").
    pub fn inventory_as(&self, password_env: &str, login: &str) -> String {
        let q = toml_string;
        format!(
            "{settings}\n[services.pm2]\nuser = {user}\npath = [{nvm}]\n\n\
             [services.postgres]\nuser = \"postgres\"\n{host}\
             vars = {{ health_url = {health}, redis_url = {redis} }}\n\
             checks = [{{ kind = \"ssh\" }}, {{ kind = \"tcp\", port = {APP_PORT} }}, {{ kind = \"tcp\", port = 5432 }}, {{ kind = \"http\", url = {health} }}]\n\n\
             [[databases]]\nname = \"health_butler\"\ndriver = \"postgres\"\nurl = {db}\npassword_env = {pw}\nread_only = false\n",
            settings = self.keys.inventory_settings(),
            user = q(APP_USER),
            nvm = q(NVM_BIN),
            host = self.keys.inventory_host(&self.host, login, "node-app"),
            health = q(HEALTH_URL),
            redis = q(&format!("redis://{ADDRESS}:6379")),
            db = q(&format!(
                "postgres://{DB_ROLE}@{ADDRESS}:5432/health_butler"
            )),
            pw = q(password_env),
        )
    }

    /// Keeps the folder (called when a test fails).
    pub fn keep(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let kept = tmp.keep();
            eprintln!("node fleet kept for inspection: {}", kept.display());
        }
    }
}

impl Drop for NodeFleet {
    fn drop(&mut self) {
        // PostgreSQL first, cleanly (fast shutdown), while the host still answers.
        let pid_file = self.dir.join(HOST).join("pg-data/postmaster.pid");
        if let Some(pid) = fs::read_to_string(&pid_file)
            .ok()
            .and_then(|t| t.lines().next()?.trim().parse::<i32>().ok())
        {
            // SAFETY: kill(2) with a pid read from the cluster's own pid file.
            unsafe { libc::kill(pid, libc::SIGINT) };
            let end = Instant::now() + Duration::from_secs(30);
            while pid_file.exists() && Instant::now() < end {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        // Then whatever runs in the host's namespace (PM2's daemon, the application, sessions).
        let mut killed: Vec<i32> = Vec::new();
        for _ in 0..20 {
            let left = self.namespace_processes(&killed);
            if left.is_empty() {
                break;
            }
            for pid in left {
                // SAFETY: kill(2) on a process of this host's own mount namespace.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                killed.push(pid);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.host.kill();
        if let Some(mut r) = self.redis.take() {
            let _ = r.kill();
            let _ = r.wait();
        }
        if std::thread::panicking() {
            self.keep();
        }
    }
}
