//! `/customers`: statistics, filters, the list with bulk actions, and the dialogs.

mod delete;
pub mod detail;
pub mod duplicates;
mod filters;
mod form;
pub mod import;
mod list;
mod list_markup;
mod orders;
mod points;
pub mod query;
mod stats;

use crate::components::toast::{ToastRegion, Toasts};
use crate::domain::loyalty::TierThresholds;
use crate::server_fns::customers::{bulk_update, list_customers, take_preloaded_list, CustomerRow, PageQuery};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;
use std::collections::BTreeSet;

/// What the page's parts share: the selection, the open dialog, and a version bumped after every
/// change so the list and statistics reload.
#[derive(Clone, Copy)]
pub struct PageState {
    /// Selected customer ids.
    pub selected: RwSignal<BTreeSet<i64>>,
    /// `Some(None)`: adding; `Some(Some(c))`: editing `c`.
    pub editing: RwSignal<Option<Option<CustomerRow>>>,
    /// The customer in the points dialog.
    pub points_for: RwSignal<Option<CustomerRow>>,
    /// The customer in the delete dialog.
    pub deleting: RwSignal<Option<CustomerRow>>,
    /// Bumped after each change.
    pub version: RwSignal<u32>,
    toasts: Toasts,
}

impl PageState {
    fn new(toasts: Toasts) -> Self {
        PageState {
            selected: RwSignal::new(BTreeSet::new()),
            editing: RwSignal::new(None),
            points_for: RwSignal::new(None),
            deleting: RwSignal::new(None),
            version: RwSignal::new(0),
            toasts,
        }
    }

    /// Selects or unselects one customer.
    pub fn toggle(&self, id: i64) {
        self.selected.update(|s| {
            if !s.remove(&id) {
                s.insert(id);
            }
        });
    }

    /// Reloads the list and statistics and says what happened.
    pub fn changed(&self, message: String) {
        self.version.update(|v| *v += 1);
        self.toasts.success(message);
    }

    /// Reports a failed change.
    pub fn failed(&self, err: ServerFnError) {
        self.toasts.error(error_text(&err));
    }

    /// Activates or deactivates the selection, then clears it.
    pub fn bulk(&self, activate: bool) {
        let ids: Vec<i64> = self.selected.get_untracked().into_iter().collect();
        let state = *self;
        leptos::task::spawn_local(async move {
            match bulk_update(ids, activate).await {
                Ok(n) => {
                    state.selected.set(BTreeSet::new());
                    state.changed(format!("{n} customers updated successfully"));
                }
                Err(err) => state.failed(err),
            }
        });
    }
}

/// The sentence to show for a failed server call.
pub fn error_text(err: &ServerFnError) -> String {
    match err {
        ServerFnError::ServerError(message) => message.clone(),
        _ => UNREACHABLE.to_owned(),
    }
}

/// The customers page: rendered on the server for the query in the request's URL; the board is
/// the page's one island, the only part that ships WebAssembly.
#[component]
pub fn CustomersPage() -> impl IntoView {
    let initial = use_location().search.with_untracked(|search| query::from_search(search));
    // What the board offers (its header links, the checkboxes, Delete, deducting points) follows
    // the role; the server checks the role again on every action.
    let can_manage = crate::server_fns::session::signed_in_user().is_some_and(|user| user.role.can_manage_customers());
    view! {
        <Title text="Customers"/>
        <CustomersBoard initial can_manage/>
    }
}

