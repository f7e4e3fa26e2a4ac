//! The private PostgreSQL harness (tests/support/private_pg.rs) really stops and starts: a
//! connection fails while the server is stopped and works again after, with the data kept;
//! TCP logins need the password.

use crate::support::private_pg;

use private_pg::PrivatePg;
use sqlx::Connection;
use std::time::Duration;

const CONNECT: Duration = Duration::from_secs(30);

async fn connect(url: &str) -> Result<sqlx::PgConnection, String> {
    match tokio::time::timeout(CONNECT, sqlx::PgConnection::connect(url)).await {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out".into()),
    }
}

async fn count_notes(url: &str) -> Result<i64, String> {
    let mut c = connect(url).await?;
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM notes")
        .fetch_one(&mut c)
        .await
        .map_err(|e| e.to_string())?;
    let _ = c.close().await;
    Ok(n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_postgres_stops_and_starts_again_keeping_its_data() {
    let mut pg = PrivatePg::start();
    let url = pg.create_database("harness_check");
    {
        let mut c = connect(&url).await.expect("connect to the fresh cluster");
        sqlx::raw_sql("CREATE TABLE notes (body text); INSERT INTO notes VALUES ('before')")
            .execute(&mut c)
            .await
            .expect("create a table");
        let _ = c.close().await;
    }
    assert_eq!(count_notes(&url).await, Ok(1));

    pg.stop();
    assert!(!pg.is_running());
    let offline = connect(&url).await;
    assert!(
        offline.is_err(),
        "a connection to the stopped server must fail"
    );

    pg.start_again();
    assert_eq!(
        count_notes(&url).await,
        Ok(1),
        "after the restart the server accepts connections and kept the data"
    );

    pg.restart();
    assert_eq!(count_notes(&url).await, Ok(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_postgres_asks_for_the_password_over_tcp() {
    let pg = PrivatePg::start();
    let wrong = format!(
        "postgres://{}:not-the-password@127.0.0.1:{}/postgres",
        private_pg::TEST_ROLE,
        pg.port
    );
    assert!(
        connect(&wrong).await.is_err(),
        "a wrong password is refused"
    );
    let superuser = format!("postgres://postgres@127.0.0.1:{}/postgres", pg.port);
    assert!(
        connect(&superuser).await.is_err(),
        "no password-less login over TCP"
    );
    assert!(connect(&pg.url()).await.is_ok(), "the test role logs in");
}
