//! The SQL both databases understand alike (`$n` parameters, `RETURNING`, `ON CONFLICT`), written
//! once and expanded into each backend's [`Storage`](super::Storage) implementation. What differs
//! between the databases (migrations, connection set-up, search) is in each backend's own file as
//! inherent methods that the expansion calls.

/// The columns of a user row, joined with its tenant's name.
pub(crate) const USER_COLUMNS: &str = "u.id, u.tenant_id, t.name AS tenant_name, u.email, \
     u.password_hash, u.role, u.is_active, u.auth_version, u.created_at";

/// The customer columns, with the tenant's name.
pub(crate) const CUSTOMER_SELECT: &str = "SELECT c.id, c.tenant_id, t.name AS tenant_name, c.name, c.email, \
     c.phone, c.address, c.city, c.province, c.postal_code, c.loyalty_points, c.total_orders, \
     c.total_spent_minor, c.notes, c.is_active, c.created_at, c.updated_at, c.last_order_date \
     FROM customers c JOIN tenants t ON t.id = c.tenant_id";

/// The SQL `ORDER BY` for an ordering: a whitelisted column, then `id` in the same direction.
/// Customers without orders sort as if their last order were the latest (PostgreSQL's default).
pub(crate) fn order_by(ordering: crate::domain::customer_query::Ordering) -> &'static str {
    use crate::domain::customer_query::SortField;
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