/// Statistics, filters, the list and the dialogs; the view follows the URL (see [`query`]).
#[island]
fn CustomersBoard(initial: PageQuery, can_manage: bool) -> impl IntoView {
    Effect::new(|_| crate::island_hydrated());
    let toasts = Toasts::provide();
    let state = PageState::new(toasts);
    let query = RwSignal::new(initial);
    query::follow_history(query);
    // A new view of the list starts with nothing selected.
    Effect::new(move |_| {
        query.track();
        state.selected.set(BTreeSet::new());
    });
    // On the server the list was read before the page (`web::page_preload`): the first load
    // takes it and is ready at once.
    let preloaded = StoredValue::new(take_preloaded_list());
    let data = Resource::new_blocking(
        move || (query.get(), state.version.get()),
        move |(q, _)| {
            let ready = preloaded.try_update_value(Option::take).flatten();
            async move {
                match ready {
                    Some(loaded) => loaded,
                    None => list_customers(q).await,
                }
            }
        },
    );
    let reloading = RwSignal::new(false);
    let tiers = Signal::derive(move || {
        data.with(|loaded| loaded.as_ref().and_then(|r| r.as_ref().ok()).map(|v| v.tiers).unwrap_or_default())
    });
    // The dialogs are built when one is first opened (their code is fetched then, see
    // [`dialogs`]), and stay.
    let dialogs_built = RwSignal::new(false);
    Effect::new(move |_| {
        let open = state.editing.with(Option::is_some)
            || state.points_for.with(Option::is_some)
            || state.deleting.with(Option::is_some);
        if open && !dialogs_built.get_untracked() {
            dialogs_built.set(true);
        }
    });
    let dialogs_view = move || {
        dialogs_built.get().then(|| {
            Suspend::new(async move {
                let built = dialogs(state, can_manage, tiers).await;
                if built.is_err() {
                    // Nothing to show the dialog in: close it and say why; the next opening
                    // fetches the code again.
                    dialogs_built.set(false);
                    state.editing.set(None);
                    state.points_for.set(None);
                    state.deleting.set(None);
                    state.toasts.error(UNREACHABLE);
                }
                built.ok()
            })
        })
    };
    // A first touch of the board fetches the dialogs' code ahead of the click that opens one.
    let dialogs_fetched = StoredValue::new(false);
    let fetch_dialogs = move || {
        if !dialogs_fetched.get_value() {
            dialogs_fetched.set_value(true);
            leptos::task::spawn_local(async move {
                // A failure here shows when a dialog is opened (the code is asked for again then).
                let _ = fetch_dialogs_code().await;
            });
        }
    };
    view! {
        <div class="space-y-4" on:click=move |ev| query::follow_link(&ev, query)
            on:pointerdown=move |_| fetch_dialogs() on:keydown=move |_| fetch_dialogs()>
            <header class="flex flex-wrap items-center justify-between gap-3">
                <div>
                    <h1 class="text-2xl font-bold">"Customers"</h1>
                    <p class="text-sm text-slate-600">"Find, fix and reward your customers."</p>
                </div>
                <div class="flex flex-wrap items-center gap-2">
                    // The current view (filters, search, ordering), every page of it.
                    <a href=move || query.with(query::export_href) download
                        class="inline-flex min-h-11 items-center rounded-lg px-4 font-medium ring-1 ring-slate-300 hover:bg-slate-100">
                        "Export CSV"
                    </a>
                    {can_manage.then(|| view! {
                        <a href="/customers/import"
                            class="inline-flex min-h-11 items-center rounded-lg px-4 font-medium ring-1 ring-slate-300 hover:bg-slate-100">
                            "Import CSV"
                        </a>
                        <a href="/customers/duplicates"
                            class="inline-flex min-h-11 items-center rounded-lg px-4 font-medium ring-1 ring-slate-300 hover:bg-slate-100">
                            "Duplicates"
                        </a>
                    })}
                    <button type="button" on:click=move |_| state.editing.set(Some(None))
                        class="min-h-11 rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
                        "+ Add Customer"
                    </button>
                </div>
            </header>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let stats = data.by_ref().await.as_ref().ok().map(|view| view.stats.clone());
                    stats.map(|stats| view! { <stats::StatsCards stats/> })
                })}
            </Transition>
            // Outside the suspended parts: a reload of the list never replaces the search box the
            // user is typing in (nor cancels its pending search).
            <filters::Filters query/>
            // While a new view loads, the old one stays, dimmed and marked busy for assistive
            // technology (and for tests, which wait for it to settle).
            <section aria-label="Customer list" aria-busy=move || if reloading.get() { "true" } else { "false" }
                class="@container transition-opacity" class:opacity-60=move || reloading.get()>
                // Only the browser shows a reload: on the server the Transition's isomorphic effect
                // could still fire while the page's signals are being dropped after it was sent
                // (setting one then deadlocked a request), so there it sets nothing.
                <Transition fallback=move || view! { <Skeleton/> }
                    set_pending=SignalSetter::map(move |busy| if cfg!(feature = "hydrate") { reloading.set(busy) })>
                    {move || Suspend::new(async move {
                        let loaded = data.await;
                        // On the server the list is there at once (read ahead), and Leptos runs
                        // this closure three times: twice to look for the resources it reads
                        // (polling once, throwing the view away) and once to render. Yielding
                        // once keeps the rows' markup from being built in the first two.
                        #[cfg(feature = "ssr")]
                        tokio::task::yield_now().await;
                        match loaded {
                            Ok(view) => {
                                let filtered = query.with_untracked(|q| {
                                    !(q.search.is_empty() && q.loyalty_level.is_empty() && q.status.is_empty())
                                });
                                if view.items.is_empty() {
                                    view! { <Empty filtered state/> }.into_any()
                                } else {
                                    view! { <list::CustomerList view query=query.get_untracked() state can_manage/> }.into_any()
                                }
                            }
                            Err(err) => view! {
                                <div role="alert" class="flex flex-wrap items-center justify-between gap-3 rounded-xl bg-red-50 px-4 py-3 text-red-900 ring-1 ring-red-200">
                                    <p>{error_text(&err)}</p>
                                    <button type="button" on:click=move |_| state.version.update(|v| *v += 1)
                                        class="min-h-11 rounded-lg bg-red-700 px-4 font-medium text-white hover:bg-red-800">"Retry"</button>
                                </div>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
        {dialogs_view}
        <ToastRegion toasts/>
    }
}

/// What a failed server call says when the server could not be reached.
const UNREACHABLE: &str = "Could not reach the server. Check the connection and try again.";

/// The code of the board's dialogs could not be fetched.
#[derive(Debug)]
struct DialogsUnavailable;

impl From<leptos::wasm_split::SplitLoaderError> for DialogsUnavailable {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        DialogsUnavailable
    }
}

/// The board's dialogs: adding or editing a customer, changing points, deleting. In the browser
/// this is a WebAssembly module of its own (`cargo leptos build --split`), fetched at the first
/// call (or by [`fetch_dialogs_code`]): the page's own WebAssembly, which every page loads, does
/// not carry them. The server never builds them (every dialog starts closed).
#[leptos::wasm_split::wasm_split(
    customer_dialogs,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    preload(fetch_dialogs_code)
)]
fn dialogs(state: PageState, can_manage: bool, tiers: Signal<TierThresholds>) -> Result<AnyView, DialogsUnavailable> {
    Ok(view! {
        <form::CustomerFormModal state/>
        <points::PointsModal state can_manage tiers/>
        <delete::DeleteModal state/>
    }
    .into_any())
}

#[component]
fn Empty(filtered: bool, state: PageState) -> impl IntoView {
    if filtered {
        view! {
            <div class="rounded-xl bg-white p-8 text-center ring-1 ring-slate-200">
                <p class="text-lg font-semibold">"No customers match these filters."</p>
                <a href="/customers" class="mt-3 inline-flex min-h-11 items-center rounded-lg px-4 font-medium ring-1 ring-slate-300 hover:bg-slate-100">"Clear filters"</a>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="rounded-xl bg-white p-8 text-center ring-1 ring-slate-200">
                <p class="text-lg font-semibold">"No customers yet."</p>
                <button type="button" on:click=move |_| state.editing.set(Some(None))
                    class="mt-3 min-h-11 rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700">"Add your first customer"</button>
            </div>
        }
        .into_any()
    }
}

#[component]
fn Skeleton() -> impl IntoView {
    view! {
        <div aria-busy="true" aria-label="Loading customers" class="space-y-2">
            {(0..6).map(|_| view! { <div class="h-12 animate-pulse rounded-lg bg-slate-200"></div> }).collect::<Vec<_>>()}
        </div>
    }
}
