//! The one mapping from service errors to HTTP statuses and DRF-shaped JSON bodies. Internal
//! failures are logged here, once, with their cause chain (inside the request's span, which
//! carries its `x-request-id`), and answered with a sentence that shows nothing of them.

use crate::domain::FieldErrors;
use crate::services::{ServiceError, UNAVAILABLE_SENTENCE};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// An API error response.
#[derive(Debug)]
pub enum ApiError {
    /// A failed use case.
    Service(ServiceError),
    /// No `Authorization: Bearer …` header.
    NotAuthenticated,
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        ApiError::Service(err)
    }
}

fn detail(status: StatusCode, message: &str) -> (StatusCode, Value) {
    (status, json!({ "detail": message }))
}

/// Field messages as DRF nests them: `tiers.gold` is the `gold` field of the `tiers` object.
pub fn fields_json(fields: &FieldErrors) -> Value {
    let mut out = serde_json::Map::new();
    for (field, messages) in &fields.0 {
        match field.split_once('.') {
            Some((outer, inner)) => {
                let nested = out.entry(outer).or_insert_with(|| Value::Object(serde_json::Map::new()));
                if let Value::Object(nested) = nested {
                    nested.insert(inner.to_owned(), json!(messages));
                }
            }
            None => {
                out.insert(field.clone(), json!(messages));
            }
        }
    }
    Value::Object(out)
}

/// The status and JSON body of a service error.
pub fn service_error_parts(err: ServiceError) -> (StatusCode, Value) {
    match err {
        ServiceError::Validation(fields) => (StatusCode::BAD_REQUEST, fields_json(&fields)),
        ServiceError::FieldConflict(fields) => (StatusCode::CONFLICT, fields_json(&fields)),
        ServiceError::BadRequest(message) => (StatusCode::BAD_REQUEST, json!({ "error": message })),
        ServiceError::Malformed(message) => detail(StatusCode::BAD_REQUEST, &message),
        ServiceError::TooLarge(message) => detail(StatusCode::PAYLOAD_TOO_LARGE, &message),
        ServiceError::NotFound => detail(StatusCode::NOT_FOUND, "Not found."),
        ServiceError::InvalidPage => detail(StatusCode::NOT_FOUND, "Invalid page."),
        ServiceError::Conflict(message) => detail(StatusCode::CONFLICT, message),
        ServiceError::Unprocessable(message) => detail(StatusCode::UNPROCESSABLE_ENTITY, message),
        ServiceError::Forbidden => detail(StatusCode::FORBIDDEN, "You do not have permission to perform this action."),
        ServiceError::InvalidCredentials => {
            detail(StatusCode::UNAUTHORIZED, "No active account found with the given credentials")
        }
        ServiceError::TooManyAttempts { retry_after } => detail(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Too many attempts. Try again in {} minutes.", retry_after.div_ceil(60).max(1)),
        ),
        ServiceError::Busy => {
            detail(StatusCode::SERVICE_UNAVAILABLE, "Too many sign-ins at once. Try again in a moment.")
        }
        ServiceError::WrongPassword => {
            (StatusCode::BAD_REQUEST, json!({ "current_password": ["Your current password is not correct."] }))
        }
        ServiceError::InvalidToken => (
            StatusCode::UNAUTHORIZED,
            json!({ "detail": "Given token not valid for any token type", "code": "token_not_valid" }),
        ),
        ServiceError::Duplicate(message) => detail(StatusCode::BAD_REQUEST, &message),
        unavailable if unavailable.is_unavailable() => {
            tracing::warn!(error = %unavailable.chain(), "database unavailable");
            detail(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE_SENTENCE)
        }
        internal @ (ServiceError::Storage(_) | ServiceError::Hashing(_)) => {
            tracing::error!(error = %internal.chain(), "request failed");
            detail(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::NotAuthenticated => {
                detail(StatusCode::UNAUTHORIZED, "Authentication credentials were not provided.")
            }
            ApiError::Service(err) => {
                if let Some(seconds) = err.retry_after() {
                    let (status, body) = service_error_parts(err);
                    return (status, [(header::RETRY_AFTER, seconds.to_string())], Json(body)).into_response();
                }
                service_error_parts(err)
            }
        };
        (status, Json(body)).into_response()
    }
}

/// The result of an API handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_fields_nest_as_drf_nests_a_serializers_errors() {
        let mut fields = FieldErrors::single("tiers.gold", "Too low.");
        fields.add("spend_per_point", "Required.");
        fields.add("tiers.platinum", "Too high.");
        assert_eq!(
            fields_json(&fields),
            json!({"spend_per_point": ["Required."], "tiers": {"gold": ["Too low."], "platinum": ["Too high."]}})
        );
    }
}
