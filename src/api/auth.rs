//! `POST /api/auth/token/` and `POST /api/auth/token/refresh/`.

use super::error::ApiResult;
use super::extract::JsonBody;
use super::schemas::Detail;
use crate::services::accounts::{self, TokenPair};
use crate::services::Core;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Credentials for a token pair.
#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    email: String,
    password: String,
}

#[utoipa::path(post, path = "/api/auth/token/", tag = "auth", security(()), request_body = TokenRequest,
    responses((status = 200, description = "An access token (about 15 minutes) and a refresh token (7 days)", body = TokenPair),
        (status = 400, description = "The body is not the JSON expected", body = Detail),
        (status = 401, description = "No active account found with the given credentials", body = Detail),
        (status = 429, description = "Too many failed sign-ins for this email", body = Detail)))]
/// Exchanges an email and password for an access and a refresh token.
pub async fn obtain(State(core): State<Core>, JsonBody(body): JsonBody<TokenRequest>) -> ApiResult<Json<TokenPair>> {
    let user = accounts::sign_in(&core, &body.email, &body.password).await?;
    Ok(Json(accounts::issue_tokens(&core, &user)))
}

/// A refresh token.
#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    refresh: String,
}

/// A new access token.
#[derive(Serialize, ToSchema)]
pub struct AccessToken {
    access: String,
}

#[utoipa::path(post, path = "/api/auth/token/refresh/", tag = "auth", security(()), request_body = RefreshRequest,
    responses((status = 200, description = "A new access token", body = AccessToken),
        (status = 400, description = "The body is not the JSON expected", body = Detail),
        (status = 401, description = "The refresh token is malformed, expired or revoked", body = Detail)))]
/// Exchanges a refresh token for a new access token.
pub async fn refresh(
    State(core): State<Core>,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> ApiResult<Json<AccessToken>> {
    let access = accounts::refresh_access(&core, &body.refresh).await?;
    Ok(Json(AccessToken { access }))
}
