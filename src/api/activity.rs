//! `GET /api/activity/`: the tenant's activity log, for owners.

use super::error::ApiResult;
use super::extract::ApiContext;
use super::query::Params;
use super::render::{PageLinks, Paginated};
use super::schemas::{Detail, PageParams, Unauthorized};
use crate::domain::activity::{ActivityAction, TargetType};
use crate::services::activity::{self, ActivityView};
use crate::services::{Core, ServiceError};
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::IntoParams;

/// The log's filters; every one given must hold.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Read by name from the query string; declared for the OpenAPI document.
pub struct ActivityFilters {
    /// Rows by this user (id).
    actor: Option<i64>,
    /// Rows of this action.
    #[param(schema_with = action_names)]
    action: Option<String>,
    /// Rows about this kind of record.
    #[param(schema_with = target_types)]
    target_type: Option<String>,
    /// Rows about this record (id).
    target_id: Option<i64>,
    /// Rows written at or after this time (RFC 3339).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    since: Option<String>,
    /// Rows written at or before this time (RFC 3339).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    until: Option<String>,
}

/// One of the names of [`ActivityAction::ALL`].
fn action_names() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(ActivityAction::ALL.map(ActivityAction::as_str)))
        .description(Some("Rows of this action"))
        .into()
}

/// One of the names of [`TargetType::ALL`].
fn target_types() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(TargetType::ALL.map(TargetType::as_str)))
        .description(Some("Rows about this kind of record"))
        .into()
}

#[utoipa::path(get, path = "/api/activity/", tag = "activity", params(ActivityFilters, PageParams),
    responses((status = 200, description = "A page of the tenant's activity, newest first", body = Paginated<ActivityView>),
        (status = 400, description = "A filter is not valid", body = Object),
        Unauthorized,
        (status = 403, description = "Only owners read the activity log", body = Detail),
        (status = 404, description = "An invalid page", body = Detail)))]
/// The caller's tenant's activity log.
pub async fn list(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paginated<ActivityView>>> {
    let params = Params::new(raw.as_deref());
    activity::may_read(&ctx)?;
    let filter = activity::filter_from(|name| params.get(name)).map_err(ServiceError::Validation)?;
    let page = params.page().map_err(ServiceError::from)?;
    let found = activity::list(&core, &ctx, &filter, page).await?;
    Ok(Json(PageLinks { headers: &headers, uri: &uri, params: &params.0 }.rows(found)))
}
