//! The board's statistics and list as the server writes them, in the page and for `GET
//! /sfn/customers/board` after a change of view, which the browser swaps in
//! ([`list`](super::list)): the statistics, then the table of
//! [`list_markup`](super::list_markup) with its headers and pagination, the words for an empty
//! list, or a banner. The browser builds none of it.
//!
//! Each customer is written once, as a table row. The table is shown as a table where it fits
//! (container queries on the list's width): from 51 rem, with the phone column from 60 rem (below
//! that the phone sits under the email). Narrower lists show the same rows as cards, two per row
//! from 36 rem, with Select All and the orderings above them in place of the table's headers.

use super::board_data::BoardData;
use super::list::{alert, banner, PART_BREAK};
use super::list_markup::{pagination, rows, sort_links};
use super::query::href;
use super::stats;
use crate::components::html_text::text;
use crate::domain::customer_query::DEFAULT_PAGE_SIZE;
use crate::server_fns::customers::{ListView, PageQuery};
use leptos::prelude::ServerFnError;

/// The colours of the banner of a session that has ended.
const SESSION_TONE: &str = "bg-amber-50 text-amber-900 ring-amber-200";

/// The statistics' and the list's HTML for a view of the list, or for the reason it could not be
/// read (a banner in place of the list, no statistics).
pub fn board(loaded: &Result<ListView, ServerFnError>, query: &PageQuery, can_manage: bool) -> (String, String) {
    match loaded {
        Ok(view) => (stats::section(&view.stats), list(view, query, can_manage)),
        Err(err) => (String::new(), alert(&super::error_text(err))),
    }
}

/// What a board asked for without a session shows: no statistics, and in place of the list a
/// banner whose link signs in again and comes back to the same view (`sign_in` is that link).
pub fn signed_out(sign_in: &str) -> (String, String) {
    let mut link = String::with_capacity(200);
    link.push_str(r#"<a href=""#);
    text(&mut link, sign_in);
    link.push_str(
        r#"" class="inline-flex min-h-11 items-center rounded-lg bg-amber-700 px-4 font-medium text-white hover:bg-amber-800">Sign in</a>"#,
    );
    (String::new(), banner(SESSION_TONE, "Your session has ended. Sign in again.", &link))
}

/// Both parts as one text, the statistics first (the body of `GET /sfn/customers/board`).
pub fn joined((stats, list): (String, String)) -> String {
    let mut html = stats;
    html.push_str(PART_BREAK);
    html.push_str(&list);
    html
}

/// The list: the orderings for narrow lists, the table, the pagination, and the data of the
/// customers shown for the dialogs; or the words for an empty list.
fn list(view: &ListView, query: &PageQuery, can_manage: bool) -> String {
    let mut html = String::with_capacity(6_000 + view.items.len() * 1_800);
    if view.items.is_empty() {
        empty(&mut html, query);
    } else {
        narrow_bar(&mut html, query, can_manage);
        table(&mut html, view, query, can_manage);
        html.push_str(
            r#"<nav aria-label="Pagination" class="flex flex-col items-center justify-between gap-3 sm:flex-row">"#,
        );
        html.push_str(&pagination(view.count, view.page, DEFAULT_PAGE_SIZE, query));
        html.push_str("</nav>");
    }
    BoardData { items: view.items.clone(), tiers: view.tiers }.write(&mut html);
    html
}

/// What an empty list says: filters that match no one lead back to the whole list; a tenant
/// without customers is offered to add the first.
fn empty(html: &mut String, query: &PageQuery) {
    let filtered = !(query.search.is_empty() && query.loyalty_level.is_empty() && query.status.is_empty());
    html.push_str(r#"<div class="rounded-xl bg-white p-8 text-center ring-1 ring-slate-200">"#);
    html.push_str(if filtered {
        r#"<p class="text-lg font-semibold">No customers match these filters.</p><a href="/customers" class="mt-3 inline-flex min-h-11 items-center rounded-lg px-4 font-medium ring-1 ring-slate-300 hover:bg-slate-100">Clear filters</a>"#
    } else {
        r#"<p class="text-lg font-semibold">No customers yet.</p><button type="button" data-action="add" class="mt-3 min-h-11 rounded-lg bg-indigo-600 px-4 font-semibold text-white hover:bg-indigo-700">Add your first customer</button>"#
    });
    html.push_str("</div>");
}

/// The table, with its sortable headers (shown where the list is wide; a narrow list shows the
/// rows as cards).
fn table(html: &mut String, view: &ListView, query: &PageQuery, can_manage: bool) {
    html.push_str(
        r#"<div class="customer-table-frame"><table class="customer-table"><thead class="bg-slate-50 text-xs uppercase tracking-wide text-slate-600"><tr>"#,
    );
    if can_manage {
        html.push_str(
            r#"<th scope="col" class="w-12 px-2 py-2"><input type="checkbox" aria-label="Select All" class="h-5 w-5" data-select="all"></th>"#,
        );
    }
    sort_header(html, "Name", "name", query);
    html.push_str(r#"<th scope="col" class="hidden px-2 py-2 @min-[60rem]:table-cell">Phone</th><th scope="col" class="px-2 py-2">Tier</th>"#);
    sort_header(html, "Points", "loyalty_points", query);
    sort_header(html, "Orders", "total_orders", query);
    html.push_str(
        r#"<th scope="col" class="px-2 py-2">Status</th><th scope="col" class="px-2 py-2 text-right">Actions</th></tr></thead><tbody>"#,
    );
    html.push_str(&rows(&view.items, can_manage));
    html.push_str("</tbody></table></div>");
}

/// Select All and the orderings, shown in place of the table's headers where the list is narrow
/// (its rows are cards there).
fn narrow_bar(html: &mut String, query: &PageQuery, can_manage: bool) {
    html.push_str(r#"<div class="mb-2 flex items-center justify-between @min-[51rem]:hidden">"#);
    if can_manage {
        html.push_str(
            r#"<label class="flex min-h-11 items-center gap-2 text-sm font-medium"><input type="checkbox" class="h-5 w-5" data-select="all">Select All</label>"#,
        );
    }
    html.push_str(r#"<nav aria-label="Sort" class="flex flex-wrap gap-1 text-xs">"#);
    html.push_str(&sort_links(query));
    html.push_str("</nav></div>");
}

/// A column header that sorts by `field`: ascending first, descending when clicked again.
fn sort_header(html: &mut String, label: &str, field: &str, query: &PageQuery) {
    let ascending_now = query.ordering == field;
    let descending_now = query.ordering.strip_prefix('-') == Some(field);
    let next = PageQuery {
        ordering: if ascending_now { format!("-{field}") } else { field.to_owned() },
        page: String::new(),
        ..query.clone()
    };
    let (sort, arrow) = if ascending_now {
        ("ascending", "▲")
    } else if descending_now {
        ("descending", "▼")
    } else {
        ("none", "↕")
    };
    html.push_str(r#"<th scope="col" aria-sort=""#);
    html.push_str(sort);
    html.push_str(r#"" class="px-2 py-2"><a href=""#);
    text(html, &href(&next));
    html.push_str(r#"" class="inline-flex min-h-11 items-center gap-1 hover:text-slate-900">"#);
    html.push_str(label);
    html.push_str(r#"<span aria-hidden="true">"#);
    html.push_str(arrow);
    html.push_str("</span></a></th>");
}
