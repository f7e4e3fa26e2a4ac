//! The shared journal's tables in PostgreSQL (schema `cockpit`), created on first use in one
//! transaction under an advisory lock, so two cockpits starting at once create them once.

/// The schema version this cockpit writes; it refuses newer ones.
pub const SHARED_SCHEMA_VERSION: u32 = 1;

/// The advisory lock key serialising schema creation and appends (`pg_advisory_xact_lock`).
pub const APPEND_LOCK_KEY: i64 = 0x636f_636b_7069_7431; // "cockpit1"

/// The notification channel of new entries (payload: the new head's seq).
pub const JOURNAL_CHANNEL: &str = "cockpit_journal";
/// The notification channel of presence changes.
pub const PRESENCE_CHANNEL: &str = "cockpit_presence";
/// The notification channel of claim changes.
pub const CLAIMS_CHANNEL: &str = "cockpit_claims";

/// The statements creating schema 1 (each safe to run again).
pub const CREATE_STATEMENTS: &[&str] = &[
    "CREATE SCHEMA IF NOT EXISTS cockpit",
    "CREATE TABLE IF NOT EXISTS cockpit.meta (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS cockpit.entries (
        seq bigint PRIMARY KEY,
        at_ms bigint NOT NULL,
        actor text NOT NULL,
        kind text NOT NULL,
        body text NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        origin text NOT NULL,
        origin_seq bigint NOT NULL,
        origin_prev_hash text NOT NULL,
        origin_hash text NOT NULL,
        UNIQUE (origin, origin_seq)
    )",
    "CREATE TABLE IF NOT EXISTS cockpit.presence (
        session text PRIMARY KEY,
        operator text NOT NULL,
        role text NOT NULL,
        incident text,
        started_at timestamptz NOT NULL DEFAULT now(),
        seen_at timestamptz NOT NULL DEFAULT now()
    )",
    "CREATE TABLE IF NOT EXISTS cockpit.claims (
        incident text NOT NULL,
        step text NOT NULL,
        holder text NOT NULL,
        session text NOT NULL,
        claimed_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (incident, step)
    )",
    "INSERT INTO cockpit.meta (key, value) VALUES ('format', 'cockpit-shared-journal') ON CONFLICT (key) DO NOTHING",
    "INSERT INTO cockpit.meta (key, value) VALUES ('schema_version', '1') ON CONFLICT (key) DO NOTHING",
];
