//! The forms of the team and account pages: plain posts (they work without JavaScript) that call
//! one service each, leave a message for the page and redirect back to it.

use super::login::remember;
use super::session::SessionContext;
use crate::auth::password_policy::generated_password;
use crate::server_fns::team::server::leave_flash;
use crate::server_fns::team::Flash;
use crate::services::accounts::{self, NewUserInput, PasswordChange, SessionAuth, UserChangeInput};
use crate::services::{Core, ServiceError};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use tower_sessions::Session;

const TEAM: &str = "/settings/team";
const ACCOUNT: &str = "/account";

/// A failure as the sentence the page shows (internal causes are logged, not shown).
fn failure(err: ServiceError) -> Flash {
    let text = match err {
        ServiceError::Validation(fields) => fields.0.values().flatten().cloned().collect::<Vec<_>>().join(" "),
        ServiceError::Forbidden => "Only owners manage the team.".to_owned(),
        ServiceError::NotFound => "That user is not in your team.".to_owned(),
        ServiceError::Conflict(message) => message.to_owned(),
        ServiceError::WrongPassword => "Your current password is not correct.".to_owned(),
        internal if internal.is_internal() => {
            tracing::error!(error = %internal.chain(), "team form failed");
            "Something went wrong on our side. Try again.".to_owned()
        }
        other => other.to_string(),
    };
    Flash { ok: false, text, secret: None, undo_merge: None }
}

fn success(text: String) -> Flash {
    Flash { ok: true, text, secret: None, undo_merge: None }
}

/// The add-user form.
#[derive(Deserialize)]
pub struct AddUserForm {
    email: String,
    role: String,
    #[serde(default)]
    password: String,
}

/// `POST /settings/team/users`: adds a user with the given first password, or a generated one
/// shown once on the page.
pub async fn add_user(
    State(core): State<Core>,
    SessionContext { ctx, .. }: SessionContext,
    session: Session,
    Form(form): Form<AddUserForm>,
) -> Response {
    let generated = form.password.trim().is_empty().then(generated_password);
    let password = generated.clone().unwrap_or(form.password);
    let input = NewUserInput { email: form.email.trim().to_owned(), password, role: form.role };
    let flash = match accounts::add_user(&core, &ctx, input).await {
        Ok(user) => Flash {
            ok: true,
            text: format!("Added {} as {}.", user.email, user.role.as_str()),
            secret: generated.map(|password| format!("First password for {}: {password}", user.email)),
            undo_merge: None,
        },
        Err(err) => failure(err),
    };
    leave_flash(&session, flash).await;
    Redirect::to(TEAM).into_response()
}

/// A change to one user: `action` is `role`, `deactivate`, `reactivate` or `password`.
#[derive(Deserialize)]
pub struct ChangeUserForm {
    action: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

/// `POST /settings/team/users/{id}`: changes a user's role, status or password.
pub async fn change_user(
    State(core): State<Core>,
    SessionContext { ctx, .. }: SessionContext,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<ChangeUserForm>,
) -> Response {
    let input = match form.action.as_str() {
        "role" => Some(UserChangeInput { role: Some(form.role), ..Default::default() }),
        "deactivate" => Some(UserChangeInput { is_active: Some(false), ..Default::default() }),
        "reactivate" => Some(UserChangeInput { is_active: Some(true), ..Default::default() }),
        "password" => Some(UserChangeInput { password: Some(form.password), ..Default::default() }),
        _ => None,
    };
    let flash = match (id.parse::<i64>(), input) {
        (Ok(id), Some(input)) => match accounts::change_user(&core, &ctx, id, input).await {
            Ok(user) => success(match form.action.as_str() {
                "role" => format!("{} is now {}.", user.email, user.role.as_str()),
                "deactivate" => format!("{} is deactivated and signed out everywhere.", user.email),
                "reactivate" => format!("{} can sign in again.", user.email),
                _ => format!("{} has a new password and is signed out everywhere.", user.email),
            }),
            Err(err) => failure(err),
        },
        _ => failure(ServiceError::NotFound),
    };
    leave_flash(&session, flash).await;
    Redirect::to(TEAM).into_response()
}

/// The change-password form.
#[derive(Deserialize)]
pub struct OwnPasswordForm {
    current_password: String,
    new_password: String,
}

/// `POST /account/password`: changes the caller's password; every other session and token of
/// theirs ends, this browser stays signed in.
pub async fn change_own_password(
    State(core): State<Core>,
    SessionContext { ctx, .. }: SessionContext,
    session: Session,
    Form(form): Form<OwnPasswordForm>,
) -> Response {
    let change = PasswordChange { current_password: form.current_password, new_password: form.new_password };
    let flash = match accounts::change_own_password(&core, &ctx, change).await {
        Ok(user) => {
            let kept = remember(&session, SessionAuth { user_id: user.id, ver: user.auth_version }).await;
            if kept.is_err() {
                return Redirect::to("/login").into_response();
            }
            success("Your password is changed. Every other device was signed out.".to_owned())
        }
        Err(err) => failure(err),
    };
    leave_flash(&session, flash).await;
    Redirect::to(ACCOUNT).into_response()
}

/// `POST /account/logout_all`: ends every session and token of the caller, this one included.
pub async fn sign_out_everywhere(
    State(core): State<Core>,
    SessionContext { ctx, .. }: SessionContext,
    session: Session,
) -> Response {
    if let Err(err) = accounts::sign_out_everywhere(&core, &ctx).await {
        leave_flash(&session, failure(err)).await;
        return Redirect::to(ACCOUNT).into_response();
    }
    if let Err(err) = session.flush().await {
        tracing::error!(%err, "could not end the session");
    }
    Redirect::to("/login").into_response()
}
