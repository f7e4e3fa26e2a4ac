//! The diagnose sections of each service a host declares, from the operations manuals: what an
//! on-call engineer looks at first for RabbitMQ (the RabbitMQ operations manual, §10.2), PM2
//! and Node (the recovery guide's quick checks), PostgreSQL, nginx, Docker and MySQL (the
//! server failure guide). Each runs as the service's OS user with its PATH, and only reads: PM2
//! is asked nothing unless its daemon already runs (asking would start one).

use super::{Section, need};
use crate::core::inventory::Host;
use crate::core::run::exec_as::run_as;
use crate::core::template::shell_quote;

/// Summarises `pm2 jlist` (read on stdin) one line per process, without its environment (which
/// holds the app's secrets): name, id, status, pid, restarts, uptime, memory, CPU, and the
/// heap PM2 measured inside the app.
const PM2_SUMMARY: &str = r#"node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let l;try{l=JSON.parse(s.slice(s.indexOf("[")))}catch(e){console.log("(pm2 jlist did not answer a process list)");process.exit(1)}if(!l.length)console.log("(no processes)");for(const p of l){const e=p.pm2_env||{},m=p.monit||{},a=e.axm_monitor||{},v=k=>a[k]&&a[k].value!==undefined?a[k].value+(a[k].unit?" "+a[k].unit:""):"?";console.log([p.name,"id "+p.pm_id,e.status,"pid "+p.pid,"restarts "+e.restart_time,"up "+(e.status==="online"&&e.pm_uptime?Math.round((Date.now()-e.pm_uptime)/1000)+" s":"-"),"memory "+Math.round((m.memory||0)/1048576)+" MB","cpu "+(m.cpu||0)+" %","heap "+v("Used Heap Size")+" of "+v("Heap Size")].join("  "))}})'"#;

/// Runs `command` only when this user's PM2 daemon is already running.
fn with_pm2_daemon(command: &str) -> String {
    format!(
        "cockpit_pm2=\"${{PM2_HOME:-$HOME/.pm2}}\"; \
         if cockpit_pid=$(cat \"$cockpit_pm2/pm2.pid\" 2>/dev/null) && kill -0 \"$cockpit_pid\" 2>/dev/null; \
         then {command}; \
         else echo \"(no PM2 daemon runs for $(id -un): not asked, which would start one)\"; fi"
    )
}

/// Each node process of this user: pid, resident memory, command line, and the heap flags it
/// was started with (`NODE_OPTIONS` from its environment, nothing else of it).
const NODE_PROCESSES: &str = "cockpit_found=; \
    for p in $(pgrep -u \"$(id -u)\"); do case $(readlink /proc/$p/exe 2>/dev/null) in */node|*/nodejs) ;; *) continue ;; esac; cockpit_found=1; \
    printf '%s  rss %s  %s' \"$p\" \"$(awk '/^VmRSS/ {print $2 \" \" $3}' /proc/$p/status 2>/dev/null)\" \"$(tr '\\000' ' ' </proc/$p/cmdline 2>/dev/null | cut -c1-200 | sed 's/ *$//')\"; \
    o=$(tr '\\000' '\\n' </proc/$p/environ 2>/dev/null | grep '^NODE_OPTIONS='); \
    [ -n \"$o\" ] && printf '  %s' \"$o\"; echo; done; \
    [ -n \"$cockpit_found\" ] || echo \"(no node process runs as $(id -un))\"";

/// What a new node process of this user gets as its heap limit (`NODE_OPTIONS` included).
const NODE_HEAP_LIMIT: &str = r#"node -e 'const h=require("v8").getHeapStatistics();console.log("a new node process here may grow its heap to "+Math.round(h.heap_size_limit/1048576)+" MB (NODE_OPTIONS="+JSON.stringify(process.env.NODE_OPTIONS||"")+")")'"#;

/// Whether the RabbitMQ application runs on the node (not only its Erlang VM).
const RABBIT_RUNS: &str = "rabbitmq-diagnostics -q -t 10 check_running >/dev/null 2>&1";

/// The node's status; when RabbitMQ does not run, whether its Erlang VM does (`stop_app` was
/// called) or why the node cannot be reached.
const RABBIT_STATUS: &str = "if rabbitmq-diagnostics -q -t 10 check_running >/dev/null 2>&1; \
    then rabbitmq-diagnostics -q -t 10 status; \
    elif rabbitmq-diagnostics -q -t 10 ping >/dev/null 2>&1; \
    then echo '(the node is up but its RabbitMQ application is stopped: rabbitmqctl start_app starts it)'; exit 1; \
    else rabbitmq-diagnostics -q -t 10 status; fi";

/// psql, never asking for a password, in the `postgres` database.
const PSQL: &str = "psql -X -A -t -w -d postgres";

