//! `/api/auth/`: tokens for a password, rotated refresh tokens, a user's own password, and
//! signing out everywhere.

use super::error::ApiResult;
use super::extract::{ApiContext, JsonBody};
use super::schemas::{Detail, InvalidRequest, Unauthorized};
use crate::services::accounts::{self, PasswordChange};
use crate::services::sign_in::{self, TokenPair};
use crate::services::Core;
use crate::web::client_address::ClientAddress;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;

/// A pair of tokens as the API shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = TokenPair)]
pub struct TokenPairJson {
    /// Short-lived bearer token.
    access: String,
    /// Long-lived token to get a new pair, once.
    refresh: String,
}

impl From<TokenPair> for TokenPairJson {
    fn from(pair: TokenPair) -> Self {
        TokenPairJson { access: pair.access, refresh: pair.refresh }
    }
}

/// Credentials for a token pair.
#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    email: String,
    password: String,
}

#[utoipa::path(post, path = "/api/auth/token/", tag = "auth", security(()), request_body = TokenRequest,
    responses((status = 200, description = "An access token (about 15 minutes) and a refresh token (7 days)", body = TokenPairJson),
        (status = 400, description = "The body is not the JSON expected", body = Detail),
        (status = 401, description = "No active account found with the given credentials", body = Detail),
        (status = 429, description = "Too many failed sign-ins for this email from this address, for this email, or from this address; `Retry-After` says when to try again", body = Detail),
        (status = 503, description = "Too many sign-ins are being checked at once; `Retry-After` says when to try again", body = Detail)))]
/// Exchanges an email and password for an access and a refresh token.
pub async fn obtain(
    State(core): State<Core>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<TokenRequest>,
) -> ApiResult<Json<TokenPairJson>> {
    let user = sign_in::sign_in(&core, &body.email, &body.password, client).await?;
    Ok(Json(sign_in::issue_tokens(&core, &user).await?.into()))
}

/// A refresh token.
#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    refresh: String,
}

#[utoipa::path(post, path = "/api/auth/token/refresh/", tag = "auth", security(()), request_body = RefreshRequest,
    responses((status = 200, description = "A new access token and a new refresh token; the one sent is spent", body = TokenPairJson),
        (status = 400, description = "The body is not the JSON expected", body = Detail),
        (status = 401, description = "The refresh token is malformed, expired, revoked or spent (a spent token used again revokes every token of its sign-in)", body = Detail)))]
/// Exchanges a refresh token for a new pair (the refresh token rotates).
pub async fn refresh(
    State(core): State<Core>,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> ApiResult<Json<TokenPairJson>> {
    Ok(Json(sign_in::refresh(&core, &body.refresh).await?.into()))
}

/// A change of one's own password.
#[derive(Deserialize, ToSchema)]
pub struct PasswordChangeRequest {
    /// The password now.
    current_password: String,
    /// At least 12 characters, not one of the 1,000 most common passwords.
    #[schema(min_length = 12, max_length = 1024)]
    new_password: String,
}

#[utoipa::path(post, path = "/api/auth/password/", tag = "auth", request_body = PasswordChangeRequest,
    responses((status = 204, description = "Changed; every session and token of the user has ended (sign in again)"),
        InvalidRequest,
        Unauthorized))]
/// Changes the caller's own password.
pub async fn change_password(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    JsonBody(body): JsonBody<PasswordChangeRequest>,
) -> ApiResult<StatusCode> {
    let change = PasswordChange { current_password: body.current_password, new_password: body.new_password };
    accounts::change_own_password(&core, &ctx, change).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/auth/logout_all/", tag = "auth",
    responses((status = 204, description = "Every session, access token and refresh token of the caller has ended"),
        Unauthorized))]
/// Ends every session and token of the caller.
pub async fn logout_all(State(core): State<Core>, ApiContext(ctx): ApiContext) -> ApiResult<StatusCode> {
    accounts::sign_out_everywhere(&core, &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}
