//! Resolves the browser session into a [`SessionContext`] and keeps signed-out visitors on the
//! sign-in page.

use super::assets;
use super::client_address::ClientAddress;
use super::session::{SessionContext, SESSION_USER_KEY};
use super::unavailable;
use crate::domain::form_urlencoded;
use crate::services::accounts::{self, SessionAuth};
use crate::services::Core;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Middleware for every non-API route: puts the signed-in user in the request, redirects app
/// pages to `/login?next=…` when no one is signed in, and `/` to `/customers`; signed-in pages
/// are never stored by the browser.
pub async fn session_gate(
    State(core): State<Core>,
    ClientAddress(client): ClientAddress,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    // Static files need no user: no session or user lookup for them.
    if is_asset(req.uri().path()) {
        return next.run(req).await;
    }
    let auth = match session.get::<SessionAuth>(SESSION_USER_KEY).await {
        Ok(auth) => auth,
        // The session store is the database: while it is out of reach, say so rather than
        // sending a signed-in user to the sign-in page.
        Err(tower_sessions::session::Error::Store(tower_sessions::session_store::Error::Backend(err))) => {
            tracing::warn!(%err, "session store unavailable");
            return unavailable::page();
        }
        Err(err) => {
            tracing::warn!(%err, "unreadable session");
            None
        }
    };
    let found = match auth {
        Some(auth) => match accounts::authenticate_session(&core, auth, client).await {
            Ok(found) => found,
            Err(err) if err.is_unavailable() => {
                tracing::warn!(error = %err.chain(), "session lookup: database unavailable");
                return unavailable::page();
            }
            Err(err) => {
                tracing::error!(error = %err.chain(), "session lookup failed");
                None
            }
        },
        None => None,
    };
    let path = req.uri().path();
    let is_get = matches!(*req.method(), Method::GET | Method::HEAD);
    let is_page = is_get && is_app_page(path);
    // `/customers/` is `/customers`: one address per page (the router's fallback would otherwise
    // render the page outside its route).
    if is_page && path.len() > 1 && path.ends_with('/') {
        let trimmed = format!("/{}", path.trim_matches('/'));
        let target = match req.uri().query() {
            Some(query) => format!("{trimmed}?{query}"),
            None => trimmed,
        };
        return Redirect::permanent(&target).into_response();
    }
    match found {
        Some((ctx, user)) => {
            if (path == "/login" && is_get) || path == "/" {
                return Redirect::to("/customers").into_response();
            }
            req.extensions_mut().insert(SessionContext { ctx, user });
        }
        None if path == "/" => return Redirect::to(&login_path("/customers", None)).into_response(),
        None if is_page => return Redirect::to(&login_url(req.uri())).into_response(),
        None => {}
    }
    let mut response = next.run(req).await;
    if is_page {
        // A signed-in page holds customers' data and changes with every order: browsers keep no
        // copy (neither on disk nor for the back button), so going back shows the totals now.
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    response
}

/// Pages that need a signed-in user: everything a browser navigates to except the sign-in page,
/// assets and programmatic endpoints.
fn is_app_page(path: &str) -> bool {
    !(path == "/login" || is_asset(path) || path.starts_with("/sfn/") || path.starts_with("/api/"))
}

/// The built site's files and the static files of `public/`.
fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || assets::PUBLIC_FILES.contains(&path)
}

fn login_url(uri: &Uri) -> String {
    login_path(uri.path_and_query().map_or("/customers", |pq| pq.as_str()), None)
}

/// The sign-in page, with the code of an `error` to show, that leads to `next` once signed in
/// (`/` stays readable in `next`).
pub fn login_path(next: &str, error: Option<&str>) -> String {
    let next = form_urlencoded::encode_path(next);
    match error {
        Some(error) => format!("/login?error={}&next={next}", form_urlencoded::encode(error)),
        None => format!("/login?next={next}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_pages_need_sign_in_but_assets_and_login_do_not() {
        assert!(is_app_page("/customers"));
        assert!(is_app_page("/customers/12"));
        assert!(!is_app_page("/login"));
        assert!(!is_app_page("/pkg/patron.wasm"));
        assert!(!is_app_page("/manifest.webmanifest"));
        assert!(!is_app_page("/api/customers/"));
    }

    #[test]
    fn the_login_url_keeps_the_whole_target() {
        let uri: Uri = "/customers?search=sari&page=2".parse().unwrap_or_default();
        assert_eq!(login_url(&uri), "/login?next=/customers%3Fsearch%3Dsari%26page%3D2");
    }
}
