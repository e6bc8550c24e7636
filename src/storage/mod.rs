//! Storage: one interface used by the services, one implementation per database.
//!
//! Every method that touches tenant-owned rows takes the caller's [`RequestContext`] (or a tenant
//! id resolved by the services) and filters by it.

mod common;
pub mod keys;
pub mod list_cache;
pub mod postgres;
mod session_store;
pub mod sqlite;

pub use session_store::DbSessionStore;

use crate::domain::customer_input::CustomerFields;
use crate::domain::customer_query::{CustomerFilter, Ordering};
use crate::domain::{Customer, Email, LoyaltyTier, PointsEntry, RequestContext, Role};
use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use std::fmt;
use std::sync::Arc;

/// A failure of the database or of a constraint the caller must handle.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A unique constraint refused the write (duplicate tenant name, user email, customer email).
    #[error("a row with the same unique key already exists")]
    Conflict,
    /// The database could not be reached or answered with an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations could not be applied.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The result of a storage call.
pub type StorageResult<T> = Result<T, StorageError>;

/// Which database a storage talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The embedded database.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A tenant: one restaurant or shop with its own users and customers.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Tenant {
    /// The tenant's id.
    pub id: i64,
    /// Its display name, unique ignoring case.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// An argon2 PHC string; never printed.
#[derive(Clone, PartialEq, Eq, sqlx::Type)]
#[sqlx(transparent)]
pub struct PasswordHash(pub String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// A user who signs in to one tenant.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    /// The user's id.
    pub id: i64,
    /// The user's tenant.
    pub tenant_id: i64,
    /// The tenant's name.
    pub tenant_name: String,
    /// The email as entered.
    pub email: String,
    /// The password hash.
    pub password_hash: PasswordHash,
    /// The user's role.
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// Inactive users cannot sign in and their sessions and tokens stop working.
    pub is_active: bool,
    /// Bumped on deactivation and password change; sessions and tokens carry the value they were
    /// issued with and are refused once it differs.
    pub auth_version: i64,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
}

/// What is needed to create a user.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// The tenant the user belongs to.
    pub tenant_id: i64,
    /// The sign-in email.
    pub email: Email,
    /// The argon2 hash of the password.
    pub password_hash: PasswordHash,
    /// The role.
    pub role: Role,
}

/// A change to a user made by an owner.
#[derive(Clone, Debug, Default)]
pub struct UserChanges {
    /// A new role.
    pub role: Option<Role>,
    /// Activate or deactivate.
    pub is_active: Option<bool>,
    /// A new password hash.
    pub password_hash: Option<PasswordHash>,
}

/// Where a points change came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PointsSource {
    /// `update_points` (or the Points dialog).
    Manual,
    /// An edit of the customer that set a new balance.
    Edit,
    /// The balance given when the customer was created.
    Create,
}

impl PointsSource {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PointsSource::Manual => "manual",
            PointsSource::Edit => "edit",
            PointsSource::Create => "create",
        }
    }
}

/// One earlier points change of an imported customer.
#[derive(Clone, Debug)]
pub struct ImportedPoints {
    /// Points added (negative: removed).
    pub delta: i64,
    /// Why.
    pub reason: String,
    /// Where it came from.
    pub source: PointsSource,
    /// When.
    pub at: DateTime<Utc>,
}

/// A customer with its history, written in bulk by `patron demo`.
#[derive(Clone, Debug)]
pub struct ImportedCustomer {
    /// Full name.
    pub name: String,
    /// Email (unique per tenant ignoring case).
    pub email: Email,
    /// Phone.
    pub phone: String,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
    /// Province.
    pub province: String,
    /// Postal code.
    pub postal_code: String,
    /// Notes.
    pub notes: String,
    /// Orders so far.
    pub total_orders: i64,
    /// Spent so far, minor units.
    pub total_spent_minor: i64,
    /// Active or not.
    pub is_active: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last order.
    pub last_order_date: Option<DateTime<Utc>>,
    /// Points changes, oldest first; the balance is their sum.
    pub history: Vec<ImportedPoints>,
}

