//! The page's view lives in the URL: `?search=…&loyalty_level=…&status=…&ordering=…&page=…`.
//!
//! The server reads it from the request; in the browser the page keeps it in a signal, writes it
//! to the address bar with `history.pushState` and follows back and forward (`popstate`).

use crate::components::html_text::push_grouped;
use crate::domain::form_urlencoded;
use crate::server_fns::customers::PageQuery;
use leptos::prelude::*;

/// The query of the page's own URLs: `Some` for `/customers` and `/customers?…`, `None` for any
/// other address (a customer's detail page, another site).
pub fn from_href(href: &str) -> Option<PageQuery> {
    let (path, search) = href.split_once('?').unwrap_or((href, ""));
    (path == "/customers").then(|| from_search(search))
}

/// Reads a query string (with or without its leading `?`); unknown parameters are ignored.
pub fn from_search(search: &str) -> PageQuery {
    let mut query = PageQuery::default();
    for (name, value) in form_urlencoded::pairs(search.trim_start_matches('?')) {
        match name.as_str() {
            "search" => query.search = value,
            "loyalty_level" => query.loyalty_level = value,
            "status" => query.status = value,
            "ordering" => query.ordering = value,
            "page" => query.page = value,
            _ => {}
        }
    }
    query
}

/// Shows another view of the list: the signal changes and the address bar follows, as a new
/// history entry so that Back returns to the previous view.
pub fn go(query: RwSignal<PageQuery>, next: PageQuery) {
    if query.with_untracked(|current| *current == next) {
        return;
    }
    #[cfg(feature = "hydrate")]
    if let Ok(history) = window().history() {
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href(&next)));
    }
    query.set(next);
}

/// Keeps the signal in step with Back and Forward.
pub fn follow_history(query: RwSignal<PageQuery>) {
    let listener = window_event_listener(leptos::ev::popstate, move |_| {
        let search = window().location().search().unwrap_or_default();
        query.set(from_search(&search));
    });
    on_cleanup(move || listener.remove());
}

/// A click on one of the page's own links (sort, pagination, clear filters) changes the view in
/// place instead of loading the page again; other links, and clicks that open a new tab or
/// window, keep their usual behavior.
pub fn follow_link(ev: &leptos::ev::MouseEvent, query: RwSignal<PageQuery>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if ev.default_prevented()
            || ev.button() != 0
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let anchor = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[href]").ok().flatten());
        let Some(next) = anchor.and_then(|a| a.get_attribute("href")).and_then(|href| from_href(&href)) else {
            return;
        };
        ev.prevent_default();
        go(query, next);
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, query);
}

/// The CSV export of a query's view: its filters, search and ordering, without its page.
pub fn export_href(query: &PageQuery) -> String {
    let all_pages = PageQuery { page: String::new(), ..query.clone() };
    address("/customers/export", &all_pages)
}

/// The page's URL for a query, leaving out empty parameters.
pub fn href(query: &PageQuery) -> String {
    address("/customers", query)
}

/// `path` with a query's parameters (the empty ones left out).
pub fn address(path: &str, query: &PageQuery) -> String {
    let search = form_urlencoded::serialize(
        [
            ("search", query.search.as_str()),
            ("loyalty_level", query.loyalty_level.as_str()),
            ("status", query.status.as_str()),
            ("ordering", query.ordering.as_str()),
            ("page", query.page.as_str()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty()),
    );
    if search.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{search}")
    }
}

/// Groups thousands: 1234567 → "1,234,567".
pub fn grouped(n: i64) -> String {
    let mut out = String::with_capacity(26);
    push_grouped(&mut out, n);
    out
}

/// Minor units as an amount with two decimals: 250000000 → "2,500,000.00".
pub fn money(minor: i64) -> String {
    format!("{}.{:02}", grouped(minor / 100), (minor % 100).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_only_set_parameters() {
        let query = PageQuery { search: "sari w".into(), page: "2".into(), ..Default::default() };
        assert_eq!(href(&query), "/customers?search=sari+w&page=2");
        assert_eq!(href(&PageQuery::default()), "/customers");
    }

    #[test]
    fn urls_read_back_into_the_query_they_came_from() {
        let query = PageQuery {
            search: "Zoë & co 100%".into(),
            loyalty_level: "gold".into(),
            status: "active".into(),
            ordering: "-loyalty_points".into(),
            page: "3".into(),
        };
        assert_eq!(from_href(&href(&query)), Some(query));
        assert_eq!(from_href("/customers"), Some(PageQuery::default()));
    }

    #[test]
    fn only_the_list_page_s_own_links_are_read() {
        assert_eq!(from_href("/customers/42"), None);
        assert_eq!(from_href("https://example.com/customers?page=2"), None);
        assert_eq!(from_href("/customers?page=2&utm=x").map(|q| q.page), Some("2".into()));
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(1234), "1,234");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(-1_234_567), "-1,234,567");
        assert_eq!(grouped(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(grouped(i64::MAX), "9,223,372,036,854,775,807");
        assert_eq!(money(250_000_005), "2,500,000.05");
    }
}
