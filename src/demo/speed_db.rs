//! The demo's `speed` metadata database: seed 001's `t_app_dns` (its MySQL schema and rows),
//! and SQLite files standing in for the app servers' MySQL. The inventory's `speed`
//! (`speed.db` in the demo folder) is app-backup's MySQL: deployed, but holding no data until
//! §4.3.3 imports the newest dump into it, since its services used the primary's database.

use crate::demo::hosts::DEMO_HOSTS;
use crate::demo::mysql_dialect::mysql_to_sqlite;
use futures::TryStreamExt as _;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteRow};
use sqlx::{Column as _, Either, Row as _, SqlitePool};
use std::path::Path;

/// `t_app_dns` as the primary's MySQL defines it (status 1 = online, 2 = offline).
pub(crate) const T_APP_DNS_DDL: &str = "CREATE TABLE `t_app_dns` (
  `id` int NOT NULL AUTO_INCREMENT COMMENT '自增id',
  `domain` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL COMMENT '域名',
  `ip` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL COMMENT '域名绑定的机器IP',
  `status` tinyint NOT NULL DEFAULT '1' COMMENT '状态 1上架 2下架',
  `created_at` datetime DEFAULT CURRENT_TIMESTAMP COMMENT '创建时间',
  `updated_at` datetime DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT '更新时间',
  PRIMARY KEY (`id`) USING BTREE,
  UNIQUE KEY `uk_domain` (`domain`) USING BTREE,
  KEY `idx_ip` (`ip`) USING BTREE
) ENGINE=InnoDB AUTO_INCREMENT=8 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='域名列表';";

/// One domain of `t_app_dns`, modelled on seed 001 §3.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Domain {
    /// Its row id.
    pub id: u32,
    /// The domain.
    pub domain: &'static str,
    /// The demo host it is bound to.
    pub host: &'static str,
    /// The first of the daily backups (0 = the oldest kept) that has it: later domains are
    /// missing from older dumps.
    pub first_backup: usize,
}

/// Every domain, in id order.
pub(crate) const DOMAINS: [Domain; 7] = [
    Domain::new(1, "shop-a.example", "nginx-1", 0),
    Domain::new(2, "shop-b.example", "nginx-1", 0),
    Domain::new(3, "shop-c.example", "nginx-2", 0),
    Domain::new(4, "api-a.example", "app-primary", 0),
    Domain::new(5, "api-b.example", "app-primary", 0),
    Domain::new(6, "shop-d.example", "nginx-2", 1),
    Domain::new(7, "api-c.example", "app-backup", 2),
];

impl Domain {
    const fn new(id: u32, domain: &'static str, host: &'static str, first_backup: usize) -> Self {
        Self {
            id,
            domain,
            host,
            first_backup,
        }
    }

    /// The public IP of its host.
    pub fn ip(&self) -> &'static str {
        DEMO_HOSTS
            .iter()
            .find(|h| h.name == self.host)
            .map_or("", |h| h.public_ip)
    }
}

/// Opens (creating when missing) the SQLite file at `path`.
async fn open(path: &Path) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
}

/// Creates `speed.db`, app-backup's MySQL before §4.3.3: `t_app_dns` deployed, without rows.
/// An existing `t_app_dns` is left as it is.
pub async fn create_speed_db(path: &Path) -> Result<(), sqlx::Error> {
    let pool = open(path).await?;
    let exists = sqlx::query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
        .bind("t_app_dns")
        .fetch_optional(&pool)
        .await?
        .is_some();
    if !exists {
        sqlx::raw_sql(sqlx::AssertSqlSafe(mysql_to_sqlite(T_APP_DNS_DDL)))
            .execute(&pool)
            .await?;
    }
    pool.close().await;
    Ok(())
}

/// The rows one statement returned: its column names and values as text (`None` for NULL).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ResultSet {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

/// Runs MySQL text (rewritten by [`mysql_to_sqlite`]) on the SQLite file at `path`, as the
/// `mysql` client would: statement after statement, stopping at the first error. Returns what
/// each row-returning statement gave.
pub(crate) async fn run_mysql(path: &Path, sql: &str) -> Result<Vec<ResultSet>, sqlx::Error> {
    let pool = open(path).await?;
    let mut sets = Vec::new();
    let mut current = ResultSet::default();
    let result = {
        let mut stream = sqlx::raw_sql(sqlx::AssertSqlSafe(mysql_to_sqlite(sql))).fetch_many(&pool);
        loop {
            match stream.try_next().await {
                Ok(Some(Either::Right(row))) => {
                    let values = row_text(&row, &mut current);
                    current.rows.push(values);
                }
                Ok(Some(Either::Left(_))) => {
                    if !current.columns.is_empty() {
                        sets.push(std::mem::take(&mut current));
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        }
    };
    if !current.columns.is_empty() {
        sets.push(current);
    }
    pool.close().await;
    result.map(|()| sets)
}

/// A row's values as text, recording the column names on its set's first row.
fn row_text(row: &SqliteRow, set: &mut ResultSet) -> Vec<Option<String>> {
    if set.columns.is_empty() {
        set.columns = row.columns().iter().map(|c| c.name().to_string()).collect();
    }
    (0..row.len())
        .map(|i| row.try_get_unchecked::<Option<String>, _>(i).ok().flatten())
        .collect()
}
