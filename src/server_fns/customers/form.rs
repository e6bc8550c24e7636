//! From the page's state to the services' inputs: the URL's query becomes a [`ListQuery`], the
//! customer form a [`NewCustomer`]; both with the same rules and messages as the API's.

use super::{CustomerForm, PageQuery};
use crate::domain::customer_input::{self as rules, CustomerDetails, NewCustomer};
use crate::domain::customer_query::{CustomerFilter, ListQuery, Ordering, PageRequest, DEFAULT_PAGE_SIZE};
use crate::domain::{FieldErrors, Input, LoyaltyTier};
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

impl PageQuery {
    /// The list query of the first page for this URL state, and the page it asks for (`None`
    /// when `page=` is not a page number: the first page is shown then). Unknown levels,
    /// statuses and orderings are ignored, as the API ignores them.
    pub fn list_query(&self) -> (ListQuery, Option<PageRequest>) {
        let filter = CustomerFilter {
            search: CustomerFilter::search_term(&self.search),
            is_active: match self.status.trim() {
                "active" => Some(true),
                "inactive" => Some(false),
                _ => None,
            },
            tier: self.loyalty_level.trim().parse::<LoyaltyTier>().ok(),
            city: None,
            province: None,
        };
        let ordering = Some(self.ordering.trim()).filter(|o| !o.is_empty()).map(Ordering::parse).unwrap_or_default();
        let requested = PageRequest::parse(Some(&self.page), None).ok();
        (ListQuery { filter, ordering, page: PageRequest::first(DEFAULT_PAGE_SIZE) }, requested)
    }
}

impl CustomerForm {
    /// The form as a whole customer: every field is written (an empty points box keeps the
    /// balance on an edit and means 0 on a new customer; an empty date clears the last order).
    pub fn new_customer(&self) -> Input<NewCustomer> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", rules::name(&self.name));
        let email = errors.check("email", rules::email(&self.email));
        let details = CustomerDetails {
            phone: errors.check("phone", rules::phone(&self.phone)),
            address: errors.check("address", rules::long_text(&self.address)),
            city: errors.check("city", rules::place(&self.city)),
            province: errors.check("province", rules::place(&self.province)),
            postal_code: errors.check("postal_code", rules::postal_code(&self.postal_code)),
            notes: errors.check("notes", rules::long_text(&self.notes)),
            is_active: Some(self.is_active),
            marketing_email: Some(self.marketing_email),
            marketing_sms: Some(self.marketing_sms),
            loyalty_points: match self.loyalty_points.trim() {
                "" => None,
                typed => errors.check(
                    "loyalty_points",
                    typed.parse::<i64>().map_err(|_| rules::NOT_INTEGER.to_owned()).and_then(rules::points_balance),
                ),
            },
            last_order_date: match self.last_order_date.trim() {
                "" => Some(None),
                typed => errors.check("last_order_date", day_start(typed)).map(Some),
            },
        };
        Ok(NewCustomer::require(name, email, details, errors)?)
    }
}

/// Midnight UTC of a `YYYY-MM-DD` day, as the date input sends it.
fn day_start(day: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
        .ok_or_else(|| "Enter a valid date (YYYY-MM-DD).".to_owned())
}

/// An amount in minor units, rounded half away from zero, for the page's money formatting.
pub fn minor_units(amount: Decimal) -> i64 {
    (amount * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer_query::{PageNumber, SortField};
    use crate::domain::InvalidInput;

    fn form() -> CustomerForm {
        CustomerForm {
            name: " Sari Wulandari ".into(),
            email: "sari@example.id".into(),
            phone: "+62 812".into(),
            is_active: true,
            ..CustomerForm::default()
        }
    }

    #[test]
    fn the_url_state_becomes_the_list_query_of_the_api() {
        let query = PageQuery {
            search: "  sari ".into(),
            loyalty_level: "gold".into(),
            status: "inactive".into(),
            ordering: "-loyalty_points".into(),
            page: "3".into(),
        };
        let (list, requested) = query.list_query();
        assert_eq!(list.filter.search.as_deref(), Some("sari"));
        assert_eq!(list.filter.tier, Some(LoyaltyTier::Gold));
        assert_eq!(list.filter.is_active, Some(false));
        assert_eq!((list.ordering.field, list.ordering.descending), (SortField::LoyaltyPoints, true));
        assert_eq!(requested.map(|p| p.number), Some(PageNumber::Number(3)));
    }

    #[test]
    fn an_empty_or_unknown_url_state_is_the_default_view() {
        let (list, requested) =
            PageQuery { status: "all".into(), loyalty_level: "diamond".into(), ..PageQuery::default() }.list_query();
        assert_eq!(list.filter, CustomerFilter::default());
        assert_eq!(list.ordering, Ordering::default());
        assert_eq!(requested.map(|p| p.number), Some(PageNumber::Number(1)));
        assert_eq!(PageQuery { page: "x".into(), ..PageQuery::default() }.list_query().1, None);
    }

    #[test]
    fn the_form_becomes_a_whole_customer() {
        let new = form().new_customer().expect("valid");
        assert_eq!(new.name, "Sari Wulandari");
        assert_eq!(new.details.is_active, Some(true));
        assert_eq!(new.details.loyalty_points, None, "an empty box keeps the balance");
        assert_eq!(new.details.last_order_date, Some(None), "an empty date clears the last order");
        let dated = CustomerForm { last_order_date: "2026-11-30".into(), loyalty_points: " 150 ".into(), ..form() };
        let new = dated.new_customer().expect("valid");
        assert_eq!(new.details.loyalty_points, Some(150));
        assert_eq!(
            new.details.last_order_date.flatten().map(|d| d.to_rfc3339()),
            Some("2026-11-30T00:00:00+00:00".into())
        );
    }

    #[test]
    fn bad_form_fields_get_the_api_messages() {
        let bad = CustomerForm { name: " ".into(), email: "x@".into(), loyalty_points: "-3".into(), ..form() };
        let Err(InvalidInput::Fields(errors)) = bad.new_customer() else { panic!("expected field errors") };
        assert_eq!(errors.0["name"], vec![rules::NOT_BLANK]);
        assert!(errors.0.contains_key("email"));
        assert_eq!(errors.0["loyalty_points"], vec!["Ensure this value is greater than or equal to 0."]);
        let words = CustomerForm { loyalty_points: "many".into(), ..form() };
        let Err(InvalidInput::Fields(errors)) = words.new_customer() else { panic!("expected field errors") };
        assert_eq!(errors.0["loyalty_points"], vec![rules::NOT_INTEGER]);
    }

    #[test]
    fn averages_round_half_away_from_zero_to_the_cent() {
        assert_eq!(minor_units(Decimal::new(1_000_005, 3)), 100_001);
        assert_eq!(minor_units(Decimal::new(1_000_004, 3)), 100_000);
        assert_eq!(minor_units(Decimal::ZERO), 0);
    }
}
