//! `mysql_to_sqlite`: the rewrites one by one, then seed 001's own statements on a real SQLite
//! file.

use super::*;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Row as _, SqlitePool};

/// Seed 001 §4.3.3, verbatim: its final `COMMENT='…` quote is never closed and there is no `;`.
const SEED_USER_LOGS: &str = r#"CREATE TABLE `user_logs` (
`id` bigint NOT NULL AUTO_INCREMENT COMMENT '自增id',
`user_id` bigint NOT NULL COMMENT '用户id',
`datestr` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL COMMENT '日期',
`ip` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL COMMENT 'IP地址',
`user_agent` varchar(1000) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci DEFAULT NULL COMMENT '请求头user-agent',
`created_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT '创建时间',
`updated_at` timestamp NULL DEFAULT NULL COMMENT '更新时间',
`comment` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci DEFAULT NULL COMMENT '备注信息',
PRIMARY KEY (`id`) USING BTREE,
UNIQUE KEY `log_user_date` (`user_id`,`datestr`) USING BTREE
) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='用户日志表（仅记录第一次事件)"#;

/// The same statement as the shipped playbook writes it (quote closed, `;` added).
fn playbook_user_logs() -> String {
    format!("{SEED_USER_LOGS}';")
}

/// Seed 001 §4.3.4, with the dead machine's address.
const SEED_DNS_OFFLINE: &str = "begin;\nupdate speed.t_app_dns set status=2 where ip='198.51.100.86';\n\n-- 确认没有问题后再执行commit\ncommit;";

async fn pool(dir: &tempfile::TempDir) -> SqlitePool {
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("speed.db"))
        .create_if_missing(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("sqlite")
}

#[test]
fn table_and_column_options_go_keys_become_sqlite_ones() {
    let out = mysql_to_sqlite(
        "CREATE TABLE `t` (\n  `id` bigint unsigned NOT NULL AUTO_INCREMENT COMMENT 'id',\n  `ip` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL,\n  `at` datetime DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n  PRIMARY KEY (`id`) USING BTREE,\n  UNIQUE KEY `u_ip` (`ip`) USING BTREE,\n  KEY `idx_at` (`at`)\n) ENGINE=InnoDB AUTO_INCREMENT=9 DEFAULT CHARSET=utf8mb4 COMMENT='x';",
    );
    assert_eq!(
        out,
        "CREATE TABLE `t` (\n  `id` INTEGER NOT NULL,\n  `ip` varchar(32) NOT NULL,\n  `at` datetime DEFAULT CURRENT_TIMESTAMP,\n  PRIMARY KEY (`id`),\n  UNIQUE (`ip`)\n);"
    );
}

#[test]
fn dump_only_statements_go_and_the_schema_qualifier_too() {
    let dump = "-- MySQL dump\n/*!40101 SET NAMES utf8mb4 */;\nSET @x = 1;\nCREATE DATABASE /*!32312 IF NOT EXISTS*/ `speed`;\nUSE `speed`;\nLOCK TABLES `t_app_dns` WRITE;\n/*!40000 ALTER TABLE `t_app_dns` DISABLE KEYS */;\nINSERT INTO `t_app_dns` VALUES (1,'a.example','it\\'s',1);\nUNLOCK TABLES;\nupdate speed.t_app_dns set status=2 where ip=?;\nselect * from `speed`.`t_app_dns`";
    let out = mysql_to_sqlite(dump);
    assert_eq!(
        out,
        "-- MySQL dump\n\n\n\n\n\n\nINSERT INTO `t_app_dns` VALUES (1,'a.example','it''s',1);\n\nupdate t_app_dns set status=2 where ip=?;\nselect * from `t_app_dns`"
    );
}

#[test]
fn names_that_look_like_keywords_are_left_alone() {
    let out = mysql_to_sqlite("CREATE TABLE x (`comment` varchar(9) COMMENT 'c', `key` int);");
    assert_eq!(out, "CREATE TABLE x (`comment` varchar(9), `key` int);");
    let out = mysql_to_sqlite("select speedy.a, 'speed.x' from speedy");
    assert_eq!(out, "select speedy.a, 'speed.x' from speedy");
}

#[tokio::test]
async fn the_seeds_user_logs_table_is_created_and_numbers_its_rows() {
    for ddl in [SEED_USER_LOGS.to_string(), playbook_user_logs()] {
        let dir = tempfile::tempdir().expect("dir");
        let pool = pool(&dir).await;
        let sql = mysql_to_sqlite(&ddl);
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{sql}"));
        for (user, date) in [(7, "2026-11-21"), (8, "2026-11-21")] {
            sqlx::query("INSERT INTO user_logs (user_id, datestr, ip) VALUES (?, ?, '192.0.2.1')")
                .bind(user)
                .bind(date)
                .execute(&pool)
                .await
                .expect("insert without id");
        }
        let ids: Vec<i64> = sqlx::query("SELECT id FROM user_logs ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("select")
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(ids, [1, 2]);
        let twice = sqlx::query(
            "INSERT INTO user_logs (user_id, datestr, ip) VALUES (7, '2026-11-21', 'x')",
        )
        .execute(&pool)
        .await;
        assert!(twice.is_err(), "UNIQUE KEY log_user_date must hold");
        let created: String = sqlx::query("SELECT created_at FROM user_logs WHERE id = 1")
            .fetch_one(&pool)
            .await
            .expect("created_at")
            .get(0);
        assert!(!created.is_empty());
    }
}

#[tokio::test]
async fn the_seeds_dns_update_runs_in_its_transaction() {
    let dir = tempfile::tempdir().expect("dir");
    let pool = pool(&dir).await;
    sqlx::raw_sql(
        "CREATE TABLE t_app_dns (id INTEGER PRIMARY KEY, domain TEXT, ip TEXT, status INTEGER);\n\
         INSERT INTO t_app_dns (domain, ip, status) VALUES\n\
         ('a.example', '198.51.100.86', 1), ('b.example', '198.51.100.86', 1), ('c.example', '198.51.100.47', 1);",
    )
    .execute(&pool)
    .await
    .expect("table");
    let sql = mysql_to_sqlite(SEED_DNS_OFFLINE);
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"));
    let offline: i64 = sqlx::query("SELECT count(*) FROM t_app_dns WHERE status = 2")
        .fetch_one(&pool)
        .await
        .expect("count")
        .get(0);
    assert_eq!(offline, 2);

    let bound = mysql_to_sqlite("update speed.t_app_dns set status=1 where ip=?");
    let done = sqlx::query(sqlx::AssertSqlSafe(bound))
        .bind("198.51.100.86")
        .execute(&pool)
        .await
        .expect("bound update");
    assert_eq!(done.rows_affected(), 2);
}

#[test]
fn a_table_name_alone_loses_its_schema_qualifier() {
    // The console counts a table's rows before an UPDATE/DELETE; the demo rewrites its name.
    assert_eq!(mysql_to_sqlite("speed.t_app_dns").trim(), "t_app_dns");
    assert_eq!(mysql_to_sqlite("`speed`.`t_app_dns`").trim(), "`t_app_dns`");
}
