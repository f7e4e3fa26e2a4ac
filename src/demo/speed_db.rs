//! The demo's `speed` metadata database (SQLite), holding seed 001's `t_app_dns`.

use crate::demo::fleet::DEMO_HOSTS;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::path::Path;

/// Domains served through each machine, modelled on seed 001 §3.1.
const DOMAINS: [(&str, &[&str]); 4] = [
    ("nginx-1", &["shop-a.example", "shop-b.example"]),
    ("nginx-2", &["shop-c.example", "shop-d.example"]),
    ("app-primary", &["api-a.example", "api-b.example"]),
    ("app-backup", &["api-c.example"]),
];

/// Creates `speed.db` with `t_app_dns` (status 1 = online, 2 = offline).
pub async fn create_speed_db(path: &Path) -> Result<(), sqlx::Error> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS t_app_dns (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            domain TEXT NOT NULL,
            ip TEXT NOT NULL,
            status INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
        )",
    )
    .execute(&pool)
    .await?;
    for (host, domains) in DOMAINS {
        let ip = DEMO_HOSTS
            .iter()
            .find(|h| h.name == host)
            .map_or("", |h| h.public_ip);
        for domain in domains {
            sqlx::query("INSERT INTO t_app_dns (domain, ip, status) VALUES (?, ?, 1)")
                .bind(*domain)
                .bind(ip)
                .execute(&pool)
                .await?;
        }
    }
    pool.close().await;
    Ok(())
}
