//! The team's shared journal on PostgreSQL, and what lives beside it: who is on an incident
//! (presence) and who runs which step (claims). Local first: each cockpit's SQLite journal is
//! the write-ahead copy; entries reach PostgreSQL in the background ([`sync`]), and nothing the
//! operator does waits on it.
//!
//! The store keeps one journal per PostgreSQL database, in the schema `cockpit`:
//!
//! ```sql
//! cockpit.meta     (key text PRIMARY KEY, value text)   -- format = cockpit-shared-journal, schema_version = 1
//! cockpit.entries  (seq bigint PRIMARY KEY, at_ms bigint, actor text, kind text, body text,
//!                   prev_hash text, hash text,
//!                   origin text, origin_seq bigint, origin_prev_hash text, origin_hash text,
//!                   UNIQUE (origin, origin_seq))
//! cockpit.presence (session text PRIMARY KEY, operator text, role text, incident text,
//!                   started_at timestamptz, seen_at timestamptz)
//! cockpit.claims   (incident text, step text, holder text, session text,
//!                   claimed_at timestamptz, expires_at timestamptz, PRIMARY KEY (incident, step))
//! ```
//!
//! Notification channels: `cockpit_journal` (payload: the new head seq), `cockpit_presence`,
//! `cockpit_claims`.

pub mod claims;
mod listen;
pub mod location;
pub mod presence;
mod retry;
pub mod review;
pub mod schema;
pub mod store;
pub mod sync;
pub mod sync_status;

pub use location::{JournalLocation, SharedTarget};
pub use store::{SharedError, SharedStore};
pub use sync_status::{SyncReport, SyncStatus};
