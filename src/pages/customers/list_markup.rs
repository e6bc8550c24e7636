//! The list's rows, sort links and pagination written as HTML text on the server
//! ([`board_markup`](super::board_markup) puts them together).
//!
//! A view element costs the server several allocations and a walk for each element and attribute;
//! a page of customers is a few hundred elements, most of the page's rendering. Written as text
//! they cost one string each. Their controls carry data attributes instead of handlers
//! ([`Control`](super::list::Control)): the list listens once for all of them and keeps the
//! checkboxes in step with the selection.

use super::query::href;
use crate::components::badges::{status_class_and_label, tier_class};
use crate::components::html_text::{push_grouped, push_int, text};
use crate::server_fns::customers::{CustomerRow, PageQuery};

/// The table rows of `customers`, with a checkbox each when the user can manage them. Where the
/// list is narrow the same rows are shown as cards (`.customer-table` in `style/tailwind.css`):
/// the counts then say what they count ("124 points"), which the table's headers say otherwise.
pub(super) fn rows(customers: &[CustomerRow], can_manage: bool) -> String {
    let mut html = String::with_capacity(customers.len() * 1_300);
    for c in customers {
        let id = c.id.to_string();
        html.push_str("<tr>");
        if can_manage {
            html.push_str(r#"<td class="cell-select">"#);
            checkbox(&mut html, c);
            html.push_str("</td>");
        }
        html.push_str(r#"<td class="cell-name"><a id=""#);
        name_id(&mut html, &id);
        html.push_str(r#"" href="/customers/"#);
        html.push_str(&id);
        html.push_str(r#"" dir="auto" class="row-name">"#);
        text(&mut html, &c.name);
        html.push_str(r#"</a><div title=""#);
        text(&mut html, &c.email);
        html.push_str(r#"" class="row-email">"#);
        text(&mut html, &c.email);
        html.push_str(r#"</div><div class="row-phone">"#);
        text(&mut html, &c.phone);
        html.push_str(r#"</div></td><td class="cell-phone">"#);
        text(&mut html, &c.phone);
        html.push_str(r#"</td><td class="cell-tier">"#);
        tier_badge(&mut html, c);
        html.push_str(r#"</td><td class="cell-points">"#);
        push_grouped(&mut html, c.loyalty_points);
        html.push_str(r#"<span class="card-unit"> points</span></td><td class="cell-orders">"#);
        push_grouped(&mut html, c.total_orders);
        html.push_str(r#"<span class="card-unit"> orders</span></td><td class="cell-status">"#);
        status_badge(&mut html, c);
        html.push_str(r#"</td><td class="cell-actions">"#);
        actions(&mut html, &id, can_manage);
        html.push_str("</td></tr>");
    }
    html
}

/// The id of the element that shows a customer's name (the row's buttons are described by it).
fn name_id(html: &mut String, id: &str) {
    html.push_str("customer-");
    html.push_str(id);
    html.push_str("-name");
}

/// The selection checkbox, named after the customer for assistive technology.
fn checkbox(html: &mut String, c: &CustomerRow) {
    html.push_str(r#"<input type="checkbox" class="h-5 w-5" data-select=""#);
    push_int(html, c.id);
    html.push_str(r#"" aria-label="Select "#);
    text(html, &c.name);
    html.push_str(r#"">"#);
}

/// The customer's tier badge.
fn tier_badge(html: &mut String, c: &CustomerRow) {
    let tier = c.tier();
    html.push_str(r#"<span class=""#);
    html.push_str(tier_class(tier));
    html.push_str(r#"">"#);
    html.push_str(tier.label());
    html.push_str("</span>");
}

/// The customer's status badge.
fn status_badge(html: &mut String, c: &CustomerRow) {
    let (class, label) = status_class_and_label(c.is_active);
    html.push_str(r#"<span class=""#);
    html.push_str(class);
    html.push_str(r#"">"#);
    html.push_str(label);
    html.push_str("</span>");
}

/// Edit, Points and (for managers) Delete, each described by the customer's name.
fn actions(html: &mut String, id: &str, can_manage: bool) {
    let buttons: &[(&str, &str, &str)] = &[
        ("edit", "Edit", "action-edit"),
        ("points", "Points", "action-points"),
        ("delete", "Delete", "action-delete"),
    ];
    html.push_str(r#"<div class="row-actions">"#);
    for (action, label, colors) in buttons.iter().take(if can_manage { 3 } else { 2 }) {
        html.push_str(r#"<button type="button" data-action=""#);
        html.push_str(action);
        html.push_str(r#"" data-customer=""#);
        html.push_str(id);
        html.push_str(r#"" aria-describedby=""#);
        name_id(html, id);
        html.push_str(r#"" class="row-action "#);
        html.push_str(colors);
        html.push_str(r#"">"#);
        html.push_str(label);
        html.push_str("</button>");
    }
    html.push_str("</div>");
}

/// The orderings offered on narrow screens (where the table's sortable headers are hidden), as
/// links, the current one marked.
pub(super) fn sort_links(query: &PageQuery) -> String {
    const ORDERINGS: [(&str, &str); 7] = [
        ("", "Newest"),
        ("created_at", "Oldest"),
        ("name", "Name A–Z"),
        ("-name", "Name Z–A"),
        ("-loyalty_points", "Most points"),
        ("loyalty_points", "Fewest points"),
        ("-total_orders", "Most orders"),
    ];
    let mut html = String::with_capacity(1_200);
    for (ordering, label) in ORDERINGS {
        let next = PageQuery { ordering: ordering.to_owned(), page: String::new(), ..query.clone() };
        html.push_str(r#"<a href=""#);
        text(&mut html, &href(&next));
        html.push_str(if query.ordering == ordering {
            r#"" aria-current="true" class="rounded-full bg-slate-800 px-3 py-2 text-white">"#
        } else {
            r#"" class="rounded-full px-3 py-2 ring-1 ring-slate-300">"#
        });
        html.push_str(label);
        html.push_str("</a>");
    }
    html
}

/// "Showing 1–10 of 1,234", then Previous, the page numbers around this one ([`page_links`]) and
/// Next, as links; Previous and Next are marked disabled at the ends.
pub(super) fn pagination(count: u64, page: u64, size: u64, query: &PageQuery) -> String {
    const BASE: &str = "page-link";
    let pages = count.div_ceil(size.max(1)).max(1);
    let first = if count == 0 { 0 } else { (page.max(1) - 1) * size + 1 };
    let last = (page * size).min(count);
    let number = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let link = |html: &mut String, n: u64| {
        let target = PageQuery { page: if n == 1 { String::new() } else { n.to_string() }, ..query.clone() };
        text(html, &href(&target));
    };
    let mut html = String::with_capacity(1_600);
    html.push_str(r#"<p class="text-sm text-slate-600">Showing "#);
    push_grouped(&mut html, number(first));
    html.push('–');
    push_grouped(&mut html, number(last));
    html.push_str(" of ");
    push_grouped(&mut html, number(count));
    html.push_str(r#"</p><div class="flex flex-wrap items-center justify-center gap-1">"#);
    let step = |html: &mut String, to: Option<u64>, rel: &str, label: &str| {
        match to {
            Some(n) => {
                html.push_str(r#"<a href=""#);
                link(html, n);
                html.push_str(r#"" rel=""#);
                html.push_str(rel);
                html.push_str(r#"" class=""#);
                html.push_str(BASE);
                html.push_str(r#" ring-1 ring-slate-300 hover:bg-slate-100">"#);
            }
            None => {
                html.push_str(r#"<span aria-disabled="true" class=""#);
                html.push_str(BASE);
                html.push_str(r#" text-slate-400 ring-1 ring-slate-200">"#);
            }
        }
        html.push_str(label);
        html.push_str(if to.is_some() { "</a>" } else { "</span>" });
    };
    step(&mut html, (page > 1).then(|| page - 1), "prev", "Previous");
    for n in page_links(page, pages) {
        let Some(n) = n else {
            html.push_str(r#"<span aria-hidden="true" class="px-0.5 text-slate-500">…</span>"#);
            continue;
        };
        html.push_str(r#"<a href=""#);
        link(&mut html, n);
        html.push_str(r#"" aria-label="Page "#);
        push_grouped(&mut html, number(n));
        html.push_str(if n == page { r#"" aria-current="page" class=""# } else { r#"" class=""# });
        html.push_str(BASE);
        html.push_str(if n == page {
            " bg-indigo-600 text-white"
        } else {
            " ring-1 ring-slate-300 hover:bg-slate-100"
        });
        html.push_str(r#"">"#);
        push_grouped(&mut html, number(n));
        html.push_str("</a>");
    }
    step(&mut html, (page < pages).then(|| page + 1), "next", "Next");
    html.push_str("</div>");
    html
}

/// The page numbers to link around `page` of `pages`: the first, the last, and the current one
/// with its neighbours; `None` stands for the pages left out (an ellipsis). A gap of one page shows
/// that page instead, so an ellipsis always hides at least two.
fn page_links(page: u64, pages: u64) -> Vec<Option<u64>> {
    let pages = pages.max(1);
    let page = page.clamp(1, pages);
    let mut shown: Vec<u64> =
        [1, page.saturating_sub(1), page, page + 1, pages].into_iter().filter(|n| (1..=pages).contains(n)).collect();
    shown.sort_unstable();
    shown.dedup();
    let mut links = Vec::with_capacity(shown.len() + 2);
    let mut previous = 0;
    for n in shown {
        match n - previous {
            1 => {}
            2 => links.push(Some(n - 1)),
            _ => links.push(None),
        }
        links.push(Some(n));
        previous = n;
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LoyaltyTier;

    fn customer(name: &str, email: &str) -> CustomerRow {
        CustomerRow {
            id: 7,
            name: name.to_owned(),
            email: email.to_owned(),
            phone: "+1 555 0100".to_owned(),
            loyalty_points: 12_345,
            total_orders: 3,
            is_active: false,
            tier_rank: LoyaltyTier::Gold.rank(),
            ..CustomerRow::default()
        }
    }

    #[test]
    fn markup_in_a_name_or_email_is_shown_as_text_never_run() {
        let c = customer(r#"<script>alert("x")</script> & 'co'"#, r#"a"onmouseover="x@example.com"#);
        let html = rows(std::slice::from_ref(&c), true);
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;"), "{html}");
        assert!(!html.contains(r#"a"onmouseover"#), "{html}");
        assert!(html.contains(r#"title="a&quot;onmouseover=&quot;x@example.com""#), "{html}");
    }

    #[test]
    fn a_row_shows_the_customer_with_grouped_numbers_badges_and_named_controls() {
        let html = rows(&[customer("Ana", "ana@example.com")], true);
        assert!(html.contains(r#"<a id="customer-7-name" href="/customers/7""#), "{html}");
        assert!(html.contains(r#">12,345<span class="card-unit"> points</span></td>"#), "{html}");
        assert!(html.contains(r#"<td class="cell-tier"><span class="badge tier-gold">Gold</span></td>"#), "{html}");
        assert!(
            html.contains(
                r#"<td class="cell-orders">3<span class="card-unit"> orders</span></td><td class="cell-status"><span class="badge status-inactive">"#
            ),
            "{html}"
        );
        assert!(html.contains(">Inactive</span></td>"), "{html}");
        assert!(html.contains(r#"data-select="7" aria-label="Select Ana""#), "{html}");
        for action in ["edit", "points", "delete"] {
            assert!(html
                .contains(&format!(r#"data-action="{action}" data-customer="7" aria-describedby="customer-7-name""#)));
        }
    }

    #[test]
    fn those_who_cannot_manage_get_no_checkbox_and_no_delete_button() {
        let c = customer("Ana", "ana@example.com");
        let html = rows(std::slice::from_ref(&c), false);
        assert!(!html.contains("checkbox"), "{html}");
        assert!(!html.contains("Delete"), "{html}");
        assert!(html.contains(">Points</button>"), "{html}");
    }

    fn shown(page: u64, pages: u64) -> String {
        page_links(page, pages)
            .into_iter()
            .map(|n| n.map_or("…".to_owned(), |n| n.to_string()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_page_in_the_middle_of_many_shows_the_ends_and_its_neighbours() {
        assert_eq!(shown(50, 100_000), "1 … 49 50 51 … 100000");
        assert_eq!(shown(15, 31), "1 … 14 15 16 … 31");
    }

    #[test]
    fn the_first_and_last_pages_show_their_neighbour_and_the_other_end() {
        assert_eq!(shown(1, 100_000), "1 2 … 100000");
        assert_eq!(shown(100_000, 100_000), "1 … 99999 100000");
    }

    #[test]
    fn a_gap_of_one_page_shows_that_page_instead_of_an_ellipsis() {
        assert_eq!(shown(3, 31), "1 2 3 4 … 31");
        assert_eq!(shown(4, 7), "1 2 3 4 5 6 7");
        assert_eq!(shown(5, 8), "1 … 4 5 6 7 8");
    }

    #[test]
    fn few_pages_are_all_shown_and_a_page_out_of_range_is_clamped() {
        assert_eq!(shown(1, 1), "1");
        assert_eq!(shown(2, 3), "1 2 3");
        assert_eq!(shown(9, 3), "1 2 3");
        assert_eq!(shown(1, 0), "1");
    }

    #[test]
    fn the_pages_are_links_that_keep_the_view_and_mark_the_current_one() {
        let query = PageQuery { search: "a&b".to_owned(), ordering: "name".to_owned(), ..PageQuery::default() };
        let html = pagination(35, 2, 10, &query);
        assert!(html.starts_with(r#"<p class="text-sm text-slate-600">Showing 11–20 of 35</p>"#), "{html}");
        assert!(html.contains(r#"<a href="/customers?search=a%26b&amp;ordering=name" rel="prev""#), "{html}");
        assert!(html.contains(r#"aria-label="Page 2" aria-current="page" class="page-link"#), "{html}");
        assert!(
            html.contains(r#"<a href="/customers?search=a%26b&amp;ordering=name&amp;page=3" rel="next""#),
            "{html}"
        );
        let html = pagination(0, 1, 10, &PageQuery::default());
        assert!(html.contains("Showing 0–0 of 0"), "{html}");
        assert!(html.contains(r#"<span aria-disabled="true" class="page-link"#), "{html}");
        assert!(!html.contains("rel="), "{html}");
    }

    #[test]
    fn the_sort_links_keep_the_filters_start_at_page_one_and_mark_the_current_ordering() {
        let query = PageQuery {
            status: "active".to_owned(),
            ordering: "-name".to_owned(),
            page: "3".to_owned(),
            ..PageQuery::default()
        };
        let html = sort_links(&query);
        assert!(
            html.contains(
                r#"<a href="/customers?status=active" class="rounded-full px-3 py-2 ring-1 ring-slate-300">Newest</a>"#
            ),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="/customers?status=active&amp;ordering=-name" aria-current="true""#),
            "{html}"
        );
        assert_eq!(html.matches("aria-current").count(), 1, "{html}");
    }
}
