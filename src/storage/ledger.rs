//! The points ledger: every change of a balance, with its reason, source and acting user, written
//! in the same transaction as the balance it changes.

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
}

impl PointsSource {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PointsSource::Manual => "manual",
            PointsSource::Edit => "edit",
            PointsSource::Create => "create",
        }
    }
}

/// One ledger row to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LedgerRow<'a> {
    /// Points actually applied.
    pub delta: i64,
    /// The balance after the change.
    pub balance_after: i64,
    /// Why.
    pub reason: &'a str,
    /// Where it came from.
    pub source: PointsSource,
}

/// Points changes and their history.
#[async_trait]
pub trait Ledger {
    /// Applies a points change (the balance clamped at zero and at the largest balance) in one
    /// statement, with its ledger row, in one transaction. `None` if the customer is not found.
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

/// Implements [`Ledger`] for a [`Dialect`](super::Dialect), with the `write_ledger` helper the
/// customer writes use.
macro_rules! impl_ledger {
    ($backend:ty) => {
        impl $backend {
            /// Writes one ledger row for a customer of the caller's tenant, as the caller.
            async fn write_ledger<'e, E>(
                executor: E,
                ctx: &$crate::domain::RequestContext,
                customer_id: i64,
                row: &$crate::storage::ledger::LedgerRow<'_>,
            ) -> $crate::storage::StorageResult<()>
            where
                E: sqlx::Executor<'e, Database = <$backend as $crate::storage::Dialect>::Db>,
            {
                sqlx::query(
                    "INSERT INTO points_ledger (tenant_id, customer_id, delta, balance_after, reason, source, \
                     user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(ctx.tenant_id)
                .bind(customer_id)
                .bind(row.delta)
                .bind(row.balance_after)
                .bind(row.reason)
                .bind(row.source.as_str())
                .bind(ctx.user_id)
                .bind($crate::storage::now())
                .execute(executor)
                .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::Ledger for $backend {
            async fn change_points(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
                change: &$crate::domain::customer_actions::PointsChange,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Customer>> {
                use $crate::storage::Dialect;
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
                .bind(change.points())
                .bind($crate::domain::customer_input::MAX_POINTS)
                .bind($crate::storage::now())
                .fetch_one(&mut *tx)
                .await?;
                let row = $crate::storage::ledger::LedgerRow {
                    delta: after - before,
                    balance_after: after,
                    reason: change.reason(),
                    source: $crate::storage::PointsSource::Manual,
                };
                Self::write_ledger(&mut *tx, ctx, id, &row).await?;
                Self::commit_with_customer(tx, ctx.tenant_id, id).await
            }

            async fn points_history(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Page<$crate::domain::PointsEntry>>> {
                use $crate::storage::Dialect;
                let exists: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM customers WHERE id = $1 AND tenant_id = $2")
                        .bind(id)
                        .bind(ctx.tenant_id)
                        .fetch_optional(self.pool())
                        .await?;
                if exists.is_none() {
                    return Ok(None);
                }
                let count: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM points_ledger WHERE customer_id = $1 AND tenant_id = $2")
                        .bind(id)
                        .bind(ctx.tenant_id)
                        .fetch_one(self.pool())
                        .await?;
                let items = sqlx::query_as(
                    "SELECT p.id, p.delta, p.balance_after, p.reason, p.source, p.user_id, u.email AS user_email, \
                     p.created_at FROM points_ledger p LEFT JOIN users u ON u.id = p.user_id \
                     WHERE p.customer_id = $1 AND p.tenant_id = $2 ORDER BY p.id DESC LIMIT $3 OFFSET $4",
                )
                .bind(id)
                .bind(ctx.tenant_id)
                .bind($crate::storage::sql::bigint(limit))
                .bind($crate::storage::sql::bigint(offset))
                .fetch_all(self.pool())
                .await?;
                Ok(Some($crate::storage::Page { count: $crate::storage::sql::count(count), items }))
            }
        }
    };
}

pub(crate) use impl_ledger;