/// Expands into `impl Storage for $backend`, whose pool is `self.pool`.
macro_rules! impl_storage {
    ($backend:ty, $db:ty, $kind:expr) => {
        impl $backend {
            /// The WHERE clause of a list query. With `ordered_by`, the page is read by walking
            /// that ordering's index and filtering as it goes (`NO_INDEX` keeps the planner from
            /// choosing a filter's index and sorting every match instead); counts leave it `None`
            /// so filters can use their indexes.
            fn push_customer_filter(
                qb: &mut sqlx::QueryBuilder<$db>,
                tenant_id: i64,
                filter: &$crate::domain::customer_query::CustomerFilter,
                ordered_by: Option<$crate::domain::customer_query::SortField>,
            ) {
                use $crate::domain::customer_query::SortField;
                let walk = if ordered_by.is_some() { Self::NO_INDEX } else { "" };
                let points_walk =
                    if ordered_by.is_some_and(|f| f != SortField::LoyaltyPoints) { Self::NO_INDEX } else { "" };
                qb.push(" WHERE c.tenant_id = ").push_bind(tenant_id);
                if let Some(active) = filter.is_active {
                    let prefix = if ordered_by == Some(SortField::LoyaltyPoints) { "" } else { walk };
                    qb.push(format!(" AND {prefix}c.is_active = ")).push_bind(active);
                }
                if let Some(tier) = filter.tier {
                    let (low, high) = tier.points_range();
                    qb.push(format!(" AND {points_walk}c.loyalty_points >= ")).push_bind(low);
                    if let Some(high) = high {
                        qb.push(format!(" AND {points_walk}c.loyalty_points < ")).push_bind(high);
                    }
                }
                if let Some(city) = &filter.city {
                    qb.push(format!(" AND {walk}c.city = ")).push_bind(city.clone());
                }
                if let Some(province) = &filter.province {
                    qb.push(format!(" AND {walk}c.province = ")).push_bind(province.clone());
                }
                if let Some(search) = &filter.search {
                    let (term, digits) = $crate::storage::common::search_terms(search);
                    qb.push(" AND (");
                    Self::push_search(qb, &term);
                    if let Some(digits) = digits {
                        qb.push(" OR ");
                        Self::push_search(qb, &digits);
                    }
                    qb.push(")");
                }
            }

            /// The count and page ids of a list request, from the cache while the tenant's change
            /// counter is unchanged, else computed (count from the counters when possible).
            async fn cached_page(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::domain::customer_query::CustomerFilter,
                ordering: $crate::domain::customer_query::Ordering,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<$crate::storage::list_cache::CachedList> {
                use $crate::storage::list_cache::{CachedList, ListKey};
                let version: i64 = sqlx::query_scalar("SELECT version FROM customer_versions WHERE tenant_id = $1")
                    .bind(ctx.tenant_id)
                    .fetch_optional(&self.pool)
                    .await?
                    .unwrap_or(0);
                let key = ListKey::new(ctx.tenant_id, filter, ordering, offset, limit);
                if let Some(hit) = self.cache.get(&key, version) {
                    return Ok(hit);
                }
                let lock = self.cache.computing(&key);
                let _computing = lock.lock().await;
                if let Some(hit) = self.cache.get(&key, version) {
                    return Ok(hit);
                }
                let count = self.count_uncached(ctx, filter).await?;
                let ids = if count == 0 || offset >= count || limit == 0 {
                    Vec::new()
                } else {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT c.id FROM customers c");
                    Self::push_customer_filter(&mut qb, ctx.tenant_id, filter, Some(ordering.field));
                    qb.push($crate::storage::common::order_by(ordering));
                    qb.push(" LIMIT ").push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
                    qb.push(" OFFSET ").push_bind(i64::try_from(offset).unwrap_or(i64::MAX));
                    qb.build_query_scalar().fetch_all(&self.pool).await?
                };
                let page = CachedList { version, count, ids };
                self.cache.put(key, page.clone());
                Ok(page)
            }

            async fn count_uncached(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::domain::customer_query::CustomerFilter,
            ) -> $crate::storage::StorageResult<u64> {
                if filter.is_counter_only() {
                    let buckets = $crate::storage::Storage::customer_counters(self, ctx).await?;
                    let total: i64 = buckets
                        .iter()
                        .filter(|b| filter.is_active.is_none_or(|active| b.is_active == active))
                        .filter(|b| filter.tier.is_none_or(|tier| b.tier == tier))
                        .map(|b| b.customers)
                        .sum();
                    return Ok(u64::try_from(total).unwrap_or(0));
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM customers c");
                Self::push_customer_filter(&mut qb, ctx.tenant_id, filter, None);
                let count: i64 = qb.build_query_scalar().fetch_one(&self.pool).await?;
                Ok(u64::try_from(count).unwrap_or(0))
            }

            async fn fetch_customer<'e, E>(
                executor: E,
                tenant_id: i64,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Customer>>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                const SQL: &str = const_format::concatcp!(
                    $crate::storage::common::CUSTOMER_SELECT,
                    " WHERE c.id = $1 AND c.tenant_id = $2"
                );
                Ok(sqlx::query_as(SQL).bind(id).bind(tenant_id).fetch_optional(executor).await?)
            }

            /// Reads the customer as the transaction left it, then commits.
            async fn commit_with_customer(
                mut tx: sqlx::Transaction<'_, $db>,
                tenant_id: i64,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Customer>> {
                let customer = Self::fetch_customer(&mut *tx, tenant_id, id).await?;
                tx.commit().await?;
                Ok(customer)
            }

            async fn write_ledger<'e, E>(
                executor: E,
                ctx: &$crate::domain::RequestContext,
                customer_id: i64,
                delta: i64,
                balance_after: i64,
                reason: &str,
                source: $crate::storage::PointsSource,
            ) -> $crate::storage::StorageResult<()>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                sqlx::query(
                    "INSERT INTO points_ledger (tenant_id, customer_id, delta, balance_after, reason, source, \
                     user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(ctx.tenant_id)
                .bind(customer_id)
                .bind(delta)
                .bind(balance_after)
                .bind(reason)
                .bind(source.as_str())
                .bind(ctx.user_id)
                .bind($crate::storage::now())
                .execute(executor)
                .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::Storage for $backend {
            fn backend(&self) -> $crate::storage::Backend {
                $kind
            }

            async fn migrate(&self) -> $crate::storage::StorageResult<()> {
                self.run_migrations().await
            }

            async fn setting(&self, key: &str) -> $crate::storage::StorageResult<Option<String>> {
                Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn setting_or_insert(
                &self,
                key: &str,
                value: &str,
            ) -> $crate::storage::StorageResult<String> {
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                    .bind(key)
                    .bind(value)
                    .execute(&self.pool)
                    .await?;
                Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                    .bind(key)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn create_tenant(
                &self,
                name: &str,
            ) -> $crate::storage::StorageResult<$crate::storage::Tenant> {
                sqlx::query_as(
                    "INSERT INTO tenants (name, name_key, created_at) VALUES ($1, $2, $3) \
                     RETURNING id, name, created_at",
                )
                .bind(name)
                .bind(name.to_lowercase())
                .bind($crate::storage::now())
                .fetch_one(&self.pool)
                .await
                .map_err($crate::storage::conflict_or)
            }

            async fn tenant_by_id(
                &self,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Tenant>> {
                Ok(sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn tenant_by_name(
                &self,
                name: &str,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Tenant>> {
                Ok(sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE name_key = $1")
                    .bind(name.trim().to_lowercase())
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn create_user(
                &self,
                new: &$crate::storage::NewUser,
            ) -> $crate::storage::StorageResult<$crate::storage::User> {
                let now = $crate::storage::now();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (tenant_id, email, email_key, password_hash, role, is_active, \
                     auth_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, TRUE, 1, $6, $6) \
                     RETURNING id",
                )
                .bind(new.tenant_id)
                .bind(new.email.as_str())
                .bind(new.email.key())
                .bind(&new.password_hash.0)
                .bind(new.role.as_str())
                .bind(now)
                .fetch_one(&self.pool)
                .await
                .map_err($crate::storage::conflict_or)?;
                self.user_by_id(id)
                    .await?
                    .ok_or($crate::storage::StorageError::Database(sqlx::Error::RowNotFound))
            }

            async fn user_by_email_key(
                &self,
                email_key: &str,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::User>> {
                const SQL: &str = const_format::concatcp!(
                    "SELECT ", $crate::storage::common::USER_COLUMNS,
                    " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.email_key = $1"
                );
                Ok(sqlx::query_as(SQL).bind(email_key).fetch_optional(&self.pool).await?)
            }

            async fn user_by_id(
                &self,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::User>> {
                const SQL: &str = const_format::concatcp!(
                    "SELECT ", $crate::storage::common::USER_COLUMNS,
                    " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1"
                );
                Ok(sqlx::query_as(SQL).bind(id).fetch_optional(&self.pool).await?)
            }

            async fn list_users(
                &self,
                ctx: &$crate::domain::RequestContext,
            ) -> $crate::storage::StorageResult<Vec<$crate::storage::User>> {
                const SQL: &str = const_format::concatcp!(
                    "SELECT ", $crate::storage::common::USER_COLUMNS,
                    " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.tenant_id = $1 ORDER BY u.id"
                );
                Ok(sqlx::query_as(SQL).bind(ctx.tenant_id).fetch_all(&self.pool).await?)
            }

            async fn update_user(
                &self,
                ctx: &$crate::domain::RequestContext,
                user_id: i64,
                changes: &$crate::storage::UserChanges,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::User>> {
                let bump = changes.is_active.is_some() || changes.password_hash.is_some();
                let updated = sqlx::query(
                    "UPDATE users SET role = COALESCE($3, role), is_active = COALESCE($4, is_active), \
                     password_hash = COALESCE($5, password_hash), \
                     auth_version = auth_version + CASE WHEN $6 THEN 1 ELSE 0 END, updated_at = $7 \
                     WHERE id = $1 AND tenant_id = $2",
                )
                .bind(user_id)
                .bind(ctx.tenant_id)
                .bind(changes.role.map(|r| r.as_str()))
                .bind(changes.is_active)
                .bind(changes.password_hash.as_ref().map(|h| h.0.as_str()))
                .bind(bump)
                .bind($crate::storage::now())
                .execute(&self.pool)
                .await?;
                if updated.rows_affected() == 0 {
                    return Ok(None);
                }
                self.user_by_id(user_id).await
            }

            async fn record_login_failure(
                &self,
                email_key: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<()> {
                sqlx::query("INSERT INTO login_failures (email_key, failed_at) VALUES ($1, $2)")
                    .bind(email_key)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn login_failures_since(
                &self,
                email_key: &str,
                since: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<i64> {
                sqlx::query("DELETE FROM login_failures WHERE email_key = $1 AND failed_at < $2")
                    .bind(email_key)
                    .bind(since)
                    .execute(&self.pool)
                    .await?;
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM login_failures WHERE email_key = $1 AND failed_at >= $2",
                )
                .bind(email_key)
                .bind(since)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn create_session(
                &self,
                id: &str,
                data: &str,
                expires_at: i64,
            ) -> $crate::storage::StorageResult<bool> {
                let done = sqlx::query(
                    "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                )
                .bind(id)
                .bind(data)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn save_session(
                &self,
                id: &str,
                data: &str,
                expires_at: i64,
            ) -> $crate::storage::StorageResult<()> {
                sqlx::query(
                    "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
                )
                .bind(id)
                .bind(data)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn load_session(
                &self,
                id: &str,
                now: i64,
            ) -> $crate::storage::StorageResult<Option<(String, i64)>> {
                Ok(sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
                    .bind(id)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn delete_session(&self, id: &str) -> $crate::storage::StorageResult<()> {
                sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(&self.pool).await?;
                Ok(())
            }

            async fn customer_counters(
                &self,
                ctx: &$crate::domain::RequestContext,
            ) -> $crate::storage::StorageResult<Vec<$crate::storage::CounterBucket>> {
                let rows: Vec<(bool, i64, i64, i64)> = sqlx::query_as(
                    "SELECT is_active, CAST(tier AS BIGINT), customers, points FROM customer_counters \
                     WHERE tenant_id = $1",
                )
                .bind(ctx.tenant_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(is_active, tier, customers, points)| $crate::storage::CounterBucket {
                        is_active,
                        tier: $crate::domain::LoyaltyTier::ALL
                            .get(usize::try_from(tier).unwrap_or(0))
                            .copied()
                            .unwrap_or($crate::domain::LoyaltyTier::Bronze),
                        customers,
                        points,
                    })
                    .collect())
            }

            async fn count_customers(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::domain::customer_query::CustomerFilter,
            ) -> $crate::storage::StorageResult<u64> {
                let ordering = $crate::domain::customer_query::Ordering::default();
                Ok(self.cached_page(ctx, filter, ordering, 0, 0).await?.count)
            }

            async fn list_customers(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::domain::customer_query::CustomerFilter,
                ordering: $crate::domain::customer_query::Ordering,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<$crate::storage::Page<$crate::domain::Customer>> {
                let page = self.cached_page(ctx, filter, ordering, offset, limit).await?;
                if page.ids.is_empty() {
                    return Ok($crate::storage::Page { count: page.count, items: Vec::new() });
                }
                // NO_INDEX keeps the planner looking the ids up instead of scanning the tenant.
                let mut rows = sqlx::QueryBuilder::<$db>::new($crate::storage::common::CUSTOMER_SELECT);
                rows.push(format!(" WHERE {}c.tenant_id = ", Self::NO_INDEX)).push_bind(ctx.tenant_id).push(" AND c.id IN (");
                let mut list = rows.separated(", ");
                for id in &page.ids {
                    list.push_bind(*id);
                }
                rows.push(")");
                let found: Vec<$crate::domain::Customer> = rows.build_query_as().fetch_all(&self.pool).await?;
                let mut by_id: std::collections::HashMap<i64, $crate::domain::Customer> =
                    found.into_iter().map(|c| (c.id, c)).collect();
                let items = page.ids.iter().filter_map(|id| by_id.remove(id)).collect();
                Ok($crate::storage::Page { count: page.count, items })
            }

            async fn customer(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Customer>> {
                Self::fetch_customer(&self.pool, ctx.tenant_id, id).await
            }

            async fn create_customer(
                &self,
                ctx: &$crate::domain::RequestContext,
                fields: &$crate::domain::customer_input::CustomerFields,
            ) -> $crate::storage::StorageResult<$crate::domain::Customer> {
                use $crate::storage::keys;
                let (Some(name), Some(email)) = (&fields.name, &fields.email) else {
                    return Err($crate::storage::StorageError::Database(sqlx::Error::Protocol(
                        "a new customer needs a name and an email".into(),
                    )));
                };
                let phone = fields.phone.clone().unwrap_or_default();
                let points = fields.loyalty_points.unwrap_or(0);
                let now = $crate::storage::now();
                let mut tx = self.begin_write().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO customers (tenant_id, name, name_key, email, email_key, phone, address, city, \
                     province, postal_code, loyalty_points, notes, is_active, search_text, created_at, updated_at, \
                     last_order_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16) \
                     RETURNING id",
                )
                .bind(ctx.tenant_id)
                .bind(name)
                .bind(keys::name_key(name))
                .bind(email.as_str())
                .bind(email.key())
                .bind(&phone)
                .bind(fields.address.clone().unwrap_or_default())
                .bind(fields.city.clone().unwrap_or_default())
                .bind(fields.province.clone().unwrap_or_default())
                .bind(fields.postal_code.clone().unwrap_or_default())
                .bind(points)
                .bind(fields.notes.clone().unwrap_or_default())
                .bind(fields.is_active.unwrap_or(true))
                .bind(keys::search_text(name, email.as_str(), &phone))
                .bind(now)
                .bind(fields.last_order_date.flatten())
                .fetch_one(&mut *tx)
                .await
                .map_err($crate::storage::conflict_or)?;
                if points != 0 {
                    Self::write_ledger(&mut *tx, ctx, id, points, points, "Opening balance", $crate::storage::PointsSource::Create).await?;
                }
                Self::commit_with_customer(tx, ctx.tenant_id, id)
                    .await?
                    .ok_or($crate::storage::StorageError::Database(sqlx::Error::RowNotFound))
            }

            async fn update_customer(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
                fields: &$crate::domain::customer_input::CustomerFields,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Customer>> {
                use $crate::storage::keys;
                let mut tx = self.begin_write().await?;
                let current: Option<(String, String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT name, email, phone, loyalty_points FROM customers WHERE id = $1 AND tenant_id = $2{}",
                    Self::LOCK_ROW
                )))
                .bind(id)
                .bind(ctx.tenant_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((old_name, old_email, old_phone, old_points)) = current else {
                    return Ok(None);
                };
                let name = fields.name.clone().unwrap_or(old_name);
                let email = fields.email.as_ref().map_or(old_email, |e| e.as_str().to_owned());
                let phone = fields.phone.clone().unwrap_or(old_phone);
                let points = fields.loyalty_points.unwrap_or(old_points);
                sqlx::query(
                    "UPDATE customers SET name = $3, name_key = $4, email = $5, email_key = $6, phone = $7, \
                     address = COALESCE($8, address), city = COALESCE($9, city), \
                     province = COALESCE($10, province), postal_code = COALESCE($11, postal_code), \
                     notes = COALESCE($12, notes), is_active = COALESCE($13, is_active), loyalty_points = $14, \
                     last_order_date = CASE WHEN $15 THEN $16 ELSE last_order_date END, \
                     search_text = $17, updated_at = $18 WHERE id = $1 AND tenant_id = $2",
                )
                .bind(id)
                .bind(ctx.tenant_id)
                .bind(&name)
                .bind(keys::name_key(&name))
                .bind(&email)
                .bind($crate::domain::email::email_key(&email))
                .bind(&phone)
                .bind(fields.address.clone())
                .bind(fields.city.clone())
                .bind(fields.province.clone())
                .bind(fields.postal_code.clone())
                .bind(fields.notes.clone())
                .bind(fields.is_active)
                .bind(points)
                .bind(fields.last_order_date.is_some())
                .bind(fields.last_order_date.flatten())
                .bind(keys::search_text(&name, &email, &phone))
                .bind($crate::storage::now())
                .execute(&mut *tx)
                .await
                .map_err($crate::storage::conflict_or)?;
                if points != old_points {
                    Self::write_ledger(&mut *tx, ctx, id, points - old_points, points, "Balance edited", $crate::storage::PointsSource::Edit).await?;
                }
                Self::commit_with_customer(tx, ctx.tenant_id, id).await
            }

            async fn delete_customer(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
            ) -> $crate::storage::StorageResult<bool> {
                let done = sqlx::query("DELETE FROM customers WHERE id = $1 AND tenant_id = $2")
                    .bind(id)
                    .bind(ctx.tenant_id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn change_points(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
                delta: i64,
                reason: &str,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Customer>> {
                let mut tx = self.begin_write().await?;
                let before: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT loyalty_points FROM customers WHERE id = $1 AND tenant_id = $2{}",
                    Self::LOCK_ROW
                )))
                .bind(id)
                .bind(ctx.tenant_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(before) = before else {
                    return Ok(None);
                };
                // One statement computes the new balance from the current one, clamped at zero
                // and at the largest balance.
                let after: i64 = sqlx::query_scalar(
                    "UPDATE customers SET loyalty_points = CASE \
                       WHEN loyalty_points + $3 < 0 THEN 0 \
                       WHEN loyalty_points + $3 > $4 THEN $4 \
                       ELSE loyalty_points + $3 END, updated_at = $5 \
                     WHERE id = $1 AND tenant_id = $2 RETURNING loyalty_points",
                )
                .bind(id)
                .bind(ctx.tenant_id)
                .bind(delta)
                .bind($crate::domain::customer_input::MAX_POINTS)
                .bind($crate::storage::now())
                .fetch_one(&mut *tx)
                .await?;
                Self::write_ledger(&mut *tx, ctx, id, after - before, after, reason, $crate::storage::PointsSource::Manual).await?;
                Self::commit_with_customer(tx, ctx.tenant_id, id).await
            }

            async fn set_customers_active(
                &self,
                ctx: &$crate::domain::RequestContext,
                ids: &[i64],
                active: bool,
            ) -> $crate::storage::StorageResult<u64> {
                if ids.is_empty() {
                    return Ok(0);
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new("UPDATE customers SET is_active = ");
                qb.push_bind(active);
                qb.push(", updated_at = ").push_bind($crate::storage::now());
                qb.push(" WHERE tenant_id = ").push_bind(ctx.tenant_id).push(" AND id IN (");
                let mut list = qb.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                qb.push(")");
                let mut tx = self.begin_write().await?;
                let done = qb.build().execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(done.rows_affected())
            }

            async fn points_history(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Page<$crate::domain::PointsEntry>>> {
                let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM customers WHERE id = $1 AND tenant_id = $2")
                    .bind(id)
                    .bind(ctx.tenant_id)
                    .fetch_optional(&self.pool)
                    .await?;
                if exists.is_none() {
                    return Ok(None);
                }
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM points_ledger WHERE customer_id = $1 AND tenant_id = $2")
                    .bind(id)
                    .bind(ctx.tenant_id)
                    .fetch_one(&self.pool)
                    .await?;
                let items = sqlx::query_as(
                    "SELECT p.id, p.delta, p.balance_after, p.reason, p.source, p.user_id, u.email AS user_email, \
                     p.created_at FROM points_ledger p LEFT JOIN users u ON u.id = p.user_id \
                     WHERE p.customer_id = $1 AND p.tenant_id = $2 ORDER BY p.id DESC LIMIT $3 OFFSET $4",
                )
                .bind(id)
                .bind(ctx.tenant_id)
                .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                .bind(i64::try_from(offset).unwrap_or(i64::MAX))
                .fetch_all(&self.pool)
                .await?;
                Ok(Some($crate::storage::Page { count: u64::try_from(count).unwrap_or(0), items }))
            }

            async fn reserve_idempotency_key(
                &self,
                tenant_id: i64,
                key: &str,
                fingerprint: &str,
            ) -> $crate::storage::StorageResult<$crate::storage::Reservation> {
                let now = $crate::storage::now();
                sqlx::query("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND created_at < $3")
                    .bind(tenant_id)
                    .bind(key)
                    .bind(now - chrono::Duration::hours(24))
                    .execute(&self.pool)
                    .await?;
                let claimed = sqlx::query(
                    "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, status, body, created_at) \
                     VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (tenant_id, key) DO NOTHING",
                )
                .bind(tenant_id)
                .bind(key)
                .bind(fingerprint)
                .bind(now)
                .execute(&self.pool)
                .await?;
                if claimed.rows_affected() == 1 {
                    return Ok($crate::storage::Reservation::Reserved);
                }
                let (fingerprint, status, body): (String, i32, String) = sqlx::query_as(
                    "SELECT fingerprint, status, body FROM idempotency_keys WHERE tenant_id = $1 AND key = $2",
                )
                .bind(tenant_id)
                .bind(key)
                .fetch_one(&self.pool)
                .await?;
                Ok(match u16::try_from(status) {
                    Ok(status) if status > 0 => $crate::storage::Reservation::Completed { fingerprint, status, body },
                    _ => $crate::storage::Reservation::InProgress { fingerprint },
                })
            }

            async fn complete_idempotency_key(
                &self,
                tenant_id: i64,
                key: &str,
                status: u16,
                body: &str,
            ) -> $crate::storage::StorageResult<()> {
                sqlx::query("UPDATE idempotency_keys SET status = $3, body = $4 WHERE tenant_id = $1 AND key = $2")
                    .bind(tenant_id)
                    .bind(key)
                    .bind(i32::from(status))
                    .bind(body)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn release_idempotency_key(&self, tenant_id: i64, key: &str) -> $crate::storage::StorageResult<()> {
                sqlx::query("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2")
                    .bind(tenant_id)
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn import_customers(
                &self,
                tenant_id: i64,
                customers: &[$crate::storage::ImportedCustomer],
            ) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::keys;
                let mut written = 0;
                let mut connection = self.bulk_connection().await?;
                let mut tx = sqlx::Connection::begin_with(&mut *connection, Self::BEGIN_WRITE).await?;
                for chunk in customers.chunks(500) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO customers (tenant_id, name, name_key, email, email_key, phone, address, city, \
                         province, postal_code, loyalty_points, total_orders, total_spent_minor, notes, is_active, \
                         search_text, created_at, updated_at, last_order_date) ",
                    );
                    insert.push_values(chunk, |mut row, c| {
                        let points: i64 = c.history.iter().map(|h| h.delta).sum();
                        row.push_bind(tenant_id)
                            .push_bind(c.name.clone())
                            .push_bind(keys::name_key(&c.name))
                            .push_bind(c.email.as_str().to_owned())
                            .push_bind(c.email.key())
                            .push_bind(c.phone.clone())
                            .push_bind(c.address.clone())
                            .push_bind(c.city.clone())
                            .push_bind(c.province.clone())
                            .push_bind(c.postal_code.clone())
                            .push_bind(points.max(0))
                            .push_bind(c.total_orders)
                            .push_bind(c.total_spent_minor)
                            .push_bind(c.notes.clone())
                            .push_bind(c.is_active)
                            .push_bind(keys::search_text(&c.name, c.email.as_str(), &c.phone))
                            .push_bind(c.created_at)
                            .push_bind(c.created_at)
                            .push_bind(c.last_order_date);
                    });
                    insert.push(" ON CONFLICT (tenant_id, email_key) DO NOTHING RETURNING id, email_key");
                    let ids: Vec<(i64, String)> = insert.build_query_as().fetch_all(&mut *tx).await?;
                    written += ids.len() as u64;
                    let by_key: std::collections::HashMap<String, i64> =
                        ids.into_iter().map(|(id, key)| (key, id)).collect();
                    let mut entries = Vec::new();
                    for c in chunk {
                        let Some(&id) = by_key.get(&c.email.key()) else { continue };
                        let mut balance = 0_i64;
                        for h in &c.history {
                            balance = (balance + h.delta).max(0);
                            entries.push((id, h, balance));
                        }
                    }
                    for rows in entries.chunks(1000) {
                        let mut ledger = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO points_ledger (tenant_id, customer_id, delta, balance_after, reason, \
                             source, user_id, created_at) ",
                        );
                        ledger.push_values(rows, |mut row, (id, h, balance)| {
                            row.push_bind(tenant_id)
                                .push_bind(*id)
                                .push_bind(h.delta)
                                .push_bind(*balance)
                                .push_bind(h.reason.clone())
                                .push_bind(h.source.as_str())
                                .push_bind(None::<i64>)
                                .push_bind(h.at);
                        });
                        ledger.build().execute(&mut *tx).await?;
                    }
                }
                tx.commit().await?;
                Ok(written)
            }

            async fn delete_expired_sessions(&self, now: i64) -> $crate::storage::StorageResult<u64> {
                Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?
                    .rows_affected())
            }
        }
    };
}

pub(crate) use impl_storage;
