//! Readiness: whether this instance can serve requests that need the database.

use super::{Core, ServiceResult};
use crate::storage::StorageError;
use std::time::Duration;

/// How long the database has to answer a readiness check.
pub const READY_WITHIN: Duration = Duration::from_secs(1);

/// `Ok` when the database answers a query within [`READY_WITHIN`]; otherwise the database is
/// out of reach ([`ServiceError::is_unavailable`](super::ServiceError::is_unavailable)).
pub async fn ready(core: &Core) -> ServiceResult<()> {
    match tokio::time::timeout(READY_WITHIN, core.storage.ping()).await {
        Ok(answered) => Ok(answered?),
        Err(_) => Err(StorageError::Unavailable(sqlx::Error::PoolTimedOut).into()),
    }
}