/// One bucket of the maintained customer counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CounterBucket {
    /// Active or not.
    pub is_active: bool,
    /// Tier.
    pub tier: LoyaltyTier,
    /// Customers in the bucket.
    pub customers: i64,
    /// Their points.
    pub points: i64,
}

/// A page of rows and the total count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// All rows matching, over every page.
    pub count: u64,
    /// This page's rows.
    pub items: Vec<T>,
}

/// What an `Idempotency-Key` has seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reservation {
    /// The key is new: the request runs, then its response is stored.
    Reserved,
    /// A request with this key is running now.
    InProgress {
        /// Its fingerprint.
        fingerprint: String,
    },
    /// A request with this key finished.
    Completed {
        /// Its fingerprint.
        fingerprint: String,
        /// Its status.
        status: u16,
        /// Its body.
        body: String,
    },
}

/// The current time as stored: UTC, to the microsecond (what both databases keep).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// The storage interface the services use. Implemented once per database.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Applies pending migrations.
    async fn migrate(&self) -> StorageResult<()>;

    /// Reads an application setting.
    async fn setting(&self, key: &str) -> StorageResult<Option<String>>;

    /// Stores `value` under `key` unless a value is already there; returns the stored value, so
    /// that concurrent first starts agree on one.
    async fn setting_or_insert(&self, key: &str, value: &str) -> StorageResult<String>;

    /// Creates a tenant; [`StorageError::Conflict`] if the name exists ignoring case.
    async fn create_tenant(&self, name: &str) -> StorageResult<Tenant>;

    /// Finds a tenant by id.
    async fn tenant_by_id(&self, id: i64) -> StorageResult<Option<Tenant>>;

    /// Finds a tenant by name, ignoring case.
    async fn tenant_by_name(&self, name: &str) -> StorageResult<Option<Tenant>>;

    /// Creates a user; [`StorageError::Conflict`] if the email exists ignoring case.
    async fn create_user(&self, new: &NewUser) -> StorageResult<User>;

    /// Finds a user for sign-in by the lowercase email key, in any tenant.
    async fn user_by_email_key(&self, email_key: &str) -> StorageResult<Option<User>>;

    /// Finds a user by id, in any tenant: used only to authenticate a session or token.
    async fn user_by_id(&self, id: i64) -> StorageResult<Option<User>>;

    /// Lists the caller's tenant's users.
    async fn list_users(&self, ctx: &RequestContext) -> StorageResult<Vec<User>>;

    /// Changes one of the caller's tenant's users; a change of activity or password bumps the
    /// auth version. `None` if the user is not in the caller's tenant.
    async fn update_user(
        &self,
        ctx: &RequestContext,
        user_id: i64,
        changes: &UserChanges,
    ) -> StorageResult<Option<User>>;

    /// Records a failed sign-in for an email key.
    async fn record_login_failure(&self, email_key: &str, at: DateTime<Utc>) -> StorageResult<()>;

    /// Counts failed sign-ins for an email key since a time, and forgets older ones.
    async fn login_failures_since(&self, email_key: &str, since: DateTime<Utc>) -> StorageResult<i64>;

    /// Stores a new session unless its id is taken; whether it was stored.
    async fn create_session(&self, id: &str, data: &str, expires_at: i64) -> StorageResult<bool>;

    /// Saves a browser session (JSON data, expiry in unix seconds).
    async fn save_session(&self, id: &str, data: &str, expires_at: i64) -> StorageResult<()>;

    /// Loads a session's data and expiry (unix seconds) if it has not expired at `now`.
    async fn load_session(&self, id: &str, now: i64) -> StorageResult<Option<(String, i64)>>;

    /// Deletes a session.
    async fn delete_session(&self, id: &str) -> StorageResult<()>;

    /// Deletes sessions expired at `now` (unix seconds); returns how many.
    async fn delete_expired_sessions(&self, now: i64) -> StorageResult<u64>;

    /// The caller's tenant's counter buckets (only buckets that have ever held a customer).
    async fn customer_counters(&self, ctx: &RequestContext) -> StorageResult<Vec<CounterBucket>>;

    /// Counts and pages the caller's customers. The count comes from the counters when the filter
    /// has no text parts.
    async fn list_customers(
        &self,
        ctx: &RequestContext,
        filter: &CustomerFilter,
        ordering: Ordering,
        offset: u64,
        limit: u64,
    ) -> StorageResult<Page<Customer>>;

    /// Counts the caller's customers matching a filter.
    async fn count_customers(&self, ctx: &RequestContext, filter: &CustomerFilter) -> StorageResult<u64>;

    /// One of the caller's customers.
    async fn customer(&self, ctx: &RequestContext, id: i64) -> StorageResult<Option<Customer>>;

    /// Creates a customer (name and email present) with a `create` ledger row for a non-zero
    /// balance, in one transaction. [`StorageError::Conflict`] for a taken email.
    async fn create_customer(&self, ctx: &RequestContext, fields: &CustomerFields) -> StorageResult<Customer>;

    /// Changes the given fields of one of the caller's customers; a new balance writes an `edit`
    /// ledger row in the same transaction. `None` if not found.
    async fn update_customer(
        &self,
        ctx: &RequestContext,
        id: i64,
        fields: &CustomerFields,
    ) -> StorageResult<Option<Customer>>;

    /// Deletes one of the caller's customers; whether it existed.
    async fn delete_customer(&self, ctx: &RequestContext, id: i64) -> StorageResult<bool>;

    /// Adds `delta` points (clamped at zero) in one statement, with its ledger row, in one
    /// transaction. `None` if not found.
    async fn change_points(
        &self,
        ctx: &RequestContext,
        id: i64,
        delta: i64,
        reason: &str,
    ) -> StorageResult<Option<Customer>>;

    /// Activates or deactivates the caller's customers among `ids`; how many matched.
    async fn set_customers_active(&self, ctx: &RequestContext, ids: &[i64], active: bool) -> StorageResult<u64>;

    /// A page of a customer's points history, newest first. `None` if the customer is not found.
    async fn points_history(
        &self,
        ctx: &RequestContext,
        id: i64,
        offset: u64,
        limit: u64,
    ) -> StorageResult<Option<Page<PointsEntry>>>;

    /// Claims an idempotency key for the tenant (keys older than 24 hours are forgotten).
    async fn reserve_idempotency_key(&self, tenant_id: i64, key: &str, fingerprint: &str)
        -> StorageResult<Reservation>;

    /// Stores the response of a claimed key.
    async fn complete_idempotency_key(&self, tenant_id: i64, key: &str, status: u16, body: &str) -> StorageResult<()>;

    /// Releases a claimed key whose request failed on the server, so it can be retried.
    async fn release_idempotency_key(&self, tenant_id: i64, key: &str) -> StorageResult<()>;

    /// Writes customers and their points history in one transaction; a customer whose email is
    /// already taken in the tenant is skipped. Returns how many were written.
    async fn import_customers(&self, tenant_id: i64, customers: &[ImportedCustomer]) -> StorageResult<u64>;
}

/// Connects to the database named by `url` (`sqlite:` or `postgres:`), creating an embedded
/// database file and its folder if needed.
pub async fn connect(url: &str) -> StorageResult<Arc<dyn Storage>> {
    if url.starts_with("postgres") {
        Ok(Arc::new(postgres::PostgresStorage::connect(url).await?))
    } else {
        Ok(Arc::new(sqlite::SqliteStorage::connect(url).await?))
    }
}

/// Maps a unique-constraint violation to [`StorageError::Conflict`].
pub(crate) fn conflict_or(err: sqlx::Error) -> StorageError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::Conflict,
        _ => StorageError::Database(err),
    }
}
