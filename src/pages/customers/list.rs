//! The list's region of the board: the selection bar, then the statistics' and the list's HTML as
//! the server wrote it ([`board_markup`](super::board_markup) on the server, `GET
//! /sfn/customers/board` after a change of view). The browser never builds a row: it swaps the
//! server's text in, and listens once, on the region, to every checkbox and button in it
//! ([`Control`]).

use super::PageState;
use crate::components::html_text::text;
use crate::server_fns::customers::PageQuery;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// What separates the statistics' HTML from the list's in the board's HTML.
pub const PART_BREAK: &str = "<!--list-->";

/// What the list shows when the server could not be reached.
pub const UNREACHABLE: &str = "Could not reach the server. Check the connection and try again.";

/// A click or change on a control of the list's HTML, read from its data attributes. (Only the
/// browser has events: the server's build never makes one.)
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// The checkbox of the customer with this id (`data-select`).
    Select(i64),
    /// A Select All checkbox (`data-select-all`).
    SelectAll,
    /// A row's Edit button.
    Edit(i64),
    /// A row's Points button.
    Points(i64),
    /// A row's Delete button.
    Delete(i64),
    /// "Add your first customer".
    Add,
    /// Retry, in the banner of a list that did not load.
    Retry,
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
impl Control {
    /// The control named by a checkbox's `data-select` (a customer's id, or `all`), or a button's
    /// `data-action` and `data-customer` attributes, as the server's markup writes them.
    pub fn from_attributes(select: Option<&str>, action: Option<&str>, customer: Option<&str>) -> Option<Self> {
        match select {
            Some("all") => return Some(Control::SelectAll),
            Some(id) => return id.parse().ok().map(Control::Select),
            None => {}
        }
        let id = || customer.and_then(|id| id.parse().ok());
        match action? {
            "edit" => id().map(Control::Edit),
            "points" => id().map(Control::Points),
            "delete" => id().map(Control::Delete),
            "add" => Some(Control::Add),
            "retry" => Some(Control::Retry),
            _ => None,
        }
    }
}

/// The colours of the banner of a list that could not be read.
const FAILED_TONE: &str = "bg-red-50 text-red-900 ring-red-200";

