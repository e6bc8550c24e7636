//! Failed sign-ins counted per key in fixed windows, in the database so that every instance
//! shares them. An attempt is counted before its password is checked (so parallel attempts all
//! count) and uncounted when it succeeds.

use super::StorageResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// One counter an attempt adds to, and how many failures it allows per window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitKey {
    /// `pair:…`, `email:…` or `address:…` (the services build them).
    pub key: String,
    /// Failures allowed within a window; the next attempt is refused.
    pub limit: i64,
}

/// Counters of failed sign-ins.
#[async_trait]
pub trait SignInLimits {
    /// Counts an attempt on every key at once (a key whose window started before
    /// `window_starts_after` starts a new window at `now`). When a key is past its limit nothing
    /// is counted and the answer is the end of the earliest window that refuses it.
    async fn count_sign_in_attempt(
        &self,
        keys: &[LimitKey],
        now: DateTime<Utc>,
        window_starts_after: DateTime<Utc>,
        window: chrono::Duration,
    ) -> StorageResult<Option<DateTime<Utc>>>;

    /// Uncounts a successful attempt: the `reset` key starts from zero, the others lose one.
    async fn uncount_sign_in_attempt(&self, keys: &[LimitKey], reset: &str) -> StorageResult<()>;

    /// Forgets counters whose window started before `before`; how many.
    async fn purge_sign_in_limits(&self, before: DateTime<Utc>) -> StorageResult<u64>;
}

/// Implements [`SignInLimits`] for a [`Dialect`](super::Dialect).
macro_rules! impl_sign_in_limits {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::SignInLimits for $backend {
            async fn count_sign_in_attempt(
                &self,
                keys: &[$crate::storage::LimitKey],
                now: chrono::DateTime<chrono::Utc>,
                window_starts_after: chrono::DateTime<chrono::Utc>,
                window: chrono::Duration,
            ) -> $crate::storage::StorageResult<Option<chrono::DateTime<chrono::Utc>>> {
                use $crate::storage::Dialect;
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                let mut refused: Option<chrono::DateTime<chrono::Utc>> = None;
                // Keys in a fixed order, so two attempts never wait on each other's rows in turn.
                let mut ordered: Vec<&$crate::storage::LimitKey> = keys.iter().collect();
                ordered.sort_by(|a, b| a.key.cmp(&b.key));
                for key in ordered {
                    let (started, failures): (chrono::DateTime<chrono::Utc>, i64) = sqlx::query_as(
                        "INSERT INTO sign_in_limits (key, window_start, failures) VALUES ($1, $2, 1) \
                         ON CONFLICT (key) DO UPDATE SET \
                         failures = CASE WHEN sign_in_limits.window_start < $3 THEN 1 \
                                         ELSE sign_in_limits.failures + 1 END, \
                         window_start = CASE WHEN sign_in_limits.window_start < $3 THEN excluded.window_start \
                                             ELSE sign_in_limits.window_start END \
                         RETURNING window_start, failures",
                    )
                    .bind(&key.key)
                    .bind(now)
                    .bind(window_starts_after)
                    .fetch_one(&mut *tx)
                    .await?;
                    if failures > key.limit {
                        let ends = started + window;
                        refused = Some(refused.map_or(ends, |r| r.max(ends)));
                    }
                }
                if refused.is_some() {
                    tx.rollback().await?;
                } else {
                    tx.commit().await?;
                }
                Ok(refused)
            }

            async fn uncount_sign_in_attempt(
                &self,
                keys: &[$crate::storage::LimitKey],
                reset: &str,
            ) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                let mut ordered: Vec<&$crate::storage::LimitKey> = keys.iter().collect();
                ordered.sort_by(|a, b| a.key.cmp(&b.key));
                for key in ordered {
                    sqlx::query(
                        "UPDATE sign_in_limits SET failures = CASE WHEN key = $2 THEN 0 ELSE failures - 1 END \
                         WHERE key = $1 AND failures > 0",
                    )
                    .bind(&key.key)
                    .bind(reset)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn purge_sign_in_limits(
                &self,
                before: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::Dialect;
                let done = sqlx::query("DELETE FROM sign_in_limits WHERE window_start < $1")
                    .bind(before)
                    .execute(&mut *self.writer().await?)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use impl_sign_in_limits;
