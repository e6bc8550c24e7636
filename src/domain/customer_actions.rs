//! Changes made to customers other than an edit: a points change with its reason, and the
//! activation or deactivation of many customers at once. Constructors check the values, so the
//! services and storage only ever see valid ones.

use super::input::{FieldErrors, InvalidInput};
use serde::{Deserialize, Serialize};

/// The largest points change one request may make.
pub const MAX_POINTS_CHANGE: i64 = 1_000_000_000;
/// The longest reason kept for a points change.
pub const MAX_REASON_LEN: usize = 255;
/// The most customers one bulk action may name.
pub const MAX_BULK_IDS: usize = 10_000;
/// The message for a points value that is zero, too large or not a whole number.
pub const INVALID_POINTS: &str = "Invalid points value";
/// The message for a bulk action without customers.
pub const NO_CUSTOMERS: &str = "No customers selected";

/// Points to add (or, when negative, deduct) with the reason kept in the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsChange {
    points: i64,
    reason: String,
}

impl PointsChange {
    /// A non-zero change within ±[`MAX_POINTS_CHANGE`], with a reason of at most
    /// [`MAX_REASON_LEN`] characters (trimmed).
    pub fn new(points: i64, reason: &str) -> Result<Self, InvalidInput> {
        if points == 0 || points.unsigned_abs() > MAX_POINTS_CHANGE.unsigned_abs() {
            return Err(InvalidInput::Request(INVALID_POINTS));
        }
        let reason = reason.trim();
        if reason.chars().count() > MAX_REASON_LEN {
            let message = format!("Ensure this field has no more than {MAX_REASON_LEN} characters.");
            return Err(FieldErrors::single("reason", message).into());
        }
        Ok(PointsChange { points, reason: reason.to_owned() })
    }

    /// The change, never zero.
    pub fn points(&self) -> i64 {
        self.points
    }

    /// Why.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Whether points are taken away.
    pub fn is_deduction(&self) -> bool {
        self.points < 0
    }
}

/// What a bulk action does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    /// Make active.
    Activate,
    /// Make inactive.
    Deactivate,
}

impl BulkAction {
    /// Whether the customers end up active.
    pub fn activates(self) -> bool {
        self == BulkAction::Activate
    }
}

/// A bulk action on 1 to [`MAX_BULK_IDS`] customers, each named once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkUpdate {
    ids: Vec<i64>,
    action: BulkAction,
}

impl BulkUpdate {
    /// The action on `ids` (repeats are dropped).
    pub fn new(mut ids: Vec<i64>, action: BulkAction) -> Result<Self, InvalidInput> {
        if ids.is_empty() {
            return Err(InvalidInput::Request(NO_CUSTOMERS));
        }
        if ids.len() > MAX_BULK_IDS {
            return Err(InvalidInput::Request("Too many customers selected: at most 10000 at once"));
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(BulkUpdate { ids, action })
    }

    /// The customers, sorted, each once.
    pub fn ids(&self) -> &[i64] {
        &self.ids
    }

    /// The action.
    pub fn action(&self) -> BulkAction {
        self.action
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_points_change_is_never_zero_nor_beyond_a_billion() {
        assert_eq!(PointsChange::new(0, ""), Err(InvalidInput::Request(INVALID_POINTS)));
        assert!(PointsChange::new(MAX_POINTS_CHANGE + 1, "").is_err());
        assert!(PointsChange::new(i64::MIN, "").is_err(), "the most negative number has no positive twin");
        assert!(PointsChange::new(i64::MAX, "").is_err());
        let change = PointsChange::new(-5, "  refund  ").expect("valid");
        assert_eq!((change.points(), change.reason(), change.is_deduction()), (-5, "refund", true));
    }

    #[test]
    fn a_reason_longer_than_255_characters_is_refused_on_its_field() {
        let refused = PointsChange::new(5, &"x".repeat(MAX_REASON_LEN + 1));
        assert!(matches!(refused, Err(InvalidInput::Fields(fields)) if fields.0.contains_key("reason")));
    }

    #[test]
    fn a_bulk_update_names_each_customer_once_and_not_too_many() {
        let update = BulkUpdate::new(vec![3, 1, 3], BulkAction::Activate).expect("valid");
        assert_eq!(update.ids(), &[1, 3]);
        assert_eq!(BulkUpdate::new(Vec::new(), BulkAction::Activate), Err(InvalidInput::Request(NO_CUSTOMERS)));
        assert!(BulkUpdate::new(vec![1; MAX_BULK_IDS + 1], BulkAction::Deactivate).is_err());
    }
}
