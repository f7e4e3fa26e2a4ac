//! Who runs which step: a lease per (incident, step) in `cockpit.claims`, on the database's
//! clock. A claim is one `INSERT … ON CONFLICT DO UPDATE … WHERE` the lease has ended or is
//! already this session's, so of two cockpits claiming at once exactly one gets it; the other
//! is told who holds it and for how long. The holder renews the lease every [`RENEW_EVERY`]
//! while the step runs and releases it at the end; a holder that disappears loses it after
//! [`LEASE`]. Every change is announced on `cockpit_claims` (payload: the incident).

use crate::core::team::Claim;
use crate::io::shared::presence::within;
use crate::io::shared::schema::CLAIMS_CHANNEL;
use crate::io::shared::store::SharedError;
use sqlx::{PgPool, Row};
use std::time::Duration;

/// How long a claim holds without renewal.
pub const LEASE: Duration = Duration::from_secs(15);
/// How often a running step renews its claim.
pub const RENEW_EVERY: Duration = Duration::from_secs(5);
/// How long a released step stays held: its end, journaled when the claim is released,
/// reaches the store and the other cockpits meanwhile, so an operator who pressed `r` on it a
/// moment too late sees it done instead of running it again.
pub const RELEASE_GRACE: Duration = Duration::from_secs(3);
/// How long a claim, renewal or release may take before the store counts as offline.
pub const CLAIM_TIMEOUT: Duration = Duration::from_secs(2);

/// A step of an incident, claimed by a session on behalf of an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepClaim<'a> {
    /// The incident.
    pub incident: &'a str,
    /// The step.
    pub step: &'a str,
    /// Who runs it (`user@host`), as others are told.
    pub holder: &'a str,
    /// The claiming cockpit's session id.
    pub session: &'a str,
}

/// How much longer than a lease a claim may seem to run before it counts as not written by a
/// cockpit (the server's clock may be set back a little between two statements).
const LEASE_SLACK: Duration = Duration::from_secs(5);

/// Characters of a holder's name read at most (a longer one, written by hand, is cut).
pub const MAX_HOLDER_CHARS: i32 = 128;

/// Claims a step for `lease`, within `timeout`: granted when nobody holds it, its lease has
/// ended, or this session holds it already; else who holds it (cut to [`MAX_HOLDER_CHARS`])
/// and since how long (seconds, database clock). A claim running out further ahead than
/// any lease (the longer of `lease` and [`LEASE`]) from now was not written by a cockpit
/// (each sets its lease from the database's clock): it counts as ended, so a row written by
/// hand cannot hold a step for ever.
pub async fn claim(
    pool: &PgPool,
    claim: &StepClaim<'_>,
    lease: Duration,
    timeout: Duration,
) -> Result<Claim, SharedError> {
    // Measured on the clock at the time of the check (`clock_timestamp()`, not the
    // transaction's start): a lease another session just wrote from a later start is not
    // mistaken for a too long one; the slack covers the server's clock being set back a little.
    let longest = (lease.max(LEASE) + LEASE_SLACK).as_secs_f64();
    within(timeout, "step claim", async {
        // The holder is read after a refused claim, in a statement of its own: one that
        // committed while ours waited on the row is not in our statement's snapshot. When the
        // holder released in between, the claim is tried again.
        loop {
            let mut tx = pool.begin().await?;
            let granted = sqlx::query(
                "INSERT INTO cockpit.claims (incident, step, holder, session, claimed_at, expires_at)
                 VALUES ($1, $2, $3, $4, now(), now() + make_interval(secs => $5))
                 ON CONFLICT (incident, step) DO UPDATE
                     SET holder = EXCLUDED.holder, session = EXCLUDED.session,
                         claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at
                     WHERE claims.expires_at < now() OR claims.session = EXCLUDED.session
                        OR claims.expires_at > clock_timestamp() + make_interval(secs => $6)
                 RETURNING 1",
            )
            .bind(claim.incident)
            .bind(claim.step)
            .bind(claim.holder)
            .bind(claim.session)
            .bind(lease.as_secs_f64())
            .bind(longest)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
            if granted {
                notify(&mut tx, claim.incident).await?;
                tx.commit().await?;
                return Ok(Claim::Granted);
            }
            let held = sqlx::query(
                "SELECT left(holder, $4) AS holder,
                        GREATEST(0, EXTRACT(EPOCH FROM now() - claimed_at))::float8 AS held
                 FROM cockpit.claims
                 WHERE incident = $1 AND step = $2 AND expires_at >= now()
                   AND expires_at <= clock_timestamp() + make_interval(secs => $3)",
            )
            .bind(claim.incident)
            .bind(claim.step)
            .bind(longest)
            .bind(MAX_HOLDER_CHARS)
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            if let Some(row) = held {
                let secs: f64 = row.try_get("held")?;
                return Ok(Claim::HeldBy {
                    holder: row.try_get("holder")?,
                    for_secs: secs as u64,
                });
            }
        }
    })
    .await
}

/// Extends this session's claim by `lease` from now, within `timeout`. False: the claim is
/// not this session's any more (its lease ended and someone else took the step).
pub async fn renew(
    pool: &PgPool,
    claim: &StepClaim<'_>,
    lease: Duration,
    timeout: Duration,
) -> Result<bool, SharedError> {
    within(timeout, "claim renewal", async {
        let renewed = sqlx::query(
            "UPDATE cockpit.claims SET expires_at = now() + make_interval(secs => $4)
             WHERE incident = $1 AND step = $2 AND session = $3
             RETURNING 1",
        )
        .bind(claim.incident)
        .bind(claim.step)
        .bind(claim.session)
        .bind(lease.as_secs_f64())
        .fetch_optional(pool)
        .await?;
        Ok(renewed.is_some())
    })
    .await
}

/// Gives a step back (the run ended) after `grace` ([`RELEASE_GRACE`]; zero frees it at
/// once), within `timeout`. Only this session's claim goes; this session may claim it again
/// at any time.
pub async fn release(
    pool: &PgPool,
    claim: &StepClaim<'_>,
    grace: Duration,
    timeout: Duration,
) -> Result<(), SharedError> {
    within(timeout, "claim release", async {
        let mut tx = pool.begin().await?;
        let gone = sqlx::query(
            "UPDATE cockpit.claims
             SET expires_at = LEAST(expires_at, now() + make_interval(secs => $4))
             WHERE incident = $1 AND step = $2 AND session = $3",
        )
        .bind(claim.incident)
        .bind(claim.step)
        .bind(claim.session)
        .bind(grace.as_secs_f64())
        .execute(&mut *tx)
        .await?;
        if gone.rows_affected() > 0 {
            notify(&mut tx, claim.incident).await?;
        }
        tx.commit().await
    })
    .await
}

/// Gives back every step `session` holds (at quit), within `timeout`.
pub async fn release_all(
    pool: &PgPool,
    session: &str,
    timeout: Duration,
) -> Result<(), SharedError> {
    within(timeout, "claims release", async {
        let mut tx = pool.begin().await?;
        let incidents: Vec<String> =
            sqlx::query_scalar("DELETE FROM cockpit.claims WHERE session = $1 RETURNING incident")
                .bind(session)
                .fetch_all(&mut *tx)
                .await?;
        for incident in incidents {
            notify(&mut tx, &incident).await?;
        }
        tx.commit().await
    })
    .await
}

async fn notify(tx: &mut sqlx::PgConnection, incident: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CLAIMS_CHANNEL)
        .bind(incident)
        .execute(tx)
        .await
        .map(|_| ())
}
