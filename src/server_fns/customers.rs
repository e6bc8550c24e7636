//! Server functions of the customers page: each gets the caller from the session, builds the
//! service's input from the page's form or URL state (see `form.rs`), and calls one service,
//! exactly as the REST handlers do.

use crate::domain::{Customer, Order, PointsEntry, PointsExpiring, TierChange};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
mod form;

/// The customers page's query, as it appears in the URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageQuery {
    /// `search=`
    pub search: String,
    /// `loyalty_level=` (bronze, silver, gold, platinum or empty)
    pub loyalty_level: String,
    /// `status=` (active, inactive or empty)
    pub status: String,
    /// `ordering=`
    pub ordering: String,
    /// `page=`
    pub page: String,
}

/// Statistics for the cards.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatsView {
    /// All customers.
    pub total: i64,
    /// Active customers.
    pub active: i64,
    /// Points held.
    pub points: i64,
    /// Bronze, Silver, Gold, Platinum counts.
    pub tiers: [i64; 4],
}

/// One page of the list, with the statistics and the tier thresholds: what the board shows
/// (written as HTML on the server, `pages::customers::board_markup`).
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListView {
    /// Matching customers over all pages.
    pub count: u64,
    /// This page (from 1).
    pub page: u64,
    /// The rows.
    pub items: Vec<CustomerRow>,
    /// The tenant's statistics.
    pub stats: StatsView,
    /// The tenant's tier thresholds (for the tier a points change would reach).
    pub tiers: crate::domain::TierThresholds,
}

/// A customer as the page's list shows it and its dialogs edit it: what the browser needs and
/// nothing more. The list's data is written into the page for the dialogs (`BoardData`), and again
/// with every view of the list, so each field left out (the tenant, the totals spent, the
/// record's times) is bytes and work saved on every view.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRow {
    /// Id.
    pub id: i64,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone, or empty.
    pub phone: String,
    /// Street address, or empty.
    pub address: String,
    /// City, or empty.
    pub city: String,
    /// Province, or empty.
    pub province: String,
    /// Postal code, or empty.
    pub postal_code: String,
    /// Free notes.
    pub notes: String,
    /// Current points balance.
    pub loyalty_points: i64,
    /// Orders placed.
    pub total_orders: i64,
    /// Whether the customer is active.
    pub is_active: bool,
    /// Consents to marketing by email.
    pub marketing_email: bool,
    /// Consents to marketing by text message.
    pub marketing_sms: bool,
    /// The day of the last order, `YYYY-MM-DD`, or empty for none.
    pub last_order_day: String,
    /// The stored tier's rank (0 Bronze … 3 Platinum).
    pub tier_rank: i64,
}

impl CustomerRow {
    /// The customer's tier.
    pub fn tier(&self) -> crate::domain::LoyaltyTier {
        crate::domain::LoyaltyTier::from_rank(self.tier_rank)
    }
}

#[cfg(feature = "ssr")]
impl From<Customer> for CustomerRow {
    fn from(c: Customer) -> Self {
        CustomerRow {
            last_order_day: c.last_order_date.as_ref().map(crate::domain::dates::day).unwrap_or_default(),
            id: c.id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            address: c.address,
            city: c.city,
            province: c.province,
            postal_code: c.postal_code,
            notes: c.notes,
            loyalty_points: c.loyalty_points,
            total_orders: c.total_orders,
            is_active: c.is_active,
            marketing_email: c.marketing_email,
            marketing_sms: c.marketing_sms,
            tier_rank: c.tier_rank,
        }
    }
}

/// The editable fields of the customer form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerForm {
    /// Full name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Address.
    pub address: String,
    /// City.
    pub city: String,
    /// Province.
    pub province: String,
    /// Postal code.
    pub postal_code: String,
    /// Notes.
    pub notes: String,
    /// Active.
    pub is_active: bool,
    /// Consents to marketing by email.
    pub marketing_email: bool,
    /// Consents to marketing by text message.
    pub marketing_sms: bool,
    /// Points balance, as typed (empty: unchanged on edit, 0 on create).
    pub loyalty_points: String,
    /// Last order day `YYYY-MM-DD`, or empty for none.
    pub last_order_date: String,
}

/// Messages per field, as the server sends them to a form.
pub type FieldMessages = BTreeMap<String, Vec<String>>;

/// Field messages from the server, or the saved customer as the list shows it.
pub type FormResult = Result<CustomerRow, FieldMessages>;

