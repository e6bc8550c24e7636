//! The page for an unknown address.

use leptos::prelude::*;
use leptos_meta::Title;

/// A styled 404 page (with a 404 status when rendered on the server).
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <main class="flex min-h-screen flex-col items-center justify-center gap-4 px-4 text-center">
            <p class="text-6xl font-black text-indigo-200">"404"</p>
            <h1 class="text-2xl font-bold">"Page not found"</h1>
            <p class="text-slate-600">"The page you asked for does not exist or has moved."</p>
            <a href="/customers" class="inline-flex min-h-11 items-center rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700">
                "Go to customers"
            </a>
        </main>
    }
}
