//! Orders recorded by the till, refunds of them, and what they leave in a customer's history:
//! tier changes and the points about to expire.

use super::input::{FieldErrors, Input, InvalidInput};
use super::money::{self, MAX_AMOUNT_MINOR};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The longest order reference, in characters.
pub const REFERENCE_MAX: usize = 64;
/// How far in the future an order may be dated (a till's clock may run ahead).
pub const MAX_CLOCK_AHEAD_MINUTES: i64 = 5;
/// The message for a reference already used by another order.
pub const REFERENCE_TAKEN: &str = "An order with this reference already exists.";
/// The message for a refund of an order with nothing left to refund.
pub const FULLY_REFUNDED: &str = "This order has already been fully refunded.";

/// A recorded order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Order {
    /// Id.
    pub id: i64,
    /// The customer.
    pub customer_id: i64,
    /// The till's reference, unique per tenant.
    pub reference: String,
    /// Total, minor units.
    pub total_minor: i64,
    /// Refunded so far, minor units.
    pub refunded_minor: i64,
    /// Points the order earned.
    pub points_earned: i64,
    /// Points its refunds have taken back so far (before clamping at a spent balance).
    pub points_reversed: i64,
    /// When the sale happened.
    pub ordered_at: DateTime<Utc>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

impl Order {
    /// What is left to refund, minor units.
    pub fn refundable_minor(&self) -> i64 {
        self.total_minor - self.refunded_minor
    }
}

/// An order to record, checked except for its date, which the services check against their clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrder {
    /// The till's reference.
    pub reference: String,
    /// Total, minor units (0.01 to 9,999,999,999.99).
    pub total_minor: i64,
    /// When the sale happened (now when absent).
    pub ordered_at: Option<DateTime<Utc>>,
}

impl NewOrder {
    /// An order from its checked fields, or "This field is required." for a missing reference or
    /// total (a field that already has a message gets no second one).
    pub fn require(
        reference: Option<String>,
        total_minor: Option<i64>,
        ordered_at: Option<DateTime<Utc>>,
        mut errors: FieldErrors,
    ) -> Input<Self> {
        let reference = errors.require("reference", reference);
        let total_minor = errors.require("total", total_minor);
        match (reference, total_minor) {
            (Some(reference), Some(total_minor)) if errors.is_empty() => {
                Ok(NewOrder { reference, total_minor, ordered_at })
            }
            _ => Err(errors.into()),
        }
    }

    /// The order's date, refused when more than [`MAX_CLOCK_AHEAD_MINUTES`] after `now`.
    pub fn dated(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>, InvalidInput> {
        match self.ordered_at {
            None => Ok(now),
            Some(at) if at > now + Duration::minutes(MAX_CLOCK_AHEAD_MINUTES) => Err(FieldErrors::single(
                "ordered_at",
                format!("Ensure this value is not more than {MAX_CLOCK_AHEAD_MINUTES} minutes in the future."),
            )
            .into()),
            Some(at) => Ok(at),
        }
    }
}

/// An order reference: trimmed, 1 to [`REFERENCE_MAX`] printable characters.
pub fn reference(raw: &str) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(super::customer_input::NOT_BLANK.into());
    }
    if value.chars().count() > REFERENCE_MAX {
        return Err(format!("Ensure this field has no more than {REFERENCE_MAX} characters."));
    }
    if value.chars().any(char::is_control) {
        return Err("Use printable characters only.".into());
    }
    Ok(value.to_owned())
}

/// A refund's reason: trimmed, at most 255 characters, no control characters but line breaks
/// and tabs (as a points change's).
pub fn reason(raw: &str) -> Result<String, String> {
    super::customer_input::text(raw, true, super::customer_actions::MAX_REASON_LEN)
}

/// An order total or refund amount: 0.01 to 9,999,999,999.99 with at most two places.
pub fn amount(text: &str) -> Result<i64, String> {
    money::minor_units(text, 1, MAX_AMOUNT_MINOR)
}

/// A refund: an amount (the rest of the order when absent) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    /// Amount, minor units.
    pub amount_minor: Option<i64>,
    /// Why (may be empty).
    pub reason: String,
}

