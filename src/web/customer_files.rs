//! The customers pages' plain requests: `GET /customers/export` downloads the list's current
//! view (its filters, search and ordering; every page) as CSV, the same file as the API's
//! export; `POST /customers/{id}/erase` erases a customer once the confirmation is typed.

use super::session::SessionContext;
use crate::api::customers_csv;
use crate::pages::customers::query::from_search;
use crate::services::{export, Core};
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

/// `GET /customers/export?search=…&loyalty_level=…&status=…&ordering=…`.
pub async fn export(
    State(core): State<Core>,
    SessionContext { ctx, .. }: SessionContext,
    RawQuery(raw): RawQuery,
) -> Response {
    let (query, _) = from_search(raw.as_deref().unwrap_or_default()).list_query();
    match export::export(&core, ctx, query.filter, query.ordering).await {
        Ok(export) => customers_csv::download(core.clock.now(), export),
        Err(err) => crate::api::error::ApiError::from(err).into_response(),
    }
}

/// The erase form.
#[derive(serde::Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /customers/{id}/erase`: erases the customer when the confirmation word was typed
/// (owners), then shows the customer again.
pub async fn erase(
    State(core): State<Core>,
    SessionContext { ctx, .. }: SessionContext,
    Path(id): Path<String>,
    Form(form): Form<EraseForm>,
) -> Response {
    use crate::pages::customers::detail::ERASE_WORD;
    let Ok(id) = id.parse::<i64>() else { return Redirect::to("/customers").into_response() };
    if !form.confirm.trim().eq_ignore_ascii_case(ERASE_WORD) {
        return Redirect::to(&format!("/customers/{id}?erase=retype")).into_response();
    }
    match crate::services::privacy::erase(&core, &ctx, id).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}")).into_response(),
        Err(err) => crate::api::error::ApiError::from(err).into_response(),
    }
}
