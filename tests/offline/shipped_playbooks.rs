//! The playbooks shipped in `playbooks/` parse and validate against the example inventory, keep
//! what matters of the seed each one encodes, and are set aside (not reported as errors) for a
//! fleet they do not fit, such as the demo's.

use cockpit::core::diagnostic::SourceFile;
use cockpit::core::health::HostState;
use cockpit::core::inventory::{self, Inventory};
use cockpit::core::metrics::Level;
use cockpit::core::playbook::{
    self, Confirm, Gate, HostCount, Playbook, Resource, Step, StepAction, Symptom, Target,
    VariableSource,
};
use cockpit::core::severity::Severity;
use cockpit::demo::{DEMO_HOSTS, inventory_toml};
use cockpit::io::catalog::load_catalog;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn playbook_files() -> Vec<PathBuf> {
    let dir = root().join("playbooks");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *.toml in {}", dir.display());
    files
}

fn sources() -> Vec<SourceFile> {
    playbook_files()
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            SourceFile::new(path.display().to_string(), text)
        })
        .collect()
}

fn example_inventory() -> Inventory {
    let path = root().join("docs/inventory.example.toml");
    let text = std::fs::read_to_string(&path).expect("read the example inventory");
    inventory::parse(&SourceFile::new(path.display().to_string(), text))
        .unwrap_or_else(|d| panic!("example inventory invalid:\n{d}"))
}

fn demo_inventory() -> Inventory {
    let ports: Vec<_> = DEMO_HOSTS
        .iter()
        .enumerate()
        .map(|(i, h)| (*h, 40_000 + i as u16))
        .collect();
    let text = inventory_toml(Path::new("/demo"), &ports);
    inventory::parse(&SourceFile::new("inventory.toml", text))
        .unwrap_or_else(|d| panic!("demo inventory invalid:\n{d}"))
}

/// Every shipped playbook, validated strictly against the example inventory.
fn load_all() -> Vec<Playbook> {
    let inventory = example_inventory();
    let mut parsed = Vec::new();
    let mut failures = Vec::new();
    for src in sources() {
        match playbook::parse(&src, Some(&inventory)) {
            Ok(p) => parsed.push(p),
            Err(diagnostics) => failures.push(diagnostics.to_string()),
        }
    }
    assert!(
        failures.is_empty(),
        "shipped playbooks do not validate against docs/inventory.example.toml:\n{}",
        failures.join("\n")
    );
    parsed
}

fn find<'a>(playbooks: &'a [Playbook], id: &str) -> &'a Playbook {
    playbooks
        .iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("playbook `{id}`"))
}

fn step<'a>(p: &'a Playbook, id: &str) -> &'a Step {
    p.step(id)
        .unwrap_or_else(|| panic!("step `{id}` of playbook `{}`", p.id))
}

/// The command or SQL text of a step ("" for other kinds).
fn text(s: &Step) -> &str {
    match &s.action {
        StepAction::Command { run, .. } => run,
        StepAction::Sql { statement, .. } => statement,
        _ => "",
    }
}

/// Where a command step runs.
fn role_of(s: &Step) -> Option<&str> {
    match &s.action {
        StepAction::Command {
            target: Target::Role(r),
            ..
        }
        | StepAction::Check {
            target: Target::Role(r),
        }
        | StepAction::Verify {
            target: Some(Target::Role(r)),
        } => Some(r),
        _ => None,
    }
}

/// What a seed says about one of its playbooks.
struct Expected {
    id: &'static str,
    severity: Severity,
    rto_minutes: Option<u32>,
    /// (role, state) of the trigger, if the fleet's state suggests the playbook.
    trigger: Option<(&'static str, HostState)>,
    /// Texts from the seed each found in some step's command or SQL.
    commands: &'static [&'static str],
    /// Texts from the seed each found in some step's detail (paths, config excerpts…).
    details: &'static [&'static str],
    /// Steps that need the typed confirmation.
    dangerous: &'static [&'static str],
    /// Steps that need a yes, without being dangerous.
    confirm_yes: &'static [&'static str],
}

