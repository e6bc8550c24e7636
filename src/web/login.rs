//! `POST /login` and `POST /logout`: plain form posts, so signing in works without JavaScript.

use super::client_address::ClientAddress;
use super::gate::login_path;
use super::session::SESSION_USER_KEY;
use crate::services::accounts::SessionAuth;
use crate::services::sign_in;
use crate::services::Core;
use crate::services::ServiceError;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use tower_sessions::Session;

/// The sign-in form.
#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Signs in and lands on `next` (same-site paths only); a wrong password goes back to the form
/// with a reason that does not tell whether the email exists. Refusals that pass (too many
/// failures, too many sign-ins at once) answer 429 or 503 with `Retry-After`.
pub async fn submit(
    State(core): State<Core>,
    ClientAddress(client): ClientAddress,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(&form.next);
    let error = match sign_in::sign_in(&core, &form.email, &form.password, client).await {
        Ok(user) => match remember(&session, SessionAuth { user_id: user.id, ver: user.auth_version }).await {
            Ok(()) => return Redirect::to(next).into_response(),
            Err(()) => "unavailable",
        },
        Err(err @ (ServiceError::TooManyAttempts { .. } | ServiceError::Busy)) => return refusal(next, &err),
        Err(ServiceError::InvalidCredentials) => "invalid",
        Err(err) if err.is_unavailable() => return super::unavailable::page(),
        Err(err) => {
            tracing::error!(error = %err.chain(), "sign-in failed");
            "unavailable"
        }
    };
    Redirect::to(&login_path(next, Some(error))).into_response()
}

/// Stores the signed-in user in a session with a new id (the old id, which a visitor may have
/// been handed before signing in, is dropped).
pub async fn remember(session: &Session, auth: SessionAuth) -> Result<(), ()> {
    let stored = match session.cycle_id().await {
        Ok(()) => session.insert(SESSION_USER_KEY, auth).await,
        Err(err) => Err(err),
    };
    stored.map_err(|err| tracing::error!(%err, "could not store the session"))
}

/// A short page for a refusal that passes, with its status and `Retry-After`.
fn refusal(next: &str, err: &ServiceError) -> Response {
    let seconds = err.retry_after().unwrap_or(1);
    let (status, text) = match err {
        ServiceError::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Too many sign-ins are being checked right now. Try again in a moment.".to_owned(),
        ),
        _ => (
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many attempts. Try again in {} minutes.", seconds.div_ceil(60).max(1)),
        ),
    };
    let mut back = String::new();
    crate::components::html_text::text(&mut back, &login_path(next, None));
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>Sign in</title></head><body>\
         <main><h1>Sign in</h1><p role=\"alert\">{text}</p><p><a href=\"{back}\">Back to sign-in</a></p></main>\
         </body></html>"
    );
    (status, [(header::RETRY_AFTER, seconds.to_string())], Html(page)).into_response()
}

/// Ends the session.
pub async fn logout(session: Session) -> Response {
    if let Err(err) = session.flush().await {
        tracing::error!(%err, "could not end the session");
    }
    Redirect::to("/login").into_response()
}

/// `next` if it is a path on this site, else `/customers`: it must start with exactly one `/`
/// and hold no control character, whitespace or backslash anywhere (browsers drop tabs and
/// newlines and read `\` as `/`, so `/\t/evil.example` would lead off the site).
pub fn safe_next(next: &str) -> &str {
    let clean = !next.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    let one_slash = next.starts_with('/') && !next.starts_with("//");
    let not_login = next != "/login" && !next.starts_with("/login?");
    if clean && one_slash && not_login {
        next
    } else {
        "/customers"
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_only_allows_paths_on_this_site() {
        assert_eq!(safe_next("/customers?page=2&search=a%20b"), "/customers?page=2&search=a%20b");
        assert_eq!(safe_next("/%2F%2Fevil.example"), "/%2F%2Fevil.example", "an encoded slash stays a path here");
        for hostile in [
            "https://evil.example",
            "https:evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\u{b}/evil.example",
            "/ /evil.example",
            "/customers\\..",
            "",
            "javascript:alert(1)",
            "/login",
        ] {
            assert_eq!(safe_next(hostile), "/customers", "{hostile:?}");
        }
    }
}
