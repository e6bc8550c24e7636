//! `/api/loyalty/program/`: the tenant's loyalty program (any role reads it; owners change it).

use super::error::ApiResult;
use super::extract::{json_value, ApiContext};
use super::loyalty_json;
use super::render::ProgramJson;
use super::schemas::{Forbidden, InvalidRequest, ProgramInput, Unauthorized};
use crate::services::{loyalty, Core};
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;

#[utoipa::path(get, path = "/api/loyalty/program/", tag = "loyalty",
    responses((status = 200, description = "The tenant's loyalty program", body = ProgramJson), Unauthorized)
)]
/// `GET /api/loyalty/program/`.
pub async fn show(State(core): State<Core>, ApiContext(ctx): ApiContext) -> ApiResult<Json<ProgramJson>> {
    Ok(Json(ProgramJson::from(loyalty::program(&core, &ctx).await?)))
}

#[utoipa::path(put, path = "/api/loyalty/program/", tag = "loyalty", request_body = ProgramInput,
    responses(
        (status = 200, description = "The program; every customer whose tier changed has moved", body = ProgramJson),
        InvalidRequest,
        Unauthorized,
        Forbidden,
    )
)]
/// `PUT /api/loyalty/program/` (owners).
pub async fn replace(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    body: Bytes,
) -> ApiResult<Json<ProgramJson>> {
    let input = json_value(&body).and_then(|value| loyalty_json::program(&value));
    let changed = loyalty::set_program(&core, &ctx, input).await?;
    Ok(Json(ProgramJson::from(changed.program)))
}
