//! The one mapping from service errors to HTTP statuses and DRF-shaped JSON bodies.

use crate::services::ServiceError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An API error response.
#[derive(Debug)]
pub enum ApiError {
    /// A failed use case.
    Service(ServiceError),
    /// No `Authorization: Bearer …` header.
    NotAuthenticated,
    /// The body is not the JSON the endpoint expects.
    MalformedBody(String),
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        ApiError::Service(err)
    }
}

fn detail(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "detail": message }))).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotAuthenticated => {
                detail(StatusCode::UNAUTHORIZED, "Authentication credentials were not provided.")
            }
            ApiError::MalformedBody(message) => detail(StatusCode::BAD_REQUEST, &message),
            ApiError::Service(err) => match err {
                ServiceError::Validation(fields) => (StatusCode::BAD_REQUEST, Json(fields)).into_response(),
                ServiceError::BadRequest(message) => {
                    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
                }
                ServiceError::NotFound => detail(StatusCode::NOT_FOUND, "Not found."),
                ServiceError::Forbidden => {
                    detail(StatusCode::FORBIDDEN, "You do not have permission to perform this action.")
                }
                ServiceError::InvalidCredentials => {
                    detail(StatusCode::UNAUTHORIZED, "No active account found with the given credentials")
                }
                ServiceError::TooManyAttempts => {
                    detail(StatusCode::TOO_MANY_REQUESTS, "Too many attempts. Try again in 15 minutes.")
                }
                ServiceError::InvalidToken => (
                    StatusCode::UNAUTHORIZED,
                    Json(json!({ "detail": "Given token not valid for any token type", "code": "token_not_valid" })),
                )
                    .into_response(),
                ServiceError::Duplicate(message) => detail(StatusCode::BAD_REQUEST, &message),
                ServiceError::Internal(cause) => {
                    tracing::error!(%cause, "request failed");
                    detail(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
                }
            },
        }
    }
}

/// The result of an API handler.
pub type ApiResult<T> = Result<T, ApiError>;
