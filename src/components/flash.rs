//! The message a form left for the page it redirected to.

use crate::server_fns::team::Flash;
use leptos::prelude::*;

/// The message, announced to screen readers (an error as an alert); a one-time secret is shown
/// in a box of its own with a reminder that it will not be shown again; a merge it reports can
/// be undone from it.
#[component]
pub fn FlashMessage(flash: Option<Flash>) -> impl IntoView {
    flash.map(|flash| {
        let (role, class) = if flash.ok {
            ("status", "rounded-xl bg-emerald-50 p-4 text-emerald-900 ring-1 ring-emerald-200")
        } else {
            ("alert", "rounded-xl bg-red-50 p-4 text-red-900 ring-1 ring-red-200")
        };
        view! {
            <div role=role class=class>
                <p class="break-words">{flash.text}</p>
                {flash.undo_merge.map(|merge| view! {
                    <form method="post" action=format!("/merges/{merge}/undo") class="mt-2">
                        <input type="hidden" name="next" value="/customers/duplicates"/>
                        <button type="submit" class="min-h-11 rounded-lg bg-white px-4 font-semibold text-emerald-900 ring-1 ring-emerald-300 hover:bg-emerald-100">"Undo"</button>
                    </form>
                })}
                {flash.secret.map(|secret| view! {
                    <p class="mt-2 text-sm">"Hand it over now: it is not shown again."</p>
                    <p class="mt-1 break-all rounded-lg bg-white px-3 py-2 font-mono text-sm ring-1 ring-emerald-200">{secret}</p>
                })}
            </div>
        }
    })
}

/// The page for a signed-in user whose role may not see it (with a 403 status on the server).
#[component]
pub fn NotAllowed(text: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    view! {
        <div class="max-w-xl rounded-xl bg-white p-6 ring-1 ring-slate-200">
            <h2 class="text-lg font-semibold">"You do not have access to this page"</h2>
            <p class="mt-1 text-slate-600">{text}</p>
            <a href="/customers" class="mt-4 inline-flex min-h-11 items-center rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700">
                "Go to customers"
            </a>
        </div>
    }
}
