//! The HTTP server: the application state and one router for the REST API, the pages, server
//! functions and assets.

mod state;

pub use state::{AppState, StartError};

use crate::app::{shell, App};
use crate::storage::DbSessionStore;
use crate::web::{assets, gate, login};
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::from_fn_with_state;
use axum::routing::post;
use axum::serve::ListenerExt;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.core.storage.clone()))
        .with_name("patron_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.secure_cookies)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(state.settings.session_hours)));

    let routes = generate_route_list(App);
    let context = {
        let core = state.core.clone();
        move || provide_context(core.clone())
    };
    let options = state.leptos_options.clone();
    let pages = Router::new()
        .route("/login", post(login::submit))
        .route("/logout", post(login::logout))
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(from_fn_with_state(state.core.clone(), gate::session_gate))
        .layer(sessions);

    let hashed = state.leptos_options.hash_files;
    Router::new()
        .nest("/api", crate::api::router())
        .nest_service("/pkg", assets::pkg_service(&state.settings.site_root, hashed))
        .merge(pages)
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, with TCP_NODELAY on every connection (streamed pages would
/// otherwise wait on delayed ACKs); every hour (and at start) it removes expired sessions and
/// expires the points that are due.
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.settings.address).await?;
    let address = listener.local_addr()?;
    let core = state.core.clone();
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            let now = core.clock.now();
            if let Err(err) = core.storage.delete_expired_sessions(now.timestamp()).await {
                tracing::warn!(%err, "could not remove expired sessions");
            }
            match crate::services::loyalty::expire_points(&core, now).await {
                Ok(expired) if expired.points > 0 => {
                    tracing::info!(points = expired.points, customers = expired.customers, "points expired");
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err.chain(), "could not expire points"),
            }
        }
    });
    tracing::info!("listening on http://{address}");
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(%err, "could not set TCP_NODELAY");
        }
    });
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
