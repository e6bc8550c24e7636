//! The statistics cards and the tier distribution bar.

use super::query::grouped;
use crate::server_fns::customers::StatsView;
use leptos::prelude::*;

/// Total, active, points and tiers.
#[component]
pub fn StatsCards(stats: StatsView) -> impl IntoView {
    let tiers = stats.tiers;
    view! {
        <section aria-label="Statistics" class="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <Card label="Total Customers" value=grouped(stats.total) icon="👥" tone="bg-indigo-50 text-indigo-900 ring-indigo-200"/>
            <Card label="Active Customers" value=grouped(stats.active) icon="✅" tone="bg-green-50 text-green-900 ring-green-200"/>
            <Card label="Total Loyalty Points" value=grouped(stats.points) icon="⭐" tone="bg-amber-50 text-amber-900 ring-amber-200"/>
            <TierCard tiers/>
        </section>
    }
}

#[component]
fn Card(label: &'static str, value: String, icon: &'static str, tone: &'static str) -> impl IntoView {
    view! {
        <div class=format!("flex items-center gap-3 rounded-xl p-4 ring-1 {tone}")>
            <span aria-hidden="true" class="text-2xl">{icon}</span>
            <div>
                <p class="text-sm font-medium">{label}</p>
                <p class="text-2xl font-bold tabular-nums">{value}</p>
            </div>
        </div>
    }
}

const TIERS: [(&str, &str, &str); 4] = [
    ("Bronze", "#f97316", "bg-orange-500"),
    ("Silver", "#9ca3af", "bg-gray-400"),
    ("Gold", "#eab308", "bg-yellow-500"),
    ("Platinum", "#a855f7", "bg-purple-500"),
];

#[component]
fn TierCard(tiers: [i64; 4]) -> impl IntoView {
    let total: i64 = tiers.iter().sum::<i64>().max(1);
    let mut offset = 0.0;
    let bars: Vec<_> = tiers
        .iter()
        .zip(TIERS)
        .map(|(count, (_, color, _))| {
            let width = *count as f64 * 100.0 / total as f64;
            let bar =
                view! { <rect x=format!("{offset:.2}") y="0" width=format!("{width:.2}") height="10" fill=color/> };
            offset += width;
            bar
        })
        .collect();
    let summary = tiers.iter().zip(TIERS).map(|(c, (name, _, _))| format!("{name} {c}")).collect::<Vec<_>>().join(", ");
    view! {
        <div class="rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <p class="text-sm font-medium">"Customers by Tier"</p>
            <svg viewBox="0 0 100 10" preserveAspectRatio="none" class="mt-2 h-3 w-full overflow-hidden rounded-full bg-slate-100" role="img" aria-label=summary>
                {bars}
            </svg>
            <ul class="mt-2 grid grid-cols-2 gap-x-3 text-xs">
                {tiers.iter().zip(TIERS).map(|(count, (name, _, swatch))| view! {
                    <li class="flex items-center gap-1">
                        <span aria-hidden="true" class=format!("inline-block h-2 w-2 rounded-full {swatch}")></span>
                        {name}": "<span class="font-semibold tabular-nums">{grouped(*count)}</span>
                    </li>
                }).collect::<Vec<_>>()}
            </ul>
        </div>
    }
}
