//! Whether the database answers: what a load balancer's readiness check asks.

use super::StorageResult;
use async_trait::async_trait;

/// The database's liveness, as seen from one instance.
#[async_trait]
pub trait Health {
    /// Runs the cheapest query there is on a pooled connection.
    async fn ping(&self) -> StorageResult<()>;
}

/// Implements [`Health`] for a [`Dialect`](super::Dialect).
macro_rules! impl_health {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::Health for $backend {
            async fn ping(&self) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                sqlx::query("SELECT 1").execute(&mut *self.reader().await?).await?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_health;
