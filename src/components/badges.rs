//! Tier and status badges: colored, and always with a word, so color is never the only signal.

use crate::domain::LoyaltyTier;
use leptos::prelude::*;

/// The classes of a tier's badge (Platinum purple, Gold yellow, Silver gray, Bronze orange).
pub fn tier_class(tier: LoyaltyTier) -> &'static str {
    match tier {
        LoyaltyTier::Platinum => "badge bg-purple-100 text-purple-800 ring-purple-300",
        LoyaltyTier::Gold => "badge bg-yellow-100 text-yellow-800 ring-yellow-300",
        LoyaltyTier::Silver => "badge bg-gray-100 text-gray-800 ring-gray-300",
        LoyaltyTier::Bronze => "badge bg-orange-100 text-orange-800 ring-orange-300",
    }
}

/// The classes and the word of a status badge (Active green, Inactive red and struck through).
pub fn status_class_and_label(active: bool) -> (&'static str, &'static str) {
    if active {
        ("badge bg-green-100 text-green-800 ring-green-300", "Active")
    } else {
        ("badge bg-red-100 text-red-800 ring-red-300 line-through decoration-red-400", "Inactive")
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