fn check_expected(playbooks: &[Playbook], e: &Expected) {
    let p = find(playbooks, e.id);
    assert_eq!(p.severity, e.severity, "severity of `{}`", e.id);
    assert_eq!(p.rto_minutes, e.rto_minutes, "rto_minutes of `{}`", e.id);
    let trigger = p.trigger.as_ref().map(|g| (g.target.clone(), g.state));
    let expected = e
        .trigger
        .map(|(role, state)| (Target::Role(role.to_string()), Some(state)));
    assert_eq!(trigger, expected, "trigger of `{}`", e.id);
    assert!(!p.symptoms.is_empty(), "`{}` lists no symptoms", e.id);
    for needle in e.commands {
        assert!(
            p.steps.iter().any(|s| text(s).contains(needle)),
            "`{}`: no step runs {needle:?}",
            e.id
        );
    }
    for needle in e.details {
        assert!(
            p.steps
                .iter()
                .any(|s| s.detail.as_deref().is_some_and(|d| d.contains(needle))),
            "`{}`: no step explains {needle:?}",
            e.id
        );
    }
    for id in e.dangerous {
        let s = step(p, id);
        assert!(s.dangerous, "`{}` step `{id}` should be dangerous", e.id);
        assert_eq!(s.confirm, Confirm::Typed, "`{}` step `{id}`", e.id);
    }
    for id in e.confirm_yes {
        let s = step(p, id);
        assert!(!s.dangerous, "`{}` step `{id}` is not dangerous", e.id);
        assert_eq!(s.confirm, Confirm::Yes, "`{}` step `{id}`", e.id);
    }
    // Nothing that changes state runs without a confirmation: the guarded steps are exactly
    // the listed ones (a new state-changing step must be added to the table on purpose).
    let guarded: Vec<&str> = p
        .steps
        .iter()
        .filter(|s| s.dangerous || s.confirm != Confirm::None)
        .map(|s| s.id.as_str())
        .collect();
    let mut listed: Vec<&str> = e.dangerous.iter().chain(e.confirm_yes).copied().collect();
    let mut guarded_sorted = guarded.clone();
    listed.sort_unstable();
    guarded_sorted.sort_unstable();
    assert_eq!(guarded_sorted, listed, "guarded steps of `{}`", e.id);
}

fn variable_default<'a>(p: &'a Playbook, name: &str) -> Option<&'a str> {
    p.variables
        .iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("variable `{name}` of `{}`", p.id))
        .default
        .as_deref()
}

#[test]
fn every_shipped_playbook_validates_against_the_example_inventory() {
    let playbooks = load_all();
    let mut ids: Vec<&str> = playbooks.iter().map(|p| p.id.as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "duplicate playbook ids: {ids:?}");
    for id in [
        // seed 001
        "nginx-down",
        "backup-app-down",
        "primary-app-down",
        "both-app-down",
        // seed 000
        "api-gateway-down",
        "backend-service-down",
        "primary-server-failover",
        "backup-server-down",
        "server-link-down",
        "database-restore",
        "config-restore",
        // seed 002
        "node-app-unavailable",
        "node-db-connection",
        "node-out-of-memory",
        "node-slow",
        "node-data-loss",
        "node-rollback",
        // seed 003
        "rabbitmq-node-down",
        "rabbitmq-cluster-node-failure",
        "rabbitmq-complete-system-failure",
    ] {
        assert!(ids.contains(&id), "missing playbook `{id}` in {ids:?}");
    }
}

#[test]
fn guards_are_coherent_in_every_shipped_playbook() {
    for p in load_all() {
        for s in &p.steps {
            if s.parallel {
                assert!(
                    !s.dangerous && s.confirm == Confirm::None,
                    "`{}` step `{}`: parallel steps are read-only",
                    p.id,
                    s.id
                );
            }
            if let StepAction::Sql { statement, .. } = &s.action {
                assert!(
                    !statement.contains("'{{"),
                    "`{}` step `{}`: SQL placeholders are bound, not quoted",
                    p.id,
                    s.id
                );
            }
        }
    }
}

#[test]
fn primary_app_down_follows_seed_001() {
    let playbooks = load_all();
    let p = find(&playbooks, "primary-app-down");
    assert_eq!(p.severity, Severity::P0);
    assert_eq!(p.rto_minutes, Some(30));

    let dns = p
        .steps
        .iter()
        .find(|s| matches!(&s.action, StepAction::Sql { statement, .. } if statement.contains("t_app_dns")))
        .expect("a sql step on t_app_dns");
    let rows = dns.expect.as_ref().and_then(|e| e.rows);
    assert_eq!(rows, Some((1, Some(4))), "step `{}`", dns.id);
    assert!(dns.dangerous, "step `{}` should be dangerous", dns.id);

    let capture = p
        .steps
        .iter()
        .find_map(|s| match &s.action {
            StepAction::Command {
                capture: Some(c), ..
            } => Some(c),
            _ => None,
        })
        .expect("a command step with a capture");
    assert_eq!(capture.variable, "backup_file");
}

