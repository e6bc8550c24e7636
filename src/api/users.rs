//! `/api/users/`: the tenant's users, for owners.

use super::error::ApiResult;
use super::extract::ApiContext;
use super::extract::JsonBody;
use crate::services::accounts::{self, NewUserInput, UserChangeInput, UserView};
use crate::services::{Core, ServiceError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

/// Lists the caller's tenant's users.
pub async fn list(State(core): State<Core>, ApiContext(ctx): ApiContext) -> ApiResult<Json<Vec<UserView>>> {
    Ok(Json(accounts::list_users(&core, &ctx).await?))
}

/// Adds a user to the caller's tenant.
pub async fn create(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    JsonBody(input): JsonBody<NewUserInput>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    Ok((StatusCode::CREATED, Json(accounts::add_user(&core, &ctx, input).await?)))
}

/// Changes a user's role, activity or password.
pub async fn update(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<UserChangeInput>,
) -> ApiResult<Json<UserView>> {
    // An id that is not a number names no user: 404 in the API's shape, not the router's text.
    let id = id.parse::<i64>().map_err(|_| ServiceError::NotFound)?;
    Ok(Json(accounts::change_user(&core, &ctx, id, input).await?))
}
