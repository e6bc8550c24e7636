//! How a balance changes, the same for every cause: inside the write's transaction, the tenant's
//! program is read (and, in PostgreSQL, share-locked, so a change of thresholds waits for writes
//! in flight and the writes after it see the new thresholds), the customer's row is locked, and
//! the change writes its ledger row, adds or consumes expiring lots (oldest first) and records a
//! change of tier.

use super::PointsSource;
use crate::domain::{LoyaltyProgram, LoyaltyTier, TierCause};
use chrono::{DateTime, Utc};

/// A customer's row as a write holds it (locked).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeldCustomer {
    /// Balance before the write.
    pub points: i64,
    /// Stored tier before the write.
    pub tier: LoyaltyTier,
    /// Whether the customer is active.
    pub is_active: bool,
}

impl From<&crate::domain::Customer> for HeldCustomer {
    fn from(customer: &crate::domain::Customer) -> Self {
        HeldCustomer { points: customer.loyalty_points, tier: customer.tier(), is_active: customer.is_active }
    }
}

/// A change of balance already written to the customer's row, to record around it.
#[derive(Clone, Copy, Debug)]
pub struct BalanceChange<'a> {
    /// The customer.
    pub customer_id: i64,
    /// The balance and tier before.
    pub before: HeldCustomer,
    /// The balance after.
    pub after: i64,
    /// The tier after.
    pub tier_after: LoyaltyTier,
    /// The ledger row's reason.
    pub reason: &'a str,
    /// The ledger row's source.
    pub source: PointsSource,
    /// The cause of a tier change.
    pub cause: TierCause,
    /// Whether a ledger row is written even when nothing was applied (a refund clamped at zero).
    pub always_ledger: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// A customer's whole row held for a write, with the tenant's stored program.
/// A change of one customer's tier, as a `tier_changes` row records it.
#[derive(Clone, Copy, Debug)]
pub struct TierStep {
    /// Whose tier.
    pub customer_id: i64,
    /// The tier now.
    pub tier: LoyaltyTier,
    /// The tier before (`None` for a new customer).
    pub previous: Option<LoyaltyTier>,
    /// What changed it.
    pub cause: TierCause,
    /// When.
    pub at: DateTime<Utc>,
}

