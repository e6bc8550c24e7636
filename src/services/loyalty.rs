//! The loyalty program: reading and changing it (owners), what a change of thresholds would do,
//! a customer's tier history, and expiring points.

use super::{paged, Core, Paged, ServiceError, ServiceResult};
use crate::domain::customer_query::PageRequest;
use crate::domain::{Input, LoyaltyProgram, RequestContext, TierChange, TierThresholds};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// The caller's tenant's program (any role).
pub async fn program(core: &Core, ctx: &RequestContext) -> ServiceResult<LoyaltyProgram> {
    Ok(core.storage.loyalty_program(ctx.tenant_id).await?)
}

/// A changed program and how many customers changed tier with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgramChanged {
    /// The program now.
    pub program: LoyaltyProgram,
    /// Customers whose tier the new thresholds changed.
    pub customers_moved: u64,
}

/// Replaces the program (owners: the role is checked before the input); every customer whose
/// tier changes with the new thresholds moves in the same transaction.
pub async fn set_program(
    core: &Core,
    ctx: &RequestContext,
    input: Input<LoyaltyProgram>,
) -> ServiceResult<ProgramChanged> {
    if !ctx.role.can_change_program() {
        return Err(ServiceError::Forbidden);
    }
    let program = input?;
    let customers_moved = core.storage.set_loyalty_program(ctx.tenant_id, &program, Some(ctx)).await?;
    Ok(ProgramChanged { program, customers_moved })
}

/// How many customers each tier (Bronze first) would hold with `thresholds` (owners).
pub async fn preview_tiers(core: &Core, ctx: &RequestContext, thresholds: TierThresholds) -> ServiceResult<[i64; 4]> {
    if !ctx.role.can_change_program() {
        return Err(ServiceError::Forbidden);
    }
    let all: i64 = core.storage.customer_counters(ctx).await?.iter().map(|bucket| bucket.customers).sum();
    let from = [thresholds.silver(), thresholds.gold(), thresholds.platinum()];
    let [silver_up, gold_up, platinum_up] = core.storage.customers_with_at_least(ctx, from).await?;
    Ok([all - silver_up, silver_up - gold_up, gold_up - platinum_up, platinum_up])
}

/// A page of a customer's tier changes, newest first.
pub async fn tier_history(
    core: &Core,
    ctx: &RequestContext,
    id: i64,
    page: PageRequest,
) -> ServiceResult<Paged<TierChange>> {
    paged(page, |offset, limit| core.storage.tier_history(ctx, id, offset, limit)).await
}

/// What an expiry run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expired {
    /// Points taken off balances.
    pub points: i64,
    /// Customers who lost points.
    pub customers: u64,
}

/// Expires every lot due at `as_of` (every tenant), in batches; lots already expired are never
/// expired again, so running it twice does nothing the second time.
pub async fn expire_points(core: &Core, as_of: DateTime<Utc>) -> ServiceResult<Expired> {
    let mut points = 0;
    let mut customers = HashSet::new();
    loop {
        let batch = core.storage.expire_lots(as_of).await?;
        if batch.lots == 0 {
            break;
        }
        points += batch.points;
        customers.extend(batch.customers);
    }
    Ok(Expired { points, customers: customers.len() as u64 })
}
