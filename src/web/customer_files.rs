//! The customers page's files: `GET /customers/export` downloads the page's current view (its
//! filters, search and ordering; every page) as CSV, the same file as the API's export.

use super::session::SessionContext;
use crate::api::customers_csv;
use crate::pages::customers::query::from_search;
use crate::services::{export, Core};
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `GET /customers/export?search=…&loyalty_level=…&status=…&ordering=…`.
pub async fn export(
    State(core): State<Core>,
    SessionContext { ctx, .. }: SessionContext,
    RawQuery(raw): RawQuery,
) -> Response {
    let (query, _) = from_search(raw.as_deref().unwrap_or_default()).list_query();
    let day = core.clock.now().format("%Y-%m-%d");
    let export = match export::export(&core, ctx, query.filter, query.ordering).await {
        Ok(export) => export,
        Err(err) => return crate::api::error::ApiError::from(err).into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"customers-{day}.csv\"")),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        customers_csv::body(export),
    )
        .into_response()
}
