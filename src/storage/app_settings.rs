//! Application settings kept in the database (the generated token secret), shared by every
//! instance that uses it.

use super::StorageResult;
use async_trait::async_trait;

/// Key-value settings of the whole installation.
#[async_trait]
pub trait AppSettings {
    /// Stores `value` under `key` unless a value is already there; returns the stored value, so
    /// that concurrent first starts agree on one.
    async fn setting_or_insert(&self, key: &str, value: &str) -> StorageResult<String>;
}

/// Implements [`AppSettings`] for a [`Dialect`](super::Dialect).
macro_rules! impl_app_settings {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::AppSettings for $backend {
            async fn setting_or_insert(&self, key: &str, value: &str) -> $crate::storage::StorageResult<String> {
                use $crate::storage::Dialect;
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                    .bind(key)
                    .bind(value)
                    .execute(&mut *self.writer().await?)
                    .await?;
                Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                    .bind(key)
                    .fetch_one(&mut *self.reader().await?)
                    .await?)
            }
        }
    };
}

pub(crate) use impl_app_settings;
