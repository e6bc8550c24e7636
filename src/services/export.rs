//! Exporting customers: every customer matching a list's filters, search and ordering, streamed
//! as the database yields them.

use super::{Core, ServiceError, ServiceResult};
use crate::domain::customer_query::{CustomerFilter, Ordering};
use crate::domain::{Customer, RequestContext};
use tokio::sync::{mpsc, oneshot};

/// How many customers wait between the database and the response at most.
const IN_FLIGHT: usize = 512;

/// An export under way: the customers as they come, then how it ended.
pub struct CustomerExport {
    /// The first customer (`None`: there are none).
    pub first: Option<Customer>,
    /// The customers after it, in the requested ordering; closed at the end or on a failure.
    pub rows: mpsc::Receiver<Customer>,
    /// Whether every customer was sent (an error means the rows stopped short); `None` when
    /// that is already known to be so.
    pub outcome: Option<oneshot::Receiver<ServiceResult<()>>>,
}

/// Starts exporting the caller's customers that match `filter`, in `ordering` (any role may
/// export what it may list). It answers once the first customer is read, so that a query the
/// database refuses is an error rather than a file cut short.
pub async fn export(
    core: &Core,
    ctx: RequestContext,
    filter: CustomerFilter,
    ordering: Ordering,
) -> ServiceResult<CustomerExport> {
    let (sink, mut rows) = mpsc::channel(IN_FLIGHT);
    let (done, outcome) = oneshot::channel();
    let storage = core.storage.clone();
    tokio::spawn(async move {
        let result = storage.export_customers(&ctx, &filter, ordering, &sink).await.map_err(ServiceError::from);
        if let Err(err) = &result {
            tracing::error!(error = %err.chain(), "customer export failed");
        }
        // The reader may have gone (the client left): nobody is told then.
        let _ = done.send(result);
    });
    let first = rows.recv().await;
    if first.is_some() {
        return Ok(CustomerExport { first, rows, outcome: Some(outcome) });
    }
    match outcome.await {
        Ok(Err(err)) => Err(err),
        _ => Ok(CustomerExport { first, rows, outcome: None }),
    }
}
