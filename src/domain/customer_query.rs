//! The list query: filters, ordering and page. The edges build it (the API from its query string,
//! the page from its URL state); the values parse as DRF parses them.

use super::LoyaltyTier;
use serde::{Deserialize, Serialize};

/// Default and largest page sizes.
pub const DEFAULT_PAGE_SIZE: u64 = 10;
/// The largest page size a client may ask for.
pub const MAX_PAGE_SIZE: u64 = 100;
/// The longest search term used; the rest is ignored.
pub const MAX_SEARCH_CHARS: usize = 200;
/// The longest city or province filter: the stored fields' length.
pub const MAX_PLACE_CHARS: usize = 100;

/// A parsed list request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    /// What to include.
    pub filter: CustomerFilter,
    /// In which order.
    pub ordering: Ordering,
    /// Which page.
    pub page: PageRequest,
}

/// A field customers can be ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortField {
    /// By name, ignoring case.
    Name,
    /// By creation time.
    CreatedAt,
    /// By points balance.
    LoyaltyPoints,
    /// By number of orders.
    TotalOrders,
    /// By amount spent.
    TotalSpent,
    /// By last order (customers without orders sort as the latest).
    LastOrderDate,
}

impl SortField {
    /// Every field.
    pub const ALL: [SortField; 6] = [
        SortField::Name,
        SortField::CreatedAt,
        SortField::LoyaltyPoints,
        SortField::TotalOrders,
        SortField::TotalSpent,
        SortField::LastOrderDate,
    ];

    /// The API name of the field.
    pub fn key(self) -> &'static str {
        match self {
            SortField::Name => "name",
            SortField::CreatedAt => "created_at",
            SortField::LoyaltyPoints => "loyalty_points",
            SortField::TotalOrders => "total_orders",
            SortField::TotalSpent => "total_spent",
            SortField::LastOrderDate => "last_order_date",
        }
    }
}

/// A sort field and direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ordering {
    /// The field.
    pub field: SortField,
    /// Largest first.
    pub descending: bool,
}

impl Default for Ordering {
    fn default() -> Self {
        Ordering { field: SortField::CreatedAt, descending: true }
    }
}

impl Ordering {
    /// Parses `ordering=` as DRF does: comma-separated, `-` for descending, unknown fields
    /// ignored; the first valid field wins, none gives the default `-created_at`.
    pub fn parse(text: &str) -> Self {
        text.split(',')
            .filter_map(|part| {
                let part = part.trim();
                let (descending, name) = match part.strip_prefix('-') {
                    Some(name) => (true, name),
                    None => (false, part),
                };
                SortField::ALL.into_iter().find(|f| f.key() == name).map(|field| Ordering { field, descending })
            })
            .next()
            .unwrap_or_default()
    }

    /// The `ordering=` value.
    pub fn to_param(self) -> String {
        format!("{}{}", if self.descending { "-" } else { "" }, self.field.key())
    }
}

/// What to list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFilter {
    /// Case-insensitive substring of name, email or phone (phone also by digits alone).
    pub search: Option<String>,
    /// Only active or only inactive.
    pub is_active: Option<bool>,
    /// Only one tier.
    pub tier: Option<LoyaltyTier>,
    /// Exact city.
    pub city: Option<String>,
    /// Exact province.
    pub province: Option<String>,
}

impl CustomerFilter {
    /// A search term as typed: trimmed, at most [`MAX_SEARCH_CHARS`] characters, `None` if blank.
    pub fn search_term(raw: &str) -> Option<String> {
        // No stored name, email or phone holds a control character (NUL included, which neither
        // database's text search takes): they are dropped from the term.
        let term: String = raw.chars().filter(|c| !c.is_control()).collect();
        let term = term.trim();
        (!term.is_empty()).then(|| term.chars().take(MAX_SEARCH_CHARS).collect())
    }

