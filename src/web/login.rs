//! `POST /login` and `POST /logout`: plain form posts, so signing in works without JavaScript.

use super::gate::login_path;
use super::session::SESSION_USER_KEY;
use crate::services::accounts::{self, SessionAuth};
use crate::services::Core;
use crate::services::ServiceError;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
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

/// Signs in and lands on `next` (same-site paths only); on failure goes back to the form with a
/// reason that does not tell whether the email exists.
pub async fn submit(State(core): State<Core>, session: Session, Form(form): Form<LoginForm>) -> Response {
    let next = safe_next(&form.next);
    let error = match accounts::sign_in(&core, &form.email, &form.password).await {
        Ok(user) => {
            let auth = SessionAuth { user_id: user.id, ver: user.auth_version };
            let stored = match session.cycle_id().await {
                Ok(()) => session.insert(SESSION_USER_KEY, auth).await,
                Err(err) => Err(err),
            };
            match stored {
                Ok(()) => return Redirect::to(next).into_response(),
                Err(err) => {
                    tracing::error!(%err, "could not store the session");
                    "unavailable"
                }
            }
        }
        Err(ServiceError::TooManyAttempts) => "locked",
        Err(ServiceError::InvalidCredentials) => "invalid",
        Err(err) => {
            tracing::error!(%err, "sign-in failed");
            "unavailable"
        }
    };
    Redirect::to(&login_path(next, Some(error))).into_response()
}

/// Ends the session.
pub async fn logout(session: Session) -> Response {
    if let Err(err) = session.flush().await {
        tracing::error!(%err, "could not end the session");
    }
    Redirect::to("/login").into_response()
}

/// `next` if it is a path on this site, else `/customers`.
pub fn safe_next(next: &str) -> &str {
    let same_site = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.contains(['\r', '\n'])
        && next != "/login"
        && !next.starts_with("/login?");
    if same_site {
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
        assert_eq!(safe_next("/customers?page=2"), "/customers?page=2");
        for hostile in
            ["https://evil.example", "//evil.example", "/\\evil.example", "", "javascript:alert(1)", "/login"]
        {
            assert_eq!(safe_next(hostile), "/customers", "{hostile}");
        }
    }
}
