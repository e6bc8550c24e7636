//! The points dialog: add or deduct with a reason, showing the balance and tier after the change.

use super::query::grouped;
use super::PageState;
use crate::components::badges::TierBadge;
use crate::components::modal::Modal;
use crate::domain::TierThresholds;
use crate::server_fns::customers::change_points;
use leptos::prelude::*;

/// The dialog, open while `state.points_for` is set.
#[component]
pub fn PointsModal(state: PageState, can_manage: Signal<bool>, tiers: Signal<TierThresholds>) -> impl IntoView {
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let deduct = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    Effect::new(move |_| {
        if state.points_for.with(Option::is_some) {
            amount.set(String::new());
            reason.set(String::new());
            deduct.set(false);
            error.set(None);
        }
    });
    let current = move || state.points_for.with(|c| c.as_ref().map(|c| c.loyalty_points).unwrap_or(0));
    let delta = move || {
        amount.with(|a| a.trim().parse::<i64>().ok()).filter(|n| *n > 0).map(|n| if deduct.get() { -n } else { n })
    };
    let after = move || delta().map(|d| (current() + d).max(0));
    let close = Callback::new(move |_| state.points_for.set(None));
    let title = Signal::derive(move || {
        state.points_for.with(|c| c.as_ref().map(|c| format!("Points for {}", c.name)).unwrap_or_default())
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(points) = delta() else {
            error.set(Some("Enter a whole number of points greater than zero.".into()));
            return;
        };
        let Some(id) = state.points_for.with_untracked(|c| c.as_ref().map(|c| c.id)) else { return };
        saving.set(true);
        let why = reason.get_untracked();
        leptos::task::spawn_local(async move {
            let result = change_points(id, points, why).await;
            saving.set(false);
            match result {
                Ok(customer) => {
                    state.points_for.set(None);
                    state.changed(format!("{} now has {} points.", customer.name, grouped(customer.loyalty_points)));
                }
                Err(err) => error.set(Some(super::error_text(&err))),
            }
        });
    };
    view! {
        <Modal open=Signal::derive(move || state.points_for.with(Option::is_some)) on_close=close title>
            <form on:submit=submit class="space-y-4">
                <p class="flex items-center gap-2">
                    "Current points: "<strong class="tabular-nums">{move || grouped(current())}</strong>
                    {move || view! { <TierBadge tier=tiers.get().tier_of(current())/> }}
                </p>
                <Show when=move || can_manage.get()>
                    <fieldset class="flex gap-4">
                        <legend class="sr-only">"Add or deduct"</legend>
                        <label class="flex min-h-11 items-center gap-2">
                            <input type="radio" name="direction" class="h-5 w-5" prop:checked=move || !deduct.get() on:change=move |_| deduct.set(false)/>
                            "Add"
                        </label>
                        <label class="flex min-h-11 items-center gap-2">
                            <input type="radio" name="direction" class="h-5 w-5" prop:checked=move || deduct.get() on:change=move |_| deduct.set(true)/>
                            "Deduct"
                        </label>
                    </fieldset>
                </Show>
                <div>
                    <label for="points-amount" class="block text-sm font-medium">
                        {move || if can_manage.get() { "Points" } else { "Points to add" }}
                    </label>
                    <input id="points-amount" type="number" min="1" step="1" inputmode="numeric" prop:value=move || amount.get()
                        on:input=move |ev| amount.set(event_target_value(&ev)) aria-describedby="points-error"
                        class="mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3"/>
                </div>
                <div>
                    <label for="points-reason" class="block text-sm font-medium">"Reason"</label>
                    <input id="points-reason" type="text" maxlength="255" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))
                        class="mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3"/>
                </div>
                <p aria-live="polite" class="flex items-center gap-2 text-sm text-slate-700">
                    {move || after().map(|after| view! {
                        "After this change: "<strong class="tabular-nums">{grouped(after)}" points"</strong>
                        <TierBadge tier=tiers.get().tier_of(after)/>
                    })}
                </p>
                <p id="points-error" role="alert" class="text-sm text-red-700">{move || error.get()}</p>
                <div class="flex justify-end gap-2">
                    <button type="button" on:click=move |_| close.run(())
                        class="min-h-11 rounded-lg px-4 font-medium ring-1 ring-slate-300 hover:bg-slate-100">"Cancel"</button>
                    <button type="submit" disabled=move || saving.get()
                        class="min-h-11 rounded-lg bg-amber-700 px-4 font-semibold text-white hover:bg-amber-800 disabled:opacity-60">"Update Points"</button>
                </div>
            </form>
        </Modal>
    }
}
