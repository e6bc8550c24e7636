//! Orders: recording a sale with everything it changes on the customer, listing a customer's
//! orders, and refunds, each in one transaction holding the customer's row (see `balance.rs`).

use super::{Page, StorageResult};
use crate::domain::{InvalidInput, NewOrder, Order, Refund, RequestContext};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What recording an order did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderRecorded {
    /// A new order, with its totals and points applied.
    Created(Order),
    /// The same reference, customer and total were recorded before (a till's retry): that order,
    /// nothing applied again.
    Retried(Order),
    /// Another order of the tenant has this reference.
    ReferenceTaken,
}

/// What a refund did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundOutcome {
    /// No such order in the caller's tenant.
    NotFound,
    /// The amount does not fit what is left of the order.
    Refused(InvalidInput),
    /// Refunded: the order after it.
    Refunded(Order),
}

/// The columns of an order row.
pub(crate) const ORDER_COLUMNS: &str = "id, customer_id, reference, total_minor, refunded_minor, points_earned, \
     points_reversed, ordered_at, created_at";

/// Orders of a tenant's customers.
#[async_trait]
pub trait Orders {
    /// Records an order dated `ordered_at` for one of the caller's customers: the order row, the
    /// customer's totals and last order date, and the points it earns (none for an inactive
    /// customer) with their ledger row, lot and tier change. `None` if the customer is not found.
    async fn record_order(
        &self,
        ctx: &RequestContext,
        customer_id: i64,
        order: &NewOrder,
        ordered_at: DateTime<Utc>,
    ) -> StorageResult<Option<OrderRecorded>>;

    /// A page of a customer's orders, newest first by date (then id). `None` if the customer is
    /// not found.
    async fn customer_orders(
        &self,
        ctx: &RequestContext,
        customer_id: i64,
        offset: u64,
        limit: u64,
    ) -> StorageResult<Option<Page<Order>>>;

    /// One of the caller's orders.
    async fn order(&self, ctx: &RequestContext, order_id: i64) -> StorageResult<Option<Order>>;

    /// Refunds part or the rest of one of the caller's orders: the order's refunded amount, the
    /// customer's total spent (and orders, once fully refunded), and the points taken back in
    /// proportion, clamped at a zero balance.
    async fn refund_order(&self, ctx: &RequestContext, order_id: i64, refund: &Refund) -> StorageResult<RefundOutcome>;
}

