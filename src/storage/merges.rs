//! Duplicates and merges: the groups of customers that share a duplicate key, merging customers
//! into one (their rows move to the survivor, and a snapshot keeps what undo needs), and undoing
//! a merge within its window.

use super::{Page, StorageResult};
use crate::domain::merge::{DuplicateGroup, MergeRequest, MergeSummary};
use crate::domain::{Customer, RequestContext};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How many customers of one group are listed (a merge takes one survivor and ten others).
pub const GROUP_CUSTOMERS: usize = crate::domain::merge::MAX_ABSORBED + 1;

/// The tables whose rows belong to a customer and follow it into a merge and back out.
pub(crate) const MOVED_TABLES: [&str; 5] =
    ["orders", "points_ledger", "points_lots", "tier_changes", "consent_changes"];

/// The columns of [`StoredCustomer`].
pub(crate) const STORED_COLUMNS: &str = "id, name, email, phone, address, city, province, postal_code, \
     loyalty_points, total_orders, total_spent_minor, opening_orders, opening_spent_minor, notes, is_active, \
     marketing_email, marketing_sms, created_at, last_order_date, tier";

/// The text fields a survivor fills from the customers it absorbs when its own are blank.
const FILLABLE: [&str; 6] = ["phone", "address", "city", "province", "postal_code", "notes"];

/// A customer's row as a merge keeps it, to write it back as it was.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct StoredCustomer {
    /// Id (kept when an undo brings the customer back).
    pub id: i64,
    /// As stored.
    pub name: String,
    /// As stored.
    pub email: String,
    /// As stored.
    pub phone: String,
    /// As stored.
    pub address: String,
    /// As stored.
    pub city: String,
    /// As stored.
    pub province: String,
    /// As stored.
    pub postal_code: String,
    /// As stored.
    pub loyalty_points: i64,
    /// As stored.
    pub total_orders: i64,
    /// As stored.
    pub total_spent_minor: i64,
    /// As stored.
    pub opening_orders: i64,
    /// As stored.
    pub opening_spent_minor: i64,
    /// As stored.
    pub notes: String,
    /// As stored.
    pub is_active: bool,
    /// As stored.
    pub marketing_email: bool,
    /// As stored.
    pub marketing_sms: bool,
    /// As stored.
    pub created_at: DateTime<Utc>,
    /// As stored.
    pub last_order_date: Option<DateTime<Utc>>,
    /// As stored (the tier's rank).
    pub tier: i64,
}

impl StoredCustomer {
    /// One of the [`FILLABLE`] fields.
    fn text_mut(&mut self, field: &str) -> Option<&mut String> {
        match field {
            "phone" => Some(&mut self.phone),
            "address" => Some(&mut self.address),
            "city" => Some(&mut self.city),
            "province" => Some(&mut self.province),
            "postal_code" => Some(&mut self.postal_code),
            "notes" => Some(&mut self.notes),
            _ => None,
        }
    }
}

/// One absorbed customer: its row as it was, and the ids of its rows that moved to the survivor
/// (one list per [`MOVED_TABLES`] entry, in that order).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AbsorbedCustomer {
    /// The row as it was.
    pub customer: StoredCustomer,
    /// The ids that moved, per table.
    pub moved: Vec<Vec<i64>>,
}

/// What a merge keeps to be undone: the survivor as it was, the fields the merge filled in, and
/// each absorbed customer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MergeSnapshot {
    /// The survivor before the merge.
    pub survivor: StoredCustomer,
    /// The blank fields of the survivor the merge filled, with the value it wrote.
    pub filled: Vec<(String, String)>,
    /// The customers absorbed, oldest first.
    pub absorbed: Vec<AbsorbedCustomer>,
}

/// The survivor after absorbing `others` (oldest first): its own non-blank fields, blank ones
/// filled from the others in that order, points and totals added up, the latest order date and
/// the earliest creation. The fields filled are returned with the values written.
pub fn merged(survivor: &StoredCustomer, others: &[StoredCustomer]) -> (StoredCustomer, Vec<(String, String)>) {
    let mut merged = survivor.clone();
    let mut filled = Vec::new();
    for field in FILLABLE {
        let Some(own) = merged.text_mut(field) else { continue };
        if !own.trim().is_empty() {
            continue;
        }
        let found = others.iter().find_map(|other| {
            let mut other = other.clone();
            other.text_mut(field).filter(|value| !value.trim().is_empty()).map(|value| value.clone())
        });
        if let Some(value) = found {
            own.clone_from(&value);
            filled.push((field.to_owned(), value));
        }
    }
    for other in others {
        merged.loyalty_points += other.loyalty_points;
        merged.total_orders += other.total_orders;
        merged.total_spent_minor += other.total_spent_minor;
        merged.opening_orders += other.opening_orders;
        merged.opening_spent_minor += other.opening_spent_minor;
        merged.last_order_date = merged.last_order_date.max(other.last_order_date);
        merged.created_at = merged.created_at.min(other.created_at);
    }
    (merged, filled)
}

