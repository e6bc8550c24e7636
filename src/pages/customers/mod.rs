//! `/customers`: the customers back office.

use leptos::prelude::*;
use leptos_meta::Title;

/// The customers page frame.
#[component]
pub fn CustomersPage() -> impl IntoView {
    view! {
        <Title text="Customers"/>
        <div class="space-y-6">
            <header>
                <h1 class="text-2xl font-bold">"Customers"</h1>
                <p class="text-sm text-slate-600">"Find, fix and reward your customers."</p>
            </header>
        </div>
    }
}
