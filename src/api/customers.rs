//! `/api/customers/`: the seed's REST contract (paths, parameters, shapes, statuses, messages).

use super::error::{service_error_parts, ApiError, ApiResult};
use crate::auth::ApiContext;
use crate::domain::customer_input::Completeness;
use crate::domain::customer_query::PageRequest;
use crate::domain::form_urlencoded;
use crate::domain::{Customer, PointsEntry, RequestContext};
use crate::services::customers::{self, CustomerStats, ListQuery};
use crate::services::{idempotency, ServiceError, ServiceResult};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{json, Value};

/// A customer as the API shows it.
#[derive(Serialize)]
pub struct CustomerJson {
    id: i64,
    tenant: i64,
    tenant_name: String,
    name: String,
    email: String,
    phone: String,
    address: String,
    city: String,
    province: String,
    postal_code: String,
    loyalty_points: i64,
    loyalty_tier: &'static str,
    total_orders: i64,
    total_spent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    average_order_value: Option<f64>,
    notes: String,
    is_active: bool,
    created_at: String,
    updated_at: String,
    last_order_date: Option<String>,
}

/// A timestamp as DRF renders it: RFC 3339 in UTC with `Z`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

impl CustomerJson {
    fn new(c: Customer, detail: bool) -> Self {
        let average = detail.then(|| {
            if c.total_orders > 0 {
                (Decimal::new(c.total_spent_minor, 2) / Decimal::from(c.total_orders)).to_f64().unwrap_or(0.0)
            } else {
                0.0
            }
        });
        CustomerJson {
            loyalty_tier: c.tier().label(),
            total_spent: Decimal::new(c.total_spent_minor, 2).to_string(),
            average_order_value: average,
            created_at: timestamp(c.created_at),
            updated_at: timestamp(c.updated_at),
            last_order_date: c.last_order_date.map(timestamp),
            id: c.id,
            tenant: c.tenant_id,
            tenant_name: c.tenant_name,
            name: c.name,
            email: c.email,
            phone: c.phone,
            address: c.address,
            city: c.city,
            province: c.province,
            postal_code: c.postal_code,
            loyalty_points: c.loyalty_points,
            total_orders: c.total_orders,
            notes: c.notes,
            is_active: c.is_active,
        }
    }
}

/// Decoded query-string parameters, in order.
struct Params(Vec<(String, String)>);

impl Params {
    fn new(raw: Option<&str>) -> Self {
        Params(form_urlencoded::pairs(raw.unwrap_or_default()))
    }

    /// The last value of a parameter, as Django's `QueryDict.get` gives.
    fn get(&self, name: &str) -> Option<String> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }
}

/// The absolute URL of this path with `page` set (or removed for page 1), keeping other params.
fn page_link(headers: &HeaderMap, uri: &Uri, pairs: &[(String, String)], page: Option<u64>) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = match headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()) {
        Some("https") => "https",
        _ => "http",
    };
    let page = page.map(|page| page.to_string());
    let query = form_urlencoded::serialize(
        pairs
            .iter()
            .filter(|(name, _)| name != "page")
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .chain(page.as_deref().map(|page| ("page", page))),
    );
    let path = uri.path();
    if query.is_empty() {
        format!("{scheme}://{host}{path}")
    } else {
        format!("{scheme}://{host}{path}?{query}")
    }
}

fn paginated<T: Serialize>(
    headers: &HeaderMap,
    uri: &Uri,
    pairs: &[(String, String)],
    count: u64,
    number: u64,
    has_next: bool,
    results: Vec<T>,
) -> Json<Value> {
    let next = has_next.then(|| page_link(headers, uri, pairs, Some(number + 1)));
    let previous = (number > 1).then(|| page_link(headers, uri, pairs, (number > 2).then_some(number - 1)));
    Json(json!({ "count": count, "next": next, "previous": previous, "results": results }))
}

fn customer_id(raw: &str) -> ServiceResult<i64> {
    raw.parse::<i64>().map_err(|_| ServiceError::NotFound)
}

fn json_body(bytes: &Bytes) -> ApiResult<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedBody(format!("JSON parse error - {e}")))
}

/// The JSON body of a request on one customer; when it is malformed, an unknown customer is
/// still "not found" first.
async fn customer_body(state: &AppState, ctx: &RequestContext, id: i64, body: &Bytes) -> ApiResult<Value> {
    match json_body(body) {
        Ok(value) => Ok(value),
        Err(err) => match customers::get(state, ctx, id).await {
            Ok(_) => Err(err),
            Err(lookup) => Err(lookup.into()),
        },
    }
}

fn stored(result: ServiceResult<(StatusCode, Value)>) -> (u16, String) {
    let (status, body) = result.unwrap_or_else(service_error_parts);
    (status.as_u16(), body.to_string())
}

/// `GET /api/customers/`.
pub async fn list(
    State(state): State<AppState>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let params = Params::new(raw.as_deref());
    let query = ListQuery::from_params(|name| params.get(name))?;
    let page = customers::list(&state, &ctx, &query).await?;
    let results: Vec<CustomerJson> = page.items.into_iter().map(|c| CustomerJson::new(c, false)).collect();
    Ok(paginated(&headers, &uri, &params.0, page.count, page.number, page.has_next, results))
}

