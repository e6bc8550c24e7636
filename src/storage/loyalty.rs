//! The loyalty program of a tenant, re-tiering its customers when the thresholds change, the
//! tier history, and expiring points lots.

use super::{Page, StorageResult};
use crate::domain::{Customer, LoyaltyProgram, PointsExpiring, RequestContext, TierChange};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What one batch of expiry did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpiredBatch {
    /// Lots looked at (0 when nothing is due: the run is over).
    pub lots: u64,
    /// Points taken off balances.
    pub points: i64,
    /// Customers whose balance went down.
    pub customers: Vec<i64>,
}

/// How many lots one expiry transaction handles (its largest statement binds eight values a lot,
/// within SQLite's 32,766).
pub const EXPIRY_BATCH: i64 = 2000;

/// The program, tiers and expiry.
#[async_trait]
pub trait Loyalty {
    /// A tenant's program (the caller's, resolved by the services).
    async fn loyalty_program(&self, tenant_id: i64) -> StorageResult<LoyaltyProgram>;

    /// Replaces a tenant's program (the caller's, resolved by the services) and, in the same
    /// transaction, moves every customer whose tier the new thresholds change (with a `program`
    /// tier change). Returns how many moved.
    async fn set_loyalty_program(
        &self,
        tenant_id: i64,
        program: &LoyaltyProgram,
        by: Option<&RequestContext>,
    ) -> StorageResult<u64>;

    /// How many of the caller's customers have at least each of these balances.
    async fn customers_with_at_least(&self, ctx: &RequestContext, points: [i64; 3]) -> StorageResult<[i64; 3]>;

    /// A page of a customer's tier changes, newest first. `None` if the customer is not found.
    async fn tier_history(
        &self,
        ctx: &RequestContext,
        customer_id: i64,
        offset: u64,
        limit: u64,
    ) -> StorageResult<Option<Page<TierChange>>>;

    /// One of the caller's customers with its points that expire next (those of the earliest UTC
    /// day with lots left); one read when none will. `None` if the customer is not found.
    async fn customer_with_expiring(
        &self,
        ctx: &RequestContext,
        customer_id: i64,
    ) -> StorageResult<Option<(Customer, Option<PointsExpiring>)>>;

    /// Expires up to [`EXPIRY_BATCH`] lots due at `as_of` (every tenant), in one transaction.
    async fn expire_lots(&self, as_of: DateTime<Utc>) -> StorageResult<ExpiredBatch>;
}

/// A customer with the expiry of its first lot with points left.
#[derive(sqlx::FromRow)]
pub(crate) struct ExpiringRow {
    /// The customer.
    #[sqlx(flatten)]
    pub customer: Customer,
    /// When its earliest lot with points left expires, if it has one.
    pub first_expiry: Option<DateTime<Utc>>,
}

/// The SQL for a customer's tier with the thresholds bound at `$silver`, `$gold`, `$platinum`.
pub(crate) fn tier_case(silver: usize, gold: usize, platinum: usize) -> String {
    format!(
        "(CASE WHEN loyalty_points >= ${platinum} THEN 3 WHEN loyalty_points >= ${gold} THEN 2 \
         WHEN loyalty_points >= ${silver} THEN 1 ELSE 0 END)"
    )
}