impl Refund {
    /// A refund from its checked fields (`None`: refused, with its message in `errors`).
    pub fn require(amount_minor: Option<Option<i64>>, reason: Option<String>, errors: FieldErrors) -> Input<Self> {
        match (amount_minor, reason) {
            (Some(amount_minor), Some(reason)) if errors.is_empty() => Ok(Refund { amount_minor, reason }),
            _ => Err(errors.into()),
        }
    }

    /// The amount to refund of `order`, or why it cannot be refunded.
    pub fn amount_for(&self, order: &Order) -> Result<i64, InvalidInput> {
        let left = order.refundable_minor();
        if left <= 0 {
            return Err(InvalidInput::Fields(FieldErrors::single("amount", FULLY_REFUNDED)));
        }
        match self.amount_minor {
            None => Ok(left),
            Some(amount) if amount > left => Err(FieldErrors::single(
                "amount",
                format!("Ensure this value is less than or equal to {}.", money::decimal_text(left)),
            )
            .into()),
            Some(amount) => Ok(amount),
        }
    }
}

/// Points an order's refunds take back in total once they add up to `refunded` of `total`:
/// `floor(earned × refunded / total)`, so the last refund takes exactly what remains.
pub fn points_reversed(earned: i64, refunded: i64, total: i64) -> i64 {
    if total <= 0 {
        return 0;
    }
    let reversed = i128::from(earned) * i128::from(refunded.clamp(0, total)) / i128::from(total);
    i64::try_from(reversed).unwrap_or(earned)
}

/// One change of a customer's tier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TierChange {
    /// Id.
    pub id: i64,
    /// The tier's rank after the change (0 Bronze … 3 Platinum).
    pub tier: i64,
    /// The rank before, none for a new customer.
    pub previous_tier: Option<i64>,
    /// What changed it (`order`, `refund`, `manual`, `edit`, `create`, `expiry`, `program`, `import`).
    pub cause: String,
    /// When.
    pub changed_at: DateTime<Utc>,
}

/// Points that expire next: how many, and on which UTC day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsExpiring {
    /// Points.
    pub points: i64,
    /// Midnight (UTC) of the day they expire.
    pub on: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refunds_take_back_points_in_proportion_and_the_last_takes_the_rest() {
        assert_eq!(points_reversed(12, 2_500_000, 12_500_000), 2);
        assert_eq!(points_reversed(12, 5_000_000, 12_500_000), 4);
        assert_eq!(points_reversed(12, 12_500_000, 12_500_000), 12);
        assert_eq!(points_reversed(7, 1, 3), 2);
        assert_eq!(points_reversed(i64::from(i32::MAX), 999_999_999_998, 999_999_999_999), i64::from(i32::MAX) - 1);
    }

    #[test]
    fn references_are_printable_and_bounded() {
        assert_eq!(reference(" POS-1042 "), Ok("POS-1042".into()));
        assert!(reference("").is_err());
        assert!(reference(&"x".repeat(65)).is_err());
        assert!(reference("a\u{7}b").is_err());
    }

    #[test]
    fn an_order_may_be_dated_a_little_ahead_but_not_more() {
        let now = Utc::now();
        let order = |at| NewOrder { reference: "R".into(), total_minor: 100, ordered_at: Some(at) };
        assert!(order(now + Duration::minutes(4)).dated(now).is_ok());
        assert!(order(now + Duration::minutes(6)).dated(now).is_err());
        assert_eq!(NewOrder { reference: "R".into(), total_minor: 1, ordered_at: None }.dated(now), Ok(now));
    }

    #[test]
    fn a_refund_cannot_exceed_what_is_left() {
        let order = Order {
            id: 1,
            customer_id: 1,
            reference: "R".into(),
            total_minor: 1000,
            refunded_minor: 600,
            points_earned: 0,
            points_reversed: 0,
            ordered_at: Utc::now(),
            created_at: Utc::now(),
        };
        assert_eq!(Refund { amount_minor: None, reason: String::new() }.amount_for(&order), Ok(400));
        assert!(Refund { amount_minor: Some(401), reason: String::new() }.amount_for(&order).is_err());
        let done = Order { refunded_minor: 1000, ..order };
        assert!(Refund { amount_minor: None, reason: String::new() }.amount_for(&done).is_err());
    }
}