/// `POST /api/customers/` (honours `Idempotency-Key`).
pub async fn create(
    State(state): State<AppState>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> ApiResult<Response> {
    let input = json_body(&body)?;
    let run = async {
        stored(
            customers::create(&state, &ctx, &input)
                .await
                .map(|c| (StatusCode::CREATED, json!(CustomerJson::new(c, false)))),
        )
    };
    once(&state, &ctx, &headers, &uri, &body, run).await
}

/// Runs a write once per `Idempotency-Key` (or simply runs it without one).
async fn once(
    state: &AppState,
    ctx: &RequestContext,
    headers: &HeaderMap,
    uri: &Uri,
    body: &Bytes,
    run: impl std::future::Future<Output = (u16, String)>,
) -> ApiResult<Response> {
    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(key)) => Some(key),
        Some(Err(_)) => return Err(ServiceError::BadRequest(idempotency::INVALID_KEY).into()),
    };
    let (status, text, replayed) = match key {
        None => {
            let (status, text) = run.await;
            (status, text, false)
        }
        Some(key) => {
            use sha2::Digest;
            let digest = sha2::Sha256::new().chain_update(uri.path()).chain_update(b"\n").chain_update(body).finalize();
            let fingerprint: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            let mut ran = false;
            let (status, text) = idempotency::run_once(state, ctx, key, &fingerprint, async {
                ran = true;
                run.await
            })
            .await?;
            (status, text, !ran)
        }
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], text).into_response();
    if replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// `GET /api/customers/{id}/` (with `average_order_value`).
pub async fn detail(
    State(state): State<AppState>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
) -> ApiResult<Json<CustomerJson>> {
    let customer = customers::get(&state, &ctx, customer_id(&id)?).await?;
    Ok(Json(CustomerJson::new(customer, true)))
}

/// `PUT` and `PATCH /api/customers/{id}/`.
pub async fn update(
    State(state): State<AppState>,
    ApiContext(ctx): ApiContext,
    method: Method,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<CustomerJson>> {
    let id = customer_id(&id)?;
    let input = customer_body(&state, &ctx, id, &body).await?;
    let completeness = if method == Method::PUT { Completeness::Full } else { Completeness::Partial };
    let customer = customers::update(&state, &ctx, id, &input, completeness).await?;
    Ok(Json(CustomerJson::new(customer, false)))
}

/// `DELETE /api/customers/{id}/`.
pub async fn delete(
    State(state): State<AppState>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    customers::delete(&state, &ctx, customer_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/customers/stats/`.
pub async fn stats(State(state): State<AppState>, ApiContext(ctx): ApiContext) -> ApiResult<Json<CustomerStats>> {
    Ok(Json(customers::stats(&state, &ctx).await?))
}

/// `POST /api/customers/{id}/update_points/` (honours `Idempotency-Key`).
pub async fn update_points(
    State(state): State<AppState>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = customer_id(&id)?;
    let input = customer_body(&state, &ctx, id, &body).await?;
    let run = async {
        stored(
            customers::change_points_from_json(&state, &ctx, id, &input)
                .await
                .map(|c| (StatusCode::OK, json!(CustomerJson::new(c, false)))),
        )
    };
    once(&state, &ctx, &headers, &uri, &body, run).await
}

/// `POST /api/customers/bulk_update/`.
pub async fn bulk_update(
    State(state): State<AppState>,
    ApiContext(ctx): ApiContext,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let input = json_body(&body)?;
    let updated = customers::bulk_from_json(&state, &ctx, &input).await?;
    Ok(Json(json!({ "message": format!("{updated} customers updated successfully") })))
}

/// A points history row as the API shows it.
#[derive(Serialize)]
struct PointsJson {
    id: i64,
    points: i64,
    balance_after: i64,
    reason: String,
    source: String,
    user: Option<String>,
    created_at: String,
}

impl From<PointsEntry> for PointsJson {
    fn from(p: PointsEntry) -> Self {
        PointsJson {
            id: p.id,
            points: p.delta,
            balance_after: p.balance_after,
            reason: p.reason,
            source: p.source,
            user: p.user_email,
            created_at: timestamp(p.created_at),
        }
    }
}

/// `GET /api/customers/{id}/points_history/`.
pub async fn points_history(
    State(state): State<AppState>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let params = Params::new(raw.as_deref());
    let page = PageRequest::parse(params.get("page").as_deref(), params.get("page_size").as_deref())
        .map_err(|_| ApiError::Service(ServiceError::InvalidPage))?;
    let (count, number, items) = customers::points_history(&state, &ctx, customer_id(&id)?, page).await?;
    let results: Vec<PointsJson> = items.into_iter().map(PointsJson::from).collect();
    Ok(paginated(&headers, &uri, &params.0, count, number, number * page.size < count, results))
}
