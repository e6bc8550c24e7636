//! Tenants, their users, and the failed sign-ins counted per email.

use super::StorageResult;
use crate::domain::{Email, RequestContext, Role};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::fmt;

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

/// Tenants, users and failed sign-ins.
#[async_trait]
pub trait Accounts {
    /// Creates a tenant; [`Conflict`](super::StorageError::Conflict) if the name exists ignoring case.
    async fn create_tenant(&self, name: &str) -> StorageResult<Tenant>;

    /// Finds a tenant by id.
    async fn tenant_by_id(&self, id: i64) -> StorageResult<Option<Tenant>>;

    /// Finds a tenant by name, ignoring case.
    async fn tenant_by_name(&self, name: &str) -> StorageResult<Option<Tenant>>;

    /// Creates a user; [`Conflict`](super::StorageError::Conflict) if the email exists ignoring case.
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
}

/// Implements [`Accounts`] for a [`Dialect`](super::Dialect).
macro_rules! impl_accounts {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::Accounts for $backend {
            async fn create_tenant(&self, name: &str) -> $crate::storage::StorageResult<$crate::storage::Tenant> {
                use $crate::storage::Dialect;
                sqlx::query_as(
                    "INSERT INTO tenants (name, name_key, created_at) VALUES ($1, $2, $3) \
                     RETURNING id, name, created_at",
                )
                .bind(name)
                .bind(name.to_lowercase())
                .bind($crate::storage::now())
                .fetch_one(self.pool())
                .await
                .map_err($crate::storage::conflict_or)
            }

            async fn tenant_by_id(&self, id: i64) -> $crate::storage::StorageResult<Option<$crate::storage::Tenant>> {
                use $crate::storage::Dialect;
                Ok(sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.pool())
                    .await?)
            }

            async fn tenant_by_name(
                &self,
                name: &str,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Tenant>> {
                use $crate::storage::Dialect;
                Ok(sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE name_key = $1")
                    .bind(name.trim().to_lowercase())
                    .fetch_optional(self.pool())
                    .await?)
            }

            async fn create_user(
                &self,
                new: &$crate::storage::NewUser,
            ) -> $crate::storage::StorageResult<$crate::storage::User> {
                use $crate::storage::Dialect;
                let now = $crate::storage::now();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (tenant_id, email, email_key, password_hash, role, is_active, \
                     auth_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, TRUE, 1, $6, $6) \
                     RETURNING id",
                )
                .bind(new.tenant_id)
                .bind(new.email.as_str())
                .bind(new.email.key())
                .bind(&new.password_hash.0)
                .bind(new.role.as_str())
                .bind(now)
                .fetch_one(self.pool())
                .await
                .map_err($crate::storage::conflict_or)?;
                self.user_by_id(id).await?.ok_or($crate::storage::StorageError::MissingAfterWrite("user"))
            }

            async fn user_by_email_key(
                &self,
                email_key: &str,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::User>> {
                use $crate::storage::Dialect;
                const SQL: &str = const_format::concatcp!(
                    "SELECT ",
                    $crate::storage::sql::USER_COLUMNS,
                    " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.email_key = $1"
                );
                Ok(sqlx::query_as(SQL).bind(email_key).fetch_optional(self.pool()).await?)
            }

            async fn user_by_id(&self, id: i64) -> $crate::storage::StorageResult<Option<$crate::storage::User>> {
                use $crate::storage::Dialect;
                const SQL: &str = const_format::concatcp!(
                    "SELECT ",
                    $crate::storage::sql::USER_COLUMNS,
                    " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1"
                );
                Ok(sqlx::query_as(SQL).bind(id).fetch_optional(self.pool()).await?)
            }

            async fn list_users(
                &self,
                ctx: &$crate::domain::RequestContext,
            ) -> $crate::storage::StorageResult<Vec<$crate::storage::User>> {
                use $crate::storage::Dialect;
                const SQL: &str = const_format::concatcp!(
                    "SELECT ",
                    $crate::storage::sql::USER_COLUMNS,
                    " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.tenant_id = $1 ORDER BY u.id"
                );
                Ok(sqlx::query_as(SQL).bind(ctx.tenant_id).fetch_all(self.pool()).await?)
            }

            async fn update_user(
                &self,
                ctx: &$crate::domain::RequestContext,
                user_id: i64,
                changes: &$crate::storage::UserChanges,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::User>> {
                use $crate::storage::Dialect;
                let bump = changes.is_active.is_some() || changes.password_hash.is_some();
                let updated = sqlx::query(
                    "UPDATE users SET role = COALESCE($3, role), is_active = COALESCE($4, is_active), \
                     password_hash = COALESCE($5, password_hash), \
                     auth_version = auth_version + CASE WHEN $6 THEN 1 ELSE 0 END, updated_at = $7 \
                     WHERE id = $1 AND tenant_id = $2",
                )
                .bind(user_id)
                .bind(ctx.tenant_id)
                .bind(changes.role.map(|r| r.as_str()))
                .bind(changes.is_active)
                .bind(changes.password_hash.as_ref().map(|h| h.0.as_str()))
                .bind(bump)
                .bind($crate::storage::now())
                .execute(self.pool())
                .await?;
                if updated.rows_affected() == 0 {
                    return Ok(None);
                }
                self.user_by_id(user_id).await
            }

            async fn record_login_failure(
                &self,
                email_key: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                sqlx::query("INSERT INTO login_failures (email_key, failed_at) VALUES ($1, $2)")
                    .bind(email_key)
                    .bind(at)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }

            async fn login_failures_since(
                &self,
                email_key: &str,
                since: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<i64> {
                use $crate::storage::Dialect;
                sqlx::query("DELETE FROM login_failures WHERE email_key = $1 AND failed_at < $2")
                    .bind(email_key)
                    .bind(since)
                    .execute(self.pool())
                    .await?;
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE email_key = $1 AND failed_at >= $2")
                    .bind(email_key)
                    .bind(since)
                    .fetch_one(self.pool())
                    .await?)
            }
        }
    };
}

pub(crate) use impl_accounts;
