//! The points dialog: a signed number of points (a negative number deducts) with a reason, showing
//! the balance and tier after the change. Add and Deduct only choose the sign of that number, so
//! what the field shows is what is sent; cashiers, who may only add, are told so beside the field.

use super::query::grouped;
use super::{DialogData, PageState};
use crate::components::badges::TierBadge;
use crate::components::modal::Modal;
use crate::domain::customer_actions::MAX_POINTS_CHANGE;
use crate::domain::loyalty::balance_after;
use crate::server_fns::customers::change_points;
use leptos::prelude::*;

/// What the points field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Amount {
    /// Nothing typed yet.
    Empty,
    /// Only a sign so far; `true` for a minus.
    Sign(bool),
    /// A whole number of points, negative to deduct.
    Points(i64),
    /// A whole number beyond ±[`MAX_POINTS_CHANGE`].
    TooLarge,
    /// Anything else.
    Invalid,
}

impl Amount {
    /// Reads the field: an optional sign (`-`, `+` or the typographic minus `−`) and digits, with
    /// spaces ignored.
    fn read(text: &str) -> Self {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if text.is_empty() {
            return Amount::Empty;
        }
        let (negative, digits) = match text.strip_prefix(['-', '−']) {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(&text)),
        };
        if digits.is_empty() {
            return Amount::Sign(negative);
        }
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Amount::Invalid;
        }
        match digits.parse::<i64>() {
            Ok(n) if n <= MAX_POINTS_CHANGE => Amount::Points(if negative { -n } else { n }),
            _ => Amount::TooLarge,
        }
    }

    /// Whether the field asks to take points away.
    fn is_negative(self) -> bool {
        matches!(self, Amount::Sign(true)) || matches!(self, Amount::Points(n) if n < 0)
    }

    /// The change to send, if the field holds one.
    fn delta(self) -> Option<i64> {
        match self {
            Amount::Points(n) if n != 0 => Some(n),
            _ => None,
        }
    }
}

/// The field's text once Add (`deduct == false`) or Deduct is chosen: the same number with that
/// sign; Deduct on an empty field starts it with a minus.
fn with_sign(text: &str, deduct: bool) -> String {
    match (Amount::read(text), deduct) {
        (Amount::Points(n), true) if n > 0 => format!("-{n}"),
        (Amount::Points(n), false) if n < 0 => n.unsigned_abs().to_string(),
        (Amount::Empty, true) => "-".to_owned(),
        (Amount::Sign(true), false) => String::new(),
        _ => text.to_owned(),
    }
}

/// Cashiers may only give points.
const CASHIERS_ADD_ONLY: &str = "Cashiers can only add points.";
/// The field holds something that is not a whole number of points.
const NOT_A_NUMBER: &str = "Enter a whole number of points, such as 50 or -20.";
/// The field holds zero or nothing.
const NOT_ZERO: &str = "Enter a number of points other than zero.";

