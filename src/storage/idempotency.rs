//! Idempotency keys: a request's fingerprint and, once it finished, its response, per tenant and
//! key, for 24 hours.

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

/// Claimed keys and their stored responses.
#[async_trait]
pub trait Idempotency {
    /// Claims an idempotency key for the tenant (keys older than 24 hours are forgotten).
    async fn reserve_idempotency_key(&self, tenant_id: i64, key: &str, fingerprint: &str)
        -> StorageResult<Reservation>;

    /// Stores the response of a claimed key.
    async fn complete_idempotency_key(&self, tenant_id: i64, key: &str, status: u16, body: &str) -> StorageResult<()>;

    /// Releases a claimed key whose request failed on the server, so it can be retried.
    async fn release_idempotency_key(&self, tenant_id: i64, key: &str) -> StorageResult<()>;
}

/// Implements [`Idempotency`] for a [`Dialect`](super::Dialect).
macro_rules! impl_idempotency {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::Idempotency for $backend {
            async fn reserve_idempotency_key(
                &self,
                tenant_id: i64,
                key: &str,
                fingerprint: &str,
            ) -> $crate::storage::StorageResult<$crate::storage::Reservation> {
                use $crate::storage::Dialect;
                let now = $crate::storage::now();
                sqlx::query("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND created_at < $3")
                    .bind(tenant_id)
                    .bind(key)
                    .bind(now - chrono::Duration::hours(24))
                    .execute(self.pool())
                    .await?;
                let claimed = sqlx::query(
                    "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, status, body, created_at) \
                     VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (tenant_id, key) DO NOTHING",
                )
                .bind(tenant_id)
                .bind(key)
                .bind(fingerprint)
                .bind(now)
                .execute(self.pool())
                .await?;
                if claimed.rows_affected() == 1 {
                    return Ok($crate::storage::Reservation::Reserved);
                }
                let (fingerprint, status, body): (String, i32, String) = sqlx::query_as(
                    "SELECT fingerprint, status, body FROM idempotency_keys WHERE tenant_id = $1 AND key = $2",
                )
                .bind(tenant_id)
                .bind(key)
                .fetch_one(self.pool())
                .await?;
                Ok(match u16::try_from(status) {
                    Ok(status) if status > 0 => $crate::storage::Reservation::Completed { fingerprint, status, body },
                    _ => $crate::storage::Reservation::InProgress { fingerprint },
                })
            }

            async fn complete_idempotency_key(
                &self,
                tenant_id: i64,
                key: &str,
                status: u16,
                body: &str,
            ) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                sqlx::query("UPDATE idempotency_keys SET status = $3, body = $4 WHERE tenant_id = $1 AND key = $2")
                    .bind(tenant_id)
                    .bind(key)
                    .bind(i32::from(status))
                    .bind(body)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }

            async fn release_idempotency_key(&self, tenant_id: i64, key: &str) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                sqlx::query("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2")
                    .bind(tenant_id)
                    .bind(key)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_idempotency;