/// The survivor's fields after its merge is undone: each field the merge filled goes back to
/// blank unless it was changed since; the opening totals and `points` the absorbed customers
/// brought leave it, and its own creation time comes back (unless a later merge brought an
/// older one). Totals and the tier are the caller's to set.
pub fn unmerged(current: &StoredCustomer, snapshot: &MergeSnapshot, points: i64) -> StoredCustomer {
    let mut restored = current.clone();
    let mut before = snapshot.survivor.clone();
    for (field, value) in &snapshot.filled {
        let original = before.text_mut(field).map(|original| original.clone());
        if let (Some(now), Some(original)) = (restored.text_mut(field), original) {
            if now == value {
                *now = original;
            }
        }
    }
    restored.loyalty_points = current.loyalty_points - points;
    // Later merges may have added their own: only what this one added leaves.
    for absorbed in &snapshot.absorbed {
        restored.opening_orders -= absorbed.customer.opening_orders;
        restored.opening_spent_minor -= absorbed.customer.opening_spent_minor;
    }
    let oldest = snapshot.absorbed.iter().map(|a| a.customer.created_at).min();
    if oldest == Some(current.created_at) && current.created_at < snapshot.survivor.created_at {
        restored.created_at = snapshot.survivor.created_at;
    }
    restored
}

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

/// Finding duplicates and merging them.
#[async_trait]
pub trait Merges {
    /// A page of the caller's duplicate groups (by email, then phone, then name; each by key),
    /// with the total number of groups.
    async fn duplicate_groups(
        &self,
        ctx: &RequestContext,
        offset: u64,
        limit: u64,
    ) -> StorageResult<Page<DuplicateGroup>>;

    /// Merges customers into the survivor in one transaction: rows moved, the others deleted,
    /// the survivor's fields and totals updated, a snapshot and an activity row written.
    async fn merge_customers(&self, ctx: &RequestContext, request: &MergeRequest) -> StorageResult<MergeOutcome>;

    /// Undoes one of the caller's merges in one transaction (see [`UndoOutcome`]).
    async fn undo_merge(&self, ctx: &RequestContext, merge_id: i64) -> StorageResult<UndoOutcome>;

    /// The latest merges (at most 20) one of the caller's customers survived, newest first.
    async fn merges_into(&self, ctx: &RequestContext, customer_id: i64) -> StorageResult<Vec<MergeSummary>>;