/// A customer with a page of its points history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailView {
    /// The customer.
    pub customer: Customer,
    /// Average order value in minor units.
    pub average_order_minor: i64,
    /// History rows on this page, newest first.
    pub history: Vec<PointsEntry>,
    /// All history rows.
    pub history_count: u64,
    /// This history page.
    pub history_page: u64,
    /// Orders on this page, newest first.
    pub orders: Vec<Order>,
    /// All orders.
    pub orders_count: u64,
    /// This orders page.
    pub orders_page: u64,
    /// The latest tier changes, newest first.
    pub tiers: Vec<TierChange>,
    /// All tier changes.
    pub tiers_count: u64,
    /// The points that expire next.
    pub points_expiring: Option<PointsExpiring>,
    /// Whether the caller may refund orders.
    pub can_refund: bool,
    /// Whether the caller may erase the customer (owners).
    pub can_erase: bool,
    /// The merges into this customer that can still be undone, newest first (for owners and
    /// managers).
    pub merges: Vec<crate::domain::merge::MergeSummary>,
    /// The outcome of the last form (an undone merge), once.
    pub flash: Option<super::team::Flash>,
}

#[cfg(feature = "ssr")]
pub(crate) use server::{caller, form_result, list_view, sentence};

#[cfg(feature = "ssr")]
mod server {
    use super::{CustomerRow, ListView, PageQuery, StatsView};
    use crate::domain::customer_query::PageRequest;
    use crate::domain::RequestContext;
    use crate::services::{Core, ServiceError, ServiceResult};
    use crate::web::session::SessionContext;
    use leptos::prelude::*;

    /// The services' core and the signed-in caller, or an error the page shows.
    pub async fn caller() -> Result<(Core, RequestContext), ServerFnError> {
        let session = leptos_axum::extract::<SessionContext>()
            .await
            .map_err(|_| ServerFnError::new("Your session has ended. Sign in again."))?;
        Ok((expect_context::<Core>(), session.ctx))
    }

    /// A service error as a sentence for the page (internal causes are logged, not shown).
    pub fn sentence(err: ServiceError) -> ServerFnError {
        let text = match err {
            ServiceError::NotFound => "That customer or order no longer exists.".to_owned(),
            ServiceError::Forbidden => "Your role does not allow this.".to_owned(),
            ServiceError::BadRequest(message) => message.to_owned(),
            ServiceError::Validation(fields) | ServiceError::FieldConflict(fields) => {
                fields.0.values().flatten().cloned().collect::<Vec<_>>().join(" ")
            }
            unavailable if unavailable.is_unavailable() => {
                tracing::warn!(error = %unavailable.chain(), "page request: database unavailable");
                crate::services::UNAVAILABLE_SENTENCE.to_owned()
            }
            internal if internal.is_internal() => {
                tracing::error!(error = %internal.chain(), "page request failed");
                crate::web::server_fn_status::INTERNAL_SENTENCE.to_owned()
            }
            other => other.to_string(),
        };
        ServerFnError::new(text)
    }

    /// Loads the requested page, or the first page when that one does not exist (or was not a
    /// number): a page link that outlived the data shows the start of the list, not an error.
    pub async fn or_first_page<T, Fut>(
        requested: Option<PageRequest>,
        size: u64,
        load: impl Fn(PageRequest) -> Fut,
    ) -> Result<T, ServerFnError>
    where
        Fut: std::future::Future<Output = ServiceResult<T>>,
    {
        if let Some(page) = requested {
            match load(page).await {
                Err(ServiceError::InvalidPage) => {}
                other => return other.map_err(sentence),
            }
        }
        load(PageRequest::first(size)).await.map_err(sentence)
    }

    /// The page of the list and the statistics for a page query, as the page shows them.
    pub async fn list_view(core: &Core, ctx: &RequestContext, query: PageQuery) -> Result<ListView, ServerFnError> {
        use crate::domain::customer_query::{ListQuery, DEFAULT_PAGE_SIZE};
        use crate::services::customers;
        let (first_page, requested) = query.list_query();
        let (page, stats, program) = or_first_page(requested, DEFAULT_PAGE_SIZE, |page| {
            let asked = ListQuery { page, ..first_page.clone() };
            async move { customers::list_with_stats(core, ctx, &asked).await }
        })
        .await?;
        let tiers = &stats.customers_by_tier;
        Ok(ListView {
            count: page.count,
            page: page.number,
            items: page.items.into_iter().map(CustomerRow::from).collect(),
            stats: StatsView {
                total: stats.total_customers,
                active: stats.active_customers,
                points: stats.total_loyalty_points,
                tiers: [tiers.bronze, tiers.silver, tiers.gold, tiers.platinum],
            },
            tiers: program.tiers(),
        })
    }

    /// A form's outcome: what was saved, or its field messages for the form to show.
    pub fn form_result<T>(result: ServiceResult<T>) -> Result<Result<T, super::FieldMessages>, ServerFnError> {
        match result {
            Ok(saved) => Ok(Ok(saved)),
            Err(ServiceError::Validation(fields) | ServiceError::FieldConflict(fields)) => Ok(Err(fields.0)),
            Err(err) => Err(sentence(err)),
        }
    }
}

