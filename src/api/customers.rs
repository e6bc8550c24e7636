//! `/api/customers/`: the seed's REST contract (paths, parameters, shapes, statuses, messages).
//! Each handler parses its request into domain types, calls one service and renders the result.

use super::customer_json;
use super::error::ApiResult;
use super::extract::{json_value, ApiContext};
use super::idempotent::{once, stored};
use super::query::{list_query, Params};
use super::render::{CustomerJson, PageLinks, Paginated, PointsJson};
use crate::domain::customer_input::CustomerPatch;
use crate::domain::Input;
use crate::services::customers::{self, CustomerStats};
use crate::services::{Core, ServiceError, ServiceResult};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Serialize;

/// A customer id from the path; one that is not a number names no customer.
fn customer_id(raw: &str) -> ServiceResult<i64> {
    raw.parse::<i64>().map_err(|_| ServiceError::NotFound)
}

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

/// `POST /api/customers/` (honours `Idempotency-Key`).
pub async fn create(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> ApiResult<Response> {
    let value = json_value(&body).map_err(ServiceError::from)?;
    let run = async {
        let created = customers::create(&core, &ctx, customer_json::new_customer(&value)).await;
        stored(StatusCode::CREATED, created.map(CustomerJson::from))
    };
    once(&core, &ctx, &headers, &uri, &body, run).await
}

/// `GET /api/customers/{id}/` (with `average_order_value`).
pub async fn detail(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
) -> ApiResult<Json<CustomerJson>> {
    let detail = customers::detail(&core, &ctx, customer_id(&id)?).await?;
    Ok(Json(CustomerJson::from(detail)))
}

/// `PUT` (every writable field; name and email required) and `PATCH` (the fields given).
pub async fn update(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    method: Method,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<CustomerJson>> {
    let id = customer_id(&id)?;
    let patch: Input<CustomerPatch> = json_value(&body).and_then(|value| {
        if method == Method::PUT {
            customer_json::new_customer(&value).map(CustomerPatch::from)
        } else {
            customer_json::customer_patch(&value)
        }
    });
    let customer = customers::update(&core, &ctx, id, patch).await?;
    Ok(Json(CustomerJson::from(customer)))
}

/// `DELETE /api/customers/{id}/`.
pub async fn delete(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    customers::delete(&core, &ctx, customer_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/customers/stats/`.
pub async fn stats(State(core): State<Core>, ApiContext(ctx): ApiContext) -> ApiResult<Json<CustomerStats>> {
    Ok(Json(customers::stats(&core, &ctx).await?))
}

/// `POST /api/customers/{id}/update_points/` (honours `Idempotency-Key`).
pub async fn update_points(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = customer_id(&id)?;
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
    once(&core, &ctx, &headers, &uri, &body, run).await
}

/// The answer to a bulk update.
#[derive(Serialize)]
pub struct BulkResult {
    message: String,
}

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
    let history = customers::points_history(&core, &ctx, customer_id(&id)?, page).await?;
    let results = history.items.into_iter().map(PointsJson::from).collect();
    let links = PageLinks { headers: &headers, uri: &uri, params: &params.0 };
    Ok(Json(links.page(history.count, history.number, history.has_next, results)))
}
