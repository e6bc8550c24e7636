//! Forgetting what has expired: sessions, sign-in counters, refresh tokens and idempotency keys.
//! The server does it every ten minutes; each instance may, the deletes are idempotent.

use super::sign_in::LIMIT_WINDOW_MINUTES;
use super::{Core, ServiceResult};
use chrono::{DateTime, Duration, Utc};

/// What one round forgot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Forgotten {
    /// Expired browser sessions.
    pub sessions: u64,
    /// Sign-in counters whose window is over.
    pub sign_in_limits: u64,
    /// Expired refresh tokens.
    pub refresh_tokens: u64,
    /// Idempotency keys older than 24 hours.
    pub idempotency_keys: u64,
}

/// Removes everything that has expired at `now`.
pub async fn forget_expired(core: &Core, now: DateTime<Utc>) -> ServiceResult<Forgotten> {
    Ok(Forgotten {
        sessions: core.storage.delete_expired_sessions(now.timestamp()).await?,
        sign_in_limits: core.storage.purge_sign_in_limits(now - Duration::minutes(LIMIT_WINDOW_MINUTES)).await?,
        refresh_tokens: core.storage.purge_refresh_tokens(now.timestamp()).await?,
        idempotency_keys: core.storage.purge_idempotency_keys(now - Duration::hours(24)).await?,
    })
}
