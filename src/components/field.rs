//! A labelled text input with its error message below it, tied together for assistive
//! technology (`aria-describedby`, `aria-invalid`).

use leptos::prelude::*;
use std::collections::BTreeMap;

/// One input bound to `value`, showing the messages `errors` holds under `field`.
#[component]
pub fn TextField(
    /// The element id (also the error's id prefix).
    #[prop(into)]
    id: String,
    /// The visible label.
    label: &'static str,
    /// The error key (as the server names the field).
    field: &'static str,
    /// The value.
    value: RwSignal<String>,
    /// Messages per field.
    errors: RwSignal<BTreeMap<String, Vec<String>>>,
    /// The input's type.
    #[prop(default = "text")]
    kind: &'static str,
    /// The input mode for phone keyboards.
    #[prop(default = "text")]
    inputmode: &'static str,
    /// A hint shown inside the empty input.
    #[prop(default = "")]
    placeholder: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let message = move || errors.with(|e| e.get(field).map(|m| m.join(" ")));
    view! {
        <div>
            <label for=id.clone() class="block text-sm font-medium">{label}</label>
            // The attribute gives the value to a page without JavaScript; the property follows typing.
            <input id=id type=kind inputmode=inputmode placeholder=placeholder value=value.get_untracked()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
                class="mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3"/>
            <p id=error_id class="mt-1 text-sm text-red-700">{message}</p>
        </div>
    }
}
