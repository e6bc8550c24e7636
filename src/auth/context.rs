//! Extractors that turn a bearer token or a browser session into a [`RequestContext`].

use crate::api::error::ApiError;
use crate::domain::{RequestContext, SessionUser};
use crate::services::accounts;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// The session key holding [`accounts::SessionAuth`].
pub const SESSION_USER_KEY: &str = "auth";

/// The caller of an API route, from `Authorization: Bearer <access>`. Missing → 401.
#[derive(Clone, Copy, Debug)]
pub struct ApiContext(pub RequestContext);

impl FromRequestParts<AppState> for ApiContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header =
            parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(ApiError::NotAuthenticated)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or(ApiError::NotAuthenticated)?;
        Ok(ApiContext(accounts::authenticate_token(state, token).await?))
    }
}

/// The signed-in browser user, put in the request by the session gate. Missing → not signed in.
#[derive(Clone, Debug)]
pub struct SessionContext {
    /// For the services.
    pub ctx: RequestContext,
    /// For the app shell.
    pub user: SessionUser,
}

/// The rejection when no one is signed in.
#[derive(Debug)]
pub struct NotSignedIn;

impl axum::response::IntoResponse for NotSignedIn {
    fn into_response(self) -> axum::response::Response {
        (axum::http::StatusCode::UNAUTHORIZED, "Sign in first.").into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SessionContext {
    type Rejection = NotSignedIn;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<SessionContext>().cloned().ok_or(NotSignedIn)
    }
}
