//! Tier and status badges: colored, and always with a word, so color is never the only signal.

use crate::domain::LoyaltyTier;
use leptos::prelude::*;

/// The classes every badge shares (a macro, so each badge's classes are one literal).
macro_rules! badge {
    () => {
        "inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1"
    };
}

/// The tier badge (Platinum purple, Gold yellow, Silver gray, Bronze orange).
#[component]
pub fn TierBadge(tier: LoyaltyTier) -> impl IntoView {
    let class = match tier {
        LoyaltyTier::Platinum => concat!(badge!(), " bg-purple-100 text-purple-800 ring-purple-300"),
        LoyaltyTier::Gold => concat!(badge!(), " bg-yellow-100 text-yellow-800 ring-yellow-300"),
        LoyaltyTier::Silver => concat!(badge!(), " bg-gray-100 text-gray-800 ring-gray-300"),
        LoyaltyTier::Bronze => concat!(badge!(), " bg-orange-100 text-orange-800 ring-orange-300"),
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
        (concat!(badge!(), " bg-green-100 text-green-800 ring-green-300"), "Active")
    } else {
        (concat!(badge!(), " bg-red-100 text-red-800 ring-red-300 line-through decoration-red-400"), "Inactive")
    };
    view! {
        <span class=class>
            {label}
        </span>
    }
}
