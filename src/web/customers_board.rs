//! `GET /sfn/customers/board?search=…&loyalty_level=…&status=…&ordering=…&page=…`: the customers
//! board's statistics and list for a view, as the HTML the page shows (`text/html`, the two parts
//! separated by `<!--list-->`). The board swaps it in after every change of view or data, so the
//! browser never builds a row. A refusal is HTML too (a banner, no statistics), with its status:
//! 401 without a session (the banner's link signs in again and comes back to the view), 503 with
//! `Retry-After` while the database is out of reach, 400 for the caller's mistakes.

use super::gate::login_path;
use super::server_fn_status::status_of_sentence;
use super::session::SessionContext;
use crate::pages::customers::board_markup::{board as board_markup, joined, signed_out};
use crate::pages::customers::query::{from_search, href};
use crate::server_fns::customers::list_view;
use crate::services::{Core, UNAVAILABLE_RETRY_AFTER};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::ServerFnError;

/// The handler.
pub async fn board(State(core): State<Core>, session: Option<SessionContext>, RawQuery(raw): RawQuery) -> Response {
    let query = from_search(raw.as_deref().unwrap_or_default());
    let (status, parts) = match session {
        Some(SessionContext { ctx, user }) => {
            let loaded = list_view(&core, &ctx, query.clone()).await;
            (status_of(&loaded), board_markup(&loaded, &query, user.role.can_manage_customers()))
        }
        None => (StatusCode::UNAUTHORIZED, signed_out(&login_path(&href(&query), None))),
    };
    let html = joined(parts);
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            // Customers' data: no copy kept anywhere.
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        html,
    )
        .into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_AFTER));
    }
    response
}

/// The status of a list read: a failure's sentence says whose it is.
fn status_of<T>(loaded: &Result<T, ServerFnError>) -> StatusCode {
    match loaded {
        Ok(_) => StatusCode::OK,
        Err(ServerFnError::ServerError(sentence)) => status_of_sentence(sentence),
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::UNAVAILABLE_SENTENCE;
    use crate::web::server_fn_status::INTERNAL_SENTENCE;

    #[test]
    fn a_failure_s_sentence_gives_its_status() {
        assert_eq!(status_of::<()>(&Ok(())), StatusCode::OK);
        let failed = |sentence: &str| status_of::<()>(&Err(ServerFnError::new(sentence)));
        assert_eq!(failed(UNAVAILABLE_SENTENCE), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(failed(INTERNAL_SENTENCE), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(failed("Select a valid choice. x is not one of the available choices."), StatusCode::BAD_REQUEST);
    }
}
