//! `/settings/loyalty`: the tenant's loyalty program. Owners edit it with a live example of what
//! an order earns and how many customers each tier would hold before saving; everyone else reads it.

use crate::components::field::TextField;
use crate::domain::{money, LoyaltyTier, TierThresholds};
use crate::pages::customers::error_text;
use crate::pages::customers::query::{grouped, money as shown_money};
use crate::server_fns::loyalty::{loyalty_settings, preview_tiers, save_program, ProgramForm};
use leptos::prelude::*;
use leptos_meta::Title;
use std::collections::BTreeMap;

/// The example order of the live example, 125,000.00.
const EXAMPLE_ORDER_MINOR: i64 = 12_500_000;

/// The settings page.
#[component]
pub fn LoyaltySettingsPage() -> impl IntoView {
    let data = loyalty_settings();
    view! {
        <Title text="Loyalty program"/>
        <div class="max-w-3xl space-y-4">
            <header>
                <h1 class="text-2xl font-bold">"Loyalty program"</h1>
                <p class="text-sm text-slate-600">"How customers earn points, when points expire, and where each tier starts."</p>
            </header>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {Suspend::new(async move {
                    match data.await {
                        Ok(view) => view! { <ProgramEditor initial=view.form counts=view.counts can_edit=view.can_edit/> }.into_any(),
                        Err(err) => view! { <p role="alert" class="rounded-xl bg-red-50 p-4 text-red-900 ring-1 ring-red-200">{error_text(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// What an order of 125,000.00 earns with a typed spend per point.
fn example(spend: &str) -> Option<String> {
    let spend = money::minor_units(spend, 1, money::MAX_AMOUNT_MINOR).ok()?;
    let points = EXAMPLE_ORDER_MINOR / spend;
    let unit = if points == 1 { "point" } else { "points" };
    Some(format!("An order of {} earns {} {unit}.", shown_money(EXAMPLE_ORDER_MINOR), grouped(points)))
}

/// The typed thresholds, when they are whole numbers in rising order.
fn typed_thresholds(silver: &str, gold: &str, platinum: &str) -> Option<TierThresholds> {
    let whole = |s: &str| s.trim().parse::<i64>().ok();
    TierThresholds::new(whole(silver)?, whole(gold)?, whole(platinum)?).ok()
}

/// The form (read-only for managers and cashiers).
///
/// `lazy`: its code is a WebAssembly module of its own, fetched where it is shown, so the
/// customers page's WebAssembly does not carry it.
#[island(lazy)]
fn ProgramEditor(initial: ProgramForm, counts: [i64; 4], can_edit: bool) -> impl IntoView {
    Effect::new(|_| crate::island_hydrated());
    let spend = RwSignal::new(initial.spend_per_point.clone());
    let expiry = RwSignal::new(initial.points_expire_after_days.clone());
    let silver = RwSignal::new(initial.silver.clone());
    let gold = RwSignal::new(initial.gold.clone());
    let platinum = RwSignal::new(initial.platinum.clone());
    let errors = RwSignal::new(BTreeMap::<String, Vec<String>>::new());
    let status = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let now = RwSignal::new(counts);
    let thresholds = Memo::new(move |_| typed_thresholds(&silver.get(), &gold.get(), &platinum.get()));
    // The counts the typed thresholds would give, asked for in the browser only (an effect never
    // runs on the server), and only the answer to the latest thresholds is kept.
    let preview = RwSignal::new(None::<[i64; 4]>);
    let asked = RwSignal::new(0_u32);
    Effect::new(move |_| {
        let typed = thresholds.get();
        let ask = asked.get_untracked().wrapping_add(1);
        asked.set(ask);
        preview.set(None);
        if let (Some(t), true) = (typed, can_edit) {
            leptos::task::spawn_local(async move {
                let counts = preview_tiers(t.silver(), t.gold(), t.platinum()).await.ok();
                if asked.get_untracked() == ask {
                    preview.set(counts);
                }
            });
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = ProgramForm {
            spend_per_point: spend.get_untracked(),
            points_expire_after_days: expiry.get_untracked(),
            silver: silver.get_untracked(),
            gold: gold.get_untracked(),
            platinum: platinum.get_untracked(),
        };
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = save_program(form).await;
            saving.set(false);
            match result {
                Ok(Ok(moved)) => {
                    errors.set(BTreeMap::new());
                    if let Some(counts) = preview.get_untracked() {
                        now.set(counts);
                    }
                    status.set(Some(format!(
                        "Saved. {} customers changed tier.",
                        grouped(i64::try_from(moved).unwrap_or(0))
                    )));
                }
                Ok(Err(fields)) => {
                    errors.set(fields);
                    status.set(None);
                }
                Err(err) => status.set(Some(error_text(&err))),
            }
        });
    };
    view! {
        <form on:submit=submit class="space-y-4 rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <fieldset disabled=!can_edit class="space-y-4">
                {(!can_edit).then(|| view! { <p class="text-sm text-slate-600">"Only owners can change the loyalty program."</p> })}
                <div class="grid gap-3 sm:grid-cols-2">
                    <TextField id="spend-per-point" label="Spend per point" field="spend_per_point" value=spend errors inputmode="decimal"/>
                    <TextField id="expiry-days" label="Points expire after (days, empty: never)" field="points_expire_after_days" value=expiry errors inputmode="numeric"/>
                </div>
                <p aria-live="polite" class="text-sm text-slate-700">{move || example(&spend.get())}</p>
                <div class="grid gap-3 sm:grid-cols-3">
                    <TextField id="tier-silver" label="Silver from (points)" field="tiers.silver" value=silver errors inputmode="numeric"/>
                    <TextField id="tier-gold" label="Gold from (points)" field="tiers.gold" value=gold errors inputmode="numeric"/>
                    <TextField id="tier-platinum" label="Platinum from (points)" field="tiers.platinum" value=platinum errors inputmode="numeric"/>
                </div>
            </fieldset>
            <table class="w-full text-left text-sm" aria-label="Customers per tier">
                <thead class="text-xs uppercase text-slate-600">
                    <tr><th scope="col" class="py-1">"Tier"</th><th scope="col" class="py-1 text-right">"Now"</th>
                        {can_edit.then(|| view! { <th scope="col" class="py-1 text-right">"With these thresholds"</th> })}</tr>
                </thead>
                <tbody>
                    {LoyaltyTier::ALL.into_iter().enumerate().map(|(i, tier)| view! {
                        <tr>
                            <th scope="row" class="py-1 font-medium">{tier.label()}</th>
                            <td class="py-1 text-right tabular-nums">{move || grouped(now.get()[i])}</td>
                            {can_edit.then(|| view! {
                                <td class="py-1 text-right tabular-nums">
                                    {move || preview.get().map_or_else(|| "—".to_owned(), |c| grouped(c[i]))}
                                </td>
                            })}
                        </tr>
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
            <p role="status" class="text-sm text-slate-700">{move || status.get()}</p>
            {can_edit.then(|| view! {
                <button type="submit" disabled=move || saving.get()
                    class="min-h-11 rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700 disabled:opacity-60">
                    "Save program"
                </button>
            })}
        </form>
    }
}
