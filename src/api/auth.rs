//! `POST /api/auth/token/` and `POST /api/auth/token/refresh/`.

use super::error::ApiResult;
use super::extract::JsonBody;
use crate::services::accounts::{self, TokenPair};
use crate::services::Core;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// Credentials for a token pair.
#[derive(Deserialize)]
pub struct TokenRequest {
    email: String,
    password: String,
}

/// Exchanges an email and password for an access and a refresh token.
pub async fn obtain(State(core): State<Core>, JsonBody(body): JsonBody<TokenRequest>) -> ApiResult<Json<TokenPair>> {
    let user = accounts::sign_in(&core, &body.email, &body.password).await?;
    Ok(Json(accounts::issue_tokens(&core, &user)))
}

/// A refresh token.
#[derive(Deserialize)]
pub struct RefreshRequest {
    refresh: String,
}

/// Exchanges a refresh token for a new access token.
pub async fn refresh(State(core): State<Core>, JsonBody(body): JsonBody<RefreshRequest>) -> ApiResult<Json<Value>> {
    let access = accounts::refresh_access(&core, &body.refresh).await?;
    Ok(Json(json!({ "access": access })))
}
