//! The playbooks shipped in `playbooks/` parse and validate against the example inventory, keep
//! what matters of the seed each one encodes, and are set aside (not reported as errors) for a
//! fleet they do not fit, such as the demo's.

use cockpit::core::diagnostic::SourceFile;
use cockpit::core::health::HostState;
use cockpit::core::inventory::{self, Inventory};
use cockpit::core::playbook::{self, Confirm, Playbook, Step, StepAction, Target, VariableSource};
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
        .map(|(role, state)| (Target::Role(role.to_string()), state));
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
        // seed 002
        "node-app-unavailable",
        "node-db-connection",
        "node-out-of-memory",
        "node-slow",
        "node-data-loss",
        "node-rollback",
        // seed 003
        "rabbitmq-node-down",
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
                "sudo cp /opt/obsync/nginx/server-2-full.conf /etc/nginx/sites-available/{{domain}}",
                "sudo ln -sf /etc/nginx/sites-available/{{domain}} /etc/nginx/sites-enabled/",
                "sudo nginx -t && sudo systemctl reload nginx",
                "sudo mkdir -p /var/www/agendaedu-web /var/www/agendaedu-app",
                "/opt/obsync/backups/static/static_*.tar.gz",
                "curl -fI https://{{domain}}/health",
                "curl -fI https://{{domain}}/api/health",
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
            commands: &["/etc/nginx/conf.d/upstream.conf", "sudo nginx -s reload"],
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
                "sudo iptables -L -n",
                "ip addr show",
                "ip route show",
                "sudo systemctl restart networking",
            ],
            details: &["telnet {{backup_ip}} 8090"],
            dangerous: &["restart-net-backup", "restart-net-primary"],
            confirm_yes: &[],
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
}

#[test]
fn seed_002_playbooks_follow_the_seed() {
    let playbooks = load_all();
    let table = [
        Expected {
            id: "node-app-unavailable",
            severity: Severity::P0,
            rto_minutes: None,
            trigger: Some(("node-app", HostState::Degraded)),
            commands: &[
                "pm2 status",
                "pm2 logs health-butler --lines 100",
                "netstat -tlnp | grep 3000",
                "pm2 restart health-butler",
                "pm2 logs health-butler --err --lines 200",
                "http://localhost:3000/health",
            ],
            details: &[r#"cat .env | grep -v "^#""#],
            dangerous: &[],
            confirm_yes: &["restart", "restart-fixed"],
        },
        Expected {
            id: "node-db-connection",
            severity: Severity::P1,
            rto_minutes: None,
            trigger: Some(("node-app", HostState::Degraded)),
            commands: &[
                "sudo systemctl status postgresql",
                "psql -w -h localhost -U postgres -d health_butler",
                "SELECT count(*) FROM pg_stat_activity;",
                "sudo systemctl restart postgresql",
                "sudo tail -100 /var/log/postgresql/postgresql-14-main.log",
                "pm2 restart health-butler",
                "npx prisma db execute --stdin < test-query.sql",
            ],
            details: &[],
            dangerous: &["pg-restart"],
            confirm_yes: &["app-restart"],
        },
        Expected {
            id: "node-out-of-memory",
            severity: Severity::P1,
            rto_minutes: None,
            trigger: Some(("node-app", HostState::Degraded)),
            commands: &[
                "free -h",
                r#"node --max-old-space-size=8192 -e "console.log(v8.getHeapStatistics())""#,
                r#"pm2 delete health-butler && pm2 start npm --name health-butler --node-args="--max-old-space-size=4096" -- start"#,
                "redis-cli FLUSHALL",
                "rm -rf .next/cache",
                "pm2 restart health-butler",
            ],
            details: &["pm2 monit"],
            dangerous: &["raise-limit", "flush-redis", "clear-next-cache"],
            confirm_yes: &["restart"],
        },
        Expected {
            id: "node-slow",
            severity: Severity::P3,
            rto_minutes: None,
            trigger: Some(("node-app", HostState::Degraded)),
            commands: &[
                "top -b -n 1",
                "SELECT * FROM pg_stat_statements\nORDER BY mean_exec_time DESC\nLIMIT 10;",
                r#"curl -w "@curl-format.txt" -o /dev/null -s https://{{api_host}}/health"#,
                "SELECT * FROM pg_locks WHERE NOT granted;",
                "pm2 restart health-butler",
            ],
            details: &[],
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
                "pm2 stop health-butler",
                "pg_restore -d health_butler -c {{backup_file}}",
                r#"psql -d health_butler -c "SELECT count(*) FROM users;""#,
                "pm2 restart health-butler",
                "rsync -av /var/backups/health_butler/uploads/ {{app_dir}}/uploads/",
                "cp /var/backups/health_butler/.env {{app_dir}}/.env",
                "SELECT count(*) FROM users;",
                "SELECT * FROM health_data\nORDER BY created_at DESC\nLIMIT 10;",
                "pg_size_pretty(pg_total_relation_size(quote_ident(table_name)))",
            ],
            details: &[
                "restore_command = 'cp /var/backups/wal/%f %p'",
                "recovery_target_time = '2025-01-02 10:30:00'",
            ],
            dangerous: &[
                "stop-app",
                "restore",
                "restore-uploads",
                "restore-env",
                "pitr",
            ],
            confirm_yes: &["start-app"],
        },
        Expected {
            id: "node-rollback",
            severity: Severity::P1,
            rto_minutes: None,
            trigger: None,
            commands: &[
                "git checkout {{stable_tag}} && npm ci && npm run build",
                "npx prisma migrate resolve --rolled-back {{migration}}",
                "pm2 restart health-butler",
                "https://{{api_host}}/health",
            ],
            details: &[],
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
    // The restore uses the dump found just before it.
    let loss = find(&playbooks, "node-data-loss");
    let find_pos = loss.steps.iter().position(|s| s.id == "find-backup");
    let restore_pos = loss.steps.iter().position(|s| s.id == "restore");
    assert!(find_pos < restore_pos, "find-backup before restore");
    assert_eq!(variable_default(loss, "app_dir"), Some("/app"));
    assert_eq!(
        variable_default(find(&playbooks, "node-slow"), "api_host"),
        Some("api.healthbutler.com")
    );
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
                "pgrep -f rabbitmq",
                "/var/backups/rabbitmq/full_backup_*.tar.gz",
            ],
            details: &["/var/lib/rabbitmq/mnesia", "below 0.1%"],
            dangerous: &["restart", "restore"],
            confirm_yes: &[],
        },
    );
    let p = find(&playbooks, "rabbitmq-node-down");
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
    assert_eq!(aside.len(), 12, "{aside:#?}");
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
