//! `Idempotency-Key` at the edge: the request's fingerprint, the stored response replayed as it
//! was sent, and the `Idempotent-Replayed` header.

use super::error::{service_error_parts, ApiResult};
use crate::domain::RequestContext;
use crate::services::{idempotency, Core, ServiceError, ServiceResult, UNAVAILABLE_RETRY_AFTER};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::Digest;
use std::future::Future;

/// A use case's outcome as it is sent and stored: status and JSON text.
pub fn stored<T: Serialize>(status: StatusCode, result: ServiceResult<T>) -> (u16, String) {
    let (status, body) = match result.map(|value| serde_json::to_value(value)) {
        Ok(Ok(value)) => (status, value),
        Ok(Err(err)) => {
            tracing::error!(%err, "could not render a response");
            (StatusCode::INTERNAL_SERVER_ERROR, serde_json::json!({ "detail": "Internal server error" }))
        }
        Err(err) => service_error_parts(err),
    };
    (status.as_u16(), body.to_string())
}

/// Runs a write once per `Idempotency-Key` of the caller on this method and path (or simply runs
/// it without one).
pub async fn once(
    core: &Core,
    ctx: &RequestContext,
    (method, uri): (&Method, &Uri),
    headers: &HeaderMap,
    body: &[u8],
    run: impl Future<Output = (u16, String)>,
) -> ApiResult<Response> {
    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(key)) => Some(key),
        Some(Err(_)) => return Err(ServiceError::BadRequest(idempotency::INVALID_KEY).into()),
    };
    let (status, text, replayed) = match key {
        None => {
            let (status, text) = run.await;
            (status, text, false)
        }
        Some(key) => {
            let digest = sha2::Sha256::new().chain_update(uri.path()).chain_update(b"\n").chain_update(body).finalize();
            let fingerprint: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            let mut ran = false;
            let scope = idempotency::Scope { method: method.as_str(), route: uri.path(), key };
            let (status, text) = idempotency::run_once(core, ctx, scope, &fingerprint, async {
                ran = true;
                run.await
            })
            .await?;
            (status, text, !ran)
        }
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], text).into_response();
    if replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        // The database went out of reach while the write ran: nothing was stored, try again.
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_AFTER));
    }
    Ok(response)
}