#[test]
fn seed_000_playbooks_follow_the_seed() {
    let playbooks = load_all();
    let table = [
        Expected {
            id: "api-gateway-down",
            severity: Severity::P1,
            rto_minutes: Some(15),
            trigger: Some(("docker-primary", HostState::Degraded)),
            commands: &[
                "bash /opt/obsync/scripts/diagnose.sh",
                "docker compose ps api-gateway",
                "docker compose logs --tail 200 api-gateway",
                "docker compose restart api-gateway",
                "docker compose down api-gateway && docker compose pull api-gateway && docker compose up -d api-gateway",
                "http://localhost:8090/health",
            ],
            details: &[
                r#"test: ["CMD", "wget", "--spider", "http://localhost:8090/health"]"#,
                "start_period: 60s",
            ],
            dangerous: &["redeploy"],
            confirm_yes: &["restart"],
        },
        Expected {
            id: "backend-service-down",
            severity: Severity::P2,
            rto_minutes: Some(15),
            trigger: None,
            commands: &[
                "docker compose logs --tail 500 app-icasync",
                "docker compose restart app-icasync",
                "docker compose exec -T app-icasync ping -c 4 {{database_host}}",
            ],
            details: &[],
            dangerous: &[],
            confirm_yes: &["restart"],
        },
        Expected {
            id: "primary-server-failover",
            severity: Severity::P0,
            rto_minutes: Some(15),
            trigger: Some(("docker-primary", HostState::Down)),
            commands: &[
                "cp /opt/obsync/nginx/server-2-full.conf /etc/nginx/sites-available/{{domain}}",
                "ln -sf /etc/nginx/sites-available/{{domain}} /etc/nginx/sites-enabled/",
                "nginx -t && systemctl reload nginx",
                "mkdir -p /var/www/agendaedu-web /var/www/agendaedu-app",
                "/opt/obsync/backups/static/static_*.tar.gz",
                "curl -fsSI --resolve {{domain}}:443:{{host.public_ip}} https://{{domain}}/health",
                "curl -fsSI --resolve {{domain}}:443:{{host.public_ip}} https://{{domain}}/api/health",
            ],
            details: &["{{primary_ip}} → {{backup_ip}}", "ssh jlufe_10.128"],
            dangerous: &["dns-switch", "nginx-full", "restore-static"],
            confirm_yes: &["static-dirs"],
        },
        Expected {
            id: "backup-server-down",
            severity: Severity::P2,
            rto_minutes: Some(15),
            trigger: Some(("docker-backup", HostState::Down)),
            commands: &[
                "/etc/nginx/conf.d/upstream.conf",
                "nginx -t && nginx -s reload",
            ],
            details: &[
                "upstream api_gateway {",
                "server 172.20.0.20:8090 weight=1 max_fails=3 fail_timeout=30s;",
                "# server {{backup_ip}}:8090 weight=1 max_fails=3 fail_timeout=30s backup;",
            ],
            dangerous: &[],
            confirm_yes: &["reload"],
        },
        Expected {
            id: "server-link-down",
            severity: Severity::P2,
            rto_minutes: Some(15),
            trigger: None,
            commands: &[
                "ping -c 4 {{backup_ip}}",
                "ping -c 4 {{primary_ip}}",
                "/dev/tcp/{{backup_ip}}/8090",
                "iptables -L -n",
                "ip addr show",
                "ip route show",
                "netplan apply",
                "systemctl restart networking",
            ],
            details: &[
                "telnet {{backup_ip}} 8090",
                "sudo systemctl restart networking",
            ],
            dangerous: &["restart-net-backup", "restart-net-primary"],
            confirm_yes: &[],
        },
        Expected {
            id: "database-restore",
            severity: Severity::P1,
            rto_minutes: Some(15),
            trigger: None,
            commands: &[
                "/opt/obsync/backups/database/{{database}}_*.sql.gz",
                "gzip -t {{db_backup}}",
                "mysqldump -h localhost -u {{db_user}} --single-transaction --routines --triggers {{database}}",
                "docker compose stop app-icasync",
                "gunzip -c {{db_backup}} > $t && MYSQL_PWD={{db_password}} mysql -h localhost -u {{db_user}} {{database}} < $t",
                "docker compose start app-icasync",
            ],
            details: &[
                "mysql -h localhost -u restore_user -p'restore_password' syncdb < /tmp/restore.sql",
            ],
            dangerous: &["restore"],
            confirm_yes: &["dump-current", "stop-app", "start-app"],
        },
        Expected {
            id: "config-restore",
            severity: Severity::P1,
            rto_minutes: Some(15),
            trigger: None,
            commands: &[
                "/opt/obsync/backups/config/config_*.tar.gz",
                "tar -tzvf {{config_backup}}",
                "tar -xzf {{config_backup}} -C $t",
                "cp -a $t/opt/obsync/. /opt/obsync/",
                "cp -a $t/etc/nginx/. /etc/nginx/",
                "nginx -t && systemctl reload nginx",
                "docker compose -f /opt/obsync/docker-compose.yml up -d",
                "curl -fsS http://localhost:8090/health",
            ],
            details: &[
                "sudo cp -r $TEMP_DIR/opt/obsync/* /opt/obsync/",
                "sudo cp -r $TEMP_DIR/etc/nginx/* /etc/nginx/",
            ],
            dangerous: &["restore"],
            confirm_yes: &["keep-current", "reload-nginx", "compose-up"],
        },
    ];
    for e in &table {
        check_expected(&playbooks, e);
    }

    // The seed's site values are the defaults; the failed server's IP comes from the incident.
    let failover = find(&playbooks, "primary-server-failover");
    assert_eq!(
        variable_default(failover, "domain"),
        Some("kwps.jlufe.edu.cn")
    );
    assert_eq!(
        variable_default(failover, "primary_ip"),
        Some("120.131.12.6")
    );
    assert_eq!(
        variable_default(failover, "backup_ip"),
        Some("120.131.10.128")
    );
    let primary_ip = failover
        .variables
        .iter()
        .find(|v| v.name == "primary_ip")
        .map(|v| v.source.clone());
    assert_eq!(
        primary_ip,
        Some(VariableSource::Incident {
            fact: "public_ip".into()
        })
    );
    // The DNS switch is by hand, and only while the primary is down.
    let dns = step(failover, "dns-switch");
    assert_eq!(dns.action, StepAction::Manual);
    assert_eq!(dns.when.len(), 1);
    assert_eq!(dns.when[0].state, HostState::Down);
    // The static files come from the newest archive found before.
    let capture = match &step(failover, "find-static").action {
        StepAction::Command {
            capture: Some(c), ..
        } => c.variable.clone(),
        other => panic!("find-static: {other:?}"),
    };
    assert_eq!(capture, "static_backup");
    assert!(text(step(failover, "restore-static")).contains("{{static_backup}}"));
    // Configuration lands on the backup server.
    assert_eq!(role_of(step(failover, "nginx-full")), Some("docker-backup"));

    let backup = find(&playbooks, "backup-server-down");
    assert_eq!(
        variable_default(backup, "backup_ip"),
        Some("120.131.10.128")
    );
    assert_eq!(role_of(step(backup, "reload")), Some("docker-primary"));
    let link = find(&playbooks, "server-link-down");
    assert_eq!(variable_default(link, "primary_ip"), Some("120.131.12.6"));
    assert_eq!(variable_default(link, "backup_ip"), Some("120.131.10.128"));
    // netplan is looked for before ifupdown: an Ubuntu host may keep an empty
    // /etc/network/interfaces without the networking service.
    let restart = text(step(link, "restart-net-backup"));
    let netplan = restart.find("netplan apply").expect("netplan apply");
    let ifupdown = restart
        .find("systemctl restart networking")
        .expect("the networking service");
    assert!(netplan < ifupdown, "{restart}");

    // The guide's "database-host" is a placeholder: the operator is asked for the real name.
    let backend = find(&playbooks, "backend-service-down");
    assert_eq!(variable_default(backend, "database_host"), None);

    // The restores take the newest nightly file, never the copy they keep of the current state.
    let db = find(&playbooks, "database-restore");
    assert!(
        db.variables
            .iter()
            .any(|v| v.name == "db_password" && v.secret),
        "the MySQL password is a secret"
    );
    assert!(
        !text(step(db, "restore")).contains(" -p"),
        "no password on the command line"
    );
    assert!(text(step(db, "dump-current")).contains("before-restore_{{database}}_"));
    let cfg = find(&playbooks, "config-restore");
    assert!(text(step(cfg, "keep-current")).contains("before-restore_"));
}

