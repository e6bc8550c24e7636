//! `/customers`: statistics, filters, the list with bulk actions, and the dialogs.

mod board_data;
#[cfg(feature = "ssr")]
pub mod board_markup;
mod delete;
pub mod detail;
pub mod duplicates;
mod filters;
mod form;
pub mod import;
mod list;
#[cfg(feature = "ssr")]
mod list_markup;
mod orders;
mod points;
pub mod query;
#[cfg(feature = "ssr")]
mod stats;

use crate::components::toast::{ToastRegion, Toasts};
use crate::domain::TierThresholds;
use crate::server_fns::customers::{bulk_update, CustomerRow, PageQuery};
use board_data::BoardData;
use leptos::prelude::*;
use leptos_meta::Title;
use list::UNREACHABLE;
use std::collections::BTreeSet;

/// What the page's parts share: the selection, the open dialog, and a version bumped after every
/// change so the list and statistics reload.
#[derive(Clone, Copy)]
pub struct PageState {
    /// Selected customer ids.
    pub selected: RwSignal<BTreeSet<i64>>,
    /// `Some(None)`: adding; `Some(Some(id))`: editing the customer with that id.
    pub editing: RwSignal<Option<Option<i64>>>,
    /// The id of the customer in the points dialog.
    pub points_for: RwSignal<Option<i64>>,
    /// The id of the customer in the delete dialog.
    pub deleting: RwSignal<Option<i64>>,
    /// A change of the selection asked for (`Some(true)` activates it), until it is sent.
    pub bulk_asked: RwSignal<Option<bool>>,
    /// Bumped after each change.
    pub version: RwSignal<u32>,
    /// Bumped each time the list's HTML is replaced by another.
    pub shown: RwSignal<u32>,
    toasts: Toasts,
}

