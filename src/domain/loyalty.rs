//! A tenant's loyalty program: how much spend earns a point, when points expire, and the points
//! at which each tier starts. Every tier shown anywhere is computed with the tenant's program.

use super::customer_input::MAX_POINTS;
use super::input::{FieldErrors, Input};
use super::money;
use super::LoyaltyTier;
use serde::{Deserialize, Serialize};

/// The highest threshold a tier may start at.
pub const MAX_THRESHOLD: i64 = 1_000_000_000;
/// The longest points may live, in days.
pub const MAX_EXPIRY_DAYS: i64 = 3650;

/// The points at which Silver, Gold and Platinum start (Bronze starts at 0); each higher than
/// the one before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierThresholds {
    silver: i64,
    gold: i64,
    platinum: i64,
}

impl Default for TierThresholds {
    /// The seed's thresholds: 100, 500 and 1000 points.
    fn default() -> Self {
        TierThresholds { silver: 100, gold: 500, platinum: 1000 }
    }
}

impl TierThresholds {
    /// Thresholds with 0 < silver < gold < platinum ≤ [`MAX_THRESHOLD`], or per-tier messages
    /// under `tiers.silver`, `tiers.gold` and `tiers.platinum`.
    pub fn new(silver: i64, gold: i64, platinum: i64) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let in_bounds = |value: i64| (1..=MAX_THRESHOLD).contains(&value);
        for (name, value) in [("silver", silver), ("gold", gold), ("platinum", platinum)] {
            if value < 1 {
                errors.add(&format!("tiers.{name}"), "Ensure this value is greater than or equal to 1.");
            } else if value > MAX_THRESHOLD {
                errors.add(
                    &format!("tiers.{name}"),
                    format!("Ensure this value is less than or equal to {MAX_THRESHOLD}."),
                );
            }
        }
        // Each tier against the one below it, where both are within bounds.
        if in_bounds(silver) && in_bounds(gold) && gold <= silver {
            errors.add("tiers.gold", format!("Gold must start above Silver ({silver} points)."));
        }
        if in_bounds(gold) && in_bounds(platinum) && platinum <= gold {
            errors.add("tiers.platinum", format!("Platinum must start above Gold ({gold} points)."));
        }
        errors.or(TierThresholds { silver, gold, platinum })
    }

    /// Where Silver starts.
    pub fn silver(self) -> i64 {
        self.silver
    }

    /// Where Gold starts.
    pub fn gold(self) -> i64 {
        self.gold
    }

    /// Where Platinum starts.
    pub fn platinum(self) -> i64 {
        self.platinum
    }

    /// The tier a balance falls in.
    pub fn tier_of(self, points: i64) -> LoyaltyTier {
        if points >= self.platinum {
            LoyaltyTier::Platinum
        } else if points >= self.gold {
            LoyaltyTier::Gold
        } else if points >= self.silver {
            LoyaltyTier::Silver
        } else {
            LoyaltyTier::Bronze
        }
    }

    /// The points range of a tier: lowest included, highest excluded (`None`: no upper bound).
    pub fn range(self, tier: LoyaltyTier) -> (i64, Option<i64>) {
        match tier {
            LoyaltyTier::Bronze => (0, Some(self.silver)),
            LoyaltyTier::Silver => (self.silver, Some(self.gold)),
            LoyaltyTier::Gold => (self.gold, Some(self.platinum)),
            LoyaltyTier::Platinum => (self.platinum, None),
        }
    }
}

/// A tenant's loyalty program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoyaltyProgram {
    spend_per_point_minor: i64,
    points_expire_after_days: Option<i64>,
    tiers: TierThresholds,
}

impl Default for LoyaltyProgram {
    /// One point per 10,000.00 spent, no expiry, the seed's thresholds.
    fn default() -> Self {
        LoyaltyProgram {
            spend_per_point_minor: 1_000_000,
            points_expire_after_days: None,
            tiers: TierThresholds::default(),
        }
    }
}

impl LoyaltyProgram {
    /// A program from checked parts: spend per point in minor units (0.01 to 9,999,999,999.99)
    /// and expiry in days (1 to 3650, or none).
    pub fn new(
        spend_per_point_minor: i64,
        points_expire_after_days: Option<i64>,
        tiers: TierThresholds,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        if !(1..=money::MAX_AMOUNT_MINOR).contains(&spend_per_point_minor) {
            errors.add("spend_per_point", "Ensure this value is greater than or equal to 0.01.");
        }
        errors.check("points_expire_after_days", expiry_days(points_expire_after_days));
        errors.or(LoyaltyProgram { spend_per_point_minor, points_expire_after_days, tiers })
    }

    /// A program from the fields an edge read (`None`: missing or refused, with its message in
    /// `errors`): missing spend is required; the thresholds are checked together when all three
    /// were read, their messages under `tiers.*`.
    pub fn require(
        spend_per_point_minor: Option<i64>,
        points_expire_after_days: Option<Option<i64>>,
        [silver, gold, platinum]: [Option<i64>; 3],
        mut errors: FieldErrors,
    ) -> Input<Self> {
        let spend = errors.require("spend_per_point", spend_per_point_minor);
        let tiers = match (silver, gold, platinum) {
            (Some(silver), Some(gold), Some(platinum)) => {
                TierThresholds::new(silver, gold, platinum).map_err(|refused| errors.merge(refused)).ok()
            }
            _ => None,
        };
        match (spend, points_expire_after_days, tiers) {
            (Some(spend), Some(expiry), Some(tiers)) if errors.is_empty() => {
                Ok(LoyaltyProgram::new(spend, expiry, tiers)?)
            }
            _ => Err(errors.into()),
        }
    }

