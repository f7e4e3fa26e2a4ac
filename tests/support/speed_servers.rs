//! Seed 001's `speed` database on the test MariaDB and PostgreSQL: the `t_app_dns` rows of a
//! dead primary, the flip that takes them offline, what another client sees, and a statement's
//! rows collected. Include it next to `dbservers.rs`:
//! `#[path = "support/speed_servers.rs"] mod speed_servers;`.
#![allow(dead_code)]

use super::dbservers::{Kind, TestDb};
use cockpit::core::sql::Cell;
use cockpit::io::sql::{Reselect, RowBatch, SqlFailure, SqlSession, SqlStatement, StatementDone};

/// The dead primary's IP.
pub const DEAD_IP: &str = "198.51.100.86";

/// Runs a statement and collects the rows it returned.
pub async fn run_collect(
    session: &SqlSession,
    statement: SqlStatement,
) -> Result<(StatementDone, Vec<Vec<Cell>>), SqlFailure> {
    let (sink, mut batches) = tokio::sync::mpsc::channel(4);
    let job = session.run(statement, Some(sink));
    let collect = async {
        let mut rows = Vec::new();
        while let Some(batch) = batches.recv().await {
            if let RowBatch::Rows(r) = batch {
                rows.extend(r);
            }
        }
        rows
    };
    let (done, rows) = tokio::join!(job, collect);
    Ok((done?, rows))
}

/// Seed 001's table: four rows of the dead primary (one with a NULL status), one other.
pub async fn seed(db: &TestDb) {
    seed_table(db, true).await;
}

/// Seed 001's table as it usually is on the servers: no index on `ip`, so MariaDB's
/// `sql_safe_updates` refuses `UPDATE … WHERE ip = …`.
pub async fn seed_unindexed(db: &TestDb) {
    seed_table(db, false).await;
}

async fn seed_table(db: &TestDb, index_ip: bool) {
    let index = if index_ip {
        "CREATE INDEX t_app_dns_ip ON t_app_dns (ip);"
    } else {
        ""
    };
    let id = match db.kind {
        Kind::Mysql => "INT AUTO_INCREMENT PRIMARY KEY",
        Kind::Postgres => "SERIAL PRIMARY KEY",
    };
    db.exec(&format!(
        "CREATE TABLE t_app_dns (id {id}, domain VARCHAR(100), ip VARCHAR(45), status INT);
         {index}
         INSERT INTO t_app_dns (domain, ip, status) VALUES
           ('api-a.example', '{DEAD_IP}', 1), ('api-b.example', '{DEAD_IP}', 1),
           ('接口.example', '{DEAD_IP}', 1), ('api-d.example', '{DEAD_IP}', NULL),
           ('api-c.example', '198.51.100.47', 1);"
    ))
    .await;
}

/// Rows of the dead IP that another client sees with status 2.
pub async fn flipped(db: &TestDb) -> i64 {
    db.scalar(&format!(
        "SELECT COUNT(*) FROM t_app_dns WHERE ip = '{DEAD_IP}' AND status = 2"
    ))
    .await
}

/// Seed 001's flip of the dead IP, its value bound or written in, with the reselect the console
/// adds.
pub fn flip(kind: Kind, bound: bool) -> SqlStatement {
    let reselect = Reselect {
        sql: format!(
            "SELECT id, status FROM t_app_dns WHERE ip = {} ORDER BY id",
            kind.ph(1)
        ),
        binds: vec![DEAD_IP.into()],
    };
    let (sql, binds) = if bound {
        (
            format!("UPDATE t_app_dns SET status=2 WHERE ip={}", kind.ph(1)),
            vec![DEAD_IP.to_string()],
        )
    } else {
        (
            format!("UPDATE t_app_dns SET status=2 WHERE ip='{DEAD_IP}'"),
            Vec::new(),
        )
    };
    SqlStatement {
        sql,
        binds,
        transaction: true,
        reselect: Some(reselect),
        from_playbook: false,
        count_table: None,
    }
}
