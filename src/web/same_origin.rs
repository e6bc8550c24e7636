//! Cross-site request refusal for everything the session cookie authenticates: a write (POST,
//! PUT, PATCH, DELETE) to a page route, the sign-in form or a server function must come from a
//! page of this site, as its `Origin` (or, when a browser sends none, `Sec-Fetch-Site`) says.
//! The API is not concerned: it takes bearer tokens, which a cross-site page cannot send.

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Middleware: refuses a cross-site write with 403.
pub async fn refuse_cross_site_writes(req: Request, next: Next) -> Response {
    let writes = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    if writes && !same_origin(req.headers()) {
        return (StatusCode::FORBIDDEN, "Cross-site request refused: send this form from Patron's own pages.")
            .into_response();
    }
    next.run(req).await
}

/// Whether a request says it comes from a page of the site it is sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v: &axum::http::HeaderValue| v.to_str().ok());
    match text(header::ORIGIN) {
        Some(origin) => {
            let host = text(header::HOST).unwrap_or_default();
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
            !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
        }
        None => text(axum::http::HeaderName::from_static("sec-fetch-site")) == Some("same-origin"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, axum::http::HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_this_sites_pages_may_write() {
        assert!(same_origin(&headers(&[("host", "till.example:3000"), ("origin", "http://till.example:3000")])));
        assert!(same_origin(&headers(&[("host", "till.example"), ("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[("host", "till.example"), ("origin", "https://evil.example")])));
        assert!(!same_origin(&headers(&[("host", "till.example"), ("origin", "http://till.example.evil.example")])));
        assert!(!same_origin(&headers(&[("host", "till.example"), ("origin", "null")])));
        assert!(!same_origin(&headers(&[("host", "till.example"), ("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("host", "till.example")])));
    }
}
