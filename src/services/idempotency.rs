//! Safe retries from a till: a request with an `Idempotency-Key` runs once per tenant, user,
//! method, path and key within 24 hours; a retry gets the first response and changes nothing.
//! A key whose request died half-way is free again after a minute.

use super::Core;
use crate::domain::RequestContext;
use crate::storage::idempotency::KeyScope;
use crate::storage::Reservation;
use std::future::Future;

use super::{ServiceError, ServiceResult};

/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// The message for a key that is empty, too long or not visible ASCII.
pub const INVALID_KEY: &str = "Invalid Idempotency-Key: 1 to 255 visible ASCII characters";

/// A response to store and replay: status and JSON body.
pub type StoredResponse = (u16, String);

/// A key as the client sent it, with the request it came with.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    /// The request's method.
    pub method: &'a str,
    /// The request's path.
    pub route: &'a str,
    /// The `Idempotency-Key` header.
    pub key: &'a str,
}

/// Runs `run` once for the caller's key on this route; replays the stored response for a repeated key with the same
/// fingerprint. A failure that is not the client's fault releases the key so a retry can run.
pub async fn run_once<F>(
    core: &Core,
    ctx: &RequestContext,
    scope: Scope<'_>,
    fingerprint: &str,
    run: F,
) -> ServiceResult<StoredResponse>
where
    F: Future<Output = StoredResponse>,
{
    let key = scope.key.trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ServiceError::BadRequest(INVALID_KEY));
    }
    let scope =
        KeyScope { tenant_id: ctx.tenant_id, user_id: ctx.user_id, method: scope.method, route: scope.route, key };
    match core.storage.reserve_idempotency_key(&scope, fingerprint, core.clock.now()).await? {
        Reservation::Reserved => {
            let (status, body) = run.await;
            if status >= 500 {
                core.storage.release_idempotency_key(&scope).await?;
            } else {
                core.storage.complete_idempotency_key(&scope, status, &body).await?;
            }
            Ok((status, body))
        }
        Reservation::Completed { fingerprint: first, status, body } if first == fingerprint => Ok((status, body)),
        Reservation::InProgress { fingerprint: first } if first == fingerprint => {
            Err(ServiceError::Conflict("A request with this Idempotency-Key is still being processed; retry shortly."))
        }
        _ => Err(ServiceError::Unprocessable("This Idempotency-Key was already used for a different request.")),
    }
}
