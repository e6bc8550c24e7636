//! The API's query strings: decoded pairs, and the list query read from them as DRF's filters,
//! ordering and pagination read theirs.

use crate::domain::customer_input::parse_bool;
use crate::domain::customer_query::{CustomerFilter, InvalidPage, ListQuery, Ordering, PageRequest};
use crate::domain::{form_urlencoded, FieldErrors, LoyaltyTier};
use crate::services::{ServiceError, ServiceResult};

/// Decoded query-string parameters, in order.
#[derive(Clone, Debug, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The parameters of a raw query string (without its `?`).
    pub fn new(raw: Option<&str>) -> Self {
        Params(form_urlencoded::pairs(raw.unwrap_or_default()))
    }

    /// The last value of a parameter, as Django's `QueryDict.get` gives.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A parameter's value, trimmed, or `None` when absent or blank.
    fn text(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// `page` and `page_size`.
    pub fn page(&self) -> Result<PageRequest, InvalidPage> {
        PageRequest::parse(self.get("page"), self.get("page_size"))
    }
}

/// `search, is_active, loyalty_level, city, province, ordering, page, page_size`. Unknown loyalty
/// levels and ordering fields are ignored, as DRF's filters ignore them; a bad `is_active` is a
/// 400, a bad `page` a 404 ("Invalid page.").
pub fn list_query(params: &Params) -> ServiceResult<ListQuery> {
    let (filter, ordering) = filter_and_ordering(params)?;
    let page = params.page()?;
    Ok(ListQuery { filter, ordering, page })
}

/// The list's filters, search and ordering without its pagination (what an export reads).
pub fn filter_and_ordering(params: &Params) -> ServiceResult<(CustomerFilter, Ordering)> {
    let is_active = match params.text("is_active") {
        None => None,
        Some(value) => Some(parse_bool(value).ok_or_else(|| {
            let message = format!("Select a valid choice. {value} is not one of the available choices.");
            ServiceError::Validation(FieldErrors::single("is_active", message))
        })?),
    };
    let mut errors = FieldErrors::default();
    let mut place = |name: &str| {
        CustomerFilter::place(params.get(name).unwrap_or_default())
            .map_err(|message| errors.add(name, message))
            .ok()
            .flatten()
    };
    let city = place("city");
    let province = place("province");
    errors.or(())?;
    let filter = CustomerFilter {
        search: params.get("search").and_then(CustomerFilter::search_term),
        is_active,
        tier: params.text("loyalty_level").and_then(|level| level.parse::<LoyaltyTier>().ok()),
        city,
        province,
    };
    let ordering = params.text("ordering").map(Ordering::parse).unwrap_or_default();
    Ok((filter, ordering))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer_query::SortField;

    #[test]
    fn the_last_value_of_a_parameter_wins() {
        let params = Params::new(Some("page=1&page=3&search=+sari+"));
        assert_eq!(params.get("page"), Some("3"));
        let query = list_query(&params).expect("valid");
        assert_eq!(query.filter.search.as_deref(), Some("sari"));
    }

    #[test]
    fn unknown_levels_and_orderings_are_ignored_but_a_bad_status_is_refused() {
        let query = list_query(&Params::new(Some("loyalty_level=diamond&ordering=password"))).expect("valid");
        assert_eq!((query.filter.tier, query.ordering.field), (None, SortField::CreatedAt));
        assert!(matches!(list_query(&Params::new(Some("is_active=maybe"))), Err(ServiceError::Validation(_))));
        assert!(matches!(list_query(&Params::new(Some("page=0"))), Err(ServiceError::InvalidPage)));
    }
}
