//! `/api/customers/`: the seed's REST contract (paths, parameters, shapes, statuses, messages).
//! Each handler parses its request into domain types, calls one service and renders the result.

use super::customer_json;
use super::error::ApiResult;
use super::extract::{json_value, ApiContext};
use super::idempotent::{once, stored};
use super::query::{list_query, Params};
use super::render::{CustomerJson, PageLinks, Paginated, PointsJson};
use super::schemas::{
    BulkUpdateBody, CustomerChanges, CustomerId, CustomerInput, Detail, Forbidden, IdempotencyKey, InvalidRequest,
    KeyInProgress, KeyReused, ListFilters, NotFound, PageParams, PointsChangeBody, Unauthorized,
};
use crate::domain::customer_input::CustomerPatch;
use crate::domain::{Input, RequestContext};
use crate::services::customers::{self, CustomerStats};
use crate::services::{Core, ServiceError, ServiceResult};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Serialize;

/// A customer or order id from the path; one that is not a number names none.
pub(crate) fn path_id(raw: &str) -> ServiceResult<i64> {
    raw.parse::<i64>().map_err(|_| ServiceError::NotFound)
}

#[utoipa::path(get, path = "/api/customers/", tag = "customers", params(ListFilters, PageParams),
    responses(
        (status = 200, description = "A page of customers", body = Paginated<CustomerJson>),
        InvalidRequest,
        Unauthorized,
        (status = 404, description = "Invalid page", body = Detail),
    )
)]
/// `GET /api/customers/`.
pub async fn list(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paginated<CustomerJson>>> {
    let params = Params::new(raw.as_deref());
    let page = customers::list(&core, &ctx, &list_query(&params)?).await?;
    let results = page.items.into_iter().map(CustomerJson::from).collect();
    let links = PageLinks { headers: &headers, uri: &uri, params: &params.0 };
    Ok(Json(links.page(page.count, page.number, page.has_next, results)))
}

#[utoipa::path(post, path = "/api/customers/", tag = "customers", params(IdempotencyKey), request_body = CustomerInput,
    responses((status = 201, description = "Created", body = CustomerJson), InvalidRequest, Unauthorized, KeyInProgress, KeyReused)
)]
/// `POST /api/customers/` (honours `Idempotency-Key`).
pub async fn create(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    method: Method,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> ApiResult<Response> {
    let value = json_value(&body).map_err(ServiceError::from)?;
    let run = async {
        let created = customers::create(&core, &ctx, customer_json::new_customer(&value)).await;
        stored(StatusCode::CREATED, created.map(CustomerJson::from))
    };
    once(&core, &ctx, (&method, &uri), &headers, &body, run).await
}

#[utoipa::path(get, path = "/api/customers/{id}/", tag = "customers", params(CustomerId),
    responses((status = 200, description = "The customer, with its average order value", body = CustomerJson), Unauthorized, NotFound)
)]
/// `GET /api/customers/{id}/` (with `average_order_value`).
pub async fn detail(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
) -> ApiResult<Json<CustomerJson>> {
    let detail = customers::detail(&core, &ctx, path_id(&id)?).await?;
    Ok(Json(CustomerJson::from(detail)))
}

