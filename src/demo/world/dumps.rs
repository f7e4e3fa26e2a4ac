//! The nightly SQL backups of `speed` (seed 001: `database_backup_speed.py` on the primary dumps
//! it at 03:00 and ships it to `/shell/sql_backup/` on the backup machines), as mysqldump
//! writes them: `mysql < file` recreates `t_app_dns` with that night's rows.

use crate::demo::speed_db::{DOMAINS, T_APP_DNS_DDL};
use chrono::{DateTime, Duration, Local, NaiveDateTime, NaiveTime, TimeZone as _};
use std::fmt::Write as _;

/// How many nightly dumps a backup machine keeps.
pub(crate) const KEPT: usize = 3;

/// When the nightly dumps kept at `now` were taken, newest first: the last 03:00 not after
/// `now`, and the nights before it.
pub(crate) fn backup_times(now: DateTime<Local>) -> [NaiveDateTime; KEPT] {
    let three = NaiveTime::from_hms_opt(3, 0, 0).unwrap_or_default();
    let today = now.naive_local().date().and_time(three);
    let newest = if today <= now.naive_local() {
        today
    } else {
        today - Duration::days(1)
    };
    std::array::from_fn(|n| newest - Duration::days(n as i64))
}

/// The file name of the dump taken at `at`: `speed-YYYYMMDD-0300.sql`.
pub(crate) fn dump_name(at: NaiveDateTime) -> String {
    format!("speed-{}.sql", at.format("%Y%m%d-%H%M"))
}

/// The moment mysqldump finished the dump started at `at`, as a file time.
pub(crate) fn finished(at: NaiveDateTime) -> std::time::SystemTime {
    let done = at + Duration::seconds(4);
    Local
        .from_local_datetime(&done)
        .earliest()
        .map_or_else(std::time::SystemTime::now, Into::into)
}

/// The dump taken at `at`, the `age`-th newest kept (0 = newest): the domains it had then.
pub(crate) fn dump_text(at: NaiveDateTime, age: usize) -> String {
    let oldest = KEPT - 1;
    let newest = at + Duration::days(age as i64);
    let rows: Vec<String> = DOMAINS
        .iter()
        .filter(|d| d.first_backup + age <= oldest)
        .map(|d| {
            // Each domain was added once: before the oldest dump kept, or the afternoon
            // before the first dump that has it.
            let added = match d.first_backup {
                0 => newest - Duration::days(130 - 9 * i64::from(d.id)),
                b => newest - Duration::days((oldest - b) as i64) - Duration::hours(11),
            };
            let added = added.format("%Y-%m-%d %H:%M:%S");
            format!(
                "({},'{}','{}',1,'{added}','{added}')",
                d.id,
                d.domain,
                d.ip()
            )
        })
        .collect();
    let mut out = String::new();
    let _ = write!(
        out,
        "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: speed
-- ------------------------------------------------------
-- Server version\t8.0.36

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!50503 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;

--
-- Current Database: `speed`
--

CREATE DATABASE /*!32312 IF NOT EXISTS*/ `speed` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci */ /*!80016 DEFAULT ENCRYPTION='N' */;

USE `speed`;

--
-- Table structure for table `t_app_dns`
--

DROP TABLE IF EXISTS `t_app_dns`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!50503 SET character_set_client = utf8mb4 */;
{ddl}
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `t_app_dns`
--

LOCK TABLES `t_app_dns` WRITE;
/*!40000 ALTER TABLE `t_app_dns` DISABLE KEYS */;
INSERT INTO `t_app_dns` VALUES {rows};
/*!40000 ALTER TABLE `t_app_dns` ENABLE KEYS */;
UNLOCK TABLES;

-- 日志类的表（user_logs 等）不备份：导入后按 §4.3.3 重建。

/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;
/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;

-- Dump completed on {done}
",
        ddl = T_APP_DNS_DDL.replace(
            "AUTO_INCREMENT=8",
            &format!("AUTO_INCREMENT={}", rows.len() + 1)
        ),
        rows = rows.join(","),
        done = (at + Duration::seconds(4)).format("%Y-%m-%d %k:%M:%S"),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Local> {
        let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
        Local
            .from_local_datetime(&naive)
            .earliest()
            .expect("local time")
    }

    #[test]
    fn the_newest_dump_is_last_nights_until_three_oclock() {
        let names = |now| backup_times(at(now)).map(dump_name);
        assert_eq!(
            names("2026-11-21 10:00"),
            [
                "speed-20261121-0300.sql",
                "speed-20261120-0300.sql",
                "speed-20261119-0300.sql"
            ]
        );
        assert_eq!(names("2026-11-21 02:59")[0], "speed-20261120-0300.sql");
    }

    #[test]
    fn older_dumps_lack_the_domains_added_since() {
        let [newest, middle, oldest] = backup_times(at("2026-11-21 10:00"));
        let count = |text: &str| text.matches(".example'").count();
        assert_eq!(count(&dump_text(newest, 0)), 7);
        assert_eq!(count(&dump_text(middle, 1)), 6);
        assert_eq!(count(&dump_text(oldest, 2)), 5);
        let text = dump_text(newest, 0);
        assert!(
            text.contains("(4,'api-a.example','198.51.100.86',1,"),
            "{text}"
        );
        assert!(text.contains("USE `speed`;"));
        assert!(text.contains("AUTO_INCREMENT=8 "));
    }
}
