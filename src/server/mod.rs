//! The HTTP server: the application state and one router for the REST API, the pages, server
//! functions and assets.

mod state;

pub use state::{AppState, StartError};

use crate::app::{shell, App};
use crate::storage::DbSessionStore;
use crate::web::security_headers::Https;
use crate::web::{
    assets, client_address, compression, customer_files, customers_board, gate, health, import_forms, login,
    merge_forms, page_preload, same_origin, security_headers, server_fn_status, team_forms,
};
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderName;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    // Behind https the cookie takes the `__Host-` prefix: browsers then refuse it unless it is
    // Secure, for this host only and for every path, so no sibling domain can plant or read it.
    let cookie_name = if state.settings.secure_cookies { "__Host-patron_session" } else { "patron_session" };
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.core.storage.clone()))
        .with_name(cookie_name)
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
        .route("/settings/team/users", post(team_forms::add_user))
        .route("/settings/team/users/{id}", post(team_forms::change_user))
        .route("/account/password", post(team_forms::change_own_password))
        .route("/account/logout_all", post(team_forms::sign_out_everywhere))
        .route("/customers/export", get(customer_files::export))
        .route("/sfn/customers/board", get(customers_board::board))
        .route("/customers/{id}/erase", post(customer_files::erase))
        .route("/customers/duplicates/merge", post(merge_forms::merge))
        .route("/merges/{merge_id}/undo", post(merge_forms::undo))
        .route(
            "/customers/import/check",
            post(import_forms::check).layer(DefaultBodyLimit::max(crate::services::import::MAX_BYTES + 64 * 1024)),
        )
        .route("/customers/import/{job}/run", post(import_forms::run))
        .route("/customers/import/{job}/errors.csv", get(import_forms::errors))
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(from_fn(server_fn_status::caller_errors_are_400))
        // Inside the gate: it reads the list as the session's user.
        .layer(from_fn_with_state(state.core.clone(), page_preload::read_customers_list_ahead))
        .layer(from_fn_with_state(state.core.clone(), gate::session_gate))
        .layer(sessions)
        .layer(from_fn(same_origin::refuse_cross_site_writes));

    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .nest("/api", crate::api::router())
        .nest_service("/pkg", assets::pkg_service(&state.settings.site_root, state.site_files.clone()))
        .merge(pages)
        .layer(from_fn(compression::compress))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(from_fn_with_state(Arc::new(state.settings.trusted_proxies.clone()), client_address::resolve))
        .layer(from_fn_with_state(Https(state.settings.secure_cookies), security_headers::add))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, with TCP_NODELAY on every connection (streamed pages would
/// otherwise wait on delayed ACKs) and each connection's peer address known (sign-in limits,
/// the activity log); every ten minutes (and at start) it forgets what has expired (sessions,
/// sign-in counters, refresh tokens, idempotency keys) and expires the points that are due.
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.settings.address).await?;
    let address = listener.local_addr()?;
    let core = state.core.clone();
    tokio::spawn(async move {
        let mut every_ten_minutes = tokio::time::interval(Duration::from_secs(600));
        loop {
            every_ten_minutes.tick().await;
            let now = core.clock.now();
            if let Err(err) = crate::services::housekeeping::forget_expired(&core, now).await {
                tracing::warn!(error = %err.chain(), "could not forget what has expired");
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
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
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
