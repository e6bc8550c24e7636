//! `/api/customers/{id}/orders/`, `/api/orders/{id}/refund/` and
//! `/api/customers/{id}/tier_history/`: thin handlers over the orders and loyalty services.

use super::customers::path_id;
use super::error::ApiResult;
use super::extract::{json_value, ApiContext};
use super::idempotent::{once, stored};
use super::loyalty_json;
use super::query::Params;
use super::render::{OrderJson, PageLinks, Paginated, TierChangeJson};
use super::schemas::{
    CustomerId, Detail, Forbidden, IdempotencyKey, InvalidRequest, KeyInProgress, KeyReused, NotFound, OrderId,
    OrderInput, PageParams, RefundInput, Unauthorized,
};
use crate::services::{customers, loyalty, orders, Core, ServiceError};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::Json;

#[utoipa::path(post, path = "/api/customers/{id}/orders/", tag = "orders", params(CustomerId, IdempotencyKey),
    request_body = OrderInput,
    responses(
        (status = 201, description = "Recorded, with its totals and points applied", body = OrderJson),
        (status = 200, description = "The same reference, customer and total were recorded before: that order, nothing applied again", body = OrderJson),
        InvalidRequest,
        Unauthorized,
        NotFound,
        (status = 409, description = "Another order has this reference", body = Object),
        KeyReused,
    )
)]
/// `POST /api/customers/{id}/orders/` (any role; honours `Idempotency-Key`).
pub async fn record(
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
        Err(malformed) => return Err(customers::refusal(&core, &ctx, id, malformed).await.into()),
    };
    let run = async {
        let recorded = orders::record(&core, &ctx, id, loyalty_json::new_order(&value)).await;
        let retried = recorded.as_ref().is_ok_and(|r| !r.created);
        let status = if retried { StatusCode::OK } else { StatusCode::CREATED };
        stored(status, recorded.map(|r| OrderJson::from(r.order)))
    };
    once(&core, &ctx, (&method, &uri), &headers, &body, run).await
}

#[utoipa::path(get, path = "/api/customers/{id}/orders/", tag = "orders", params(CustomerId, PageParams),
    responses(
        (status = 200, description = "A page of the customer's orders, newest first", body = Paginated<OrderJson>),
        Unauthorized,
        (status = 404, description = "Not found, or an invalid page", body = Detail),
    )
)]
/// `GET /api/customers/{id}/orders/`.
pub async fn list(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paginated<OrderJson>>> {
    let params = Params::new(raw.as_deref());
    let id = path_id(&id)?;
    let page = params.page().map_err(ServiceError::from)?;
    let found = orders::list(&core, &ctx, id, page).await?;
    Ok(Json(PageLinks { headers: &headers, uri: &uri, params: &params.0 }.rows(found)))
}

#[utoipa::path(post, path = "/api/orders/{id}/refund/", tag = "orders", params(OrderId, IdempotencyKey),
    request_body = RefundInput,
    responses(
        (status = 200, description = "The order after the refund", body = OrderJson),
        InvalidRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        KeyInProgress,
        KeyReused,
    )
)]
/// `POST /api/orders/{id}/refund/` (owners and managers; honours `Idempotency-Key`).
pub async fn refund(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    method: Method,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(&id)?;
    let input = json_value(&body).and_then(|value| loyalty_json::refund(&value));
    let run = async { stored(StatusCode::OK, orders::refund(&core, &ctx, id, input).await.map(OrderJson::from)) };
    once(&core, &ctx, (&method, &uri), &headers, &body, run).await
}

#[utoipa::path(get, path = "/api/customers/{id}/tier_history/", tag = "loyalty", params(CustomerId, PageParams),
    responses(
        (status = 200, description = "A page of the customer's tier changes, newest first", body = Paginated<TierChangeJson>),
        Unauthorized,
        (status = 404, description = "Not found, or an invalid page", body = Detail),
    )
)]
/// `GET /api/customers/{id}/tier_history/`.
pub async fn tier_history(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paginated<TierChangeJson>>> {
    let params = Params::new(raw.as_deref());
    let id = path_id(&id)?;
    let page = params.page().map_err(ServiceError::from)?;
    let found = loyalty::tier_history(&core, &ctx, id, page).await?;
    Ok(Json(PageLinks { headers: &headers, uri: &uri, params: &params.0 }.rows(found)))
}
