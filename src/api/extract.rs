//! What the API's handlers take from a request: the caller from the bearer token, and JSON bodies
//! whose rejections use the API's error shape.

use super::error::ApiError;
use crate::domain::{InvalidInput, RequestContext};
use crate::services::{accounts, Core, ServiceError};
use crate::web::client_address::ClientAddress;
use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The caller of an API route, from `Authorization: Bearer <access>`. Missing → 401.
#[derive(Clone, Copy, Debug)]
pub struct ApiContext(pub RequestContext);

impl<S> FromRequestParts<S> for ApiContext
where
    S: Send + Sync,
    Core: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let header =
            parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(ApiError::NotAuthenticated)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or(ApiError::NotAuthenticated)?;
        let client = parts.extensions.get::<ClientAddress>().copied().unwrap_or_default().0;
        Ok(ApiContext(accounts::authenticate_token(&Core::from_ref(state), token, client).await?))
    }
}

/// Like `axum::Json`, but a malformed body is a 400 with `{"detail": "JSON parse error - …"}`.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(ServiceError::Malformed(parse_error(rejection.body_text())).into()),
        }
    }
}

/// DRF's message for a body that is not JSON.
fn parse_error(reason: impl std::fmt::Display) -> String {
    format!("JSON parse error - {reason}")
}

/// A body read as JSON whatever its content type (as DRF's parser does for these routes); an
/// empty body is `{}`.
pub fn json_value(body: &Bytes) -> Result<Value, InvalidInput> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    serde_json::from_slice(body).map_err(|e| InvalidInput::Malformed(parse_error(e)))
}
