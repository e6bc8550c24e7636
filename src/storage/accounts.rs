//! Tenants and their users: creating and changing them (each change with its activity row, in
//! its transaction), signing in and out everywhere.

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
    /// When the user last signed in (form or token).
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

/// What a change to a user came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserUpdate {
    /// Changed; the user as they are now.
    Updated(User),
    /// No such user in the caller's tenant.
    NotFound,
    /// The change would leave the tenant without an active owner; nothing was written.
    LastOwner,
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
    /// With an acting owner, a `user.created` activity row is written in the same transaction.
    async fn create_user(&self, new: &NewUser, by: Option<&RequestContext>) -> StorageResult<User>;

    /// Finds a user for sign-in by the lowercase email key, in any tenant. A key with a NUL
    /// character matches no one (no stored email has one, and PostgreSQL's text cannot).
    async fn user_by_email_key(&self, email_key: &str) -> StorageResult<Option<User>>;

    /// Finds a user by id, in any tenant: used only to authenticate a session or token.
    async fn user_by_id(&self, id: i64) -> StorageResult<Option<User>>;

    /// Lists the caller's tenant's users.
    async fn list_users(&self, ctx: &RequestContext) -> StorageResult<Vec<User>>;

    /// Changes one of the caller's tenant's users, with a `user.updated` activity row; a change of
    /// activity or password bumps the auth version (ending their sessions and tokens). The
    /// tenant's active owners are locked first, so two owners demoting each other at once cannot
    /// both succeed.
    async fn update_user(&self, ctx: &RequestContext, user_id: i64, changes: &UserChanges)
        -> StorageResult<UserUpdate>;

    /// Notes a successful sign-in: the user's last sign-in time and an `auth.signed_in` row. With
    /// `rehashed`, the same password hashed with today's parameters replaces `user`'s hash, unless
    /// the hash changed since `user` was read (a password change in between wins). Sessions and
    /// tokens stay valid: the password is the same.
    async fn record_sign_in(
        &self,
        user: &User,
        client: Option<std::net::IpAddr>,
        rehashed: Option<&PasswordHash>,
    ) -> StorageResult<()>;

    /// Sets the caller's own password hash, bumps their auth version and revokes their refresh
    /// tokens, with an `auth.password_changed` row; the user as they are now.
    async fn change_own_password(&self, ctx: &RequestContext, hash: &PasswordHash) -> StorageResult<Option<User>>;

    /// Ends every session and token of the caller (auth version bumped, refresh tokens revoked),
    /// with an `auth.signed_out_everywhere` row.
    async fn sign_out_everywhere(&self, ctx: &RequestContext) -> StorageResult<()>;
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
                .fetch_one(&mut *self.writer().await?)
                .await
                .map_err($crate::storage::conflict_or)
            }

            async fn tenant_by_id(&self, id: i64) -> $crate::storage::StorageResult<Option<$crate::storage::Tenant>> {
                use $crate::storage::Dialect;
                Ok(sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *self.reader().await?)
                    .await?)
            }

            async fn tenant_by_name(
                &self,
                name: &str,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Tenant>> {
                use $crate::storage::Dialect;
                Ok(sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE name_key = $1")
                    .bind(name.trim().to_lowercase())
                    .fetch_optional(&mut *self.reader().await?)
                    .await?)
            }

            async fn create_user(
                &self,
                new: &$crate::storage::NewUser,
                by: Option<&$crate::domain::RequestContext>,
            ) -> $crate::storage::StorageResult<$crate::storage::User> {
                use $crate::storage::Dialect;
                let now = $crate::storage::now();
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
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
                .fetch_one(&mut *tx)
                .await
                .map_err($crate::storage::conflict_or)?;
                if let Some(ctx) = by {
                    let entry = $crate::storage::ActivityEntry::by(
                        ctx,
                        $crate::domain::activity::ActivityAction::UserCreated,
                        $crate::domain::activity::TargetType::User,
                        id,
                        new.email.as_str(),
                        serde_json::json!({ "role": new.role.as_str() }),
                    );
                    Self::write_activity(&mut *tx, &entry, now).await?;
                }
                tx.commit().await?;
                drop(writer);
                self.user_by_id(id).await?.ok_or($crate::storage::StorageError::MissingAfterWrite("user"))
            }

            async fn user_by_email_key(
                &self,
                email_key: &str,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::User>> {
                use $crate::storage::Dialect;
                if email_key.contains('\0') {
                    return Ok(None);
                }
                const SQL: &str = const_format::concatcp!(
                    "SELECT ",
                    $crate::storage::sql::USER_COLUMNS,
                    " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.email_key = $1"
                );
                Ok(sqlx::query_as(SQL).bind(email_key).fetch_optional(&mut *self.reader().await?).await?)
            }

            async fn user_by_id(&self, id: i64) -> $crate::storage::StorageResult<Option<$crate::storage::User>> {
                use $crate::storage::Dialect;
                const SQL: &str = const_format::concatcp!(
                    "SELECT ",
                    $crate::storage::sql::USER_COLUMNS,
                    " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1"
                );
                let cache = self.user_cache();
                if let Some(user) = cache.and_then(|cache| cache.get(id)) {
                    return Ok(Some(user));
                }
                let generation = cache.and_then($crate::storage::user_cache::UserCache::generation);
                let user: Option<$crate::storage::User> =
                    sqlx::query_as(SQL).bind(id).fetch_optional(&mut *self.reader().await?).await?;
                if let (Some(cache), Some(generation), Some(user)) = (cache, generation, &user) {
                    cache.remember(generation, user.clone());
                }
                Ok(user)
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
                Ok(sqlx::query_as(SQL).bind(ctx.tenant_id).fetch_all(&mut *self.reader().await?).await?)
            }

            async fn update_user(
                &self,
                ctx: &$crate::domain::RequestContext,
                user_id: i64,
                changes: &$crate::storage::UserChanges,
            ) -> $crate::storage::StorageResult<$crate::storage::UserUpdate> {
                use $crate::storage::{Dialect, UserUpdate};
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                // The active owners first, always in id order: a concurrent change waits here and
                // then counts the owners as that change left them.
                let owners: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT id FROM users WHERE tenant_id = $1 AND role = 'owner' AND is_active ORDER BY id{}",
                    Self::LOCK_ROW
                )))
                .bind(ctx.tenant_id)
                .fetch_all(&mut *tx)
                .await?;
                let current: Option<(String, String, bool)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT email, role, is_active FROM users WHERE id = $1 AND tenant_id = $2{}",
                    Self::LOCK_ROW
                )))
                .bind(user_id)
                .bind(ctx.tenant_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((email, role, is_active)) = current else {
                    return Ok(UserUpdate::NotFound);
                };
                let new_role = changes.role.map_or(role.as_str(), |r| r.as_str());
                let new_active = changes.is_active.unwrap_or(is_active);
                let stays_owner = new_role == "owner" && new_active;
                if owners.contains(&user_id) && !stays_owner && owners.len() <= 1 {
                    return Ok(UserUpdate::LastOwner);
                }
                let mut details = serde_json::Map::new();
                if new_role != role {
                    details.insert("role".into(), serde_json::json!({ "from": role, "to": new_role }));
                }
                if new_active != is_active {
                    details.insert("is_active".into(), serde_json::json!({ "from": is_active, "to": new_active }));
                }
                if changes.password_hash.is_some() {
                    details.insert("password".into(), serde_json::json!("changed"));
                }
                let bump = new_active != is_active || changes.password_hash.is_some();
                let now = $crate::storage::now();
                sqlx::query(
                    "UPDATE users SET role = $3, is_active = $4, password_hash = COALESCE($5, password_hash), \
                     auth_version = auth_version + CASE WHEN $6 THEN 1 ELSE 0 END, updated_at = $7 \
                     WHERE id = $1 AND tenant_id = $2",
                )
                .bind(user_id)
                .bind(ctx.tenant_id)
                .bind(new_role)
                .bind(new_active)
                .bind(changes.password_hash.as_ref().map(|h| h.0.as_str()))
                .bind(bump)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                Self::announce_user_change(&mut *tx, user_id).await?;
                if bump {
                    sqlx::query("UPDATE refresh_tokens SET revoked = TRUE WHERE user_id = $1 AND NOT revoked")
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                if !details.is_empty() {
                    let entry = $crate::storage::ActivityEntry::by(
                        ctx,
                        $crate::domain::activity::ActivityAction::UserUpdated,
                        $crate::domain::activity::TargetType::User,
                        user_id,
                        email,
                        serde_json::json!({ "changes": details }),
                    );
                    Self::write_activity(&mut *tx, &entry, now).await?;
                }
                tx.commit().await?;
                drop(writer);
                self.forget_user(user_id);
                match self.user_by_id(user_id).await? {
                    Some(user) => Ok(UserUpdate::Updated(user)),
                    None => Err($crate::storage::StorageError::MissingAfterWrite("user")),
                }
            }

            async fn record_sign_in(
                &self,
                user: &$crate::storage::User,
                client: Option<std::net::IpAddr>,
                rehashed: Option<&$crate::storage::PasswordHash>,
            ) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                let now = $crate::storage::now();
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                sqlx::query(
                    "UPDATE users SET last_sign_in_at = $2, \
                     password_hash = COALESCE(CASE WHEN password_hash = $3 THEN $4 END, password_hash) WHERE id = $1",
                )
                .bind(user.id)
                .bind(now)
                .bind(&user.password_hash.0)
                .bind(rehashed.map(|h| h.0.as_str()))
                .execute(&mut *tx)
                .await?;
                Self::announce_user_change(&mut *tx, user.id).await?;
                let entry = $crate::storage::ActivityEntry {
                    tenant_id: user.tenant_id,
                    actor_id: Some(user.id),
                    client,
                    action: $crate::domain::activity::ActivityAction::AuthSignedIn,
                    target_type: $crate::domain::activity::TargetType::User,
                    target_id: Some(user.id),
                    target_label: user.email.clone(),
                    details: serde_json::json!({}),
                };
                Self::write_activity(&mut *tx, &entry, now).await?;
                tx.commit().await?;
                self.forget_user(user.id);
                Ok(())
            }

            async fn change_own_password(
                &self,
                ctx: &$crate::domain::RequestContext,
                hash: &$crate::storage::PasswordHash,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::User>> {
                let changed = self
                    .bump_own_auth(ctx, Some(hash), $crate::domain::activity::ActivityAction::AuthPasswordChanged)
                    .await?;
                if !changed {
                    return Ok(None);
                }
                self.user_by_id(ctx.user_id).await
            }

            async fn sign_out_everywhere(
                &self,
                ctx: &$crate::domain::RequestContext,
            ) -> $crate::storage::StorageResult<()> {
                self.bump_own_auth(ctx, None, $crate::domain::activity::ActivityAction::AuthSignedOutEverywhere)
                    .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_accounts;

/// Implements the helpers behind a password change and signing out everywhere, and the one that
/// keeps the user cache current after a change of a user.
macro_rules! impl_own_auth {
    ($backend:ty) => {
        impl $backend {
            /// Forgets user `id` in this process's cache, after a change of it committed.
            fn forget_user(&self, id: i64) {
                use $crate::storage::Dialect;
                if let Some(cache) = self.user_cache() {
                    cache.forget(id);
                }
            }

            /// Bumps the caller's auth version (and sets a new password hash if given), revokes
            /// their refresh tokens and writes `action`, in one transaction; whether the caller
            /// still exists.
            async fn bump_own_auth(
                &self,
                ctx: &$crate::domain::RequestContext,
                hash: Option<&$crate::storage::PasswordHash>,
                action: $crate::domain::activity::ActivityAction,
            ) -> $crate::storage::StorageResult<bool> {
                use $crate::storage::Dialect;
                let now = $crate::storage::now();
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                let email: Option<String> = sqlx::query_scalar(
                    "UPDATE users SET password_hash = COALESCE($3, password_hash), auth_version = auth_version + 1, \
                     updated_at = $4 WHERE id = $1 AND tenant_id = $2 RETURNING email",
                )
                .bind(ctx.user_id)
                .bind(ctx.tenant_id)
                .bind(hash.map(|h| h.0.as_str()))
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(email) = email else {
                    return Ok(false);
                };
                Self::announce_user_change(&mut *tx, ctx.user_id).await?;
                sqlx::query("UPDATE refresh_tokens SET revoked = TRUE WHERE user_id = $1 AND NOT revoked")
                    .bind(ctx.user_id)
                    .execute(&mut *tx)
                    .await?;
                let entry = $crate::storage::ActivityEntry::by(
                    ctx,
                    action,
                    $crate::domain::activity::TargetType::User,
                    ctx.user_id,
                    email,
                    serde_json::json!({}),
                );
                Self::write_activity(&mut *tx, &entry, now).await?;
                tx.commit().await?;
                self.forget_user(ctx.user_id);
                Ok(true)
            }
        }
    };
}

pub(crate) use impl_own_auth;
