//! A list page's rows: put in the page's order, and checked against the list cache's last result
//! for the tenant (see `page_if_unchanged` in `customers.rs`); and the reads that say which change
//! counter of the tenant they were read at (a page of customers, the counters with the program),
//! so that the counters are read again only when it moved.

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
    /// Nothing changed since the cached result: its count and ids are exact, and these are its
    /// rows, read at this change counter.
    Current(Page<Customer>, i64),
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
        CheckedPage::Current(Page { count: cached.count, items: in_order_of(&cached.ids, rows) }, version)
    }
}

/// The customers `rows` in the order of `ids` (a page's order; the database returns them in any).
pub(crate) fn in_order_of(ids: &[i64], rows: Vec<Customer>) -> Vec<Customer> {
    let mut by_id: std::collections::HashMap<i64, Customer> = rows.into_iter().map(|c| (c.id, c)).collect();
    ids.iter().filter_map(|id| by_id.remove(id)).collect()
}

/// Implements the list reads that return the tenant's change counter they were read at (a page of
/// customers, the counters and program) for a backend, beside `impl_customers`, whose helpers
/// (`page_if_unchanged`, `cached_page`, `push_page_ids`) they use.
macro_rules! impl_versioned_reads {
    ($backend:ty) => {
        impl $backend {
            /// A page of customers with the tenant's change counter it was read at.
            async fn list_customers_at(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::domain::customer_query::CustomerFilter,
                ordering: $crate::domain::customer_query::Ordering,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<($crate::storage::Page<$crate::domain::Customer>, i64)> {
                use $crate::storage::list_page::CheckedPage;
                use $crate::storage::Dialect;
                let known_version = match self.page_if_unchanged(ctx, filter, ordering, offset, limit).await? {
                    CheckedPage::Current(page, version) => return Ok((page, version)),
                    CheckedPage::Moved(version) => Some(version),
                    CheckedPage::NotCached => None,
                };
                let (page, version) = self.cached_page(ctx, filter, ordering, offset, limit, known_version).await?;
                if page.ids.is_empty() {
                    return Ok(($crate::storage::Page { count: page.count, items: Vec::new() }, version));
                }
                let mut rows = sqlx::QueryBuilder::<<$backend as $crate::storage::Dialect>::Db>::new(
                    $crate::storage::sql::CUSTOMER_SELECT,
                );
                Self::push_page_ids(&mut rows, ctx.tenant_id, &page.ids);
                let found = rows.build_query_as().fetch_all(&mut *self.reader().await?).await?;
                let items = $crate::storage::list_page::in_order_of(&page.ids, found);
                Ok(($crate::storage::Page { count: page.count, items }, version))
            }

            /// The tenant's change counter as it is now (the sum of its shards).
            async fn list_version(&self, tenant_id: i64) -> $crate::storage::StorageResult<i64> {
                use $crate::storage::Dialect;
                Ok(sqlx::query_scalar(const_format::concatcp!($crate::storage::sql::LIST_VERSION_OF_TENANT, "$1"))
                    .bind(tenant_id)
                    .fetch_one(&mut *self.reader().await?)
                    .await?)
            }

            /// The tenant's counter buckets and program as kept at change counter `version`, or
            /// read again (at the counter of their own snapshot, at least as new) and kept.
            async fn counters_from(
                &self,
                tenant_id: i64,
                version: i64,
            ) -> $crate::storage::StorageResult<$crate::storage::list_cache::CachedCounters> {
                use $crate::storage::Dialect;
                if let Some(kept) = self.list_cache().counters_at(tenant_id, version) {
                    return Ok(kept);
                }
                let read = self.counters_and_program(tenant_id).await?;
                self.list_cache().remember_counters(tenant_id, read.clone());
                Ok(read)
            }

            /// The tenant's counter buckets with its loyalty program and its change counter, read in
            /// one statement.
            async fn counters_and_program(
                &self,
                tenant_id: i64,
            ) -> $crate::storage::StorageResult<$crate::storage::list_cache::CachedCounters> {
                use $crate::storage::Dialect;
                // The tenant's row, joined to its buckets: one row per bucket, or one row with no
                // bucket for a tenant that never had a customer. Grouped by the tenant's key too,
                // so that its program's columns may be selected beside the sums.
                const SQL: &str = const_format::concatcp!(
                    "SELECT c.is_active, CAST(c.tier AS BIGINT), CAST(SUM(c.customers) AS BIGINT), \
                     CAST(SUM(c.points) AS BIGINT), ",
                    $crate::storage::balance::PROGRAM_COLUMNS,
                    ", (",
                    $crate::storage::sql::LIST_VERSION_OF_TENANT,
                    "$1) FROM tenants t LEFT JOIN customer_counters c ON c.tenant_id = t.id \
                     WHERE t.id = $1 GROUP BY t.id, c.is_active, c.tier"
                );
                type Row = (Option<bool>, Option<i64>, Option<i64>, Option<i64>, i64, Option<i64>, i64, i64, i64, i64);
                let rows: Vec<Row> = sqlx::query_as(SQL).bind(tenant_id).fetch_all(&mut *self.reader().await?).await?;
                let Some(&(_, _, _, _, spend, expire, silver, gold, platinum, version)) = rows.first() else {
                    return Err(sqlx::Error::RowNotFound.into());
                };
                let program = $crate::storage::balance::stored_program(spend, expire, silver, gold, platinum);
                let buckets = rows
                    .into_iter()
                    .filter_map(|(is_active, tier, customers, points, ..)| {
                        Some($crate::storage::CounterBucket {
                            is_active: is_active?,
                            tier: $crate::domain::LoyaltyTier::from_rank(tier?),
                            customers: customers.unwrap_or(0),
                            points: points.unwrap_or(0),
                        })
                    })
                    .collect();
                Ok($crate::storage::list_cache::CachedCounters { version, buckets, program })
            }
        }
    };
}

pub(crate) use impl_versioned_reads;

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
        let CheckedPage::Current(page, _) = checked else { panic!("expected the page, got {checked:?}") };
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