/// A banner shown in place of the list: its sentence (text, escaped) and one action (written as
/// HTML), in the colours of `tone`.
pub fn banner(tone: &str, message: &str, action: &str) -> String {
    let mut html = String::with_capacity(600);
    html.push_str(
        r#"<div role="alert" class="flex flex-wrap items-center justify-between gap-3 rounded-xl px-4 py-3 ring-1 "#,
    );
    html.push_str(tone);
    html.push_str(r#""><p>"#);
    text(&mut html, message);
    html.push_str("</p>");
    html.push_str(action);
    html.push_str("</div>");
    html
}

/// The banner of a list that did not load, with its Retry button.
pub fn alert(message: &str) -> String {
    banner(
        FAILED_TONE,
        message,
        r#"<button type="button" data-action="retry" class="min-h-11 rounded-lg bg-red-700 px-4 font-medium text-white hover:bg-red-800">Retry</button>"#,
    )
}

/// The board's address for a view of the list (its statistics and list, as HTML).
pub fn board_href(query: &PageQuery) -> String {
    super::query::address("/sfn/customers/board", query)
}

/// The statistics' and the list's HTML shown, and the list's region: the selection bar above the
/// list's HTML. Both HTML parts come from the server; this reloads them whenever the view (the
/// URL's query) or the data (`state.version`) changes.
#[component]
pub fn ListRegion(
    query: RwSignal<PageQuery>,
    state: PageState,
    can_manage: bool,
    stats: NodeRef<leptos::html::Div>,
    initial_list: String,
) -> impl IntoView {
    let list = NodeRef::<leptos::html::Div>::new();
    let reloading = RwSignal::new(false);
    // Only the newest load is shown: an older one that answers late is dropped.
    let loads = StoredValue::new(0u32);
    Effect::new(move |shown_before: Option<()>| {
        let asked = query.get();
        state.version.track();
        // The first run finds the server's HTML of this view already on the page.
        if shown_before.is_none() {
            return;
        }
        loads.update_value(|n| *n += 1);
        let this_load = loads.get_value();
        reloading.set(true);
        leptos::task::spawn_local(async move {
            let (stats_html, list_html) = fetch_board(&board_href(&asked)).await;
            if loads.get_value() != this_load {
                return;
            }
            if let (Some(stats), Some(list)) = (stats.get_untracked(), list.get_untracked()) {
                stats.set_inner_html(&stats_html);
                list.set_inner_html(&list_html);
            }
            state.shown.update(|n| *n += 1);
            reloading.set(false);
        });
    });
    // The checkboxes follow the selection (select all, a bulk change, a new view).
    Effect::new(move |_| {
        state.shown.track();
        state.selected.with(sync_checkboxes);
    });
    let act = move |ev: leptos::ev::Event| {
        let Some(control) = control_of(&ev) else { return };
        let is_change = ev.type_() == "change";
        match control {
            Control::Select(id) if is_change => state.toggle(id),
            Control::SelectAll if is_change => {
                let ids = shown_ids();
                state.selected.update(|selected| {
                    if ids.iter().all(|id| selected.contains(id)) {
                        ids.iter().for_each(|id| {
                            selected.remove(id);
                        });
                    } else {
                        selected.extend(ids);
                    }
                });
            }
            Control::Select(_) | Control::SelectAll => {}
            Control::Edit(id) => state.editing.set(Some(Some(id))),
            Control::Points(id) => state.points_for.set(Some(id)),
            Control::Delete(id) => state.deleting.set(Some(id)),
            Control::Add => state.editing.set(Some(None)),
            Control::Retry => state.version.update(|v| *v += 1),
        }
    };
    view! {
        // While a new view loads, the old one stays, dimmed and marked busy for assistive
        // technology (and for tests, which wait for it to settle).
        <section aria-label="Customer list" aria-busy=move || if reloading.get() { "true" } else { "false" }
            class="@container transition-opacity" class:opacity-60=move || reloading.get()>
            <Show when=move || can_manage && !state.selected.with(|s| s.is_empty())>
                <div class="flex flex-wrap items-center gap-2 rounded-xl bg-indigo-50 px-4 py-2 ring-1 ring-indigo-200">
                    <p class="font-medium" aria-live="polite">{move || format!("{} customers selected", state.selected.with(|s| s.len()))}</p>
                    <button type="button" on:click=move |_| state.bulk(true)
                        class="min-h-11 rounded-lg bg-green-700 px-3 font-medium text-white hover:bg-green-800">"Activate Selected"</button>
                    <button type="button" on:click=move |_| state.bulk(false)
                        class="min-h-11 rounded-lg bg-red-700 px-3 font-medium text-white hover:bg-red-800">"Deactivate Selected"</button>
                </div>
            </Show>
            <div node_ref=list inner_html=initial_list on:click=move |ev| act(ev.into()) on:change=act></div>
        </section>
    }
}

/// Reads the board's HTML at `address`: the statistics' and the list's parts. A refusal the
/// server explains (a session that ended, a filter it does not know) comes as HTML too; an answer
/// without the board's HTML (the network, a proxy, the database out of reach before the session
/// could be read) becomes a banner here.
async fn fetch_board(address: &str) -> (String, String) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        let answer = async {
            let response: web_sys::Response =
                JsFuture::from(window().fetch_with_str(address)).await.ok()?.dyn_into().ok()?;
            let body = JsFuture::from(response.text().ok()?).await.ok()?.as_string()?;
            Some((response.status(), body))
        };
        match answer.await {
            Some((_, body)) if body.contains(PART_BREAK) => {
                let (stats, list) = body.split_once(PART_BREAK).unwrap_or_default();
                (stats.to_owned(), list.to_owned())
            }
            Some((503, _)) => (String::new(), alert(crate::domain::UNAVAILABLE_SENTENCE)),
            _ => (String::new(), alert(UNREACHABLE)),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = address;
        (String::new(), alert(UNREACHABLE))
    }
}

