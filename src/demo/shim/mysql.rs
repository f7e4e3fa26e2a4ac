//! `mysql` on a demo app server: the SQL of `-e` (or else standard input, as in
//! `mysql < dump.sql`) runs on the host's SQLite stand-in for its MySQL, rewritten by
//! [`crate::demo::mysql_to_sqlite`]. Rows come out as the mysql client prints them in batch
//! mode: a header line, then tab-separated values, NULL as `NULL`. Connection options (`-u`,
//! `-p…`, `-h`, …) are accepted and ignored.

use crate::demo::speed_db::{ResultSet, run_mysql};
use std::io::Read as _;
use std::path::Path;

/// mysql's options that take the next argument as their value.
const WITH_VALUE: [&str; 8] = [
    "-u",
    "-h",
    "-P",
    "-D",
    "--user",
    "--host",
    "--port",
    "--database",
];

/// What the command line asks for.
#[derive(Debug, Default, PartialEq, Eq)]
struct Request {
    /// The statements of `-e`/`--execute`, if given.
    execute: Option<String>,
    /// `-N`/`--skip-column-names`.
    no_header: bool,
}

fn parse(args: &[String]) -> Request {
    let mut request = Request::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let arg = arg.as_str();
        if arg == "-e" || arg == "--execute" {
            request.execute = args.next().cloned();
        } else if let Some(sql) = arg.strip_prefix("--execute=") {
            request.execute = Some(sql.to_string());
        } else if let Some(sql) = arg.strip_prefix("-e") {
            request.execute = Some(sql.to_string());
        } else if arg == "-N" || arg == "--skip-column-names" {
            request.no_header = true;
        } else if WITH_VALUE.contains(&arg) {
            args.next();
        }
    }
    request
}

/// Runs `mysql ARGS` on the database file `db`.
pub(super) fn run(db: Option<&Path>, args: &[String]) -> i32 {
    let Some(db) = db else {
        eprintln!(
            "ERROR 2002 (HY000): Can't connect to local MySQL server through socket '/var/run/mysqld/mysqld.sock' (2)"
        );
        return 1;
    };
    let request = parse(args);
    let sql = match request.execute.clone() {
        Some(sql) => sql,
        None => {
            let mut sql = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut sql) {
                eprintln!("mysql: cannot read standard input: {e}");
                return 1;
            }
            sql
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mysql: {e}");
            return 1;
        }
    };
    match runtime.block_on(run_mysql(db, &sql)) {
        Ok(sets) => {
            print!("{}", batch_output(&sets, !request.no_header));
            0
        }
        Err(e) => {
            eprintln!("ERROR (cockpit demo, SQLite): {e}");
            1
        }
    }
}

/// Result sets as `mysql` prints them when not on a terminal.
fn batch_output(sets: &[ResultSet], header: bool) -> String {
    let mut out = String::new();
    for set in sets {
        if header {
            out.push_str(&set.columns.join("\t"));
            out.push('\n');
        }
        for row in &set.rows {
            let values: Vec<&str> = row.iter().map(|v| v.as_deref().unwrap_or("NULL")).collect();
            out.push_str(&values.join("\t"));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn connection_options_are_skipped_and_the_statements_found() {
        let r = parse(&args(&["-uroot", "-psecret", "-h", "localhost", "speed"]));
        assert_eq!(r, Request::default());
        let r = parse(&args(&["-u", "root", "-N", "-e", "select 1"]));
        assert_eq!(r.execute.as_deref(), Some("select 1"));
        assert!(r.no_header);
        assert_eq!(
            parse(&args(&["--execute=select 2"])).execute.as_deref(),
            Some("select 2")
        );
    }

    #[test]
    fn rows_print_tab_separated_with_null() {
        let set = ResultSet {
            columns: vec!["id".into(), "ip".into()],
            rows: vec![vec![Some("1".into()), None]],
        };
        assert_eq!(
            batch_output(std::slice::from_ref(&set), true),
            "id\tip\n1\tNULL\n"
        );
        assert_eq!(batch_output(&[set], false), "1\tNULL\n");
    }

    #[tokio::test]
    async fn a_dump_restores_and_a_query_reads_it_back() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("speed.db");
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 21)
            .and_then(|d| d.and_hms_opt(3, 0, 0))
            .expect("time");
        run_mysql(&db, &crate::demo::world::dump_text(at, 0))
            .await
            .expect("restore");
        let sets = run_mysql(&db, "select count(*) n from speed.t_app_dns where status=1")
            .await
            .expect("query");
        assert_eq!(sets[0].columns, ["n"]);
        assert_eq!(sets[0].rows, [[Some("7".to_string())]]);
    }
}
