//! The customers table, its sortable headers, bulk actions and pagination. The table is shown only
//! where it fits (container queries on the list's width): from 51 rem, with the phone column from
//! 60 rem (below that the phone sits under the email); narrower lists show cards, two per row from
//! 36 rem.

use super::query::{grouped, href};
use super::PageState;
use crate::components::badges::{StatusBadge, TierBadge};
use crate::domain::customer_query::DEFAULT_PAGE_SIZE;
use crate::domain::Customer;
use crate::server_fns::customers::{ListView, PageQuery};
use leptos::prelude::*;

/// The list with its selection bar and pagination.
#[component]
pub fn CustomerList(view: ListView, query: PageQuery, state: PageState) -> impl IntoView {
    let can_manage = view.can_manage;
    let ids: Vec<i64> = view.items.iter().map(|c| c.id).collect();
    let all_ids = StoredValue::new(ids);
    let all_selected = move || {
        let selected = state.selected.get();
        all_ids.with_value(|ids| !ids.is_empty() && ids.iter().all(|id| selected.contains(id)))
    };
    let toggle_all = move |_| {
        let select = !all_selected();
        state.selected.update(|selected| {
            all_ids.with_value(|ids| {
                for id in ids {
                    if select {
                        selected.insert(*id);
                    } else {
                        selected.remove(id);
                    }
                }
            })
        });
    };
    let rows = view.items.clone();
    let cards = view.items.clone();
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
        <div class="hidden overflow-x-auto rounded-xl bg-white ring-1 ring-slate-200 @min-[51rem]:block">
            <table class="w-full text-left text-sm">
                <thead class="bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
                    <tr>
                        <Show when=move || can_manage>
                            <th scope="col" class="w-12 px-2 py-2">
                                <input type="checkbox" aria-label="Select All" class="h-5 w-5"
                                    prop:checked=all_selected on:change=toggle_all/>
                            </th>
                        </Show>
                        <SortHeader label="Name" field="name" query=query.clone()/>
                        <th scope="col" class="hidden px-2 py-2 @min-[60rem]:table-cell">"Phone"</th>
                        <th scope="col" class="px-2 py-2">"Tier"</th>
                        <SortHeader label="Points" field="loyalty_points" query=query.clone()/>
                        <SortHeader label="Orders" field="total_orders" query=query.clone()/>
                        <th scope="col" class="px-2 py-2">"Status"</th>
                        <th scope="col" class="px-2 py-2 text-right">"Actions"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {rows.into_iter().map(|c| view! { <Row customer=c state can_manage/> }).collect::<Vec<_>>()}
                </tbody>
            </table>
        </div>
        <div class="@min-[51rem]:hidden">
            <div class="mb-2 flex items-center justify-between">
                <Show when=move || can_manage>
                    <label class="flex min-h-11 items-center gap-2 text-sm font-medium">
                        <input type="checkbox" class="h-5 w-5" prop:checked=all_selected on:change=toggle_all/>
                        "Select All"
                    </label>
                </Show>
                <MobileSort query=query.clone()/>
            </div>
            <ul class="grid gap-3 @xl:grid-cols-2">
                {cards.into_iter().map(|c| view! { <Card customer=c state can_manage/> }).collect::<Vec<_>>()}
            </ul>
        </div>
        <Pagination count=view.count page=view.page size=DEFAULT_PAGE_SIZE query/>
    }
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

fn detail_href(c: &Customer) -> String {
    format!("/customers/{}", c.id)
}

#[component]
fn Row(customer: Customer, state: PageState, can_manage: bool) -> impl IntoView {
    let id = customer.id;
    let name_id = format!("customer-{id}-name");
    let c = StoredValue::new(customer.clone());
    view! {
        <tr class="hover:bg-slate-50">
            <Show when=move || can_manage>
                <td class="px-2 py-2">
                    <input type="checkbox" class="h-5 w-5" aria-label=format!("Select {}", c.with_value(|c| c.name.clone()))
                        prop:checked=move || state.selected.with(|s| s.contains(&id))
                        on:change=move |_| state.toggle(id)/>
                </td>
            </Show>
            <td class="max-w-48 px-2 py-2">
                <a id=name_id.clone() href=detail_href(&customer) class="font-semibold text-indigo-700 hover:underline">{customer.name.clone()}</a>
                <div class="truncate text-xs text-slate-600">{customer.email.clone()}</div>
                <div class="whitespace-nowrap text-xs text-slate-600 @min-[60rem]:hidden">{customer.phone.clone()}</div>
            </td>
            <td class="hidden whitespace-nowrap px-2 py-2 @min-[60rem]:table-cell">{customer.phone.clone()}</td>
            <td class="px-2 py-2"><TierBadge tier=customer.tier()/></td>
            <td class="px-2 py-2 tabular-nums">{grouped(customer.loyalty_points)}</td>
            <td class="px-2 py-2 tabular-nums">{grouped(customer.total_orders)}</td>
            <td class="px-2 py-2"><StatusBadge active=customer.is_active/></td>
            <td class="px-2 py-2">
                <Actions customer state can_manage described_by=name_id/>
            </td>
        </tr>
    }
}