    /// Spend that earns one point, in minor units.
    pub fn spend_per_point_minor(self) -> i64 {
        self.spend_per_point_minor
    }

    /// How many days an added point lives, if points expire.
    pub fn points_expire_after_days(self) -> Option<i64> {
        self.points_expire_after_days
    }

    /// The tier thresholds.
    pub fn tiers(self) -> TierThresholds {
        self.tiers
    }

    /// Points an order of `total_minor` earns: whole multiples of the spend per point, none for
    /// an inactive customer.
    pub fn points_for(self, total_minor: i64, active: bool) -> i64 {
        if active {
            (total_minor.max(0) / self.spend_per_point_minor).min(MAX_POINTS)
        } else {
            0
        }
    }
}

/// Each setting `after` changes from `before`, named as the API names it, for the activity log:
/// `{"spend_per_point": {"from": "100.00", "to": "50.00"}, "tiers.gold": {…}}`.
pub fn program_changes(before: &LoyaltyProgram, after: &LoyaltyProgram) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::json;
    let mut changes = serde_json::Map::new();
    let mut note = |field: &str, from: serde_json::Value, to: serde_json::Value| {
        if from != to {
            changes.insert(field.to_owned(), json!({ "from": from, "to": to }));
        }
    };
    let spend = |program: &LoyaltyProgram| json!(money::decimal_text(program.spend_per_point_minor));
    note("spend_per_point", spend(before), spend(after));
    note("points_expire_after_days", json!(before.points_expire_after_days), json!(after.points_expire_after_days));
    note("tiers.silver", json!(before.tiers.silver()), json!(after.tiers.silver()));
    note("tiers.gold", json!(before.tiers.gold()), json!(after.tiers.gold()));
    note("tiers.platinum", json!(before.tiers.platinum()), json!(after.tiers.platinum()));
    changes
}

/// The balance after adding `delta` (negative: taking) to `points`: never below zero nor above
/// the largest balance.
pub fn balance_after(points: i64, delta: i64) -> i64 {
    points.saturating_add(delta).clamp(0, MAX_POINTS)
}

/// Expiry in days: none, or 1 to [`MAX_EXPIRY_DAYS`].
pub fn expiry_days(days: Option<i64>) -> Result<Option<i64>, String> {
    match days {
        Some(d) if d < 1 => Err("Ensure this value is greater than or equal to 1.".into()),
        Some(d) if d > MAX_EXPIRY_DAYS => Err(format!("Ensure this value is less than or equal to {MAX_EXPIRY_DAYS}.")),
        other => Ok(other),
    }
}

/// What changed a customer's tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TierCause {
    /// An order earned points.
    Order,
    /// A refund took points back.
    Refund,
    /// Points given or taken by hand.
    Manual,
    /// An edit set a new balance.
    Edit,
    /// The customer was created.
    Create,
    /// Points expired.
    Expiry,
    /// The tenant changed its thresholds.
    Program,
    /// The customer was imported.
    Import,
    /// A merge added other customers' points, or its undo took them back.
    Merge,
}

impl TierCause {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            TierCause::Order => "order",
            TierCause::Refund => "refund",
            TierCause::Manual => "manual",
            TierCause::Edit => "edit",
            TierCause::Create => "create",
            TierCause::Expiry => "expiry",
            TierCause::Program => "program",
            TierCause::Import => "import",
            TierCause::Merge => "merge",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_program_keeps_the_seeds_tiers() {
        let tiers = LoyaltyProgram::default().tiers();
        let cases = [
            (0, LoyaltyTier::Bronze),
            (99, LoyaltyTier::Bronze),
            (100, LoyaltyTier::Silver),
            (499, LoyaltyTier::Silver),
            (500, LoyaltyTier::Gold),
            (999, LoyaltyTier::Gold),
            (1000, LoyaltyTier::Platinum),
        ];
        for (points, tier) in cases {
            assert_eq!(tiers.tier_of(points), tier, "{points}");
            assert!(tiers.range(tier).0 <= points);
        }
    }

    #[test]
    fn thresholds_must_rise_and_stay_within_bounds() {
        assert!(TierThresholds::new(50, 200, 900).is_ok());
        let errors = TierThresholds::new(100, 100, 50).expect_err("not rising");
        assert!(errors.0.contains_key("tiers.gold") && errors.0.contains_key("tiers.platinum"));
        let errors = TierThresholds::new(0, 5, MAX_THRESHOLD + 1).expect_err("out of bounds");
        assert!(errors.0.contains_key("tiers.silver") && errors.0.contains_key("tiers.platinum"));
    }

    #[test]
    fn an_order_earns_whole_multiples_of_the_spend_per_point() {
        let program = LoyaltyProgram::default();
        assert_eq!(program.points_for(12_500_000, true), 12);
        assert_eq!(program.points_for(999_999, true), 0);
        assert_eq!(program.points_for(12_500_000, false), 0, "inactive customers earn nothing");
        let tiers = TierThresholds::default();
        assert_eq!(LoyaltyProgram::new(1, None, tiers).map(|p| p.points_for(5, true)), Ok(5));
        assert_eq!((balance_after(5, -9), balance_after(MAX_POINTS, 1), balance_after(5, 3)), (0, MAX_POINTS, 8));
        assert!(LoyaltyProgram::new(0, Some(0), tiers).is_err());
    }
}