/// The list the server read for the page's request before rendering it
/// (`web::page_preload`), once: the page renders it without waiting on a load of its own.
#[cfg(feature = "ssr")]
pub fn take_preloaded_list() -> Option<Result<ListView, ServerFnError>> {
    use crate::web::page_preload::PreloadedList;
    leptos::prelude::with_context::<axum::http::request::Parts, _>(|parts| {
        parts.extensions.get::<PreloadedList>().and_then(PreloadedList::take)
    })
    .flatten()
}

/// Creates a customer from the form.
#[server(prefix = "/sfn", endpoint = "customers/create")]
pub async fn create_customer(form: CustomerForm) -> Result<FormResult, ServerFnError> {
    let (core, ctx) = server::caller().await?;
    server::form_result(
        crate::services::customers::create(&core, &ctx, form.new_customer()).await.map(CustomerRow::from),
    )
}

/// Saves the form over a customer (every field of the form is written).
#[server(prefix = "/sfn", endpoint = "customers/update")]
pub async fn update_customer(id: i64, form: CustomerForm) -> Result<FormResult, ServerFnError> {
    let (core, ctx) = server::caller().await?;
    let patch = form.new_customer().map(Into::into);
    server::form_result(crate::services::customers::update(&core, &ctx, id, patch).await.map(CustomerRow::from))
}

/// Deletes a customer.
#[server(prefix = "/sfn", endpoint = "customers/delete")]
pub async fn delete_customer(id: i64) -> Result<(), ServerFnError> {
    let (core, ctx) = server::caller().await?;
    crate::services::customers::delete(&core, &ctx, id).await.map_err(server::sentence)
}

/// Adds (or, for owners and managers, deducts) points with a reason.
#[server(prefix = "/sfn", endpoint = "customers/points")]
pub async fn change_points(id: i64, points: i64, reason: String) -> Result<CustomerRow, ServerFnError> {
    use crate::domain::customer_actions::PointsChange;
    let (core, ctx) = server::caller().await?;
    let change = PointsChange::new(points, &reason);
    crate::services::customers::change_points(&core, &ctx, id, change)
        .await
        .map(CustomerRow::from)
        .map_err(server::sentence)
}

/// Activates or deactivates the selected customers; returns how many were updated.
#[server(prefix = "/sfn", endpoint = "customers/bulk")]
pub async fn bulk_update(ids: Vec<i64>, activate: bool) -> Result<u64, ServerFnError> {
    use crate::domain::customer_actions::{BulkAction, BulkUpdate};
    let (core, ctx) = server::caller().await?;
    let action = if activate { BulkAction::Activate } else { BulkAction::Deactivate };
    crate::services::customers::bulk_set_active(&core, &ctx, BulkUpdate::new(ids, action))
        .await
        .map_err(server::sentence)
}

/// The size of a page of points history on the detail page.
pub const HISTORY_PAGE_SIZE: u64 = 10;

/// The size of a page of orders and of the tier history on the detail page.
pub const ORDERS_PAGE_SIZE: u64 = 10;

/// A customer with a page of its points history, a page of its orders and its latest tier
/// changes.
#[server(prefix = "/sfn", endpoint = "customers/detail")]
pub async fn customer_detail(id: i64, page: u64, orders_page: u64) -> Result<DetailView, ServerFnError> {
    use crate::domain::customer_query::PageRequest;
    use crate::services::{customers, loyalty, orders};
    let (core, ctx) = server::caller().await?;
    let detail = customers::detail(&core, &ctx, id).await.map_err(server::sentence)?;
    let requested = (page >= 1).then(|| PageRequest::number(page, HISTORY_PAGE_SIZE));
    let (core_ref, ctx_ref) = (&core, &ctx);
    let history = server::or_first_page(requested, HISTORY_PAGE_SIZE, |page| async move {
        customers::points_history(core_ref, ctx_ref, id, page).await
    })
    .await?;
    let requested = (orders_page >= 1).then(|| PageRequest::number(orders_page, ORDERS_PAGE_SIZE));
    let order_page = server::or_first_page(requested, ORDERS_PAGE_SIZE, |page| async move {
        orders::list(core_ref, ctx_ref, id, page).await
    })
    .await?;
    let tiers =
        loyalty::tier_history(&core, &ctx, id, PageRequest::first(ORDERS_PAGE_SIZE)).await.map_err(server::sentence)?;
    let now = core.clock.now();
    let merges = crate::services::merges::merges_into(&core, &ctx, id).await.map_err(server::sentence)?;
    Ok(DetailView {
        average_order_minor: form::minor_units(detail.average_order_value),
        points_expiring: detail.points_expiring,
        orders: order_page.items,
        orders_count: order_page.count,
        orders_page: order_page.number,
        tiers: tiers.items,
        tiers_count: tiers.count,
        can_refund: ctx.role.can_manage_customers(),
        can_erase: ctx.role.can_erase_customers(),
        merges: merges.into_iter().filter(|merge| merge.undoable(now)).collect(),
        flash: super::team::server::take_flash().await,
        customer: detail.customer,
        history: history.items,
        history_count: history.count,
        history_page: history.number,
    })
}
