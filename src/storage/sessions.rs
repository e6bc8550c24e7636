//! Browser sessions: their data as JSON and their expiry in unix seconds.

use super::StorageResult;
use async_trait::async_trait;

/// Stored browser sessions (see [`DbSessionStore`](super::DbSessionStore) for the adapter that
/// `tower-sessions` uses).
#[async_trait]
pub trait Sessions {
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
}

/// Implements [`Sessions`] for a [`Dialect`](super::Dialect).
macro_rules! impl_sessions {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::Sessions for $backend {
            async fn create_session(
                &self,
                id: &str,
                data: &str,
                expires_at: i64,
            ) -> $crate::storage::StorageResult<bool> {
                use $crate::storage::Dialect;
                let done = sqlx::query(
                    "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                )
                .bind(id)
                .bind(data)
                .bind(expires_at)
                .execute(&mut *self.writer().await?)
                .await;
                self.forget_session(id);
                Ok(done?.rows_affected() == 1)
            }

            async fn save_session(&self, id: &str, data: &str, expires_at: i64) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                let done = sqlx::query(
                    "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
                )
                .bind(id)
                .bind(data)
                .bind(expires_at)
                .execute(&mut *self.writer().await?)
                .await;
                self.forget_session(id);
                done?;
                Ok(())
            }

            async fn load_session(&self, id: &str, now: i64) -> $crate::storage::StorageResult<Option<(String, i64)>> {
                use $crate::storage::Dialect;
                let cache = self.session_cache();
                if let Some(found) = cache.and_then(|cache| cache.get(id, now)) {
                    return Ok(Some(found));
                }
                let generation = cache.map($crate::storage::session_cache::SessionCache::generation);
                let found: Option<(String, i64)> =
                    sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
                        .bind(id)
                        .bind(now)
                        .fetch_optional(&mut *self.reader().await?)
                        .await?;
                if let (Some(cache), Some(generation), Some((data, expires_at))) = (cache, generation, &found) {
                    cache.remember(generation, id, data, *expires_at);
                }
                Ok(found)
            }

            async fn delete_session(&self, id: &str) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                let done = sqlx::query("DELETE FROM sessions WHERE id = $1")
                    .bind(id)
                    .execute(&mut *self.writer().await?)
                    .await;
                self.forget_session(id);
                done?;
                Ok(())
            }

            async fn delete_expired_sessions(&self, now: i64) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::Dialect;
                Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&mut *self.writer().await?)
                    .await?
                    .rows_affected())
            }
        }
    };
}

pub(crate) use impl_sessions;