/// Implements [`Loyalty`] for a [`Dialect`](super::Dialect) that has the balance helpers.
macro_rules! impl_loyalty {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::Loyalty for $backend {
            async fn loyalty_program(
                &self,
                tenant_id: i64,
            ) -> $crate::storage::StorageResult<$crate::domain::LoyaltyProgram> {
                use $crate::storage::Dialect;
                const SQL: &str = const_format::concatcp!(
                    "SELECT ",
                    $crate::storage::balance::PROGRAM_COLUMNS,
                    " FROM tenants WHERE id = $1"
                );
                let row: (i64, Option<i64>, i64, i64, i64) =
                    sqlx::query_as(SQL).bind(tenant_id).fetch_one(&mut *self.reader().await?).await?;
                Ok($crate::storage::balance::stored_program(row.0, row.1, row.2, row.3, row.4))
            }

            async fn set_loyalty_program(
                &self,
                tenant_id: i64,
                program: &$crate::domain::LoyaltyProgram,
                by: Option<&$crate::domain::RequestContext>,
            ) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::Dialect;
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                let tiers = program.tiers();
                const BEFORE: &str = const_format::concatcp!(
                    "SELECT ",
                    $crate::storage::balance::PROGRAM_COLUMNS,
                    " FROM tenants WHERE id = $1"
                );
                let row: (i64, Option<i64>, i64, i64, i64) = sqlx::query_as(BEFORE).bind(tenant_id).fetch_one(&mut *tx).await?;
                let before = $crate::storage::balance::stored_program(row.0, row.1, row.2, row.3, row.4);
                // Updating the tenant's row waits for the writes that share-lock it and holds
                // new ones until the customers are re-tiered.
                sqlx::query(
                    "UPDATE tenants SET spend_per_point_minor = $2, points_expire_after_days = $3, \
                     tier_silver = $4, tier_gold = $5, tier_platinum = $6 WHERE id = $1",
                )
                .bind(tenant_id)
                .bind(program.spend_per_point_minor())
                .bind(program.points_expire_after_days())
                .bind(tiers.silver())
                .bind(tiers.gold())
                .bind(tiers.platinum())
                .execute(&mut *tx)
                .await?;
                let tier = $crate::storage::loyalty::tier_case(2, 3, 4);
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO tier_changes (tenant_id, customer_id, tier, previous_tier, cause, changed_at) \
                     SELECT tenant_id, id, {tier}, tier, 'program', $5 FROM customers \
                     WHERE tenant_id = $1 AND tier <> {tier} ORDER BY id"
                )))
                .bind(tenant_id)
                .bind(tiers.silver())
                .bind(tiers.gold())
                .bind(tiers.platinum())
                .bind($crate::storage::now())
                .execute(&mut *tx)
                .await?;
                let moved = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE customers SET tier = {tier} WHERE tenant_id = $1 AND tier <> {tier}"
                )))
                .bind(tenant_id)
                .bind(tiers.silver())
                .bind(tiers.gold())
                .bind(tiers.platinum())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // Tier filters read the thresholds: cached lists of the tenant are stale now.
                // (A tenant without the row never had a customer: it has no cached list to outdate.)
                sqlx::query("UPDATE customer_versions SET version = version + 1 WHERE tenant_id = $1")
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?;
                if let Some(ctx) = by {
                    let changes = $crate::domain::loyalty::program_changes(&before, program);
                    if !changes.is_empty() {
                        let entry = $crate::storage::ActivityEntry::by(
                            ctx,
                            $crate::domain::activity::ActivityAction::ProgramChanged,
                            $crate::domain::activity::TargetType::Tenant,
                            tenant_id,
                            "Loyalty program",
                            serde_json::json!({ "changes": changes, "customers_moved": moved }),
                        );
                        Self::write_activity(&mut *tx, &entry, $crate::storage::now()).await?;
                    }
                }
                tx.commit().await?;
                Ok(moved)
            }

            async fn customers_with_at_least(
                &self,
                ctx: &$crate::domain::RequestContext,
                points: [i64; 3],
            ) -> $crate::storage::StorageResult<[i64; 3]> {
                use $crate::storage::Dialect;
                let mut counts = [0_i64; 3];
                for (count, from) in counts.iter_mut().zip(points) {
                    *count = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND loyalty_points >= $2",
                    )
                    .bind(ctx.tenant_id)
                    .bind(from)
                    .fetch_one(&mut *self.reader().await?)
                    .await?;
                }
                Ok(counts)
            }

            async fn tier_history(
                &self,
                ctx: &$crate::domain::RequestContext,
                customer_id: i64,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Page<$crate::domain::TierChange>>> {
                self.customer_page(
                    ctx.tenant_id,
                    customer_id,
                    "SELECT COUNT(*) FROM tier_changes WHERE customer_id = $1 AND tenant_id = $2",
                    "SELECT id, tier, previous_tier, cause, changed_at FROM tier_changes \
                     WHERE customer_id = $1 AND tenant_id = $2 ORDER BY id DESC LIMIT $3 OFFSET $4",
                    offset,
                    limit,
                )
                .await
            }

            async fn customer_with_expiring(
                &self,
                ctx: &$crate::domain::RequestContext,
                customer_id: i64,
            ) -> $crate::storage::StorageResult<
                Option<($crate::domain::Customer, Option<$crate::domain::PointsExpiring>)>,
            > {
                use $crate::storage::Dialect;
                const SQL: &str = const_format::concatcp!(
                    "SELECT ",
                    $crate::storage::sql::CUSTOMER_COLUMNS,
                    ", (SELECT l.expires_at FROM points_lots l WHERE l.customer_id = c.id AND l.tenant_id = c.tenant_id \
                     AND l.remaining > 0 ORDER BY l.expires_at LIMIT 1) AS first_expiry \
                     FROM customers c JOIN tenants t ON t.id = c.tenant_id WHERE c.id = $1 AND c.tenant_id = $2"
                );
                let row: Option<$crate::storage::loyalty::ExpiringRow> = sqlx::query_as(SQL)
                    .bind(customer_id)
                    .bind(ctx.tenant_id)
                    .fetch_optional(&mut *self.reader().await?)
                    .await?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let Some(first) = row.first_expiry else {
                    return Ok(Some((row.customer, None)));
                };
                let day = first.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
                let points: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM points_lots \
                     WHERE customer_id = $1 AND tenant_id = $2 AND remaining > 0 AND expires_at < $3",
                )
                .bind(customer_id)
                .bind(ctx.tenant_id)
                .bind(day + chrono::Duration::days(1))
                .fetch_one(&mut *self.reader().await?)
                .await?;
                Ok(Some((row.customer, Some($crate::domain::PointsExpiring { points, on: day }))))
            }

            async fn expire_lots(
                &self,
                as_of: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<$crate::storage::loyalty::ExpiredBatch> {
                use $crate::storage::Dialect;
                type Db = <$backend as Dialect>::Db;
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                let due: Vec<(i64, i64, i64)> = sqlx::query_as(
                    "SELECT id, tenant_id, customer_id FROM points_lots WHERE remaining > 0 AND expires_at <= $1 \
                     ORDER BY expires_at, customer_id LIMIT $2",
                )
                .bind(as_of)
                .bind($crate::storage::loyalty::EXPIRY_BATCH)
                .fetch_all(&mut *tx)
                .await?;
                if due.is_empty() {
                    return Ok($crate::storage::loyalty::ExpiredBatch::default());
                }
                // Held in the order every write holds them: the tenants' programs, then the
                // customers (by id), then their lots as the last write left them.
                let mut tenants: Vec<i64> = due.iter().map(|(_, tenant, _)| *tenant).collect();
                tenants.sort_unstable();
                tenants.dedup();
                let mut programs = std::collections::HashMap::new();
                for tenant in tenants {
                    programs.insert(tenant, Self::held_program(&mut tx, tenant).await?);
                }
                // The tenants' counter rows, in one order, before the customers' changes move
                // many of them (single writes change theirs in the same order).
                let mut counters = sqlx::QueryBuilder::<Db>::new("SELECT tenant_id FROM customer_counters WHERE tenant_id IN (");
                let mut list = counters.separated(", ");
                for tenant in programs.keys() {
                    list.push_bind(*tenant);
                }
                counters.push(") ORDER BY tenant_id, is_active, tier, shard").push(Self::LOCK_ROW);
                counters.build().execute(&mut *tx).await?;
                let mut customers: Vec<i64> = due.iter().map(|(_, _, customer)| *customer).collect();
                customers.sort_unstable();
                customers.dedup();
                let mut held = sqlx::QueryBuilder::<Db>::new(
                    "SELECT id, tenant_id, loyalty_points, tier FROM customers WHERE id IN (",
                );
                let mut list = held.separated(", ");
                for id in &customers {
                    list.push_bind(*id);
                }
                held.push(") ORDER BY id").push(Self::LOCK_ROW);
                let rows: Vec<(i64, i64, i64, i64)> = held.build_query_as().fetch_all(&mut *tx).await?;
                let mut lots = sqlx::QueryBuilder::<Db>::new(
                    "SELECT customer_id, CAST(SUM(remaining) AS BIGINT) FROM points_lots WHERE remaining > 0 AND id IN (",
                );
                let mut list = lots.separated(", ");
                for (id, _, _) in &due {
                    list.push_bind(*id);
                }
                lots.push(") GROUP BY customer_id");
                let expiring: std::collections::HashMap<i64, i64> =
                    lots.build_query_as::<(i64, i64)>().fetch_all(&mut *tx).await?.into_iter().collect();
                let now = as_of;
                let mut batch = $crate::storage::loyalty::ExpiredBatch {
                    lots: due.len() as u64,
                    ..Default::default()
                };
                // (customer, tenant, delta, after, tier before, tier after)
                let mut changes = Vec::new();
                for (id, tenant, points, tier) in rows {
                    let after = $crate::domain::loyalty::balance_after(points, -expiring.get(&id).copied().unwrap_or(0));
                    let taken = points - after;
                    if taken <= 0 {
                        continue;
                    }
                    let tier_after = programs
                        .get(&tenant)
                        .copied()
                        .unwrap_or_default()
                        .tiers()
                        .tier_of(after)
                        .rank();
                    changes.push((id, tenant, -taken, after, tier, tier_after));
                    batch.points += taken;
                    batch.customers.push(id);
                }
                let mut spent = sqlx::QueryBuilder::<Db>::new("UPDATE points_lots SET remaining = 0 WHERE id IN (");
                let mut list = spent.separated(", ");
                for (id, _, _) in &due {
                    list.push_bind(*id);
                }
                spent.push(")");
                spent.build().execute(&mut *tx).await?;
                if !changes.is_empty() {
                    let mut update = sqlx::QueryBuilder::<Db>::new("UPDATE customers SET loyalty_points = v.column2, tier = v.column3 FROM (");
                    update.push_values(&changes, |mut row, (id, _, _, after, _, tier_after)| {
                        row.push_bind(*id).push_bind(*after).push_bind(*tier_after);
                    });
                    update.push(") AS v WHERE customers.id = v.column1");
                    update.build().execute(&mut *tx).await?;
                    let mut ledger = sqlx::QueryBuilder::<Db>::new(
                        "INSERT INTO points_ledger (tenant_id, customer_id, delta, balance_after, reason, source, \
                         user_id, created_at) ",
                    );
                    ledger.push_values(&changes, |mut row, (id, tenant, delta, after, _, _)| {
                        row.push_bind(*tenant)
                            .push_bind(*id)
                            .push_bind(*delta)
                            .push_bind(*after)
                            .push_bind("Points expired")
                            .push_bind($crate::storage::PointsSource::Expiry.as_str())
                            .push_bind(None::<i64>)
                            .push_bind(now);
                    });
                    ledger.build().execute(&mut *tx).await?;
                    let moved: Vec<_> = changes.iter().filter(|c| c.4 != c.5).collect();
                    if !moved.is_empty() {
                        let mut tiers = sqlx::QueryBuilder::<Db>::new(
                            "INSERT INTO tier_changes (tenant_id, customer_id, tier, previous_tier, cause, changed_at) ",
                        );
                        tiers.push_values(moved, |mut row, (id, tenant, _, _, before, after)| {
                            row.push_bind(*tenant)
                                .push_bind(*id)
                                .push_bind(*after)
                                .push_bind(Some(*before))
                                .push_bind($crate::domain::TierCause::Expiry.as_str())
                                .push_bind(now);
                        });
                        tiers.build().execute(&mut *tx).await?;
                    }
                }
                tx.commit().await?;
                Ok(batch)
            }
        }
    };
}

pub(crate) use impl_loyalty;
