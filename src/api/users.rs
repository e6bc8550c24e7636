//! `/api/users/`: the tenant's users, for owners.

use super::error::ApiResult;
use super::extract::ApiContext;
use super::extract::JsonBody;
use super::schemas::{Detail, InvalidRequest, NewUserBody, Unauthorized, UserChangeBody};
use crate::services::accounts::{self, NewUserInput, UserChangeInput, UserView};
use crate::services::{Core, ServiceError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

#[utoipa::path(get, path = "/api/users/", tag = "users",
    responses((status = 200, description = "The tenant's users", body = Vec<UserView>),
        Unauthorized,
        (status = 403, description = "Only owners manage users", body = Detail)))]
/// Lists the caller's tenant's users.
pub async fn list(State(core): State<Core>, ApiContext(ctx): ApiContext) -> ApiResult<Json<Vec<UserView>>> {
    Ok(Json(accounts::list_users(&core, &ctx).await?))
}

#[utoipa::path(post, path = "/api/users/", tag = "users", request_body = NewUserBody,
    responses((status = 201, description = "Created", body = UserView),
        InvalidRequest,
        Unauthorized,
        (status = 403, description = "Only owners manage users", body = Detail)))]
/// Adds a user to the caller's tenant.
pub async fn create(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    JsonBody(input): JsonBody<NewUserInput>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    Ok((StatusCode::CREATED, Json(accounts::add_user(&core, &ctx, input).await?)))
}

#[utoipa::path(patch, path = "/api/users/{id}/", tag = "users", request_body = UserChangeBody,
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 200, description = "Updated; deactivation and a new password revoke their tokens", body = UserView),
        InvalidRequest,
        Unauthorized,
        (status = 403, description = "Only owners manage users", body = Detail),
        (status = 404, description = "Not a user of the caller's tenant", body = Detail)))]
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
