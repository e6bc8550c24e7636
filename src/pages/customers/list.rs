//! The customers table, its sortable headers, bulk actions and pagination. The table is shown only
//! where it fits (container queries on the list's width): from 51 rem, with the phone column from
//! 60 rem (below that the phone sits under the email); narrower lists show cards, two per row from
//! 36 rem.

use super::list_markup::{self, RowControl};
use super::query::href;
use super::PageState;
use crate::domain::customer_query::DEFAULT_PAGE_SIZE;
use crate::server_fns::customers::{ListView, PageQuery};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// The list with its selection bar and pagination. Rows and cards are HTML text
/// ([`list_markup`]); their checkboxes and buttons are handled here, for all of them at once.
#[component]
pub fn CustomerList(view: ListView, query: PageQuery, state: PageState, can_manage: bool) -> impl IntoView {
    let rows = list_markup::rows(&view.items, can_manage);
    let cards = list_markup::cards(&view.items, can_manage);
    let customers = StoredValue::new(view.items);
    let all_selected = move || {
        let selected = state.selected.get();
        customers.with_value(|all| !all.is_empty() && all.iter().all(|c| selected.contains(&c.id)))
    };
    let toggle_all = move |_| {
        let select = !all_selected();
        state.selected.update(|selected| {
            customers.with_value(|all| {
                for c in all {
                    if select {
                        selected.insert(c.id);
                    } else {
                        selected.remove(&c.id);
                    }
                }
            })
        });
    };
    // The rows' checkboxes follow the selection (select all, a bulk change, a new view).
    Effect::new(move |_| state.selected.with(sync_checkboxes));
    let act = move |ev: leptos::ev::Event| {
        let Some(control) = control_of(&ev) else { return };
        let customer = |id: i64| customers.with_value(|all| all.iter().find(|c| c.id == id).cloned());
        match control {
            RowControl::Select(id) if ev.type_() == "change" => state.toggle(id),
            RowControl::Select(_) => {}
            RowControl::Edit(id) => state.editing.set(customer(id).map(Some)),
            RowControl::Points(id) => state.points_for.set(customer(id)),
            RowControl::Delete(id) => state.deleting.set(customer(id)),
        }
    };
    view! {
        <Show when=move || can_manage && !state.selected.with(|s| s.is_empty())>
            <div class="flex flex-wrap items-center gap-2 rounded-xl bg-indigo-50 px-4 py-2 ring-1 ring-indigo-200">
                <p class="font-medium" aria-live="polite">{move || format!("{} customers selected", state.selected.with(|s| s.len()))}</p>
                <button type="button" on:click=move |_| state.bulk(true)
                    class="min-h-11 rounded-lg bg-green-700 px-3 font-medium text-white hover:bg-green-800">"Activate Selected"</button>
                <button type="button" on:click=move |_| state.bulk(false)
                    class="min-h-11 rounded-lg bg-red-700 px-3 font-medium text-white hover:bg-red-800">"Deactivate Selected"</button>
            </div>
        </Show>
        <div class="hidden overflow-x-auto rounded-xl bg-white ring-1 ring-slate-200 @min-[51rem]:block"
            on:click=move |ev| act(ev.into()) on:change=act>
            <table class="w-full text-left text-sm">
                <thead class="bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
                    <tr>
                        {can_manage.then(|| view! {
                            <th scope="col" class="w-12 px-2 py-2">
                                <input type="checkbox" aria-label="Select All" class="h-5 w-5"
                                    prop:checked=all_selected on:change=toggle_all/>
                            </th>
                        })}
                        <SortHeader label="Name" field="name" query=query.clone()/>
                        <th scope="col" class="hidden px-2 py-2 @min-[60rem]:table-cell">"Phone"</th>
                        <th scope="col" class="px-2 py-2">"Tier"</th>
                        <SortHeader label="Points" field="loyalty_points" query=query.clone()/>
                        <SortHeader label="Orders" field="total_orders" query=query.clone()/>
                        <th scope="col" class="px-2 py-2">"Status"</th>
                        <th scope="col" class="px-2 py-2 text-right">"Actions"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100" inner_html=rows></tbody>
            </table>
        </div>
        <div class="@min-[51rem]:hidden" on:click=move |ev| act(ev.into()) on:change=act>
            <div class="mb-2 flex items-center justify-between">
                {can_manage.then(|| view! {
                    <label class="flex min-h-11 items-center gap-2 text-sm font-medium">
                        <input type="checkbox" class="h-5 w-5" prop:checked=all_selected on:change=toggle_all/>
                        "Select All"
                    </label>
                })}
                <MobileSort query=query.clone()/>
            </div>
            <ul class="grid gap-3 @xl:grid-cols-2" inner_html=cards></ul>
        </div>
        <Pagination count=view.count page=view.page size=DEFAULT_PAGE_SIZE query/>
    }
}

/// The row control (checkbox or button) an event on the list came from.
fn control_of(ev: &leptos::ev::Event) -> Option<RowControl> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
        let control = target.closest("[data-select],[data-action]").ok()??;
        RowControl::from_attributes(
            control.get_attribute("data-select").as_deref(),
            control.get_attribute("data-action").as_deref(),
            control.get_attribute("data-customer").as_deref(),
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

/// Checks the rows' and cards' checkboxes of the selected customers and unchecks the others.
fn sync_checkboxes(selected: &BTreeSet<i64>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Ok(boxes) = document().query_selector_all("input[data-select]") else { return };
        for i in 0..boxes.length() {
            let Some(input) = boxes.item(i).and_then(|node| node.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
                continue;
            };
            let id = input.get_attribute("data-select").and_then(|id| id.parse::<i64>().ok());
            input.set_checked(id.is_some_and(|id| selected.contains(&id)));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = selected;
}

#[component]
fn SortHeader(label: &'static str, field: &'static str, query: PageQuery) -> impl IntoView {
    let descending_now = query.ordering == format!("-{field}");
    let ascending_now = query.ordering == field;
    let next = PageQuery {
        ordering: if ascending_now { format!("-{field}") } else { field.to_owned() },
        page: String::new(),
        ..query
    };
    let sort = if ascending_now {
        "ascending"
    } else if descending_now {
        "descending"
    } else {
        "none"
    };
    let arrow = match sort {
        "ascending" => "▲",
        "descending" => "▼",
        _ => "↕",
    };
    view! {
        <th scope="col" aria-sort=sort class="px-2 py-2">
            <a href=href(&next) class="inline-flex min-h-11 items-center gap-1 hover:text-slate-900">
                {label}<span aria-hidden="true">{arrow}</span>
            </a>
        </th>
    }
}

#[component]
fn MobileSort(query: PageQuery) -> impl IntoView {
    view! { <nav aria-label="Sort" class="flex flex-wrap gap-1 text-xs" inner_html=list_markup::sort_links(&query)></nav> }
}

#[component]
fn Pagination(count: u64, page: u64, size: u64, query: PageQuery) -> impl IntoView {
    view! {
        <nav aria-label="Pagination" class="flex flex-col items-center justify-between gap-3 sm:flex-row"
            inner_html=list_markup::pagination(count, page, size, &query)></nav>
    }
}
