//! The REST API under `/api/`: thin handlers that parse the request into domain types, call one
//! service and render its result as the seed's DRF contract does.

pub mod activity;
pub mod auth;
pub mod csv_file;
pub mod customer_json;
pub mod customers;
pub mod customers_csv;
pub mod error;
pub mod extract;
pub mod idempotent;
pub mod loyalty;
pub mod loyalty_json;
pub mod merges;
pub mod openapi;
pub mod orders;
pub mod privacy;
pub mod query;
pub mod render;
pub mod schema_patterns;
pub mod schemas;
pub mod transfer;
pub mod users;

use crate::services::{self, Core, ServiceError};
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{get, patch, post};
use axum::Router;
use error::ApiError;

/// Every route under `/api/` (nested there by the server), for any state the [`Core`] can be
/// taken from. Everything but the token endpoints and the OpenAPI document needs a bearer token.
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Core: FromRef<S>,
{
    Router::new()
        .route("/auth/token/", post(auth::obtain))
        .route("/auth/token/refresh/", post(auth::refresh))
        .route("/auth/password/", post(auth::change_password))
        .route("/auth/logout_all/", post(auth::logout_all))
        .route("/activity/", get(activity::list))
        .route("/customers/", get(customers::list).post(customers::create))
        .route("/customers/stats/", get(customers::stats))
        .route("/customers/export/", get(transfer::export))
        .route("/customers/duplicates/", get(merges::duplicates))
        .route(
            "/customers/import/",
            post(transfer::import).layer(DefaultBodyLimit::max(services::import::MAX_BYTES + 64 * 1024)),
        )
        .route("/customers/bulk_update/", post(customers::bulk_update))
        .route(
            "/customers/{id}/",
            get(customers::detail).put(customers::replace).patch(customers::change).delete(customers::delete),
        )
        .route("/customers/{id}/update_points/", post(customers::update_points))
        .route("/customers/{id}/points_history/", get(customers::points_history))
        .route("/customers/{id}/orders/", get(orders::list).post(orders::record))
        .route("/customers/{id}/tier_history/", get(orders::tier_history))
        .route("/customers/{id}/consents/", get(privacy::consents))
        .route("/customers/{id}/data_export/", get(privacy::data_export))
        .route("/customers/{id}/erase/", post(privacy::erase))
        .route("/customers/{id}/merge/", post(merges::merge))
        .route("/merges/{merge_id}/undo/", post(merges::undo))
        .route("/orders/{id}/refund/", post(orders::refund))
        .route("/loyalty/program/", get(loyalty::show).put(loyalty::replace))
        .route("/users/", get(users::list).post(users::create))
        .route("/openapi.json", get(openapi::serve))
        .route("/users/{id}/", patch(users::update))
        .fallback(not_found)
}

async fn not_found() -> ApiError {
    ApiError::Service(ServiceError::NotFound)
}
