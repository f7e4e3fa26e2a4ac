//! Who is on which incident: each cockpit writes a heartbeat row in `cockpit.presence` every
//! [`HEARTBEAT`]; a row not seen for [`PRESENT_FOR`] (database clock) is gone. Changes are
//! announced on `cockpit_presence` so the others look again at once.

use crate::core::team::Present;
use crate::io::shared::schema::PRESENCE_CHANNEL;
use crate::io::shared::store::SharedError;
use sqlx::{PgPool, Row};
use std::time::Duration;

/// How often a cockpit says it is still there.
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// A session not seen for this long (database clock) is no longer shown.
pub const PRESENT_FOR: Duration = Duration::from_secs(10);
/// How long one presence query may take before the store counts as offline.
pub const PRESENCE_TIMEOUT: Duration = Duration::from_secs(2);

/// Runs `work` within `timeout`; a timeout is the store being unreachable.
pub(crate) async fn within<T>(
    timeout: Duration,
    what: &str,
    work: impl Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, SharedError> {
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(classify(what, e)),
        Err(_) => Err(SharedError::Unreachable(format!(
            "{what} did not answer within {:.1}s",
            timeout.as_secs_f64()
        ))),
    }
}

/// A database error as the cockpit reports it: connection trouble is "unreachable".
fn classify(what: &str, e: sqlx::Error) -> SharedError {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => SharedError::Unreachable(format!("{what}: {e}")),
        other => SharedError::Storage(format!("{what}: {other}")),
    }
}

/// Says this session is here (and on which incident), within `timeout`. Notifies
/// `cockpit_presence` when the session is new or its incident or role changed, not on every
/// heartbeat.
pub async fn heartbeat(pool: &PgPool, me: &Present, timeout: Duration) -> Result<(), SharedError> {
    within(timeout, "presence heartbeat", async {
        let mut tx = pool.begin().await?;
        let changed: bool = sqlx::query(
            "WITH before AS (
                 SELECT role, incident FROM cockpit.presence WHERE session = $1
             ), upsert AS (
                 INSERT INTO cockpit.presence (session, operator, role, incident, started_at, seen_at)
                 VALUES ($1, $2, $3, $4, now(), now())
                 ON CONFLICT (session) DO UPDATE
                     SET operator = EXCLUDED.operator, role = EXCLUDED.role,
                         incident = EXCLUDED.incident, seen_at = now()
                 RETURNING 1
             )
             SELECT NOT EXISTS (
                 SELECT 1 FROM before WHERE role = $3 AND incident IS NOT DISTINCT FROM $4
             ) AND EXISTS (SELECT 1 FROM upsert)",
        )
        .bind(&me.session)
        .bind(&me.operator)
        .bind(&me.role)
        .bind(&me.incident)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if changed {
            notify(&mut tx, &me.session).await?;
        }
        tx.commit().await
    })
    .await
}

/// Removes this session (at quit), within `timeout`, and says so on `cockpit_presence`.
pub async fn leave(pool: &PgPool, session: &str, timeout: Duration) -> Result<(), SharedError> {
    within(timeout, "presence removal", async {
        let mut tx = pool.begin().await?;
        sqlx::query("DELETE FROM cockpit.presence WHERE session = $1")
            .bind(session)
            .execute(&mut *tx)
            .await?;
        notify(&mut tx, session).await?;
        tx.commit().await
    })
    .await
}

/// Sessions read at most: more than any team, so a table filled by hand costs little.
pub const MAX_PRESENT: i64 = 200;
/// Characters of an operator, role, session or incident read at most: cockpit writes far
/// shorter ones; a longer value (written by hand) is cut in the query, never read whole.
pub const MAX_PRESENCE_CHARS: i32 = 128;

/// Every session seen within [`PRESENT_FOR`] (database clock), within `timeout`, ordered by
/// incident then operator, at most [`MAX_PRESENT`], each value cut to [`MAX_PRESENCE_CHARS`].
/// A row "seen" in the future (only a hand-written one can be: heartbeats use the database's
/// clock) is not present. Group them per incident with [`crate::core::team::others_on`].
pub async fn present(pool: &PgPool, timeout: Duration) -> Result<Vec<Present>, SharedError> {
    let rows = within(timeout, "presence query", async {
        sqlx::query(
            "SELECT left(session, $2) AS session, left(operator, $2) AS operator,
                    left(role, $2) AS role, left(incident, $2) AS incident
             FROM cockpit.presence
             WHERE seen_at > now() - make_interval(secs => $1)
               AND seen_at <= clock_timestamp()
             ORDER BY incident NULLS LAST, operator, session
             LIMIT $3",
        )
        .bind(PRESENT_FOR.as_secs_f64())
        .bind(MAX_PRESENCE_CHARS)
        .bind(MAX_PRESENT)
        .fetch_all(pool)
        .await
    })
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Present {
                session: row.try_get("session")?,
                operator: row.try_get("operator")?,
                role: row.try_get("role")?,
                incident: row.try_get("incident")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(|e| classify("presence query", e))
}

async fn notify(tx: &mut sqlx::PgConnection, payload: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(PRESENCE_CHANNEL)
        .bind(payload)
        .execute(tx)
        .await
        .map(|_| ())
}

/// A new session id: 16 hex characters from the system's random source (falling back to a
/// hash of the time, process and host when it cannot be read).
pub fn new_session_id(operator: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut bytes = [0u8; 8];
    let random = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
    if random.is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let digest = Sha256::new()
            .chain_update(operator.as_bytes())
            .chain_update(nanos.to_be_bytes())
            .chain_update(std::process::id().to_be_bytes())
            .finalize();
        bytes.copy_from_slice(&digest[..8]);
    }
    hex::encode(bytes)
}
