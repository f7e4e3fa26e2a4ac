//! The demo fleet is a world where seed 001 §4.3 (primary app server down) really works: the
//! shipped playbook's command steps run over SSH on the demo hosts, its SQL steps on the demo
//! `speed` database, and afterwards the fleet's files and database have really changed.
//!
//! The commands are read from `playbooks/primary-app-down.toml`, not copied. Two of its steps
//! are manual there (§4.3.6 restart, §4.3.7 removing the dead server from nginx); this test
//! runs them as the commands proposed for the playbook ([`PROPOSED`]).

use cockpit::core::diagnostic::SourceFile;
use cockpit::core::drill::Drill;
use cockpit::core::inventory::Inventory;
use cockpit::core::playbook::{self, Playbook, Step, StepAction, Target};
use cockpit::core::template::{fill, placeholders, shell_quote};
use cockpit::demo::{
    DemoFleet, DemoOptions, STATE_FILE, create_speed_db, inventory_toml, mysql_to_sqlite,
};
use cockpit::io::catalog::load_inventory;
use cockpit::io::ssh::{SshSession, SshTarget, Timeouts, resolve};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Row as _, SqlitePool};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Manual steps of the shipped playbook, as the commands proposed to replace them: (step id,
/// role it runs on, command).
const PROPOSED: [(&str, &str, &str); 2] = [
    (
        "restart-services",
        "app-backup",
        "systemctl restart go-api go-admin go-fly && systemctl is-active go-api go-admin go-fly",
    ),
    (
        "nginx-edit",
        "nginx",
        r#"ip={{failed_ip}}; re=$(printf '%s\n' "$ip" | sed 's/[.]/\\./g'); grep -rn -F -- "$ip" /etc/nginx/; for f in $(grep -rl -F -- "$ip" /etc/nginx/); do sed -E -i "/^[[:space:]]*server[[:space:]]+$re(:[0-9]+)?([[:space:]][^;]*)?;/d" "$f" || exit 1; done; ! grep -rn -F -- "$ip" /etc/nginx/"#,
    ),
];

/// What one command printed and how it ended.
#[derive(Debug)]
struct Output {
    #[expect(dead_code, reason = "read in failure messages, through Debug")]
    host: String,
    #[expect(dead_code, reason = "read in failure messages, through Debug")]
    command: String,
    stdout: String,
    stderr: String,
    status: Option<u32>,
}

/// A running demo fleet, with the simulated tools, in a temporary folder.
struct World {
    fleet: DemoFleet,
    inventory: Inventory,
    dir: tempfile::TempDir,
    sessions: HashMap<String, SshSession>,
}

impl World {
    async fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("cockpit-demo-world-")
            .tempdir()
            .expect("temporary folder");
        let options = DemoOptions {
            cockpit_bin: Some(PathBuf::from(env!("CARGO_BIN_EXE_cockpit"))),
        };
        let fleet = DemoFleet::start_with(dir.path(), &options)
            .await
            .expect("demo fleet");
        create_speed_db(&dir.path().join("speed.db"))
            .await
            .expect("speed.db");
        let path = dir.path().join("inventory.toml");
        std::fs::write(&path, inventory_toml(dir.path(), &fleet.ports())).expect("inventory");
        let inventory = load_inventory(&path).unwrap_or_else(|d| panic!("{d}"));
        Self {
            fleet,
            inventory,
            dir,
            sessions: HashMap::new(),
        }
    }

    /// The folder of `host`: its virtual root.
    fn root(&self, host: &str) -> PathBuf {
        self.dir.path().join("hosts").join(host)
    }

    fn read(&self, host: &str, path: &str) -> String {
        let file = self.root(host).join(path.trim_start_matches('/'));
        std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()))
    }

    fn fact(&self, host: &str, fact: &str) -> String {
        self.inventory
            .hosts
            .iter()
            .find(|h| h.name == host)
            .and_then(|h| h.vars.get(fact).cloned())
            .unwrap_or_else(|| panic!("no {fact} for {host}"))
    }

    /// The hosts a step's target names, in inventory order.
    fn hosts_of(&self, target: &Target) -> Vec<String> {
        self.inventory
            .hosts
            .iter()
            .filter(|h| match target {
                Target::Host(name) => &h.name == name,
                Target::Role(role) => &h.role == role,
                Target::Incident => false,
            })
            .map(|h| h.name.clone())
            .collect()
    }

    async fn run(&mut self, host: &str, command: &str, limit: Duration) -> Output {
        if !self.sessions.contains_key(host) {
            let entry = self
                .inventory
                .hosts
                .iter()
                .find(|h| h.name == host)
                .expect("host in the inventory");
            let target = SshTarget {
                agent_socket: None,
                ..resolve(entry, &self.inventory.settings, None)
                    .expect("a host with no ssh config resolves")
            };
            let timeouts = Timeouts {
                connect: Duration::from_secs(10),
                auth: Duration::from_secs(10),
                keepalive: Duration::from_secs(10),
            };
            let session = SshSession::connect(&target, timeouts)
                .await
                .unwrap_or_else(|e| panic!("connect to {host}: {e}"));
            self.sessions.insert(host.to_string(), session);
        }
        let out = self.sessions[host]
            .exec(command, limit)
            .await
            .unwrap_or_else(|e| panic!("{host}: `{command}`: {e}"));
        Output {
            host: host.to_string(),
            command: command.to_string(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            status: out.exit_status,
        }
    }

    async fn speed(&self) -> SqlitePool {
        let options = SqliteConnectOptions::new().filename(self.dir.path().join("speed.db"));
        SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .expect("open speed.db")
    }
}

