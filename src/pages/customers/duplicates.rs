//! `/customers/duplicates` (owners and managers): customers that look like one person, side by
//! side; choose the one to keep and **Merge**; the message that follows offers **Undo**. The
//! forms are plain posts, so the page works without JavaScript.

use super::query::{grouped, money};
use crate::components::flash::{FlashMessage, NotAllowed};
use crate::domain::merge::DuplicateGroup;
use crate::domain::{dates, Customer};
use crate::pages::customers::error_text;
use crate::server_fns::merges::duplicates_page;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The duplicates page.
#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let query = use_query_map();
    let page = query.with_untracked(|q| q.get("page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1));
    let data = duplicates_page(page);
    view! {
        <Title text="Duplicate customers"/>
        <div class="space-y-4">
            <a href="/customers" class="inline-flex min-h-11 items-center text-sm text-indigo-700 hover:underline">"← Customers"</a>
            <header>
                <h1 class="text-2xl font-bold">"Duplicate customers"</h1>
                <p class="text-sm text-slate-600">
                    "Customers with the same email, the same phone, or the same name in the same city. Keep one: \
                     the others' points, orders and history move to it, and their details fill its blanks. \
                     A merge can be undone for 30 days."
                </p>
            </header>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {Suspend::new(async move {
                    match data.await {
                        Ok(data) if !data.allowed => {
                            view! { <NotAllowed text="Only owners and managers merge customers.".to_owned()/> }.into_any()
                        }
                        Ok(data) => {
                            let number = data.page;
                            let pages = data.count.div_ceil(crate::server_fns::merges::GROUPS_PAGE_SIZE).max(1);
                            view! {
                                <FlashMessage flash=data.flash/>
                                {if data.groups.is_empty() {
                                    view! { <p class="rounded-xl bg-white p-6 text-slate-600 ring-1 ring-slate-200">"No duplicates found."</p> }.into_any()
                                } else {
                                    view! {
                                        <p class="text-sm text-slate-600">{format!("{} groups", grouped(i64::try_from(data.count).unwrap_or(i64::MAX)))}</p>
                                        <ul class="space-y-4">
                                            {data.groups.into_iter().enumerate().map(|(n, group)| view! {
                                                <li><Group group index=n page=number/></li>
                                            }).collect::<Vec<_>>()}
                                        </ul>
                                        <nav aria-label="Pages of groups" class="flex items-center justify-between text-sm">
                                            <span>{format!("Page {number} of {pages}")}</span>
                                            <span class="flex gap-2">
                                                {(number > 1).then(|| view! { <a href=format!("/customers/duplicates?page={}", number - 1) class="inline-flex min-h-11 items-center rounded-lg px-3 ring-1 ring-slate-300">"Previous"</a> })}
                                                {data.has_next.then(|| view! { <a href=format!("/customers/duplicates?page={}", number + 1) class="inline-flex min-h-11 items-center rounded-lg px-3 ring-1 ring-slate-300">"Next"</a> })}
                                            </span>
                                        </nav>
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(err) => view! {
                            <p role="alert" class="rounded-xl bg-red-50 p-4 text-red-900 ring-1 ring-red-200">{error_text(&err)}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// One group: its customers side by side (stacked on a phone), the one to keep chosen by a
/// radio button (the oldest at first), and **Merge**.
#[component]
fn Group(group: DuplicateGroup, index: usize, page: u64) -> impl IntoView {
    let ids = group.customers.iter().map(|c| c.id.to_string()).collect::<Vec<_>>().join(",");
    let heading = format!("group-{index}");
    let labelled_by = heading.clone();
    let count = group.customers.len();
    view! {
        <form method="post" action="/customers/duplicates/merge" aria-labelledby=labelled_by
            class="space-y-3 rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <input type="hidden" name="ids" value=ids/>
            <input type="hidden" name="page" value=page.to_string()/>
            <fieldset>
                <legend id=heading class="font-semibold">{format!("{} · {count} customers", group.reason.label())}</legend>
                <div class="mt-2 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
                    {group.customers.into_iter().enumerate().map(|(n, customer)| view! {
                        <Candidate customer checked=n == 0/>
                    }).collect::<Vec<_>>()}
                </div>
            </fieldset>
            <button type="submit" class="min-h-11 rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700">
                "Merge"
            </button>
        </form>
    }
}

/// A customer of a group, with the radio button that keeps it.
#[component]
fn Candidate(customer: Customer, checked: bool) -> impl IntoView {
    let input = format!("keep-{}", customer.id);
    let blank = |text: &str| if text.trim().is_empty() { "—".to_owned() } else { text.to_owned() };
    view! {
        <div class="min-w-0 rounded-lg p-3 ring-1 ring-slate-200 has-[:checked]:bg-indigo-50 has-[:checked]:ring-2 has-[:checked]:ring-indigo-600">
            <div class="flex items-start gap-2">
                <input type="radio" id=input.clone() name="survivor" value=customer.id.to_string() checked=checked
                    class="mt-1 size-5 accent-indigo-600"/>
                <label for=input class="min-w-0 flex-1">
                    <span dir="auto" class="block font-medium wrap-anywhere">{format!("Keep {}", customer.name)}</span>
                    <span class="block text-sm text-slate-600 wrap-anywhere">{customer.email.clone()}</span>
                </label>
            </div>
            <dl class="mt-2 grid grid-cols-2 gap-x-3 gap-y-1 text-sm">
                <dt class="text-slate-500">"Phone"</dt><dd class="wrap-anywhere">{blank(&customer.phone)}</dd>
                <dt class="text-slate-500">"City"</dt><dd dir="auto" class="wrap-anywhere">{blank(&customer.city)}</dd>
                <dt class="text-slate-500">"Points"</dt><dd class="tabular-nums">{grouped(customer.loyalty_points)}</dd>
                <dt class="text-slate-500">"Orders"</dt><dd class="tabular-nums">{grouped(customer.total_orders)}</dd>
                <dt class="text-slate-500">"Spent"</dt><dd class="tabular-nums">{money(customer.total_spent_minor)}</dd>
                <dt class="text-slate-500">"Since"</dt><dd>{dates::day(&customer.created_at)}</dd>
            </dl>
            <a href=format!("/customers/{}", customer.id) class="mt-2 inline-flex min-h-11 items-center text-sm text-indigo-700 hover:underline">
                "Open"<span class="sr-only">{format!(" {}", customer.name)}</span>
            </a>
        </div>
    }
}