#[component]
fn Card(customer: Customer, state: PageState, can_manage: bool) -> impl IntoView {
    let id = customer.id;
    let name_id = format!("customer-card-{id}-name");
    let label = format!("Select {}", customer.name);
    view! {
        <li class="min-w-0 rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <div class="flex items-start gap-3">
                <Show when=move || can_manage>
                    <input type="checkbox" class="mt-1 h-5 w-5" aria-label=label.clone()
                        prop:checked=move || state.selected.with(|s| s.contains(&id))
                        on:change=move |_| state.toggle(id)/>
                </Show>
                <div class="min-w-0 flex-1">
                    <a id=name_id.clone() href=detail_href(&customer) class="break-words font-semibold text-indigo-700">{customer.name.clone()}</a>
                    <p class="truncate text-sm text-slate-600">{customer.email.clone()}</p>
                    <p class="text-sm text-slate-600">{customer.phone.clone()}</p>
                    <div class="mt-2 flex flex-wrap items-center gap-2 text-sm">
                        <TierBadge tier=customer.tier()/>
                        <StatusBadge active=customer.is_active/>
                        <span class="tabular-nums">{grouped(customer.loyalty_points)}" points"</span>
                        <span class="tabular-nums">{grouped(customer.total_orders)}" orders"</span>
                    </div>
                </div>
            </div>
            <div class="mt-3"><Actions customer state can_manage described_by=name_id/></div>
        </li>
    }
}

#[component]
fn Actions(customer: Customer, state: PageState, can_manage: bool, described_by: String) -> impl IntoView {
    let c = StoredValue::new(customer);
    let button =
        "inline-flex min-h-11 min-w-11 items-center justify-center rounded-lg px-2.5 text-sm font-medium ring-1";
    view! {
        <div class="flex justify-end gap-1.5">
            <button type="button" aria-describedby=described_by.clone() on:click=move |_| state.editing.set(Some(Some(c.get_value())))
                class=format!("{button} text-slate-700 ring-slate-300 hover:bg-slate-100")>"Edit"</button>
            <button type="button" aria-describedby=described_by.clone() on:click=move |_| state.points_for.set(Some(c.get_value()))
                class=format!("{button} text-amber-800 ring-amber-300 hover:bg-amber-50")>"Points"</button>
            <Show when=move || can_manage>
                <button type="button" aria-describedby=described_by.clone() on:click=move |_| state.deleting.set(Some(c.get_value()))
                    class=format!("{button} text-red-700 ring-red-300 hover:bg-red-50")>"Delete"</button>
            </Show>
        </div>
    }
}

#[component]
fn Pagination(count: u64, page: u64, size: u64, query: PageQuery) -> impl IntoView {
    let pages = count.div_ceil(size).max(1);
    let first = if count == 0 { 0 } else { (page - 1) * size + 1 };
    let last = (page * size).min(count);
    let link =
        move |n: u64| href(&PageQuery { page: if n == 1 { String::new() } else { n.to_string() }, ..query.clone() });
    let window_start = page.saturating_sub(2).max(1);
    let window_end = (window_start + 4).min(pages);
    let numbers: Vec<u64> = (window_start..=window_end).collect();
    let base = "inline-flex min-h-11 min-w-11 items-center justify-center rounded-lg px-3 text-sm font-medium";
    view! {
        <nav aria-label="Pagination" class="flex flex-col items-center justify-between gap-3 sm:flex-row">
            <p class="text-sm text-slate-600">{format!("Showing {}–{} of {}", grouped(first as i64), grouped(last as i64), grouped(count as i64))}</p>
            <div class="flex flex-wrap items-center gap-1">
                {if page > 1 {
                    view! { <a href=link(page - 1) rel="prev" class=format!("{base} ring-1 ring-slate-300 hover:bg-slate-100")>"Previous"</a> }.into_any()
                } else {
                    view! { <span aria-disabled="true" class=format!("{base} text-slate-400 ring-1 ring-slate-200")>"Previous"</span> }.into_any()
                }}
                {numbers.into_iter().map(|n| {
                    let current = n == page;
                    view! {
                        <a href=link(n) aria-label=format!("Page {n}") aria-current=current.then_some("page")
                            class=if current { format!("{base} bg-indigo-600 text-white") } else { format!("{base} ring-1 ring-slate-300 hover:bg-slate-100") }>
                            {n}
                        </a>
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
