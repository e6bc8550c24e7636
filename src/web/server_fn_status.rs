//! Statuses of the server functions' refusals. Leptos answers every server-function error with
//! 500, but most are the caller's: arguments that do not parse, a record that is gone, a role
//! that may not act. Those become 400; a database out of reach becomes 503 with `Retry-After`;
//! only a failure on our side stays a 500. The body, which the page's WebAssembly decodes, is
//! left as it is.

use crate::services::{UNAVAILABLE_RETRY_AFTER, UNAVAILABLE_SENTENCE};
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// The sentence of an internal failure (`server_fns::customers::sentence`).
pub const INTERNAL_SENTENCE: &str = "Something went wrong on our side. Try again.";

/// The largest error body read (they are a sentence long).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Middleware for `/sfn/…`: a 500 that is the caller's becomes a 400.
pub async fn caller_errors_are_400(req: Request, next: Next) -> Response {
    let is_server_fn = req.uri().path().starts_with("/sfn/");
    let response = next.run(req).await;
    if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let text = String::from_utf8_lossy(&bytes);
    if is_unavailable(&text) {
        parts.status = StatusCode::SERVICE_UNAVAILABLE;
        parts.headers.insert(header::RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_AFTER));
    } else if !is_internal(&text) {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The status of a refusal the page is told in a sentence (`server_fns::customers::sentence`):
/// 503 while the database is out of reach, 500 for a failure on our side, else 400 (the caller's).
pub fn status_of_sentence(sentence: &str) -> StatusCode {
    if sentence.contains(UNAVAILABLE_SENTENCE) {
        StatusCode::SERVICE_UNAVAILABLE
    } else if sentence.contains(INTERNAL_SENTENCE) {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// Whether an encoded server-function error says the database is out of reach.
fn is_unavailable(body: &str) -> bool {
    matches!(body.split_once('|'),
        Some(("ServerError", message)) if status_of_sentence(message) == StatusCode::SERVICE_UNAVAILABLE)
}

/// Whether an encoded server-function error (`Kind|message`) is a failure on our side.
fn is_internal(body: &str) -> bool {
    match body.split_once('|') {
        Some(("ServerError", message)) => status_of_sentence(message) == StatusCode::INTERNAL_SERVER_ERROR,
        Some(("Args" | "Deserialization" | "MissingArg" | "Request" | "UnsupportedRequestMethod", _)) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failures_on_our_side_stay_server_errors() {
        assert!(!is_internal("Args|missing field `loyalty_level`"));
        assert!(!is_internal("ServerError|That customer or order no longer exists."));
        assert!(is_internal(&format!("ServerError|{INTERNAL_SENTENCE}")));
        assert!(is_internal("Response|could not encode"));
    }

    #[test]
    fn a_database_out_of_reach_is_told_apart() {
        assert!(is_unavailable(&format!("ServerError|{UNAVAILABLE_SENTENCE}")));
        assert!(!is_unavailable(&format!("ServerError|{INTERNAL_SENTENCE}")));
        assert!(!is_unavailable(&format!("Args|{UNAVAILABLE_SENTENCE}")));
    }
}