/// Implements [`Orders`] for a [`Dialect`](super::Dialect) that has the balance helpers.
macro_rules! impl_orders {
    ($backend:ty) => {
        impl $backend {
            /// One order of a tenant, by id.
            async fn order_by_id<'e, E>(
                executor: E,
                tenant_id: i64,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Order>>
            where
                E: sqlx::Executor<'e, Database = <$backend as $crate::storage::Dialect>::Db>,
            {
                const SQL: &str = const_format::concatcp!(
                    "SELECT ",
                    $crate::storage::orders::ORDER_COLUMNS,
                    " FROM orders WHERE tenant_id = $1 AND id = $2"
                );
                Ok(sqlx::query_as(SQL).bind(tenant_id).bind(id).fetch_optional(executor).await?)
            }

            /// One order of a tenant, by reference.
            async fn order_by_reference<'e, E>(
                executor: E,
                tenant_id: i64,
                reference: &str,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Order>>
            where
                E: sqlx::Executor<'e, Database = <$backend as $crate::storage::Dialect>::Db>,
            {
                const SQL: &str = const_format::concatcp!(
                    "SELECT ",
                    $crate::storage::orders::ORDER_COLUMNS,
                    " FROM orders WHERE tenant_id = $1 AND reference = $2"
                );
                Ok(sqlx::query_as(SQL).bind(tenant_id).bind(reference).fetch_optional(executor).await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::Orders for $backend {
            async fn record_order(
                &self,
                ctx: &$crate::domain::RequestContext,
                customer_id: i64,
                order: &$crate::domain::NewOrder,
                ordered_at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::orders::OrderRecorded>> {
                use $crate::storage::orders::OrderRecorded;
                use $crate::storage::Dialect;
                let ctx = *ctx;
                let order = order.clone();
                self.write(Box::new(move |tx| Box::pin(async move {
                    let ctx = &ctx;
                    let Some((program, customer)) =
                        Self::held_program_and_customer(tx, ctx.tenant_id, customer_id).await?
                    else {
                        return Ok(None);
                    };
                    let before = $crate::storage::balance::HeldCustomer::from(&customer);
                    let reference = order.reference.as_str();
                    let earned = program.points_for(order.total_minor, before.is_active);
                    let after = $crate::domain::loyalty::balance_after(before.points, earned);
                    let tier_after = program.tiers().tier_of(after);
                    let now = $crate::storage::now();
                    // The order first: a reference already used leaves nothing written (and, in
                    // PostgreSQL, waits for a till sending the same reference at once to finish).
                    const INSERT: &str = const_format::concatcp!(
                        "INSERT INTO orders (tenant_id, customer_id, reference, total_minor, points_earned, \
                         ordered_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (tenant_id, reference) DO NOTHING RETURNING ",
                        $crate::storage::orders::ORDER_COLUMNS
                    );
                    let created: Option<$crate::domain::Order> = sqlx::query_as(INSERT)
                        .bind(ctx.tenant_id)
                        .bind(customer_id)
                        .bind(reference)
                        .bind(order.total_minor)
                        .bind(after - before.points)
                        .bind(ordered_at)
                        .bind(now)
                        .fetch_optional(&mut **tx)
                        .await?;
                    let Some(created) = created else {
                        let found = Self::order_by_reference(&mut **tx, ctx.tenant_id, reference).await?;
                        return Ok(Some(match found {
                            Some(found)
                                if found.customer_id == customer_id && found.total_minor == order.total_minor =>
                            {
                                OrderRecorded::Retried(found)
                            }
                            _ => OrderRecorded::ReferenceTaken,
                        }));
                    };
                    let change = $crate::storage::balance::BalanceChange {
                        customer_id,
                        before,
                        after,
                        tier_after,
                        reason: reference,
                        source: $crate::storage::PointsSource::Order,
                        cause: $crate::domain::TierCause::Order,
                        always_ledger: false,
                        at: now,
                    };
                    // The customer's totals, balance and tier, the ledger, lots, tier change and
                    // activity rows go to the database together.
                    let mut batch = Self::write_batch();
                    batch
                        .push(
                            "UPDATE customers SET total_orders = total_orders + 1, \
                             total_spent_minor = total_spent_minor + $3, last_order_date = CASE \
                             WHEN last_order_date IS NULL OR last_order_date < $4 THEN $4 ELSE last_order_date END, \
                             loyalty_points = $5, tier = $6, updated_at = $7 WHERE id = $1 AND tenant_id = $2",
                        )
                        .bind(customer_id)
                        .bind(ctx.tenant_id)
                        .bind(order.total_minor)
                        .bind(ordered_at)
                        .bind(after)
                        .bind(tier_after.rank())
                        .bind(now);
                    Self::record_balance_change(tx, &mut batch, ctx.tenant_id, Some(ctx.user_id), program, &change)
                        .await?;
                    let entry = $crate::storage::ActivityEntry::by(
                        ctx,
                        $crate::domain::activity::ActivityAction::OrderRecorded,
                        $crate::domain::activity::TargetType::Customer,
                        customer_id,
                        "",
                        serde_json::json!({
                            "order_id": created.id,
                            "reference": reference,
                            "total": $crate::domain::money::decimal_text(order.total_minor),
                            "points": after - before.points,
                        }),
                    );
                    Self::push_activity(&mut batch, &entry, now);
                    batch.run(&mut **tx).await?;
                    Ok(Some(OrderRecorded::Created(created)))
                }))).await
            }

            async fn customer_orders(
                &self,
                ctx: &$crate::domain::RequestContext,
                customer_id: i64,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Page<$crate::domain::Order>>> {
                const PAGE: &str = const_format::concatcp!(
                    "SELECT ",
                    $crate::storage::orders::ORDER_COLUMNS,
                    " FROM orders WHERE customer_id = $1 AND tenant_id = $2 ORDER BY ordered_at DESC, id DESC \
                     LIMIT $3 OFFSET $4"
                );
                self.customer_page(
                    ctx.tenant_id,
                    customer_id,
                    "SELECT COUNT(*) FROM orders WHERE customer_id = $1 AND tenant_id = $2",
                    PAGE,
                    offset,
                    limit,
                )
                .await
            }

            async fn order(
                &self,
                ctx: &$crate::domain::RequestContext,
                order_id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Order>> {
                use $crate::storage::Dialect;
                Self::order_by_id(&mut *self.reader().await?, ctx.tenant_id, order_id).await
            }

            async fn refund_order(
                &self,
                ctx: &$crate::domain::RequestContext,
                order_id: i64,
                refund: &$crate::domain::Refund,
            ) -> $crate::storage::StorageResult<$crate::storage::orders::RefundOutcome> {
                use $crate::storage::orders::RefundOutcome;
                use $crate::storage::Dialect;
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                let Some(found) = Self::order_by_id(&mut *tx, ctx.tenant_id, order_id).await? else {
                    return Ok(RefundOutcome::NotFound);
                };
                // The program and the customer's row are held first; the order is then read as
                // the last refund holding them left it.
                let Some((program, customer)) =
                    Self::held_program_and_customer(&mut tx, ctx.tenant_id, found.customer_id).await?
                else {
                    return Ok(RefundOutcome::NotFound);
                };
                let before = $crate::storage::balance::HeldCustomer::from(&customer);
                let Some(order) = Self::order_by_id(&mut *tx, ctx.tenant_id, order_id).await? else {
                    return Ok(RefundOutcome::NotFound);
                };
                let amount = match refund.amount_for(&order) {
                    Ok(amount) => amount,
                    Err(refused) => return Ok(RefundOutcome::Refused(refused)),
                };
                let refunded = order.refunded_minor + amount;
                let reversed = $crate::domain::order::points_reversed(order.points_earned, refunded, order.total_minor);
                let taken = reversed - order.points_reversed;
                let after = $crate::domain::loyalty::balance_after(before.points, -taken);
                let tier_after = program.tiers().tier_of(after);
                let fully_refunded = refunded == order.total_minor;
                let now = $crate::storage::now();
                let reason = if refund.reason.is_empty() {
                    format!("Refund of {}", order.reference)
                } else {
                    refund.reason.clone()
                };
                let change = $crate::storage::balance::BalanceChange {
                    customer_id: order.customer_id,
                    before,
                    after,
                    tier_after,
                    reason: &reason,
                    source: $crate::storage::PointsSource::Refund,
                    cause: $crate::domain::TierCause::Refund,
                    always_ledger: taken > 0,
                    at: now,
                };
                // The order's and the customer's new figures go with the ledger, lots, tier
                // change and activity rows (the lots are read before, by the balance change).
                let mut batch = Self::write_batch();
                batch
                    .push("UPDATE orders SET refunded_minor = $3, points_reversed = $4 WHERE id = $1 AND tenant_id = $2")
                    .bind(order_id)
                    .bind(ctx.tenant_id)
                    .bind(refunded)
                    .bind(reversed);
                batch
                    .push(
                        "UPDATE customers SET total_spent_minor = total_spent_minor - $3, \
                         total_orders = total_orders - $4, loyalty_points = $5, tier = $6, updated_at = $7 \
                         WHERE id = $1 AND tenant_id = $2",
                    )
                    .bind(order.customer_id)
                    .bind(ctx.tenant_id)
                    .bind(amount)
                    .bind(i64::from(fully_refunded))
                    .bind(after)
                    .bind(tier_after.rank())
                    .bind(now);
                Self::record_balance_change(&mut tx, &mut batch, ctx.tenant_id, Some(ctx.user_id), program, &change)
                    .await?;
                let entry = $crate::storage::ActivityEntry::by(
                    ctx,
                    $crate::domain::activity::ActivityAction::OrderRefunded,
                    $crate::domain::activity::TargetType::Customer,
                    order.customer_id,
                    "",
                    serde_json::json!({
                        "order_id": order_id,
                        "reference": order.reference,
                        "amount": $crate::domain::money::decimal_text(amount),
                        "points": after - before.points,
                        "reason": reason,
                    }),
                );
                Self::push_activity(&mut batch, &entry, now);
                batch.run(&mut *tx).await?;
                let refunded_order = Self::order_by_id(&mut *tx, ctx.tenant_id, order_id)
                    .await?
                    .ok_or($crate::storage::StorageError::MissingAfterWrite("order"))?;
                tx.commit().await?;
                Ok(RefundOutcome::Refunded(refunded_order))
            }
        }
    };
}

pub(crate) use impl_orders;
