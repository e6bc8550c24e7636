//! A customer of a tenant, as the services return it.

use super::LoyaltyTier;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A customer record. Money is in minor units (cents); see `total_spent_minor`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Customer {
    /// Id.
    pub id: i64,
    /// Owning tenant.
    pub tenant_id: i64,
    /// Owning tenant's name.
    pub tenant_name: String,
    /// Full name.
    pub name: String,
    /// Email, unique per tenant ignoring case.
    pub email: String,
    /// Phone (digits, spaces and `+ - ( ) .`), or empty.
    pub phone: String,
    /// Street address, or empty.
    pub address: String,
    /// City, or empty.
    pub city: String,
    /// Province, or empty.
    pub province: String,
    /// Postal code, or empty.
    pub postal_code: String,
    /// Current points balance (never negative).
    pub loyalty_points: i64,
    /// Orders placed.
    pub total_orders: i64,
    /// Total spent, in minor units.
    pub total_spent_minor: i64,
    /// Free notes.
    pub notes: String,
    /// Whether the customer is active.
    pub is_active: bool,
    /// Consents to marketing by email.
    pub marketing_email: bool,
    /// Consents to marketing by text message.
    pub marketing_sms: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Last order, if any.
    pub last_order_date: Option<DateTime<Utc>>,
    /// The stored tier's rank, from the tenant's thresholds (0 Bronze … 3 Platinum).
    pub tier_rank: i64,
}

impl Customer {
    /// The tier the balance falls in with the tenant's thresholds.
    pub fn tier(&self) -> LoyaltyTier {
        LoyaltyTier::from_rank(self.tier_rank)
    }
}

/// One change of a customer's points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PointsEntry {
    /// Id.
    pub id: i64,
    /// Points actually applied (after clamping at zero).
    pub delta: i64,
    /// Balance after the change.
    pub balance_after: i64,
    /// Why.
    pub reason: String,
    /// `manual`, `edit`, `create`, `order`, `refund`, `expiry` or `import`.
    pub source: String,
    /// The acting user, if known.
    pub user_id: Option<i64>,
    /// The acting user's email, if known.
    pub user_email: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}
