//! The runtime's side of working as a team: claims asked for by the app go to the shared
//! store off the UI task and come back as events; a heartbeat task keeps this session in
//! `cockpit.presence` and reports who is there. Every call has its time limit, so an offline
//! store costs the operator at most a warning, never a wait.

use crate::core::team::{Claim, Present};
use crate::io::shared::SharedTarget;
use crate::io::shared::claims::{self, CLAIM_TIMEOUT, LEASE, RELEASE_GRACE, StepClaim};
use crate::io::shared::presence::{self, HEARTBEAT, PRESENCE_TIMEOUT};
use crate::io::shared::schema::{CLAIMS_CHANNEL, PRESENCE_CHANNEL};
use crate::ui::command::Command;
use crate::ui::event::Event;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use std::str::FromStr;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

/// This session on the shared store.
#[derive(Clone)]
pub struct TeamLink {
    /// The shared store's pool.
    pub pool: PgPool,
    /// This cockpit's session id (the app's `Team` has the same).
    pub session: String,
    /// Who is at the keyboard (`user@host`).
    pub operator: String,
    /// Their role, as others see it.
    pub role: String,
}

impl std::fmt::Debug for TeamLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamLink")
            .field("session", &self.session)
            .field("operator", &self.operator)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl TeamLink {
    /// A link to the shared store `target` for session `session` of `operator` in `role`. Its
    /// pool connects when first used and again after an outage, so a store offline at the
    /// start is used once it is back; until then claims answer offline within their limit.
    /// `None` when the URL is not a PostgreSQL one.
    pub fn lazy(
        target: &SharedTarget,
        session: String,
        operator: String,
        role: String,
    ) -> Option<Self> {
        let mut options = PgConnectOptions::from_str(&target.url).ok()?;
        if let Some(password) = &target.password {
            options = options.password(password);
        }
        let pool = PgPoolOptions::new()
            .max_connections(3)
            .acquire_timeout(CLAIM_TIMEOUT)
            .connect_lazy_with(options.application_name("cockpit-team"));
        Some(Self {
            pool,
            session,
            operator,
            role,
        })
    }

    /// Carries out a claim, renewal or release off the UI task; the answers of claims and
    /// renewals come back as events. Other commands are not this link's: false.
    pub fn carry_out(&self, command: &Command, events: &UnboundedSender<Event>) -> bool {
        let (ask, incident, step) = match command {
            Command::ClaimStep { incident, step } => (Ask::Claim, incident, step),
            Command::RenewClaim { incident, step } => (Ask::Renew, incident, step),
            Command::ReleaseClaim { incident, step } => (Ask::Release, incident, step),
            _ => return false,
        };
        let (incident, step) = (incident.clone(), step.clone());
        let link = self.clone();
        let events = events.clone();
        tokio::spawn(async move {
            let claim = StepClaim {
                incident: &incident,
                step: &step,
                holder: &link.operator,
                session: &link.session,
            };
            match ask {
                Ask::Claim => {
                    let result: Result<Claim, String> =
                        claims::claim(&link.pool, &claim, LEASE, CLAIM_TIMEOUT)
                            .await
                            .map_err(|e| e.to_string());
                    let _ = events.send(Event::Claimed {
                        incident: incident.clone(),
                        step: step.clone(),
                        result,
                    });
                }
                Ask::Renew => {
                    let result = claims::renew(&link.pool, &claim, LEASE, CLAIM_TIMEOUT)
                        .await
                        .map_err(|e| e.to_string());
                    let _ = events.send(Event::ClaimRenewed {
                        incident: incident.clone(),
                        step: step.clone(),
                        result,
                    });
                }
                Ask::Release => {
                    if let Err(e) =
                        claims::release(&link.pool, &claim, RELEASE_GRACE, CLAIM_TIMEOUT).await
                    {
                        // Not given back: the lease runs out by itself within 15 s.
                        tracing::warn!("claim on step {step} not released: {e}");
                    }
                }
            }
        });
        true
    }

    /// Starts the heartbeat: every 2 s this session says it is here and on which incident
    /// (`incident` follows the app), and the app hears who is present — at once when someone
    /// comes, goes or claims, through `cockpit_presence` / `cockpit_claims`.
    pub fn spawn_presence(
        &self,
        mut incident: watch::Receiver<Option<String>>,
        events: UnboundedSender<Event>,
    ) -> tokio::task::JoinHandle<()> {
        let link = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(HEARTBEAT);
            let mut listener: Option<PgListener> = None;
            loop {
                let beat = tokio::select! {
                    _ = ticker.tick() => true,
                    changed = incident.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        true
                    }
                    heard = next_notice(&mut listener) => {
                        if !heard {
                            listener = None;
                        }
                        false
                    }
                };
                if listener.is_none() {
                    listener = listen(&link.pool).await;
                }
                if beat {
                    let me = Present {
                        session: link.session.clone(),
                        operator: link.operator.clone(),
                        role: link.role.clone(),
                        incident: incident.borrow().clone(),
                    };
                    if let Err(e) = presence::heartbeat(&link.pool, &me, PRESENCE_TIMEOUT).await {
                        tracing::debug!("presence heartbeat failed: {e}");
                        continue;
                    }
                }
                match presence::present(&link.pool, PRESENCE_TIMEOUT).await {
                    Ok(present) => {
                        if events.send(Event::Presence(present)).is_err() {
                            return;
                        }
                    }
                    Err(e) => tracing::debug!("presence query failed: {e}"),
                }
            }
        })
    }

    /// At quit: gives back every claim of this session and leaves the presence table, each
    /// within its time limit.
    pub async fn leave(&self) {
        if let Err(e) = claims::release_all(&self.pool, &self.session, CLAIM_TIMEOUT).await {
            tracing::warn!("claims not released at quit: {e}");
        }
        if let Err(e) = presence::leave(&self.pool, &self.session, PRESENCE_TIMEOUT).await {
            tracing::warn!("presence not removed at quit: {e}");
        }
    }
}

/// What the app asked of the claims table.
enum Ask {
    Claim,
    Renew,
    Release,
}

/// A listener on the presence and claims channels, or none while the store is away.
async fn listen(pool: &PgPool) -> Option<PgListener> {
    let connect = async {
        let mut listener = PgListener::connect_with(pool).await?;
        listener
            .listen_all([PRESENCE_CHANNEL, CLAIMS_CHANNEL])
            .await?;
        Ok::<_, sqlx::Error>(listener)
    };
    match tokio::time::timeout(PRESENCE_TIMEOUT, connect).await {
        Ok(Ok(listener)) => Some(listener),
        _ => None,
    }
}

/// Waits for the next notification; false when the listener failed. Without a listener it
/// waits forever (the heartbeat goes on).
async fn next_notice(listener: &mut Option<PgListener>) -> bool {
    match listener {
        Some(l) => l.try_recv().await.is_ok_and(|n| n.is_some()),
        None => std::future::pending().await,
    }
}
