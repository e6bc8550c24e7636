//! What a load balancer asks, without signing in: `GET /healthz` (the process answers) and
//! `GET /readyz` (its database answers within a second).

use crate::services::{health, Core, UNAVAILABLE_RETRY_AFTER};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// `GET /healthz`: 200 `{"status": "ok"}` whenever the process serves requests.
pub async fn live() -> Response {
    (no_store(), Json(json!({ "status": "ok" }))).into_response()
}

/// `GET /readyz`: 200 `{"status": "ready"}` when the database answered `SELECT 1` within a
/// second, else 503 `{"status": "unavailable"}` with `Retry-After`.
pub async fn ready(State(core): State<Core>) -> Response {
    match health::ready(&core).await {
        Ok(()) => (no_store(), Json(json!({ "status": "ready" }))).into_response(),
        Err(err) => {
            tracing::warn!(error = %err.chain(), "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, UNAVAILABLE_RETRY_AFTER.to_string())],
                no_store(),
                Json(json!({ "status": "unavailable" })),
            )
                .into_response()
        }
    }
}

/// Health answers are never cached along the way.
fn no_store() -> [(header::HeaderName, &'static str); 1] {
    [(header::CACHE_CONTROL, "no-store")]
}