impl TierStep {
    /// A merge (or its undo) moving `customer_id` from `previous` to `tier`.
    pub fn by_merge(customer_id: i64, tier: LoyaltyTier, previous: LoyaltyTier, at: DateTime<Utc>) -> Self {
        TierStep { customer_id, tier, previous: Some(previous), cause: TierCause::Merge, at }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct HeldRow {
    /// The customer as it is before the write.
    #[sqlx(flatten)]
    pub customer: crate::domain::Customer,
    /// The program's spend per point, in minor units.
    pub spend_per_point_minor: i64,
    /// After how many days points expire, if they do.
    pub points_expire_after_days: Option<i64>,
    /// The Silver threshold.
    pub tier_silver: i64,
    /// The Gold threshold.
    pub tier_gold: i64,
    /// The Platinum threshold.
    pub tier_platinum: i64,
}

impl HeldRow {
    /// The tenant's program.
    pub fn program(&self) -> LoyaltyProgram {
        stored_program(
            self.spend_per_point_minor,
            self.points_expire_after_days,
            self.tier_silver,
            self.tier_gold,
            self.tier_platinum,
        )
    }
}

/// The program from the tenant's stored columns (defaults if they were ever inconsistent).
pub(crate) fn stored_program(
    spend_per_point_minor: i64,
    points_expire_after_days: Option<i64>,
    silver: i64,
    gold: i64,
    platinum: i64,
) -> LoyaltyProgram {
    crate::domain::TierThresholds::new(silver, gold, platinum)
        .and_then(|tiers| LoyaltyProgram::new(spend_per_point_minor, points_expire_after_days, tiers))
        .unwrap_or_else(|errors| {
            tracing::error!(?errors, "a tenant's stored loyalty program is invalid; using the defaults");
            LoyaltyProgram::default()
        })
}

/// The SQL columns of a tenant's program, in [`stored_program`]'s order.
pub(crate) const PROGRAM_COLUMNS: &str =
    "spend_per_point_minor, points_expire_after_days, tier_silver, tier_gold, tier_platinum";

/// Implements the balance helpers for a [`Dialect`](super::Dialect).
macro_rules! impl_balance {
    ($backend:ty) => {
        impl $backend {
            /// The tenant's program, share-locked for the rest of the transaction where the
            /// database has row locks.
            async fn held_program(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
            ) -> $crate::storage::StorageResult<$crate::domain::LoyaltyProgram> {
                use $crate::storage::Dialect;
                let row: (i64, Option<i64>, i64, i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {} FROM tenants WHERE id = $1{}",
                    $crate::storage::balance::PROGRAM_COLUMNS,
                    Self::SHARE_ROW
                )))
                .bind(tenant_id)
                .fetch_one(&mut **tx)
                .await?;
                Ok($crate::storage::balance::stored_program(row.0, row.1, row.2, row.3, row.4))
            }

            /// What creating a customer needs first: the tenant's program (held as
            /// [`Self::held_program`] holds it), the tenant's name and the new customer's id.
            async fn held_program_for_create(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
            ) -> $crate::storage::StorageResult<($crate::domain::LoyaltyProgram, String, i64)> {
                // The first statement of a create: it sets the savepoint of a write in a group.
                const SQL: &str = const_format::concatcp!(
                    "SELECT ",
                    $crate::storage::balance::PROGRAM_COLUMNS,
                    ", name, ",
                    <$backend as $crate::storage::Dialect>::NEXT_CUSTOMER_ID,
                    " FROM tenants WHERE id = $1",
                    <$backend as $crate::storage::Dialect>::SHARE_ROW
                );
                const WITH_SAVEPOINT: &str = const_format::concatcp!($crate::storage::write_groups::SAVEPOINT, SQL);
                let first = $crate::storage::write_groups::FirstStatement::choose(SQL, WITH_SAVEPOINT);
                let row: (i64, Option<i64>, i64, i64, i64, String, i64) =
                    sqlx::query_as(first.sql).bind(tenant_id).fetch_one(&mut **tx).await?;
                first.ran();
                let program = $crate::storage::balance::stored_program(row.0, row.1, row.2, row.3, row.4);
                Ok((program, row.5, row.6))
            }

            /// The tenant's program (held as [`Self::held_program`] holds it) and one of its
            /// customers' whole row (locked), or `None` if the customer is not the tenant's.
            /// Without row locks (SQLite: the write transaction excludes other writers) one
            /// joined read; with them, the program first, then the customer, the order every
            /// write takes its locks in.
            async fn held_program_and_customer(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<($crate::domain::LoyaltyProgram, $crate::domain::Customer)>>
            {
                use $crate::storage::Dialect;
                if Self::LOCK_ROW.is_empty() {
                    const SQL: &str = const_format::concatcp!(
                        "SELECT ",
                        $crate::storage::sql::CUSTOMER_COLUMNS,
                        ", ",
                        $crate::storage::balance::PROGRAM_COLUMNS,
                        " FROM customers c JOIN tenants t ON t.id = c.tenant_id WHERE c.id = $1 AND c.tenant_id = $2"
                    );
                    // The first statement of a points change or an order: it sets the savepoint
                    // of a write in a group.
                    const WITH_SAVEPOINT: &str = const_format::concatcp!($crate::storage::write_groups::SAVEPOINT, SQL);
                    let first = $crate::storage::write_groups::FirstStatement::choose(SQL, WITH_SAVEPOINT);
                    let row: Option<$crate::storage::balance::HeldRow> =
                        sqlx::query_as(first.sql).bind(id).bind(tenant_id).fetch_optional(&mut **tx).await?;
                    first.ran();
                    return Ok(row.map(|row| (row.program(), row.customer)));
                }
                let program = Self::held_program(tx, tenant_id).await?;
                const SQL: &str = const_format::concatcp!(
                    $crate::storage::sql::CUSTOMER_SELECT,
                    " WHERE c.id = $1 AND c.tenant_id = $2 FOR UPDATE OF c"
                );
                let customer = sqlx::query_as(SQL).bind(id).bind(tenant_id).fetch_optional(&mut **tx).await?;
                Ok(customer.map(|customer| (program, customer)))
            }

            /// Adds to `batch` what goes with a balance change applied to the customer's row in the
            /// same batch: the ledger row, a new lot (points added while points expire) or lots
            /// consumed oldest first (points taken; the lots are read here, through `tx`), and the
            /// tier change.
            async fn record_balance_change(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                batch: &mut $crate::storage::write_batch::WriteBatch<<$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                user_id: Option<i64>,
                program: $crate::domain::LoyaltyProgram,
                change: &$crate::storage::balance::BalanceChange<'_>,
            ) -> $crate::storage::StorageResult<()> {
                let delta = change.after - change.before.points;
                if delta != 0 || change.always_ledger {
                    batch
                        .push(
                            "INSERT INTO points_ledger (tenant_id, customer_id, delta, balance_after, reason, source, \
                             user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(tenant_id)
                        .bind(change.customer_id)
                        .bind(delta)
                        .bind(change.after)
                        .bind(change.reason)
                        .bind(change.source.as_str())
                        .bind(user_id)
                        .bind(change.at);
                }
                if delta > 0 {
                    if let Some(days) = program.points_expire_after_days() {
                        batch
                            .push(
                                "INSERT INTO points_lots (tenant_id, customer_id, remaining, expires_at, created_at) \
                                 VALUES ($1, $2, $3, $4, $5)",
                            )
                            .bind(tenant_id)
                            .bind(change.customer_id)
                            .bind(delta)
                            .bind(change.at + chrono::Duration::days(days))
                            .bind(change.at);
                    }
                } else if delta < 0 {
                    Self::consume_lots(tx, batch, change.customer_id, change.before.points, -delta).await?;
                }
                if change.tier_after != change.before.tier {
                    let step = $crate::storage::balance::TierStep {
                        customer_id: change.customer_id,
                        tier: change.tier_after,
                        previous: Some(change.before.tier),
                        cause: change.cause,
                        at: change.at,
                    };
                    Self::push_tier_change(batch, tenant_id, &step);
                }
                Ok(())
            }

            /// Takes `taken` points out of a balance of `before`: first from the points that
            /// never expire (the oldest), then from the lots, oldest first. The lots are read
            /// through `tx` (no statement of `batch` touches them) and updated in `batch`.
            async fn consume_lots(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                batch: &mut $crate::storage::write_batch::WriteBatch<<$backend as $crate::storage::Dialect>::Db>,
                customer_id: i64,
                before: i64,
                taken: i64,
            ) -> $crate::storage::StorageResult<()> {
                let lots: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT id, remaining FROM points_lots WHERE customer_id = $1 AND remaining > 0 ORDER BY id",
                )
                .bind(customer_id)
                .fetch_all(&mut **tx)
                .await?;
                let in_lots: i64 = lots.iter().map(|(_, remaining)| remaining).sum();
                let mut from_lots = taken - (before - in_lots).max(0);
                for (id, remaining) in lots {
                    if from_lots <= 0 {
                        break;
                    }
                    let used = remaining.min(from_lots);
                    from_lots -= used;
                    batch.push("UPDATE points_lots SET remaining = remaining - $2 WHERE id = $1").bind(id).bind(used);
                }
                Ok(())
            }

            /// Records a change of a customer's tier on `connection` (the change's transaction).
            async fn record_tier_change(
                connection: &mut <<$backend as $crate::storage::Dialect>::Db as sqlx::Database>::Connection,
                tenant_id: i64,
                step: &$crate::storage::balance::TierStep,
            ) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                let mut batch = Self::write_batch();
                Self::push_tier_change(&mut batch, tenant_id, step);
                batch.run(connection).await
            }

            /// Adds a change of a customer's tier to a write's batch.
            fn push_tier_change(
                batch: &mut $crate::storage::write_batch::WriteBatch<<$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                step: &$crate::storage::balance::TierStep,
            ) {
                batch
                    .push(
                        "INSERT INTO tier_changes (tenant_id, customer_id, tier, previous_tier, cause, changed_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(tenant_id)
                    .bind(step.customer_id)
                    .bind(step.tier.rank())
                    .bind(step.previous.map($crate::domain::LoyaltyTier::rank))
                    .bind(step.cause.as_str())
                    .bind(step.at);
            }
        }
    };
}

pub(crate) use impl_balance;
