//! Who is signed in.

use crate::domain::SessionUser;
use leptos::prelude::*;

/// The signed-in user, or `None`.
#[server(prefix = "/sfn", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, ServerFnError> {
    use crate::web::session::SessionContext;
    Ok(leptos_axum::extract::<SessionContext>().await.ok().map(|found| found.user))
}

/// The signed-in user of the request being rendered, read at once: for what the server alone
/// renders (the layout), which then needs no resource to wait on.
pub fn signed_in_user() -> Option<SessionUser> {
    #[cfg(feature = "ssr")]
    {
        use crate::web::session::SessionContext;
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<SessionContext>().map(|found| found.user.clone()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}
