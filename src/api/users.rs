//! `/api/users/`: the tenant's users, for owners.

use super::error::ApiResult;
use super::json::JsonBody;
use crate::auth::ApiContext;
use crate::services::accounts::{self, NewUserInput, UserChangeInput, UserView};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

/// Lists the caller's tenant's users.
pub async fn list(State(state): State<AppState>, ApiContext(ctx): ApiContext) -> ApiResult<Json<Vec<UserView>>> {
    Ok(Json(accounts::list_users(&state, &ctx).await?))
}

/// Adds a user to the caller's tenant.
pub async fn create(
    State(state): State<AppState>,
    ApiContext(ctx): ApiContext,
    JsonBody(input): JsonBody<NewUserInput>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    Ok((StatusCode::CREATED, Json(accounts::add_user(&state, &ctx, input).await?)))
}

/// Changes a user's role, activity or password.
pub async fn update(
    State(state): State<AppState>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<UserChangeInput>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(accounts::change_user(&state, &ctx, id, input).await?))
}
