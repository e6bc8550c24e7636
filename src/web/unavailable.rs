//! The page a browser gets while the database is out of reach: 503 with `Retry-After`, a
//! sentence instead of a redirect to the sign-in page (the session is still good), and a
//! refresh that shows the page again by itself once the database is back.

use crate::services::{UNAVAILABLE_RETRY_AFTER, UNAVAILABLE_SENTENCE};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// `503 Service Unavailable` for a page request, retried by the browser after
/// [`UNAVAILABLE_RETRY_AFTER`] seconds.
pub fn page() -> Response {
    let seconds = UNAVAILABLE_RETRY_AFTER;
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><meta http-equiv=\"refresh\" content=\"{seconds}\">\
         <title>Patron is waiting for its database</title></head><body><main>\
         <h1>Patron is waiting for its database</h1><p role=\"alert\">{UNAVAILABLE_SENTENCE}</p>\
         <p>This page tries again by itself every {seconds} seconds. Nothing you saved before is lost.</p>\
         </main></body></html>"
    );
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, seconds.to_string()), (header::CACHE_CONTROL, "no-store".to_owned())],
        Html(html),
    )
        .into_response()
}
