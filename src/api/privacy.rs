//! `/api/customers/{id}/consents/`, `/data_export/` and `/erase/`: privacy requests, thin
//! handlers over the privacy service.

use super::customers::path_id;
use super::error::ApiResult;
use super::extract::ApiContext;
use super::query::Params;
use super::render::{
    timestamp, ActivityJson, CustomerJson, OrderJson, PageLinks, Paginated, PointsJson, TierChangeJson,
};
use super::schemas::{CustomerId, Detail, NotFound, PageParams, Unauthorized};
use crate::domain::ConsentChange;
use crate::services::{privacy, Core, ServiceError};
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// One change of a customer's marketing consent.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConsentJson {
    /// `email` or `sms`.
    #[schema(pattern = "^(email|sms)$")]
    channel: String,
    /// Whether consent was given (true) or withdrawn (false).
    granted: bool,
    #[schema(format = DateTime)]
    changed_at: String,
    /// `api`, `page` or `import`.
    #[schema(pattern = "^(api|page|import)$")]
    source: String,
    /// The email of the user who made the change.
    actor: String,
}

impl From<ConsentChange> for ConsentJson {
    fn from(change: ConsentChange) -> Self {
        ConsentJson {
            channel: change.channel,
            granted: change.granted,
            changed_at: timestamp(change.changed_at),
            source: change.source,
            actor: change.actor_email,
        }
    }
}

/// Everything Patron holds about a customer; every list complete and newest first.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DataExportJson {
    customer: CustomerJson,
    consents: Vec<ConsentJson>,
    orders: Vec<OrderJson>,
    points_history: Vec<PointsJson>,
    tier_history: Vec<TierChangeJson>,
    activity: Vec<ActivityJson>,
}

#[utoipa::path(get, path = "/api/customers/{id}/consents/", tag = "privacy", params(CustomerId, PageParams),
    responses(
        (status = 200, description = "A page of the customer's consent changes, newest first", body = Paginated<ConsentJson>),
        Unauthorized,
        (status = 404, description = "Not found, or an invalid page", body = Detail),
    )
)]
/// `GET /api/customers/{id}/consents/`.
pub async fn consents(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paginated<ConsentJson>>> {
    let params = Params::new(raw.as_deref());
    let page = params.page().map_err(ServiceError::from)?;
    let history = privacy::consent_history(&core, &ctx, path_id(&id)?, page).await?;
    Ok(Json(PageLinks { headers: &headers, uri: &uri, params: &params.0 }.rows(history)))
}

#[utoipa::path(get, path = "/api/customers/{id}/data_export/", tag = "privacy", params(CustomerId),
    responses(
        (status = 200, description = "Everything held about the customer", body = DataExportJson),
        Unauthorized,
        (status = 403, description = "Only owners and managers export a customer's data", body = Detail),
        NotFound,
    )
)]
/// `GET /api/customers/{id}/data_export/` (owners and managers).
pub async fn data_export(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
) -> ApiResult<Json<DataExportJson>> {
    let record = privacy::data_export(&core, &ctx, path_id(&id)?).await?;
    Ok(Json(DataExportJson {
        customer: record.customer.into(),
        consents: record.consents.into_iter().map(ConsentJson::from).collect(),
        orders: record.orders.into_iter().map(OrderJson::from).collect(),
        points_history: record.points_history.into_iter().map(PointsJson::from).collect(),
        tier_history: record.tier_history.into_iter().map(TierChangeJson::from).collect(),
        activity: record.activity.into_iter().map(ActivityJson::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/customers/{id}/erase/", tag = "privacy", params(CustomerId),
    responses(
        (status = 200, description = "Personal data erased for good; orders, points and totals kept", body = CustomerJson),
        Unauthorized,
        (status = 403, description = "Only owners erase a customer", body = Detail),
        NotFound,
    )
)]
/// `POST /api/customers/{id}/erase/` (owners).
pub async fn erase(
    State(core): State<Core>,
    ApiContext(ctx): ApiContext,
    Path(id): Path<String>,
) -> ApiResult<Json<CustomerJson>> {
    Ok(Json(privacy::erase(&core, &ctx, path_id(&id)?).await?.into()))
}
