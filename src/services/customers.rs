//! Customers: listing, reading, creating, editing, deleting, points and bulk actions, with the
//! rules on roles, validation and tenants in one place.

use crate::domain::customer_input::{parse_customer, Completeness, CustomerFields};
use crate::domain::customer_query::{CustomerFilter, InvalidPage, Ordering, PageRequest};
use crate::domain::{Customer, LoyaltyTier, PointsEntry, RequestContext};
use crate::state::AppState;
use crate::storage::StorageError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FieldErrors, ServiceError, ServiceResult};

/// The largest points change one request may make.
pub const MAX_POINTS_CHANGE: i64 = 1_000_000_000;
/// The most customers one bulk action may name.
pub const MAX_BULK_IDS: usize = 10_000;
/// The longest reason kept for a points change.
pub const MAX_REASON_LEN: usize = 255;
const DUPLICATE_EMAIL: &str = "Customer with this email already exists";

/// A parsed list request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    /// What to include.
    pub filter: CustomerFilter,
    /// In which order.
    pub ordering: Ordering,
    /// Which page.
    pub page: PageRequest,
}

/// Why a list query is refused.
impl From<InvalidPage> for ServiceError {
    fn from(_: InvalidPage) -> Self {
        ServiceError::InvalidPage
    }
}

impl ListQuery {
    /// Reads the API's query parameters: `search, is_active, loyalty_level, city, province,
    /// ordering, page, page_size`. Unknown loyalty levels and ordering fields are ignored.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> ServiceResult<Self> {
        let text = |name: &str| get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let is_active = match text("is_active") {
            None => None,
            Some(value) => Some(crate::domain::customer_input::parse_bool(&value).ok_or_else(|| {
                ServiceError::Validation(FieldErrors::single(
                    "is_active",
                    format!("Select a valid choice. {value} is not one of the available choices."),
                ))
            })?),
        };
        let filter = CustomerFilter {
            search: text("search").map(|s| s.chars().take(200).collect()),
            is_active,
            tier: text("loyalty_level").and_then(|level| level.parse::<LoyaltyTier>().ok()),
            city: text("city"),
            province: text("province"),
        };
        let ordering = text("ordering").map(|o| Ordering::parse(&o)).unwrap_or_default();
        let page = PageRequest::parse(get("page").as_deref(), get("page_size").as_deref())?;
        Ok(ListQuery { filter, ordering, page })
    }
}

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
pub async fn list(state: &AppState, ctx: &RequestContext, query: &ListQuery) -> ServiceResult<CustomerPage> {
    let size = query.page.size;
    // Page 1 and explicit pages can be read in one go; the last page needs the count first.
    let guess = match query.page.number {
        crate::domain::customer_query::PageNumber::Number(n) => n,
        crate::domain::customer_query::PageNumber::Last => {
            query.page.resolve(state.storage.count_customers(ctx, &query.filter).await?)?
        }
    };
    let offset = (guess - 1).saturating_mul(size);
    let page = state.storage.list_customers(ctx, &query.filter, query.ordering, offset, size).await?;
    let number = query.page.resolve(page.count)?;
    Ok(CustomerPage { count: page.count, number, has_next: number * size < page.count, items: page.items })
}

/// One of the caller's customers.
pub async fn get(state: &AppState, ctx: &RequestContext, id: i64) -> ServiceResult<Customer> {
    state.storage.customer(ctx, id).await?.ok_or(ServiceError::NotFound)
}

fn invalid(errors: crate::domain::customer_input::FieldMessages) -> ServiceError {
    ServiceError::Validation(FieldErrors(errors))
}

fn duplicate_email(err: StorageError) -> ServiceError {
    match err {
        StorageError::Conflict => ServiceError::Validation(FieldErrors::single("email", DUPLICATE_EMAIL)),
        other => other.into(),
    }
}

/// Creates a customer from a JSON object.
pub async fn create(state: &AppState, ctx: &RequestContext, input: &Value) -> ServiceResult<Customer> {
    let fields = parse_customer(input, Completeness::Full).map_err(invalid)?;
    create_fields(state, ctx, &fields).await
}

/// Creates a customer from checked fields.
pub async fn create_fields(state: &AppState, ctx: &RequestContext, fields: &CustomerFields) -> ServiceResult<Customer> {
    state.storage.create_customer(ctx, fields).await.map_err(duplicate_email)
}

/// Changes a customer from a JSON object: `Full` for PUT (name and email required), `Partial`
/// for PATCH. An unknown customer is "not found" even when the input is also invalid.
pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    input: &Value,
    completeness: Completeness,
) -> ServiceResult<Customer> {
    match parse_customer(input, completeness) {
        Ok(fields) => update_fields(state, ctx, id, &fields).await,
        Err(errors) => Err(not_found_first(state, ctx, id, invalid(errors)).await),
    }
}

/// `err`, unless the customer is not the caller's: then "not found", which always comes first so
/// that nothing is learnt about other tenants' ids. Only called on the error path.
pub async fn not_found_first(state: &AppState, ctx: &RequestContext, id: i64, err: ServiceError) -> ServiceError {
    match get(state, ctx, id).await {
        Ok(_) => err,
        Err(lookup) => lookup,
    }
}

/// Changes a customer from checked fields. Cashiers may not lower a balance through an edit.
pub async fn update_fields(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    fields: &CustomerFields,
) -> ServiceResult<Customer> {
    if let (Some(points), false) = (fields.loyalty_points, ctx.role.can_manage_customers()) {
        let current = get(state, ctx, id).await?;
        if points < current.loyalty_points {
            return Err(ServiceError::Forbidden);
        }
    }
    state.storage.update_customer(ctx, id, fields).await.map_err(duplicate_email)?.ok_or(ServiceError::NotFound)
}

