//! Loyalty tiers, derived from points.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A customer's loyalty tier: Bronze < 100 ≤ Silver < 500 ≤ Gold < 1000 ≤ Platinum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LoyaltyTier {
    /// Fewer than 100 points.
    Bronze,
    /// 100 to 499 points.
    Silver,
    /// 500 to 999 points.
    Gold,
    /// 1000 points or more.
    Platinum,
}

impl LoyaltyTier {
    /// Every tier, lowest first.
    pub const ALL: [LoyaltyTier; 4] =
        [LoyaltyTier::Bronze, LoyaltyTier::Silver, LoyaltyTier::Gold, LoyaltyTier::Platinum];

    /// The tier a balance falls in.
    pub fn from_points(points: i64) -> Self {
        match points {
            p if p >= 1000 => LoyaltyTier::Platinum,
            p if p >= 500 => LoyaltyTier::Gold,
            p if p >= 100 => LoyaltyTier::Silver,
            _ => LoyaltyTier::Bronze,
        }
    }

    /// The display name, as in the API's `loyalty_tier` (`"Gold"`).
    pub fn label(self) -> &'static str {
        match self {
            LoyaltyTier::Bronze => "Bronze",
            LoyaltyTier::Silver => "Silver",
            LoyaltyTier::Gold => "Gold",
            LoyaltyTier::Platinum => "Platinum",
        }
    }

    /// The filter value, as in `?loyalty_level=gold`.
    pub fn key(self) -> &'static str {
        match self {
            LoyaltyTier::Bronze => "bronze",
            LoyaltyTier::Silver => "silver",
            LoyaltyTier::Gold => "gold",
            LoyaltyTier::Platinum => "platinum",
        }
    }

    /// The points range of the tier: lowest included, highest excluded (`None` = no upper bound).
    pub fn points_range(self) -> (i64, Option<i64>) {
        match self {
            LoyaltyTier::Bronze => (0, Some(100)),
            LoyaltyTier::Silver => (100, Some(500)),
            LoyaltyTier::Gold => (500, Some(1000)),
            LoyaltyTier::Platinum => (1000, None),
        }
    }

    /// The rank stored in the counters table (0 = Bronze … 3 = Platinum).
    pub fn rank(self) -> i64 {
        self as i64
    }
}

impl FromStr for LoyaltyTier {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LoyaltyTier::ALL.into_iter().find(|tier| tier.key().eq_ignore_ascii_case(s.trim())).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_change_exactly_at_100_500_and_1000_points() {
        let cases = [
            (0, "Bronze"),
            (99, "Bronze"),
            (100, "Silver"),
            (499, "Silver"),
            (500, "Gold"),
            (999, "Gold"),
            (1000, "Platinum"),
        ];
        for (points, label) in cases {
            assert_eq!(LoyaltyTier::from_points(points).label(), label, "{points}");
        }
    }

    #[test]
    fn every_tier_range_contains_its_own_lower_bound() {
        for tier in LoyaltyTier::ALL {
            assert_eq!(LoyaltyTier::from_points(tier.points_range().0), tier);
            assert_eq!(tier.key().parse::<LoyaltyTier>(), Ok(tier));
        }
    }
}
