//! Duplicate customers and merges: listing the groups that look like one person, merging them
//! into one, and undoing a merge within 30 days (owners and managers).

use super::{paged, Core, Paged, ServiceError, ServiceResult};
use crate::domain::customer_query::PageRequest;
use crate::domain::merge::{DuplicateGroup, MergeRequest, MergeSummary};
use crate::domain::{Customer, InvalidInput, RequestContext};
use crate::storage::{MergeOutcome, UndoOutcome};

/// A merge done: its id (for undo) and the survivor as it is now.
#[derive(Clone, Debug)]
pub struct Merged {
    /// What undo takes.
    pub merge_id: i64,
    /// The survivor.
    pub customer: Customer,
}

/// Refuses callers who may not merge (cashiers).
fn may_merge(ctx: &RequestContext) -> ServiceResult<()> {
    if ctx.role.can_manage_customers() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// A page of the caller's duplicate groups: same email, then same phone, then same name and city.
pub async fn duplicates(core: &Core, ctx: &RequestContext, page: PageRequest) -> ServiceResult<Paged<DuplicateGroup>> {
    may_merge(ctx)?;
    paged(page, |offset, limit| async move { core.storage.duplicate_groups(ctx, offset, limit).await.map(Some) }).await
}

/// Merges the caller's customers `merge_ids` (as read from the request) into `survivor` (see
/// [`MergeRequest`] for what is refused); a caller who may not merge is refused before the ids.
pub async fn merge(
    core: &Core,
    ctx: &RequestContext,
    survivor: i64,
    merge_ids: Result<Vec<i64>, InvalidInput>,
) -> ServiceResult<Merged> {
    may_merge(ctx)?;
    let request = MergeRequest::new(survivor, merge_ids?).map_err(ServiceError::Validation)?;
    match core.storage.merge_customers(ctx, &request).await? {
        MergeOutcome::NotFound => Err(ServiceError::NotFound),
        MergeOutcome::TooManyPoints => Err(ServiceError::Unprocessable(
            "Together these customers hold more points than one customer can (2,147,483,647).",
        )),
        MergeOutcome::Merged { merge_id, customer } => Ok(Merged { merge_id, customer: *customer }),
    }
}

/// Undoes one of the caller's merges: the survivor, then each customer it absorbed, as they are
/// after the undo.
pub async fn undo(core: &Core, ctx: &RequestContext, merge_id: i64) -> ServiceResult<Vec<Customer>> {
    may_merge(ctx)?;
    match core.storage.undo_merge(ctx, merge_id).await? {
        UndoOutcome::NotFound => Err(ServiceError::NotFound),
        UndoOutcome::AlreadyUndone => Err(ServiceError::Conflict("This merge has already been undone.")),
        UndoOutcome::Expired => {
            Err(ServiceError::Conflict("This merge is more than 30 days old and can no longer be undone."))
        }
        UndoOutcome::PointsSpent => Err(ServiceError::Conflict(
            "The merged customer has since spent points the others brought; the merge can no longer be undone.",
        )),
        UndoOutcome::EmailTaken => Err(ServiceError::Conflict(
            "Another customer now has the email of a merged customer; change it before undoing the merge.",
        )),
        UndoOutcome::Undone(customers) => Ok(customers),
    }
}

/// The latest merges one of the caller's customers survived, newest first (empty for callers
/// who may not merge).
pub async fn merges_into(core: &Core, ctx: &RequestContext, customer_id: i64) -> ServiceResult<Vec<MergeSummary>> {
    if may_merge(ctx).is_err() {
        return Ok(Vec::new());
    }
    Ok(core.storage.merges_into(ctx, customer_id).await?)
}
