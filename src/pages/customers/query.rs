//! The page's view lives in the URL: `?search=…&loyalty_level=…&status=…&ordering=…&page=…`.

use crate::server_fns::customers::PageQuery;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The current query, read from the URL.
pub fn use_page_query() -> Memo<PageQuery> {
    let map = use_query_map();
    Memo::new(move |_| {
        map.with(|q| PageQuery {
            search: q.get("search").unwrap_or_default(),
            loyalty_level: q.get("loyalty_level").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
            ordering: q.get("ordering").unwrap_or_default(),
            page: q.get("page").unwrap_or_default(),
        })
    })
}

/// The page's URL for a query, leaving out empty parameters.
pub fn href(query: &PageQuery) -> String {
    let parts: Vec<String> = [
        ("search", &query.search),
        ("loyalty_level", &query.loyalty_level),
        ("status", &query.status),
        ("ordering", &query.ordering),
        ("page", &query.page),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(name, value)| format!("{name}={}", encode(value)))
    .collect();
    if parts.is_empty() {
        "/customers".to_owned()
    } else {
        format!("/customers?{}", parts.join("&"))
    }
}

fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Groups thousands: 1234567 → "1,234,567".
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
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
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(1234), "1,234");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(money(250_000_005), "2,500,000.05");
    }
}
