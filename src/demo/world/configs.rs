//! The back-end services' configuration files seed 001 §4.3.5 edits. Their MySQL and Redis
//! addresses name the machine holding the metadata database: the primary's own loopback on
//! the primary, the primary's public IP on the backup. Passwords are not in the files (the
//! services take them from their environment), so printing a file never shows a secret.

/// Where each file lives under the host's root, and its text, for a host whose services use
/// the MySQL and Redis at `db_host`.
pub(crate) fn go_configs(host: &str, db_host: &str) -> [(&'static str, String); 3] {
    [
        ("wwwroot/go/go-api/config.yaml", go_api(host, db_host)),
        ("wwwroot/go/go-admin/config.yaml", go_admin(host, db_host)),
        ("wwwroot/go/go-fly/config/mysql.json", go_fly(db_host)),
    ]
}

fn go_api(host: &str, db_host: &str) -> String {
    format!(
        "# go-api 配置（{host}）
# 密码不写在这里：由服务的环境变量注入（SPEED_MYSQL_PASSWORD、SPEED_REDIS_PASSWORD）。
server:
  address: \":8080\"
  mode: release
mysql:
  # 元数据库 speed
  host: {db_host}
  port: 3306
  database: speed
  username: speed_api
  password: ${{SPEED_MYSQL_PASSWORD}}
  max_open_conns: 50
redis:
  host: {db_host}
  port: 6379
  db: 0
  password: ${{SPEED_REDIS_PASSWORD}}
log:
  path: /wwwroot/go/go-api/logs/go-api.log
  level: info
"
    )
}

fn go_admin(host: &str, db_host: &str) -> String {
    format!(
        "# go-admin 管理后台配置（{host}）
# 密码不写在这里：由服务的环境变量注入。
settings:
  application:
    mode: prod
    host: 0.0.0.0
    port: 8081
  database:
    driver: mysql
    host: {db_host}
    port: 3306
    dbname: speed
    username: speed_admin
    password: ${{SPEED_MYSQL_PASSWORD}}
  redis:
    addr: {db_host}:6379
    db: 1
    password: ${{SPEED_REDIS_PASSWORD}}
"
    )
}

fn go_fly(db_host: &str) -> String {
    format!(
        "{{
\t\"Server\": \"{db_host}\",
\t\"Port\": \"3306\",
\t\"Database\": \"goflychat\",
\t\"Username\": \"gofly\",
\t\"Password\": \"${{GOFLY_MYSQL_PASSWORD}}\"
}}
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_names_the_database_machine_for_mysql_and_redis() {
        let configs = go_configs("app-backup", "198.51.100.86");
        let [(_, api), (_, admin), (_, fly)] = &configs;
        assert_eq!(api.matches("198.51.100.86").count(), 2, "{api}");
        assert_eq!(admin.matches("198.51.100.86").count(), 2, "{admin}");
        assert_eq!(fly.matches("198.51.100.86").count(), 1, "{fly}");
        let json: serde_json::Value = serde_json::from_str(fly).expect("valid JSON");
        assert_eq!(json["Server"], "198.51.100.86");
    }
}
