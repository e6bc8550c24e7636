//! The signed-in browser user: what the session remembers, and the extractor the pages' server
//! functions use to get the caller.

use crate::domain::{RequestContext, SessionUser};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

/// The session key holding [`SessionAuth`](crate::services::accounts::SessionAuth).
pub const SESSION_USER_KEY: &str = "auth";

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

impl<S: Send + Sync> OptionalFromRequestParts<S> for SessionContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<SessionContext>().cloned())
    }
}
