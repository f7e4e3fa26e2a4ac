//! The application servers' `/shell` tasks and root crontabs, as seed 001 §3.2 lists them.
//! The scripts are harmless stand-ins (they say what the real one does); the crontab is what
//! `crontab -l` prints and what §4.3.10 aligns.

use crate::demo::hosts::DEMO_HOSTS;

/// Where a host's root crontab lives under its root (Debian's spool).
pub(crate) const CRONTAB: &str = "var/spool/cron/crontabs/root";

/// The crontab of the primary (seed §3.2).
const PRIMARY_CRONTAB: &str = "* * * * * /usr/bin/python3 /shell/monitor_api_redis.py &
* * * * * /usr/bin/python3 /shell/database_backup_speed.py &
* * * * * /usr/bin/python3 /shell/report/clean_report_data.py &
* * * * * /usr/bin/python3 /shell/app_port.py &
* * * * * /usr/bin/python3 /shell/monitor_ng.py &
";

/// The crontab of the backup (seed §3.2).
const BACKUP_CRONTAB: &str = "* * * * * /usr/bin/python3 /shell/monitor_api_redis.py &
* * * * * /usr/bin/python3 /shell/clean_old_files.py &
* * * * * /usr/bin/python3 /shell/port.py &
* * * * * /usr/bin/python3 /shell/monitor_ng.py &
";

/// What each task does, by script.
const TASKS: [(&str, &str); 7] = [
    (
        "monitor_api_redis.py",
        "检查 go-api 与 redis 是否存活，异常时告警",
    ),
    (
        "database_backup_speed.py",
        "每晚 03:00 mysqldump speed 到 /shell/sql_backup/，再上传到各备份机器",
    ),
    ("report/clean_report_data.py", "清理上报数据里过期的记录"),
    ("app_port.py", "检查应用端口是否被封，被封时切换端口"),
    ("monitor_ng.py", "检查 nginx 机器是否存活"),
    ("clean_old_files.py", "清理 /shell/sql_backup/ 里过旧的备份"),
    ("port.py", "检查本机端口是否被封"),
];

/// The crontab and the `/shell` scripts of application server `host` under its root.
pub(crate) fn cron_files(host: &str) -> Vec<(String, String)> {
    let crontab = if host == "app-primary" {
        PRIMARY_CRONTAB
    } else {
        BACKUP_CRONTAB
    };
    let mut files = vec![(CRONTAB.to_string(), crontab.to_string())];
    for line in crontab.lines() {
        let Some(script) = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("/shell/"))
        else {
            continue;
        };
        let what = TASKS
            .iter()
            .find(|(name, _)| *name == script)
            .map_or("", |(_, what)| what);
        let body = if script == "database_backup_speed.py" {
            backup_script(what)
        } else {
            stub(script, what)
        };
        files.push((format!("shell/{script}"), body));
    }
    files
}

fn stub(script: &str, what: &str) -> String {
    format!(
        "#!/usr/bin/python3\n# {what}\n# (cockpit demo: a stand-in for the real task)\nprint(\"{script}: ok\")\n"
    )
}

/// The primary's backup task: it names the machines it ships dumps to (seed: backup app
/// server, report server, Hong Kong machine), which §4.2 greps for a dead backup's address.
fn backup_script(what: &str) -> String {
    let ip = |name: &str| {
        DEMO_HOSTS
            .iter()
            .find(|h| h.name == name)
            .map_or("", |h| h.public_ip)
    };
    format!(
        "#!/usr/bin/python3
# {what}
# (cockpit demo: a stand-in for the real task)
# mysql 的账号密码在 /root/.my.cnf，不写在脚本里。
BACKUP_DIR = \"/shell/sql_backup\"
BACKUP_HOSTS = [
    \"{backup}\",  # 备应用服务器
    \"{report}\",  # 上报机器
    \"198.51.100.140\",  # 香港机器
]
print(\"database_backup_speed.py: would dump speed to\", BACKUP_DIR, \"and upload to\", BACKUP_HOSTS)
",
        backup = ip("app-backup"),
        report = ip("backup-store"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_app_server_gets_its_seed_crontab_and_the_scripts_it_names() {
        let primary = cron_files("app-primary");
        let names: Vec<&str> = primary.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            [
                CRONTAB,
                "shell/monitor_api_redis.py",
                "shell/database_backup_speed.py",
                "shell/report/clean_report_data.py",
                "shell/app_port.py",
                "shell/monitor_ng.py"
            ]
        );
        assert!(primary[2].1.contains("\"198.51.100.47\""));
        let backup = cron_files("app-backup");
        assert!(backup[0].1.contains("/shell/clean_old_files.py"));
        assert!(!backup[0].1.contains("database_backup_speed"));
    }
}