#[utoipa::path(put, path = "/api/customers/{id}/", tag = "customers", params(CustomerId), request_body = CustomerInput,
    responses((status = 200, description = "Updated", body = CustomerJson), InvalidRequest, Unauthorized, Forbidden, NotFound)
)]
/// `PUT`: every writable field (name and email required).
pub async fn replace(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<CustomerJson>> {
    let patch = json_value(&body).and_then(|value| customer_json::new_customer(&value).map(CustomerPatch::from));
    write(&core, &ctx, &id, patch).await
}

#[utoipa::path(patch, path = "/api/customers/{id}/", tag = "customers", params(CustomerId),
    request_body(content = CustomerChanges, description = "The fields to change; an empty or missing body changes nothing"),
    responses((status = 200, description = "Updated", body = CustomerJson), InvalidRequest, Unauthorized, Forbidden, NotFound)
)]
/// `PATCH`: the fields given.
pub async fn change(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<CustomerJson>> {
    let patch = json_value(&body).and_then(|value| customer_json::customer_patch(&value));
    write(&core, &ctx, &id, patch).await
}

/// Writes a PUT's or a PATCH's fields to customer `id`.
async fn write(
    core: &Core,
    ctx: &RequestContext,
    id: &str,
    patch: Input<CustomerPatch>,
) -> ApiResult<Json<CustomerJson>> {
    let customer = customers::update(core, ctx, path_id(id)?, patch).await?;
    Ok(Json(CustomerJson::from(customer)))
}

#[utoipa::path(delete, path = "/api/customers/{id}/", tag = "customers", params(CustomerId),
    responses((status = 204, description = "Deleted"), Unauthorized, Forbidden, NotFound)
)]
/// `DELETE /api/customers/{id}/`.
pub async fn delete(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    customers::delete(&core, &ctx, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/customers/stats/", tag = "customers",
    responses((status = 200, description = "Totals and customers per tier", body = CustomerStats), Unauthorized)
)]
/// `GET /api/customers/stats/`.
pub async fn stats(State(core): State<Core>, ApiContext(ctx): ApiContext) -> ApiResult<Json<CustomerStats>> {
    Ok(Json(customers::stats(&core, &ctx).await?))
}

#[utoipa::path(post, path = "/api/customers/{id}/update_points/", tag = "customers", params(CustomerId, IdempotencyKey),
    request_body = PointsChangeBody,
    responses(
        (status = 200, description = "The customer after the change", body = CustomerJson),
        InvalidRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        KeyInProgress,
        KeyReused,
    )
)]
/// `POST /api/customers/{id}/update_points/` (honours `Idempotency-Key`).
pub async fn update_points(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    method: Method,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(&id)?;
    let value = match json_value(&body) {
        Ok(value) => value,
        // A body that is not JSON is refused before its key is claimed (after "not found").
        Err(malformed) => return Err(customers::refusal(&core, &ctx, id, malformed).await.into()),
    };
    let change = customer_json::points_change(&value);
    let run = async {
        let changed = customers::change_points(&core, &ctx, id, change).await;
        stored(StatusCode::OK, changed.map(CustomerJson::from))
    };
    once(&core, &ctx, (&method, &uri), &headers, &body, run).await
}

/// The answer to a bulk update.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    message: String,
}

#[utoipa::path(post, path = "/api/customers/bulk_update/", tag = "customers", request_body = BulkUpdateBody,
    responses(
        (status = 200, description = "How many of the caller's customers were updated", body = BulkResult),
        InvalidRequest,
        Unauthorized,
        Forbidden,
    )
)]
/// `POST /api/customers/bulk_update/`.
pub async fn bulk_update(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    body: Bytes,
) -> ApiResult<Json<BulkResult>> {
    let update = json_value(&body).and_then(|value| customer_json::bulk_update(&value));
    let updated = customers::bulk_set_active(&core, &ctx, update).await?;
    Ok(Json(BulkResult { message: format!("{updated} customers updated successfully") }))
}

#[utoipa::path(get, path = "/api/customers/{id}/points_history/", tag = "customers", params(CustomerId, PageParams),
    responses(
        (status = 200, description = "A page of points changes, newest first", body = Paginated<PointsJson>),
        Unauthorized,
        (status = 404, description = "Not found, or an invalid page", body = Detail),
    )
)]
/// `GET /api/customers/{id}/points_history/`.
pub async fn points_history(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paginated<PointsJson>>> {
    let params = Params::new(raw.as_deref());
    let page = params.page().map_err(ServiceError::from)?;
    let history = customers::points_history(&core, &ctx, path_id(&id)?, page).await?;
    Ok(Json(PageLinks { headers: &headers, uri: &uri, params: &params.0 }.rows(history)))
}