impl PageState {
    fn new(toasts: Toasts) -> Self {
        PageState {
            selected: RwSignal::new(BTreeSet::new()),
            editing: RwSignal::new(None),
            points_for: RwSignal::new(None),
            deleting: RwSignal::new(None),
            bulk_asked: RwSignal::new(None),
            version: RwSignal::new(0),
            shown: RwSignal::new(0),
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

    /// Asks for the selection to be activated or deactivated (sent by the dialogs' code, see
    /// [`dialogs`]).
    pub fn bulk(&self, activate: bool) {
        self.bulk_asked.set(Some(activate));
    }

    /// Activates or deactivates the selection, then clears it.
    fn send_bulk(&self, activate: bool) {
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

/// The customers the open dialogs are for, and the tier thresholds, read from the list's data
/// ([`BoardData`]) when a dialog opens and again after each reload of the list.
#[derive(Clone, Copy)]
pub struct DialogData {
    /// `Some(None)`: adding; `Some(Some(c))`: editing `c`.
    pub editing: Memo<Option<Option<CustomerRow>>>,
    /// The customer in the points dialog.
    pub points_for: Memo<Option<CustomerRow>>,
    /// The customer in the delete dialog.
    pub deleting: Memo<Option<CustomerRow>>,
    /// The tenant's tier thresholds.
    pub tiers: Memo<TierThresholds>,
}

impl DialogData {
    fn new(state: PageState) -> Self {
        let shown = Memo::new(move |_| {
            state.shown.track();
            BoardData::read()
        });
        let find = move |id: Option<i64>| id.and_then(|id| shown.with(|data| data.customer(id)));
        DialogData {
            editing: Memo::new(move |_| match state.editing.get() {
                Some(Some(id)) => find(Some(id)).map(Some),
                adding => adding.map(|_| None),
            }),
            points_for: Memo::new(move |_| find(state.points_for.get())),
            deleting: Memo::new(move |_| find(state.deleting.get())),
            tiers: Memo::new(move |_| shown.with(|data| data.tiers)),
        }
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
    view! {
        <Title text="Customers"/>
        <CustomersBoard/>
    }
}

/// What the board starts from: the view in the URL, whether the user may manage customers (what
/// the board offers follows the role; the server checks the role again on every action), and on
/// the server the statistics' and the list's HTML. The island takes no props: the browser reads
/// the first two from the page, and decodes nothing.
struct Start {
    query: PageQuery,
    can_manage: bool,
    stats_html: String,
    list_html: String,
}

impl Start {
    #[cfg(feature = "ssr")]
    fn read() -> Self {
        use crate::server_fns::customers::take_preloaded_list;
        let query = leptos_router::hooks::use_location().search.with_untracked(|search| query::from_search(search));
        let can_manage =
            crate::server_fns::session::signed_in_user().is_some_and(|user| user.role.can_manage_customers());
        // The list was read before the page (`web::page_preload`).
        let loaded = take_preloaded_list().unwrap_or_else(|| {
            tracing::error!("the customers page was rendered without its list read ahead");
            Err(ServerFnError::new(crate::web::server_fn_status::INTERNAL_SENTENCE))
        });
        let (stats_html, list_html) = board_markup::board(&loaded, &query, can_manage);
        Start { query, can_manage, stats_html, list_html }
    }

    #[cfg(not(feature = "ssr"))]
    fn read() -> Self {
        let query = query::from_search(&window().location().search().unwrap_or_default());
        let can_manage = document()
            .get_element_by_id(BOARD_ID)
            .is_some_and(|board| board.get_attribute("data-can-manage").is_some());
        Start { query, can_manage, stats_html: String::new(), list_html: String::new() }
    }
}

/// The board's element id.
const BOARD_ID: &str = "customers-board";

/// Statistics, filters, the list and the dialogs; the view follows the URL (see [`query`]).
#[island]
fn CustomersBoard() -> impl IntoView {
    Effect::new(|_| crate::island_hydrated());
    let Start { query: initial, can_manage, stats_html, list_html } = Start::read();
    let toasts = Toasts::provide();
    let state = PageState::new(toasts);
    let query = RwSignal::new(initial);
    query::follow_history(query);
    // A new view of the list starts with nothing selected.
    Effect::new(move |_| {
        query.track();
        state.selected.set(BTreeSet::new());
    });
    let stats = NodeRef::<leptos::html::Div>::new();
    // The dialogs are built when one is first opened, or a change of the selection is asked for
    // (their code is fetched then, see [`dialogs`]), and stay.
    let dialogs_built = RwSignal::new(false);
    Effect::new(move |_| {
        let asked = state.editing.with(Option::is_some)
            || state.points_for.with(Option::is_some)
            || state.deleting.with(Option::is_some)
            || state.bulk_asked.with(Option::is_some);
        if asked && !dialogs_built.get_untracked() {
            dialogs_built.set(true);
        }
    });
    let dialogs_view = move || {
        dialogs_built.get().then(|| {
            Suspend::new(async move {
                let built = dialogs(state, can_manage).await;
                if built.is_err() {
                    // Nothing to show the dialog in: close it and say why; the next opening
                    // fetches the code again.
                    dialogs_built.set(false);
                    state.editing.set(None);
                    state.points_for.set(None);
                    state.deleting.set(None);
                    state.bulk_asked.set(None);
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
        <div id=BOARD_ID data-can-manage=can_manage.then_some("") class="space-y-4"
            on:click=move |ev| query::follow_link(&ev, query)
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
            <div node_ref=stats inner_html=stats_html></div>
            // Outside the swapped parts: a reload of the list never replaces the search box the
            // user is typing in (nor cancels its pending search).
            <filters::Filters query/>
            <list::ListRegion query state can_manage stats initial_list=list_html/>
        </div>
        {dialogs_view}
        <ToastRegion toasts/>
    }
}

/// The code of the board's dialogs could not be fetched.
#[derive(Debug)]
struct DialogsUnavailable;

impl From<leptos::wasm_split::SplitLoaderError> for DialogsUnavailable {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        DialogsUnavailable
    }
}

/// The board's dialogs (adding or editing a customer, changing points, deleting) and the change
/// of a selection: every server call the board makes besides reading the list. In the browser
/// this is a WebAssembly module of its own (`cargo leptos build --split`), fetched at the first
/// call (or by [`fetch_dialogs_code`]): the page's own WebAssembly, which every page loads, does
/// not carry them, nor the decoding of the customers' data. The server never builds them (every
/// dialog starts closed).
#[leptos::wasm_split::wasm_split(
    customer_dialogs,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    preload(fetch_dialogs_code)
)]
fn dialogs(state: PageState, can_manage: bool) -> Result<AnyView, DialogsUnavailable> {
    let data = DialogData::new(state);
    Effect::new(move |_| {
        if let Some(activate) = state.bulk_asked.get() {
            state.bulk_asked.set(None);
            state.send_bulk(activate);
        }
    });
    Ok(view! {
        <form::CustomerFormModal state data/>
        <points::PointsModal state data can_manage/>
        <delete::DeleteModal state data/>
    }
    .into_any())
}
