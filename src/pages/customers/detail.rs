//! `/customers/{id}`: profile, tier, totals, average order value, points about to expire, the
//! orders (Record order, Refund), the points history with each entry's source, the tier history
//! and the customer's activity.

use super::orders::{RecordOrder, RefundOrder};
use super::query::{grouped, money};
use crate::components::badges::{StatusBadge, TierBadge};
use crate::components::flash::FlashMessage;
use crate::domain::merge::MergeSummary;
use crate::domain::{dates, LoyaltyTier, Order, TierChange};
use crate::pages::activity::ActivityList;
use crate::server_fns::customers::{customer_detail, ORDERS_PAGE_SIZE};
use crate::server_fns::team::{customer_activity, ActivityLine};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The customer's latest activity: who created, edited, gave points, recorded orders. It is read
/// with the page's data, in the page's one `Suspend` (see the `pages` module on why no page waits
/// on a resource on the server).
#[component]
fn Timeline(lines: Result<Vec<ActivityLine>, ServerFnError>) -> impl IntoView {
    view! {
        <section aria-labelledby="timeline" class="space-y-2 rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <h2 id="timeline" class="text-lg font-semibold">"Activity"</h2>
            {match lines {
                Ok(lines) => view! { <ActivityList lines/> }.into_any(),
                Err(err) => view! { <p role="alert" class="text-red-900">{super::error_text(&err)}</p> }.into_any(),
            }}
        </section>
    }
}

/// What the erase form asks to be typed.
pub const ERASE_WORD: &str = "ERASE";

/// Erasing the customer's personal data for good (owners), confirmed by typing a word.
#[component]
fn Erase(customer_id: i64, retype: bool) -> impl IntoView {
    view! {
        <section aria-labelledby="erase" class="space-y-2 rounded-xl bg-white p-4 ring-1 ring-red-200">
            <h2 id="erase" class="text-lg font-semibold text-red-900">"Erase personal data"</h2>
            <p class="text-sm text-slate-600">
                "At the customer's request: their name, email, phone, address and notes are replaced for good and \
                 their consents withdrawn. Orders, points and totals stay. This cannot be undone."
            </p>
            {retype.then(|| view! { <p role="alert" class="text-sm text-red-900">{format!("Type {ERASE_WORD} to confirm.")}</p> })}
            <form method="post" action=format!("/customers/{customer_id}/erase") class="flex flex-wrap items-end gap-2">
                <div>
                    <label for="erase-confirm" class="block text-sm font-medium">{format!("Type {ERASE_WORD} to confirm")}</label>
                    <input id="erase-confirm" name="confirm" required autocomplete="off"
                        class="mt-1 block min-h-11 rounded-lg border border-slate-300 px-3 focus:outline-2 focus:outline-red-700"/>
                </div>
                <button type="submit" class="min-h-11 rounded-lg bg-red-700 px-4 font-semibold text-white hover:bg-red-800">"Erase customer"</button>
            </form>
        </section>
    }
}

/// The merges into this customer that can still be undone: who it absorbed, when, and **Undo**.
#[component]
fn MergedFrom(customer_id: i64, merges: Vec<MergeSummary>) -> impl IntoView {
    (!merges.is_empty()).then(|| view! {
        <section aria-labelledby="merged-from" class="space-y-2 rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <h2 id="merged-from" class="font-semibold">"Merged customers"</h2>
            <ul class="space-y-2">
                {merges.into_iter().map(|merge| {
                    let names = merge.absorbed.iter().map(|(id, name)| format!("{name} (#{id})")).collect::<Vec<_>>().join(", ");
                    view! {
                        <li class="flex flex-wrap items-center justify-between gap-2 text-sm">
                            <span class="break-words">{format!("Merged from {names} on {}", dates::day(&merge.created_at))}</span>
                            <form method="post" action=format!("/merges/{}/undo", merge.id)>
                                <input type="hidden" name="next" value=format!("/customers/{customer_id}")/>
                                <button type="submit" class="min-h-11 rounded-lg px-4 font-medium ring-1 ring-slate-300 hover:bg-slate-100">"Undo merge"</button>
                            </form>
                        </li>
                    }
                }).collect::<Vec<_>>()}
            </ul>
        </section>
    })
}