#[test]
fn seed_002_playbooks_follow_the_seed() {
    let playbooks = load_all();
    // Each trigger says what must be wrong, on any application host: its port or its
    // database's port failing, memory at the critical level (the guide's 90%), CPU at the
    // warning level (the guide's 80%). A full disk suggests none of them.
    let pressure = |resource, level| Symptom::Pressure { resource, level };
    let service = |check: &str| Symptom::Service {
        check: Some(check.to_string()),
    };
    for (id, symptom) in [
        ("node-app-unavailable", service("tcp:3000")),
        ("node-db-connection", service("tcp:5432")),
        (
            "node-out-of-memory",
            pressure(Resource::Memory, Level::Critical),
        ),
        ("node-slow", pressure(Resource::Cpu, Level::Warning)),
    ] {
        let trigger = find(&playbooks, id)
            .trigger
            .as_ref()
            .unwrap_or_else(|| panic!("`{id}` has a trigger"));
        assert_eq!(trigger.symptom.as_ref(), Some(&symptom), "`{id}`");
        assert_eq!(trigger.hosts, HostCount::AtLeast(1), "`{id}`: any host");
    }
    // The pressure triggers name no state: the table checks the rest without them.
    let playbooks: Vec<Playbook> = playbooks
        .into_iter()
        .map(|mut p| {
            if p.id == "node-out-of-memory" || p.id == "node-slow" {
                p.trigger = None;
            }
            p
        })
        .collect();
    let table = [
        Expected {
            id: "node-app-unavailable",
            severity: Severity::P0,
            rto_minutes: None,
            trigger: Some(("node-app", HostState::Degraded)),
            commands: &[
                "pm2 status",
                "pm2 logs {{app_name}} --lines 100 --nostream",
                "ss -Hltnp 'sport = :{{app_port}}'",
                "pm2 restart {{app_name}}",
                "pm2 logs {{app_name}} --err --lines 200 --nostream",
                "curl -fsS",
            ],
            details: &[r#"cat .env | grep -v "^#""#, "netstat -tlnp | grep 3000"],
            dangerous: &[],
            confirm_yes: &["restart", "restart-fixed"],
        },
        Expected {
            id: "node-db-connection",
            severity: Severity::P1,
            rto_minutes: None,
            trigger: Some(("node-app", HostState::Degraded)),
            commands: &[
                "pg_isready",
                "pg_lsclusters",
                "psql -w -X -d health_butler -c 'SELECT 1'",
                "FROM pg_stat_activity",
                "systemctl restart postgresql",
                "tail -n 100 {{pg_log}}",
                "pm2 restart {{app_name}}",
                "npx --no-install prisma db execute --schema prisma/schema.prisma --stdin < test-query.sql",
            ],
            details: &["sudo systemctl status postgresql", "placeholder"],
            dangerous: &["pg-restart"],
            confirm_yes: &["app-restart"],
        },
        Expected {
            id: "node-out-of-memory",
            severity: Severity::P1,
            rto_minutes: None,
            trigger: None,
            commands: &[
                "free -h",
                "NODE_OPTIONS=",
                "pm2 delete {{app_name}} && NODE_OPTIONS=--max-old-space-size=4096 pm2 start npm --name {{app_name}} -- start",
                "FLUSHALL",
                "rm -rf {{app_dir}}/.next/cache",
                "pm2 restart {{app_name}}",
            ],
            details: &["pm2 monit", "--node-args", "getHeapStatistics"],
            dangerous: &["raise-limit", "flush-redis", "clear-next-cache"],
            confirm_yes: &["restart"],
        },
        Expected {
            id: "node-slow",
            severity: Severity::P3,
            rto_minutes: None,
            trigger: None,
            commands: &[
                "top -b -n 1",
                "SELECT * FROM pg_stat_statements\nORDER BY mean_exec_time DESC\nLIMIT 10;",
                "%{time_total}",
                "SELECT * FROM pg_locks WHERE NOT granted;",
                "pm2 restart {{app_name}}",
            ],
            details: &["curl-format.txt"],
            dangerous: &["restart"],
            confirm_yes: &[],
        },
        Expected {
            id: "node-data-loss",
            severity: Severity::P1,
            rto_minutes: None,
            trigger: None,
            commands: &[
                "SELECT * FROM pg_stat_database;",
                "SELECT * FROM pg_stat_activity WHERE state != 'idle';",
                "ls -lh /var/backups/health_butler/",
                "pg_dump -Fc -d health_butler",
                "pm2 stop {{app_name}}",
                "pg_restore -d health_butler -c --if-exists",
                r#"psql -w -X -d health_butler -c "SELECT count(*) FROM users;""#,
                "pm2 restart {{app_name}}",
                "rsync -av /var/backups/health_butler/uploads/ {{app_dir}}/uploads/",
                "cp /var/backups/health_butler/.env {{app_dir}}/.env",
                "SELECT count(*) FROM users;",
                "SELECT * FROM health_data\nORDER BY created_at DESC\nLIMIT 10;",
                "pg_size_pretty(pg_total_relation_size(quote_ident(table_name)))",
            ],
            details: &[
                "restore_command = 'cp /var/backups/wal/%f %p'",
                "recovery_target_time = '2025-01-02 10:30:00'",
                "base backup",
                "recovery.signal",
            ],
            dangerous: &[
                "stop-app",
                "restore",
                "restore-uploads",
                "restore-env",
                "pitr",
            ],
            confirm_yes: &["start-app", "restart-files"],
        },
        Expected {
            id: "node-rollback",
            severity: Severity::P1,
            rto_minutes: None,
            trigger: None,
            commands: &[
                "git checkout {{stable_tag}} && npm ci && npm run build",
                "pm2 restart {{app_name}}",
                "curl -fsS",
            ],
            details: &["npx prisma migrate resolve --rolled-back", "down.sql"],
            dangerous: &["code", "migration"],
            confirm_yes: &["restart"],
        },
    ];
    for e in &table {
        check_expected(&playbooks, e);
    }
    for e in &table {
        let p = find(&playbooks, e.id);
        for s in &p.steps {
            if let Some(role) = role_of(s) {
                assert_eq!(role, "node-app", "`{}` step `{}`", p.id, s.id);
            }
            if let StepAction::Sql { database, .. } = &s.action {
                assert_eq!(database, "health_butler", "`{}` step `{}`", p.id, s.id);
            }
        }
    }
    // The restore uses the dump found just before it, after keeping the damaged database.
    let loss = find(&playbooks, "node-data-loss");
    let pos = |id: &str| loss.steps.iter().position(|s| s.id == id);
    assert!(
        pos("find-backup") < pos("keep-current"),
        "find-backup first"
    );
    assert!(
        pos("keep-current") < pos("restore"),
        "keep-current before restore"
    );
    assert!(
        pos("restore") < pos("start-app"),
        "restart after the restore"
    );
    assert_eq!(variable_default(loss, "app_dir"), Some("/app"));
}

/// Where a step acts: the incident's host, a role, or nowhere (manual, note).
fn acts_on(s: &Step) -> Option<&Target> {
    match &s.action {
        StepAction::Command { target, .. } | StepAction::Check { target } => Some(target),
        StepAction::Verify { target } => target.as_ref(),
        _ => None,
    }
}

#[test]
fn seed_003_single_node_plan_follows_the_seed() {
    let playbooks = load_all();
    check_expected(
        &playbooks,
        &Expected {
            id: "rabbitmq-node-down",
            severity: Severity::P1,
            rto_minutes: Some(30),
            trigger: Some(("rabbitmq", HostState::Degraded)),
            commands: &[
                "systemctl restart rabbitmq-server && rabbitmqctl status",
                "rabbitmqctl list_queues && rabbitmqctl list_channels",
                "rabbitmq-diagnostics -q ping",
                "/var/backups/rabbitmq/full_backup_*.tar.gz",
            ],
            details: &[
                "/var/lib/rabbitmq/mnesia",
                "chown -R rabbitmq:rabbitmq /var/lib/rabbitmq/mnesia",
                "below 0.1%",
                "above 60% and a problem above\n80% of the number of cores",
            ],
            dangerous: &["restart", "restore"],
            confirm_yes: &[],
        },
    );
    let p = find(&playbooks, "rabbitmq-node-down");
    // One failed node of the cluster suggests it: any host of the role, its AMQP check failing.
    let trigger = p.trigger.as_ref().expect("trigger");
    assert_eq!(trigger.hosts, HostCount::AtLeast(1));
    assert_eq!(
        trigger.symptom,
        Some(Symptom::Service {
            check: Some("tcp:5672".into())
        })
    );
    // The restart and everything after it act on the failed node alone; `pgrep -f` matched its
    // own command line.
    for id in ["diagnose", "restart", "integrity", "find-backup", "restore"] {
        assert_eq!(acts_on(step(p, id)), Some(&Target::Incident), "`{id}`");
    }
    assert!(p.steps.iter().all(|s| !text(s).contains("pgrep -f")));
    for id in ["find-backup", "restore"] {
        assert_eq!(
            step(p, id).when,
            [Gate {
                target: Target::Incident,
                state: HostState::Degraded,
                hosts: HostCount::All
            }],
            "`{id}` waits while the node is back"
        );
    }
    // The restore stops the application before the service, and gives mnesia back to rabbitmq.
    let restore = text(step(p, "restore")).to_string();
    let stop_app = restore.find("stop_app").expect("stop_app");
    let stop = restore
        .find("systemctl stop rabbitmq-server")
        .expect("stop");
    let chown = restore
        .find("chown -R rabbitmq:rabbitmq /var/lib/rabbitmq/mnesia")
        .expect("chown");
    let start = restore
        .find("systemctl start rabbitmq-server")
        .expect("start");
    assert!(
        stop_app < stop && stop < chown && chown < start,
        "{restore}"
    );
    // The plan's time limits per step: 5 min restart, 10 min integrity, 30 min monitoring.
    assert_eq!(step(p, "restart").timeout_secs, Some(300));
    assert_eq!(step(p, "integrity").timeout_secs, Some(600));
    assert_eq!(step(p, "impact").timeout_secs, Some(600));
    assert_eq!(step(p, "monitor").timeout_secs, Some(1800));
    // The plan's order: scope, impact, restart, integrity, monitor.
    let order: Vec<usize> = ["scope", "impact", "restart", "integrity", "monitor"]
        .iter()
        .filter_map(|id| p.steps.iter().position(|s| s.id == *id))
        .collect();
    assert_eq!(order.len(), 5);
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}

#[test]
fn seed_003_cluster_node_plan_resets_and_rejoins_the_failed_node() {
    let playbooks = load_all();
    check_expected(
        &playbooks,
        &Expected {
            id: "rabbitmq-cluster-node-failure",
            severity: Severity::P1,
            rto_minutes: Some(30),
            trigger: Some(("rabbitmq", HostState::Degraded)),
            commands: &[
                "cluster_status",
                "rabbitmqctl stop_app && rabbitmqctl reset && rabbitmqctl start_app",
                "rabbitmqctl stop_app && rabbitmqctl join_cluster {{cluster_node}} && rabbitmqctl start_app",
                "forget_cluster_node {{failed_node}}",
                "synchronised_slave_pids",
            ],
            details: &["join_cluster <cluster_node>"],
            dangerous: &["stop-node", "forget", "set-aside", "reset"],
            confirm_yes: &["rejoin"],
        },
    );
    let p = find(&playbooks, "rabbitmq-cluster-node-failure");
    // Everything that changes a node acts on the failed one; wiping it waits while it is down.
    for id in ["stop-node", "forget", "set-aside", "reset", "rejoin"] {
        let s = step(p, id);
        assert_eq!(acts_on(s), Some(&Target::Incident), "`{id}`");
        assert!(s.privileged, "`{id}` needs root");
    }
    for id in ["stop-node", "forget", "set-aside"] {
        assert_eq!(
            step(p, id).when.len(),
            1,
            "`{id}` waits while the node is back"
        );
    }
    // The plan's order: cluster status, health, reset, rejoin, mirror sync.
    let order: Vec<usize> = [
        "cluster-status",
        "cluster-health",
        "reset",
        "rejoin",
        "mirror-sync",
    ]
    .iter()
    .filter_map(|id| p.steps.iter().position(|s| s.id == *id))
    .collect();
    assert_eq!(order.len(), 5);
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert_eq!(step(p, "mirror-sync").timeout_secs, Some(3600));
}

#[test]
fn seed_003_complete_system_plan_moves_to_the_dr_site() {
    let playbooks = load_all();
    check_expected(
        &playbooks,
        &Expected {
            id: "rabbitmq-complete-system-failure",
            severity: Severity::P0,
            rto_minutes: Some(30),
            trigger: Some(("rabbitmq", HostState::Down)),
            commands: &[
                "/var/backups/rabbitmq/full_backup_*.tar.gz",
                "_metadata.json",
                "rabbitmqctl import_definitions",
                "check_port_connectivity",
            ],
            details: &["recovery point objective is 1 hour"],
            dangerous: &["restore", "switch-traffic"],
            confirm_yes: &[],
        },
    );
    let p = find(&playbooks, "rabbitmq-complete-system-failure");
    let trigger = p.trigger.as_ref().expect("trigger");
    assert_eq!(trigger.hosts, HostCount::All);
    assert_eq!(trigger.symptom, Some(Symptom::Unreachable));
    // The recovery runs on the DR site, never on the lost nodes.
    for s in &p.steps {
        if let Some(target) = acts_on(s) {
            assert_eq!(target, &Target::Role("rabbitmq-dr".into()), "`{}`", s.id);
        }
    }
    // The plan's order: DR site, data state, new cluster, restore, verify, traffic.
    let order: Vec<usize> = [
        "activate-dr",
        "backup-state",
        "deploy",
        "restore",
        "verify-service",
        "switch-traffic",
    ]
    .iter()
    .filter_map(|id| p.steps.iter().position(|s| s.id == *id))
    .collect();
    assert_eq!(order.len(), 6);
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert_eq!(step(p, "restore").timeout_secs, Some(10800));
}

#[test]
fn missing_references_lists_what_the_fleet_lacks() {
    let src = SourceFile::new(
        "x.toml",
        r#"
id = "x"
title = "x"
severity = "P2"

[trigger]
role = "rabbitmq"
state = "down"

[[steps]]
id = "a"
title = "a"
kind = "command"
role = "rabbitmq"
run = "true"
when = [{ host = "db-9", state = "up" }]

[[steps]]
id = "b"
title = "b"
kind = "sql"
database = "metrics"
sql = "select 1"

[[steps]]
id = "c"
title = "c"
kind = "check"
role = "nginx"

[[steps]]
id = "d"
title = "d"
kind = "verify"
host = "db-9"
"#
        .to_string(),
    );
    let p = playbook::parse(&src, None).expect("structurally valid");
    let inventory = inventory::parse(&SourceFile::new(
        "inv.toml",
        "[[hosts]]\nname = \"n1\"\naddress = \"192.0.2.1\"\nrole = \"nginx\"\n".to_string(),
    ))
    .expect("inventory");
    assert_eq!(
        p.missing_references(&inventory),
        [
            "no host has role `rabbitmq`",
            "no host is named `db-9`",
            "no database is named `metrics`",
        ]
    );
    // Against a fleet that has everything, nothing is missing.
    let full = inventory::parse(&SourceFile::new(
        "full.toml",
        "[[hosts]]\nname = \"db-9\"\naddress = \"192.0.2.2\"\nrole = \"rabbitmq\"\n\
         [[hosts]]\nname = \"n1\"\naddress = \"192.0.2.1\"\nrole = \"nginx\"\n\
         [[databases]]\nname = \"metrics\"\ndriver = \"sqlite\"\nurl = \"sqlite:///tmp/m.db\"\n"
            .to_string(),
    ))
    .expect("inventory");
    assert!(p.missing_references(&full).is_empty());
}

#[test]
fn missing_references_agrees_with_strict_validation() {
    // A shipped playbook is applicable exactly when it would validate against that inventory.
    for inventory in [example_inventory(), demo_inventory(), Inventory::default()] {
        for src in sources() {
            let p = playbook::parse(&src, None).expect("structurally valid");
            let strict = playbook::parse(&src, Some(&inventory));
            assert_eq!(
                strict.is_ok(),
                p.missing_references(&inventory).is_empty(),
                "{}: {:?}",
                src.path,
                strict.err().map(|d| d.to_string())
            );
        }
    }
}

#[test]
fn demo_fleet_sets_other_seeds_aside_without_errors() {
    let catalog = load_catalog(None, Some(&demo_inventory()));
    assert!(
        catalog.problems.is_empty(),
        "catalog errors for the demo fleet: {:?}",
        catalog.problems
    );
    let mut usable: Vec<&str> = catalog.playbooks.iter().map(|p| p.id.as_str()).collect();
    usable.sort_unstable();
    assert_eq!(
        usable,
        [
            "backup-app-down",
            "both-app-down",
            "nginx-down",
            "primary-app-down"
        ]
    );
    let aside: Vec<String> = catalog
        .not_applicable
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(aside.len(), 16, "{aside:#?}");
    assert!(
        aside.iter().any(|a| a
            == "playbooks/rabbitmq-node-down.toml: playbook `rabbitmq-node-down` not applicable to this fleet: no host has role `rabbitmq`"),
        "{aside:#?}"
    );
    assert!(
        aside.iter().any(|a| a.contains("`node-data-loss`")
            && a.contains("no host has role `node-app`")
            && a.contains("no database is named `health_butler`")),
        "{aside:#?}"
    );
}

#[test]
fn example_fleet_uses_every_shipped_playbook() {
    let catalog = load_catalog(None, Some(&example_inventory()));
    assert!(catalog.problems.is_empty(), "{:?}", catalog.problems);
    assert!(
        catalog.not_applicable.is_empty(),
        "{:?}",
        catalog.not_applicable
    );
    assert_eq!(catalog.playbooks.len(), playbook_files().len());
}

#[test]
fn user_playbooks_stay_strict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        std::fs::write(dir.path().join(name), text).expect("write playbook");
    };
    // A user playbook naming a role the fleet lacks is an error, not set aside.
    write(
        "mine.toml",
        "id = \"mine\"\ntitle = \"Mine\"\nseverity = \"P2\"\n\n[[steps]]\nid = \"a\"\ntitle = \"a\"\nkind = \"check\"\nrole = \"docker-primary\"\n",
    );
    // A valid user playbook with a shipped id replaces the shipped one, set aside or not.
    write(
        "rabbit.toml",
        "id = \"rabbitmq-node-down\"\ntitle = \"Ours\"\nseverity = \"P2\"\n\n[[steps]]\nid = \"a\"\ntitle = \"a\"\nkind = \"check\"\nrole = \"nginx\"\n",
    );
    let catalog = load_catalog(Some(dir.path()), Some(&demo_inventory()));
    assert_eq!(catalog.problems.len(), 1, "{:?}", catalog.problems);
    let problem = catalog.problems[0].to_string();
    assert!(
        problem.contains("mine.toml")
            && problem.contains("no host of the inventory has role `docker-primary`"),
        "{problem}"
    );
    let ours = find(&catalog.playbooks, "rabbitmq-node-down");
    assert_eq!(ours.title, "Ours");
    assert!(
        catalog
            .not_applicable
            .iter()
            .all(|n| n.id != "rabbitmq-node-down")
    );
}

