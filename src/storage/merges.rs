//! Merges: customers merged into one (their rows move to the survivor, and a snapshot keeps what
//! undo needs), and undoing a merge within its window.

use super::StorageResult;
use crate::domain::merge::{MergeRequest, MergeSummary};
use crate::domain::{Customer, RequestContext};
use async_trait::async_trait;

/// What a merge came to.
#[derive(Clone, Debug)]
pub enum MergeOutcome {
    /// The survivor or one of the others is not the caller's.
    NotFound,
    /// The balances added up pass the most points a customer can hold.
    TooManyPoints,
    /// Merged: the merge's id and the survivor as it is now.
    Merged {
        /// What undo takes.
        merge_id: i64,
        /// The survivor.
        customer: Box<Customer>,
    },
}

/// What an undo came to.
#[derive(Clone, Debug)]
pub enum UndoOutcome {
    /// No such merge in the caller's tenant.
    NotFound,
    /// It was undone already.
    AlreadyUndone,
    /// Its window has passed.
    Expired,
    /// The survivor no longer holds the points the absorbed customers brought.
    PointsSpent,
    /// Another customer now has an absorbed customer's email.
    EmailTaken,
    /// Undone: the survivor, then each absorbed customer, as they are now.
    Undone(Vec<Customer>),
}

/// Merging customers and undoing it.
#[async_trait]
pub trait Merges {
    /// Merges customers into the survivor in one transaction: rows moved, the others deleted,
    /// the survivor's fields and totals updated, a snapshot and an activity row written.
    async fn merge_customers(&self, ctx: &RequestContext, request: &MergeRequest) -> StorageResult<MergeOutcome>;

    /// Undoes one of the caller's merges in one transaction (see [`UndoOutcome`]).
    async fn undo_merge(&self, ctx: &RequestContext, merge_id: i64) -> StorageResult<UndoOutcome>;

    /// The latest merges (at most 20) one of the caller's customers survived, newest first.
    async fn merges_into(&self, ctx: &RequestContext, customer_id: i64) -> StorageResult<Vec<MergeSummary>>;
}

