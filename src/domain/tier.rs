//! Loyalty tiers, derived from points.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A customer's loyalty tier, from the tenant's thresholds (by default Bronze < 100 ≤ Silver <
/// 500 ≤ Gold < 1000 ≤ Platinum; see [`TierThresholds`](super::TierThresholds)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LoyaltyTier {
    /// Below the Silver threshold.
    Bronze,
    /// From the Silver threshold.
    Silver,
    /// From the Gold threshold.
    Gold,
    /// From the Platinum threshold.
    Platinum,
}

impl LoyaltyTier {
    /// Every tier, lowest first.
    pub const ALL: [LoyaltyTier; 4] =
        [LoyaltyTier::Bronze, LoyaltyTier::Silver, LoyaltyTier::Gold, LoyaltyTier::Platinum];

    /// The tier of a stored rank (0 Bronze … 3 Platinum); an unknown rank reads as Bronze.
    pub fn from_rank(rank: i64) -> Self {
        usize::try_from(rank).ok().and_then(|i| LoyaltyTier::ALL.get(i).copied()).unwrap_or(LoyaltyTier::Bronze)
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
    fn tiers_round_trip_through_their_rank_and_key() {
        for tier in LoyaltyTier::ALL {
            assert_eq!(LoyaltyTier::from_rank(tier.rank()), tier);
            assert_eq!(tier.key().parse::<LoyaltyTier>(), Ok(tier));
        }
        assert_eq!(LoyaltyTier::from_rank(9), LoyaltyTier::Bronze);
    }
}
