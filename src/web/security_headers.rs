//! The headers every response carries: a Content-Security-Policy that lets a page run only this
//! site's scripts (and Leptos' inline hydration script, by its per-response nonce), no framing,
//! no referrer off the site, no sniffing, HSTS behind https, and no caching of tenant data.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of a page whose inline scripts carry `nonce` (or of any other HTML, without one).
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Called while the shell renders: sets this page's policy with the nonce Leptos gave its inline
/// scripts.
pub fn set_page_policy() {
    let nonce = leptos::nonce::use_nonce();
    if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        let policy = content_security_policy(nonce.as_deref());
        if let Ok(value) = HeaderValue::from_str(&policy) {
            options.insert_header(header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// Whether `Strict-Transport-Security` is sent (the site is served over https).
#[derive(Clone, Copy, Debug)]
pub struct Https(pub bool);

/// Middleware adding the headers to every response.
pub async fn add(State(Https(https)): State<Https>, req: Request, next: Next) -> Response {
    let api_data = req.uri().path().starts_with("/api/") && req.uri().path() != "/api/openapi.json";
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let is_html =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            if let Ok(value) = HeaderValue::from_str(&content_security_policy(None)) {
                headers.insert(header::CONTENT_SECURITY_POLICY, value);
            }
        }
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if api_data {
        // Shared tills: no copy of tenant data in any cache, the browser's included.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_only_this_sites_scripts_and_the_nonced_inline_one() {
        let policy = content_security_policy(Some("abc"));
        assert!(policy.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
    }
}
