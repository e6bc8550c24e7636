//! Who is signed in.

use crate::domain::SessionUser;
use leptos::prelude::*;

/// The signed-in user, or `None`.
#[server(prefix = "/sfn", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, ServerFnError> {
    use crate::web::session::SessionContext;
    Ok(leptos_axum::extract::<SessionContext>().await.ok().map(|found| found.user))
}
