//! The duplicates page's data. Its forms post to plain handlers (`web::merge_forms`), which
//! answer with a redirect back to the page and a message offering Undo.

use super::team::Flash;
use crate::domain::merge::DuplicateGroup;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How many groups a page shows.
pub const GROUPS_PAGE_SIZE: u64 = 10;

/// The duplicates page's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DuplicatesPageData {
    /// Whether the caller may merge (owners and managers).
    pub allowed: bool,
    /// This page's groups.
    pub groups: Vec<DuplicateGroup>,
    /// Groups over every page.
    pub count: u64,
    /// This page's number (from 1).
    pub page: u64,
    /// Whether a next page exists.
    pub has_next: bool,
    /// The outcome of the last form, once.
    pub flash: Option<Flash>,
}

/// A page of the caller's groups of likely duplicates (the first page for a number past the end).
#[server(prefix = "/sfn", endpoint = "customers/duplicates")]
pub async fn duplicates_page(page: u64) -> Result<DuplicatesPageData, ServerFnError> {
    use super::customers::{caller, sentence};
    use crate::domain::customer_query::PageRequest;
    use crate::services::{merges, ServiceError};
    let (core, ctx) = caller().await?;
    let flash = super::team::server::take_flash().await;
    let first = PageRequest::first(GROUPS_PAGE_SIZE);
    let found = match merges::duplicates(&core, &ctx, PageRequest::number(page.max(1), GROUPS_PAGE_SIZE)).await {
        Err(ServiceError::InvalidPage) => merges::duplicates(&core, &ctx, first).await,
        other => other,
    };
    match found {
        Ok(found) => Ok(DuplicatesPageData {
            allowed: true,
            groups: found.items,
            count: found.count,
            page: found.number,
            has_next: found.has_next,
            flash,
        }),
        Err(ServiceError::Forbidden) => {
            Ok(DuplicatesPageData { allowed: false, groups: Vec::new(), count: 0, page: 1, has_next: false, flash })
        }
        Err(err) => Err(sentence(err)),
    }
}