fn shipped_playbook() -> Playbook {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/primary-app-down.toml");
    let text = std::fs::read_to_string(&path).expect("shipped playbook");
    let src = SourceFile::new(path.display().to_string(), text);
    playbook::parse(&src, None).unwrap_or_else(|d| panic!("{d}"))
}

/// `template` with each known variable spliced in as one shell word.
fn command_text(template: &str, vars: &BTreeMap<String, String>) -> String {
    fill(template, |name| vars.get(name).map(|v| shell_quote(v)))
}

/// `statement` with each placeholder as a `?` parameter, and the values to bind, in order.
fn bound_sql(statement: &str, vars: &BTreeMap<String, String>) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    let mut last = 0;
    for p in placeholders(statement) {
        sql.push_str(&statement[last..p.range.start]);
        sql.push('?');
        binds.push(
            vars.get(&p.name)
                .cloned()
                .expect("a value for the placeholder"),
        );
        last = p.range.end;
    }
    sql.push_str(&statement[last..]);
    (sql, binds)
}

async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

/// Runs a command step (or a proposed one) on every host it targets; fails on an unexpected
/// exit status; applies its capture.
async fn run_command_step(
    world: &mut World,
    step: &Step,
    hosts: Vec<String>,
    run: &str,
    capture: Option<&playbook::Capture>,
    vars: &mut BTreeMap<String, String>,
) -> Vec<Output> {
    let expected = step.expect.as_ref().and_then(|e| e.exit).unwrap_or(0);
    let limit = Duration::from_secs(step.timeout_secs.unwrap_or(30));
    let mut outputs = Vec::new();
    for host in hosts {
        let command = command_text(run, vars);
        let out = world.run(&host, &command, limit).await;
        assert_eq!(
            out.status,
            Some(u32::try_from(expected).expect("exit status")),
            "step `{}`: {out:#?}",
            step.id
        );
        if let Some(c) = capture {
            let re = regex::Regex::new(&c.regex).expect("capture regex");
            let found = re
                .captures(&out.stdout)
                .and_then(|m| m.get(1).or_else(|| m.get(0)))
                .unwrap_or_else(|| panic!("step `{}` captured nothing: {out:#?}", step.id));
            vars.insert(c.variable.clone(), found.as_str().to_string());
        }
        outputs.push(out);
    }
    outputs
}