/// Implements [`Merges`] for a [`Dialect`](super::Dialect) that has the customer and balance
/// helpers.
macro_rules! impl_merges {
    ($backend:ty) => {
        impl $backend {
            /// The caller's customers among `ids` as a merge keeps them, oldest first, locked.
            async fn stored_customers(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                ids: &[i64],
            ) -> $crate::storage::StorageResult<Vec<$crate::storage::merge_snapshot::StoredCustomer>> {
                use $crate::storage::Dialect;
                let mut query = sqlx::QueryBuilder::<<$backend as $crate::storage::Dialect>::Db>::new("SELECT ");
                query.push($crate::storage::merge_snapshot::STORED_COLUMNS);
                query.push(" FROM customers WHERE tenant_id = ").push_bind(tenant_id).push(" AND id IN (");
                let mut list = query.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                query.push(") ORDER BY created_at, id").push(Self::LOCK_ROW);
                Ok(query.build_query_as().fetch_all(&mut **tx).await?)
            }

            /// Writes a customer's row from `row` (its derived columns recomputed), inserting it
            /// with its own id when `insert`.
            async fn write_stored(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                row: &$crate::storage::merge_snapshot::StoredCustomer,
                tier: $crate::domain::LoyaltyTier,
                insert: bool,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<()> {
                use $crate::storage::keys;
                let sql = if insert {
                    "INSERT INTO customers (id, tenant_id, name, name_key, email, email_key, phone, address, city, \
                     province, postal_code, loyalty_points, total_orders, total_spent_minor, opening_orders, \
                     opening_spent_minor, notes, is_active, marketing_email, marketing_sms, search_text, created_at, \
                     updated_at, last_order_date, tier, dup_email, dup_phone, dup_name) VALUES ($1, $2, $3, $4, $5, \
                     $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, \
                     $26, $27, $28)"
                } else {
                    "UPDATE customers SET name = $3, name_key = $4, email = $5, email_key = $6, phone = $7, \
                     address = $8, city = $9, province = $10, postal_code = $11, loyalty_points = $12, \
                     total_orders = $13, total_spent_minor = $14, opening_orders = $15, opening_spent_minor = $16, \
                     notes = $17, is_active = $18, marketing_email = $19, marketing_sms = $20, search_text = $21, \
                     created_at = $22, updated_at = $23, last_order_date = $24, tier = $25, dup_email = $26, \
                     dup_phone = $27, dup_name = $28 WHERE id = $1 AND tenant_id = $2"
                };
                let dup =
                    $crate::storage::duplicate_keys::DuplicateKeys::of(&row.name, &row.email, &row.phone, &row.city);
                sqlx::query(sql)
                    .bind(row.id)
                    .bind(tenant_id)
                    .bind(&row.name)
                    .bind(keys::name_key(&row.name))
                    .bind(&row.email)
                    .bind($crate::domain::email::email_key(&row.email))
                    .bind(&row.phone)
                    .bind(&row.address)
                    .bind(&row.city)
                    .bind(&row.province)
                    .bind(&row.postal_code)
                    .bind(row.loyalty_points)
                    .bind(row.total_orders)
                    .bind(row.total_spent_minor)
                    .bind(row.opening_orders)
                    .bind(row.opening_spent_minor)
                    .bind(&row.notes)
                    .bind(row.is_active)
                    .bind(row.marketing_email)
                    .bind(row.marketing_sms)
                    .bind(keys::search_text(&row.name, &row.email, &row.phone))
                    .bind(row.created_at)
                    .bind(now)
                    .bind(row.last_order_date)
                    .bind(tier.rank())
                    .bind(dup.email)
                    .bind(dup.phone)
                    .bind(dup.name)
                    .execute(&mut **tx)
                    .await
                    .map_err($crate::storage::conflict_or)?;
                Ok(())
            }

            /// A customer's totals from its opening totals and its orders (an order counts until
            /// it is refunded in full; what was refunded is not spent), and its latest order.
            async fn totals_from_orders(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                row: &mut $crate::storage::merge_snapshot::StoredCustomer,
            ) -> $crate::storage::StorageResult<()> {
                let (orders, spent): (i64, i64) = sqlx::query_as(
                    "SELECT CAST(COALESCE(SUM(CASE WHEN refunded_minor < total_minor THEN 1 ELSE 0 END), 0) AS BIGINT), \
                     CAST(COALESCE(SUM(total_minor - refunded_minor), 0) AS BIGINT) FROM orders \
                     WHERE tenant_id = $1 AND customer_id = $2",
                )
                .bind(tenant_id)
                .bind(row.id)
                .fetch_one(&mut **tx)
                .await?;
                let latest: Option<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar(
                    "SELECT ordered_at FROM orders WHERE tenant_id = $1 AND customer_id = $2 \
                     ORDER BY ordered_at DESC LIMIT 1",
                )
                .bind(tenant_id)
                .bind(row.id)
                .fetch_optional(&mut **tx)
                .await?;
                row.total_orders = row.opening_orders + orders;
                row.total_spent_minor = row.opening_spent_minor + spent;
                row.last_order_date = row.last_order_date.max(latest);
                Ok(())
            }

            /// Moves the rows of `ids` in `table` from customer `from` to customer `to`.
            async fn move_rows(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                table: &'static str,
                from: i64,
                to: i64,
                ids: &[i64],
            ) -> $crate::storage::StorageResult<()> {
                for chunk in ids.chunks(500) {
                    let mut query = sqlx::QueryBuilder::<<$backend as $crate::storage::Dialect>::Db>::new("UPDATE ");
                    query.push(table).push(" SET customer_id = ").push_bind(to);
                    query.push(" WHERE tenant_id = ").push_bind(tenant_id);
                    query.push(" AND customer_id = ").push_bind(from).push(" AND id IN (");
                    let mut list = query.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    query.push(")");
                    query.build().execute(&mut **tx).await?;
                }
                Ok(())
            }

            /// Takes open lots of a customer down, oldest first, until they hold no more than
            /// its balance.
            async fn fit_lots(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                customer_id: i64,
                balance: i64,
            ) -> $crate::storage::StorageResult<()> {
                let in_lots: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM points_lots \
                     WHERE customer_id = $1 AND remaining > 0",
                )
                .bind(customer_id)
                .fetch_one(&mut **tx)
                .await?;
                if in_lots > balance {
                    let mut batch = Self::write_batch();
                    Self::consume_lots(tx, &mut batch, customer_id, in_lots, in_lots - balance).await?;
                    batch.run(&mut **tx).await?;
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::merges::Merges for $backend {
            async fn merge_customers(
                &self,
                ctx: &$crate::domain::RequestContext,
                request: &$crate::domain::merge::MergeRequest,
            ) -> $crate::storage::StorageResult<$crate::storage::merges::MergeOutcome> {
                use $crate::storage::merge_snapshot::{AbsorbedCustomer, MergeSnapshot, MOVED_TABLES};
                use $crate::storage::merges::MergeOutcome;
                use $crate::storage::Dialect;
                let tenant_id = ctx.tenant_id;
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                let program = Self::held_program(&mut tx, tenant_id).await?;
                let survivor = Self::stored_customers(&mut tx, tenant_id, &[request.survivor()]).await?;
                let others = Self::stored_customers(&mut tx, tenant_id, request.absorbed()).await?;
                let Some(survivor) = survivor.into_iter().next() else {
                    return Ok(MergeOutcome::NotFound);
                };
                if others.len() != request.absorbed().len() {
                    return Ok(MergeOutcome::NotFound);
                }
                let (merged, filled) = $crate::storage::merge_snapshot::merged(&survivor, &others);
                if merged.loyalty_points > $crate::domain::customer_input::MAX_POINTS {
                    return Ok(MergeOutcome::TooManyPoints);
                }
                let now = $crate::storage::now();
                let mut absorbed = Vec::with_capacity(others.len());
                for other in others {
                    let mut moved = Vec::with_capacity(MOVED_TABLES.len());
                    for table in MOVED_TABLES {
                        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                            "SELECT id FROM {table} WHERE tenant_id = $1 AND customer_id = $2 ORDER BY id"
                        )))
                        .bind(tenant_id)
                        .bind(other.id)
                        .fetch_all(&mut *tx)
                        .await?;
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "UPDATE {table} SET customer_id = $3 WHERE tenant_id = $1 AND customer_id = $2"
                        )))
                        .bind(tenant_id)
                        .bind(other.id)
                        .bind(survivor.id)
                        .execute(&mut *tx)
                        .await?;
                        moved.push(ids);
                    }
                    sqlx::query("DELETE FROM customers WHERE id = $1 AND tenant_id = $2")
                        .bind(other.id)
                        .bind(tenant_id)
                        .execute(&mut *tx)
                        .await?;
                    absorbed.push(AbsorbedCustomer { customer: other, moved });
                }
                let tier = program.tiers().tier_of(merged.loyalty_points);
                Self::write_stored(&mut tx, tenant_id, &merged, tier, false, now).await?;
                let previous = $crate::domain::LoyaltyTier::from_rank(survivor.tier);
                if tier != previous {
                    let step = $crate::storage::balance::TierStep::by_merge(survivor.id, tier, previous, now);
                    Self::record_tier_change(&mut *tx, tenant_id, &step).await?;
                }
                let details = serde_json::json!({
                    "absorbed": absorbed
                        .iter()
                        .map(|a| serde_json::json!({ "id": a.customer.id, "name": a.customer.name, "email": a.customer.email }))
                        .collect::<Vec<_>>(),
                    "filled": filled.iter().map(|(field, _)| field.as_str()).collect::<Vec<_>>(),
                });
                let snapshot = MergeSnapshot { survivor, filled, absorbed };
                let snapshot = serde_json::to_string(&snapshot).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
                let merge_id: i64 = sqlx::query_scalar(
                    "INSERT INTO merges (tenant_id, survivor_id, snapshot, created_at, actor_email) \
                     VALUES ($1, $2, $3, $4, COALESCE((SELECT email FROM users WHERE id = $5), '')) RETURNING id",
                )
                .bind(tenant_id)
                .bind(merged.id)
                .bind(snapshot)
                .bind(now)
                .bind(ctx.user_id)
                .fetch_one(&mut *tx)
                .await?;
                let mut details = details;
                details["merge_id"] = serde_json::json!(merge_id);
                let entry = $crate::storage::ActivityEntry::by(
                    ctx,
                    $crate::domain::activity::ActivityAction::CustomersMerged,
                    $crate::domain::activity::TargetType::Customer,
                    merged.id,
                    merged.name.as_str(),
                    details,
                );
                Self::write_activity(&mut *tx, &entry, now).await?;
                let customer = Self::commit_with_customer(tx, tenant_id, merged.id)
                    .await?
                    .ok_or($crate::storage::StorageError::MissingAfterWrite("customer"))?;
                Ok(MergeOutcome::Merged { merge_id, customer: Box::new(customer) })
            }

            async fn undo_merge(
                &self,
                ctx: &$crate::domain::RequestContext,
                merge_id: i64,
            ) -> $crate::storage::StorageResult<$crate::storage::merges::UndoOutcome> {
                use $crate::domain::LoyaltyTier;
                use $crate::storage::merge_snapshot::{MergeSnapshot, MOVED_TABLES};
                use $crate::storage::merges::UndoOutcome;
                use $crate::storage::Dialect;
                let tenant_id = ctx.tenant_id;
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                let program = Self::held_program(&mut tx, tenant_id).await?;
                let held: Option<(i64, String, chrono::DateTime<chrono::Utc>, Option<chrono::DateTime<chrono::Utc>>)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT survivor_id, snapshot, created_at, undone_at FROM merges WHERE id = $1 AND tenant_id = $2{}",
                        Self::LOCK_ROW
                    )))
                    .bind(merge_id)
                    .bind(tenant_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((survivor_id, snapshot, created_at, undone_at)) = held else {
                    return Ok(UndoOutcome::NotFound);
                };
                let now = $crate::storage::now();
                if undone_at.is_some() {
                    return Ok(UndoOutcome::AlreadyUndone);
                }
                if now >= created_at + $crate::domain::merge::undo_window() {
                    return Ok(UndoOutcome::Expired);
                }
                let snapshot: MergeSnapshot =
                    serde_json::from_str(&snapshot).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                let Some(current) = Self::stored_customers(&mut tx, tenant_id, &[survivor_id]).await?.into_iter().next()
                else {
                    return Ok(UndoOutcome::NotFound);
                };
                let points: i64 = snapshot.absorbed.iter().map(|a| a.customer.loyalty_points).sum();
                if current.loyalty_points < points {
                    return Ok(UndoOutcome::PointsSpent);
                }
                for absorbed in &snapshot.absorbed {
                    let taken: Option<i64> =
                        sqlx::query_scalar("SELECT id FROM customers WHERE tenant_id = $1 AND email_key = $2")
                            .bind(tenant_id)
                            .bind($crate::domain::email::email_key(&absorbed.customer.email))
                            .fetch_optional(&mut *tx)
                            .await?;
                    if taken.is_some() {
                        return Ok(UndoOutcome::EmailTaken);
                    }
                }
                let mut ids = vec![survivor_id];
                for absorbed in &snapshot.absorbed {
                    let row = &absorbed.customer;
                    let tier = program.tiers().tier_of(row.loyalty_points);
                    Self::write_stored(&mut tx, tenant_id, row, tier, true, now).await?;
                    for (table, moved) in MOVED_TABLES.iter().zip(&absorbed.moved) {
                        Self::move_rows(&mut tx, tenant_id, table, survivor_id, row.id, moved).await?;
                    }
                    let mut row = row.clone();
                    Self::totals_from_orders(&mut tx, tenant_id, &mut row).await?;
                    Self::write_stored(&mut tx, tenant_id, &row, tier, false, now).await?;
                    let previous = LoyaltyTier::from_rank(row.tier);
                    if tier != previous {
                        let step = $crate::storage::balance::TierStep::by_merge(row.id, tier, previous, now);
                        Self::record_tier_change(&mut *tx, tenant_id, &step).await?;
                    }
                    ids.push(row.id);
                }
                let mut restored = $crate::storage::merge_snapshot::unmerged(&current, &snapshot, points);
                // Its latest order as it was, or a later one of its own since.
                restored.last_order_date = snapshot.survivor.last_order_date;
                Self::totals_from_orders(&mut tx, tenant_id, &mut restored).await?;
                let tier = program.tiers().tier_of(restored.loyalty_points);
                Self::write_stored(&mut tx, tenant_id, &restored, tier, false, now).await?;
                let previous = LoyaltyTier::from_rank(current.tier);
                if tier != previous {
                    let step = $crate::storage::balance::TierStep::by_merge(survivor_id, tier, previous, now);
                    Self::record_tier_change(&mut *tx, tenant_id, &step).await?;
                }
                Self::fit_lots(&mut tx, survivor_id, restored.loyalty_points).await?;
                sqlx::query("UPDATE merges SET undone_at = $3 WHERE id = $1 AND tenant_id = $2")
                    .bind(merge_id)
                    .bind(tenant_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let entry = $crate::storage::ActivityEntry::by(
                    ctx,
                    $crate::domain::activity::ActivityAction::MergeUndone,
                    $crate::domain::activity::TargetType::Customer,
                    survivor_id,
                    restored.name.as_str(),
                    serde_json::json!({
                        "merge_id": merge_id,
                        "restored": snapshot.absorbed.iter()
                            .map(|a| serde_json::json!({ "id": a.customer.id, "name": a.customer.name }))
                            .collect::<Vec<_>>(),
                    }),
                );
                Self::write_activity(&mut *tx, &entry, now).await?;
                let customers = Self::customers_by_ids(&mut tx, tenant_id, &ids).await?;
                tx.commit().await?;
                Ok(UndoOutcome::Undone(customers))
            }

            async fn merges_into(
                &self,
                ctx: &$crate::domain::RequestContext,
                customer_id: i64,
            ) -> $crate::storage::StorageResult<Vec<$crate::domain::merge::MergeSummary>> {
                use $crate::storage::Dialect;
                let rows: Vec<(i64, chrono::DateTime<chrono::Utc>, String, Option<chrono::DateTime<chrono::Utc>>)> =
                    sqlx::query_as(
                        "SELECT id, created_at, snapshot, undone_at FROM merges \
                         WHERE tenant_id = $1 AND survivor_id = $2 ORDER BY id DESC LIMIT 20",
                    )
                    .bind(ctx.tenant_id)
                    .bind(customer_id)
                    .fetch_all(&mut *self.reader().await?)
                    .await?;
                let mut merges = Vec::with_capacity(rows.len());
                for (id, created_at, snapshot, undone_at) in rows {
                    let snapshot: $crate::storage::merge_snapshot::MergeSnapshot =
                        serde_json::from_str(&snapshot).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                    merges.push($crate::domain::merge::MergeSummary {
                        id,
                        created_at,
                        absorbed: snapshot.absorbed.into_iter().map(|a| (a.customer.id, a.customer.name)).collect(),
                        undone: undone_at.is_some(),
                    });
                }
                Ok(merges)
            }

        }
    };
}

pub(crate) use impl_merges;
