//! The customers page's data, read before the page renders.
//!
//! Leptos renders pages synchronously here: a page that waited on a load of its own was woken
//! from whichever thread finished it, and now and then such a render never finished (about one
//! run in 90 of the page tests, `bench/RESULTS.md`, part seventeen). Read here, in the request's
//! own task, the list is ready before the page renders and the render has nothing to wait on.
//! Reloads in the browser go through `GET /sfn/customers/board` (`web::customers_board`).

use crate::pages::customers::query;
use crate::server_fns::customers::{list_view, ListView};
use crate::services::Core;
use crate::web::session::SessionContext;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::ServerFnError;
use std::sync::{Arc, Mutex};

/// The list read for this request, until the page takes it (in the request's extensions).
#[derive(Clone)]
pub struct PreloadedList(Arc<Mutex<Option<Result<ListView, ServerFnError>>>>);

impl PreloadedList {
    /// Takes the list out, once; later calls find nothing.
    pub fn take(&self) -> Option<Result<ListView, ServerFnError>> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// For a signed-in `GET /customers`, reads the list and statistics the page will show (the same
/// call, and so the same rules and errors, as its server function) and leaves them in the
/// request for the page.
pub async fn read_customers_list_ahead(State(core): State<Core>, mut req: Request, next: Next) -> Response {
    // The page's own reading of its address: a query for `/customers` alone.
    let asked = req
        .uri()
        .path_and_query()
        .filter(|_| req.method() == Method::GET)
        .and_then(|address| query::from_href(address.as_str()));
    if let (Some(asked), Some(session)) = (asked, req.extensions().get::<SessionContext>()) {
        let loaded = list_view(&core, &session.ctx, asked).await;
        req.extensions_mut().insert(PreloadedList(Arc::new(Mutex::new(Some(loaded)))));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_read_ahead_is_taken_once() {
        let preloaded = PreloadedList(Arc::new(Mutex::new(Some(Err(ServerFnError::new("unavailable"))))));
        let copy = preloaded.clone();
        assert!(matches!(copy.take(), Some(Err(_))));
        assert!(preloaded.take().is_none(), "a second render of the page reads the list itself");
    }
}
