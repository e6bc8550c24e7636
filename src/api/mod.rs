//! The REST API under `/api/`: thin handlers over the services, JSON in and out.

pub mod auth;
pub mod error;
pub mod json;
pub mod users;

use crate::state::AppState;
use axum::routing::{get, patch, post};
use axum::Router;
use error::ApiError;

/// Every route under `/api/` (nested there by the server). Everything but the token endpoints needs a bearer token.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/token/", post(auth::obtain))
        .route("/auth/token/refresh/", post(auth::refresh))
        .route("/users/", get(users::list).post(users::create))
        .route("/users/{id}/", patch(users::update))
        .fallback(not_found)
}

async fn not_found() -> ApiError {
    ApiError::Service(crate::services::ServiceError::NotFound)
}