    /// Computes the duplicate keys of customers written before they existed; how many.
    async fn fill_duplicate_keys(&self) -> StorageResult<u64>;
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
            ) -> $crate::storage::StorageResult<Vec<$crate::storage::merges::StoredCustomer>> {
                use $crate::storage::Dialect;
                let mut query = sqlx::QueryBuilder::<<$backend as $crate::storage::Dialect>::Db>::new("SELECT ");
                query.push($crate::storage::merges::STORED_COLUMNS);
                query.push(" FROM customers WHERE tenant_id = ").push_bind(tenant_id).push(" AND id IN (");
                let mut list = query.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                query.push(") ORDER BY created_at, id").push(Self::LOCK_ROW);
                Ok(query.build_query_as().fetch_all(&mut **tx).await?)
            }

            /// The caller's customers among `ids`, in the order of `ids`.
            async fn customers_by_ids(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                ids: &[i64],
            ) -> $crate::storage::StorageResult<Vec<$crate::domain::Customer>> {
                let mut customers = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(customer) = Self::fetch_customer(&mut **tx, tenant_id, *id).await? {
                        customers.push(customer);
                    }
                }
                Ok(customers)
            }

            /// Writes a customer's row from `row` (its derived columns recomputed), inserting it
            /// with its own id when `insert`.
            async fn write_stored(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                row: &$crate::storage::merges::StoredCustomer,
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
                row: &mut $crate::storage::merges::StoredCustomer,
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
                    Self::consume_lots(tx, customer_id, in_lots, in_lots - balance).await?;
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::merges::Merges for $backend {
            async fn duplicate_groups(
                &self,
                ctx: &$crate::domain::RequestContext,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<$crate::storage::Page<$crate::domain::merge::DuplicateGroup>> {
                use $crate::domain::merge::{DuplicateGroup, DuplicateReason};
                use $crate::storage::Dialect;
                const GROUPS: &str = "SELECT CAST(0 AS BIGINT) AS reason, dup_email AS dup_key FROM customers \
                     WHERE tenant_id = $1 AND dup_email IS NOT NULL GROUP BY dup_email HAVING COUNT(*) > 1 \
                     UNION ALL SELECT CAST(1 AS BIGINT), dup_phone FROM customers \
                     WHERE tenant_id = $1 AND dup_phone IS NOT NULL GROUP BY dup_phone HAVING COUNT(*) > 1 \
                     UNION ALL SELECT CAST(2 AS BIGINT), dup_name FROM customers \
                     WHERE tenant_id = $1 AND dup_name <> '' GROUP BY dup_name HAVING COUNT(*) > 1";
                const PAGE: &str = const_format::concatcp!(
                    "SELECT reason, dup_key, COUNT(*) OVER () FROM (",
                    GROUPS,
                    ") AS g ORDER BY reason, dup_key LIMIT $2 OFFSET $3"
                );
                const COUNT: &str = const_format::concatcp!("SELECT COUNT(*) FROM (", GROUPS, ") AS g");
                let rows: Vec<(i64, String, i64)> = sqlx::query_as(PAGE)
                    .bind(ctx.tenant_id)
                    .bind($crate::storage::sql::bigint(limit))
                    .bind($crate::storage::sql::bigint(offset))
                    .fetch_all(self.pool())
                    .await?;
                let count = match rows.first() {
                    Some((_, _, total)) => *total,
                    None => sqlx::query_scalar(COUNT).bind(ctx.tenant_id).fetch_one(self.pool()).await?,
                };
                let mut groups = Vec::with_capacity(rows.len());
                let mut tx = self.pool().begin().await?;
                for (rank, key, _) in rows {
                    let reason = usize::try_from(rank).ok().and_then(|rank| DuplicateReason::ALL.get(rank).copied());
                    let Some(reason) = reason else { continue };
                    let column = match reason {
                        DuplicateReason::Email => "dup_email",
                        DuplicateReason::Phone => "dup_phone",
                        DuplicateReason::Name => "dup_name",
                    };
                    let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT id FROM customers WHERE tenant_id = $1 AND {column} = $2 ORDER BY created_at, id LIMIT $3"
                    )))
                    .bind(ctx.tenant_id)
                    .bind(&key)
                    .bind($crate::storage::sql::bigint($crate::storage::merges::GROUP_CUSTOMERS as u64))
                    .fetch_all(&mut *tx)
                    .await?;
                    let customers = Self::customers_by_ids(&mut tx, ctx.tenant_id, &ids).await?;
                    groups.push(DuplicateGroup { reason, customers });
                }
                tx.commit().await?;
                Ok($crate::storage::Page { count: $crate::storage::sql::count(count), items: groups })
            }

            async fn merge_customers(
                &self,
                ctx: &$crate::domain::RequestContext,
                request: &$crate::domain::merge::MergeRequest,
            ) -> $crate::storage::StorageResult<$crate::storage::merges::MergeOutcome> {
                use $crate::storage::merges::{AbsorbedCustomer, MergeOutcome, MergeSnapshot, MOVED_TABLES};
                use $crate::storage::Dialect;
                let tenant_id = ctx.tenant_id;
                let mut tx = self.begin_write().await?;
                let program = Self::held_program(&mut tx, tenant_id).await?;
                let survivor = Self::stored_customers(&mut tx, tenant_id, &[request.survivor()]).await?;
                let others = Self::stored_customers(&mut tx, tenant_id, request.absorbed()).await?;
                let Some(survivor) = survivor.into_iter().next() else {
                    return Ok(MergeOutcome::NotFound);
                };
                if others.len() != request.absorbed().len() {
                    return Ok(MergeOutcome::NotFound);
                }
                let (merged, filled) = $crate::storage::merges::merged(&survivor, &others);
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
                    Self::record_tier_change(&mut *tx, tenant_id, survivor.id, tier, Some(previous), $crate::domain::TierCause::Merge, now)
                        .await?;
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
                use $crate::storage::merges::{MergeSnapshot, UndoOutcome, MOVED_TABLES};
                use $crate::storage::Dialect;
                let tenant_id = ctx.tenant_id;
                let mut tx = self.begin_write().await?;
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
                        Self::record_tier_change(&mut *tx, tenant_id, row.id, tier, Some(previous), $crate::domain::TierCause::Merge, now)
                            .await?;
                    }
                    ids.push(row.id);
                }
                let mut restored = $crate::storage::merges::unmerged(&current, &snapshot, points);
                // Its latest order as it was, or a later one of its own since.
                restored.last_order_date = snapshot.survivor.last_order_date;
                Self::totals_from_orders(&mut tx, tenant_id, &mut restored).await?;
                let tier = program.tiers().tier_of(restored.loyalty_points);
                Self::write_stored(&mut tx, tenant_id, &restored, tier, false, now).await?;
                let previous = LoyaltyTier::from_rank(current.tier);
                if tier != previous {
                    Self::record_tier_change(&mut *tx, tenant_id, survivor_id, tier, Some(previous), $crate::domain::TierCause::Merge, now)
                        .await?;
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
                    .fetch_all(self.pool())
                    .await?;
                let mut merges = Vec::with_capacity(rows.len());
                for (id, created_at, snapshot, undone_at) in rows {
                    let snapshot: $crate::storage::merges::MergeSnapshot =
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

            async fn fill_duplicate_keys(&self) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::duplicate_keys::DuplicateKeys;
                use $crate::storage::Dialect;
                let mut filled = 0_u64;
                loop {
                    let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
                        "SELECT id, name, email, phone, city FROM customers WHERE dup_name IS NULL ORDER BY id LIMIT 2000",
                    )
                    .fetch_all(self.pool())
                    .await?;
                    if rows.is_empty() {
                        return Ok(filled);
                    }
                    let mut tx = self.begin_write().await?;
                    for (id, name, email, phone, city) in rows {
                        // An erased customer is nobody's duplicate.
                        let keys = if email == $crate::storage::privacy::erased_email(id) {
                            DuplicateKeys { email: None, phone: None, name: String::new() }
                        } else {
                            DuplicateKeys::of(&name, &email, &phone, &city)
                        };
                        sqlx::query("UPDATE customers SET dup_email = $2, dup_phone = $3, dup_name = $4 WHERE id = $1")
                            .bind(id)
                            .bind(keys.email)
                            .bind(keys.phone)
                            .bind(keys.name)
                            .execute(&mut *tx)
                            .await?;
                        filled += 1;
                    }
                    tx.commit().await?;
                }
            }
        }
    };
}