/// One nginx machine of two going down is the nginx-down procedure (§4.1); a busy or full one
/// that still answers is not.
#[test]
fn one_nginx_machine_down_of_two_suggests_nginx_down() {
    use cockpit::core::metrics::Level;
    use cockpit::core::run::{HostSignals, fires};
    let playbooks = load_all();
    let trigger = find(&playbooks, "nginx-down").trigger.clone().unwrap();
    let host = |name: &str, state: HostState, pressure: Vec<(String, Level)>| HostSignals {
        name: name.into(),
        role: "nginx".into(),
        state,
        checks: 1,
        failing: if state == HostState::Down {
            vec!["ssh".into()]
        } else {
            Vec::new()
        },
        pressure,
    };
    let one_down = [
        host("nginx-1", HostState::Up, Vec::new()),
        host("nginx-2", HostState::Down, Vec::new()),
    ];
    let firing = fires(&trigger, &one_down).expect("one nginx down suggests nginx-down");
    assert_eq!(firing.hosts, ["nginx-2"]);
    let full_disk = [
        host(
            "nginx-1",
            HostState::Up,
            vec![("disk /".into(), Level::Critical)],
        ),
        host("nginx-2", HostState::Up, Vec::new()),
    ];
    assert_eq!(fires(&trigger, &full_disk), None);
}
