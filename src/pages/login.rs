//! `/login`: a server-rendered form that works with or without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The sign-in page. Its form posts to `POST /login`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next").unwrap_or_default());
    let message = move || {
        query.with(|q| match q.get("error").as_deref() {
            Some("invalid") => Some("Wrong email or password."),
            Some("unavailable") => Some("Sign-in is unavailable right now. Try again in a moment."),
            _ => None,
        })
    };
    view! {
        <Title text="Sign in"/>
        <main class="flex min-h-screen items-center justify-center px-4">
            <div class="w-full max-w-sm rounded-2xl bg-white p-8 shadow-sm ring-1 ring-slate-200">
                <p class="text-sm font-semibold uppercase tracking-wide text-indigo-600">"Patron"</p>
                <h1 class="mt-1 text-2xl font-bold">"Sign in"</h1>
                <p class="mt-1 text-sm text-slate-600">"Customers and loyalty for your business."</p>
                {move || message().map(|text| view! {
                    <p role="alert" class="mt-4 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
                        {text}
                    </p>
                })}
                <form method="post" action="/login" class="mt-6 space-y-4">
                    <input type="hidden" name="next" value=next/>
                    <div>
                        <label for="email" class="block text-sm font-medium">"Email"</label>
                        <input id="email" name="email" type="email" required autocomplete="username" autofocus
                            class="mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3 focus:outline-2 focus:outline-indigo-600"/>
                    </div>
                    <div>
                        <label for="password" class="block text-sm font-medium">"Password"</label>
                        <input id="password" name="password" type="password" required autocomplete="current-password"
                            class="mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3 focus:outline-2 focus:outline-indigo-600"/>
                    </div>
                    <button type="submit"
                        class="min-h-11 w-full rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
                        "Sign in"
                    </button>
                </form>
            </div>
        </main>
    }
}
