//! Refresh tokens issued, by their id (`jti`): each use replaces a token by its successor in the
//! same family (one sign-in); a token used twice has been copied, and its whole family is revoked.

use super::StorageResult;
use async_trait::async_trait;

/// What using a refresh token did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshUse {
    /// The token was current: it is spent and its successor stored.
    Rotated,
    /// The token was spent already (or its family revoked): the family is revoked now.
    Reused,
    /// No such token (never issued, expired and purged, or issued to another user).
    Unknown,
}

/// Stored refresh tokens.
#[async_trait]
pub trait RefreshTokens {
    /// Stores a new token of a family for a user, valid until `expires_at` (unix seconds).
    async fn store_refresh_token(&self, jti: &str, family: &str, user_id: i64, expires_at: i64) -> StorageResult<()>;

    /// Spends `jti` of `user_id` and stores `successor` in its family, in one transaction.
    async fn rotate_refresh_token(
        &self,
        jti: &str,
        user_id: i64,
        successor: &str,
        expires_at: i64,
    ) -> StorageResult<RefreshUse>;

    /// Revokes every refresh token of a user.
    async fn revoke_refresh_tokens(&self, user_id: i64) -> StorageResult<()>;

    /// Forgets tokens expired at `now` (unix seconds); how many.
    async fn purge_refresh_tokens(&self, now: i64) -> StorageResult<u64>;
}

/// Implements [`RefreshTokens`] for a [`Dialect`](super::Dialect).
macro_rules! impl_refresh_tokens {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::RefreshTokens for $backend {
            async fn store_refresh_token(
                &self,
                jti: &str,
                family: &str,
                user_id: i64,
                expires_at: i64,
            ) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                sqlx::query("INSERT INTO refresh_tokens (jti, family, user_id, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(jti)
                    .bind(family)
                    .bind(user_id)
                    .bind(expires_at)
                    .execute(&mut *self.writer().await?)
                    .await?;
                Ok(())
            }

            async fn rotate_refresh_token(
                &self,
                jti: &str,
                user_id: i64,
                successor: &str,
                expires_at: i64,
            ) -> $crate::storage::StorageResult<$crate::storage::RefreshUse> {
                use $crate::storage::{Dialect, RefreshUse};
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                let found: Option<(String, bool, bool)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT family, used, revoked FROM refresh_tokens WHERE jti = $1 AND user_id = $2{}",
                    Self::LOCK_ROW
                )))
                .bind(jti)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
                let outcome = match found {
                    None => RefreshUse::Unknown,
                    Some((family, used, revoked)) if used || revoked => {
                        sqlx::query("UPDATE refresh_tokens SET revoked = TRUE WHERE family = $1")
                            .bind(&family)
                            .execute(&mut *tx)
                            .await?;
                        RefreshUse::Reused
                    }
                    Some((family, _, _)) => {
                        sqlx::query("UPDATE refresh_tokens SET used = TRUE WHERE jti = $1")
                            .bind(jti)
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query(
                            "INSERT INTO refresh_tokens (jti, family, user_id, expires_at) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(successor)
                        .bind(&family)
                        .bind(user_id)
                        .bind(expires_at)
                        .execute(&mut *tx)
                        .await?;
                        RefreshUse::Rotated
                    }
                };
                tx.commit().await?;
                Ok(outcome)
            }

            async fn revoke_refresh_tokens(&self, user_id: i64) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                sqlx::query("UPDATE refresh_tokens SET revoked = TRUE WHERE user_id = $1 AND NOT revoked")
                    .bind(user_id)
                    .execute(&mut *self.writer().await?)
                    .await?;
                Ok(())
            }

            async fn purge_refresh_tokens(&self, now: i64) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::Dialect;
                let done = sqlx::query("DELETE FROM refresh_tokens WHERE expires_at < $1")
                    .bind(now)
                    .execute(&mut *self.writer().await?)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use impl_refresh_tokens;