pub(crate) use impl_merges;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn customer(id: i64, day: u32) -> StoredCustomer {
        StoredCustomer {
            id,
            name: format!("Customer {id}"),
            email: format!("c{id}@example.com"),
            phone: String::new(),
            address: String::new(),
            city: String::new(),
            province: String::new(),
            postal_code: String::new(),
            loyalty_points: 10 * id,
            total_orders: id,
            total_spent_minor: 100 * id,
            opening_orders: id,
            opening_spent_minor: 100 * id,
            notes: String::new(),
            is_active: true,
            marketing_email: false,
            marketing_sms: false,
            created_at: Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).single().unwrap_or_default(),
            last_order_date: None,
            tier: 0,
        }
    }

    #[test]
    fn a_merge_keeps_the_survivors_fields_fills_blanks_oldest_first_and_adds_up() {
        let mut survivor = customer(1, 10);
        survivor.city = "Jakarta".into();
        let mut older = customer(2, 2);
        older.city = "Bandung".into();
        older.phone = "0812 0000 0002".into();
        older.last_order_date = Some(older.created_at);
        let mut newer = customer(3, 5);
        newer.phone = "0812 0000 0003".into();
        newer.notes = "Window seat".into();
        let (merged, filled) = merged(&survivor, &[older.clone(), newer]);
        assert_eq!(merged.city, "Jakarta");
        assert_eq!(merged.phone, "0812 0000 0002");
        assert_eq!(merged.notes, "Window seat");
        assert_eq!(merged.loyalty_points, 60);
        assert_eq!((merged.total_orders, merged.total_spent_minor), (6, 600));
        assert_eq!(merged.created_at, older.created_at);
        assert_eq!(merged.last_order_date, older.last_order_date);
        assert_eq!(filled.len(), 2);
    }

    #[test]
    fn an_undo_blanks_filled_fields_unless_they_were_changed_since() {
        let survivor = customer(1, 10);
        let mut other = customer(2, 2);
        other.phone = "0812 0000 0002".into();
        other.notes = "Window seat".into();
        let (mut now, filled) = merged(&survivor, &[other.clone()]);
        now.notes = "Prefers the terrace".into();
        now.loyalty_points += 5;
        let snapshot = MergeSnapshot {
            survivor: survivor.clone(),
            filled,
            absorbed: vec![AbsorbedCustomer { customer: other, moved: Vec::new() }],
        };
        let restored = unmerged(&now, &snapshot, 20);
        assert_eq!(restored.phone, "");
        assert_eq!(restored.notes, "Prefers the terrace");
        assert_eq!(restored.loyalty_points, 15);
        assert_eq!(restored.created_at, survivor.created_at);
        assert_eq!((restored.opening_orders, restored.opening_spent_minor), (1, 100));
    }
}
