//! Reading customers: their counters, the list (through the list cache) and one customer. The
//! counters per tenant, activity and tier are kept by triggers (see the migrations), as is the
//! tenant's change counter that keys the list cache. Writes are in `customer_writes.rs`.

use super::{Page, StorageResult};
use crate::domain::customer_query::{CustomerFilter, Ordering, SortField};
use crate::domain::{Customer, LoyaltyProgram, LoyaltyTier, RequestContext};
use async_trait::async_trait;

/// One bucket of the maintained customer counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CounterBucket {
    /// Active or not.
    pub is_active: bool,
    /// Tier.
    pub tier: LoyaltyTier,
    /// Customers in the bucket.
    pub customers: i64,
    /// Their points.
    pub points: i64,
}

/// Reading the customers of a tenant.
#[async_trait]
pub trait Customers {
    /// The caller's tenant's counter buckets (only buckets that have ever held a customer).
    async fn customer_counters(&self, ctx: &RequestContext) -> StorageResult<Vec<CounterBucket>>;

    /// A page of the caller's customers (as [`Customers::list_customers`]) with the tenant's
    /// counter buckets and loyalty program, which the customers page shows on every view. The
    /// buckets and program are read again only when the tenant's change counter, read with the
    /// page, has moved since they were last read (see [`ListCache`](super::list_cache::ListCache)).
    async fn list_customers_with_counters(
        &self,
        ctx: &RequestContext,
        filter: &CustomerFilter,
        ordering: Ordering,
        offset: u64,
        limit: u64,
    ) -> StorageResult<(Page<Customer>, Vec<CounterBucket>, LoyaltyProgram)>;

    /// Counts and pages the caller's customers. The count comes from the counters when the filter
    /// has no text parts.
    async fn list_customers(
        &self,
        ctx: &RequestContext,
        filter: &CustomerFilter,
        ordering: Ordering,
        offset: u64,
        limit: u64,
    ) -> StorageResult<Page<Customer>>;

    /// Counts the caller's customers matching a filter.
    async fn count_customers(&self, ctx: &RequestContext, filter: &CustomerFilter) -> StorageResult<u64>;

    /// One of the caller's customers.
    async fn customer(&self, ctx: &RequestContext, id: i64) -> StorageResult<Option<Customer>>;

    /// Sends every one of the caller's customers matching the filter, in the ordering, to `sink`
    /// as the database yields them (memory stays flat however many there are); stops early when
    /// the sink is closed.
    async fn export_customers(
        &self,
        ctx: &RequestContext,
        filter: &CustomerFilter,
        ordering: Ordering,
        sink: &tokio::sync::mpsc::Sender<Customer>,
    ) -> StorageResult<()>;
}

/// The SQL `ORDER BY` for an ordering: a whitelisted column, then `id` in the same direction.
/// Customers without orders sort as if their last order were the latest (PostgreSQL's default).
pub(crate) fn order_by(ordering: Ordering) -> &'static str {
    match (ordering.field, ordering.descending) {
        (SortField::Name, false) => " ORDER BY c.name_key ASC, c.id ASC",
        (SortField::Name, true) => " ORDER BY c.name_key DESC, c.id DESC",
        (SortField::CreatedAt, false) => " ORDER BY c.created_at ASC, c.id ASC",
        (SortField::CreatedAt, true) => " ORDER BY c.created_at DESC, c.id DESC",
        (SortField::LoyaltyPoints, false) => " ORDER BY c.loyalty_points ASC, c.id ASC",
        (SortField::LoyaltyPoints, true) => " ORDER BY c.loyalty_points DESC, c.id DESC",
        (SortField::TotalOrders, false) => " ORDER BY c.total_orders ASC, c.id ASC",
        (SortField::TotalOrders, true) => " ORDER BY c.total_orders DESC, c.id DESC",
        (SortField::TotalSpent, false) => " ORDER BY c.total_spent_minor ASC, c.id ASC",
        (SortField::TotalSpent, true) => " ORDER BY c.total_spent_minor DESC, c.id DESC",
        (SortField::LastOrderDate, false) => " ORDER BY c.last_order_date ASC NULLS LAST, c.id ASC",
        (SortField::LastOrderDate, true) => " ORDER BY c.last_order_date DESC NULLS FIRST, c.id DESC",
    }
}

