//! `/customers/{id}`: profile, tier, totals, average order value and the points history.

use super::query::{grouped, money};
use crate::components::badges::{StatusBadge, TierBadge};
use crate::domain::dates;
use crate::server_fns::customers::customer_detail;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The customer detail page.
#[component]
pub fn CustomerDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let page = move || query.with(|q| q.get("page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1));
    let data = Resource::new_blocking(
        move || (id(), page()),
        |(id, page)| async move {
            match id {
                Some(id) => customer_detail(id, page).await,
                None => Err(ServerFnError::new("That customer no longer exists.")),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(err) => view! {
                        <Title text="Customer"/>
                        <div role="alert" class="rounded-xl bg-red-50 p-4 text-red-900 ring-1 ring-red-200">
                            <p>{super::error_text(&err)}</p>
                            <a href="/customers" class="underline">"Back to customers"</a>
                        </div>
                    }.into_any(),
                    Ok(view) => {
                        let c = view.customer.clone();
                        let pages = view.history_count.div_ceil(10).max(1);
                        let number = view.history_page;
                        let link = move |n: u64| format!("/customers/{}?page={n}", c.id);
                        view! {
                            <Title text=view.customer.name.clone()/>
                            <div class="space-y-4">
                                <a href="/customers" class="inline-flex min-h-11 items-center text-sm text-indigo-700 hover:underline">"← Customers"</a>
                                <header class="flex flex-wrap items-center gap-3">
                                    <h1 class="text-2xl font-bold">{view.customer.name.clone()}</h1>
                                    <TierBadge tier=view.customer.tier()/>
                                    <StatusBadge active=view.customer.is_active/>
                                </header>
                                <dl class="grid grid-cols-2 gap-3 rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:grid-cols-4">
                                    <Fact label="Loyalty points" value=grouped(view.customer.loyalty_points)/>
                                    <Fact label="Total orders" value=grouped(view.customer.total_orders)/>
                                    <Fact label="Total spent" value=money(view.customer.total_spent_minor)/>
                                    <Fact label="Average order value" value=money(view.average_order_minor)/>
                                </dl>
                                <section aria-labelledby="profile" class="rounded-xl bg-white p-4 ring-1 ring-slate-200">
                                    <h2 id="profile" class="font-semibold">"Profile"</h2>
                                    <dl class="mt-2 grid grid-cols-1 gap-2 text-sm sm:grid-cols-2">
                                        <Fact label="Email" value=view.customer.email.clone()/>
                                        <Fact label="Phone" value=view.customer.phone.clone()/>
                                        <Fact label="Address" value=view.customer.address.clone()/>
                                        <Fact label="City" value=format!("{} {}", view.customer.city, view.customer.province)/>
                                        <Fact label="Postal code" value=view.customer.postal_code.clone()/>
                                        <Fact label="Notes" value=view.customer.notes.clone()/>
                                        <Fact label="Customer since" value=dates::day(&view.customer.created_at)/>
                                        <Fact label="Last order" value=view.customer.last_order_date.as_ref().map_or_else(|| "—".into(), dates::day)/>
                                    </dl>
                                </section>
                                <section aria-labelledby="history" class="rounded-xl bg-white p-4 ring-1 ring-slate-200">
                                    <h2 id="history" class="font-semibold">"Points history"</h2>
                                    {if view.history.is_empty() {
                                        view! { <p class="mt-2 text-sm text-slate-600">"No points changes yet."</p> }.into_any()
                                    } else {
                                        view! {
                                            <div class="mt-2 overflow-x-auto" tabindex="0" role="region" aria-label="History entries">
                                                <table class="w-full text-left text-sm">
                                                    <thead class="text-xs uppercase text-slate-600">
                                                        <tr><th scope="col" class="py-2 pr-3">"When"</th><th scope="col" class="py-2 pr-3">"Change"</th><th scope="col" class="py-2 pr-3">"Balance"</th><th scope="col" class="py-2 pr-3">"Reason"</th><th scope="col" class="py-2">"By"</th></tr>
                                                    </thead>
                                                    <tbody class="divide-y divide-slate-100">
                                                        {view.history.iter().map(|h| view! {
                                                            <tr>
                                                                <td class="py-2 pr-3 whitespace-nowrap">{dates::day_and_minute(&h.created_at)}</td>
                                                                <td class=if h.delta < 0 { "py-2 pr-3 tabular-nums text-red-700" } else { "py-2 pr-3 tabular-nums text-green-700" }>
                                                                    {if h.delta > 0 { format!("+{}", grouped(h.delta)) } else { grouped(h.delta) }}
                                                                </td>
                                                                <td class="py-2 pr-3 tabular-nums">{grouped(h.balance_after)}</td>
                                                                <td class="py-2 pr-3">{h.reason.clone()}</td>
                                                                <td class="py-2">{h.user_email.clone().unwrap_or_else(|| h.source.clone())}</td>
                                                            </tr>
                                                        }).collect::<Vec<_>>()}
                                                    </tbody>
                                                </table>
                                            </div>
                                            <nav aria-label="History pages" class="mt-3 flex items-center justify-between text-sm">
                                                <span>{format!("Page {number} of {pages}")}</span>
                                                <span class="flex gap-2">
                                                    {(number > 1).then(|| view! { <a href=link(number - 1) class="inline-flex min-h-11 items-center rounded-lg px-3 ring-1 ring-slate-300">"Previous"</a> })}
                                                    {(number < pages).then(|| view! { <a href=link(number + 1) class="inline-flex min-h-11 items-center rounded-lg px-3 ring-1 ring-slate-300">"Next"</a> })}
                                                </span>
                                            </nav>
                                        }.into_any()
                                    }}
                                </section>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Fact(label: &'static str, value: String) -> impl IntoView {
    view! {
        <div>
            <dt class="text-xs uppercase tracking-wide text-slate-500">{label}</dt>
            <dd class="font-medium">{if value.trim().is_empty() { "—".to_owned() } else { value }}</dd>
        </div>
    }
}
