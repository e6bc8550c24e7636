//! The points ledger: every change of a balance, with its reason, source and acting user, written
//! in the same transaction as the balance it changes (see `balance.rs`).

use super::{Page, StorageResult};
use crate::domain::customer_actions::PointsChange;
use crate::domain::{Customer, PointsEntry, RequestContext};
use async_trait::async_trait;

/// Where a points change came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PointsSource {
    /// `update_points` (or the Points dialog).
    Manual,
    /// An edit of the customer that set a new balance.
    Edit,
    /// The balance given when the customer was created.
    Create,
    /// Points an order earned.
    Order,
    /// Points a refund took back.
    Refund,
    /// Points that expired.
    Expiry,
    /// The balance of an imported customer.
    Import,
}

impl PointsSource {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PointsSource::Manual => "manual",
            PointsSource::Edit => "edit",
            PointsSource::Create => "create",
            PointsSource::Order => "order",
            PointsSource::Refund => "refund",
            PointsSource::Expiry => "expiry",
            PointsSource::Import => "import",
        }
    }
}

/// Points changes and their history.
#[async_trait]
pub trait Ledger {
    /// Applies a points change (the balance clamped at zero and at the largest balance) with its
    /// ledger row, lots and tier change, in one transaction. `None` if the customer is not found.
    async fn change_points(
        &self,
        ctx: &RequestContext,
        id: i64,
        change: &PointsChange,
    ) -> StorageResult<Option<Customer>>;

    /// A page of a customer's points history, newest first. `None` if the customer is not found.
    async fn points_history(
        &self,
        ctx: &RequestContext,
        id: i64,
        offset: u64,
        limit: u64,
    ) -> StorageResult<Option<Page<PointsEntry>>>;
}

/// Implements [`Ledger`] for a [`Dialect`](super::Dialect) that has the balance helpers.
macro_rules! impl_ledger {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::Ledger for $backend {
            async fn change_points(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
                change: &$crate::domain::customer_actions::PointsChange,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Customer>> {
                use $crate::storage::Dialect;
                let ctx = *ctx;
                let change = change.clone();
                self.write(Box::new(move |tx| Box::pin(async move {
                    let Some((program, customer)) = Self::held_program_and_customer(tx, ctx.tenant_id, id).await?
                    else {
                        return Ok(None);
                    };
                    let before = $crate::storage::balance::HeldCustomer::from(&customer);
                    // Clamped at zero and at the largest balance.
                    let after = $crate::domain::loyalty::balance_after(before.points, change.points());
                    let tier_after = program.tiers().tier_of(after);
                    let at = $crate::storage::now();
                    let requested = change.points();
                    // The update, its ledger row and its activity row go to the database together.
                    let mut batch = Self::write_batch();
                    batch
                        .push(
                            "UPDATE customers SET loyalty_points = $3, tier = $4, updated_at = $5 \
                             WHERE id = $1 AND tenant_id = $2",
                        )
                        .bind(id)
                        .bind(ctx.tenant_id)
                        .bind(after)
                        .bind(tier_after.rank())
                        .bind(at);
                    let change = $crate::storage::balance::BalanceChange {
                        customer_id: id,
                        before,
                        after,
                        tier_after,
                        reason: change.reason(),
                        source: $crate::storage::PointsSource::Manual,
                        cause: $crate::domain::TierCause::Manual,
                        always_ledger: false,
                        at,
                    };
                    Self::record_balance_change(tx, &mut batch, ctx.tenant_id, Some(ctx.user_id), program, &change)
                        .await?;
                    let entry = $crate::storage::ActivityEntry::by(
                        &ctx,
                        $crate::domain::activity::ActivityAction::CustomerPointsChanged,
                        $crate::domain::activity::TargetType::Customer,
                        id,
                        "",
                        serde_json::json!({
                            "points": requested,
                            "from": change.before.points,
                            "to": after,
                            "reason": change.reason,
                        }),
                    );
                    Self::push_activity(&mut batch, &entry, at);
                    batch.run(&mut **tx).await?;
                    // The row as the update left it, without reading it again.
                    Ok(Some($crate::domain::Customer {
                        loyalty_points: after,
                        tier_rank: tier_after.rank(),
                        updated_at: at,
                        ..customer
                    }))
                }))).await
            }

            async fn points_history(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Page<$crate::domain::PointsEntry>>> {
                self.customer_page(
                    ctx.tenant_id,
                    id,
                    "SELECT COUNT(*) FROM points_ledger WHERE customer_id = $1 AND tenant_id = $2",
                    "SELECT p.id, p.delta, p.balance_after, p.reason, p.source, p.user_id, u.email AS user_email, \
                     p.created_at FROM points_ledger p LEFT JOIN users u ON u.id = p.user_id \
                     WHERE p.customer_id = $1 AND p.tenant_id = $2 ORDER BY p.id DESC LIMIT $3 OFFSET $4",
                    offset,
                    limit,
                )
                .await
            }
        }
    };
}

pub(crate) use impl_ledger;
