//! Tier and status badges: colored, and always with a word, so color is never the only signal.

use crate::domain::LoyaltyTier;
use leptos::prelude::*;

/// The tier badge (Platinum purple, Gold yellow, Silver gray, Bronze orange).
#[component]
pub fn TierBadge(tier: LoyaltyTier) -> impl IntoView {
    let class = match tier {
        LoyaltyTier::Platinum => "badge bg-purple-100 text-purple-800 ring-purple-300",
        LoyaltyTier::Gold => "badge bg-yellow-100 text-yellow-800 ring-yellow-300",
        LoyaltyTier::Silver => "badge bg-gray-100 text-gray-800 ring-gray-300",
        LoyaltyTier::Bronze => "badge bg-orange-100 text-orange-800 ring-orange-300",
    };
    view! {
        <span class=class>
            {tier.label()}
        </span>
    }
}

/// The status badge (Active green, Inactive red).
#[component]
pub fn StatusBadge(active: bool) -> impl IntoView {
    let (class, label) = if active {
        ("badge bg-green-100 text-green-800 ring-green-300", "Active")
    } else {
        ("badge bg-red-100 text-red-800 ring-red-300 line-through decoration-red-400", "Inactive")
    };
    view! {
        <span class=class>
            {label}
        </span>
    }
}
