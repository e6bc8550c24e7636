//! Customers: listing, reading, creating, editing, deleting, points and bulk actions, with the
//! rules on roles, validation and tenants in one place.
//!
//! Inputs come as [`Input`]s, parsed by the edges but not yet opened: a use case on one customer
//! first makes sure the customer is the caller's ("not found" always comes first, so nothing is
//! learnt about other tenants' ids), then checks the caller's role, then the input.

use super::{paged, Core, Paged, ServiceError, ServiceResult};
use crate::domain::customer_actions::{BulkUpdate, PointsChange};
use crate::domain::customer_input::{CustomerPatch, NewCustomer};
use crate::domain::customer_query::{ListQuery, PageNumber, PageRequest};
use crate::domain::{
    Customer, FieldErrors, Input, InvalidInput, LoyaltyProgram, LoyaltyTier, PointsEntry, PointsExpiring,
    RequestContext,
};
use crate::storage::StorageError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The message for an email another of the tenant's customers has.
pub(crate) const DUPLICATE_EMAIL: &str = "Customer with this email already exists";

/// A page of customers and where it sits.
#[derive(Clone, Debug)]
pub struct CustomerPage {
    /// Customers matching, over all pages.
    pub count: u64,
    /// This page's number (from 1).
    pub number: u64,
    /// Whether a next page exists.
    pub has_next: bool,
    /// This page's customers.
    pub items: Vec<Customer>,
}

/// Lists the caller's customers.
pub async fn list(core: &Core, ctx: &RequestContext, query: &ListQuery) -> ServiceResult<CustomerPage> {
    let offset = offset_of(core, ctx, query).await?;
    let page = core.storage.list_customers(ctx, &query.filter, query.ordering, offset, query.page.size).await?;
    page_of(query, page)
}

/// Lists the caller's customers with the statistics and the tenant's loyalty program (what the
/// customers page shows on every view).
pub async fn list_with_stats(
    core: &Core,
    ctx: &RequestContext,
    query: &ListQuery,
) -> ServiceResult<(CustomerPage, CustomerStats, LoyaltyProgram)> {
    let offset = offset_of(core, ctx, query).await?;
    let (page, buckets, program) =
        core.storage.list_customers_with_counters(ctx, &query.filter, query.ordering, offset, query.page.size).await?;
    Ok((page_of(query, page)?, stats_of(buckets), program))
}

/// Where the asked page starts: page 1 and explicit pages are read in one go; the last page
/// needs the count first.
async fn offset_of(core: &Core, ctx: &RequestContext, query: &ListQuery) -> ServiceResult<u64> {
    let guess = match query.page.number {
        PageNumber::Number(n) => n,
        PageNumber::Last => query.page.resolve(core.storage.count_customers(ctx, &query.filter).await?)?,
    };
    Ok((guess - 1).saturating_mul(query.page.size))
}

/// The asked page of `page`'s rows, numbered (an error if it does not exist).
fn page_of(query: &ListQuery, page: crate::storage::Page<Customer>) -> ServiceResult<CustomerPage> {
    let number = query.page.resolve(page.count)?;
    Ok(CustomerPage { count: page.count, number, has_next: number * query.page.size < page.count, items: page.items })
}

/// One of the caller's customers.
pub async fn get(core: &Core, ctx: &RequestContext, id: i64) -> ServiceResult<Customer> {
    core.storage.customer(ctx, id).await?.ok_or(ServiceError::NotFound)
}

/// A customer with what is derived from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerDetail {
    /// The customer.
    pub customer: Customer,
    /// Total spent divided by orders (0 without orders), exact.
    pub average_order_value: Decimal,
    /// The points that expire next, if any will.
    pub points_expiring: Option<PointsExpiring>,
}

/// One of the caller's customers, with its average order value.
pub async fn detail(core: &Core, ctx: &RequestContext, id: i64) -> ServiceResult<CustomerDetail> {
    let (customer, points_expiring) =
        core.storage.customer_with_expiring(ctx, id).await?.ok_or(ServiceError::NotFound)?;
    let average_order_value = if customer.total_orders > 0 {
        Decimal::new(customer.total_spent_minor, 2) / Decimal::from(customer.total_orders)
    } else {
        Decimal::ZERO
    };
    Ok(CustomerDetail { customer, average_order_value, points_expiring })
}

/// `refusal`, unless the customer is not the caller's: then "not found", which always comes
/// first so that nothing is learnt about other tenants' ids.
async fn not_found_first(core: &Core, ctx: &RequestContext, id: i64, refusal: ServiceError) -> ServiceError {
    match get(core, ctx, id).await {
        Ok(_) => refusal,
        Err(lookup) => lookup,
    }
}

/// The refusal of an invalid input for customer `id`: "not found" if the customer is not the
/// caller's, else the input's own error. The one rule every edge relies on.
pub async fn refusal(core: &Core, ctx: &RequestContext, id: i64, invalid: InvalidInput) -> ServiceError {
    not_found_first(core, ctx, id, invalid.into()).await
}

