//! How the API shows things: customers, points history rows and DRF's paginated envelopes, with
//! timestamps as DRF renders them and money as decimal strings.

use crate::domain::money::decimal_text;
use crate::domain::{Customer, LoyaltyProgram, LoyaltyTier, Order, PointsEntry, TierChange};
use crate::services::activity::ActivityView;
use crate::services::customers::CustomerDetail;
use crate::services::Paged;
use crate::storage::PointsSource;
use axum::http::{header, HeaderMap, Uri};
use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// A customer as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomerJson {
    id: i64,
    /// The customer's tenant (always the caller's).
    tenant: i64,
    tenant_name: String,
    name: String,
    #[schema(format = Email)]
    email: String,
    phone: String,
    address: String,
    city: String,
    province: String,
    postal_code: String,
    #[schema(minimum = 0)]
    loyalty_points: i64,
    #[schema(value_type = LoyaltyTierLabel)]
    loyalty_tier: &'static str,
    total_orders: i64,
    /// A decimal with two places.
    #[schema(example = "2500000.00", pattern = r"^[0-9]+\.[0-9]{2}$")]
    total_spent: String,
    /// Only in the detail view: a JSON number, as the seed's `FloatField` gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    average_order_value: Option<f64>,
    /// Only in the detail view: the points that expire next (how many and on which UTC day), or
    /// null when none will.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ExpiringJson>)]
    points_expiring: Option<Option<ExpiringJson>>,
    notes: String,
    is_active: bool,
    /// Consents to marketing by email (default false).
    marketing_email: bool,
    /// Consents to marketing by text message (default false).
    marketing_sms: bool,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
    #[schema(format = DateTime)]
    last_order_date: Option<String>,
}

/// A tier as the API names it.
#[derive(ToSchema)]
pub enum LoyaltyTierLabel {
    /// Below the tenant's Silver threshold (100 points by default).
    Bronze,
    /// From the Silver threshold (100 by default).
    Silver,
    /// From the Gold threshold (500 by default).
    Gold,
    /// From the Platinum threshold (1000 by default).
    Platinum,
}

/// A timestamp as DRF renders it: RFC 3339 in UTC with `Z`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

impl From<Customer> for CustomerJson {
    fn from(c: Customer) -> Self {
        CustomerJson {
            loyalty_tier: c.tier().label(),
            total_spent: Decimal::new(c.total_spent_minor, 2).to_string(),
            average_order_value: None,
            points_expiring: None,
            created_at: timestamp(c.created_at),
            updated_at: timestamp(c.updated_at),
            last_order_date: c.last_order_date.map(timestamp),
            id: c.id,
            tenant: c.tenant_id,
            tenant_name: c.tenant_name,
            name: c.name,
            email: c.email,
            phone: c.phone,
            address: c.address,
            city: c.city,
            province: c.province,
            postal_code: c.postal_code,
            loyalty_points: c.loyalty_points,
            total_orders: c.total_orders,
            notes: c.notes,
            is_active: c.is_active,
            marketing_email: c.marketing_email,
            marketing_sms: c.marketing_sms,
        }
    }
}

impl From<CustomerDetail> for CustomerJson {
    fn from(detail: CustomerDetail) -> Self {
        CustomerJson {
            average_order_value: Some(detail.average_order_value.to_f64().unwrap_or(0.0)),
            points_expiring: Some(
                detail.points_expiring.map(|e| ExpiringJson { points: e.points, on: crate::domain::dates::day(&e.on) }),
            ),
            ..CustomerJson::from(detail.customer)
        }
    }
}

/// Points that expire next.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ExpiringJson {
    /// How many.
    points: i64,
    /// The UTC day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    on: String,
}

/// An order as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrderJson {
    id: i64,
    /// The customer's id.
    customer: i64,
    reference: String,
    /// A decimal with two places.
    #[schema(example = "125000.00")]
    total: String,
    /// Refunded so far, a decimal with two places.
    #[schema(example = "0.00")]
    refunded: String,
    points_earned: i64,
    #[schema(format = DateTime)]
    ordered_at: String,
    #[schema(format = DateTime)]
    created_at: String,
}

impl From<Order> for OrderJson {
    fn from(o: Order) -> Self {
        OrderJson {
            id: o.id,
            customer: o.customer_id,
            total: decimal_text(o.total_minor),
            refunded: decimal_text(o.refunded_minor),
            reference: o.reference,
            points_earned: o.points_earned,
            ordered_at: timestamp(o.ordered_at),
            created_at: timestamp(o.created_at),
        }
    }
}

/// A tier change as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TierChangeJson {
    #[schema(value_type = LoyaltyTierLabel)]
    tier: &'static str,
    /// Null for a new customer's first tier.
    #[schema(value_type = Option<LoyaltyTierLabel>)]
    previous_tier: Option<&'static str>,
    #[schema(format = DateTime)]
    changed_at: String,
    /// `order`, `refund`, `manual`, `edit`, `create`, `expiry`, `program`, `import` or `merge`.
    cause: String,
}

impl From<TierChange> for TierChangeJson {
    fn from(t: TierChange) -> Self {
        TierChangeJson {
            tier: LoyaltyTier::from_rank(t.tier).label(),
            previous_tier: t.previous_tier.map(|rank| LoyaltyTier::from_rank(rank).label()),
            changed_at: timestamp(t.changed_at),
            cause: t.cause,
        }
    }
}

