//! A page of a customer's rows (points history, orders, tier history), numbered as the list's
//! pages are: `page=last` and out-of-range pages behave as they do there.

use super::{ServiceError, ServiceResult};
use crate::domain::customer_query::{PageNumber, PageRequest};
use crate::storage::{Page, StorageResult};
use std::future::Future;

/// One page of rows and where it sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paged<T> {
    /// Rows over every page.
    pub count: u64,
    /// This page's number (from 1).
    pub number: u64,
    /// Whether a next page exists.
    pub has_next: bool,
    /// This page's rows.
    pub items: Vec<T>,
}

/// Loads the requested page with `load(offset, limit)`, which answers `None` when the customer
/// is not the caller's (→ not found).
pub async fn paged<T, F, Fut>(page: PageRequest, load: F) -> ServiceResult<Paged<T>>
where
    F: Fn(u64, u64) -> Fut,
    Fut: Future<Output = StorageResult<Option<Page<T>>>>,
{
    let asked = match page.number {
        PageNumber::Number(n) => n,
        PageNumber::Last => u64::MAX,
    };
    let offset = asked.saturating_sub(1).saturating_mul(page.size);
    let found = load(offset, page.size).await?.ok_or(ServiceError::NotFound)?;
    let number = page.resolve(found.count)?;
    let items = if page.number == PageNumber::Last {
        load((number - 1) * page.size, page.size).await?.map(|p| p.items).unwrap_or_default()
    } else {
        found.items
    };
    Ok(Paged { count: found.count, number, has_next: number * page.size < found.count, items })
}