/// (what, command) for the service named `name`; None for a service without built-in sections.
fn recipe(name: &str) -> Option<Vec<(&'static str, String)>> {
    // Only the status section says why RabbitMQ does not answer; the others say so in a line.
    let diag = |what: &'static str, command: &str| {
        (
            what,
            need(
                "rabbitmq-diagnostics",
                "",
                &format!(
                    "if {RABBIT_RUNS}; then {command}; else echo '(RabbitMQ does not run on this node: see rabbitmq: status)'; exit 1; fi"
                ),
            ),
        )
    };
    let psql = |what: &'static str, sql: &[&str]| {
        let statements: Vec<String> = sql
            .iter()
            .map(|s| format!("-c {}", shell_quote(s)))
            .collect();
        (
            what,
            need("psql", "", &format!("{PSQL} {}", statements.join(" "))),
        )
    };
    Some(match name {
        "rabbitmq" => vec![
            ("status", need("rabbitmq-diagnostics", "", RABBIT_STATUS)),
            diag("alarms", "rabbitmq-diagnostics -q -t 10 alarms"),
            diag(
                "port connectivity",
                "rabbitmq-diagnostics -q -t 10 check_port_connectivity",
            ),
            diag(
                "cluster status",
                "rabbitmq-diagnostics -q -t 10 cluster_status",
            ),
            diag(
                "queues",
                "rabbitmqctl -q -t 10 list_queues name messages | head -n 50",
            ),
            (
                "config and log files",
                "ls -l /etc/rabbitmq /var/log/rabbitmq 2>&1".to_string(),
            ),
        ],
        "pm2" => vec![
            (
                "processes",
                need(
                    "pm2",
                    "",
                    &with_pm2_daemon(&format!(
                        "if command -v node >/dev/null 2>&1; then pm2 jlist | {PM2_SUMMARY}; else pm2 list --no-color; fi"
                    )),
                ),
            ),
            (
                "recent logs",
                need(
                    "pm2",
                    "",
                    &with_pm2_daemon("pm2 logs --lines 20 --nostream --raw --no-color"),
                ),
            ),
        ],
        "node" => vec![
            ("version", need("node", "", "node -v")),
            ("processes", need("pgrep", "procps", NODE_PROCESSES)),
            ("heap limit", need("node", "", NODE_HEAP_LIMIT)),
        ],
        "postgres" | "postgresql" => vec![
            ("ready", need("pg_isready", "", "pg_isready")),
            psql(
                "connections",
                &[
                    "select count(*) || ' of ' || current_setting('max_connections') || ' connections in use' from pg_stat_activity",
                    "select s || ': ' || n from (select coalesce(state, backend_type) as s, count(*) as n from pg_stat_activity group by 1) as t order by 1",
                ],
            ),
            psql(
                "replication",
                &[
                    "select case when pg_is_in_recovery() then 'standby' else 'primary' end",
                    "select 'replica ' || coalesce(client_addr::text, 'local') || ' ' || state || ' ' || sync_state || ' replay lag ' || coalesce(replay_lag::text, '-') from pg_stat_replication",
                    "select 'receiving from ' || coalesce(sender_host, '?') || ' ' || status from pg_stat_wal_receiver",
                ],
            ),
        ],
        "nginx" => vec![
            ("config test", need("nginx", "", "nginx -t")),
            (
                "running",
                format!(
                    "if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo \"systemd: $(systemctl is-active nginx)\"; fi; {}",
                    need(
                        "pgrep",
                        "procps",
                        "pgrep -a -x nginx || echo '(no nginx process runs)'"
                    )
                ),
            ),
        ],
        "docker" => vec![
            (
                "containers",
                need(
                    "docker",
                    "",
                    "if docker compose version >/dev/null 2>&1; then docker compose ls --all; else echo '(docker compose is missing)'; fi; docker ps -a --format 'table {{.Names}}\t{{.Status}}\t{{.Ports}}'",
                ),
            ),
            (
                "resource use",
                need(
                    "docker",
                    "",
                    "docker stats --no-stream --format 'table {{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.NetIO}}\t{{.BlockIO}}'",
                ),
            ),
        ],
        "mysql" | "mariadb" => vec![(
            "status",
            need("mysqladmin", "", "mysqladmin --connect-timeout=5 status"),
        )],
        _ => return None,
    })
}

/// Whether a section reads what only root may: `nginx -t` opens the certificates' keys and the
/// logs, docker's socket is root's (or its group's). On a `sudo` host it runs under `sudo -n`
/// unless the service names its own user.
fn needs_root(service: &str, what: &str) -> bool {
    matches!((service, what), ("nginx", "config test") | ("docker", _))
}

/// The sections of service `name` on `host`, each run as the service's user with its PATH.
pub(super) fn sections(name: &str, host: &Host) -> Vec<Section> {
    let Some(recipe) = recipe(name) else {
        return vec![Section::new(
            format!("{name}: (no built-in sections)"),
            "echo '(cockpit has no built-in sections for this service: add them to the host'\\''s `diagnose` list)'",
        )];
    };
    recipe
        .into_iter()
        .map(|(what, command)| {
            let command = match run_as(&command, host, needs_root(name, what), Some(name)) {
                Ok(wrapped) => wrapped,
                Err(e) => format!("echo {}", shell_quote(&format!("(not run: {e})"))),
            };
            Section::new(format!("{name}: {what}"), command)
        })
        .collect()
}
