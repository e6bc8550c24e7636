//! The list's rows and cards written as HTML text, by the same functions on the server (the page)
//! and in the browser (the island, after a reload of the list), and set as the inner HTML of the
//! table's body and of the card list.
//!
//! A view element costs the server several allocations and a walk for each element and attribute;
//! a page of twenty customers shown both as rows and as cards is about 900 elements, most of the
//! page's rendering. Written as text they cost one string each. Their controls carry data
//! attributes instead of handlers: the list listens once for all of them ([`RowControl`]) and
//! keeps the checkboxes in step with the selection.

use super::query::grouped;
use crate::components::badges::{status_class_and_label, tier_class};
use crate::domain::Customer;
use std::fmt::Write;

/// What a click or change on a row's or card's control asks for. (Only the browser has events:
/// the server's build never makes one.)
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowControl {
    /// The checkbox of the customer with this id.
    Select(i64),
    /// The Edit button.
    Edit(i64),
    /// The Points button.
    Points(i64),
    /// The Delete button.
    Delete(i64),
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
impl RowControl {
    /// The control named by a checkbox's `data-select` or a button's `data-action` and
    /// `data-customer` attributes, as written below.
    pub fn from_attributes(select: Option<&str>, action: Option<&str>, customer: Option<&str>) -> Option<Self> {
        if let Some(id) = select.and_then(|id| id.parse().ok()) {
            return Some(RowControl::Select(id));
        }
        let id = customer?.parse().ok()?;
        match action? {
            "edit" => Some(RowControl::Edit(id)),
            "points" => Some(RowControl::Points(id)),
            "delete" => Some(RowControl::Delete(id)),
            _ => None,
        }
    }
}

/// The table rows of `customers`, with a checkbox each when the user can manage them.
pub fn rows(customers: &[Customer], can_manage: bool) -> String {
    let mut html = String::with_capacity(customers.len() * 1_900);
    for c in customers {
        let id = c.id;
        html.push_str(r#"<tr class="hover:bg-slate-50">"#);
        if can_manage {
            html.push_str(r#"<td class="px-2 py-2">"#);
            checkbox(&mut html, c, "h-5 w-5");
            html.push_str("</td>");
        }
        let name_id = format!("customer-{id}-name");
        let _ = write!(
            html,
            r#"<td class="px-2 py-2"><a id="{name_id}" href="/customers/{id}" dir="auto" class="block max-w-40 font-semibold text-indigo-700 wrap-anywhere hover:underline">"#
        );
        text(&mut html, &c.name);
        html.push_str(r#"</a><div title=""#);
        text(&mut html, &c.email);
        html.push_str(r#"" class="max-w-40 truncate text-xs text-slate-600">"#);
        text(&mut html, &c.email);
        html.push_str(r#"</div><div class="whitespace-nowrap text-xs text-slate-600 @min-[60rem]:hidden">"#);
        text(&mut html, &c.phone);
        html.push_str(r#"</div></td><td class="hidden max-w-36 px-2 py-2 wrap-anywhere @min-[60rem]:table-cell">"#);
        text(&mut html, &c.phone);
        html.push_str(r#"</td><td class="px-2 py-2">"#);
        tier_badge(&mut html, c);
        let _ = write!(
            html,
            r#"</td><td class="px-2 py-2 tabular-nums">{}</td><td class="px-2 py-2 tabular-nums">{}</td><td class="px-2 py-2">"#,
            grouped(c.loyalty_points),
            grouped(c.total_orders)
        );
        status_badge(&mut html, c);
        html.push_str(r#"</td><td class="px-2 py-2">"#);
        actions(&mut html, id, &name_id, can_manage);
        html.push_str("</td></tr>");
    }
    html
}

/// The cards of `customers` (the list on narrow screens).
pub fn cards(customers: &[Customer], can_manage: bool) -> String {
    let mut html = String::with_capacity(customers.len() * 1_900);
    for c in customers {
        let id = c.id;
        html.push_str(
            r#"<li class="min-w-0 rounded-xl bg-white p-4 ring-1 ring-slate-200"><div class="flex items-start gap-3">"#,
        );
        if can_manage {
            checkbox(&mut html, c, "mt-1 h-5 w-5");
        }
        let name_id = format!("customer-card-{id}-name");
        let _ = write!(
            html,
            r#"<div class="min-w-0 flex-1"><a id="{name_id}" href="/customers/{id}" dir="auto" class="block font-semibold text-indigo-700 wrap-anywhere">"#
        );
        text(&mut html, &c.name);
        html.push_str(r#"</a><p title=""#);
        text(&mut html, &c.email);
        html.push_str(r#"" class="truncate text-sm text-slate-600">"#);
        text(&mut html, &c.email);
        html.push_str(r#"</p><p class="text-sm text-slate-600">"#);
        text(&mut html, &c.phone);
        html.push_str(r#"</p><div class="mt-2 flex flex-wrap items-center gap-2 text-sm">"#);
        tier_badge(&mut html, c);
        status_badge(&mut html, c);
        let _ = write!(
            html,
            r#"<span class="tabular-nums">{} points</span><span class="tabular-nums">{} orders</span></div></div></div><div class="mt-3">"#,
            grouped(c.loyalty_points),
            grouped(c.total_orders)
        );
        actions(&mut html, id, &name_id, can_manage);
        html.push_str("</div></li>");
    }
    html
}

/// The selection checkbox, named after the customer for assistive technology.
fn checkbox(html: &mut String, c: &Customer, class: &str) {
    let _ = write!(html, r#"<input type="checkbox" class="{class}" data-select="{}" aria-label="Select "#, c.id);
    text(html, &c.name);
    html.push_str(r#"">"#);
}

/// The customer's tier badge.
fn tier_badge(html: &mut String, c: &Customer) {
    let tier = c.tier();
    let _ = write!(html, r#"<span class="{}">{}</span>"#, tier_class(tier), tier.label());
}

/// The customer's status badge.
fn status_badge(html: &mut String, c: &Customer) {
    let (class, label) = status_class_and_label(c.is_active);
    let _ = write!(html, r#"<span class="{class}">{label}</span>"#);
}

/// Edit, Points and (for managers) Delete, each described by the customer's name.
fn actions(html: &mut String, id: i64, described_by: &str, can_manage: bool) {
    let buttons: &[(&str, &str, &str)] = &[
        ("edit", "Edit", "text-slate-700 ring-slate-300 hover:bg-slate-100"),
        ("points", "Points", "text-amber-800 ring-amber-300 hover:bg-amber-50"),
        ("delete", "Delete", "text-red-700 ring-red-300 hover:bg-red-50"),
    ];
    html.push_str(r#"<div class="flex justify-end gap-1.5">"#);
    for (action, label, colors) in buttons.iter().take(if can_manage { 3 } else { 2 }) {
        let _ = write!(
            html,
            r#"<button type="button" data-action="{action}" data-customer="{id}" aria-describedby="{described_by}" class="row-action {colors}">{label}</button>"#
        );
    }
    html.push_str("</div>");
}

/// Appends `value` escaped for HTML text and for a double-quoted attribute.
fn text(html: &mut String, value: &str) {
    let mut rest = value;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        html.push_str(&rest[..at]);
        html.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[at + 1..];
    }
    html.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LoyaltyTier;

    fn customer(name: &str, email: &str) -> Customer {
        let at = chrono::DateTime::UNIX_EPOCH;
        Customer {
            id: 7,
            tenant_id: 1,
            tenant_name: "Cafe".to_owned(),
            name: name.to_owned(),
            email: email.to_owned(),
            phone: "+1 555 0100".to_owned(),
            address: String::new(),
            city: String::new(),
            province: String::new(),
            postal_code: String::new(),
            loyalty_points: 12_345,
            total_orders: 3,
            total_spent_minor: 0,
            notes: String::new(),
            is_active: false,
            marketing_email: false,
            marketing_sms: false,
            created_at: at,
            updated_at: at,
            last_order_date: None,
            tier_rank: LoyaltyTier::Gold.rank(),
        }
    }

    #[test]
    fn markup_in_a_name_or_email_is_shown_as_text_never_run() {
        let c = customer(r#"<script>alert("x")</script> & 'co'"#, r#"a"onmouseover="x@example.com"#);
        for html in [rows(std::slice::from_ref(&c), true), cards(std::slice::from_ref(&c), true)] {
            assert!(!html.contains("<script>"), "{html}");
            assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;"), "{html}");
            assert!(!html.contains(r#"a"onmouseover"#), "{html}");
            assert!(html.contains(r#"title="a&quot;onmouseover=&quot;x@example.com""#), "{html}");
        }
    }

    #[test]
    fn a_row_shows_the_customer_with_grouped_numbers_badges_and_named_controls() {
        let html = rows(&[customer("Ana", "ana@example.com")], true);
        assert!(html.contains(r#"<a id="customer-7-name" href="/customers/7""#), "{html}");
        assert!(html.contains(">12,345</td>"), "{html}");
        assert!(html.contains(r#"<td class="px-2 py-2"><span class="badge bg-yellow-100 text-yellow-800 ring-yellow-300">Gold</span></td>"#), "{html}");
        assert!(
            html.contains(
                r#"<td class="px-2 py-2 tabular-nums">3</td><td class="px-2 py-2"><span class="badge bg-red-100"#
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
        for html in [rows(std::slice::from_ref(&c), false), cards(std::slice::from_ref(&c), false)] {
            assert!(!html.contains("checkbox"), "{html}");
            assert!(!html.contains("Delete"), "{html}");
            assert!(html.contains(">Points</button>"), "{html}");
        }
    }

    #[test]
    fn controls_are_read_back_from_their_attributes() {
        assert_eq!(RowControl::from_attributes(Some("42"), None, None), Some(RowControl::Select(42)));
        assert_eq!(RowControl::from_attributes(None, Some("edit"), Some("42")), Some(RowControl::Edit(42)));
        assert_eq!(RowControl::from_attributes(None, Some("points"), Some("42")), Some(RowControl::Points(42)));
        assert_eq!(RowControl::from_attributes(None, Some("delete"), Some("42")), Some(RowControl::Delete(42)));
        assert_eq!(RowControl::from_attributes(None, Some("other"), Some("42")), None);
        assert_eq!(RowControl::from_attributes(None, Some("edit"), Some("x")), None);
        assert_eq!(RowControl::from_attributes(None, None, None), None);
    }
}