/// The customer detail page.
#[component]
pub fn CustomerDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let number = |name: &str| query.with_untracked(|q| q.get(name).and_then(|p| p.parse::<u64>().ok()).unwrap_or(1));
    let (page, orders_page) = (number("page"), number("orders_page"));
    let data = async move {
        let Some(id) = id else {
            return Err(ServerFnError::new("That customer no longer exists."));
        };
        let view = customer_detail(id, page, orders_page).await?;
        Ok((view, customer_activity(id).await))
    };
    // Set by the erase form when the confirmation was not typed.
    let retype = query.with_untracked(|q| q.get("erase").is_some_and(|v| v == "retype"));
    view! {
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {Suspend::new(async move {
                match data.await {
                    Err(err) => view! {
                        <Title text="Customer"/>
                        <div role="alert" class="rounded-xl bg-red-50 p-4 text-red-900 ring-1 ring-red-200">
                            <p>{super::error_text(&err)}</p>
                            <a href="/customers" class="underline">"Back to customers"</a>
                        </div>
                    }.into_any(),
                    Ok((view, lines)) => {
                        let customer_id = view.customer.id;
                        let pages = view.history_count.div_ceil(10).max(1);
                        let number = view.history_page;
                        let orders_page = view.orders_page;
                        let link = move |n: u64| format!("/customers/{customer_id}?page={n}&orders_page={orders_page}");
                        let orders_link = move |n: u64| format!("/customers/{customer_id}?page={number}&orders_page={n}");
                        let expiring = view.points_expiring.map(|e| {
                            format!("{} points expire on {}", grouped(e.points), dates::day(&e.on))
                        });
                        view! {
                            <Title text=view.customer.name.clone()/>
                            <div class="space-y-4">
                                <a href="/customers" class="inline-flex min-h-11 items-center text-sm text-indigo-700 hover:underline">"← Customers"</a>
                                <FlashMessage flash=view.flash.clone()/>
                                <header class="flex flex-wrap items-center gap-3">
                                    <h1 dir="auto" class="min-w-0 text-2xl font-bold wrap-anywhere">{view.customer.name.clone()}</h1>
                                    <TierBadge tier=view.customer.tier()/>
                                    <StatusBadge active=view.customer.is_active/>
                                </header>
                                <dl class="grid grid-cols-2 gap-3 rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:grid-cols-4">
                                    <Fact label="Loyalty points" value=grouped(view.customer.loyalty_points)/>
                                    <Fact label="Total orders" value=grouped(view.customer.total_orders)/>
                                    <Fact label="Total spent" value=money(view.customer.total_spent_minor)/>
                                    <Fact label="Average order value" value=money(view.average_order_minor)/>
                                </dl>
                                {expiring.map(|text| view! {
                                    <p class="rounded-lg bg-amber-50 px-4 py-2 text-sm text-amber-900 ring-1 ring-amber-200">{text}</p>
                                })}
                                <RecordOrder customer_id/>
                                <OrdersSection orders=view.orders.clone() count=view.orders_count number=orders_page
                                    can_refund=view.can_refund link=orders_link/>
                                <section aria-labelledby="profile" class="rounded-xl bg-white p-4 ring-1 ring-slate-200">
                                    <h2 id="profile" class="font-semibold">"Profile"</h2>
                                    <dl class="mt-2 grid grid-cols-1 gap-2 text-sm sm:grid-cols-2">
                                        <Fact label="Email" value=view.customer.email.clone()/>
                                        <Fact label="Phone" value=view.customer.phone.clone()/>
                                        <Fact label="Address" value=view.customer.address.clone()/>
                                        <Fact label="City" value=format!("{} {}", view.customer.city, view.customer.province)/>
                                        <Fact label="Postal code" value=view.customer.postal_code.clone()/>
                                        <Fact label="Notes" value=view.customer.notes.clone()/>
                                        <Fact label="Email marketing" value=(if view.customer.marketing_email { "Allowed" } else { "Not allowed" }).to_owned()/>
                                        <Fact label="SMS marketing" value=(if view.customer.marketing_sms { "Allowed" } else { "Not allowed" }).to_owned()/>
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
                                                        <tr>
                                                            <th scope="col" class="hidden py-2 pr-3 lg:table-cell">"When"</th>
                                                            <th scope="col" class="py-2 pr-3">"Change"</th>
                                                            <th scope="col" class="hidden py-2 pr-3 lg:table-cell">"Balance"</th>
                                                            <th scope="col" class="hidden py-2 pr-3 lg:table-cell">"Source"</th>
                                                            <th scope="col" class="py-2 pr-3">"Reason"</th>
                                                            <th scope="col" class="hidden py-2 lg:table-cell">"By"</th>
                                                        </tr>
                                                    </thead>
                                                    <tbody class="divide-y divide-slate-100">
                                                        {view.history.iter().map(|h| view! {
                                                            // Below 1024 px two columns: the change with the balance after it,
                                                            // and the reason with when, the source and who under it.
                                                            <tr class="align-top">
                                                                <td class="hidden py-2 pr-3 whitespace-nowrap lg:table-cell">{dates::day_and_minute(&h.created_at)}</td>
                                                                <td class="py-2 pr-3 tabular-nums">
                                                                    <span class=if h.delta < 0 { "block text-red-700" } else { "block text-green-700" }>
                                                                        {if h.delta > 0 { format!("+{}", grouped(h.delta)) } else { grouped(h.delta) }}
                                                                    </span>
                                                                    <span class="block text-xs text-slate-600 lg:hidden">{format!("{} after", grouped(h.balance_after))}</span>
                                                                </td>
                                                                <td class="hidden py-2 pr-3 tabular-nums lg:table-cell">{grouped(h.balance_after)}</td>
                                                                <td class="hidden py-2 pr-3 lg:table-cell">{source_label(&h.source)}</td>
                                                                <td class="py-2 pr-3">
                                                                    <span dir="auto" class="block wrap-anywhere">{h.reason.clone()}</span>
                                                                    <span class="block text-xs text-slate-600 lg:hidden">
                                                                        {format!("{} · {}", dates::day_and_minute(&h.created_at), source_label(&h.source))}
                                                                    </span>
                                                                    <span class="block text-xs text-slate-600 wrap-anywhere lg:hidden">{h.user_email.clone()}</span>
                                                                </td>
                                                                <td class="hidden max-w-48 py-2 wrap-anywhere lg:table-cell">{h.user_email.clone().unwrap_or_else(|| "—".to_owned())}</td>
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
                                <TierHistory tiers=view.tiers.clone() count=view.tiers_count/>
                                <MergedFrom customer_id merges=view.merges.clone()/>
                                <Timeline lines/>
                                {view.can_erase.then(|| view! { <Erase customer_id retype/> })}
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A ledger source as the page names it.
fn source_label(source: &str) -> &'static str {
    match source {
        "order" => "Order",
        "refund" => "Refund",
        "expiry" => "Expired",
        "edit" => "Edit",
        "create" => "Opening balance",
        "import" => "Import",
        _ => "Manual",
    }
}

/// The customer's orders, newest first, with what was refunded and Refund for managers.
#[component]
fn OrdersSection(
    orders: Vec<Order>,
    count: u64,
    number: u64,
    can_refund: bool,
    link: impl Fn(u64) -> String + Copy + Send + 'static,
) -> impl IntoView {
    let pages = count.div_ceil(ORDERS_PAGE_SIZE).max(1);
    view! {
        <section aria-labelledby="orders" class="rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <h2 id="orders" class="font-semibold">{format!("Orders ({})", grouped(i64::try_from(count).unwrap_or(i64::MAX)))}</h2>
            {if orders.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">"No orders yet."</p> }.into_any()
            } else {
                view! {
                    <div class="mt-2 overflow-x-auto" tabindex="0" role="region" aria-label="Order entries">
                        <table class="w-full text-left text-sm">
                            <thead class="text-xs uppercase text-slate-600">
                                <tr>
                                    <th scope="col" class="py-2 pr-3">"Order"</th>
                                    <th scope="col" class="py-2 pr-3 text-right">"Amount"</th>
                                    <th scope="col" class="hidden py-2 pr-3 text-right sm:table-cell">"Points"</th>
                                    {can_refund.then(|| view! { <th scope="col" class="py-2"><span class="sr-only">"Actions"</span></th> })}
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-slate-100">
                                {orders.into_iter().map(|o| {
                                    let left = o.refundable_minor();
                                    view! {
                                        <tr class="align-top">
                                            <td class="py-2 pr-3">
                                                <span class="block font-medium break-all">{o.reference.clone()}</span>
                                                <span class="block text-xs text-slate-600">{dates::day_and_minute(&o.ordered_at)}</span>
                                            </td>
                                            <td class="py-2 pr-3 text-right tabular-nums">
                                                <span class="block">{money(o.total_minor)}</span>
                                                {(o.refunded_minor > 0).then(|| view! {
                                                    <span class="block text-xs text-red-700">{format!("Refunded {}", money(o.refunded_minor))}</span>
                                                })}
                                                <span class="block text-xs text-slate-600 sm:hidden">{format!("{} points", grouped(o.points_earned))}</span>
                                            </td>
                                            <td class="hidden py-2 pr-3 text-right tabular-nums sm:table-cell">{grouped(o.points_earned)}</td>
                                            {can_refund.then(|| view! {
                                                <td class="py-2 text-right">
                                                    {if left > 0 {
                                                        view! { <RefundOrder order_id=o.id reference=o.reference.clone() left=money(left)/> }.into_any()
                                                    } else {
                                                        view! { <span class="text-xs text-slate-500">"Refunded"</span> }.into_any()
                                                    }}
                                                </td>
                                            })}
                                        </tr>
                                    }
                                }).collect::<Vec<_>>()}
                            </tbody>
                        </table>
                    </div>
                    <nav aria-label="Order pages" class="mt-3 flex items-center justify-between text-sm">
                        <span>{format!("Page {number} of {pages}")}</span>
                        <span class="flex gap-2">
                            {(number > 1).then(|| view! { <a href=link(number - 1) class="inline-flex min-h-11 items-center rounded-lg px-3 ring-1 ring-slate-300">"Previous orders"</a> })}
                            {(number < pages).then(|| view! { <a href=link(number + 1) class="inline-flex min-h-11 items-center rounded-lg px-3 ring-1 ring-slate-300">"More orders"</a> })}
                        </span>
                    </nav>
                }.into_any()
            }}
        </section>
    }
}

/// The latest changes of the customer's tier.
#[component]
fn TierHistory(tiers: Vec<TierChange>, count: u64) -> impl IntoView {
    let cause = |cause: &str| match cause {
        "order" => "Order",
        "refund" => "Refund",
        "manual" => "Points changed by hand",
        "edit" => "Edit",
        "create" => "New customer",
        "expiry" => "Points expired",
        "program" => "Tier thresholds changed",
        _ => "Import",
    };
    view! {
        <section aria-labelledby="tier-history" class="rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <h2 id="tier-history" class="font-semibold">"Tier history"</h2>
            {(count > tiers.len() as u64).then(|| view! {
                <p class="text-xs text-slate-600">{format!("The latest {} of {count} changes.", tiers.len())}</p>
            })}
            <ol class="mt-2 space-y-2 text-sm">
                {tiers.into_iter().map(|t| view! {
                    <li class="flex flex-wrap items-center gap-2">
                        <span class="whitespace-nowrap text-slate-600">{dates::day_and_minute(&t.changed_at)}</span>
                        {t.previous_tier.map(|p| view! { <TierBadge tier=LoyaltyTier::from_rank(p)/>" → " })}
                        <TierBadge tier=LoyaltyTier::from_rank(t.tier)/>
                        <span>{cause(&t.cause)}</span>
                    </li>
                }).collect::<Vec<_>>()}
            </ol>
        </section>
    }
}

#[component]
fn Fact(label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="min-w-0">
            <dt class="text-xs uppercase tracking-wide text-slate-500">{label}</dt>
            <dd dir="auto" class="font-medium whitespace-pre-line wrap-anywhere">{if value.trim().is_empty() { "—".to_owned() } else { value }}</dd>
        </div>
    }
}
