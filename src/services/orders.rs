//! Orders from the till and their refunds. Any staff records an order; owners and managers
//! refund. "Not found" comes first, then the role, then the input.

use super::{paged, Core, Paged, ServiceError, ServiceResult};
use crate::domain::customer_query::PageRequest;
use crate::domain::order::REFERENCE_TAKEN;
use crate::domain::{FieldErrors, Input, NewOrder, Order, Refund, RequestContext};
use crate::storage::{OrderRecorded, RefundOutcome};

/// A recorded order, and whether it was recorded by this call or found from an earlier one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The order.
    pub order: Order,
    /// False when the same order was recorded before (a till's retry): nothing was applied.
    pub created: bool,
}

/// Records an order for customer `id` (any role).
pub async fn record(core: &Core, ctx: &RequestContext, id: i64, input: Input<NewOrder>) -> ServiceResult<Recorded> {
    let new = super::customers::open(core, ctx, id, input).await?;
    let ordered_at = super::customers::open(core, ctx, id, new.dated(core.clock.now())).await?;
    match core.storage.record_order(ctx, id, &new, ordered_at).await? {
        None => Err(ServiceError::NotFound),
        Some(OrderRecorded::Created(order)) => Ok(Recorded { order, created: true }),
        Some(OrderRecorded::Retried(order)) => Ok(Recorded { order, created: false }),
        Some(OrderRecorded::ReferenceTaken) => {
            Err(ServiceError::FieldConflict(FieldErrors::single("reference", REFERENCE_TAKEN)))
        }
    }
}

/// A page of a customer's orders, newest first.
pub async fn list(core: &Core, ctx: &RequestContext, id: i64, page: PageRequest) -> ServiceResult<Paged<Order>> {
    paged(page, |offset, limit| core.storage.customer_orders(ctx, id, offset, limit)).await
}

/// Refunds part or the rest of an order (owners and managers).
pub async fn refund(core: &Core, ctx: &RequestContext, order_id: i64, input: Input<Refund>) -> ServiceResult<Order> {
    let refused = match input {
        Ok(refund) if ctx.role.can_manage_customers() => return apply_refund(core, ctx, order_id, &refund).await,
        Ok(_) => ServiceError::Forbidden,
        Err(invalid) if ctx.role.can_manage_customers() => invalid.into(),
        Err(_) => ServiceError::Forbidden,
    };
    // Not found comes before the role and the input, so other tenants' order ids stay unknown;
    // the order is looked up only to refuse.
    match core.storage.order(ctx, order_id).await? {
        None => Err(ServiceError::NotFound),
        Some(_) => Err(refused),
    }
}

async fn apply_refund(core: &Core, ctx: &RequestContext, order_id: i64, refund: &Refund) -> ServiceResult<Order> {
    match core.storage.refund_order(ctx, order_id, refund).await? {
        RefundOutcome::NotFound => Err(ServiceError::NotFound),
        RefundOutcome::Refused(invalid) => Err(invalid.into()),
        RefundOutcome::Refunded(order) => Ok(order),
    }
}
