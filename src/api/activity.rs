//! `GET /api/activity/`: the tenant's activity log, for owners.

use super::error::ApiResult;
use super::extract::ApiContext;
use super::query::Params;
use super::render::{ActivityJson, PageLinks, Paginated};
use super::schemas::{Detail, PageParams, Unauthorized};
use crate::domain::activity::{ActivityAction, TargetType};
use crate::services::activity;
use crate::services::{Core, ServiceError};
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::KnownFormat;
use utoipa::IntoParams;

/// The log's filters; every one given must hold.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Read by name from the query string; declared for the OpenAPI document.
pub struct ActivityFilters {
    /// Rows by this user (id).
    #[param(schema_with = blank_or_id)]
    actor: Option<i64>,
    /// Rows of this action.
    #[param(schema_with = action_names)]
    action: Option<String>,
    /// Rows about this kind of record.
    #[param(schema_with = target_types)]
    target_type: Option<String>,
    /// Rows about this record (id).
    #[param(schema_with = blank_or_id)]
    target_id: Option<i64>,
    /// Rows written at or after this time (RFC 3339).
    #[param(schema_with = blank_or_time)]
    since: Option<String>,
    /// Rows written at or before this time (RFC 3339).
    #[param(schema_with = blank_or_time)]
    until: Option<String>,
}

/// A filter left blank (as an HTML form sends it) is no filter, as DRF's filters read it.
fn blank_or(schema: Schema) -> Schema {
    let blank = ObjectBuilder::new().schema_type(Type::String).max_length(Some(0));
    OneOfBuilder::new().item(schema).item(blank).into()
}

/// An id, or blank.
fn blank_or_id() -> Schema {
    blank_or(
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .into(),
    )
}

/// An RFC 3339 time, or blank.
fn blank_or_time() -> Schema {
    blank_or(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .into(),
    )
}

/// One of the names of [`ActivityAction::ALL`].
fn action_names() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(ActivityAction::ALL.map(ActivityAction::as_str).into_iter().chain([""])))
        .description(Some("Rows of this action"))
        .into()
}

/// One of the names of [`TargetType::ALL`].
fn target_types() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(TargetType::ALL.map(TargetType::as_str).into_iter().chain([""])))
        .description(Some("Rows about this kind of record"))
        .into()
}

#[utoipa::path(get, path = "/api/activity/", tag = "activity", params(ActivityFilters, PageParams),
    responses((status = 200, description = "A page of the tenant's activity, newest first", body = Paginated<ActivityJson>),
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
) -> ApiResult<Json<Paginated<ActivityJson>>> {
    let params = Params::new(raw.as_deref());
    activity::may_read(&ctx)?;
    let given = |name: &str| params.get(name).unwrap_or_default();
    let text = activity::FilterText {
        actor: given("actor"),
        action: given("action"),
        target_type: given("target_type"),
        target_id: given("target_id"),
        since: given("since"),
        until: given("until"),
    };
    let filter = text.parse().map_err(ServiceError::Validation)?;
    let page = params.page().map_err(ServiceError::from)?;
    let found = activity::list(&core, &ctx, &filter, page).await?;
    Ok(Json(PageLinks { headers: &headers, uri: &uri, params: &params.0 }.rows(found)))
}
