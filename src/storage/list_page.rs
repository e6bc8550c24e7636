//! A list page's rows: put in the page's order, and checked against the list cache's last result
//! for the tenant (see `page_if_unchanged` in `customers.rs`).

use super::list_cache::CachedList;
use super::Page;
use crate::domain::Customer;

/// A customer read with the tenant's change counter of the same snapshot.
#[derive(sqlx::FromRow)]
pub(crate) struct VersionedCustomer {
    /// The customer.
    #[sqlx(flatten)]
    pub customer: Customer,
    /// The tenant's change counter.
    pub list_version: i64,
}

/// What reading a cached page's rows with the tenant's change counter found.
#[derive(Debug, PartialEq)]
pub(crate) enum CheckedPage {
    /// Nothing changed since the cached result: its count and ids are exact, and these are its rows.
    Current(Page<Customer>),
    /// The counter has moved to this value: the page is to be computed at it.
    Moved(i64),
    /// No cached result to check, or no row came back to tell the counter: read it apart.
    NotCached,
}

impl CheckedPage {
    /// Checks the rows `found` for the ids of `cached`, computed at counter `version`. Every row
    /// is there unless some were deleted since, and then the counter has moved too.
    pub(crate) fn of(version: i64, cached: CachedList, found: Vec<VersionedCustomer>) -> Self {
        if let Some(moved) = found.iter().map(|row| row.list_version).find(|seen| *seen != version) {
            return CheckedPage::Moved(moved);
        }
        if found.len() != cached.ids.len() {
            return CheckedPage::NotCached;
        }
        let rows = found.into_iter().map(|row| row.customer).collect();
        CheckedPage::Current(Page { count: cached.count, items: in_order_of(&cached.ids, rows) })
    }
}

/// The customers `rows` in the order of `ids` (a page's order; the database returns them in any).
pub(crate) fn in_order_of(ids: &[i64], rows: Vec<Customer>) -> Vec<Customer> {
    let mut by_id: std::collections::HashMap<i64, Customer> = rows.into_iter().map(|c| (c.id, c)).collect();
    ids.iter().filter_map(|id| by_id.remove(id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(id: i64) -> Customer {
        let at = chrono::DateTime::UNIX_EPOCH;
        Customer {
            id,
            tenant_id: 1,
            tenant_name: "Cafe".into(),
            name: format!("Customer {id}"),
            email: format!("c{id}@example.test"),
            phone: String::new(),
            address: String::new(),
            city: String::new(),
            province: String::new(),
            postal_code: String::new(),
            loyalty_points: 0,
            total_orders: 0,
            total_spent_minor: 0,
            notes: String::new(),
            is_active: true,
            marketing_email: false,
            marketing_sms: false,
            created_at: at,
            updated_at: at,
            last_order_date: None,
            tier_rank: 0,
        }
    }

    fn read(ids: &[i64], version: i64) -> Vec<VersionedCustomer> {
        ids.iter().map(|id| VersionedCustomer { customer: customer(*id), list_version: version }).collect()
    }

    fn cached(ids: &[i64]) -> CachedList {
        CachedList { count: 42, ids: ids.to_vec() }
    }

    #[test]
    fn an_unchanged_tenant_gets_the_cached_page_in_its_order() {
        let checked = CheckedPage::of(7, cached(&[3, 1, 2]), read(&[1, 2, 3], 7));
        let CheckedPage::Current(page) = checked else { panic!("expected the page, got {checked:?}") };
        assert_eq!(page.count, 42);
        assert_eq!(page.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![3, 1, 2]);
    }

    #[test]
    fn a_moved_counter_is_handed_on_even_with_rows_missing() {
        assert_eq!(CheckedPage::of(7, cached(&[1, 2]), read(&[1, 2], 9)), CheckedPage::Moved(9));
        assert_eq!(CheckedPage::of(7, cached(&[1, 2]), read(&[2], 9)), CheckedPage::Moved(9));
    }

    #[test]
    fn a_page_whose_rows_are_all_gone_tells_no_counter() {
        assert_eq!(CheckedPage::of(7, cached(&[1, 2]), Vec::new()), CheckedPage::NotCached);
    }
}