/// The tiers' thresholds as the API shows them.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TiersJson {
    /// Points where Silver starts.
    silver: i64,
    /// Points where Gold starts.
    gold: i64,
    /// Points where Platinum starts.
    platinum: i64,
}

/// A loyalty program as the API shows it (and takes it).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProgramJson {
    /// Spend that earns one point, a decimal with two places.
    #[schema(example = "10000.00")]
    spend_per_point: String,
    /// Days an added point lives, or null: points never expire.
    #[schema(minimum = 1, maximum = 3650)]
    points_expire_after_days: Option<i64>,
    tiers: TiersJson,
}

impl From<LoyaltyProgram> for ProgramJson {
    fn from(p: LoyaltyProgram) -> Self {
        let tiers = p.tiers();
        ProgramJson {
            spend_per_point: decimal_text(p.spend_per_point_minor()),
            points_expire_after_days: p.points_expire_after_days(),
            tiers: TiersJson { silver: tiers.silver(), gold: tiers.gold(), platinum: tiers.platinum() },
        }
    }
}

/// A points history row as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PointsJson {
    id: i64,
    /// The change actually applied (after clamping at zero).
    points: i64,
    balance_after: i64,
    reason: String,
    /// `manual`, `edit`, `create`, `order`, `refund`, `expiry` or `import`.
    #[schema(value_type = PointsSource)]
    source: String,
    /// The email of the user who made the change, if known.
    user: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
}

impl From<PointsEntry> for PointsJson {
    fn from(p: PointsEntry) -> Self {
        PointsJson {
            id: p.id,
            points: p.delta,
            balance_after: p.balance_after,
            reason: p.reason,
            source: p.source,
            user: p.user_email,
            created_at: timestamp(p.created_at),
        }
    }
}

/// Who acted, as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActorJson {
    /// The user's id (null for the system, or for an unknown person's failed sign-in).
    id: Option<i64>,
    /// Their email at the time.
    email: String,
}

/// What was acted on, as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TargetJson {
    /// `customer`, `user` or `tenant`.
    #[serde(rename = "type")]
    kind: String,
    /// The record's id.
    id: Option<i64>,
    /// Its name at the time.
    label: String,
}

/// One row of the activity log as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActivityJson {
    id: i64,
    #[schema(format = DateTime)]
    created_at: String,
    actor: ActorJson,
    /// What: `customer.created`, `customer.updated`, `customer.deleted`, `customer.points_changed`,
    /// `customer.bulk_updated`, `customer.erased`, `customers.imported`, `customers.merged`,
    /// `customers.merge_undone`, `order.recorded`,
    /// `order.refunded`, `loyalty.program_changed`, `user.created`, `user.updated`,
    /// `auth.signed_in`, `auth.sign_in_failed`, `auth.password_changed`, `auth.signed_out_everywhere`.
    action: String,
    target: TargetJson,
    /// What changed (for an edit, `{"changes": {"field": {"from", "to"}}}`).
    #[schema(value_type = Object)]
    details: serde_json::Value,
    /// Where the request came from.
    client_address: Option<String>,
}

impl From<ActivityView> for ActivityJson {
    fn from(row: ActivityView) -> Self {
        ActivityJson {
            id: row.id,
            created_at: timestamp(row.created_at),
            actor: ActorJson { id: row.actor.id, email: row.actor.email },
            action: row.action,
            target: TargetJson { kind: row.target.kind, id: row.target.id, label: row.target.label },
            details: row.details,
            client_address: row.client_address,
        }
    }
}

/// DRF's paginated envelope.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    /// Rows over every page.
    count: u64,
    /// The next page's URL.
    next: Option<String>,
    /// The previous page's URL.
    previous: Option<String>,
    /// This page's rows.
    results: Vec<T>,
}

/// Where a page sits, to link its neighbours.
pub struct PageLinks<'a> {
    /// The request's headers (host, forwarded scheme).
    pub headers: &'a HeaderMap,
    /// The request's path.
    pub uri: &'a Uri,
    /// The request's query parameters, kept in the links.
    pub params: &'a [(String, String)],
}

impl PageLinks<'_> {
    /// The envelope of page `number` with `results`.
    pub fn page<T>(&self, count: u64, number: u64, has_next: bool, results: Vec<T>) -> Paginated<T> {
        let next = has_next.then(|| self.link(Some(number + 1)));
        let previous = (number > 1).then(|| self.link((number > 2).then_some(number - 1)));
        Paginated { count, next, previous, results }
    }

    /// The envelope of a page of a customer's rows, each shown as `J`.
    pub fn rows<T, J: From<T>>(&self, found: Paged<T>) -> Paginated<J> {
        self.page(found.count, found.number, found.has_next, found.items.into_iter().map(J::from).collect())
    }

    /// The absolute URL of this path with `page` set (or removed for page 1), keeping the others.
    fn link(&self, page: Option<u64>) -> String {
        let host = self.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
        let scheme = match self.headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()) {
            Some("https") => "https",
            _ => "http",
        };
        let page = page.map(|page| page.to_string());
        let query = crate::domain::form_urlencoded::serialize(
            self.params
                .iter()
                .filter(|(name, _)| name != "page")
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .chain(page.as_deref().map(|page| ("page", page))),
        );
        let path = self.uri.path();
        if query.is_empty() {
            format!("{scheme}://{host}{path}")
        } else {
            format!("{scheme}://{host}{path}?{query}")
        }
    }
}