/// The input for customer `id`, or the refusal that comes first.
pub(super) async fn open<T>(core: &Core, ctx: &RequestContext, id: i64, input: Input<T>) -> ServiceResult<T> {
    match input {
        Ok(value) => Ok(value),
        Err(invalid) => Err(refusal(core, ctx, id, invalid).await),
    }
}

fn duplicate_email(err: StorageError) -> ServiceError {
    match err {
        StorageError::Conflict => ServiceError::Validation(FieldErrors::single("email", DUPLICATE_EMAIL)),
        other => other.into(),
    }
}

/// Creates a customer (any role).
pub async fn create(core: &Core, ctx: &RequestContext, input: Input<NewCustomer>) -> ServiceResult<Customer> {
    let new = input?;
    core.storage.create_customer(ctx, &new).await.map_err(duplicate_email)
}

/// Changes a customer: the fields present in the patch (a PUT or the page's form carries them
/// all). Cashiers may not lower a balance through an edit.
pub async fn update(
    core: &Core,
    ctx: &RequestContext,
    id: i64,
    input: Input<CustomerPatch>,
) -> ServiceResult<Customer> {
    let patch = open(core, ctx, id, input).await?;
    if let (Some(points), false) = (patch.details.loyalty_points, ctx.role.can_manage_customers()) {
        let current = get(core, ctx, id).await?;
        if points < current.loyalty_points {
            return Err(ServiceError::Forbidden);
        }
    }
    core.storage.update_customer(ctx, id, &patch).await.map_err(duplicate_email)?.ok_or(ServiceError::NotFound)
}

/// Deletes a customer (owners and managers).
pub async fn delete(core: &Core, ctx: &RequestContext, id: i64) -> ServiceResult<()> {
    if !ctx.role.can_manage_customers() {
        return Err(ServiceError::Forbidden);
    }
    if core.storage.delete_customer(ctx, id).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The statistics cards.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CustomerStats {
    /// All customers.
    pub total_customers: i64,
    /// Active customers.
    pub active_customers: i64,
    /// Points held by all customers.
    pub total_loyalty_points: i64,
    /// Customers per tier.
    pub customers_by_tier: TierCounts,
}

/// Customers per tier.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TierCounts {
    /// In Platinum (by the tenant's thresholds).
    pub platinum: i64,
    /// In Gold.
    pub gold: i64,
    /// In Silver.
    pub silver: i64,
    /// In Bronze.
    pub bronze: i64,
}

/// The caller's statistics, from the maintained counters.
pub async fn stats(core: &Core, ctx: &RequestContext) -> ServiceResult<CustomerStats> {
    Ok(stats_of(core.storage.customer_counters(ctx).await?))
}

/// The statistics summed from the counters' buckets.
fn stats_of(buckets: Vec<crate::storage::CounterBucket>) -> CustomerStats {
    let mut stats = CustomerStats::default();
    for bucket in buckets {
        stats.total_customers += bucket.customers;
        stats.total_loyalty_points += bucket.points;
        if bucket.is_active {
            stats.active_customers += bucket.customers;
        }
        let tier = &mut stats.customers_by_tier;
        *match bucket.tier {
            LoyaltyTier::Platinum => &mut tier.platinum,
            LoyaltyTier::Gold => &mut tier.gold,
            LoyaltyTier::Silver => &mut tier.silver,
            LoyaltyTier::Bronze => &mut tier.bronze,
        } += bucket.customers;
    }
    stats
}

/// Adds or deducts points with a reason. Cashiers may only add.
pub async fn change_points(
    core: &Core,
    ctx: &RequestContext,
    id: i64,
    input: Input<PointsChange>,
) -> ServiceResult<Customer> {
    let change = open(core, ctx, id, input).await?;
    if change.is_deduction() && !ctx.role.can_manage_customers() {
        return Err(not_found_first(core, ctx, id, ServiceError::Forbidden).await);
    }
    core.storage.change_points(ctx, id, &change).await?.ok_or(ServiceError::NotFound)
}

/// Activates or deactivates many customers (owners and managers: the role is checked before the
/// input); returns how many of the ids are the caller's customers.
pub async fn bulk_set_active(core: &Core, ctx: &RequestContext, input: Input<BulkUpdate>) -> ServiceResult<u64> {
    if !ctx.role.can_manage_customers() {
        return Err(ServiceError::Forbidden);
    }
    let update = input?;
    Ok(core.storage.set_customers_active(ctx, &update).await?)
}

/// A page of a customer's points history, newest first.
pub async fn points_history(
    core: &Core,
    ctx: &RequestContext,
    id: i64,
    page: PageRequest,
) -> ServiceResult<Paged<PointsEntry>> {
    paged(page, |offset, limit| core.storage.points_history(ctx, id, offset, limit)).await
}
