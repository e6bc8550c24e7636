//! Tier and status badges: colored, and always with a word, so color is never the only signal.

use crate::domain::LoyaltyTier;
use leptos::prelude::*;

/// The tier badge (Platinum purple, Gold yellow, Silver gray, Bronze orange).
#[component]
pub fn TierBadge(tier: LoyaltyTier) -> impl IntoView {
    let colors = match tier {
        LoyaltyTier::Platinum => "bg-purple-100 text-purple-800 ring-purple-300",
        LoyaltyTier::Gold => "bg-yellow-100 text-yellow-800 ring-yellow-300",
        LoyaltyTier::Silver => "bg-gray-100 text-gray-800 ring-gray-300",
        LoyaltyTier::Bronze => "bg-orange-100 text-orange-800 ring-orange-300",
    };
    view! {
        <span class=format!("inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 {colors}")>
            {tier.label()}
        </span>
    }
}

/// The status badge (Active green, Inactive red).
#[component]
pub fn StatusBadge(active: bool) -> impl IntoView {
    let (colors, label) = if active {
        ("bg-green-100 text-green-800 ring-green-300", "Active")
    } else {
        ("bg-red-100 text-red-800 ring-red-300 line-through decoration-red-400", "Inactive")
    };
    view! {
        <span class=format!("inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 {colors}")>
            {label}
        </span>
    }
}