/// Deletes a customer (owners and managers).
pub async fn delete(state: &AppState, ctx: &RequestContext, id: i64) -> ServiceResult<()> {
    if !ctx.role.can_manage_customers() {
        return Err(ServiceError::Forbidden);
    }
    if state.storage.delete_customer(ctx, id).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The statistics cards.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierCounts {
    /// 1000 points or more.
    pub platinum: i64,
    /// 500 to 999.
    pub gold: i64,
    /// 100 to 499.
    pub silver: i64,
    /// Under 100.
    pub bronze: i64,
}

/// The caller's statistics, from the maintained counters.
pub async fn stats(state: &AppState, ctx: &RequestContext) -> ServiceResult<CustomerStats> {
    let mut stats = CustomerStats::default();
    for bucket in state.storage.customer_counters(ctx).await? {
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
    Ok(stats)
}

/// Reads `points` as DRF's seed did (a JSON integer or a string of one), refusing zero and
/// changes beyond ±1,000,000,000.
pub fn parse_points(value: Option<&Value>) -> ServiceResult<i64> {
    let points = match value {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    points.filter(|p| *p != 0 && p.abs() <= MAX_POINTS_CHANGE).ok_or(ServiceError::BadRequest("Invalid points value"))
}

/// Adds or deducts points with a reason. Cashiers may only add.
pub async fn change_points(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    points: i64,
    reason: &str,
) -> ServiceResult<Customer> {
    if points == 0 || points.abs() > MAX_POINTS_CHANGE {
        return Err(ServiceError::BadRequest("Invalid points value"));
    }
    let reason = reason.trim();
    if reason.chars().count() > MAX_REASON_LEN {
        return Err(ServiceError::Validation(FieldErrors::single(
            "reason",
            format!("Ensure this field has no more than {MAX_REASON_LEN} characters."),
        )));
    }
    if points < 0 && !ctx.role.can_manage_customers() {
        return Err(not_found_first(state, ctx, id, ServiceError::Forbidden).await);
    }
    state.storage.change_points(ctx, id, points, reason).await?.ok_or(ServiceError::NotFound)
}

/// `update_points` from a JSON body `{"points": N, "reason": "…"}`.
pub async fn change_points_from_json(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    body: &Value,
) -> ServiceResult<Customer> {
    let parsed = parse_points(body.get("points")).and_then(|points| match body.get("reason") {
        None | Some(Value::Null) => Ok((points, String::new())),
        Some(Value::String(s)) => Ok((points, s.clone())),
        Some(_) => Err(ServiceError::Validation(FieldErrors::single("reason", "Not a valid string."))),
    });
    match parsed {
        Ok((points, reason)) => change_points(state, ctx, id, points, &reason).await,
        Err(err) => Err(not_found_first(state, ctx, id, err).await),
    }
}

/// A bulk action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    /// Make active.
    Activate,
    /// Make inactive.
    Deactivate,
}

/// Activates or deactivates many customers (owners and managers); returns how many of the ids
/// are the caller's customers.
pub async fn bulk_set_active(
    state: &AppState,
    ctx: &RequestContext,
    ids: &[i64],
    action: BulkAction,
) -> ServiceResult<u64> {
    if !ctx.role.can_manage_customers() {
        return Err(ServiceError::Forbidden);
    }
    if ids.is_empty() {
        return Err(ServiceError::BadRequest("No customers selected"));
    }
    if ids.len() > MAX_BULK_IDS {
        return Err(ServiceError::BadRequest("Too many customers selected: at most 10000 at once"));
    }
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    Ok(state.storage.set_customers_active(ctx, &unique, action == BulkAction::Activate).await?)
}

/// `bulk_update` from a JSON body `{"customer_ids": [...], "action": "activate"|"deactivate"}`.
pub async fn bulk_from_json(state: &AppState, ctx: &RequestContext, body: &Value) -> ServiceResult<u64> {
    if !ctx.role.can_manage_customers() {
        return Err(ServiceError::Forbidden);
    }
    let ids: Vec<i64> = match body.get("customer_ids") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            })
            .collect::<Option<Vec<i64>>>()
            .ok_or(ServiceError::BadRequest("Invalid customer ids: every id must be an integer"))?,
        Some(_) => return Err(ServiceError::BadRequest("Invalid customer ids: expected a list of integers")),
    };
    if ids.is_empty() {
        return Err(ServiceError::BadRequest("No customers selected"));
    }
    let action = match body.get("action").and_then(Value::as_str) {
        Some("activate") => BulkAction::Activate,
        Some("deactivate") => BulkAction::Deactivate,
        _ => return Err(ServiceError::BadRequest("Invalid action")),
    };
    bulk_set_active(state, ctx, &ids, action).await
}

/// A page of a customer's points history, newest first.
pub async fn points_history(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    page: PageRequest,
) -> ServiceResult<(u64, u64, Vec<PointsEntry>)> {
    let number = match page.number {
        crate::domain::customer_query::PageNumber::Number(n) => n,
        crate::domain::customer_query::PageNumber::Last => u64::MAX,
    };
    let offset = number.saturating_sub(1).saturating_mul(page.size);
    let found = state.storage.points_history(ctx, id, offset, page.size).await?.ok_or(ServiceError::NotFound)?;
    let number = page.resolve(found.count)?;
    if matches!(page.number, crate::domain::customer_query::PageNumber::Last) {
        let last = state.storage.points_history(ctx, id, (number - 1) * page.size, page.size).await?;
        let items = last.map(|p| p.items).unwrap_or_default();
        return Ok((found.count, number, items));
    }
    Ok((found.count, number, found.items))
}