/// The search term as stored in `search_text` (lowercase), and its digits alone when the term
/// looks like a phone number.
pub(crate) fn search_terms(search: &str) -> (String, Option<String>) {
    let term = search.trim().to_lowercase();
    let phone_like =
        term.chars().any(|c| c.is_ascii_digit()) && term.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits: String = term.chars().filter(char::is_ascii_digit).collect();
    (term, (phone_like && !digits.is_empty()).then_some(digits))
}

/// The tenant columns holding a tier's lowest (included) and highest (excluded) points.
pub(crate) fn tier_bounds(tier: LoyaltyTier) -> (Option<&'static str>, Option<&'static str>) {
    match tier {
        LoyaltyTier::Bronze => (None, Some("tier_silver")),
        LoyaltyTier::Silver => (Some("tier_silver"), Some("tier_gold")),
        LoyaltyTier::Gold => (Some("tier_gold"), Some("tier_platinum")),
        LoyaltyTier::Platinum => (Some("tier_platinum"), None),
    }
}

/// Implements [`Customers`] for a [`Dialect`](super::Dialect), with the row helper the writes use
/// (`fetch_customer`).
macro_rules! impl_customers {
    ($backend:ty) => {
        impl $backend {
            /// The WHERE clause of a list query. With `ordered_by`, the page is read by walking
            /// that ordering's index and filtering as it goes (`NO_INDEX` keeps the planner from
            /// choosing a filter's index and sorting every match instead); counts leave it `None`
            /// so filters can use their indexes.
            fn push_customer_filter(
                qb: &mut sqlx::QueryBuilder<<$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                filter: &$crate::domain::customer_query::CustomerFilter,
                ordered_by: Option<$crate::domain::customer_query::SortField>,
            ) {
                use $crate::domain::customer_query::SortField;
                use $crate::storage::Dialect;
                let walk = if ordered_by.is_some() { Self::NO_INDEX } else { "" };
                let points_walk =
                    if ordered_by.is_some_and(|f| f != SortField::LoyaltyPoints) { Self::NO_INDEX } else { "" };
                qb.push(" WHERE c.tenant_id = ").push_bind(tenant_id);
                if let Some(active) = filter.is_active {
                    let prefix = if ordered_by == Some(SortField::LoyaltyPoints) { "" } else { walk };
                    qb.push(format!(" AND {prefix}c.is_active = ")).push_bind(active);
                }
                if let Some(tier) = filter.tier {
                    // The tenant's thresholds, read once by the query (a constant to the planner,
                    // so a points index can still serve the range).
                    let (low, high) = $crate::storage::customers::tier_bounds(tier);
                    if let Some(low) = low {
                        qb.push(format!(
                            " AND {points_walk}c.loyalty_points >= (SELECT {low} FROM tenants WHERE id = "
                        ))
                        .push_bind(tenant_id)
                        .push(")");
                    }
                    if let Some(high) = high {
                        qb.push(format!(
                            " AND {points_walk}c.loyalty_points < (SELECT {high} FROM tenants WHERE id = "
                        ))
                        .push_bind(tenant_id)
                        .push(")");
                    }
                }
                if let Some(city) = &filter.city {
                    qb.push(format!(" AND {walk}c.city = ")).push_bind(city.clone());
                }
                if let Some(province) = &filter.province {
                    qb.push(format!(" AND {walk}c.province = ")).push_bind(province.clone());
                }
                if let Some(search) = &filter.search {
                    let (term, digits) = $crate::storage::customers::search_terms(search);
                    qb.push(" AND (");
                    Self::push_search(qb, &term);
                    if let Some(digits) = digits {
                        qb.push(" OR ");
                        Self::push_search(qb, &digits);
                    }
                    qb.push(")");
                }
            }

            /// The count and page ids of a list request, with the change counter they are exact at:
            /// from the cache while the tenant's change counter is unchanged, else computed (count
            /// from the counters when possible).
            async fn cached_page(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::domain::customer_query::CustomerFilter,
                ordering: $crate::domain::customer_query::Ordering,
                offset: u64,
                limit: u64,
                known_version: Option<i64>,
            ) -> $crate::storage::StorageResult<($crate::storage::list_cache::CachedList, i64)> {
                use $crate::storage::list_cache::{CachedList, ListKey};
                use $crate::storage::Dialect;
                let version = match known_version {
                    Some(version) => version,
                    None => self.list_version(ctx.tenant_id).await?,
                };
                let key = ListKey::new(ctx.tenant_id, version, filter, ordering, offset, limit);
                self.list_cache()
                    .get_or_compute(&key, async {
                        // A search with no other filter may have the database's own faster routes.
                        let search_only = filter.search_only().and_then(|search| {
                            match $crate::storage::customers::search_terms(search) {
                                (term, None) => Some(term),
                                (_, Some(_)) => None,
                            }
                        });
                        let fast_count = match &search_only {
                            Some(term) => self.search_only_count(ctx.tenant_id, term).await?,
                            None => None,
                        };
                        let count = match fast_count {
                            Some(count) => count,
                            None => self.count_uncached(ctx, filter, version).await?,
                        };
                        let fast_page = match &search_only {
                            Some(term) if count > 0 && offset < count && limit > 0 => {
                                self.search_only_page(ctx.tenant_id, term, ordering, offset, limit, count).await?
                            }
                            _ => None,
                        };
                        let ids = if let Some(ids) = fast_page {
                            ids
                        } else if count == 0 || offset >= count || limit == 0 {
                            Vec::new()
                        } else {
                            let mut qb = sqlx::QueryBuilder::<<$backend as $crate::storage::Dialect>::Db>::new(
                                "SELECT c.id FROM customers c",
                            );
                            Self::push_customer_filter(&mut qb, ctx.tenant_id, filter, Some(ordering.field));
                            qb.push($crate::storage::customers::order_by(ordering));
                            qb.push(" LIMIT ").push_bind($crate::storage::sql::bigint(limit));
                            qb.push(" OFFSET ").push_bind($crate::storage::sql::bigint(offset));
                            qb.build_query_scalar().fetch_all(&mut *self.reader().await?).await?
                        };
                        Ok(CachedList { count, ids })
                    })
                    .await
                    .map(|page| (page, version))
            }

            /// Checks the cached result of the tenant's last known change counter with one
            /// statement that reads the page's rows and the counter from the same snapshot.
            async fn page_if_unchanged(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::domain::customer_query::CustomerFilter,
                ordering: $crate::domain::customer_query::Ordering,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<$crate::storage::list_page::CheckedPage> {
                use $crate::storage::list_cache::ListKey;
                use $crate::storage::list_page::CheckedPage;
                use $crate::storage::Dialect;
                let Some(version) = self.list_cache().last_version(ctx.tenant_id) else {
                    return Ok(CheckedPage::NotCached);
                };
                let key = ListKey::new(ctx.tenant_id, version, filter, ordering, offset, limit);
                let Some(page) = self.list_cache().cached(&key).filter(|page| !page.ids.is_empty()) else {
                    return Ok(CheckedPage::NotCached);
                };
                // The counter is read by the statement that reads the rows, from the same snapshot.
                let mut rows =
                    sqlx::QueryBuilder::<<$backend as $crate::storage::Dialect>::Db>::new(const_format::concatcp!(
                        "SELECT ",
                        $crate::storage::sql::CUSTOMER_COLUMNS,
                        ", (",
                        $crate::storage::sql::LIST_VERSION_OF_TENANT
                    ));
                rows.push_bind(ctx.tenant_id)
                    .push(") AS list_version FROM customers c JOIN tenants t ON t.id = c.tenant_id");
                Self::push_page_ids(&mut rows, ctx.tenant_id, &page.ids);
                let found: Vec<$crate::storage::list_page::VersionedCustomer> =
                    rows.build_query_as().fetch_all(&mut *self.reader().await?).await?;
                Ok(CheckedPage::of(version, page, found))
            }

            /// Appends the condition selecting the tenant's customers of `ids` (a page's).
            fn push_page_ids(
                rows: &mut sqlx::QueryBuilder<<$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                ids: &[i64],
            ) {
                use $crate::storage::Dialect;
                // NO_INDEX keeps the planner looking the ids up instead of scanning the tenant.
                rows.push(format!(" WHERE {}c.tenant_id = ", Self::NO_INDEX))
                    .push_bind(tenant_id)
                    .push(" AND c.id IN (");
                let mut list = rows.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                rows.push(")");
            }

            /// The count of `filter` computed at change counter `version`: from the counter
            /// buckets when they can answer it.
            async fn count_uncached(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::domain::customer_query::CustomerFilter,
                version: i64,
            ) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::Dialect;
                if filter.is_counter_only() {
                    let buckets = self.counters_from(ctx.tenant_id, version).await?.buckets;
                    let total: i64 = buckets
                        .iter()
                        .filter(|b| filter.is_active.is_none_or(|active| b.is_active == active))
                        .filter(|b| filter.tier.is_none_or(|tier| b.tier == tier))
                        .map(|b| b.customers)
                        .sum();
                    return Ok($crate::storage::sql::count(total));
                }
                let mut qb = sqlx::QueryBuilder::<<$backend as $crate::storage::Dialect>::Db>::new(
                    "SELECT COUNT(*) FROM customers c",
                );
                Self::push_customer_filter(&mut qb, ctx.tenant_id, filter, None);
                let count: i64 = qb.build_query_scalar().fetch_one(&mut *self.reader().await?).await?;
                Ok($crate::storage::sql::count(count))
            }

            /// A page of rows belonging to one customer (its ledger, orders, tier changes), or
            /// `None` when the customer is not the tenant's. `count_sql` and `page_sql` take the
            /// customer id as `$1` and the tenant id as `$2`; `page_sql` the limit and offset as
            /// `$3` and `$4`.
            async fn customer_page<T>(
                &self,
                tenant_id: i64,
                customer_id: i64,
                count_sql: &'static str,
                page_sql: &'static str,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Page<T>>>
            where
                T: for<'r> sqlx::FromRow<'r, <<$backend as $crate::storage::Dialect>::Db as sqlx::Database>::Row>
                    + Send
                    + Unpin,
            {
                use $crate::storage::Dialect;
                // One connection for the three statements, taken once.
                let mut reader = self.reader().await?;
                let exists: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM customers WHERE id = $1 AND tenant_id = $2")
                        .bind(customer_id)
                        .bind(tenant_id)
                        .fetch_optional(&mut *reader)
                        .await?;
                if exists.is_none() {
                    return Ok(None);
                }
                let count: i64 =
                    sqlx::query_scalar(count_sql).bind(customer_id).bind(tenant_id).fetch_one(&mut *reader).await?;
                let items = sqlx::query_as(page_sql)
                    .bind(customer_id)
                    .bind(tenant_id)
                    .bind($crate::storage::sql::bigint(limit))
                    .bind($crate::storage::sql::bigint(offset))
                    .fetch_all(&mut *reader)
                    .await?;
                Ok(Some($crate::storage::Page { count: $crate::storage::sql::count(count), items }))
            }

            /// One customer of a tenant, read through `executor` (a reader or a transaction).
            async fn fetch_customer<'e, E>(
                executor: E,
                tenant_id: i64,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Customer>>
            where
                E: sqlx::Executor<'e, Database = <$backend as $crate::storage::Dialect>::Db>,
            {
                const SQL: &str = const_format::concatcp!(
                    $crate::storage::sql::CUSTOMER_SELECT,
                    " WHERE c.id = $1 AND c.tenant_id = $2"
                );
                Ok(sqlx::query_as(SQL).bind(id).bind(tenant_id).fetch_optional(executor).await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::Customers for $backend {
            async fn customer_counters(
                &self,
                ctx: &$crate::domain::RequestContext,
            ) -> $crate::storage::StorageResult<Vec<$crate::storage::CounterBucket>> {
                // The tenant's change counter costs the database less than summing its buckets.
                let version = self.list_version(ctx.tenant_id).await?;
                Ok(self.counters_from(ctx.tenant_id, version).await?.buckets)
            }

            async fn count_customers(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::domain::customer_query::CustomerFilter,
            ) -> $crate::storage::StorageResult<u64> {
                let ordering = $crate::domain::customer_query::Ordering::default();
                Ok(self.cached_page(ctx, filter, ordering, 0, 0, None).await?.0.count)
            }

            async fn list_customers(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::domain::customer_query::CustomerFilter,
                ordering: $crate::domain::customer_query::Ordering,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<$crate::storage::Page<$crate::domain::Customer>> {
                Ok(self.list_customers_at(ctx, filter, ordering, offset, limit).await?.0)
            }

            async fn list_customers_with_counters(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::domain::customer_query::CustomerFilter,
                ordering: $crate::domain::customer_query::Ordering,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<(
                $crate::storage::Page<$crate::domain::Customer>,
                Vec<$crate::storage::CounterBucket>,
                $crate::domain::LoyaltyProgram,
            )> {
                let (page, version) = self.list_customers_at(ctx, filter, ordering, offset, limit).await?;
                let counters = self.counters_from(ctx.tenant_id, version).await?;
                Ok((page, counters.buckets, counters.program))
            }

            async fn customer(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Customer>> {
                use $crate::storage::Dialect;
                Self::fetch_customer(&mut *self.reader().await?, ctx.tenant_id, id).await
            }

            async fn export_customers(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::domain::customer_query::CustomerFilter,
                ordering: $crate::domain::customer_query::Ordering,
                sink: &tokio::sync::mpsc::Sender<$crate::domain::Customer>,
            ) -> $crate::storage::StorageResult<()> {
                use futures_util::TryStreamExt;
                use $crate::storage::Dialect;
                let mut qb = sqlx::QueryBuilder::<<$backend as $crate::storage::Dialect>::Db>::new(
                    $crate::storage::sql::CUSTOMER_SELECT,
                );
                Self::push_customer_filter(&mut qb, ctx.tenant_id, filter, Some(ordering.field));
                qb.push($crate::storage::customers::order_by(ordering));
                // One connection for the whole export: the rows stream from one statement.
                let mut reader = self.reader().await?;
                let mut rows = qb.build_query_as::<$crate::domain::Customer>().fetch(&mut *reader);
                while let Some(customer) = rows.try_next().await? {
                    if sink.send(customer).await.is_err() {
                        break;
                    }
                }
                Ok(())
            }
        }
    };
}

pub(crate) use impl_customers;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_like_terms_are_also_searched_by_their_digits() {
        assert_eq!(search_terms(" +62 555-01 "), ("+62 555-01".into(), Some("6255501".into())));
        assert_eq!(search_terms("Sari"), ("sari".into(), None));
    }

    #[test]
    fn every_ordering_ends_with_the_id_tie_breaker() {
        for field in SortField::ALL {
            for descending in [false, true] {
                assert!(order_by(Ordering { field, descending }).contains(", c.id "));
            }
        }
    }
}
