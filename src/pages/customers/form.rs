//! The add / edit customer dialog. Errors show beside their field and nothing typed is lost.

use super::{DialogData, PageState};
use crate::components::modal::Modal;
use crate::domain::email::Email;
use crate::server_fns::customers::{create_customer, update_customer, CustomerForm, CustomerRow};
use leptos::prelude::*;
use std::collections::BTreeMap;

fn form_of(customer: Option<&CustomerRow>) -> CustomerForm {
    match customer {
        Some(c) => CustomerForm {
            name: c.name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            address: c.address.clone(),
            city: c.city.clone(),
            province: c.province.clone(),
            postal_code: c.postal_code.clone(),
            notes: c.notes.clone(),
            is_active: c.is_active,
            marketing_email: c.marketing_email,
            marketing_sms: c.marketing_sms,
            loyalty_points: c.loyalty_points.to_string(),
            last_order_date: c.last_order_day.clone(),
        },
        None => CustomerForm { is_active: true, loyalty_points: "0".into(), ..Default::default() },
    }
}

/// The form's text field named as in the API.
fn text_field<'a>(form: &'a CustomerForm, name: &str) -> Option<&'a String> {
    Some(match name {
        "name" => &form.name,
        "email" => &form.email,
        "phone" => &form.phone,
        "address" => &form.address,
        "city" => &form.city,
        "province" => &form.province,
        "postal_code" => &form.postal_code,
        "notes" => &form.notes,
        "loyalty_points" => &form.loyalty_points,
        "last_order_date" => &form.last_order_date,
        _ => return None,
    })
}

fn text_field_mut<'a>(form: &'a mut CustomerForm, name: &str) -> Option<&'a mut String> {
    Some(match name {
        "name" => &mut form.name,
        "email" => &mut form.email,
        "phone" => &mut form.phone,
        "address" => &mut form.address,
        "city" => &mut form.city,
        "province" => &mut form.province,
        "postal_code" => &mut form.postal_code,
        "notes" => &mut form.notes,
        "loyalty_points" => &mut form.loyalty_points,
        "last_order_date" => &mut form.last_order_date,
        _ => return None,
    })
}

/// Checks what can be checked in the browser, with the page's wording.
fn check(form: &CustomerForm) -> BTreeMap<String, Vec<String>> {
    let mut errors = BTreeMap::new();
    if form.name.trim().is_empty() {
        errors.insert("name".to_owned(), vec!["Name is required".to_owned()]);
    }
    if form.email.trim().is_empty() {
        errors.insert("email".to_owned(), vec!["Email is required".to_owned()]);
    } else if let Err(err) = Email::parse(&form.email) {
        errors.insert("email".to_owned(), vec![err.to_string()]);
    }
    if !form.loyalty_points.trim().is_empty() && form.loyalty_points.trim().parse::<u32>().is_err() {
        errors.insert("loyalty_points".to_owned(), vec!["Enter a whole number of points, 0 or more.".to_owned()]);
    }
    errors
}

