//! The customer page's interactive parts: Record order (every role) and Refund (owners and
//! managers). Each is an island; after a change the page reloads, so the server renders the new
//! totals, points, tier and history.

use crate::components::field::TextField;
use crate::server_fns::orders::{record_order, refund_order, OrderForm};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Reloads the page after a change (the server renders it again).
fn reload() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// The Record order form.
///
/// `lazy`: its code is a WebAssembly module of its own, fetched where it is shown, so the
/// customers page's WebAssembly does not carry it.
#[island(lazy)]
pub fn RecordOrder(customer_id: i64) -> impl IntoView {
    Effect::new(|_| crate::island_hydrated());
    let reference = RwSignal::new(String::new());
    let total = RwSignal::new(String::new());
    let ordered_at = RwSignal::new(String::new());
    let errors = RwSignal::new(BTreeMap::<String, Vec<String>>::new());
    let failure = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = OrderForm {
            reference: reference.get_untracked(),
            total: total.get_untracked(),
            ordered_at: ordered_at.get_untracked(),
        };
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = record_order(customer_id, form).await;
            saving.set(false);
            match result {
                Ok(Ok(_)) => reload(),
                Ok(Err(fields)) => errors.set(fields),
                Err(err) => failure.set(Some(super::error_text(&err))),
            }
        });
    };
    view! {
        <form on:submit=submit aria-labelledby="record-order" class="space-y-3 rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <h2 id="record-order" class="font-semibold">"Record order"</h2>
            <div class="grid gap-3 sm:grid-cols-3">
                <TextField id="order-reference" label="Reference" field="reference" value=reference errors placeholder="POS-1042"/>
                <TextField id="order-total" label="Total" field="total" value=total errors inputmode="decimal" placeholder="125000.00"/>
                <TextField id="order-date" label="Date and time (UTC)" field="ordered_at" value=ordered_at errors kind="datetime-local"/>
            </div>
            <p role="alert" class="text-sm text-red-700">{move || failure.get()}</p>
            <button type="submit" disabled=move || saving.get()
                class="min-h-11 rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700 disabled:opacity-60">
                "Record order"
            </button>
        </form>
    }
}

/// The Refund button of one order, opening its small form.
///
/// `lazy`: its code is a WebAssembly module of its own, fetched where it is shown, so the
/// customers page's WebAssembly does not carry it.
#[island(lazy)]
pub fn RefundOrder(order_id: i64, reference: String, left: String) -> impl IntoView {
    Effect::new(|_| crate::island_hydrated());
    let open = RwSignal::new(false);
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(BTreeMap::<String, Vec<String>>::new());
    let failure = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let form_id = format!("refund-{order_id}");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        let (amount, reason) = (amount.get_untracked(), reason.get_untracked());
        leptos::task::spawn_local(async move {
            let result = refund_order(order_id, amount, reason).await;
            saving.set(false);
            match result {
                Ok(Ok(_)) => reload(),
                Ok(Err(fields)) => errors.set(fields),
                Err(err) => failure.set(Some(super::error_text(&err))),
            }
        });
    };
    let label = format!("Refund {reference}");
    view! {
        <button type="button" aria-expanded=move || if open.get() { "true" } else { "false" } aria-controls=form_id.clone()
            aria-label=label.clone() on:click=move |_| open.update(|o| *o = !*o)
            class="min-h-11 rounded-lg px-3 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-100">
            "Refund"
        </button>
        <Show when=move || open.get()>
            <form id=form_id.clone() on:submit=submit aria-label=label.clone() class="mt-2 space-y-2 text-left">
                <p class="text-xs text-slate-600">{format!("Up to {left}; empty refunds all that is left.")}</p>
                <TextField id=format!("refund-amount-{order_id}") label="Amount" field="amount" value=amount errors inputmode="decimal"/>
                <TextField id=format!("refund-reason-{order_id}") label="Reason" field="reason" value=reason errors/>
                <p role="alert" class="text-sm text-red-700">{move || failure.get()}</p>
                <button type="submit" disabled=move || saving.get()
                    class="min-h-11 rounded-lg bg-red-700 px-3 text-sm font-semibold text-white hover:bg-red-800 disabled:opacity-60">
                    "Confirm refund"
                </button>
            </form>
        </Show>
    }
}