/// Runs a SQL step as the engine will: placeholders bound, the statement rewritten for the
/// demo's SQLite, in a transaction committed once the rows affected are as expected.
async fn run_sql_step(
    world: &World,
    step: &Step,
    statement: &str,
    vars: &BTreeMap<String, String>,
) {
    let (sql, binds) = bound_sql(statement, vars);
    let sql = mysql_to_sqlite(&sql);
    let pool = world.speed().await;
    let mut tx = pool.begin().await.expect("begin");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
    for value in &binds {
        query = query.bind(value.clone());
    }
    let done = query
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("step `{}`: {e}\n{sql}", step.id));
    if let Some((min, max)) = step.expect.as_ref().and_then(|e| e.rows) {
        let rows = done.rows_affected();
        assert!(
            rows >= min && max.is_none_or(|m| rows <= m),
            "step `{}`: {rows} rows affected",
            step.id
        );
    }
    tx.commit().await.expect("commit");
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_primary_app_down_playbook_really_changes_the_demo_fleet() {
    let mut world = World::start().await;
    let primary = "app-primary";
    let dead_ip = world.fact(primary, "public_ip");
    let backup_ip = world.fact("app-backup", "public_ip");
    world.fleet.inject(primary).expect("kill the primary");

    // Before §4.3.3 the backup's MySQL holds the schema only: its services used the primary's.
    let pool = world.speed().await;
    assert_eq!(count(&pool, "SELECT count(*) FROM t_app_dns").await, 0);
    pool.close().await;
    let originals: Vec<(String, String)> = [
        "/wwwroot/go/go-api/config.yaml",
        "/wwwroot/go/go-admin/config.yaml",
        "/wwwroot/go/go-fly/config/mysql.json",
    ]
    .iter()
    .map(|p| ((*p).to_string(), world.read("app-backup", p)))
    .collect();
    for (path, text) in &originals {
        assert!(text.contains(&dead_ip), "{path} names the primary: {text}");
    }

    let playbook = shipped_playbook();
    let mut vars = BTreeMap::from([("failed_ip".to_string(), dead_ip.clone())]);
    let mut outputs: HashMap<String, Vec<Output>> = HashMap::new();
    for step in &playbook.steps {
        let proposed = PROPOSED.iter().find(|(id, _, _)| *id == step.id);
        match (&step.action, proposed) {
            (
                StepAction::Command {
                    target,
                    run,
                    capture,
                },
                _,
            ) => {
                let hosts = world.hosts_of(target);
                let out =
                    run_command_step(&mut world, step, hosts, run, capture.as_ref(), &mut vars)
                        .await;
                outputs.insert(step.id.clone(), out);
            }
            (StepAction::Manual, Some((_, role, run))) => {
                let hosts = world.hosts_of(&Target::Role((*role).to_string()));
                let out = run_command_step(&mut world, step, hosts, run, None, &mut vars).await;
                outputs.insert(step.id.clone(), out);
            }
            (StepAction::Sql { statement, .. }, _) => {
                run_sql_step(&world, step, statement, &vars).await;
            }
            _ => {}
        }
    }
    for (id, _, _) in PROPOSED {
        assert!(
            outputs.contains_key(id),
            "step `{id}` is no longer in the playbook"
        );
    }
    let fleet_dir = world.dir.path().display().to_string();
    for out in outputs.values().flatten() {
        assert!(
            !out.stdout.contains(&fleet_dir) && !out.stderr.contains(&fleet_dir),
            "the host's folder shows through: {out:#?}"
        );
    }

    // §4.3.3: the newest dump was found under the seed's path, and restored.
    let dumps_dir = world.root("app-backup").join("shell/sql_backup");
    let mut dumps: Vec<String> = std::fs::read_dir(&dumps_dir)
        .expect("dumps")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    dumps.sort();
    assert_eq!(dumps.len(), 3, "{dumps:?}");
    let newest = format!("/shell/sql_backup/{}", dumps[2]);
    assert_eq!(vars.get("backup_file"), Some(&newest));
    assert_eq!(outputs["find-backup"][0].stdout, format!("{newest}\n"));
    let dump = world.read("app-backup", &newest);
    let pool = world.speed().await;
    let domains: Vec<(String, String, i64)> =
        sqlx::query("SELECT domain, ip, status FROM t_app_dns ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("t_app_dns")
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
    assert_eq!(
        domains.len(),
        dump.matches(".example'").count(),
        "{domains:?}"
    );
    for (domain, ip, status) in &domains {
        assert!(dump.contains(&format!("'{domain}','{ip}',1,")), "{domain}");
        // §4.3.4: the dead primary's domains, and only they, are offline.
        assert_eq!(*status, if *ip == dead_ip { 2 } else { 1 }, "{domain}");
    }
    let offline = domains.iter().filter(|(_, ip, _)| *ip == dead_ip).count();
    assert!((1..=4).contains(&offline), "{offline}");
    // §4.3.3 (3): user_logs exists and numbers its rows itself.
    assert_eq!(count(&pool, "SELECT count(*) FROM user_logs").await, 0);
    sqlx::query("INSERT INTO user_logs (user_id, datestr, ip) VALUES (1, '2026-11-21', ?)")
        .bind(&backup_ip)
        .execute(&pool)
        .await
        .expect("a row in user_logs");
    assert_eq!(count(&pool, "SELECT max(id) FROM user_logs").await, 1);
    pool.close().await;

    // §4.3.5: the back-end services use the local MySQL and Redis; the originals are kept.
    for (path, original) in &originals {
        let now = world.read("app-backup", path);
        assert!(!now.contains(&dead_ip), "{path}: {now}");
        assert!(now.contains("localhost"), "{path}: {now}");
        assert_eq!(now, original.replace(&dead_ip, "localhost"), "{path}");
        let kept = world.read("app-backup", &format!("{path}.bak-cockpit"));
        assert_eq!(&kept, original, "{path}.bak-cockpit");
    }

    // §4.3.6: the three services were restarted, in order, each with its time.
    let state = world.read("app-backup", STATE_FILE);
    let restarted: Vec<&str> = state
        .lines()
        .map(|line| {
            let (at, what) = line.split_once(' ').expect("TIME ACTION SERVICE");
            chrono::DateTime::parse_from_rfc3339(at).expect("a timestamp");
            what
        })
        .collect();
    assert_eq!(
        restarted,
        ["restarted go-api", "restarted go-admin", "restarted go-fly"]
    );
    assert_eq!(
        outputs["restart-services"][0].stdout,
        "active\nactive\nactive\n"
    );

    // §4.3.7: nginx found the dead primary where it forwards to it, no longer forwards there,
    // still forwards to the backup, and was tested and reloaded.
    for (n, host) in ["nginx-1", "nginx-2"].iter().enumerate() {
        let found = &outputs["nginx-find"][n];
        assert!(
            found.stdout.contains(&format!(
                "/etc/nginx/conf.d/upstream.conf:5:    server {dead_ip}:8080"
            )),
            "{found:#?}"
        );
        let upstreams = world.read(host, "/etc/nginx/conf.d/upstream.conf");
        assert!(!upstreams.contains(&dead_ip), "{upstreams}");
        assert_eq!(
            upstreams.matches(&format!("server {backup_ip}:")).count(),
            3
        );
        let reload = &outputs["nginx-reload"][n];
        assert!(
            reload.stderr.contains(
                "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n\
                 nginx: configuration file /etc/nginx/nginx.conf test is successful\n"
            ),
            "{reload:#?}"
        );
        let state = world.read(host, STATE_FILE);
        assert!(state.trim_end().ends_with(" reloaded nginx"), "{state}");
    }

    // §4.3.10: the backup's crontab as it stands.
    let crontab = &outputs["show-crontab"][0].stdout;
    assert!(
        crontab.contains("* * * * * /usr/bin/python3 /shell/clean_old_files.py &"),
        "{crontab}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_tools_fail_as_the_real_ones_do() {
    let mut world = World::start().await;
    let limit = Duration::from_secs(30);

    // The seed's paths in, the seed's paths out; the oldest dump listed last.
    let out = world
        .run("app-backup", "ls -1t /shell/sql_backup/speed-*.sql", limit)
        .await;
    let listed: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(listed.len(), 3, "{out:#?}");
    let mut by_name = listed.clone();
    by_name.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(listed, by_name, "newest first");
    assert!(
        listed
            .iter()
            .all(|l| l.starts_with("/shell/sql_backup/speed-"))
    );

    // The backup's MySQL is empty before the import.
    let out = world
        .run(
            "app-backup",
            "mysql -uroot -e 'select count(*) from speed.t_app_dns'",
            limit,
        )
        .await;
    assert_eq!(
        (out.stdout.as_str(), out.status),
        ("count(*)\n0\n", Some(0))
    );
    // The primary's holds last night's data.
    let out = world
        .run(
            "app-primary",
            "echo 'select count(*) from t_app_dns;' | mysql -N",
            limit,
        )
        .await;
    assert_eq!((out.stdout.as_str(), out.status), ("7\n", Some(0)));

    // A service the backup does not run (seed §3.2: no go-job there).
    let out = world
        .run("app-backup", "systemctl restart go-job", limit)
        .await;
    assert_eq!(out.status, Some(5), "{out:#?}");
    assert_eq!(
        out.stderr,
        "Failed to restart go-job.service: Unit go-job.service not found.\n"
    );

    // No MySQL on an nginx machine.
    let out = world.run("nginx-1", "mysql -e 'select 1'", limit).await;
    assert_eq!(out.status, Some(127), "{out:#?}");

    // An upstream left without servers: nginx -t says where, and the reload is refused.
    let out = world
        .run(
            "nginx-1",
            "sed -i '/server .*:8081/d' /etc/nginx/conf.d/upstream.conf && nginx -t",
            limit,
        )
        .await;
    assert_eq!(out.status, Some(1), "{out:#?}");
    assert_eq!(
        out.stderr,
        "nginx: [emerg] no servers are inside upstream in /etc/nginx/conf.d/upstream.conf:10\n\
         nginx: configuration file /etc/nginx/nginx.conf test failed\n"
    );
    let out = world.run("nginx-1", "nginx -s reload", limit).await;
    assert_eq!(out.status, Some(1), "{out:#?}");
    assert!(!world.root("nginx-1").join(STATE_FILE).exists());
}
