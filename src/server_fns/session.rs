//! Who is signed in.

use crate::domain::SessionUser;

/// The signed-in user of the request being rendered, as the session gate found it, read at once:
/// for what the server alone renders (the layout, the account page), which then needs no resource
/// to wait on.
pub fn signed_in_user() -> Option<SessionUser> {
    #[cfg(feature = "ssr")]
    {
        use crate::web::session::SessionContext;
        use leptos::prelude::with_context;
        with_context::<axum::http::request::Parts, _>(|parts| {
            parts.extensions.get::<SessionContext>().map(|found| found.user.clone())
        })
        .flatten()
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}
