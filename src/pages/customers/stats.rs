//! The statistics cards and the tier distribution bar.

use super::query::grouped;
use crate::server_fns::customers::StatsView;
use leptos::prelude::*;

/// Total, active, points and tiers.
#[component]
pub fn StatsCards(stats: StatsView) -> impl IntoView {
    let tiers = stats.tiers;
    view! {
        <section aria-label="Statistics" class="grid grid-cols-2 gap-3 lg:grid-cols-4">
            <Card label="Total Customers" value=grouped(stats.total) icon=PEOPLE tone="bg-indigo-50 text-indigo-900 ring-indigo-200"/>
            <Card label="Active Customers" value=grouped(stats.active) icon=CHECK tone="bg-green-50 text-green-900 ring-green-200"/>
            <Card label="Total Loyalty Points" value=grouped(stats.points) icon=STAR tone="bg-amber-50 text-amber-900 ring-amber-200"/>
            <TierCard tiers/>
        </section>
    }
}

/// SVG path data of the card icons (24×24, stroked).
const PEOPLE: &str = "M16 19v-1a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v1M9 10a3 3 0 1 0 0-6 3 3 0 0 0 0 6M22 19v-1a4 4 0 0 0-3-3.9M16 4.1a3 3 0 0 1 0 5.8";
const CHECK: &str = "M22 11.1V12a10 10 0 1 1-5.9-9.1M22 4 12 14l-3-3";
const STAR: &str = "m12 2 3.1 6.3 6.9 1-5 4.9 1.2 6.8L12 17.8 5.8 21l1.2-6.8-5-4.9 6.9-1z";

#[component]
fn Card(label: &'static str, value: String, icon: &'static str, tone: &'static str) -> impl IntoView {
    view! {
        <div class=format!("flex items-center gap-3 rounded-xl p-4 ring-1 {tone}")>
            <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" class="h-7 w-7 shrink-0">
                <path d=icon/>
            </svg>
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
    // Widths in thousandths of the bar, in integers: no float formatting in the WebAssembly.
    let total: i64 = tiers.iter().sum::<i64>().max(1);
    let mut offset = 0;
    let bars: Vec<_> = tiers
        .iter()
        .zip(TIERS)
        .map(|(count, (_, color, _))| {
            let width = count * 1000 / total;
            let bar = view! { <rect x=offset.to_string() y="0" width=width.to_string() height="10" fill=color/> };
            offset += width;
            bar
        })
        .collect();
    let summary = tiers.iter().zip(TIERS).map(|(c, (name, _, _))| format!("{name} {c}")).collect::<Vec<_>>().join(", ");
    view! {
        <div class="col-span-2 rounded-xl bg-white p-4 ring-1 ring-slate-200 lg:col-span-1">
            <p class="text-sm font-medium">"Customers by Tier"</p>
            <svg viewBox="0 0 1000 10" preserveAspectRatio="none" class="mt-2 h-3 w-full overflow-hidden rounded-full bg-slate-100" role="img" aria-label=summary>
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