/// The dialog, open while `state.editing` is set (`Some(None)` adds, `Some(Some(id))` edits).
#[component]
pub fn CustomerFormModal(state: PageState, data: DialogData) -> impl IntoView {
    let form = RwSignal::new(CustomerForm::default());
    let errors = RwSignal::new(BTreeMap::<String, Vec<String>>::new());
    let saving = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(editing) = data.editing.get() {
            form.set(form_of(editing.as_ref()));
            errors.set(BTreeMap::new());
        }
    });
    let editing_id = move || data.editing.with(|e| e.as_ref().and_then(|c| c.as_ref().map(|c| c.id)));
    let title =
        Signal::derive(
            move || if editing_id().is_some() { "Edit Customer".to_owned() } else { "Add Customer".to_owned() },
        );
    let close = Callback::new(move |_| state.editing.set(None));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let current = form.get_untracked();
        let found = check(&current);
        if !found.is_empty() {
            errors.set(found);
            return;
        }
        saving.set(true);
        let id = editing_id();
        leptos::task::spawn_local(async move {
            let result = match id {
                Some(id) => update_customer(id, current).await,
                None => create_customer(current).await,
            };
            saving.set(false);
            match result {
                Ok(Ok(customer)) => {
                    state.editing.set(None);
                    state.changed(if id.is_some() {
                        format!("{} was updated.", customer.name)
                    } else {
                        format!("{} was added.", customer.name)
                    });
                }
                Ok(Err(fields)) => errors.set(fields),
                Err(err) => state.failed(err),
            }
        });
    };
    let field = move |name: &'static str, label: &'static str, kind: &'static str, autocomplete: &'static str| {
        let error_id = format!("{name}-error");
        let get = move || form.with(|f| text_field(f, name).cloned().unwrap_or_default());
        let set = move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            form.update(|f| {
                if let Some(slot) = text_field_mut(f, name) {
                    *slot = value;
                }
            });
        };
        let message = move || errors.with(|e| e.get(name).map(|m| m.join(" ")));
        let input_id = format!("customer-{name}");
        view! {
            <div class=if matches!(name, "address" | "notes") { "sm:col-span-2" } else { "" }>
                <label for=input_id.clone() class="block text-sm font-medium">{label}</label>
                <input id=input_id type=kind autocomplete=autocomplete prop:value=get on:input=set
                    aria-invalid=move || message().is_some().then_some("true")
                    aria-describedby=error_id.clone()
                    class="mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3 aria-[invalid=true]:border-red-600"/>
                <p id=error_id class="mt-1 text-sm text-red-700">{message}</p>
            </div>
        }
    };
    view! {
        <Modal open=Signal::derive(move || data.editing.with(Option::is_some)) on_close=close title>
            <form on:submit=submit novalidate class="grid grid-cols-1 gap-3 sm:grid-cols-2">
                {field("name", "Name", "text", "name")}
                {field("email", "Email", "email", "email")}
                {field("phone", "Phone", "tel", "tel")}
                {field("city", "City", "text", "address-level2")}
                {field("address", "Address", "text", "street-address")}
                {field("province", "Province", "text", "address-level1")}
                {field("postal_code", "Postal Code", "text", "postal-code")}
                {field("loyalty_points", "Loyalty Points", "number", "off")}
                {field("last_order_date", "Last Order Date", "date", "off")}
                {field("notes", "Notes", "text", "off")}
                <label class="flex min-h-11 items-center gap-2 text-sm font-medium">
                    <input type="checkbox" class="h-5 w-5" prop:checked=move || form.with(|f| f.is_active)
                        on:change=move |ev| form.update(|f| f.is_active = event_target_checked(&ev))/>
                    "Active"
                </label>
                <label class="flex min-h-11 items-center gap-2 text-sm font-medium">
                    <input type="checkbox" class="h-5 w-5" prop:checked=move || form.with(|f| f.marketing_email)
                        on:change=move |ev| form.update(|f| f.marketing_email = event_target_checked(&ev))/>
                    "Offers by e-mail allowed"
                </label>
                <label class="flex min-h-11 items-center gap-2 text-sm font-medium">
                    <input type="checkbox" class="h-5 w-5" prop:checked=move || form.with(|f| f.marketing_sms)
                        on:change=move |ev| form.update(|f| f.marketing_sms = event_target_checked(&ev))/>
                    "Offers by SMS allowed"
                </label>
                <div class="flex justify-end gap-2 sm:col-span-2">
                    <button type="button" on:click=move |_| close.run(())
                        class="min-h-11 rounded-lg px-4 font-medium ring-1 ring-slate-300 hover:bg-slate-100">"Cancel"</button>
                    <button type="submit" disabled=move || saving.get()
                        class="min-h-11 rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700 disabled:opacity-60">
                        {move || if editing_id().is_some() { "Update Customer" } else { "Create Customer" }}
                    </button>
                </div>
            </form>
        </Modal>
    }
}
