//! Storage: one interface for the services, grouped by aggregate, and one implementation per
//! database.
//!
//! Each aggregate has a file holding its trait, its row types and its SQL, written once for both
//! databases (`accounts`, `activity`, `sign_in_limits`, `refresh_tokens`, `sessions`, `customers`, `customer_writes`, `ledger`, `orders`, `loyalty`,
//! `idempotency`, `bulk_load` (with `bulk_copy` and `copy_text`, PostgreSQL's `COPY`), `imports`, `privacy`, `duplicates` (with `duplicate_keys`), `merges` (with `merge_snapshot`), `app_settings`, `health`; `user_cache` remembers the users requests act as, on PostgreSQL, and `session_cache` the browser sessions, on SQLite; `readers` lends SQLite's read connections; `balance` holds what every change of points does); what differs between the databases is the [`Dialect`] trait, implemented in
//! `sqlite.rs` and `postgres.rs`. Every method that touches tenant-owned rows takes the caller's
//! [`RequestContext`](crate::domain::RequestContext) (or a tenant id resolved by the services)
//! and filters by it.

pub mod accounts;
pub mod activity;
pub mod app_settings;
pub mod balance;
pub mod bulk_copy;
pub mod bulk_load;
pub mod checkpoints;
pub mod copy_text;
pub mod customer_writes;
pub mod customers;
pub mod dialect;
pub mod duplicate_keys;
pub mod duplicates;
pub mod health;
pub mod idempotency;
pub mod imports;
pub mod keys;
pub mod ledger;
pub mod list_cache;
pub mod list_page;
pub mod loyalty;
pub mod merge_snapshot;
pub mod merges;
pub mod orders;
pub mod postgres;
pub mod privacy;
pub mod readers;
pub mod refresh_tokens;
pub mod session_cache;
pub mod session_store;
pub mod sessions;
pub mod sign_in_limits;
mod sql;
pub mod sqlite;
pub mod user_cache;
pub mod write_batch;
pub mod write_connection;
pub mod write_groups;

pub use accounts::{Accounts, NewUser, PasswordHash, Tenant, User, UserChanges, UserUpdate};
pub use activity::{ActivityEntry, ActivityFilter, ActivityLog, ActivityRow, StoredDetails};
pub use app_settings::AppSettings;
pub use bulk_load::{BulkLoad, ImportedCustomer, ImportedPoints};
pub use customer_writes::CustomerWrites;
pub use customers::{CounterBucket, Customers};
pub use dialect::Dialect;
pub use duplicates::Duplicates;
pub use health::Health;
pub use idempotency::{Idempotency, Reservation};
pub use imports::{ExistingCustomer, ImportPlan, ImportUpdate, Imports};
pub use ledger::{Ledger, PointsSource};
pub use loyalty::{ExpiredBatch, Loyalty};
pub use merges::{MergeOutcome, Merges, UndoOutcome};
pub use orders::{OrderRecorded, Orders, RefundOutcome};
pub use privacy::Privacy;
pub use refresh_tokens::{RefreshTokens, RefreshUse};
pub use session_store::DbSessionStore;
pub use sessions::Sessions;
pub use sign_in_limits::{LimitKey, SignInLimits};
pub use write_connection::{WriteConnection, WriterQueue};

use chrono::{DateTime, SubsecRound, Utc};
use std::sync::Arc;

/// A failure of the database or of a constraint the caller must handle.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A unique constraint refused the write (duplicate tenant name, user email, customer email).
    #[error("a row with the same unique key already exists")]
    Conflict,
    /// The database answered with an error.
    #[error("database error")]
    Database(#[source] sqlx::Error),
    /// The database cannot be reached right now (stopped, restarting, every connection busy past
    /// the wait): the request can be tried again in a moment.
    #[error("database unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// Migrations could not be applied.
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A row written in this transaction could not be read back: the database broke an invariant.
    #[error("the {0} just written could not be read back")]
    MissingAfterWrite(&'static str),
}

impl From<sqlx::Error> for StorageError {
    fn from(err: sqlx::Error) -> Self {
        if is_unavailable(&err) {
            StorageError::Unavailable(err)
        } else {
            StorageError::Database(err)
        }
    }
}

/// Whether `err` says the database is out of reach rather than that the query failed: no
/// connection in time, a connection lost or refused, a server shutting down or starting
/// (SQLSTATE class 08 and 57P01–57P03), or SQLite still busy after its busy timeout.
fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or_default();
            // PostgreSQL's five-character SQLSTATEs; SQLite's SQLITE_BUSY and its extended codes.
            code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "5" | "261" | "517" | "773")
        }
        _ => false,
    }
}

/// The result of a storage call.
pub type StorageResult<T> = Result<T, StorageError>;

/// A page of rows and the total count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// All rows matching, over every page.
    pub count: u64,
    /// This page's rows.
    pub items: Vec<T>,
}

/// The current time as stored: UTC, to the microsecond (what both databases keep).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// The whole storage interface: every aggregate, implemented once per database.
pub trait Storage:
    AppSettings
    + Accounts
    + Sessions
    + Customers
    + CustomerWrites
    + Ledger
    + Orders
    + Loyalty
    + Idempotency
    + BulkLoad
    + SignInLimits
    + RefreshTokens
    + ActivityLog
    + Privacy
    + Imports
    + Duplicates
    + Merges
    + Health
    + Send
    + Sync
    + 'static
{
}

impl<T> Storage for T where
    T: AppSettings
        + Accounts
        + Sessions
        + Customers
        + CustomerWrites
        + Ledger
        + Orders
        + Loyalty
        + Idempotency
        + BulkLoad
        + SignInLimits
        + RefreshTokens
        + ActivityLog
        + Privacy
        + Imports
        + Duplicates
        + Merges
        + Health
        + Send
        + Sync
        + 'static
{
}

/// Connects to the database named by `url` (`sqlite:` or `postgres:`), creating an embedded
/// database file and its folder if needed, and applies pending migrations.
pub async fn connect(url: &str) -> StorageResult<Arc<dyn Storage>> {
    if url.starts_with("postgres") {
        migrated(postgres::PostgresStorage::connect(url).await?).await
    } else {
        migrated(sqlite::SqliteStorage::connect(url).await?).await
    }
}

/// A backend with its pending migrations applied, behind the storage interface.
/// Customers written before duplicate keys existed get theirs here, once.
async fn migrated(storage: impl Dialect + Storage) -> StorageResult<Arc<dyn Storage>> {
    storage.run_migrations().await?;
    let filled = storage.fill_duplicate_keys().await?;
    if filled > 0 {
        tracing::info!(customers = filled, "duplicate keys computed");
    }
    Ok(Arc::new(storage))
}

/// Maps a unique-constraint violation to [`StorageError::Conflict`].
pub(crate) fn conflict_or(err: sqlx::Error) -> StorageError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::Conflict,
        _ => StorageError::from(err),
    }
}

/// [`conflict_or`] for an error already converted (a batch's): a unique key's refusal is a
/// conflict.
pub(crate) fn conflict_in(err: StorageError) -> StorageError {
    match err {
        StorageError::Database(err) => conflict_or(err),
        other => other,
    }
}
