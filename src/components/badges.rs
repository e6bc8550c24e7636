//! Tier and status badges: colored, and always with a word, so color is never the only signal.

use crate::domain::LoyaltyTier;
use leptos::prelude::*;

/// The classes of a tier's badge (Platinum purple, Gold yellow, Silver gray, Bronze orange).
pub fn tier_class(tier: LoyaltyTier) -> &'static str {
    match tier {
        LoyaltyTier::Platinum => "badge tier-platinum",
        LoyaltyTier::Gold => "badge tier-gold",
        LoyaltyTier::Silver => "badge tier-silver",
        LoyaltyTier::Bronze => "badge tier-bronze",
    }
}

/// The classes and the word of a status badge (Active green, Inactive red and struck through).
pub fn status_class_and_label(active: bool) -> (&'static str, &'static str) {
    if active {
        ("badge status-active", "Active")
    } else {
        ("badge status-inactive", "Inactive")
    }
}

/// The tier badge.
#[component]
pub fn TierBadge(tier: LoyaltyTier) -> impl IntoView {
    view! {
        <span class=tier_class(tier)>
            {tier.label()}
        </span>
    }
}

/// The status badge.
#[component]
pub fn StatusBadge(active: bool) -> impl IntoView {
    let (class, label) = status_class_and_label(active);
    view! {
        <span class=class>
            {label}
        </span>
    }
}