/// The list control (checkbox or button) an event on the list came from.
fn control_of(ev: &leptos::ev::Event) -> Option<Control> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
        let control = target.closest("[data-select],[data-action]").ok()??;
        Control::from_attributes(
            control.get_attribute("data-select").as_deref(),
            control.get_attribute("data-action").as_deref(),
            control.get_attribute("data-customer").as_deref(),
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

/// The ids of the customers the list shows (each has a checkbox in its row).
fn shown_ids() -> BTreeSet<i64> {
    #[cfg_attr(not(feature = "hydrate"), allow(unused_mut))]
    let mut ids = BTreeSet::new();
    #[cfg(feature = "hydrate")]
    for_each_checkbox(|id, _| ids.extend(id));
    ids
}

/// Checks the rows' checkboxes of the selected customers and unchecks the others; the
/// Select All boxes are checked when every customer shown is selected.
fn sync_checkboxes(selected: &BTreeSet<i64>) {
    #[cfg(feature = "hydrate")]
    {
        let mut every_one = true;
        let mut any = false;
        for_each_checkbox(|id, input| {
            if let Some(id) = id {
                let checked = selected.contains(&id);
                every_one &= checked;
                any = true;
                input.set_checked(checked);
            }
        });
        for_each_checkbox(|id, input| {
            if id.is_none() {
                input.set_checked(every_one && any);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = selected;
}

/// Calls `f` with each checkbox of the list: a customer's (with its id) or a Select All (`None`).
#[cfg(feature = "hydrate")]
fn for_each_checkbox(mut f: impl FnMut(Option<i64>, &web_sys::HtmlInputElement)) {
    use wasm_bindgen::JsCast;
    let Ok(boxes) = document().query_selector_all("input[data-select]") else { return };
    for i in 0..boxes.length() {
        let Some(input) = boxes.item(i).and_then(|node| node.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            continue;
        };
        match input.get_attribute("data-select").as_deref() {
            Some("all") => f(None, &input),
            Some(id) => {
                if let Ok(id) = id.parse() {
                    f(Some(id), &input);
                }
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_read_back_from_their_attributes() {
        assert_eq!(Control::from_attributes(Some("42"), None, None), Some(Control::Select(42)));
        assert_eq!(Control::from_attributes(Some("all"), None, None), Some(Control::SelectAll));
        assert_eq!(Control::from_attributes(Some("x"), None, None), None);
        assert_eq!(Control::from_attributes(None, Some("edit"), Some("42")), Some(Control::Edit(42)));
        assert_eq!(Control::from_attributes(None, Some("points"), Some("42")), Some(Control::Points(42)));
        assert_eq!(Control::from_attributes(None, Some("delete"), Some("42")), Some(Control::Delete(42)));
        assert_eq!(Control::from_attributes(None, Some("add"), None), Some(Control::Add));
        assert_eq!(Control::from_attributes(None, Some("retry"), None), Some(Control::Retry));
        assert_eq!(Control::from_attributes(None, Some("other"), Some("42")), None);
        assert_eq!(Control::from_attributes(None, Some("edit"), Some("x")), None);
        assert_eq!(Control::from_attributes(None, None, None), None);
    }

    #[test]
    fn the_banner_shows_its_message_as_text_with_a_retry_button() {
        let html = alert("<b>gone</b>");
        assert!(html.starts_with(r#"<div role="alert""#), "{html}");
        assert!(html.contains("<p>&lt;b&gt;gone&lt;/b&gt;</p>"), "{html}");
        assert!(html.contains(r#"data-action="retry""#), "{html}");
    }

    #[test]
    fn the_board_s_address_keeps_the_view() {
        let query = PageQuery { status: "active".into(), page: "2".into(), ..PageQuery::default() };
        assert_eq!(board_href(&query), "/sfn/customers/board?status=active&page=2");
        assert_eq!(board_href(&PageQuery::default()), "/sfn/customers/board");
    }
}