    /// A city or province filter as typed: trimmed, `None` if blank; longer than the stored
    /// field can be ([`MAX_PLACE_CHARS`]) is refused with the sentence to show.
    pub fn place(raw: &str) -> Result<Option<String>, String> {
        let place = raw.trim();
        // No stored city holds one (and PostgreSQL refuses NUL in any text).
        if place.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err("Control characters are not allowed.".into());
        }
        let length = place.chars().count();
        if length > MAX_PLACE_CHARS {
            return Err(format!("Ensure this value has at most {MAX_PLACE_CHARS} characters (it has {length})."));
        }
        Ok((!place.is_empty()).then(|| place.to_owned()))
    }

    /// Whether a count can come from the maintained counters (no text filters).
    pub fn is_counter_only(&self) -> bool {
        self.search.is_none() && self.city.is_none() && self.province.is_none()
    }

    /// The search term, when it is the only filter.
    pub fn search_only(&self) -> Option<&str> {
        let alone = self.is_active.is_none() && self.tier.is_none() && self.city.is_none() && self.province.is_none();
        self.search.as_deref().filter(|_| alone)
    }
}

/// Which page of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageNumber {
    /// A page from 1.
    Number(u64),
    /// The last page.
    Last,
}

/// The page request: number and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Which page.
    pub number: PageNumber,
    /// Rows per page (1 to 100).
    pub size: u64,
}

/// Why a page cannot be shown (`{"detail": "Invalid page."}` in the API).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidPage;

impl PageRequest {
    /// The first page of `size` rows.
    pub fn first(size: u64) -> Self {
        PageRequest { number: PageNumber::Number(1), size }
    }

    /// Page `number` (from 1) of `size` rows.
    pub fn number(number: u64, size: u64) -> Self {
        PageRequest { number: PageNumber::Number(number.max(1)), size: size.clamp(1, MAX_PAGE_SIZE) }
    }

    /// Parses `page` and `page_size` as DRF's PageNumberPagination does: a bad size falls back to
    /// the default, a size above 100 is cut to 100; a bad page number is an error.
    pub fn parse(page: Option<&str>, size: Option<&str>) -> Result<Self, InvalidPage> {
        let size = size
            .and_then(|s| s.trim().parse::<u64>().ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_PAGE_SIZE, |s| s.min(MAX_PAGE_SIZE));
        let number = match page.map(str::trim) {
            None | Some("") => PageNumber::Number(1),
            Some("last") => PageNumber::Last,
            Some(text) => PageNumber::Number(text.parse::<u64>().ok().filter(|n| *n >= 1).ok_or(InvalidPage)?),
        };
        Ok(PageRequest { number, size })
    }

    /// The 1-based page number for a list of `count` rows, or an error past the end (page 1 of
    /// an empty list is valid).
    pub fn resolve(self, count: u64) -> Result<u64, InvalidPage> {
        let pages = count.div_ceil(self.size).max(1);
        let number = match self.number {
            PageNumber::Number(n) => n,
            PageNumber::Last => pages,
        };
        if number > pages {
            Err(InvalidPage)
        } else {
            Ok(number)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_filter_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(CustomerFilter::place("  Bandung "), Ok(Some("Bandung".into())));
        assert_eq!(CustomerFilter::place("  "), Ok(None));
        assert!(CustomerFilter::place("Band\0ung").is_err());
        assert!(CustomerFilter::place(&"x".repeat(101)).is_err());
    }

    #[test]
    fn ordering_ignores_unknown_fields_and_defaults_to_newest_first() {
        assert_eq!(Ordering::parse("-loyalty_points").to_param(), "-loyalty_points");
        assert_eq!(Ordering::parse("bogus,name").to_param(), "name");
        assert_eq!(Ordering::parse("password").to_param(), "-created_at");
        assert_eq!(Ordering::parse("").to_param(), "-created_at");
    }

    #[test]
    fn page_sizes_fall_back_or_are_capped_and_bad_pages_are_invalid() {
        assert_eq!(PageRequest::parse(None, Some("500")).map(|p| p.size), Ok(100));
        assert_eq!(PageRequest::parse(None, Some("abc")).map(|p| p.size), Ok(10));
        assert_eq!(PageRequest::parse(Some("0"), None), Err(InvalidPage));
        assert_eq!(PageRequest::parse(Some("x"), None), Err(InvalidPage));
        let page = PageRequest::parse(Some("3"), None).expect("page");
        assert_eq!(page.resolve(25), Ok(3));
        assert_eq!(page.resolve(20), Err(InvalidPage));
        assert_eq!(PageRequest::parse(Some("1"), None).and_then(|p| p.resolve(0)), Ok(1));
        assert_eq!(PageRequest::parse(Some("last"), None).and_then(|p| p.resolve(21)), Ok(3));
    }
}