/// The dialog, open while `state.points_for` is set.
#[component]
pub fn PointsModal(state: PageState, data: DialogData, can_manage: bool) -> impl IntoView {
    let tiers = data.tiers;
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if data.points_for.with(Option::is_some) {
            amount.set(String::new());
            reason.set(String::new());
            error.set(None);
        }
    });
    let read = move || amount.with(|a| Amount::read(a));
    let deduct = move || read().is_negative();
    // Said beside the field as soon as a cashier types a minus; nothing is sent while it shows.
    let refused = move || (!can_manage && deduct()).then_some(CASHIERS_ADD_ONLY);
    let current = move || data.points_for.with(|c| c.as_ref().map(|c| c.loyalty_points).unwrap_or(0));
    let after = move || refused().is_none().then(|| read().delta()).flatten().map(|d| balance_after(current(), d));
    let choose = move |deduct: bool| {
        amount.update(|a| *a = with_sign(a, deduct));
        error.set(None);
        if let Some(input) = field.get_untracked() {
            let _ = input.focus();
        }
    };
    let close = Callback::new(move |_| state.points_for.set(None));
    let title = Signal::derive(move || {
        data.points_for.with(|c| c.as_ref().map(|c| format!("Points for {}", c.name)).unwrap_or_default())
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if refused().is_some() {
            return;
        }
        let points = match read() {
            Amount::Invalid => Err(NOT_A_NUMBER.to_owned()),
            Amount::TooLarge => Err(format!("Enter at most {} points at a time.", grouped(MAX_POINTS_CHANGE))),
            other => other.delta().ok_or_else(|| NOT_ZERO.to_owned()),
        };
        let points = match points {
            Ok(points) => points,
            Err(message) => {
                error.set(Some(message));
                return;
            }
        };
        let Some(id) = state.points_for.get_untracked() else { return };
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
        <Modal open=Signal::derive(move || data.points_for.with(Option::is_some)) on_close=close title>
            <form on:submit=submit class="space-y-4" novalidate>
                <p class="flex flex-wrap items-center gap-2">
                    "Current points: "<strong class="tabular-nums">{move || grouped(current())}</strong>
                    {move || view! { <TierBadge tier=tiers.get().tier_of(current())/> }}
                </p>
                {can_manage.then(|| view! {
                    <fieldset class="flex gap-4">
                        <legend class="sr-only">"Add or deduct"</legend>
                        <label class="flex min-h-11 items-center gap-2">
                            <input type="radio" name="direction" class="h-5 w-5" prop:checked=move || !deduct() on:change=move |_| choose(false)/>
                            "Add"
                        </label>
                        <label class="flex min-h-11 items-center gap-2">
                            <input type="radio" name="direction" class="h-5 w-5" prop:checked=deduct on:change=move |_| choose(true)/>
                            "Deduct"
                        </label>
                    </fieldset>
                })}
                <div>
                    <label for="points-amount" class="block text-sm font-medium">
                        {if can_manage { "Points" } else { "Points to add" }}
                    </label>
                    <p id="points-hint" class="text-xs text-slate-600">
                        {if can_manage { "A negative number deducts, for example -20." } else { "A whole number, for example 50." }}
                    </p>
                    // The dialog opens with the number field focused (not the Add radio before
                    // it): the amount is what gets typed first.
                    <input id="points-amount" node_ref=field type="text" inputmode="numeric" autocomplete="off"
                        data-autofocus prop:value=move || amount.get()
                        on:input=move |ev| { amount.set(event_target_value(&ev)); error.set(None); }
                        aria-describedby="points-hint points-refused points-error"
                        aria-invalid=move || refused().is_some().then_some("true")
                        class="mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3 tabular-nums"/>
                    <p id="points-refused" class="mt-1 text-sm text-red-700" aria-live="polite">{refused}</p>
                </div>
                <div>
                    <label for="points-reason" class="block text-sm font-medium">"Reason"</label>
                    <input id="points-reason" type="text" maxlength="255" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))
                        class="mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3"/>
                </div>
                <p aria-live="polite" class="flex flex-wrap items-center gap-2 text-sm text-slate-700">
                    {move || after().map(|after| view! {
                        "After this change: "<strong class="tabular-nums">{grouped(after)}" points"</strong>
                        <TierBadge tier=tiers.get().tier_of(after)/>
                    })}
                </p>
                <p id="points-error" role="alert" class="text-sm text-red-700">{move || error.get()}</p>
                <div class="flex justify-end gap-2">
                    <button type="button" on:click=move |_| close.run(())
                        class="min-h-11 rounded-lg px-4 font-medium ring-1 ring-slate-300 hover:bg-slate-100">"Cancel"</button>
                    <button type="submit" disabled=move || saving.get() || refused().is_some()
                        class="min-h-11 rounded-lg bg-amber-700 px-4 font-semibold text-white hover:bg-amber-800 disabled:opacity-60">"Update Points"</button>
                </div>
            </form>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_number_is_read_with_its_sign() {
        assert_eq!(Amount::read("-20"), Amount::Points(-20));
        assert_eq!(Amount::read("−20"), Amount::Points(-20));
        assert_eq!(Amount::read(" + 50 "), Amount::Points(50));
        assert_eq!(Amount::read("50"), Amount::Points(50));
        assert_eq!(Amount::read("- 5"), Amount::Points(-5));
    }

    #[test]
    fn a_sign_alone_an_empty_field_and_other_text_are_told_apart() {
        assert_eq!(Amount::read(""), Amount::Empty);
        assert_eq!(Amount::read("-"), Amount::Sign(true));
        assert_eq!(Amount::read("+"), Amount::Sign(false));
        assert_eq!(Amount::read("2.5"), Amount::Invalid);
        assert_eq!(Amount::read("1e3"), Amount::Invalid);
        assert_eq!(Amount::read("--2"), Amount::Invalid);
        assert_eq!(Amount::read("99999999999999999999"), Amount::TooLarge);
        assert_eq!(Amount::read("-1000000001"), Amount::TooLarge);
        assert_eq!(Amount::read("-1000000000"), Amount::Points(-MAX_POINTS_CHANGE));
    }

    #[test]
    fn only_a_non_zero_number_is_a_change() {
        assert_eq!(Amount::read("0").delta(), None);
        assert_eq!(Amount::read("-").delta(), None);
        assert_eq!(Amount::read("-7").delta(), Some(-7));
        assert!(Amount::read("-").is_negative());
        assert!(!Amount::read("7").is_negative());
    }

    #[test]
    fn add_and_deduct_only_change_the_sign_of_what_is_typed() {
        assert_eq!(with_sign("20", true), "-20");
        assert_eq!(with_sign("-20", true), "-20");
        assert_eq!(with_sign("-20", false), "20");
        assert_eq!(with_sign("", true), "-");
        assert_eq!(with_sign("-", false), "");
        assert_eq!(with_sign("", false), "");
        assert_eq!(with_sign("abc", true), "abc");
    }
}
