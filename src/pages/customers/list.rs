//! The customers table, its sortable headers, bulk actions and pagination. The table is shown only
//! where it fits (container queries on the list's width): from 51 rem, with the phone column from
//! 60 rem (below that the phone sits under the email); narrower lists show cards, two per row from
//! 36 rem.

use super::list_markup::{self, RowControl};
use super::query::{grouped, href};
use super::PageState;
use crate::domain::customer_query::DEFAULT_PAGE_SIZE;
use crate::server_fns::customers::{ListView, PageQuery};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// The list with its selection bar and pagination. Rows and cards are HTML text
/// ([`list_markup`]); their checkboxes and buttons are handled here, for all of them at once.
#[component]
pub fn CustomerList(view: ListView, query: PageQuery, state: PageState) -> impl IntoView {
    let can_manage = view.can_manage;
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
    let options = [
        ("", "Newest"),
        ("created_at", "Oldest"),
        ("name", "Name A–Z"),
        ("-name", "Name Z–A"),
        ("-loyalty_points", "Most points"),
        ("loyalty_points", "Fewest points"),
        ("-total_orders", "Most orders"),
    ];
    view! {
        <nav aria-label="Sort" class="flex flex-wrap gap-1 text-xs">
            {options.into_iter().map(|(ordering, label)| {
                let next = PageQuery { ordering: ordering.to_owned(), page: String::new(), ..query.clone() };
                let current = query.ordering == ordering;
                view! {
                    <a href=href(&next) aria-current=current.then_some("true")
                        class=if current { "rounded-full bg-slate-800 px-3 py-2 text-white" } else { "rounded-full px-3 py-2 ring-1 ring-slate-300" }>
                        {label}
                    </a>
                }
            }).collect::<Vec<_>>()}
        </nav>
    }
}

/// The page numbers to link around `page` of `pages`: the first, the last, and the current one
/// with its neighbours; `None` stands for the pages left out (an ellipsis). A gap of one page shows
/// that page instead, so an ellipsis always hides at least two.
fn page_links(page: u64, pages: u64) -> Vec<Option<u64>> {
    let pages = pages.max(1);
    let page = page.clamp(1, pages);
    let mut shown: Vec<u64> =
        [1, page.saturating_sub(1), page, page + 1, pages].into_iter().filter(|n| (1..=pages).contains(n)).collect();
    shown.sort_unstable();
    shown.dedup();
    let mut links = Vec::with_capacity(shown.len() + 2);
    let mut previous = 0;
    for n in shown {
        match n - previous {
            1 => {}
            2 => links.push(Some(n - 1)),
            _ => links.push(None),
        }
        links.push(Some(n));
        previous = n;
    }
    links
}

#[component]
fn Pagination(count: u64, page: u64, size: u64, query: PageQuery) -> impl IntoView {
    let pages = count.div_ceil(size).max(1);
    let first = if count == 0 { 0 } else { (page - 1) * size + 1 };
    let last = (page * size).min(count);
    let link =
        move |n: u64| href(&PageQuery { page: if n == 1 { String::new() } else { n.to_string() }, ..query.clone() });
    let base =
        "inline-flex min-h-11 min-w-11 items-center justify-center rounded-lg px-2 text-sm font-medium tabular-nums";
    let number = |n: u64| grouped(i64::try_from(n).unwrap_or(i64::MAX));
    view! {
        <nav aria-label="Pagination" class="flex flex-col items-center justify-between gap-3 sm:flex-row">
            <p class="text-sm text-slate-600">{format!("Showing {}–{} of {}", number(first), number(last), number(count))}</p>
            <div class="flex flex-wrap items-center justify-center gap-1">
                {if page > 1 {
                    view! { <a href=link(page - 1) rel="prev" class=format!("{base} ring-1 ring-slate-300 hover:bg-slate-100")>"Previous"</a> }.into_any()
                } else {
                    view! { <span aria-disabled="true" class=format!("{base} text-slate-400 ring-1 ring-slate-200")>"Previous"</span> }.into_any()
                }}
                {page_links(page, pages).into_iter().map(|n| match n {
                    None => view! { <span aria-hidden="true" class="px-0.5 text-slate-500">"…"</span> }.into_any(),
                    Some(n) => {
                        let current = n == page;
                        view! {
                            <a href=link(n) aria-label=format!("Page {}", number(n)) aria-current=current.then_some("page")
                                class=if current { format!("{base} bg-indigo-600 text-white") } else { format!("{base} ring-1 ring-slate-300 hover:bg-slate-100") }>
                                {number(n)}
                            </a>
                        }.into_any()
                    }
                }).collect::<Vec<_>>()}
                {if page < pages {
                    view! { <a href=link(page + 1) rel="next" class=format!("{base} ring-1 ring-slate-300 hover:bg-slate-100")>"Next"</a> }.into_any()
                } else {
                    view! { <span aria-disabled="true" class=format!("{base} text-slate-400 ring-1 ring-slate-200")>"Next"</span> }.into_any()
                }}
            </div>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::page_links;

    fn shown(page: u64, pages: u64) -> String {
        page_links(page, pages)
            .into_iter()
            .map(|n| n.map_or("…".to_owned(), |n| n.to_string()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_page_in_the_middle_of_many_shows_the_ends_and_its_neighbours() {
        assert_eq!(shown(50, 100_000), "1 … 49 50 51 … 100000");
        assert_eq!(shown(15, 31), "1 … 14 15 16 … 31");
    }

    #[test]
    fn the_first_and_last_pages_show_their_neighbour_and_the_other_end() {
        assert_eq!(shown(1, 100_000), "1 2 … 100000");
        assert_eq!(shown(100_000, 100_000), "1 … 99999 100000");
    }

    #[test]
    fn a_gap_of_one_page_shows_that_page_instead_of_an_ellipsis() {
        assert_eq!(shown(3, 31), "1 2 3 4 … 31");
        assert_eq!(shown(4, 7), "1 2 3 4 5 6 7");
        assert_eq!(shown(5, 8), "1 … 4 5 6 7 8");
    }

    #[test]
    fn few_pages_are_all_shown_and_a_page_out_of_range_is_clamped() {
        assert_eq!(shown(1, 1), "1");
        assert_eq!(shown(2, 3), "1 2 3");
        assert_eq!(shown(9, 3), "1 2 3");
        assert_eq!(shown(1, 0), "1");
    }
}
