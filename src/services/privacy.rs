//! Privacy requests: a customer's consent history, everything Patron holds about a customer, and
//! erasing their personal data for good.

use super::activity::ActivityView;
use super::{customers, paged, Core, Paged, ServiceError, ServiceResult};
use crate::domain::customer_query::PageRequest;
use crate::domain::{ConsentChange, Customer, Order, PointsEntry, RequestContext, TierChange};
use crate::storage::{ActivityFilter, Page, StorageResult};

/// Everything Patron holds about one customer, each list complete (oldest rows last).
#[derive(Clone, Debug)]
pub struct CustomerRecord {
    /// The customer.
    pub customer: Customer,
    /// Every change of consent, newest first.
    pub consents: Vec<ConsentChange>,
    /// Every order, newest first.
    pub orders: Vec<Order>,
    /// Every change of points, newest first.
    pub points_history: Vec<PointsEntry>,
    /// Every change of tier, newest first.
    pub tier_history: Vec<TierChange>,
    /// Every activity row about the customer, newest first.
    pub activity: Vec<ActivityView>,
}

/// A page of one of the caller's customers' consent changes, newest first.
pub async fn consent_history(
    core: &Core,
    ctx: &RequestContext,
    id: i64,
    page: PageRequest,
) -> ServiceResult<Paged<ConsentChange>> {
    paged(page, |offset, limit| core.storage.consent_history(ctx, id, offset, limit)).await
}

/// Everything held about one of the caller's customers (owners and managers).
pub async fn data_export(core: &Core, ctx: &RequestContext, id: i64) -> ServiceResult<CustomerRecord> {
    let customer = customers::get(core, ctx, id).await?;
    if !ctx.role.can_manage_customers() {
        return Err(ServiceError::Forbidden);
    }
    let storage = &core.storage;
    let filter = ActivityFilter {
        target_type: Some(crate::domain::activity::TargetType::Customer),
        target_id: Some(id),
        ..Default::default()
    };
    Ok(CustomerRecord {
        consents: all(storage.consent_history(ctx, id, 0, u64::MAX).await)?,
        orders: all(storage.customer_orders(ctx, id, 0, u64::MAX).await)?,
        points_history: all(storage.points_history(ctx, id, 0, u64::MAX).await)?,
        tier_history: all(storage.tier_history(ctx, id, 0, u64::MAX).await)?,
        activity: storage
            .activity(ctx, &filter, 0, u64::MAX)
            .await?
            .items
            .into_iter()
            .map(ActivityView::from)
            .collect(),
        customer,
    })
}

/// Every row of a customer's list (`None`: the customer went meanwhile).
fn all<T>(found: StorageResult<Option<Page<T>>>) -> ServiceResult<Vec<T>> {
    Ok(found?.ok_or(ServiceError::NotFound)?.items)
}

/// Erases one of the caller's customers' personal data for good (owners only); the customer is
/// returned as it is left.
pub async fn erase(core: &Core, ctx: &RequestContext, id: i64) -> ServiceResult<Customer> {
    customers::get(core, ctx, id).await?;
    if !ctx.role.can_erase_customers() {
        return Err(ServiceError::Forbidden);
    }
    core.storage.erase_customer(ctx, id).await?.ok_or(ServiceError::NotFound)
}
