//! Idempotency keys: a request's fingerprint and, once it finished, its response, per tenant,
//! user, method, route and key, for 24 hours.

use super::StorageResult;
use async_trait::async_trait;

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

/// Where a key belongs: two tills (users) or two routes that pick the same key never meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyScope<'a> {
    /// The caller's tenant.
    pub tenant_id: i64,
    /// The caller.
    pub user_id: i64,
    /// The request's method.
    pub method: &'a str,
    /// The request's path.
    pub route: &'a str,
    /// The key the client sent.
    pub key: &'a str,
}

/// Claimed keys and their stored responses.
#[async_trait]
pub trait Idempotency {
    /// Claims a key in its scope at `now`: a key completed more than 24 hours ago is forgotten, and
    /// one still in progress after 60 seconds (its request died half-way) is taken over.
    async fn reserve_idempotency_key(
        &self,
        scope: &KeyScope<'_>,
        fingerprint: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<Reservation>;

    /// Stores the response of a claimed key.
    async fn complete_idempotency_key(&self, scope: &KeyScope<'_>, status: u16, body: &str) -> StorageResult<()>;

    /// Releases a claimed key whose request failed on the server, so it can be retried.
    async fn release_idempotency_key(&self, scope: &KeyScope<'_>) -> StorageResult<()>;

    /// Forgets keys claimed before `before`; how many.
    async fn purge_idempotency_keys(&self, before: chrono::DateTime<chrono::Utc>) -> StorageResult<u64>;
}

/// How long a key in progress holds before another request may take it over.
pub const IN_PROGRESS_SECONDS: i64 = 60;

/// The `WHERE` of one key.
pub(crate) const SCOPE: &str = "tenant_id = $1 AND user_id = $2 AND method = $3 AND route = $4 AND key = $5";

/// Implements [`Idempotency`] for a [`Dialect`](super::Dialect).
macro_rules! impl_idempotency {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::Idempotency for $backend {
            async fn reserve_idempotency_key(
                &self,
                scope: &$crate::storage::idempotency::KeyScope<'_>,
                fingerprint: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<$crate::storage::Reservation> {
                use $crate::storage::idempotency::{IN_PROGRESS_SECONDS, SCOPE};
                use $crate::storage::Dialect;
                let bind = |sql: &'static str| {
                    sqlx::query(sql)
                        .bind(scope.tenant_id)
                        .bind(scope.user_id)
                        .bind(scope.method)
                        .bind(scope.route)
                        .bind(scope.key)
                };
                // A finished key is kept 24 hours; one that never finished, 60 seconds.
                bind(const_format::concatcp!(
                    "DELETE FROM idempotency_keys WHERE ",
                    SCOPE,
                    " AND (created_at < $6 OR (status = 0 AND created_at < $7))"
                ))
                .bind(now - chrono::Duration::hours(24))
                .bind(now - chrono::Duration::seconds(IN_PROGRESS_SECONDS))
                .execute(&mut *self.writer().await?)
                .await?;
                let claimed = bind(
                    "INSERT INTO idempotency_keys (tenant_id, user_id, method, route, key, fingerprint, status, body, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, '', $7) \
                     ON CONFLICT (tenant_id, user_id, method, route, key) DO NOTHING",
                )
                .bind(fingerprint)
                .bind(now)
                .execute(&mut *self.writer().await?)
                .await?;
                if claimed.rows_affected() == 1 {
                    return Ok($crate::storage::Reservation::Reserved);
                }
                let found: Option<(String, i32, String)> = sqlx::query_as(const_format::concatcp!(
                    "SELECT fingerprint, status, body FROM idempotency_keys WHERE ",
                    SCOPE
                ))
                .bind(scope.tenant_id)
                .bind(scope.user_id)
                .bind(scope.method)
                .bind(scope.route)
                .bind(scope.key)
                .fetch_optional(&mut *self.reader().await?)
                .await?;
                // Gone between the two statements (released by its request): claim it again.
                let Some((fingerprint, status, body)) = found else {
                    return self.reserve_idempotency_key(scope, fingerprint, now).await;
                };
                Ok(match u16::try_from(status) {
                    Ok(status) if status > 0 => $crate::storage::Reservation::Completed { fingerprint, status, body },
                    _ => $crate::storage::Reservation::InProgress { fingerprint },
                })
            }

            async fn complete_idempotency_key(
                &self,
                scope: &$crate::storage::idempotency::KeyScope<'_>,
                status: u16,
                body: &str,
            ) -> $crate::storage::StorageResult<()> {
                use $crate::storage::idempotency::SCOPE;
                use $crate::storage::Dialect;
                sqlx::query(const_format::concatcp!(
                    "UPDATE idempotency_keys SET status = $6, body = $7 WHERE ",
                    SCOPE
                ))
                .bind(scope.tenant_id)
                .bind(scope.user_id)
                .bind(scope.method)
                .bind(scope.route)
                .bind(scope.key)
                .bind(i32::from(status))
                .bind(body)
                .execute(&mut *self.writer().await?)
                .await?;
                Ok(())
            }

            async fn release_idempotency_key(
                &self,
                scope: &$crate::storage::idempotency::KeyScope<'_>,
            ) -> $crate::storage::StorageResult<()> {
                use $crate::storage::idempotency::SCOPE;
                use $crate::storage::Dialect;
                sqlx::query(const_format::concatcp!("DELETE FROM idempotency_keys WHERE ", SCOPE))
                    .bind(scope.tenant_id)
                    .bind(scope.user_id)
                    .bind(scope.method)
                    .bind(scope.route)
                    .bind(scope.key)
                    .execute(&mut *self.writer().await?)
                    .await?;
                Ok(())
            }

            async fn purge_idempotency_keys(
                &self,
                before: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::Dialect;
                let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                    .bind(before)
                    .execute(&mut *self.writer().await?)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use impl_idempotency;
