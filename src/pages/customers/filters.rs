//! Search box, loyalty level and status selects, and Clear Filters: a GET form that works without
//! JavaScript; with it, search runs 300 ms after typing stops and selects apply at once.

use crate::server_fns::customers::PageQuery;
use leptos::prelude::*;

/// The filter bar.
#[component]
pub fn Filters(query: RwSignal<PageQuery>) -> impl IntoView {
    let go = move |change: &dyn Fn(&mut PageQuery)| {
        let mut next = query.get_untracked();
        change(&mut next);
        next.page.clear();
        super::query::go(query, next);
    };
    let go = StoredValue::new(go);
    let search_for = move |text: String| go.with_value(|go| go(&|q: &mut PageQuery| q.search = text.clone()));
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let search_box = NodeRef::<leptos::html::Input>::new();
    let on_search = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(move || search_for(text), std::time::Duration::from_millis(300)).ok();
        pending.set_value(handle);
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        search_for(search_box.get_untracked().map(|input| input.value()).unwrap_or_default());
    };
    // Text typed before the page became interactive (a fast user, a slow phone) is kept and
    // searched for: read here, before hydration sets the box to the URL's search.
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let typed = document()
            .get_element_by_id("search")
            .and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|input| input.value())
            .filter(|typed| query.with_untracked(|q| q.search != *typed));
        if let Some(typed) = typed {
            request_animation_frame(move || search_for(typed));
        }
    }
    let on_select = move |name: &'static str| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            go.with_value(|go| {
                go(&|q: &mut PageQuery| match name {
                    "loyalty_level" => q.loyalty_level = value.clone(),
                    _ => q.status = value.clone(),
                })
            });
        }
    };
    let selected = move |current: String, value: &'static str| current == value;
    view! {
        <form method="get" action="/customers" on:submit=on_submit role="search"
            class="flex flex-col gap-3 rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:flex-row sm:flex-wrap sm:items-end">
            <div class="flex-1 sm:min-w-64">
                <label for="search" class="block text-sm font-medium">"Search"</label>
                <input id="search" name="search" type="search" placeholder="Name, email or phone" node_ref=search_box
                    autocomplete="off"
                    value=query.get_untracked().search
                    prop:value=move || query.get().search on:input=on_search
                    class="mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3"/>
            </div>
            <div>
                <label for="loyalty_level" class="block text-sm font-medium">"Loyalty level"</label>
                <select id="loyalty_level" name="loyalty_level" on:change=on_select("loyalty_level")
                    class="mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3 sm:w-40">
                    {[("", "All"), ("bronze", "Bronze"), ("silver", "Silver"), ("gold", "Gold"), ("platinum", "Platinum")]
                        .into_iter()
                        .map(|(value, label)| view! {
                            <option value=value selected=move || selected(query.get().loyalty_level, value)>{label}</option>
                        })
                        .collect::<Vec<_>>()}
                </select>
            </div>
            <div>
                <label for="status" class="block text-sm font-medium">"Status"</label>
                <select id="status" name="status" on:change=on_select("status")
                    class="mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3 sm:w-36">
                    {[("", "All"), ("active", "Active"), ("inactive", "Inactive")]
                        .into_iter()
                        .map(|(value, label)| view! {
                            <option value=value selected=move || selected(query.get().status, value)>{label}</option>
                        })
                        .collect::<Vec<_>>()}
                </select>
            </div>
            <input type="hidden" name="ordering" value=query.get_untracked().ordering prop:value=move || query.get().ordering/>
            <div class="flex gap-2">
                <button type="submit" class="min-h-11 rounded-lg bg-slate-800 px-4 font-medium text-white hover:bg-slate-900">"Search"</button>
                <a href="/customers" role="button"
                    class="inline-flex min-h-11 items-center rounded-lg px-4 font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100">
                    "Clear Filters"
                </a>
            </div>
        </form>
    }
}
